"""Benchmark reconciling a 100.000-row BPJS branch extract against 1.000.000 workers on PostgreSQL.

Usage: python benchmarks/reconcile.py [--rows 100000] [--runs 3] [--workers 1000000]

Builds once (reused later) its own database `lindungi_bench_recon` with the loader of
benchmarks/compliance_api.py (20.000 companies, N workers in four regencies, COPY), so it never
touches another benchmark's `lindungi_bench`. Writes a CSV extract of Kapuas workers (a quarter
of the workers are in that area) with a known mix: workers left out (enrolled here, unknown at
BPJS), names changed, billed but unpaid, paid for a month the company owes here, workers ended
here but active at BPJS, KPJ numbers to fill in, Barito Utara rows (outside the area) and NIKs
unknown here. Each run starts from the same state (the previous run's findings and KPJs
removed) and imports the file in a fresh process exactly as the worker does
(app.views.reconciliation.run_import), printing rows, seconds (median), rows/s and that
process's peak RSS (getrusage), with the machine, its load and the date. The findings are
checked against the mix written; a mismatch is printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import compliance_api  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

compliance_api.DATABASE = "lindungi_bench_recon"
AREA, OUTSIDE = "62.03", "62.05"
KPJ_PREFIX = "BR"


def _engine():
    return create_engine(compliance_api.database_url())


def prepare(workers: int) -> None:
    """Build the database once; end the enrollments of one Kapuas worker in 997 (idempotent)."""
    compliance_api.ensure_database()
    compliance_api.build(20_000, workers)
    engine = _engine()
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE enrollment SET status = 'ended', end_date = '2025-12-31' "
                "WHERE status = 'active' AND worker_id % 997 = 0"
            )
        )
    engine.dispose()


def write_extract(path: Path, rows: int) -> dict:
    """Write the extract and return the findings it must produce."""
    engine = _engine()
    expected = dict.fromkeys(("unknown", "ended_here", "unpaid", "unrecorded", "name"), 0)
    counts = {"outside": 0, "not_found": 0, "kpj_filled": 0, "rows": 0}
    with engine.connect() as conn:
        area = conn.scalar(text("SELECT id FROM regency WHERE code = :c"), {"c": AREA})
        outside = conn.scalar(text("SELECT id FROM regency WHERE code = :c"), {"c": OUTSIDE})
        month = conn.scalar(text("SELECT max(period) FROM contribution"))
        owing = set(
            conn.scalars(
                text(
                    "SELECT company_id FROM contribution WHERE period = :p AND amount_paid = 0 "
                    "AND regency_id = :r"
                ),
                {"p": month, "r": area},
            )
        )
        n_outside, n_unknown_nik = rows // 100, rows // 200
        wanted = rows - n_outside - n_unknown_nik
        stream = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(
                "SELECT w.id, w.nik, w.name, w.company_id, c.npp, "
                "  EXISTS (SELECT 1 FROM enrollment e WHERE e.worker_id = w.id "
                "          AND e.status = 'active') AS active "
                "FROM worker w JOIN company c ON c.id = w.company_id "
                "WHERE w.regency_id = :r ORDER BY w.company_id, w.id"
            ),
            {"r": area},
        )
        period = month.strftime("%Y-%m")
        later = (month + dt.timedelta(days=31)).strftime("%Y-%m")
        with path.open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["NPP", "KPJ", "NIK", "Nama", "Status", "Tagihan", "Dibayar", "Periode"])
            i, written, last_company = 0, 0, None
            for w in stream:
                if written >= wanted and w.company_id != last_company:
                    break  # the extract covers whole companies: stop at a company boundary
                last_company = w.company_id
                i += 1
                if i % 50 == 7:
                    if w.active:
                        expected["unknown"] += 1
                    continue
                name = w.name + " Bin Ahmad" if i % 100 == 3 else w.name.upper()
                expected["name"] += i % 100 == 3
                paid = 0 if i % 40 == 5 else 150_000
                expected["unpaid"] += paid == 0
                # one row in 30 is for the next month, for which nothing is recorded here yet
                when = later if i % 30 == 11 else period
                expected["unrecorded"] += paid > 0 and (when == later or w.company_id in owing)
                expected["ended_here"] += not w.active
                kpj = f"{KPJ_PREFIX}{w.id:010d}" if i % 20 == 0 else ""
                counts["kpj_filled"] += bool(kpj)
                out.writerow([w.npp, kpj, w.nik, name, "Aktif", 150_000, paid, when])
                written += 1
            for w in conn.execute(
                text(
                    "SELECT w.nik, w.name, c.npp FROM worker w JOIN company c ON c.id = "
                    "w.company_id WHERE w.regency_id = :r ORDER BY w.id LIMIT :n"
                ),
                {"r": outside, "n": n_outside},
            ):
                out.writerow([w.npp, "", w.nik, w.name, "Aktif", 150_000, 0, period])
                counts["outside"] += 1
            from app.services.identifiers import make_nik

            for k in range(n_unknown_nik):
                nik = make_nik("62.03.01", dt.date(1950, 1, 1) + dt.timedelta(days=k), "F", 9999)
                out.writerow(["", "", nik, "Orang Luar", "Nonaktif", 0, 0, period])
                counts["not_found"] += 1
            counts["rows"] = written + counts["outside"] + counts["not_found"]
    engine.dispose()
    return {"expected": expected, **counts, "area": area}


def reset(area: int) -> None:
    """Remove what an earlier run found or filled, so that every run does the same work."""
    engine = _engine()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM discrepancy"))
        conn.execute(text("DELETE FROM reconciliation_run"))
        conn.execute(
            text("UPDATE worker SET kpj = NULL WHERE kpj LIKE :p"), {"p": f"{KPJ_PREFIX}%"}
        )
        conn.execute(
            text("DELETE FROM audit_event WHERE entity = 'Worker' AND changes LIKE :c"),
            {"c": '%"reconciliation"%'},
        )
    engine.dispose()


def one_run(path: str, area: int) -> None:
    """In its own process: queue the extract as an upload does and run the worker's job."""
    from app import create_app
    from app.extensions import db
    from app.models import JobStatus, ReconciliationRun
    from app.views.reconciliation import run_import

    app = create_app({"SQLALCHEMY_DATABASE_URI": compliance_api.database_url()})
    data = Path(path).read_bytes()
    with app.app_context():
        run = ReconciliationRun(
            regency_id=area,
            area=str(area),
            file_name=Path(path).name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            pending_file=data,
            status=JobStatus.QUEUED,
            rows_done=0,
            rows_total=0,
            requested_at=dt.datetime.now(dt.UTC),
            matched=0,
            not_found=0,
            outside=0,
            found=0,
            kpj_filled=0,
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        del data, run
        db.session.remove()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    run_import(app, run_id, "id")
    seconds = time.perf_counter() - started
    with app.app_context():
        run = db.session.get(ReconciliationRun, run_id)
        kinds = dict(
            db.session.execute(
                text("SELECT kind, count(*) FROM discrepancy WHERE run_id = :r GROUP BY kind"),
                {"r": run_id},
            ).all()
        )
        result = {
            "status": run.status,
            "error": run.error,
            "rows": run.rows_total,
            "matched": run.matched,
            "outside": run.outside,
            "not_found": run.not_found,
            "kpj_filled": run.kpj_filled,
            "kinds": kinds,
            "seconds": seconds,
            "rss_before_mb": base / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_run(args.one[0], int(args.one[1]))
        return
    if args.prepare:
        prepare(args.workers)
        print(json.dumps(write_extract(Path(args.prepare), args.rows)))
        return
    # Loading and writing run in a child of their own: a process started by one that once grew
    # big inherits its peak RSS, and each run's own peak is what is measured.
    with tempfile.TemporaryDirectory(prefix="lindungi-recon-") as folder:
        path = Path(folder) / "ekstrak.csv"
        prepared = subprocess.run(  # noqa: S603 (this script, its own temporary file)
            [sys.executable, __file__, "--prepare", str(path), "--rows", str(args.rows)]
            + ["--workers", str(args.workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        plan = json.loads(prepared.stdout.strip().splitlines()[-1])
        size_mb = path.stat().st_size / 2**20
        print(f"extract: {plan['rows']:,} rows, {size_mb:.1f} MB; expected {plan['expected']}")
        results = []
        for n in range(args.runs):
            reset(plan["area"])
            load = os.getloadavg()
            done = subprocess.run(  # noqa: S603 (this script, its own temporary file)
                [sys.executable, __file__, "--one", str(path), str(plan["area"])],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["load"] = load[0]
            results.append(result)
            print(
                f"run {n + 1}: {result['status']} {result['seconds']:.1f} s, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB "
                f"(after start-up {result['rss_before_mb']:.0f} MB), load {load[0]:.1f}"
            )
            if result["status"] != "done":
                print("failed:", result["error"])
                return
    last = results[-1]
    wrong = {
        k: (last["kinds"].get(k, 0), v)
        for k, v in plan["expected"].items()
        if last["kinds"].get(k, 0) != v
    }
    for key in ("outside", "not_found", "kpj_filled"):
        if last[key] != plan[key]:
            wrong[key] = (last[key], plan[key])
    seconds = statistics.median(r["seconds"] for r in results)
    load = os.getloadavg()
    during = ", ".join(f"{r['load']:.1f}" for r in results)
    print(
        f"findings: {last['kinds']}; outside {last['outside']}, not found "
        f"{last['not_found']}, KPJ filled {last['kpj_filled']}"
    )
    print(
        "findings match the extract's mix" if not wrong else f"MISMATCH (found, expected): {wrong}"
    )
    print(
        f"{last['rows']:,} rows against {args.workers:,} workers: median {seconds:.1f} s of "
        f"{len(results)} runs, {last['rows'] / seconds:,.0f} rows/s, peak RSS "
        f"{max(r['peak_rss_mb'] for r in results):.0f} MB"
    )
    print(
        f"{dt.date.today()}  {platform.node()}  {os.cpu_count()} cores  "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (during runs: "
        f"{during})"
    )


if __name__ == "__main__":
    main()
