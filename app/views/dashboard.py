"""Coverage dashboards per role, and the regency coverage profile as PDF."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select, true

from app import params
from app.extensions import db
from app.models import AwardPeriod, Regency
from app.reports.profile import charts, profile_pdf
from app.scope import current_scope
from app.services import audit
from app.services import coverage as cov
from app.services import villages as desa100

EARLIEST = params.EARLIEST_DATE
PHONE_CHART = 360  # pixels: a phone shows the charts drawn this wide, their text still readable


def _on() -> dt.date:
    """The date the dashboard is read on: today, or a valid earlier date from 2000 on.

    The guard (app/params.py) has already dropped, with a message, a date that is not an ISO date
    from 2000 to 2100; a later one is read as today.
    """
    try:
        on = dt.date.fromisoformat(request.args.get("on", ""))
    except ValueError:
        return dt.date.today()
    return min(max(on, EARLIEST), dt.date.today())


class DashboardView(BaseView):
    """Coverage by regency, program, segment and payer; monthly trend; 1 Desa 100; arrears."""

    route_base = "/dashboard"
    default_view = "index"
    method_permission_name = {"index": "list", "profile": "profile"}

    def _regencies(self, scope):
        in_scope = true() if scope.unrestricted else Regency.id.in_(sorted(scope.regency_ids))
        return db.session.scalars(select(Regency).where(in_scope).order_by(Regency.code)).all()

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        on = _on()
        wanted = request.args.get("regency", type=int)
        if wanted is not None and not (0 < wanted <= params.INT4 and scope.allows_regency(wanted)):
            abort(404)  # no such regency, in scope or at all (an id beyond any integer column)
        figures = cov.coverage(db.session, scope, on, regency_id=wanted)
        if wanted is not None and not figures.regencies:
            abort(404)
        village_summary = None
        if scope.village_id is not None:
            villages = desa100.regency_progress(db.session, figures.regencies[0].id, scope, on)
            village_summary = desa100.summary(villages)
        period = db.session.scalars(
            select(AwardPeriod).order_by(AwardPeriod.year.desc()).limit(1)
        ).first()
        return self.render_template(
            "dashboard.html",
            title=_("Coverage dashboard"),
            figures=figures,
            charts=charts(figures),
            phone_charts=charts(figures, width=PHONE_CHART),
            on=on,
            regencies=self._regencies(scope),
            wanted=wanted,
            village_summary=village_summary,
            target=desa100.TARGET,
            period=period,
            can_profile=self.appbuilder.sm.has_access("can_profile", "DashboardView"),
            can_awards=self.appbuilder.sm.has_access("can_list", "AwardView"),
        )

    @expose("/profile/<int:regency_id>.pdf")
    @has_access
    def profile(self, regency_id):
        scope = current_scope()
        if not scope.allows_regency(regency_id) or scope.village_id or scope.opd_id:
            abort(404)
        regency = db.session.get(Regency, regency_id)
        if regency is None:
            abort(404)
        on = _on()
        pdf = profile_pdf(db.session, regency, scope, on)
        audit.record(
            db.session, "export", "Regency", regency.id, regency_id=regency.id, report="profile"
        )
        response = Response(pdf, mimetype="application/pdf")
        name = f"profil-cakupan-{regency.code}-{on:%Y%m%d}.pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
