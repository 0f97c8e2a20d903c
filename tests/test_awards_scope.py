"""Award decisions in the owner's area: the admin runs a period; regencies rank within a province.

Personas: vina supervises the Kapuas branch (marks Kapuas, never computes or locks); admin runs
the award nationally.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.errors import Forbidden
from app.extensions import db
from app.models import AwardPeriod, AwardScore, Province, Regency, RegencyWorkforce
from app.scope import UNRESTRICTED, scope_for_user
from app.services import awards
from tests.award_world import drop_period, make_period

YEAR = 2043
NOW = dt.datetime(2043, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def period(app, today):
    yield make_period(app, today, YEAR)
    drop_period(app, YEAR)


def _vina_scope(app):
    return scope_for_user(app.appbuilder.sm.find_user("vina"))


def test_a_branch_supervisor_cannot_compute_a_period_in_the_service(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        with pytest.raises(Forbidden):
            awards.compute_all(db.session, record, NOW.date(), NOW, scope=_vina_scope(app))
        db.session.rollback()


def test_a_branch_supervisor_cannot_lock_or_open_a_period_in_the_service(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        with pytest.raises(Forbidden):
            awards.lock(db.session, record, None, NOW, scope=_vina_scope(app))
        with pytest.raises(Forbidden):
            awards.open_period(db.session, YEAR + 1, scope=_vina_scope(app))
        db.session.rollback()
        assert not db.session.get(AwardPeriod, period["period"]).locked


def test_a_branch_supervisor_cannot_lock_or_compute_through_the_screens(app, as_user, period):
    vina = as_user("vina")
    with app.app_context():
        before = db.session.scalar(
            select(AwardScore.computed_at).where(AwardScore.period_id == period["period"]).limit(1)
        )
    assert vina.post(f"/awards/{YEAR}/compute").status_code == 403
    assert vina.post(f"/awards/{YEAR}/lock").status_code == 403
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        assert not record.locked
        after = db.session.scalar(
            select(AwardScore.computed_at).where(AwardScore.period_id == period["period"]).limit(1)
        )
    assert after == before


def test_the_admin_computes_and_locks_a_period(app, as_user, period):
    admin = as_user("admin")
    assert admin.post(f"/awards/{YEAR}/compute").status_code == 302
    assert admin.post(f"/awards/{YEAR}/lock").status_code == 302
    with app.app_context():
        assert db.session.get(AwardPeriod, period["period"]).locked


def test_regencies_are_ranked_within_their_own_province(app, today):
    with app.app_context():
        province = Province(code="99", name="Provinsi Uji")
        db.session.add(province)
        db.session.flush()
        other = Regency(code="99.01", name="Kabupaten Uji", province_id=province.id)
        db.session.add(other)
        db.session.flush()
        db.session.add(
            RegencyWorkforce(regency_id=other.id, year=YEAR, wage_earners=10, informal_workers=10)
        )
        db.session.commit()
        other_id, province_id = other.id, province.id
    try:
        made = make_period(app, today, YEAR)
        with app.app_context():
            ranks = dict(
                db.session.execute(
                    select(AwardScore.subject_id, AwardScore.rank).where(
                        AwardScore.period_id == made["period"], AwardScore.category == "regency"
                    )
                ).all()
            )
            central = db.session.scalars(select(Regency.id).where(Regency.code.like("62.%"))).all()
        assert ranks[other_id] == 1  # alone in its province
        assert sorted(ranks[r] for r in central if r in ranks) == list(
            range(1, len([r for r in central if r in ranks]) + 1)
        )
    finally:
        drop_period(app, YEAR)
        with app.app_context():
            db.session.execute(Regency.__table__.delete().where(Regency.id == other_id))
            db.session.execute(Province.__table__.delete().where(Province.id == province_id))
            db.session.commit()


def test_ranks_restart_for_each_group():
    rows = [
        {"name": "A", "final": 90, "panel": 0, "desk": 0, "province": 1},
        {"name": "B", "final": 80, "panel": 0, "desk": 0, "province": 2},
        {"name": "C", "final": 70, "panel": 0, "desk": 0, "province": 1},
        {"name": "D", "final": 60, "panel": 0, "desk": 0, "province": 2},
    ]
    ranked = {r["name"]: r["rank"] for r in awards.rank(rows, lambda r: r["province"])}
    assert ranked == {"A": 1, "B": 1, "C": 2, "D": 2}


def test_without_groups_ranks_run_across_everyone():
    rows = [
        {"name": "A", "final": 90, "panel": 0, "desk": 0},
        {"name": "B", "final": 80, "panel": 0, "desk": 0},
    ]
    assert [r["rank"] for r in awards.rank(rows)] == [1, 2]


def test_the_unrestricted_scope_runs_the_award(app, period):
    with app.app_context():
        record = db.session.get(AwardPeriod, period["period"])
        counts = awards.compute_all(db.session, record, NOW.date(), NOW, scope=UNRESTRICTED)
        db.session.rollback()
    assert counts["regency"] >= 2
