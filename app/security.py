"""Security manager: declarative roles, throttled API login, password policy, auth audit."""

from __future__ import annotations

import re
import time

from flask import current_app, g
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload

from app.services import audit

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


class LimitedSecurityApi(SecurityApi):
    """FAB's JWT login, throttled like the form login."""

    def __init__(self, *args, **kwargs):
        rate = current_app.config.get("AUTH_RATE_LIMIT", "5 per 60 second")
        self.limits = [Limit(rate, key_func=get_remote_address, methods=("POST",))]
        super().__init__(*args, **kwargs)


class AppSecurityManager(SecurityManager):
    """FAB's security manager with our roles, schema-by-migration and an audited login."""

    security_api = LimitedSecurityApi

    def create_db(self) -> None:
        """Create the declared roles once the migrations have made the tables."""
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
        ttl = current_app.config.get("JWT_USER_CACHE_SECONDS", 0)
        if not ttl:
            return super().load_user_jwt(_jwt_header, jwt_data)
        from app.scope import scope_for_user

        pk, now = int(jwt_data["sub"]), time.monotonic()
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
        audit.record(self.session, "logout", "User", getattr(user, "id", None))
