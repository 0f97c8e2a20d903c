"""Request parameters checked once for every screen and API: the default view or a clear refusal.

Flask-AppBuilder reads its list arguments (`page_<View>`, `psize_<View>`, `_oc_<View>`,
`_od_<View>`, `_flt_<n>_<column>`) and the API's rison `q` with bare `int()` calls, indexes its
filter lists with the number it is sent and trusts the sort column; a hostile value gave a 500 or
a sort by a column the role is not offered. Here, in one `before_request` hook, before any view
runs:

Screens (the default view where a value is merely unusable)
- a page size above `MAX_PAGE_SIZE` is capped to it (not refused: a bookmarked `psize=1000` still
  opens, with 100 rows);
- a sort column the view does not offer, an unknown sort direction, a filter on a column the view
  cannot search or with an operation number the column does not have are dropped;
- a date argument (`on`) that is not an ISO date from `EARLIEST_DATE` to `LATEST_DATE` is dropped
  with a flashed message, so the screen reads today.

Refused with 400 and a message in the user's language (screens go back to the plain list)
- a page or page size that is not a whole number in range;
- a filter value a column cannot hold (a number out of its range, a record number that is no
  number);
- a NUL character in any argument or in a JSON body (PostgreSQL cannot store it).

APIs (400 as JSON `{"message": ...}`)
- `q` must be rison for an object that Flask-AppBuilder's own schema accepts; pages and page sizes
  whole numbers in range (a page size above 100 capped), the sort column one the API offers,
  filters on offered columns with an operation the column has and a value of the right kind;
- a JSON body larger than `MAX_JSON_BYTES` is refused with 413, one nested deeper than
  `MAX_JSON_DEPTH` or that is not JSON at all with 400, before Flask-AppBuilder parses it.

Record numbers in the path (`/show/<pk>`, `/api/v1/worker/<pk>`, `/<int:year>/`) beyond what an
integer column holds answer 404, as any other record that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import prison
from flask import abort, current_app, flash, request
from flask_appbuilder.api.schemas import get_info_schema, get_item_schema, get_list_schema
from flask_appbuilder.models.filters import FilterRelation
from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterEndsWith,
    FilterIn,
    FilterNotContains,
    FilterNotEndsWith,
    FilterNotIn,
    FilterNotStartsWith,
    FilterStartsWith,
)
from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, SmallInteger
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 1024 * 1024
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
DATE_ARGS = ("on",)
INT4 = 2**31 - 1

_LIST_ARG = re.compile(r"^(page|psize|_oc|_od)_(\w+)$")
_FILTER_ARG = re.compile(r"^_flt_(\d+)_(\w+)$")
_TEXT_FILTERS = (
    FilterStartsWith,
    FilterNotStartsWith,
    FilterEndsWith,
    FilterNotEndsWith,
    FilterContains,
    FilterNotContains,
)
_LIST_FILTERS = (FilterIn, FilterNotIn)
_SCALARS = (str, int, float, bool)
_API_SCHEMAS = {"get_list": get_list_schema, "get": get_item_schema, "info": get_info_schema}


class BadParameter(Exception):
    """A request parameter that no view can honour; answered with `status` (400 by default)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class Refused:
    """Marks an HTTP error raised here: its description is a translated message for the user."""


class ParameterRefused(Refused, BadRequest):
    pass


class BodyTooLarge(Refused, RequestEntityTooLarge):
    pass


def _views() -> dict:
    cache = current_app.extensions.setdefault("lindungi_views", {})
    if not cache:
        cache.update({type(v).__name__: v for v in current_app.appbuilder.baseviews})
    return cache


def _endpoint_view(views: dict):
    return views.get((request.endpoint or "").split(".")[0])


def _whole(value: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,8}", value or ""):  # 8 digits: the bounds decide
        raise BadParameter(_("The page number or page size must be a whole number."))
    number = int(value)
    if not low <= number <= high:
        raise BadParameter(_("The page number or page size is out of range."))
    return number


# --- screens ---


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
            flt = _screen_filter(_endpoint_view(views), column, int(index))
            if flt is False or (isinstance(flt, FilterRelation) and not value):
                continue  # no such operation, or a relation left unchosen in the search form
            if flt is not None:
                _check_filter_value(flt, value)
        kept.append((key, value))
    return kept


def _searchable(views: dict, column: str) -> bool:
    view = _endpoint_view(views)
    columns = getattr(view, "search_columns", None)
    return view is None or columns is None or column in columns


def _search_filters(view) -> dict | None:
    filters = getattr(view, "_filters", None)
    if filters is None or not hasattr(filters, "get_search_filters"):
        return None
    return filters.get_search_filters()


def _screen_filter(view, column: str, index: int):
    """The filter `_flt_<index>_<column>` names: None if unknown here, False if it has none."""
    search = _search_filters(view)
    if search is None:
        return None
    filters = search.get(column, [])
    return filters[index] if index < len(filters) else False


def _type_bound(type_) -> int:
    """The largest number an integer column of this type holds on PostgreSQL."""
    if isinstance(type_, BigInteger):
        return 2**63 - 1
    if isinstance(type_, SmallInteger):
        return 2**15 - 1
    return INT4


def _int_bound(datamodel, column: str) -> int:
    try:
        return _type_bound(datamodel.obj.__mapper__.columns[column].type)
    except (AttributeError, KeyError):
        return INT4


def _check_filter_value(flt, value) -> None:
    """Refuse a value the filter's column cannot hold (the database would fail on it)."""
    datamodel, column = flt.datamodel, flt.column_name
    values = value if isinstance(value, list) else [value]
    if isinstance(flt, FilterRelation):
        key = datamodel.get_related_model(column).__mapper__.primary_key[0]
        if isinstance(key.type, Integer):  # the related record is looked up by its number
            if not all(_is_int(item, _type_bound(key.type)) for item in values):
                raise BadParameter(_("A filter value is not valid."))
    elif datamodel.is_integer(column):
        for item in values:
            try:
                number = int(item)
            except (TypeError, ValueError, OverflowError):
                continue  # Flask-AppBuilder compares with NULL: no row, no error
            if abs(number) > _int_bound(datamodel, column):
                raise BadParameter(_("A filter value is not valid."))


def _is_int(value, bound: int) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value):
        value = int(value)
    return isinstance(value, int) and abs(value) <= bound


def _clean_dates(args) -> list[tuple[str, str]]:
    """Drop a date argument that is not an ISO date in range, with a message; keep the rest."""
    kept = []
    for key, value in args:
        if key in DATE_ARGS and value:
            try:
                day = dt.date.fromisoformat(value) if len(value) == 10 else None
            except ValueError:
                day = None
            if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
                flash(
                    _(
                        "The date %(value)s is not a valid date from %(first)d to %(last)d; "
                        "today is shown.",
                        value=value[:20],
                        first=EARLIEST_DATE.year,
                        last=LATEST_DATE.year,
                    ),
                    "warning",
                )
                continue
        kept.append((key, value))
    return kept


# --- API ---


def _check_pages(value: dict) -> None:
    for key, high in (("page", MAX_PAGE), ("page_size", 10**7)):
        if key in value:
            number = value[key]
            if not isinstance(number, int) or isinstance(number, bool):
                raise BadParameter(_("The page number or page size must be a whole number."))
            if not 0 <= number <= high:
                raise BadParameter(_("The page number or page size is out of range."))
    if "page_size" in value:
        value["page_size"] = max(1, min(value["page_size"], MAX_PAGE_SIZE))


def check_rison(text: str, view) -> dict:
    """Parse an API `q`, cap its page size and refuse a sort column the API does not offer."""
    try:
        value = prison.loads(text)
    except Exception as exc:  # prison raises bare Exceptions for bad syntax
        raise BadParameter(_("The query parameter q is not valid rison.")) from exc
    if not isinstance(value, dict):
        raise BadParameter(_("The query parameter q is not valid rison."))
    _check_pages(value)
    for key in ("add_columns", "edit_columns"):  # _info: pages of each related column's choices
        for choices in (value.get(key) or {}).values() if isinstance(value.get(key), dict) else []:
            if isinstance(choices, dict):
                _check_pages(choices)
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
    search = _search_filters(view)
    if search is not None:
        for item in filters:
            _check_api_filter(search.get(item["col"], []), item)
    return value


def _check_api_filter(column_filters: list, item: dict) -> None:
    flt = next((f for f in column_filters if f.arg_name == item.get("opr")), None)
    if flt is None:
        raise BadParameter(_("The list cannot be filtered that way."))
    if "value" not in item:
        raise BadParameter(_("A filter value is not valid."))
    value = item["value"]
    if isinstance(flt, _TEXT_FILTERS):
        kind_ok = isinstance(value, str)
    elif isinstance(flt, _LIST_FILTERS) or isinstance(flt, FilterRelation):
        items = value if isinstance(value, list) else [value]
        kind_ok = all(isinstance(v, _SCALARS) for v in items)
    else:
        kind_ok = isinstance(value, _SCALARS)
    if not kind_ok:
        raise BadParameter(_("A filter value is not valid."))
    _check_filter_value(flt, value)


def _check_schema(value: dict) -> None:
    """Flask-AppBuilder's own rison schema for this endpoint, refused here in the user's words."""
    schema = _API_SCHEMAS.get((request.endpoint or "").rpartition(".")[2])
    if schema is None:
        return
    try:
        jsonschema.validate(instance=value, schema=schema)
    except jsonschema.ValidationError as exc:
        raise BadParameter(
            _("The query parameter q holds a key or a value that is not allowed.")
        ) from exc


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


# C0 control characters but tab, line feed and carriage return, and DEL: no text field holds them
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def check_json_body() -> None:
    """Size, nesting, syntax and NUL characters of an API request body, before FAB reads it."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise BadParameter(
            _("The request body is larger than %(mb)d MB.", mb=MAX_JSON_BYTES // 2**20), status=413
        )
    body = request.get_data(cache=True)
    if not body:
        return
    if len(body) > MAX_JSON_BYTES:
        raise BadParameter(
            _("The request body is larger than %(mb)d MB.", mb=MAX_JSON_BYTES // 2**20), status=413
        )
    if not request.is_json:
        raise BadParameter(_("The request body must be JSON."))
    brackets = body.count(b"[") + body.count(b"{")
    if brackets > MAX_JSON_DEPTH and json_depth(body) > MAX_JSON_DEPTH:
        raise BadParameter(_("The request body is nested too deeply."))
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise BadParameter(_("The request body is not valid JSON.")) from exc
    if _holds_nul(value):
        raise BadParameter(_("The request contains a character that is not allowed."))


# --- every request ---


def _check_characters() -> None:
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise BadParameter(_("The request contains a character that is not allowed."))
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and "\x00" in value:
            raise BadParameter(_("The request contains a character that is not allowed."))
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if CONTROL.search(key) or CONTROL.search(value):
                raise BadParameter(
                    _(
                        "A text field contains a control character that is not allowed; "
                        "remove it and send the form again."
                    )
                )


def _check_record_numbers(views: dict) -> None:
    """A record number in the path beyond an integer column's range names no record: 404."""
    view = _endpoint_view(views)
    datamodel = getattr(view, "datamodel", None)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > INT4:
                abort(404)
        elif name == "pk" and datamodel is not None and isinstance(value, str):
            if re.fullmatch(r"-?[0-9]+", value) and not _is_int(value, _pk_bound(datamodel)):
                abort(404)


def _pk_bound(datamodel) -> int:
    try:
        return _type_bound(datamodel.obj.__mapper__.primary_key[0].type)
    except (AttributeError, IndexError):
        return INT4


def guard() -> None:
    """before_request: normalise or refuse the parameters of this request."""
    try:
        views = _views()
        _check_characters()
        _check_record_numbers(views)
        if request.path.startswith("/api/"):
            check_json_body()
            if "q" in request.args:
                value = check_rison(request.args["q"], _endpoint_view(views))
                _check_schema(value)
                args = request.args.copy()
                args["q"] = prison.dumps(value)
                request.__dict__["args"] = ImmutableMultiDict(args)
            return
        kept = _clean_dates(clean_list_args(request.args, views))
        if len(kept) != len(list(request.args.items(multi=True))) or any(
            request.args.get(k) != v for k, v in kept
        ):
            request.__dict__["args"] = ImmutableMultiDict(kept)
    except BadParameter as exc:
        error = BodyTooLarge if exc.status == 413 else ParameterRefused
        raise error(description=exc.message) from None


def register(app) -> None:
    """Install the guard in front of every view."""
    app.before_request(guard)
