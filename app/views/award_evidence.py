"""The panel's evidence files: downloaded by whoever sees the participant, removed by markers."""

from __future__ import annotations

import io

from flask import abort, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.models import AwardEvidence, AwardPeriod
from app.scope import current_scope
from app.services import audit, award_evidence, awards
from app.views.awards import scored_subject
from app.views.base import attempt


def _evidence(pk: int) -> tuple[AwardEvidence, AwardPeriod]:
    evidence = db.session.get(AwardEvidence, pk)
    if evidence is None:
        abort(404)
    return evidence, evidence.indicator.period


class AwardEvidenceView(BaseView):
    """Evidence files of the award's panel marks (permissions are the award screens')."""

    route_base = "/awards/evidence"
    class_permission_name = "AwardView"
    method_permission_name = {"download": "show", "remove": "mark"}

    @expose("/<int:pk>")
    @has_access
    def download(self, pk):
        """Send an evidence file as an attachment to a user who sees its participant."""
        evidence, period = _evidence(pk)
        category = evidence.indicator.category
        scored_subject(period, category, evidence.subject_id, current_scope())
        content, name, mimetype = evidence.content, evidence.filename, evidence.content_type
        audit.record(  # commits, which expires the record: its fields are read before
            db.session, "read", "AwardEvidence", evidence.id, regency_id=evidence.regency_id,
            filename=name, sha256=evidence.sha256,
        )  # fmt: skip
        return send_file(
            io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name,
            max_age=0,
        )  # fmt: skip

    @expose("/<int:pk>/remove", methods=["POST"])
    @has_access
    def remove(self, pk):
        """Delete an evidence file of a participant the user may mark, while the period is open."""
        evidence, period = _evidence(pk)
        category, subject_id = evidence.indicator.category, evidence.subject_id
        score = scored_subject(period, category, subject_id, None)
        if not awards.may_mark(current_scope(), category, score.regency_id):
            abort(404)
        back = url_for(
            "AwardView.subject", year=period.year, category=category, subject_id=subject_id
        )
        name = evidence.filename
        attempt(
            lambda: award_evidence.remove(db.session, evidence),
            _("The evidence file %(name)s is removed.", name=name),
        )
        return redirect(back)
