"""The demo's records, one kind at a time: companies and their projects, sponsors, workers, their
enrollments and the payments of their bills. Drawn from the demo's seeded random generator, so
the same data every time.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from app.demo.data import (
    BILLED_MONTHS,
    BUSINESSES,
    COMPANIES_PER_REGENCY,
    CONTRACTOR_KBLI,
    DESA100,
    DESA100_APBD_SHARE,
    FAMILY,
    LOW_PAYERS_PER_REGENCY,
    MINIMUM_WAGES,
    MINIMUM_WAGES_YEAR,
    PROJECTS,
    SEGMENTS,
    SIZE_CLASSES,
    UNCOVERED_SHARE,
    WORKFORCE,
    DemoRegency,
    Maker,
    months_back,
)
from app.models import (
    Company,
    ConstructionProject,
    Contribution,
    Enrollment,
    MinimumWage,
    Regency,
    Sponsor,
    Village,
    Worker,
)
from app.services.identifiers import make_npwp15


def declare_workforce(rng, session, companies) -> None:
    """Declare each company's real headcount; a fifth declare more than they have enrolled."""
    with session.no_autoflush:
        headcount = {id(c): 0 for c in companies}
        for obj in session.new:
            if isinstance(obj, Worker) and obj.company is not None:
                headcount[id(obj.company)] += 1
    for company in companies:
        extra = rng.randint(1, 6) if rng.random() < 0.2 else 0
        company.declared_workforce = headcount[id(company)] + extra


def companies(maker: Maker, regency: Regency, place: str, villages) -> list[Company]:
    rng, companies = maker.rng, []
    for index in range(COMPANIES_PER_REGENCY):
        pattern, kbli, risk, weights = BUSINESSES[index % len(BUSINESSES)]
        size = rng.choices(SIZE_CLASSES, weights)[0]
        low, high = WORKFORCE[size]
        number = maker.next_number()
        name = pattern.format(place=place)
        if index >= len(BUSINESSES):
            name += f" {index // len(BUSINESSES) + 1}"
        registered = rng.random() > 0.08
        companies.append(
            Company(
                name=name,
                nib=f"9120{number:09d}",
                npwp=make_npwp15(number),
                npp=f"{regency.code.replace('.', '')[:2]}{number:06d}" if registered else None,
                kbli=kbli,
                size_class=size,
                risk_group=risk,
                regency=regency,
                village=rng.choice(villages),
                declared_workforce=rng.randint(low, high),
                status="active" if rng.random() > 0.05 else "inactive",
                registered_on=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
                if registered
                else None,
                address=f"Jl. {rng.choice(FAMILY)} No. {rng.randint(1, 200)}",
            )
        )
    return companies


def projects(maker, companies, regency, today) -> list[ConstructionProject]:
    """Construction contracts of the contractors: most registered in days, some late or never."""
    rng, projects = maker.rng, []
    for company in companies:
        if company.kbli not in CONTRACTOR_KBLI:
            continue
        for _ in range(rng.randint(1, 2)):
            spk = today - dt.timedelta(days=rng.randint(20, 200))
            delay = rng.choice([2, 3, 5, 6, 7, 12, 30, None])
            value = rng.randrange(300, 15_000) * 1_000_000
            projects.append(
                ConstructionProject(
                    name=rng.choice(PROJECTS).format(place=company.village.name),
                    spk_number=f"SPK/{maker.next_number():05d}/{spk:%Y}",
                    spk_date=spk,
                    end_date=spk + dt.timedelta(days=rng.randint(240, 540)),
                    company=company,
                    regency=regency,
                    contract_value=value,
                    funding=rng.choice(["apbn", "apbd_funds", "private"]),
                    registered_on=spk + dt.timedelta(days=delay) if delay is not None else None,
                    contribution=value * 21 // 10_000 if delay is not None else 0,
                )
            )
    return projects


def sponsors(maker, regency, opds, villages, companies) -> dict[str, Sponsor]:
    dinsos = opds[0]
    donor = (
        next(c for c in companies if c.size_class == "large")
        if any(c.size_class == "large" for c in companies)
        else companies[0]
    )
    return {
        "apbd": Sponsor(
            name=f"APBD {regency.name} (Dinas Sosial)",
            kind="apbd",
            regency=regency,
            opd=dinsos,
            contact="Bidang Perlindungan Sosial",
        ),
        "csr": Sponsor(
            name=f"CSR {donor.name}",
            kind="csr_company",
            regency=regency,
            company=donor,
            contact="Divisi CSR",
        ),
        "person": Sponsor(
            name="Gerakan PNS Peduli Pekerja Rentan",
            kind="csr_person",
            regency=regency,
            contact="BKPSDM",
        ),
    }


def plan_workers(rng, spec: DemoRegency, scale: int, villages) -> list[tuple]:
    """The regency's workers at the demo's scale, as (segment, village or None, payer or None,
    covered): its participants split as its source counts them (wage earners, the vulnerable
    workers its budget pays for, "1 Desa 100" villages, the other informal workers), then the
    registered workers without cover."""
    wage = round(spec.wage_covered / scale)
    informal = round(spec.informal_covered / scale)
    apbd = round(spec.apbd_vulnerable / scale)
    by_code = {v.code: v for v in villages}
    plan: list[tuple] = [("pu", None, None, True)] * wage
    showcase = DESA100.get(spec.code, {})
    for code, protected in showcase.items():
        funded = round(protected * DESA100_APBD_SHARE)
        plan += [("vulnerable", by_code[code], "apbd", True)] * funded
        plan += [("vulnerable", by_code[code], "apbdes", True)] * (protected - funded)
        apbd -= funded
    others = [v for v in villages if v.code not in showcase]
    plan += [("vulnerable", rng.choice(others), "apbd", True) for _ in range(max(apbd, 0))]
    informal -= sum(showcase.values()) + max(apbd, 0)
    kinds = [(s, w) for s, w in SEGMENTS if s not in ("pu", "vulnerable")]
    drawn = rng.choices([s for s, _ in kinds], [w for _, w in kinds], k=max(informal, 0))
    plan += [(segment, None, None, True) for segment in drawn]
    uncovered = round(len(plan) * UNCOVERED_SHARE)
    drawn = rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS], k=uncovered)
    plan += [(segment, None, None, False) for segment in drawn]
    return plan


def worker(maker, segment, village, district_codes, companies, opds) -> Worker:
    rng = maker.rng
    name, sex, born = maker.person()
    district = district_codes[village.district_id]
    worker = Worker(
        nik=maker.nik(district, born, sex),
        name=name,
        birth_date=born,
        sex=sex,
        village=village,
        regency_id=village.regency_id,
        segment=segment,
        rt=f"{rng.randint(1, 12):03d}",
        rw=f"{rng.randint(1, 5):03d}",
        phone=f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}",
    )
    if segment == "pu":
        worker.company = rng.choice(companies)
    elif segment in ("non_asn", "honorary_teacher"):
        worker.opd = rng.choice(opds)
    elif segment == "village_official":
        worker.employer_village = village
    if segment == "vulnerable":
        worker.dtsen_decile = rng.randint(1, 4)
        worker.welfare_source = rng.choice(["dtks", "dtsen", "p3ke"])
        worker.welfare_verified_by = "Dinas Sosial"
    return worker


def low_payers(rng, companies) -> set[int]:
    """The few medium and large companies (where the minimum wage applies) that report some
    wages below it: the permit check's wage finding."""
    bound = [c for c in companies if c.size_class in ("medium", "large")] or companies
    return {id(c) for c in rng.sample(bound, min(LOW_PAYERS_PER_REGENCY, len(bound)))}


def wage(rng, minimum: int, low: bool) -> int:
    """A wage earner's reported wage: from the minimum wage up, or (at a low payer, for about
    two in five) up to Rp 450.000 below it."""
    floor = -(-minimum // 50_000) * 50_000  # the minimum, rounded up to Rp 50.000
    if low and rng.random() < 0.4:
        return rng.randrange(floor - 450_000, floor - 50_000 + 1, 50_000)
    return rng.randrange(floor, floor + 3_500_000, 50_000)


def enrollment(maker, worker, spec: DemoRegency, sponsors, today, payer, pay) -> Enrollment:
    """The active enrollment of a covered worker; `payer` names who pays for a vulnerable
    worker ("apbd" or "apbdes"), `pay` draws a wage earner's wage for their company."""
    rng = maker.rng
    start = months_back(today, rng.randint(BILLED_MONTHS + 1, 30))
    programs: tuple[str, ...] = ("jkk", "jkm")
    kwargs: dict = {"declared_wage": 1_000_000}
    segment = worker.segment
    if segment == "pu":
        company = worker.company
        # The program set for the company's size, and JKP, which comes with it (PP 6/2025
        # Pasal 4): paid by the government and from JKK, nothing more from the employer.
        programs = (
            ("jkk", "jkm", "jht", "jp", "jkp")
            if company.size_class in ("medium", "large")
            else ("jkk", "jkm", "jht", "jkp")
        )
        kwargs = {"payer_type": "employer", "company": company, "declared_wage": pay(company)}
    elif segment == "vulnerable" and payer == "apbdes":
        kwargs |= {"payer_type": "apbdes", "sponsor": village_fund(sponsors, worker.village)}
    elif segment == "vulnerable":
        programs = spec.vulnerable_programs
        kwargs |= {"payer_type": "apbd", "sponsor": sponsors["apbd"]}
    elif segment == "village_official":
        kwargs |= {"payer_type": "apbdes", "sponsor": village_fund(sponsors, worker.village)}
    elif segment in ("rt_rw_head", "bpd_member"):
        kwargs |= {"payer_type": "apbd", "sponsor": sponsors["apbd"]}
    elif segment == "non_asn":
        programs = spec.vulnerable_programs  # what the regency's APBD commitment funds
        kwargs = {
            "payer_type": "apbd",
            "sponsor": sponsors["apbd"],
            "declared_wage": rng.randrange(2_000_000, 3_600_000, 100_000),
        }
    elif segment == "honorary_teacher":
        kwargs |= {
            "payer_type": "csr",
            "sponsor": rng.choice([sponsors["csr"], sponsors["person"]]),
        }
    else:
        programs = rng.choice([("jkk", "jkm"), ("jkk", "jkm", "jht")])
        kwargs = {
            "payer_type": "worker",
            "declared_wage": rng.choice([1_000_000, 1_500_000, 2_000_000]),
        }
    flags = {p: p in programs for p in ("jkk", "jkm", "jht", "jp", "jkp")}
    return Enrollment(
        worker=worker,
        regency_id=worker.regency_id,
        start_date=start,
        status="active",
        **flags,
        **kwargs,
    )


def village_fund(sponsors: dict, village: Village) -> Sponsor:
    """The village-funds sponsor (APBDes) of a village, made when first needed."""
    key = f"apbdes:{village.code}"
    if key not in sponsors:
        sponsors[key] = Sponsor(
            name=f"Dana Desa {village.name}",
            kind="apbdes",
            regency_id=village.regency_id,
            village=village,
            contact="Kepala Desa",
        )
    return sponsors[key]


def record_payments(session, rng: random.Random, today: dt.date) -> None:
    """Mark most bills paid; leave some companies and self-paying workers in arrears."""
    late_payers = set()
    for bill in session.scalars(select(Contribution).order_by(Contribution.id)):
        if bill.payer_key not in late_payers and rng.random() < 0.03:
            late_payers.add(bill.payer_key)
        months_ago = (today.year - bill.period.year) * 12 + today.month - bill.period.month
        if bill.payer_key in late_payers and months_ago <= 3:
            continue
        if bill.payer_key.startswith("worker:") and rng.random() < 0.1:
            continue
        bill.amount_paid = bill.amount_due
        paid = months_back(bill.period, -1) + dt.timedelta(days=rng.randint(2, 14))
        bill.paid_on = min(paid, today)
        bill.reference = f"BPJSTK-{bill.period:%Y%m}-{bill.id:06d}"
    session.flush()


def _rupiah_sen(sen: int) -> str:
    rupiah, cents = divmod(sen, 100)
    whole = f"{rupiah:,}".replace(",", ".")
    return f"Rp {whole},{cents:02d}" if cents else f"Rp {whole}"


def minimum_wages(session, today: dt.date) -> dict[str, int]:
    """Record the demo provinces' UMP and regencies' UMK of 2025 from their decrees, and the
    same amounts for the current year marked illustrative until its decree is entered; return
    the minimum in force this year per demo regency code (its UMK, else its province's UMP).

    The table holds whole Rupiah, as do the wages compared with it: an amount with sen is
    rounded up, so a wage passes only when it is not below the decree's exact amount.
    """
    regencies = dict(session.execute(select(Regency.code, Regency.id)).all())
    years = sorted({MINIMUM_WAGES_YEAR, today.year})
    for province, code, sen, decree in MINIMUM_WAGES:
        exact = _rupiah_sen(sen)
        for year in years:
            regency_id = regencies[code] if code else None
            if session.scalar(
                select(MinimumWage.id).where(
                    MinimumWage.province_code == province,
                    MinimumWage.regency_id.is_(None)
                    if regency_id is None
                    else MinimumWage.regency_id == regency_id,
                    MinimumWage.year == year,
                )
            ):
                continue
            basis = f"{decree} ({exact})"
            if year != MINIMUM_WAGES_YEAR:
                basis = (
                    f"Ilustrasi demo: nilai {MINIMUM_WAGES_YEAR}, {basis}; SK {year} belum dicatat"
                )
            session.add(
                MinimumWage(
                    province_code=province,
                    regency_id=regency_id,
                    year=year,
                    amount=-(-sen // 100),
                    legal_basis=basis,
                )
            )
    session.flush()
    ump = {p: -(-sen // 100) for p, code, sen, _ in MINIMUM_WAGES if code is None}
    umk = {code: -(-sen // 100) for _, code, sen, _ in MINIMUM_WAGES if code}
    return {code: umk.get(code, ump.get(code[:2], 0)) for code in regencies if code[:2] in ump}
