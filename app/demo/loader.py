"""A realistic demo data set for the four regencies of the source articles, and demo users.

Kapuas Hulu (61.06), Kapuas (62.03), Barito Utara (62.05) and Palangkaraya (62.71): their real
districts and villages, branch offices, OPDs, companies, workers with valid NIKs and KPJ numbers,
enrollments paid by APBD, village funds, CSR sponsors, employers and the workers themselves, six
months of contribution bills with some arrears, and the minimum wages of 2025. The workers and the
potential workforce are the sources' divided by DEMO_SCALE (1:50), so each regency's coverage
share is its source's; Kapuas's "1 Desa 100" villages reach the target. Random but reproducible
(a fixed seed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.demo import arrears as demo_arrears
from app.demo import claims as demo_claims
from app.demo import letterheads, records
from app.demo.data import (
    BILLED_MONTHS,
    DEMO_COMPANY_PANEL,
    DEMO_FILE,
    DEMO_PANEL,
    DEMO_SCALE,
    DEMO_SCOPE_VILLAGE,
    DESA100,
    OPDS,
    REGENCIES,
    DemoRegency,
    Maker,
    months_back,
)
from app.demo.files import one_page_pdf
from app.models import (
    AwardScore,
    BranchOffice,
    Company,
    District,
    Opd,
    Regency,
    RegencyWorkforce,
    Sponsor,
    SponsorCommitment,
    Village,
    Worker,
)
from app.scope import UNRESTRICTED
from app.services import award_evidence, awards
from app.services.areas import import_areas
from app.services.compliance import seed_rules
from app.services.contributions import RateBook, bill_month, calculate
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
    minimums = records.minimum_wages(session, today)
    summary = {"companies": 0, "workers": 0, "enrollments": 0}
    for spec in REGENCIES:
        regency = session.scalars(select(Regency).where(Regency.code == spec.code)).one()
        counts = _load_regency(session, maker, spec, regency, today, minimums[spec.code])
        for key, value in counts.items():
            summary[key] += value
    letterheads.seed(session)
    session.flush()
    showcase = {DEMO_SCOPE_VILLAGE, *(c for villages in DESA100.values() for c in villages)}
    for demo_village in session.scalars(
        select(Village).where(Village.code.in_(showcase)).order_by(Village.code)
    ):
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
    records.record_payments(session, maker.rng, today)
    summary["contributions"] = bills
    summary |= demo_arrears.showcase(session, today)
    session.flush()
    summary["award_participants"] = _award_period(session, today)
    summary["claims"] = demo_claims.load(session, today)
    return summary


def _award_period(session, today: dt.date) -> int:
    """This year's open award period with the panel's marks for the four regencies and for the
    three best companies of each size on the desk score; scores computed, not locked."""
    now = dt.datetime.now(dt.UTC)
    period = awards.open_period(session, today.year, scope=UNRESTRICTED)
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
    awards.compute_all(session, period, today, now, scope=UNRESTRICTED)
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
    return sum(awards.compute_all(session, period, today, now, scope=UNRESTRICTED).values())


def _load_regency(
    session, maker: Maker, spec: DemoRegency, regency: Regency, today: dt.date, minimum: int
) -> dict[str, int]:
    branch_code, branch_name, address = spec.branch
    session.add(
        BranchOffice(code=branch_code, name=branch_name, address=address, regencies=[regency])
    )
    session.add(
        RegencyWorkforce(
            regency=regency,
            year=today.year,
            wage_earners=round(spec.wage_earners / DEMO_SCALE),
            informal_workers=round(spec.informal / DEMO_SCALE),
            scale=DEMO_SCALE,
            source=f"Data demo skala 1:{DEMO_SCALE}; {spec.source}",
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
    companies = records.companies(maker, regency, place, villages)
    session.add_all(companies)
    session.add_all(records.projects(maker, companies, regency, today))
    sponsors = records.sponsors(maker, regency, opds, villages, companies)
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
    rng, enrollments = maker.rng, 0
    low = records.low_payers(rng, companies)

    def pay(company):
        return records.wage(rng, minimum, id(company) in low)

    plan = records.plan_workers(rng, spec, DEMO_SCALE, villages)
    for segment, village, payer, covered in plan:
        village = village or rng.choice(villages)
        worker = records.worker(maker, segment, village, district_codes, companies, opds)
        session.add(worker)
        if not covered:
            continue  # not covered yet: the home page's "workers without cover"
        enrollment = records.enrollment(maker, worker, spec, sponsors, today, payer, pay)
        if rng.random() < 0.92:  # most know their card number; the rest are still to be told
            worker.kpj = maker.kpj(spec.code, enrollment.start_date)
        breakdown = calculate(book, enrollment, max(enrollment.start_date, today))
        enrollment.monthly_contribution = breakdown.total
        enrollment.worker_share = breakdown.worker_share
        session.add(enrollment)
        enrollments += 1
    records.declare_workforce(maker.rng, session, companies)
    return {"companies": len(companies), "workers": len(plan), "enrollments": enrollments}
