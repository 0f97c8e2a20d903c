"""Rules about workers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, inspect, or_, select
from sqlalchemy.orm import object_session

from app.models import Contribution, Enrollment, Village, Worker
from app.scope import Scope
from app.services import Conflict, ServiceError, identifiers
from app.services.areas import district_exists
from app.services.contributions import payer_of
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


FIND_LIMIT = 50  # matches shown for a few typed digits; more asks for more digits
FIND_MIN_DIGITS = 4


@dataclass(frozen=True)
class Found:
    """What the worker list's find box found: the workers, or why it looked for none."""

    workers: list[Worker]
    by_name: str | None = None  # letters typed: the list's own name filter answers
    refusal: str | None = None
    more: bool = False  # more than FIND_LIMIT matched


def find_workers(session, typed: str, scope: Scope, kpj_pattern: str) -> Found:
    """Find workers in a scope by a whole NIK, the last digits of an NIK, or a KPJ number.

    Separators are ignored. Letters are a name: the caller opens the list filtered by it.
    Fewer than FIND_MIN_DIGITS digits are refused (they would match thousands of people).
    Each form of the search reads one unique or indexed column of the scoped workers.
    """
    text = (typed or "").strip()
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits:
        return Found([], refusal=_("Type an NIK, its last digits, a KPJ number or a name."))
    if not digits.isdigit():
        return Found([], by_name=text[:150])
    if len(digits) < FIND_MIN_DIGITS:
        return Found([], refusal=_("Type at least %(n)d digits of the NIK.", n=FIND_MIN_DIGITS))
    if len(digits) == 16:
        worker = find_by_nik(session, digits, scope)
        return Found([worker] if worker else [])
    if re.fullmatch(kpj_pattern, digits):
        match = or_(Worker.kpj == digits, Worker.nik.endswith(digits, autoescape=True))
    elif len(digits) > 16:
        return Found([], refusal=_("An NIK has 16 digits."))
    else:
        match = Worker.nik.endswith(digits, autoescape=True)
    query = (
        select(Worker)
        .where(match, Worker.scope_clause(scope))
        .order_by(Worker.name, Worker.id)
        .limit(FIND_LIMIT + 1)
    )
    workers = list(session.scalars(query))
    return Found(workers[:FIND_LIMIT], more=len(workers) > FIND_LIMIT)


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


@dataclass(frozen=True)
class CoverSummary:
    """The band at the top of a worker's page: protected or not, by what, until when, paid by
    whom, and the payer's last bill."""

    enrollment: Enrollment | None
    last_bill: Contribution | None
    ending_soon: bool = False

    @property
    def protected(self) -> bool:
        return self.enrollment is not None


def cover_summary(session, worker: Worker, today: dt.date) -> CoverSummary:
    """Summarise a worker's protection today from the active enrollment and the payer's bills."""
    enrollment = worker.active_cover
    if enrollment is None:
        return CoverSummary(None, None)
    key, _columns = payer_of(enrollment)
    last_bill = session.scalars(
        select(Contribution)
        .where(Contribution.payer_key == key, Contribution.period <= today)
        .order_by(Contribution.period.desc())
        .limit(1)
    ).first()
    end = enrollment.end_date
    soon = end is not None and today <= end <= today + dt.timedelta(days=30)
    return CoverSummary(enrollment, last_bill, soon)
