"""Reference tables of the permit check: its parameters and the minimum wages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import formatting
from app.models import ComplianceRule, MinimumWage
from app.views.base import Interface, ScopedModelView


class ComplianceRuleView(ScopedModelView):
    datamodel = Interface(ComplianceRule)
    list_title = _l("Permit check parameters")
    show_title = _l("Permit check parameters")
    list_columns = [
        "regency.name",
        "valid_from",
        "grace_months",
        "grace_amount",
        "construction_days",
        "check_minimum_wage",
        "certificate_days",
    ]
    show_columns = add_columns = edit_columns = [
        "regency",
        "valid_from",
        "grace_months",
        "grace_amount",
        "construction_days",
        "check_minimum_wage",
        "certificate_days",
        "legal_basis",
    ]
    search_columns = ["valid_from"]
    order_columns = ["valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = {
        "regency": _l("Regency (empty: national)"),
        "regency.name": _l("Regency"),
        "valid_from": _l("Valid from"),
        "grace_months": _l("Grace: months of arrears"),
        "grace_amount": _l("Grace: amount of arrears"),
        "construction_days": _l("Days to register a project after its SPK"),
        "check_minimum_wage": _l("Check wages against the minimum wage"),
        "certificate_days": _l("Certificate valid for (days)"),
        "legal_basis": _l("Legal basis"),
    }
    description_columns = {
        "construction_days": _l("A local rule (default 7 days); no national deadline is known."),
        "grace_amount": _l("Arrears up to this amount and number of months still pass."),
    }
    formatters_columns = {"valid_from": formatting.long_date, "grace_amount": formatting.rupiah}


class MinimumWageView(ScopedModelView):
    datamodel = Interface(MinimumWage)
    list_title = _l("Minimum wages")
    show_title = _l("Minimum wage")
    list_columns = ["province_code", "regency.name", "year", "amount", "legal_basis"]
    show_columns = add_columns = edit_columns = [
        "province_code",
        "regency",
        "year",
        "amount",
        "legal_basis",
    ]
    search_columns = ["year", "province_code"]
    order_columns = ["year", "amount"]
    base_order = ("year", "desc")
    label_columns = {
        "province_code": _l("Province code"),
        "regency": _l("Regency (empty: provincial UMP)"),
        "regency.name": _l("Regency"),
        "year": _l("Year"),
        "amount": _l("Monthly minimum wage"),
        "legal_basis": _l("Legal basis"),
    }
    formatters_columns = {"amount": formatting.rupiah}
