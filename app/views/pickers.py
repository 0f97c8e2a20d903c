"""Search-as-you-type pickers for large tables (villages, companies, workers, sponsors)."""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import or_
from wtforms import Field
from wtforms.validators import ValidationError

from app.extensions import db
from app.models import Company, Opd, Sponsor, Village, Worker
from app.privacy import mask_nik
from app.scope import scoped

PAGE = 20


def _village_label(v: Village) -> str:
    return f"{v.name} — {v.district.name}, {v.regency.name}"


def _worker_label(w: Worker) -> str:
    return f"{w.name} ({mask_nik(w.nik)})"


PICKERS = {
    "village": (
        Village,
        lambda q: or_(Village.name.ilike(f"{q}%"), Village.code.like(f"{q}%")),
        _village_label,
        Village.name,
    ),
    "company": (
        Company,
        lambda q: or_(Company.name.ilike(f"%{q}%"), Company.nib == q, Company.npp == q.upper()),
        str,
        Company.name,
    ),
    "worker": (
        Worker,
        lambda q: or_(Worker.name.ilike(f"{q}%"), Worker.nik == q),
        _worker_label,
        Worker.name,
    ),
    "sponsor": (Sponsor, lambda q: Sponsor.name.ilike(f"%{q}%"), str, Sponsor.name),
    "opd": (Opd, lambda q: Opd.name.ilike(f"%{q}%"), str, Opd.name),
}


def picker_label(kind: str, obj) -> str:
    """Text shown for a chosen record."""
    return PICKERS[kind][2](obj)


class PickerView(BaseView):
    """JSON search endpoints for the pickers, limited to the user's scope."""

    route_base = "/picker"
    default_view = "search"
    method_permission_name = {"search": "search"}

    @expose("/<kind>", methods=["POST"])
    @has_access
    def search(self, kind):
        """Return up to 20 matches for the typed text, in Select2's format.

        POST, so that a typed NIK never lands in a URL, a proxy log or the browser history.
        """
        if kind not in PICKERS:
            abort(404)
        model, condition, label, order = PICKERS[kind]
        term = (request.form.get("q") or "").strip()[:60]
        page = max(request.form.get("page", 1, type=int) or 1, 1)
        query = scoped(db.session.query(model), model)
        if term:
            query = query.filter(condition(term))
        rows = query.order_by(order, model.id).offset((page - 1) * PAGE).limit(PAGE + 1).all()
        results = [{"id": r.id, "text": label(r)} for r in rows[:PAGE]]
        return jsonify(results=results, pagination={"more": len(rows) > PAGE})


class PickerWidget:
    """A select that Select2 fills from the picker endpoint as the user types."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, field, **kwargs):
        endpoint = url_for("PickerView.search", kind=self.kind)
        option = Markup("")
        if field.data is not None:
            option = Markup('<option value="{}" selected>{}</option>').format(
                field.data.id, picker_label(self.kind, field.data)
            )
        return Markup(
            '<select id="{}" name="{}" class="form-control lindungi-picker" '
            'data-endpoint="{}" data-placeholder="{}" style="width:100%">'
            '<option value=""></option>{}</select>'
        ).format(field.id, field.name, endpoint, _("Type to search…"), option)


class PickerField(Field):
    """A many-to-one field whose choice is loaded inside the user's scope, never trusted."""

    def __init__(self, label=None, validators=None, kind="village", **kwargs):
        super().__init__(label, validators, widget=PickerWidget(kind), **kwargs)
        self.model = PICKERS[kind][0]
        self._invalid = False

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self._invalid = False
        if not raw:
            self.data = None
            return
        obj = None
        if raw.isdigit():
            obj = (
                scoped(db.session.query(self.model), self.model)
                .filter(self.model.id == int(raw))
                .one_or_none()
            )
        self.data = obj
        self._invalid = obj is None

    def pre_validate(self, form):
        if self._invalid:
            raise ValidationError(_("Choose an option from the list."))
