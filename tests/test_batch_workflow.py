"""Enrollment batches beyond the upload: progress of the check, rows corrected on screen, double
funding, the sponsor's commitment, the approved list for BPJS and the sponsor statement.

Oki (operator of Pulau Telo, Kapuas) makes the batches; Vina (Kapuas supervisor) decides; Ani
(Kapuas auditor) reads with personal data masked; Budi (Barito Utara staff) sees none of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    BatchRow,
    Enrollment,
    EnrollmentBatch,
    ReportJob,
    Sponsor,
    SponsorCommitment,
    Village,
    Worker,
)
from app.services.contributions import apply_to_enrollment
from app.services.sponsors import months_between
from tests.helpers import count_queries, text_of
from tests.test_batches import VILLAGE, csv_file, new_batch, person, status, upload


@pytest.fixture
def oki(as_user):
    return as_user("oki")


@pytest.fixture
def vina(as_user):
    return as_user("vina")


def rows_of(app, batch_id) -> dict[int, BatchRow]:
    with app.app_context():
        rows = db.session.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id)).all()
        db.session.expunge_all()
        return {row.line: row for row in rows}


def errors(row: BatchRow) -> dict:
    return json.loads(row.errors) if row.errors else {}


def sponsor_id(app, name) -> int:
    with app.app_context():
        return db.session.scalar(select(Sponsor.id).where(Sponsor.name == name))


# --- the check in the background and its progress ------------------------------------------------


def test_the_check_reports_its_progress_and_finishes_with_every_row(app, oki):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person() for _ in range(3)]))
    progress = oki.get(f"/batchview/progress/{batch_id}").get_json()
    assert progress == {"status": "done", "done": 3, "total": 3, "percent": 100, "error": None}
    with app.app_context():
        assert db.session.get(EnrollmentBatch, batch_id).pending_file is None


def test_a_refused_file_shows_why_and_keeps_the_rows_already_checked(app, oki):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person()]))
    page = text_of(upload(oki, batch_id, csv_file([["=1+1", *person()[1:]]])))
    assert "Berkas ditolak" in page
    assert "rumus" in page
    assert len(rows_of(app, batch_id)) == 1


def test_the_progress_of_another_regencys_batch_is_not_found(app, oki, as_user):
    batch_id = new_batch(app, oki)
    assert as_user("budi").get(f"/batchview/progress/{batch_id}").status_code == 404


def test_the_batch_page_shows_a_page_of_rows_with_a_bounded_number_of_queries(app, oki):
    small, large = new_batch(app, oki), new_batch(app, oki)
    upload(oki, small, csv_file([person() for _ in range(3)]))
    upload(oki, large, csv_file([person() for _ in range(150)]))
    counts = []
    for batch_id in (small, large):
        oki.get(f"/batchview/show/{batch_id}")  # warm caches
        with count_queries(app) as statements:
            page = text_of(oki.get(f"/batchview/show/{batch_id}"))
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert "Warga" in page and 'class="pagination' in page


# --- correcting rows on screen -------------------------------------------------------------------


def test_a_row_corrected_on_screen_becomes_valid(app, oki):
    bad = person()
    bad[3] = "X"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person(), bad]))
    row = rows_of(app, batch_id)[3]
    form = dict(zip(["nik", "name", "birth_date", "sex", "village_code"], bad[:5], strict=True)) | {
        "segment": bad[5]
    }
    response = oki.post(f"/batchview/row/{batch_id}/{row.id}", data=form | {"sex": "L"})
    assert response.status_code == 302
    assert rows_of(app, batch_id)[3].errors is None


def test_a_correction_that_is_still_wrong_saves_nothing_and_names_the_field(app, oki):
    bad = person()
    bad[3] = "X"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([bad]))
    row = rows_of(app, batch_id)[2]
    page = text_of(
        oki.post(
            f"/batchview/row/{batch_id}/{row.id}",
            data={
                "nik": "123",
                "name": "Nama Baru",
                "birth_date": bad[2],
                "sex": "L",
                "village_code": VILLAGE,
                "segment": "vulnerable",
            },
        )
    )
    assert "NIK harus terdiri dari tepat 16 digit" in page
    after = rows_of(app, batch_id)[2]
    assert (after.name, after.nik, after.errors) == (row.name, row.nik, row.errors)


def test_fixing_the_first_of_two_equal_niks_clears_the_repeat_on_the_second(app, oki):
    first = person()
    repeat = [first[0], "Warga Kembar", *first[2:]]
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([first, repeat]))
    assert "nik" in errors(rows_of(app, batch_id)[3])
    row = rows_of(app, batch_id)[2]
    fresh = person()
    form = dict(zip(["nik", "name", "birth_date", "sex", "village_code"], fresh[:5], strict=True))
    form["segment"] = fresh[5]
    assert oki.post(f"/batchview/row/{batch_id}/{row.id}", data=form).status_code == 302
    assert rows_of(app, batch_id)[3].errors is None


def test_a_row_can_be_removed_from_a_draft(app, oki):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person(), person()]))
    row = rows_of(app, batch_id)[2]
    oki.post(f"/batchview/row/{batch_id}/{row.id}/remove")
    assert sorted(rows_of(app, batch_id)) == [3]


def test_only_the_maker_corrects_rows(app, oki, as_user):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person()]))
    row = rows_of(app, batch_id)[2]
    assert as_user("sari").post(f"/batchview/row/{batch_id}/{row.id}/remove").status_code == 403
    assert len(rows_of(app, batch_id)) == 1


def test_rows_of_a_submitted_batch_cannot_be_corrected(app, oki):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person()]))
    oki.post(f"/batchview/submit/{batch_id}")
    row = rows_of(app, batch_id)[2]
    page = text_of(oki.post(f"/batchview/row/{batch_id}/{row.id}/remove", follow_redirects=True))
    assert "Hanya batch draf atau yang dikembalikan yang dapat diperbaiki" in page
    assert len(rows_of(app, batch_id)) == 1


# --- never funded twice for the same month -------------------------------------------------------


def _ended_enrollment_paid_by_apbd(app, row, start, end):
    with app.app_context():
        session = db.session
        apbd = session.scalar(select(Sponsor).where(Sponsor.name == "APBD Kabupaten Kapuas"))
        worker = Worker(
            nik=row[0],
            name=row[1],
            birth_date=dt.date.fromisoformat(row[2]),
            sex="M",
            regency_id=apbd.regency_id,
            village_id=session.scalar(select(Village.id).where(Village.code == VILLAGE)),
            segment="vulnerable",
        )
        enrollment = Enrollment(
            worker=worker,
            regency_id=apbd.regency_id,
            start_date=start,
            end_date=end,
            status="ended",
            payer_type="apbd",
            sponsor=apbd,
            declared_wage=1_000_000,
            jkk=True,
            jkm=True,
            jht=False,
            jp=False,
            jkp=False,
        )
        apply_to_enrollment(session, enrollment)
        session.add(enrollment)
        session.commit()


def test_a_worker_funded_by_another_sponsor_in_the_same_months_is_flagged(app, oki):
    row = person()
    _ended_enrollment_paid_by_apbd(app, row, dt.date(2025, 7, 1), dt.date(2026, 3, 31))
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([row]))
    message = errors(rows_of(app, batch_id)[2])["nik"]
    assert "APBD Kabupaten Kapuas" in message
    assert "31 Maret 2026" in message


def test_a_worker_funded_before_the_period_is_not_flagged(app, oki):
    row = person()
    _ended_enrollment_paid_by_apbd(app, row, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([row]))
    assert rows_of(app, batch_id)[2].errors is None


def test_a_worker_proposed_in_another_submitted_batch_is_flagged(app, oki):
    row = person()
    first = new_batch(app, oki)
    upload(oki, first, csv_file([row]))
    oki.post(f"/batchview/submit/{first}")
    second = new_batch(app, oki)
    upload(oki, second, csv_file([row]))
    assert f"batch #{first}" in errors(rows_of(app, second)[2])["nik"]


# --- the sponsor's commitment --------------------------------------------------------------------


def test_months_between_counts_calendar_months_touched():
    assert months_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 12
    assert months_between(dt.date(2026, 1, 15), dt.date(2026, 3, 1)) == 3
    assert months_between(dt.date(2026, 5, 1), dt.date(2026, 4, 30)) == 0


def test_the_batch_page_shows_the_period_cost_and_what_the_commitment_has_left(app, oki):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person(), person()]))
    page = text_of(oki.get(f"/batchview/show/{batch_id}"))
    assert "Rp 33.600" in page  # two workers x Rp 16.800 a month
    assert "Rp 403.200" in page  # over the 12 months of the period
    assert "APBDes Pulau Telo 2026" in page


def _small_sponsor(app, quota, ceiling, programs="JKK,JKM", commitment=True) -> int:
    with app.app_context():
        village_fund = db.session.scalar(
            select(Sponsor).where(Sponsor.name == "Dana Desa Pulau Telo")
        )
        sponsor = Sponsor(
            name=f"CSR kecil {quota}-{ceiling}-{commitment}",
            kind="csr_company",
            regency_id=village_fund.regency_id,
        )
        db.session.add(sponsor)
        if commitment:
            db.session.add(
                SponsorCommitment(
                    sponsor=sponsor,
                    regency_id=village_fund.regency_id,
                    reference="Perjanjian CSR uji",
                    workers_quota=quota,
                    programs=programs,
                    ceiling_amount=ceiling,
                    start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2026, 12, 31),
                )
            )
        db.session.commit()
        return sponsor.id


def _submitted_with_sponsor(app, oki, sponsor, rows):
    batch_id = new_batch(app, oki)
    with app.app_context():
        db.session.get(EnrollmentBatch, batch_id).sponsor_id = sponsor
        db.session.commit()
    upload(oki, batch_id, csv_file(rows))
    oki.post(f"/batchview/submit/{batch_id}")
    assert status(app, batch_id) == "submitted"
    return batch_id


@pytest.mark.parametrize(
    ("quota", "ceiling", "commitment", "message"),
    [
        (1, 10_000_000, True, "kuota tinggal 1 tempat"),
        (10, 300_000, True, "kurang Rp 103.200"),
        (10, 10_000_000, False, "Tidak ada komitmen"),
    ],
    ids=["quota", "ceiling", "no-commitment"],
)
def test_approval_is_refused_when_the_commitment_falls_short(
    app, oki, vina, quota, ceiling, commitment, message
):
    sponsor = _small_sponsor(app, quota, ceiling, commitment=commitment)
    rows = [person(), person()]
    batch_id = _submitted_with_sponsor(app, oki, sponsor, rows)
    shown = text_of(vina.get(f"/batchview/show/{batch_id}"))
    assert message in shown
    page = text_of(
        vina.post(
            f"/batchview/decide/{batch_id}", data={"decision": "approve"}, follow_redirects=True
        )
    )
    assert message in page
    assert status(app, batch_id) == "submitted"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Worker).where(Worker.nik.in_([r[0] for r in rows]))
            )
            == 0
        )


def test_a_commitment_without_jht_refuses_a_batch_with_jht(app, oki, vina):
    sponsor = _small_sponsor(app, 10, 10_000_000)
    batch_id = new_batch(app, oki)
    with app.app_context():
        batch = db.session.get(EnrollmentBatch, batch_id)
        batch.sponsor_id, batch.jht = sponsor, True
        db.session.commit()
    upload(oki, batch_id, csv_file([person()]))
    oki.post(f"/batchview/submit/{batch_id}")
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "approve"})
    assert status(app, batch_id) == "submitted"


def test_an_approved_batch_uses_up_the_commitment(app, oki, vina):
    sponsor = _small_sponsor(app, 3, 10_000_000)
    first = _submitted_with_sponsor(app, oki, sponsor, [person(), person()])
    vina.post(f"/batchview/decide/{first}", data={"decision": "approve"})
    assert status(app, first) == "enrolled"
    second = _submitted_with_sponsor(app, oki, sponsor, [person(), person()])
    vina.post(f"/batchview/decide/{second}", data={"decision": "approve"})
    assert status(app, second) == "submitted"  # 2 proposed, 1 place left


# --- the approved list for the BPJS branch -------------------------------------------------------


def _approved(app, oki, vina, rows):
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file(rows))
    oki.post(f"/batchview/submit/{batch_id}")
    vina.post(f"/batchview/decide/{batch_id}", data={"decision": "approve"})
    assert status(app, batch_id) == "enrolled"
    return batch_id


def _csv_rows(response) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )


def test_the_approved_list_has_the_bpjs_layout_with_full_nik_for_the_supervisor(app, oki, vina):
    rows = [person(), person()]
    batch_id = _approved(app, oki, vina, rows)
    with app.app_context():  # batch ids are reused after a deletion: count newer rows only
        before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    table = _csv_rows(vina.get(f"/batchview/export/{batch_id}/csv"))
    assert table[0][1:4] == ["NIK", "Nama lengkap", "Tanggal lahir"]
    assert [line[1] for line in table[1:]] == [rows[0][0], rows[1][0]]
    assert {line[10] for line in table[1:]} == {"16800"}
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.id > before,
                    AuditEvent.action == "export",
                    AuditEvent.entity == "EnrollmentBatch",
                    AuditEvent.entity_id == str(batch_id),
                )
            )
            == 1
        )


def test_the_auditor_gets_the_approved_list_with_niks_masked(app, oki, vina, as_user):
    rows = [person()]
    batch_id = _approved(app, oki, vina, rows)
    table = _csv_rows(as_user("ani").get(f"/batchview/export/{batch_id}/csv"))
    assert table[1][1] != rows[0][0]
    assert table[1][1][:6] == rows[0][0][:6] and "*" in table[1][1]


def test_the_approved_list_neutralises_text_a_spreadsheet_would_run(app, oki, vina):
    row = person()
    batch_id = _approved(app, oki, vina, [row])
    with app.app_context():  # the import refuses such a name; a worker's record may hold one
        db.session.query(Worker).filter_by(nik=row[0]).update({"name": "-2+3 Warga"})
        db.session.commit()
    table = _csv_rows(vina.get(f"/batchview/export/{batch_id}/csv"))
    assert table[1][2] == "'-2+3 Warga"


def test_a_batch_not_yet_approved_has_no_list(app, oki, vina):
    batch_id = new_batch(app, oki)
    assert vina.get(f"/batchview/export/{batch_id}/csv").status_code == 404


def test_the_berita_acara_counts_the_workers_by_segment_and_village(app, oki, vina):
    batch_id = _approved(app, oki, vina, [person(), person(), person()])
    pdf = vina.get(f"/batchview/record/{batch_id}")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).replace(
        "\xa0", " "
    )
    assert "Pekerja menurut segmen" in text
    assert "Pulau Telo" in text
    assert "Rp 50.400" in text


# --- the sponsor statement -----------------------------------------------------------------------


def test_the_sponsor_statement_lists_whom_the_village_fund_covered(app, oki, vina):
    rows = [person(), person()]
    _approved(app, oki, vina, rows)
    sponsor = sponsor_id(app, "Dana Desa Pulau Telo")
    vina.post(
        "/reports/sponsor", data={"sponsor": sponsor, "start": "2026-01-01", "end": "2026-06-30"}
    )
    with app.app_context():
        job = db.session.scalars(
            select(ReportJob).where(ReportJob.sponsor_id == sponsor).order_by(ReportJob.id.desc())
        ).first()
        assert job.status == "done", job.error
        job_id = job.id
    response = vina.get(f"/reports/{job_id}/pdf")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages
    )
    assert "Pernyataan sponsor" in text
    assert "Dana Desa Pulau Telo" in text
    assert rows[0][1] in text
    assert rows[0][0] not in text  # NIKs are masked for the sponsor
    assert "Rp 100.800" in text  # one worker: six months at Rp 16.800
    assert "Januari 2026" in text


def test_a_sponsor_of_another_regency_is_not_found(app, as_user):
    sponsor = sponsor_id(app, "Dana Desa Pulau Telo")
    with app.app_context():
        before = db.session.scalar(select(func.max(ReportJob.id))) or 0
    response = as_user("budi").post(
        "/reports/sponsor", data={"sponsor": sponsor, "start": "2026-01-01", "end": "2026-06-30"}
    )
    assert response.status_code == 404
    with app.app_context():  # no statement was queued for him
        assert db.session.scalar(select(func.count()).where(ReportJob.id > before)) == 0


def test_a_correction_that_starts_like_a_formula_is_refused_on_its_field(app, oki):
    bad = person()
    bad[3] = "X"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([bad]))
    row = rows_of(app, batch_id)[2]
    form = dict(zip(["nik", "name", "birth_date", "sex", "village_code"], bad[:5], strict=True)) | {
        "segment": bad[5]
    }
    page = text_of(
        oki.post(
            f"/batchview/row/{batch_id}/{row.id}",
            data=form | {"sex": "L", "name": '=HYPERLINK("http://x","Warga")'},
        )
    )
    assert "rumus" in page
    with app.app_context():
        kept = db.session.get(BatchRow, row.id)
        assert not kept.name.startswith("=") and kept.errors is not None


def test_a_cell_with_a_nul_character_is_an_error_on_its_row_not_a_failed_check(app, oki):
    bad = person()
    bad[1] = "Warga\x00Tersembunyi"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([person(), bad]))
    with app.app_context():
        batch = db.session.get(EnrollmentBatch, batch_id)
        assert batch.check_status == "done"
    errors = {
        line: json.loads(row.errors) for line, row in rows_of(app, batch_id).items() if row.errors
    }
    assert list(errors) == [3] and "karakter kontrol" in errors[3]["name"]


def test_a_row_with_an_unknown_segment_is_not_turned_into_a_wage_earner_by_its_fix(app, oki):
    bad = person()
    bad[5] = "informal"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([bad]))
    row = rows_of(app, batch_id)[2]
    form_page = oki.get(f"/batchview/row/{batch_id}/{row.id}").get_data(as_text=True)
    assert '<option value="" selected>' in form_page  # nothing preselected
    form = dict(zip(["nik", "name", "birth_date", "sex", "village_code"], bad[:5], strict=True)) | {
        "segment": bad[5]
    }
    page = text_of(oki.post(f"/batchview/row/{batch_id}/{row.id}", data=form | {"segment": ""}))
    assert "Pilih segmen" in page
    with app.app_context():
        kept = db.session.get(BatchRow, row.id)
        assert kept.errors is not None and kept.segment != "pu"


@pytest.mark.parametrize("written", ["Pekerja rentan", "PEKERJA RENTAN", "vulnerable"])
def test_the_import_takes_a_segment_by_its_indonesian_name(app, oki, written):
    row = person()
    row[5] = written
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([row]))
    checked = rows_of(app, batch_id)[2]
    assert checked.errors is None and checked.segment == "vulnerable"


def test_an_unknown_segment_lists_the_allowed_names(app, oki):
    row = person()
    row[5] = "informal"
    batch_id = new_batch(app, oki)
    upload(oki, batch_id, csv_file([row]))
    message = json.loads(rows_of(app, batch_id)[2].errors)["segment"]
    assert "Pekerja rentan" in message and "Pekerja penerima upah (PU)" in message
