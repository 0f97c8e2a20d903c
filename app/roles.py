"""Roles as data: permission sets at the top, roles built from them for FAB_ROLES."""

from __future__ import annotations

ADMIN = "Admin"
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
RATES = ("WageRateView", "IncomeBracketView")
AUDIT = ("AuditEventView",)
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
    "people": ["Participation", "Workers", "Enrollments"],
    "funding": ["Participation", "Sponsors", "Commitments", "Contributions"],
    "rates": ["Reference", "Wage rates", "Income brackets"],
    "audit": ["Reference", "Audit trail"],
}


def grant(views: tuple[str, ...], actions: str, prefix: str = "can_") -> list[str]:
    """Grant actions on views as one anchored FAB_ROLES entry."""
    return [f"^({'|'.join(views)})$", f"^{prefix}({actions})$"]


def menus(*groups: str) -> list[str]:
    """Grant menu access to the menu items of some groups."""
    names = sorted({name for group in groups for name in MENU[group]})
    return [f"^({'|'.join(names)})$", "^menu_access$"]


ROLE_PERMISSIONS: dict[str, list[list[str]]] = {
    # Declared like the others so that its checks read config, not one query per menu item.
    ADMIN: [["^.*$", "^.*$"]],
    BRANCH_STAFF: [
        grant(AREAS + ORGANISATIONS + RATES, READ),
        grant(COMPANY + PEOPLE + FUNDING, WRITE_DELETE),
        grant(AREA_APIS, API_READ),
        grant(CORE_APIS, API_WRITE),
        menus("areas", "organisations", "company", "people", "funding", "rates"),
    ],
    SUPERVISOR: [
        grant(AREAS + ORGANISATIONS + RATES, READ),
        grant(COMPANY + PEOPLE + FUNDING, READ_EXPORT),
        grant(AREA_APIS + CORE_APIS, API_READ),
        menus("areas", "organisations", "company", "people", "funding", "rates"),
    ],
    PERMIT_OFFICER: [
        grant(AREAS, READ),
        grant(COMPANY + ("ContributionView",), READ_EXPORT),
        grant(AREA_APIS + ("CompanyApi",), API_READ),
        menus("areas", "company"),
        ["^(Participation|Contributions)$", "^menu_access$"],
    ],
    OPERATOR: [
        grant(("VillageView", "OpdView"), READ),
        grant(("WorkerView",), WRITE),
        grant(("EnrollmentView", "SponsorView"), READ),
        grant(AREA_APIS, API_READ),
        grant(("WorkerApi",), API_WRITE),
        grant(("EnrollmentApi",), API_READ),
        [
            "^(Areas|Villages|Organisations|OPDs|Participation|Workers|Enrollments|Sponsors)$",
            "^menu_access$",
        ],
    ],
    AUDITOR: [
        grant(AREAS + ORGANISATIONS + COMPANY + PEOPLE + FUNDING + RATES + AUDIT, READ_EXPORT),
        grant(AREA_APIS + CORE_APIS, API_READ),
        menus("areas", "organisations", "company", "people", "funding", "rates", "audit"),
    ],
}


def fab_roles() -> dict[str, list[list[str]]]:
    """Return the FAB_ROLES mapping, each role with the self-service permissions added."""
    return {role: perms + SELF_SERVICE for role, perms in ROLE_PERMISSIONS.items()}


def can_see_personal_data(user) -> bool:
    """Tell whether a user's roles may see unmasked personal data."""
    return any(role.name in PERSONAL_DATA_ROLES for role in getattr(user, "roles", []))
