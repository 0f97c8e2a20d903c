"""Rules about enrollments: payer consistency, contribution and lifecycle."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.models import Enrollment, EnrollmentStatus, PayerType, SponsorKind
from app.models.workers import SPONSORED_PAYERS
from app.services import Conflict, ServiceError

SPONSOR_KIND_FOR_PAYER = {
    PayerType.APBD: {SponsorKind.APBD},
    PayerType.APBDES: {SponsorKind.APBDES},
    PayerType.CSR: {SponsorKind.CSR_COMPANY, SponsorKind.CSR_PERSON},
    PayerType.PROVINCE: {SponsorKind.PROVINCE},
}


def covered_on(on: dt.date) -> list:
    """Conditions of an enrollment that covers its worker on a date: ACTIVE, started, not ended.

    The one definition of "covered" for the dashboards, the award and "1 Desa 100".
    """
    return [
        Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.start_date <= on,
        or_(Enrollment.end_date.is_(None), Enrollment.end_date >= on),
    ]


def prepare_enrollment(session, enrollment: Enrollment) -> None:
    """Check the payer, programs and dates, compute the contribution and activate it."""
    with session.no_autoflush:
        _prepare(session, enrollment)


def _prepare(session, enrollment: Enrollment) -> None:
    if enrollment.worker is None:
        raise ServiceError(_("Choose the worker to enroll."), field="worker")
    if not (enrollment.jkk and enrollment.jkm):
        raise ServiceError(_("Every enrollment includes JKK and JKM."), field="jkk")
    if enrollment.end_date and enrollment.end_date < enrollment.start_date:
        raise ServiceError(_("The end date cannot be before the start date."), field="end_date")
    if not enrollment.declared_wage or enrollment.declared_wage <= 0:
        raise ServiceError(
            _("The declared wage or income must be more than zero."), field="declared_wage"
        )
    payer = enrollment.payer_type
    if payer == PayerType.EMPLOYER:
        if enrollment.company is None:
            raise ServiceError(_("Choose the employer that pays."), field="company")
        enrollment.sponsor = None
    elif payer in SPONSORED_PAYERS:
        sponsor = enrollment.sponsor
        if sponsor is None or sponsor.kind not in SPONSOR_KIND_FOR_PAYER[PayerType(payer)]:
            raise ServiceError(_("Choose a sponsor of the kind that pays."), field="sponsor")
        _refuse_unfunded_programs(session, enrollment)
        enrollment.company = None
    else:
        enrollment.company = None
        enrollment.sponsor = None
    enrollment.regency_id = enrollment.worker.regency_id
    if enrollment.status in (None, EnrollmentStatus.DRAFT):
        enrollment.status = EnrollmentStatus.ACTIVE
    if enrollment.status == EnrollmentStatus.ACTIVE:
        _refuse_second_active(session, enrollment)
    from app.services.contributions import apply_to_enrollment

    apply_to_enrollment(session, enrollment)


def _refuse_unfunded_programs(session, enrollment: Enrollment) -> None:
    """A sponsor pays only for the programs its commitment funds: JHT on a JKK and JKM
    commitment would be billed to it (its statement would ask for money it never promised)."""
    from app.services.sponsors import commitment_for, unfunded_programs

    start = enrollment.start_date
    commitment = commitment_for(session, enrollment.sponsor.id, start, start)
    if commitment is None:
        return  # no commitment recorded for that date: the budget check of batches says so
    missing = unfunded_programs(commitment, enrollment.programs)
    if missing:
        raise ServiceError(
            _(
                "The sponsor's commitment %(reference)s funds %(funded)s only, not %(programs)s.",
                reference=commitment.reference,
                funded=commitment.programs,
                programs=", ".join(missing),
            ),
            field=missing[0].lower(),
        )


def _refuse_second_active(session, enrollment: Enrollment) -> None:
    other = session.scalar(
        select(Enrollment.id).where(
            Enrollment.worker_id == enrollment.worker.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.id != (enrollment.id or 0),
        )
    )
    if other is not None:
        raise Conflict(
            _("This worker already has an active enrollment; end it first."), field="worker"
        )


def end_enrollment(session, enrollment: Enrollment, on: dt.date) -> None:
    """End an active enrollment on a date and commit."""
    if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.LAPSED):
        raise ServiceError(_("Only active or lapsed enrollments can be ended."))
    enrollment.status = EnrollmentStatus.ENDED
    enrollment.end_date = max(on, enrollment.start_date)
    session.commit()


def load_references(session, enrollment: Enrollment, scope) -> None:
    """Resolve the worker, company and sponsor ids of a payload inside the caller's scope."""
    from app.models import Company, Sponsor, Worker
    from app.scope import scoped
    from app.services import NotFound

    for attr, model in (("worker", Worker), ("company", Company), ("sponsor", Sponsor)):
        pk = getattr(enrollment, f"{attr}_id")
        if pk is None:
            continue
        with session.no_autoflush:
            obj = scoped(session.query(model), model, scope).filter(model.id == pk).one_or_none()
        if obj is None:
            what = {"worker": _("Worker"), "company": _("Company"), "sponsor": _("Sponsor")}[attr]
            raise NotFound(
                _("%(what)s %(id)s was not found.", what=what, id=pk), field=f"{attr}_id"
            )
        setattr(enrollment, attr, obj)
