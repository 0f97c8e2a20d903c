"""Benchmark the compliance API under concurrent load, on PostgreSQL behind gunicorn.

Usage: python benchmarks/compliance_api.py [--companies 20000] [--workers 1000000]
                                           [--gunicorn-workers 2] [--seconds 20] [--connections 4]

Builds the database `lindungi_bench` on the PostgreSQL of LINDUNGI_TEST_POSTGRES (once; reused
while it holds enough rows), loads companies and workers with COPY, each worker enrolled and each
company billed for three months (a tenth in arrears), starts gunicorn, logs in as a Kapuas permit
officer and drives GET /api/v1/compliance/<NIB> over that regency's companies with `wrk`
(Debian package) or, without it, with Python threads. Prints requests per second and p50/p99
latency. It asserts nothing; tests/test_permits.py asserts the query count of a verdict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

PG = os.environ.get("LINDUNGI_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = "lindungi_bench"
PASSWORD = "benchmark-password-1"  # noqa: S105 (a throwaway benchmark database)
REGENCIES = ["61.06", "62.03", "62.05", "62.71"]
PORT = 8765


# Worker names as people are named: first, middle and family names from common Indonesian
# names, combined so that a full name repeats a few times per million (as in life) and a
# search for a fragment finds a realistic share, not every row ("Pekerja N" matched them all).
FIRST = (
    "Siti Nur Dewi Sri Rina Agus Budi Eko Joko Ahmad Muhammad Rizky Dian Putri Ayu Wahyu Andi "
    "Hendra Yudi Rudi Fitri Indah Lestari Ratna Yuni Dedi Bambang Slamet Teguh Hadi Agung Bayu "
    "Fajar Galih Ilham Irfan Lukman Maya Nadia Novi Oktavia Rahmat Rizal Sari Tri Wulan Yanti "
    "Zainal Asep Ujang Iwan Made Wayan Nyoman Ketut Gede Komang Yohanes Maria"
).split()
MIDDLE = (
    "Ayu Dwi Eka Kurnia Nur Puspita Rahma Ratna Sri Tri Wahyu Adi Budi Cahya Dharma Hidayah "
    "Indra Jaya Kusuma Mulya Nanda Permata Surya Tirta Utami Wibawa Yuda Setia Bakti Sukma"
).split()
FAMILY = (
    "Saputra Saputri Hidayat Rahman Pratama Wijaya Santoso Susanto Gunawan Setiawan Kurniawan "
    "Nugroho Purnomo Sihombing Siregar Nasution Lubis Harahap Simanjuntak Hutapea Sinaga Tarigan "
    "Ginting Panjaitan Manurung Silalahi Situmorang Batubara Pohan Daulay Rangkuti Sembiring "
    "Lestari Wulandari Anggraini Permatasari Utami Handayani Maharani Rahmawati Kusumawati "
    "Sulistyowati Hartono Suharto Sutrisno Wibowo Prasetyo Firmansyah Ramadhan Hakim Syahputra "
    "Ananda Akbar Fauzi Hasibuan Tanjung Nainggolan Pane Sitompul Hutagalung"
).split()


def person_name(n: int) -> str:
    """The n-th benchmark worker's name (deterministic)."""
    first = FIRST[n % len(FIRST)]
    middle = MIDDLE[(n // len(FIRST)) % len(MIDDLE)]
    family = FAMILY[(n // (len(FIRST) * len(MIDDLE))) % len(FAMILY)]
    return f"{first} {middle} {family}"


def database_url() -> str:
    return make_url(PG).set(database=DATABASE).render_as_string(hide_password=False)


def ensure_database() -> None:
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE}):
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()


def build(companies: int, workers: int) -> None:
    """Migrate, load areas, rates and users, then COPY companies, workers, enrollments, bills."""
    from app import create_app
    from app.extensions import db
    from app.models import Company, Regency, UserScope, Village
    from app.roles import PERMIT_OFFICER
    from app.services.areas import import_areas
    from app.services.compliance import seed_rules
    from app.services.rates_seed import seed_rates

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(), "AUTO_UPGRADE_DB": True})
    with app.app_context():
        session = db.session
        have = session.query(Company).count()
        if have >= companies:
            print(f"reusing {DATABASE}: {have:,} companies")
        else:
            started = time.perf_counter()
            import_areas(session, provinces=["61", "62"])
            seed_rates(session)
            seed_rules(session)
            session.commit()
            regencies = {
                r.code: r.id for r in session.query(Regency).filter(Regency.code.in_(REGENCIES))
            }
            villages = {
                code: session.query(Village.id, Village.code)
                .filter(Village.regency_id == rid)
                .limit(50)
                .all()
                for code, rid in regencies.items()
            }
            _copy_rows(db.engine, companies, workers, regencies, villages)
            print(
                f"loaded {companies:,} companies and {workers:,} workers "
                f"in {time.perf_counter() - started:.0f} s"
            )
        sm = app.appbuilder.sm
        if sm.find_user(username="ptsp") is None:
            user = sm.add_user(
                "ptsp",
                "Putri",
                "Bench",
                "ptsp@bench.example",
                sm.find_role(PERMIT_OFFICER),
                PASSWORD,
            )
            kapuas = session.query(Regency).filter_by(code="62.03").one()
            session.add(UserScope(user_id=user.id, regency_id=kapuas.id))
            session.commit()
        db.engine.dispose()


def _copy(conn, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def _copy_rows(engine, companies: int, workers: int, regencies: dict, villages: dict) -> None:
    from app.services.identifiers import make_nik, make_npwp15

    now = dt.datetime.now().isoformat(sep=" ")
    codes = list(regencies)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        start_id = conn.execute("SELECT coalesce(max(id), 0) FROM company").fetchone()[0] + 1
        company_rows, bills = [], []
        first = dt.date.today().replace(day=1)
        months = [(first - dt.timedelta(days=28 * k)).replace(day=1) for k in (1, 2, 3)]
        per_company = max(workers // companies, 1)
        for n in range(companies):
            cid, code = start_id + n, codes[n % len(codes)]
            company_rows.append(
                (
                    cid,
                    f"PT Bench {cid}",
                    f"9{cid:012d}",
                    make_npwp15(cid),
                    f"BN{cid:06d}",
                    "47111",
                    "small",
                    2,
                    regencies[code],
                    per_company,
                    "active",
                    now,
                    now,
                )
            )
            for k, period in enumerate(months):
                paid = 0 if (n % 10 == 0 and k == 0) else 150_000 * per_company
                bills.append(
                    (
                        f"company:{cid}",
                        cid,
                        regencies[code],
                        period,
                        150_000 * per_company,
                        paid,
                        now,
                        now,
                    )
                )
        _copy(
            conn,
            "company",
            [
                "id",
                "name",
                "nib",
                "npwp",
                "npp",
                "kbli",
                "size_class",
                "risk_group",
                "regency_id",
                "declared_workforce",
                "status",
                "created_on",
                "changed_on",
            ],
            company_rows,
        )
        _copy(
            conn,
            "contribution",
            [
                "payer_key",
                "company_id",
                "regency_id",
                "period",
                "amount_due",
                "amount_paid",
                "created_on",
                "changed_on",
            ],
            bills,
        )
        wid = conn.execute("SELECT coalesce(max(id), 0) FROM worker").fetchone()[0] + 1
        people, enrollments = [], []
        born0 = dt.date(1960, 1, 1)
        for n in range(workers):
            cid = start_id + (n % companies)
            code = codes[(cid - start_id) % len(codes)]
            village_id, village_code = villages[code][n % len(villages[code])]
            born = born0 + dt.timedelta(days=(n // 9000) % 14000)
            nik = make_nik(village_code[:8], born, "M", n % 9000 + 1)
            people.append(
                (
                    wid + n,
                    nik,
                    person_name(n),
                    born,
                    "M",
                    village_id,
                    regencies[code],
                    "pu",
                    cid,
                    1,
                    now,
                    now,
                )
            )
            enrollments.append(
                (
                    wid + n,
                    regencies[code],
                    "t",
                    "t",
                    "t",
                    "f",
                    "f",
                    dt.date(2025, 1, 1),
                    "active",
                    "employer",
                    cid,
                    4_000_000,
                    150_000,
                    80_000,
                    1,
                    now,
                    now,
                )
            )
        _copy(
            conn,
            "worker",
            [
                "id",
                "nik",
                "name",
                "birth_date",
                "sex",
                "village_id",
                "regency_id",
                "segment",
                "company_id",
                "version",
                "created_on",
                "changed_on",
            ],
            people,
        )
        _copy(
            conn,
            "enrollment",
            [
                "worker_id",
                "regency_id",
                "jkk",
                "jkm",
                "jht",
                "jp",
                "jkp",
                "start_date",
                "status",
                "payer_type",
                "company_id",
                "declared_wage",
                "monthly_contribution",
                "worker_share",
                "version",
                "created_on",
                "changed_on",
            ],
            enrollments,
        )
        for table in ("company", "worker", "enrollment", "contribution"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed table names)
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        # VACUUM, not only ANALYZE: a freshly loaded table has no page marked all-visible, so
        # no index-only scan pays off and the planner reads the heap (autovacuum would mark
        # them later, at a time of its choosing; a bulk load is followed by VACUUM by hand).
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
    finally:
        raw.close()


def kapuas_nibs() -> list[str]:
    engine = create_engine(database_url())
    with engine.connect() as conn:
        nibs = list(
            conn.scalars(
                text(
                    "SELECT c.nib FROM company c JOIN regency r ON r.id = c.regency_id "
                    "WHERE r.code = '62.03' AND c.nib IS NOT NULL ORDER BY c.id LIMIT 5000"
                )
            )
        )
    engine.dispose()
    return nibs


def serve(gunicorn_workers: int, threads: int = 0) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "LINDUNGI_COMPLIANCE_LIMIT": "100000 per minute",
        "SECRET_KEY": "b" * 48,
    }
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(gunicorn_workers),
            *(["-k", "gthread", "--threads", str(threads), "--keep-alive", "5"] if threads else []),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "run:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=1)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def login() -> str:
    request = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{PORT}/api/v1/security/login",
        data=json.dumps({"username": "ptsp", "password": PASSWORD, "provider": "db"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.load(response)["access_token"]


WRK_SCRIPT = """
local nibs = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/compliance/" .. nibs[(i %% #nibs) + 1],
                    {["Authorization"] = "Bearer %s"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%f %%f %%f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


def load_with_wrk(token, nibs, seconds, connections) -> tuple[float, float, float, int]:
    script = WRK_SCRIPT % (",".join(f'"{n}"' for n in nibs), token)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    output = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk"),
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            handle.name,
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, requests, errors, duration, p50, p99 = line.split()
    return int(requests) / float(duration), float(p50), float(p99), int(errors)


def load_with_threads(token, nibs, seconds, connections) -> tuple[float, float, float, int]:
    import http.client

    latencies, errors, stop = [], [0], time.perf_counter() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        i = offset
        while time.perf_counter() < stop:
            i += connections
            started = time.perf_counter()
            conn.request(
                "GET",
                f"/api/v1/compliance/{nibs[i % len(nibs)]}",
                headers={"Authorization": f"Bearer {token}"},
            )
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            errors[0] += response.status != 200

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return (
        len(ordered) / seconds,
        statistics.median(ordered),
        ordered[int(len(ordered) * 0.99) - 1],
        errors[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--gunicorn-workers", type=int, default=2)  # one per core does best
    parser.add_argument(
        "--threads", type=int, default=0, help="gthread workers with keep-alive (0: sync)"
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    ensure_database()
    build(args.companies, args.workers)
    nibs = kapuas_nibs()
    server = serve(args.gunicorn_workers, args.threads)
    try:
        token = login()
        tool = "wrk" if shutil.which("wrk") else "python threads"
        run = load_with_wrk if shutil.which("wrk") else load_with_threads
        run(token, nibs, 3, args.connections)  # warm-up
        rps, p50, p99, errors = run(token, nibs, args.seconds, args.connections)
        print(
            f"compliance API, {args.companies:,} companies / {args.workers:,} workers, "
            f"gunicorn -w {args.gunicorn_workers}"
            f"{f' -k gthread --threads {args.threads}' if args.threads else ''}, "
            f"{args.connections} connections ({tool}), "
            f"{args.seconds} s:"
        )
        print(f"  {rps:.0f} requests/s   p50 {p50:.1f} ms   p99 {p99:.1f} ms   non-200: {errors}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
