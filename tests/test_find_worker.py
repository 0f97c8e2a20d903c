"""Finding a person (issue 15): NIK whole or its last digits, KPJ, name, village, payer and
coverage, within the user's scope; the protection band on a worker's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.helpers import text_of


@pytest.fixture
def people(app):
    """Two Kapuas workers (one under active cover, self-paid) and one of Barito Utara, all with
    the same last four NIK digits; removed afterwards."""
    from types import SimpleNamespace

    from app.extensions import db
    from app.models import Enrollment, EnrollmentStatus, Village, Worker
    from app.services.identifiers import make_nik

    stamp = dt.datetime.now().microsecond % 9000
    serial = 9000 + stamp % 900
    made = {}
    with app.app_context():
        for key, code, born in (
            ("covered", "62.03.01.2011", dt.date(1961, 1, 1)),
            ("bare", "62.03.01.2020", dt.date(1962, 2, 2)),
            ("barut", "62.05.01.1001", dt.date(1963, 3, 3)),
        ):
            village = db.session.scalar(select(Village).where(Village.code == code))
            born = born + dt.timedelta(days=stamp)
            worker = Worker(
                nik=make_nik(code.rsplit(".", 1)[0], born, "F", serial),
                name=f"Uji Cari {key} {stamp}",
                birth_date=born,
                sex="F",
                village=village,
                regency_id=village.regency_id,
                segment="bpu",
            )
            db.session.add(worker)
            made[key] = worker
        db.session.flush()
        enrollment = Enrollment(
            worker_id=made["covered"].id,
            regency_id=made["covered"].regency_id,
            start_date=dt.date.today() - dt.timedelta(days=40),
            end_date=dt.date.today() + dt.timedelta(days=200),
            status=EnrollmentStatus.ACTIVE,
            payer_type="worker",
            declared_wage=1_000_000,
            monthly_contribution=16_800,
        )
        db.session.add(enrollment)
        db.session.commit()
        ids = {k: (w.id, w.nik, w.name, w.village.name) for k, w in made.items()}
        enrollment_id = enrollment.id
    yield SimpleNamespace(
        **{k: SimpleNamespace(id=i, nik=n, name=m, village=v) for k, (i, n, m, v) in ids.items()}
    )
    with app.app_context():
        db.session.execute(db.delete(Enrollment).where(Enrollment.id == enrollment_id))
        db.session.execute(db.delete(Worker).where(Worker.id.in_([i for i, *_ in ids.values()])))
        db.session.commit()


def _set_kpj(app, worker_id: int, kpj: str) -> None:
    from app.extensions import db
    from app.models import Worker

    with app.app_context():
        db.session.get(Worker, worker_id).kpj = kpj
        db.session.commit()


def test_the_last_digits_of_an_nik_find_the_workers_in_scope(people, as_user):
    page = as_user("sari").post("/workerview/find", data={"q": people.covered.nik[-4:]})
    shown = {int(x) for x in re.findall(r'/workerview/show/(\d+)"', page.get_data(as_text=True))}
    assert {people.covered.id, people.bare.id} <= shown
    assert people.barut.id not in shown


def test_the_last_digits_never_find_a_worker_outside_the_scope(app, people):
    from app.extensions import db
    from app.scope import scope_for_user
    from app.services.workers import find_workers

    with app.app_context():
        budi = scope_for_user(app.appbuilder.sm.find_user(username="budi"))
        found = find_workers(db.session, people.covered.nik[-4:], budi, r"^\d{11}$")
        ids = {w.id for w in found.workers}
    assert people.barut.id in ids
    assert people.covered.id not in ids and people.bare.id not in ids


def test_a_kpj_opens_the_workers_page_in_one_step(app, people, as_user):
    worker = people.covered
    _set_kpj(app, worker.id, "20123456789")
    try:
        response = as_user("sari").post("/workerview/find", data={"q": "201 2345 6789"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/workerview/show/{worker.id}")
    finally:
        _set_kpj(app, worker.id, None)


def test_a_kpj_of_another_regency_is_not_found(app, people, as_user):
    worker = people.barut
    _set_kpj(app, worker.id, "20999999999")
    try:
        response = as_user("sari").post(
            "/workerview/find", data={"q": "20999999999"}, follow_redirects=True
        )
        assert "Tidak ada pekerja dengan NIK atau nomor KPJ itu" in text_of(response)
        assert worker.name not in text_of(response)
    finally:
        _set_kpj(app, worker.id, None)


@pytest.mark.parametrize("typed", ["12", "1", " "])
def test_too_few_digits_are_refused_with_a_message(as_user, typed):
    response = as_user("sari").post("/workerview/find", data={"q": typed}, follow_redirects=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "Ketik paling sedikit 4 angka NIK" in page or "Ketik NIK" in page


def test_a_name_opens_the_list_filtered_by_it(as_user):
    response = as_user("sari").post("/workerview/find", data={"q": "Siti"})
    assert response.status_code == 302
    assert "_flt_2_name=Siti" in response.headers["Location"]


def test_several_matches_show_the_nik_masked(people, as_user):
    page = as_user("ani").post("/workerview/find", data={"q": people.covered.nik[-4:]})
    text = page.get_data(as_text=True)
    assert people.covered.name in text
    assert people.covered.nik not in text  # the auditor sees NIKs masked, as in the list


def test_the_worker_list_has_a_protection_column(as_user):
    page = text_of(as_user("sari").get("/workerview/list/"))
    assert "Perlindungan" in page
    assert "Tidak terlindungi" in page or "JKK, JKM" in page


def test_a_protected_workers_page_says_by_what_until_when_and_who_pays(people, as_user):
    worker = people.covered
    page = text_of(as_user("sari").get(f"/workerview/show/{worker.id}"))
    assert "Terlindungi" in page
    assert "JKK" in page
    assert "Dibayar oleh" in page
    assert "Pekerja sendiri" in page or "Pekerja" in page
    assert "Tagihan terakhir pembayar" in page


def test_an_unprotected_workers_page_says_so(people, as_user):
    worker = people.bare
    page = text_of(as_user("sari").get(f"/workerview/show/{worker.id}"))
    assert "Tidak terlindungi: tidak ada kepesertaan aktif" in page


def test_the_village_filter_lists_only_that_villages_workers(people, as_user):
    client = as_user("sari")
    tag = people.covered.name.rsplit(" ", 1)[1]  # the fixture's people share it

    def shown(village: str) -> set[int]:
        # narrowed by the tag too: other tests' workers of the same villages fill pages
        page = client.get(
            "/workerview/list/",
            query_string={"_flt_0_village_name": village, "_flt_2_name": tag},
        ).get_data(as_text=True)
        return {int(pk) for pk in re.findall(r"/workerview/show/(\d+)", page)}

    assert people.covered.village != people.bare.village
    assert shown(people.bare.village) == {people.bare.id}  # "Pulau Telo Baru" only
    assert people.covered.id in shown(people.covered.village)


def test_the_coverage_filter_separates_the_covered_from_the_bare(people, as_user):
    client = as_user("sari")

    def listed(condition: str, person) -> bool:
        # narrowed by name (the filter echoes it): other tests' Kapuas workers fill pages
        page = client.get(
            "/workerview/list/",
            query_string={"_flt_0_coverage": condition, "_flt_2_name": person.name},
        )
        return f"/workerview/show/{person.id}" in page.get_data(as_text=True)

    assert listed("covered", people.covered)
    assert not listed("uncovered", people.covered)
    assert listed("uncovered", people.bare)
    assert not listed("covered", people.bare)


def test_the_payer_filter_lists_only_workers_paid_that_way(app, as_user):
    from app.extensions import db
    from app.models import Enrollment, EnrollmentStatus, Worker
    from app.scope import scope_for_user
    from app.services import worklists

    with app.app_context():
        scope = scope_for_user(app.appbuilder.sm.find_user(username="sari"))
        clause = worklists.clause(db.session, Worker, "paid_by", "apbd", dt.date.today())
        ids = set(db.session.scalars(select(Worker.id).where(clause, Worker.scope_clause(scope))))
        payers = set(
            db.session.scalars(
                select(Enrollment.payer_type).where(
                    Enrollment.worker_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE
                )
            )
        )
    assert payers <= {"apbd"}
