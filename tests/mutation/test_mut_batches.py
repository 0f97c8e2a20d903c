"""The batch rules called directly: each row's checks, the lifecycle and the draft's corrections.

Batches, rows and people are made in the test's transaction (regency 62.09, NIKs from
`unique_nik`) and rolled back; messages are read in English.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from types import SimpleNamespace

import pytest

from app.models import (
    BatchRow,
    Enrollment,
    EnrollmentBatch,
    Regency,
    Sponsor,
    SponsorCommitment,
    Worker,
)
from app.scope import UNRESTRICTED, Scope
from app.services import batch_drafts, batches
from app.services.batch_import import DEFAULT_INCOME, RowChecker, check_rows
from tests.helpers import unique_nik
from tests.mutation.support import refusal

RULES = {"max_age": 60, "max_decile": 4}
START, END = dt.date(2031, 1, 1), dt.date(2031, 3, 31)
N = itertools.count(1)


def new_sponsor(session, reg, kind="apbd") -> Sponsor:
    sponsor = Sponsor(name=f"Sponsor Uji {next(N)}", kind=kind, regency=reg)
    session.add(sponsor)
    session.add(
        SponsorCommitment(
            sponsor=sponsor,
            regency_id=reg.id,
            reference="Komitmen",
            workers_quota=100,
            programs="JKK,JKM,JHT",
            ceiling_amount=10**9,
            start_date=dt.date(2031, 1, 1),
            end_date=dt.date(2031, 12, 31),
        )
    )
    session.flush()
    return sponsor


def new_batch(session, reg, sponsor=None, **values) -> EnrollmentBatch:
    sponsor = sponsor or new_sponsor(session, reg)
    base = dict(
        title="Uji",
        regency_id=reg.id,
        sponsor=sponsor,
        jkk=True,
        jkm=True,
        jht=False,
        period_start=START,
        period_end=END,
        status="draft",
        maker_id=1,
        created_at=dt.datetime(2030, 12, 1),
    )
    batch = EnrollmentBatch(**(base | values))
    session.add(batch)
    session.flush()
    return batch


def person(village, born=None, **values) -> dict:
    nik, birth = unique_nik(village.code.rsplit(".", 1)[0])
    record = {
        "line": values.pop("line", 2),
        "nik": nik,
        "name": "Warga Uji",
        "birth_date": (born or birth).isoformat(),
        "sex": "L",
        "village_code": village.code,
        "segment": "vulnerable",
        "dtsen_decile": "2",
        "declared_income": "1000000",
    }
    return record | values


def checked(session, batch, record, rules=RULES, seen=None) -> dict:
    return RowChecker(session, batch, rules, seen=seen).check_chunk([record])[0]


def errors(session, batch, record, **kwargs) -> dict:
    row = checked(session, batch, record, **kwargs)
    return json.loads(row["errors"]) if row["errors"] else {}


# --- one row's checks ------------------------------------------------------------------------


def test_a_valid_row_is_stored_with_its_typed_values(session, reg, villages):
    batch = new_batch(session, reg)
    record = person(villages[0], dtsen_decile="10", segment="bpu", declared_income="2500000")
    row = checked(session, batch, record)
    assert row == {
        "line": 2,
        "nik": record["nik"],
        "name": "Warga Uji",
        "birth_date": dt.date.fromisoformat(record["birth_date"]),
        "sex": "M",
        "village_code": villages[0].code,
        "segment": "bpu",
        "dtsen_decile": 10,
        "declared_income": 2_500_000,
        "errors": None,
    }


def test_a_row_without_segment_or_income_gets_the_defaults(session, reg, villages):
    batch = new_batch(session, reg)
    row = checked(
        session, batch, person(villages[0], segment="", declared_income="", dtsen_decile="")
    )
    assert (row["segment"], row["declared_income"], row["dtsen_decile"]) == (
        "vulnerable",
        DEFAULT_INCOME,
        None,
    )
    assert row["errors"] is None


def test_every_problem_of_a_row_is_named_at_once(session, reg, villages, en):
    batch = new_batch(session, reg)
    record = {
        "line": 7,
        "nik": "123",
        "name": " ",
        "birth_date": "31/02/1990",
        "sex": "X",
        "village_code": "99.99",
        "segment": "Other",
        "dtsen_decile": "11",
        "declared_income": "12.5",
    }
    assert errors(session, batch, record) == {
        "name": "The name is required.",
        "birth_date": "Give the birth date as YYYY-MM-DD or DD-MM-YYYY.",
        "sex": "Write L or P.",
        "nik": "The NIK must have exactly 16 digits.",
        "village_code": f"Not a village of {reg.name}.",
        "segment": "Unknown segment; write one of: Wage earner (PU); Informal worker (BPU); "
        "Vulnerable worker; Village official; BPD member; RT/RW head; Non-ASN staff; "
        "Honorary teacher; Construction worker; Migrant worker.",
        "dtsen_decile": "The decile is a number from 1 to 10.",
        "declared_income": "The income is a whole number of Rupiah.",
    }


def test_the_age_limit_is_the_rules_at_the_start_of_the_period(session, reg, villages, en):
    batch = new_batch(session, reg)
    sixty = person(villages[0], born=dt.date(1970, 1, 2))
    assert "birth_date" not in errors(session, batch, sixty)
    older = person(villages[0], born=dt.date(1970, 1, 1))
    assert (
        errors(session, batch, older)["birth_date"] == "Older than 60 at the start of the period."
    )


@pytest.mark.parametrize("decile,error", [("0", True), ("1", False), ("10", False), ("x", True)])
def test_a_decile_is_a_number_from_1_to_10(session, reg, villages, en, decile, error):
    batch = new_batch(session, reg)
    record = person(villages[0], dtsen_decile=decile, segment="bpu")
    assert ("dtsen_decile" in errors(session, batch, record)) is error


def test_a_vulnerable_worker_above_the_eligible_decile_is_refused(session, reg, villages, en):
    batch = new_batch(session, reg)
    assert "dtsen_decile" not in errors(session, batch, person(villages[0], dtsen_decile="4"))
    assert errors(session, batch, person(villages[0], dtsen_decile="5"))["dtsen_decile"] == (
        "Decile 5 is above the eligible 4."
    )
    assert "dtsen_decile" not in errors(
        session, batch, person(villages[0], segment="bpu", dtsen_decile="9")
    )


@pytest.mark.parametrize("income", ["0", "-5", "123456789012", "abc"])
def test_an_income_that_is_not_a_positive_whole_number_of_eleven_digits_is_refused(
    session, reg, villages, income
):
    batch = new_batch(session, reg)
    row = checked(session, batch, person(villages[0], declared_income=income))
    assert "declared_income" in json.loads(row["errors"])
    assert row["declared_income"] is (None if not income.isdigit() or len(income) > 11 else 0)


def test_an_income_of_eleven_digits_is_accepted(session, reg, villages):
    batch = new_batch(session, reg)
    row = checked(session, batch, person(villages[0], declared_income="12345678901"))
    assert row["errors"] is None and row["declared_income"] == 12_345_678_901


def test_a_village_batch_takes_only_its_village(session, reg, villages, en):
    batch = new_batch(session, reg, village=villages[0])
    assert "village_code" not in errors(session, batch, person(villages[0]))
    assert errors(session, batch, person(villages[1]))["village_code"] == "Not the batch's village."


def test_the_same_nik_twice_in_a_file_names_the_first_line(session, reg, villages, en):
    batch = new_batch(session, reg)
    first = person(villages[0], line=3)
    again = first | {"line": 9}
    rows = check_rows(session, batch, [first, again], RULES)
    assert rows[0]["errors"] is None
    assert json.loads(rows[1]["errors"]) == {"nik": "The same NIK is on line 3."}
    # a row checked again on its own line is no repeat of itself
    assert errors(session, batch, first, seen={first["nik"]: 3}) == {}


def test_progress_is_told_after_each_chunk(session, reg, villages, monkeypatch):
    from app.services import batch_import

    monkeypatch.setattr(batch_import, "CHUNK", 2)
    batch = new_batch(session, reg)
    told = []
    records = [person(villages[0], line=n) for n in range(2, 7)]
    rows = check_rows(session, batch, records, RULES, progress=told.append)
    assert told == [2, 4, 5] and [r["line"] for r in rows] == [2, 3, 4, 5, 6]


def enroll(session, reg, village, status="active", sponsor=None, start=START, end=None):
    nik, born = unique_nik(village.code.rsplit(".", 1)[0])
    worker = Worker(
        nik=nik,
        name="Sudah Terdaftar",
        birth_date=born,
        sex="M",
        village=village,
        regency_id=reg.id,
        segment="vulnerable",
    )
    session.add(worker)
    session.add(
        Enrollment(
            worker=worker,
            regency_id=reg.id,
            jkk=True,
            jkm=True,
            start_date=start,
            end_date=end,
            status=status,
            payer_type="apbd" if sponsor else "worker",
            sponsor=sponsor,
            declared_wage=1_000_000,
        )
    )
    session.flush()
    return nik, born


def test_an_actively_enrolled_worker_is_refused(session, reg, villages, en):
    batch = new_batch(session, reg)
    nik, born = enroll(session, reg, villages[0])
    record = person(villages[0], nik=nik, birth_date=born.isoformat())
    assert errors(session, batch, record) == {"nik": "This worker is already actively enrolled."}


def test_a_worker_funded_in_the_months_names_the_sponsor_here(session, reg, villages, en):
    batch = new_batch(session, reg)
    other = new_sponsor(session, reg)
    nik, born = enroll(session, reg, villages[0], "ended", other, dt.date(2030, 6, 1), START)
    record = person(villages[0], nik=nik, birth_date=born.isoformat())
    assert errors(session, batch, record)["nik"] == (
        f"Already funded by {other.name} from 1 June 2030 to 1 January 2031; a worker is never "
        "funded twice for the same month."
    )


def test_a_sponsor_of_another_regency_is_never_named(session, reg, villages, en):
    batch = new_batch(session, reg)
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    other = new_sponsor(session, kapuas)
    nik, born = enroll(session, reg, villages[0], "pending", other, END, None)
    record = person(villages[0], nik=nik, birth_date=born.isoformat())
    assert errors(session, batch, record)["nik"] == (
        "Already funded by a sponsor in another area from 31 March 2031 to open-ended; a worker "
        "is never funded twice for the same month."
    )


def test_funding_outside_the_batchs_months_is_no_clash(session, reg, villages):
    batch = new_batch(session, reg)
    sponsor = new_sponsor(session, reg)
    before = enroll(
        session, reg, villages[0], "ended", sponsor, dt.date(2030, 1, 1), dt.date(2030, 12, 31)
    )
    after = enroll(session, reg, villages[0], "pending", sponsor, dt.date(2031, 4, 1), None)
    for nik, born in (before, after):
        assert (
            errors(session, batch, person(villages[0], nik=nik, birth_date=born.isoformat())) == {}
        )


def test_a_worker_proposed_in_another_submitted_batch_is_refused(session, reg, villages, en):
    batch = new_batch(session, reg)
    record = person(villages[0])
    other = new_batch(session, reg, status="submitted", period_start=END, period_end=END)
    session.add(BatchRow(batch=other, line=2, nik=record["nik"], errors=None))
    session.flush()
    assert errors(session, batch, record)["nik"] == (
        f"Also proposed for the same months in batch #{other.id} awaiting a decision."
    )


def test_a_proposal_elsewhere_is_not_named(session, reg, villages, en):
    batch = new_batch(session, reg)
    record = person(villages[0])
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    other = new_batch(session, kapuas, sponsor=new_sponsor(session, kapuas), status="submitted")
    session.add(BatchRow(batch=other, line=2, nik=record["nik"], errors=None))
    session.flush()
    assert errors(session, batch, record)["nik"] == (
        "Also proposed for the same months in another area, awaiting a decision."
    )


def test_proposals_that_are_drafts_invalid_or_in_other_months_do_not_clash(session, reg, villages):
    batch = new_batch(session, reg)
    record = person(villages[0])
    for status, start, end, errs in (
        ("draft", START, END, None),
        ("submitted", START, END, "{}"),
        ("submitted", dt.date(2031, 4, 1), dt.date(2031, 5, 1), None),
        ("submitted", dt.date(2030, 1, 1), dt.date(2030, 12, 31), None),
    ):
        other = new_batch(session, reg, status=status, period_start=start, period_end=end)
        session.add(BatchRow(batch=other, line=2, nik=record["nik"], errors=errs))
    session.add(BatchRow(batch=batch, line=5, nik=record["nik"], errors=None))
    batch.status = "submitted"
    session.flush()
    assert errors(session, batch, record) == {}


def test_funded_niks_gathers_every_kind_of_clash(session, reg, villages):
    batch = new_batch(session, reg)
    active, _b = enroll(session, reg, villages[0])
    funded, _b = enroll(session, reg, villages[0], "ended", new_sponsor(session, reg), START, END)
    proposed = person(villages[0])["nik"]
    other = new_batch(session, reg, status="submitted")
    session.add(BatchRow(batch=other, line=2, nik=proposed, errors=None))
    session.flush()
    free = person(villages[0])["nik"]
    found = RowChecker(session, batch, RULES).funded_niks([active, funded, proposed, free])
    assert found == {active, funded, proposed}


# --- the lifecycle ---------------------------------------------------------------------------


def test_a_new_batch_needs_a_sponsor_jkk_and_jkm_and_an_end_after_its_start(session, reg, en):
    sponsor = new_sponsor(session, reg)
    now = dt.datetime(2030, 12, 1)

    def prepare(**values):
        base = dict(sponsor=sponsor, jkk=True, jkm=True, period_start=START, period_end=END)
        return batches.prepare_new(
            session, EnrollmentBatch(**(base | values)), UNRESTRICTED, 5, now
        )

    assert refusal(prepare, sponsor=None) == ("Choose the sponsor that pays.", "sponsor", 422)
    assert refusal(prepare, jkk=False) == ("Every enrollment includes JKK and JKM.", "jkk", 422)
    assert refusal(prepare, jkm=False)[1] == "jkk"
    assert refusal(prepare, period_end=START - dt.timedelta(days=1)) == (
        "The end date cannot be before the start date.",
        "period_end",
        422,
    )
    prepare(period_end=START)


def test_a_new_batch_belongs_to_the_sponsors_regency_or_the_operators_area(session, reg, villages):
    sponsor = new_sponsor(session, reg)
    now = dt.datetime(2030, 12, 1)
    plain = EnrollmentBatch(sponsor=sponsor, jkk=True, jkm=True, period_start=START, period_end=END)
    batches.prepare_new(session, plain, UNRESTRICTED, 5, now)
    assert (plain.regency_id, plain.maker_id, plain.created_at, plain.status) == (
        reg.id,
        5,
        now,
        "draft",
    )
    assert plain.village is None and plain.opd is None
    village_scope = Scope(regency_ids=frozenset({reg.id}), village_id=villages[0].id)
    mine = EnrollmentBatch(sponsor=sponsor, jkk=True, jkm=True, period_start=START, period_end=END)
    batches.prepare_new(session, mine, village_scope, 5, now)
    assert mine.village is villages[0] and mine.regency_id == villages[0].regency_id


def test_only_the_maker_submits_a_draft_with_a_valid_row(session, reg, en):
    now = dt.datetime(2031, 1, 2)
    batch = SimpleNamespace(status="submitted", maker_id=5, rows=[SimpleNamespace(valid=True)])
    assert refusal(batches.submit, session, batch, 5, now) == (
        "Only a draft or returned batch can be submitted.",
        None,
        409,
    )
    batch.status = "returned"
    assert refusal(batches.submit, session, batch, 6, now) == (
        "Only the maker of a batch submits it.",
        None,
        409,
    )
    batch.rows = [SimpleNamespace(valid=False)]
    assert refusal(batches.submit, session, batch, 5, now) == (
        "The batch has no valid row to submit.",
        None,
        422,
    )
    batch.rows.append(SimpleNamespace(valid=True))
    batches.submit(session, batch, 5, now)
    assert (batch.status, batch.submitted_at) == ("submitted", now)


def submitted(session, reg, villages, rows=1, **values):
    batch = new_batch(session, reg, status="submitted", maker_id=1, **values)
    for line in range(2, 2 + rows):
        record = person(villages[0], line=line)
        session.add(BatchRow(batch=batch, **checked(session, batch, record)))
    session.flush()
    return batch


def test_a_decision_needs_a_known_outcome_and_a_reason_unless_approved(session, reg, villages, en):
    batch = submitted(session, reg, villages)
    now = dt.datetime(2031, 1, 3)
    assert refusal(batches.decide, session, batch.id, 2, "maybe", None, now) == (
        "Choose to approve, reject or return the batch.",
        None,
        422,
    )
    assert refusal(batches.decide, session, batch.id, 2, "reject", "  ", now) == (
        "Give the reason for the maker.",
        "note",
        422,
    )
    decided = batches.decide(session, batch.id, 2, "return", " fix " + "x" * 600, now)
    assert (decided.status, decided.decided_by_id) == ("returned", 2)
    assert decided.decision_note == ("fix " + "x" * 600)[:500]
    assert refusal(batches.decide, session, batch.id, 3, "reject", "late", now) == (
        "This batch has already been decided.",
        None,
        409,
    )


def test_the_maker_never_decides_their_own_batch(session, reg, villages, en):
    batch = submitted(session, reg, villages)
    assert refusal(
        batches.decide, session, batch.id, 1, "approve", None, dt.datetime(2031, 1, 3)
    ) == (
        "You made this batch; another supervisor must decide it.",
        None,
        409,
    )
    assert batch.status == "submitted"


def test_approval_enrolls_every_valid_row_at_the_batchs_terms(session, reg, villages):
    batch = submitted(session, reg, villages, rows=2, jht=True)
    session.add(BatchRow(batch=batch, line=9, nik="1", errors='{"nik": "x"}'))
    session.flush()
    decided = batches.decide(session, batch.id, 2, "approve", None, dt.datetime(2031, 1, 3))
    assert decided.status == "enrolled" and decided.decision_note is None
    rows = batches.enrolled(session, batch)
    assert len(rows) == 2
    for row, worker, village, enrollment in rows:
        assert row.worker_id == worker.id and village.id == villages[0].id
        assert worker.regency_id == reg.id and worker.segment == "vulnerable"
        assert (enrollment.start_date, enrollment.end_date) == (START, END)
        assert (enrollment.status, enrollment.payer_type) == ("active", "apbd")
        assert (enrollment.jkk, enrollment.jkm, enrollment.jht, enrollment.jp) == (
            True,
            True,
            True,
            False,
        )
        assert enrollment.monthly_contribution == 36_800 and enrollment.worker_share == 0
        assert enrollment.declared_wage == 1_000_000 and enrollment.regency_id == reg.id


def test_the_payer_follows_the_sponsors_kind():
    assert batches.PAYER_FOR_SPONSOR == {
        "apbd": "apbd",
        "apbdes": "apbdes",
        "csr_company": "csr",
        "csr_person": "csr",
        "province": "province",
    }


def test_a_batch_costs_each_valid_rows_contribution(session, reg, villages):
    batch = submitted(session, reg, villages, rows=3)
    session.add(BatchRow(batch=batch, line=9, nik="1", errors='{"nik": "x"}', declared_income=1))
    session.flush()
    assert batches.monthly_cost(session, batch) == 3 * 16_800
    budget = batches.budget(session, batch)
    assert (budget.workers, budget.monthly_cost, budget.months) == (3, 3 * 16_800, 3)
    assert len(batches.valid_rows(batch)) == 3


# --- the draft ------------------------------------------------------------------------------


def test_a_file_is_kept_only_for_an_editable_idle_batch(session, reg, en):
    now = dt.datetime(2031, 1, 2)
    batch = new_batch(session, reg, status="submitted")
    assert refusal(batch_drafts.queue_file, session, batch, "a.csv", b"x", now) == (
        "Only a draft or returned batch can take a new file.",
        None,
        409,
    )
    batch.status, batch.check_status = "draft", "running"
    assert refusal(batch_drafts.queue_file, session, batch, "a.csv", b"x", now) == (
        "The previous file of this batch is still being checked.",
        None,
        409,
    )
    batch.check_status = "done"
    assert refusal(batch_drafts.queue_file, session, batch, "a.csv", b"", now) == (
        "The file is empty.",
        None,
        422,
    )
    batch_drafts.queue_file(session, batch, "n" * 300, b"h\n1\n2\n", now)
    # the lines are counted by the background check, not in the upload request
    assert (batch.pending_name, batch.check_status, batch.check_total) == ("n" * 200, "queued", 0)
    assert (batch.check_done, batch.check_error, batch.check_started_at) == (0, None, now)


def test_a_check_is_stale_once_its_heartbeat_is_silent_or_its_queue_lost_it(session, reg):
    now = dt.datetime(2031, 1, 2, 12, 0, tzinfo=dt.UTC)
    batch = SimpleNamespace(
        check_status="running",
        check_started_at=dt.datetime(2031, 1, 2, 11, 0),
        check_heartbeat_at=dt.datetime(2031, 1, 2, 11, 59, 16),
    )
    assert not batch_drafts.check_is_stale(batch, now)  # beat 44 s ago
    batch.check_heartbeat_at = dt.datetime(2031, 1, 2, 11, 59, 14)
    assert batch_drafts.check_is_stale(batch, now)  # silent for 46 s: its worker died
    batch.check_status = "done"
    assert not batch_drafts.check_is_stale(batch, now)
    batch.check_status, batch.check_heartbeat_at = "queued", None
    batch.check_started_at = dt.datetime(2031, 1, 2, 11, 30, 1)
    assert not batch_drafts.check_is_stale(batch, now)  # waiting behind others
    batch.check_started_at = dt.datetime(2031, 1, 2, 11, 29, 59)
    assert batch_drafts.check_is_stale(batch, now)  # queued for 30 minutes: lost
    batch.check_started_at = None
    assert not batch_drafts.check_is_stale(batch, now)


def test_the_same_file_elsewhere_is_counted_and_named_only_when_visible(session, reg):
    kapuas = session.query(Regency).filter_by(code="62.03").one()
    digest = f"{next(N):064d}"
    mine = new_batch(session, reg, file_sha256=digest)
    here = new_batch(session, reg, file_sha256=digest)
    there = new_batch(session, kapuas, sponsor=new_sponsor(session, kapuas), file_sha256=digest)
    scope = Scope(regency_ids=frozenset({reg.id}))
    assert batch_drafts.seen_in(session, mine, scope) == {"ids": [here.id], "others": 1}
    assert batch_drafts.seen_in(session, mine) == {"ids": [here.id, there.id], "others": 0}
    assert batch_drafts.seen_in(session, new_batch(session, reg)) == {"ids": [], "others": 0}
