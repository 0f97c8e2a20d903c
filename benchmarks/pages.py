"""Benchmark the list pages and the home page at 1.000.000 workers on PostgreSQL, beside stock
Flask-AppBuilder over the same tables and beside the 4.000-worker demo.

Usage: python benchmarks/pages.py [--rounds 9] [--workers 1000000]

Builds once (reused later) the PostgreSQL database `lindungi_bench` of benchmarks/compliance_api.py
(20.000 companies, N workers in four regencies, COPY) and `lindungi_bench_demo` (the demo data,
about 4.000 workers). Then, in one process and in interleaved rounds, it asks each page of:
stock FAB (a plain ModelView of the same Worker table, same columns and search, logged in as
admin), Lindungi as admin and Lindungi as branch staff of Kapuas (a quarter of the workers in
scope), and the same Lindungi pages on the demo database. It prints the median and p95 in ms,
the SQL statements of the last round, the ratio to stock FAB and to the demo, the data size,
the machine and the date. It prints figures; it asserts nothing (the tests assert statements).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import compliance_api  # noqa: E402
from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = compliance_api.PASSWORD
DEMO = "lindungi_bench_demo"
CONFIG = {
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": False,
    "DEMO_PASSWORD": PASSWORD,
    "QUEUE_IMMEDIATE": True,
}
# (label, stock FAB path or None, Lindungi path)
CASES = [
    ("worker list, page 1", "/workermodelview/list/", "/workerview/list/"),
    (
        "worker list, page 5000",
        "/workermodelview/list/?page_WorkerModelView=4999",
        "/workerview/list/?page_WorkerView=4999",
    ),
    (
        "name contains",
        "/workermodelview/list/?_flt_2_name=hidayah+sap",
        "/workerview/list/?_flt_2_name=hidayah+sap",
    ),
    (
        "village filter",
        "/workerbyvillageview/list/?_flt_0_village=VILLAGE_ID",
        "/workerview/list/?_flt_0_village_name=VILLAGE_NAME",
    ),
    ("home", None, "/"),
]


def _url(name: str) -> str:
    return make_url(compliance_api.PG).set(database=name).render_as_string(hide_password=False)


def ensure_demo_database() -> str:
    admin = create_engine(compliance_api.PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DEMO}):
            conn.execute(text(f'CREATE DATABASE "{DEMO}"'))
    admin.dispose()
    app = create_app(CONFIG | {"SQLALCHEMY_DATABASE_URI": _url(DEMO), "AUTO_UPGRADE_DB": True})
    with app.app_context():
        from app.cli import ensure_demo_users
        from app.demo.loader import load_demo

        load_demo(db.session)
        db.session.commit()
        ensure_demo_users()
        db.session.commit()
    vacuum(_url(DEMO))
    return _url(DEMO)


def vacuum(url: str) -> None:
    """VACUUM (ANALYZE) a loaded database, as after any bulk load (see compliance_api.build)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def ensure_bench_users(app) -> None:
    """admin and Kapuas branch staff (`staf`) on the big database."""
    from app.models import BranchOffice, Regency, UserScope
    from app.roles import ADMIN, BRANCH_STAFF

    with app.app_context():
        sm, session = app.appbuilder.sm, db.session
        kapuas = session.scalars(select(Regency).where(Regency.code == "62.03")).one()
        branch = session.scalars(select(BranchOffice).where(BranchOffice.code == "KPS")).first()
        if branch is None:
            branch = BranchOffice(code="KPS", name="Kapuas", regencies=[kapuas])
            session.add(branch)
            session.commit()
        if sm.find_user(username="admin") is None:
            sm.add_user(
                "admin", "Admin", "Bench", "admin@bench.example", sm.find_role(ADMIN), PASSWORD
            )
        if sm.find_user(username="staf") is None:
            user = sm.add_user(
                "staf", "Staf", "Bench", "staf@bench.example", sm.find_role(BRANCH_STAFF), PASSWORD
            )
            session.add(UserScope(user_id=user.id, branch_office_id=branch.id))
            session.commit()


def stock_fab(url: str):
    """Stock Flask-AppBuilder: a plain ModelView of the same Worker table, nothing of ours."""
    from flask import Flask
    from flask_appbuilder import AppBuilder, ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.models import Worker

    class WorkerModelView(ModelView):
        datamodel = SQLAInterface(Worker)
        list_columns = [
            "nik",
            "name",
            "sex",
            "segment",
            "village.name",
            "regency.name",
            "company.name",
        ]
        search_columns = ["name", "segment", "sex", "regency"]
        base_order = ("name", "asc")

    class WorkerByVillageView(WorkerModelView):
        """The same view with FAB's own village filter (a select of every village)."""

        search_columns = ["name", "village"]

    app = Flask("stock")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY="stock-fab-benchmark-" + "x" * 20,
        WTF_CSRF_ENABLED=False,
        FAB_ADD_SECURITY_API=False,
        FAB_CREATE_DB=False,
        AUTH_ROLE_ADMIN="Admin",
    )
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(WorkerModelView, "Workers")
        appbuilder.add_view(WorkerByVillageView, "Workers by village")
    return app


def busiest_village(app) -> dict[str, str]:
    """The Kapuas village with the most workers: the village filter's case on a database."""
    from urllib.parse import quote_plus

    from app.models import Regency, Village, Worker

    with app.app_context():
        village_id, name = db.session.execute(
            select(Village.id, Village.name)
            .join(Worker, Worker.village_id == Village.id)
            .join(Regency, Regency.id == Village.regency_id)
            .where(Regency.code == "62.03")
            .group_by(Village.id, Village.name)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    return {"VILLAGE_ID": str(village_id), "VILLAGE_NAME": quote_plus(name)}


def client_for(app, username: str):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"cannot log in as {username}"
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1_000_000)
    args = parser.parse_args()
    compliance_api.ensure_database()
    compliance_api.build(args.companies, args.workers)
    big_url, demo_url = compliance_api.database_url(), ensure_demo_database()
    vacuum(big_url)  # whatever autovacuum has done since: measure a maintained database
    big = create_app(CONFIG | {"SQLALCHEMY_DATABASE_URI": big_url, "SYNC_AT_START": True})
    ensure_bench_users(big)
    demo = create_app(CONFIG | {"SQLALCHEMY_DATABASE_URI": demo_url})
    stock = stock_fab(big_url)
    from app.services.dashboard import refresh_coverage

    for name, app in (("1M", big), ("demo", demo)):  # what the worker does every five minutes
        with app.app_context():
            started = time.perf_counter()
            refresh_coverage(db.session, dt.datetime.now(dt.UTC))
            print(f"coverage figures of {name} counted in {time.perf_counter() - started:.2f} s")
    with big.app_context():
        workers = db.session.scalar(select(func.count()).select_from(text("worker")))
    with demo.app_context():
        demo_workers = db.session.scalar(select(func.count()).select_from(text("worker")))
    village = {big: busiest_village(big), demo: busiest_village(demo)}
    village[stock] = village[big]
    runners = {
        "stock FAB (admin)": (stock, client_for(stock, "admin")),
        "Lindungi admin": (big, client_for(big, "admin")),
        "Lindungi staf": (big, client_for(big, "staf")),
        "demo admin": (demo, client_for(demo, "admin")),
        "demo staf": (demo, client_for(demo, "staf")),
    }
    statements: dict[str, int] = {}
    seen: list[str] = []
    engines = set()
    for app in (big, demo, stock):
        with app.app_context():
            engines.add(db.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    times: dict[tuple[str, str], list[float]] = {}
    for _round in range(args.rounds + 1):  # the first round warms caches and is dropped
        for label, stock_path, path in CASES:
            for who, (app, client) in runners.items():
                target = stock_path if who.startswith("stock") else path
                if target is None:
                    continue
                for key, value in village[app].items():
                    target = target.replace(key, value)
                seen.clear()
                started = time.perf_counter()
                response = client.get(target)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (who, target, response.status_code)
                if _round:
                    times.setdefault((label, who), []).append(elapsed)
                statements[(label, who)] = len(seen)
    load = os.getloadavg()
    print(
        f"\n{dt.date.today()}  {platform.node()}  {os.cpu_count()} cores  load {load[0]:.1f}"
        f"  PostgreSQL, {workers:,} workers (demo {demo_workers:,}), {args.rounds} rounds"
    )
    print(
        f"{'page':<24} {'who':<18} {'median':>8} {'p95':>8} {'SQL':>4} {'vs FAB':>7} {'vs demo':>8}"
    )
    for label, _stock, _path in CASES:
        base = times.get((label, "stock FAB (admin)"))
        for who in runners:
            found = times.get((label, who))
            if not found:
                continue
            median = statistics.median(found)
            p95 = sorted(found)[max(0, int(round(0.95 * len(found))) - 1)]
            ratio = f"{median / statistics.median(base):.2f}" if base and "FAB" not in who else ""
            demo_key = who.replace("Lindungi", "demo")
            versus = ""
            if who.startswith("Lindungi") and (label, demo_key) in times:
                versus = f"{median / statistics.median(times[(label, demo_key)]):.2f}"
            print(
                f"{label:<24} {who:<18} {median:>8.1f} {p95:>8.1f} "
                f"{statements[(label, who)]:>4} {ratio:>7} {versus:>8}"
            )


if __name__ == "__main__":
    main()
