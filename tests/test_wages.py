"""Minimum-wage compliance: wage earners declared below the UMK/UMP and the contributions missed.

Each test makes its own companies, workers and minimum-wage rows, in a year of its own so that
no other row of the world is in force, and removes its minimum-wage rows afterwards.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Company, Enrollment, MinimumWage, Regency, Village, WageRate, Worker
from app.scope import Scope
from app.services.wages import company_findings, wage_findings
from tests.helpers import text_of, unique_nik

SERIALS = itertools.count(1)
EVERYONE = Scope(unrestricted=True)
KAPUAS, KAPUAS_VILLAGE = "62.03", "62.03.01.2011"
BARUT, BARUT_VILLAGE = "62.05", "62.05.01.1001"
PROGRAMS = ("jkk", "jkm", "jht", "jp")


def make_company(app, *, wages, size="medium", regency=KAPUAS, village=KAPUAS_VILLAGE, risk=2):
    """A company of the regency whose employer-paid wage earners declare the given wages."""
    n = next(SERIALS)
    with app.app_context():
        place = db.session.query(Regency).filter_by(code=regency).one()
        home = db.session.query(Village).filter_by(code=village).one()
        company = Company(
            name=f"PT Uji Upah {regency} {n}",
            size_class=size,
            risk_group=risk,
            regency=place,
            declared_workforce=len(wages),
        )
        db.session.add(company)
        for k, wage in enumerate(wages):
            nik, born = unique_nik(village[:8])
            worker = Worker(
                nik=nik,
                name=f"Pekerja Upah {n}-{k}",
                birth_date=born,
                sex="M",
                village=home,
                regency_id=place.id,
                segment="pu",
                company=company,
            )
            db.session.add(
                Enrollment(
                    worker=worker,
                    regency_id=place.id,
                    start_date=dt.date(2025, 1, 1),
                    status="active",
                    payer_type="employer",
                    company=company,
                    declared_wage=wage,
                    monthly_contribution=1,
                    **{p: p in PROGRAMS for p in ("jkk", "jkm", "jht", "jp", "jkp")},
                )
            )
        db.session.commit()
        return company.id, company.name


@pytest.fixture
def minimum(app):
    """Add minimum-wage rows (province code, regency code or None, year, amount); remove them."""
    added = []

    def _add(province, regency, year, amount):
        with app.app_context():
            regency_id = (
                db.session.query(Regency).filter_by(code=regency).one().id if regency else None
            )
            row = MinimumWage(
                province_code=province,
                regency_id=regency_id,
                year=year,
                amount=amount,
                legal_basis=f"SK uji {year}",
            )
            db.session.add(row)
            db.session.commit()
            added.append(row.id)

    yield _add
    with app.app_context():
        db.session.query(MinimumWage).filter(MinimumWage.id.in_(added)).delete()
        db.session.commit()


def rates_on(app, on, risk):
    """The billed percentage (employer + worker) and wage cap of each program on a date."""
    with app.app_context():
        result = {}
        for rate in db.session.query(WageRate).all():
            if rate.program not in PROGRAMS or rate.valid_from > on:
                continue
            if rate.valid_to is not None and on > rate.valid_to:
                continue
            if rate.program == "jkk" and rate.risk_group != risk:
                continue
            result[rate.program] = (rate.employer_pct + rate.worker_pct, rate.wage_cap)
        assert set(result) == set(PROGRAMS)
        return result


def expected_gap(rates, declared, minimum):
    """By hand: the shortfall times each billed rate, JP on the wage up to its cap."""
    total = Decimal(0)
    for pct, cap in rates.values():
        low, high = (min(declared, cap), min(minimum, cap)) if cap else (declared, minimum)
        total += Decimal(high - low) * pct / 100
    return int(total)


def findings_of(app, company_id, on):
    with app.app_context():
        return [f for f in wage_findings(db.session, EVERYONE, on) if f.company_id == company_id]


def test_a_worker_below_the_umk_is_flagged_with_the_shortfall_and_contribution_gap(app, minimum):
    on = dt.date(2041, 6, 1)
    minimum("62", KAPUAS, on.year, 4_000_000)
    company_id, _ = make_company(app, wages=[3_000_000])
    [finding] = findings_of(app, company_id, on)
    rates = rates_on(app, on, risk=2)
    assert finding.shortfall == 1_000_000
    assert finding.gap == expected_gap(rates, 3_000_000, 4_000_000)
    assert finding.gap > 0


def test_a_worker_at_or_above_the_minimum_is_not_flagged(app, minimum):
    on = dt.date(2041, 6, 1)
    minimum("62", KAPUAS, on.year + 1, 4_000_000)
    company_id, _ = make_company(app, wages=[4_000_000, 4_500_000])
    assert findings_of(app, company_id, dt.date(on.year + 1, 6, 1)) == []


def test_the_workers_of_a_micro_or_small_company_are_exempt(app, minimum):
    on = dt.date(2043, 3, 1)
    minimum("62", KAPUAS, on.year, 4_000_000)
    micro, _ = make_company(app, wages=[2_000_000], size="micro")
    small, _ = make_company(app, wages=[2_000_000], size="small")
    medium, _ = make_company(app, wages=[2_000_000], size="medium")
    assert findings_of(app, micro, on) == []
    assert findings_of(app, small, on) == []
    assert len(findings_of(app, medium, on)) == 1


def test_the_jp_part_of_the_gap_stops_at_the_jp_wage_cap(app, minimum):
    on = dt.date(2044, 3, 1)
    rates = rates_on(app, on, risk=2)
    jp_pct, cap = rates["jp"]
    assert cap and 9_000_000 < cap < 12_000_000
    minimum("62", KAPUAS, on.year, 12_000_000)
    company_id, _ = make_company(app, wages=[9_000_000])
    [finding] = findings_of(app, company_id, on)
    assert finding.jp_capped
    assert finding.jp_gap == int(Decimal(cap - 9_000_000) * jp_pct / 100)
    assert finding.gap == expected_gap(rates, 9_000_000, 12_000_000)


def test_the_regencys_umk_overrides_the_provinces_ump(app, minimum):
    on = dt.date(2045, 3, 1)
    minimum("62", None, on.year, 3_000_000)
    minimum("62", KAPUAS, on.year, 3_600_000)
    company_id, _ = make_company(app, wages=[3_200_000])
    [finding] = findings_of(app, company_id, on)
    assert finding.minimum == 3_600_000 and finding.shortfall == 400_000


def test_the_provinces_ump_applies_where_no_umk_is_set(app, minimum):
    on = dt.date(2046, 3, 1)
    minimum("62", None, on.year, 3_000_000)
    company_id, _ = make_company(app, wages=[2_800_000])
    [finding] = findings_of(app, company_id, on)
    assert finding.minimum == 3_000_000 and finding.shortfall == 200_000


def test_per_company_the_workers_below_shortfall_and_gap_are_summed(app, minimum):
    on = dt.date(2047, 3, 1)
    minimum("62", KAPUAS, on.year, 4_000_000)
    company_id, _ = make_company(app, wages=[3_000_000, 3_500_000, 4_000_000])
    with app.app_context():
        [row] = [
            c for c in company_findings(db.session, EVERYONE, on) if c.company_id == company_id
        ]
    rates = rates_on(app, on, risk=2)
    assert row.below == 2
    assert row.shortfall == 1_500_000
    assert row.gap == expected_gap(rates, 3_000_000, 4_000_000) + expected_gap(
        rates, 3_500_000, 4_000_000
    )


def test_kapuas_staff_never_see_a_barito_utara_company(app, minimum, as_user):
    on = dt.date(2048, 3, 1)
    minimum("62", BARUT, on.year, 4_000_000)
    _, name = make_company(app, wages=[3_000_000], regency=BARUT, village=BARUT_VILLAGE)
    url = f"/wage-compliance/?on={on.isoformat()}"
    seen_by_budi = as_user("budi").get(url)
    assert seen_by_budi.status_code == 200 and name in text_of(seen_by_budi)
    seen_by_sari = as_user("sari").get(url)
    assert seen_by_sari.status_code == 200 and name not in text_of(seen_by_sari)


def test_the_screen_is_in_indonesian_without_none_and_shows_the_jp_cap(app, minimum, as_user):
    on = dt.date(2049, 3, 1)
    minimum("62", KAPUAS, on.year, 4_000_000)
    _, name = make_company(app, wages=[3_000_000])
    page = as_user("sari").get(f"/wage-compliance/?on={on.isoformat()}")
    text = text_of(page)
    assert page.status_code == 200
    assert "Kepatuhan upah minimum" in text and name in text
    assert "Rp" in text and "batas upah JP" in text
    assert "None" not in text


def test_a_date_with_no_finding_shows_the_empty_state(as_user):
    page = as_user("sari").get("/wage-compliance/?on=2030-01-01")
    assert page.status_code == 200
    assert "Tidak ada perusahaan" in text_of(page)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=99999",
        "page=99999999999999999999",
        "on=kemarin",
        "on=2025-13-45",
    ],
)
def test_bad_query_parameters_open_the_screen_on_its_first_page_not_an_error(as_user, query):
    page = as_user("sari").get(f"/wage-compliance/?{query}")
    assert page.status_code == 200
    assert "Kepatuhan upah minimum" in text_of(page)


def test_the_permit_officer_sees_the_company_totals_but_no_workers_wage(app, minimum, as_user):
    on = dt.date(2050, 3, 1)
    minimum("62", KAPUAS, on.year, 4_000_000)
    _, name = make_company(app, wages=[3_123_000])
    url = f"/wage-compliance/?on={on.isoformat()}"
    staff = text_of(as_user("sari").get(url))
    officer = text_of(as_user("putri").get(url))
    assert "3.123.000" in staff
    assert name in officer and "3.123.000" not in officer
    assert "rincian per pekerja hanya ditampilkan kepada petugas cabang" in officer
