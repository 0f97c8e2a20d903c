"""Permit decisions: find the company, record the officer's decision, issue and verify
certificates, and check construction projects before they are saved."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.models import Company, ConstructionProject, Decision, LetterKind, PermitCheck
from app.services import Conflict, NotFound, ServiceError, letters
from app.services.compliance import Check, evaluate
from app.services.identifiers import InvalidIdentifier, validate_nib, validate_npwp


def identify(value: str) -> tuple[str, str]:
    """Tell which identifier a typed value is (nib, npwp or npp) and normalise it.

    Raises ServiceError (400) when it is none of them.
    """
    compact = "".join(str(value or "").split()).replace(".", "").replace("-", "")
    if compact.isdigit() and len(compact) == 13:
        return "nib", validate_nib(compact)
    if compact.isdigit() and len(compact) in (15, 16):
        try:
            return "npwp", validate_npwp(compact)
        except InvalidIdentifier as exc:
            raise _malformed() from exc
    if 8 <= len(compact) <= 12 and compact.isalnum():
        return "npp", compact.upper()
    raise _malformed()


def _malformed() -> ServiceError:
    error = ServiceError(
        _("Give an NIB (13 digits), an NPWP (15 or 16 digits) or an NPP."), field="identifier"
    )
    error.status = 400
    return error


def find_company(session, value: str, scope) -> Company:
    """Find the company with an NIB, NPWP or NPP inside a scope, or raise NotFound."""
    kind, normalised = identify(value)
    candidates = {normalised}
    if kind == "npwp":  # the 16-digit form of a company's NPWP is "0" + the 15-digit one
        candidates.add(normalised[1:] if len(normalised) == 16 else "0" + normalised)
    company = session.scalars(
        select(Company)
        .options(joinedload(Company.regency))
        .where(getattr(Company, kind).in_(candidates), Company.scope_clause(scope))
        .order_by(Company.id)
    ).first()
    if company is None:
        raise NotFound(_("No company with that identifier in your area."), field="identifier")
    return company


def record_decision(
    session,
    company: Company,
    *,
    permit_type: str,
    application_number: str,
    decision: str,
    officer_id: int | None,
    note: str | None,
    now: dt.datetime,
) -> PermitCheck:
    """Check a company now and record the officer's decision on the application, in one step.

    A certificate is issued only to a compliant company; a refusal keeps the reasons. Either
    document gets its letter number from the permit office now. The caller commits.
    """
    if decision not in (Decision.ISSUED, Decision.REFUSED):
        raise ServiceError(_("Choose to issue a certificate or to refuse."), field="decision")
    application_number = (application_number or "").strip()
    if not application_number:
        raise ServiceError(_("Enter the permit application number."), field="application_number")
    verdict = evaluate(session, company, now.date())
    if decision == Decision.ISSUED and not verdict.compliant:
        raise Conflict(
            _(
                "The company does not meet every check; a certificate cannot be "
                "issued. Record a refusal instead."
            ),
            field="decision",
        )
    check = PermitCheck(
        company=company,
        regency_id=company.regency_id,
        permit_type=permit_type,
        application_number=application_number[:60],
        checked_at=now,
        compliant=verdict.compliant,
        verdict=verdict.checks_json(),
        parameters=json.dumps(verdict.parameters, default=str),
        decision=decision,
        decided_at=now,
        officer_id=officer_id,
        note=(note or "").strip()[:500] or None,
    )
    session.add(check)
    session.flush()
    if decision == Decision.ISSUED:
        check.certificate_number = f"SKK/{company.regency.code}/{now:%Y}/{check.id:06d}"
        check.verification_code = secrets.token_urlsafe(15)
        check.valid_until = now.date() + dt.timedelta(days=verdict.parameters["certificate_days"])
    letters.issue_for(session, letter_kind(check), check, company.regency, now, officer_id)
    return check


def letter_kind(permit: PermitCheck) -> str:
    """The letter a decision is written as: the certificate or the note of refusal."""
    if permit.decision == Decision.ISSUED:
        return LetterKind.PERMIT_CERTIFICATE
    return LetterKind.PERMIT_REFUSAL


def document_letter(session, permit: PermitCheck):
    """The letter of a decision's document; a decision recorded before numbers were kept gets
    its number now, dated by the decision (commits then)."""
    when = permit.decided_at or permit.checked_at
    return letters.kept_letter(
        session, letter_kind(permit), permit, permit.regency, when, permit.officer_id
    )


def prepare_project(project: ConstructionProject, today: dt.date | None = None) -> None:
    """Check a construction project before saving and place it in its contractor's regency."""
    today = today or dt.date.today()
    if project.company is None:
        raise ServiceError(_("Choose the contractor."), field="company")
    if project.spk_date is None or project.spk_date > today:
        raise ServiceError(_("The SPK date cannot be in the future."), field="spk_date")
    if project.registered_on is not None and project.registered_on < project.spk_date:
        raise ServiceError(
            _("A project cannot be registered before its SPK."), field="registered_on"
        )
    if project.end_date is not None and project.end_date < project.spk_date:
        raise ServiceError(_("The planned end cannot be before the SPK date."), field="end_date")
    if not project.contract_value or project.contract_value <= 0:
        raise ServiceError(_("The contract value must be more than zero."), field="contract_value")
    project.regency_id = project.company.regency_id


def stored_checks(permit: PermitCheck) -> list[Check]:
    """The checks recorded with a permit decision."""
    return [Check(**item) for item in json.loads(permit.verdict)]


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say about a certificate: nothing personal."""

    status: str  # valid, expired, revoked, unknown
    certificate_number: str | None = None
    company: str | None = None
    valid_until: dt.date | None = None


def verify(session, code: str, now: dt.datetime) -> Verification:
    """Tell whether a certificate is genuine and still valid; writes nothing.

    A certificate whose company no longer complies reads as withdrawn at once; the withdrawal
    itself is recorded by `revoke_lapsed`, a periodic task.
    """
    permit = session.scalars(
        select(PermitCheck).where(
            PermitCheck.verification_code == (code or "")[:40],
            PermitCheck.decision == Decision.ISSUED,
        )
    ).first()
    if permit is None:
        return Verification("unknown")
    facts = {
        "certificate_number": permit.certificate_number,
        "company": permit.company.name,
        "valid_until": permit.valid_until,
    }
    if permit.revoked_at is not None:
        return Verification("revoked", **facts)
    if permit.valid_until < now.date():
        return Verification("expired", **facts)
    if not evaluate(session, permit.company, now.date()).compliant:
        return Verification("revoked", **facts)
    return Verification("valid", **facts)


def revoke_lapsed(session, now: dt.datetime) -> int:
    """Withdraw the valid certificates of companies that no longer comply; commit; how many."""
    permits = session.scalars(
        select(PermitCheck).where(
            PermitCheck.decision == Decision.ISSUED,
            PermitCheck.revoked_at.is_(None),
            PermitCheck.valid_until >= now.date(),
        )
    ).all()
    revoked = 0
    for permit in permits:
        if not evaluate(session, permit.company, now.date()).compliant:
            permit.revoked_at = now
            revoked += 1
    session.commit()
    return revoked
