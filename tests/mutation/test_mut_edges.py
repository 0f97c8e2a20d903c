"""Edges the first mutation runs found untested: exact refusals, rounding, a draft's corrections.

Records are made in the test's transaction (regency 62.09, NIKs from `unique_nik`) and rolled
back; messages are read in English.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.models import BatchRow, Contribution, Enrollment, Worker
from app.scope import UNRESTRICTED
from app.services import batch_drafts, batch_import, contributions, permits
from app.services.identifiers import InvalidIdentifier, validate_kpj
from app.services.organisations import enrolled_workers
from app.services.workers import find_by_nik
from tests.mutation.support import refusal
from tests.mutation.test_mut_batches import RULES, checked, new_batch, person
from tests.mutation.test_mut_services import new_company, new_worker

# --- contributions -----------------------------------------------------------------------------


def test_a_half_rupiah_is_rounded_up():
    assert contributions._rupiah(Decimal("10.5")) == 11
    assert contributions._rupiah(Decimal("2.5")) == 3
    assert contributions._rupiah(Decimal("2.49")) == 2


def test_a_missing_rate_names_the_program_and_the_date(en):
    book = contributions.RateBook([], [])
    assert refusal(book.wage_rate, "jkk", dt.date(2000, 1, 2), 1) == (
        "No JKK rate is in force on 2000-01-02; an administrator must add one.",
        None,
        422,
    )


def test_a_wage_earners_breakdown_is_based_on_the_wage(session):
    book = contributions.RateBook.load(session)
    breakdown = contributions.wage_breakdown(book, ["jkm"], 1_000_000, 1, dt.date(2026, 1, 1))
    assert breakdown.basis == "wage" and [i.program for i in breakdown.items] == ["jkm"]


def test_a_payers_bill_sums_all_its_enrollments_and_skips_drafts(session, reg):
    worker_a, worker_b, draft = (new_worker(session, reg, segment="bpu") for _ in range(3))
    c = new_company(session, reg)
    period = dt.date(2043, 2, 1)
    for worker, status in ((worker_a, "active"), (worker_b, "lapsed"), (draft, "draft")):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                start_date=period,
                end_date=dt.date(2043, 2, 28),
                status=status,
                payer_type="employer",
                company=c,
                declared_wage=1_000_000,
            )
        )
    session.flush()
    contributions.bill_month(session, period)
    bill = session.query(Contribution).filter_by(payer_key=f"company:{c.id}", period=period).one()
    assert bill.amount_due == 2 * 16_800


# --- identifiers, workers, organisations -------------------------------------------------------


def test_an_empty_kpj_is_refused_whatever_the_pattern():
    with pytest.raises(InvalidIdentifier):
        validate_kpj("", r"^X*$")
    assert validate_kpj("ab 12", r"^[a-z0-9]+$") == "ab12"


def test_a_typed_nik_of_sixteen_characters_that_are_not_all_digits_is_not_looked_up(session, reg):
    worker = new_worker(session, reg)
    assert find_by_nik(session, worker.nik[:15] + "a", UNRESTRICTED) is None
    assert find_by_nik(session, worker.nik + "1", UNRESTRICTED) is None


def test_only_active_enrollments_count_and_each_worker_once(session, reg):
    c = new_company(session, reg)
    active, ended = new_worker(session, reg, company=c), new_worker(session, reg, company=c)
    for worker, status, start in (
        (active, "active", dt.date(2030, 1, 1)),
        (active, "ended", dt.date(2029, 1, 1)),
        (ended, "ended", dt.date(2029, 1, 1)),
    ):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                start_date=start,
                status=status,
                payer_type="employer",
                company=c,
                declared_wage=1,
            )
        )
    session.flush()
    assert enrolled_workers(session, c.id) == 1


# --- permits --------------------------------------------------------------------------------------


def test_a_typed_value_that_is_no_identifier_is_explained(en):
    assert refusal(permits.identify, "12") == (
        "Give an NIB (13 digits), an NPWP (15 or 16 digits) or an NPP.",
        "identifier",
        400,
    )


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"company": None}, "Choose the contractor."),
        ({"spk_date": dt.date(2026, 3, 2)}, "The SPK date cannot be in the future."),
        ({"registered_on": dt.date(2026, 2, 28)}, "A project cannot be registered before its SPK."),
        ({"end_date": dt.date(2026, 2, 28)}, "The planned end cannot be before the SPK date."),
        ({"contract_value": 0}, "The contract value must be more than zero."),
    ],
)
def test_each_refusal_of_a_project_is_worded(en, overrides, message):
    values = dict(
        company=SimpleNamespace(regency_id=7),
        spk_date=dt.date(2026, 3, 1),
        registered_on=None,
        end_date=None,
        contract_value=1,
    )
    project = SimpleNamespace(**(values | overrides))
    assert refusal(permits.prepare_project, project, today=dt.date(2026, 3, 1))[0] == message


def test_a_project_spk_of_today_is_accepted_by_default():
    project = SimpleNamespace(
        company=SimpleNamespace(regency_id=7),
        spk_date=dt.date.today(),
        registered_on=None,
        end_date=None,
        contract_value=1,
    )
    permits.prepare_project(project)
    assert project.regency_id == 7


# --- batch files ---------------------------------------------------------------------------------


def xlsx(*rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_broken_workbook_and_a_formula_in_one_are_worded(en):
    assert refusal(batch_import.read_table, "a.xlsx", b"PK not really") == (
        "The file is not a valid XLSX workbook.",
        None,
        422,
    )
    head = ["NIK", "Nama", "Jenis kelamin", "Tanggal lahir", "Kode desa"]
    assert refusal(batch_import.read_table, "a.xlsx", xlsx(head, ["1", "=1+1"]))[0] == (
        "Line 2 holds a formula; save the file with values only."
    )


def test_a_workbook_formula_is_seen_as_a_formula_not_its_value(en):
    head = ["NIK", "Nama", "Jenis kelamin", "Tanggal lahir", "Kode desa"]
    rows = batch_import.read_table("a.xlsx", xlsx(head, [1.0, "A", "L", "x", "v"]))
    assert rows == [
        {"line": 2, "nik": 1, "name": "A", "sex": "L", "birth_date": "x", "village_code": "v"}
    ]


# --- a draft's corrections ------------------------------------------------------------------------


def draft_with(session, reg, villages, records):
    batch = new_batch(session, reg)
    rows = []
    seen: dict = {}
    for record in records:
        row = BatchRow(batch=batch, **checked(session, batch, record, seen=seen))
        seen.setdefault(record["nik"], record["line"])
        session.add(row)
        rows.append(row)
    session.flush()
    return batch, rows


def test_a_correction_is_saved_only_when_the_row_becomes_valid(session, reg, villages, en):
    first = person(villages[0], line=2)
    batch, (row,) = draft_with(session, reg, villages, [first | {"name": ""}])
    assert batch_drafts.fix_row(session, batch, row, first | {"sex": "X", "name": ""}, RULES) == {
        "name": "The name is required.",
        "sex": "Write L or P.",
    }
    assert row.name is None and row.errors is not None
    assert batch_drafts.fix_row(session, batch, row, first, RULES) == {}
    assert (row.name, row.errors, row.sex) == ("Warga Uji", None, "M")


def test_a_correction_is_checked_against_the_other_rows_nik(session, reg, villages, en):
    first = person(villages[0], line=2)
    second = person(villages[0], line=3)
    batch, (row1, row2) = draft_with(session, reg, villages, [first, second])
    assert batch_drafts.fix_row(
        session,
        batch,
        row2,
        second | {"nik": first["nik"], "birth_date": first["birth_date"]},
        RULES,
    ) == {"nik": "The same NIK is on line 2."}
    assert batch_drafts.fix_row(session, batch, row1, first, RULES) == {}


def test_changing_a_nik_clears_the_repeat_it_caused(session, reg, villages, en):
    first = person(villages[0], line=2)
    repeat = first | {"line": 3}
    third = first | {"line": 4}
    batch, (row1, row2, row3) = draft_with(session, reg, villages, [first, repeat, third])
    assert json.loads(row2.errors) == {"nik": "The same NIK is on line 2."}
    fresh = person(villages[0], line=2)
    assert batch_drafts.fix_row(session, batch, row1, fresh, RULES) == {}
    assert row2.errors is None
    assert json.loads(row3.errors) == {"nik": "The same NIK is on line 3."}


def test_removing_a_row_clears_the_repeat_it_caused(session, reg, villages, en):
    first = person(villages[0], line=2)
    batch, (row1, row2, row3) = draft_with(
        session, reg, villages, [first, first | {"line": 3}, first | {"line": 4}]
    )
    batch_drafts.remove_row(session, batch, row1, RULES)
    assert row2.errors is None
    assert json.loads(row3.errors) == {"nik": "The same NIK is on line 3."}
    assert [r.line for r in batch.rows] == [3, 4]


def test_a_submitted_or_busy_batch_takes_no_correction(session, reg, villages, en):
    first = person(villages[0], line=2)
    batch, (row,) = draft_with(session, reg, villages, [first])
    expected = ("Only a draft or returned batch can be corrected.", None, 409)
    batch.check_status = "queued"
    assert refusal(batch_drafts.fix_row, session, batch, row, first, RULES) == expected
    assert refusal(batch_drafts.remove_row, session, batch, row, RULES) == expected
    batch.check_status, batch.status = None, "submitted"
    assert refusal(batch_drafts.fix_row, session, batch, row, first, RULES) == expected
    assert refusal(batch_drafts.remove_row, session, batch, row, RULES) == expected


def test_a_stored_row_reads_back_as_its_record():
    row = SimpleNamespace(
        line=4,
        nik="1",
        name="A",
        birth_date=dt.date(2000, 1, 1),
        sex="F",
        village_code="v",
        segment="bpu",
        dtsen_decile=3,
        declared_income=5,
    )
    assert batch_drafts.row_record(row) == {
        "line": 4,
        "nik": "1",
        "name": "A",
        "birth_date": dt.date(2000, 1, 1),
        "sex": "P",
        "village_code": "v",
        "segment": "bpu",
        "dtsen_decile": 3,
        "declared_income": 5,
    }
    assert batch_drafts.row_record(SimpleNamespace(**(vars(row) | {"sex": "M"})))["sex"] == "L"
    assert batch_drafts.row_record(SimpleNamespace(**(vars(row) | {"sex": None})))["sex"] == ""


def test_a_queued_file_is_checked_and_staged_with_its_digest(session, reg, villages, monkeypatch):
    monkeypatch.setattr(session, "commit", session.flush)  # the test's transaction rolls back
    batch = new_batch(session, reg)
    record = person(villages[0])
    head = ";".join(["NIK", "Nama", "Tanggal lahir", "Jenis kelamin", "Kode desa"])
    line = ";".join([record["nik"], "Warga", record["birth_date"], "L", record["village_code"]])
    data = f"{head}\n{line}\n".encode()
    now = dt.datetime(2031, 1, 2)
    batch_drafts.queue_file(session, batch, "warga.csv", data, now)
    batch_drafts.check_pending(session, batch.id, RULES)
    assert (batch.check_status, batch.pending_file, batch.check_done) == ("done", None, 1)
    assert batch.file_name == "warga.csv" and len(batch.file_sha256) == 64
    assert [(r.line, r.errors) for r in batch.rows] == [(2, None)]


def test_a_refused_file_fails_the_check_with_the_reason(session, reg, monkeypatch, en):
    monkeypatch.setattr(session, "commit", session.flush)
    monkeypatch.setattr(session, "rollback", lambda: None)
    batch = new_batch(session, reg)
    batch_drafts.queue_file(session, batch, "a.csv", b"nik;nama\n1;A\n", dt.datetime(2031, 1, 2))
    batch_drafts.check_pending(session, batch.id, RULES)
    assert batch.check_status == "failed" and batch.pending_file is None
    assert batch.check_error == (
        "The file lacks the columns: birth_date, sex, village_code. Use the template."
    )
    batch_drafts.check_pending(session, batch.id, RULES)  # no longer queued: nothing happens
    assert batch.check_status == "failed"


def test_stale_checks_are_failed_by_the_clean_up(session, reg, monkeypatch, en):
    monkeypatch.setattr(session, "commit", session.flush)
    now = dt.datetime(2031, 1, 2, 12, 0)
    stale = new_batch(
        session, reg, check_status="running", check_started_at=now - dt.timedelta(minutes=31)
    )
    fresh = new_batch(
        session, reg, check_status="queued", check_started_at=now - dt.timedelta(minutes=29)
    )
    other = new_batch(
        session, reg, check_status="queued", check_started_at=now - dt.timedelta(hours=2)
    )
    batch_drafts.fail_stale_checks(session, now, batch_id=stale.id)
    assert (stale.check_status, stale.check_error) == (
        "failed",
        "The check was interrupted; upload the file again.",
    )
    assert other.check_status == "queued" and fresh.check_status == "queued"
    batch_drafts.fail_stale_checks(session, now)
    assert other.check_status == "failed" and fresh.check_status == "queued"


def test_the_overview_pages_the_rows_and_counts_the_problems(session, reg, villages, en):
    records = [person(villages[0], line=n) for n in range(2, 6)]
    records[1]["name"] = ""
    batch, rows = draft_with(session, reg, villages, records)
    now = dt.datetime(2031, 1, 2, tzinfo=dt.UTC)
    page = batch_drafts.overview(
        session, batch, UNRESTRICTED, now, page=2, only_problems=False, per_page=3
    )
    assert (page["valid_count"], page["invalid_count"], page["pages"], page["page"]) == (3, 1, 2, 2)
    assert [r["row"].line for r in page["rows"]] == [5]
    problems = batch_drafts.overview(
        session, batch, UNRESTRICTED, now, page=9, only_problems=True, per_page=3
    )
    assert (problems["page"], problems["pages"], problems["only_problems"]) == (1, 1, True)
    assert [(r["row"].line, r["errors"]) for r in problems["rows"]] == [
        (3, {"name": "The name is required."})
    ]
    assert problems["checking"] is False and problems["check_failed"] is False
    assert problems["seen_in"] == {"ids": [], "others": 0} and problems["budget"].workers == 3
    batch.check_status = "running"
    batch.check_started_at = dt.datetime(2031, 1, 1)
    stale = batch_drafts.overview(
        session, batch, UNRESTRICTED, now, page=0, only_problems=True, per_page=3
    )
    assert (stale["checking"], stale["check_failed"], stale["page"]) == (False, True, 1)
    assert stale["check_error"] == "The check was interrupted; upload the file again."


def test_a_worker_enrolled_after_the_check_stops_the_approval(session, reg, villages, en):
    from app.services import batches

    batch = new_batch(session, reg, status="submitted", maker_id=1)
    record = person(villages[0])
    session.add(BatchRow(batch=batch, **checked(session, batch, record)))
    nik, born = record["nik"], dt.date.fromisoformat(record["birth_date"])
    worker = Worker(
        nik=nik,
        name="Baru",
        birth_date=born,
        sex="M",
        village=villages[0],
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
            start_date=dt.date(2030, 1, 1),
            status="active",
            payer_type="worker",
            declared_wage=1,
        )
    )
    session.flush()
    assert refusal(batches.enroll_rows, session, batch) == (
        "Lines 2 were enrolled elsewhere since the check; return the batch for revision.",
        None,
        409,
    )


def test_each_lapsed_certificate_is_counted_once(session, reg, monkeypatch):
    from tests.mutation.test_mut_services import decide

    monkeypatch.setattr(session, "commit", session.flush)
    now = dt.datetime(2036, 6, 15, 10, 0)
    first, second = new_company(session, reg), new_company(session, reg)
    checks = [decide(session, c, decision="issued", now=now) for c in (first, second)]
    first.declared_workforce = second.declared_workforce = 1
    session.flush()
    later = dt.datetime(2036, 7, 1)
    assert permits.revoke_lapsed(session, later) == 2
    assert permits.revoke_lapsed(session, later) == 0
    assert [c.revoked_at for c in checks] == [later, later]


def test_a_decision_records_its_officer(session, reg):
    from tests.mutation.test_mut_services import decide

    check = permits.record_decision(
        session,
        new_company(session, reg),
        permit_type="building",
        application_number="APP-9",
        decision="refused",
        officer_id=1,
        note=None,
        now=dt.datetime(2036, 1, 1),
    )
    assert check.officer_id == 1 and decide


def test_a_company_npp_follows_the_configured_pattern(session, reg):
    from app.models import Company
    from app.services.organisations import validate_company

    company = Company(name="PT Pola", npp="ab1234", regency=reg)
    validate_company(session, company, r"^[A-Z]{2}\d{4}$")
    assert company.npp == "AB1234"


def test_a_statement_lists_a_workers_enrollments_by_start_and_counts_a_missing_amount_as_zero(
    session, reg
):
    from app.models import Sponsor
    from app.services.sponsors import statement_lines

    sponsor = Sponsor(name="APBD Urut", kind="apbd", regency=reg)
    worker = new_worker(session, reg, name="Sama")
    for start, end, monthly in (
        (dt.date(2037, 5, 1), None, None),
        (dt.date(2037, 1, 1), dt.date(2037, 2, 28), 10),
    ):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                start_date=start,
                end_date=end,
                status="active" if end is None else "ended",
                payer_type="apbd",
                sponsor=sponsor,
                declared_wage=1,
                monthly_contribution=monthly,
            )
        )
    session.flush()
    lines = list(statement_lines(session, sponsor.id, dt.date(2037, 1, 1), dt.date(2037, 12, 31)))
    assert [(x.first, x.monthly, x.months, x.amount) for x in lines] == [
        (dt.date(2037, 1, 1), 10, 2, 20),
        (dt.date(2037, 5, 1), 0, 8, 0),
    ]


def test_removing_the_last_repeat_keeps_the_others_flagged_against_the_first(
    session, reg, villages, en
):
    first = person(villages[0], line=2)
    batch, (row1, row2, row3) = draft_with(
        session, reg, villages, [first, first | {"line": 3}, first | {"line": 4}]
    )
    batch_drafts.remove_row(session, batch, row3, RULES)
    assert row1.errors is None
    assert json.loads(row2.errors) == {"nik": "The same NIK is on line 2."}


def test_an_approved_batch_stores_new_workers_and_audits_each_record(session, reg, villages):
    from app.models import AuditEvent
    from app.services import batches
    from tests.mutation.test_mut_batches import new_batch as make_batch

    batch = make_batch(session, reg, status="submitted", maker_id=1)
    records = [person(villages[0], line=2, dtsen_decile="3", declared_income="5000000")]
    records.append(person(villages[0], line=3, dtsen_decile="", declared_income="1000000"))
    for record in records:
        session.add(BatchRow(batch=batch, **checked(session, batch, record)))
    session.flush()
    assert batches.enroll_rows(session, batch) == 2
    rows = batches.enrolled(session, batch)
    assert [row.line for row, *_ in rows] == [2, 3]
    (row_a, worker_a, _v, enrollment_a), (_r, worker_b, _v2, enrollment_b) = rows
    assert (worker_a.dtsen_decile, worker_b.dtsen_decile) == (3, None)
    assert worker_a.created_on is not None and worker_a.changed_on is not None
    book = contributions.RateBook.load(session)
    expected = contributions.bracket_breakdown(book, ["jkk", "jkm"], 5_000_000, batch.period_start)
    assert enrollment_a.monthly_contribution == expected.total
    assert enrollment_a.declared_wage == 5_000_000 and enrollment_b.monthly_contribution == 16_800
    events = session.query(AuditEvent).filter(AuditEvent.action == "create")
    audited = {
        (e.entity, e.entity_id)
        for e in events.filter(AuditEvent.entity.in_(["Worker", "Enrollment"]))
    }
    assert {("Worker", str(worker_a.id)), ("Worker", str(worker_b.id))} <= audited
    assert {("Enrollment", str(enrollment_a.id)), ("Enrollment", str(enrollment_b.id))} <= audited


def test_clashes_at_approval_are_listed_line_by_line(session, reg, villages, en):
    from app.services import batches
    from tests.mutation.test_mut_batches import enroll
    from tests.mutation.test_mut_batches import new_batch as make_batch

    batch = make_batch(session, reg, status="submitted", maker_id=1)
    for line in (2, 3):
        record = person(villages[0], line=line)
        session.add(BatchRow(batch=batch, **checked(session, batch, record)))
    session.flush()
    for row in batch.rows:
        nik, _born = row.nik, row.birth_date
        worker = Worker(
            nik=nik,
            name="Baru",
            birth_date=row.birth_date,
            sex="M",
            village=villages[0],
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
                start_date=dt.date(2030, 1, 1),
                status="active",
                payer_type="worker",
                declared_wage=1,
            )
        )
    session.flush()
    assert refusal(batches.enroll_rows, session, batch)[0] == (
        "Lines 2, 3 were enrolled elsewhere since the check; return the batch for revision."
    )
    assert enroll


def test_an_ended_enrollment_does_not_stop_a_new_one_and_a_known_active_one_does(session, reg, en):
    from app.services.enrollments import prepare_enrollment

    worker = new_worker(session, reg, segment="pu")
    session.add(
        Enrollment(
            worker=worker,
            regency_id=reg.id,
            jkk=True,
            jkm=True,
            start_date=dt.date(2029, 1, 1),
            end_date=dt.date(2029, 12, 31),
            status="ended",
            payer_type="worker",
            declared_wage=1,
        )
    )
    session.flush()
    rahmat = session.query(Worker).filter_by(name="Rahmat Hidayat").one()
    fresh = Enrollment(
        worker=worker,
        jkk=True,
        jkm=True,
        jht=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=3_000_000,
        payer_type="worker",
    )
    prepare_enrollment(session, fresh)
    assert fresh.status == "active" and fresh.worker_share == 60_000
    again = Enrollment(
        worker=rahmat,
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=1,
        payer_type="worker",
    )
    assert refusal(prepare_enrollment, session, again)[2] == 409


def test_a_wage_of_one_rupiah_is_accepted(session, reg):
    from app.services.enrollments import prepare_enrollment

    item = Enrollment(
        worker=new_worker(session, reg, segment="bpu"),
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=1,
        payer_type="worker",
    )
    prepare_enrollment(session, item)
    assert item.status == "active"


def test_a_sixteen_digit_npwp_is_found_by_its_fifteen_digit_form(session, reg):
    from app.services.identifiers import make_npwp15

    npwp15 = make_npwp15(950000)
    company = new_company(session, reg, npwp="0" + npwp15)
    assert permits.find_company(session, npwp15, UNRESTRICTED) is company
