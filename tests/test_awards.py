"""Award assessment, checked against figures worked out by hand.

Two Kalimantan Tengah regencies that no other test touches get a known population for the award
year 2030, read after the year has ended (bills of January to November count):
- Kotawaringin Barat: potential 10 wage earners and 20 informal workers; 4 wage earners covered by
  their small company, which declared 4 (compliant), with JKK and JKM only; 6 vulnerable workers
  paid by the APBD; 2 non-ASN staff on record, 1 covered (APBD); 2 construction projects with an
  SPK in 2030, 1 registered; the company's March bill Rp 100.000, Rp 75.000 paid.
- Kotawaringin Timur: potential 10 and 10; 1 wage earner with JKK, JKM and JHT covered by a small
  company that declared 5 (not compliant); 3 vulnerable workers paid by the APBD; 1 project,
  registered; bills Rp 100.000 and Rp 50.000, paid in full (the second overpaid by Rp 30.000,
  which earns nothing).
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
    ConstructionProject,
    Contribution,
    District,
    Enrollment,
    Regency,
    RegencyWorkforce,
    Sponsor,
    Village,
    Worker,
)
from app.scope import UNRESTRICTED
from app.services import Conflict, awards
from app.services.identifiers import make_nik
from tests.helpers import count_queries

YEAR = 2030
TODAY = dt.date(2031, 2, 1)
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
SERIALS = itertools.count(9001)
COMPANIES: dict[str, int] = {}


def _populate(
    session, code, wage_potential, informal_potential, declared, wage, vulnerable, **more
):
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
    people += [("non_asn", "apbd")] * more.get("non_asn_covered", 0)
    people += [("non_asn", None)] * more.get("non_asn_uncovered", 0)
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
                "jht": payer == "employer" and more.get("jht", False),
                "jp": False,
                "jkp": False,
                "monthly_contribution": 16_800,
            }
            for nik, payer in plans
            if payer is not None
        ],
    )
    for number, registered in enumerate(more.get("projects", [])):
        session.add(
            ConstructionProject(
                name=f"Jalan desa {number}",
                spk_number=f"SPK/{code}/{number}",
                spk_date=dt.date(YEAR, 2, 1),
                company_id=company.id,
                regency_id=regency.id,
                contract_value=500_000_000,
                funding="apbd_funds",
                registered_on=dt.date(YEAR, 2, 5) if registered else None,
            )
        )
    for month, (due, paid) in enumerate(more.get("bills", []), start=3):
        session.add(
            Contribution(
                payer_key=f"company:{company.id}",
                company_id=company.id,
                regency_id=regency.id,
                period=dt.date(YEAR, month, 1),
                amount_due=due,
                amount_paid=paid,
            )
        )
    return regency.id, company.id


@pytest.fixture(scope="module")
def regencies(app):
    with app.app_context():
        session = db.session
        barat = _populate(
            session, "62.01", 10, 20, declared=4, wage=4, vulnerable=6,
            non_asn_covered=1, non_asn_uncovered=1, projects=[True, False],
            bills=[(100_000, 75_000)],
        )  # fmt: skip
        timur = _populate(
            session, "62.02", 10, 10, declared=5, wage=1, vulnerable=3, jht=True,
            projects=[True], bills=[(100_000, 100_000), (50_000, 80_000)],
        )  # fmt: skip
        session.commit()
        COMPANIES.update(barat=barat[1], timur=timur[1])
        return barat[0], timur[0]


@pytest.fixture
def period(app, regencies):
    """A fresh, open 2030 period with the panel's marks; removed afterwards."""
    barat, timur = regencies
    with app.app_context():
        session = db.session
        period = awards.open_period(session, YEAR, scope=UNRESTRICTED)
        marks = {
            ("regency", barat): {"regulation": 100, "budget": 50, "interview": 80},
            ("regency", timur): {
                "regulation": 100, "budget": 100, "innovation": 100, "interview": 100
            },
            ("small", COMPANIES["barat"]): {"participation": 80},
        }  # fmt: skip
        indicators = {(i.category, i.code): i for i in period.indicators}
        for (category, subject), given in marks.items():
            for code, value in given.items():
                indicator = indicators[category, code]
                awards.set_input(session, indicator, subject, value, "SK Bupati", None, NOW)
        session.commit()
        period_id = period.id
    yield period_id
    with app.app_context():
        db.session.delete(db.session.get(AwardPeriod, period_id))
        db.session.execute(AwardScore.__table__.delete())
        db.session.commit()


def _compute(app, period_id, category="regency"):
    with app.app_context():
        period = db.session.get(AwardPeriod, period_id)
        awards.compute_scores(db.session, period, category, TODAY, NOW, scope=UNRESTRICTED)
        db.session.commit()
        scores = db.session.scalars(
            select(AwardScore).where(
                AwardScore.period_id == period_id, AwardScore.category == category
            )
        )
        return {
            s.subject_id: (s.desk_score, s.panel_score, s.final_score, s.rank, s.inputs)
            for s in scores
        }


def _values(score):
    return {k: v["value"] for k, v in json.loads(score[4])["indicators"].items()}


def test_each_regency_indicator_matches_the_hand_figures(app, regencies, period):
    barat, timur = regencies
    scores = _compute(app, period)
    assert set(scores) == {barat, timur}  # only regencies with a 2030 workforce take part
    assert _values(scores[barat]) == {
        "wage_coverage": 4000,  # 4 of 10
        "informal_coverage": 3500,  # 6 vulnerable + 1 non-ASN of 20
        "vulnerable_funded": 10000,  # 6, the best
        "villages_at_100": 0,
        "non_asn_coverage": 5000,  # 1 of 2
        "companies_compliant": 10000,  # 1 of 1
        "construction_registered": 5000,  # 1 of 2
        "contributions_paid": 7500,  # Rp 75.000 of Rp 100.000
        "regulation": 10000,
        "budget": 5000,
        "innovation": 0,  # not entered
        "interview": 8000,
    }
    assert _values(scores[timur]) == {
        "wage_coverage": 1000,
        "informal_coverage": 3000,
        "vulnerable_funded": 5000,  # 3 against the best 6
        "villages_at_100": 0,
        "non_asn_coverage": 0,  # nobody on record: nothing to credit
        "companies_compliant": 0,  # 1 enrolled of 5 declared
        "construction_registered": 10000,
        "contributions_paid": 10000,  # the overpayment is capped at the bill
        "regulation": 10000,
        "budget": 10000,
        "innovation": 10000,
        "interview": 10000,
    }


def test_desk_panel_final_score_and_rank_match_the_hand_figures(app, regencies, period):
    barat, timur = regencies
    scores = _compute(app, period)
    # desk (15*40 + 15*35 + 10*100 + 5*0 + 5*50 + 5*100 + 5*50 + 5*75) / 65 = 53,85
    # panel (10*100 + 10*50 + 5*0 + 10*80) / 35 = 65,71; final (3500 + 2300) / 100 = 58,00
    assert scores[barat][:4] == (5385, 6571, 5800, 1)
    # desk (15*10 + 15*30 + 10*50 + 5*100 + 5*100) / 65 = 32,31; panel 100; final 56,00
    assert scores[timur][:4] == (3231, 10000, 5600, 2)


def test_the_province_adds_up_its_regencies(app, regencies, period):
    scores = _compute(app, period, "province")
    assert len(scores) == 1  # Kalimantan Tengah, the only province with a 2030 workforce
    (kalteng,) = scores.values()
    assert _values(kalteng) == {
        "wage_coverage": 2500,  # 5 of 20
        "informal_coverage": 3333,  # 10 of 30
        "vulnerable_funded": 10000,  # the only province, so the best
        "villages_at_100": 0,
        "non_asn_coverage": 5000,
        "companies_compliant": 5000,  # 1 of 2
        "construction_registered": 6667,  # 2 of 3
        "contributions_paid": 9000,  # Rp 225.000 of Rp 250.000
        "regulation": 0,
        "budget": 0,
        "innovation": 0,
        "interview": 0,
    }
    # desk 3158,30 / 65 weights = 48,59; no panel marks; final 31,58
    assert kalteng[:4] == (4859, 0, 3158, 1)


def test_company_indicators_and_scores_match_the_hand_figures(app, regencies, period):
    scores = _compute(app, period, "small")
    barat, timur = scores[COMPANIES["barat"]], scores[COMPANIES["timur"]]
    assert _values(barat) == {
        "workers_registered": 10000,  # 4 of 4 declared
        "programs_complete": 0,  # JKK and JKM only
        "contributions_paid": 7500,
        "administration": 0,
        "participation": 8000,
        "interview": 0,
    }
    assert _values(timur)["workers_registered"] == 2000  # 1 of 5
    assert _values(timur)["programs_complete"] == 10000  # JKK, JKM and JHT
    assert _values(timur)["contributions_paid"] == 10000
    # desk (25*100 + 20*75) / 60 = 66,67; panel 15*80 / 40 = 30; final (4000 + 1200) / 100
    assert barat[:3] == (6667, 3000, 5200)
    # desk (25*20 + 15*100 + 20*100) / 60 = 66,67; no panel; final 40,00
    assert timur[:3] == (6667, 0, 4000)
    assert barat[3] < timur[3]


def test_a_company_of_another_size_is_not_a_participant(app, regencies, period):
    from app.services import NotFound

    with app.app_context():
        large = db.session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == period,
                AwardIndicator.category == "large",
                AwardIndicator.code == "interview",
            )
        ).one()
        with pytest.raises(NotFound):
            awards.set_input(db.session, large, COMPANIES["barat"], 50, None, None, NOW)
        db.session.rollback()


def test_a_heavier_weight_changes_the_ranking_as_expected(app, regencies, period):
    barat, timur = regencies
    with app.app_context():
        innovation = db.session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == period,
                AwardIndicator.category == "regency",
                AwardIndicator.code == "innovation",
            )
        ).one()
        awards.set_weight(db.session, innovation, 60)
        db.session.commit()
    scores = _compute(app, period)
    assert scores[timur][2:4] == (7161, 1)  # (2100 + 10*100 + 10*100 + 60*100 + 10*100) / 155
    assert scores[barat][2:4] == (3742, 2)  # (3500 + 2300) / 155


def test_a_new_panel_mark_changes_the_ranking_as_expected(app, regencies, period):
    barat, timur = regencies
    with app.app_context():
        innovation = db.session.scalars(
            select(AwardIndicator).where(
                AwardIndicator.period_id == period,
                AwardIndicator.category == "regency",
                AwardIndicator.code == "interview",
            )
        ).one()
        awards.set_input(db.session, innovation, timur, 0, None, None, NOW)
        db.session.commit()
    scores = _compute(app, period)
    assert scores[timur][2:4] == (4600, 2)  # the interview's 10 * 100 points are gone
    assert scores[barat][3] == 1


def test_recomputing_gives_the_same_numbers_and_the_snapshot_reproduces_them(
    app, regencies, period
):
    for category in ("regency", "province", "small"):
        first = _compute(app, period, category)
        second = _compute(app, period, category)
        assert first == second
        for desk, panel, final, _rank, inputs in first.values():
            assert awards.score(json.loads(inputs)["indicators"]) == (desk, panel, final)


def test_a_locked_period_can_no_longer_change(app, regencies, period):
    barat, _timur = regencies
    _compute(app, period)
    with app.app_context():
        session = db.session
        locked = session.get(AwardPeriod, period)
        awards.lock(session, locked, None, NOW, scope=UNRESTRICTED)
        session.commit()
        indicator = locked.indicators[0]
        panel = next(i for i in locked.indicators if i.source == "panel")
        with pytest.raises(Conflict):
            awards.compute_scores(session, locked, "regency", TODAY, NOW, scope=UNRESTRICTED)
        with pytest.raises(Conflict):
            awards.set_weight(session, indicator, 20)
        with pytest.raises(Conflict):
            awards.set_input(session, panel, barat, 10, None, None, NOW)
        session.rollback()


def test_a_period_cannot_be_locked_before_its_scores_are_computed(app, regencies, period):
    with app.app_context():
        with pytest.raises(Conflict):
            awards.lock(
                db.session, db.session.get(AwardPeriod, period), None, NOW, scope=UNRESTRICTED
            )


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
                AwardIndicator.period_id == period,
                AwardIndicator.category == "regency",
                AwardIndicator.code == "budget",
            )
        ).one()
        with pytest.raises(ServiceError):
            awards.set_input(db.session, indicator, regencies[0], value, None, None, NOW)
        db.session.rollback()


@pytest.mark.parametrize("weight", ["-1", "101", "2.5", "berat"])
def test_a_weight_outside_0_to_100_is_refused(app, regencies, period, weight):
    from app.services import ServiceError

    with app.app_context():
        indicator = db.session.scalars(
            select(AwardIndicator).where(AwardIndicator.period_id == period)
        ).first()
        with pytest.raises(ServiceError):
            awards.set_weight(db.session, indicator, weight)
        db.session.rollback()


def test_every_category_has_weights_adding_up_to_100(app, period):
    with app.app_context():
        indicators = db.session.get(AwardPeriod, period).indicators
        for category in awards.CATEGORIES:
            assert sum(i.weight for i in indicators if i.category == category) == 100


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_population(app, regencies, period):
    with app.app_context():
        period_row = db.session.get(AwardPeriod, period)
        with count_queries(app) as statements:
            awards.regency_figures(db.session, period_row, TODAY)
        assert len(statements) == 7
        with count_queries(app) as statements:
            awards.company_figures(db.session, period_row, "small", TODAY)
        assert len(statements) == 3
