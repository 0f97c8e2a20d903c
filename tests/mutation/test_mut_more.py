"""More edges of the compliance wording, the rule and wage look-ups, decisions on batches,
approval and verification, found by the mutation run on the fast selection.

Records are made in the test's transaction (regency 62.09) and rolled back; English messages.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import func

from app.models import (
    AuditEvent,
    BatchRow,
    ComplianceRule,
    MinimumWage,
    Regency,
    Worker,
)
from app.scope import UNRESTRICTED
from app.services import awards, batches, permits
from app.services.batch_import import RowChecker
from app.services.compliance import Check, explain, rule_in_force
from tests.mutation.support import refusal
from tests.mutation.test_mut_batches import RULES, checked, enroll, new_batch, person
from tests.mutation.test_mut_compliance import bill, check, company, employ, project
from tests.mutation.test_mut_services import decide, new_company

ON = dt.date(2031, 6, 15)


# --- the wording, word for word ------------------------------------------------------------------


def word(code, passed, **figures) -> str:
    return explain(Check(code, passed, figures))


def test_every_outcome_reads_word_for_word(en):
    owed = dict(amount=60000, months=2, oldest="2031-04-01", grace_months=3, grace_amount=70000)
    assert word("registered", False) == (
        "Not registered as an active employer with BPJS Ketenagakerjaan: register the company "
        "and obtain an NPP."
    )
    assert word("arrears", True, **owed) == (
        "Unpaid contributions of Rp\xa060,000 over 2 month(s), oldest April 2031 (within the grace "
        "of 3 month(s) and Rp\xa070,000)."
    )
    assert word("arrears", False, **owed) == (
        "Unpaid contributions of Rp\xa060,000 over 2 month(s), oldest April 2031: pay the arrears "
        "at the BPJS Ketenagakerjaan branch."
    )
    assert word("programs", True, required=["jkk", "jkm"]) == (
        "Every enrollment has the required programs (JKK, JKM)."
    )
    assert word("programs", False, required=["jkk"], short=1, total=2) == (
        "1 of 2 enrollments lack a required program (JKK): add the missing programs."
    )
    assert word("construction", True, days=7) == (
        "Every active project was registered within 7 days of its SPK (local rule)."
    )
    assert word("construction", False, days=7, late=["S1", "S2"]) == (
        "Projects not registered within 7 days of the SPK (local rule): S1, S2. Register them "
        "with BPJS Ketenagakerjaan."
    )
    assert word("minimum_wage", None) == (
        "No minimum wage recorded for this year; wages not checked."
    )
    assert word("minimum_wage", True, minimum=3_000_000) == (
        "No reported wage is below the minimum wage of Rp\xa03,000,000."
    )
    assert word("minimum_wage", False, minimum=3_000_000, below=2) == (
        "2 reported wage(s) below the minimum wage of Rp\xa03,000,000: correct the reported wages."
    )


# --- the rule and the minimum wage in force ------------------------------------------------------


def test_the_regencys_own_rule_wins_even_when_older_than_the_national_one(session, reg):
    own = ComplianceRule(regency_id=reg.id, valid_from=dt.date(2020, 1, 1), grace_months=5)
    session.add(own)
    session.flush()
    assert rule_in_force(session, reg.id, ON)["rule_id"] == own.id


def test_another_regencys_rule_never_applies_and_the_national_one_does(session, reg):
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    other = ComplianceRule(regency_id=kapuas.id, valid_from=dt.date(2031, 6, 1), grace_months=9)
    session.add(other)
    session.flush()
    params = rule_in_force(session, reg.id, ON)
    assert params["rule_id"] not in (None, other.id) and params["valid_from"] == "2021-03-25"


def test_the_minimum_wage_is_that_of_the_year_the_province_and_the_regency(session, reg):
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    for province, regency_id, year, amount in (
        ("62", None, 2038, 2_500_000),
        ("62", reg.id, 2038, 3_000_000),
        ("62", reg.id, 2039, 9_000_000),
        ("63", reg.id, 2038, 8_000_000),
        ("62", kapuas.id, 2038, 7_000_000),
    ):
        session.add(
            MinimumWage(province_code=province, regency_id=regency_id, year=year, amount=amount)
        )
    session.flush()
    c = company(session, reg)
    assert check(session, c, "minimum_wage", on=dt.date(2038, 6, 1)).figures["minimum"] == 3_000_000


def test_the_province_minimum_applies_when_listed_before_the_regencys(session, reg):
    session.add(MinimumWage(province_code="62", regency_id=None, year=2040, amount=1_000_000))
    session.flush()
    session.add(MinimumWage(province_code="62", regency_id=reg.id, year=2040, amount=4_000_000))
    session.flush()
    c = company(session, reg)
    assert check(session, c, "minimum_wage", on=dt.date(2040, 6, 1)).figures["minimum"] == 4_000_000


# --- checks on their edges -----------------------------------------------------------------------


def test_one_rupiah_owed_without_grace_fails(session, reg):
    c = company(session, reg)
    bill(session, c, dt.date(2031, 5, 1), 1)
    assert check(session, c, "arrears").passed is False


def test_a_large_company_needs_jp(session, reg):
    c = company(session, reg, size_class="large")
    employ(session, c)
    assert check(session, c, "programs").passed is False


def test_a_project_signed_on_the_day_applies_and_another_companys_never(session, reg):
    mine, other = company(session, reg), company(session, reg)
    project(session, other, "SPK-X", dt.date(2031, 1, 1))
    project(session, mine, "SPK-D", ON)
    assert check(session, mine, "construction").figures == {"days": 7, "projects": 1, "late": []}


def test_a_verdict_names_its_company_and_date(session, reg):
    from app.services.compliance import evaluate

    c = company(session, reg)
    verdict = evaluate(session, c, ON)
    assert (verdict.company_id, verdict.on) == (c.id, ON)


# --- batches -------------------------------------------------------------------------------------


def submitted(session, reg, villages, lines=(2,), **values):
    batch = new_batch(session, reg, status="submitted", maker_id=1, **values)
    for line in lines:
        session.add(
            BatchRow(batch=batch, **checked(session, batch, person(villages[0], line=line)))
        )
    session.flush()
    return batch


def test_a_decision_is_dated_and_touches_only_its_batch(session, reg, villages):
    mine, other = submitted(session, reg, villages), submitted(session, reg, villages)
    now = dt.datetime(2031, 1, 3, 8, 0)
    batches.decide(session, mine.id, 2, "reject", "no", now)
    session.refresh(other)
    assert mine.decided_at.replace(tzinfo=None) == now and other.status == "submitted"


def test_an_approval_beyond_the_commitment_is_refused_with_the_shortfalls(
    session, reg, villages, en
):
    from app.models import Sponsor

    sponsor = Sponsor(name="Tanpa Komitmen", kind="apbd", regency=reg)
    session.add(sponsor)
    batch = submitted(session, reg, villages, sponsor=sponsor)
    assert refusal(
        batches.decide, session, batch.id, 2, "approve", None, dt.datetime(2031, 1, 3)
    ) == (
        "The sponsor's commitment does not cover this batch: No commitment of Tanpa Komitmen "
        "covers 1 January 2031 to 31 March 2031. Return it for revision or reject it.",
        None,
        409,
    )


def test_approval_links_only_the_batchs_valid_rows_in_line_order(session, reg, villages, caplog):
    batch = new_batch(session, reg, status="submitted", maker_id=1, jht=True)
    for line in (3, 2):
        session.add(
            BatchRow(batch=batch, **checked(session, batch, person(villages[0], line=line)))
        )
    session.flush()
    known = session.query(Worker).filter_by(name="Rahmat Hidayat").one()
    elsewhere = new_batch(session, reg)
    invalid = BatchRow(batch_id=batch.id, line=9, nik=known.nik, errors='{"name": "x"}')
    stranger = BatchRow(batch_id=elsewhere.id, line=2, nik=known.nik, errors=None)
    session.add_all([invalid, stranger])
    session.flush()
    # audit rows are written apart and kept: only this approval's count (ids may be reused)
    before = session.query(func.max(AuditEvent.id)).scalar() or 0
    with caplog.at_level(logging.INFO, logger="app.services.batches"):
        assert batches.enroll_rows(session, batch) == 2
    session.refresh(invalid)
    session.refresh(stranger)
    assert invalid.worker_id is None and stranger.worker_id is None
    rows = batches.enrolled(session, batch)
    assert [row.line for row, *_ in rows] == [2, 3]
    assert all(e.jkp is False and e.jp is False and e.jht is True for *_, e in rows)
    assert f"batch {batch.id} enrolled 2 rows (2 new workers)" in [
        r.getMessage() for r in caplog.records
    ]
    changes = [
        json.loads(e.changes)
        for e in session.query(AuditEvent)
        .filter_by(action="create", entity="Enrollment")
        .filter(AuditEvent.id > before)
        if e.entity_id in {str(rows[0][3].id), str(rows[1][3].id)}
    ]
    assert [c["batch_id"] for c in changes] == [batch.id, batch.id]


def test_clashes_at_approval_are_listed_by_line(session, reg, villages, en):
    batch = new_batch(session, reg, status="submitted", maker_id=1)
    people = []
    for line in (3, 2):
        record = person(villages[0], line=line)
        session.add(BatchRow(batch=batch, **checked(session, batch, record)))
        people.append(record)
    session.flush()
    for record in people:
        nik, born = record["nik"], dt.date.fromisoformat(record["birth_date"])
        worker = Worker(
            nik=nik,
            name="Sudah",
            birth_date=born,
            sex="M",
            village=villages[0],
            regency_id=reg.id,
            segment="vulnerable",
        )
        session.add(worker)
    session.flush()
    from app.models import Enrollment

    for worker in session.query(Worker).filter(Worker.nik.in_([p["nik"] for p in people])):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                start_date=dt.date(2030, 1, 1),
                status="active",
                payer_type="worker",
                declared_wage=1,
            )
        )
    session.flush()
    assert refusal(batches.enroll_rows, session, batch)[0].startswith("Lines 2, 3 were")


def test_funded_niks_are_looked_up_chunk_by_chunk(session, reg, villages, monkeypatch):
    from app.services import batch_import

    monkeypatch.setattr(batch_import, "CHUNK", 2)
    batch = new_batch(session, reg)
    niks = [enroll(session, reg, villages[0])[0] for _ in range(5)]
    assert RowChecker(session, batch, RULES).funded_niks(niks) == set(niks)


# --- awards and permits --------------------------------------------------------------------------


def test_marks_keep_the_evidence_the_marker_and_the_time_and_skip_a_missing_value(session):
    period = awards.open_period(session, 2098, scope=UNRESTRICTED)
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    indicators = [i for i in awards.indicators_of(period, "regency") if i.source == "panel"]
    now = dt.datetime(2031, 6, 1, 9, 0)
    marks = {indicators[0].id: ("70", "notulen"), indicators[1].id: (None, None)}
    awards.set_marks(session, period, "regency", kapuas.id, marks, 1, now, scope=UNRESTRICTED)
    session.flush()
    from app.models import AwardInput

    rows = (
        session.query(AwardInput)
        .filter(
            AwardInput.indicator_id.in_([i.id for i in indicators]),
            AwardInput.subject_id == kapuas.id,
        )
        .all()
    )
    assert [(r.indicator_id, r.value, r.evidence, r.entered_by_id) for r in rows] == [
        (indicators[0].id, 7000, "notulen", 1)
    ]
    assert rows[0].entered_at.replace(tzinfo=None) == now


def test_a_revoked_or_expired_certificate_still_names_its_number_and_company(session, reg):
    c = new_company(session, reg)
    now = dt.datetime(2031, 6, 15, 10, 0)
    issued = decide(session, c, decision="issued", now=now)
    expired = permits.verify(session, issued.verification_code, dt.datetime(2032, 1, 1))
    assert expired == permits.Verification(
        "expired", issued.certificate_number, c.name, issued.valid_until
    )
    issued.revoked_at = now
    session.flush()
    revoked = permits.verify(session, issued.verification_code, now)
    assert revoked == permits.Verification(
        "revoked", issued.certificate_number, c.name, issued.valid_until
    )
    issued.revoked_at = None
    c.declared_workforce = 5
    session.flush()
    assert permits.verify(session, issued.verification_code, now).company == c.name


# --- batch files, word for word -----------------------------------------------------------------


def test_file_refusals_read_word_for_word(en, monkeypatch):
    from app.services import batch_import

    assert refusal(batch_import.read_table, "a.csv", b"x" * (5 * 2**20 + 1)) == (
        "The file is larger than 5 MB.",
        None,
        422,
    )
    head = "nik;name;sex;birth_date;village_code"
    assert refusal(batch_import.read_table, "a.csv", f"{head}\n1;=2".encode())[0] == (
        "Line 2, column name starts with a character a spreadsheet reads as a formula "
        "(= + - @, a tab or a line break); remove it."
    )
    assert refusal(batch_import.read_table, "a.csv", b"")[0] == "The file is empty."
    monkeypatch.setattr(batch_import, "MAX_ROWS", 1)
    assert refusal(batch_import.read_table, "a.csv", f"{head}\n1\n2".encode())[0] == (
        "A batch holds at most 1 rows."
    )


def test_a_header_with_as_many_commas_as_semicolons_is_split_at_the_commas(en):
    from app.services import batch_import

    data = b"nik;name,sex;birth_date,village_code\n1"
    assert refusal(batch_import.read_table, "a.csv", data)[0] == (
        "The file lacks the columns: nik, name, birth_date, sex. Use the template."
    )


def test_a_file_too_large_is_not_queued(session, reg, en):
    batch = new_batch(session, reg)
    big = b"x" * (5 * 2**20 + 1)
    assert refusal(batch_drafts_module().queue_file, session, batch, "a.csv", big, None) == (
        "The file is larger than 5 MB.",
        None,
        422,
    )
    batch_drafts_module().queue_file(session, batch, "a.csv", b"x" * (5 * 2**20), None)
    assert batch.check_total == 0 and batch.check_status == "queued"  # counted by the check


def batch_drafts_module():
    from app.services import batch_drafts

    return batch_drafts


def test_staging_counts_the_rows_and_refuses_a_submitted_batch(session, reg, villages, en):
    drafts = batch_drafts_module()
    batch = new_batch(session, reg)
    good = person(villages[0])
    head = ";".join(["NIK", "Nama", "Tanggal lahir", "Jenis kelamin", "Kode desa"])
    lines = [
        ";".join([good["nik"], "A", good["birth_date"], "L", good["village_code"]]),
        "1;B;x;L;v",
    ]
    data = "\n".join([head, *lines]).encode()
    assert drafts.stage_file(session, batch, None, data, RULES) == {
        "rows": 2,
        "valid": 1,
        "invalid": 1,
    }
    assert batch.file_name == "" and [r.line for r in batch.rows] == [2, 3]
    other = new_batch(session, reg)
    session.add(BatchRow(batch=other, line=2, nik="1", errors=None))
    session.flush()
    drafts.stage_file(session, other, "b.csv", data, RULES)
    assert [r.line for r in other.rows] == [2, 3] and len(batch.rows) == 2
    other.status = "submitted"
    assert refusal(drafts.stage_file, session, other, "b.csv", data, RULES) == (
        "Only a draft or returned batch can take a new file.",
        None,
        409,
    )


def test_a_check_of_an_unknown_batch_does_nothing(session):
    batch_drafts_module().check_pending(session, 10**9, RULES)


def test_a_check_that_breaks_fails_without_row_data_in_the_log(
    session, reg, monkeypatch, en, caplog
):
    drafts = batch_drafts_module()
    monkeypatch.setattr(session, "commit", session.flush)
    monkeypatch.setattr(session, "rollback", lambda: None)

    def broken(*args, **kwargs):
        raise RuntimeError("6203010101010001")

    monkeypatch.setattr(drafts, "stage_file", broken)
    batch = new_batch(session, reg)
    drafts.queue_file(session, batch, "a.csv", b"h\n1\n", dt.datetime(2031, 1, 2))
    with caplog.at_level(logging.ERROR, logger="app.services.batch_drafts"):
        drafts.check_pending(session, batch.id, RULES)
    assert (batch.check_status, batch.check_error, batch.pending_file) == (
        "failed",
        "The file could not be checked; upload it again.",
        None,
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"checking the file of batch {batch.id} failed"
    ]


# --- brackets, batch costs, a row's NIK cross-checks ----------------------------------------------


def test_an_income_on_a_brackets_first_rupiah_is_in_that_bracket(session):
    from app.services import contributions

    book = contributions.RateBook.load(session)
    on = dt.date(2026, 1, 1)
    assert book.bracket(1_000_001, on).income_from == 1_000_001
    assert book.bracket(1_000_000, on).income_from == 0
    breakdown = contributions.bracket_breakdown(book, ["jkk", "jht"], 1_000_001, on)
    assert breakdown.basis == "bracket"
    assert [(i.program, i.employer) for i in breakdown.items] == [("jkk", 15_000), ("jht", 30_000)]


def test_bracket_refusals_read_word_for_word(session, en):
    from app.services import contributions

    book = contributions.RateBook.load(session)
    assert refusal(book.bracket, 50_000_000, dt.date(2026, 1, 1)) == (
        "No informal-worker income bracket covers Rp\xa050,000,000 on 2026-01-01; an administrator "
        "must add it.",
        "declared_wage",
        422,
    )
    assert refusal(
        contributions.bracket_breakdown, book, ["jkk", "jp"], 1, dt.date(2026, 1, 1)
    ) == (
        "JP and JKP are only for wage earners; informal workers can have JKK, JKM and JHT.",
        "jp",
        422,
    )


def test_a_batch_costs_its_programs_at_each_rows_income(session, reg, villages):
    batch = new_batch(session, reg, jht=True)
    for line, income in ((2, "1000001"), (3, "1000001"), (4, "1000000")):
        row = checked(session, batch, person(villages[0], line=line, declared_income=income))
        session.add(BatchRow(batch=batch, **row))
    session.flush()
    per_bracket = {1_000_001: 15_000 + 6_800 + 30_000, 1_000_000: 10_000 + 6_800 + 20_000}
    expected = 2 * per_bracket[1_000_001] + per_bracket[1_000_000]
    assert batches.monthly_cost(session, batch) == expected
    assert batches.monthly_cost(session, batch, incomes=[(1_000_000, 2)]) == 2 * 36_800


def test_a_rows_nik_must_match_its_district_birth_date_and_sex(session, reg, villages, en):
    from app.services.identifiers import make_nik

    batch = new_batch(session, reg)
    born = dt.date(1990, 5, 6)
    district = villages[0].code.rsplit(".", 1)[0]
    base = person(villages[0], birth_date=born.isoformat())

    def nik_error(**values):
        return json.loads(checked(session, batch, base | values)["errors"] or "{}").get("nik")

    assert nik_error(nik=make_nik(district, born, "M", 9001)) is None
    assert nik_error(nik=make_nik("62.03.01", born, "M", 9001)) == (
        "The first six digits of the NIK are not a known district code."
    )
    assert nik_error(nik=make_nik(district, dt.date(1990, 5, 7), "M", 9001)) == (
        "The birth date does not match the NIK."
    )
    assert nik_error(nik=make_nik(district, born, "F", 9001)) == (
        "The sex does not match the NIK (for women 40 is added to the day of birth)."
    )
    old = dt.date(1950, 1, 1)
    assert nik_error(nik=make_nik(district, old, "M", 9002), birth_date="1951-01-01") is None


def test_an_invalid_nik_repeated_is_named_as_invalid_not_as_a_repeat(session, reg, villages, en):
    from app.services.batch_import import check_rows

    batch = new_batch(session, reg)
    bad = person(villages[0], nik="6209")
    rows = check_rows(session, batch, [bad | {"line": 2}, bad | {"line": 3}], RULES)
    assert [json.loads(r["errors"])["nik"] for r in rows] == [
        "The NIK must have exactly 16 digits.",
        "The NIK must have exactly 16 digits.",
    ]


def test_an_overview_of_problems_in_a_clean_batch_shows_every_row(session, reg, villages):
    from app.services import batch_drafts

    batch = new_batch(session, reg)
    for line in (3, 2, 4):
        session.add(
            BatchRow(batch=batch, **checked(session, batch, person(villages[0], line=line)))
        )
    session.flush()
    now = dt.datetime(2031, 1, 2, tzinfo=dt.UTC)
    page = batch_drafts.overview(
        session, batch, UNRESTRICTED, now, page=1, only_problems=True, per_page=2
    )
    assert (page["only_problems"], page["valid_count"], page["invalid_count"]) == (False, 3, 0)
    assert [r["row"].line for r in page["rows"]] == [2, 3] and page["pages"] == 2
    assert page["check_error"] is None
    empty = new_batch(session, reg)
    nothing = batch_drafts.overview(
        session, empty, UNRESTRICTED, now, page=1, only_problems=False, per_page=2
    )
    assert (nothing["valid_count"], nothing["invalid_count"], nothing["pages"]) == (0, 0, 1)


# --- a worker's identity ------------------------------------------------------------------------


def test_a_workers_nik_is_checked_against_district_birth_date_and_sex(session, reg, villages, en):
    from app.services.identifiers import make_nik
    from app.services.workers import check_identity

    born = dt.date(1991, 7, 8)
    district = villages[0].code.rsplit(".", 1)[0]

    def worker(**values):
        base = dict(nik=make_nik(district, born, "F", 9101), birth_date=born, sex="F", kpj=None)
        return Worker(**(base | values))

    fine = worker(nik=" " + make_nik(district, born, "F", 9101), kpj=" 12345678901 ")
    check_identity(session, fine, r"^\d{11}$")
    assert (fine.nik, fine.kpj) == (make_nik(district, born, "F", 9101), "12345678901")
    assert refusal(
        check_identity, session, worker(nik=make_nik("99.99.99", born, "F", 9101)), ".*"
    )[0] == ("The first six digits of the NIK are not a known district code.")
    assert refusal(check_identity, session, worker(birth_date=dt.date(1991, 7, 9)), ".*")[0] == (
        "The birth date does not match the NIK."
    )
    assert refusal(check_identity, session, worker(sex="M"), ".*")[0] == (
        "The sex does not match the NIK (for women 40 is added to the day of birth)."
    )
    unknown_sex = worker(sex="X")
    check_identity(session, unknown_sex, ".*")
    assert refusal(check_identity, session, worker(nik=None), ".*")[0] == (
        "The NIK must have exactly 16 digits."
    )
    assert refusal(check_identity, session, worker(kpj="123"), r"^\d{11}$")[0] == (
        "KPJ does not have the expected format."
    )
    custom = worker(kpj="AB-1")
    check_identity(session, custom, r"^AB-\d$")
    assert custom.kpj == "AB-1"
    blank = worker(kpj="")
    check_identity(session, blank, ".*")
    assert blank.kpj is None


def test_a_worker_given_a_village_id_is_placed_in_that_village(session, reg, villages, en):
    from app.services.identifiers import make_nik
    from app.services.workers import validate_worker

    born = dt.date(1991, 7, 8)
    nik = make_nik(villages[1].code.rsplit(".", 1)[0], born, "M", 9102)
    worker = Worker(
        nik=nik, birth_date=born, sex="M", village_id=villages[1].id, welfare_source="dtks"
    )
    validate_worker(session, worker, UNRESTRICTED, r"^\d{11}$")
    assert worker.village is villages[1] and worker.regency_id == reg.id
    assert worker.welfare_source == "dtks"
