"""An award period over the test world: Kapuas and Barito Utara ranked, with the panel's marks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import AwardIndicator, AwardPeriod, AwardScore, Regency, RegencyWorkforce
from app.scope import UNRESTRICTED
from app.services import awards
from tests.world import BARUT, KAPUAS


def make_period(app, today, year: int) -> dict:
    """Open the period with workforce figures for both regencies, mark them and compute."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        session = db.session
        ids = dict(
            session.execute(
                select(Regency.code, Regency.id).where(Regency.code.in_([KAPUAS, BARUT]))
            ).all()
        )
        for code, (wage, informal) in {KAPUAS: (1000, 2000), BARUT: (500, 500)}.items():
            session.add(
                RegencyWorkforce(
                    regency_id=ids[code], year=year, wage_earners=wage, informal_workers=informal
                )
            )
        period = awards.open_period(session, year, scope=UNRESTRICTED)
        indicators = {(i.category, i.code): i for i in period.indicators}
        awards.set_input(session, indicators["regency", "interview"], ids[BARUT], 90, "", None, now)
        awards.set_input(
            session, indicators["regency", "interview"], ids[KAPUAS], 40, "", None, now
        )
        awards.compute_all(session, period, today, now, scope=UNRESTRICTED)
        session.commit()
        return {"period": period.id, "kapuas": ids[KAPUAS], "barut": ids[BARUT]}


def drop_period(app, year: int) -> None:
    with app.app_context():
        session = db.session
        period = session.scalars(select(AwardPeriod).where(AwardPeriod.year == year)).first()
        if period is not None:
            session.execute(AwardScore.__table__.delete().where(AwardScore.period_id == period.id))
            session.delete(period)
        session.execute(RegencyWorkforce.__table__.delete().where(RegencyWorkforce.year == year))
        session.commit()


def score_of(app, period_id, subject_id, category="regency"):
    with app.app_context():
        return db.session.scalars(
            select(AwardScore).where(
                AwardScore.period_id == period_id,
                AwardScore.category == category,
                AwardScore.subject_id == subject_id,
            )
        ).one()


def indicator_id(app, period_id, code, category="regency") -> int:
    with app.app_context():
        return db.session.scalar(
            select(AwardIndicator.id).where(
                AwardIndicator.period_id == period_id,
                AwardIndicator.category == category,
                AwardIndicator.code == code,
            )
        )
