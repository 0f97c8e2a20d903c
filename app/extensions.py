"""Unbound extensions; create_app() binds them."""

from pathlib import Path

from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = get_sqla_class()()
migrate = Migrate()
csrf = CSRFProtect()

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")
