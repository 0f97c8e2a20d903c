"""Restore drill: back up, change and delete, restore, and find the backup's data exactly as it was.

Each test gets its own copy of a database holding the personas' world (a SQLite file, or a
PostgreSQL database made from a template), so restoring never touches a database others share.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import and_, column, create_engine, func, inspect, select, table, text, update
from sqlalchemy.engine import make_url

from app import backup, create_app
from app.extensions import db
from app.models import Company, ConstructionProject, SponsorCommitment, Worker
from tests import world
from tests.conftest import PASSWORD, PG_URL, TEST_CONFIG, _backends

BIG_CONTRACT = 12_500_000_000  # Rp 12,5 billion: beyond a 32-bit integer


@pytest.fixture(scope="module", params=_backends())
def world_copy(request, tmp_path_factory):
    """Build the personas' world and a large contract once per backend; return a copier."""
    admin = (
        create_engine(PG_URL, isolation_level="AUTOCOMMIT") if request.param != "sqlite" else None
    )
    if admin is None:
        template = tmp_path_factory.mktemp("drill") / "template.db"
        url = f"sqlite:///{template}"
    else:
        template = f"lindungi_drill_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        url = make_url(PG_URL).set(database=template).render_as_string(hide_password=False)
    application = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        world.build(db.session, application.appbuilder.sm, PASSWORD)
        company = db.session.scalars(select(Company).filter_by(nib=world.KAPUAS_NIB)).one()
        db.session.add(
            ConstructionProject(
                name="Jembatan Sungai Kapuas",
                spk_number="SPK-001/2026",
                spk_date=dt.date(2026, 2, 1),
                company=company,
                regency_id=company.regency_id,
                contract_value=BIG_CONTRACT,
                funding="apbd_funds",
            )
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    copies = []

    def copy(directory: Path) -> str:
        if admin is None:
            shutil.copyfile(template, directory / "drill.db")
            return f"sqlite:///{directory / 'drill.db'}"
        name = f"{template}_{len(copies)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        copies.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield copy
    if admin is not None:
        with admin.connect() as conn:
            for name in [*copies, template]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def drill_app(world_copy, tmp_path):
    """An app on its own copy of the world: restoring it touches no other test's database."""
    application = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": world_copy(tmp_path)})
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _change_and_delete(session) -> None:
    """What happens after a backup: a rename, deletions, a new record."""
    session.execute(update(Worker).where(Worker.name == "Yohanes Ngabut").values(name="Diubah"))
    session.execute(Worker.__table__.delete().where(Worker.name == "Siti Lestari"))
    session.execute(SponsorCommitment.__table__.delete())
    session.execute(ConstructionProject.__table__.delete())
    session.add(
        Company(
            name="PT Baru",
            nib="9120009999999",
            size_class="small",
            risk_group=1,
            regency_id=world.regency(session, world.KAPUAS).id,
            declared_workforce=1,
        )
    )
    session.commit()


def _duplicate_niks(conn) -> list:
    return conn.execute(select(Worker.nik).group_by(Worker.nik).having(func.count() > 1)).all()


def _orphans(conn) -> dict[str, int]:
    """Rows whose foreign key points at no row, per constraint (a left join on each)."""
    found = {}
    inspector = inspect(conn)
    for name in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(name):
            child = table(name, *[column(c) for c in fk["constrained_columns"]]).alias("child")
            parent = table(fk["referred_table"], *[column(c) for c in fk["referred_columns"]])
            parent = parent.alias("parent")
            pairs = zip(fk["constrained_columns"], fk["referred_columns"], strict=True)
            on = and_(*[child.c[c] == parent.c[p] for c, p in pairs])
            query = (
                select(func.count())
                .select_from(child.outerjoin(parent, on))
                .where(*[child.c[c].is_not(None) for c in fk["constrained_columns"]])
                .where(parent.c[fk["referred_columns"][0]].is_(None))
            )
            count = conn.execute(query).scalar_one()
            if count:
                found[f"{name}.{fk['constrained_columns']}"] = count
    if conn.dialect.name == "sqlite":
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            found[f"{row[0]} (foreign_key_check)"] = found.get(row[0], 0) + 1
    return found


def _revision(conn) -> list[str]:
    return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_a_restore_brings_back_every_row_of_the_backup(drill_app, tmp_path, monkeypatch):
    calls = []
    real_run = subprocess.run

    def spy(args, **kwargs):
        calls.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    runner = drill_app.test_cli_runner()
    with drill_app.app_context():
        before = backup.table_counts(db.engine)
    assert before["worker"] == 5 and before["construction_project"] == 1

    made = runner.invoke(args=["backup", "--out", str(tmp_path / "lindungi.backup")])
    assert made.exit_code == 0, made.output

    with drill_app.app_context():
        _change_and_delete(db.session)
        assert backup.table_counts(db.engine) != before

    restored = runner.invoke(args=["restore", str(tmp_path / "lindungi.backup"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert f"worker: {before['worker']}" in restored.output

    with drill_app.app_context():
        db.session.remove()
        assert backup.table_counts(db.engine) == before
        with db.engine.connect() as conn:
            assert _duplicate_niks(conn) == []
            assert _orphans(conn) == {}
            assert _revision(conn) == [backup.code_head()]
            names = set(conn.execute(select(Worker.name)).scalars())
            assert {"Yohanes Ngabut", "Siti Lestari"} <= names and "Diubah" not in names
            value = conn.execute(select(ConstructionProject.contract_value)).scalar_one()
            assert value == BIG_CONTRACT
            assert conn.execute(select(Company.id).filter_by(name="PT Baru")).all() == []
    if drill_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert [c[0] for c in calls] == ["pg_dump", "pg_restore", "pg_restore", "pg_restore"]


def test_a_restore_asks_first_and_changes_nothing_when_refused(drill_app, tmp_path):
    runner = drill_app.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(tmp_path / "b")]).exit_code == 0
    with drill_app.app_context():
        _change_and_delete(db.session)
        changed = backup.table_counts(db.engine)

    refused = runner.invoke(args=["restore", str(tmp_path / "b")], input="n\n")

    assert refused.exit_code == 1 and "Aborted" in refused.output
    with drill_app.app_context():
        assert backup.table_counts(db.engine) == changed


def test_a_backup_from_an_unknown_migration_is_refused(drill_app, tmp_path):
    runner = drill_app.test_cli_runner()
    with drill_app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        assert runner.invoke(args=["backup", "--out", str(tmp_path / "future")]).exit_code == 0
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": backup.code_head()}
            )
        _change_and_delete(db.session)
        changed = backup.table_counts(db.engine)

    refused = runner.invoke(args=["restore", str(tmp_path / "future"), "--yes"])

    assert refused.exit_code == 1
    assert "migration 0099, which this version of Lindungi does not know" in refused.output
    with drill_app.app_context():
        assert backup.table_counts(db.engine) == changed


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return backup.table_counts(db.engine)


def test_a_damaged_file_is_refused(drill_app, tmp_path):
    runner = drill_app.test_cli_runner()
    good = tmp_path / "good"
    assert runner.invoke(args=["backup", "--out", str(good)]).exit_code == 0
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xa5" * 8192
    (tmp_path / "damaged").write_bytes(bytes(data))
    before = _counts(drill_app)

    refused = runner.invoke(args=["restore", str(tmp_path / "damaged"), "--yes"])

    assert refused.exit_code == 1, refused.output
    if drill_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # which check notices depends on the page the damage hits: opening or integrity_check
        assert (
            "is damaged: database disk image is malformed" in refused.output
            or "fails the integrity check" in refused.output
        )
    else:
        assert "pg_restore failed" in refused.output
    assert _counts(drill_app) == before


def test_a_sqlite_file_that_fails_the_integrity_check_is_refused(drill_app, tmp_path):
    if not drill_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PRAGMA integrity_check is SQLite's")
    runner = drill_app.test_cli_runner()
    bad = tmp_path / "bad"
    assert runner.invoke(args=["backup", "--out", str(bad)]).exit_code == 0
    # The index of names now claims to index NIKs: every worker is missing from it.
    with contextlib.closing(sqlite3.connect(bad)) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, '(name, id)', '(nik, id)') "
            "WHERE name = 'ix_worker_name_id'"
        )
        conn.commit()
    before = _counts(drill_app)

    refused = runner.invoke(args=["restore", str(bad), "--yes"])

    assert refused.exit_code == 1, refused.output
    assert "fails the integrity check: " in refused.output
    assert "missing from index ix_worker_name_id" in refused.output
    assert _counts(drill_app) == before


def test_pg_tools_get_the_password_from_a_private_file_never_the_command_line(monkeypatch):
    url = "postgresql+psycopg://lindungi:s3%3Acr%5Cet@db.example:5433/lindungi?sslmode=require"
    calls = []

    def fake_run(args, env, **kwargs):
        passfile = env["PGPASSFILE"]
        with open(passfile) as handle:
            calls.append(
                {
                    "args": args,
                    "mode": stat.S_IMODE(os.stat(passfile).st_mode),
                    "passfile": handle.read(),
                    "path": passfile,
                    "PGPASSWORD": env.get("PGPASSWORD"),
                }
            )
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setenv("PGPASSWORD", "stale")
    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    engine = create_engine(url)
    backup.backup(engine, Path("/nonexistent/lindungi.dump"))
    backup.restore(engine, Path("/nonexistent/lindungi.dump"))

    assert [call["args"][0] for call in calls] == ["pg_dump", "pg_restore"]
    for call in calls:
        assert not any("s3" in arg for arg in call["args"])
        assert (
            "--dbname=postgresql://lindungi@db.example:5433/lindungi?sslmode=require"
            in call["args"]
        )
        assert call["passfile"] == "*:*:*:*:s3\\:cr\\\\et\n"
        assert call["mode"] == 0o600 and call["PGPASSWORD"] is None
        assert not os.path.exists(call["path"])
