"""The release step: migrations, translations and Flask-AppBuilder's roles and permissions.

Run once per deployment, before the app servers start (`flask --app run release`), so that
servers start without writing anything: workers that all synced FAB's permissions at the same
moment collided on its unique keys. The embedded demo and the tests (`AUTO_UPGRADE_DB`) do the
same at start; on PostgreSQL the step holds an advisory lock, so two starts never run it at once.
"""

from __future__ import annotations

import contextlib

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_appbuilder.security.manager import BaseSecurityManager
from sqlalchemy import text
from sqlalchemy.engine import Engine

LOCK_KEY = 74_601_307  # any constant that no other advisory lock of this database uses


@contextlib.contextmanager
def exclusive(engine: Engine):
    """Hold the release lock (PostgreSQL advisory lock; SQLite needs none, one file, one host)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()


def sync_permissions(appbuilder) -> None:
    """Declared roles (FAB_ROLES) and every view's permissions, written into the database."""
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)


@click.command("release")
@with_appcontext
def release_command():
    """Migrate the database, compile translations and sync roles and permissions."""
    from flask_migrate import upgrade

    from app.extensions import MIGRATIONS_DIR, db
    from app.i18n import ensure_compiled

    with exclusive(db.engine):
        upgrade(directory=MIGRATIONS_DIR)
        ensure_compiled()
        sync_permissions(current_app.appbuilder)
    click.echo("release done: database at the latest migration, roles and permissions synced")
