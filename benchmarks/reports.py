"""Benchmark the award ranking report and the regency coverage profile on 1,000,000 workers.

Usage: python benchmarks/reports.py [--companies 20000] [--workers 1000000] [--repeat 3]

Uses (and builds once) the PostgreSQL database of benchmarks/compliance_api.py: 20,000 companies
and 1,000,000 enrolled workers in the four demo regencies. Adds a potential workforce for this
year, opens this year's award period and prints, for each step, the best and the median time of
`--repeat` runs and the peak Python memory (traced in a run of its own): computing every
category (aggregate queries; 20,000 companies ranked), the regency ranking PDF, the small-
company ranking PDF, the certificates and the Kapuas coverage profile PDF. The panel marks the
25 printed small companies on every panel indicator with a note and an evidence file, so their
report carries its fullest evidence annex (75 rows). Target: under 3 s per PDF. It asserts
nothing; the tests assert the query counts (tests/test_awards.py, tests/test_dashboard.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from compliance_api import REGENCIES, build, database_url, ensure_database  # noqa: E402


def measure(label: str, repeat: int, step) -> None:
    """Time `repeat` plain runs, then trace one more for the peak memory: tracing Python's
    allocations slows WeasyPrint two to three times, so it never runs while the clock does."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = len(result) if isinstance(result, bytes) else 0
    extra = f", {size / 1024:.0f} KiB" if size else ""
    print(
        f"{label:<44} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s  "
        f"peak {peak / 2**20:6.1f} MiB{extra}"
    )


def mark_finalists(session, period, category: str, now) -> None:
    """The panel marks the best RANKED of a category on the desk score on every panel
    indicator, with a note and a small PDF as evidence (once: later runs find them)."""
    from sqlalchemy import select

    from app.models import AwardInput, AwardScore
    from app.reports.awards import RANKED
    from app.services import award_evidence, awards

    panel = [i for i in awards.indicators_of(period, category) if i.source == "panel"]
    if session.scalar(select(AwardInput.id).where(AwardInput.indicator_id == panel[0].id)):
        return
    best = session.execute(
        select(AwardScore.subject_id, AwardScore.regency_id)
        .where(AwardScore.period_id == period.id, AwardScore.category == category)
        .order_by(AwardScore.desk_score.desc(), AwardScore.subject_name)
        .limit(RANKED)
    ).all()
    for place, (subject, regency_id) in enumerate(best):
        for indicator in panel:
            awards.set_input(
                session, indicator, subject, 90 - place, f"Berita acara penilaian {subject}",
                None, now,
            )  # fmt: skip
            award_evidence.attach(
                session, indicator, subject, regency_id, f"bukti-{subject}.pdf",
                b"%PDF-1.4\n% bukti " + str(subject).encode() + b"\n%%EOF\n", None, now,
            )  # fmt: skip
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ensure_database()
    build(args.companies, args.workers)

    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import AwardScore, Regency, RegencyWorkforce, Worker
    from app.reports.awards import certificates_pdf, ranking_pdf
    from app.reports.profile import profile_pdf
    from app.scope import UNRESTRICTED
    from app.services import awards

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url()})
    today = dt.date.today()
    with app.app_context(), app.test_request_context("/"):
        session = db.session
        print(f"{session.scalar(select(func.count(Worker.id))):,} workers")
        regencies = session.scalars(select(Regency).where(Regency.code.in_(REGENCIES))).all()
        for regency in regencies:
            if not session.scalar(
                select(RegencyWorkforce.id).where(
                    RegencyWorkforce.regency_id == regency.id, RegencyWorkforce.year == today.year
                )
            ):
                session.add(
                    RegencyWorkforce(
                        regency=regency,
                        year=today.year,
                        wage_earners=400_000,
                        informal_workers=600_000,
                    )
                )
        period = awards.open_period(session, today.year, scope=UNRESTRICTED)
        if period.locked:
            sys.exit(f"the {today.year} period of {database_url()} is locked")
        session.commit()
        now = dt.datetime.now(dt.UTC)

        def compute():
            counts = awards.compute_all(session, period, today, now, scope=UNRESTRICTED)
            session.commit()
            return counts

        measure("compute every category", args.repeat, compute)
        mark_finalists(session, period, "small", now)
        compute()
        ranked = dict(
            session.execute(
                select(AwardScore.category, func.count(AwardScore.id))
                .where(AwardScore.period_id == period.id)
                .group_by(AwardScore.category)
            ).all()
        )
        print(f"ranked: {ranked}")
        everything = AwardScore.id.is_not(None)
        measure(
            "ranking report PDF, regencies",
            args.repeat,
            lambda: ranking_pdf(session, period, "regency", everything),
        )
        measure(
            "ranking report PDF, small companies (20.000)",
            args.repeat,
            lambda: ranking_pdf(session, period, "small", everything),
        )
        measure(
            "certificates PDF, regencies",
            args.repeat,
            lambda: certificates_pdf(session, period, "regency", everything),
        )
        kapuas = next(r for r in regencies if r.code == "62.03")
        measure(
            "coverage profile PDF, Kapuas",
            args.repeat,
            lambda: profile_pdf(session, kapuas, UNRESTRICTED, today),
        )
        db.engine.dispose()


if __name__ == "__main__":
    main()
