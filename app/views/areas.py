"""Area screens: regencies, districts, villages and the regency workforce."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import District, Regency, RegencyWorkforce, Village
from app.views.base import Interface, ScopedModelView
from app.views.organisations import CompanyView, OpdView


class VillageView(ScopedModelView):
    datamodel = Interface(Village)
    list_title = _l("Villages")
    show_title = _l("Village")
    list_columns = ["code", "name", "district.name", "regency.name"]
    show_columns = ["code", "name", "district.name", "regency.name"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "code": _l("Kemendagri code"),
        "name": _l("Village"),
        "district.name": _l("District"),
        "regency.name": _l("Regency"),
    }


class DistrictView(ScopedModelView):
    datamodel = Interface(District)
    list_title = _l("Districts")
    show_title = _l("District")
    list_columns = ["code", "name", "regency.name"]
    show_columns = ["code", "name", "regency.name"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = VillageView.label_columns | {"name": _l("District")}


class RegencyWorkforceView(ScopedModelView):
    datamodel = Interface(RegencyWorkforce)
    list_title = _l("Potential workforce")
    list_columns = ["regency.name", "year", "wage_earners", "informal_workers", "source"]
    show_columns = list_columns
    add_columns = edit_columns = ["regency", "year", "wage_earners", "informal_workers", "source"]
    search_columns = ["year"]
    order_columns = ["year", "wage_earners", "informal_workers"]
    base_order = ("year", "desc")
    label_columns = {
        "regency": _l("Regency"),
        "regency.name": _l("Regency"),
        "year": _l("Year"),
        "wage_earners": _l("Potential wage earners"),
        "informal_workers": _l("Potential informal workers"),
        "source": _l("Source"),
    }
    description_columns = {
        "wage_earners": _l("Workforce that earns wages (BPS), the denominator of PU coverage."),
        "source": _l("Where the figure comes from, e.g. BPS Sakernas 2024."),
    }


class RegencyView(ScopedModelView):
    datamodel = Interface(Regency)
    list_title = _l("Regencies and cities")
    show_title = _l("Regency")
    list_columns = ["code", "name", "province.name"]
    show_columns = ["code", "name", "province.name"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
    base_permissions = ["can_list", "can_show", "can_export"]
    related_views = [DistrictView, VillageView, OpdView, CompanyView, RegencyWorkforceView]
    label_columns = {
        "code": _l("Kemendagri code"),
        "name": _l("Regency / city"),
        "province.name": _l("Province"),
    }
