"""The data scope of the current user and the one filter every view, API and export applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, false, select, true

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


def acting_user():
    """The user of this request, logged in by the session cookie or by a JWT; else None."""
    if not has_request_context():
        return None
    return current_app.appbuilder.sm.current_user


def current_scope() -> Scope:
    """Return the scope of this request's user (cached per request); CLI work is unrestricted."""
    if not has_request_context():
        return UNRESTRICTED
    if "lindungi_scope" not in g:
        g.lindungi_scope = scope_for_user(acting_user())
    return g.lindungi_scope


def scoped(query, model, scope: Scope | None = None):
    """Limit a query on a model to a scope (the current user's by default)."""
    return query.filter(model.scope_clause(scope or current_scope()))


def get_in_scope(session, model, pk):
    """Load one record by primary key inside the current user's scope, or None."""
    if pk is None:
        return None
    query = select(model).where(model.id == pk, model.scope_clause(current_scope()))
    return session.scalars(query).first()


class ScopeFilter(BaseFilter):
    """FAB filter that limits any scoped model to the current user's scope."""

    name = "Scope"
    arg_name = None

    def apply(self, query, value):
        return scoped(query, self.datamodel.obj)


def scope_filters() -> list:
    """base_filters entry shared by every scoped view and API."""
    return [["id", ScopeFilter, lambda: None]]
