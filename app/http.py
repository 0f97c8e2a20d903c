"""HTTP hardening: security headers, no caching of personal data, refusals in the user's language
(JSON for the API), and the parameter guard of app/params.py in front of every view."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from flask import flash, jsonify, make_response, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import InternalServerError

from app import logs, params
from app.api import messages as api_messages
from app.extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# The refusal pages stand alone (no database, no FAB layout): a few lines of style of their own.
REFUSAL_STYLE = Markup(
    "body{margin:0;font-family:'DejaVu Sans',Arial,sans-serif;background:#f4f6f8;color:#263238}"
    "main{max-width:36rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:6px;"
    "border-top:6px solid #1565c0;box-shadow:0 1px 4px rgba(0,0,0,.15)}"
    ".app{margin:0 0 .5rem;font-weight:bold;color:#1565c0}"
    "h1{font-size:1.3rem;line-height:1.5;margin:0 0 1.5rem}a{color:#1565c0}"
)  # a database restart or failover usually takes this long


def _api_failure(self, **_kwargs):
    """Flask-AppBuilder's APIs answer any exception with a bare 500 "Fatal error" (`@safe`).

    Installed as `BaseApi.response_500` for every API, FAB's own included: an HTTP error (a
    throttled sign-in, a refusal) and a database outage go on to the app's error handlers
    (429, 503 in the user's language), the rest to the 500 handler, which logs it once.
    """
    error = sys.exc_info()[1]
    if error is None:
        raise InternalServerError()
    raise error


def same_origin_path(url: str | None) -> str | None:
    """The path and query of a Referer, to send the user back on this site; None if unusable.

    The Host header is the client's to choose, so a Referer naming the same host as the request
    proves nothing: only its path is kept, and a path that a browser would read as another host
    ("//evil.example", "/\\evil.example") is refused.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None  # a form of another site: no way back to it
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path:
        return None
    if any(ord(c) < 32 for c in path + parts.query):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def install_api_failures() -> None:
    from flask_appbuilder.api import BaseApi

    BaseApi.response_500 = _api_failure


CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": "'self'",  # and the nonce of this response: no inline script without it
    "font-src": ["'self'", "data:"],
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def register(app) -> None:
    """Install headers and error handlers."""
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],  # FAB's templates carry csp_nonce()
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="same-origin",
        frame_options="DENY",
    )

    @app.after_request
    def _no_store(response):
        if request.path.startswith("/static") or request.path.startswith("/appbuilder"):
            return response
        response.headers["Cache-Control"] = "no-store"
        return response

    def _api_error(status: int, message: str):
        return jsonify(message=message), status

    params.register(app)
    install_api_failures()
    api_messages.install()

    def _refusal_page(message: str, status: int):
        """A short page in the user's language, for a refusal that has no screen to go back to."""
        page = Markup(
            '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{message}</title><style>{style}</style></head><body><main>"
            '<p class="app">Lindungi</p><h1>{message}</h1>'
            '<p><a href="/">{back}</a></p></main></body></html>'
        ).format(
            lang=str(get_locale() or "id"),
            message=message,
            back=_("Back to the home page"),
            style=REFUSAL_STYLE,
        )
        return page, status, {"Content-Type": "text/html; charset=utf-8"}

    def _message_400(error) -> str:
        """Our own refusals speak for themselves; to refuse in your own words, raise
        params.ParameterRefused(description=_("...")). Any other 400 text is English."""
        if isinstance(error, params.Refused):
            return error.description  # already in the user's language
        if isinstance(error, CSRFError):
            return _("The form has expired or came from elsewhere; reload the page and try again.")
        return _("The request is not valid.")  # Werkzeug's and Flask-WTF's texts are English

    @app.errorhandler(400)
    def _bad_request(error):
        message = _message_400(error)
        if request.path.startswith("/api/"):
            return _api_error(400, message)
        if request.method == "GET" and request.args:
            flash(message, "danger")  # back to the same page in its default view
            return redirect(request.path)
        return _refusal_page(message, 400)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _unstorable_value(error):
        """A value the database cannot hold (a number beyond a column, a NUL): refused, not 500.

        The guard in app/params.py refuses the known ones first; this answers the rest, such as
        a record number in a screen's own argument. Any other OverflowError stays an error.
        """
        if isinstance(error, OverflowError) and "SQLite INTEGER" not in str(error):
            raise error
        db.session.rollback()
        cause = getattr(error, "orig", error)
        log.warning("refused a value the database cannot hold: %s", type(cause).__name__)
        return _bad_request(params.ParameterRefused(description=_("The request is not valid.")))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error):
        """The database cannot be reached (or is locked): 503 in the user's language, no trace."""
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()  # the connection is gone; the next request gets a new one
        log.error("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        message = _("The service is not available right now; try again in a moment.")
        response = make_response(
            _api_error(503, message)
            if request.path.startswith("/api/")
            else _refusal_page(message, 503)
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(500)
    def _server_error(error):
        """Anything unforeseen: a short page (JSON for the API) with the request's number,
        which the operator finds in the log; never a traceback."""
        original = getattr(error, "original_exception", None)
        if isinstance(original, (OperationalError, InterfaceError)):
            return _database_unavailable(original)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        message = _(
            "Something went wrong on the server; the error was recorded as %(ref)s. "
            "Try again, or report this number to your administrator.",
            ref=logs.request_id(),
        )
        if request.path.startswith("/api/"):
            return _api_error(500, message)
        return _refusal_page(message, 500)

    @app.errorhandler(404)
    def _not_found(error):
        if request.path.startswith("/api/"):
            return _api_error(404, _("Not found."))
        return error

    @app.errorhandler(413)
    def _too_large(error):
        limit = -(-app.config["MAX_CONTENT_LENGTH"] // 2**20)  # in whole MB, rounded up
        message = _(
            "The upload is larger than %(mb)d MB in all; send fewer or smaller files.", mb=limit
        )
        if isinstance(error, params.Refused):  # an API body over the guard's own limit
            message = error.description
        if request.path.startswith("/api/"):
            return _api_error(413, message)
        back = same_origin_path(request.referrer)
        if back:  # back to the form: a path on this site, never a host the request names
            flash(message, "danger")
            return redirect(back)
        return _refusal_page(message, 413)

    @app.errorhandler(429)
    def _too_many(error):
        message = _("Too many attempts; wait a minute and try again.")
        if isinstance(error, params.Refused):
            message = error.description  # already in the user's language
        if request.path.startswith("/api/"):
            response = make_response(_api_error(429, message))
        else:
            response = make_response(_refusal_page(message, 429))
        wait = getattr(error, "retry_after", None)
        seconds = int(wait.total_seconds()) if hasattr(wait, "total_seconds") else wait
        response.headers["Retry-After"] = str(max(int(seconds or 60), 1))
        return response
