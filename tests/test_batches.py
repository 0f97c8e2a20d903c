"""Enrollment batches: Oki (operator of Pulau Telo, Kapuas) uploads and submits; Vina (supervisor
of the Kapuas branch) decides; Sari (branch staff) makes batches too but never decides them."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import threading

import pytest
from openpyxl import Workbook
from sqlalchemy import func

from app.extensions import db
from app.models import BatchRow, Enrollment, EnrollmentBatch, Sponsor, Worker
from app.services import Conflict
from app.services.batch_import import TEMPLATE_HEADERS, read_table
from app.services.batches import decide
from app.services.identifiers import make_nik
from tests.helpers import text_of

VILLAGE = "62.03.01.2011"
PEOPLE = itertools.count(1)


def person(born=None, sex="L") -> list[str]:
    """A valid template row: NIK, name, birth date, sex, village, segment, decile, income."""
    n = next(PEOPLE)
    born = born or dt.date(1970, 1, 1) + dt.timedelta(days=n * 3)
    nik = make_nik("62.03.01", born, "M" if sex == "L" else "F", 5000 + n)
    return [nik, f"Warga {n}", born.isoformat(), sex, VILLAGE, "vulnerable", "2", "1000000"]


def csv_file(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(TEMPLATE_HEADERS)] + [delimiter.join(r) for r in rows]
    return "\n".join(lines).encode(encoding)


def new_batch(app, client) -> int:
    with app.app_context():
        sponsor = db.session.query(Sponsor).filter_by(name="Dana Desa Pulau Telo").one().id
    response = client.post(
        "/batchview/add",
        data={
            "title": "Pekerja rentan Pulau Telo",
            "sponsor": str(sponsor),
            "jkk": "y",
            "jkm": "y",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302, text_of(response)
    with app.app_context():
        return db.session.query(func.max(EnrollmentBatch.id)).scalar()


def upload(client, batch_id, body: bytes, name="warga.csv"):
    return client.post(
        f"/batchview/upload/{batch_id}",
        data={"file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def errors_of(app, batch_id) -> dict[int, str]:
    with app.app_context():
        return {
            r.line: r.errors or "" for r in db.session.query(BatchRow).filter_by(batch_id=batch_id)
        }


def status(app, batch_id) -> str:
    with app.app_context():
        return db.session.get(EnrollmentBatch, batch_id).status


@pytest.fixture
def oki(as_user):
    return as_user("oki")


# --- reading files ------------------------------------------------------------------------------


def test_semicolon_comma_bom_and_latin1_files_are_all_read():
    rows = [person()]
    for body in (csv_file(rows, ";"), csv_file(rows, ","), csv_file(rows, ";", "latin-1")):
        assert read_table("a.csv", body)[0]["nik"] == rows[0][0]


def test_an_xlsx_file_is_read_and_a_formula_cell_refused():
    book = Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(person())
    data = io.BytesIO()
    book.save(data)
    assert len(read_table("a.xlsx", data.getvalue())) == 1
    sheet.append(["=1+1", "x", "1980-01-01", "L", VILLAGE])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(Exception, match="formula|rumus"):
        read_table("a.xlsx", data.getvalue())


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "kosong"),
        (b"Nama;NIK\nA;1", "kolom"),
        (csv_file([["=HYPERLINK(1)", "x", "1980-01-01", "L", VILLAGE, "", "", ""]]), "rumus"),
        (b"x" * (5 * 1024 * 1024 + 1), "MB"),
    ],
)
def test_unreadable_files_are_refused_whole_with_a_reason(app, oki, body, message):
    batch_id = new_batch(app, oki)
    assert message in text_of(upload(oki, batch_id, body))
    assert errors_of(app, batch_id) == {}


# --- checking rows -------------------------------------------------------------------------------


def test_each_bad_row_names_its_fields_in_indonesian(app, oki, as_user):
    enrolled = as_user("admin")  # a worker who is already actively enrolled elsewhere
    good = person()
    twice = person()
    old = person(born=dt.date(1950, 5, 5))
    wrong_sex = person()
    wrong_sex[3] = "P"
    rich = person()
    rich[6] = "7"
    bad_nik = person()
    bad_nik[0] = "12345"
    elsewhere = person()
    elsewhere[4] = "62.05.01.1001"
    no_name = person()
    no_name[1] = ""
    batch_id = new_batch(app, oki)
    upload(
        oki,
        batch_id,
        csv_file([good, twice, twice, old, wrong_sex, rich, bad_nik, elsewhere, no_name]),
    )
    errors = errors_of(app, batch_id)
    assert errors[2] == ""
    assert errors[3] == "" and "baris 3" in errors[4]
    assert "Lebih dari 65" in errors[5]
    assert "jenis kelamin" in errors[6].lower()
    assert "Desil 7" in errors[7]
    assert "16 digit" in errors[8]
    assert "Bukan desa" in errors[9]
    assert "Nama wajib" in errors[10]
    del enrolled


def test_nothing_reaches_the_enrollment_tables_before_approval(app, oki):
    batch_id = new_batch(app, oki)
    row = person()
    upload(oki, batch_id, csv_file([row]))
    oki.post(f"/batchview/submit/{batch_id}")
    with app.app_context():
        assert db.session.query(Worker).filter_by(nik=row[0]).count() == 0


def test_the_same_file_uploaded_twice_is_recognised(app, oki):
    body = csv_file([person()])
    upload(oki, new_batch(app, oki), body)
    page = text_of(upload(oki, new_batch(app, oki), body))
    assert "sudah pernah diunggah" in page


# --- the lifecycle ---------------------------------------------------------------------------


def submitted_batch(app, oki, rows=None) -> tuple[int, list]:
    rows = rows or [person(), person()]
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file(rows))
    oki.post(f"/batchview/submit/{batch_id}")
    assert status(app, batch_id) == "submitted"
    return batch_id, rows


def test_approval_enrolls_the_valid_rows_with_the_village_fund_as_payer(app, oki, as_user):
    bad = person()
    bad[0] = "1"
    batch_id, rows = submitted_batch(app, oki, [person(), person(), bad])
    as_user("vina").post(f"/batchview/decide/{batch_id}", data={"decision": "approve"})
    assert status(app, batch_id) == "enrolled"
    with app.app_context():
        enrollments = (
            db.session.query(Enrollment)
            .join(Worker)
            .filter(Worker.nik.in_([r[0] for r in rows]))
            .all()
        )
        assert len(enrollments) == 2
        assert {e.payer_type for e in enrollments} == {"apbdes"}
        assert {e.monthly_contribution for e in enrollments} == {16_800}
        assert all(e.status == "active" for e in enrollments)


def test_the_maker_cannot_approve_their_own_batch(app, as_user):
    sari = as_user("sari")
    batch_id = new_batch(app, sari)
    upload(sari, batch_id, csv_file([person()]))
    sari.post(f"/batchview/submit/{batch_id}")
    with app.app_context():
        maker = db.session.get(EnrollmentBatch, batch_id).maker_id
        with pytest.raises(Conflict):
            decide(db.session, batch_id, maker, "approve", None, dt.datetime.now(dt.UTC))
        db.session.rollback()
    assert status(app, batch_id) == "submitted"


def test_a_second_approval_enrolls_nothing_more(app, oki, as_user):
    batch_id, rows = submitted_batch(app, oki)
    vina = as_user("vina")
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "approve"})
    page = text_of(
        vina.post(
            f"/batchview/decide/{batch_id}", data={"decision": "approve"}, follow_redirects=True
        )
    )
    assert "sudah diputuskan" in page
    with app.app_context():
        assert (
            db.session.query(Enrollment)
            .join(Worker)
            .filter(Worker.nik.in_([r[0] for r in rows]))
            .count()
            == 2
        )


def test_a_rejected_batch_enrolls_nothing_and_needs_a_reason(app, oki, as_user):
    batch_id, rows = submitted_batch(app, oki)
    vina = as_user("vina")
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "reject"})
    assert status(app, batch_id) == "submitted"
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "reject", "note": "Data ganda"})
    assert status(app, batch_id) == "rejected"
    with app.app_context():
        assert db.session.query(Worker).filter(Worker.nik.in_([r[0] for r in rows])).count() == 0


def test_a_returned_batch_takes_a_corrected_file_and_goes_back(app, oki, as_user):
    batch_id, _rows = submitted_batch(app, oki)
    as_user("vina").post(
        f"/batchview/decide/{batch_id}", data={"decision": "return", "note": "Tambahkan RT"}
    )
    assert status(app, batch_id) == "returned"
    upload(oki, batch_id, csv_file([person()]))
    oki.post(f"/batchview/submit/{batch_id}")
    assert status(app, batch_id) == "submitted"


def test_the_supervisor_cannot_make_or_upload_batches(app, oki, as_user):
    batch_id = new_batch(app, oki)
    vina = as_user("vina")
    assert vina.get("/batchview/add").status_code == 403
    assert upload(vina, batch_id, csv_file([person()])).status_code == 403
    assert errors_of(app, batch_id) == {}


def test_barito_utara_staff_cannot_see_a_kapuas_batch(app, oki, as_user):
    batch_id = new_batch(app, oki)
    assert as_user("budi").get(f"/batchview/show/{batch_id}").status_code == 404


@pytest.mark.postgres_only
def test_two_supervisors_pressing_approve_at_once_enroll_once(app, oki):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("row locking is tested on PostgreSQL")
    batch_id, rows = submitted_batch(app, oki)
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        deciders = [
            db.session.query(User).filter_by(username=u).one().id for u in ("vina", "admin")
        ]
    outcomes, barrier = [], threading.Barrier(2)

    def approve(user_id):
        with app.app_context():
            barrier.wait()
            try:
                decide(db.session, batch_id, user_id, "approve", None, dt.datetime.now(dt.UTC))
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(u,)) for u in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    with app.app_context():
        assert (
            db.session.query(Enrollment)
            .join(Worker)
            .filter(Worker.nik.in_([r[0] for r in rows]))
            .count()
            == 2
        )


def test_the_batch_page_names_the_field_of_each_error_in_indonesian(app, oki):
    bad = person()
    bad[3] = "X"
    batch_id = new_batch(app, oki)
    page = text_of(upload(oki, batch_id, csv_file([bad])))
    assert "Jenis kelamin</strong>: Tulis L atau P" in page
    assert "perlu diperbaiki: 1" in page


def test_the_berita_acara_of_an_approved_batch_prints(app, oki, as_user):
    from pypdf import PdfReader

    batch_id, rows = submitted_batch(app, oki)
    vina = as_user("vina")
    assert oki.get(f"/batchview/record/{batch_id}").status_code == 404  # not approved yet
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "approve"})
    response = vina.get(f"/batchview/record/{batch_id}")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).replace(
        "\xa0", " "
    )
    assert "Berita acara persetujuan" in text
    assert "Rp 33.600" in text  # two workers at Rp 16.800
    assert rows[0][1] in text
