"""The schema is made by migrations only, and they match the models on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import MIGRATIONS_DIR, create_app
from app.extensions import db
from tests.conftest import PG_URL, TEST_CONFIG, _backends


@pytest.fixture(params=_backends())
def empty_url(request, tmp_path):
    """A database with nothing in it, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"lindungi_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _modelled(name, type_, _parent_names) -> bool:
    """PostgreSQL's trigram index (migration 0009) has no SQLite form and no model line."""
    return not (type_ == "index" and name and name.endswith("_trgm"))


def _schema_differences(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _modelled}
        )
        return compare_metadata(context, Model.metadata)


def test_migrations_build_exactly_the_schema_of_the_models(empty_url):
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url})
    with app.app_context():
        assert _schema_differences(db.engine) == []
        db.engine.dispose()


def test_the_app_does_not_create_tables_by_itself(empty_url):
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url, "AUTO_UPGRADE_DB": False})
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_upgrade_again(empty_url):
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url})
    with app.app_context():
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS_DIR)
        assert "worker" in inspect(db.engine).get_table_names()
        db.engine.dispose()
