"""The benefit report for the regency's yearly monitoring and evaluation (monev)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import formatting
from app.extensions import db
from app.models import BenefitItem, BenefitRule, EventType, SchoolLevel
from app.scope import current_scope
from app.services import audit
from app.services.benefit_report import benefit_report, regencies_in, year_period
from app.services.claims import check_rule
from app.views.base import Interface, ScopedModelView
from app.views.fields import ChoiceField


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


class BenefitRuleView(ScopedModelView):
    """The benefit table: amounts in force from a date, with their legal basis."""

    datamodel = Interface(BenefitRule)
    base_filters = []  # national reference data
    list_title = _l("Benefit table")
    show_title = _l("Benefit rule")
    list_columns = [
        "event_type",
        "item",
        "level",
        "amount",
        "multiplier",
        "years",
        "valid_from",
        "valid_to",
    ]
    show_columns = add_columns = edit_columns = [*list_columns, "legal_basis"]
    search_columns = ["item", "valid_from"]
    order_columns = ["event_type", "item", "valid_from"]
    base_order = ("id", "asc")
    label_columns = {
        "event_type": _l("Event"),
        "item": _l("Benefit"),
        "level": _l("School level"),
        "amount": _l("Amount"),
        "multiplier": _l("Times the monthly wage"),
        "years": _l("Years (scholarship)"),
        "valid_from": _l("Valid from"),
        "valid_to": _l("Valid until"),
        "legal_basis": _l("Legal basis"),
    }
    description_columns = {
        "event_type": _l("Empty for a scholarship: it follows either kind of death."),
        "valid_to": _l("Leave empty while the rule is in force."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "event_type": ChoiceField(_l("Event"), EventType.choices(), blank=True),
        "item": ChoiceField(_l("Benefit"), BenefitItem.choices()),
        "level": ChoiceField(
            _l("School level"), [c for c in SchoolLevel.choices() if c[0] != "none"], blank=True
        ),
    }
    formatters_columns = {
        "event_type": EventType.label_of,
        "item": BenefitItem.label_of,
        "level": SchoolLevel.label_of,
        "amount": lambda value: formatting.rupiah(value) if value else "—",
        "multiplier": lambda value: value or "—",
        "years": lambda value: value or "—",
        "valid_from": formatting.long_date,
        "valid_to": formatting.long_date,
    }

    def pre_add(self, item):
        check_rule(item)

    def pre_update(self, item):
        super().pre_update(item)
        check_rule(item)
