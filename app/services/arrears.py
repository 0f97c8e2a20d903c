"""Arrears: ageing per payer, late-payment penalties, and the warning letters to companies.

Ageing: a payer's unpaid months up to the last month due (``last_due_month``); the age is that
of the oldest unpaid month counted in months up to and including the last month due, so on
4 December an unpaid November is 1 month old and an unpaid October 2 (buckets 1, 2–3, 4–6, >6).

Penalty: each month's bill is due by the 15th of the next month; every month begun after that
day counts as one month late. A month's penalty is its unpaid amount times the rule's percent
per month late times the months late (at most the rule's cap, a percent of the unpaid amount),
per program: the unpaid amount is split between programs in the proportion they are billed
for that month (the payer's enrollments at the rates in force then). The rules are the
effective-dated ``PenaltyRule`` rows in force on the date of the computation.

Letters (UU 24/2011 Pasal 17; PP 86/2013): first warning, second warning once the first one's
deadline has passed and arrears remain, then a recommendation for sanction (TMP2T) to the
regency's permit office once the second one's deadline has passed. Paying the arrears settles
every open letter of the company.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import (
    ArrearsLetter,
    Company,
    Contribution,
    Enrollment,
    EnrollmentStatus,
    LetterKind,
    LetterStatus,
    PayerType,
    PenaltyRule,
    Sponsor,
    Worker,
)
from app.scope import read_clause
from app.services import ServiceError
from app.services.contributions import RateBook, calculate, last_due_month, month_start
from app.services.letters import issue_for

BUCKETS = {
    "1": _l("1 month"),
    "2-3": _l("2–3 months"),
    "4-6": _l("4–6 months"),
    "7+": _l("Over 6 months"),
}
STEPS = (
    LetterKind.ARREARS_WARNING_1,
    LetterKind.ARREARS_WARNING_2,
    LetterKind.SANCTION_RECOMMENDATION,
)
# Days the company is given to pay after each letter [K]: PP 86/2013 Pasal 8 gives 10 days for
# each written warning (to be verified against the regulation text).
DEADLINE_DAYS = 10
LEGAL_BASIS = "UU 24/2011 Pasal 17; PP 86/2013"


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from one month to another (Oct to Dec: 2)."""
    return (end.year - start.year) * 12 + end.month - start.month


def age_in_months(oldest: dt.date, on: dt.date) -> int:
    """How old the oldest unpaid month is on a date: 1 for the last month due."""
    return months_between(month_start(oldest), last_due_month(on)) + 1


def bucket_of(age: int) -> str:
    """The ageing bucket of an age in months."""
    if age <= 1:
        return "1"
    if age <= 3:
        return "2-3"
    if age <= 6:
        return "4-6"
    return "7+"


def due_date(period: dt.date) -> dt.date:
    """A month's contribution is due by the 15th of the next month."""
    return (month_start(period) + dt.timedelta(days=32)).replace(day=15)


def months_late(period: dt.date, on: dt.date) -> int:
    """Months begun since a month's due date (0 on or before it)."""
    due = due_date(period)
    if on <= due:
        return 0
    return months_between(due, on) + (1 if on.day > due.day else 0)


class PenaltyBook:
    """The penalty rules in force on a date, held in memory."""

    def __init__(self, rules: list[PenaltyRule], on: dt.date):
        self.on = on
        self.rules = {
            r.program: r
            for r in sorted(rules, key=lambda r: r.valid_from)
            if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)
        }

    @classmethod
    def load(cls, session, on: dt.date) -> PenaltyBook:
        with session.no_autoflush:
            return cls(session.scalars(select(PenaltyRule)).all(), on)

    def rule(self, program: str | None) -> PenaltyRule | None:
        """The program's own rule, else the rule for all programs."""
        return self.rules.get(program) or self.rules.get(None)

    def percent(self, program: str | None, late: int) -> Decimal:
        """The penalty in percent of the unpaid amount after some months late."""
        rule = self.rule(program)
        if rule is None or late <= 0:
            return Decimal(0)
        pct = Decimal(rule.percent_per_month) * late
        if rule.cap_percent is not None:
            pct = min(pct, Decimal(rule.cap_percent))
        return pct

    def penalty(self, outstanding: int, split: dict[str | None, int], late: int) -> int:
        """The penalty on a month's unpaid amount, split between programs as billed."""
        weights = {k: v for k, v in split.items() if v > 0} or {None: 1}
        total = sum(weights.values())
        weighted = sum(Decimal(w) * self.percent(p, late) for p, w in weights.items())
        amount = Decimal(outstanding) * weighted / total / 100
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def validate_rule(rule: PenaltyRule) -> None:
    """Refuse a penalty rule that cannot be right, naming the field."""
    rule.program = rule.program or None
    if rule.percent_per_month is None or Decimal(rule.percent_per_month) < 0:
        raise ServiceError(
            _("Enter the percent per month late (0 or more)."), field="percent_per_month"
        )
    if rule.cap_percent is not None and Decimal(rule.cap_percent) < 0:
        raise ServiceError(_("The cap cannot be negative."), field="cap_percent")
    if rule.valid_from is None:
        raise ServiceError(_("Enter the date the rule is valid from."), field="valid_from")
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise ServiceError(_("The end of validity cannot be before its start."), field="valid_to")


@dataclass(frozen=True)
class MonthDue:
    """One unpaid month of a payer."""

    period: dt.date
    outstanding: int
    late: int
    penalty: int


@dataclass
class PayerArrears:
    """What one payer owes on a date, aged, with the penalty and the workers it puts at risk."""

    payer_key: str
    name: str
    regency: str
    amount: int
    count: int
    oldest: dt.date
    on: dt.date
    workers_at_risk: int = 0
    months: list[MonthDue] = field(default_factory=list)
    latest_letter: ArrearsLetter | None = None

    @property
    def kind(self) -> str:
        return self.payer_key.split(":", 1)[0]

    @property
    def payer_id(self) -> int:
        return int(self.payer_key.split(":", 1)[1])

    @property
    def age(self) -> int:
        return age_in_months(self.oldest, self.on)

    @property
    def bucket(self) -> str:
        return bucket_of(self.age)

    @property
    def bucket_label(self) -> str:
        return str(BUCKETS[self.bucket])

    @property
    def penalty(self) -> int:
        return sum(m.penalty for m in self.months)


def _unpaid(last_due):
    outstanding = Contribution.amount_due - Contribution.amount_paid
    return and_(Contribution.period <= last_due, outstanding > 0)


def _payer_enrollments(payer_key: str):
    kind, _sep, ident = payer_key.partition(":")
    ident = int(ident)
    if kind == "company":
        return and_(Enrollment.payer_type == PayerType.EMPLOYER, Enrollment.company_id == ident)
    if kind == "worker":
        return and_(Enrollment.payer_type == PayerType.WORKER, Enrollment.worker_id == ident)
    return and_(
        Enrollment.payer_type.not_in([PayerType.EMPLOYER, PayerType.WORKER]),
        Enrollment.sponsor_id == ident,
    )


def _splits(session, payer_key: str, periods: list[dt.date], book=None) -> dict[dt.date, dict]:
    """Per unpaid month, what each program was billed to the payer (the weights of the split)."""
    if not periods:
        return {}
    book = book or RateBook.load(session)
    first, last = min(periods), max(periods)
    enrollments = session.scalars(
        select(Enrollment).where(
            _payer_enrollments(payer_key),
            Enrollment.start_date <= last + dt.timedelta(days=31),
            (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= first),
        )
    ).all()
    result: dict[dt.date, dict] = {}
    for period in periods:
        after = month_start(period + dt.timedelta(days=32))
        split: dict[str | None, int] = defaultdict(int)
        for e in enrollments:
            if e.start_date < after and (e.end_date is None or e.end_date >= period):
                try:
                    for item in calculate(book, e, period).items:
                        split[item.program] += item.billed
                except ServiceError:
                    continue  # no rate in force: that enrollment does not weigh in the split
        result[period] = dict(split)
    return result


def month_details(session, payer_key: str, on: dt.date, penalties=None, book=None):
    """The payer's unpaid months up to the last month due, each with its penalty on a date."""
    penalties = penalties or PenaltyBook.load(session, on)
    bills = session.execute(
        select(Contribution.period, Contribution.amount_due - Contribution.amount_paid)
        .where(Contribution.payer_key == payer_key, _unpaid(last_due_month(on)))
        .order_by(Contribution.period)
    ).all()
    splits = _splits(session, payer_key, [period for period, _o in bills], book)
    months = []
    for period, outstanding in bills:
        late = months_late(period, on)
        penalty = penalties.penalty(int(outstanding), splits.get(period, {}), late)
        months.append(MonthDue(period, int(outstanding), late, penalty))
    return months


def payer_arrears(session, payer_key: str, on: dt.date) -> PayerArrears | None:
    """One payer's arrears on a date with every month and its penalty; None when paid up."""
    months = month_details(session, payer_key, on)
    if not months:
        return None
    return PayerArrears(
        payer_key=payer_key,
        name="",
        regency="",
        amount=sum(m.outstanding for m in months),
        count=len(months),
        oldest=months[0].period,
        on=on,
        months=months,
    )


def _bucket_clause(bucket: str | None, on: dt.date):
    """The condition on a payer's oldest unpaid month for a bucket (HAVING)."""
    if bucket not in BUCKETS:
        return None
    last = last_due_month(on)

    def months_back(n: int) -> dt.date:  # the month n months before the last month due
        index = last.year * 12 + last.month - 1 - n
        return dt.date(index // 12, index % 12 + 1, 1)

    oldest = func.min(Contribution.period)
    low, high = {"1": (0, 0), "2-3": (1, 2), "4-6": (3, 5), "7+": (6, None)}[bucket]
    clause = oldest <= months_back(low)
    if high is not None:
        clause = and_(clause, oldest >= months_back(high))
    return clause


def _workers_at_risk(session, keys: list[str]) -> dict[str, int]:
    """Per payer, the workers whose active enrollment it pays."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        kind, _sep, ident = key.partition(":")
        by_kind[kind].append(int(ident))
    result: dict[str, int] = {}
    active = Enrollment.status == EnrollmentStatus.ACTIVE
    workers = func.count(func.distinct(Enrollment.worker_id))
    queries = {
        "company": (Enrollment.company_id, Enrollment.payer_type == PayerType.EMPLOYER),
        "worker": (Enrollment.worker_id, Enrollment.payer_type == PayerType.WORKER),
        "sponsor": (
            Enrollment.sponsor_id,
            Enrollment.payer_type.not_in([PayerType.EMPLOYER, PayerType.WORKER]),
        ),
    }
    for kind, ids in by_kind.items():
        column, payer = queries[kind]
        for ident, count in session.execute(
            select(column, workers).where(active, payer, column.in_(ids)).group_by(column)
        ):
            result[f"{kind}:{ident}"] = count
    return result


@dataclass(frozen=True)
class Worklist:
    """A page of payers in arrears and how many there are in all."""

    rows: list[PayerArrears]
    total: int
    pages: int
    page: int


def worklist(
    session, scope, on: dt.date, bucket: str | None = None, page: int = 1, per_page: int = 25
) -> Worklist:
    """Payers in arrears in a scope, most workers at risk first, one page with penalties."""
    last = last_due_month(on)
    outstanding = Contribution.amount_due - Contribution.amount_paid
    query = (
        select(
            Contribution.payer_key,
            func.sum(outstanding),
            func.count(),
            func.min(Contribution.period),
        )
        .where(_unpaid(last), read_clause(Contribution, scope))
        .group_by(Contribution.payer_key)
    )
    having = _bucket_clause(bucket, on)
    if having is not None:
        query = query.having(having)
    rows = session.execute(query).all()
    at_risk = _workers_at_risk(session, [r[0] for r in rows])
    payers = [
        PayerArrears(key, "", "", int(amount), int(count), oldest, on, at_risk.get(key, 0))
        for key, amount, count, oldest in rows
    ]
    payers.sort(key=lambda p: (-p.workers_at_risk, -p.amount, p.payer_key))
    pages = max(1, -(-len(payers) // per_page))
    page = min(max(page, 1), pages)
    shown = payers[(page - 1) * per_page : page * per_page]
    _describe(session, shown, on)
    return Worklist(shown, len(payers), pages, page)


def _describe(session, payers: list[PayerArrears], on: dt.date) -> None:
    """Fill in names, regencies, the months with penalties and the latest letter of a page."""
    models = {"company": Company, "sponsor": Sponsor, "worker": Worker}
    ids: dict[str, list[int]] = defaultdict(list)
    for p in payers:
        ids[p.kind].append(p.payer_id)
    found = {}
    for kind, model in models.items():
        if ids[kind]:
            for record in session.scalars(select(model).where(model.id.in_(ids[kind]))):
                found[f"{kind}:{record.id}"] = record
    letters = latest_letters(session, ids["company"])
    penalties, book = PenaltyBook.load(session, on), RateBook.load(session)
    for p in payers:
        record = found.get(p.payer_key)
        p.name = record.name if record is not None else p.payer_key
        p.regency = record.regency.name if record is not None and record.regency else ""
        p.months = month_details(session, p.payer_key, on, penalties, book)
        if p.kind == "company":
            p.latest_letter = letters.get(p.payer_id)


def latest_letters(session, company_ids: list[int]) -> dict[int, ArrearsLetter]:
    """The latest letter issued to each company."""
    if not company_ids:
        return {}
    letters = session.scalars(
        select(ArrearsLetter)
        .where(ArrearsLetter.company_id.in_(company_ids))
        .order_by(ArrearsLetter.issued_at, ArrearsLetter.id)
    ).all()
    return {letter.company_id: letter for letter in letters}


def company_letters(session, company_id: int) -> list[ArrearsLetter]:
    """Every letter sent to a company, newest first."""
    return session.scalars(
        select(ArrearsLetter)
        .where(ArrearsLetter.company_id == company_id)
        .order_by(ArrearsLetter.issued_at.desc(), ArrearsLetter.id.desc())
    ).all()


def _open_letters(session, company_id: int) -> dict[str, ArrearsLetter]:
    letters = session.scalars(
        select(ArrearsLetter)
        .where(ArrearsLetter.company_id == company_id, ArrearsLetter.status == LetterStatus.OPEN)
        .order_by(ArrearsLetter.issued_at, ArrearsLetter.id)
    ).all()
    return {letter.kind: letter for letter in letters}


def settle_paid(session, company_id: int, on: dt.date) -> int:
    """Mark a company's open letters settled when it no longer owes anything; the caller commits."""
    if payer_arrears(session, f"company:{company_id}", on) is not None:
        return 0
    settled = 0
    for letter in _open_letters(session, company_id).values():
        letter.status = LetterStatus.SETTLED
        letter.settled_on = on
        settled += 1
    session.flush()
    return settled


PAID_KEY = "lindungi_paid_companies"


@event.listens_for(Session, "after_flush")
def _note_payments(session, _context) -> None:
    """Note the companies whose bills were paid in this transaction, whatever the channel
    (screen, REST, import, job): their open letters are settled at commit."""
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, Contribution) or obj.company_id is None:
            continue
        paid = inspect(obj).attrs.amount_paid.history
        if (obj in session.new and obj.amount_paid) or paid.has_changes():
            session.info.setdefault(PAID_KEY, set()).add(obj.company_id)


@event.listens_for(Session, "before_commit")
def _settle_on_commit(session) -> None:
    """A company that has paid all it owed: its open letters are settled, in the same commit."""
    if session.new or session.dirty:
        session.flush()  # the commit flushes after this event: note its payments first
    paying = session.info.pop(PAID_KEY, None)
    if not paying:
        return
    with session.no_autoflush:
        lettered = session.scalars(
            select(ArrearsLetter.company_id)
            .where(
                ArrearsLetter.company_id.in_(sorted(paying)),
                ArrearsLetter.status == LetterStatus.OPEN,
            )
            .distinct()
        ).all()
    for company_id in lettered:
        settle_paid(session, company_id, dt.date.today())


@event.listens_for(Session, "after_rollback")
def _forget_payments(session) -> None:
    session.info.pop(PAID_KEY, None)


@dataclass(frozen=True)
class Step:
    """The next letter of a company's enforcement and the day it may be issued from."""

    kind: str | None  # None: the recommendation for sanction is already open
    due_from: dt.date | None  # None: now


def wanted_step(session, company_id: int, on: dt.date) -> Step:
    """The next letter for a company in arrears: the first, or the one after the open one."""
    open_ = _open_letters(session, company_id)
    for index in range(len(STEPS) - 1, -1, -1):
        letter = open_.get(STEPS[index])
        if letter is None:
            continue
        if index == len(STEPS) - 1:
            return Step(None, None)
        due = letter.deadline + dt.timedelta(days=1)
        return Step(STEPS[index + 1], due if due > on else None)
    return Step(STEPS[0], None)


def _check(session, company: Company, kind: str, on: dt.date) -> PayerArrears:
    """Refuse a letter that may not be sent; return the arrears it is about."""
    if kind not in STEPS:
        raise ServiceError(_("Choose the letter to issue."))
    owed = payer_arrears(session, f"company:{company.id}", on)
    if owed is None:
        raise ServiceError(
            _(
                "%(company)s has no unpaid contributions up to last month: no letter is issued.",
                company=company.name,
            )
        )
    open_ = _open_letters(session, company.id)
    if kind in open_:
        raise ServiceError(
            _(
                "A letter “%(letter)s” is already open for %(company)s (number %(number)s).",
                letter=LetterKind.label_of(kind),
                company=company.name,
                number=str(open_[kind]),
            )
        )
    index = STEPS.index(kind)
    if index > 0:
        previous = open_.get(STEPS[index - 1])
        if previous is None:
            raise ServiceError(
                _(
                    "Issue the “%(previous)s” first: the “%(letter)s” follows it.",
                    previous=LetterKind.label_of(STEPS[index - 1]),
                    letter=LetterKind.label_of(kind),
                )
            )
        if on <= previous.deadline:
            raise ServiceError(
                _(
                    "The deadline of %(number)s is %(deadline)s: the “%(letter)s” can be "
                    "issued only after it has passed.",
                    number=str(previous),
                    deadline=format_date(previous.deadline, "d MMMM y"),
                    letter=LetterKind.label_of(kind),
                )
            )
    return owed


def issue(
    session, company: Company, kind: str, now: dt.datetime, issued_by_id: int | None = None
) -> ArrearsLetter:
    """Issue the next letter to a company, numbered in the BPJS branch's series; the caller
    commits. Refused, with nothing written, when it may not be sent."""
    from app.services.letters import local_date

    on = local_date(now)
    owed = _check(session, company, kind, on)
    letter = ArrearsLetter(
        company_id=company.id,
        regency_id=company.regency_id,
        kind=kind,
        issued_on=on,
        issued_at=now,
        months=owed.count,
        amount=owed.amount,
        penalty=owed.penalty,
        detail=json.dumps(
            [
                {
                    "period": m.period.isoformat(),
                    "outstanding": m.outstanding,
                    "late": m.late,
                    "penalty": m.penalty,
                }
                for m in owed.months
            ]
        ),
        deadline=on + dt.timedelta(days=DEADLINE_DAYS),
        status=LetterStatus.OPEN,
    )
    try:
        with session.begin_nested():  # two clicks at once: the second one is refused
            session.add(letter)
            session.flush()
    except IntegrityError as exc:
        raise ServiceError(
            _(
                "A letter “%(letter)s” was already issued to %(company)s today.",
                letter=LetterKind.label_of(kind),
                company=company.name,
            )
        ) from exc
    letter.issued_letter = issue_for(session, kind, letter, company.regency, now, issued_by_id)
    session.flush()
    return letter


def detail_of(letter: ArrearsLetter) -> list[MonthDue]:
    """The months a letter lists, as they stood when it was issued."""
    return [
        MonthDue(dt.date.fromisoformat(m["period"]), m["outstanding"], m["late"], m["penalty"])
        for m in json.loads(letter.detail or "[]")
    ]


def open_recommendation(session, company_id: int) -> ArrearsLetter | None:
    """The company's open recommendation for sanction, if any."""
    return session.scalars(
        select(ArrearsLetter).where(
            ArrearsLetter.company_id == company_id,
            ArrearsLetter.kind == LetterKind.SANCTION_RECOMMENDATION,
            ArrearsLetter.status == LetterStatus.OPEN,
        )
    ).first()
