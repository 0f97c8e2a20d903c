"""The permit office: the compliance rules, the desk, documents, verification and the API.

Putri is the permit officer of Kapuas; Budi is branch staff in Barito Utara. A Kapuas company is
checked, refused, brought into compliance and certified; Barito Utara stays out of Putri's sight.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from pypdf import PdfReader

from app import create_app
from app.extensions import db
from app.models import (
    AuditEvent,
    Company,
    ComplianceRule,
    ConstructionProject,
    Contribution,
    Enrollment,
    MinimumWage,
    PermitCheck,
    Regency,
    Village,
    Worker,
)
from app.services.compliance import evaluate
from app.services.identifiers import make_nik, make_npwp15
from tests.conftest import PASSWORD, TEST_CONFIG
from tests.helpers import count_queries, text_of
from tests.world import BARUT_NIB

SERIALS = itertools.count(3000)
PEOPLE = itertools.count(1)
TODAY = dt.date.today()


def make_company(
    app,
    *,
    declared: int,
    enrolled: int,
    size: str = "small",
    programs=("jkk", "jkm", "jht"),
    wage: int = 4_000_000,
    unpaid: int = 0,
) -> dict:
    """A Kapuas company with enrolled workers (employer pays) and `unpaid` months of arrears."""
    n = next(SERIALS)
    with app.app_context():
        regency = db.session.query(Regency).filter_by(code="62.03").one()
        village = db.session.query(Village).filter_by(code="62.03.01.2011").one()
        company = Company(
            name=f"PT Uji Izin {n}",
            nib=f"91230{n:08d}",
            npwp=make_npwp15(n),
            npp=f"KP{n:06d}",
            size_class=size,
            risk_group=2,
            regency=regency,
            declared_workforce=declared,
        )
        db.session.add(company)
        for k in range(enrolled):
            person = next(PEOPLE)
            born = dt.date(1960, 1, 1) + dt.timedelta(days=person)
            worker = Worker(
                nik=make_nik("62.03.01", born, "M", 7000 + person % 2000),
                name=f"Pekerja {n}-{k}",
                birth_date=born,
                sex="M",
                village=village,
                regency_id=regency.id,
                segment="pu",
                company=company,
            )
            flags = {p: p in programs for p in ("jkk", "jkm", "jht", "jp", "jkp")}
            db.session.add(
                Enrollment(
                    worker=worker,
                    regency_id=regency.id,
                    start_date=dt.date(2025, 1, 1),
                    status="active",
                    payer_type="employer",
                    company=company,
                    declared_wage=wage,
                    monthly_contribution=1,
                    **flags,
                )
            )
        db.session.flush()
        first = TODAY.replace(day=1)
        for back in range(1, unpaid + 1):
            period = (first - dt.timedelta(days=28 * back)).replace(day=1)
            db.session.add(
                Contribution(
                    payer_key=f"company:{company.id}",
                    company=company,
                    regency_id=regency.id,
                    period=period,
                    amount_due=250_000,
                    amount_paid=0,
                )
            )
        db.session.commit()
        return {"id": company.id, "nib": company.nib, "npwp": company.npwp, "npp": company.npp}


def checks_of(app, company_id: int, on=TODAY) -> dict:
    with app.app_context():
        verdict = evaluate(db.session, db.session.get(Company, company_id), on)
        return {c.code: c.passed for c in verdict.checks}


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def decide(client, company_id: int, decision: str, number: str = "OSS-2026-0001"):
    return client.post(
        f"/permitdesk/record/{company_id}",
        data={"permit_type": "business", "application_number": number, "decision": decision},
    )


# --- the rules -------------------------------------------------------------------------------


def test_a_company_with_everyone_enrolled_and_paid_meets_every_check(app):
    company = make_company(app, declared=3, enrolled=3)
    checks = checks_of(app, company["id"])
    assert checks["registered"] and checks["arrears"] and checks["workforce"]
    assert checks["programs"] is True
    assert checks["construction"] is None and checks["minimum_wage"] is None


def test_fewer_enrolled_than_declared_fails_with_the_shortfall(app):
    company = make_company(app, declared=5, enrolled=2)
    with app.app_context():
        verdict = evaluate(db.session, db.session.get(Company, company["id"]), TODAY)
    failed = {c.code: c for c in verdict.failures}
    assert set(failed) == {"workforce"}
    assert failed["workforce"].figures == {"enrolled": 2, "declared": 5}
    assert "3" in failed["workforce"].reason


def test_a_medium_company_needs_the_pension_program(app):
    company = make_company(app, declared=2, enrolled=2, size="medium")
    assert checks_of(app, company["id"])["programs"] is False
    company = make_company(
        app, declared=2, enrolled=2, size="medium", programs=("jkk", "jkm", "jht", "jp")
    )
    assert checks_of(app, company["id"])["programs"] is True


def test_arrears_fail_unless_within_a_regencys_grace(app):
    company = make_company(app, declared=1, enrolled=1, unpaid=1)
    assert checks_of(app, company["id"])["arrears"] is False
    with app.app_context():
        kapuas = db.session.query(Regency).filter_by(code="62.03").one()
        db.session.add(
            ComplianceRule(
                regency=kapuas,
                valid_from=TODAY,
                grace_months=1,
                grace_amount=300_000,
                construction_days=7,
                certificate_days=90,
                check_minimum_wage=True,
            )
        )
        db.session.commit()
    try:
        assert checks_of(app, company["id"])["arrears"] is True
        assert checks_of(app, company["id"], TODAY - dt.timedelta(days=1))["arrears"] is False
    finally:
        with app.app_context():
            db.session.query(ComplianceRule).filter(ComplianceRule.regency_id.isnot(None)).delete()
            db.session.commit()


def test_a_project_registered_late_after_its_spk_fails_the_local_rule(app):
    company = make_company(app, declared=1, enrolled=1)
    with app.app_context():
        c = db.session.get(Company, company["id"])
        db.session.add(
            ConstructionProject(
                name="Jalan Desa",
                spk_number=f"SPK/{c.id}/1",
                spk_date=TODAY - dt.timedelta(days=30),
                company=c,
                regency_id=c.regency_id,
                contract_value=900_000_000,
                funding="apbd_funds",
                registered_on=TODAY - dt.timedelta(days=20),
            )
        )
        db.session.commit()
    assert checks_of(app, company["id"])["construction"] is False


def test_a_wage_below_the_recorded_minimum_wage_fails(app):
    company = make_company(app, declared=1, enrolled=1, wage=2_000_000)
    with app.app_context():
        db.session.add(MinimumWage(province_code="62", year=TODAY.year, amount=3_500_000))
        db.session.commit()
    try:
        assert checks_of(app, company["id"])["minimum_wage"] is False
    finally:
        with app.app_context():
            db.session.query(MinimumWage).delete()
            db.session.commit()


def test_the_verdict_costs_the_same_queries_for_1_or_12_workers(app):
    small = make_company(app, declared=1, enrolled=1, unpaid=1)
    large = make_company(app, declared=12, enrolled=12, unpaid=3)
    counts = []
    for company in (small, large):
        with app.app_context():
            c = db.session.get(Company, company["id"])
            c.regency  # noqa: B018  (loaded before counting, as the desk has it)
            with count_queries(app) as seen:
                evaluate(db.session, c, TODAY)
            counts.append(len(seen))
    assert counts[0] == counts[1] <= 2


# --- the desk and the documents ---------------------------------------------------------------


def test_the_officer_finds_a_company_by_nib_and_sees_why_it_fails(app, as_user):
    company = make_company(app, declared=4, enrolled=1)
    page = text_of(as_user("putri").get(f"/permitdesk/?q={company['nib']}"))
    assert "PT Uji Izin" in page
    assert "Hanya 1 dari 4 pekerja" in page
    assert "Terbitkan sertifikat" not in page  # no issue button for a failing company


@pytest.mark.parametrize("field", ["npwp", "npp"])
def test_the_officer_finds_a_company_by_npwp_or_npp(app, as_user, field):
    company = make_company(app, declared=1, enrolled=1)
    assert "PT Uji Izin" in text_of(as_user("putri").get(f"/permitdesk/?q={company[field]}"))


def test_the_officer_finds_companies_by_part_of_their_name(app, as_user):
    make_company(app, declared=1, enrolled=1)
    page = text_of(as_user("putri").get("/permitdesk/?q=Uji Izin"))
    assert "Perusahaan yang cocok" in page


def test_a_refusal_is_recorded_and_its_note_lists_what_to_do(app, as_user):
    company = make_company(app, declared=4, enrolled=1)
    client = as_user("putri")
    response = decide(client, company["id"], "refused", "OSS-REF-1")
    assert response.status_code == 302
    with app.app_context():
        permit = db.session.query(PermitCheck).filter_by(application_number="OSS-REF-1").one()
        assert permit.decision == "refused" and not permit.compliant
        assert permit.certificate_number is None
        permit_id = permit.id
    text = pdf_text(client.get(f"/permitdesk/document/{permit_id}"))
    assert "Surat penolakan" in text
    assert "Hanya 1 dari 4 pekerja" in text
    assert "Yang harus dilakukan perusahaan" in text


def test_a_certificate_cannot_be_issued_to_a_failing_company_even_by_a_tampered_post(app, as_user):
    company = make_company(app, declared=4, enrolled=1)
    response = decide(as_user("putri"), company["id"], "issued", "OSS-TAMPER")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(PermitCheck).filter_by(application_number="OSS-TAMPER").count() == 0


def test_once_arrears_are_paid_the_company_gets_a_certificate_that_verifies(app, as_user, client):
    company = make_company(app, declared=2, enrolled=2, unpaid=2)
    officer = as_user("putri")
    assert "Tidak memenuhi" in text_of(officer.get(f"/permitdesk/?company={company['id']}"))
    with app.app_context():
        for bill in db.session.query(Contribution).filter_by(company_id=company["id"]):
            bill.amount_paid, bill.paid_on = bill.amount_due, TODAY
        db.session.commit()
    assert decide(officer, company["id"], "issued", "OSS-OK-1").status_code == 302
    with app.app_context():
        permit = db.session.query(PermitCheck).filter_by(application_number="OSS-OK-1").one()
        number, code, permit_id = permit.certificate_number, permit.verification_code, permit.id
        assert permit.valid_until == TODAY + dt.timedelta(days=90)
    text = pdf_text(officer.get(f"/permitdesk/document/{permit_id}"))
    assert "Sertifikat kepesertaan jaminan sosial" in text
    assert number in text.replace("\n", "")
    assert re.search(
        r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|"
        r"Oktober|November|Desember) \d{4}",
        text,
    )
    assert f"/verify/{code}" in text.replace("\n", "")
    page = text_of(client.get(f"/verify/{code}"))  # no login
    assert "Asli dan berlaku" in page and number in page
    assert "NIK" not in page


def test_a_certificate_is_withdrawn_when_the_company_falls_into_arrears(app, as_user, client):
    company = make_company(app, declared=1, enrolled=1)
    decide(as_user("putri"), company["id"], "issued", "OSS-LAPSE")
    with app.app_context():
        code = (
            db.session.query(PermitCheck)
            .filter_by(application_number="OSS-LAPSE")
            .one()
            .verification_code
        )
        c = db.session.get(Company, company["id"])
        db.session.add(
            Contribution(
                payer_key=f"company:{c.id}",
                company=c,
                regency_id=c.regency_id,
                period=dt.date(2025, 1, 1),
                amount_due=99_000,
            )
        )
        db.session.commit()
    assert "tidak berlaku lagi" in text_of(client.get(f"/verify/{code}"))


def test_an_unknown_code_is_not_a_certificate(client):
    assert "Bukan sertifikat" in text_of(client.get("/verify/not-a-real-code"))


def test_verification_is_rate_limited(tmp_path):
    limited = create_app(
        TEST_CONFIG
        | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'verify.db'}",
            "RATELIMIT_ENABLED": True,
            "VERIFY_LIMIT": "3 per minute",
        }
    )
    client = limited.test_client()
    codes = [client.get(f"/verify/guess-{n}").status_code for n in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429
    with limited.app_context():
        db.engine.dispose()


# --- scope --------------------------------------------------------------------------------------


def barut_company_id(app) -> int:
    with app.app_context():
        return db.session.query(Company).filter_by(nib=BARUT_NIB).one().id


def test_the_kapuas_officer_cannot_find_a_barito_utara_company(app, as_user):
    client = as_user("putri")
    page = text_of(client.get(f"/permitdesk/?q={BARUT_NIB}"))
    assert "CV Barito Jaya" not in page and "Tidak ada perusahaan" in page
    assert client.get(f"/permitdesk/?company={barut_company_id(app)}").status_code == 404
    assert decide(client, barut_company_id(app), "refused").status_code == 404


def test_branch_staff_may_check_but_not_decide(app, as_user):
    company = make_company(app, declared=1, enrolled=1)
    client = as_user("sari")
    assert client.get(f"/permitdesk/?company={company['id']}").status_code == 200
    assert decide(client, company["id"], "refused", "OSS-STAFF").status_code == 403
    with app.app_context():
        assert db.session.query(PermitCheck).filter_by(application_number="OSS-STAFF").count() == 0


# --- the API ---------------------------------------------------------------------------------


def api_token(client, username="putri") -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db"},
    )
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_the_compliance_api_answers_each_check_with_its_reason(app, client):
    company = make_company(app, declared=3, enrolled=1)
    body = client.get(f"/api/v1/compliance/{company['nib']}", headers=api_token(client)).get_json()
    assert body["compliant"] is False
    assert body["company"]["nib"] == company["nib"]
    workforce = next(c for c in body["checks"] if c["code"] == "workforce")
    assert workforce["passed"] is False and "Hanya 1 dari 3" in workforce["reason"]
    assert body["parameters"]["construction_days"] == 7 and body["checked_at"]


def test_the_compliance_api_is_audited(app, client):
    company = make_company(app, declared=1, enrolled=1)
    client.get(f"/api/v1/compliance/{company['npp']}", headers=api_token(client))
    with app.app_context():
        assert (
            db.session.query(AuditEvent)
            .filter_by(action="api_check", entity_id=str(company["id"]))
            .count()
            == 1
        )


@pytest.mark.parametrize("identifier, status", [("12345", 400), ("9999999999999", 404)])
def test_the_compliance_api_errors_are_json(client, identifier, status):
    response = client.get(f"/api/v1/compliance/{identifier}", headers=api_token(client))
    assert response.status_code == status and response.get_json()["message"]


def test_the_compliance_api_hides_other_regencies(client):
    response = client.get(f"/api/v1/compliance/{BARUT_NIB}", headers=api_token(client))
    assert response.status_code == 404


def test_the_compliance_api_needs_a_token(client):
    assert client.get(f"/api/v1/compliance/{BARUT_NIB}").status_code == 401


def test_the_compliance_api_is_documented_with_an_example(client):
    spec = client.get("/api/v1/_openapi", headers=api_token(client, "admin")).get_json()
    operation = spec["paths"]["/api/v1/compliance/{identifier}"]["get"]
    assert "example" in str(operation["responses"]["200"])


def test_the_compliance_api_is_rate_limited(tmp_path):
    limited = create_app(
        TEST_CONFIG
        | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'api.db'}",
            "RATELIMIT_ENABLED": True,
            "COMPLIANCE_API_LIMIT": "2 per minute",
        }
    )
    client = limited.test_client()
    codes = [client.get("/api/v1/compliance/9120000000001").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    with limited.app_context():
        db.engine.dispose()


def test_staff_see_late_construction_registrations_on_their_home_page(app, as_user):
    company = make_company(app, declared=1, enrolled=1)
    with app.app_context():
        c = db.session.get(Company, company["id"])
        db.session.add(
            ConstructionProject(
                name="Dermaga",
                spk_number=f"SPK/{c.id}/9",
                spk_date=TODAY - dt.timedelta(days=40),
                company=c,
                regency_id=c.regency_id,
                contract_value=500_000_000,
                funding="apbn",
            )
        )
        db.session.commit()
    assert "Proyek konstruksi belum didaftarkan tepat waktu" in text_of(as_user("sari").get("/"))
