"""The benefit report: contributions paid by APBD, APBDes and CSR against benefits to families."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Regency
from app.scope import Scope
from app.services import claims
from app.services.benefit_report import benefit_report, year_period
from app.services.claims import HeirInput
from tests.claim_helpers import months, remove, sponsored_worker
from tests.helpers import pdf_text, text_of
from tests.world import BARUT_VILLAGE, KAPUAS, KAPUAS_VILLAGE

YEAR = 2020  # a year of this module's own
TODAY = dt.date(2026, 11, 30)
JAN = dt.date(YEAR, 1, 1)


def _pay(session, claim, on, amount):
    for status in ("documents", "submitted"):
        claims.advance(session, claim, status, today=TODAY)
    claims.advance(session, claim, "paid", paid_on=on, amount=amount, today=TODAY)


def _kapuas_scope(session):
    kapuas = session.query(Regency).filter_by(code=KAPUAS).one()
    return Scope(regency_ids=frozenset({kapuas.id}))


def _figures(report):
    return {
        line.payer: (
            line.contributions,
            line.workers,
            line.families,
            line.benefits,
            line.scholarship_paid,
            line.scholarships_running,
        )
        for line in report.lines
    } | {"uncovered": report.uncovered}


def _delta(after, before):
    return {
        key: (
            tuple(a - b for a, b in zip(after[key], before[key], strict=True))
            if isinstance(after[key], tuple)
            else after[key] - before[key]
        )
        for key in after
    }


@pytest.fixture
def funded(app):
    """Kapuas in 2020: an APBDes-funded work-accident death with a child at school, an
    APBD-funded death, a CSR-funded worker, an uncovered death; and a Barito Utara death."""
    made = []
    with app.app_context():
        s = db.session
        scope = _kapuas_scope(s)
        before = _figures(benefit_report(s, scope, *year_period(YEAR)))
        # APBDes: bills January–June paid, 6 × 16.800 = 100.800
        village = sponsored_worker(s, KAPUAS_VILLAGE, JAN, months(JAN, 6), name="Agus APBDes")
        # APBD: bills for the whole year paid, 12 × 16.800 = 201.600
        regency = sponsored_worker(
            s, KAPUAS_VILLAGE, JAN, months(JAN, 12), kind="apbd", name="Beni APBD"
        )
        # CSR: four months, 4 × 16.800 = 67.200
        sponsored_worker(
            s, KAPUAS_VILLAGE, JAN, months(JAN, 4), kind="csr_company", name="Citra CSR"
        )
        # APBDes again: January paid (16.800), February unpaid, died in February: not covered
        lapsed = sponsored_worker(
            s, KAPUAS_VILLAGE, JAN, months(JAN, 1), unpaid=[dt.date(YEAR, 2, 1)], name="Dedi Lapsed"
        )
        barut = sponsored_worker(
            s, BARUT_VILLAGE, JAN, months(JAN, 12), kind="apbd", name="Eko Barut"
        )
        made = [village.id, regency.id, lapsed.id, barut.id]
        made += [w.id for w in s.query(type(village)).filter_by(name="Citra CSR")]
        spouse = HeirInput(name="Istri", relation="spouse")
        pupil = HeirInput(
            name="Anak", relation="child", birth_date=dt.date(2013, 7, 1), school_level="sd"
        )
        work = claims.report_event(
            s, village, "work_death", dt.date(YEAR, 6, 10), [spouse, pupil], today=TODAY
        )
        # 48 × 1.000.000 + 10.000.000 + 12.000.000 = 70.000.000
        assert work.amount_due == 70_000_000
        _pay(s, work, dt.date(YEAR, 9, 1), 70_000_000)
        claims.pay_scholarship_year(s, work.heirs[1].years[0], dt.date(YEAR, 9, 1), today=TODAY)
        death = claims.report_event(s, regency, "death", dt.date(YEAR, 3, 5), [spouse], today=TODAY)
        _pay(s, death, dt.date(YEAR, 5, 1), 42_000_000)
        gone = claims.report_event(s, lapsed, "death", dt.date(YEAR, 2, 15), [spouse], today=TODAY)
        assert gone.status == "not_covered"
        elsewhere = claims.report_event(
            s, barut, "death", dt.date(YEAR, 3, 5), [spouse], today=TODAY
        )
        _pay(s, elsewhere, dt.date(YEAR, 5, 1), 42_000_000)
        s.commit()
    yield before
    with app.app_context():
        for worker_id in made:
            remove(db.session, worker_id)


def test_the_report_sets_contributions_against_benefits_per_payer(app, funded):
    with app.app_context():
        report = benefit_report(db.session, _kapuas_scope(db.session), *year_period(YEAR))
        delta = _delta(_figures(report), funded)
    # (contributions, workers, families, benefits, scholarships paid, children running)
    assert delta["apbd"] == (201_600, 1, 1, 42_000_000, 0, 0)
    assert delta["apbdes"] == (117_600, 2, 1, 70_000_000, 1_500_000, 1)
    assert delta["csr"] == (67_200, 1, 0, 0, 0, 0)
    assert delta["province"] == (0, 0, 0, 0, 0, 0)
    assert delta["uncovered"] == 1


def test_the_next_year_counts_the_running_scholarship_but_no_new_payment(app, funded):
    with app.app_context():
        report = benefit_report(db.session, _kapuas_scope(db.session), *year_period(YEAR + 1))
        line = next(line for line in report.lines if line.payer == "apbdes")
        assert line.scholarships_running >= 1


def test_the_screen_and_pdf_for_kapuas_staff_leave_barito_utara_out(app, as_user, funded):
    sari, budi = as_user("sari"), as_user("budi")
    page = text_of(sari.get(f"/benefit-report/?year={YEAR}"))
    assert "Manfaat bagi keluarga" in page and "APBDes" in page
    assert "Rp 70.000.000" in page and "Rp 1.500.000" in page
    response = sari.get(f"/benefit-report/pdf?year={YEAR}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Rp 70.000.000" in text and "Rp 42.000.000" in text
    barut = text_of(budi.get(f"/benefit-report/?year={YEAR}"))
    assert "Rp 70.000.000" not in barut and "Rp 42.000.000" in barut


def test_another_regency_than_the_scope_s_is_not_found(app, as_user, funded):
    with app.app_context():
        barut_id = db.session.query(Regency).filter_by(code="62.05").one().id
    assert as_user("sari").get(f"/benefit-report/?regency={barut_id}").status_code == 404


def test_operators_and_permit_officers_have_no_benefit_report(as_user):
    for persona in ("oki", "putri"):
        assert as_user(persona).get("/benefit-report/").status_code in (302, 403)
