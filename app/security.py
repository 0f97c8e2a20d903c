"""Security manager: declarative roles, throttled sign-in, sessions that end, password policy,
auth audit."""

from __future__ import annotations

import datetime as dt
import re
import time

from flask import current_app, g, request
from flask import session as cookie_session
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Role
from flask_babel import gettext as _
from flask_jwt_extended import get_jwt
from flask_login import user_logged_in
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import TooManyRequests

from app import params, signin
from app.services import audit, sessions

SESSION_KEY = "_sid"  # the session's secret in the signed cookie

# The most common passwords seen in Indonesian breach corpora and worldwide lists.
COMMON_PASSWORDS = {
    "123456789012",
    "password1234",
    "qwertyuiop12",
    "admin1234567",
    "indonesia123",
    "bismillah123",
    "passwordbpjs",
    "jamsostek123",
    "lindungi1234",
    "123123123123",
    "111111111111",
    "000000000000",
    "abcdefghijkl",
    "passwordpassword",
    "iloveyou1234",
}
PASSWORD_MAX_LENGTH = 128


def password_policy(password: str) -> None:
    """Apply a length-based policy (ASVS 6.2): long enough, not common, no composition rules."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 12)
    password = password or ""
    if len(password) < minimum:
        raise PasswordComplexityValidationError(
            _("The password must be at least %(n)d characters long.", n=minimum)
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordComplexityValidationError(
            _("The password may be at most %(n)d characters long.", n=PASSWORD_MAX_LENGTH)
        )
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise PasswordComplexityValidationError(
            _("This password is too common or too simple; choose another.")
        )


class SignInRefused(params.Refused, TooManyRequests):
    """Too many failed sign-ins for this account or address: wait, then try again."""

    def __init__(self, seconds: int):
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            description=_("Too many failed sign-ins; try again in %(n)d minutes.", n=minutes),
            retry_after=seconds,
        )


def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _absolute() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def _role_str(role) -> str:
    from app.roles import role_label

    return role_label(role.name)


# A role shows its label wherever FAB prints a role (the user screens' choices, filters and
# lists); the code keeps comparing the name. One place, for every screen that shows a role.
Role.__str__ = _role_str


def _role_names(roles) -> str:
    from app.roles import role_label

    return ", ".join(role_label(role.name) for role in roles or [])


def _role_name_or_value(value):
    """The "name" column of FAB's role screen: the role's label."""
    from app.roles import role_label

    return role_label(value) if isinstance(value, str) else value


def _displayed(view_class):
    """FAB's own screen, its shown columns through formatting.display (no "True", no "None")."""
    from app.formatting import display

    class Displayed(view_class):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            shown = [*self.list_columns, *self.show_columns]
            self.formatters_columns = (
                {c: display for c in shown}
                | {"roles": _role_names, "name": _role_name_or_value}
                | dict(self.formatters_columns or {})
            )

    Displayed.__name__ = view_class.__name__  # the permission names stay FAB's
    return Displayed


class AppSecurityManager(SecurityManager):
    """FAB's security manager with our roles, schema-by-migration and an audited login."""

    userdbmodelview = _displayed(SecurityManager.userdbmodelview)
    rolemodelview = _displayed(SecurityManager.rolemodelview)
    # FAB's user statistics draw with Google Charts from the internet (no CDN here, and its
    # labels are English): not registered; the user list shows the same counts.
    userstatschartview = None

    @property
    def _engine(self):
        return self.session.get_bind()

    def auth_user_db(self, username, password):
        """FAB's password check behind the throttle; a success opens a server-side session.

        Form and API sign-in both come here, so both are throttled alike.
        """
        address = request.remote_addr
        throttle = signin.throttle()
        if throttle and (seconds := throttle.wait(username, address)):
            raise SignInRefused(seconds)
        user = super().auth_user_db(username, password)
        if user is None:
            if throttle:
                throttle.failed(username, address)
            if username and self.find_user(username=username) is None:
                # FAB audits a wrong password of a known user only; a guessed name counts too
                audit.record(self.session, "login_failed", "User", None)
            return None
        if throttle:
            throttle.succeeded(username, address)
        g.lindungi_new_session = sessions.start(self._engine, user.id, address)
        return user

    def create_login_manager(self, app):
        manager = super().create_login_manager(app)
        user_logged_in.connect(_keep_session_in_cookie)
        return manager

    def create_jwt_manager(self, app):
        manager = super().create_jwt_manager(app)
        manager.additional_claims_loader(_session_claim)
        return manager

    def load_user(self, pk):
        """The cookie's user, if the session the cookie names is still live."""
        user = self.get_user_by_id(int(pk))
        if user is None or not user.is_active:
            return None
        if not sessions.check(
            self._engine, cookie_session.get(SESSION_KEY), user.id, _idle(), _absolute()
        ):
            cookie_session.pop(SESSION_KEY, None)
            return None
        return user

    def reset_password(self, userid, password):
        """A password change ends every session of the user (the flush listener does it);
        whoever changed their own password goes on in a fresh session."""
        super().reset_password(userid, password)
        current = g.get("user")
        if current is not None and getattr(current, "id", None) == userid:
            cookie_session[SESSION_KEY] = sessions.start(self._engine, userid, request.remote_addr)

    def create_db(self) -> None:
        """Create the declared roles once the migrations have made the tables."""
        if not current_app.config.get("FAB_UPDATE_PERMS"):
            return  # the release step writes roles and permissions, not every server's start
        engine = self.session.get_bind(mapper=None, clause=None)
        if "ab_user" not in inspect(engine).get_table_names():
            return
        BaseSecurityManager.create_db(self)

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The API caller, kept per process for JWT_USER_CACHE_SECONDS with their scope.

        Every API call would otherwise load the user with roles and groups and read the user's
        scope: a quarter of a compliance call's work. A change of roles, scope or activation
        reaches API callers within that many seconds (0 turns the cache off); the access token
        itself lives longer than that anyway.
        """
        pk, now = int(jwt_data["sub"]), time.monotonic()
        if not sessions.check(
            self._engine, jwt_data.get("sid"), pk, _idle(), _absolute(), reader=self.session
        ):
            return None
        ttl = current_app.config.get("JWT_USER_CACHE_SECONDS", 0)
        if not ttl:
            user = self.get_user_by_id(pk)
            if user is None or not user.is_active:
                return None
            g.user = user
            return user
        from app.scope import scope_for_user

        cache = self.__dict__.setdefault("_jwt_users", {})
        hit = cache.get(pk)
        if hit is None or now - hit[0] >= ttl:
            user = self.session.get(
                self.user_model,
                pk,
                options=[
                    joinedload(self.user_model.roles),
                    joinedload(self.user_model.groups).joinedload(self.group_model.roles),
                ],
            )
            if user is None or not user.is_active:
                cache.pop(pk, None)
                return None
            scope = scope_for_user(user)
            # read-only from now on, shared by later requests: detach it with what it holds
            for group in user.groups:
                for obj in [*group.roles, group]:
                    if obj in self.session:
                        self.session.expunge(obj)
            for obj in [*user.roles, user]:
                if obj in self.session:
                    self.session.expunge(obj)
            hit = cache[pk] = (now, user, scope)
        _at, user, scope = hit
        g.user, g.lindungi_scope = user, scope
        return user

    def get_user_by_id(self, pk):
        """Load a user with their roles and groups in one query (read on every request)."""
        model = self.user_model
        return self.session.get(
            model, pk, options=[joinedload(model.roles), joinedload(model.groups)]
        )

    def is_item_public(self, permission_name, view_name) -> bool:
        """Read the anonymous role from the declared roles, not the database (no query)."""
        public = self.auth_role_public
        return any(
            re.match(view, view_name) and re.match(permission, permission_name)
            for view, permission in self.builtin_roles.get(public, [])
        )

    def on_user_login(self, user) -> None:
        audit.record(self.session, "login", "User", user.id)

    def on_user_login_failed(self, user) -> None:
        audit.record(self.session, "login_failed", "User", getattr(user, "id", None))

    def on_user_logout(self, user) -> None:
        """Signing out ends every session and token of the user, on every server."""
        user_id = getattr(user, "id", None)
        cookie_session.pop(SESSION_KEY, None)
        if user_id is not None:
            sessions.end_all(self.session, user_id, "logout")
        audit.record(self.session, "logout", "User", user_id)


def _keep_session_in_cookie(_app, user, **_extra) -> None:
    """After a form sign-in, the browser's cookie names the session just opened."""
    token = g.pop("lindungi_new_session", None)
    if token:
        cookie_session[SESSION_KEY] = token


def _session_claim(_identity) -> dict:
    """Tokens name their sign-in's session: a new one at login, the same one on refresh."""
    token = g.get("lindungi_new_session")
    if token is None:
        try:
            token = get_jwt().get("sid")
        except RuntimeError:  # no token in this request
            token = None
    return {"sid": token} if token else {}
