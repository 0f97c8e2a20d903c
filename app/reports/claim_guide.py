"""The claim guide for the heirs: what the family is owed, the documents to bring, where to go."""

from __future__ import annotations

import datetime as dt

from flask import url_for

from app.models import Claim
from app.reports.pdf import render_pdf
from app.services import claims


def guide_context(session, claim: Claim) -> dict:
    """Everything the guide shows, worded in the reader's language."""
    children = [heir for heir in claim.heirs if heir.scholarship]
    return {
        "claim": claim,
        "worker": claim.worker,
        "reason": claims.reason_text(claim),
        "branch": claims.serving_branch(session, claim.regency_id),
        "documents": claims.documents(claim),
        "children": children,
        "scholarship_total": sum(y.amount for heir in children for y in heir.years),
        "generated": dt.date.today(),
    }


def claim_guide_pdf(session, claim: Claim) -> bytes:
    """Render the guide of a claim (or the note of an uncovered event) as PDF."""
    return render_pdf(
        "reports/claim_guide.html",
        url_for("static", filename="", _external=True),
        **guide_context(session, claim),
    )
