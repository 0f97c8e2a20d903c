"""Rules about workers."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import exists, inspect, select
from sqlalchemy.orm import object_session

from app.models import Contribution, Enrollment, Village, Worker
from app.scope import Scope
from app.services import Conflict, ServiceError, identifiers
from app.services.areas import district_exists
from app.services.identifier_messages import service_error


def prepare_worker(session, worker: Worker, scope: Scope) -> None:
    """Check a worker before saving: village in scope, one employer, NIK and KPJ not taken."""
    if worker.village is None:
        raise ServiceError(_("Choose the worker's village."), field="village")
    worker.regency_id = worker.village.regency_id
    worker.welfare_source = worker.welfare_source or None
    if scope.opd_id is not None and worker.opd_id is None and worker.opd is None:
        worker.opd_id = scope.opd_id
    if scope.village_id is not None and worker.village_id != scope.village_id:
        raise ServiceError(_("You can only register workers who live in your village."))
    for column, message in (
        ("nik", _("A worker with this NIK is already registered.")),
        ("kpj", _("A worker with this KPJ number is already registered.")),
    ):
        value = getattr(worker, column)
        taken = exists().where(getattr(Worker, column) == value, Worker.id != (worker.id or 0))
        with session.no_autoflush:
            if value and session.scalar(select(taken)):
                raise Conflict(message, field=column)
    employers = [e for e in (worker.company, worker.opd, worker.employer_village) if e]
    if len(employers) > 1:
        raise ServiceError(
            _("A worker has at most one employer: a company, an OPD or a village government.")
        )


def find_by_nik(session, typed: str, scope: Scope) -> Worker | None:
    """Find the worker with a typed NIK (separators allowed) inside a scope."""
    nik = re.sub(r"[\s.\-]", "", typed or "")
    if len(nik) != 16 or not nik.isdigit():
        return None
    query = select(Worker).where(Worker.nik == nik, Worker.scope_clause(scope))
    return session.scalars(query).one_or_none()


def worker_dependents(worker: Worker) -> bool:
    """Tell whether enrollments or contributions still point at a worker."""
    session = object_session(worker)
    return any(
        session.scalar(select(exists().where(model.worker_id == worker.id)))
        for model in (Enrollment, Contribution)
    )


def check_identity(session, worker: Worker, kpj_pattern: str) -> None:
    """Validate and normalise the NIK (region, birth date, sex) and the KPJ of a worker."""
    try:
        worker.nik = identifiers.validate_nik(
            worker.nik or "",
            region_exists=lambda code: district_exists(session, code),
            birth_date=worker.birth_date,
            sex=worker.sex if worker.sex in ("M", "F") else None,
        ).value
        if worker.kpj:
            worker.kpj = identifiers.validate_kpj(worker.kpj, kpj_pattern)
        else:
            worker.kpj = None
    except identifiers.InvalidIdentifier as exc:
        raise service_error(exc) from exc


def validate_worker(session, worker: Worker, scope: Scope, kpj_pattern: str) -> None:
    """The one check of a worker before it is saved, from a form, the API or an import."""
    with session.no_autoflush:
        # An API payload sets the village's id, a form the village itself.
        if worker.village_id is not None and (
            worker.village is None or inspect(worker).attrs.village_id.history.has_changes()
        ):
            worker.village = session.get(Village, worker.village_id)
        check_identity(session, worker, kpj_pattern)
        prepare_worker(session, worker, scope)
