"""The permit office: the desk, permit checks and their documents, projects, rules, verification."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import formatting
from app.extensions import db
from app.models import (
    Company,
    ConstructionProject,
    Decision,
    Funding,
    PermitCheck,
    PermitType,
)
from app.scope import current_scope, get_in_scope
from app.services import ServiceError, audit, compliance, permits
from app.views.base import REFUSED, Interface, ScopedModelView, attempt
from app.views.fields import ChoiceField
from app.views.pickers import PickerField

NAME_MATCHES = 20


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PermitDeskView(BaseView):
    """Find a company, see its verdict, record the decision on a permit application."""

    route_base = "/permitdesk"
    default_view = "index"
    method_permission_name = {"index": "check", "record": "decide", "document": "check"}

    @expose("/")
    @has_access
    def index(self):
        """Search by NIB, NPWP, NPP or name; show the verdict of the company chosen."""
        term = (request.args.get("q") or "").strip()[:100]
        company_id = request.args.get("company", type=int)
        company, matches = None, []
        scope = current_scope()
        if company_id:
            company = get_in_scope(db.session, Company, company_id)
            if company is None:
                abort(404)
        elif term:
            company, matches = self._search(term, scope)
        verdict = None
        if company is not None:
            verdict = compliance.evaluate(db.session, company, _now().date())
            audit.record(
                db.session,
                "check",
                "Company",
                company.id,
                regency_id=company.regency_id,
                compliant=verdict.compliant,
            )
        return self.render_template(
            "permit_desk.html",
            term=term,
            company=company,
            matches=matches,
            verdict=verdict,
            title=_("Permit desk"),
            permit_types=PermitType.choices(),
            check_title=compliance.check_title,
        )

    def _search(self, term: str, scope):
        try:
            return permits.find_company(db.session, term, scope), []
        except ServiceError as exc:
            if exc.status == 404:
                flash(str(exc.message), "warning")
                return None, []
        matches = db.session.scalars(
            select(Company)
            .where(Company.name.ilike(f"%{term}%"), Company.scope_clause(scope))
            .order_by(Company.name)
            .limit(NAME_MATCHES)
        ).all()
        if not matches:
            flash(_("No company in your area matches “%(term)s”.", term=term), "warning")
        return None, matches

    @expose("/record/<int:company_id>", methods=["POST"])
    @has_access
    def record(self, company_id):
        """Record the decision on an application; a certificate only for a compliant company."""
        company = get_in_scope(db.session, Company, company_id)
        if company is None:
            abort(404)
        permit_type = request.form.get("permit_type", "")
        if permit_type not in {value for value, _label in PermitType.choices()}:
            flash(_("Choose the kind of permit."), "danger")
            return redirect(url_for("PermitDeskView.index", company=company.id))
        permit = attempt(
            lambda: permits.record_decision(
                db.session,
                company,
                permit_type=permit_type,
                application_number=request.form.get("application_number", ""),
                decision=request.form.get("decision", ""),
                officer_id=g.user.id,
                note=request.form.get("note"),
                now=_now(),
            ),
            _("The decision was recorded."),
        )
        if permit is REFUSED:
            return redirect(url_for("PermitDeskView.index", company=company.id))
        return redirect(url_for("PermitCheckView.show", pk=permit.id))

    @expose("/document/<int:pk>")
    @has_access
    def document(self, pk):
        """Download the certificate or the refusal note of a decision as PDF."""
        from app.reports.permit import permit_pdf

        permit = get_in_scope(db.session, PermitCheck, pk)
        if permit is None or permit.decision == Decision.PENDING:
            abort(404)
        body = permit_pdf(permit, permits.document_letter(db.session, permit))
        audit.record(db.session, "print", "PermitCheck", permit.id, regency_id=permit.regency_id)
        name = (permit.certificate_number or f"penolakan-{permit.id}").replace("/", "-")
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


class PermitCheckView(ScopedModelView):
    datamodel = Interface(PermitCheck)
    list_title = _l("Permit decisions")
    show_title = _l("Permit decision")
    list_columns = [
        "checked_at",
        "company.name",
        "permit_type",
        "application_number",
        "decision",
        "certificate_number",
        "valid_until",
    ]
    show_columns = [
        "company",
        "permit_type",
        "application_number",
        "checked_at",
        "compliant",
        "decision",
        "officer",
        "note",
        "certificate_number",
        "valid_until",
        "revoked_at",
    ]
    search_columns = [
        "application_number",
        "certificate_number",
        "decision",
        "permit_type",
        "checked_at",
    ]
    order_columns = ["checked_at", "decision"]
    base_order = ("checked_at", "desc")
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "checked_at": _l("Checked at"),
        "company": _l("Company"),
        "company.name": _l("Company"),
        "permit_type": _l("Permit"),
        "application_number": _l("Application no."),
        "compliant": _l("Compliant"),
        "decision": _l("Decision"),
        "officer": _l("Officer"),
        "note": _l("Note"),
        "certificate_number": _l("Certificate no."),
        "valid_until": _l("Valid until"),
        "revoked_at": _l("Revoked at"),
    }
    formatters_columns = {
        "checked_at": formatting.long_date,
        "permit_type": PermitType.label_of,
        "decision": Decision.label_of,
        "valid_until": formatting.long_date,
        "revoked_at": formatting.long_date,
        "compliant": lambda v: _("Yes") if v else _("No"),
    }

    show_template = "permit_check_show.html"

    def render_template(self, template, **kwargs):
        """Offer the certificate or refusal note beside a decided permit."""
        if template == self.show_template and kwargs.get("pk") is not None:
            permit = self.scoped_get(kwargs["pk"])
            if permit is not None and permit.decision != Decision.PENDING:
                kwargs["document_url"] = url_for("PermitDeskView.document", pk=permit.id)
                kwargs["document_label"] = (
                    _("Certificate (PDF)") if permit.certificate_number else _("Refusal note (PDF)")
                )
        return super().render_template(template, **kwargs)


class ConstructionProjectView(ScopedModelView):
    datamodel = Interface(ConstructionProject)
    list_title = _l("Construction projects")
    show_title = _l("Construction project")
    add_title = _l("Register a construction project")
    list_columns = [
        "spk_number",
        "name",
        "company.name",
        "spk_date",
        "registered_on",
        "registration_delay",
        "contract_value",
        "funding",
    ]
    show_columns = [
        "name",
        "spk_number",
        "spk_date",
        "end_date",
        "company",
        "regency",
        "contract_value",
        "funding",
        "registered_on",
        "registration_delay",
        "contribution",
    ]
    add_columns = edit_columns = [
        "name",
        "spk_number",
        "spk_date",
        "end_date",
        "company",
        "contract_value",
        "funding",
        "registered_on",
        "contribution",
    ]
    search_columns = ["spk_number", "name", "spk_date", "registered_on", "funding"]
    order_columns = ["spk_date", "registered_on", "contract_value"]
    base_order = ("spk_date", "desc")
    label_columns = {
        "name": _l("Project"),
        "spk_number": _l("SPK no."),
        "spk_date": _l("SPK date"),
        "end_date": _l("Planned end"),
        "company": _l("Contractor"),
        "company.name": _l("Contractor"),
        "regency": _l("Regency"),
        "contract_value": _l("Contract value"),
        "funding": _l("Funding"),
        "registered_on": _l("Registered with BPJS on"),
        "registration_delay": _l("Days from SPK to registration"),
        "contribution": _l("Contribution paid"),
    }
    description_columns = {
        "registered_on": _l("Leave empty while the project is not registered yet."),
        "contribution": _l("Contribution on the project value, as billed by BPJS."),
    }
    formatters_columns = {
        "spk_date": formatting.long_date,
        "end_date": formatting.long_date,
        "registered_on": formatting.long_date,
        "contract_value": formatting.rupiah,
        "contribution": formatting.rupiah,
        "funding": Funding.label_of,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "company": PickerField(_l("Contractor"), kind="company"),
        "funding": ChoiceField(_l("Funding"), Funding.choices()),
    }

    def pre_add(self, item):
        permits.prepare_project(item)
        super().pre_add(item)

    def pre_update(self, item):
        permits.prepare_project(item)
        super().pre_update(item)


class VerifyView(BaseView):
    """The public check of a certificate: genuine and valid or not, nothing personal."""

    route_base = "/verify"
    default_view = "verify"

    @expose("/<code>")
    def verify(self, code):
        result = permits.verify(db.session, code, _now())
        return self.render_template(
            "verify.html", result=result, title=_("Certificate verification")
        )
