"""Contributions: the calculator over effective-dated rates, monthly bills and arrears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.models import Contribution, Enrollment, IncomeBracket, WageRate, Worker
from app.services import ServiceError
from app.services.contributions import (
    RateBook,
    bill_month,
    bracket_breakdown,
    calculate,
    check_payment,
    company_arrears,
    last_due_month,
    wage_breakdown,
)
from app.services.rates_seed import REFERENCE_RATES, reference_brackets

ON = dt.date(2026, 6, 1)


def reference_book(extra_rates=()) -> RateBook:
    """The seeded reference tables, in memory (no database needed)."""
    rates = [
        WageRate(
            program=p,
            risk_group=g,
            employer_pct=Decimal(e),
            worker_pct=Decimal(w),
            government_pct=Decimal(gov),
            wage_cap=cap,
            valid_from=start,
            valid_to=end,
        )
        for p, g, e, w, gov, cap, start, end, _basis in REFERENCE_RATES
    ]
    brackets = [
        IncomeBracket(
            income_from=low,
            income_to=high,
            jkk_amount=jkk,
            jkm_amount=jkm,
            jht_amount=jht,
            valid_from=dt.date(2019, 12, 2),
        )
        for low, high, jkk, jkm, jht, _basis in reference_brackets()
    ]
    return RateBook(rates + list(extra_rates), brackets)


def test_a_vulnerable_worker_costs_16800_for_jkk_and_jkm():
    assert bracket_breakdown(reference_book(), ["jkk", "jkm"], 1_000_000, ON).total == 16_800


def test_adding_jht_for_an_informal_worker_costs_36800():
    assert bracket_breakdown(reference_book(), ["jkk", "jkm", "jht"], 1_000_000, ON).total == 36_800


def test_an_informal_worker_pays_no_worker_share_split():
    breakdown = bracket_breakdown(reference_book(), ["jkk", "jkm"], 1_000_000, ON)
    assert breakdown.worker_share == 0 and breakdown.basis == "bracket"


def test_a_wage_earner_in_risk_group_three_pays_the_pp_44_2015_percentages():
    breakdown = wage_breakdown(reference_book(), ["jkk", "jkm", "jht", "jp"], 5_000_000, 3, ON)
    amounts = {item.program: (item.employer, item.worker) for item in breakdown.items}
    assert amounts == {
        "jkk": (44_500, 0),
        "jkm": (15_000, 0),
        "jht": (185_000, 100_000),
        "jp": (100_000, 50_000),
    }
    assert breakdown.total == 494_500
    assert breakdown.worker_share == 150_000


@pytest.mark.parametrize(
    "group, jkk", [(1, 12_000), (2, 27_000), (3, 44_500), (4, 63_500), (5, 87_000)]
)
def test_jkk_follows_the_risk_group(group, jkk):
    assert wage_breakdown(reference_book(), ["jkk"], 5_000_000, group, ON).total == jkk


def test_jp_stops_at_the_wage_cap_in_force():
    breakdown = wage_breakdown(reference_book(), ["jp"], 15_000_000, 1, ON)
    assert breakdown.items[0].employer == 200_846  # 2% of Rp 10.042.300
    assert breakdown.items[0].worker == 100_423


def test_jp_uses_the_older_cap_before_march_2024():
    breakdown = wage_breakdown(reference_book(), ["jp"], 15_000_000, 1, dt.date(2024, 1, 1))
    assert breakdown.items[0].worker == 95_596  # 1% of Rp 9.559.600


def test_jkp_is_carried_by_the_government_and_not_billed():
    breakdown = wage_breakdown(reference_book(), ["jkp"], 8_000_000, 1, ON)
    assert breakdown.total == 0
    assert breakdown.government == 11_000  # 0.22% of the Rp 5.000.000 cap


def test_a_new_rate_applies_only_from_its_start_date():
    raised = WageRate(
        program="jkm",
        risk_group=None,
        employer_pct=Decimal("0.50"),
        worker_pct=Decimal(0),
        government_pct=Decimal(0),
        valid_from=dt.date(2027, 1, 1),
    )
    book = reference_book([raised])
    assert wage_breakdown(book, ["jkm"], 4_000_000, 1, dt.date(2026, 12, 31)).total == 12_000
    assert wage_breakdown(book, ["jkm"], 4_000_000, 1, dt.date(2027, 1, 1)).total == 20_000


def test_informal_workers_cannot_have_pension_or_job_loss():
    with pytest.raises(ServiceError):
        bracket_breakdown(reference_book(), ["jkk", "jkm", "jp"], 1_000_000, ON)


def test_an_income_above_every_bracket_is_refused_with_a_reason():
    with pytest.raises(ServiceError) as info:
        bracket_breakdown(reference_book(), ["jkk", "jkm"], 50_000_000, ON)
    assert info.value.field == "declared_wage"


def test_a_missing_rate_is_refused_rather_than_guessed():
    with pytest.raises(ServiceError):
        wage_breakdown(RateBook([], []), ["jkk"], 4_000_000, 1, ON)


def test_the_segment_decides_between_wage_and_bracket():
    company = SimpleNamespace(risk_group=5)
    wage_worker = SimpleNamespace(segment="pu", company=company)
    enrollment = SimpleNamespace(
        worker=wage_worker, company=None, declared_wage=4_000_000, programs=["jkk", "jkm"]
    )
    assert calculate(reference_book(), enrollment, ON).total == 69_600 + 12_000
    enrollment.worker = SimpleNamespace(segment="vulnerable", company=None)
    enrollment.declared_wage = 1_000_000
    assert calculate(reference_book(), enrollment, ON).total == 16_800


def test_a_payment_cannot_be_negative_undated_or_in_the_future():
    today = dt.date(2026, 11, 23)
    for paid, on in ((-1, today), (16_800, None), (16_800, dt.date(2026, 12, 1))):
        with pytest.raises(ServiceError):
            check_payment(SimpleNamespace(amount_paid=paid, paid_on=on), today)
    check_payment(SimpleNamespace(amount_paid=16_800, paid_on=today), today)


def test_the_last_due_month_is_the_previous_month():
    assert last_due_month(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)


def test_a_month_is_billed_to_the_employer_and_unpaid_bills_are_arrears(app, session):
    worker = session.query(Worker).filter_by(name="Rahmat Hidayat").one()
    enrollment = session.query(Enrollment).filter_by(worker_id=worker.id).one()
    period = dt.date(2025, 3, 1)
    assert bill_month(session, period) >= 1
    bill = (
        session.query(Contribution)
        .filter_by(payer_key=f"company:{worker.company_id}", period=period)
        .one()
    )
    assert bill.amount_due == enrollment.monthly_contribution
    assert bill.regency_id == worker.regency_id
    owed = company_arrears(session, worker.company_id, dt.date(2025, 5, 10))
    assert owed.amount >= bill.amount_due and owed.oldest <= period
    bill.amount_paid, bill.paid_on = bill.amount_due, dt.date(2025, 4, 10)
    session.flush()
    assert (
        company_arrears(session, worker.company_id, dt.date(2025, 5, 10)).amount
        == owed.amount - bill.amount_due
    )


def test_billing_a_month_twice_updates_rather_than_duplicates(app, session):
    period = dt.date(2025, 4, 1)
    bill_month(session, period)
    first = session.query(Contribution).filter_by(period=period).count()
    bill_month(session, period)
    assert session.query(Contribution).filter_by(period=period).count() == first
