"""The issuing offices' letterheads and signers, and the register of letters issued."""

from __future__ import annotations

from flask import g, request
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, FileField, TextAreaField
from wtforms.validators import DataRequired

from app import formatting, roles
from app.models import IssuedLetter, Letterhead, LetterKind, OfficeKind
from app.models.letters import DEFAULT_PATTERN
from app.services import letterheads
from app.views.base import Interface, ScopedModelView
from app.views.fields import ChoiceField


class FormOnlyFileField(FileField):
    """A file input the service reads from the request; never copied onto the record."""

    def populate_obj(self, obj, name):
        pass


class FormOnlyBooleanField(BooleanField):
    """A checkbox that asks for something to be done, not a column of the record."""

    def populate_obj(self, obj, name):
        pass


def _logo(uri) -> str:
    return Markup('<img src="%s" alt="" style="max-height: 72px">') % escape(uri) if uri else ""


LABELS = {
    "kind": _l("Office"),
    "regency": _l("Regency"),
    "regency.name": _l("Regency"),
    "branch_office": _l("Branch office (BPJS branch only)"),
    "branch_office.name": _l("Branch office"),
    "heading": _l("Heading lines"),
    "address": _l("Address"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "website": _l("Website"),
    "logo_data_uri": _l("Logo"),
    "logo_file": _l("Logo (PNG or SVG)"),
    "remove_logo": _l("Remove the logo"),
    "unit_code": _l("Unit code"),
    "number_pattern": _l("Letter-number pattern"),
    "place": _l("Place in the date line"),
    "signer_name": _l("Signer's name"),
    "signer_position": _l("Signer's position"),
    "signer_nip": _l("Signer's NIP"),
}


class LetterheadView(ScopedModelView):
    datamodel = Interface(Letterhead)
    list_title = _l("Letterheads and signers")
    show_title = _l("Letterhead")
    add_title = _l("Add a letterhead")
    edit_title = _l("Edit a letterhead")
    list_columns = ["kind", "regency.name", "branch_office.name", "unit_code", "signer_name"]
    show_columns = [
        "kind",
        "regency",
        "branch_office",
        "logo_data_uri",
        "heading",
        "address",
        "phone",
        "email",
        "website",
        "unit_code",
        "number_pattern",
        "place",
        "signer_name",
        "signer_position",
        "signer_nip",
    ]
    add_columns = edit_columns = [
        "kind",
        "regency",
        "branch_office",
        "heading",
        "address",
        "phone",
        "email",
        "website",
        "logo_file",
        "remove_logo",
        "unit_code",
        "number_pattern",
        "place",
        "signer_name",
        "signer_position",
        "signer_nip",
    ]
    search_columns = ["kind", "unit_code", "signer_name"]
    order_columns = ["kind", "unit_code"]
    base_order = ("kind", "asc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    label_columns = LABELS
    description_columns = {
        "heading": _l(
            "One line per row, as printed at the top, e.g. PEMERINTAH KABUPATEN KAPUAS, then the "
            "office's name."
        ),
        "number_pattern": _l(
            "Placeholders: {seq} (required, the running number), {unit}, {month-roman}, {year}. "
            "Default: %(pattern)s",
            pattern=DEFAULT_PATTERN,
        ),
        "unit_code": _l("The office's code in its letter numbers, e.g. DPMPTSP."),
        "place": _l("The town named before the date, e.g. Kuala Kapuas."),
        "signer_nip": _l("18 digits: birth date, appointment month, sex (1/2), serial."),
        "logo_file": _l("At most 256 KB. Leave empty to keep the current logo."),
    }
    formatters_columns = {"kind": OfficeKind.label_of, "logo_data_uri": _logo}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": ChoiceField(_l("Office"), OfficeKind.choices()),
        "heading": TextAreaField(
            LABELS["heading"],
            [DataRequired()],
            description=description_columns["heading"],
            widget=BS3TextAreaFieldWidget(),
            render_kw={"rows": 3},
        ),
        "logo_file": FormOnlyFileField(
            LABELS["logo_file"], description=description_columns["logo_file"]
        ),
        "remove_logo": FormOnlyBooleanField(LABELS["remove_logo"]),
    }

    def pre_add(self, item):
        self._prepare(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._prepare(item)

    def pre_delete(self, item):
        letterheads.prepare_delete(item, roles.letterhead_kinds(g.user))

    def _prepare(self, item):
        upload = request.files.get("logo_file")
        logo = upload.read(letterheads.LOGO_MAX_BYTES + 1) if upload else None
        letterheads.prepare(
            item, roles.letterhead_kinds(g.user), logo, bool(request.form.get("remove_logo"))
        )


class IssuedLetterView(ScopedModelView):
    datamodel = Interface(IssuedLetter)
    list_title = _l("Issued letters")
    show_title = _l("Issued letter")
    list_columns = ["issued_at", "number", "kind", "regency.name", "subject_type", "subject_id"]
    show_columns = [
        "number",
        "kind",
        "regency",
        "subject_type",
        "subject_id",
        "issued_at",
        "issued_by",
        "letterhead",
        "place",
        "signer_name",
        "signer_position",
        "signer_nip",
    ]
    search_columns = ["number", "kind", "issued_at", "year"]
    order_columns = ["issued_at", "number"]
    base_order = ("issued_at", "desc")
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "number": _l("Letter number"),
        "kind": _l("Document"),
        "regency": _l("Regency"),
        "regency.name": _l("Regency"),
        "subject_type": _l("Record type"),
        "subject_id": _l("Record id"),
        "issued_at": _l("Issued at"),
        "issued_by": _l("Issued by"),
        "letterhead": _l("Letterhead"),
        "year": _l("Year"),
        "place": LABELS["place"],
        "signer_name": LABELS["signer_name"],
        "signer_position": LABELS["signer_position"],
        "signer_nip": LABELS["signer_nip"],
    }
    formatters_columns = {
        "kind": LetterKind.label_of,
        "issued_at": formatting.long_date,
        "subject_type": formatting.record_type,
    }
