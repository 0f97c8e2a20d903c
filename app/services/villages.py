"""'1 Desa 100 Pekerja Rentan': protected vulnerable workers per village against the target of 100.

A worker counts for a village on a date when they live there, belong to the vulnerable-worker
segment (pekerja rentan) and hold an ACTIVE enrollment that has started and not ended on that
date. Village officials, BPD members and RT/RW heads, whom villages also enroll, are other
segments and do not count toward the 100. Every figure is one grouped query, whatever the size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from app.models import District, Enrollment, Segment, Village, Worker
from app.services.enrollments import covered_on

TARGET = 100
SORTS = ("fewest", "most", "name")


@dataclass
class VillageProgress:
    id: int
    code: str
    name: str
    district: str
    protected: int = 0
    by_payer: dict[str, int] = field(default_factory=dict)

    @property
    def reached(self) -> bool:
        return self.protected >= TARGET

    @property
    def percent(self) -> int:
        return min(100, self.protected * 100 // TARGET)


def _covered(on: dt.date) -> list:
    return [Worker.segment == Segment.VULNERABLE, *covered_on(on)]


def protected_counts(session, village_clause, on: dt.date) -> dict[int, dict[str, int]]:
    """Vulnerable workers protected on a date, per village and payer (one grouped query)."""
    counts: dict[int, dict[str, int]] = {}
    for village_id, payer, n in session.execute(
        select(Worker.village_id, Enrollment.payer_type, func.count(distinct(Worker.id)))
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .join(Village, Village.id == Worker.village_id)
        .where(village_clause, *_covered(on))
        .group_by(Worker.village_id, Enrollment.payer_type)
    ):
        counts.setdefault(village_id, {})[payer] = n
    return counts


def village_totals(session, village_clause, on: dt.date) -> dict[int, int]:
    """Distinct protected vulnerable workers per village (one grouped query)."""
    return dict(
        session.execute(
            select(Worker.village_id, func.count(distinct(Worker.id)))
            .join(Enrollment, Enrollment.worker_id == Worker.id)
            .join(Village, Village.id == Worker.village_id)
            .where(village_clause, *_covered(on))
            .group_by(Worker.village_id)
        ).all()
    )


def regency_progress(session, regency_id: int, scope, on: dt.date) -> list[VillageProgress]:
    """Every village of a regency within the scope, with its protected workers and payers."""
    clause = (Village.regency_id == regency_id) & Village.scope_clause(scope)
    villages = [
        VillageProgress(id=pk, code=code, name=name, district=district)
        for pk, code, name, district in session.execute(
            select(Village.id, Village.code, Village.name, District.name)
            .join(District, District.id == Village.district_id)
            .where(clause)
            .order_by(Village.code)
        )
    ]
    totals = village_totals(session, clause, on)
    payers = protected_counts(session, clause, on)
    for village in villages:
        village.protected = totals.get(village.id, 0)
        village.by_payer = payers.get(village.id, {})
    return villages


def summary(villages: list[VillageProgress]) -> dict:
    """How many villages reached the target, and who pays, over a list of villages."""
    by_payer: dict[str, int] = {}
    for village in villages:
        for payer, n in village.by_payer.items():
            by_payer[payer] = by_payer.get(payer, 0) + n
    return {
        "villages": len(villages),
        "reached": sum(v.reached for v in villages),
        "protected": sum(v.protected for v in villages),
        "by_payer": dict(sorted(by_payer.items(), key=lambda item: -item[1])),
    }


def arrange(villages: list[VillageProgress], term: str, only: str, sort: str):
    """Filter by name or code, by reached or not, and sort the villages for the screen."""
    term = term.strip().lower()
    if term:
        villages = [v for v in villages if term in v.name.lower() or term in v.code]
    if only == "reached":
        villages = [v for v in villages if v.reached]
    elif only == "below":
        villages = [v for v in villages if not v.reached]
    if sort == "most":
        return sorted(villages, key=lambda v: (-v.protected, v.code))
    if sort == "name":
        return sorted(villages, key=lambda v: (v.name, v.code))
    return sorted(villages, key=lambda v: (v.protected, v.code))
