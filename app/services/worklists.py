"""Named conditions that the home tiles count and the lists filter by.

Each condition is defined once here: the tile counts the records that meet it, and its list opens
with the same condition as one of the list's own filters (``_flt_0_<name>=<value>``), so the user
sees exactly what was counted and can narrow it further.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, not_, or_, select
from sqlalchemy.orm import aliased

from app.models import (
    ArrearsLetter,
    Company,
    CompanyStatus,
    ConstructionProject,
    Contribution,
    Decision,
    Enrollment,
    EnrollmentBatch,
    EnrollmentStatus,
    IssuedLetter,
    LetterKind,
    LetterStatus,
    PayerType,
    PermitCheck,
    SponsorCommitment,
    Village,
    Worker,
)
from app.services.contributions import last_due_month

ENDING_DAYS = 30  # "enrollments ending soon": within this many days
COMMITMENT_DAYS = 60  # a sponsor's commitment ending: time to agree the next one
CERTIFICATE_DAYS = 30  # a certificate of participation expiring: time to check the company again


@dataclass(frozen=True)
class Condition:
    """One value of a list's extra filter: its label and the clause it adds (given today)."""

    label: object
    clause: Callable[[object, dt.date, int | None], object]  # (session, today, user id)


@dataclass(frozen=True)
class TextCondition:
    """A list filter whose value is typed (a village name): the clause it adds for a text."""

    clause: Callable[[str], object]


def _in_village_named(text: str):
    return Worker.village_id.in_(
        select(Village.id).where(Village.name.istartswith(text, autoescape=True))
    )


def _active_enrollment(*conditions):
    return exists(
        select(Enrollment.id).where(
            Enrollment.worker_id == Worker.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            *conditions,
        )
    )


def _unpaid_up_to(today: dt.date):
    return exists(
        select(Contribution.id).where(
            Contribution.company_id == Company.id,
            Contribution.period <= last_due_month(today),
            Contribution.amount_paid < Contribution.amount_due,
        )
    )


def _ending_within(session, today: dt.date, user=None):
    return and_(
        Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.end_date >= today,
        Enrollment.end_date <= today + dt.timedelta(days=ENDING_DAYS),
    )


def _late_project(session, today: dt.date, user=None):
    from app.services.compliance import rule_in_force

    days = rule_in_force(session, None, today)["construction_days"]
    return and_(
        ConstructionProject.registered_on.is_(None),
        ConstructionProject.spk_date < today - dt.timedelta(days=days),
        or_(ConstructionProject.end_date.is_(None), ConstructionProject.end_date >= today),
    )


def _commitment_ending(session, today: dt.date, user=None):
    return and_(
        SponsorCommitment.end_date >= today,
        SponsorCommitment.end_date <= today + dt.timedelta(days=COMMITMENT_DAYS),
    )


def _certificate_expiring(session, today: dt.date, user=None):
    """A certificate in force (issued, not revoked) whose last valid day is near."""
    return and_(
        PermitCheck.decision == Decision.ISSUED,
        PermitCheck.revoked_at.is_(None),
        PermitCheck.valid_until >= today,
        PermitCheck.valid_until <= today + dt.timedelta(days=CERTIFICATE_DAYS),
    )


def _letter_overdue(session, today: dt.date, user=None):
    """A warning letter still open after its deadline and not yet followed by the next one:
    the next step (teguran II, or the recommendation for sanction) is due."""
    later = aliased(ArrearsLetter)
    return exists(
        select(ArrearsLetter.id)
        .where(
            ArrearsLetter.issued_letter_id == IssuedLetter.id,
            ArrearsLetter.kind.in_([LetterKind.ARREARS_WARNING_1, LetterKind.ARREARS_WARNING_2]),
            ArrearsLetter.status == LetterStatus.OPEN,
            ArrearsLetter.deadline < today,
            ~exists(
                select(later.id).where(
                    later.company_id == ArrearsLetter.company_id, later.id > ArrearsLetter.id
                )
            ),
        )
        .correlate(IssuedLetter)
    )


def _payer(payer_type: str) -> Condition:
    return Condition(
        PayerType(payer_type).label,
        lambda session, today, user: _active_enrollment(Enrollment.payer_type == payer_type),
    )


# model name -> filter name -> (filter label, {value: Condition} or a TextCondition)
CONDITIONS: dict[str, dict[str, tuple[object, dict[str, Condition] | TextCondition]]] = {
    "Worker": {
        "coverage": (
            _l("Protection"),
            {
                "covered": Condition(
                    _l("Under active cover"), lambda session, today, user: _active_enrollment()
                ),
                "uncovered": Condition(
                    _l("Without active cover"),
                    lambda session, today, user: not_(_active_enrollment()),
                ),
                "ending": Condition(
                    _l("Cover ending within 30 days"),
                    lambda session, today, user: _active_enrollment(_ending_within(session, today)),
                ),
            },
        ),
        "paid_by": (_l("Paid by"), {p.value: _payer(p.value) for p in PayerType}),
        "village_name": (_l("Village name starts with"), TextCondition(_in_village_named)),
    },
    "Company": {
        "obligations": (
            _l("Obligations"),
            {
                "arrears": Condition(
                    _l("In arrears (unpaid up to last month)"),
                    lambda session, today, user: _unpaid_up_to(today),
                ),
                "no_npp": Condition(
                    _l("Active, without an NPP"),
                    lambda session, today, user: and_(
                        Company.npp.is_(None), Company.status == CompanyStatus.ACTIVE
                    ),
                ),
            },
        )
    },
    "Enrollment": {
        "ending": (
            _l("Ending"),
            {"30": Condition(_l("Within 30 days"), _ending_within)},
        )
    },
    "Contribution": {
        "bill": (
            _l("Bill"),
            {
                "unpaid_last_month": Condition(
                    _l("Unpaid, last month"),
                    lambda session, today, user: and_(
                        Contribution.period == last_due_month(today),
                        Contribution.amount_paid < Contribution.amount_due,
                    ),
                ),
                "unpaid": Condition(
                    _l("Unpaid, any month"),
                    lambda session, today, user: and_(
                        Contribution.period <= last_due_month(today),
                        Contribution.amount_paid < Contribution.amount_due,
                    ),
                ),
            },
        )
    },
    "EnrollmentBatch": {
        "mine": (
            _l("Prepared by"),
            {
                "1": Condition(
                    _l("Me"),
                    lambda session, today, user: (
                        EnrollmentBatch.maker_id == user if user is not None else false()
                    ),
                )
            },
        )
    },
    "ConstructionProject": {
        "registration": (
            _l("Registration"),
            {"late": Condition(_l("Not registered in time"), _late_project)},
        )
    },
    "SponsorCommitment": {
        "ending": (
            _l("Ending"),
            {"60": Condition(_l("Within 60 days"), _commitment_ending)},
        )
    },
    "IssuedLetter": {
        "reply": (
            _l("Reply"),
            {"overdue": Condition(_l("Open past its deadline"), _letter_overdue)},
        )
    },
    "PermitCheck": {
        "certificate": (
            _l("Certificate"),
            {"expiring": Condition(_l("In force, expiring within 30 days"), _certificate_expiring)},
        )
    },
}


def filters_of(model) -> dict[str, tuple[object, dict[str, Condition] | TextCondition]]:
    """The extra filters a model's lists offer (none for a model without any)."""
    return CONDITIONS.get(model.__name__, {})


def clause(session, model, name: str, value: str, today: dt.date, user: int | None = None):
    """The clause of one filter value for a user; None for a name or value that does not exist."""
    named = filters_of(model).get(name, (None, {}))[1]
    if isinstance(named, TextCondition):
        text = value.strip()[:100]
        return named.clause(text) if text else None
    condition = named.get(value)
    return condition.clause(session, today, user) if condition else None


def worklist_args(name: str, value: str) -> dict[str, str]:
    """A list's URL arguments that open it filtered by one condition."""
    return {f"_flt_0_{name}": value}
