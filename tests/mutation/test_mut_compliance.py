"""The permit check's rules, evaluated directly on records the test makes and rolls back.

Each test works in a regency no other test uses (62.09) and in years no other test uses, so the
rules, minimum wages and bills of other tests never reach it.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from flask_babel import force_locale

from app.models import (
    Company,
    ComplianceRule,
    ConstructionProject,
    Contribution,
    Enrollment,
    MinimumWage,
    Regency,
    Village,
    Worker,
)
from app.services import compliance
from app.services.compliance import Check, evaluate, explain, rule_in_force
from tests.helpers import unique_nik
from tests.mutation.support import REGENCY

ON = dt.date(2031, 6, 15)
COMPANIES = itertools.count(1)


@pytest.fixture
def regency(session):
    return session.query(Regency).filter_by(code=REGENCY).one()


def company(session, regency, **values) -> Company:
    n = next(COMPANIES)
    row = Company(
        name=f"PT Uji Kepatuhan {n}",
        npp=f"MC{n:06d}",
        size_class=values.pop("size_class", "small"),
        risk_group=1,
        regency=regency,
        declared_workforce=values.pop("declared_workforce", 0),
        **values,
    )
    session.add(row)
    session.flush()
    return row


def employ(session, company, *, payer="employer", wage=5_000_000, status="active", **programs):
    village = session.query(Village).filter_by(regency_id=company.regency_id).first()
    nik, born = unique_nik(village.code.rsplit(".", 1)[0])
    worker = Worker(
        nik=nik,
        name="Pekerja Uji",
        birth_date=born,
        sex="M",
        village=village,
        regency_id=company.regency_id,
        segment="pu",
        company=company,
    )
    flags = {"jkk": True, "jkm": True, "jht": True, "jp": False, "jkp": False} | programs
    session.add(
        Enrollment(
            worker=worker,
            regency_id=company.regency_id,
            start_date=dt.date(2030, 1, 1),
            status=status,
            payer_type=payer,
            company=company if payer == "employer" else None,
            declared_wage=wage,
            monthly_contribution=1,
            **flags,
        )
    )
    session.flush()
    return worker


def bill(session, company, period: dt.date, due: int, paid: int = 0):
    session.add(
        Contribution(
            payer_key=f"company:{company.id}",
            company=company,
            regency_id=company.regency_id,
            period=period,
            amount_due=due,
            amount_paid=paid,
        )
    )
    session.flush()


def check(session, company, code, on=ON) -> Check:
    return next(c for c in evaluate(session, company, on).checks if c.code == code)


def rule(session, regency_id, valid_from, **values):
    row = ComplianceRule(regency_id=regency_id, valid_from=valid_from, **values)
    session.add(row)
    session.flush()
    return row


# --- the rule in force -----------------------------------------------------------------------


def test_the_regencys_own_rule_wins_over_the_national_one(session, regency):
    own = rule(session, regency.id, dt.date(2031, 1, 1), grace_months=2)
    params = rule_in_force(session, regency.id, ON)
    assert params["rule_id"] == own.id and params["grace_months"] == 2
    assert params["valid_from"] == "2031-01-01"


def test_a_rule_applies_from_its_first_day_and_not_before(session, regency):
    own = rule(session, regency.id, ON, grace_months=3)
    assert rule_in_force(session, regency.id, ON)["rule_id"] == own.id
    assert rule_in_force(session, regency.id, ON - dt.timedelta(days=1))["rule_id"] != own.id


def test_the_latest_rule_of_the_regency_is_in_force(session, regency):
    rule(session, regency.id, dt.date(2030, 1, 1), grace_months=1)
    newer = rule(session, regency.id, dt.date(2031, 1, 1), grace_months=4)
    assert rule_in_force(session, regency.id, ON)["rule_id"] == newer.id


def test_before_any_rule_the_defaults_apply(session, regency):
    params = rule_in_force(session, regency.id, dt.date(2000, 1, 1))
    assert params == {"rule_id": None, "valid_from": None, **compliance.DEFAULT_RULE}


def test_without_a_regency_the_national_rule_applies(session):
    params = rule_in_force(session, None, ON)
    assert params["rule_id"] is not None and params["valid_from"] == "2021-03-25"
    assert params["construction_days"] == 7


def test_the_national_rule_is_seeded_only_once(session):
    assert compliance.seed_rules(session) == 0


# --- arrears ---------------------------------------------------------------------------------


def test_a_company_with_no_bills_owes_nothing(session, regency):
    result = check(session, company(session, regency), "arrears")
    assert result.passed is True
    assert result.figures == {
        "amount": 0,
        "months": 0,
        "oldest": None,
        "grace_months": 0,
        "grace_amount": 0,
    }


def test_an_unpaid_month_fails_without_grace(session, regency):
    c = company(session, regency)
    bill(session, c, dt.date(2031, 5, 1), 100_000, paid=40_000)
    result = check(session, c, "arrears")
    assert result.passed is False
    assert (result.figures["amount"], result.figures["months"]) == (60_000, 1)
    assert result.figures["oldest"] == "2031-05-01"


def test_the_current_month_is_not_yet_due(session, regency):
    c = company(session, regency)
    bill(session, c, dt.date(2031, 6, 1), 100_000)
    assert check(session, c, "arrears").passed is True


def test_arrears_within_both_graces_pass(session, regency):
    rule(session, regency.id, dt.date(2031, 1, 1), grace_months=1, grace_amount=100_000)
    c = company(session, regency)
    bill(session, c, dt.date(2031, 5, 1), 100_000)
    assert check(session, c, "arrears").passed is True


def test_arrears_over_the_amount_grace_fail_even_within_the_months(session, regency):
    rule(session, regency.id, dt.date(2031, 1, 1), grace_months=1, grace_amount=99_999)
    c = company(session, regency)
    bill(session, c, dt.date(2031, 5, 1), 100_000)
    assert check(session, c, "arrears").passed is False


def test_arrears_over_the_months_grace_fail_even_within_the_amount(session, regency):
    rule(session, regency.id, dt.date(2031, 1, 1), grace_months=1, grace_amount=1_000_000)
    c = company(session, regency)
    bill(session, c, dt.date(2031, 4, 1), 1_000)
    bill(session, c, dt.date(2031, 5, 1), 1_000)
    result = check(session, c, "arrears")
    assert result.passed is False and result.figures["oldest"] == "2031-04-01"


# --- workforce, programs and wages ------------------------------------------------------------


def test_a_small_company_needs_jkk_jkm_and_jht(session, regency):
    c = company(session, regency, declared_workforce=1)
    employ(session, c, jht=False)
    result = check(session, c, "programs")
    assert result.passed is False
    assert result.figures == {"required": ["jkk", "jkm", "jht"], "short": 1, "total": 1}


def test_a_medium_company_also_needs_jp(session, regency):
    c = company(session, regency, size_class="medium")
    employ(session, c)
    result = check(session, c, "programs")
    assert result.passed is False and result.figures["required"] == ["jkk", "jkm", "jht", "jp"]
    other = company(session, regency, size_class="large")
    employ(session, other, jp=True)
    assert check(session, other, "programs").passed is True


def test_only_active_enrollments_count(session, regency):
    c = company(session, regency, declared_workforce=1)
    employ(session, c, status="ended", jht=False)
    assert check(session, c, "workforce").passed is False
    assert check(session, c, "programs").passed is None
    employ(session, c)
    assert check(session, c, "workforce").figures == {"enrolled": 1, "declared": 1}


def test_a_wage_below_the_regencys_minimum_fails_and_one_at_it_passes(session, regency):
    session.add(MinimumWage(province_code="62", regency_id=regency.id, year=2031, amount=3_000_000))
    session.add(MinimumWage(province_code="62", regency_id=None, year=2031, amount=2_000_000))
    session.flush()
    c = company(session, regency)
    employ(session, c, wage=3_000_000)
    result = check(session, c, "minimum_wage")
    assert result.passed is True and result.figures["minimum"] == 3_000_000
    employ(session, c, wage=2_999_999)
    assert check(session, c, "minimum_wage").figures["below"] == 1


def test_the_provinces_minimum_applies_when_the_regency_has_none(session, regency):
    session.add(MinimumWage(province_code="62", regency_id=None, year=2032, amount=2_500_000))
    session.add(MinimumWage(province_code="63", regency_id=None, year=2032, amount=9_000_000))
    session.add(MinimumWage(province_code="62", regency_id=None, year=2033, amount=9_000_000))
    session.flush()
    c = company(session, regency)
    employ(session, c, wage=2_600_000)
    result = check(session, c, "minimum_wage", on=dt.date(2032, 6, 1))
    assert result.passed is True and result.figures["minimum"] == 2_500_000


def test_a_sponsored_workers_income_is_not_held_to_the_minimum_wage(session, regency):
    session.add(MinimumWage(province_code="62", regency_id=regency.id, year=2034, amount=3_000_000))
    session.flush()
    c = company(session, regency)
    employ(session, c, payer="worker", wage=1_000_000)
    assert check(session, c, "minimum_wage", on=dt.date(2034, 6, 1)).passed is True


def test_without_a_minimum_wage_recorded_wages_are_not_checked(session, regency):
    c = company(session, regency)
    employ(session, c, wage=1)
    result = check(session, c, "minimum_wage", on=dt.date(2035, 6, 1))
    assert result == Check("minimum_wage", None, {"year": 2035})


def test_a_rule_that_turns_the_wage_check_off_skips_it(session, regency):
    rule(session, regency.id, dt.date(2031, 1, 1), check_minimum_wage=False)
    session.add(MinimumWage(province_code="62", regency_id=regency.id, year=2031, amount=3_000_000))
    session.flush()
    c = company(session, regency)
    employ(session, c, wage=1)
    assert check(session, c, "minimum_wage") == Check("minimum_wage", None, {})


# --- construction ----------------------------------------------------------------------------


def project(session, c, number, spk, registered=None, end=None):
    session.add(
        ConstructionProject(
            name="Jalan desa",
            spk_number=number,
            spk_date=spk,
            registered_on=registered,
            end_date=end,
            company=c,
            regency_id=c.regency_id,
            contract_value=1_000_000,
            funding="apbd_funds",
        )
    )
    session.flush()


def test_a_project_registered_on_the_seventh_day_is_on_time_and_the_eighth_late(session, regency):
    c = company(session, regency)
    project(session, c, "SPK-1", dt.date(2031, 6, 1), registered=dt.date(2031, 6, 8))
    assert check(session, c, "construction").passed is True
    project(session, c, "SPK-2", dt.date(2031, 6, 1), registered=dt.date(2031, 6, 9))
    result = check(session, c, "construction")
    assert result.passed is False
    assert result.figures == {"days": 7, "projects": 2, "late": ["SPK-2"]}


def test_an_unregistered_project_is_late_once_the_days_have_passed(session, regency):
    c = company(session, regency)
    project(session, c, "SPK-B", dt.date(2031, 6, 9))
    project(session, c, "SPK-A", dt.date(2031, 6, 8))
    assert check(session, c, "construction").passed is True
    assert check(session, c, "construction", on=dt.date(2031, 6, 17)).figures["late"] == [
        "SPK-A",
        "SPK-B",
    ]


def test_projects_ended_or_not_yet_signed_do_not_apply(session, regency):
    c = company(session, regency)
    project(session, c, "SPK-E", dt.date(2031, 1, 1), end=dt.date(2031, 6, 14))
    project(session, c, "SPK-F", dt.date(2031, 6, 16))
    assert check(session, c, "construction") == Check("construction", None, {"days": 7})
    project(session, c, "SPK-G", dt.date(2031, 1, 1), registered=dt.date(2031, 1, 1), end=ON)
    assert check(session, c, "construction").figures["projects"] == 1


def test_the_regencys_rule_sets_the_construction_days(session, regency):
    rule(session, regency.id, dt.date(2031, 1, 1), construction_days=30)
    c = company(session, regency)
    project(session, c, "SPK-1", dt.date(2031, 6, 1), registered=dt.date(2031, 6, 20))
    assert check(session, c, "construction").passed is True


# --- the wording ------------------------------------------------------------------------------


def word(app, code, passed, **figures) -> str:
    with app.test_request_context(), force_locale("en"):
        return explain(Check(code, passed, figures))


def test_each_outcome_is_worded_with_its_figures(app):
    assert word(app, "registered", True, npp="KP1") == (
        "Registered with BPJS Ketenagakerjaan as employer KP1."
    )
    assert "register the company" in word(app, "registered", False, npp=None)
    assert word(app, "arrears", True, amount=0) == "No unpaid contributions up to last month."
    owed = dict(amount=60000, months=2, oldest="2031-04-01", grace_months=3, grace_amount=70000)
    text = word(app, "arrears", True, **owed)
    assert "2 month(s)" in text and "April 2031" in text and "grace of 3 month(s)" in text
    assert "70,000" in text and "60,000" in text  # English separators in English
    assert word(app, "arrears", False, **owed).endswith(
        "pay the arrears at the BPJS Ketenagakerjaan branch."
    )
    assert word(app, "workforce", True, enrolled=3, declared=2) == (
        "3 workers enrolled for 2 declared."
    )
    assert word(app, "workforce", False, enrolled=1, declared=4) == (
        "Only 1 of 4 declared workers are enrolled: enroll the other 3."
    )
    assert word(app, "programs", None, required=["jkk", "jkm"]) == (
        "No active enrollments to check against JKK, JKM."
    )
    assert "(JKK, JKM)" in word(app, "programs", True, required=["jkk", "jkm"])
    assert word(app, "programs", False, required=["jkk"], short=1, total=2).startswith(
        "1 of 2 enrollments lack a required program (JKK)"
    )
    assert word(app, "construction", None, days=7) == "No active construction project."
    assert "within 7 days" in word(app, "construction", True, days=7)
    late = word(app, "construction", False, days=7, late=["S1", "S2"])
    assert "S1, S2" in late and "7 days" in late
    assert word(app, "minimum_wage", None).startswith("No minimum wage recorded")
    assert "3,000,000" in word(app, "minimum_wage", True, minimum=3_000_000)
    assert word(app, "minimum_wage", False, minimum=3_000_000, below=2).startswith(
        "2 reported wage(s) below the minimum wage of"
    )


def test_each_check_has_a_title(app):
    with app.test_request_context(), force_locale("en"):
        assert compliance.check_title("arrears") == "No arrears"
        assert compliance.Check("workforce", True, {"enrolled": 1, "declared": 1}).reason
