"""Money screens: contribution bills and payments, and the effective-dated rate tables."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import formatting
from app.models import Contribution, IncomeBracket, Program, WageRate
from app.views.base import Interface, ScopedModelView


class ContributionView(ScopedModelView):
    datamodel = Interface(Contribution)
    list_title = _l("Contributions and arrears")
    show_title = _l("Contribution")
    list_columns = ["period", "payer", "amount_due", "amount_paid", "outstanding", "paid_on"]
    show_columns = [
        "period",
        "payer",
        "amount_due",
        "amount_paid",
        "outstanding",
        "paid_on",
        "reference",
    ]
    edit_columns = ["amount_paid", "paid_on", "reference"]
    search_columns = ["period", "paid_on", "company", "sponsor"]
    order_columns = ["period", "amount_due", "amount_paid", "paid_on"]
    base_order = ("period", "desc")
    eager_columns = ("company", "sponsor", "worker")
    base_permissions = ["can_list", "can_show", "can_edit", "can_export"]
    label_columns = {
        "period": _l("Month"),
        "payer": _l("Payer"),
        "company": _l("Company"),
        "sponsor": _l("Sponsor"),
        "amount_due": _l("Due"),
        "amount_paid": _l("Paid"),
        "outstanding": _l("Outstanding"),
        "paid_on": _l("Paid on"),
        "reference": _l("Payment reference"),
    }
    formatters_columns = {
        "period": lambda d: formatting.long_date(d).split(" ", 1)[-1] if d else "",
        "amount_due": formatting.rupiah,
        "amount_paid": formatting.rupiah,
        "outstanding": formatting.rupiah,
        "paid_on": formatting.long_date,
    }

    def pre_update(self, item):
        from app.services.contributions import check_payment

        check_payment(item)
        super().pre_update(item)


RATE_LABELS = {
    "program": _l("Program"),
    "risk_group": _l("JKK risk group"),
    "employer_pct": _l("Employer %"),
    "worker_pct": _l("Worker %"),
    "government_pct": _l("Government %"),
    "wage_cap": _l("Wage cap"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid until"),
    "legal_basis": _l("Legal basis"),
    "income_from": _l("Income from"),
    "income_to": _l("Income up to"),
    "jkk_amount": _l("JKK per month"),
    "jkm_amount": _l("JKM per month"),
    "jht_amount": _l("JHT per month"),
}
UNSCOPED = []  # reference tables are national


class WageRateView(ScopedModelView):
    datamodel = Interface(WageRate)
    base_filters = UNSCOPED
    list_title = _l("Wage earner contribution rates")
    show_title = _l("Rate")
    list_columns = [
        "program",
        "risk_group",
        "employer_pct",
        "worker_pct",
        "government_pct",
        "wage_cap",
        "valid_from",
        "valid_to",
    ]
    show_columns = list_columns + ["legal_basis"]
    add_columns = edit_columns = show_columns
    search_columns = ["program", "valid_from"]
    order_columns = ["program", "risk_group", "valid_from"]
    base_order = ("program", "asc")
    label_columns = RATE_LABELS
    description_columns = {
        "valid_to": _l("Leave empty while the rate is in force."),
        "wage_cap": _l("Only for JP: the wage above which no contribution is due."),
    }
    formatters_columns = {
        "program": Program.label_of,
        "employer_pct": formatting.percent,
        "worker_pct": formatting.percent,
        "government_pct": formatting.percent,
        "wage_cap": formatting.rupiah,
        "valid_from": formatting.long_date,
        "valid_to": formatting.long_date,
    }


class IncomeBracketView(ScopedModelView):
    datamodel = Interface(IncomeBracket)
    base_filters = UNSCOPED
    list_title = _l("Informal worker income brackets")
    show_title = _l("Income bracket")
    list_columns = [
        "income_from",
        "income_to",
        "jkk_amount",
        "jkm_amount",
        "jht_amount",
        "valid_from",
        "valid_to",
    ]
    show_columns = list_columns + ["legal_basis"]
    add_columns = edit_columns = show_columns
    search_columns = ["valid_from"]
    order_columns = ["income_from", "valid_from"]
    base_order = ("income_from", "asc")
    label_columns = RATE_LABELS
    formatters_columns = {
        "income_from": formatting.rupiah,
        "income_to": formatting.rupiah,
        "jkk_amount": formatting.rupiah,
        "jkm_amount": formatting.rupiah,
        "jht_amount": formatting.rupiah,
        "valid_from": formatting.long_date,
        "valid_to": formatting.long_date,
    }
