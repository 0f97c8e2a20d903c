"""HTTP hardening: security headers, no caching of personal data, refusals in the user's language
(JSON for the API), and the parameter guard of app/params.py in front of every view."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import DataError

from app import params
from app.extensions import db

log = logging.getLogger(__name__)

CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'self'", "'unsafe-inline'"],
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

    def _refusal_page(message: str, status: int):
        """A short page in the user's language, for a refusal that has no screen to go back to."""
        page = Markup(
            '<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{message}'
            '</title></head><body><h1>{message}</h1><p><a href="/">{back}</a></p></body></html>'
        ).format(lang=str(get_locale() or "id"), message=message, back=_("Back"))
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
        back = request.referrer
        if back and urlsplit(back).netloc == request.host:  # back to the form, never elsewhere
            flash(message, "danger")
            return redirect(back)
        return message, 413

    @app.errorhandler(429)
    def _too_many(error):
        message = _("Too many attempts; wait a minute and try again.")
        if request.path.startswith("/api/"):
            return _api_error(429, message)
        return message, 429
