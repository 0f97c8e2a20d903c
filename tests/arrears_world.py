"""Companies in arrears for the arrears tests: made per test, removed afterwards.

Each worker is a wage earner of JKK risk group I with JKK, JKM, JHT and JP on Rp 5.000.000:
JKK 0,24 % = 12.000, JKM 0,30 % = 15.000, JHT 3,70 % + 2 % = 285.000, JP 2 % + 1 % = 150.000
(below the JP wage cap): Rp 462.000 a month, of which 312.000 under JKK/JKM/JHT and 150.000 JP.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    ArrearsLetter,
    Company,
    Contribution,
    Enrollment,
    IssuedLetter,
    Regency,
    Worker,
)
from app.services.contributions import last_due_month
from tests.helpers import unique_nik
from tests.world import BARUT, BARUT_VILLAGE, KAPUAS, KAPUAS_VILLAGE, village

MONTHLY = 462_000


def months_before(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def make_company(name, code, village_code, workers, unpaid, on, paid=None, npp=None):
    """A company with ``workers`` wage earners and bills for the months ``unpaid`` months back
    from the last month due (0 = last month); ``paid`` maps such a month to what was paid."""
    session = db.session
    regency = session.scalar(select(Regency).where(Regency.code == code))
    company = Company(
        name=name,
        regency=regency,
        size_class="medium",
        risk_group=1,
        declared_workforce=workers,
        npp=npp,
    )
    session.add(company)
    session.flush()
    for n in range(workers):
        nik, born = unique_nik(village_code.rsplit(".", 1)[0])
        v = village(session, village_code)
        worker = Worker(
            nik=nik,
            name=f"{name} pekerja {n + 1}",
            birth_date=born,
            sex="M",
            village=v,
            regency_id=regency.id,
            segment="pu",
            company=company,
        )
        session.add(worker)
        session.flush()
        session.add(
            Enrollment(
                worker=worker,
                regency_id=regency.id,
                jkk=True,
                jkm=True,
                jht=True,
                jp=True,
                start_date=months_before(last_due_month(on), 12),
                status="active",
                payer_type="employer",
                company=company,
                declared_wage=5_000_000,
                monthly_contribution=MONTHLY,
                worker_share=150_000,
            )
        )
    last = last_due_month(on)
    for n in unpaid:
        period = months_before(last, n)
        paid_amount = (paid or {}).get(n, 0)
        session.add(
            Contribution(
                payer_key=f"company:{company.id}",
                company_id=company.id,
                regency_id=regency.id,
                period=period,
                amount_due=MONTHLY * workers,
                amount_paid=paid_amount,
                paid_on=on if paid_amount else None,
            )
        )
    session.commit()
    return company.id


def remove(company_ids) -> None:
    """Remove the companies and everything the tests made for them."""
    session = db.session
    session.rollback()
    letters = session.scalars(
        select(ArrearsLetter.id).where(ArrearsLetter.company_id.in_(company_ids))
    ).all()
    session.execute(delete(ArrearsLetter).where(ArrearsLetter.id.in_(letters)))
    session.execute(
        delete(IssuedLetter).where(
            IssuedLetter.subject_type == "ArrearsLetter", IssuedLetter.subject_id.in_(letters)
        )
    )
    session.execute(delete(Contribution).where(Contribution.company_id.in_(company_ids)))
    workers = select(Worker.id).where(Worker.company_id.in_(company_ids))
    session.execute(delete(Enrollment).where(Enrollment.worker_id.in_(workers)))
    session.execute(delete(Worker).where(Worker.company_id.in_(company_ids)))
    session.execute(delete(Company).where(Company.id.in_(company_ids)))
    session.commit()


__all__ = ["BARUT", "BARUT_VILLAGE", "KAPUAS", "KAPUAS_VILLAGE", "MONTHLY", "make_company"]
