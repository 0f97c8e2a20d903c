"""Configuration: one Config class read from the environment with safe defaults."""

import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean setting; refuse anything that is not clearly yes or no."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Read an integer setting; refuse values that are not integers or are too small."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list setting."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_url() -> str:
    """Return DATABASE_URL, normalising plain postgres URLs to the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'lindungi.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key() -> str:
    """Return SECRET_KEY, or a per-instance key kept in instance/ for the embedded default."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return key
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Settings for every environment; tests pass overrides to create_app."""

    APP_NAME = "Lindungi"
    APP_ICON = "/static/img/lindungi.svg"
    SECRET_KEY = secret_key()
    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # hide_parameters: a database error never carries a row's values (NIK, name, birth date)
    # into an exception text, a log line or an error page.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    AUTO_UPGRADE_DB = env_bool("LINDUNGI_AUTO_UPGRADE", False)

    # Flask-AppBuilder
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    FAB_CREATE_DB = False  # the schema comes from Alembic migrations only
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_API_SHOW_STACKTRACE = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.AppSecurityManager"
    FAB_INDEX_VIEW = "app.views.home.HomeView"
    FAB_BASE_TEMPLATE = "lindungi_base.html"
    FAB_SAFE_REDIRECT_HOSTS = env_list("LINDUNGI_HOSTS", ["127.0.0.1", "localhost"])
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    PASSWORD_MIN_LENGTH = env_int("LINDUNGI_PASSWORD_MIN_LENGTH", 12, minimum=8)

    # Login throttling (FAB needs both switches)
    # API callers (JWT) are kept this many seconds per process with their roles and scope.
    JWT_USER_CACHE_SECONDS = env_int("LINDUNGI_JWT_USER_CACHE", 10, minimum=0)
    RATELIMIT_ENABLED = env_bool("LINDUNGI_RATELIMIT", True)
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("LINDUNGI_LOGIN_LIMIT", "5 per 60 second")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    # Language: Indonesian first, English second
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("LINDUNGI_TIMEZONE", "Asia/Jakarta")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {
        "id": {"flag": "id", "name": "Bahasa Indonesia"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Sessions and cookies: Secure over HTTPS; the local demo on http://127.0.0.1 still works
    SESSION_COOKIE_SECURE = env_bool("LINDUNGI_SECURE_COOKIES", False)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = env_int("LINDUNGI_SESSION_MINUTES", 480, minimum=5) * 60
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = env_int("LINDUNGI_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
    FORCE_HTTPS = env_bool("LINDUNGI_FORCE_HTTPS", False)

    # Identifier patterns (no public checksum exists for these; keep them configurable)
    KPJ_PATTERN = os.environ.get("LINDUNGI_KPJ_PATTERN", r"^\d{11}$")
    NPP_PATTERN = os.environ.get("LINDUNGI_NPP_PATTERN", r"^[A-Z0-9]{8}(-?\d{3})?$")

    COMPLIANCE_API_LIMIT = os.environ.get("LINDUNGI_COMPLIANCE_LIMIT", "600 per minute")
    VERIFY_LIMIT = os.environ.get("LINDUNGI_VERIFY_LIMIT", "30 per minute")

    REPORTS_DIR = os.environ.get("LINDUNGI_REPORTS_DIR", str(INSTANCE_DIR / "reports"))
    REPORTS_INLINE = False  # tests build reports inside the request

    BATCH_MAX_AGE = env_int("LINDUNGI_BATCH_MAX_AGE", 65, minimum=18)
    BATCH_MAX_DECILE = env_int("LINDUNGI_BATCH_MAX_DECILE", 4, minimum=1)
    # An uploaded XLSX is refused before it is opened when it unpacks beyond these (a zip bomb);
    # openpyxl reads sharedStrings.xml whole, at about 9 MB of memory per MB of it.
    XLSX_MAX_UNPACKED_MB = env_int("LINDUNGI_XLSX_MAX_UNPACKED_MB", 50, minimum=1)
    XLSX_MAX_SHARED_STRINGS_MB = env_int("LINDUNGI_XLSX_MAX_SHARED_STRINGS_MB", 5, minimum=1)
    XLSX_MAX_MEMBERS = env_int("LINDUNGI_XLSX_MAX_MEMBERS", 100, minimum=10)
    XLSX_MAX_RATIO = env_int("LINDUNGI_XLSX_MAX_RATIO", 100, minimum=10)

    EXPORT_MAX_ROWS = env_int("LINDUNGI_EXPORT_MAX_ROWS", 50000, minimum=100)
    DEMO_PASSWORD = os.environ.get("LINDUNGI_DEMO_PASSWORD")
