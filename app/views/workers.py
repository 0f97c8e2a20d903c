"""Worker and enrollment screens."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app import formatting
from app.extensions import db
from app.models import (
    Enrollment,
    EnrollmentStatus,
    PayerType,
    Segment,
    Sex,
    WelfareSource,
    Worker,
)
from app.scope import current_scope
from app.services import ServiceError, audit
from app.services.enrollments import end_enrollment, prepare_enrollment
from app.services.workers import (
    cover_summary,
    find_workers,
    validate_worker,
    worker_dependents,
)
from app.views.base import Interface, ScopedModelView, attempt
from app.views.fields import ChoiceField
from app.views.pickers import PickerField

WORKER_LABELS = {
    "nik": _l("NIK"),
    "name": _l("Full name"),
    "birth_date": _l("Birth date"),
    "sex": _l("Sex"),
    "kpj": _l("KPJ card no."),
    "phone": _l("Phone"),
    "village": _l("Village"),
    "village.name": _l("Village"),
    "regency": _l("Regency"),
    "regency.name": _l("Regency"),
    "rt": _l("RT"),
    "rw": _l("RW"),
    "address": _l("Address"),
    "segment": _l("Segment"),
    "company": _l("Employer (company)"),
    "company.name": _l("Employer"),
    "opd": _l("Employer (OPD)"),
    "employer_village": _l("Employer (village government)"),
    "dtsen_decile": _l("DTSEN welfare decile"),
    "welfare_source": _l("Welfare data source"),
    "welfare_verified_by": _l("Verified by"),
    "welfare_verified_at": _l("Verified on"),
    "active_cover": _l("Protection"),
}


def cover(enrollment) -> str:
    """A worker's protection in a list cell: programs and until when, or not protected."""
    if enrollment is None:
        return _("Not protected")
    until = (
        _("until %(date)s", date=formatting.long_date(enrollment.end_date))
        if enrollment.end_date
        else _("no end date")
    )
    return f"{enrollment.programs_label} · {until}"


class EnrollmentView(ScopedModelView):
    datamodel = Interface(Enrollment)
    list_title = _l("Enrollments")
    show_title = _l("Enrollment")
    add_title = _l("Enroll a worker")
    edit_title = _l("Edit an enrollment")
    list_columns = [
        "worker.name",
        "programs_label",
        "payer_type",
        "status",
        "start_date",
        "monthly_contribution",
        "regency.name",
    ]
    show_fieldsets = [
        (
            _l("Participation"),
            {"fields": ["worker", "programs_label", "status", "start_date", "end_date"]},
        ),
        (
            _l("Payment"),
            {
                "fields": [
                    "payer_type",
                    "payer",
                    "declared_wage",
                    "monthly_contribution",
                    "worker_share",
                ]
            },
        ),
    ]
    add_columns = edit_columns = [
        "worker",
        "jkk",
        "jkm",
        "jht",
        "jp",
        "jkp",
        "start_date",
        "end_date",
        "payer_type",
        "company",
        "sponsor",
        "declared_wage",
    ]
    search_columns = ["status", "payer_type", "start_date", "regency"]
    order_columns = ["start_date", "monthly_contribution", "status"]
    base_order = ("start_date", "desc")
    label_columns = {
        "worker": _l("Worker"),
        "worker.name": _l("Worker"),
        "programs_label": _l("Programs"),
        "jkk": _l("JKK (work accident)"),
        "jkm": _l("JKM (death)"),
        "jht": _l("JHT (old-age savings)"),
        "jp": _l("JP (pension)"),
        "jkp": _l("JKP (job loss)"),
        "start_date": _l("Start"),
        "end_date": _l("End"),
        "status": _l("Status"),
        "payer_type": _l("Paid by"),
        "payer": _l("Payer"),
        "company": _l("Employer (when the employer pays)"),
        "sponsor": _l("Sponsor (APBD, APBDes, CSR, province)"),
        "declared_wage": _l("Declared wage or income"),
        "monthly_contribution": _l("Monthly contribution"),
        "worker_share": _l("Worker's share"),
        "regency": _l("Regency"),
        "regency.name": _l("Regency"),
    }
    description_columns = {
        "declared_wage": _l(
            "Monthly wage for wage earners; declared income for informal "
            "workers (Rp 1.000.000 gives the Rp 16.800 JKK+JKM rate)."
        ),
        "jkp": _l("Job-loss insurance, wage earners only."),
    }
    formatters_columns = {
        "payer_type": PayerType.label_of,
        "status": EnrollmentStatus.label_of,
        "start_date": formatting.long_date,
        "end_date": formatting.long_date,
        "monthly_contribution": formatting.rupiah,
        "worker_share": formatting.rupiah,
        "declared_wage": formatting.wage,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "worker": PickerField(_l("Worker"), [DataRequired()], kind="worker"),
        "company": PickerField(_l("Employer (when the employer pays)"), kind="company"),
        "sponsor": PickerField(_l("Sponsor (APBD, APBDes, CSR, province)"), kind="sponsor"),
        "payer_type": ChoiceField(_l("Paid by"), PayerType.choices()),
    }

    def pre_add(self, item):
        prepare_enrollment(db.session, item)
        super().pre_add(item)

    def pre_update(self, item):
        prepare_enrollment(db.session, item)
        super().pre_update(item)

    def pre_delete(self, item):
        if item.status != "draft":
            raise ServiceError(
                _("Only draft enrollments can be deleted; end the enrollment instead.")
            )

    @action(
        "end",
        _l("End enrollment"),
        _l("End the selected enrollments as of today?"),
        "fa-stop",
        multiple=False,
    )
    def end(self, item):
        attempt(lambda: end_enrollment(db.session, item, dt.date.today()))
        return redirect(self.get_redirect())


class WorkerView(ScopedModelView):
    datamodel = Interface(Worker)
    list_title = _l("Workers")
    show_title = _l("Worker")
    add_title = _l("Register a worker")
    edit_title = _l("Edit a worker")
    list_columns = [
        "nik",
        "name",
        "segment",
        "village.name",
        "regency.name",
        "company.name",
        "active_cover",
    ]
    eager_columns = ("active_cover",)
    show_fieldsets = [
        (_l("Identity"), {"fields": ["nik", "name", "birth_date", "sex", "kpj", "phone"]}),
        (_l("Address"), {"fields": ["village", "rt", "rw", "address"]}),
        (_l("Work"), {"fields": ["segment", "company", "opd", "employer_village"]}),
        (
            _l("Welfare data"),
            {
                "fields": [
                    "dtsen_decile",
                    "welfare_source",
                    "welfare_verified_by",
                    "welfare_verified_at",
                ]
            },
        ),
    ]
    add_columns = edit_columns = [
        "nik",
        "name",
        "birth_date",
        "sex",
        "kpj",
        "phone",
        "village",
        "rt",
        "rw",
        "address",
        "segment",
        "company",
        "opd",
        "employer_village",
        "dtsen_decile",
        "welfare_source",
        "welfare_verified_by",
        "welfare_verified_at",
    ]
    search_columns = ["name", "segment", "sex", "regency"]  # and the named filters (worklists)
    order_columns = ["name", "segment"]
    base_order = ("name", "asc")
    related_views = [EnrollmentView]
    label_columns = WORKER_LABELS
    description_columns = {
        "nik": _l("16 digits from the KTP; the birth date and sex must match it."),
        "kpj": _l("BPJS Ketenagakerjaan membership card number, if known."),
        "dtsen_decile": _l("1 (poorest) to 10; social assistance usually targets 1-4."),
        "village": _l("Village of domicile; type at least two letters."),
    }
    formatters_columns = {
        "nik": formatting.nik,
        "birth_date": formatting.birth_date,
        "phone": formatting.phone,
        "sex": Sex.label_of,
        "segment": Segment.label_of,
        "welfare_source": WelfareSource.label_of,
        "welfare_verified_at": formatting.long_date,
        "active_cover": cover,
    }
    export_columns = [
        "nik",
        "name",
        "sex",
        "segment",
        "village.name",
        "regency.name",
        "company.name",
        "kpj",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "sex": ChoiceField(_l("Sex"), Sex.choices()),
        "segment": ChoiceField(_l("Segment"), Segment.choices()),
        "welfare_source": ChoiceField(
            _l("Welfare data source"), WelfareSource.choices(), blank=True
        ),
        "village": PickerField(_l("Village"), [DataRequired()], kind="village"),
        "employer_village": PickerField(_l("Employer (village government)"), kind="village"),
        "company": PickerField(_l("Employer (company)"), kind="company"),
        "opd": PickerField(_l("Employer (OPD)"), kind="opd"),
    }

    def pre_add(self, item):
        validate_worker(db.session, item, current_scope(), current_app.config["KPJ_PATTERN"])

    def pre_update(self, item):
        super().pre_update(item)
        validate_worker(db.session, item, current_scope(), current_app.config["KPJ_PATTERN"])

    def pre_delete(self, item):
        if worker_dependents(item):
            raise ServiceError(
                _("This worker has enrollments or contributions and cannot be deleted.")
            )

    list_template = "worker_list.html"
    method_permission_name = ScopedModelView.method_permission_name | {"find": "list"}

    @expose("/find", methods=["POST"])
    @has_access
    def find(self):
        """Open a worker by NIK, the NIK's last digits or KPJ; letters search the names.

        Posted, so an NIK stays out of URLs and logs. One match opens the worker's page; several
        are listed (masked as in the list); a name opens the list filtered by it.
        """
        found = find_workers(
            db.session,
            request.form.get("q", ""),
            current_scope(),
            current_app.config["KPJ_PATTERN"],
        )
        if found.by_name is not None:
            return redirect(url_for("WorkerView.list", _flt_2_name=found.by_name))
        if found.refusal:
            flash(found.refusal, "warning")
            return redirect(url_for("WorkerView.list"))
        if not found.workers:
            flash(_("No worker with that NIK or KPJ number in your area."), "warning")
            return redirect(url_for("WorkerView.list"))
        if len(found.workers) == 1:
            return redirect(url_for("WorkerView.show", pk=found.workers[0].id))
        audit.record_list_read(db.session, "Worker", [w.id for w in found.workers], channel="find")
        return self.render_template(
            "worker_matches.html",
            workers=found.workers,
            more=found.more,
            title=_("Workers found"),
            nik=formatting.nik,
            cover=cover,
        )

    show_template = "worker_show.html"

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """A worker's page, with the protection summary band at its top."""
        item = self.scoped_get(pk)
        if item is None:
            abort(404)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            summary=cover_summary(db.session, item, dt.date.today()),
        )
