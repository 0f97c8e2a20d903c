"""A realistic demo data set for the four regencies of the source articles, and demo users.

Kapuas Hulu (61.06), Kapuas (62.03), Barito Utara (62.05) and Palangka Raya (62.71): their real
districts and villages, branch offices, OPDs, companies, workers with valid NIKs, enrollments paid
by APBD, village funds, CSR sponsors, employers and the workers themselves, and six months of
contribution bills with some arrears. Random but reproducible (a fixed seed).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from app.models import (
    AwardScore,
    BranchOffice,
    Company,
    ConstructionProject,
    Contribution,
    District,
    Enrollment,
    Opd,
    Regency,
    RegencyWorkforce,
    Sponsor,
    SponsorCommitment,
    Village,
    Worker,
)
from app.services import award_evidence, awards
from app.services.areas import import_areas
from app.services.compliance import seed_rules
from app.services.contributions import RateBook, bill_month, calculate
from app.services.demo_data import (
    BILLED_MONTHS,
    BUSINESSES,
    COMPANIES_PER_REGENCY,
    CONTRACTOR_KBLI,
    DEMO_COMPANY_PANEL,
    DEMO_FILE,
    DEMO_PANEL,
    DEMO_SCOPE_VILLAGE,
    FAMILY,
    OPDS,
    PROJECTS,
    REGENCIES,
    SEGMENTS,
    SIZE_CLASSES,
    WORKERS_PER_REGENCY,
    WORKFORCE,
    DemoRegency,
    Maker,
    months_back,
)
from app.services.demo_files import one_page_pdf
from app.services.identifiers import make_npwp15
from app.services.rates_seed import seed_rates

PROVINCES = ["61", "62"]


def is_empty(session) -> bool:
    """Tell whether the database holds no companies or workers yet."""
    return not (
        session.scalar(select(func.count(Company.id)))
        or session.scalar(select(func.count(Worker.id)))
    )


def load_demo(session, today: dt.date | None = None) -> dict[str, int]:
    """Load the demo data set when the database is empty; return what was added (else {})."""
    import_areas(session, provinces=PROVINCES)
    seed_rates(session)
    seed_rules(session)
    if not is_empty(session):
        session.flush()
        return {}
    today = today or dt.date.today()
    maker = Maker()
    summary = {"companies": 0, "workers": 0, "enrollments": 0}
    for spec in REGENCIES:
        regency = session.scalars(select(Regency).where(Regency.code == spec.code)).one()
        counts = _load_regency(session, maker, spec, regency, today)
        for key, value in counts.items():
            summary[key] += value
    demo_village = session.scalars(select(Village).where(Village.code == DEMO_SCOPE_VILLAGE)).one()
    session.flush()
    village_fund = session.scalars(
        select(Sponsor).where(Sponsor.village_id == demo_village.id).limit(1)
    ).first() or Sponsor(
        name=f"Dana Desa {demo_village.name}",
        kind="apbdes",
        regency_id=demo_village.regency_id,
        village=demo_village,
        contact="Kepala Desa",
    )
    # "1 Desa 100": the village budgets JKK+JKM for 100 vulnerable workers this year.
    session.add(
        SponsorCommitment(
            sponsor=village_fund,
            regency_id=demo_village.regency_id,
            reference=f"APBDes {demo_village.name} {today.year}",
            workers_quota=100,
            programs="JKK,JKM",
            ceiling_amount=100 * 16_800 * 12,
            start_date=dt.date(today.year, 1, 1),
            end_date=dt.date(today.year, 12, 31),
        )
    )
    session.flush()
    bills = 0
    for back in range(BILLED_MONTHS, 0, -1):
        bills += bill_month(session, months_back(today, back))
    _record_payments(session, maker.rng, today)
    summary["contributions"] = bills
    session.flush()
    summary["award_participants"] = _award_period(session, today)
    return summary


def _award_period(session, today: dt.date) -> int:
    """This year's open award period with the panel's marks for the four regencies and for the
    three best companies of each size on the desk score; scores computed, not locked."""
    now = dt.datetime.now(dt.UTC)
    period = awards.open_period(session, today.year)
    indicators = {(i.category, i.code): i for i in period.indicators}
    regencies = dict(
        session.execute(select(Regency.code, Regency.id).where(Regency.code.in_(DEMO_PANEL))).all()
    )
    for code, marks in DEMO_PANEL.items():
        for indicator, (value, evidence) in marks.items():
            awards.set_input(
                session,
                indicators["regency", indicator],
                regencies[code],
                value,
                evidence,
                None,
                now,
            )
        # The regulation's copy as the panel would scan it (a stand-in, and it says so).
        note = marks["regulation"][1]
        copy = one_page_pdf(
            [f"Salinan: {note}", "Bukti penilaian Penghargaan Paritrana", DEMO_FILE]
        )
        award_evidence.attach(
            session, indicators["regency", "regulation"], regencies[code], regencies[code],
            f"{note.replace('/', '-')}.pdf", copy, None, now,
        )  # fmt: skip
    awards.compute_all(session, period, today, now)
    for category in awards.COMPANY_CLASSES:
        best = session.scalars(
            select(AwardScore.subject_id)
            .where(AwardScore.period_id == period.id, AwardScore.category == category)
            .order_by(AwardScore.desk_score.desc(), AwardScore.subject_name)
            .limit(3)
        ).all()
        for place, subject in enumerate(best):
            for indicator, value in DEMO_COMPANY_PANEL.items():
                awards.set_input(
                    session, indicators[category, indicator], subject, value - 5 * place,
                    "Berkas penilaian", None, now,
                )  # fmt: skip
    session.flush()
    return sum(awards.compute_all(session, period, today, now).values())


def _load_regency(
    session, maker: Maker, spec: DemoRegency, regency: Regency, today: dt.date
) -> dict[str, int]:
    branch_code, branch_name, address = spec.branch
    session.add(
        BranchOffice(code=branch_code, name=branch_name, address=address, regencies=[regency])
    )
    session.add(
        RegencyWorkforce(
            regency=regency,
            year=today.year,
            wage_earners=spec.wage_earners,
            informal_workers=spec.informal,
            source="BPS Sakernas (perkiraan)",
        )
    )
    place = regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")
    opds = [Opd(name=f"{name} {regency.name}", kind=kind, regency=regency) for name, kind in OPDS]
    session.add_all(opds)
    villages = session.scalars(
        select(Village).where(Village.regency_id == regency.id).order_by(Village.code)
    ).all()
    district_codes = dict(
        session.execute(
            select(District.id, District.code).where(District.regency_id == regency.id)
        ).all()
    )
    companies = _companies(maker, regency, place, villages)
    session.add_all(companies)
    session.add_all(_projects(maker, companies, regency, today))
    sponsors = _sponsors(maker, regency, opds, villages, companies)
    session.add_all(list(sponsors.values()))
    session.add(
        SponsorCommitment(
            sponsor=sponsors["apbd"],
            regency_id=regency.id,
            reference=f"SK Bupati/Wali Kota {today.year}",
            workers_quota=5000,
            programs=",".join(p.upper() for p in spec.vulnerable_programs),
            ceiling_amount=5000 * 16_800 * 12,
            start_date=dt.date(today.year, 1, 1),
            end_date=dt.date(today.year, 12, 31),
        )
    )
    session.add(
        SponsorCommitment(
            sponsor=sponsors["csr"],
            regency_id=regency.id,
            reference="Perjanjian CSR GN Lingkaran",
            workers_quota=300,
            programs="JKK,JKM",
            ceiling_amount=300 * 16_800 * 12,
            start_date=dt.date(today.year, 1, 1),
            end_date=dt.date(today.year, 12, 31),
        )
    )
    session.flush()
    book = RateBook.load(session)
    enrollments = 0
    for _ in range(WORKERS_PER_REGENCY):
        segment = maker.rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
        worker = _worker(maker, segment, villages, district_codes, companies, opds)
        session.add(worker)
        enrollment = _enrollment(maker, worker, spec, sponsors, today)
        if enrollment is not None:
            breakdown = calculate(book, enrollment, max(enrollment.start_date, today))
            enrollment.monthly_contribution = breakdown.total
            enrollment.worker_share = breakdown.worker_share
            session.add(enrollment)
            enrollments += 1
    _declare_workforce(maker.rng, session, companies)
    return {"companies": len(companies), "workers": WORKERS_PER_REGENCY, "enrollments": enrollments}


def _declare_workforce(rng, session, companies) -> None:
    """Declare each company's real headcount; a fifth declare more than they have enrolled."""
    with session.no_autoflush:
        headcount = {id(c): 0 for c in companies}
        for obj in session.new:
            if isinstance(obj, Worker) and obj.company is not None:
                headcount[id(obj.company)] += 1
    for company in companies:
        extra = rng.randint(1, 6) if rng.random() < 0.2 else 0
        company.declared_workforce = headcount[id(company)] + extra


def _companies(maker: Maker, regency: Regency, place: str, villages) -> list[Company]:
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


def _projects(maker, companies, regency, today) -> list[ConstructionProject]:
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


def _sponsors(maker, regency, opds, villages, companies) -> dict[str, Sponsor]:
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


def _worker(maker, segment, villages, district_codes, companies, opds) -> Worker:
    rng = maker.rng
    name, sex, born = maker.person()
    village = rng.choice(villages)
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


def _enrollment(maker, worker, spec: DemoRegency, sponsors, today) -> Enrollment | None:
    rng = maker.rng
    if rng.random() < 0.14:
        return None  # not covered yet: the home page's "workers without cover"
    start = months_back(today, rng.randint(BILLED_MONTHS + 1, 30))
    programs: tuple[str, ...] = ("jkk", "jkm")
    kwargs: dict = {"declared_wage": 1_000_000}
    segment = worker.segment
    if segment == "pu":
        company = worker.company
        programs = (
            ("jkk", "jkm", "jht", "jp")
            if company.size_class in ("medium", "large")
            else ("jkk", "jkm", "jht")
        )
        kwargs = {
            "payer_type": "employer",
            "company": company,
            "declared_wage": rng.randrange(3_500_000, 7_000_000, 50_000),
        }
    elif segment == "vulnerable":
        programs = spec.vulnerable_programs
        kwargs |= {"payer_type": "apbd", "sponsor": sponsors["apbd"]}
    elif segment == "village_official":
        kwargs |= {"payer_type": "apbdes", "sponsor": _village_fund(sponsors, worker.village)}
    elif segment in ("rt_rw_head", "bpd_member"):
        kwargs |= {"payer_type": "apbd", "sponsor": sponsors["apbd"]}
    elif segment == "non_asn":
        programs = ("jkk", "jkm", "jht")
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


def _village_fund(sponsors: dict, village: Village) -> Sponsor:
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


def _record_payments(session, rng: random.Random, today: dt.date) -> None:
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
