"""Dates are entered with the browser's own date input, in the user's language (issue 15)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import text_of


@pytest.mark.parametrize(
    "path, field",
    [
        ("/workerview/add", "birth_date"),
        ("/enrollmentview/add", "start_date"),
        ("/enrollmentview/add", "end_date"),
    ],
)
def test_a_date_field_is_a_native_date_input(as_user, path, field):
    page = as_user("sari").get(path).get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', page)
    assert tag, field
    assert 'type="date"' in tag.group(0)
    assert "appbuilder_date" not in page  # FAB's English date picker is gone


def test_the_list_filter_offers_a_native_date_for_a_date_column(as_user):
    page = as_user("sari").get("/enrollmentview/list/").get_data(as_text=True)
    field = re.search(r'"start_date": "(\\u003cinput[^}]*?)\\u003e"', page)
    assert field, "the filter form holds the start date field"
    assert 'type=\\"date\\"' in field.group(1)


def test_an_impossible_date_is_refused_in_indonesian_and_nothing_is_saved(app, as_user):
    from app.extensions import db
    from app.models import Worker

    with app.app_context():
        before = db.session.query(Worker).count()
    response = as_user("sari").post(
        "/workerview/add", data={"name": "Tanggal Salah", "birth_date": "2026-13-45"}
    )
    assert response.status_code == 200
    assert "Nilai tanggal tidak valid" in text_of(response) or "tanggal" in text_of(response)
    with app.app_context():
        assert db.session.query(Worker).count() == before


@pytest.mark.parametrize("field", ["sex", "segment"])
def test_the_worker_form_preselects_neither_sex_nor_segment(as_user, field):
    page = as_user("sari").get("/workerview/add").get_data(as_text=True)
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert select, field
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select.group(1))
    assert 'value=""' in first.group(1) and "pilih" in first.group(2)
    assert "selected" not in select.group(1)


def test_a_worker_without_sex_is_refused_in_indonesian_and_not_saved(app, as_user):
    from app.extensions import db
    from app.models import Worker

    with app.app_context():
        before = db.session.query(Worker).count()
    response = as_user("sari").post(
        "/workerview/add",
        data={
            "name": "Tanpa Jenis Kelamin",
            "sex": "",
            "segment": "bpu",
            "nik": "6203010101900001",
        },
    )
    assert response.status_code == 200
    assert "wajib" in text_of(response).lower()
    with app.app_context():
        assert db.session.query(Worker).count() == before
