"""Hostile request parameters on every registered list and API: the default view or a clear 400.

The lists and APIs are read from what the app registers (`app.appbuilder.baseviews`), so one added
later is covered too. What reaches the database is read by a spy on Flask-AppBuilder's
`SQLAInterface.query`, so a capped page size or a dropped sort column is seen on every list,
whatever rows the test database holds. Each test here fails when the guard of app/params.py is
not registered, except the last group (marked below), which tests the error handling beside it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from flask_appbuilder.models.filters import FilterRelation
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.extensions import db
from tests.helpers import text_of
from tests.test_api import token
from tests.world import KAPUAS_VILLAGE, add_worker

USERS = ["admin", "ani"]  # the administrator, and an auditor who reads but is offered less
NOT_WHOLE = "Nomor halaman atau jumlah baris per halaman harus bilangan bulat."
OUT_OF_RANGE = "Nomor halaman atau jumlah baris per halaman di luar batas."
NOT_RISON = "Parameter kueri q bukan rison yang sah."
NOT_SORTABLE = "Daftar tidak dapat diurutkan menurut kolom itu."
BAD_DIRECTION = "Arah urutan harus asc atau desc."
NOT_FILTERABLE = "Daftar tidak dapat disaring menurut kolom itu."
NO_SUCH_OPERATION = "Daftar tidak dapat disaring dengan cara itu."
BAD_FILTER_VALUE = "Nilai saringan tidak sah."
BAD_Q_KEY = "Parameter kueri q memuat kunci atau nilai yang tidak diizinkan."
BAD_CHARACTER = "Permintaan memuat karakter yang tidak diizinkan."
NOT_VALID = "Permintaan tidak sah."
TWENTY_DIGITS = "99999999999999999999"
BIG_BODY = '{"name": "' + "x" * (1024 * 1024) + '"}'


# --- what the app registers ---


def list_views(app) -> list:
    views = [
        v
        for v in app.appbuilder.baseviews
        if getattr(v, "datamodel", None) is not None and f"{v.endpoint}.list" in app.view_functions
    ]
    assert len(views) >= 20 and {"WorkerView", "VillageView"} <= {type(v).__name__ for v in views}
    return views


def list_apis(app) -> list:
    apis = [
        v
        for v in app.appbuilder.baseviews
        if getattr(v, "datamodel", None) is not None
        and f"{v.endpoint}.get_list" in app.view_functions
    ]
    assert {"worker", "village", "company"} <= {a.resource_name for a in apis}
    return apis


def list_path(view) -> str:
    return f"{view.route_base}/list/"


def column_filters(view, column) -> list:
    return view._filters.get_search_filters().get(column, [])


@pytest.fixture
def queries(monkeypatch):
    """Every list query built by Flask-AppBuilder's data interface, with its order and page
    (FAB's `apply_all`: every page of a list, a count-free choice list, an API page)."""
    calls = []
    original = SQLAInterface.apply_all

    def spy(
        self,
        query,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        *a,
        **kw,
    ):
        calls.append(
            SimpleNamespace(
                model=self.obj.__name__, order=(order_column, order_direction), page_size=page_size
            )
        )
        return original(
            self, query, filters, order_column, order_direction, page, page_size, *a, **kw
        )

    monkeypatch.setattr(SQLAInterface, "apply_all", spy)
    return calls


def get(client, path, **args):
    """A GET whose server error is reported as a failure of its own, never a crash of the loop."""
    try:
        return client.get(path, query_string=args)
    except Exception as exc:  # TESTING propagates the exception a user would see as a 500
        return SimpleNamespace(status_code=500, headers={}, error=repr(exc))


def not_permitted(view, response) -> bool:
    """A list this persona may not open (FAB sends it away), not a refusal by the guard."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.headers["Location"] != list_path(view)


def flashed(client) -> list[str]:
    """The messages waiting for the next page, taken off the session."""
    with client.session_transaction() as session:
        return [message for _category, message in session.pop("_flashes", [])]


# --- screens: refused, back to the plain list with a message ---


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize(
    "kind,value,message",
    [
        ("psize", "abc", NOT_WHOLE),
        ("psize", "-5", NOT_WHOLE),
        ("psize", "0", OUT_OF_RANGE),
        ("page", TWENTY_DIGITS, NOT_WHOLE),
        ("page", "-1", NOT_WHOLE),
        ("page", "x1", NOT_WHOLE),
    ],
)
def test_a_malformed_page_or_page_size_returns_to_the_plain_list_with_a_message(
    app, as_user, username, kind, value, message
):
    client = as_user(username)
    failures = []
    for view in list_views(app):
        arg = f"{kind}_{type(view).__name__}"
        response = get(client, list_path(view), **{arg: value})
        location = response.headers.get("Location")
        messages = flashed(client)
        if response.status_code != 302 or location != list_path(view) or messages != [message]:
            failures.append(f"{list_path(view)}?{arg}={value}: {response.status_code} {messages}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("username", USERS)
def test_a_filter_number_a_column_cannot_hold_is_refused_on_every_list(app, as_user, username):
    """A 20-digit number for an integer column or a related record: 400, back to the list."""
    client = as_user(username)
    failures, checked = [], 0
    for view in list_views(app):
        for column in view.search_columns or []:
            filters = column_filters(view, column)
            numeric = view.datamodel.is_integer(column) or any(
                isinstance(f, FilterRelation) for f in filters
            )
            if not numeric or not filters:
                continue
            checked += 1
            arg = f"_flt_0_{column}"
            response = get(client, list_path(view), **{arg: TWENTY_DIGITS})
            messages = flashed(client)
            if response.status_code != 302 or messages != [BAD_FILTER_VALUE]:
                failures.append(f"{list_path(view)}?{arg}: {response.status_code} {messages}")
    assert checked >= 5
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("username", USERS)
def test_a_nul_character_in_any_argument_is_refused(app, as_user, username):
    client = as_user(username)
    failures = []
    for view in list_views(app):
        column = (view.search_columns or ["name"])[0]
        for args in ({f"_flt_0_{column}": "a\x00b"}, {"x\x00": "1"}):
            response = get(client, list_path(view), **args)
            if response.status_code != 302 or flashed(client) != [BAD_CHARACTER]:
                failures.append(f"{list_path(view)} {args!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


# --- screens: the default view ---


@pytest.mark.parametrize("username", USERS)
def test_a_page_size_above_a_hundred_is_capped_on_every_list(app, as_user, queries, username):
    client = as_user(username)
    failures, checked = [], 0
    for view in list_views(app):
        queries.clear()
        response = get(client, list_path(view), **{f"psize_{type(view).__name__}": "1000000"})
        if not_permitted(view, response):
            continue
        checked += 1
        sizes = [q.page_size for q in queries if q.model == view.datamodel.obj.__name__]
        too_big = any(size is not None and size > 100 for size in sizes)
        if response.status_code != 200 or 100 not in sizes or too_big:
            failures.append(f"{list_path(view)}: {response.status_code}, page sizes {sizes}")
    assert checked >= (15 if username == "admin" else 8)
    assert not failures, "\n".join(failures)


def test_a_page_never_shows_more_than_a_hundred_rows(as_user):
    page = text_of(as_user("admin").get("/villageview/list/?psize_VillageView=1000000"))
    assert page.count("/villageview/show/") == 100  # the world holds more villages than that


def unoffered_column(view) -> str | None:
    """A column of the list's table that the list does not offer to sort by."""
    offered = set(view.order_columns or [])
    columns = [c.key for c in view.datamodel.obj.__table__.columns]
    return next((c for c in columns if c not in offered and c != "id"), None)


@pytest.mark.parametrize("username", USERS)
def test_a_sort_by_a_column_the_list_does_not_offer_keeps_the_default_order(
    app, as_user, queries, username
):
    client = as_user(username)
    failures, checked = [], 0
    for view in list_views(app):
        column, name = unoffered_column(view), type(view).__name__
        if column is None:
            continue
        queries.clear()
        if not_permitted(view, get(client, list_path(view))):
            continue
        default = [q.order for q in queries]
        queries.clear()
        response = get(client, list_path(view), **{f"_oc_{name}": column, f"_od_{name}": "desc"})
        checked += 1
        if response.status_code != 200 or [q.order for q in queries] != default:
            failures.append(
                f"{list_path(view)}?_oc_{name}={column}: {response.status_code} "
                f"{[q.order for q in queries]} instead of {default}"
            )
    assert checked >= (15 if username == "admin" else 8)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("username", USERS)
def test_a_filter_operation_the_column_does_not_have_is_ignored(app, as_user, username):
    """`_flt_<n>_<column>` with n past the column's operations: the unfiltered list, not a 500."""
    client = as_user(username)
    failures, checked = [], 0
    for view in list_views(app):
        for column in view.search_columns or []:
            count = len(column_filters(view, column))
            if not count or count > 9:  # Flask-AppBuilder reads one digit only
                continue
            response = get(client, list_path(view), **{f"_flt_{count}_{column}": "x"})
            if not_permitted(view, response):
                continue
            checked += 1
            if response.status_code != 200:
                failures.append(f"{list_path(view)}?_flt_{count}_{column}: {response.status_code}")
    assert checked >= (5 if username == "admin" else 3)
    assert not failures, "\n".join(failures)


def test_an_auditor_cannot_sort_workers_by_birth_date(app, as_user):
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        older = add_worker(
            db.session, f"Zaenab {tag} B", KAPUAS_VILLAGE, dt.date(1970, 1, 1), serial=71
        )
        younger = add_worker(
            db.session, f"Zaenab {tag} A", KAPUAS_VILLAGE, dt.date(1999, 1, 1), serial=72
        )
        older.nik, younger.nik = _unique_nik(1970), _unique_nik(1999)
        db.session.commit()
    with app.app_context():
        view = next(v for v in list_views(app) if type(v).__name__ == "WorkerView")
        contains = next(i for i, f in enumerate(column_filters(view, "name")) if f.arg_name == "ct")
    page = text_of(
        as_user("ani").get(
            "/workerview/list/",
            query_string={
                f"_flt_{contains}_name": tag,
                "_oc_WorkerView": "birth_date",
                "_od_WorkerView": "asc",
            },
        )
    )
    # Sorted by birth date the older worker (B) would come first; the default order is by name.
    assert page.index(f"Zaenab {tag} A") < page.index(f"Zaenab {tag} B")


def _unique_nik(year: int) -> str:
    from app.services.identifiers import make_nik

    return make_nik("62.03.01", dt.date(year, 1, 1), "M", uuid.uuid4().int % 9000 + 1000)


@pytest.mark.parametrize("on", ["0001-01-01", "garbage", "9999-12-31", "2026-02-30", "1999-12-31"])
@pytest.mark.parametrize("path", ["/dashboard/", "/desa100/"])
def test_a_date_out_of_range_or_malformed_shows_today_with_a_message(as_user, path, on):
    response = as_user("sari").get(path, query_string={"on": on})
    assert response.status_code == 200
    page = text_of(response)
    assert f"Tanggal {on} bukan tanggal yang sah antara 2000 dan 2100" in page
    assert f'value="{dt.date.today().isoformat()}"' in page


def test_a_record_number_beyond_any_id_is_not_found(app, client, as_user):
    screen = as_user("admin")
    for view in list_views(app):
        if f"{view.endpoint}.show" in app.view_functions:
            response = get(screen, f"{view.route_base}/show/{TWENTY_DIGITS}")
            assert response.status_code == 404, view.route_base
    headers = token(client, "admin")
    for api in list_apis(app):
        response = client.get(f"/api/v1/{api.resource_name}/{TWENTY_DIGITS}", headers=headers)
        assert response.status_code == 404, api.resource_name
        assert response.get_json() == {"message": "Tidak ditemukan."}
    assert get(screen, f"/dashboard/profile/{TWENTY_DIGITS}.pdf").status_code == 404


# --- APIs ---


def hostile_queries(api) -> list[tuple[str, str]]:
    """Malformed `q` values for one API, each with the Indonesian message it must answer."""
    unoffered = unoffered_column(api) or "no_such_column"
    queries = [
        ("(((", NOT_RISON),
        ("!(1,2)", NOT_RISON),
        ("(page:-1)", OUT_OF_RANGE),
        ("(page:abc)", NOT_WHOLE),
        (f"(page:{TWENTY_DIGITS})", OUT_OF_RANGE),
        ("(page_size:-1)", OUT_OF_RANGE),
        (f"(order_column:{unoffered})", NOT_SORTABLE),
        ("(order_direction:up)", BAD_DIRECTION),
        ("(filters:!((col:no_such_column,opr:eq,value:a)))", NOT_FILTERABLE),
        ("(keys:!(no_such_key))", BAD_Q_KEY),
        ("(filters:!((col:name,opr:ct,value:'a\x00')))", BAD_CHARACTER),
    ]
    for column in api.search_columns or []:
        operation = column_filters(api, column)[0].arg_name
        queries += [
            (f"(filters:!((col:{column},opr:zz,value:a)))", NO_SUCH_OPERATION),
            (f"(filters:!((col:{column},opr:{operation},value:!(!(1)))))", BAD_FILTER_VALUE),
        ]
    return queries


@pytest.mark.parametrize("username", USERS)
def test_a_malformed_api_query_is_refused_in_indonesian_on_every_api(app, client, username):
    headers = token(client, username)
    failures = []
    for api in list_apis(app):
        for q, message in hostile_queries(api):
            path = f"/api/v1/{api.resource_name}/"
            response = client.get(path, query_string={"q": q}, headers=headers)
            body = response.get_json(silent=True)
            if response.status_code != 400 or body != {"message": message}:
                failures.append(f"{path}?q={q!r}: {response.status_code} {body}")
    assert not failures, "\n".join(failures)


def test_an_api_info_page_of_choices_is_checked_like_a_list(client):
    response = client.get(
        "/api/v1/worker/_info?q=(add_columns:(village:(page:-1,page_size:10)))",
        headers=token(client, "sari"),
    )
    assert response.status_code == 400
    assert response.get_json() == {"message": OUT_OF_RANGE}


@pytest.mark.parametrize("username", USERS)
def test_every_api_caps_its_page_size_even_without_fabs_own_cap(
    app, client, queries, monkeypatch, username
):
    monkeypatch.setitem(app.config, "FAB_API_MAX_PAGE_SIZE", -1)  # FAB's cap off: ours remains
    headers = token(client, username)
    failures = []
    for api in list_apis(app):
        queries.clear()
        path = f"/api/v1/{api.resource_name}/"
        response = client.get(path, query_string={"q": "(page_size:1000000)"}, headers=headers)
        sizes = [q.page_size for q in queries]
        rows = len((response.get_json(silent=True) or {}).get("result", []))
        if response.status_code != 200 or sizes != [100] or rows > 100:
            failures.append(f"{path}: {response.status_code} sizes {sizes} rows {rows}")
        if api.resource_name == "village" and rows != 100:  # the world holds more villages
            failures.append(f"{path}: {rows} rows instead of 100")
    assert not failures, "\n".join(failures)


def test_an_api_sort_or_filter_outside_the_offered_columns_is_refused(client):
    headers = token(client, "ani")
    sort = client.get("/api/v1/worker/?q=(order_column:birth_date)", headers=headers)
    assert sort.status_code == 400
    assert sort.get_json() == {"message": NOT_SORTABLE}
    filtered = client.get(
        "/api/v1/worker/?q=(filters:!((col:nik,opr:eq,value:'6203')))", headers=headers
    )
    assert filtered.status_code == 400
    assert filtered.get_json() == {"message": NOT_FILTERABLE}


@pytest.mark.parametrize(
    "body,content_type,status,message",
    [
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "bersarang terlalu dalam"),
        ('{"name": ' * 40 + "1" + "}" * 40, "application/json", 400, "bersarang terlalu dalam"),
        ('{"name": "Maria"', "application/json", 400, "bukan JSON yang sah"),
        ('{"name": "Maria"}', "text/plain", 400, "harus berupa JSON"),
        ('{"name": "Ma\\u0000ria"}', "application/json", 400, "karakter yang tidak diizinkan"),
        (
            '{"name": "' + "x" * (1024 * 1024) + '"}',
            "application/json",
            413,
            "lebih besar dari 1 MB",
        ),
    ],
)
def test_a_hostile_json_body_is_refused_in_indonesian(client, body, content_type, status, message):
    response = client.post(
        "/api/v1/worker/",
        data=body,
        headers=token(client, "sari") | {"Content-Type": content_type},
    )
    assert response.status_code == status
    assert message in response.get_json()["message"]


# --- the error handling beside the guard (these do not depend on its registration) ---


def test_a_record_number_a_screen_reads_itself_is_refused_not_a_server_error(as_user):
    """Beyond the guard: a screen's own argument the database cannot hold answers 400."""
    client = as_user("putri")
    response = client.get("/permitdesk/", query_string={"company": TWENTY_DIGITS})
    assert response.status_code == 302
    assert response.headers["Location"] == "/permitdesk/"
    assert flashed(client) == [NOT_VALID]


def test_the_dashboard_answers_404_for_a_regency_number_beyond_any_id(as_user):
    response = as_user("admin").get("/dashboard/", query_string={"regency": TWENTY_DIGITS})
    assert response.status_code == 404


def test_a_refused_form_post_answers_a_short_indonesian_page(app, as_user):
    client = as_user("sari")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/workerview/delete/1")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    page = text_of(response)
    assert "Formulir sudah kedaluwarsa" in page
    assert "CSRF" not in page
