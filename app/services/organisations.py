"""Rules about companies and other organisations."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, func, inspect, select
from sqlalchemy.orm import object_session

from app.models import (
    Company,
    Contribution,
    Enrollment,
    EnrollmentStatus,
    Regency,
    Village,
    Worker,
)
from app.services import ServiceError, identifiers
from app.services.identifier_messages import service_error


def enrolled_workers(session, company_id: int) -> int:
    """Count the company's workers who have an active enrollment."""
    return (
        session.scalar(
            select(func.count(func.distinct(Enrollment.worker_id))).where(
                Enrollment.status == EnrollmentStatus.ACTIVE,
                Enrollment.worker_id.in_(select(Worker.id).where(Worker.company_id == company_id)),
            )
        )
        or 0
    )


def company_dependents(company: Company) -> bool:
    """Tell whether workers, enrollments or contributions still point at a company."""
    session = object_session(company)
    return any(
        session.scalar(select(exists().where(model.company_id == company.id)))
        for model in (Worker, Enrollment, Contribution)
    )


def validate_company(session, company: Company, npp_pattern: str) -> None:
    """The one check of a company before it is saved, from a form or the API.

    Identifiers are validated and normalised; the village, when given, lies in the company's
    regency.
    """
    checks = {
        "nib": identifiers.validate_nib,
        "npwp": identifiers.validate_npwp,
        "kbli": identifiers.validate_kbli,
        "npp": lambda v: identifiers.validate_npp(v, npp_pattern),
    }
    for field, check in checks.items():
        value = getattr(company, field)
        if not value:
            setattr(company, field, None)
            continue
        try:
            setattr(company, field, check(value))
        except identifiers.InvalidIdentifier as exc:
            raise service_error(exc, field) from exc
    chosen = inspect(company).attrs.regency.history.added  # a form sets the relation,
    if chosen and chosen[0] is not None:  # the API the number: the one that changed counts
        company.regency_id = chosen[0].id
    if company.regency_id is None:
        raise ServiceError(_("Choose the company's regency."), field="regency")
    with session.no_autoflush:
        known = session.scalar(select(Regency.id).where(Regency.id == company.regency_id))
    if known is None:  # a number that names no regency (the API takes numbers)
        raise ServiceError(_("Choose the company's regency."), field="regency")
    village_id = company.village.id if company.village is not None else company.village_id
    if village_id is not None:
        with session.no_autoflush:
            regency_id = session.scalar(select(Village.regency_id).where(Village.id == village_id))
        if regency_id != company.regency_id:
            raise ServiceError(
                _("The village does not lie in the company's regency."), field="village"
            )
