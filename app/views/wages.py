"""Minimum-wage compliance: per company, wage earners declared below the UMK/UMP and the cost."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.privacy import visible
from app.scope import current_scope
from app.services import wages

PER_PAGE = 25


class WageComplianceView(BaseView):
    """Companies with wage earners declared below the minimum wage, largest gap first."""

    route_base = "/wage-compliance"
    default_view = "index"
    method_permission_name = {"index": "list"}

    @expose("/")
    @has_access
    def index(self):
        try:
            on = dt.date.fromisoformat(request.args.get("on", ""))
        except ValueError:
            on = dt.date.today()
        companies = wages.company_findings(db.session, current_scope(), on)
        pages = max(1, -(-len(companies) // PER_PAGE))
        page = request.args.get("page", 1, type=int) or 1
        page = min(max(page, 1), pages)
        return self.render_template(
            "wage_compliance.html",
            title=_("Minimum wage compliance"),
            on=on,
            companies=companies[(page - 1) * PER_PAGE : page * PER_PAGE],
            matching=len(companies),
            page=page,
            pages=pages,
            jp_cap=wages.jp_cap(db.session, on),
            details=visible(),
        )
