"""Demo users and bulk-generated workers for benchmarks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from app.demo.data import (
    DEMO_SCOPE_REGENCY,
    DEMO_SCOPE_VILLAGE,
    DEMO_USERS,
    REGENCIES,
    Maker,
)
from app.models import BranchOffice, District, Regency, UserScope, Village, Worker


def generate_workers(session, count: int, seed: int = 7) -> int:
    """Add many unenrolled workers in bulk (for benchmarks); return how many were added."""
    maker = Maker(seed)
    existing = set(session.scalars(select(Worker.nik)))
    villages = session.execute(
        select(Village.id, Village.regency_id, District.code)
        .join(District)
        .where(
            Village.regency_id.in_(
                select(Regency.id).where(Regency.code.in_([r.code for r in REGENCIES]))
            )
        )
    ).all()
    if not villages:
        return 0
    rows, added = [], 0
    while added < count:
        name, sex, born = maker.person()
        village_id, regency_id, district = maker.rng.choice(villages)
        nik = maker.nik(district, born, sex)
        if nik in existing:
            continue
        existing.add(nik)
        rows.append(
            {
                "nik": nik,
                "name": name,
                "birth_date": born,
                "sex": sex,
                "village_id": village_id,
                "regency_id": regency_id,
                "segment": maker.rng.choice(["bpu", "vulnerable", "pu"]),
                "version": 1,
                "created_on": dt.datetime.now(),
                "changed_on": dt.datetime.now(),
            }
        )
        added += 1
        if len(rows) == 5000:
            session.execute(insert(Worker), rows)
            rows = []
    if rows:
        session.execute(insert(Worker), rows)
    return added


def create_demo_users(sm, session, password: str) -> None:
    """Create the six demo users, or set their password when they exist."""
    regency = session.scalars(select(Regency).where(Regency.code == DEMO_SCOPE_REGENCY)).one()
    branch = session.scalars(
        select(BranchOffice).where(BranchOffice.regencies.any(Regency.id == regency.id))
    ).first()
    village = session.scalars(select(Village).where(Village.code == DEMO_SCOPE_VILLAGE)).one()
    for username, first, last, role_name, scope in DEMO_USERS:
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username,
                first,
                last,
                f"{username}@lindungi.example.go.id",
                sm.find_role(role_name),
                password,
            )
        else:
            sm.reset_password(user.id, password)
        if scope is None or session.scalar(
            select(UserScope.id).where(UserScope.user_id == user.id)
        ):
            continue
        row = UserScope(user_id=user.id)
        if scope == "branch":
            row.branch_office_id = branch.id
        elif scope == "regency":
            row.regency_id = regency.id
        else:
            row.village_id = village.id
        session.add(row)
    session.flush()
