"""Lindungi: worker social-security back-office. create_app() builds the application."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_appbuilder import AppBuilder
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

from app.extensions import MIGRATIONS_DIR, csrf, db, migrate

__all__ = ["MIGRATIONS_DIR", "create_app"]


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, schema, security, menu and commands."""
    from app import logs

    logs.install()  # before anything logs: no personal data in any log line
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)
    logs.configure(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]  # the client's address, scheme and host
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app import i18n, release, roles, security

    _compile_translations(app, i18n)
    i18n.use_wtforms_catalog()

    app.config["FAB_ROLES"] = roles.fab_roles()
    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = security.password_policy

    csrf.init_app(app)  # before appbuilder.init_app so FAB can exempt its API blueprints
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)

    # The release step at start (the demo, the tests): migrations and FAB's permission sync
    # under the release lock. Production servers start without it (`flask --app run release`).
    at_start = bool(app.config.get("AUTO_UPGRADE_DB") or app.config.get("SYNC_AT_START"))
    with app.app_context():
        _configure_engine(db.engine)
        with release.exclusive(db.engine) if at_start else contextlib.nullcontext():
            if app.config.get("AUTO_UPGRADE_DB"):
                from flask_migrate import upgrade

                upgrade(directory=MIGRATIONS_DIR)
            has_tables = "ab_user" in inspect(db.engine).get_table_names()
            app.config["FAB_UPDATE_PERMS"] = at_start and has_tables
            appbuilder = AppBuilder()
            appbuilder.init_app(app, db.session)

            from app import menu

            menu.register(appbuilder)

    from app import background, cli, housekeeping, http, templating  # noqa: F401 (its task)

    background.configure(app)
    cli.register(app)
    app.cli.add_command(worker_command)
    app.cli.add_command(release.release_command)
    templating.register(app)
    http.register(app)
    return app


def _compile_translations(app: Flask, i18n) -> None:
    """Compile a catalog whose .mo is missing or stale (a fresh checkout ships only .po files)."""
    try:
        i18n.ensure_compiled()
    except (OSError, i18n.TranslationError) as exc:
        app.logger.error("translations could not be compiled: %s", exc)


def _configure_engine(engine: Engine) -> None:
    """Enforce foreign keys and wait on locks on SQLite, like PostgreSQL does by itself."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    engine.dispose()


@click.command("worker")
@click.option("--workers", type=int, default=None, help="threads (LINDUNGI_WORKER_THREADS)")
@with_appcontext
def worker_command(workers):
    """Run the job worker: batch checks, reports, statements and the periodic clean-up."""
    from flask import current_app

    from app import background

    app = current_app._get_current_object()
    background.serve(app, workers or app.config["WORKER_THREADS"])
