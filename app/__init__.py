"""Lindungi: worker social-security back-office. create_app() builds the application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine

from app.extensions import csrf, db, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config, extensions, schema, security, menu and commands."""
    from app import logs

    logs.install()  # before anything logs: no personal data in any log line
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)

    from app import i18n, roles, security

    _compile_translations(app, i18n)

    app.config["FAB_ROLES"] = roles.fab_roles()
    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = security.password_policy

    csrf.init_app(app)  # before appbuilder.init_app so FAB can exempt its API blueprints
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)

    with app.app_context():
        _configure_engine(db.engine)
        if app.config.get("AUTO_UPGRADE_DB"):
            from flask_migrate import upgrade

            upgrade(directory=MIGRATIONS_DIR)
        if "ab_user" not in inspect(db.engine).get_table_names():
            app.config["FAB_UPDATE_PERMS"] = (
                False  # nothing to write into before `flask db upgrade`
            )
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)

        from app import menu

        menu.register(appbuilder)

    from app import cli, http, templating

    cli.register(app)
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
