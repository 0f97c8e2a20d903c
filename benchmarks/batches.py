"""Benchmark an enrollment batch of 10.000 rows: check and stage the file, then approve it.

Usage: python benchmarks/batches.py [--rows 10000] [--database-url URL ...]

For each database (by default a fresh SQLite file and a fresh PostgreSQL database on
127.0.0.1:5432) it loads the demo, makes a regency-wide sponsor with a large commitment, writes a
CSV of N valid Kapuas workers (with a few bad rows), and prints for the background check (read,
validate, stage) and for the approval (enroll every valid row): seconds, rows a second, SQL
statements and the process's peak resident memory during the step (VmHWM, reset before each
step through /proc/self/clear_refs; no tracemalloc, which slowed the timed code 2-5x). It prints
figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.loader import load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    BatchRow,
    District,
    EnrollmentBatch,
    Regency,
    Sponsor,
    SponsorCommitment,
    Village,
)
from app.services import batch_drafts, batches  # noqa: E402
from app.services.batch_import import TEMPLATE_HEADERS  # noqa: E402
from app.services.identifiers import make_nik  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RULES = {"max_age": 65, "max_decile": 4}


def make_csv(villages: list[tuple[str, str]], rows: int, seed: int = 7) -> bytes:
    """N template rows for the villages (code, district code); one row in 200 is broken."""
    rng = random.Random(seed)
    lines = [";".join(TEMPLATE_HEADERS)]
    for n in range(rows):
        village, district = villages[n % len(villages)]
        born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 38))
        sex = rng.choice("LP")
        nik = make_nik(district, born, "M" if sex == "L" else "F", 1 + n % 9999)
        if n % 200 == 199:
            nik = nik[:-1]  # a bad row: the operator will correct it
        lines.append(f"{nik};Pekerja {n};{born.isoformat()};{sex};{village};vulnerable;2;1000000")
    return "\n".join(lines).encode("utf-8-sig")


def count_statements(app):
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


def _peak_rss_mib() -> float:
    """The process's peak resident memory since the last reset (Linux)."""
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current resident size
    except OSError:
        pass  # not Linux, or not allowed: the peak is then the process's so far


def timed(statements, step):
    """Seconds, SQL statements and peak resident MiB of one step (timed without tracing)."""
    statements.clear()
    _reset_peak()
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    return seconds, len(statements), _peak_rss_mib()


def run(url: str, rows: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_UPGRADE_DB": True})
    with app.app_context():
        session = db.session
        load_demo(session)
        session.commit()
        kapuas = session.scalars(select(Regency).where(Regency.code == "62.03")).one()
        villages = session.execute(
            select(Village.code, District.code)
            .join(District)
            .where(Village.regency_id == kapuas.id)
            .order_by(Village.code)
        ).all()
        sponsor = Sponsor(name="APBD benchmark", kind="apbd", regency=kapuas)
        session.add(sponsor)
        session.add(
            SponsorCommitment(
                sponsor=sponsor,
                regency_id=kapuas.id,
                reference="SK Bupati benchmark",
                workers_quota=rows * 2,
                programs="JKK,JKM",
                ceiling_amount=rows * 2 * 16_800 * 12,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 12, 31),
            )
        )
        sm = app.appbuilder.sm
        maker = sm.add_user("bench-maker", "B", "M", "m@x.id", sm.find_role("Branch Staff"), "pw")
        checker = sm.add_user("bench-checker", "B", "C", "c@x.id", sm.find_role("Supervisor"), "pw")
        batch = EnrollmentBatch(
            title="Benchmark",
            regency=kapuas,
            sponsor=sponsor,
            jkk=True,
            jkm=True,
            jht=False,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            maker_id=maker.id,
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(batch)
        session.commit()
        batch_id = batch.id
        body = make_csv([(v, d) for v, d in villages], rows)
        statements = count_statements(app)
        backend = make_url(url).get_backend_name()
        print(f"\n{backend}: {rows:,} rows, {len(body) / 2**20:.1f} MB file")

        def check():
            batch_drafts.queue_file(session, batch, "benchmark.csv", body, dt.datetime.now(dt.UTC))
            session.commit()
            batch_drafts.check_pending(session, batch_id, RULES)

        seconds, sql, peak = timed(statements, check)
        valid = session.scalar(
            select(func.count()).where(BatchRow.batch_id == batch_id, BatchRow.errors.is_(None))
        )
        print(
            f"  check and stage: {seconds:6.2f} s  {rows / seconds:7.0f} rows/s  "
            f"{sql:5d} SQL  peak RSS {peak:6.1f} MiB  ({valid:,} valid)"
        )
        batch = session.get(EnrollmentBatch, batch_id)
        batches.submit(session, batch, maker.id, dt.datetime.now(dt.UTC))
        session.commit()

        def approve():
            batches.decide(session, batch_id, checker.id, "approve", None, dt.datetime.now(dt.UTC))
            session.commit()

        seconds, sql, peak = timed(statements, approve)
        print(
            f"  approve (enroll): {seconds:6.2f} s  {valid / seconds:7.0f} rows/s  "
            f"{sql:5d} SQL  peak RSS {peak:6.1f} MiB"
        )
        session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", action="append", help="default: SQLite and PostgreSQL")
    args = parser.parse_args()
    urls = args.database_url
    temporary = None
    if not urls:
        sqlite = Path(tempfile.gettempdir()) / f"lindungi-bench-batches-{uuid.uuid4().hex[:6]}.db"
        temporary = f"lindungi_bench_batches_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{temporary}"'))
        urls = [f"sqlite:///{sqlite}", make_url(PG).set(database=temporary).render_as_string()]
    try:
        for url in urls:
            run(url, args.rows)
    finally:
        if temporary:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{temporary}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
