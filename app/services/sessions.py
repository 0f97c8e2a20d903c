"""Sessions that end: every sign-in is a row; the cookie or token only names it.

A session is valid while its row is not ended, was used within the idle limit and is younger
than the absolute limit. Signing out, a password change, a change of roles, groups or scope
and deactivation end every session of that user, on every server, because the rows live in
the database: the rule sits below every path that changes a user (FAB's screens, the API,
the CLI) as a flush listener.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.models.scope import UserScope
from app.models.sessions import AuthSession

# A used session's "last seen" is written at most this often (one write a minute per user).
TOUCH_EVERY = dt.timedelta(seconds=60)
# What about a user ends their sessions when it changes.
USER_FIELDS = ("password", "active", "roles", "groups", "username")


def now() -> dt.datetime:
    """Naive UTC, as the table stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(engine: Engine, user_id: int, ip: str | None) -> str:
    """Record a new sign-in in its own transaction; return the secret that names it."""
    token = secrets.token_urlsafe(32)
    moment = now()
    with engine.begin() as conn:
        conn.execute(
            insert(AuthSession).values(
                id=_key(token), user_id=user_id, created_at=moment, seen_at=moment, ip=ip
            )
        )
    return token


def check(
    engine: Engine,
    token: str | None,
    user_id: int,
    idle: dt.timedelta,
    absolute: dt.timedelta,
    reader=None,
) -> bool:
    """Is this the user's live session? Ends it when it has run out; notes its use.

    The session row is read through ``reader`` when given (the request's own database session:
    no second connection per request), else through a connection of ``engine``; the rare write
    (a touch every TOUCH_EVERY, an end) commits on its own connection either way.
    """
    if not token:
        return False
    key = _key(token)
    query = select(AuthSession.created_at, AuthSession.seen_at, AuthSession.ended_at).where(
        AuthSession.id == key, AuthSession.user_id == user_id
    )
    if reader is not None:
        row = reader.execute(query).first()
    else:
        with engine.connect() as conn:
            row = conn.execute(query).first()
    if row is None or row.ended_at is not None:
        return False
    moment = now()
    reason = None
    if moment - row.created_at >= absolute:
        reason = "expired"
    elif moment - row.seen_at >= idle:
        reason = "idle"
    if reason or moment - row.seen_at >= TOUCH_EVERY:
        values = {"ended_at": moment, "end_reason": reason} if reason else {"seen_at": moment}
        with engine.begin() as conn:
            conn.execute(update(AuthSession).where(AuthSession.id == key).values(**values))
    return reason is None


def end(engine: Engine, token: str | None, reason: str) -> None:
    """End one session (signing out)."""
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(
            update(AuthSession)
            .where(AuthSession.id == _key(token), AuthSession.ended_at.is_(None))
            .values(ended_at=now(), end_reason=reason)
        )


def end_all(connection, user_id: int, reason: str) -> int:
    """End every live session of a user inside the caller's transaction; return how many."""
    result = connection.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=now(), end_reason=reason)
    )
    return result.rowcount or 0


def _changed_users(session: Session) -> dict[int, str]:
    """Users whose password, activation, roles, groups or scope this flush changed."""
    changed: dict[int, str] = {}
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id is not None:
            state = inspect(obj)
            for field in USER_FIELDS:
                if state.attrs[field].history.has_changes():
                    changed.setdefault(obj.id, "password" if field == "password" else "account")
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, UserScope) and obj.user_id is not None:
            changed.setdefault(obj.user_id, "scope")
    return changed


@event.listens_for(Session, "after_flush")
def _end_sessions_of_changed_users(session: Session, _context) -> None:
    for user_id, reason in _changed_users(session).items():
        end_all(session.connection(), user_id, reason)
