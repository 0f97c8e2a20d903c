"""Official letters: the kop surat, the number kept with the document, the date line, the signer.

Who is who here: Putri (Kapuas permit officer) decides permits, so the certificate and the note
of refusal come from DPMPTSP Kapuas. Oki (a Kapuas village operator) proposes a batch and Vina
(Kapuas supervisor) approves it, so its berita acara comes from the BPJS Kapuas branch. Sari
(Kapuas branch staff) keeps her branch's letterhead but not the permit office's. Budi (Barito
Utara branch staff) keeps the Muara Teweh branch letterhead and never sees a Kapuas one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import struct
import threading
import uuid
import zlib

import pytest
from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import letterheads
from app.extensions import db
from app.models import (
    BranchOffice,
    Company,
    IssuedLetter,
    Letterhead,
    LetterKind,
    OfficeKind,
    PermitCheck,
    Regency,
)
from app.models.letters import DEFAULT_PATTERN
from app.reports.permit import permit_pdf
from app.services import ServiceError, letters
from app.services.letterheads import prepare, sniff_logo, validate_nip
from app.services.permits import record_decision
from tests.helpers import pdf_text, text_of
from tests.test_batch_workflow import _approved
from tests.test_batches import person
from tests.test_permits import decide, make_company
from tests.world import BARUT, KAPUAS

ROMAN = "I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII"
PERMIT_HEAD = ("Drs. Rahmadi Noor, M.AP.", "198503122010011004")
BRANCH_HEAD = ("Hendra Saputra", "197901012005011002")
SUBJECTS = itertools.count(uuid.uuid4().int % 10**8)


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid green PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x0b\x5d\x4b" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _regency(code: str) -> Regency:
    return db.session.scalar(select(Regency).where(Regency.code == code))


def _keep(kind: str, code: str, **fields) -> int:
    """The letterhead of an office, made once for the whole session."""
    regency = _regency(code)
    found = db.session.scalar(
        select(Letterhead).where(Letterhead.kind == kind, Letterhead.regency_id == regency.id)
    )
    if found is None:
        found = Letterhead(kind=kind, regency=regency, **fields)
        db.session.add(found)
        db.session.commit()
    return found.id


@pytest.fixture
def offices(app) -> dict[str, int]:
    """DPMPTSP Kapuas, the Kapuas and Muara Teweh BPJS branches, with their letterheads."""
    with app.app_context():
        branch = {
            code: db.session.scalar(select(BranchOffice).where(BranchOffice.code == code))
            for code in ("KPS", "MTW")
        }
        return {
            "kapuas_permit": _keep(
                OfficeKind.PERMIT_OFFICE,
                KAPUAS,
                heading="PEMERINTAH KABUPATEN KAPUAS\n"
                "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU",
                address="Jl. Jenderal Sudirman No. 12, Kuala Kapuas",
                phone="(0513) 21045",
                logo=png(),
                logo_type="image/png",
                unit_code="DPMPTSP",
                number_pattern="503/{seq}/{unit}/{month-roman}/{year}",
                place="Kuala Kapuas",
                signer_name=PERMIT_HEAD[0],
                signer_position="Kepala Dinas Penanaman Modal dan PTSP Kabupaten Kapuas",
                signer_nip=PERMIT_HEAD[1],
            ),
            "kapuas_branch": _keep(
                OfficeKind.BPJS_BRANCH,
                KAPUAS,
                branch_office=branch["KPS"],
                heading="BPJS KETENAGAKERJAAN\nKANTOR CABANG KAPUAS",
                unit_code="KC-KPS",
                place="Kuala Kapuas",
                signer_name=BRANCH_HEAD[0],
                signer_position="Kepala Kantor Cabang Kapuas",
                signer_nip=BRANCH_HEAD[1],
            ),
            "barut_branch": _keep(
                OfficeKind.BPJS_BRANCH,
                BARUT,
                branch_office=branch["MTW"],
                heading="BPJS KETENAGAKERJAAN\nKANTOR CABANG MUARA TEWEH",
                unit_code="KC-MTW",
                place="Muara Teweh",
                signer_name="Yohanes Dwi Prasetyo",
                signer_position="Kepala Kantor Cabang Muara Teweh",
            ),
        }


def _letter(app, subject_type: str, subject_id: int) -> IssuedLetter:
    with app.app_context():
        letter = db.session.scalars(
            select(IssuedLetter).where(
                IssuedLetter.subject_type == subject_type, IssuedLetter.subject_id == subject_id
            )
        ).one()
        letter.day = letters.local_date(letter.issued_at)
        db.session.expunge(letter)
        return letter


def _permit_id(app, application_number: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(PermitCheck.id).where(PermitCheck.application_number == application_number)
        )


def _date_line(place: str, day: dt.date) -> str:
    return f"{place}, {format_date(day, 'd MMMM y', locale='id')}"


# --- the three documents -------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["issued", "refused"])
def test_a_permit_document_is_a_letter_of_the_permit_office(app, as_user, offices, decision):
    company = make_company(app, declared=1, enrolled=1 if decision == "issued" else 0)
    officer = as_user("putri")
    application = f"OSS-LTR-{company['id']}"
    assert decide(officer, company["id"], decision, application).status_code == 302
    permit_id = _permit_id(app, application)
    letter = _letter(app, "PermitCheck", permit_id)
    text = pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)
    assert "PEMERINTAH KABUPATEN KAPUAS" in text
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU" in text
    assert re.fullmatch(rf"503/\d{{3}}/DPMPTSP/({ROMAN})/\d{{4}}", letter.number)
    assert f"Nomor: {letter.number}" in text
    assert _date_line("Kuala Kapuas", letter.day) in text
    assert PERMIT_HEAD[0] in text and f"NIP. {PERMIT_HEAD[1]}" in text
    title = "Sertifikat kepesertaan" if decision == "issued" else "Surat penolakan"
    assert title in text


def test_the_certificate_keeps_its_verification_code(app, as_user, offices):
    company = make_company(app, declared=1, enrolled=1)
    officer = as_user("putri")
    decide(officer, company["id"], "issued", f"OSS-QR-{company['id']}")
    permit_id = _permit_id(app, f"OSS-QR-{company['id']}")
    with app.app_context():
        code = db.session.get(PermitCheck, permit_id).verification_code
    text = pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)
    assert f"/verify/{code}" in text.replace(" ", "")


def test_the_berita_acara_is_a_letter_of_the_bpjs_branch(app, as_user, offices):
    oki, vina = as_user("oki"), as_user("vina")
    batch_id = _approved(app, oki, vina, [person()])
    letter = _letter(app, "EnrollmentBatch", batch_id)
    text = pdf_text(vina.get(f"/batchview/record/{batch_id}").data)
    assert "BPJS KETENAGAKERJAAN KANTOR CABANG KAPUAS" in text
    assert re.fullmatch(rf"\d{{3}}/KC-KPS/({ROMAN})/\d{{4}}", letter.number)
    assert f"Nomor: {letter.number}" in text
    assert _date_line("Kuala Kapuas", letter.day) in text
    assert BRANCH_HEAD[0] in text and f"NIP. {BRANCH_HEAD[1]}" in text


def test_a_document_downloaded_twice_keeps_the_number_given_at_the_decision(app, as_user, offices):
    company = make_company(app, declared=3, enrolled=0)
    officer = as_user("putri")
    decide(officer, company["id"], "refused", f"OSS-TWICE-{company['id']}")
    permit_id = _permit_id(app, f"OSS-TWICE-{company['id']}")
    number = _letter(app, "PermitCheck", permit_id).number  # given before any download
    first = pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)
    second = pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)
    assert f"Nomor: {number}" in first and f"Nomor: {number}" in second
    with app.app_context():
        kept = db.session.scalar(
            select(func.count(IssuedLetter.id)).where(
                IssuedLetter.subject_type == "PermitCheck", IssuedLetter.subject_id == permit_id
            )
        )
    assert kept == 1


def test_a_decision_recorded_before_numbers_were_kept_is_numbered_once_when_printed(
    app, as_user, offices
):
    company = make_company(app, declared=3, enrolled=0)
    officer = as_user("putri")
    decide(officer, company["id"], "refused", f"OSS-OLD-{company['id']}")
    permit_id = _permit_id(app, f"OSS-OLD-{company['id']}")
    with app.app_context():  # as if decided before migration 0011
        db.session.execute(
            IssuedLetter.__table__.delete().where(
                IssuedLetter.subject_type == "PermitCheck", IssuedLetter.subject_id == permit_id
            )
        )
        db.session.commit()
    first = pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)
    number = _letter(app, "PermitCheck", permit_id).number
    assert f"Nomor: {number}" in first
    assert f"Nomor: {number}" in pdf_text(officer.get(f"/permitdesk/document/{permit_id}").data)


def test_an_office_without_a_letterhead_still_prints_a_plain_heading_and_a_number(app):
    with app.app_context():
        barut = _regency(BARUT)
        company = db.session.scalar(select(Company).where(Company.regency_id == barut.id))
        now = dt.datetime(2031, 3, 9, 2, 0, tzinfo=dt.UTC)
        permit = record_decision(
            db.session,
            company,
            permit_type="business",
            application_number=f"OSS-PLAIN-{next(SUBJECTS)}",
            decision="refused",
            officer_id=None,
            note=None,
            now=now,
        )
        db.session.commit()
        letter = letters.letter_of(db.session, LetterKind.PERMIT_REFUSAL, permit)
        with app.test_request_context():
            text = pdf_text(permit_pdf(permit, letter))
    assert re.fullmatch(r"\d{3}/DPMPTSP/III/2031", letter.number)
    assert "PEMERINTAH KABUPATEN BARITO UTARA" in text
    assert f"Nomor: {letter.number}" in text
    assert "Barito Utara, 9 Maret 2031" in text


def test_the_berita_acara_falls_back_to_the_regency_government_then_to_a_plain_heading(app):
    with app.app_context():
        served_by_none = _regency("62.01")  # no BPJS branch in the test world serves it
        plain = letters.office_for(db.session, LetterKind.BATCH_RECORD, served_by_none)
        assert plain.letterhead is None and plain.key == "regency_gov:62.01"
        assert plain.heading == ("PEMERINTAH KABUPATEN KOTAWARINGIN BARAT",)
        pk = _keep(
            OfficeKind.REGENCY_GOVERNMENT,
            "62.01",
            heading="PEMERINTAH KABUPATEN KOTAWARINGIN BARAT\nSEKRETARIAT DAERAH",
            unit_code="SETDA",
            place="Pangkalan Bun",
        )
        office = letters.office_for(db.session, LetterKind.BATCH_RECORD, served_by_none)
        assert office.letterhead.id == pk and office.place == "Pangkalan Bun"


# --- numbers -------------------------------------------------------------------------------------


class Probe:
    """A document to number: the service keeps its type name and id."""

    def __init__(self):
        self.id = next(SUBJECTS)


def _probe_office(unit: str = "UJI", pattern: str = DEFAULT_PATTERN) -> letters.Office:
    return letters.Office(
        key=f"test:{uuid.uuid4().hex[:12]}",
        kind=OfficeKind.PERMIT_OFFICE,
        regency_id=_regency(KAPUAS).id,
        heading=("UJI",),
        unit=unit,
        pattern=pattern,
        place="Kuala Kapuas",
    )


def _issue(office, when) -> IssuedLetter:
    return letters.issue_number(db.session, office, LetterKind.PERMIT_REFUSAL, Probe(), when)


def test_numbers_follow_the_pattern_with_the_roman_month_and_start_again_each_year(app):
    with app.app_context():
        office = _probe_office()
        numbers = [
            _issue(office, dt.datetime(2031, 12, 4, 3, tzinfo=dt.UTC)).number,
            _issue(office, dt.datetime(2031, 12, 30, 3, tzinfo=dt.UTC)).number,
            _issue(office, dt.datetime(2032, 1, 5, 3, tzinfo=dt.UTC)).number,
            _issue(office, dt.datetime(2032, 4, 10, 3, tzinfo=dt.UTC)).number,
        ]
        db.session.commit()
    assert numbers == ["001/UJI/XII/2031", "002/UJI/XII/2031", "001/UJI/I/2032", "002/UJI/IV/2032"]


def test_a_letter_issued_on_new_years_eve_evening_in_utc_is_numbered_in_the_new_year_wib(app):
    with app.app_context():
        letter = _issue(_probe_office(), dt.datetime(2031, 12, 31, 18, 30, tzinfo=dt.UTC))
        db.session.rollback()
    assert letter.number == "001/UJI/I/2032"


def test_a_document_numbered_once_is_not_numbered_again(app):
    with app.app_context():
        office, subject = _probe_office(), Probe()
        when = dt.datetime(2031, 5, 2, tzinfo=dt.UTC)
        first = letters.issue_number(db.session, office, LetterKind.PERMIT_REFUSAL, subject, when)
        again = letters.issue_number(db.session, office, LetterKind.PERMIT_REFUSAL, subject, when)
        following = _issue(office, when)
        db.session.rollback()
    assert again is first and first.seq == 1 and following.seq == 2


def test_letters_issued_at_the_same_moment_get_different_numbers(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises every write; the race needs PostgreSQL")
        engine, office = db.engine, _probe_office()
    racers = 4
    barrier = threading.Barrier(racers, timeout=30)
    seqs, failures = [], []
    when = dt.datetime(2031, 7, 1, 3, tzinfo=dt.UTC)

    def issue():
        try:
            with Session(engine) as session:
                session.execute(select(1))  # each racer holds its own connection and transaction
                barrier.wait()
                letter = letters.issue_number(
                    session, office, LetterKind.PERMIT_REFUSAL, Probe(), when
                )
                seqs.append(letter.seq)
                session.commit()
        except Exception as exc:  # a racer that fails is a finding, not a crash of the test
            failures.append(repr(exc))

    threads = [threading.Thread(target=issue) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(seqs) == [1, 2, 3, 4]


# --- the letterhead's rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "nip, message",
    [
        ("19850312201001100", "NIP harus terdiri dari tepat 18 digit."),
        ("1985031220100110O4", "NIP harus terdiri dari tepat 18 digit."),
        ("198502302010011004", "tanggal lahir"),
        ("198503122010131004", "bulan pengangkatan"),
        ("198503121980011004", "bulan pengangkatan"),
        ("198503122010013004", "1 (laki-laki) atau 2 (perempuan)"),
        ("198503122010011000", "tidak boleh 000"),
    ],
)
def test_a_wrong_nip_is_refused_in_indonesian_and_nothing_is_written(
    app, as_user, offices, nip, message
):
    _assert_refused(app, as_user("admin"), offices, {"signer_nip": nip}, message)


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("{nomor}/{unit}/{year}", "hanya boleh memakai {seq}, {unit}, {month-roman} dan {year}"),
        ("{unit}/{month-roman}/{year}", "harus memuat {seq}"),
        ("{seq}/{unit}/{year", "hanya boleh memakai"),
        ("{seq}/{unit}/{unit}/{unit}/{year}", "akan lebih dari 100 karakter"),
    ],
)
def test_a_wrong_number_pattern_is_refused_in_indonesian_and_nothing_is_written(
    app, as_user, offices, pattern, message
):
    change = {"number_pattern": pattern, "unit_code": "DPMPTSP-KABUPATEN-KAPUAS-62.03"}
    _assert_refused(app, as_user("admin"), offices, change, message)


def test_a_branch_letterhead_belongs_to_a_branch_that_serves_its_regency(app, as_user, offices):
    pk = offices["barut_branch"]
    before = _snapshot(app, pk)
    moved = _form(app, pk)
    with app.app_context():
        moved["regency"] = str(_regency(KAPUAS).id)
    response = as_user("admin").post(f"/letterheadview/edit/{pk}", data=moved)
    assert "Kantor cabang itu tidak melayani kabupaten/kota ini." in text_of(response)
    assert _snapshot(app, pk) == before


def _form(app, pk: int) -> dict:
    with app.app_context():
        item = db.session.get(Letterhead, pk)
        form = {
            name: getattr(item, name) or ""
            for name in (
                "kind",
                "heading",
                "address",
                "unit_code",
                "number_pattern",
                "place",
                "signer_name",
                "signer_position",
                "signer_nip",
            )
        }
        form["regency"] = str(item.regency_id)
        if item.branch_office_id:
            form["branch_office"] = str(item.branch_office_id)
        return form


def _snapshot(app, pk: int) -> dict:
    with app.app_context():
        row = db.session.execute(select(Letterhead.__table__).where(Letterhead.id == pk)).mappings()
        return dict(row.one())


def _assert_refused(app, client, offices, change: dict, message: str) -> None:
    pk = offices["kapuas_permit"]
    before = _snapshot(app, pk)
    response = client.post(f"/letterheadview/edit/{pk}", data=_form(app, pk) | change)
    assert response.status_code == 200  # the form again, with the reason
    assert message in text_of(response)
    assert _snapshot(app, pk) == before
    with app.app_context():
        count = db.session.scalar(select(func.count(Letterhead.id)))
    added = client.post(
        "/letterheadview/add",
        data=_form(app, pk) | {"kind": "regency_gov", "regency": _barut_id(app)} | change,
    )
    assert message in text_of(added)
    with app.app_context():
        assert db.session.scalar(select(func.count(Letterhead.id))) == count


def _barut_id(app) -> str:
    with app.app_context():
        return str(_regency(BARUT).id)


def test_the_admin_adds_a_letterhead_with_a_logo(app, as_user, offices):
    admin = as_user("admin")
    form = _form(app, offices["kapuas_permit"]) | {"kind": "regency_gov", "regency": "0"}
    with app.app_context():
        form["regency"] = str(_regency("62.04").id)
    form |= {"heading": "PEMERINTAH KABUPATEN BARITO SELATAN", "place": "Buntok"}
    form["logo_file"] = (__import__("io").BytesIO(png()), "logo.png")
    response = admin.post("/letterheadview/add", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(
            select(Letterhead).where(Letterhead.place == "Buntok", Letterhead.kind == "regency_gov")
        )
        assert added.logo == png() and added.logo_type == "image/png"


@pytest.mark.parametrize(
    "data, refused",
    [
        (png(), False),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" fill="url(#g)"/></svg>', False),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', True),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="file:///etc/passwd"/></svg>',
            True,
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "http://x/y.css";</style></svg>',
            True,
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', True),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml,"/></svg>',
            True,
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
            True,
        ),
        (b"\xff\xd8\xff\xe0 a jpeg", True),
        (png() + b"\x00" * 300_000, True),
    ],
)
def test_only_a_small_png_or_a_self_contained_svg_is_taken_as_a_logo(data, refused):
    if refused:
        with pytest.raises(ServiceError):
            sniff_logo(data)
    else:
        assert sniff_logo(data) in ("image/png", "image/svg+xml")


def test_the_demo_configures_valid_letterheads_for_its_regencies(app):
    with app.app_context():
        letterheads.seed(db.session)
        seeded = db.session.scalars(select(Letterhead)).all()
        for item in seeded:
            prepare(item, None, item.logo, False)  # what the admin screen would accept
        permit_offices = {i.regency.code for i in seeded if i.kind == OfficeKind.PERMIT_OFFICE}
        branches = {i.branch_office.code for i in seeded if i.kind == OfficeKind.BPJS_BRANCH}
        db.session.rollback()
    assert {KAPUAS, BARUT, "62.71"} <= permit_offices  # the demo's regencies in the test world
    assert {"KPS", "MTW"} <= branches


def test_a_nip_may_be_typed_with_spaces():
    assert validate_nip("19850312 201001 1 004") == "198503122010011004"


# --- who keeps which letterhead ------------------------------------------------------------------


def test_a_barito_utara_staffer_cannot_read_or_change_kapuas_letterheads(app, as_user, offices):
    budi = as_user("budi")
    for key in ("kapuas_permit", "kapuas_branch"):
        pk = offices[key]
        before = _snapshot(app, pk)
        assert budi.get(f"/letterheadview/show/{pk}").status_code == 404
        changed = _form(app, pk) | {"signer_name": "Budi Menyusup"}
        assert budi.post(f"/letterheadview/edit/{pk}", data=changed).status_code == 404
        assert _snapshot(app, pk) == before
    listed = text_of(budi.get("/letterheadview/list/"))
    shown = {int(pk) for pk in re.findall(r"/letterheadview/show/(\d+)", listed)}
    assert offices["barut_branch"] in shown
    assert not shown & {offices["kapuas_permit"], offices["kapuas_branch"]}
    assert budi.get(f"/letterheadview/show/{offices['barut_branch']}").status_code == 200


def test_branch_staff_keep_their_branch_letterhead_but_not_the_permit_offices(
    app, as_user, offices
):
    sari = as_user("sari")
    branch, permit = offices["kapuas_branch"], offices["kapuas_permit"]
    kept = sari.post(f"/letterheadview/edit/{branch}", data=_form(app, branch))
    assert kept.status_code == 302
    before = _snapshot(app, permit)
    refused = sari.post(
        f"/letterheadview/edit/{permit}", data=_form(app, permit) | {"signer_name": "Sari"}
    )
    assert "hanya dapat mengelola kop surat kantor Anda sendiri" in text_of(refused)
    assert _snapshot(app, permit) == before


def test_issued_letters_are_listed_read_only_within_the_area(app, as_user, offices):
    company = make_company(app, declared=3, enrolled=0)
    decide(as_user("putri"), company["id"], "refused", f"OSS-LIST-{company['id']}")
    permit_id = _permit_id(app, f"OSS-LIST-{company['id']}")
    letter = _letter(app, "PermitCheck", permit_id)
    assert letter.number in text_of(
        as_user("ani").get("/issuedletterview/list/?psize_IssuedLetterView=100")
    )
    assert letter.number not in text_of(as_user("budi").get("/issuedletterview/list/"))
    assert as_user("budi").get(f"/issuedletterview/show/{letter.id}").status_code == 404
    assert as_user("admin").get(f"/issuedletterview/edit/{letter.id}").status_code in (302, 403)
