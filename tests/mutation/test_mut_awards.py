"""The award's service rules called directly: periods, weights, panel marks, scores and the lock.

Each test opens its own period in a year no other test uses (from 2060 on) inside its
transaction, which is rolled back; messages are read in English.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from app.models import AwardInput, AwardScore, Company, Province, Regency, RegencyWorkforce
from app.scope import UNRESTRICTED, Scope
from app.services import awards
from tests.mutation.support import refusal

YEARS = itertools.count(2060)
NOW = dt.datetime(2031, 6, 1, 9, 0)


@pytest.fixture
def period(session):
    return awards.open_period(session, next(YEARS), scope=UNRESTRICTED)


def kapuas(session) -> Scope:
    return Scope(regency_ids=frozenset({regency(session, "62.03").id}))


def regency(session, code) -> Regency:
    return session.query(Regency).filter_by(code=code).one()


def panel(period, category, code="interview"):
    return next(i for i in awards.indicators_of(period, category) if i.code == code)


def computed(period, category):
    return next(i for i in awards.indicators_of(period, category) if i.source == "computed")


# --- the period -------------------------------------------------------------------------------


def test_only_the_national_administrator_opens_computes_and_locks(session, en, period):
    expected = (
        "Only the national administrator opens, computes and locks an award period.",
        None,
        403,
    )
    restricted = kapuas(session)
    assert refusal(awards.open_period, session, 2099, scope=restricted) == expected
    assert (
        refusal(
            awards.compute_scores, session, period, "regency", NOW.date(), NOW, scope=restricted
        )
        == expected
    )
    assert (
        refusal(awards.compute_all, session, period, NOW.date(), NOW, scope=restricted) == expected
    )
    assert refusal(awards.lock, session, period, 1, NOW, scope=restricted) == expected


@pytest.mark.parametrize("year", [2016, 2101])
def test_a_period_is_held_from_2017_to_2100(session, en, year):
    assert refusal(awards.open_period, session, year, scope=UNRESTRICTED) == (
        "The award has been held since 2017; enter a year from 2017.",
        None,
        422,
    )


def test_a_period_of_2100_can_be_opened_once(session):
    opened = awards.open_period(session, 2100, scope=UNRESTRICTED)
    assert opened.year == 2100 and opened.status == "open"
    assert awards.open_period(session, 2100, scope=UNRESTRICTED) is opened


def test_a_new_period_holds_every_categorys_default_indicators_in_order(period):
    for category in awards.CATEGORIES:
        table = awards.indicator_table(category)
        rows = sorted(awards.indicators_of(period, category), key=lambda i: i.position)
        assert [(i.code, i.aspect, i.name, i.source, i.weight, i.relative) for i in rows] == [
            tuple(r) for r in table
        ]
        assert [i.position for i in rows] == list(range(len(table)))
        assert all(i.category == category for i in rows)


# --- weights -----------------------------------------------------------------------------------


def test_weights_change_together_or_not_at_all(session, en, period):
    first, second = awards.indicators_of(period, "large")[:2]
    message, _field, status = refusal(
        awards.set_weights, session, period, "large", {first.id: "30", second.id: "200"}
    )
    assert message == f"{second.name}: A weight is a whole number from 0 to 100." and status == 422
    awards.set_weights(session, period, "large", {first.id: "30", second.id: "0"})
    assert (first.weight, second.weight) == (30, 0)


def test_a_category_needs_one_weight_above_zero(session, en, period):
    given = {i.id: "0" for i in awards.indicators_of(period, "small")}
    assert refusal(awards.set_weights, session, period, "small", given) == (
        "At least one indicator needs a weight above 0.",
        None,
        422,
    )


def test_a_locked_period_changes_nothing(session, en, period):
    period.status = "locked"
    assert refusal(awards.set_weight, session, computed(period, "large"), 5) == (
        f"The period {period.year} is locked; nothing in it can change.",
        None,
        409,
    )


# --- the panel's marks ---------------------------------------------------------------------------


def test_the_subjects_of_each_category_and_their_regency(session):
    kapuas_id = regency(session, "62.03").id
    company = session.query(Company).filter_by(name="PT Sawit Kapuas Lestari").one()
    province = session.query(Province).filter_by(code="62").one()
    assert awards.subject_exists(session, "province", province.id)
    assert not awards.subject_exists(session, "province", 10**6)
    assert awards.subject_exists(session, "regency", kapuas_id)
    assert not awards.subject_exists(session, "regency", 10**6)
    assert awards.subject_exists(session, "medium", company.id)
    assert not awards.subject_exists(session, "large", company.id)
    assert not awards.subject_exists(session, "medium", 10**6)
    assert awards.subject_regency(session, "province", province.id) is None
    assert awards.subject_regency(session, "regency", kapuas_id) == kapuas_id
    assert awards.subject_regency(session, "medium", company.id) == kapuas_id


def test_a_mark_is_stored_in_hundredths_with_its_evidence(session, period):
    indicator = panel(period, "regency")
    kapuas_id = regency(session, "62.03").id
    awards.set_input(session, indicator, kapuas_id, "75,5", "  " + "e" * 400, 3, NOW)
    session.flush()
    row = session.query(AwardInput).filter_by(indicator_id=indicator.id, subject_id=kapuas_id).one()
    assert (row.value, row.evidence, row.entered_by_id) == (7550, "e" * 300, 3)
    assert row.entered_at.replace(tzinfo=None) == NOW
    awards.set_input(session, indicator, kapuas_id, 100, "   ", 4, NOW)
    session.flush()
    assert (row.value, row.evidence, row.entered_by_id) == (10_000, None, 4)
    awards.set_input(session, indicator, kapuas_id, "0", None, 4, NOW)
    assert row.value == 0


@pytest.mark.parametrize("value", ["100.01", "-0.01", "x", None])
def test_a_mark_outside_0_to_100_is_refused(session, en, period, value):
    indicator = panel(period, "regency")
    assert refusal(
        awards.set_input, session, indicator, regency(session, "62.03").id, value, None, 1, NOW
    ) == ("A mark is a number from 0 to 100.", "value", 422)


def test_a_computed_indicator_or_an_unknown_subject_takes_no_mark(session, en, period):
    kapuas_id = regency(session, "62.03").id
    assert refusal(
        awards.set_input, session, computed(period, "regency"), kapuas_id, "5", None, 1, NOW
    ) == ("This indicator is computed from the records.", None, 422)
    assert refusal(
        awards.set_input, session, panel(period, "regency"), 10**6, "5", None, 1, NOW
    ) == ("No such participant in this category.", None, 404)
    period.status = "locked"
    assert (
        refusal(awards.set_input, session, panel(period, "regency"), kapuas_id, "5", None, 1, NOW)[
            2
        ]
        == 409
    )


def test_marks_outside_the_markers_area_read_as_not_found(session, en, period):
    barut = regency(session, "62.05").id
    interview = panel(period, "regency")
    marks = {interview.id: ("50", None)}
    expected = ("No such participant in this category.", None, 404)
    assert (
        refusal(
            awards.set_marks,
            session,
            period,
            "regency",
            barut,
            marks,
            1,
            NOW,
            scope=kapuas(session),
        )
        == expected
    )
    assert (
        refusal(
            awards.set_marks, session, period, "regency", 10**6, marks, 1, NOW, scope=UNRESTRICTED
        )
        == expected
    )
    assert not session.query(AwardInput).filter_by(indicator_id=interview.id).count()


def test_marks_left_empty_or_on_computed_indicators_are_skipped(session, en, period):
    kapuas_id = regency(session, "62.03").id
    interview, budget = panel(period, "regency"), panel(period, "regency", "budget")
    regulation = panel(period, "regency", "regulation")
    marks = {
        interview.id: ("60", "wawancara"),
        budget.id: ("  ", None),
        computed(period, "regency").id: ("99", None),
    }
    awards.set_marks(session, period, "regency", kapuas_id, marks, 1, NOW, scope=kapuas(session))
    session.flush()
    stored = {
        row.indicator_id: row.value
        for row in session.query(AwardInput).filter(AwardInput.subject_id == kapuas_id)
        if row.indicator.period_id == period.id
    }
    assert stored == {interview.id: 6000}
    message = refusal(
        awards.set_marks,
        session,
        period,
        "regency",
        kapuas_id,
        {regulation.id: ("101", None)},
        1,
        NOW,
        scope=UNRESTRICTED,
    )[0]
    assert message == f"{regulation.name}: A mark is a number from 0 to 100."


# --- scores, ranks and the lock ------------------------------------------------------------------


def workforce(session, period, *regencies):
    """Potential workforce figures for the year: only regencies with them take part."""
    for reg in regencies:
        session.add(
            RegencyWorkforce(
                regency_id=reg.id, year=period.year, wage_earners=1000, informal_workers=1000
            )
        )
    session.flush()


def scores(session, period, category):
    return {
        s.subject_id: s
        for s in session.query(AwardScore).filter_by(period_id=period.id, category=category)
    }


def test_regencies_are_scored_and_ranked_within_their_province(session, period):
    kapuas_id, barut_id = regency(session, "62.03").id, regency(session, "62.05").id
    workforce(session, period, regency(session, "62.03"), regency(session, "62.05"))
    for indicator in awards.indicators_of(period, "regency"):
        indicator.weight = 1 if indicator.code == "interview" else 0
    awards.set_input(session, panel(period, "regency"), barut_id, "80", None, 1, NOW)
    awards.set_input(session, panel(period, "regency"), kapuas_id, "40", None, 1, NOW)
    session.flush()
    ranked = awards.compute_scores(session, period, "regency", NOW.date(), NOW, scope=UNRESTRICTED)
    rows = scores(session, period, "regency")
    assert ranked == len(rows) == 2
    barut, kapuas_row = rows[barut_id], rows[kapuas_id]
    assert (barut.final_score, barut.panel_score, barut.desk_score, barut.rank) == (
        8000,
        8000,
        0,
        1,
    )
    assert (kapuas_row.final_score, kapuas_row.rank, kapuas_row.regency_id) == (4000, 2, kapuas_id)
    assert (
        barut.subject_name == regency(session, "62.05").name
        and barut.computed_at.replace(tzinfo=None) == NOW
    )
    inputs = json.loads(barut.inputs)
    assert inputs["indicators"]["interview"] == {"weight": 1, "source": "panel", "value": 8000}
    assert set(inputs) == {"indicators", "figures"}


def test_each_province_ranks_its_regencies_from_one(session, period):
    from app.models import Province

    other = Province(code="99", name="Provinsi Uji")
    session.add(other)
    session.flush()
    extra = Regency(code="99.01", name="Kabupaten Uji", province_id=other.id)
    session.add(extra)
    session.flush()
    workforce(session, period, extra, regency(session, "62.03"), regency(session, "62.05"))
    awards.compute_scores(session, period, "regency", NOW.date(), NOW, scope=UNRESTRICTED)
    rows = scores(session, period, "regency")
    assert rows[extra.id].rank == 1
    assert sorted(r.rank for r in rows.values() if r.subject_id != extra.id) == [1, 2]
    assert awards.provinces_of(session, [extra.id, None])[extra.id].code == "99"
    assert awards.provinces_of(session, [None]) == {}


def test_computing_again_replaces_the_scores_and_every_category_is_computed(session, period):
    workforce(session, period, regency(session, "62.03"))
    counts = awards.compute_all(session, period, NOW.date(), NOW, scope=UNRESTRICTED)
    assert set(counts) == set(awards.CATEGORIES)
    assert (counts["regency"], counts["province"]) == (1, 1)
    again = awards.compute_scores(session, period, "regency", NOW.date(), NOW, scope=UNRESTRICTED)
    assert len(scores(session, period, "regency")) == again


def test_a_period_is_locked_only_once_computed_and_then_never_recomputed(session, en, period):
    assert refusal(awards.lock, session, period, 7, NOW, scope=UNRESTRICTED) == (
        "Compute the scores before locking the period.",
        None,
        409,
    )
    workforce(session, period, regency(session, "62.03"))
    awards.compute_scores(session, period, "regency", NOW.date(), NOW, scope=UNRESTRICTED)
    awards.lock(session, period, 7, NOW, scope=UNRESTRICTED)
    assert (period.status, period.locked_by_id, period.locked_at) == ("locked", 7, NOW)
    assert (
        refusal(
            awards.compute_scores, session, period, "large", NOW.date(), NOW, scope=UNRESTRICTED
        )[2]
        == 409
    )
    assert refusal(awards.lock, session, period, 7, NOW, scope=UNRESTRICTED)[2] == 409
