"""Screens: forms refuse bad input with clear Indonesian messages and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import Company, Regency, Village, Worker
from app.services.identifiers import make_nik
from tests.helpers import record_id, text_of


def worker_form(app, **overrides):
    village = record_id(app, Village, code="62.03.01.2011")
    data = {
        "nik": make_nik("62.03.01", dt.date(1988, 1, 15), "M", 701),
        "name": "Agustinus Tingang",
        "birth_date": "1988-01-15",
        "sex": "M",
        "village": str(village),
        "segment": "vulnerable",
        "welfare_source": "",
    }
    return data | overrides


def count(app, model, **filters):
    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


def test_staff_registers_a_worker_through_the_form(app, as_user):
    response = as_user("sari").post("/workerview/add", data=worker_form(app))
    assert response.status_code == 302
    assert count(app, Worker, name="Agustinus Tingang") == 1


@pytest.mark.parametrize(
    "nik, message",
    [
        ("ABC", "hanya boleh berisi angka"),
        ("620301150188070", "NIK harus"),
        ("6203013201880701", "tanggal lahir"),
        ("9999991501880701", "kode kecamatan"),
    ],
)
def test_an_invalid_nik_is_explained_and_nothing_is_saved(app, as_user, nik, message):
    response = as_user("sari").post(
        "/workerview/add", data=worker_form(app, nik=nik, name="Invalid Nik")
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert count(app, Worker, name="Invalid Nik") == 0


def test_a_nik_that_says_female_for_a_man_is_refused(app, as_user):
    nik = make_nik("62.03.01", dt.date(1988, 1, 15), "F", 702)
    response = as_user("sari").post(
        "/workerview/add", data=worker_form(app, nik=nik, name="Sex Mismatch")
    )
    assert response.status_code == 200
    assert "Jenis kelamin" in text_of(response)
    assert count(app, Worker, name="Sex Mismatch") == 0


def test_a_duplicate_nik_gets_a_form_error(app, as_user):
    with app.app_context():
        existing = db.session.query(Worker).filter_by(name="Siti Lestari").one()
        data = worker_form(
            app,
            nik=existing.nik,
            name="Duplicate Nik",
            sex="F",
            birth_date=existing.birth_date.isoformat(),
        )
    response = as_user("sari").post("/workerview/add", data=data)
    assert response.status_code == 200
    assert "sudah ada" in text_of(response).lower()
    assert count(app, Worker, name="Duplicate Nik") == 0


def test_a_wrong_npwp_check_digit_is_refused(app, as_user):
    kapuas = record_id(app, Regency, code="62.03")
    response = as_user("sari").post(
        "/companyview/add",
        data={
            "name": "PT Npwp Salah",
            "npwp": "013000665091001",
            "size_class": "small",
            "risk_group": "1",
            "status": "active",
            "declared_workforce": "3",
            "regency": str(kapuas),
        },
    )
    assert response.status_code == 200
    assert "NPWP" in text_of(response)
    assert count(app, Company, name="PT Npwp Salah") == 0


def test_a_stale_edit_is_refused(app, as_user):
    worker = record_id(app, Worker, name="Yohanes Ngabut")
    client = as_user("sari")
    with app.app_context():
        w = db.session.get(Worker, worker)
        data = {
            "nik": w.nik,
            "name": "Yohanes Ngabut",
            "birth_date": w.birth_date.isoformat(),
            "sex": w.sex,
            "village": str(w.village_id),
            "segment": w.segment,
            "company": str(w.company_id),
            "welfare_source": "",
            "version_token": str(w.version - 1),
        }
    response = client.post(f"/workerview/edit/{worker}", data=data, follow_redirects=True)
    assert "diubah oleh pengguna lain" in text_of(response)


def test_the_home_page_shows_the_users_tasks_in_indonesian(as_user):
    page = text_of(as_user("sari").get("/"))
    assert "Perusahaan menunggak" in page


def test_english_is_available(as_user):
    client = as_user("sari")
    client.get("/lang/en")
    assert "Companies in arrears" in text_of(client.get("/"))


def test_staff_open_a_worker_by_nik_without_the_nik_in_the_url(app, as_user):
    with app.app_context():
        worker = db.session.query(Worker).filter_by(name="Siti Lestari").one()
        nik, worker_id = worker.nik, worker.id
    response = as_user("sari").post("/workerview/find", data={"q": f" {nik[:6]} {nik[6:]} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workerview/show/{worker_id}")
    assert nik not in response.headers["Location"]


def test_a_nik_outside_the_area_is_not_found_by_the_finder(app, as_user):
    with app.app_context():
        nik = db.session.query(Worker).filter_by(name="Rahmat Hidayat").one().nik
    response = as_user("sari").post("/workerview/find", data={"q": nik}, follow_redirects=True)
    assert "Tidak ada pekerja dengan NIK atau nomor KPJ itu" in text_of(response)
    assert nik not in text_of(response)


def test_pickers_answer_posts_only(as_user):
    client = as_user("sari")
    assert client.get("/picker/worker?q=6203").status_code == 405
    assert client.post("/picker/worker", data={"q": "Siti"}).get_json()["results"]


def test_the_worker_list_offers_the_nik_finder_in_indonesian(as_user):
    assert "Cari pekerja" in text_of(as_user("sari").get("/workerview/list/"))


def test_money_and_dates_are_shown_the_indonesian_way(app, as_user):
    from app.models import Enrollment

    with app.app_context():
        # The world's one enrollment (Rahmat Hidayat's); other tests add enrollments of their own.
        enrollment_id = (
            db.session.query(Enrollment.id)
            .join(Enrollment.worker)
            .filter(Worker.name == "Rahmat Hidayat", Enrollment.start_date == dt.date(2025, 1, 1))
            .scalar()
        )
    page = text_of(as_user("admin").get(f"/enrollmentview/show/{enrollment_id}"))
    assert "1 Januari 2025" in page
    assert "Rp 3.500.000" in page


def test_the_list_offers_its_filtered_export(as_user):
    page = text_of(as_user("sari").get("/workerview/list/?_flt_2_name=Siti"))
    assert "/workerview/export/csv?_flt_2_name=Siti" in page
    assert "Unduh daftar ini" in page


def test_a_filtered_export_holds_only_the_filtered_rows(as_user):
    body = (
        as_user("sari")
        .get("/workerview/export/csv?_flt_2_name=Siti")
        .get_data()
        .decode("utf-8-sig")
    )
    assert "Siti Lestari" in body and "Yohanes Ngabut" not in body


def test_the_operator_may_read_but_not_export_enrollments(as_user):
    client = as_user("oki")
    assert "/enrollmentview/export/" not in text_of(client.get("/enrollmentview/list/"))
    assert client.get("/enrollmentview/export/csv").status_code == 403


def test_an_enrollment_without_pension_can_be_added_through_the_form(app, as_user):
    from app.models import Enrollment

    with app.app_context():
        village = db.session.query(Village).filter_by(code="62.03.01.2011").one()
        born = dt.date(1979, 9, 9)
        fresh = Worker(
            nik=make_nik("62.03.01", born, "F", 4321),
            name="Tanpa Pensiun",
            birth_date=born,
            sex="F",
            village=village,
            regency_id=village.regency_id,
            segment="bpu",
        )
        db.session.add(fresh)
        db.session.commit()
        worker = fresh.id
    response = as_user("sari").post(
        "/enrollmentview/add",
        data={
            "worker": str(worker),
            "jkk": "y",
            "jkm": "y",
            "start_date": "2026-02-01",
            "payer_type": "worker",
            "declared_wage": "1000000",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.query(Enrollment).filter_by(worker_id=worker).one()
        assert not enrollment.jp and enrollment.monthly_contribution == 16_800
