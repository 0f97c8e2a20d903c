"""HTTP hardening: security headers, no caching of personal data, JSON errors for the API."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_talisman import Talisman
from werkzeug.exceptions import BadRequest

from app import params

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

    @app.errorhandler(400)
    def _bad_request(error):
        message = getattr(error, "description", None) or _("The request is not valid.")
        if not isinstance(message, str) or message == BadRequest.description:
            message = _("The request is not valid.")
        if request.path.startswith("/api/"):
            return _api_error(400, message)
        if request.method == "GET" and request.args:
            flash(message, "danger")  # back to the same page in its default view
            return redirect(request.path)
        return message, 400

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
