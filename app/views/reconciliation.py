"""Reconciliation with a BPJS branch extract: upload, the imports, the discrepancy worklist."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import background
from app.extensions import db
from app.models import Discrepancy, DiscrepancyKind, DiscrepancyStatus, ReconciliationRun
from app.scope import current_scope, get_in_scope, read_clause
from app.services import reconciliation
from app.views.base import REFUSED, attempt

PER_PAGE = 50


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_import(app, run_id: int, locale: str) -> None:
    """Background: import a queued extract in the uploader's language."""
    with app.app_context(), force_locale(locale):
        reconciliation.run_import(db.session, run_id)


class ReconciliationView(BaseView):
    """Import a branch extract and work through the discrepancies it reveals."""

    route_base = "/reconciliation"
    default_view = "index"
    method_permission_name = {
        "index": "list",
        "run": "list",
        "progress": "list",
        "worklist": "list",
        "upload": "upload",
        "resolve": "resolve",
    }

    def _can(self, action: str) -> bool:
        return self.appbuilder.sm.has_access(f"can_{action}", self.class_permission_name)

    @expose("/")
    @has_access
    def index(self):
        runs = db.session.scalars(
            select(ReconciliationRun)
            .where(read_clause(ReconciliationRun))
            .order_by(ReconciliationRun.id.desc())
            .limit(50)
        ).all()
        return self.render_template(
            "reconciliation_runs.html",
            title=_("Reconciliation with BPJS branch data"),
            runs=runs,
            can_upload=self._can("upload"),
            now=_now(),
            stale=reconciliation.is_stale,
        )

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        """Keep an uploaded extract and import it in the background."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a CSV or XLSX file."), "danger")
            return redirect(url_for("ReconciliationView.index"))
        data = upload.read(reconciliation.MAX_BYTES + 1)
        run = attempt(
            lambda: reconciliation.queue_extract(
                db.session, current_scope(), g.user.id, upload.filename, data, _now()
            )
        )
        if run is REFUSED:
            return redirect(url_for("ReconciliationView.index"))
        background.submit(
            "reconciliation",
            run_import,
            run.id,
            str(get_locale()),
            beat=(ReconciliationRun, run.id, "heartbeat_at"),
        )
        flash(_("The extract is being imported; this page shows the progress."), "info")
        return redirect(url_for("ReconciliationView.run", pk=run.id))

    def _run_or_404(self, pk) -> ReconciliationRun:
        run = get_in_scope(db.session, ReconciliationRun, pk)
        if run is None:
            abort(404)
        return run

    @expose("/run/<int:pk>")
    @has_access
    def run(self, pk):
        run = self._run_or_404(pk)
        counts = dict(
            db.session.execute(
                select(Discrepancy.kind, func.count())
                .where(Discrepancy.run_id == run.id, read_clause(Discrepancy))
                .group_by(Discrepancy.kind)
            ).all()
        )
        return self.render_template(
            "reconciliation_run.html",
            title=_("Import of %(name)s", name=run.file_name),
            run=run,
            stale=reconciliation.is_stale(run, _now()),
            interrupted=str(reconciliation.INTERRUPTED),
            counts=[(kind, counts.get(kind.value, 0)) for kind in DiscrepancyKind],
        )

    @expose("/progress/<int:pk>")
    @has_access
    def progress(self, pk):
        """How far an import is (polled by its page); a silent worker reads as failed."""
        run = self._run_or_404(pk)
        stale = reconciliation.is_stale(run, _now())
        return jsonify(
            status="failed" if stale else run.status,
            done=run.rows_done,
            total=run.rows_total,
            percent=run.percent,
            error=str(reconciliation.INTERRUPTED) if stale else run.error,
        )

    @expose("/worklist")
    @has_access
    def worklist(self):
        kind = request.args.get("kind") or None
        status = request.args.get("status") or DiscrepancyStatus.OPEN.value
        query = reconciliation.worklist(db.session, current_scope(), kind, status)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
        items = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
        return self.render_template(
            "reconciliation_worklist.html",
            title=_("Reconciliation discrepancies"),
            items=items,
            total=total,
            page=page,
            pages=pages,
            kind=kind,
            status=status,
            kinds=list(DiscrepancyKind),
            statuses=list(DiscrepancyStatus),
            can_resolve=self._can("resolve"),
        )

    @expose("/resolve/<int:pk>", methods=["GET", "POST"])
    @has_access
    def resolve(self, pk):
        item = get_in_scope(db.session, Discrepancy, pk)
        if item is None:
            abort(404)
        if request.method == "POST":
            done = attempt(
                lambda: reconciliation.resolve(
                    db.session, current_scope(), pk, g.user.id, request.form.get("note"), _now()
                ),
                _("The discrepancy was resolved."),
            )
            if done is not REFUSED:
                return redirect(url_for("ReconciliationView.worklist"))
            item = get_in_scope(db.session, Discrepancy, pk)
        return self.render_template(
            "reconciliation_resolve.html", title=_("Resolve a discrepancy"), item=item
        )
