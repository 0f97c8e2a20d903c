"""What Schemathesis found in the REST API, pinned: typed foreign keys, no 500 on a record in use
or a missing reference, and an OpenAPI description that says what the API answers."""

from __future__ import annotations

from app.models import Company, Worker
from tests import world
from tests.helpers import record_id
from tests.test_api import token, worker_payload


def _count(app, model, **filters) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


def test_a_foreign_key_that_is_not_a_number_is_refused_with_422(app, client):
    admin = token(client, "admin")
    payload = worker_payload(app, name="Kunci Asing", nik_serial=9301) | {"village_id": {"a": None}}

    response = client.post("/api/v1/worker/", json=payload, headers=admin)

    assert response.status_code == 422
    assert list(response.get_json()["message"]) == ["village_id"]
    assert _count(app, Worker, name="Kunci Asing") == 0


def test_deleting_a_company_with_workers_answers_409_and_keeps_it(app, client):
    admin = token(client, "admin")
    company_id = record_id(app, Company, nib=world.KAPUAS_NIB)

    response = client.delete(f"/api/v1/company/{company_id}", headers=admin)

    assert response.status_code == 409, response.get_json()
    assert _count(app, Company, id=company_id) == 1


def test_a_company_moved_to_a_regency_that_does_not_exist_is_refused_on_that_field(app, client):
    admin = token(client, "admin")
    company_id = record_id(app, Company, nib=world.BARUT_NIB)

    response = client.put(
        f"/api/v1/company/{company_id}", json={"regency_id": 999_999}, headers=admin
    )

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == "regency"
    assert _count(app, Company, id=company_id, regency_id=999_999) == 0


def test_the_openapi_description_says_what_the_api_answers(client):
    admin = token(client, "admin")
    spec = client.get("/api/v1/_openapi", headers=admin).get_json()

    def schema(path, method):
        ok = spec["paths"][path][method]["responses"]["200"]
        return ok["content"]["application/json"]["schema"]["properties"]

    assert schema("/api/v1/worker/", "get")["ids"]["items"] == {"type": "integer"}
    assert schema("/api/v1/worker/{pk}", "get")["id"]["type"] == "integer"
    assert schema("/api/v1/worker/_info", "get")["add_columns"]["type"] == "array"
    assert spec["components"]["schemas"]["WorkerApi.post"]["properties"]["village_id"] == {
        "type": "integer"
    }
    assert "409" in spec["paths"]["/api/v1/company/{pk}"]["delete"]["responses"]
    message = spec["components"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert {"type": "object"}.items() <= message["properties"]["message"]["oneOf"][1].items()


def test_info_gives_an_empty_description_not_the_catalog_header(client):
    admin = token(client, "admin")

    fields = client.get("/api/v1/worker/_info", headers=admin).get_json()["add_columns"]

    assert {field["description"] for field in fields} == {""}
