"""Administration screens: user scopes and the audit trail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import formatting, privacy
from app.models import AuditEvent, UserScope
from app.views.base import Interface, ScopedModelView


class AuditEventView(ScopedModelView):
    datamodel = Interface(AuditEvent)
    list_title = _l("Audit trail")
    show_title = _l("Audit event")
    list_columns = ["at", "username", "action", "entity", "entity_id", "ip"]
    show_columns = [
        "at",
        "username",
        "action",
        "entity",
        "entity_id",
        "regency_id",
        "ip",
        "details",
    ]
    search_columns = ["username", "action", "entity", "entity_id", "at"]
    order_columns = ["at", "username", "action"]
    base_order = ("at", "desc")
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "at": _l("When"),
        "username": _l("User"),
        "action": _l("Action"),
        "entity": _l("Record type"),
        "entity_id": _l("Record id"),
        "regency_id": _l("Regency id"),
        "ip": _l("IP address"),
        "details": _l("Details"),
    }
    formatters_columns = {
        "at": formatting.long_date,
        "action": formatting.audit_action,
        "entity": formatting.record_type,
        "details": lambda details: privacy.audit_details(*details),
    }


class UserScopeView(ScopedModelView):
    datamodel = Interface(UserScope)
    base_filters = []
    list_title = _l("User work areas")
    show_title = _l("User work area")
    list_columns = ["user", "branch_office", "regency", "opd", "village"]
    show_columns = list_columns
    add_columns = edit_columns = list_columns
    search_columns = ["user", "branch_office", "regency"]
    order_columns = []
    label_columns = {
        "user": _l("User"),
        "branch_office": _l("Branch office"),
        "regency": _l("Regency"),
        "opd": _l("OPD"),
        "village": _l("Village"),
    }
    description_columns = {
        "branch_office": _l("Branch staff, supervisors: the branch and all regencies it serves."),
        "regency": _l("Permit officers and auditors: one regency."),
        "opd": _l("OPD operators."),
        "village": _l("Village operators."),
    }

    def __init__(self, **kwargs):
        from app.views.pickers import PickerField

        self.add_form_extra_fields = self.edit_form_extra_fields = {
            "village": PickerField(_l("Village"), kind="village")
        }
        super().__init__(**kwargs)
