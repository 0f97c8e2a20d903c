"""Roles as data: permission sets at the top, roles built from them for FAB_ROLES."""

from __future__ import annotations

ADMIN = "Admin"
PUBLIC = "Public"
BRANCH_STAFF = "Branch Staff"
SUPERVISOR = "Supervisor"
PERMIT_OFFICER = "Permit Officer"
OPERATOR = "Regional Operator"
AUDITOR = "Auditor"

ROLE_NAMES = (ADMIN, BRANCH_STAFF, SUPERVISOR, PERMIT_OFFICER, OPERATOR, AUDITOR)

# Roles that may see full NIK, birth date and wage; others see them masked.
PERSONAL_DATA_ROLES = {ADMIN, BRANCH_STAFF, SUPERVISOR, OPERATOR}

READ = "list|show"
READ_EXPORT = "list|show|export"
WRITE = "list|show|add|edit|export"
WRITE_DELETE = "list|show|add|edit|delete|export"
API_READ = "get|info"
API_WRITE = "get|info|post|put"
API_WRITE_DELETE = "get|info|post|put|delete"

AREAS = ("RegencyView", "DistrictView", "VillageView", "RegencyWorkforceView")
ORGANISATIONS = ("BranchOfficeView", "OpdView")
COMPANY = ("CompanyView",)
PEOPLE = ("WorkerView", "EnrollmentView")
FUNDING = ("SponsorView", "SponsorCommitmentView", "ContributionView")
RATES = ("WageRateView", "IncomeBracketView", "BenefitRuleView")
AUDIT = ("AuditEventView",)
PERMIT_READ = (
    "PermitCheckView",
    "ConstructionProjectView",
    "ComplianceRuleView",
    "MinimumWageView",
    "WageComplianceView",
)
DESK = ("PermitDeskView",)
REPORTS = ("ReportView",)
BATCHES = ("BatchView",)
DESA100 = ("Desa100View",)
AWARDS = ("AwardView",)
DASHBOARD = ("DashboardView",)
LETTERHEADS = ("LetterheadView",)
LETTERS = ("IssuedLetterView",)
ARREARS = ("ArrearsView",)
PENALTIES = ("PenaltyRuleView",)
RECONCILIATION = ("ReconciliationView",)
CLAIMS = ("ClaimView",)
BENEFITS = ("BenefitReportView",)
AREA_APIS = ("RegencyApi", "VillageApi")
CORE_APIS = ("CompanyApi", "WorkerApi", "EnrollmentApi", "ContributionApi")

SELF_SERVICE = [
    ["^UserDBModelView$", "^can_userinfo$"],
    ["^ResetMyPasswordView$", "^can_this_form_(get|post)$"],
    ["^UserInfoEditView$", "^can_this_form_(get|post)$"],
    ["^PickerView$", "^can_search$"],
    ["^HomeView$", "^can_index$"],
    ["^OpenApi$", "^can_get$"],
    ["^SwaggerView$", "^can_show$"],
]

MENU = {
    "areas": ["Areas", "Regencies", "Districts", "Villages", "Workforce"],
    "organisations": ["Organisations", "Branch offices", "OPDs"],
    "company": ["Organisations", "Companies"],
    "people": ["Participation", "Workers", "Enrollments", "Enrollment batches", "1 Village 100"],
    "funding": ["Participation", "Sponsors", "Commitments", "Contributions"],
    "rates": ["Reference", "Wage rates", "Income brackets", "Benefit table"],
    "audit": ["Reference", "Audit trail"],
    "dashboard": ["Coverage", "Dashboard"],
    "awards": ["Coverage", "Paritrana award"],
    "desk": ["Permits", "Permit desk"],
    "decisions": ["Permits", "Permit decisions", "Compliance report", "Minimum wage compliance"],
    "projects": ["Permits", "Construction projects"],
    "permit_rules": ["Reference", "Permit check parameters", "Minimum wages"],
    "letters": ["Reference", "Letterheads", "Issued letters"],
    "arrears": ["Participation", "Contribution arrears", "Reference", "Late-payment penalties"],
    "reconciliation": ["Participation", "Reconciliation"],
    "claims": ["Participation", "Claims"],
    "benefits": ["Coverage", "Benefit report"],
    # Village and OPD operators share a role: no OPD list (a village has no OPD, and an OPD
    # operator's own agency is already the whole of their worker list).
    "operator": [
        "Areas",
        "Villages",
        "Participation",
        "Workers",
        "Enrollments",
        "Sponsors",
        "Enrollment batches",
        "1 Village 100",
        "Claims",
    ],
}


# FAB also stores each pattern as a view-menu name, a VARCHAR(250) column (PostgreSQL enforces it).
PATTERN_MAX = 200


def alternatives(names) -> list[str]:
    """Anchored patterns matching any of the names, each short enough to be stored by FAB."""
    patterns, chunk = [], []
    for name in names:
        if chunk and len("|".join([*chunk, name])) + 4 > PATTERN_MAX:
            patterns.append(f"^({'|'.join(chunk)})$")
            chunk = []
        chunk.append(name)
    return patterns + ([f"^({'|'.join(chunk)})$"] if chunk else [])


def grant(views: tuple[str, ...], actions: str, prefix: str = "can_") -> list[list[str]]:
    """Grant actions on views as anchored FAB_ROLES entries."""
    return [[pattern, f"^{prefix}({actions})$"] for pattern in alternatives(views)]


def menus(*groups: str) -> list[list[str]]:
    """Grant menu access to the menu items of some groups."""
    names = sorted({name for group in groups for name in MENU[group]})
    return [[pattern, "^menu_access$"] for pattern in alternatives(names)]


ROLE_PERMISSIONS: dict[str, list[list[list[str]]]] = {
    # Declared like the others so that its checks read config, not one query per menu item.
    ADMIN: [[["^.*$", "^.*$"]]],
    BRANCH_STAFF: [
        grant(DASHBOARD, "list|profile", prefix="can_"),
        grant(AWARDS, "list|show|download", prefix="can_"),
        menus("dashboard", "awards"),
        grant(BATCHES, "list|show|add|edit|delete", prefix="can_"),
        grant(DESA100, "list", prefix="can_"),
        grant(AREAS + ORGANISATIONS + RATES, READ),
        grant(COMPANY + PEOPLE + FUNDING, WRITE_DELETE),
        grant(RECONCILIATION, "list|upload|resolve", prefix="can_"),
        menus("reconciliation"),
        grant(("ConstructionProjectView",), WRITE_DELETE),
        grant(
            ("PermitCheckView", "ComplianceRuleView", "MinimumWageView", "WageComplianceView"),
            READ_EXPORT,
        ),
        grant(REPORTS, "list|request", prefix="can_"),
        grant(DESK, "check", prefix="can_"),
        grant(LETTERHEADS, "list|show|edit"),
        grant(LETTERS, READ_EXPORT),
        menus("letters"),
        grant(ARREARS, "list|issue|download", prefix="can_"),
        grant(PENALTIES, READ),
        menus("arrears"),
        grant(CLAIMS, "list|report|decide", prefix="can_"),
        grant(BENEFITS, "list|download", prefix="can_"),
        menus("claims", "benefits"),
        grant(AREA_APIS, API_READ),
        grant(CORE_APIS, API_WRITE),
        menus(
            "areas",
            "organisations",
            "company",
            "people",
            "funding",
            "rates",
            "desk",
            "decisions",
            "projects",
            "permit_rules",
        ),
    ],
    SUPERVISOR: [
        grant(DASHBOARD, "list|profile", prefix="can_"),
        # Opening, computing and locking a period belong to the admin who runs the award.
        grant(AWARDS, "list|show|download|mark", prefix="can_"),
        menus("dashboard", "awards"),
        grant(BATCHES, "list|show|decide", prefix="can_"),
        grant(RECONCILIATION, "list|upload|resolve", prefix="can_"),
        menus("reconciliation"),
        grant(DESA100, "list", prefix="can_"),
        grant(AREAS + ORGANISATIONS + RATES, READ),
        grant(COMPANY + PEOPLE + FUNDING + PERMIT_READ, READ_EXPORT),
        grant(REPORTS, "list|request", prefix="can_"),
        grant(DESK, "check", prefix="can_"),
        grant(LETTERHEADS, READ),
        grant(LETTERS, READ_EXPORT),
        menus("letters"),
        grant(ARREARS, "list|issue|download", prefix="can_"),
        grant(PENALTIES, READ),
        menus("arrears"),
        grant(CLAIMS, "list", prefix="can_"),
        grant(BENEFITS, "list|download", prefix="can_"),
        menus("claims", "benefits"),
        grant(AREA_APIS + CORE_APIS, API_READ),
        menus(
            "areas",
            "organisations",
            "company",
            "people",
            "funding",
            "rates",
            "desk",
            "decisions",
            "projects",
            "permit_rules",
        ),
    ],
    PERMIT_OFFICER: [
        grant(DASHBOARD, "list|profile", prefix="can_"),
        grant(AWARDS, "list|show|download", prefix="can_"),
        menus("dashboard", "awards"),
        grant(AREAS, READ),
        grant(COMPANY + ("ContributionView",) + PERMIT_READ, READ_EXPORT),
        grant(REPORTS, "list|request", prefix="can_"),
        grant(DESK, "check|decide", prefix="can_"),
        grant(LETTERHEADS, "list|show|edit"),
        grant(LETTERS, READ_EXPORT),
        menus("letters"),
        grant(ARREARS, "download", prefix="can_"),
        grant(AREA_APIS + ("CompanyApi",), API_READ),
        grant(("ComplianceApi",), "get", prefix="can_"),
        menus("areas", "company", "desk", "decisions", "projects", "permit_rules"),
        [["^(Participation|Contributions)$", "^menu_access$"]],
    ],
    OPERATOR: [
        grant(DASHBOARD, "list", prefix="can_"),
        menus("dashboard"),
        grant(BATCHES, "list|show|add|edit|delete", prefix="can_"),
        grant(DESA100, "list", prefix="can_"),
        grant(("VillageView",), READ),
        grant(("WorkerView",), WRITE),
        grant(("EnrollmentView", "SponsorView"), READ),
        grant(AREA_APIS, API_READ),
        grant(("WorkerApi",), API_WRITE),
        grant(("EnrollmentApi",), API_READ),
        grant(CLAIMS, "list|report", prefix="can_"),
        menus("operator"),
    ],
    AUDITOR: [
        grant(DASHBOARD, "list|profile", prefix="can_"),
        grant(AWARDS, "list|show|download", prefix="can_"),
        menus("dashboard", "awards"),
        grant(BATCHES, "list|show", prefix="can_"),
        grant(RECONCILIATION, "list", prefix="can_"),
        menus("reconciliation"),
        grant(DESA100, "list", prefix="can_"),
        grant(
            AREAS + ORGANISATIONS + COMPANY + PEOPLE + FUNDING + RATES + AUDIT + PERMIT_READ,
            READ_EXPORT,
        ),
        grant(LETTERHEADS, READ),
        grant(LETTERS, READ_EXPORT),
        menus("letters"),
        grant(ARREARS, "list|download", prefix="can_"),
        grant(PENALTIES, READ_EXPORT),
        menus("arrears"),
        grant(REPORTS, "list|request", prefix="can_"),
        grant(CLAIMS, "list", prefix="can_"),
        grant(BENEFITS, "list|download", prefix="can_"),
        menus("claims", "benefits"),
        grant(AREA_APIS + CORE_APIS, API_READ),
        menus(
            "areas",
            "organisations",
            "company",
            "people",
            "funding",
            "rates",
            "audit",
            "decisions",
            "projects",
            "permit_rules",
        ),
    ],
}


def fab_roles() -> dict[str, list[list[str]]]:
    """Return the FAB_ROLES mapping, each role with the self-service permissions added."""
    roles = {
        role: [entry for group in groups for entry in group] + SELF_SERVICE
        for role, groups in ROLE_PERMISSIONS.items()
    }
    # Anonymous visitors may do nothing; declaring it spares two queries on every API call.
    roles[PUBLIC] = []
    return roles


def can_see_personal_data(user) -> bool:
    """Tell whether a user's roles may see unmasked personal data."""
    return any(role.name in PERSONAL_DATA_ROLES for role in getattr(user, "roles", []))


# The offices whose letterheads a role keeps (edits) in its area; the admin keeps every one.
LETTERHEAD_KINDS = {BRANCH_STAFF: "bpjs_branch", PERMIT_OFFICER: "dpmptsp"}


def letterhead_kinds(user) -> frozenset[str] | None:
    """The kinds of office whose letterhead a user may change; None for all (the admin)."""
    names = {role.name for role in getattr(user, "roles", [])}
    if ADMIN in names:
        return None
    return frozenset(LETTERHEAD_KINDS[name] for name in names if name in LETTERHEAD_KINDS)


def role_label(name: str) -> str:
    """A role's name in the reader's language (the stored name is the key the code uses)."""
    from flask_babel import lazy_gettext as _l

    labels = {
        ADMIN: _l("Administrator"),
        PUBLIC: _l("Public"),
        BRANCH_STAFF: _l("Branch staff"),
        SUPERVISOR: _l("Branch supervisor"),
        PERMIT_OFFICER: _l("Permit officer"),
        OPERATOR: _l("Village or OPD operator"),
        AUDITOR: _l("Auditor"),
    }
    return str(labels.get(name, name))
