"""The permit check: is a company enrolled and paid up, by the rules in force on a date?

Each check answers pass, fail or not applicable with the figures behind it; the reason is worded
when shown, in the reader's language. The verdict takes a fixed number of queries whatever the
company's size: aggregates only, never a row per worker.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from functools import cache

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, String, and_, bindparam, func, or_, select, true

from app.formatting import rupiah
from app.models import (
    ArrearsLetter,
    Company,
    CompanyStatus,
    ComplianceRule,
    ConstructionProject,
    Contribution,
    Enrollment,
    EnrollmentStatus,
    IssuedLetter,
    LetterKind,
    LetterStatus,
    MinimumWage,
    PayerType,
    Worker,
)
from app.services.contributions import Arrears, arrears_query, last_due_month

FULL_SET = ("jkk", "jkm", "jht", "jp")
SMALL_SET = ("jkk", "jkm", "jht")
DEFAULT_RULE = {
    "grace_months": 0,
    "grace_amount": 0,
    "construction_days": 7,
    "check_minimum_wage": True,
    "certificate_days": 90,
    "legal_basis": None,
}


@dataclass(frozen=True)
class Check:
    """One rule's outcome: True (pass), False (fail) or None (does not apply)."""

    code: str
    passed: bool | None
    figures: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return explain(self)


@dataclass(frozen=True)
class Verdict:
    """All checks of a company on a date and the parameters they used."""

    company_id: int
    on: dt.date
    checks: tuple[Check, ...]
    parameters: dict

    @property
    def compliant(self) -> bool:
        return all(check.passed is not False for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.passed is False]

    def checks_json(self) -> str:
        return json.dumps([asdict(c) for c in self.checks], ensure_ascii=False, default=str)


NATIONAL_RULE_FROM = dt.date(2021, 3, 25)  # Inpres 2/2021


def seed_rules(session) -> int:
    """Insert the national default parameters when no national rule exists; return 1 or 0."""
    if session.scalar(select(ComplianceRule.id).where(ComplianceRule.regency_id.is_(None))):
        return 0
    session.add(
        ComplianceRule(
            valid_from=NATIONAL_RULE_FROM,
            legal_basis=(
                "UU 24/2011 Pasal 17; PP 86/2013; Inpres 2/2021. Batas 7 hari pendaftaran proyek "
                "konstruksi: aturan lokal (bawaan)"
            ),
            **{k: v for k, v in DEFAULT_RULE.items() if k != "legal_basis"},
        )
    )
    session.flush()
    return 1


def _rule_query(regency_id, on):
    """The rule in force for a regency on a date: its own, else the national one (one row)."""
    return (
        select(
            ComplianceRule.id.label("rule_id"),
            ComplianceRule.valid_from.label("rule_valid_from"),
            *[getattr(ComplianceRule, key) for key in DEFAULT_RULE],
        )
        .where(
            ComplianceRule.valid_from <= on,
            or_(ComplianceRule.regency_id == regency_id, ComplianceRule.regency_id.is_(None)),
        )
        .order_by(ComplianceRule.regency_id.is_(None), ComplianceRule.valid_from.desc())
        .limit(1)
    )


def _parameters(row) -> dict:
    """The parameters of a rule row, or the defaults when no rule is in force."""
    if row is None or row.rule_id is None:
        return {"rule_id": None, "valid_from": None, **DEFAULT_RULE}
    return {
        "rule_id": row.rule_id,
        "valid_from": row.rule_valid_from.isoformat(),
        **{key: getattr(row, key) for key in DEFAULT_RULE},
    }


def rule_in_force(session, regency_id: int | None, on: dt.date) -> dict:
    """The parameters in force: the regency's own rule if it has one, else the national rule.

    With no regency, the national rule.
    """
    return _parameters(session.execute(_rule_query(regency_id, on)).first())


def _minimum_wage_query(regency_id, province_code, year):
    """The regency's minimum wage (UMK) of the year, else its province's (UMP): one value."""
    return (
        select(MinimumWage.amount)
        .where(
            MinimumWage.year == year,
            MinimumWage.province_code == province_code,
            or_(MinimumWage.regency_id == regency_id, MinimumWage.regency_id.is_(None)),
        )
        .order_by(MinimumWage.regency_id.is_(None))
        .limit(1)
        .scalar_subquery()
    )


def _workforce_query(company_id, minimum):
    """The company's active enrollments counted: workers, enrollments, short of each program
    set, wage earners below ``minimum`` (one row)."""

    def missing(programs):
        return or_(*[getattr(Enrollment, program).is_(False) for program in programs])

    employed = Enrollment.worker_id.in_(select(Worker.id).where(Worker.company_id == company_id))
    low = and_(
        Enrollment.payer_type == PayerType.EMPLOYER,
        Enrollment.declared_wage < func.coalesce(minimum, 0),
    )
    return select(
        func.count(func.distinct(Enrollment.worker_id)).label("enrolled"),
        func.count(Enrollment.id).label("total"),
        func.count(Enrollment.id).filter(missing(FULL_SET)).label("short_full"),
        func.count(Enrollment.id).filter(missing(SMALL_SET)).label("short_small"),
        func.count(Enrollment.id).filter(low).label("below"),
    ).where(employed, Enrollment.status == EnrollmentStatus.ACTIVE)


@cache
def _facts_statement():
    """Everything a verdict needs but the construction projects, as one statement built once:
    the rule in force, the minimum wage, the workforce figures and the arrears."""
    company_id = bindparam("company_id", type_=Integer)
    regency_id = bindparam("regency_id", type_=Integer)
    minimum = _minimum_wage_query(
        regency_id, bindparam("province", type_=String), bindparam("year", type_=Integer)
    )
    workforce = _workforce_query(company_id, minimum).subquery("workforce")
    owed = arrears_query(
        Contribution.company_id == company_id, bindparam("last_due", type_=Date)
    ).subquery("owed")
    rule = _rule_query(regency_id, bindparam("on", type_=Date)).subquery("rule")
    sanction = _sanction_query(company_id)
    return select(
        workforce,
        owed.c.amount.label("owed_amount"),
        owed.c.months.label("owed_months"),
        owed.c.oldest.label("owed_oldest"),
        *[column for column in rule.c],
        minimum.label("minimum"),
        sanction.with_only_columns(IssuedLetter.number).scalar_subquery().label("sanction"),
        sanction.with_only_columns(ArrearsLetter.issued_on).scalar_subquery().label("sanction_on"),
    ).select_from(workforce.join(owed, true()).outerjoin(rule, true()))


def _sanction_query(company_id):
    """The company's open recommendation for sanction (TMP2T) from BPJS: its oldest, one row."""
    return (
        select(IssuedLetter.number)
        .join(ArrearsLetter, ArrearsLetter.issued_letter_id == IssuedLetter.id)
        .where(
            ArrearsLetter.company_id == company_id,
            ArrearsLetter.kind == LetterKind.SANCTION_RECOMMENDATION,
            ArrearsLetter.status == LetterStatus.OPEN,
        )
        .order_by(ArrearsLetter.issued_at, ArrearsLetter.id)
        .limit(1)
    )


def _facts(session, company: Company, on: dt.date):
    return session.execute(
        _facts_statement(),
        {
            "company_id": company.id,
            "regency_id": company.regency_id,
            "province": company.regency.code[:2],
            "year": on.year,
            "on": on,
            "last_due": last_due_month(on),
        },
    ).one()


def evaluate(session, company: Company, on: dt.date) -> Verdict:
    """Run every check for a company on a date (two queries, whatever the company's size)."""
    facts = _facts(session, company, on)
    params = _parameters(facts)
    minimum = facts.minimum if params["check_minimum_wage"] else None
    required = FULL_SET if company.size_class in ("medium", "large") else SMALL_SET
    workforce = {
        "required": list(required),
        "enrolled": facts.enrolled,
        "total": facts.total,
        "short": facts.short_full if required == FULL_SET else facts.short_small,
        "below": facts.below if minimum is not None else 0,
    }
    owed = Arrears(int(facts.owed_amount), int(facts.owed_months), facts.owed_oldest)
    checks = [
        _registered(company),
        _no_arrears(owed, params),
        _no_sanction(facts.sanction, facts.sanction_on, owed),
        _all_enrolled(company, workforce),
        _program_set(workforce),
        _construction(session, company, on, params),
        _minimum_wage(params, minimum, workforce, on),
    ]
    return Verdict(company.id, on, tuple(checks), params)


def _registered(company: Company) -> Check:
    registered = bool(company.npp) and company.status == CompanyStatus.ACTIVE
    return Check("registered", registered, {"npp": company.npp, "status": company.status})


def _no_arrears(owed: Arrears, params) -> Check:
    within = owed.months <= params["grace_months"] and owed.amount <= params["grace_amount"]
    return Check(
        "arrears",
        owed.amount == 0 or within,
        {
            "amount": owed.amount,
            "months": owed.months,
            "oldest": owed.oldest.isoformat() if owed.oldest else None,
            "grace_months": params["grace_months"],
            "grace_amount": params["grace_amount"],
        },
    )


def _no_sanction(number: str | None, issued_on, owed: Arrears) -> Check:
    """An open recommendation for sanction fails the verdict while the arrears remain unpaid."""
    if number is None or owed.amount == 0:
        return Check("sanction", True, {})
    return Check(
        "sanction",
        False,
        {"number": number, "issued_on": issued_on.isoformat() if issued_on else None},
    )


def _all_enrolled(company: Company, figures: dict) -> Check:
    enrolled, declared = figures["enrolled"], company.declared_workforce or 0
    return Check("workforce", enrolled >= declared, {"enrolled": enrolled, "declared": declared})


def _program_set(figures: dict) -> Check:
    if not figures["total"]:
        return Check("programs", None, {"required": figures["required"]})
    return Check(
        "programs",
        figures["short"] == 0,
        {key: figures[key] for key in ("required", "short", "total")},
    )


@cache
def _projects_statement():
    """The company's construction projects running on a date (built once)."""
    on = bindparam("on", type_=Date)
    return select(
        ConstructionProject.spk_number,
        ConstructionProject.spk_date,
        ConstructionProject.registered_on,
    ).where(
        ConstructionProject.company_id == bindparam("company_id", type_=Integer),
        ConstructionProject.spk_date <= on,
        or_(ConstructionProject.end_date.is_(None), ConstructionProject.end_date >= on),
    )


def _construction(session, company, on, params) -> Check:
    rows = session.execute(_projects_statement(), {"company_id": company.id, "on": on}).all()
    if not rows:
        return Check("construction", None, {"days": params["construction_days"]})
    limit = dt.timedelta(days=params["construction_days"])
    late = sorted(spk for spk, start, registered in rows if (registered or on) - start > limit)
    return Check(
        "construction",
        not late,
        {"days": params["construction_days"], "projects": len(rows), "late": late},
    )


def _minimum_wage(params: dict, minimum: int | None, figures: dict, on: dt.date) -> Check:
    if not params["check_minimum_wage"]:
        return Check("minimum_wage", None, {})
    if minimum is None:
        return Check("minimum_wage", None, {"year": on.year})
    return Check(
        "minimum_wage",
        figures["below"] == 0,
        {"minimum": minimum, "below": figures["below"], "year": on.year},
    )


def explain(check: Check) -> str:
    """Word a check's outcome for the reader, with what to do when it fails."""
    f = check.figures
    if check.code == "registered":
        if check.passed:
            return _("Registered with BPJS Ketenagakerjaan as employer %(npp)s.", npp=f["npp"])
        return _(
            "Not registered as an active employer with BPJS Ketenagakerjaan: register the "
            "company and obtain an NPP."
        )
    if check.code == "arrears":
        if f["amount"] == 0:
            return _("No unpaid contributions up to last month.")
        text = _(
            "Unpaid contributions of %(amount)s over %(months)d month(s), oldest %(oldest)s",
            amount=rupiah(f["amount"]),
            months=f["months"],
            oldest=format_date(dt.date.fromisoformat(f["oldest"]), "MMMM y"),
        )
        if check.passed:
            return text + _(
                " (within the grace of %(months)d month(s) and %(amount)s).",
                months=f["grace_months"],
                amount=rupiah(f["grace_amount"]),
            )
        return text + _(": pay the arrears at the BPJS Ketenagakerjaan branch.")
    if check.code == "sanction":
        if check.passed:
            return _("No open recommendation for sanction from BPJS Ketenagakerjaan.")
        return _(
            "BPJS Ketenagakerjaan recommended a sanction (TMP2T) for unpaid contributions in "
            "letter %(number)s of %(date)s: no permit until the arrears are paid.",
            number=f["number"],
            date=format_date(dt.date.fromisoformat(f["issued_on"]), "d MMMM y")
            if f.get("issued_on")
            else "—",
        )
    if check.code == "workforce":
        if check.passed:
            return _(
                "%(enrolled)d workers enrolled for %(declared)d declared.",
                enrolled=f["enrolled"],
                declared=f["declared"],
            )
        return _(
            "Only %(enrolled)d of %(declared)d declared workers are enrolled: enroll the "
            "other %(missing)d.",
            enrolled=f["enrolled"],
            declared=f["declared"],
            missing=f["declared"] - f["enrolled"],
        )
    if check.code == "programs":
        programs = ", ".join(p.upper() for p in f["required"])
        if check.passed is None:
            return _("No active enrollments to check against %(programs)s.", programs=programs)
        if check.passed:
            return _(
                "Every enrollment has the required programs (%(programs)s).", programs=programs
            )
        return _(
            "%(short)d of %(total)d enrollments lack a required program (%(programs)s): "
            "add the missing programs.",
            short=f["short"],
            total=f["total"],
            programs=programs,
        )
    if check.code == "construction":
        if check.passed is None:
            return _("No active construction project.")
        if check.passed:
            return _(
                "Every active project was registered within %(days)d days of its SPK (local rule).",
                days=f["days"],
            )
        return _(
            "Projects not registered within %(days)d days of the SPK (local rule): "
            "%(late)s. Register them with BPJS Ketenagakerjaan.",
            days=f["days"],
            late=", ".join(f["late"]),
        )
    if check.passed is None:
        return _("No minimum wage recorded for this year; wages not checked.")
    if check.passed:
        return _(
            "No reported wage is below the minimum wage of %(amount)s.", amount=rupiah(f["minimum"])
        )
    return _(
        "%(below)d reported wage(s) below the minimum wage of %(amount)s: correct the "
        "reported wages.",
        below=f["below"],
        amount=rupiah(f["minimum"]),
    )


CHECK_TITLES = {
    "registered": _l("Registered with BPJS"),
    "arrears": _l("No arrears"),
    "sanction": _l("No open recommendation for sanction"),
    "workforce": _l("All declared workers enrolled"),
    "programs": _l("Program set for the company size"),
    "construction": _l("Construction projects registered"),
    "minimum_wage": _l("Wages not below the minimum wage"),
}


def check_title(code: str) -> str:
    """The translated title of a check."""
    return str(CHECK_TITLES[code])
