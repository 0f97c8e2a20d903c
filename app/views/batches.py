"""Enrollment batch screens: the maker's draft and upload, the supervisor's decision."""

from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import background, formatting
from app.exports import csv_bytes, export_response
from app.extensions import db
from app.models import BatchRow, BatchStatus, EnrollmentBatch, Segment
from app.reports.batch import approved_list, record_pdf
from app.scope import current_scope
from app.services import ServiceError, audit, batch_drafts, batches
from app.services.batch_import import MAX_BYTES, TEMPLATE_HEADERS
from app.views.base import REFUSED, Interface, ScopedModelView, attempt
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
        "fix_row": "edit",
        "remove_row": "edit",
        "progress": "show",
        "export_enrolled": "show",
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
        "status": BatchStatus.label_of,
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
        batches.prepare_new(db.session, item, current_scope(), g.user.id, _now())

    def post_add(self, item):
        g.added_batch_id = item.id
        super().post_add(item)

    def post_add_redirect(self):
        """A new batch opens on its own page, where the operator uploads the file."""
        if getattr(g, "added_batch_id", None):
            return redirect(url_for("BatchView.show", pk=g.added_batch_id))
        return super().post_add_redirect()

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
        """Keep an uploaded CSV or XLSX file and check it in the background."""
        batch = self._batch_or_404(pk)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a CSV or XLSX file."), "danger")
            return redirect(url_for("BatchView.show", pk=pk))
        if batch.maker_id != g.user.id:
            flash(_("Only the maker of a batch gives it a file."), "danger")
            return redirect(url_for("BatchView.show", pk=pk))
        data = upload.read(MAX_BYTES + 1)
        batch_drafts.fail_stale_checks(db.session, _now(), pk)  # a cut-off check frees it
        queued = attempt(
            lambda: batch_drafts.queue_file(db.session, batch, upload.filename, data, _now())
        )
        if queued is REFUSED:
            return redirect(url_for("BatchView.show", pk=pk))
        background.submit(
            "batch-check",
            run_check,
            pk,
            rules(current_app),
            str(get_locale()),
            beat=(EnrollmentBatch, pk, "check_heartbeat_at"),
        )
        flash(_("The file is being checked; this page shows the progress."), "info")
        return redirect(url_for("BatchView.show", pk=pk))

    @expose("/progress/<int:pk>")
    @has_access
    def progress(self, pk):
        """How far the check of the batch's file is (polled by the batch page)."""
        batch = self._batch_or_404(pk)
        if batch_drafts.check_is_stale(batch, _now()):  # its worker died: failed, not "running"
            return jsonify(
                status="failed",
                done=batch.check_done,
                total=batch.check_total,
                percent=batch.check_percent,
                error=str(batch_drafts.INTERRUPTED),
            )
        return jsonify(
            status=batch.check_status,
            done=batch.check_done,
            total=batch.check_total,
            percent=batch.check_percent,
            error=batch.check_error,
        )

    @expose("/row/<int:pk>/<int:row_id>", methods=["GET", "POST"])
    @has_access
    def fix_row(self, pk, row_id):
        """Correct one row on screen; it is saved only once every field is right."""
        batch, row = self._row_or_404(pk, row_id)
        errors: dict = {}
        values = batch_drafts.row_record(row)
        if request.method == "POST":
            values = {name: request.form.get(name, "").strip() for name in batch_drafts.ROW_FIELDS}
            try:
                errors = batch_drafts.fix_row(db.session, batch, row, values, rules(current_app))
            except ServiceError as exc:
                db.session.rollback()
                flash(str(exc.message), "danger")
                return redirect(url_for("BatchView.show", pk=pk))
            if not errors:
                db.session.commit()
                flash(_("Line %(line)d is corrected.", line=row.line), "success")
                return redirect(url_for("BatchView.show", pk=pk, only="problems"))
            db.session.rollback()
        elif row.errors:
            errors = json.loads(row.errors)
        return self.render_template(
            "batch_row.html",
            batch=batch,
            row=row,
            values=values,
            errors=errors,
            field_labels=FIELD_LABELS,
            segments=Segment,
            title=_("Correct line %(line)d", line=row.line),
        )

    @expose("/row/<int:pk>/<int:row_id>/remove", methods=["POST"])
    @has_access
    def remove_row(self, pk, row_id):
        """Take a row out of the batch."""
        batch, row = self._row_or_404(pk, row_id)
        line = row.line
        return self._run(
            pk,
            lambda: batch_drafts.remove_row(db.session, batch, row, rules(current_app)),
            _("Line %(line)d was removed from the batch.", line=line),
        )

    def _row_or_404(self, pk, row_id):
        batch = self._batch_or_404(pk)
        row = db.session.get(BatchRow, row_id)
        if row is None or row.batch_id != batch.id:
            abort(404)
        if batch.maker_id != g.user.id:
            abort(403)
        return batch, row

    @expose("/export/<int:pk>/<fmt>")
    @has_access
    def export_enrolled(self, pk, fmt):
        """The approved list in the layout the BPJS branch loads (CSV or XLSX)."""
        batch = self._batch_or_404(pk)
        if fmt not in ("csv", "xlsx") or batch.status != BatchStatus.ENROLLED:
            abort(404)
        labels, rows = approved_list(db.session, batch)
        audit.record(
            db.session,
            "export",
            "EnrollmentBatch",
            batch.id,
            regency_id=batch.regency_id,
            format=fmt,
            rows=len(rows),
        )
        return export_response(f"peserta-batch-{batch.id}", fmt, labels, rows)

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
        attempt(step, success)
        return redirect(url_for("BatchView.show", pk=pk))

    @expose("/record/<int:pk>")
    @has_access
    def record(self, pk):
        """Download the berita acara of an approved batch as PDF."""
        batch = self._batch_or_404(pk)
        if batch.status != BatchStatus.ENROLLED:
            abort(404)
        letter = batches.record_letter(db.session, batch)
        response = Response(record_pdf(batch, letter), mimetype="application/pdf")
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


ROWS_PER_PAGE = 100


def run_check(app, batch_id: int, check_rules: dict, locale: str) -> None:
    """Background: check a batch's queued file in the uploader's language."""
    with app.app_context(), force_locale(locale):
        batch_drafts.check_pending(db.session, batch_id, check_rules)


def batch_page(view, batch: EnrollmentBatch) -> dict:
    """What the batch page shows besides the record itself, and what the user may do on it."""
    sm, user = view.appbuilder.sm, g.user
    overview = batch_drafts.overview(
        db.session,
        batch,
        current_scope(),
        _now(),
        page=request.args.get("page", 1, type=int),
        only_problems=request.args.get("only") == "problems",
        per_page=ROWS_PER_PAGE,
    )
    shown = [item["row"].id for item in overview["rows"]]
    if shown:  # the rows carry NIKs and birth dates: a read of personal data
        audit.record_list_read(db.session, "BatchRow", shown, channel="screen", batch=batch.id)
    is_maker = batch.maker_id == user.id
    return overview | {
        "field_labels": FIELD_LABELS,
        "can_upload": batch.status in batches.EDITABLE
        and is_maker
        and not overview["checking"]
        and sm.has_access("can_edit", view.class_permission_name),
        "can_decide": batch.status == BatchStatus.SUBMITTED
        and not is_maker
        and sm.has_access("can_decide", view.class_permission_name),
    }
