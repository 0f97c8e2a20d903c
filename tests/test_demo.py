"""The demo: a realistic data set in the four regencies and one user per role, each in scope."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.demo.data import DEMO_USERS, REGENCIES
from app.extensions import db
from app.formatting import number
from app.models import (
    AwardEvidence,
    AwardInput,
    AwardPeriod,
    AwardScore,
    BranchOffice,
    Company,
    Contribution,
    Enrollment,
    MinimumWage,
    Regency,
    Sponsor,
    Worker,
)
from app.scope import UNRESTRICTED
from app.services import awards, compliance
from app.services import coverage as cov
from app.services import villages as desa100
from app.services.identifiers import validate_kpj, validate_nik
from tests.conftest import PG_URL, TEST_CONFIG, _backends
from tests.helpers import pdf_text

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="module", params=_backends())
def demo(request, tmp_path_factory):
    """A fresh database filled by `flask demo --scale 50`, on SQLite and on PostgreSQL (where
    Rupiah amounts above 2^31, such as construction contracts, need BIGINT columns)."""
    if request.param == "sqlite":
        url, name = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}", None
    else:
        name = f"lindungi_demo_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    application = create_app(
        TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": DEMO_PASSWORD}
    )
    result = application.test_cli_runner().invoke(args=["demo", "--scale", "50"])
    assert result.exit_code == 0, result.output
    application.demo_output = result.output
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if name:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def count(app, *columns, where=()):
    with app.app_context():
        return db.session.query(*columns).filter(*where).scalar()


def test_the_demo_covers_the_four_regencies_of_the_source_articles(demo):
    with demo.app_context():
        codes = {
            code
            for (code,) in db.session.query(Regency.code)
            .join(Worker, Worker.regency_id == Regency.id)
            .distinct()
        }
    assert codes == {"61.06", "62.03", "62.05", "62.71"}


def test_the_demo_has_hundreds_of_companies_and_thousands_of_workers(demo):
    assert count(demo, func.count(Company.id)) >= 200
    assert count(demo, func.count(Worker.id)) >= 4000 + 50


def test_every_demo_nik_is_valid_and_matches_birth_date_and_sex(demo):
    with demo.app_context():
        for nik, born, sex in db.session.query(Worker.nik, Worker.birth_date, Worker.sex):
            validate_nik(nik, birth_date=born, sex=sex)


@pytest.mark.parametrize("payer", ["apbd", "apbdes", "csr", "employer", "worker"])
def test_enrollments_are_paid_by_every_kind_of_payer(demo, payer):
    assert count(demo, func.count(Enrollment.id), where=[Enrollment.payer_type == payer]) > 0


def test_some_contributions_are_in_arrears(demo):
    unpaid = count(
        demo,
        func.count(Contribution.id),
        where=[Contribution.amount_paid < Contribution.amount_due],
    )
    assert 0 < unpaid < count(demo, func.count(Contribution.id))


def test_village_funds_pay_for_their_own_village_officials(demo):
    with demo.app_context():
        rows = (
            db.session.query(Sponsor.village_id, Worker.village_id)
            .join(Enrollment, Enrollment.sponsor_id == Sponsor.id)
            .join(Worker)
            .filter(Enrollment.payer_type == "apbdes")
            .all()
        )
    assert rows and all(fund == home for fund, home in rows)


def test_loading_the_demo_twice_adds_nothing(demo):
    before = count(demo, func.count(Worker.id))
    result = demo.test_cli_runner().invoke(args=["demo", "--no-users"])
    assert "already present" in result.output
    assert count(demo, func.count(Worker.id)) == before


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_each_demo_user_logs_in_with_the_configured_password(demo, username):
    client = demo.test_client()
    response = client.post("/login/", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_demo_branch_staff_sees_only_kapuas(demo):
    client = demo.test_client()
    client.post("/login/", data={"username": "staf", "password": DEMO_PASSWORD})
    body = client.get("/api/v1/worker/?q=(page_size:100)").status_code
    assert body == 401  # the API wants a token, not the browser session
    page = client.get("/workerview/list/?psize_WorkerView=100").get_data(as_text=True)
    assert "Kabupaten Kapuas" in page
    assert "Kabupaten Barito Utara" not in page and "Kota Palangkaraya" not in page
    assert "Kapuas Hulu" not in page


def _dashboard_rows(page: str) -> dict[str, list[str]]:
    """The cells of the dashboard's coverage table, per regency code."""
    rows = re.findall(r'<tr data-regency="([\d.]+)">(.*?)</tr>', page, re.S)
    return {code: re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S) for code, cells in rows}


def test_the_demo_award_figures_agree_with_the_dashboard(demo):
    """This year's regency ranking reads the records the way the dashboard does: the same
    covered workers, villages at 100 and compliant companies for each of the four regencies."""
    client = demo.test_client()
    client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    with demo.app_context():
        session = db.session
        period = session.scalars(
            select(AwardPeriod).where(AwardPeriod.year == date.today().year)
        ).one()
        on = awards.as_of(period, date.today())
        awards.compute_scores(session, period, "regency", on, datetime.now(UTC), scope=UNRESTRICTED)
        session.commit()
        scores = session.execute(
            select(Regency.code, AwardScore.rank, AwardScore.subject_name, AwardScore.inputs)
            .join(Regency, Regency.id == AwardScore.subject_id)
            .where(AwardScore.period_id == period.id, AwardScore.category == "regency")
        ).all()
    page = client.get(f"/dashboard/?on={on.isoformat()}").get_data(as_text=True)
    rows = _dashboard_rows(page)
    ranking = pdf_text(client.get(f"/awards/{period.year}/regency/ranking.pdf").data)
    assert len(scores) == 4
    with demo.test_request_context(), force_locale("id"):
        _agree(scores, rows, ranking)


def _agree(scores, rows, ranking) -> None:
    """Each regency's figures in the scores, on the dashboard and in the ranking PDF agree."""
    for code, rank, name, inputs in scores:
        f = json.loads(inputs)["figures"]
        cells = rows[code]
        assert cells[0] == name
        assert cells[1] == number(f["wage_covered"])
        assert cells[2] == number(f["informal_covered"])
        assert cells[3] == number(f["wage_potential"] + f["informal_potential"])
        assert cells[5] == f"{f['villages_at_100']} / {f['villages']}"
        assert cells[6] == f"{number(f['companies_compliant'])} / {number(f['companies'])}"
        assert f"{rank} {name}" in ranking


def test_the_demo_panel_attached_each_regencys_regulation_as_a_readable_pdf(demo):
    with demo.app_context():
        files = db.session.scalars(select(AwardEvidence)).all()
        assert len(files) == 4
        for evidence in files:
            assert evidence.content_type == "application/pdf"
            text = pdf_text(evidence.content)
            assert "Salinan:" in text and "data demo" in text


def test_no_demo_sponsor_is_billed_for_a_program_its_commitment_does_not_fund(demo):
    """The sponsor statement bills what the enrollments hold: JHT on an APBD commitment of JKK
    and JKM billed Rp 218.400 a month for one non-ASN worker."""
    from app.models import Enrollment, SponsorCommitment
    from app.services.sponsors import unfunded_programs

    with demo.app_context():
        commitments = db.session.query(SponsorCommitment).all()
        assert commitments
        checked = 0
        for commitment in commitments:
            funded = (
                db.session.query(Enrollment)
                .filter(Enrollment.sponsor_id == commitment.sponsor_id)
                .all()
            )
            for enrollment in funded:
                checked += 1
                assert unfunded_programs(commitment, enrollment.programs) == [], (
                    commitment.reference,
                    enrollment.programs,
                )
        assert checked > 0


# The demo tells its sources' story (shared/reference/domain.md sections 4.5 and 8), at 1:50.

SOURCE_UCJ = {"61.06": 39.5, "62.03": 40.0, "62.05": 86.4, "62.71": 35.9}  # percent
SCALED = "Data demo: skala 1:50 dari angka sumber"


def _demo_coverage(app):
    with app.app_context():
        return cov.coverage(db.session, UNRESTRICTED, date.today())


@pytest.mark.parametrize("code", sorted(SOURCE_UCJ))
def test_each_demo_regencys_coverage_share_is_its_sources(demo, code):
    """The dashboard's own figures: Kapuas about 40 %, Barito Utara 86,40 %."""
    (row,) = [r for r in _demo_coverage(demo).regencies if r.code == code]
    assert row.workforce_scale == 50
    assert abs(row.ucj / 100 - SOURCE_UCJ[code]) <= 2


def test_palangkaraya_wage_earners_and_informal_workers_are_covered_as_the_source_says(demo):
    (row,) = [r for r in _demo_coverage(demo).regencies if r.code == "62.71"]
    assert abs(row.wage_ucj / 100 - 42.56) <= 1 and abs(row.informal_ucj / 100 - 27.11) <= 1


def test_the_dashboard_shows_the_sources_coverage_share_and_says_the_demo_is_scaled(demo):
    client = demo.test_client()
    client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    page = client.get("/dashboard/").get_data(as_text=True)
    kapuas = _dashboard_rows(page)["62.03"]
    assert re.fullmatch(r"(39|40|41),\d\d %", kapuas[4])
    assert SCALED in page


def test_the_coverage_profile_says_the_demo_is_scaled(demo):
    client = demo.test_client()
    client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    with demo.app_context():
        kapuas = db.session.scalar(select(Regency.id).where(Regency.code == "62.03"))
    text = pdf_text(client.get(f"/dashboard/profile/{kapuas}.pdf").data)
    assert SCALED in text


def test_some_kapuas_villages_reached_1_desa_100_and_some_are_close(demo):
    with demo.app_context():
        kapuas = db.session.scalar(select(Regency.id).where(Regency.code == "62.03"))
        villages = desa100.regency_progress(db.session, kapuas, UNRESTRICTED, date.today())
    assert sum(v.percent >= 95 for v in villages) >= 3
    assert sum(v.reached for v in villages) >= 2
    assert any(90 <= v.percent < 100 for v in villages)


def test_the_minimum_wages_of_each_demo_regency_are_recorded_for_this_year(demo):
    with demo.app_context():
        rows = db.session.execute(
            select(Regency.code, MinimumWage.amount, MinimumWage.legal_basis)
            .join(Regency, Regency.id == MinimumWage.regency_id)
            .where(MinimumWage.year == date.today().year)
        ).all()
        ump = db.session.scalar(
            select(MinimumWage.amount).where(
                MinimumWage.province_code == "62",
                MinimumWage.regency_id.is_(None),
                MinimumWage.year == date.today().year,
            )
        )
    umk = {code: (amount, basis) for code, amount, basis in rows}
    assert set(umk) == {r.code for r in REGENCIES}
    assert ump == 3_473_621
    # Kapuas's UMK of Rp 3.473.710,50 is rounded up, never down, in whole Rupiah.
    assert umk["62.03"][0] == 3_473_711 and "3.473.710,50" in umk["62.03"][1]
    assert all(basis for _amount, basis in umk.values())


def test_the_wage_check_finds_low_wages_at_a_few_companies(demo):
    with demo.app_context():
        results = [
            check.passed
            for company in db.session.scalars(select(Company))
            for check in compliance.evaluate(db.session, company, date.today()).checks
            if check.code == "minimum_wage"
        ]
    assert None not in results  # a minimum wage is recorded for every company's regency
    assert 0 < results.count(False) < len(results) // 10


def test_jkp_is_enrolled_on_the_wage_earners_their_employers_enroll_and_no_one_else(demo):
    with demo.app_context():
        rows = db.session.execute(
            select(Enrollment.jkp, Enrollment.payer_type, Worker.segment).join(Worker)
        ).all()
    with_jkp = [(payer, segment) for jkp, payer, segment in rows if jkp]
    assert with_jkp and set(with_jkp) == {("employer", "pu")}
    assert all(jkp for jkp, payer, segment in rows if (payer, segment) == ("employer", "pu"))


def test_most_covered_workers_have_a_valid_unique_kpj(demo):
    with demo.app_context():
        kpjs = db.session.scalars(
            select(Worker.kpj).join(Enrollment).where(Enrollment.status == "active")
        ).all()
        pattern = demo.config["KPJ_PATTERN"]
    known = [k for k in kpjs if k]
    assert len(known) >= 0.8 * len(kpjs)
    assert len(set(known)) == len(known)
    for kpj in known:
        assert validate_kpj(kpj, pattern) == kpj


def test_palangkaraya_is_spelt_as_the_kemendagri_area_list_spells_it(demo):
    with demo.app_context():
        session = db.session
        regency = session.scalar(select(Regency.name).where(Regency.code == "62.71"))
        names = [
            *session.scalars(select(BranchOffice.name)),
            *session.scalars(select(BranchOffice.address)),
            *session.scalars(select(Company.name)),
            *session.scalars(select(Sponsor.name)),
            *session.scalars(select(AwardInput.evidence)),
        ]
    assert regency == "Kota Palangkaraya"
    assert "Palangkaraya" in names
    assert not [n for n in names if n and "palangka raya" in n.lower()]


def test_the_demo_has_arrears_in_every_bucket_and_letters_the_permit_officer_sees(demo):
    from app.models import ArrearsLetter, Company, LetterKind
    from app.scope import UNRESTRICTED
    from app.services import arrears

    with demo.app_context():
        rows = arrears.worklist(db.session, UNRESTRICTED, date.today(), per_page=10_000).rows
        assert {"1", "2-3", "4-6", "7+"} <= {row.bucket for row in rows}
        letters = db.session.query(ArrearsLetter).filter_by(status="open").all()
        kinds = {letter.kind for letter in letters}
        assert {LetterKind.ARREARS_WARNING_1, LetterKind.SANCTION_RECOMMENDATION} <= kinds
        recommendation = next(x for x in letters if x.kind == LetterKind.SANCTION_RECOMMENDATION)
        company_id, number = recommendation.company_id, recommendation.issued_letter.number
        assert db.session.get(Company, company_id).regency.code == "62.03"
    client = demo.test_client()
    client.post("/login/", data={"username": "ptsp", "password": DEMO_PASSWORD})
    page = client.get(f"/permitdesk/?company={company_id}").get_data(as_text=True)
    assert number in page


def test_the_demo_has_a_covered_death_with_a_scholarship_running_and_an_uncovered_one(demo):
    from app.models import Claim
    from app.services.claims import scholarship_claims_due

    with demo.app_context():
        found = db.session.scalars(select(Claim).order_by(Claim.id)).all()
        covered = [c for c in found if c.status == "paid" and c.event_type == "work_death"]
        assert covered and any(heir.scholarship for heir in covered[0].heirs)
        assert any(c.status == "reported" and c.amount_due == 42_000_000 for c in found)
        assert any(c.status == "not_covered" and c.reason for c in found)
        on = date.fromordinal(date.today().toordinal() + 366)
        assert scholarship_claims_due(db.session, UNRESTRICTED, on)
