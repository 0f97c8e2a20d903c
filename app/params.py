"""Query parameters checked once for every screen and API: the default view or a clear 400.

Flask-AppBuilder reads its list arguments (`page_<View>`, `psize_<View>`, `_oc_<View>`,
`_od_<View>`, `_flt_<n>_<column>`) and the API's rison `q` with bare `int()` calls and trusts the
sort column; a hostile value gave a 500 or a sort by a column the role is not offered. Here, before
any view runs:

- a page size above `MAX_PAGE_SIZE` is capped, a sort column not offered by that view and an
  unknown direction or filter are dropped (the default view);
- a page or page size that is not a whole number in range, a malformed rison `q` and a JSON body
  nested deeper than `MAX_JSON_DEPTH` are refused with 400 and a message in the user's language.
"""

from __future__ import annotations

import re

import prison
from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_JSON_DEPTH = 32

_LIST_ARG = re.compile(r"^(page|psize|_oc|_od)_(\w+)$")
_FILTER_ARG = re.compile(r"^_flt_(\d+)_(\w+)$")


class BadParameter(Exception):
    """A query parameter that no view can honour; answered with 400."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _views() -> dict:
    cache = current_app.extensions.setdefault("lindungi_views", {})
    if not cache:
        cache.update({type(v).__name__: v for v in current_app.appbuilder.baseviews})
    return cache


def _whole(value: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d{1,8}", value or ""):
        raise BadParameter(_("The page number or page size must be a whole number."))
    number = int(value)
    if not low <= number <= high:
        raise BadParameter(_("The page number or page size is out of range."))
    return number


def clean_list_args(args, views: dict) -> list[tuple[str, str]]:
    """The screen arguments a view can honour; raises BadParameter for malformed numbers."""
    kept = []
    for key, value in args.items(multi=True):
        match = _LIST_ARG.match(key)
        if match:
            kind, name = match.groups()
            view = views.get(name)
            if view is None:
                continue
            if kind == "page":
                _whole(value, 0, MAX_PAGE)
            elif kind == "psize":
                value = str(min(_whole(value, 1, 10**7), MAX_PAGE_SIZE))
            elif kind == "_oc" and value not in (getattr(view, "order_columns", None) or []):
                continue
            elif kind == "_od" and value not in ("asc", "desc"):
                continue
        elif _FILTER_ARG.match(key):
            index, column = _FILTER_ARG.match(key).groups()
            if int(index) > 100 or not _searchable(views, column):
                continue
        kept.append((key, value))
    return kept


def _searchable(views: dict, column: str) -> bool:
    view = views.get((request.endpoint or "").split(".")[0])
    columns = getattr(view, "search_columns", None)
    return view is None or columns is None or column in columns


def check_rison(text: str, view) -> dict:
    """Parse an API `q`, cap its page size and refuse a sort column the API does not offer."""
    try:
        value = prison.loads(text)
    except Exception as exc:  # prison raises bare Exceptions for bad syntax
        raise BadParameter(_("The query parameter q is not valid rison.")) from exc
    if not isinstance(value, dict):
        raise BadParameter(_("The query parameter q is not valid rison."))
    for key, high in (("page", MAX_PAGE), ("page_size", 10**7)):
        if key in value:
            number = value[key]
            if not isinstance(number, int) or isinstance(number, bool):
                raise BadParameter(_("The page number or page size must be a whole number."))
            if not 0 <= number <= high:
                raise BadParameter(_("The page number or page size is out of range."))
    if "page_size" in value:
        value["page_size"] = max(1, min(value["page_size"], MAX_PAGE_SIZE))
    offered = getattr(view, "order_columns", None) or []
    if "order_column" in value and value["order_column"] not in offered:
        raise BadParameter(_("The list cannot be sorted by that column."))
    if value.get("order_direction", "asc") not in ("asc", "desc"):
        raise BadParameter(_("The sort direction must be asc or desc."))
    filters = value.get("filters", [])
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        raise BadParameter(_("The query parameter q is not valid rison."))
    searchable = getattr(view, "search_columns", None) or []
    if any(f.get("col") not in searchable for f in filters):
        raise BadParameter(_("The list cannot be filtered by that column."))
    return value


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _api_view(views: dict):
    return views.get((request.endpoint or "").split(".")[0])


def guard() -> None:
    """before_request: normalise or refuse the parameters of this request."""
    try:
        views = _views()
        if request.path.startswith("/api/"):
            if request.is_json and json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
                raise BadParameter(_("The request body is nested too deeply."))
            if "q" in request.args:
                value = check_rison(request.args["q"], _api_view(views))
                args = request.args.copy()
                args["q"] = prison.dumps(value)
                request.__dict__["args"] = ImmutableMultiDict(args)
            return
        kept = clean_list_args(request.args, views)
        if len(kept) != len(list(request.args.items(multi=True))) or any(
            request.args.get(k) != v for k, v in kept
        ):
            request.__dict__["args"] = ImmutableMultiDict(kept)
    except BadParameter as exc:
        abort(400, description=exc.message)


def register(app) -> None:
    """Install the guard in front of every view."""
    app.before_request(guard)
