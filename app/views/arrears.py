"""Arrears enforcement: the worklist of payers in arrears, the letters, the penalty rules."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import formatting
from app.extensions import db
from app.models import ArrearsLetter, Company, PenaltyRule, Program
from app.scope import current_scope, get_in_scope
from app.services import arrears, audit
from app.views.base import REFUSED, Interface, ScopedModelView, attempt
from app.views.fields import ChoiceField

PER_PAGE = 25


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ArrearsView(BaseView):
    """Payers in arrears in the user's area, most workers at risk first; letters to companies."""

    route_base = "/arrears"
    default_view = "index"
    method_permission_name = {"index": "list", "issue": "issue", "letter": "download"}

    @expose("/")
    @has_access
    def index(self):
        bucket = request.args.get("bucket", "")
        bucket = bucket if bucket in arrears.BUCKETS else ""
        page = request.args.get("page", 1, type=int) or 1
        today = _now().date()
        found = arrears.worklist(
            db.session, current_scope(), today, bucket or None, page=page, per_page=PER_PAGE
        )
        steps = {
            row.payer_id: arrears.wanted_step(db.session, row.payer_id, today)
            for row in found.rows
            if row.kind == "company"
        }
        return self.render_template(
            "arrears.html",
            title=_("Contribution arrears"),
            found=found,
            bucket=bucket,
            buckets=arrears.BUCKETS,
            steps=steps,
            today=today,
            can_issue=self.appbuilder.sm.has_access("can_issue", "ArrearsView"),
            can_download=self.appbuilder.sm.has_access("can_download", "ArrearsView"),
        )

    @expose("/issue/<int:company_id>", methods=["POST"])
    @has_access
    def issue(self, company_id):
        """Issue the letter asked for, or say why it may not be sent."""
        company = get_in_scope(db.session, Company, company_id)
        if company is None:
            abort(404)
        letter = attempt(
            lambda: arrears.issue(
                db.session, company, request.form.get("kind", ""), _now(), g.user.id
            ),
            _("The letter was issued."),
        )
        back = request.form.get("next") == "company"
        if letter is not REFUSED and not back:
            return redirect(url_for("ArrearsView.index"))
        if back:
            return redirect(url_for("CompanyView.show", pk=company.id))
        return redirect(url_for("ArrearsView.index"))

    @expose("/letter/<int:pk>")
    @has_access
    def letter(self, pk):
        """Download a letter as PDF."""
        from app.reports.arrears import arrears_letter_pdf

        letter = get_in_scope(db.session, ArrearsLetter, pk)
        if letter is None or letter.issued_letter is None:
            abort(404)
        body = arrears_letter_pdf(letter)
        audit.record(db.session, "print", "ArrearsLetter", letter.id, regency_id=letter.regency_id)
        name = letter.issued_letter.number.replace("/", "-")
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


class PenaltyRuleView(ScopedModelView):
    datamodel = Interface(PenaltyRule)
    list_title = _l("Late-payment penalties")
    show_title = _l("Late-payment penalty")
    add_title = _l("Add a late-payment penalty")
    edit_title = _l("Edit a late-payment penalty")
    list_columns = ["program", "percent_per_month", "cap_percent", "valid_from", "valid_to"]
    show_columns = add_columns = edit_columns = [
        "program",
        "percent_per_month",
        "cap_percent",
        "valid_from",
        "valid_to",
        "legal_basis",
    ]
    search_columns = ["program", "valid_from"]
    order_columns = ["program", "valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = {
        "program": _l("Program (empty: all programs)"),
        "percent_per_month": _l("Percent per month late"),
        "cap_percent": _l("Cap (percent of the unpaid amount)"),
        "valid_from": _l("Valid from"),
        "valid_to": _l("Valid until"),
        "legal_basis": _l("Legal basis"),
    }
    description_columns = {
        "percent_per_month": _l(
            "Percent of a month's unpaid contribution for each month begun after its due date "
            "(the 15th of the next month). Defaults: JKK, JKM, JHT 2 %, JP 0,5 % (PP 44/2015, "
            "PP 46/2015, PP 45/2015 — to be verified against the regulation text)."
        ),
        "cap_percent": _l("Leave empty for no cap."),
    }
    formatters_columns = {
        "program": lambda v: Program.label_of(v) if v else _("All programs"),
        "percent_per_month": formatting.percent,
        "cap_percent": formatting.percent,
        "valid_from": formatting.long_date,
        "valid_to": formatting.long_date,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "program": ChoiceField(_l("Program (empty: all programs)"), Program.choices(), blank=True),
    }

    def pre_add(self, item):
        arrears.validate_rule(item)

    def pre_update(self, item):
        super().pre_update(item)
        arrears.validate_rule(item)
