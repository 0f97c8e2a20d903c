"""Form fields shared by the screens."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import DateInput


class ChoiceField(SelectField):
    """A select of fixed, translated choices, styled like FAB's own selects.

    Anything posted that is not one of the choices is refused by WTForms' own check. A required
    choice starts empty ("— choose —") unless the field names a default: no form guesses a
    person's sex or segment for the user. ``blank`` makes the choice optional; ``placeholder``
    False gives a bare list of the choices (a list filter).
    """

    def __init__(
        self, label, choices, validators=None, blank: bool = False, placeholder=None, **kwargs
    ):
        validators = list(validators or [])
        if placeholder is None:
            placeholder = "default" not in kwargs and "coerce" not in kwargs
        if blank:
            choices = [("", "—"), *choices]
            validators.insert(0, Optional())
        elif placeholder:
            choices = [("", _l("— choose —")), *choices]
            validators.insert(0, InputRequired())
        super().__init__(label, validators, choices=choices, widget=Select2Widget(), **kwargs)


def native_date(label, validators=None, **kwargs) -> DateField:
    """A date field drawn as the browser's own date input (``<input type="date">``): it shows
    the calendar in the user's language and posts ISO dates (YYYY-MM-DD)."""
    return DateField(label, validators or [], format="%Y-%m-%d", widget=DateInput(), **kwargs)
