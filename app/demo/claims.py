"""Demo claims: a covered work-accident death with a scholarship running, a covered JKM death
still being followed, and a death whose cover had lapsed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.demo.data import DEMO_SCOPE_VILLAGE, months_back
from app.models import Contribution, Enrollment, EnrollmentStatus, Village, Worker
from app.services import claims
from app.services.claims import HeirInput
from app.services.contributions import payer_of
from app.services.identifiers import make_nik


def _paid(session, enrollment: Enrollment, period: dt.date) -> bool:
    key, _columns = payer_of(enrollment)
    bill = session.scalars(
        select(Contribution).where(Contribution.payer_key == key, Contribution.period == period)
    ).first()
    return bill is not None and bill.amount_paid >= bill.amount_due > 0


def _covered(session, area: str, period: dt.date, skip=()) -> Worker | None:
    """The first sponsored vulnerable worker of an area (a village or regency code prefix)
    whose payer's bill for the month is paid."""
    query = (
        select(Enrollment)
        .join(Worker, Worker.id == Enrollment.worker_id)
        .where(
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.start_date <= period,
            Enrollment.sponsor_id.is_not(None),
            Worker.segment == "vulnerable",
            Worker.id.not_in(list(skip) or [0]),
        )
        .order_by(Worker.id)
    )
    query = query.join(Village, Village.id == Worker.village_id).where(
        Village.code.startswith(area)
    )
    for enrollment in session.scalars(query.limit(200)):
        if _paid(session, enrollment, period):
            return enrollment.worker
    return None


def _lapsed(session, area: str, period: dt.date) -> Worker | None:
    """A worker of an area whose own bill (or payer's) for the month was left unpaid."""
    regency = select(Village.regency_id).where(Village.code.startswith(area)).limit(1)
    for bill in session.scalars(
        select(Contribution)
        .where(
            Contribution.period == period,
            Contribution.amount_paid < Contribution.amount_due,
            Contribution.regency_id == regency.scalar_subquery(),
        )
        .order_by(Contribution.id)
        .limit(50)
    ):
        enrollment = session.scalars(
            select(Enrollment)
            .where(
                Enrollment.status == EnrollmentStatus.ACTIVE,
                Enrollment.start_date <= period,
                (Enrollment.worker_id == bill.worker_id)
                if bill.worker_id
                else (Enrollment.company_id == bill.company_id)
                if bill.company_id
                else (Enrollment.sponsor_id == bill.sponsor_id),
            )
            .order_by(Enrollment.worker_id)
        ).first()
        if enrollment is not None:
            return enrollment.worker
    return None


def load(session, today: dt.date) -> int:
    """Report the demo's deaths; returns how many were recorded."""
    month = months_back(today, 2)
    made, used = 0, set()
    regency = DEMO_SCOPE_VILLAGE[:5]  # the demo branch's regency (Kapuas)
    fisher = _covered(session, DEMO_SCOPE_VILLAGE, month) or _covered(session, regency, month)
    if fisher is not None:
        district = fisher.village.code.rsplit(".", 1)[0]
        born = dt.date(1990, 5, 17)
        widow = HeirInput(
            name="Rosalina",
            relation="spouse",
            nik=make_nik(district, born, "F", 9801),
            birth_date=born,
        )
        pupil_born = dt.date(month.year - 9, 4, 12)
        pupil = HeirInput(
            name="Yohanes",
            relation="child",
            nik=make_nik(district, pupil_born, "M", 9802),
            birth_date=pupil_born,
            school_level="sd",
            level_year=3,
        )
        toddler = HeirInput(
            name="Maria",
            relation="child",
            birth_date=dt.date(month.year - 3, 1, 5),
            school_level="none",
        )
        event = month.replace(day=9)
        claim = claims.report_event(
            session, fisher, "work_death", event, [widow, pupil, toddler], today=today
        )
        paid = min(event + dt.timedelta(days=30), today)
        for status in ("documents", "submitted"):
            claims.advance(session, claim, status, today=today)
        claims.advance(session, claim, "paid", paid_on=paid, amount=claim.amount_due, today=today)
        claims.pay_scholarship_year(session, claim.heirs[1].years[0], paid, today=today)
        made += 1
        used.add(fisher.id)
        second = _covered(session, regency, month, skip=[fisher.id])
        if second is not None:
            used.add(second.id)
            widow = HeirInput(name="Sarinah", relation="spouse")
            claims.report_event(session, second, "death", month.replace(day=21), [widow], today)
            made += 1
    lapsed = _lapsed(session, regency, months_back(today, 2))
    if lapsed is not None and lapsed.id not in used:
        son = HeirInput(
            name="Daniel", relation="child", birth_date=dt.date(2012, 5, 2), school_level="smp"
        )
        claims.report_event(
            session, lapsed, "death", months_back(today, 2).replace(day=14), [son], today=today
        )
        made += 1
    session.flush()
    return made
