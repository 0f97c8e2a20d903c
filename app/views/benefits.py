"""The benefit report for the regency's yearly monitoring and evaluation (monev)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.scope import current_scope
from app.services import audit
from app.services.benefit_report import benefit_report, regencies_in, year_period


class BenefitReportView(BaseView):
    """Contributions paid by the budgets and sponsors against the benefits that reached families."""

    route_base = "/benefit-report"
    default_view = "index"
    method_permission_name = {"index": "list", "pdf": "download"}

    def _report(self):
        scope = current_scope()
        today = dt.date.today()
        year = request.args.get("year", type=int) or today.year
        if not 2000 <= year <= today.year + 1:
            year = today.year
        regencies = regencies_in(db.session, scope)
        regency_id = request.args.get("regency", type=int)
        regency = next((r for r in regencies if r.id == regency_id), None)
        if regency_id and regency is None:
            abort(404)
        start, end = year_period(year)
        return benefit_report(db.session, scope, start, end, regency), year, regencies

    @expose("/")
    @has_access
    def index(self):
        report, year, regencies = self._report()
        return self.render_template(
            "benefit_report.html",
            title=_("Benefits for families"),
            report=report,
            year=year,
            years=range(dt.date.today().year, dt.date.today().year - 6, -1),
            regencies=regencies,
        )

    @expose("/pdf")
    @has_access
    def pdf(self):
        from app.reports.benefits import benefit_report_pdf

        report, year, _regencies = self._report()
        body = benefit_report_pdf(report)
        audit.record(
            db.session,
            "print",
            "BenefitReport",
            year,
            regency_id=report.regency.id if report.regency else None,
        )
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="manfaat-{year}.pdf"'
        return response
