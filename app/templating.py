"""Template filters: the display formats and the labels that pages and PDFs print."""

from __future__ import annotations

from app import formatting
from app.models.base import choice_label
from app.roles import role_label
from app.services.award_indicators import CATEGORY_LABELS, FIGURE_LABELS
from app.services.identifiers import format_npwp


def register(app) -> None:
    """Make the formatters available to templates."""
    app.jinja_env.filters.update(
        rupiah=formatting.rupiah,
        arrears=formatting.arrears,
        number=formatting.number,
        points=formatting.points,
        long_date=formatting.long_date,
        month_year=formatting.month_year,
        choice_label=choice_label,
        role_label=role_label,
        nik=formatting.nik,
        birth_date=formatting.birth_date,
        phone=formatting.phone,
        wage=formatting.wage,
        npwp=format_npwp,
        award_figure=lambda key: FIGURE_LABELS.get(key, key),
        award_category=lambda key: CATEGORY_LABELS.get(key, key),
    )
