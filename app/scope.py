"""The data scope of the current user: the one rule for what a user may read and write.

Reads: `read_clause` turns any model into the rows a scope may see. A model that declares no
`scope_clause` and is not listed as shared reference data reads as empty for every restricted
user, so a new model or a new path that forgets the scope leaks nothing.

Writes: every flush made for a restricted user is checked here (session events), whichever path
made it (screen form, REST API, action, job run for a user): a record must land inside the scope
and every record it points at must be one the user may read. A refusal is an `OutOfScope` error
that names the field, never the other record.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

from flask import current_app, g, has_request_context, request
from sqlalchemy import and_, event, false, inspect, select, true
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.roles import ADMIN


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, or some regencies narrowed to an OPD or a village."""

    unrestricted: bool = False
    regency_ids: frozenset[int] = field(default_factory=frozenset)
    opd_id: int | None = None
    village_id: int | None = None
    branch_office_id: int | None = None

    def clause(self, regency, village=None, opd=None):
        """Build the SQL condition for a model given its regency, village and OPD columns.

        A column is compared with the scope's value; a callable receives the value and returns a
        condition; None means the model is invisible to users scoped to that level.
        """
        if self.unrestricted:
            return true()
        if not self.regency_ids:
            return false()
        parts = [_condition(regency, sorted(self.regency_ids), in_=True)]
        for level_value, column in ((self.village_id, village), (self.opd_id, opd)):
            if level_value is None:
                continue
            if column is None:
                return false()
            parts.append(_condition(column, level_value))
        return and_(*parts)

    def allows_regency(self, regency_id: int | None) -> bool:
        """Tell whether a record in this regency is inside the scope."""
        return self.unrestricted or regency_id in self.regency_ids


def _condition(column, value, in_: bool = False):
    if isinstance(column, Callable):
        return column(value)
    return column.in_(value) if in_ else column == value


UNRESTRICTED = Scope(unrestricted=True)
NOTHING = Scope()


def scope_for_user(user) -> Scope:
    """Compute a user's scope from their roles and their UserScope row."""
    from app.extensions import db
    from app.models import Opd, UserScope, Village, branch_regency

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if any(role.name == ADMIN for role in user.roles):
        return UNRESTRICTED
    # Plain column reads (no ORM objects): this runs on every request and every API call.
    row = db.session.execute(
        select(
            UserScope.village_id,
            UserScope.opd_id,
            UserScope.branch_office_id,
            UserScope.regency_id,
        ).where(UserScope.user_id == user.id)
    ).first()
    if row is None:
        return NOTHING
    if row.village_id is not None:
        regency = db.session.scalar(select(Village.regency_id).where(Village.id == row.village_id))
        return Scope(regency_ids=frozenset({regency}), village_id=row.village_id)
    if row.opd_id is not None:
        regency = db.session.scalar(select(Opd.regency_id).where(Opd.id == row.opd_id))
        return Scope(regency_ids=frozenset({regency}), opd_id=row.opd_id)
    if row.branch_office_id is not None:
        ids = frozenset(
            db.session.scalars(
                select(branch_regency.c.regency_id).where(
                    branch_regency.c.branch_office_id == row.branch_office_id
                )
            )
        )
        return Scope(regency_ids=ids, branch_office_id=row.branch_office_id)
    if row.regency_id is not None:
        return Scope(regency_ids=frozenset({row.regency_id}))
    return NOTHING


# Set while background work runs inline inside a request (tests): it is not the request's work.
IN_JOB: ContextVar[bool] = ContextVar("lindungi_in_job", default=False)


def in_request() -> bool:
    """Tell whether this code serves a user's request (not a command or background job)."""
    return has_request_context() and not IN_JOB.get()


def acting_user():
    """The user of this request, logged in by the session cookie or by a JWT; else None."""
    if not in_request():
        return None
    return current_app.appbuilder.sm.current_user


def actor() -> dict:
    """Who acts, for the audit trail: the request's user and address, or the system."""
    if not in_request():
        return {"user_id": None, "username": "system", "ip": None}
    user = acting_user()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return {
        "user_id": user.id if authenticated else None,
        "username": user.username if authenticated else None,
        "ip": request.remote_addr,
    }


def current_scope() -> Scope:
    """Return the scope of this request's user (cached per request); CLI and jobs are unrestricted.

    A job is given the scope it works for explicitly (the requester's, stored with the job).
    """
    if not in_request():
        return UNRESTRICTED
    if "lindungi_scope" not in g:
        g.lindungi_scope = scope_for_user(acting_user())
    return g.lindungi_scope


# Shared reference data every signed-in user may read whatever their scope.
REFERENCE_MODELS = frozenset(
    {
        "Province",
        "WageRate",
        "IncomeBracket",
        "AwardPeriod",
        "AwardIndicator",
        "PenaltyRule",
        "BenefitRule",
    }
)


def read_clause(model, scope: Scope | None = None):
    """The SQL condition of the rows of a model a scope may read; refusal when undeclared."""
    scope = scope or current_scope()
    if scope.unrestricted:
        return true()
    clause = getattr(model, "scope_clause", None)
    if clause is not None:
        return clause(scope)
    return true() if model.__name__ in REFERENCE_MODELS else false()


def scoped(query, model, scope: Scope | None = None):
    """Limit a query on a model to a scope (the current user's by default)."""
    return query.filter(read_clause(model, scope))


def get_in_scope(session, model, pk, scope: Scope | None = None):
    """Load one record by primary key inside a scope (the current user's by default), or None."""
    if pk is None:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    query = select(model).where(model.id == pk, read_clause(model, scope))
    return session.scalars(query).first()


class OutOfScope(NotFound):
    """A write would land outside the user's area or point at a record they may not read."""


@cache
def _mapped_model(registry, table):
    for mapper in registry.mappers:
        if table in mapper.tables:
            return mapper.class_
    return None


def _references(obj):
    """(field, target model, id) for each changed foreign key of a record to a data model."""
    state = inspect(obj)
    for column in state.mapper.columns:
        for fk in column.foreign_keys:
            target = _mapped_model(state.mapper.registry, fk.column.table)
            if target is None or not hasattr(target, "scope_clause"):
                continue
            key = state.mapper.get_property_by_column(column).key
            history = state.attrs[key].history
            value = getattr(obj, key)
            if value is not None and (state.pending or history.has_changes()):
                yield key, target, value


def _write_scope() -> Scope | None:
    """The scope writes are checked against: the request user's, or None when unrestricted."""
    if not in_request():
        return None
    scope = current_scope()
    return None if scope.unrestricted else scope


def _refuse(field: str):
    from flask_babel import gettext as _

    return OutOfScope(_("You cannot record data outside your area."), field=field)


@event.listens_for(Session, "before_flush")
def _check_references(session, _flush_context, _instances) -> None:
    """Refuse a write that points at a record the user may not read (or that does not exist)."""
    scope = _write_scope()
    if scope is None:
        return
    for obj in [*session.new, *session.dirty]:
        for name, target, pk in _references(obj):
            with session.no_autoflush:
                allowed = session.scalar(
                    select(target.id).where(target.id == pk, read_clause(target, scope))
                )
            if allowed is None:
                raise _refuse(name)
    for obj in session.deleted:
        _check_own(session, obj, scope)


def _check_own(session, obj, scope: Scope) -> None:
    model = type(obj)
    pk = inspect(obj).mapper.primary_key_from_instance(obj)[0]
    if pk is None or not hasattr(model, "scope_clause"):
        return
    with session.no_autoflush:
        found = session.scalar(select(model.id).where(model.id == pk, read_clause(model, scope)))
    if found is None:
        raise _refuse("regency")


@event.listens_for(Session, "after_flush")
def _check_written(session, _flush_context) -> None:
    """Refuse a record that, once written, lies outside the user's area (the flush is undone)."""
    scope = _write_scope()
    if scope is None:
        return
    for obj in [*session.new, *session.dirty]:
        if session.is_modified(obj, include_collections=False) or obj in session.new:
            _check_own(session, obj, scope)
