"""The panel's evidence files: attached with the marks, read in scope, removed while open.

A 2032 period ranks Kapuas and Barito Utara. Vina (supervisor, Kapuas branch) attaches the
minutes of Kapuas's interview and the regional regulation; Sari (staff, Kapuas) and Ani (auditor,
Kapuas) may read them but change nothing; Budi (staff, Barito Utara) never sees them; Vina cannot
attach anything to Barito Utara. A locked period keeps its files as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, AwardEvidence, AwardIndicator, AwardInput, AwardPeriod
from app.services import ServiceError, award_evidence
from tests.award_world import drop_period, indicator_id, make_period
from tests.helpers import pdf_text, text_of

YEAR = 2032
PDF = b"%PDF-1.4\n% Notulen wawancara Kabupaten Kapuas\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def world(app, today):
    drop_period(app, YEAR)
    ids = make_period(app, today, YEAR)
    ids["interview"] = indicator_id(app, ids["period"], "interview")
    ids["regulation"] = indicator_id(app, ids["period"], "regulation")
    yield ids
    drop_period(app, YEAR)


def _url(world, subject="kapuas"):
    return f"/awards/{YEAR}/regency/{world[subject]}"


def _post_marks(client, world, files, subject="kapuas", **fields):
    """Send the mark form with files: {indicator key: [(name, bytes)]}."""
    data = {f"value-{world[key]}": value for key, value in fields.items()}
    for key, items in files.items():
        data[f"file-{world[key]}"] = [(io.BytesIO(content), name) for name, content in items]
    return client.post(
        f"{_url(world, subject)}/mark",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _files(app, world, subject="kapuas") -> list[AwardEvidence]:
    with app.app_context():
        return db.session.scalars(
            select(AwardEvidence)
            .where(AwardEvidence.subject_id == world[subject])
            .order_by(AwardEvidence.id)
        ).all()


def _mark(app, world, key, subject="kapuas"):
    with app.app_context():
        return db.session.scalar(
            select(AwardInput.value).where(
                AwardInput.indicator_id == world[key], AwardInput.subject_id == world[subject]
            )
        )


def test_vina_attaches_the_interview_minutes_with_her_mark(app, as_user, world):
    page = text_of(
        _post_marks(as_user("vina"), world, {"interview": [("notulen.pdf", PDF)]}, interview="85")
    )
    assert "1 berkas bukti dilampirkan" in page
    (evidence,) = _files(app, world)
    assert (evidence.filename, evidence.content_type, evidence.size) == (
        "notulen.pdf",
        "application/pdf",
        len(PDF),
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert _mark(app, world, "interview") == 8500
    assert "notulen.pdf" in page  # listed under its indicator on the participant's page


def test_sari_downloads_the_file_as_it_was_uploaded_and_the_read_is_audited(app, as_user, world):
    _post_marks(as_user("vina"), world, {"interview": [("notulen.pdf", PDF)]})
    (evidence,) = _files(app, world)
    with app.app_context():  # evidence ids are reused once a period is dropped: read newer rows
        before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    response = as_user("sari").get(f"/awards/evidence/{evidence.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    with app.app_context():
        read = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.id > before,
                AuditEvent.entity == "AwardEvidence",
                AuditEvent.action == "read",
                AuditEvent.entity_id == str(evidence.id),
            )
        ).one()
        assert read.username == "sari"


def test_budi_of_barito_utara_cannot_download_kapuas_evidence(app, as_user, world):
    _post_marks(as_user("vina"), world, {"interview": [("notulen.pdf", PDF)]})
    (evidence,) = _files(app, world)
    assert as_user("budi").get(f"/awards/evidence/{evidence.id}").status_code == 404


def test_vina_cannot_attach_evidence_to_barito_utara(app, as_user, world):
    response = as_user("vina").post(
        f"{_url(world, 'barut')}/mark",
        data={f"file-{world['interview']}": [(io.BytesIO(PDF), "notulen.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert _files(app, world, "barut") == []


def test_the_auditor_reads_but_cannot_attach_or_remove(app, as_user, world):
    _post_marks(as_user("vina"), world, {"interview": [("notulen.pdf", PDF)]})
    (evidence,) = _files(app, world)
    ani = as_user("ani")
    assert ani.get(f"/awards/evidence/{evidence.id}").status_code == 200
    response = ani.post(
        f"{_url(world)}/mark",
        data={f"file-{world['interview']}": [(io.BytesIO(PNG), "foto.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert ani.post(f"/awards/evidence/{evidence.id}/remove").status_code == 403
    assert [e.filename for e in _files(app, world)] == ["notulen.pdf"]
    assert "fa-trash" not in text_of(ani.get(_url(world)))


def test_a_file_that_is_not_pdf_jpeg_or_png_changes_nothing_and_says_why(app, as_user, world):
    page = text_of(
        _post_marks(
            as_user("vina"),
            world,
            {"interview": [("notulen.pdf", b"<html><script>alert(1)</script></html>")]},
            regulation="70",
        )
    )
    assert "harus berupa berkas PDF, JPEG atau PNG" in page
    assert _files(app, world) == []
    assert _mark(app, world, "regulation") is None  # the mark sent with it is not saved either


def test_one_bad_file_among_good_ones_keeps_none_of_them(app, as_user, world):
    page = text_of(
        _post_marks(
            as_user("vina"),
            world,
            {
                "regulation": [("perda.pdf", PDF)],
                "interview": [("foto.jpg", JPEG), ("kosong.pdf", b"")],
            },
        )
    )
    assert "kosong.pdf: berkas kosong" in page
    assert _files(app, world) == []


def test_a_file_over_the_size_limit_is_refused(app, as_user, world, monkeypatch):
    monkeypatch.setattr(award_evidence, "MAX_BYTES", 1024)
    big = PDF + b"0" * 1024
    page = text_of(_post_marks(as_user("vina"), world, {"interview": [("besar.pdf", big)]}))
    assert "lebih besar dari" in page
    assert _files(app, world) == []


def test_the_same_file_twice_on_one_mark_is_refused(app, as_user, world):
    vina = as_user("vina")
    _post_marks(vina, world, {"interview": [("notulen.pdf", PDF)]})
    page = text_of(_post_marks(vina, world, {"interview": [("salinan.pdf", PDF)]}))
    assert "sudah dilampirkan" in page
    assert [e.filename for e in _files(app, world)] == ["notulen.pdf"]


def test_a_mark_takes_at_most_five_files(app, as_user, world):
    vina = as_user("vina")
    files = [(f"foto-{n}.png", PNG + bytes([n])) for n in range(award_evidence.MAX_FILES)]
    _post_marks(vina, world, {"interview": files})
    page = text_of(_post_marks(vina, world, {"interview": [("lagi.png", PNG + b"x")]}))
    assert "paling banyak memiliki 5 berkas bukti" in page
    assert len(_files(app, world)) == award_evidence.MAX_FILES


def test_vina_removes_a_file_and_the_removal_is_audited(app, as_user, world):
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    vina = as_user("vina")
    _post_marks(vina, world, {"interview": [("notulen.pdf", PDF)]})
    (evidence,) = _files(app, world)
    page = text_of(vina.post(f"/awards/evidence/{evidence.id}/remove", follow_redirects=True))
    assert "notulen.pdf dihapus" in page
    assert _files(app, world) == []
    with app.app_context():
        events = dict(
            db.session.execute(
                select(AuditEvent.action, AuditEvent.changes).where(
                    AuditEvent.id > last,
                    AuditEvent.entity == "AwardEvidence",
                    AuditEvent.entity_id == str(evidence.id),
                )
            ).all()
        )
    assert set(events) == {"create", "delete"}
    recorded = json.loads(events["create"])
    assert recorded["sha256"] == evidence.sha256 and "content" not in recorded


def test_a_locked_period_takes_no_file_and_loses_none(app, as_user, world):
    vina = as_user("vina")
    _post_marks(vina, world, {"interview": [("notulen.pdf", PDF)]})
    (evidence,) = _files(app, world)
    as_user("admin").post(f"/awards/{YEAR}/lock")
    page = text_of(_post_marks(vina, world, {"regulation": [("perda.pdf", PDF + b"2")]}))
    assert "dikunci" in page
    page = text_of(vina.post(f"/awards/evidence/{evidence.id}/remove", follow_redirects=True))
    assert "dikunci" in page
    assert [e.filename for e in _files(app, world)] == ["notulen.pdf"]
    assert as_user("sari").get(f"/awards/evidence/{evidence.id}").data == PDF


def test_a_computed_indicator_takes_no_evidence_file(app, world):
    with app.app_context():
        session = db.session
        computed = session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == world["period"],
                AwardIndicator.category == "regency",
                AwardIndicator.code == "wage_coverage",
            )
        ).one()
        with pytest.raises(ServiceError):
            award_evidence.attach(
                session, computed, world["kapuas"], None, "a.pdf", PDF, None,
                dt.datetime.now(dt.UTC),
            )  # fmt: skip
        session.rollback()


def test_deleting_a_period_deletes_its_evidence(app, as_user, world):
    _post_marks(as_user("vina"), world, {"interview": [("notulen.pdf", PDF)]})
    drop_period(app, YEAR)
    with app.app_context():
        assert db.session.scalar(select(AwardPeriod.id).where(AwardPeriod.year == YEAR)) is None
    assert _files(app, world) == []


@pytest.mark.parametrize(
    "data, expected",
    [
        (PDF, ("application/pdf", ".pdf")),
        (PNG, ("image/png", ".png")),
        (JPEG, ("image/jpeg", ".jpg")),
        (b"GIF89a", None),
        (b"PK\x03\x04 a docx", None),
        (b"", None),
    ],
)
def test_files_are_recognised_by_their_first_bytes(data, expected):
    assert award_evidence.sniff(data) == expected


@pytest.mark.parametrize(
    "given, extension, expected",
    [
        ("../../etc/Perda 2024.PDF", ".pdf", "Perda 2024.pdf"),
        ("C:\\Users\\vina\\foto.jpeg", ".jpg", "foto.jpeg"),
        ("scan.exe", ".png", "scan.png"),
        ("notulen\x00\r\n.pdf", ".pdf", "notulen.pdf"),
        ("", ".pdf", "bukti.pdf"),
        ("foto\u202egnp.exe", ".png", "fotognp.png"),  # a right-to-left override hides ".exe"
        ("a" * 300 + ".pdf", ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_file_names_are_made_safe_to_show_and_send(given, extension, expected):
    assert award_evidence.clean_name(given, extension) == expected


def test_an_upload_over_the_request_limit_returns_to_the_form_and_saves_nothing(
    app, as_user, world, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    page_url = f"http://localhost{_url(world)}"
    response = as_user("vina").post(
        f"{_url(world)}/mark",
        data={
            f"value-{world['regulation']}": "70",
            f"file-{world['interview']}": [(io.BytesIO(PDF + b"0" * 4096), "besar.pdf")],
        },
        content_type="multipart/form-data",
        headers={"Referer": page_url},
    )
    assert response.status_code == 302 and response.headers["Location"] == _url(world)
    assert _files(app, world) == []
    assert _mark(app, world, "regulation") is None


def test_an_upload_over_the_limit_from_elsewhere_is_not_sent_back_there(
    app, as_user, world, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = as_user("vina").post(
        f"{_url(world)}/mark",
        data={f"file-{world['interview']}": [(io.BytesIO(PDF + b"0" * 4096), "besar.pdf")]},
        content_type="multipart/form-data",
        headers={"Referer": "https://evil.example/phish"},
    )
    assert response.status_code == 413
    assert "lebih besar dari 1 MB" in text_of(response)


def test_the_ranking_report_lists_the_panels_evidence_in_the_readers_area(app, as_user, world):
    vina, admin = as_user("vina"), as_user("admin")
    vina.post(
        f"{_url(world)}/mark",
        data={
            f"value-{world['interview']}": "85",
            f"evidence-{world['interview']}": "Notulen wawancara 3 Mei",
            f"file-{world['interview']}": [(io.BytesIO(PDF), "notulen.pdf")],
        },
        content_type="multipart/form-data",
    )
    _post_marks(admin, world, {"regulation": [("perda-barut.pdf", PDF + b"b")]}, subject="barut")
    everything = pdf_text(admin.get(f"/awards/{YEAR}/regency/ranking.pdf").data)
    assert "Bukti tim penilai" in everything
    assert "Notulen wawancara 3 Mei" in everything and "notulen.pdf" in everything
    assert "perda-barut.pdf" in everything
    kapuas_only = pdf_text(vina.get(f"/awards/{YEAR}/regency/ranking.pdf").data)
    assert "notulen.pdf" in kapuas_only
    assert "perda-barut.pdf" not in kapuas_only


def test_a_name_with_quotes_and_accents_is_sent_in_a_safe_header(app, as_user, world):
    with app.app_context():  # past the browser, which would escape the quotes itself
        session = db.session
        evidence = award_evidence.attach(
            session, session.get(AwardIndicator, world["interview"]), world["kapuas"], None,
            'Notulen "rapat" Sei Pasah é.pdf', PDF, None, dt.datetime.now(dt.UTC),
        )  # fmt: skip
        session.commit()
        assert evidence.filename == 'Notulen "rapat" Sei Pasah é.pdf'
    header = as_user("sari").get(f"/awards/evidence/{evidence.id}").headers["Content-Disposition"]
    assert header.startswith("attachment;")
    assert "filename*=UTF-8''" in header and '"rapat"' not in header


@pytest.mark.parametrize(
    "host, referer, status, location",
    [
        ("evil.example", "http://evil.example/phish", 302, "/phish"),  # Host chosen by the client
        ("localhost", "http://localhost//evil.example/phish", 413, None),  # read as another host
        ("localhost", "http://localhost/\\evil.example/phish", 413, None),
    ],
)
def test_an_upload_over_the_limit_is_sent_back_only_to_a_path_on_this_site(
    app, as_user, world, monkeypatch, host, referer, status, location
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = as_user("vina").post(
        f"{_url(world)}/mark",
        data={f"file-{world['interview']}": [(io.BytesIO(PDF + b"0" * 4096), "besar.pdf")]},
        content_type="multipart/form-data",
        headers={"Referer": referer, "Host": host},
    )
    assert response.status_code == status
    assert response.headers.get("Location") == location
