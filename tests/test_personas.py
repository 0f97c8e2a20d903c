"""The OPD level of the scope: dodi operates Dinas Sosial Kapuas.

Dodi sees the workers employed by Dinas Sosial Kapuas and registers workers for it; a worker of
Dinas PMD Kapuas, in the same regency and the same village, is out of his area on every channel.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Opd, Village, Worker
from tests.helpers import record_id, text_of, unique_nik
from tests.test_api import token
from tests.world import (
    KAPUAS_VILLAGE,
    OPD_PMD_WORKER,
    OPD_SOCIAL,
    OPD_SOCIAL_WORKER,
    add_worker,
)


def test_dodi_lists_the_worlds_social_worker_and_not_the_pmd_one(as_user):
    page = text_of(as_user("dodi").get("/workerview/list/?psize_WorkerView=100"))
    assert OPD_SOCIAL_WORKER in page
    assert OPD_PMD_WORKER not in page


def test_dodi_finds_only_the_worlds_social_worker_through_the_api(app, client):
    response = client.get("/api/v1/worker/?q=(page_size:100)", headers=token(client, "dodi"))
    assert response.status_code == 200
    workers = response.get_json()["result"]
    assert OPD_SOCIAL_WORKER in [w["name"] for w in workers]
    assert OPD_PMD_WORKER not in [w["name"] for w in workers]
    # Every worker dodi is given through the API is one of Dinas Sosial Kapuas.
    social = record_id(app, Opd, name=OPD_SOCIAL)
    with app.app_context():
        opds = {db.session.get(Worker, pk).opd_id for pk in response.get_json()["ids"]}
    assert opds == {social}


def test_dodi_reads_the_worlds_pmd_worker_as_not_found(app, as_user):
    dodi = as_user("dodi")
    pmd = record_id(app, Worker, name=OPD_PMD_WORKER)
    social = record_id(app, Worker, name=OPD_SOCIAL_WORKER)
    assert dodi.get(f"/workerview/show/{pmd}").status_code == 404
    assert dodi.get(f"/workerview/show/{social}").status_code == 200


@pytest.fixture
def opd_workers(app):
    """One worker of each Kapuas OPD, living in the same village."""
    tag = uuid.uuid4().hex[:6]
    ids = {}
    with app.app_context():
        for key, opd_name in (("social", "Dinas Sosial Kapuas"), ("pmd", "Dinas PMD Kapuas")):
            nik, born = unique_nik()
            worker = add_worker(db.session, f"{key.upper()} {tag}", KAPUAS_VILLAGE, born)
            worker.nik = nik
            worker.segment = "non_asn"
            worker.opd = db.session.scalar(select(Opd).where(Opd.name == opd_name))
            db.session.flush()
            ids[key] = (worker.id, worker.name)
        db.session.commit()
    return ids


def test_dodi_lists_the_workers_of_his_opd_only(as_user, opd_workers):
    page = text_of(as_user("dodi").get("/workerview/list/?psize_WorkerView=100"))
    assert opd_workers["social"][1] in page
    assert opd_workers["pmd"][1] not in page


def test_dodi_reads_a_worker_of_another_opd_as_not_found(as_user, opd_workers):
    pmd_id = opd_workers["pmd"][0]
    assert as_user("dodi").get(f"/workerview/show/{pmd_id}").status_code == 404
    social_id = opd_workers["social"][0]
    assert as_user("dodi").get(f"/workerview/show/{social_id}").status_code == 200


def test_dodi_lists_only_his_opds_workers_through_the_api(client, opd_workers):
    response = client.get("/api/v1/worker/?q=(page_size:100)", headers=token(client, "dodi"))
    ids = response.get_json()["ids"]
    assert opd_workers["social"][0] in ids
    assert opd_workers["pmd"][0] not in ids


def test_a_worker_dodi_registers_is_employed_by_his_opd(app, client):
    nik, born = unique_nik()
    payload = {
        "nik": nik,
        "name": f"Honorer {uuid.uuid4().hex[:6]}",
        "birth_date": born.isoformat(),
        "sex": "M",
        "village_id": record_id(app, Village, code=KAPUAS_VILLAGE),
        "segment": "non_asn",
    }
    response = client.post("/api/v1/worker/", json=payload, headers=token(client, "dodi"))
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        worker = db.session.get(Worker, response.get_json()["id"])
        assert worker.opd.name == "Dinas Sosial Kapuas"


def test_dodi_cannot_register_a_worker_for_another_opd(app, client):
    nik, born = unique_nik()
    name = f"Honorer {uuid.uuid4().hex[:6]}"
    payload = {
        "nik": nik,
        "name": name,
        "birth_date": born.isoformat(),
        "sex": "M",
        "village_id": record_id(app, Village, code=KAPUAS_VILLAGE),
        "segment": "non_asn",
        "opd_id": record_id(app, Opd, name="Dinas PMD Kapuas"),
    }
    response = client.post("/api/v1/worker/", json=payload, headers=token(client, "dodi"))
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Worker).where(Worker.name == name)) is None


def test_branch_staff_of_kapuas_see_the_workers_of_both_opds(as_user, opd_workers):
    sari = as_user("sari")
    for key in ("social", "pmd"):  # searched by name: other tests' Kapuas workers fill pages
        pk, name = opd_workers[key][:2]
        page = sari.get(f"/workerview/list/?_flt_2_name={name}").get_data(as_text=True)
        assert f"/workerview/show/{pk}" in page, key
