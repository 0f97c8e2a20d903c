"""Enum labels are keyed per enum: the same stored value may mean two things (issue 15)."""

from __future__ import annotations

import pytest

from app.models.base import LABELS, Choice, choice_label, register_labels


def _choices():
    return sorted(Choice.__subclasses__(), key=lambda c: c.__name__)


@pytest.mark.parametrize("choice", _choices(), ids=lambda c: c.__name__)
def test_every_value_of_every_enum_has_its_own_label(choice):
    missing = [m.value for m in choice if (choice.__name__, m.value) not in LABELS]
    assert missing == []


def test_the_award_category_province_is_not_the_provincial_budget(app):
    from flask_babel import force_locale

    from app.models import AwardCategory, PayerType, SponsorKind

    with app.test_request_context(), force_locale("en"):
        assert AwardCategory.label_of("province") == "Province"
        assert PayerType.label_of("province") == "Provincial budget"
        assert SponsorKind.label_of("province") == "Provincial budget"


def test_a_pending_permit_and_a_pending_enrollment_read_differently(app):
    from app.models import Decision, EnrollmentStatus

    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert Decision.label_of("pending") == "Menunggu keputusan"
        assert EnrollmentStatus.label_of("pending") == "Menunggu"


def test_the_template_filter_names_its_enum(app):
    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert choice_label("small", "AwardCategory") != choice_label("small", "CompanySize")
        assert choice_label(None, "CompanySize") == ""


def test_a_label_for_a_value_the_enum_lacks_is_refused():
    from app.models import CompanySize

    with pytest.raises(ValueError):
        register_labels(CompanySize, huge="Huge")


def test_an_unknown_stored_value_is_shown_as_stored():
    from app.models import CompanySize

    assert CompanySize.label_of("gigantic") == "gigantic"
