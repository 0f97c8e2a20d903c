"""The REST API's own code: validation on write, errors as JSON, PUT as a patch, audited reads.

Companies are written in regency 62.09 with NPPs from a counter no other test uses.
"""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from app.models import AuditEvent, Company, Regency
from tests.conftest import PASSWORD

NPPS = itertools.count(1)


def token(client, username: str) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def admin(client):
    return token(client, "admin")


def regency_id(app, code="62.09") -> int:
    with app.app_context():
        return db.session.query(Regency).filter_by(code=code).one().id


def company_payload(app, **extra) -> dict:
    n = next(NPPS)
    return {
        "name": f"PT Api Mutasi {n}",
        "npp": f"kq{n:06d}",
        "size_class": "small",
        "risk_group": 1,
        "regency_id": regency_id(app),
        "declared_workforce": 0,
    } | extra


def test_a_company_posted_through_the_api_is_validated_and_normalised(app, client, admin):
    payload = company_payload(app)
    response = client.post("/api/v1/company/", json=payload, headers=admin)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        stored = db.session.get(Company, response.get_json()["id"])
        assert stored.npp == payload["npp"].upper()


def test_a_refused_company_answers_json_with_the_message_and_the_field(app, client, admin):
    response = client.post("/api/v1/company/", json=company_payload(app, npp="!!"), headers=admin)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "npp" and body["message"]
    kapuas_village = client.get(
        "/api/v1/village/?q=(filters:!((col:code,opr:eq,value:'62.03.01.2011')))", headers=admin
    ).get_json()["ids"][0]
    response = client.post(
        "/api/v1/company/", json=company_payload(app, village_id=kapuas_village), headers=admin
    )
    assert response.status_code == 422 and response.get_json()["field"] == "village"


def test_a_refusal_without_a_field_answers_only_the_message(app, client, admin):
    response = client.post(
        "/api/v1/company/", json=company_payload(app, regency_id=None), headers=admin
    )
    assert response.status_code in (400, 422)
    assert "message" in response.get_json()


def test_put_changes_only_the_fields_it_sends(app, client, admin):
    nib = f"91299{next(NPPS):08d}"
    payload = company_payload(app, nib=nib)
    pk = client.post("/api/v1/company/", json=payload, headers=admin).get_json()["id"]
    response = client.put(f"/api/v1/company/{pk}", json={"name": "PT Ganti Nama"}, headers=admin)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        stored = db.session.get(Company, pk)
        assert (stored.name, stored.npp, stored.nib) == (
            "PT Ganti Nama",
            payload["npp"].upper(),
            nib,
        )
    response = client.put(f"/api/v1/company/{pk}", json={"npp": "??"}, headers=admin)
    assert response.status_code == 422 and response.get_json()["field"] == "npp"


def test_an_item_read_of_personal_data_is_audited_and_of_other_data_not(app, client, admin):
    workers = client.get("/api/v1/worker/", headers=admin).get_json()["ids"]
    with app.app_context():
        before = db.session.query(AuditEvent).count()
    assert client.get(f"/api/v1/worker/{workers[0]}", headers=admin).status_code == 200
    assert client.get(f"/api/v1/regency/{regency_id(app)}", headers=admin).status_code == 200
    assert client.get("/api/v1/regency/", headers=admin).status_code == 200
    with app.app_context():
        events = db.session.query(AuditEvent).order_by(AuditEvent.id).offset(before).all()
        assert [(e.action, e.entity, e.entity_id) for e in events] == [
            ("read", "Worker", str(workers[0]))
        ]
        assert __import__("json").loads(events[0].changes)["channel"] == "api"


def test_a_missing_item_writes_no_read_event(app, client, admin):
    with app.app_context():
        before = db.session.query(AuditEvent).count()
    assert client.get("/api/v1/worker/987654321", headers=admin).status_code == 404
    with app.app_context():
        assert db.session.query(AuditEvent).count() == before


def test_the_compliance_api_answers_each_check_with_its_title_and_reason(app, client, admin):
    payload = company_payload(app)
    client.post("/api/v1/company/", json=payload, headers=admin)
    body = client.get(f"/api/v1/compliance/{payload['npp']}", headers=admin).get_json()
    assert body["company"]["npp"] == payload["npp"].upper()
    assert body["company"]["regency"] == "62.09" and body["compliant"] is True
    assert [c["code"] for c in body["checks"]][:2] == ["registered", "arrears"]
    assert all(c["title"] and c["reason"] for c in body["checks"])
    assert body["parameters"]["construction_days"] == 7 and "checked_at" in body
    response = client.get("/api/v1/compliance/12", headers=admin)
    assert response.status_code == 400 and response.get_json()["message"]


def test_a_list_read_through_the_api_is_recorded_as_the_api_channel(app, client, admin):
    ids = client.get("/api/v1/worker/", headers=admin).get_json()["ids"]
    with app.app_context():
        event = (
            db.session.query(AuditEvent)
            .filter_by(action="read_list", entity="Worker")
            .order_by(AuditEvent.id.desc())
            .first()
        )
        details = __import__("json").loads(event.changes)
    assert details["channel"] == "api" and details["count"] == len(ids)
