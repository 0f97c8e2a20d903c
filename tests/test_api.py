"""REST API: JWT login, scope, explicit columns and JSON errors."""

from __future__ import annotations

import itertools

import prison
import pytest

from app.models import Enrollment, Regency, Village, Worker
from tests.conftest import PASSWORD
from tests.helpers import record_id


def token(client, username: str) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def sari(client):
    return token(client, "sari")


def worker_payload(app, name="Maria Tingang", nik_serial=501, **extra):
    import datetime as dt

    from app.services.identifiers import make_nik

    village_id = record_id(app, Village, code="62.03.01.2011")
    payload = {
        "nik": make_nik("62.03.01", dt.date(1992, 5, 4), "F", nik_serial),
        "name": name,
        "birth_date": "1992-05-04",
        "sex": "F",
        "village_id": village_id,
        "segment": "vulnerable",
    }
    return payload | extra


_SERIALS = itertools.count(1000)


def _serial() -> int:
    """A NIK serial (and name suffix) no other test of this module uses."""
    return next(_SERIALS)


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/worker/").status_code == 401


def test_worker_list_is_limited_to_the_callers_regency(client, sari):
    def named(name: str) -> list[str]:
        q = prison.dumps({"filters": [{"col": "name", "opr": "eq", "value": name}]})
        answer = client.get(f"/api/v1/worker/?q={q}", headers=sari).get_json()
        return [w["name"] for w in answer["result"]]

    # asked by name: however many workers other tests have added to the first page
    assert named("Yohanes Ngabut") == ["Yohanes Ngabut"]
    assert named("Rahmat Hidayat") == []


def test_an_out_of_scope_worker_reads_as_not_found(app, client, sari):
    barut = record_id(app, Worker, name="Rahmat Hidayat")
    assert client.get(f"/api/v1/worker/{barut}", headers=sari).status_code == 404
    assert (
        client.put(f"/api/v1/worker/{barut}", json={"name": "x"}, headers=sari).status_code == 404
    )
    # Branch staff may not delete through the API at all, in scope or out of it.
    assert client.delete(f"/api/v1/worker/{barut}", headers=sari).status_code == 403


def test_filters_cannot_widen_the_scope(app, client, sari):
    barut_regency = record_id(app, Regency, code="62.05")
    q = f"(filters:!((col:regency_id,opr:eq,value:{barut_regency})))"
    response = client.get(f"/api/v1/worker/?q={q}", headers=sari)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"] == []
    assert response.get_json()["count"] == 0
    # The same filter does select Barito Utara's workers for Barito Utara's staff.
    budi = client.get(f"/api/v1/worker/?q={q}", headers=token(client, "budi")).get_json()
    assert "Rahmat Hidayat" in [w["name"] for w in budi["result"]]


def test_staff_registers_a_worker_through_the_api(app, client, sari):
    response = client.post("/api/v1/worker/", json=worker_payload(app), headers=sari)
    assert response.status_code == 201, response.get_json()


def test_a_duplicate_nik_is_a_conflict_not_a_server_error(app, client, sari):
    payload = worker_payload(app, name="Dewi Ajang", nik_serial=502)
    assert client.post("/api/v1/worker/", json=payload, headers=sari).status_code == 201
    again = client.post("/api/v1/worker/", json=payload | {"name": "Dewi Lagi"}, headers=sari)
    assert again.status_code == 409
    assert "message" in again.get_json()
    from app.extensions import db

    with app.app_context():
        assert db.session.query(Worker).filter_by(nik=payload["nik"]).count() == 1
        assert db.session.query(Worker).filter_by(name="Dewi Lagi").count() == 0


def test_an_invalid_nik_is_refused_in_indonesian(app, client, sari):
    response = client.post("/api/v1/worker/", json=worker_payload(app, nik="ABC"), headers=sari)
    assert response.status_code == 422
    assert "NIK" in response.get_json()["message"]
    assert "harus" in response.get_json()["message"] or "hanya" in response.get_json()["message"]


def test_a_nik_whose_sex_does_not_match_is_refused(app, client, sari):
    payload = worker_payload(app, nik_serial=503, sex="M")
    response = client.post("/api/v1/worker/", json=payload, headers=sari)
    assert response.status_code == 422
    assert response.get_json()["field"] == "nik"
    from app.extensions import db

    with app.app_context():
        assert db.session.query(Worker).filter_by(nik=payload["nik"]).count() == 0


def test_status_cannot_be_set_through_the_payload(app, client, sari):
    serial = _serial()
    created = client.post(
        "/api/v1/worker/",
        json=worker_payload(app, name=f"Status {serial}", nik_serial=serial),
        headers=sari,
    )
    worker = created.get_json()["id"]
    response = client.post(
        "/api/v1/enrollment/",
        json={
            "worker_id": worker,
            "jkk": True,
            "jkm": True,
            "start_date": "2026-01-01",
            "payer_type": "worker",
            "declared_wage": 1_000_000,
            "status": "ended",
            "monthly_contribution": 1,
        },
        headers=sari,
    )
    assert response.status_code == 422
    from app.extensions import db

    with app.app_context():
        assert db.session.query(Enrollment).filter_by(worker_id=worker).count() == 0


def test_an_enrollment_for_an_out_of_scope_worker_is_not_found(app, client, sari):
    barut = record_id(app, Worker, name="Rahmat Hidayat")
    response = client.post(
        "/api/v1/enrollment/",
        json={
            "worker_id": barut,
            "jkk": True,
            "jkm": True,
            "start_date": "2026-01-01",
            "payer_type": "worker",
            "declared_wage": 1_000_000,
        },
        headers=sari,
    )
    assert response.status_code == 404


def test_an_enrollment_gets_its_contribution_from_the_rate_table(app, client, sari):
    worker = record_id(app, Worker, name="Siti Lestari")
    response = client.post(
        "/api/v1/enrollment/",
        json={
            "worker_id": worker,
            "jkk": True,
            "jkm": True,
            "start_date": "2026-01-01",
            "payer_type": "worker",
            "declared_wage": 1_000_000,
        },
        headers=sari,
    )
    assert response.status_code == 201, response.get_json()
    got = client.get(f"/api/v1/enrollment/{response.get_json()['id']}", headers=sari).get_json()
    assert got["result"]["monthly_contribution"] == 16_800
    assert got["result"]["status"] == "active"


def test_the_openapi_spec_is_served_to_a_logged_in_caller(client, sari):
    spec = client.get("/api/v1/_openapi", headers=sari)
    assert spec.status_code == 200
    assert "/api/v1/worker/" in spec.get_json()["paths"]


def test_the_permit_officer_cannot_write_workers(client):
    headers = token(client, "putri")
    assert client.post("/api/v1/worker/", json={}, headers=headers).status_code == 403
