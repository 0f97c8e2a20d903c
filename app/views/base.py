"""The base of every data screen: scope on every path, version checks, exports, safe errors."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, g, has_request_context, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import (
    get_filter_args,
    get_order_args,
    get_page_args,
    get_page_size_args,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired, Optional

from app import formatting, privacy
from app.exports import export_response
from app.extensions import db
from app.scope import get_in_scope, read_clause
from app.services import Conflict, ServiceError, audit, worklists
from app.views.fields import ChoiceField, native_date

CONFLICT = _l("The record conflicts with existing data (a duplicate or a record in use).")
STALE = _l(
    "Someone else changed this record while you were editing it. "
    "Open it again to see their changes; nothing was saved."
)


REFUSED = object()
COUNT_CAP = 2_500  # 100 pages of 25: past it, a search narrows the list


class CappedCount(int):
    """A list's record count that may have stopped at the cap; shown as "more than 10.000"."""

    @property
    def capped(self) -> bool:
        return self > COUNT_CAP

    def __str__(self) -> str:
        from app.formatting import number

        if self.capped:
            return str(_l("more than %(n)s", n=number(COUNT_CAP)))
        return number(int(self))

    __html__ = __str__


def attempt(work, success: str | None = None):
    """Run one unit of work: commit it, or roll it back and flash why a rule refused it.

    Returns what the work returned, or REFUSED. The one place screens turn a ServiceError into
    a message (forms use `ScopedModelView._save`, the API `ScopedApi._guarded`).
    """
    try:
        result = work()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return REFUSED
    if success:
        flash(str(success), "success")
    return result


class ConditionFilter(BaseFilter):
    """One of a list's named conditions (app/services/worklists.py), chosen by its value: the
    home tiles open their lists with it. An unknown value matches nothing."""

    name = _l("is")

    def apply(self, query, value):
        user = getattr(g, "user", None)
        condition = worklists.clause(
            self.datamodel.session,
            self.model,
            self.column_name,
            str(value),
            dt.date.today(),
            getattr(user, "id", None),
        )
        return query.filter(false() if condition is None else condition)


class Interface(SQLAInterface):
    """FAB's data interface with database refusals turned into clear messages."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session or db.session)

    eager: tuple[str, ...] = ()

    def get_filters(self, search_columns=None, search_filters=None):
        """FAB's filters, and the model's named conditions as filters of their own."""
        named = worklists.filters_of(self.obj)
        columns = list(search_columns or [])
        filters = super().get_filters([c for c in columns if c not in named], search_filters)
        extra = {name: [ConditionFilter(name, self)] for name in named}
        filters._all_filters = {**filters._all_filters, **extra}
        if columns:
            filters.search_columns = columns
            found = {name: flts for name, flts in extra.items() if name in columns}
            filters._search_filters = {**filters._search_filters, **found}
        return filters

    def apply_filters(self, query, filters):
        """Every list, count and single read of every view and API: the user's scope first."""
        return super().apply_filters(query.filter(read_clause(self.obj)), filters)

    def _get_base_query(self, query, filters=None, order_column="", order_direction=""):
        query = query.filter(read_clause(self.obj))
        return super()._get_base_query(query, filters, order_column, order_direction)

    def get_related_obj(self, col_name, value):
        """A related record named in a filter, only when the user may read it."""
        return get_in_scope(self.session, self.get_related_model(col_name), value)

    def _guard(self, method, item):
        try:
            method(item)
        except ServiceError:
            self.session.rollback()
            raise
        except Exception as exc:
            cause = exc if isinstance(exc, IntegrityError | StaleDataError) else exc.__cause__
            if not isinstance(cause, IntegrityError | StaleDataError):
                raise
            self.session.rollback()
            raise Conflict(str(STALE if isinstance(cause, StaleDataError) else CONFLICT)) from exc

    def query(
        self,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        """FAB's list query, with the related records shown loaded in the same statement.

        The page is read first: a page that is not full ends the list, so its count is known
        without counting (a search that finds a few people costs one statement). Otherwise the
        count stops at COUNT_CAP (see `query_count`), and so do the pages: a page beyond the
        cap shows the last one within it, so the deepest page costs about what the first does.
        """
        if page_size:
            page = min(page or 0, COUNT_CAP // page_size)
        known = None
        if page_size and not select_columns:
            known, items = self._searched_page(
                filters, order_column, order_direction, page, page_size
            )
            if items is not None:
                return known, items
        query = self.apply_all(
            self.session.query(self.obj),
            filters,
            order_column,
            order_direction,
            page,
            page_size,
            select_columns,
            outer_default_load,
        )
        items = query.all()
        if items and hasattr(items[0], self.obj.__name__):  # rows of selected columns (FAB's)
            items = [getattr(item, self.obj.__name__) for item in items]
        if not page_size:  # choices for a form or a filter: every row, no count needed
            return CappedCount(len(items)), items
        if 0 < len(items) < page_size:  # the last page: the count is known
            return CappedCount((page or 0) * page_size + len(items)), items
        if known is not None:
            return known, items
        return self.query_count(self.session.query(self.obj), filters, select_columns), items

    def _searched_page(self, filters, order_column, order_direction, page, page_size):
        """A searched list's page and its capped count in one pass over the matches.

        The matching keys (at most COUNT_CAP + 1, with the order column) are read once into a
        common table; the page is cut from it and joined with what it shows, and the same table
        is counted. When more than COUNT_CAP match, the first COUNT_CAP + 1 are not the first in
        the list's order: the count is known ("more than 2.500") and the page is read the
        ordinary way. Returns (count, items), items None when the page must be read again; (None,
        None) when the list is not searched or is ordered by a related column.
        """
        if not (self.eager and filters is not None and filters.filters):
            return None, None
        if order_column and order_column not in self.obj.__table__.c:
            return None, None
        key = inspect(self.obj).primary_key[0]
        columns = [key.label("k")]
        if order_column:
            columns.append(getattr(self.obj, order_column).label("o"))
        matching = self._apply_inner_all(
            self.session.query(self.obj), filters, aliases_mapping={}
        ).order_by(None)
        found = matching.with_entities(*columns).limit(COUNT_CAP + 1).cte("found")
        ordering = [found.c.k]
        if order_column:
            first = found.c.o.desc() if order_direction == "desc" else found.c.o.asc()
            ordering.insert(0, first)
        keys = select(found.c.k).order_by(*ordering).limit(page_size).offset(page * page_size)
        total = select(func.count()).select_from(found).scalar_subquery()
        query = self._records_of(keys, order_column, order_direction, total.label("found_total"))
        rows = query.options(*[self._loader(path) for path in self.eager]).all()
        if not rows:
            return None, None
        count = CappedCount(rows[0][1])
        if count.capped:
            return count, None
        return count, [row[0] for row in rows]

    def apply_all(
        self,
        query,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        """FAB's filters, order and page, and the related records the list shows loaded with
        it: joined for a single record (village, company), a second query for a collection."""
        query = super().apply_all(
            query,
            filters,
            order_column,
            order_direction,
            page,
            page_size,
            select_columns,
            outer_default_load,
        )
        if self.eager and not select_columns:
            if page_size:
                query = self._page_then_join(query, order_column, order_direction)
            query = query.options(*[self._loader(path) for path in self.eager])
        return query

    def _page_then_join(self, query, order_column, order_direction):
        """The page's keys first, sorted and cut on the listed table alone, then those records
        with what they show joined: the joins touch 25 rows, not every row that matches (a
        village of 10.000 workers joined its villages, companies and enrollments before the
        sort kept 25 of them). One statement still."""
        key = inspect(self.obj).primary_key[0]
        keys = query.with_entities(key).subquery()
        return self._records_of(select(keys.c[0]), order_column, order_direction)

    def _records_of(self, keys, order_column, order_direction, *columns):
        """The records whose keys a statement selects, in the list's order (with any extra
        columns): the one place a page is joined after being cut."""
        key = inspect(self.obj).primary_key[0]
        records = self.session.query(self.obj, *columns).filter(key.in_(keys))
        return self.apply_order_by(
            records, order_column, order_direction, aliases_mapping={}, add_pk=True
        )

    def query_count(self, query, filters=None, select_columns=None) -> int:
        """How many records the list holds, counted up to COUNT_CAP + 1 and no further.

        An exact count of a million scoped rows costs a full pass on every page; past the cap
        the list says "more than 10.000" and asks for a narrower filter instead.
        """
        inner = self._apply_inner_all(
            query, filters, select_columns=select_columns, aliases_mapping={}
        )
        key = inspect(self.obj).primary_key[0]
        capped = inner.order_by(None).with_entities(key).limit(COUNT_CAP + 1)
        found = self.session.query(func.count()).select_from(capped.subquery()).scalar() or 0
        return CappedCount(found)

    def _loader(self, path: str):
        model, loader = self.obj, None
        for name in path.split("."):
            attr = getattr(model, name)
            relation = inspect(model).relationships[name]
            how = "selectinload" if relation.uselist else "joinedload"
            if loader is None:
                loader = (selectinload if relation.uselist else joinedload)(attr)
            else:
                loader = getattr(loader, how)(attr)
            model = relation.mapper.class_
        return loader

    def add(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.add(self, i, commit), item)

    def edit(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.edit(self, i, commit), item)

    def delete(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.delete(self, i, commit), item)


class ScopedModelView(ModelView):
    """A ModelView limited to the user's scope on list, show, edit, delete, actions and export."""

    page_size = 25
    export_columns: list[str] | None = None
    database_error_message = _l("The database refused the change; nothing was saved.")
    add_row_message = _l("The record was added.")
    edit_row_message = _l("The record was saved.")
    delete_row_message = _l("The record was deleted.")
    method_permission_name = {"export": "export"}

    eager_columns: tuple[str, ...] = ()
    list_template = "lindungi_list.html"

    def __init__(self, **kwargs):
        self._named_filters()
        if self.edit_columns and "version" in self.datamodel.get_columns_list():
            # A hidden copy of the version read with the form: a stale save is refused.
            self.edit_form_extra_fields = dict(
                self.edit_form_extra_fields or {}, version_token=HiddenField()
            )
            self.edit_columns = [*self.edit_columns, "version_token"]
        self._optional_booleans()
        super().__init__(**kwargs)
        # Screens never print None, True or an ISO date: every shown column without a
        # formatter of its own gets formatting.display. Exports keep the declared ones only.
        self.export_formatters = dict(self.formatters_columns or {})
        self.formatters_columns = {
            column: formatting.display for column in [*self.list_columns, *self.show_columns]
        } | {column: formatting.or_empty(f) for column, f in self.export_formatters.items()}
        related = {c.rsplit(".", 1)[0] for c in self.list_columns if "." in c}
        self.datamodel.eager = tuple(sorted(related | set(self.eager_columns)))

    # The related lists shown under a record: only those the user may list (FAB shows every
    # one). Registration appends to the full list, get_init_inner_views().
    _all_related: list | None = None

    @property
    def _related_views(self):
        views = self._all_related or []
        if not has_request_context():
            return views
        sm = self.appbuilder.sm
        return [v for v in views if sm.has_access("can_list", v.class_permission_name)]

    @_related_views.setter
    def _related_views(self, views):
        self._all_related = views

    def get_init_inner_views(self):
        if self._all_related is None:
            self._all_related = []
        return self._all_related

    def _named_filters(self) -> None:
        """Offer the model's named conditions (worklists) in the list's own filter menu, and
        search coded columns (segment, status) by their translated choices, not a typed code."""
        named = worklists.filters_of(self.datamodel.obj)
        fields = dict(self.search_form_extra_fields or {})
        for column in self.search_columns or []:
            field = (self.add_form_extra_fields or {}).get(column)
            if getattr(field, "field_class", None) is ChoiceField:
                label, choices = field.args[:2]
                fields.setdefault(column, ChoiceField(label, choices, placeholder=False))
            elif column in self.datamodel.obj.__table__.c and self.datamodel.is_date(column):
                label = (self.label_columns or {}).get(column, column)
                fields.setdefault(column, native_date(label, [Optional()]))
        self.search_form_extra_fields = fields
        if not named:
            return
        self.search_columns = [*(self.search_columns or []), *named]
        labels = dict(self.label_columns or {})
        for name, (label, conditions) in named.items():
            if isinstance(conditions, worklists.TextCondition):
                fields[name] = StringField(label)
            else:
                choices = [(value, c.label) for value, c in conditions.items()]
                fields[name] = ChoiceField(label, choices, placeholder=False)
            labels.setdefault(name, label)
        self.search_form_extra_fields = fields
        self.label_columns = labels

    def _optional_booleans(self) -> None:
        """Let a checkbox be left unticked (FAB makes a non-null boolean a required field), and
        give dates the browser's own date input, in the user's language (FAB's date picker
        speaks English: "December 2026", "Su Mo Tu")."""
        for attr, columns in (
            ("add_form_extra_fields", self.add_columns),
            ("edit_form_extra_fields", self.edit_columns),
        ):
            fields = dict(getattr(self, attr) or {})
            for column in columns or []:
                if column in fields or column not in self.datamodel.obj.__table__.c:
                    continue
                label = (self.label_columns or {}).get(column, column)
                description = (self.description_columns or {}).get(column, "")
                table_column = self.datamodel.obj.__table__.c[column]
                if self.datamodel.is_boolean(column):
                    default = table_column.default
                    fields[column] = BooleanField(
                        label, description=description, default=bool(default and default.arg)
                    )
                elif self.datamodel.is_date(column):
                    required = Optional() if table_column.nullable else InputRequired()
                    fields[column] = native_date(label, [required], description=description)
            setattr(self, attr, fields)

    def _add(self):
        """Add a record; a refused save re-shows the form with the reason and writes nothing."""
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                if self._save(
                    form,
                    self.datamodel.obj(),
                    self.pre_add,
                    self.datamodel.add,
                    self.post_add,
                    self.add_row_message,
                ):
                    return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        """Edit a record in scope; a refused save re-shows the form and writes nothing."""
        pages, page_sizes, orders = get_page_args(), get_page_size_args(), get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.scoped_get(pk)
        if item is None:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._save(
                    form,
                    item,
                    self.pre_update,
                    self.datamodel.edit,
                    self.post_update,
                    self.edit_row_message,
                ):
                    return None
                item = self.scoped_get(pk)
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(
            item, filters={}, orders=orders, pages=pages, page_sizes=page_sizes, widgets=widgets
        )

    def _save(self, form, item, before, write, after, message) -> bool:
        """Fill, check and write a record in one unit of work; on refusal roll back and explain."""
        try:
            with db.session.no_autoflush:
                form.populate_obj(item)
                before(item)
            write(item)
        except ServiceError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None) if exc.field else None
            if field is not None:
                field.errors = [*field.errors, str(exc.message)]
            else:
                flash(str(exc.message), "danger")
            return False
        after(item)
        flash(str(message), "success")
        return True

    def _get_show_widget(self, pk, item, **kwargs):
        """A record's page; a read of personal data is recorded."""
        name = self.datamodel.obj.__name__
        if name in privacy.PERSONAL_FIELDS:
            regency = getattr(item, "regency_id", None)
            audit.record_apart(db.session, "read", name, item.id, regency, channel="screen")
        return super()._get_show_widget(pk, item, **kwargs)

    def _get_list_widget(self, filters, **kwargs):
        """A page of the list; a page of personal data is recorded with its ids."""
        widgets = super()._get_list_widget(filters, **kwargs)
        name = self.datamodel.obj.__name__
        if name in privacy.PERSONAL_FIELDS:
            pks = widgets["list"].template_args.get("pks", [])
            audit.record_list_read(db.session, name, pks, channel="screen")
        return widgets

    def render_template(self, template, **kwargs):
        """Offer the export of the filtered list to users who may export it."""
        if template == self.list_template and self.appbuilder.sm.has_access(
            "can_export", self.class_permission_name
        ):
            args = request.args.to_dict()
            kwargs["export_urls"] = {
                fmt: url_for(f"{self.endpoint}.export", fmt=fmt, **args) for fmt in ("csv", "xlsx")
            }
        if template == self.list_template:
            kwargs["filter_summary"] = self._filter_summary()
        return super().render_template(template, **kwargs)

    def _filter_summary(self) -> list[str]:
        """The list's active filters in words ("Perlindungan: Tanpa perlindungan aktif"), so a
        list opened from a home tile says what it holds."""
        named = worklists.filters_of(self.datamodel.obj)
        summary = []
        for flt, value in self._filters.get_filters_values():
            value = value[0] if isinstance(value, list) and value else value
            label = str(self.label_columns.get(flt.column_name, flt.column_name))
            conditions = named.get(flt.column_name, (None, None))[1]
            if isinstance(conditions, dict):
                shown = str(conditions[value].label) if value in conditions else str(value)
                summary.append(f"{label}: {shown}")
            else:
                summary.append(f"{label} {str(flt.name).lower()} {value}")
        return summary

    def scoped_get(self, pk):
        """Load one record by primary key inside the user's scope, or None."""
        return self.datamodel.get(pk, self._base_filters)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        """Run a single-record action only on a record inside the scope."""
        if self.scoped_get(self._deserialize_pk_if_composite(pk)) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        """Run a bulk action only when every selected record is inside the scope."""
        pks = request.form.getlist("rowid")
        if any(self.scoped_get(self._deserialize_pk_if_composite(pk)) is None for pk in pks):
            abort(404)
        return super().action_post()

    def prefill_form(self, form, pk):
        if hasattr(form, "version_token"):
            form.version_token.data = self.scoped_get(pk).version

    def pre_update(self, item):
        token = request.form.get("version_token")
        if token is not None and str(item.version) != token:
            raise Conflict(str(STALE))

    @expose("/export/<string:fmt>")
    @has_access
    def export(self, fmt):
        """Download the current filtered list as CSV or XLSX."""
        if fmt not in ("csv", "xlsx"):
            abort(404)
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column and order_column not in self.order_columns:
            order_column, order_direction = "", ""
        joined = self._filters.get_joined_filters(self._base_filters)
        limit = current_app.config["EXPORT_MAX_ROWS"]
        count, items = self.datamodel.query(
            joined, order_column, order_direction, page=0, page_size=limit
        )
        columns = self.export_columns or self.list_columns
        labels = [str(self.label_columns.get(c, c)) for c in columns]
        # Read every value before the audit row commits (a commit expires the loaded records).
        rows = [[self._export_value(item, c) for c in columns] for item in items]
        audit.record(
            db.session,
            "export",
            self.datamodel.obj.__name__,
            None,
            format=fmt,
            rows=len(rows),
            total=count,
            filters=dict(request.args),
        )
        name = self.__class__.__name__.removesuffix("View").lower()
        return export_response(name, fmt, labels, rows)

    def _export_value(self, item, column):
        value = item
        for part in column.split("."):
            value = getattr(value, part, None) if value is not None else None
        formatter = self.export_formatters.get(column)
        return formatter(value) if formatter else value
