"""The schema is made by migrations only, and they match the models on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import MIGRATIONS_DIR, backup, create_app
from app.extensions import db
from app.models import Company, ConstructionProject, Province, Regency
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


def _contract(session, value: int) -> None:
    """One construction contract of the given value, with the areas and company it needs."""
    province = Province(code="62", name="Kalimantan Tengah")
    regency = Regency(code="62.03", name="Kapuas", province=province)
    company = Company(name="PT Jembatan Kapuas", regency=regency)
    session.add(
        ConstructionProject(
            name="Jembatan Sungai Kapuas",
            spk_number="SPK-001/2026",
            spk_date=dt.date(2026, 2, 1),
            company=company,
            regency=regency,
            contract_value=value,
            funding="apbd_funds",
        )
    )
    session.commit()


def _contract_values(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT contract_value FROM construction_project")).scalars())


def _revision(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_a_contract_beyond_an_integer_stops_the_downgrade_below_0004_saying_why(empty_url, caplog):
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url})
    with app.app_context():
        _contract(db.session, 12_500_000_000)
        db.session.remove()

        with pytest.raises(SystemExit) as refused:
            downgrade(directory=MIGRATIONS_DIR, revision="0003")

        assert refused.value.code == 1
        assert (
            "Cannot downgrade below 0004: revision 0003 stores money as INTEGER (at most "
            "2147483647), and these amounts are larger: construction_project.contract_value: "
            "1 row(s), up to 12500000000." in caplog.text
        )
        assert _contract_values(db.engine) == [12_500_000_000]
        # PostgreSQL undoes the whole downgrade; SQLite's DDL is not transactional, so the
        # revisions above 0004 stay downgraded and 0004 itself is left untouched.
        expected = "0004" if db.engine.dialect.name == "sqlite" else backup.code_head()
        assert _revision(db.engine) == expected
        db.engine.dispose()


def test_contracts_that_fit_an_integer_downgrade_below_0004_unchanged(empty_url):
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_url})
    with app.app_context():
        _contract(db.session, 2_147_483_647)
        db.session.remove()

        downgrade(directory=MIGRATIONS_DIR, revision="0003")

        assert _revision(db.engine) == "0003"
        assert _contract_values(db.engine) == [2_147_483_647]
        db.engine.dispose()
