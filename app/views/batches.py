"""Enrollment batch screens: the maker's draft and upload, the supervisor's decision."""

from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import formatting
from app.exports import csv_bytes
from app.extensions import db
from app.models import BatchStatus, EnrollmentBatch, Opd, Village
from app.models.base import choice_label
from app.scope import current_scope
from app.services import ServiceError, batches
from app.services.batch_import import TEMPLATE_HEADERS
from app.views.base import Interface, ScopedModelView
from app.views.pickers import PickerField


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BatchView(ScopedModelView):
    datamodel = Interface(EnrollmentBatch)
    list_title = _l("Enrollment batches")
    show_title = _l("Enrollment batch")
    add_title = _l("New enrollment batch")
    edit_title = _l("Edit an enrollment batch")
    list_columns = [
        "title",
        "village.name",
        "sponsor.name",
        "status",
        "period_start",
        "period_end",
        "maker",
    ]
    show_columns = [
        "title",
        "regency",
        "village",
        "opd",
        "sponsor",
        "programs",
        "period_start",
        "period_end",
        "status",
        "maker",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "file_name",
    ]
    add_columns = edit_columns = [
        "title",
        "sponsor",
        "village",
        "jkk",
        "jkm",
        "jht",
        "period_start",
        "period_end",
    ]
    search_columns = ["title", "status", "period_start"]
    order_columns = ["title", "status", "period_start"]
    base_order = ("id", "desc")
    show_template = "batch_show.html"
    method_permission_name = ScopedModelView.method_permission_name | {
        "upload": "edit",
        "submit": "edit",
        "decide": "decide",
        "template": "list",
        "record": "show",
    }
    label_columns = {
        "title": _l("Title"),
        "regency": _l("Regency"),
        "village": _l("Village"),
        "village.name": _l("Village"),
        "opd": _l("OPD"),
        "sponsor": _l("Paid by (sponsor)"),
        "sponsor.name": _l("Paid by (sponsor)"),
        "programs": _l("Programs"),
        "jkk": _l("JKK (work accident)"),
        "jkm": _l("JKM (death)"),
        "jht": _l("JHT (old-age savings)"),
        "period_start": _l("From"),
        "period_end": _l("Until"),
        "status": _l("Status"),
        "maker": _l("Made by"),
        "submitted_at": _l("Submitted at"),
        "decided_by": _l("Decided by"),
        "decided_at": _l("Decided at"),
        "decision_note": _l("Decision note"),
        "file_name": _l("File"),
    }
    description_columns = {
        "village": _l("The village whose workers are proposed; village operators get theirs."),
        "sponsor": _l("APBD, village funds, CSR or provincial budget that pays."),
    }
    formatters_columns = {
        "status": choice_label,
        "period_start": formatting.long_date,
        "period_end": formatting.long_date,
        "submitted_at": formatting.long_date,
        "decided_at": formatting.long_date,
        "programs": lambda programs: ", ".join(p.upper() for p in programs),
        "opd": lambda value: value or "—",
        "decided_by": lambda value: value or "—",
        "decision_note": lambda value: value or "—",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "sponsor": PickerField(_l("Paid by (sponsor)"), kind="sponsor"),
        "village": PickerField(_l("Village"), kind="village"),
    }

    def pre_add(self, item):
        scope = current_scope()
        if item.sponsor is None:
            raise ServiceError(_("Choose the sponsor that pays."), field="sponsor")
        if scope.village_id:
            item.village = db.session.get(Village, scope.village_id)
        if scope.opd_id:
            item.opd = db.session.get(Opd, scope.opd_id)
        item.regency_id = (
            item.village.regency_id if item.village is not None else item.sponsor.regency_id
        )
        item.maker_id, item.created_at, item.status = g.user.id, _now(), BatchStatus.DRAFT
        if not (item.jkk and item.jkm):
            raise ServiceError(_("Every enrollment includes JKK and JKM."), field="jkk")
        if item.period_start and item.period_end and item.period_end < item.period_start:
            raise ServiceError(
                _("The end date cannot be before the start date."), field="period_end"
            )
        super().pre_add(item)

    def pre_update(self, item):
        if item.status not in batches.EDITABLE:
            raise ServiceError(_("Only a draft or returned batch can be changed."))
        super().pre_update(item)

    def pre_delete(self, item):
        if item.status not in batches.EDITABLE:
            raise ServiceError(_("Only a draft or returned batch can be deleted."))

    def render_template(self, template, **kwargs):
        """Give the batch page its rows, their errors, the cost and what the user may do."""
        if template == self.show_template and kwargs.get("pk") is not None:
            batch = self.scoped_get(kwargs["pk"])
            if batch is not None:
                kwargs.update(batch_page(self, batch))
        return super().render_template(template, **kwargs)

    def _batch_or_404(self, pk):
        batch = self.scoped_get(pk)
        if batch is None:
            abort(404)
        return batch

    @expose("/upload/<int:pk>", methods=["POST"])
    @has_access
    def upload(self, pk):
        """Check an uploaded CSV or XLSX file and stage its rows in the draft."""
        batch = self._batch_or_404(pk)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a CSV or XLSX file."), "danger")
            return redirect(url_for("BatchView.show", pk=pk))
        try:
            summary = batches.stage_file(
                db.session, batch, upload.filename, upload.read(), rules(current_app)
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("BatchView.show", pk=pk))
        flash(
            _(
                "%(rows)d rows read: %(valid)d valid, %(invalid)d to correct.",
                **{k: summary[k] for k in ("rows", "valid", "invalid")},
            ),
            "info",
        )
        if summary["seen_in"]:
            flash(
                _(
                    "The same file was already uploaded in batch %(ids)s.",
                    ids=", ".join(f"#{i}" for i in summary["seen_in"]),
                ),
                "warning",
            )
        return redirect(url_for("BatchView.show", pk=pk))

    @expose("/submit/<int:pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        """Send the valid rows to the supervisor."""
        batch = self._batch_or_404(pk)
        return self._run(
            pk,
            lambda: batches.submit(db.session, batch, g.user.id, _now()),
            _("The batch was submitted to the supervisor."),
        )

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        """Approve and enroll, reject, or return a submitted batch."""
        self._batch_or_404(pk)
        return self._run(
            pk,
            lambda: batches.decide(
                db.session,
                pk,
                g.user.id,
                request.form.get("decision", ""),
                request.form.get("note"),
                _now(),
            ),
            _("The decision was recorded."),
        )

    def _run(self, pk, step, success: str):
        try:
            step()
            db.session.commit()
            flash(success, "success")
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        return redirect(url_for("BatchView.show", pk=pk))

    @expose("/record/<int:pk>")
    @has_access
    def record(self, pk):
        """Download the berita acara of an approved batch as PDF."""
        from app.reports.batch import record_pdf

        batch = self._batch_or_404(pk)
        if batch.status != BatchStatus.ENROLLED:
            abort(404)
        response = Response(record_pdf(batch), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="berita-acara-{pk}.pdf"'
        return response

    @expose("/template.csv")
    @has_access
    def template(self):
        """Download the empty file to fill in, with its Indonesian headers."""
        example = [
            [
                "6203012003850001",
                "Contoh Nama",
                "1985-03-20",
                "L",
                "62.03.01.2011",
                "vulnerable",
                "2",
                "1000000",
            ]
        ]
        response = Response(csv_bytes(TEMPLATE_HEADERS, example), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="templat-batch.csv"'
        return response


FIELD_LABELS = {
    "nik": _l("NIK"),
    "name": _l("Name"),
    "birth_date": _l("Birth date"),
    "sex": _l("Sex"),
    "village_code": _l("Village"),
    "segment": _l("Segment"),
    "dtsen_decile": _l("DTSEN welfare decile"),
    "declared_income": _l("Declared wage or income"),
}


def rules(app) -> dict:
    return {"max_age": app.config["BATCH_MAX_AGE"], "max_decile": app.config["BATCH_MAX_DECILE"]}


def batch_page(view, batch: EnrollmentBatch) -> dict:
    """What the batch page shows besides the record itself."""
    sm, user = view.appbuilder.sm, g.user
    editable = batch.status in batches.EDITABLE
    rows = [
        {"row": row, "errors": json.loads(row.errors) if row.errors else {}} for row in batch.rows
    ]
    return {
        "field_labels": FIELD_LABELS,
        "batch": batch,
        "rows": rows,
        "valid_count": sum(r.valid for r in batch.rows),
        "monthly_cost": batches.monthly_cost(db.session, batch),
        "can_upload": editable
        and batch.maker_id == user.id
        and sm.has_access("can_edit", view.class_permission_name),
        "can_decide": batch.status == BatchStatus.SUBMITTED
        and batch.maker_id != user.id
        and sm.has_access("can_decide", view.class_permission_name),
    }
