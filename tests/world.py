"""The small world the tests run in: two regencies, their branches, personas and records."""

from __future__ import annotations

import datetime as dt

from app.models import (
    BranchOffice,
    Company,
    Enrollment,
    Opd,
    Regency,
    Sponsor,
    SponsorCommitment,
    UserScope,
    Village,
    Worker,
)
from app.roles import ADMIN, AUDITOR, BRANCH_STAFF, OPERATOR, PERMIT_OFFICER, SUPERVISOR
from app.services.areas import import_areas
from app.services.compliance import seed_rules
from app.services.contributions import apply_to_enrollment
from app.services.identifiers import make_nik
from app.services.rates_seed import seed_rates

KAPUAS, BARUT = "62.03", "62.05"
KAPUAS_VILLAGE = "62.03.01.2011"
KAPUAS_OTHER_VILLAGE = "62.03.01.2020"
BARUT_VILLAGE = "62.05.01.1001"

# One worker employed by each Kapuas OPD, both living in the same Kapuas village: dodi (Dinas
# Sosial) sees the first and never the second.
OPD_SOCIAL, OPD_PMD = "Dinas Sosial Kapuas", "Dinas PMD Kapuas"
OPD_SOCIAL_WORKER, OPD_PMD_WORKER = "Yakobus Andrias", "Natalia Ujan"

PERSONAS = {
    "admin": (ADMIN, None),
    "sari": (BRANCH_STAFF, ("branch", "KPS")),
    "budi": (BRANCH_STAFF, ("branch", "MTW")),
    "vina": (SUPERVISOR, ("branch", "KPS")),
    "putri": (PERMIT_OFFICER, ("regency", KAPUAS)),
    "oki": (OPERATOR, ("village", KAPUAS_VILLAGE)),
    "ani": (AUDITOR, ("regency", KAPUAS)),
    "dodi": (OPERATOR, ("opd", OPD_SOCIAL)),
}

# Valid NIBs/NPWPs of the world's companies.
KAPUAS_NIB, BARUT_NIB = "9120001234567", "9120007654321"


def village(session, code) -> Village:
    return session.query(Village).filter_by(code=code).one()


def regency(session, code) -> Regency:
    return session.query(Regency).filter_by(code=code).one()


def add_worker(
    session,
    name,
    village_code,
    birth=dt.date(1985, 3, 20),
    sex="M",
    serial=1,
    segment="vulnerable",
    company=None,
    opd=None,
):
    """Create a worker with a valid NIK issued in the village's district."""
    v = village(session, village_code)
    worker = Worker(
        nik=make_nik(v.code.rsplit(".", 1)[0], birth, sex, serial),
        name=name,
        birth_date=birth,
        sex=sex,
        village=v,
        regency_id=v.regency_id,
        segment=segment,
        company=company,
        opd=opd,
    )
    session.add(worker)
    return worker


def build(session, sm, password: str) -> None:
    """Create the areas, rates, branches, personas and a few records in each regency."""
    import_areas(session, provinces=["62"])
    seed_rates(session)
    seed_rules(session)
    kapuas, barut = regency(session, KAPUAS), regency(session, BARUT)
    branches = {
        "KPS": BranchOffice(code="KPS", name="Kapuas", regencies=[kapuas]),
        "MTW": BranchOffice(code="MTW", name="Muara Teweh", regencies=[barut]),
    }
    session.add_all(branches.values())
    opds = {name: Opd(name=name, kind="dinas", regency=kapuas) for name in (OPD_SOCIAL, OPD_PMD)}
    session.add_all(opds.values())
    session.flush()
    for username, (role_name, scope) in PERSONAS.items():
        user = sm.add_user(
            username,
            username.title(),
            "Persona",
            f"{username}@example.go.id",
            sm.find_role(role_name),
            password,
        )
        assert user, f"could not create {username}"
        if scope is None:
            continue
        kind, ref = scope
        row = UserScope(user_id=user.id)
        if kind == "branch":
            row.branch_office_id = branches[ref].id
        elif kind == "regency":
            row.regency_id = regency(session, ref).id
        elif kind == "opd":
            row.opd_id = opds[ref].id
        else:
            row.village_id = village(session, ref).id
        session.add(row)

    kapuas_company = Company(
        name="PT Sawit Kapuas Lestari",
        nib=KAPUAS_NIB,
        npp="KP100001",
        size_class="medium",
        risk_group=3,
        regency=kapuas,
        declared_workforce=2,
    )
    barut_company = Company(
        name="CV Barito Jaya",
        nib=BARUT_NIB,
        npp="BU200002",
        size_class="small",
        risk_group=2,
        regency=barut,
        declared_workforce=1,
    )
    session.add_all(
        [
            kapuas_company,
            barut_company,
            Sponsor(name="APBD Kabupaten Kapuas", kind="apbd", regency=kapuas),
        ]
    )
    village_fund = Sponsor(
        name="Dana Desa Pulau Telo",
        kind="apbdes",
        regency=kapuas,
        village=village(session, KAPUAS_VILLAGE),
    )
    session.add(
        SponsorCommitment(
            sponsor=village_fund,
            regency_id=kapuas.id,
            reference="APBDes Pulau Telo 2026",
            workers_quota=400,
            programs="JKK,JKM",
            ceiling_amount=400 * 16_800 * 12,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
        )
    )
    add_worker(
        session, "Yohanes Ngabut", KAPUAS_VILLAGE, serial=11, segment="pu", company=kapuas_company
    )
    add_worker(session, "Siti Lestari", KAPUAS_OTHER_VILLAGE, dt.date(1990, 8, 17), "F", 12)
    for name, opd, birth, sex, serial in (
        (OPD_SOCIAL_WORKER, OPD_SOCIAL, dt.date(1988, 11, 2), "M", 14),
        (OPD_PMD_WORKER, OPD_PMD, dt.date(1993, 2, 14), "F", 15),
    ):
        add_worker(
            session,
            name,
            KAPUAS_OTHER_VILLAGE,
            birth,
            sex,
            serial,
            segment="non_asn",
            opd=opds[opd],
        )
    barut_worker = add_worker(
        session, "Rahmat Hidayat", BARUT_VILLAGE, serial=13, segment="pu", company=barut_company
    )
    session.flush()
    enrollment = Enrollment(
        worker=barut_worker,
        regency_id=barut.id,
        jkk=True,
        jkm=True,
        jht=True,
        jp=False,
        start_date=dt.date(2025, 1, 1),
        status="active",
        payer_type="employer",
        company=barut_company,
        declared_wage=3_500_000,
    )
    apply_to_enrollment(session, enrollment)
    session.add(enrollment)
    session.commit()
