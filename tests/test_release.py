"""The release step runs once: servers start without writing roles or permissions, and starts
that do sync (the demo, the tests) take turns on PostgreSQL instead of colliding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from app import create_app
from app.extensions import db
from app.release import release_command
from app.roles import fab_roles
from tests.conftest import TEST_CONFIG
from tests.test_migrations import empty_url  # noqa: F401  (a fixture: an empty database)

ROOT = Path(__file__).resolve().parent.parent
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP")


def test_a_server_start_writes_nothing(app, database_url):
    statements: list[str] = []

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(Engine, "before_cursor_execute", _seen)
    try:
        server = create_app(
            TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": database_url, "AUTO_UPGRADE_DB": False}
        )
    finally:
        event.remove(Engine, "before_cursor_execute", _seen)
    assert statements, "the start was not observed"
    assert [s for s in statements if s in WRITES] == []
    with server.app_context():
        db.engine.dispose()


def test_the_release_command_migrates_and_syncs_the_roles(empty_url):  # noqa: F811
    server = create_app(
        TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url, "AUTO_UPGRADE_DB": False}
    )
    result = server.test_cli_runner().invoke(release_command)
    assert result.exit_code == 0, result.output
    with server.app_context():
        names = {r.name for r in server.appbuilder.sm.get_all_roles()}
        assert set(fab_roles()) <= names
        permissions = db.session.execute(text("SELECT count(*) FROM ab_permission_view")).scalar()
        assert permissions > 50
        db.engine.dispose()


def test_workers_starting_together_do_not_collide(empty_url, tmp_path):  # noqa: F811
    if not empty_url.startswith("postgresql"):
        pytest.skip("several servers on one database: PostgreSQL")
    program = (
        "from app import create_app; from tests.conftest import TEST_CONFIG; import os; "
        "create_app(TEST_CONFIG | {'SQLALCHEMY_DATABASE_URI': os.environ['URL']})"
    )
    env = os.environ | {"URL": empty_url, "PYTHONPATH": str(ROOT)}
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    workers = [
        subprocess.Popen(  # noqa: S603  (output to files: a full pipe would stall a worker)
            [sys.executable, "-c", program],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    for worker in workers:
        worker.wait(timeout=300)
    outputs = [log.read_text() for log in logs]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    for output in outputs:
        assert "duplicate key" not in output and "IntegrityError" not in output
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        roles = conn.execute(text("SELECT name, count(*) FROM ab_role GROUP BY name")).all()
    engine.dispose()
    assert {name for name, _ in roles} >= set(fab_roles())
    assert all(count == 1 for _, count in roles)
