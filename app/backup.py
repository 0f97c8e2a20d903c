"""Backups and restores of the configured database: SQLite files and pg_dump archives.

pg_dump and pg_restore never see the password on their command line (where `ps` shows it to
every user of the machine): they get the URL without it and read it from a temporary
PGPASSFILE that only this user can read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import URL, Engine, make_url

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup that cannot be made or restored, with the reason for the operator."""


def libpq_url(url: URL | str) -> str:
    """The database URL as libpq reads it (postgresql://), without the password."""
    url = make_url(url)
    # URL.set() ignores password=None, so build the URL afresh without it.
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False)


def _passfile_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


@contextlib.contextmanager
def libpq_environment(url: URL | str) -> Iterator[dict[str, str]]:
    """The environment for a libpq client: the URL's password in a private, temporary PGPASSFILE."""
    url = make_url(url)
    env = dict(os.environ)
    if url.password is None:
        yield env
        return
    # The file matches any host, port, database and user: it exists for this one call only.
    fd, name = tempfile.mkstemp(prefix="lindungi-pgpass-")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp creates it 0600, as libpq requires
            handle.write(f"*:*:*:*:{_passfile_field(str(url.password))}\n")
        env.pop("PGPASSWORD", None)
        env["PGPASSFILE"] = name
        yield env
    finally:
        os.unlink(name)


def _run(args: list[str], url: URL, *, capture: bool = False) -> str:
    """Run a PostgreSQL client program; its error text becomes a BackupError."""
    with libpq_environment(url) as env:
        result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()}")
    return result.stdout if capture else ""


def migrations() -> ScriptDirectory:
    """The Alembic revisions this code knows."""
    return ScriptDirectory(str(Path(__file__).parent / "migrations"))


def code_head() -> str:
    """The migration head of this code."""
    return migrations().get_current_head()


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to target (VACUUM INTO, or pg_dump -Fc)."""
    if target.exists():
        raise BackupError(f"{target} already exists")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.execute(text("VACUUM INTO :path"), {"path": str(target)})
        return
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-password",
            f"--file={target}",
            f"--dbname={libpq_url(engine.url)}",
        ],
        engine.url,
    )


def _sqlite_revision(path: Path) -> str | None:
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database")
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} fails the integrity check: {'; '.join(problems[:5])}")
            if not conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone():
                return None
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged: {exc}") from exc
    return rows[0][0] if len(rows) == 1 else None


def _archive_revision(path: Path, url: URL) -> str | None:
    """Read alembic_version out of a pg_dump archive without restoring it."""
    _run(["pg_restore", "--list", str(path)], url)
    sql = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)],
        url,
        capture=True,
    )
    lines = sql.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            rows = []
            for row in lines[index + 1 :]:
                if row == "\\.":
                    break
                rows.append(row.strip())
            return rows[0] if len(rows) == 1 else None
    return None


def check_backup(engine: Engine, path: Path) -> str:
    """Check a backup for this database and return its migration revision, or raise BackupError."""
    if engine.dialect.name == "sqlite":
        revision = _sqlite_revision(path)
    else:
        revision = _archive_revision(path, engine.url)
    if revision is None:
        raise BackupError(f"{path} has no migration revision (alembic_version)")
    if not _known(revision):
        raise BackupError(
            f"{path} is at migration {revision}, which this version of Lindungi does not know "
            f"(its head is {code_head()}); restore it with the version that made it"
        )
    return revision


def _known(revision: str) -> bool:
    try:
        return migrations().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or ambiguous id
        return False


def restore(engine: Engine, path: Path) -> None:
    """Replace the database with a checked backup (the app servers must be stopped)."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _restore_sqlite(engine, path)
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={libpq_url(engine.url)}",
            str(path),
        ],
        engine.url,
    )


def _restore_sqlite(engine: Engine, path: Path) -> None:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("the configured SQLite database is not a file")
    target = Path(database).resolve()
    if path.resolve() == target:
        raise BackupError(f"{path} is the database itself")
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(path, staged)
    if target.exists():
        shutil.copymode(target, staged)
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    # The old write-ahead log belongs to the old file: replayed over the backup it would corrupt it.
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, by table name."""
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {
            name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in names
        }
