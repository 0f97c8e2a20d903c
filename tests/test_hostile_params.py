"""Hostile query parameters on every registered list and API: the default view or a clear 400.

The lists are read from what the app registers, so a list added later is covered here too.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.extensions import db
from tests.helpers import text_of
from tests.test_api import token
from tests.world import KAPUAS_VILLAGE, add_worker

HOSTILE_SCREEN_ARGS = [
    ("psize_{v}", "abc"),
    ("psize_{v}", "-5"),
    ("page_{v}", "99999999999999999999"),
    ("page_{v}", "-1"),
    ("page_{v}", "x1"),
    ("_oc_{v}", "no_such_column"),
    ("_oc_{v}", "birth_date"),
    ("_od_{v}", "sideways"),
    ("_flt_99_{c}", "x"),
    ("_flt_0_nosuch", "x"),
]
HOSTILE_Q = ["(((", "!(1,2)", "(page:-1)", "(page:abc)", "(page:99999999999999999999)"]


def _list_views(app):
    return [
        v
        for v in app.appbuilder.baseviews
        if hasattr(v, "datamodel") and not hasattr(v, "resource_name") and "list" in dir(v)
    ]


def _apis(app):
    return [
        v
        for v in app.appbuilder.baseviews
        if hasattr(v, "resource_name") and getattr(v, "datamodel", None) is not None
    ]


@pytest.mark.parametrize("username", ["admin", "ani"])
@pytest.mark.parametrize("key,value", HOSTILE_SCREEN_ARGS)
def test_no_hostile_list_argument_gives_a_server_error_on_any_list(
    app, as_user, username, key, value
):
    client = as_user(username)
    failures = []
    for view in _list_views(app):
        name = type(view).__name__
        column = (view.search_columns or ["name"])[0]
        arg = key.format(v=name, c=column)
        for path in (f"{view.route_base}/list/", f"{view.route_base}/export/csv"):
            response = client.get(path, query_string={arg: value})
            if response.status_code >= 500:
                failures.append(f"{path}?{arg}={value}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_malformed_page_number_returns_to_the_list_with_a_message(as_user):
    client = as_user("sari")
    response = client.get("/workerview/list/?page_WorkerView=abc")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/workerview/list/")
    page = text_of(client.get(response.headers["Location"]))
    assert "harus bilangan bulat" in page


def test_a_page_never_holds_more_than_a_hundred_rows(as_user):
    page = text_of(as_user("admin").get("/villageview/list/?psize_VillageView=1000000"))
    assert page.count("/villageview/show/") == 100


def test_the_api_caps_its_page_size_at_a_hundred(client):
    response = client.get("/api/v1/village/?q=(page_size:1000000)", headers=token(client, "admin"))
    assert response.status_code == 200
    assert len(response.get_json()["result"]) == 100


def test_an_auditor_cannot_sort_workers_by_birth_date(app, as_user):
    tag = uuid.uuid4().hex[:6]
    with app.app_context():
        older = add_worker(
            db.session, f"AAAB {tag}", KAPUAS_VILLAGE, dt.date(1970, 1, 1), serial=71
        )
        younger = add_worker(
            db.session, f"AAAA {tag}", KAPUAS_VILLAGE, dt.date(1999, 1, 1), serial=72
        )
        older.nik, younger.nik = _unique_nik(1970), _unique_nik(1999)
        db.session.commit()
    page = text_of(
        as_user("ani").get(
            "/workerview/list/?_oc_WorkerView=birth_date&_od_WorkerView=asc&psize_WorkerView=100"
        )
    )
    # The older worker would come first if the sort by birth date were honoured.
    assert page.index(f"AAAA {tag}") < page.index(f"AAAB {tag}")


def _unique_nik(year: int) -> str:
    from app.services.identifiers import make_nik

    return make_nik("62.03.01", dt.date(year, 1, 1), "M", uuid.uuid4().int % 9000 + 1000)


@pytest.mark.parametrize("q", HOSTILE_Q)
def test_a_malformed_api_query_is_refused_in_indonesian_on_every_api(app, client, q):
    headers = token(client, "admin")
    for api in _apis(app):
        response = client.get(
            f"/api/v1/{api.resource_name}/", query_string={"q": q}, headers=headers
        )
        assert response.status_code == 400, (api.resource_name, response.get_data(as_text=True))
        assert response.get_json()["message"] and "valid" not in response.get_json()["message"]


def test_an_api_sort_or_filter_outside_the_offered_columns_is_refused(client):
    headers = token(client, "ani")
    sort = client.get("/api/v1/worker/?q=(order_column:birth_date)", headers=headers)
    assert sort.status_code == 400
    assert sort.get_json()["message"] == "Daftar tidak dapat diurutkan menurut kolom itu."
    filtered = client.get(
        "/api/v1/worker/?q=(filters:!((col:nik,opr:eq,value:'6203')))", headers=headers
    )
    assert filtered.status_code == 400
    assert filtered.get_json()["message"] == "Daftar tidak dapat disaring menurut kolom itu."


def test_a_deeply_nested_json_body_is_refused(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/worker/",
        data=body,
        headers=token(client, "sari") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == "Isi permintaan bersarang terlalu dalam."


@pytest.mark.parametrize("on", ["0001-01-01", "garbage", "9999-12-31", "2026-02-30"])
def test_the_dashboard_reads_any_date_parameter_without_error(as_user, on):
    assert as_user("sari").get("/dashboard/", query_string={"on": on}).status_code == 200
