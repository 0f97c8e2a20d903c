"""Benchmark the busiest screens at scale: list pages, search, the API and the export.

Usage: python benchmarks/lists.py [--workers 100000] [--database-url URL]

Builds (or reuses) a database with the demo data plus N generated workers, then prints the
median time, SQL statements and response size of each request for an admin and for branch
staff. It prints figures; it asserts nothing (the tests assert query counts instead).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.loader import load_demo  # noqa: E402
from app.demo.users import generate_workers  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Worker  # noqa: E402

PASSWORD = "benchmark-password-1"  # noqa: S105 (a throwaway benchmark database)
CASES = [
    ("worker list, page 1", "/workerview/list/"),
    ("worker list, page 200", "/workerview/list/?page_WorkerView=199"),
    ("worker search 'Agnes'", "/workerview/list/?_flt_2_name=Agnes"),
    ("company list", "/companyview/list/"),
    ("enrollment list", "/enrollmentview/list/"),
    ("contribution list", "/contributionview/list/"),
    ("home page", "/"),
]


def build(url: str, workers: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "AUTO_UPGRADE_DB": True,
            "DEMO_PASSWORD": PASSWORD,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        started = time.perf_counter()
        load_demo(db.session)
        db.session.commit()
        have = db.session.scalar(select(func.count(Worker.id)))
        if have < workers:
            generate_workers(db.session, workers - have)
            db.session.commit()
        from app.cli import ensure_demo_users

        ensure_demo_users()
        total = db.session.scalar(select(func.count(Worker.id)))
        print(f"database ready: {total:,} workers in {time.perf_counter() - started:.1f} s")
    return app


def measure(app, username: str, runs: int = 7) -> None:
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"cannot log in as {username}"
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    print(f"\n{username}: {'case':<28} {'median ms':>10} {'SQL':>5} {'KiB':>7}")
    for name, path in CASES + [("API worker list", None)]:
        timings, sql, size = [], 0, 0
        for _ in range(runs + 1):
            statements.clear()
            started = time.perf_counter()
            if path is None:
                response = client.get("/workerview/export/csv?_flt_2_name=Agnes")
            else:
                response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            sql, size = len(statements), len(response.data)
        label = "CSV export (search)" if path is None else name
        print(
            f"{'':{len(username)}}  {label:<28} {statistics.median(timings[1:]):>10.1f} "
            f"{sql:>5} {size / 1024:>7.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/lindungi-bench.db"),
    )
    args = parser.parse_args()
    app = build(args.database_url, args.workers)
    for username in ("admin", "staf"):
        measure(app, username)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
