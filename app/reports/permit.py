"""The permit document: a certificate of participation, or the refusal note with what to do."""

from __future__ import annotations

import segno
from flask import url_for

from app.models import Decision, IssuedLetter, PermitCheck
from app.reports.letter import letter_context
from app.reports.pdf import render_pdf
from app.services.compliance import check_title
from app.services.permits import stored_checks


def permit_context(permit: PermitCheck, letter: IssuedLetter) -> dict:
    """Everything the template shows, worded in the reader's language, on the permit office's
    letterhead with the number kept for the decision."""
    checks = [
        {"title": check_title(c.code), "passed": c.passed, "reason": c.reason}
        for c in stored_checks(permit)
    ]
    context = {
        "permit": permit,
        "company": permit.company,
        "checks": checks,
        "issued": permit.decision == Decision.ISSUED,
        "qr": None,
        "verify_url": None,
        **letter_context(letter, permit.regency),
    }
    if context["issued"]:
        url = url_for("VerifyView.verify", code=permit.verification_code, _external=True)
        context["verify_url"] = url
        context["qr"] = segno.make(url, error="m").svg_data_uri(scale=3, dark="#0b5d4b")
    return context


def permit_pdf(permit: PermitCheck, letter: IssuedLetter) -> bytes:
    """Render the certificate or the refusal note of a permit decision."""
    return render_pdf(
        "reports/permit.html",
        url_for("static", filename="", _external=True),
        **permit_context(permit, letter),
    )
