"""Schemathesis against /api/v1/_openapi as each demo role: no 5xx, every answer as the schema says.

Runs in-process on throwaway SQLite databases holding the demo data and the demo users (a fresh
copy for each user), with a bounded, derandomized number of examples per operation and mode, so
two runs send the same requests and get the same answers.
`scripts/schemathesis` runs it from the command line; tests/test_schemathesis.py runs it in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app import create_app
from app.demo.data import DEMO_USERS
from app.extensions import db

PASSWORD = "correct-horse-battery-staple"
ROLES = [username for username, *_ in DEMO_USERS]
CONFIG = {
    "TESTING": True,
    "AUTO_UPGRADE_DB": True,
    "RATELIMIT_ENABLED": False,  # thousands of logins and requests from one address
    "JWT_USER_CACHE_SECONDS": 0,
    "REPORTS_INLINE": True,
}


@dataclass
class Finding:
    """One operation that answered a request wrongly, as one user."""

    username: str
    operation: str
    mode: str
    failure: str

    def __str__(self) -> str:
        return f"[{self.username}] {self.operation} ({self.mode})\n{self.failure}"


def build_demo(directory: Path) -> Path:
    """A SQLite database file holding the demo data and the demo users."""
    from app.demo.loader import load_demo
    from app.demo.users import create_demo_users

    path = directory / "demo.db"
    app = create_app(CONFIG | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        create_demo_users(app.appbuilder.sm, db.session, PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@contextlib.contextmanager
def app_on_copy(demo: Path, directory: Path) -> Iterator[Flask]:
    """The app on a fresh copy of the demo database, so one user's writes meet no other's."""
    copy = directory / f"copy-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(demo, copy)
    app = create_app(CONFIG | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}"})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def bearer(app: Flask, username: str) -> dict[str, str]:
    """The Authorization header of a fresh JWT for a demo user."""
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def fuzz(app: Flask, username: str, examples: int) -> list[Finding]:
    """Send each operation `examples` generated requests (valid and invalid) as a demo user."""
    headers = bearer(app, username)
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    findings = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _first_failure(operation, mode, headers, examples)
            if failure:
                findings.append(Finding(username, operation.label, mode.value, failure))
    return findings


def _first_failure(operation, mode, headers, examples) -> str | None:
    @settings(
        max_examples=examples,
        derandomize=True,  # the same requests on every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # report the first failure, unshrunk
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    try:
        run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # failed checks come as an exception group
        return f"{type(exc).__name__}: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run as every demo role (or those given) and print what failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="requests per operation and mode")
    parser.add_argument("--role", action="append", choices=ROLES, help="demo user (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    findings = []
    with tempfile.TemporaryDirectory() as directory:
        demo = build_demo(Path(directory))
        for username in args.role or ROLES:
            with app_on_copy(demo, Path(directory)) as app:
                findings += fuzz(app, username, args.examples)
    if args.json:
        print(json.dumps([f.__dict__ for f in findings], indent=1))
    else:
        for finding in findings:
            print(finding, end="\n\n")
    print(f"{len(findings)} failing operation(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
