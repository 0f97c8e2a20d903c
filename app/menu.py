"""The one place that registers views and APIs; the menu reads like a table of contents."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.api.compliance import ComplianceApi
from app.api.core import APIS
from app.views.admin import AuditEventView, UserScopeView
from app.views.areas import DistrictView, RegencyView, RegencyWorkforceView, VillageView
from app.views.arrears import ArrearsView, PenaltyRuleView
from app.views.award_evidence import AwardEvidenceView
from app.views.awards import AwardView
from app.views.batches import BatchView
from app.views.benefits import BenefitReportView, BenefitRuleView
from app.views.claims import ClaimView
from app.views.dashboard import DashboardView
from app.views.finance import ContributionView, IncomeBracketView, WageRateView
from app.views.letters import IssuedLetterView, LetterheadView
from app.views.organisations import (
    BranchOfficeView,
    CompanyView,
    OpdView,
    SponsorCommitmentView,
    SponsorView,
)
from app.views.permits import (
    ConstructionProjectView,
    PermitCheckView,
    PermitDeskView,
    VerifyView,
)
from app.views.pickers import PickerView
from app.views.reconciliation import ReconciliationView
from app.views.reports import ReportView
from app.views.rules import ComplianceRuleView, MinimumWageView
from app.views.villages import Desa100View
from app.views.wages import WageComplianceView
from app.views.workers import EnrollmentView, WorkerView

CATEGORIES = {
    "Coverage": (_l("Coverage"), "fa-chart-bar"),
    "Participation": (_l("Participation"), "fa-shield-alt"),
    "Permits": (_l("Permits"), "fa-stamp"),
    "Organisations": (_l("Organisations"), "fa-building"),
    "Areas": (_l("Areas"), "fa-map"),
    "Reference": (_l("Reference"), "fa-book"),
}

MENU = [
    ("Coverage", DashboardView, "Dashboard", _l("Coverage dashboard"), "fa-chart-line"),
    ("Coverage", AwardView, "Paritrana award", _l("Paritrana award"), "fa-trophy"),
    (
        "Coverage",
        BenefitReportView,
        "Benefit report",
        _l("Benefits for families"),
        "fa-file-invoice-dollar",
    ),
    ("Participation", WorkerView, "Workers", _l("Workers"), "fa-user"),
    ("Participation", EnrollmentView, "Enrollments", _l("Enrollments"), "fa-id-card"),
    ("Participation", BatchView, "Enrollment batches", _l("Enrollment batches"), "fa-layer-group"),
    ("Participation", Desa100View, "1 Village 100", _l("1 Village 100"), "fa-home"),
    (
        "Participation",
        ReconciliationView,
        "Reconciliation",
        _l("Reconciliation with BPJS data"),
        "fa-balance-scale",
    ),
    ("Participation", ClaimView, "Claims", _l("Claims and benefits"), "fa-hands-helping"),
    ("Participation", SponsorView, "Sponsors", _l("Sponsors and payers"), "fa-hand-holding-heart"),
    (
        "Participation",
        SponsorCommitmentView,
        "Commitments",
        _l("Sponsor commitments"),
        "fa-file-signature",
    ),
    (
        "Participation",
        ContributionView,
        "Contributions",
        _l("Contributions and arrears"),
        "fa-money-bill",
    ),
    (
        "Participation",
        ArrearsView,
        "Contribution arrears",
        _l("Contribution arrears"),
        "fa-exclamation-triangle",
    ),
    ("Permits", PermitDeskView, "Permit desk", _l("Permit desk"), "fa-search"),
    ("Permits", PermitCheckView, "Permit decisions", _l("Permit decisions"), "fa-stamp"),
    ("Permits", ReportView, "Compliance report", _l("Regency compliance report"), "fa-file-pdf"),
    (
        "Permits",
        WageComplianceView,
        "Minimum wage compliance",
        _l("Minimum wage compliance"),
        "fa-coins",
    ),
    (
        "Permits",
        ConstructionProjectView,
        "Construction projects",
        _l("Construction projects"),
        "fa-hard-hat",
    ),
    ("Organisations", CompanyView, "Companies", _l("Companies"), "fa-industry"),
    ("Organisations", OpdView, "OPDs", _l("Regional agencies (OPD)"), "fa-landmark"),
    ("Organisations", BranchOfficeView, "Branch offices", _l("Branch offices"), "fa-building"),
    ("Areas", RegencyView, "Regencies", _l("Regencies and cities"), "fa-map"),
    ("Areas", DistrictView, "Districts", _l("Districts"), "fa-map-marker"),
    ("Areas", VillageView, "Villages", _l("Villages"), "fa-home"),
    ("Areas", RegencyWorkforceView, "Workforce", _l("Potential workforce"), "fa-users"),
    ("Reference", WageRateView, "Wage rates", _l("Wage earner rates"), "fa-percent"),
    (
        "Reference",
        IncomeBracketView,
        "Income brackets",
        _l("Informal worker brackets"),
        "fa-layer-group",
    ),
    ("Reference", BenefitRuleView, "Benefit table", _l("Benefit table"), "fa-table"),
    (
        "Reference",
        ComplianceRuleView,
        "Permit check parameters",
        _l("Permit check parameters"),
        "fa-sliders-h",
    ),
    ("Reference", MinimumWageView, "Minimum wages", _l("Minimum wages"), "fa-coins"),
    (
        "Reference",
        PenaltyRuleView,
        "Late-payment penalties",
        _l("Late-payment penalties"),
        "fa-percent",
    ),
    (
        "Reference",
        LetterheadView,
        "Letterheads",
        _l("Letterheads and signers"),
        "fa-envelope-open-text",
    ),
    ("Reference", IssuedLetterView, "Issued letters", _l("Issued letters"), "fa-list-ol"),
    ("Reference", AuditEventView, "Audit trail", _l("Audit trail"), "fa-history"),
]


def register(appbuilder) -> None:
    """Register every view, API and menu entry."""
    for category, view, name, label, icon in MENU:
        category_label, category_icon = CATEGORIES[category]
        appbuilder.add_view(
            view,
            name,
            label=label,
            icon=icon,
            category=category,
            category_label=category_label,
            category_icon=category_icon,
        )
    appbuilder.add_view(
        UserScopeView,
        "User work areas",
        label=_l("User work areas"),
        icon="fa-user-tag",
        category="Security",
    )
    appbuilder.add_view_no_menu(PickerView)
    appbuilder.add_view_no_menu(AwardEvidenceView)
    verify = appbuilder.add_view_no_menu(VerifyView)
    # Public and unauthenticated: throttle guessing of verification codes per client address.
    appbuilder.sm.limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])(verify.blueprint)
    for api in [*APIS, ComplianceApi]:
        appbuilder.add_api(api)
