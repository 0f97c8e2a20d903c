"""Rules about companies and other organisations."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import object_session

from app.models import Company, Contribution, Enrollment, EnrollmentStatus, Worker


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


def check_company_identifiers(company: Company) -> None:
    """Validate and normalise a company's NIB, NPWP, KBLI and NPP from a payload."""
    from flask import current_app

    from app.services import ServiceError, identifiers
    from app.validators import identifier_message

    checks = {
        "nib": identifiers.validate_nib,
        "npwp": identifiers.validate_npwp,
        "kbli": identifiers.validate_kbli,
        "npp": lambda v: identifiers.validate_npp(v, current_app.config["NPP_PATTERN"]),
    }
    for field, check in checks.items():
        value = getattr(company, field)
        if value:
            try:
                setattr(company, field, check(value))
            except identifiers.InvalidIdentifier as exc:
                raise ServiceError(identifier_message(exc), field=field) from exc
