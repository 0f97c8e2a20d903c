"""Demo arrears: Kapuas companies behind by 1, 2–3, 4–6 and over 6 months, one with a first
warning letter open and one whose recommendation for sanction is open (the permit officer sees
it in the company's verdict)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.demo.data import DEMO_SCOPE_REGENCY, months_back
from app.models import (
    Company,
    CompanyStatus,
    Contribution,
    Enrollment,
    LetterKind,
    PayerType,
    Regency,
)
from app.services import arrears

# months unpaid up to last month, per showcase company (in order of the companies chosen)
BEHIND = (9, 5, 2, 1)


def _when(today: dt.date, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(2, 0), tzinfo=dt.UTC)


def showcase(session, today: dt.date) -> dict[str, int]:
    """Set the arrears of four Kapuas employers and issue their letters; return what was done."""
    regency = session.scalars(select(Regency).where(Regency.code == DEMO_SCOPE_REGENCY)).one()
    chosen = session.scalars(
        select(Company)
        .where(
            Company.regency_id == regency.id,
            Company.npp.is_not(None),
            Company.status == CompanyStatus.ACTIVE,
            Company.id.in_(
                select(Contribution.company_id).where(Contribution.company_id.is_not(None))
            ),
        )
        .order_by(Company.id)
        .limit(len(BEHIND))
    ).all()
    for company, behind in zip(chosen, BEHIND, strict=False):
        _set_behind(session, company, behind, today)
    session.flush()
    letters = 0
    if len(chosen) >= 2:
        sanctioned, warned = chosen[0], chosen[1]
        for kind, days_ago in (
            (LetterKind.ARREARS_WARNING_1, 40),
            (LetterKind.ARREARS_WARNING_2, 25),
            (LetterKind.SANCTION_RECOMMENDATION, 5),
        ):
            arrears.issue(session, sanctioned, kind, _when(today, days_ago))
            letters += 1
        arrears.issue(session, warned, LetterKind.ARREARS_WARNING_1, _when(today, 3))
        letters += 1
    return {"companies_in_arrears": len(chosen), "arrears_letters": letters}


def _set_behind(session, company: Company, behind: int, today: dt.date) -> None:
    """The company's last ``behind`` months unpaid, every earlier month paid."""
    query = select(Contribution).where(Contribution.company_id == company.id)
    bills = {bill.period: bill for bill in session.scalars(query)}
    latest = max(bills)
    oldest = months_back(today, behind)
    for enrollment in session.scalars(
        select(Enrollment).where(
            Enrollment.company_id == company.id, Enrollment.payer_type == PayerType.EMPLOYER
        )
    ):
        enrollment.start_date = min(enrollment.start_date, oldest)
    for back in range(behind, 0, -1):  # bills older than the demo's months: as the latest
        period = months_back(today, back)
        if period not in bills:
            bills[period] = Contribution(
                payer_key=f"company:{company.id}",
                company_id=company.id,
                regency_id=company.regency_id,
                period=period,
                amount_due=bills[latest].amount_due,
                amount_paid=0,
            )
            session.add(bills[period])
    for period, bill in bills.items():
        if period >= oldest:
            bill.amount_paid, bill.paid_on, bill.reference = 0, None, None
        else:
            bill.amount_paid = bill.amount_due
            due = months_back(period, -1) + dt.timedelta(days=10)
            bill.paid_on = bill.paid_on or min(due, today)
            bill.reference = bill.reference or f"BPJSTK-{period:%Y%m}-{bill.id or 0:06d}"
