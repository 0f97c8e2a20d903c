"""Scope as personas: each user sees and touches only their branch, regency or village."""

from __future__ import annotations

import re

import pytest

from app.models import Company, Worker
from tests.helpers import record_id, text_of

KAPUAS_WORKER, OTHER_VILLAGE_WORKER, BARUT_WORKER = (
    "Yohanes Ngabut",
    "Siti Lestari",
    "Rahmat Hidayat",
)


def sees(client, name: str) -> bool:
    """Tell whether a worker of that name shows in the client's worker list (searched by name)."""
    page = text_of(client.get("/workerview/list/", query_string={"_flt_2_name": name}))
    return re.search(rf"<td>\s*{re.escape(name)}\s*</td>", page) is not None


@pytest.fixture
def barut_worker_id(app):
    return record_id(app, Worker, name=BARUT_WORKER)


@pytest.fixture
def kapuas_worker_id(app):
    return record_id(app, Worker, name=KAPUAS_WORKER)


def test_kapuas_staff_lists_kapuas_workers_but_not_barito_utara_workers(as_user):
    client = as_user("sari")
    assert sees(client, KAPUAS_WORKER)
    assert not sees(client, BARUT_WORKER)


def test_barito_utara_staff_sees_the_mirror_image(as_user):
    client = as_user("budi")
    assert sees(client, BARUT_WORKER)
    assert not sees(client, KAPUAS_WORKER)


def test_village_operator_sees_only_their_own_village(as_user):
    client = as_user("oki")
    assert sees(client, KAPUAS_WORKER)
    assert not sees(client, OTHER_VILLAGE_WORKER)
    assert not sees(client, BARUT_WORKER)


@pytest.mark.parametrize("path", ["/workerview/show/{}", "/workerview/edit/{}"])
def test_kapuas_staff_gets_not_found_for_a_barito_utara_worker(as_user, barut_worker_id, path):
    response = as_user("sari").get(path.format(barut_worker_id))
    assert response.status_code == 404


def test_kapuas_staff_cannot_edit_a_barito_utara_worker_by_posting(app, as_user, barut_worker_id):
    response = as_user("sari").post(f"/workerview/edit/{barut_worker_id}", data={"name": "Hacked"})
    assert response.status_code == 404
    from app.extensions import db

    with app.app_context():
        assert db.session.get(Worker, barut_worker_id).name == BARUT_WORKER


def test_kapuas_staff_cannot_delete_a_barito_utara_worker(app, as_user, barut_worker_id):
    response = as_user("sari").post(f"/workerview/delete/{barut_worker_id}")
    assert response.status_code == 404
    from app.extensions import db

    with app.app_context():
        assert db.session.get(Worker, barut_worker_id) is not None


def test_row_actions_refuse_an_out_of_scope_record(as_user, app):
    from app.models import Enrollment

    with app.app_context():
        from app.extensions import db

        enrollment_id = (
            db.session.query(Enrollment.id)
            .join(Enrollment.worker)
            .filter(Worker.name == BARUT_WORKER)
            .scalar()
        )
    response = as_user("sari").post(
        "/enrollmentview/action_post", data={"action": "end", "rowid": [str(enrollment_id)]}
    )
    assert response.status_code == 404
    response = as_user("sari").post(f"/enrollmentview/action/end/{enrollment_id}")
    assert response.status_code == 404
    with app.app_context():
        from app.extensions import db

        enrollment = db.session.get(Enrollment, enrollment_id)
        assert (enrollment.status, enrollment.end_date) == ("active", None)


def test_export_contains_only_the_users_scope(as_user):
    response = as_user("sari").get("/workerview/export/csv")
    assert response.status_code == 200
    body = response.get_data().decode("utf-8-sig")
    assert KAPUAS_WORKER in body
    assert BARUT_WORKER not in body


def test_village_picker_offers_only_villages_in_scope(as_user):
    data = as_user("sari").post("/picker/village", data={"q": "62.05"}).get_json()
    assert data["results"] == []
    data = as_user("sari").post("/picker/village", data={"q": "62.03.01"}).get_json()
    assert data["results"]


def test_company_form_offers_only_regencies_in_scope(as_user):
    page = text_of(as_user("sari").get("/companyview/add"))
    assert "Kapuas" in page
    assert "Barito Utara" not in page


def test_a_tampered_village_id_outside_scope_is_refused(app, as_user):
    from app.extensions import db
    from app.models import Regency, Village

    kapuas = record_id(app, Regency, code="62.03")  # in sari's area: only the village is wrong
    barut_village = record_id(app, Village, code="62.05.01.1001")
    client = as_user("sari")
    response = client.post(
        "/companyview/add",
        data={
            "name": "PT Tamper",
            "size_class": "small",
            "risk_group": "1",
            "status": "active",
            "declared_workforce": "1",
            "regency": str(kapuas),
            "village": str(barut_village),
        },
    )
    assert response.status_code == 200  # the form comes back with an error on the village
    village_field = re.search(r'name="village".*?</td>', text_of(response), re.DOTALL).group(0)
    assert "Pilih salah satu opsi dari daftar." in village_field
    with app.app_context():
        assert db.session.query(Company).filter_by(name="PT Tamper").count() == 0


def test_permit_officer_sees_kapuas_companies_only(as_user):
    putri = as_user("putri")
    # searched by name: other tests' Kapuas companies fill the first page
    assert "PT Sawit Kapuas Lestari" in text_of(putri.get("/companyview/list/?_flt_2_name=Sawit"))
    barito = "/companyview/list/?_flt_2_name=Barito"
    assert "CV Barito Jaya" not in text_of(putri.get(barito))
    assert "CV Barito Jaya" in text_of(as_user("admin").get(barito))  # the search finds it


def test_permit_officer_cannot_edit_workers(as_user, kapuas_worker_id):
    for url in (f"/workerview/edit/{kapuas_worker_id}", "/workerview/list/"):
        response = as_user("putri").get(url)
        assert response.status_code == 403


@pytest.mark.parametrize("username", ["ani", "vina"])
def test_auditor_and_supervisor_cannot_change_anything(app, as_user, kapuas_worker_id, username):
    from app.extensions import db

    with app.app_context():
        before = db.session.get(Worker, kapuas_worker_id).name
    client = as_user(username)
    for response in (
        client.get(f"/workerview/edit/{kapuas_worker_id}"),
        client.post(f"/workerview/edit/{kapuas_worker_id}", data={"name": "Diubah"}),
        client.get("/workerview/add"),
        client.post(f"/workerview/delete/{kapuas_worker_id}"),
    ):
        assert response.status_code == 403
    with app.app_context():
        worker = db.session.get(Worker, kapuas_worker_id)
        assert worker is not None and worker.name == before


def test_supervisor_reads_workers_of_the_branch(as_user):
    client = as_user("vina")
    assert sees(client, KAPUAS_WORKER) and not sees(client, BARUT_WORKER)


def test_auditor_sees_masked_nik_in_lists(app, as_user):
    with app.app_context():
        from app.extensions import db

        nik = db.session.query(Worker).filter_by(name=KAPUAS_WORKER).one().nik
    page = text_of(as_user("ani").get(f"/workerview/list/?_flt_2_name={KAPUAS_WORKER}"))
    assert KAPUAS_WORKER in page
    assert nik not in page
    assert nik[:6] + "******" + nik[12:] in page


def test_admin_sees_both_regencies(as_user):
    client = as_user("admin")
    assert sees(client, KAPUAS_WORKER) and sees(client, BARUT_WORKER)
