"""The base of every data screen: scope on every path, version checks, exports, safe errors."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from app.extensions import db
from app.scope import current_scope, scope_filters
from app.services import ServiceError, audit
from app.exports import export_response


class Interface(SQLAInterface):
    """FAB's data interface with database refusals turned into clear messages."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session or db.session)

    def _guard(self, method, item):
        try:
            method(item)
        except IntegrityError as exc:
            self.session.rollback()
            raise ServiceError(
                _("The record conflicts with existing data (a duplicate or a record in use).")
            ) from exc
        except Exception as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise ServiceError(
                    _("The record conflicts with existing data (a duplicate or a record in use).")
                ) from exc
            raise

    def add(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.add(self, i, commit), item)

    def edit(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.edit(self, i, commit), item)

    def delete(self, item, commit=True):
        self._guard(lambda i: SQLAInterface.delete(self, i, commit), item)


class ScopedModelView(ModelView):
    """A ModelView limited to the user's scope on list, show, edit, delete, actions and export."""

    base_filters = scope_filters()
    page_size = 25
    export_columns: list[str] | None = None
    database_error_message = _l("The database refused the change; nothing was saved.")
    add_row_message = _l("The record was added.")
    edit_row_message = _l("The record was saved.")
    delete_row_message = _l("The record was deleted.")
    method_permission_name = {"export": "export"}

    def __init__(self, **kwargs):
        if self.edit_columns and "version" in self.datamodel.get_columns_list():
            self.edit_form_extra_fields = {"version_token": HiddenField()}
        super().__init__(**kwargs)

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
            raise ServiceError(
                _("Someone else changed this record while you were editing it. "
                  "Open it again to see their changes; nothing was saved.")
            )
        self.check_scope(item)

    def pre_add(self, item):
        self.check_scope(item)

    def check_scope(self, item):
        """Refuse to write a record that would land outside the user's scope."""
        if not current_scope().allows_regency(getattr(item, "regency_id", None)):
            raise ServiceError(_("You cannot record data outside your area."))

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
        audit.record(
            db.session, "export", self.datamodel.obj.__name__, None,
            format=fmt, rows=len(items), total=count, filters=dict(request.args),
        )
        rows = ([self._export_value(item, c) for c in columns] for item in items)
        return export_response(self.__class__.__name__.removesuffix("View").lower(), fmt,
                               labels, rows)

    def _export_value(self, item, column):
        value = item
        for part in column.split("."):
            value = getattr(value, part, None) if value is not None else None
        formatter = self.formatters_columns.get(column)
        return formatter(value) if formatter else value
