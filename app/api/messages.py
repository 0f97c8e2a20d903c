"""Every API refusal in the user's language, in one place.

Flask-AppBuilder's APIs answer with English texts of their own ("Not found", "Request is not
JSON") and marshmallow's validation messages ("Longer than maximum length 100.", "Missing data
for required field."). All of them pass through `BaseApi.response`; there, installed once, each
message of an error answer (a string, or the lists and dicts marshmallow nests by field) is
matched against the known English forms and translated. Our own messages are translated when
they are made and pass unchanged.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# (English form as marshmallow or FAB writes it, the msgid with named parameters)
KNOWN: list[tuple[re.Pattern, object]] = [
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."), _l("At most %(max)s characters.")),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."), _l("At least %(min)s characters.")),
    (
        re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
        _l("Between %(min)s and %(max)s characters."),
    ),
    (re.compile(r"Length must be (?P<equal>\d+)\."), _l("Exactly %(equal)s characters.")),
    (re.compile(r"Missing data for required field\."), _l("This field is required.")),
    (re.compile(r"Field may not be null\."), _l("This field may not be empty.")),
    (re.compile(r"Not a valid integer\."), _l("Not a whole number.")),
    (re.compile(r"Not a valid number\."), _l("Not a number.")),
    (re.compile(r"Number too large\."), _l("The number is too large.")),
    (re.compile(r"Not a valid string\."), _l("Not a text.")),
    (re.compile(r"Not a valid boolean\."), _l("Not true or false.")),
    (re.compile(r"Not a valid date\."), _l("Not a valid date (YYYY-MM-DD).")),
    (re.compile(r"Not a valid datetime\."), _l("Not a valid date and time.")),
    (re.compile(r"Unknown field\."), _l("Unknown field.")),
    (re.compile(r"Invalid input type\."), _l("The input has the wrong type.")),
    (re.compile(r"Invalid value\."), _l("The value is not valid.")),
    (re.compile(r"Must be one of: (?P<choices>.*)\."), _l("Must be one of: %(choices)s.")),
    (
        re.compile(
            r"Must be greater than or equal to (?P<min>\S+)"
            r" and less than or equal to (?P<max>\S+)\."
        ),
        _l("Must be from %(min)s to %(max)s."),
    ),
    (
        re.compile(r"Must be greater than or equal to (?P<min>\S+)\."),
        _l("Must be at least %(min)s."),
    ),
    (re.compile(r"Must be less than or equal to (?P<max>\S+)\."), _l("Must be at most %(max)s.")),
    (re.compile(r"Not found"), _l("Not found.")),
    (re.compile(r"Not authorized"), _l("Sign in first, or your session has ended.")),
    (re.compile(r"Forbidden"), _l("You may not do this.")),
    (re.compile(r"Request (?:payload )?is not JSON"), _l("The request body must be JSON.")),
    (re.compile(r"Not a valid rison(?:/json)? argument"), _l("The parameter q is not valid.")),
    (re.compile(r"Arguments are not correct"), _l("The request is not valid.")),
    (re.compile(r"Could not process entity"), _l("The record could not be processed.")),
    (re.compile(r"Fatal error"), _l("Something went wrong on the server.")),
]


def translate(message):
    """The message in the user's language; nested lists and dicts translated item by item."""
    if isinstance(message, dict):
        return {key: translate(value) for key, value in message.items()}
    if isinstance(message, list | tuple):
        return [translate(item) for item in message]
    if not isinstance(message, str):
        return message
    for pattern, msgid in KNOWN:
        match = pattern.fullmatch(message.strip())
        if match:
            return str(msgid) % match.groupdict() if match.groupdict() else str(msgid)
    return message


def install() -> None:
    """Route every FAB API answer through `translate` (idempotent)."""
    from flask_appbuilder.api import BaseApi

    if getattr(BaseApi.response, "lindungi", False):
        return
    original = BaseApi.response

    def response(code: int, **kwargs):
        if code >= 400 and "message" in kwargs:
            kwargs["message"] = translate(kwargs["message"])
        return original(code, **kwargs)

    response.lindungi = True
    BaseApi.response = staticmethod(response)
