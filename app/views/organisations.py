"""Organisation screens: branch offices, OPDs, companies, sponsors and their commitments."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app import formatting
from app.extensions import db
from app.models import (
    BranchOffice,
    Company,
    CompanySize,
    CompanyStatus,
    Opd,
    OpdKind,
    Sponsor,
    SponsorCommitment,
    SponsorKind,
)
from app.services import ServiceError, arrears
from app.services.contributions import company_arrears
from app.services.identifiers import format_npwp
from app.services.organisations import company_dependents, enrolled_workers, validate_company
from app.views.base import Interface, ScopedModelView
from app.views.fields import ChoiceField
from app.views.finance import ContributionView
from app.views.permits import ConstructionProjectView
from app.views.pickers import PickerField
from app.views.workers import EnrollmentView, WorkerView

COMMON_LABELS = {
    "name": _l("Name"),
    "regency": _l("Regency"),
    "regency.name": _l("Regency"),
    "village": _l("Village"),
    "village.name": _l("Village"),
    "address": _l("Address"),
    "kind": _l("Kind"),
    "opd": _l("OPD"),
    "company": _l("Company"),
}


class BranchOfficeView(ScopedModelView):
    datamodel = Interface(BranchOffice)
    list_title = _l("BPJS Ketenagakerjaan branch offices")
    show_title = _l("Branch office")
    list_columns = ["code", "name", "address", "phone"]
    show_columns = ["code", "name", "address", "phone", "regencies"]
    add_columns = edit_columns = ["code", "name", "address", "phone", "regencies"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("name", "asc")
    label_columns = COMMON_LABELS | {
        "code": _l("Code"),
        "phone": _l("Phone"),
        "regencies": _l("Regencies served"),
    }


class OpdView(ScopedModelView):
    datamodel = Interface(Opd)
    list_title = _l("Regional agencies (OPD)")
    show_title = _l("OPD")
    list_columns = ["name", "kind", "regency.name"]
    show_columns = ["name", "kind", "regency.name"]
    add_columns = edit_columns = ["name", "kind", "regency"]
    search_columns = ["name", "kind"]
    order_columns = ["name", "kind"]
    base_order = ("name", "asc")
    related_views = [WorkerView]
    label_columns = COMMON_LABELS
    formatters_columns = {"kind": OpdKind.label_of}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": ChoiceField(_l("Kind"), OpdKind.choices())
    }


class CompanyView(ScopedModelView):
    datamodel = Interface(Company)
    list_title = _l("Companies")
    show_title = _l("Company")
    add_title = _l("Add a company")
    edit_title = _l("Edit a company")
    list_columns = [
        "name",
        "npp",
        "nib",
        "size_class",
        "risk_group",
        "regency.name",
        "declared_workforce",
        "status",
    ]
    show_fieldsets = [
        (
            _l("Identity"),
            {"fields": ["name", "npp", "nib", "npwp", "kbli", "status", "registered_on"]},
        ),
        (_l("Size and risk"), {"fields": ["size_class", "risk_group", "declared_workforce"]}),
        (_l("Location"), {"fields": ["regency.name", "village", "address"]}),
    ]
    add_columns = edit_columns = [
        "name",
        "npp",
        "nib",
        "npwp",
        "kbli",
        "size_class",
        "risk_group",
        "declared_workforce",
        "regency",
        "village",
        "address",
        "status",
        "registered_on",
    ]
    search_columns = ["name", "npp", "nib", "npwp", "size_class", "status", "regency"]
    order_columns = ["name", "npp", "declared_workforce", "risk_group"]
    base_order = ("name", "asc")
    related_views = [WorkerView, EnrollmentView, ContributionView, ConstructionProjectView]
    label_columns = COMMON_LABELS | {
        "npp": _l("NPP (employer no.)"),
        "nib": _l("NIB"),
        "npwp": _l("NPWP"),
        "kbli": _l("KBLI"),
        "size_class": _l("Size"),
        "risk_group": _l("JKK risk group"),
        "declared_workforce": _l("Declared workforce"),
        "status": _l("Status"),
        "registered_on": _l("Registered with BPJS on"),
    }
    description_columns = {
        "npp": _l("Employer registration number from BPJS Ketenagakerjaan, e.g. AB123456."),
        "nib": _l("13-digit business identification number from OSS."),
        "npwp": _l("Tax number: 15 digits (old format) or 16 digits."),
        "kbli": _l("5-digit business classification (KBLI 2020)."),
        "risk_group": _l("JKK risk group I (very low) to V (very high), PP 44/2015."),
        "declared_workforce": _l("Workers declared in the permit or OSS."),
    }
    formatters_columns = {
        "size_class": CompanySize.label_of,
        "status": CompanyStatus.label_of,
        "registered_on": formatting.long_date,
        "npwp": format_npwp,
        "risk_group": formatting.roman,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "size_class": ChoiceField(_l("Size"), CompanySize.choices()),
        "status": ChoiceField(
            _l("Status"), CompanyStatus.choices(), default=CompanyStatus.ACTIVE.value
        ),
        "risk_group": ChoiceField(
            _l("JKK risk group"),
            coerce=int,
            choices=[(i, f"{i} ({r})") for i, r in enumerate(["I", "II", "III", "IV", "V"], 1)],
        ),
        "village": PickerField(_l("Village"), kind="village"),
    }

    show_template = "company_show.html"

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """Show a company with its workers under active cover and its arrears."""
        item = self.scoped_get(pk)
        if item is None:
            abort(404)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=self._show(pk),
            related_views=self._related_views,
            enrolled=enrolled_workers(db.session, item.id),
            arrears=company_arrears(db.session, item.id, dt.date.today()),
            can_check=self.appbuilder.sm.has_access("can_check", "PermitDeskView"),
            letters=arrears.company_letters(db.session, item.id),
            step=arrears.wanted_step(db.session, item.id, dt.date.today()),
            can_issue=self.appbuilder.sm.has_access("can_issue", "ArrearsView"),
            can_download=self.appbuilder.sm.has_access("can_download", "ArrearsView"),
        )

    def pre_add(self, item):
        validate_company(db.session, item, current_app.config["NPP_PATTERN"])

    def pre_update(self, item):
        super().pre_update(item)
        validate_company(db.session, item, current_app.config["NPP_PATTERN"])

    def pre_delete(self, item):
        if company_dependents(item):
            raise ServiceError(
                _(
                    "This company still has workers, enrollments or contributions; "
                    "set its status to closed instead of deleting it."
                )
            )


class SponsorView(ScopedModelView):
    datamodel = Interface(Sponsor)
    list_title = _l("Sponsors and payers")
    show_title = _l("Sponsor")
    list_columns = ["name", "kind", "regency.name", "opd.name", "village.name"]
    show_columns = ["name", "kind", "regency.name", "opd.name", "village", "company", "contact"]
    add_columns = edit_columns = ["name", "kind", "regency", "opd", "village", "company", "contact"]
    search_columns = ["name", "kind", "regency"]
    order_columns = ["name", "kind"]
    base_order = ("name", "asc")
    related_views = [EnrollmentView]
    label_columns = COMMON_LABELS | {"opd.name": _l("OPD"), "contact": _l("Contact")}
    formatters_columns = {"kind": SponsorKind.label_of}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": ChoiceField(_l("Kind"), SponsorKind.choices()),
        "village": PickerField(_l("Village"), kind="village"),
        "company": PickerField(_l("Company"), kind="company"),
    }


class SponsorCommitmentView(ScopedModelView):
    datamodel = Interface(SponsorCommitment)
    list_title = _l("Sponsor commitments")
    show_title = _l("Commitment")
    list_columns = [
        "sponsor.name",
        "reference",
        "workers_quota",
        "ceiling_amount",
        "start_date",
        "end_date",
    ]
    show_columns = [
        "sponsor",
        "reference",
        "programs",
        "workers_quota",
        "ceiling_amount",
        "start_date",
        "end_date",
    ]
    add_columns = edit_columns = [
        "sponsor",
        "reference",
        "programs",
        "workers_quota",
        "ceiling_amount",
        "start_date",
        "end_date",
    ]
    search_columns = ["reference", "start_date"]
    order_columns = ["reference", "start_date", "ceiling_amount"]
    base_order = ("start_date", "desc")
    label_columns = {
        "sponsor": _l("Sponsor"),
        "sponsor.name": _l("Sponsor"),
        "reference": _l("Decree / agreement no."),
        "programs": _l("Programs"),
        "workers_quota": _l("Workers"),
        "ceiling_amount": _l("Budget ceiling"),
        "start_date": _l("From"),
        "end_date": _l("Until"),
    }
    formatters_columns = {
        "ceiling_amount": formatting.rupiah,
        "start_date": formatting.long_date,
        "end_date": formatting.long_date,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "sponsor": PickerField(_l("Sponsor"), [DataRequired()], kind="sponsor"),
    }

    def pre_add(self, item):
        item.regency_id = item.sponsor.regency_id
        super().pre_add(item)

    def pre_update(self, item):
        item.regency_id = item.sponsor.regency_id
        super().pre_update(item)
