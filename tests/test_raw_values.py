"""An Indonesian screen never shows a raw value: no "None", "True" or "False" on any list or
record page of any registered view (checked as admin, who sees every column)."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_appbuilder import ModelView

from tests.helpers import text_of

# A value alone in its element (a cell, a field): test data may be named "CSR 1-True".
RAW = re.compile(r">\s*(None|True|False)\s*<")


def _views(app):
    return [
        view
        for view in app.appbuilder.baseviews
        if isinstance(view, ModelView) and "can_list" in (view.base_permissions or [])
    ]


def test_no_list_or_record_page_shows_a_raw_value(app, as_user):
    client = as_user("admin")
    found = {}
    for view in _views(app):
        base = view.route_base
        page = client.get(f"{base}/list/")
        if page.status_code != 200:
            continue
        text = page.get_data(as_text=True)
        if RAW.search(text):
            found[f"{base}/list/"] = RAW.findall(text)
        match = re.search(rf'href="({re.escape(base)}/show/[^"]+)"', page.get_data(as_text=True))
        if match:
            shown = client.get(match.group(1)).get_data(as_text=True)
            if RAW.search(shown):
                found[match.group(1)] = RAW.findall(shown)
    assert found == {}


def test_the_check_sees_every_view(app):
    assert len(_views(app)) >= 10


def test_the_audit_trail_names_actions_and_record_types_in_indonesian(app, as_user):
    page = text_of(as_user("admin").get("/auditeventview/list/?psize_AuditEventView=100"))
    assert "masuk" in page  # the sign-in just made
    for english in ("login", "read_list", "create", "UserScope", "EnrollmentBatch"):
        assert f" {english} " not in f" {page} "


def test_role_names_are_shown_in_indonesian(app, as_user):
    client = as_user("admin")
    users = text_of(client.get("/users/list/?psize_UserDBModelView=100"))
    assert "Petugas cabang" in users  # in the list and in the search's choices
    assert "Branch Staff" not in users


def test_rates_are_written_with_the_indonesian_decimal_comma(app, as_user):
    page = text_of(as_user("admin").get("/wagerateview/list/?psize_WageRateView=100"))
    assert "0,24" in page  # JKK risk group 1, 0.24 % of the wage
    assert "0.240" not in page and "3.700" not in page


def test_an_empty_value_is_shown_as_a_dash(app, as_user):
    """A worker without a phone or KPJ: the record page shows "—", not an empty cell."""
    from app.formatting import EMPTY, display, or_empty

    assert display(None) == EMPTY and display("") == EMPTY
    assert or_empty(lambda v: "")(None) == EMPTY
    assert or_empty(lambda v: "x")(None) == "x"
    from app.models import Worker

    with app.app_context():
        from app.extensions import db

        worker = db.session.query(Worker).filter(Worker.phone.is_(None)).first()
        assert worker is not None
        pk = worker.id
    page = as_user("admin").get(f"/workerview/show/{pk}").get_data(as_text=True)
    phone_cell = re.search(
        r"Telepon</th>\s*<td>(?:<span[^>]*>)?\s*(.*?)\s*(?:</span>)?</td>", page, re.S
    )
    assert phone_cell and phone_cell.group(1) == EMPTY


def test_rates_read_as_percentages_with_the_locales_separator(app, as_user):
    from flask_babel import force_locale

    from app.formatting import percent

    with app.test_request_context():
        with force_locale("id"):
            assert percent(Decimal("3.7")) == "3,70\xa0%"
            assert percent(Decimal("0.24")) == "0,24\xa0%"
        with force_locale("en"):
            assert percent(Decimal("3.7")) == "3.70\xa0%"
    page = as_user("admin").get("/wagerateview/list/").get_data(as_text=True)
    assert "0,24\xa0%" in page or "3,70\xa0%" in page
    assert ">3.700<" not in page and ">0.240<" not in page
