"""Award assessment of regencies, checked against figures worked out by hand.

Two Kalimantan Tengah regencies that no other test touches get a known population for the award
year 2030 (read today, since the year has not ended):
- Kotawaringin Barat: potential 10 wage earners and 20 informal workers; 4 wage earners covered by
  their employer, which declared 4 (compliant); 6 vulnerable workers paid by the APBD.
- Kotawaringin Timur: potential 10 and 10; 1 wage earner covered by an employer that declared 5
  (not compliant); 3 vulnerable workers paid by the APBD.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.models import (
    AwardIndicator,
    AwardPeriod,
    AwardScore,
    Company,
    District,
    Enrollment,
    Regency,
    RegencyWorkforce,
    Sponsor,
    Village,
    Worker,
)
from app.services import Conflict, awards
from app.services.identifiers import make_nik
from tests.helpers import count_queries

YEAR = 2030
TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
SERIALS = itertools.count(9001)


def _populate(session, code, wage_potential, informal_potential, declared, wage, vulnerable):
    regency = session.scalars(select(Regency).where(Regency.code == code)).one()
    village = session.scalars(
        select(Village).where(Village.regency_id == regency.id).order_by(Village.code).limit(1)
    ).one()
    district = session.get(District, village.district_id).code
    session.add(
        RegencyWorkforce(
            regency=regency,
            year=YEAR,
            wage_earners=wage_potential,
            informal_workers=informal_potential,
        )
    )
    company = Company(
        name=f"PT Uji {regency.name}",
        regency=regency,
        declared_workforce=declared,
        size_class="small",
        risk_group=1,
    )
    sponsor = Sponsor(name=f"APBD {regency.name}", kind="apbd", regency=regency)
    session.add_all([company, sponsor])
    session.flush()
    people = [("pu", "employer")] * wage + [("vulnerable", "apbd")] * vulnerable
    workers, plans = [], []
    for segment, payer in people:
        serial = next(SERIALS)
        nik = make_nik(district, dt.date(1980, 1, 1) + dt.timedelta(days=serial), "F", serial)
        workers.append(
            {
                "nik": nik,
                "name": f"Peserta {serial}",
                "birth_date": dt.date(1980, 1, 1) + dt.timedelta(days=serial),
                "sex": "F",
                "village_id": village.id,
                "regency_id": regency.id,
                "segment": segment,
            }
        )
        plans.append((nik, payer))
    session.execute(insert(Worker), workers)
    ids = dict(
        session.execute(
            select(Worker.nik, Worker.id).where(Worker.nik.in_([w["nik"] for w in workers]))
        ).all()
    )
    session.execute(
        insert(Enrollment),
        [
            {
                "worker_id": ids[nik],
                "regency_id": regency.id,
                "start_date": dt.date(2026, 1, 1),
                "status": "active",
                "payer_type": payer,
                "company_id": company.id if payer == "employer" else None,
                "sponsor_id": sponsor.id if payer == "apbd" else None,
                "declared_wage": 3_000_000,
                "jkk": True,
                "jkm": True,
                "jht": False,
                "jp": False,
                "jkp": False,
                "monthly_contribution": 16_800,
            }
            for nik, payer in plans
        ],
    )
    return regency.id


@pytest.fixture(scope="module")
def regencies(app):
    with app.app_context():
        session = db.session
        barat = _populate(session, "62.01", 10, 20, declared=4, wage=4, vulnerable=6)
        timur = _populate(session, "62.02", 10, 10, declared=5, wage=1, vulnerable=3)
        session.commit()
        return barat, timur


@pytest.fixture
def period(app, regencies):
    """A fresh, open 2030 period with the panel's marks; removed afterwards."""
    barat, timur = regencies
    with app.app_context():
        session = db.session
        period = awards.open_period(session, YEAR)
        marks = {
            barat: {"regulation": 100, "budget": 50, "interview": 80},
            timur: {"regulation": 100, "budget": 100, "innovation": 100, "interview": 100},
        }
        indicators = {i.code: i for i in period.indicators}
        for subject, given in marks.items():
            for code, value in given.items():
                awards.set_input(session, indicators[code], subject, value, "SK Bupati", None, NOW)
        session.commit()
        period_id = period.id
    yield period_id
    with app.app_context():
        db.session.delete(db.session.get(AwardPeriod, period_id))
        db.session.execute(AwardScore.__table__.delete())
        db.session.commit()


def _compute(app, period_id):
    with app.app_context():
        period = db.session.get(AwardPeriod, period_id)
        scores = awards.compute_regency_scores(db.session, period, TODAY, NOW)
        db.session.commit()
        return {
            s.subject_id: (s.desk_score, s.panel_score, s.final_score, s.rank, s.inputs)
            for s in scores
        }


def test_each_computed_indicator_matches_the_hand_figures(app, regencies, period):
    barat, timur = regencies
    scores = _compute(app, period)
    values = {
        subject: {k: v["value"] for k, v in json.loads(s[4])["indicators"].items()}
        for subject, s in scores.items()
    }
    assert values[barat] == {
        "wage_coverage": 4000,  # 4 of 10
        "informal_coverage": 3000,  # 6 of 20
        "vulnerable_funded": 10000,  # 6, the best
        "villages_at_100": 0,
        "companies_compliant": 10000,  # 1 of 1
        "regulation": 10000,
        "budget": 5000,
        "innovation": 0,  # not entered
        "interview": 8000,
    }
    assert values[timur]["wage_coverage"] == 1000
    assert values[timur]["informal_coverage"] == 3000
    assert values[timur]["vulnerable_funded"] == 5000  # 3 against the best 6
    assert values[timur]["companies_compliant"] == 0


def test_desk_panel_final_score_and_rank_match_the_hand_figures(app, regencies, period):
    barat, timur = regencies
    scores = _compute(app, period)
    # desk (15*40 + 15*30 + 10*100 + 10*0 + 10*100) / 60 = 50,83; panel (100+50+0+80)/4 = 57,50
    assert scores[barat][:4] == (5083, 5750, 5350, 1)
    # desk (15*10 + 15*30 + 10*50) / 60 = 18,33; panel 100; final (1100 + 4000) / 100 = 51,00
    assert scores[timur][:4] == (1833, 10000, 5100, 2)


def test_a_heavier_weight_changes_the_ranking_as_expected(app, regencies, period):
    barat, timur = regencies
    with app.app_context():
        innovation = db.session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == period, AwardIndicator.code == "innovation"
            )
        ).one()
        awards.set_weight(db.session, innovation, 60)
        db.session.commit()
    scores = _compute(app, period)
    assert scores[timur][2:4] == (6733, 1)  # (1100 + 10*100 + 10*100 + 60*100 + 10*100) / 150
    assert scores[barat][2:4] == (3567, 2)


def test_recomputing_gives_the_same_numbers_and_the_snapshot_reproduces_them(
    app, regencies, period
):
    first = _compute(app, period)
    second = _compute(app, period)
    assert first == second
    for desk, panel, final, _rank, inputs in first.values():
        assert awards.score(json.loads(inputs)["indicators"]) == (desk, panel, final)


def test_a_locked_period_can_no_longer_change(app, regencies, period):
    barat, _timur = regencies
    _compute(app, period)
    with app.app_context():
        session = db.session
        locked = session.get(AwardPeriod, period)
        awards.lock(session, locked, None, NOW)
        session.commit()
        indicator = locked.indicators[0]
        panel = next(i for i in locked.indicators if i.source == "panel")
        with pytest.raises(Conflict):
            awards.compute_regency_scores(session, locked, TODAY, NOW)
        with pytest.raises(Conflict):
            awards.set_weight(session, indicator, 20)
        with pytest.raises(Conflict):
            awards.set_input(session, panel, barat, 10, None, None, NOW)
        session.rollback()


def test_a_period_cannot_be_locked_before_its_scores_are_computed(app, regencies, period):
    with app.app_context():
        with pytest.raises(Conflict):
            awards.lock(db.session, db.session.get(AwardPeriod, period), None, NOW)


def test_ties_go_to_the_higher_panel_score_then_desk_then_name():
    rows = [
        {"name": "B", "final": 5000, "panel": 6000, "desk": 4000},
        {"name": "A", "final": 5000, "panel": 6000, "desk": 4000},
        {"name": "C", "final": 5000, "panel": 7000, "desk": 3000},
        {"name": "D", "final": 5000, "panel": 6000, "desk": 4500},
    ]
    assert [r["name"] for r in awards.rank(rows)] == ["C", "D", "A", "B"]


@pytest.mark.parametrize("value", ["-1", "100.5", "banyak", None])
def test_a_panel_mark_outside_0_to_100_is_refused(app, regencies, period, value):
    from app.services import ServiceError

    with app.app_context():
        indicator = db.session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == period, AwardIndicator.code == "budget"
            )
        ).one()
        with pytest.raises(ServiceError):
            awards.set_input(db.session, indicator, regencies[0], value, None, None, NOW)
        db.session.rollback()


def test_the_figures_take_four_queries_whatever_the_population(app, regencies, period):
    with app.app_context():
        period_row = db.session.get(AwardPeriod, period)
        with count_queries(app) as statements:
            awards.regency_figures(db.session, period_row, TODAY)
        assert len(statements) == 4
