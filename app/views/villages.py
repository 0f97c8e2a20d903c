"""'1 Desa 100': per village, protected vulnerable workers against the target of 100, who pays."""

from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select, true

from app.extensions import db
from app.models import Regency
from app.scope import current_scope
from app.services import villages as desa100

PER_PAGE = 50


class Desa100View(BaseView):
    """Each village of a regency against the target of 100 protected vulnerable workers."""

    route_base = "/desa100"
    default_view = "index"
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        # A village or OPD operator works inside one regency: it is theirs to choose here, and
        # the villages below are narrowed to their own.
        in_scope = true() if scope.unrestricted else Regency.id.in_(scope.regency_ids)
        regencies = db.session.scalars(select(Regency).where(in_scope).order_by(Regency.code)).all()
        wanted = request.args.get("regency", type=int)
        regency = next((r for r in regencies if r.id == wanted), None)
        if wanted is not None and regency is None:
            abort(404)
        if regency is None and regencies:
            regency = regencies[0]
        try:
            on = dt.date.fromisoformat(request.args.get("on", ""))
        except ValueError:
            on = dt.date.today()
        term = request.args.get("q", "")[:60]
        only = request.args.get("only", "")
        sort = request.args.get("sort", "fewest")
        if sort not in desa100.SORTS:
            sort = "fewest"
        villages = desa100.regency_progress(db.session, regency.id, scope, on) if regency else []
        shown = desa100.arrange(villages, term, only, sort)
        pages = max(1, -(-len(shown) // PER_PAGE))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        return self.render_template(
            "desa100.html",
            title=_("1 Village 100 Vulnerable Workers"),
            regencies=regencies,
            regency=regency,
            on=on,
            term=term,
            only=only,
            sort=sort,
            summary=desa100.summary(villages),
            villages=shown[(page - 1) * PER_PAGE : page * PER_PAGE],
            matching=len(shown),
            page=page,
            pages=pages,
            target=desa100.TARGET,
        )
