"""Refusals and figures of the service rules, called directly, read in English.

Each refusal is checked for its exact message, field and status: the message is what the user
reads, the field is where the screen and the API put it. Records are made in the test's own
transaction and rolled back; names and NIKs come from counters no other test uses.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from app.models import (
    Company,
    ComplianceRule,
    Contribution,
    Enrollment,
    PermitCheck,
    Regency,
    Sponsor,
    SponsorCommitment,
    Village,
    Worker,
)
from app.scope import UNRESTRICTED, Scope
from app.services import compliance, contributions, permits
from app.services.enrollments import end_enrollment, load_references, prepare_enrollment
from app.services.organisations import company_dependents, enrolled_workers, validate_company
from app.services.workers import find_by_nik, prepare_worker, worker_dependents
from tests.helpers import unique_nik
from tests.mutation.support import REGENCY, refusal
from tests.world import KAPUAS, KAPUAS_VILLAGE

N = itertools.count(1)


def regency(session, code=REGENCY) -> Regency:
    return session.query(Regency).filter_by(code=code).one()


def village_of(session, reg: Regency) -> Village:
    return session.query(Village).filter_by(regency_id=reg.id).order_by(Village.code).first()


def new_company(session, reg: Regency, **values) -> Company:
    n = next(N)
    base = dict(
        name=f"PT Mutasi {n}",
        npp=f"MS{n:06d}",
        size_class="small",
        risk_group=1,
        regency=reg,
        declared_workforce=0,
    )
    row = Company(**(base | values))
    session.add(row)
    session.flush()
    return row


def new_worker(session, reg: Regency, **values) -> Worker:
    v = village_of(session, reg)
    nik, born = unique_nik(v.code.rsplit(".", 1)[0])
    base = dict(
        nik=nik,
        name=f"Pekerja Mutasi {next(N)}",
        birth_date=born,
        sex="M",
        village=v,
        regency_id=reg.id,
        segment="vulnerable",
    )
    row = Worker(**(base | values))
    session.add(row)
    session.flush()
    return row


# --- contributions --------------------------------------------------------------------------


def payment(paid, on=None):
    return Contribution(amount_paid=paid, paid_on=on)


def test_a_negative_or_missing_payment_is_refused(en):
    for paid in (-1, None):
        assert refusal(contributions.check_payment, payment(paid)) == (
            "The amount paid cannot be negative.",
            "amount_paid",
            422,
        )


def test_a_payment_of_nothing_needs_no_date_but_one_rupiah_does(en):
    contributions.check_payment(payment(0))
    assert refusal(contributions.check_payment, payment(1)) == (
        "Enter the date of the payment.",
        "paid_on",
        422,
    )


def test_a_payment_dated_today_is_accepted_and_tomorrow_refused(en):
    today = dt.date(2030, 5, 5)
    contributions.check_payment(payment(5, today), today=today)
    assert refusal(
        contributions.check_payment, payment(5, today + dt.timedelta(days=1)), today=today
    ) == ("The payment date cannot be in the future.", "paid_on", 422)
    contributions.check_payment(payment(0, dt.date.today()))


def test_each_payer_gets_its_own_key_and_column():
    enrollment = SimpleNamespace(payer_type="employer", company_id=1, worker_id=2, sponsor_id=3)
    assert contributions.payer_of(enrollment) == ("company:1", {"company_id": 1})
    enrollment.payer_type = "worker"
    assert contributions.payer_of(enrollment) == ("worker:2", {"worker_id": 2})
    enrollment.payer_type = "apbd"
    assert contributions.payer_of(enrollment) == ("sponsor:3", {"sponsor_id": 3})


def test_a_month_starts_on_its_first_day_and_the_due_month_is_the_last_one():
    assert contributions.month_start(dt.date(2030, 3, 31)) == dt.date(2030, 3, 1)
    assert contributions.last_due_month(dt.date(2030, 3, 1)) == dt.date(2030, 2, 1)
    assert contributions.last_due_month(dt.date(2030, 1, 31)) == dt.date(2029, 12, 1)


def test_a_bill_is_written_per_payer_with_the_payers_regency(session):
    reg = regency(session)
    c = new_company(session, reg)
    own = new_worker(session, reg, segment="bpu")
    period = dt.date(2040, 3, 1)
    for worker, payer, company in (
        (new_worker(session, reg, segment="pu", company=c), "employer", c),
        (own, "worker", None),
    ):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                jht=False,
                jp=False,
                jkp=False,
                start_date=period,
                end_date=period,
                status="ended",
                payer_type=payer,
                company=company,
                declared_wage=1_000_000,
            )
        )
    session.flush()
    assert contributions.bill_month(session, dt.date(2040, 3, 20)) >= 2
    bills = {
        b.payer_key: b for b in session.query(Contribution).filter(Contribution.period == period)
    }
    employer, worker = bills[f"company:{c.id}"], bills[f"worker:{own.id}"]
    assert (employer.company_id, employer.regency_id, employer.amount_paid) == (c.id, reg.id, 0)
    assert (worker.worker_id, worker.regency_id) == (own.id, reg.id)
    assert employer.amount_due > 0 and worker.amount_due == 16_800
    worker.amount_due = 1
    contributions.bill_month(session, period)
    assert worker.amount_due == 16_800


def test_an_enrollment_outside_the_month_is_not_billed(session):
    reg = regency(session)
    w = new_worker(session, reg, segment="bpu")
    session.add(
        Enrollment(
            worker=w,
            regency_id=reg.id,
            jkk=True,
            jkm=True,
            start_date=dt.date(2041, 4, 1),
            end_date=dt.date(2041, 4, 30),
            status="ended",
            payer_type="worker",
            declared_wage=1_000_000,
        )
    )
    session.flush()
    for period in (dt.date(2041, 3, 1), dt.date(2041, 5, 1)):
        contributions.bill_month(session, period)
        assert not session.query(Contribution).filter_by(worker_id=w.id, period=period).count()
    contributions.bill_month(session, dt.date(2041, 4, 1))
    assert session.query(Contribution).filter_by(worker_id=w.id).count() == 1


def test_arrears_count_only_what_is_still_owed_up_to_the_due_month(session):
    reg = regency(session)
    c = new_company(session, reg)
    for period, due, paid in (
        (dt.date(2042, 1, 1), 100, 100),
        (dt.date(2042, 2, 1), 100, 30),
        (dt.date(2042, 3, 1), 100, 0),
        (dt.date(2042, 4, 1), 100, 0),
    ):
        session.add(
            Contribution(
                payer_key=f"company:{c.id}",
                company=c,
                regency_id=reg.id,
                period=period,
                amount_due=due,
                amount_paid=paid,
            )
        )
    session.flush()
    owed = contributions.company_arrears(session, c.id, dt.date(2042, 4, 10))
    assert owed == contributions.Arrears(170, 2, dt.date(2042, 2, 1))
    assert contributions.company_arrears(session, c.id, dt.date(2042, 1, 31)).amount == 0


# --- enrollments ----------------------------------------------------------------------------


def enrollment(**values) -> Enrollment:
    base = dict(
        worker=SimpleNamespace(id=1, regency_id=1),
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        end_date=None,
        declared_wage=1_000_000,
        payer_type="worker",
    )
    return SimpleNamespace(**(base | values))


@pytest.mark.parametrize(
    "values,message,field",
    [
        ({"worker": None}, "Choose the worker to enroll.", "worker"),
        ({"jkk": False}, "Every enrollment includes JKK and JKM.", "jkk"),
        ({"jkm": False}, "Every enrollment includes JKK and JKM.", "jkk"),
        (
            {"end_date": dt.date(2029, 12, 31)},
            "The end date cannot be before the start date.",
            "end_date",
        ),
        (
            {"declared_wage": 0},
            "The declared wage or income must be more than zero.",
            "declared_wage",
        ),
        (
            {"declared_wage": None},
            "The declared wage or income must be more than zero.",
            "declared_wage",
        ),
        (
            {"declared_wage": -5},
            "The declared wage or income must be more than zero.",
            "declared_wage",
        ),
        ({"payer_type": "employer", "company": None}, "Choose the employer that pays.", "company"),
        (
            {"payer_type": "apbd", "sponsor": None},
            "Choose a sponsor of the kind that pays.",
            "sponsor",
        ),
        (
            {"payer_type": "csr", "sponsor": SimpleNamespace(kind="apbd")},
            "Choose a sponsor of the kind that pays.",
            "sponsor",
        ),
    ],
)
def test_an_enrollment_that_cannot_be_true_is_refused(session, en, values, message, field):
    assert refusal(prepare_enrollment, session, enrollment(**values)) == (message, field, 422)


def test_an_enrollment_ending_on_its_start_day_is_accepted(session):
    reg = regency(session)
    item = Enrollment(
        worker=new_worker(session, reg, segment="bpu"),
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        end_date=dt.date(2030, 1, 1),
        declared_wage=1_000_000,
        payer_type="worker",
    )
    prepare_enrollment(session, item)
    assert (item.status, item.regency_id, item.monthly_contribution) == ("active", reg.id, 16_800)


def test_a_sponsored_enrollment_drops_the_company_and_an_employers_drops_the_sponsor(session):
    reg = regency(session)
    sponsor = Sponsor(name=f"CSR {next(N)}", kind="csr_person", regency=reg)
    c = new_company(session, reg)
    workers = [new_worker(session, reg, segment="bpu") for _ in range(3)]
    item = Enrollment(
        worker=workers[0],
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=1_000_000,
        payer_type="csr",
        sponsor=sponsor,
        company=c,
    )
    prepare_enrollment(session, item)
    assert item.company is None and item.sponsor is sponsor
    other = Enrollment(
        worker=workers[1],
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=1_000_000,
        payer_type="employer",
        sponsor=sponsor,
        company=c,
    )
    prepare_enrollment(session, other)
    assert other.sponsor is None and other.company is c
    own = Enrollment(
        worker=workers[2],
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 1, 1),
        declared_wage=1_000_000,
        payer_type="worker",
        sponsor=sponsor,
        company=c,
    )
    prepare_enrollment(session, own)
    assert own.sponsor is None and own.company is None


def test_a_second_active_enrollment_is_refused_but_an_ended_one_may_be_kept(session, en):
    reg = regency(session)
    worker = new_worker(session, reg, segment="bpu")

    def make(status=None):
        return Enrollment(
            worker=worker,
            jkk=True,
            jkm=True,
            start_date=dt.date(2030, 1, 1),
            declared_wage=1_000_000,
            payer_type="worker",
            status=status,
        )

    first = make()
    prepare_enrollment(session, first)
    session.add(first)
    session.flush()
    prepare_enrollment(session, first)  # its own active enrollment is no clash
    ended = make("ended")
    prepare_enrollment(session, ended)
    assert ended.status == "ended"
    assert refusal(prepare_enrollment, session, make()) == (
        "This worker already has an active enrollment; end it first.",
        "worker",
        409,
    )


def test_ending_an_enrollment_never_dates_it_before_its_start(session, en, monkeypatch):
    reg = regency(session)
    worker = new_worker(session, reg, segment="bpu")
    item = Enrollment(
        worker=worker,
        regency_id=reg.id,
        jkk=True,
        jkm=True,
        start_date=dt.date(2030, 6, 1),
        declared_wage=1_000_000,
        payer_type="worker",
        status="lapsed",
    )
    session.add(item)
    session.flush()
    monkeypatch.setattr(session, "commit", session.flush)  # the test's transaction rolls back
    end_enrollment(session, item, dt.date(2030, 5, 1))
    assert (item.status, item.end_date) == ("ended", dt.date(2030, 6, 1))
    assert refusal(end_enrollment, session, item, dt.date(2030, 7, 1)) == (
        "Only active or lapsed enrollments can be ended.",
        None,
        422,
    )


def test_references_outside_the_scope_read_as_not_found(session, en):
    reg = regency(session)
    kapuas_only = Scope(regency_ids=frozenset({regency(session, KAPUAS).id}))
    worker = new_worker(session, reg)
    item = SimpleNamespace(worker_id=worker.id, company_id=None, sponsor_id=None, worker=None)
    assert refusal(load_references, session, item, kapuas_only) == (
        f"Worker {worker.id} was not found.",
        "worker_id",
        404,
    )
    load_references(session, item, UNRESTRICTED)
    assert item.worker is worker
    c = new_company(session, reg)
    item = SimpleNamespace(worker_id=None, company_id=c.id, sponsor_id=None)
    assert refusal(load_references, session, item, kapuas_only)[:2] == (
        f"Company {c.id} was not found.",
        "company_id",
    )
    item = SimpleNamespace(worker_id=None, company_id=None, sponsor_id=987654)
    assert refusal(load_references, session, item, UNRESTRICTED)[:2] == (
        "Sponsor 987654 was not found.",
        "sponsor_id",
    )


# --- workers and organisations ---------------------------------------------------------------


def test_a_worker_without_a_village_is_refused(session, en):
    worker = Worker(nik="1", village=None)
    assert refusal(prepare_worker, session, worker, UNRESTRICTED) == (
        "Choose the worker's village.",
        "village",
        422,
    )


def test_a_village_operator_registers_only_workers_of_the_village(session, en):
    reg = regency(session)
    v = village_of(session, reg)
    other = session.query(Village).filter(Village.regency_id == reg.id, Village.id != v.id).first()
    scope = Scope(regency_ids=frozenset({reg.id}), village_id=v.id)
    worker = Worker(nik=None, kpj=None, village=other, village_id=other.id)
    assert refusal(prepare_worker, session, worker, scope) == (
        "You can only register workers who live in your village.",
        None,
        422,
    )
    mine = Worker(nik=None, kpj=None, village=v, village_id=v.id, welfare_source="")
    prepare_worker(session, mine, scope)
    assert mine.regency_id == reg.id and mine.welfare_source is None


def test_an_opd_operators_worker_belongs_to_the_opd_unless_one_is_chosen(session):
    reg = regency(session)
    v = village_of(session, reg)
    scope = Scope(regency_ids=frozenset({reg.id}), opd_id=77)
    worker = Worker(village=v)
    prepare_worker(session, worker, scope)
    assert worker.opd_id == 77
    chosen = Worker(village=v, opd_id=5)
    prepare_worker(session, chosen, scope)
    assert chosen.opd_id == 5
    plain = Worker(village=v)
    prepare_worker(session, plain, Scope(regency_ids=frozenset({reg.id})))
    assert plain.opd_id is None


def test_a_taken_nik_or_kpj_is_a_conflict_on_its_field(session, en):
    reg = regency(session)
    taken = new_worker(session, reg, kpj=f"KPJ{next(N):08d}")
    v = village_of(session, reg)
    assert refusal(prepare_worker, session, Worker(nik=taken.nik, village=v), UNRESTRICTED) == (
        "A worker with this NIK is already registered.",
        "nik",
        409,
    )
    assert refusal(
        prepare_worker, session, Worker(nik="x", kpj=taken.kpj, village=v), UNRESTRICTED
    ) == ("A worker with this KPJ number is already registered.", "kpj", 409)
    prepare_worker(session, taken, UNRESTRICTED)  # its own NIK and KPJ are no clash


def test_a_worker_has_at_most_one_employer(session, en):
    reg = regency(session)
    v = village_of(session, reg)
    c = new_company(session, reg)
    worker = Worker(village=v, company=c, employer_village=v)
    assert refusal(prepare_worker, session, worker, UNRESTRICTED) == (
        "A worker has at most one employer: a company, an OPD or a village government.",
        None,
        422,
    )
    prepare_worker(session, Worker(village=v, company=c), UNRESTRICTED)


def test_a_worker_is_found_by_a_typed_nik_inside_the_scope_only(session):
    reg = regency(session)
    worker = new_worker(session, reg)
    typed = f"{worker.nik[:6]}.{worker.nik[6:12]}-{worker.nik[12:]} "
    assert find_by_nik(session, typed, UNRESTRICTED) is worker
    assert find_by_nik(session, typed, Scope(regency_ids=frozenset({reg.id + 1000}))) is None
    assert find_by_nik(session, worker.nik[:15], UNRESTRICTED) is None
    assert find_by_nik(session, worker.nik[:15] + "x", UNRESTRICTED) is None
    assert find_by_nik(session, None, UNRESTRICTED) is None


def test_a_worker_or_company_with_records_pointing_at_it_has_dependents(session):
    reg = regency(session)
    c = new_company(session, reg)
    worker = new_worker(session, reg)
    assert not worker_dependents(worker) and not company_dependents(c)
    worker.company = c
    session.flush()
    assert company_dependents(c)
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
    assert worker_dependents(worker)
    assert enrolled_workers(session, c.id) == 1
    assert enrolled_workers(session, c.id + 100000) == 0


def test_company_identifiers_are_normalised_and_blank_ones_stored_as_none(session, en):
    reg = regency(session)
    c = Company(name="PT A", nib="9120.0012-34567 ", npwp="", kbli=None, npp="", regency=reg)
    validate_company(session, c, r"^[A-Z0-9]{8}$")
    assert (c.nib, c.npwp, c.kbli, c.npp, c.regency_id) == (
        "9120001234567",
        None,
        None,
        None,
        reg.id,
    )


def test_a_company_needs_a_regency_and_a_village_inside_it(session, en):
    reg = regency(session)
    c = Company(name="PT B", regency=None, regency_id=None)
    assert refusal(validate_company, session, c, ".*") == (
        "Choose the company's regency.",
        "regency",
        422,
    )
    kapuas_village = session.query(Village).filter_by(code=KAPUAS_VILLAGE).one()
    c = Company(name="PT C", regency_id=reg.id, village_id=kapuas_village.id)
    assert refusal(validate_company, session, c, ".*") == (
        "The village does not lie in the company's regency.",
        "village",
        422,
    )
    c = Company(name="PT D", regency=reg, village=village_of(session, reg))
    validate_company(session, c, ".*")


def test_a_malformed_company_identifier_is_refused_on_its_field(session):
    reg = regency(session)
    for field, value in (("nib", "123"), ("npwp", "12"), ("kbli", "x"), ("npp", "!!")):
        c = Company(name="PT E", regency=reg, **{field: value})
        assert refusal(validate_company, session, c, r"^[A-Z0-9]{8}$")[1] == field


# --- the national rule --------------------------------------------------------------------------


def test_the_national_rule_is_seeded_with_the_defaults_when_missing(session):
    session.query(ComplianceRule).filter(ComplianceRule.regency_id.is_(None)).delete()
    assert compliance.seed_rules(session) == 1
    seeded = session.query(ComplianceRule).filter(ComplianceRule.regency_id.is_(None)).one()
    assert seeded.valid_from == dt.date(2021, 3, 25)
    assert seeded.legal_basis == (
        "UU 24/2011 Pasal 17; PP 86/2013; Inpres 2/2021. Batas 7 hari pendaftaran proyek "
        "konstruksi: aturan lokal (bawaan)"
    )
    assert (seeded.grace_months, seeded.grace_amount, seeded.construction_days) == (0, 0, 7)
    assert (seeded.check_minimum_wage, seeded.certificate_days) == (True, 90)
    assert compliance.seed_rules(session) == 0


# --- permits ----------------------------------------------------------------------------------


def decide(session, company, decision="refused", number="APP-1", note=" ok ", now=None):
    return permits.record_decision(
        session,
        company,
        permit_type="building",
        application_number=number,
        decision=decision,
        officer_id=None,
        note=note,
        now=now or dt.datetime(2031, 6, 15, 10, 0),
    )


def test_a_permit_decision_needs_a_known_decision_and_an_application_number(session, en):
    c = new_company(session, regency(session))
    assert refusal(decide, session, c, decision="maybe") == (
        "Choose to issue a certificate or to refuse.",
        "decision",
        422,
    )
    assert refusal(decide, session, c, number="  ") == (
        "Enter the permit application number.",
        "application_number",
        422,
    )
    assert refusal(decide, session, c, number=None)[1] == "application_number"


def test_a_refusal_keeps_the_verdict_and_a_trimmed_note(session):
    reg = regency(session)
    c = new_company(session, reg, declared_workforce=1)
    check = decide(session, c, number=" A" * 40, note="  " + "n" * 600)
    assert check.compliant is False and check.decision == "refused"
    assert check.application_number == ("A " * 40).strip()[:60]
    assert check.note == "n" * 500 and check.regency_id == reg.id
    assert check.certificate_number is None and check.valid_until is None
    assert '"workforce"' in check.verdict and '"grace_months": 0' in check.parameters
    assert decide(session, c, note="   ").note is None
    assert decide(session, c, note=None).note is None


def test_a_certificate_is_refused_to_a_company_that_fails_a_check(session, en):
    c = new_company(session, regency(session), declared_workforce=1)
    assert refusal(decide, session, c, decision="issued") == (
        "The company does not meet every check; a certificate cannot be issued. Record a "
        "refusal instead.",
        "decision",
        409,
    )


def test_a_certificate_is_numbered_and_valid_for_the_rules_days(session):
    reg = regency(session)
    c = new_company(session, reg)
    now = dt.datetime(2031, 6, 15, 10, 0)
    check = decide(session, c, decision="issued", now=now)
    assert check.certificate_number == f"SKK/{REGENCY}/2031/{check.id:06d}"
    assert len(check.verification_code) == 20
    assert check.valid_until == dt.date(2031, 9, 13)
    assert check.compliant is True and check.checked_at == now and check.decided_at == now


def test_a_certificate_is_verified_valid_expired_revoked_or_unknown(session):
    reg = regency(session)
    c = new_company(session, reg)
    now = dt.datetime(2031, 6, 15, 10, 0)
    check = decide(session, c, decision="issued", now=now)
    code = check.verification_code
    valid = permits.verify(session, code, now)
    assert valid == permits.Verification(
        "valid", check.certificate_number, c.name, check.valid_until
    )
    assert permits.verify(session, code, dt.datetime(2031, 9, 13, 23)).status == "valid"
    assert permits.verify(session, code, dt.datetime(2031, 9, 14)).status == "expired"
    assert permits.verify(session, "nope", now) == permits.Verification("unknown")
    assert permits.verify(session, None, now).status == "unknown"
    refused = decide(session, c, now=now)
    refused.verification_code = "refused-code"
    assert permits.verify(session, "refused-code", now).status == "unknown"
    c.declared_workforce = 3  # no longer complies
    session.flush()
    assert permits.verify(session, code, now).status == "revoked"
    assert check.revoked_at is None  # verifying writes nothing


def test_lapsed_certificates_are_withdrawn_by_the_periodic_task(session, monkeypatch):
    reg = regency(session)
    now = dt.datetime(2031, 6, 15, 10, 0)
    keeps, lapses = new_company(session, reg), new_company(session, reg)
    kept, lapsed = (decide(session, x, decision="issued", now=now) for x in (keeps, lapses))
    lapses.declared_workforce = 2
    session.flush()
    monkeypatch.setattr(session, "commit", session.flush)  # the test's transaction rolls back
    later = dt.datetime(2031, 7, 1)
    assert permits.revoke_lapsed(session, later) >= 1
    assert lapsed.revoked_at == later and kept.revoked_at is None
    assert permits.revoke_lapsed(session, later) == 0 or lapsed.revoked_at == later
    assert permits.verify(session, lapsed.verification_code, later).status == "revoked"


def test_an_expired_certificate_is_not_withdrawn(session, monkeypatch):
    reg = regency(session)
    now = dt.datetime(2031, 6, 15, 10, 0)
    lapses = new_company(session, reg)
    check = decide(session, lapses, decision="issued", now=now)
    lapses.declared_workforce = 2
    session.flush()
    monkeypatch.setattr(session, "commit", session.flush)
    permits.revoke_lapsed(session, dt.datetime(2031, 9, 14))
    assert check.revoked_at is None
    permits.revoke_lapsed(session, dt.datetime(2031, 9, 13))
    assert check.revoked_at == dt.datetime(2031, 9, 13)


def test_a_company_is_found_by_its_npwp_in_either_length_inside_the_scope(session, en):
    reg = regency(session)
    from app.services.identifiers import make_npwp15

    npwp = make_npwp15(900000 + next(N))
    c = new_company(session, reg, npwp=npwp)
    assert permits.find_company(session, npwp, UNRESTRICTED) is c
    assert permits.find_company(session, "0" + npwp, UNRESTRICTED) is c
    assert permits.find_company(session, c.npp.lower(), UNRESTRICTED) is c
    outside = Scope(regency_ids=frozenset({reg.id + 1000}))
    assert refusal(permits.find_company, session, npwp, outside) == (
        "No company with that identifier in your area.",
        "identifier",
        404,
    )


def test_stored_checks_read_back_as_checks(session):
    c = new_company(session, regency(session))
    check = decide(session, c)
    assert [x.code for x in permits.stored_checks(check)] == [
        "registered",
        "arrears",
        "sanction",
        "workforce",
        "programs",
        "construction",
        "minimum_wage",
    ]
    assert isinstance(check, PermitCheck)


# --- sponsors ---------------------------------------------------------------------------------


def sponsor_with_commitment(session, reg, **values) -> Sponsor:
    sponsor = Sponsor(name=f"APBD Uji {next(N)}", kind="apbd", regency=reg)
    session.add(sponsor)
    base = dict(
        sponsor=sponsor,
        regency_id=reg.id,
        reference="Komitmen uji",
        workers_quota=2,
        programs="JKK, jkm",
        ceiling_amount=16_800 * 2 * 3,
        start_date=dt.date(2031, 1, 1),
        end_date=dt.date(2031, 12, 31),
    )
    session.add(SponsorCommitment(**(base | values)))
    session.flush()
    return sponsor


def batch(sponsor, start=dt.date(2031, 1, 1), end=dt.date(2031, 3, 31), **values):
    base = dict(
        sponsor=sponsor,
        sponsor_id=sponsor.id,
        period_start=start,
        period_end=end,
        programs=["jkk", "jkm"],
        status="draft",
    )
    return SimpleNamespace(**(base | values))


def test_a_batch_within_the_commitment_has_no_shortfall(session):
    from app.services.sponsors import batch_budget

    sponsor = sponsor_with_commitment(session, regency(session))
    budget = batch_budget(session, batch(sponsor), 16_800 * 2, 2)
    assert budget.shortfalls == [] and budget.months == 3
    assert (budget.remaining_amount, budget.remaining_quota) == (100_800, 2)


def test_a_batch_over_the_money_the_quota_or_the_programs_names_each_shortfall(session, en):
    from app.services.sponsors import batch_budget

    sponsor = sponsor_with_commitment(session, regency(session))
    b = batch(sponsor, programs=["jkk", "jkm", "jht"])
    budget = batch_budget(session, b, 16_800 * 3, 3)
    assert budget.shortfalls == [
        "The commitment does not fund JHT.",
        "The period costs Rp\xa0151,200 but the commitment has Rp\xa0100,800 left "
        "(short by Rp\xa050,400).",
        "3 workers proposed but the quota has 2 places left.",
    ]
    assert batch_budget(session, b, 16_800 * 3, 3, pending=False).shortfalls == []
    enrolled = batch(sponsor, status="enrolled")
    assert batch_budget(session, enrolled, 16_800 * 3, 3).shortfalls == []


def test_a_batch_outside_every_commitment_says_so(session, en):
    from app.services.sponsors import batch_budget

    sponsor = sponsor_with_commitment(session, regency(session))
    b = batch(sponsor, start=dt.date(2030, 12, 1))
    budget = batch_budget(session, b, 1, 1)
    assert budget.commitment is None
    assert budget.shortfalls == [
        f"No commitment of {sponsor.name} covers 1 December 2030 to 31 March 2031."
    ]
    assert batch_budget(session, b, 1, 1, pending=False).shortfalls == []


def test_a_commitment_is_used_by_the_enrollments_it_funds(session):
    from app.services.sponsors import commitment_for, statement_lines, usage

    reg = regency(session)
    sponsor = sponsor_with_commitment(session, reg)
    commitment = commitment_for(session, sponsor.id, dt.date(2031, 1, 1), dt.date(2031, 12, 31))
    workers = [new_worker(session, reg, name=name) for name in ("Budi", "Ani")]
    for worker, start, end in (
        (workers[0], dt.date(2030, 11, 1), dt.date(2031, 2, 15)),
        (workers[1], dt.date(2031, 12, 1), None),
    ):
        session.add(
            Enrollment(
                worker=worker,
                regency_id=reg.id,
                jkk=True,
                jkm=True,
                jht=True,
                start_date=start,
                end_date=end,
                status="ended" if end else "active",
                payer_type="apbd",
                sponsor=sponsor,
                declared_wage=1_000_000,
                monthly_contribution=10,
            )
        )
    session.flush()
    assert usage(session, commitment) == (10 * 2 + 10 * 1, 2)
    lines = list(statement_lines(session, sponsor.id, dt.date(2031, 1, 1), dt.date(2031, 12, 31)))
    assert [(x.name, x.first, x.last, x.months, x.monthly, x.programs) for x in lines] == [
        ("Ani", dt.date(2031, 12, 1), dt.date(2031, 12, 31), 1, 10, "JKK, JKM, JHT"),
        ("Budi", dt.date(2031, 1, 1), dt.date(2031, 2, 15), 2, 10, "JKK, JKM, JHT"),
    ]
    assert lines[0].nik != workers[1].nik and lines[0].nik.endswith(workers[1].nik[-4:])
    assert lines[0].village == village_of(session, reg).name and lines[0].segment == "vulnerable"


def test_the_latest_commitment_covering_the_whole_period_is_used(session):
    from app.services.sponsors import commitment_for

    reg = regency(session)
    sponsor = sponsor_with_commitment(session, reg)
    newer = SponsorCommitment(
        sponsor=sponsor,
        regency_id=reg.id,
        reference="Perubahan",
        workers_quota=9,
        programs="JKK,JKM",
        ceiling_amount=9,
        start_date=dt.date(2031, 3, 1),
        end_date=dt.date(2031, 12, 31),
    )
    session.add(newer)
    session.flush()
    assert commitment_for(session, sponsor.id, dt.date(2031, 3, 1), dt.date(2031, 12, 31)) is newer
    older = commitment_for(session, sponsor.id, dt.date(2031, 2, 28), dt.date(2031, 12, 31))
    assert older is not newer and older is not None
    assert commitment_for(session, sponsor.id, dt.date(2031, 3, 1), dt.date(2032, 1, 1)) is None
