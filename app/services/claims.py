"""Claims after a worker's death: coverage on the date, benefits, scholarships, progress to payment.

A death is checked against what covered the worker on its date: an enrollment that had started
and not ended (active then, whatever its status now), the program the event calls on (JKM for a
death not from work, JKK for a work accident), and the payer's bill for the month of the event
paid in full. An uncovered event is recorded too, with the reason.

The amounts come from the effective-dated benefit table (BenefitRule) in force on the event's
date. Scholarships (at most two children) need, after a death not from work, at least 36 months
of paid contributions up to and including the month of the event; after a work accident there is
no minimum. Each child's yearly claims are kept as a schedule until age 23, marriage, work, or
the school levels' years run out; a child not yet at school starts at school age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app.models import (
    BenefitItem,
    BenefitRule,
    BranchOffice,
    Claim,
    ClaimBenefit,
    ClaimHeir,
    ClaimStatus,
    Contribution,
    EndReason,
    Enrollment,
    EnrollmentStatus,
    EventType,
    Relation,
    ScholarshipYear,
    SchoolLevel,
    UncoveredReason,
    Worker,
    YearStatus,
    branch_regency,
)
from app.scope import Scope, read_clause
from app.services import Conflict, ServiceError
from app.services.contributions import month_start, payer_of

JKM_SCHOLARSHIP_MONTHS = 36  # PP 82/2019: JKM scholarship after at least three years of membership
SCHOLARSHIP_CHILDREN = 2
SCHOLARSHIP_END_AGE = 23
SCHOOL_AGE = 5  # two years of TK from 5, SD from 7
LEVELS = (SchoolLevel.TK, SchoolLevel.SD, SchoolLevel.SMP, SchoolLevel.SMA, SchoolLevel.HIGHER)
PROGRAM_OF = {EventType.DEATH: "jkm", EventType.WORK_DEATH: "jkk"}

NEXT = {
    ClaimStatus.REPORTED: {ClaimStatus.DOCUMENTS_COMPLETE, ClaimStatus.REJECTED},
    ClaimStatus.DOCUMENTS_COMPLETE: {ClaimStatus.SUBMITTED, ClaimStatus.REJECTED},
    ClaimStatus.SUBMITTED: {ClaimStatus.PAID, ClaimStatus.REJECTED},
}
CLOSED = {ClaimStatus.NOT_COVERED, ClaimStatus.REJECTED}


@dataclass
class HeirInput:
    """An heir as typed on the report form."""

    name: str
    relation: str
    nik: str | None = None
    birth_date: dt.date | None = None
    school_level: str | None = None
    level_year: int = 1
    married: bool = False
    working: bool = False


@dataclass(frozen=True)
class CoverageCheck:
    """What covered a worker on an event's date."""

    enrollment: Enrollment | None
    reason: str | None  # an UncoveredReason, None when covered
    month: dt.date
    paid_months: int

    @property
    def covered(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class PlannedYear:
    due_on: dt.date
    level: str
    level_year: int
    amount: int


@dataclass(frozen=True)
class Schedule:
    years: list[PlannedYear]
    ends_on: dt.date | None
    end_reason: str | None

    @property
    def total(self) -> int:
        return sum(year.amount for year in self.years)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_rule(rule: BenefitRule) -> None:
    """Refuse a benefit rule that cannot be applied: a scholarship needs a level, years and no
    event; a multiple of the wage needs the multiplier; any other item an amount."""
    rule.event_type, rule.level = rule.event_type or None, rule.level or None
    if rule.valid_to is not None and rule.valid_from and rule.valid_to < rule.valid_from:
        raise ServiceError(_("The end date cannot be before the start date."), field="valid_to")
    if rule.item == BenefitItem.SCHOLARSHIP:
        if not rule.level or not rule.years or rule.years < 1 or rule.event_type:
            raise ServiceError(
                _("A scholarship needs a school level and its years, and no event."), "level"
            )
    elif not rule.event_type:
        raise ServiceError(_("Choose the event this benefit follows."), field="event_type")
    elif rule.item == BenefitItem.WAGE_MULTIPLE and not (rule.multiplier or 0) > 0:
        raise ServiceError(_("Enter how many times the wage is paid."), field="multiplier")
    if rule.item != BenefitItem.WAGE_MULTIPLE and not (rule.amount or 0) > 0:
        raise ServiceError(_("Enter the amount, more than zero."), field="amount")
    if (rule.amount or 0) < 0 or (rule.multiplier or 0) < 0 or (rule.years or 0) < 0:
        raise ServiceError(_("Amounts cannot be negative."), field="amount")


def rules_on(session, on: dt.date) -> list[BenefitRule]:
    """The benefit rules in force on a date."""
    return list(
        session.scalars(
            select(BenefitRule)
            .where(
                BenefitRule.valid_from <= on,
                or_(BenefitRule.valid_to.is_(None), BenefitRule.valid_to >= on),
            )
            .order_by(BenefitRule.id)
        )
    )


def enrollment_on(session, worker_id: int, on: dt.date) -> Enrollment | None:
    """The worker's enrollment that had started and not ended on a date (drafts and pending
    ones never covered anybody)."""
    return session.scalars(
        select(Enrollment)
        .where(
            Enrollment.worker_id == worker_id,
            Enrollment.status.in_(
                [EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED, EnrollmentStatus.LAPSED]
            ),
            Enrollment.start_date <= on,
            or_(Enrollment.end_date.is_(None), Enrollment.end_date >= on),
        )
        .order_by(Enrollment.start_date.desc())
    ).first()


def _bill_paid(bill: Contribution | None) -> bool:
    return bill is not None and bill.amount_due > 0 and bill.amount_paid >= bill.amount_due


def paid_months(session, worker_id: int, upto: dt.date) -> int:
    """Months up to and including `upto`'s in which one of the worker's enrollments ran and its
    payer's bill for the month was paid in full."""
    last = month_start(upto)
    enrollments = session.scalars(
        select(Enrollment).where(
            Enrollment.worker_id == worker_id,
            Enrollment.status.in_(
                [EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED, EnrollmentStatus.LAPSED]
            ),
            Enrollment.start_date <= upto,
        )
    ).all()
    months: set[dt.date] = set()
    for enrollment in enrollments:
        first = month_start(enrollment.start_date)
        end = min(month_start(enrollment.end_date or last), last)
        key, _columns = payer_of(enrollment)
        bills = session.scalars(
            select(Contribution).where(
                Contribution.payer_key == key,
                Contribution.period >= first,
                Contribution.period <= end,
            )
        )
        months.update(bill.period for bill in bills if _bill_paid(bill))
    return len(months)


def _bill(session, enrollment: Enrollment, period: dt.date) -> Contribution | None:
    key, _columns = payer_of(enrollment)
    return session.scalars(
        select(Contribution).where(Contribution.payer_key == key, Contribution.period == period)
    ).first()


def payment_deadline(period: dt.date) -> dt.date:
    """A month's contribution is payable until the 15th of the next month."""
    return month_start(period + dt.timedelta(days=32)).replace(day=15)


def check_coverage(
    session, worker: Worker, event_type: str, on: dt.date, today: dt.date | None = None
) -> CoverageCheck:
    """Tell what covered the worker for this event on its date, or why nothing did.

    The payer's bill for the month of the event must be paid in full. While that month's
    contribution is still within its time (reported by the 15th of the next month), the month
    before it is checked instead (none before the enrollment's first month).
    """
    today = today or dt.date.today()
    month = month_start(on)
    months = paid_months(session, worker.id, on)
    enrollment = enrollment_on(session, worker.id, on)
    if enrollment is None:
        return CoverageCheck(None, UncoveredReason.NO_ENROLLMENT, month, months)
    if not getattr(enrollment, PROGRAM_OF[EventType(event_type)]):
        return CoverageCheck(enrollment, UncoveredReason.NO_PROGRAM, month, months)
    if _bill_paid(_bill(session, enrollment, month)):
        return CoverageCheck(enrollment, None, month, months)
    if today <= payment_deadline(month):
        before = month_start(month - dt.timedelta(days=1))
        if before < month_start(enrollment.start_date):
            return CoverageCheck(enrollment, None, month, months)
        if _bill_paid(_bill(session, enrollment, before)):
            return CoverageCheck(enrollment, None, month, months)
        month = before
    return CoverageCheck(enrollment, UncoveredReason.UNPAID, month, months)


def one_off_benefits(rules: list[BenefitRule], event_type: str, wage: int) -> list[tuple]:
    """(item, amount, legal basis) of the sums paid at once for an event: fixed amounts, and a
    multiple of the monthly wage after a work accident."""
    lines = []
    for rule in rules:
        if rule.event_type != event_type or rule.item == BenefitItem.SCHOLARSHIP:
            continue
        amount = rule.multiplier * wage if rule.item == BenefitItem.WAGE_MULTIPLE else rule.amount
        lines.append((rule.item, amount, rule.legal_basis))
    return lines


def scholarship_allowed(event_type: str, months: int) -> bool:
    """JKM's three-year rule: after a death not from work, 36 paid months; JKK has no minimum."""
    return event_type == EventType.WORK_DEATH or months >= JKM_SCHOLARSHIP_MONTHS


def scholarship_schedule(
    rules: list[BenefitRule], birth_date: dt.date, level: str, level_year: int, start: dt.date
) -> Schedule:
    """A child's yearly scholarship claims from `start` (the event's date): one a year on its
    anniversary, moving up a level when a level's years are used, until the child turns 23 or
    the last level's years run out. A child not yet at school starts on reaching school age."""
    by_level = {r.level: r for r in rules if r.item == BenefitItem.SCHOLARSHIP}
    if level == SchoolLevel.NONE:
        start = max(start, add_years(birth_date, SCHOOL_AGE))
        level, level_year = SchoolLevel.TK, 1
    limit = add_years(birth_date, SCHOLARSHIP_END_AGE)
    index = LEVELS.index(SchoolLevel(level))
    years, count = [], 0
    while True:
        due = add_years(start, count)
        if due >= limit:
            return Schedule(years, limit, EndReason.AGE)
        rule = by_level.get(LEVELS[index])
        if rule is None or level_year > rule.years:
            index, level_year = index + 1, 1
            if index == len(LEVELS):
                return Schedule(years, due, EndReason.LEVELS_DONE)
            continue
        years.append(PlannedYear(due, LEVELS[index].value, level_year, rule.amount))
        level_year += 1
        count += 1


def _validate_heirs(heirs: list[HeirInput], event_date: dt.date, today: dt.date) -> None:
    from app.services.identifier_messages import identifier_message
    from app.services.identifiers import InvalidIdentifier, validate_nik

    if not heirs:
        raise ServiceError(_("Name at least one heir."), field="heirs")
    for heir in heirs:
        if not (heir.name or "").strip():
            raise ServiceError(_("Enter the name of each heir."), field="heirs")
        if heir.relation not in Relation.labels():
            raise ServiceError(_("Choose each heir's relation to the worker."), field="heirs")
        if heir.birth_date is not None and heir.birth_date > today:
            raise ServiceError(_("A birth date cannot be in the future."), field="heirs")
        if heir.nik:
            try:
                heir.nik = validate_nik(heir.nik, birth_date=heir.birth_date, today=today).value
            except InvalidIdentifier as exc:
                raise ServiceError(identifier_message(exc), field="heirs") from exc
        if heir.relation != Relation.CHILD:
            continue
        if heir.birth_date is None:
            raise ServiceError(_("Enter the birth date of each child."), field="heirs")
        if heir.school_level not in SchoolLevel.labels():
            raise ServiceError(_("Choose each child's school level."), field="heirs")
        if heir.level_year is None or heir.level_year < 1:
            raise ServiceError(_("The year within the school level starts at 1."), field="heirs")


def report_event(
    session,
    worker: Worker,
    event_type: str,
    event_date: dt.date | None,
    heirs: list[HeirInput],
    today: dt.date | None = None,
) -> Claim:
    """Record an event for a worker: check the cover, compute the benefits and the children's
    scholarship schedules (the caller commits)."""
    today = today or dt.date.today()
    if event_type not in EventType.labels():
        raise ServiceError(_("Choose what happened."), field="event_type")
    if event_date is None:
        raise ServiceError(_("Enter the date of the event."), field="event_date")
    if event_date > today:
        raise ServiceError(_("The date of the event cannot be in the future."), field="event_date")
    if event_date < worker.birth_date:
        raise ServiceError(_("The date of the event is before the worker's birth."), "event_date")
    _validate_heirs(heirs, event_date, today)
    existing = session.scalar(
        select(Claim.id).where(Claim.worker_id == worker.id, Claim.status != ClaimStatus.REJECTED)
    )
    if existing is not None:
        raise Conflict(_("A death is already recorded for this worker."), field="worker")
    check = check_coverage(session, worker, event_type, event_date, today)
    enrollment = check.enrollment
    claim = Claim(
        worker=worker,
        regency_id=worker.regency_id,
        enrollment=enrollment,
        payer_type=enrollment.payer_type if enrollment is not None else None,
        event_type=event_type,
        event_date=event_date,
        reported_on=today,
        reason=check.reason,
        reason_month=check.month if check.reason == UncoveredReason.UNPAID else None,
        wage=enrollment.declared_wage if enrollment is not None else None,
        paid_months=check.paid_months,
        status=ClaimStatus.REPORTED if check.covered else ClaimStatus.NOT_COVERED,
    )
    rules = rules_on(session, event_date)
    if check.covered:
        for item, amount, basis in one_off_benefits(rules, event_type, claim.wage or 0):
            claim.benefits.append(ClaimBenefit(item=item, amount=amount, legal_basis=basis))
        claim.scholarship_allowed = scholarship_allowed(event_type, check.paid_months)
    claim.amount_due = sum(b.amount for b in claim.benefits)
    children = 0
    for position, given in enumerate(heirs):
        heir = ClaimHeir(
            position=position,
            name=given.name.strip(),
            relation=given.relation,
            nik=given.nik or None,
            birth_date=given.birth_date,
            school_level=given.school_level if given.relation == Relation.CHILD else None,
            level_year=given.level_year or 1,
            married=bool(given.married),
            working=bool(given.working),
        )
        claim.heirs.append(heir)
        if (
            claim.scholarship_allowed
            and children < SCHOLARSHIP_CHILDREN
            and _may_study(heir, event_date)
        ):
            schedule = scholarship_schedule(
                rules, heir.birth_date, heir.school_level, heir.level_year, event_date
            )
            if schedule.years:
                children += 1
                heir.scholarship = True
                heir.ended_on, heir.end_reason = schedule.ends_on, schedule.end_reason
                for year in schedule.years:
                    heir.years.append(
                        ScholarshipYear(
                            claim=claim,
                            due_on=year.due_on,
                            level=year.level,
                            level_year=year.level_year,
                            amount=year.amount,
                            status=YearStatus.OPEN,
                        )
                    )
    session.add(claim)
    session.flush()
    return claim


def _may_study(heir: ClaimHeir, on: dt.date) -> bool:
    return (
        heir.relation == Relation.CHILD
        and not heir.married
        and not heir.working
        and heir.birth_date is not None
        and add_years(heir.birth_date, SCHOLARSHIP_END_AGE) > on
    )


def reason_text(claim: Claim) -> str:
    """Why an event was not covered, in the reader's language ("" when covered)."""
    from app.formatting import long_date, month_year

    if claim.reason == UncoveredReason.NO_ENROLLMENT:
        return _("no active enrollment on %(date)s", date=long_date(claim.event_date))
    if claim.reason == UncoveredReason.NO_PROGRAM:
        program = "JKM" if claim.event_type == EventType.DEATH else "JKK"
        return _(
            "the enrollment did not include %(program)s on %(date)s",
            program=program,
            date=long_date(claim.event_date),
        )
    if claim.reason == UncoveredReason.UNPAID:
        return _(
            "coverage lapsed: contributions for %(month)s unpaid",
            month=month_year(claim.reason_month),
        )
    return ""


def next_statuses(claim: Claim) -> list[str]:
    """The statuses a claim may move to from where it is."""
    return sorted(NEXT.get(ClaimStatus(claim.status), ()), key=list(ClaimStatus).index)


def advance(
    session,
    claim: Claim,
    status: str,
    *,
    paid_on: dt.date | None = None,
    amount: int | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Claim:
    """Move a claim one step: documents complete, submitted, then paid (date and amount) or
    rejected (reason). A rejection stops the children's scholarships (the caller commits)."""
    today = today or dt.date.today()
    if status not in next_statuses(claim):
        raise Conflict(_("The claim cannot move to this status from where it is."), "status")
    if status == ClaimStatus.PAID:
        if paid_on is None or paid_on > today or paid_on < claim.event_date:
            raise ServiceError(
                _("Enter the payment date: not in the future, not before the event."), "paid_on"
            )
        if amount is None or amount <= 0:
            raise ServiceError(_("Enter the amount paid, more than zero."), field="amount")
        claim.paid_on, claim.amount_paid = paid_on, amount
    if status == ClaimStatus.REJECTED:
        reason = (reason or "").strip()
        if not reason:
            raise ServiceError(_("Enter the reason for the rejection."), field="reason")
        claim.rejection_reason = reason[:500]
        for heir in claim.heirs:
            if heir.scholarship:
                _stop(heir, EndReason.CLAIM_REJECTED, claim.event_date)
    claim.status = status
    _flush(session)
    return claim


def _flush(session) -> None:
    """Write the change; one made meanwhile by someone else is refused, not overwritten."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(_("Someone else changed this claim meanwhile; open it again.")) from exc


def _stop(heir: ClaimHeir, reason: str, on: dt.date) -> None:
    for year in heir.years:
        if year.status == YearStatus.OPEN and year.due_on >= on:
            year.status = YearStatus.STOPPED
    heir.end_reason, heir.ended_on = reason, on


def end_scholarship(
    session, heir: ClaimHeir, reason: str, on: dt.date | None, today: dt.date | None = None
) -> ClaimHeir:
    """Stop a child's scholarship from a date (marriage, work, leaving school): the years due
    from then on are stopped (the caller commits)."""
    today = today or dt.date.today()
    if reason not in {EndReason.MARRIED, EndReason.WORKING, EndReason.DROPPED_OUT}:
        raise ServiceError(_("Choose why the scholarship ends."), field="reason")
    if not heir.scholarship or heir.claim.status in CLOSED:
        raise Conflict(_("This child has no running scholarship."), field="reason")
    if on is None or on > today or on < heir.claim.event_date:
        raise ServiceError(_("Enter the date: not in the future, not before the event."), "on")
    heir.married = heir.married or reason == EndReason.MARRIED
    heir.working = heir.working or reason == EndReason.WORKING
    _stop(heir, reason, on)
    _flush(session)
    return heir


def pay_scholarship_year(
    session, year: ScholarshipYear, paid_on: dt.date | None, today: dt.date | None = None
) -> ScholarshipYear:
    """Record a year's scholarship as paid (the caller commits)."""
    today = today or dt.date.today()
    if year.status != YearStatus.OPEN or year.claim.status in CLOSED:
        raise Conflict(_("This scholarship year is not open for payment."), field="paid_on")
    if year.due_on > today:
        raise Conflict(_("This scholarship year is not due yet."), field="paid_on")
    if paid_on is None or paid_on > today or paid_on < year.claim.event_date:
        raise ServiceError(
            _("Enter the payment date: not in the future, not before the event."), "paid_on"
        )
    year.status, year.paid_on = YearStatus.PAID, paid_on
    _flush(session)
    return year


def _due(scope: Scope, on: dt.date):
    """The yearly scholarship claims due by a date and not yet paid, inside a scope."""
    return (
        select(ScholarshipYear)
        .join(Claim, Claim.id == ScholarshipYear.claim_id)
        .where(
            ScholarshipYear.status == YearStatus.OPEN,
            ScholarshipYear.due_on <= on,
            Claim.status.not_in(list(CLOSED)),
            read_clause(ScholarshipYear, scope),
        )
    )


def scholarship_claims_due(session, scope: Scope, on: dt.date) -> list[ScholarshipYear]:
    """The yearly scholarship claims due by a date and not yet paid, inside a scope, oldest first.

    One row per child and year (its `heir`, `claim` and the claim's `worker` are loaded): the
    reminders of the home page. A year falls due on the anniversary of the event (or of the
    child reaching school age); it stays due until it is paid or the scholarship stops (age 23,
    marriage, work, leaving school, a rejected claim). Operators see their own workers' only.
    """
    from sqlalchemy.orm import joinedload

    return list(
        session.scalars(
            _due(scope, on)
            .options(
                joinedload(ScholarshipYear.heir),
                joinedload(ScholarshipYear.claim).joinedload(Claim.worker),
            )
            .order_by(ScholarshipYear.due_on, ScholarshipYear.id)
        ).unique()
    )


def scholarship_claims_due_count(session, scope: Scope, on: dt.date) -> int:
    """How many claims `scholarship_claims_due` lists, counted (the home page's tile)."""
    due = _due(scope, on).with_only_columns(ScholarshipYear.id).subquery()
    return session.scalar(select(func.count()).select_from(due)) or 0


def serving_branch(session, regency_id: int) -> BranchOffice | None:
    """The BPJS branch office serving a regency (where the heirs take the claim)."""
    return session.scalars(
        select(BranchOffice)
        .join(branch_regency, branch_regency.c.branch_office_id == BranchOffice.id)
        .where(branch_regency.c.regency_id == regency_id)
        .order_by(BranchOffice.code)
    ).first()


def documents(claim: Claim) -> list[str]:
    """The documents the heirs bring to the branch office."""
    items = [
        _("The worker's BPJS Ketenagakerjaan membership card (KPJ)"),
        _("Death certificate or a death statement from the village or the hospital"),
        _("ID cards (KTP) of the worker and the heirs, and the family card (KK)"),
        _("Heir statement (surat keterangan ahli waris) from the village or kelurahan"),
        _("Savings book of the heir who receives the payment"),
    ]
    if claim.event_type == EventType.WORK_DEATH:
        items.append(_("Work accident report (stage I and II) from the employer or sponsor"))
        items.append(_("Police report, when the accident happened on the road"))
    if any(heir.scholarship for heir in claim.heirs):
        items.append(
            _("For each child's scholarship: birth certificate and a letter of active enrolment")
        )
    return items
