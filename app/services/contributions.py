"""Contributions: the calculator over the effective-dated rate tables, monthly bills and arrears."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.formatting import rupiah
from app.models import (
    Contribution,
    Enrollment,
    EnrollmentStatus,
    IncomeBracket,
    PayerType,
    WageRate,
    Worker,
)
from app.models.workers import WAGE_SEGMENTS
from app.services import ServiceError

BRACKET_PROGRAMS = ("jkk", "jkm", "jht")


@dataclass(frozen=True)
class ProgramAmount:
    """What one program costs a month, split by who carries it."""

    program: str
    employer: int = 0
    worker: int = 0
    government: int = 0

    @property
    def billed(self) -> int:
        return self.employer + self.worker


@dataclass(frozen=True)
class Breakdown:
    """A monthly contribution: the programs, and whether it came from a wage or a bracket."""

    basis: str  # "wage" (PU, percentages) or "bracket" (BPU, nominal amounts)
    items: tuple[ProgramAmount, ...]

    @property
    def total(self) -> int:
        """What the payer is billed each month (employer and worker shares)."""
        return sum(item.billed for item in self.items)

    @property
    def worker_share(self) -> int:
        return sum(item.worker for item in self.items)

    @property
    def government(self) -> int:
        return sum(item.government for item in self.items)


def _rupiah(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class RateBook:
    """The rate tables held in memory, so a month's bills need two queries, not one per row."""

    def __init__(self, rates: list[WageRate], brackets: list[IncomeBracket]):
        self.rates = sorted(rates, key=lambda r: r.valid_from, reverse=True)
        self.brackets = sorted(brackets, key=lambda b: (b.valid_from, b.income_from), reverse=True)

    @classmethod
    def load(cls, session) -> RateBook:
        """Read both tables (without flushing half-built records of the caller)."""
        with session.no_autoflush:
            return cls(
                session.scalars(select(WageRate)).all(),
                session.scalars(select(IncomeBracket)).all(),
            )

    def wage_rate(self, program: str, on: dt.date, risk_group: int | None = None) -> WageRate:
        """Return the wage-earner rate of a program in force on a date."""
        for rate in self.rates:
            if (
                rate.program == program
                and _in_force(rate, on)
                and (program != "jkk" or rate.risk_group == risk_group)
            ):
                return rate
        raise ServiceError(
            _(
                "No %(program)s rate is in force on %(date)s; an administrator must add one.",
                program=program.upper(),
                date=on.isoformat(),
            )
        )

    def bracket(self, income: int, on: dt.date) -> IncomeBracket:
        """Return the informal-worker bracket that covers a declared income on a date."""
        for bracket in self.brackets:
            if (
                _in_force(bracket, on)
                and bracket.income_from <= income
                and (bracket.income_to is None or income <= bracket.income_to)
            ):
                return bracket
        raise ServiceError(
            _(
                "No informal-worker income bracket covers %(income)s on %(date)s; an "
                "administrator must add it.",
                income=rupiah(income),
                date=on.isoformat(),
            ),
            field="declared_wage",
        )


def _in_force(row, on: dt.date) -> bool:
    return row.valid_from <= on and (row.valid_to is None or on <= row.valid_to)


def wage_breakdown(book: RateBook, programs, wage: int, risk_group: int, on: dt.date) -> Breakdown:
    """Compute a wage earner's contribution: percentages of the wage, JP up to its wage cap."""
    items = []
    for program in programs:
        rate = book.wage_rate(program, on, risk_group if program == "jkk" else None)
        base = Decimal(min(wage, rate.wage_cap) if rate.wage_cap else wage)
        items.append(
            ProgramAmount(
                program,
                employer=_rupiah(base * rate.employer_pct / 100),
                worker=_rupiah(base * rate.worker_pct / 100),
                government=_rupiah(base * rate.government_pct / 100),
            )
        )
    return Breakdown("wage", tuple(items))


def bracket_breakdown(book: RateBook, programs, income: int, on: dt.date) -> Breakdown:
    """Compute an informal worker's contribution: the nominal amounts of their bracket."""
    if any(p not in BRACKET_PROGRAMS for p in programs):
        raise ServiceError(
            _("JP and JKP are only for wage earners; informal workers can have JKK, JKM and JHT."),
            field="jp",
        )
    bracket = book.bracket(income, on)
    amounts = {"jkk": bracket.jkk_amount, "jkm": bracket.jkm_amount, "jht": bracket.jht_amount}
    return Breakdown("bracket", tuple(ProgramAmount(p, employer=amounts[p]) for p in programs))


def calculate(book: RateBook, enrollment: Enrollment, on: dt.date) -> Breakdown:
    """Compute an enrollment's monthly contribution with the rates in force on a date."""
    worker = enrollment.worker
    wage = int(enrollment.declared_wage or 0)
    if worker is not None and worker.segment in WAGE_SEGMENTS:
        company = enrollment.company or worker.company
        risk_group = company.risk_group if company is not None else 1
        return wage_breakdown(book, enrollment.programs, wage, risk_group, on)
    return bracket_breakdown(book, enrollment.programs, wage, on)


def apply_to_enrollment(session, enrollment: Enrollment, today: dt.date | None = None) -> None:
    """Store the monthly contribution and the worker's share, at today's rates once started."""
    on = max(enrollment.start_date, today or dt.date.today())
    breakdown = calculate(RateBook.load(session), enrollment, on)
    enrollment.monthly_contribution = breakdown.total
    enrollment.worker_share = breakdown.worker_share


def check_payment(contribution: Contribution, today: dt.date | None = None) -> None:
    """Refuse a payment record that cannot be true."""
    today = today or dt.date.today()
    if contribution.amount_paid is None or contribution.amount_paid < 0:
        raise ServiceError(_("The amount paid cannot be negative."), field="amount_paid")
    if contribution.amount_paid > 0 and contribution.paid_on is None:
        raise ServiceError(_("Enter the date of the payment."), field="paid_on")
    if contribution.paid_on is not None and contribution.paid_on > today:
        raise ServiceError(_("The payment date cannot be in the future."), field="paid_on")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_due_month(today: dt.date) -> dt.date:
    """The latest month whose contribution is due: last month (due by the 15th of this one)."""
    return month_start(month_start(today) - dt.timedelta(days=1))


def payer_of(enrollment: Enrollment) -> tuple[str, dict]:
    """Return the payer key and the payer columns of a bill for an enrollment."""
    if enrollment.payer_type == PayerType.EMPLOYER:
        return f"company:{enrollment.company_id}", {"company_id": enrollment.company_id}
    if enrollment.payer_type == PayerType.WORKER:
        return f"worker:{enrollment.worker_id}", {"worker_id": enrollment.worker_id}
    return f"sponsor:{enrollment.sponsor_id}", {"sponsor_id": enrollment.sponsor_id}


def bill_month(session, period: dt.date) -> int:
    """Create or refresh each payer's bill for a month from the enrollments active in it.

    Returns the number of bills written; the caller commits.
    """
    period = month_start(period)
    next_month = month_start(period + dt.timedelta(days=32))
    book = RateBook.load(session)
    enrollments = session.scalars(
        select(Enrollment)
        .options(
            selectinload(Enrollment.worker).selectinload(Worker.company),
            selectinload(Enrollment.company),
            selectinload(Enrollment.sponsor),
        )
        .where(
            Enrollment.status.in_(
                [EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED, EnrollmentStatus.LAPSED]
            ),
            Enrollment.start_date < next_month,
            or_(Enrollment.end_date.is_(None), Enrollment.end_date >= period),
        )
    ).all()
    due: dict[str, int] = defaultdict(int)
    payers: dict[str, tuple[dict, int]] = {}
    for enrollment in enrollments:
        key, columns = payer_of(enrollment)
        due[key] += calculate(book, enrollment, period).total
        payer = enrollment.payer or enrollment.worker
        payers[key] = (columns, payer.regency_id)
    existing = {
        c.payer_key: c
        for c in session.scalars(select(Contribution).where(Contribution.period == period))
    }
    for key, amount in due.items():
        bill = existing.get(key)
        if bill is None:
            columns, regency_id = payers[key]
            session.add(
                Contribution(
                    payer_key=key,
                    period=period,
                    amount_due=amount,
                    amount_paid=0,
                    regency_id=regency_id,
                    **columns,
                )
            )
        else:
            bill.amount_due = amount
    session.flush()
    return len(due)


@dataclass(frozen=True)
class Arrears:
    """Unpaid contributions of a payer up to a month."""

    amount: int
    months: int
    oldest: dt.date | None


def arrears_query(payer_condition, last_due):
    """What a payer still owes up to a due month: (amount, months, oldest month), one row.

    ``last_due`` is a date or a bound parameter (the permit verdict builds its statement once).
    """
    outstanding = Contribution.amount_due - Contribution.amount_paid
    return select(
        func.coalesce(func.sum(outstanding), 0).label("amount"),
        func.count().label("months"),
        func.min(Contribution.period).label("oldest"),
    ).where(payer_condition, Contribution.period <= last_due, outstanding > 0)


def arrears(session, payer_condition, today: dt.date) -> Arrears:
    """Sum what a payer still owes for the months already due."""
    row = session.execute(arrears_query(payer_condition, last_due_month(today))).one()
    return Arrears(int(row[0]), int(row[1]), row[2])


def company_arrears(session, company_id: int, today: dt.date) -> Arrears:
    """What a company owes as an employer."""
    return arrears(session, Contribution.company_id == company_id, today)
