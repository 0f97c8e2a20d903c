"""ModelRestApi per core resource: same scope and explicit columns as the screens."""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import ModelRestApi
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import privacy
from app.api import openapi
from app.extensions import db
from app.models import Company, Contribution, Enrollment, Regency, Village, Worker
from app.scope import current_scope
from app.services import Conflict, ServiceError, audit
from app.services.enrollments import prepare_enrollment
from app.services.organisations import validate_company
from app.services.workers import validate_worker
from app.views.base import CONFLICT, STALE, Interface


class ScopedApi(ModelRestApi):
    """A REST resource limited to the caller's scope, with business errors as JSON."""

    allow_browser_login = False
    page_size = 25
    model2schemaconverter = openapi.ForeignKeyConverter

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        openapi.correct_operations(func.__name__, operations)

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        openapi.correct_components(api_spec)

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """A field of `_info`; without a description, an empty one (not gettext("")'s header)."""
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info

    def _guarded(self, handler):
        try:
            return handler()
        except ServiceError as exc:
            db.session.rollback()
            body = {"message": str(exc.message)}
            if exc.field:
                body["field"] = exc.field
            return self.response(exc.status, **body)
        except IntegrityError:
            # A flush during validation (autoflush) met a constraint: the same refusal the
            # data interface gives when the save itself meets it.
            db.session.rollback()
            return self.response(409, message=str(CONFLICT))

    def post_headless(self):
        return self._guarded(super().post_headless)

    def _merge_update_item(self, model_item, data):
        """PUT as a patch: fields left out keep their values (empty ones are not re-sent).

        A versioned record (workers, enrollments) is changed only by a caller who sends the
        `version` they read, like the form's hidden copy: two editors never overwrite each
        other unseen; the second gets 409 and reads the record again.
        """
        if "version" in self.datamodel.get_columns_list():
            sent = data.pop("version", None) if isinstance(data, dict) else None
            if sent is None:
                raise ServiceError(
                    _l('Send the record\'s version as you read it (the field "version").'),
                    field="version",
                )
            if isinstance(sent, bool) or not isinstance(sent, int):
                raise ServiceError(_l("The version must be a whole number."), field="version")
            if sent != model_item.version:
                raise Conflict(str(STALE), field="version")
        current = self.edit_model_schema.dump(model_item, many=False)
        for column in self.edit_columns:
            if column not in data and current.get(column) is not None:
                data[column] = current[column]
        return data

    def pre_get(self, data):
        """One record as this caller may see it (personal fields masked by role)."""
        privacy.mask_record(self.datamodel.obj.__name__, data.get("result", {}))

    def pre_get_list(self, data):
        """A page of records as this caller may see them (personal fields masked by role)."""
        for row in data.get("result", []):
            privacy.mask_record(self.datamodel.obj.__name__, row)

    def get_headless(self, pk, **kwargs):
        """Answer one record; a read of personal data is recorded."""
        response = super().get_headless(pk, **kwargs)
        name = self.datamodel.obj.__name__
        if response.status_code == 200 and name in privacy.PERSONAL_FIELDS:
            audit.record(db.session, "read", name, pk, channel="api")
        return response

    def get_list_headless(self, **kwargs):
        """Answer a page of records; a list of personal data is recorded with its ids."""
        response = super().get_list_headless(**kwargs)
        name = self.datamodel.obj.__name__
        if response.status_code == 200 and name in privacy.PERSONAL_FIELDS:
            ids = (response.get_json() or {}).get("ids", [])
            audit.record_list_read(db.session, name, ids, channel="api")
        return response

    def put_headless(self, pk):
        return self._guarded(lambda: super(ScopedApi, self).put_headless(pk))

    def delete_headless(self, pk):
        """Delete; a record still in use answers 409 with the reason instead of 500."""
        return self._guarded(lambda: super(ScopedApi, self).delete_headless(pk))


class RegencyApi(ScopedApi):
    resource_name = "regency"
    datamodel = Interface(Regency)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "code", "name"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]


class VillageApi(ScopedApi):
    resource_name = "village"
    datamodel = Interface(Village)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id", "code", "name", "district.name", "regency_id"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]


class CompanyApi(ScopedApi):
    resource_name = "company"
    datamodel = Interface(Company)
    list_columns = [
        "id",
        "name",
        "npp",
        "nib",
        "npwp",
        "size_class",
        "risk_group",
        "regency_id",
        "declared_workforce",
        "status",
    ]
    show_columns = list_columns + ["kbli", "village_id", "address", "registered_on"]
    add_columns = edit_columns = [
        "name",
        "npp",
        "nib",
        "npwp",
        "kbli",
        "size_class",
        "risk_group",
        "regency_id",
        "village_id",
        "address",
        "declared_workforce",
        "status",
        "registered_on",
    ]
    search_columns = ["name", "npp", "nib", "npwp", "size_class", "status", "regency_id"]
    order_columns = ["name", "npp", "declared_workforce"]

    def pre_add(self, item):
        validate_company(db.session, item, current_app.config["NPP_PATTERN"])

    pre_update = pre_add


class WorkerApi(ScopedApi):
    resource_name = "worker"
    datamodel = Interface(Worker)
    list_columns = [
        "id",
        "name",
        "nik",
        "sex",
        "segment",
        "village_id",
        "regency_id",
        "company_id",
        "opd_id",
    ]
    show_columns = list_columns + [
        "birth_date",
        "kpj",
        "rt",
        "rw",
        "address",
        "phone",
        "dtsen_decile",
        "welfare_source",
        "employer_village_id",
        "version",
    ]
    add_columns = edit_columns = [
        "nik",
        "name",
        "birth_date",
        "sex",
        "kpj",
        "phone",
        "village_id",
        "rt",
        "rw",
        "address",
        "segment",
        "company_id",
        "opd_id",
        "employer_village_id",
        "dtsen_decile",
        "welfare_source",
        "welfare_verified_by",
        "welfare_verified_at",
    ]
    search_columns = ["name", "segment", "sex", "regency_id", "village_id"]
    order_columns = ["name", "segment"]

    def pre_add(self, item):
        validate_worker(db.session, item, current_scope(), current_app.config["KPJ_PATTERN"])

    pre_update = pre_add


class EnrollmentApi(ScopedApi):
    resource_name = "enrollment"
    datamodel = Interface(Enrollment)
    list_columns = [
        "id",
        "worker_id",
        "jkk",
        "jkm",
        "jht",
        "jp",
        "jkp",
        "start_date",
        "end_date",
        "status",
        "payer_type",
        "company_id",
        "sponsor_id",
        "monthly_contribution",
        "regency_id",
    ]
    show_columns = list_columns + ["declared_wage", "worker_share", "version"]
    add_columns = edit_columns = [
        "worker_id",
        "jkk",
        "jkm",
        "jht",
        "jp",
        "jkp",
        "start_date",
        "end_date",
        "payer_type",
        "company_id",
        "sponsor_id",
        "declared_wage",
    ]
    search_columns = ["status", "payer_type", "worker_id", "regency_id"]
    order_columns = ["start_date", "status"]

    def pre_add(self, item):
        from app.services.enrollments import load_references

        load_references(db.session, item, current_scope())
        prepare_enrollment(db.session, item)

    pre_update = pre_add


class ContributionApi(ScopedApi):
    resource_name = "contribution"
    datamodel = Interface(Contribution)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = [
        "id",
        "period",
        "company_id",
        "sponsor_id",
        "worker_id",
        "amount_due",
        "amount_paid",
        "paid_on",
        "regency_id",
    ]
    search_columns = ["period", "company_id", "sponsor_id"]
    order_columns = ["period"]


APIS = [RegencyApi, VillageApi, CompanyApi, WorkerApi, EnrollmentApi, ContributionApi]
