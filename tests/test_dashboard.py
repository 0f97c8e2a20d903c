"""The coverage dashboard and the regency coverage profile, against counts worked out by hand.

Barito Selatan (62.04), which no other test touches, gets a known population (M is this month):
- 2 wage earners of a company that declared 3, with JKK, JKM, JHT and JP, from month M-2;
- 2 vulnerable workers paid by the APBD (JKK, JKM) from month M-5;
- 1 informal worker paying for himself (JKK, JKM) from month M-1;
- 1 vulnerable worker whose enrollment ended on the last day of month M-6 (not covered now);
- a potential workforce of 10 wage earners and 20 informal workers this year, so UCJ = 5/30;
- the company's bill of month M-2: Rp 200.000 due, Rp 50.000 paid (Rp 150.000 in arrears).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import insert, select

from app.charts import bar_chart
from app.demo.data import months_back
from app.extensions import db
from app.models import (
    Company,
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
from app.services import coverage as cov
from app.services.identifiers import make_nik
from tests.helpers import count_queries, pdf_text, text_of

CODE = "62.04"
SERIALS = itertools.count(6001)


def _end_of(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def selatan(app):
    today = dt.date.today()
    with app.app_context():
        session = db.session
        regency = session.scalars(select(Regency).where(Regency.code == CODE)).one()
        existing = session.scalar(
            select(RegencyWorkforce.id).where(
                RegencyWorkforce.regency_id == regency.id, RegencyWorkforce.year == today.year
            )
        )
        if existing:
            return regency.id
        village = session.scalars(
            select(Village).where(Village.regency_id == regency.id).order_by(Village.code).limit(1)
        ).one()
        district = session.get(District, village.district_id).code
        session.add(
            RegencyWorkforce(regency=regency, year=today.year, wage_earners=10, informal_workers=20)
        )
        company = Company(
            name="PT Uji Barito Selatan", regency=regency, declared_workforce=3,
            size_class="medium", risk_group=1,
        )  # fmt: skip
        apbd = Sponsor(name="APBD Barito Selatan", kind="apbd", regency=regency)
        session.add_all([company, apbd])
        session.flush()
        m = lambda n: months_back(today, n)  # noqa: E731
        plans = [
            ("pu", "employer", m(2), None, "active", True),
            ("pu", "employer", m(2), None, "active", True),
            ("vulnerable", "apbd", m(5), None, "active", False),
            ("vulnerable", "apbd", m(5), None, "active", False),
            ("bpu", "worker", m(1), None, "active", False),
            ("vulnerable", "apbd", m(24), _end_of(m(6)), "ended", False),
        ]
        for segment, payer, start, end, status, full in plans:
            serial = next(SERIALS)
            born = dt.date(1979, 1, 1) + dt.timedelta(days=serial)
            nik = make_nik(district, born, "M", serial)
            worker_id = session.execute(
                insert(Worker).returning(Worker.id),
                [{"nik": nik, "name": f"Peserta {serial}", "birth_date": born, "sex": "M",
                  "village_id": village.id, "regency_id": regency.id, "segment": segment}],
            ).scalar_one()  # fmt: skip
            session.execute(
                insert(Enrollment),
                [
                    {
                        "worker_id": worker_id, "regency_id": regency.id, "start_date": start,
                        "end_date": end, "status": status, "payer_type": payer,
                        "company_id": company.id if payer == "employer" else None,
                        "sponsor_id": apbd.id if payer == "apbd" else None,
                        "declared_wage": 3_000_000, "jkk": True, "jkm": True, "jht": full,
                        "jp": full, "jkp": False, "monthly_contribution": 16_800,
                    }
                ],
            )  # fmt: skip
        session.add(
            Contribution(
                payer_key=f"company:{company.id}", company_id=company.id,
                regency_id=regency.id, period=m(2), amount_due=200_000, amount_paid=50_000,
            )
        )  # fmt: skip
        session.commit()
        return regency.id


def _figures(app, regency_id):
    with app.app_context():
        return cov.coverage(db.session, UNRESTRICTED, dt.date.today(), regency_id=regency_id)


def test_coverage_by_segment_payer_and_program_matches_the_hand_counts(app, selatan):
    figures = _figures(app, selatan)
    (row,) = figures.regencies
    assert (row.wage_covered, row.informal_covered, row.sponsored_vulnerable) == (2, 3, 2)
    assert (row.ucj, row.wage_ucj, row.informal_ucj) == (1667, 2000, 1500)
    assert figures.by_segment == {"pu": 2, "vulnerable": 2, "bpu": 1}
    assert figures.by_payer == {"employer": 2, "apbd": 2, "worker": 1}
    assert figures.by_program == {"jkk": 5, "jkm": 5, "jht": 2, "jp": 2, "jkp": 0}


def test_compliance_and_arrears_match_the_hand_counts(app, selatan):
    (row,) = _figures(app, selatan).regencies
    assert (row.companies, row.companies_compliant) == (1, 0)  # 2 enrolled of 3 declared
    assert (row.arrears, row.companies_in_arrears) == (150_000, 1)


def test_the_monthly_trend_follows_starts_and_ends(app, selatan):
    trend = [n for _end, n in _figures(app, selatan).trend]
    # months M-11 .. M: the ended enrollment until M-6, vulnerable from M-5, PU M-2, BPU M-1
    assert trend == [1, 1, 1, 1, 1, 1, 2, 2, 2, 4, 5, 5]


def test_the_dashboard_shows_the_same_numbers(as_user, selatan):
    page = text_of(as_user("admin").get(f"/dashboard/?regency={selatan}"))
    assert "16,67 %" in page
    assert "Rp 150.000" in page
    assert 'data-figure="covered">5<' in page


def test_a_workforce_recorded_as_it_is_carries_no_demo_scale_notice(as_user, selatan):
    page = as_user("admin").get(f"/dashboard/?regency={selatan}").get_data(as_text=True)
    assert "data-demo-scale" not in page and "Data demo" not in page


def test_the_coverage_profile_prints_the_dashboards_numbers(as_user, selatan):
    response = as_user("admin").get(f"/dashboard/profile/{selatan}.pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Barito Selatan" in text
    assert "16,67 %" in text  # UCJ
    assert "20,00 %" in text and "15,00 %" in text  # PU and BPU
    assert "Rp 150.000" in text
    assert "UCJ" in text


def test_a_regency_without_records_gets_an_empty_profile_not_an_error(app, as_user):
    with app.app_context():
        empty = db.session.scalar(select(Regency.id).where(Regency.code == "62.06"))
    response = as_user("admin").get(f"/dashboard/profile/{empty}.pdf")
    assert response.status_code == 200
    assert "Katingan" in pdf_text(response.data)


def test_kapuas_staff_cannot_see_another_regency(as_user, selatan):
    sari = as_user("sari")
    assert sari.get(f"/dashboard/?regency={selatan}").status_code == 404
    assert sari.get(f"/dashboard/profile/{selatan}.pdf").status_code == 404
    page = text_of(sari.get("/dashboard/"))
    assert "Kabupaten Kapuas" in page
    assert "Barito" not in page


def test_the_village_operator_sees_his_village_without_regency_ratios(app, as_user, selatan):
    oki = as_user("oki")
    page = text_of(oki.get("/dashboard/"))
    assert 'data-figure="covered"' in page
    assert 'data-figure="ucj"' not in page
    with app.app_context():  # his own regency's profile: the right is missing, not the area
        kapuas = db.session.scalar(select(Regency.id).where(Regency.code == "62.03"))
    assert oki.get(f"/dashboard/profile/{kapuas}.pdf").status_code == 403


def test_the_figures_take_the_same_statements_whatever_the_population(app, selatan):
    with app.app_context():
        with count_queries(app) as statements:
            cov.coverage(db.session, UNRESTRICTED, dt.date.today())
    assert len(statements) == 9


def test_chart_labels_are_escaped():
    svg = str(bar_chart([("<script>alert(1)</script>", 3)], "Uji"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
