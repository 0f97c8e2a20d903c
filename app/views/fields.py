"""Form fields shared by the screens."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import DateField, SelectField
from wtforms.validators import Optional
from wtforms.widgets import DateInput


class ChoiceField(SelectField):
    """A select of fixed, translated choices, styled like FAB's own selects.

    Anything posted that is not one of the choices is refused by WTForms' own check.
    """

    def __init__(self, label, choices, validators=None, blank: bool = False, **kwargs):
        validators = list(validators or [])
        if blank:
            choices = [("", "—"), *choices]
            validators.insert(0, Optional())
        super().__init__(label, validators, choices=choices, widget=Select2Widget(), **kwargs)


def native_date(label, validators=None, **kwargs) -> DateField:
    """A date field drawn as the browser's own date input (``<input type="date">``): it shows
    the calendar in the user's language and posts ISO dates (YYYY-MM-DD)."""
    return DateField(label, validators or [], format="%Y-%m-%d", widget=DateInput(), **kwargs)
