"""Workers with a sponsored enrollment and bills of their own, for the claims tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from app.models import Claim, Contribution, Enrollment, Sponsor, Village, Worker
from tests.helpers import unique_nik


def months(first: dt.date, count: int) -> list[dt.date]:
    """`count` month starts from `first`'s month."""
    out, year, month = [], first.year, first.month
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def sponsored_worker(
    session,
    village_code: str,
    start: dt.date,
    paid: list[dt.date],
    unpaid: list[dt.date] = (),
    kind: str = "apbdes",
    wage: int = 1_000_000,
    name: str = "Pekerja Uji",
) -> Worker:
    """A vulnerable worker enrolled from `start` by a sponsor of their own whose bills for the
    `paid` months are paid in full and for the `unpaid` months are not."""
    village = session.scalars(select(Village).where(Village.code == village_code)).one()
    nik, born = unique_nik(village_code.rsplit(".", 1)[0])
    worker = Worker(
        nik=nik,
        name=name,
        birth_date=born,
        sex="M",
        village=village,
        regency_id=village.regency_id,
        segment="vulnerable",
    )
    sponsor = Sponsor(
        name=f"Sponsor {nik}",
        kind=kind,
        regency_id=village.regency_id,
        village_id=village.id if kind == "apbdes" else None,
    )
    session.add_all([worker, sponsor])
    session.flush()
    payer = {"apbdes": "apbdes", "apbd": "apbd", "csr_company": "csr"}[kind]
    session.add(
        Enrollment(
            worker=worker,
            regency_id=village.regency_id,
            start_date=start,
            status="active",
            payer_type=payer,
            sponsor=sponsor,
            declared_wage=wage,
            monthly_contribution=16_800,
        )
    )
    for period in [*paid, *unpaid]:
        done = period in paid
        session.add(
            Contribution(
                payer_key=f"sponsor:{sponsor.id}",
                sponsor_id=sponsor.id,
                regency_id=village.regency_id,
                period=period,
                amount_due=16_800,
                amount_paid=16_800 if done else 0,
                paid_on=period + dt.timedelta(days=40) if done else None,
            )
        )
    session.flush()
    return worker


def remove(session, worker_id: int) -> None:
    """Delete a test worker with its claims, enrollments, bills and sponsor, and commit."""
    session.rollback()
    for claim in session.scalars(select(Claim).where(Claim.worker_id == worker_id)):
        session.delete(claim)
    session.flush()
    sponsors = list(
        session.scalars(select(Enrollment.sponsor_id).where(Enrollment.worker_id == worker_id))
    )
    session.execute(delete(Enrollment).where(Enrollment.worker_id == worker_id))
    session.execute(delete(Contribution).where(Contribution.sponsor_id.in_(sponsors)))
    session.execute(delete(Sponsor).where(Sponsor.id.in_(sponsors)))
    session.execute(delete(Worker).where(Worker.id == worker_id))
    session.commit()
