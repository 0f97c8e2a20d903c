"""The compliance API for permit systems: one company's verdict by NIB, NPWP or NPP."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.utils.limit import Limit
from flask_limiter.util import get_remote_address

from app.extensions import db
from app.scope import current_scope
from app.services import ServiceError, audit, compliance, permits


def _rate() -> str:
    return current_app.config["COMPLIANCE_API_LIMIT"]


class ComplianceApi(BaseApi):
    """GET /api/v1/compliance/<identifier>: the verdict, each check and the parameters used."""

    resource_name = "compliance"
    openapi_spec_tag = "Compliance"
    limits = [Limit(_rate, key_func=get_remote_address)]

    @expose("/<identifier>", methods=["GET"])
    @protect()
    @safe
    def get(self, identifier):
        """Check a company for a permit.
        ---
        get:
          summary: Whether a company may receive a permit, with each check and its reason
          parameters:
          - in: path
            name: identifier
            required: true
            description: NIB (13 digits), NPWP (15 or 16 digits) or NPP of the company
            schema:
              type: string
              example: "9120000000070"
          responses:
            200:
              description: The verdict
              content:
                application/json:
                  example:
                    company: {id: 70, name: "CV Angkutan Sungai Kapuas", nib: "9120000000070",
                              npwp: "010000701711000", npp: "62000070", regency: "62.03"}
                    compliant: false
                    checks:
                    - {code: registered, passed: true, title: "Terdaftar di BPJS",
                       reason: "Terdaftar sebagai pemberi kerja 62000070 di BPJS Ketenagakerjaan."}
                    - {code: arrears, passed: false, title: "Tidak ada tunggakan",
                       reason: "Iuran belum dibayar Rp 412.020 selama 1 bulan ..."}
                    parameters: {grace_months: 0, grace_amount: 0, construction_days: 7}
                    checked_at: "2026-11-23T10:15:00+00:00"
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            429:
              description: Too many requests
        """
        try:
            company = permits.find_company(db.session, identifier, current_scope())
        except ServiceError as exc:
            audit.record(
                db.session,
                "api_check",
                "Company",
                None,
                identifier=identifier[:40],
                status=exc.status,
            )
            return self.response(exc.status, message=str(exc.message))
        now = dt.datetime.now(dt.UTC)
        verdict = compliance.evaluate(db.session, company, now.date())
        body = {
            "company": {
                "id": company.id,
                "name": company.name,
                "nib": company.nib,
                "npwp": company.npwp,
                "npp": company.npp,
                "regency": company.regency.code,
            },
            "compliant": verdict.compliant,
            "checks": [
                {
                    "code": c.code,
                    "passed": c.passed,
                    "title": compliance.check_title(c.code),
                    "reason": c.reason,
                    "figures": c.figures,
                }
                for c in verdict.checks
            ],
            "parameters": verdict.parameters,
            "checked_at": now.isoformat(timespec="seconds"),
        }
        audit.record(
            db.session,
            "api_check",
            "Company",
            company.id,
            regency_id=company.regency_id,
            compliant=verdict.compliant,
        )
        return self.response(200, **body)
