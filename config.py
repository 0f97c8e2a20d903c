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
    """Return SECRET_KEY; only the embedded demo (its own SQLite file) may make one up.

    A key made up per server would make every server refuse the others' sessions and tokens,
    so a production start (any database but the embedded default) refuses to run without one.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return key
    if os.environ.get("DATABASE_URL"):
        raise RuntimeError(
            "SECRET_KEY is not set: every app server of an installation needs the same secret "
            "key (at least 32 characters), for instance from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`. Only the embedded demo makes one up."
        )
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
    # Sync FAB's roles and permissions at start (under a lock) without migrating; otherwise
    # `flask --app run release` does it once per deployment.
    SYNC_AT_START = env_bool("LINDUNGI_SYNC_AT_START", False)

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

    # API callers (JWT) are kept this many seconds per process with their roles and scope.
    JWT_USER_CACHE_SECONDS = env_int("LINDUNGI_JWT_USER_CACHE", 10, minimum=0)
    # Sign-in throttling (app/signin.py): failures only, per account and per address. FAB's own
    # per-address limit on every sign-in POST stays off: it locked out offices behind one NAT.
    RATELIMIT_ENABLED = env_bool("LINDUNGI_RATELIMIT", True)
    AUTH_RATE_LIMITED = False
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LINDUNGI_LOGIN_ACCOUNT_LIMIT", "10 per 5 minutes")
    LOGIN_ADDRESS_LIMIT = os.environ.get("LINDUNGI_LOGIN_ADDRESS_LIMIT", "100 per 10 minutes")
    # memory:// is per process; several servers share redis://host:6379/0
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto may be believed (a count)
    TRUSTED_PROXIES = env_int("LINDUNGI_TRUSTED_PROXIES", 0, minimum=0)
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
    # Sessions end after this long without use, and after this long in any case (app/services/
    # sessions.py); signing out, a password, role, scope or activation change ends them at once.
    SESSION_IDLE_MINUTES = env_int("LINDUNGI_SESSION_IDLE_MINUTES", 30, minimum=1)
    SESSION_MAX_HOURS = env_int("LINDUNGI_SESSION_MAX_HOURS", 12, minimum=1)
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = env_int("LINDUNGI_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
    FORCE_HTTPS = env_bool("LINDUNGI_FORCE_HTTPS", False)

    # Identifier patterns (no public checksum exists for these; keep them configurable)
    KPJ_PATTERN = os.environ.get("LINDUNGI_KPJ_PATTERN", r"^\d{11}$")
    NPP_PATTERN = os.environ.get("LINDUNGI_NPP_PATTERN", r"^[A-Z0-9]{8}(-?\d{3})?$")

    COMPLIANCE_API_LIMIT = os.environ.get("LINDUNGI_COMPLIANCE_LIMIT", "600 per minute")
    VERIFY_LIMIT = os.environ.get("LINDUNGI_VERIFY_LIMIT", "30 per minute")

    # The job queue (app/background.py): SQLite beside the embedded database, Redis in
    # production (redis://host:6379/1). The tests run tasks at once (QUEUE_IMMEDIATE).
    QUEUE_URL = os.environ.get("LINDUNGI_QUEUE_URL", f"sqlite:///{INSTANCE_DIR / 'queue.db'}")
    QUEUE_IMMEDIATE = False
    WORKER_THREADS = env_int("LINDUNGI_WORKER_THREADS", 2, minimum=1)
    PDF_LAYOUTS = env_int("LINDUNGI_PDF_LAYOUTS", 1, minimum=1)  # at once per worker process

    BATCH_MAX_AGE = env_int("LINDUNGI_BATCH_MAX_AGE", 65, minimum=18)
    BATCH_MAX_DECILE = env_int("LINDUNGI_BATCH_MAX_DECILE", 4, minimum=1)
    # An uploaded XLSX is refused before it is opened when it unpacks beyond these (a zip bomb);
    # openpyxl reads sharedStrings.xml whole, at about 9 MB of memory per MB of it.
    XLSX_MAX_UNPACKED_MB = env_int("LINDUNGI_XLSX_MAX_UNPACKED_MB", 50, minimum=1)
    XLSX_MAX_SHARED_STRINGS_MB = env_int("LINDUNGI_XLSX_MAX_SHARED_STRINGS_MB", 5, minimum=1)
    XLSX_MAX_MEMBERS = env_int("LINDUNGI_XLSX_MAX_MEMBERS", 100, minimum=10)
    XLSX_MAX_RATIO = env_int("LINDUNGI_XLSX_MAX_RATIO", 100, minimum=10)

    # Log lines: "json" (one object per line) or "text"; level INFO unless set
    LOG_FORMAT = os.environ.get("LINDUNGI_LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LINDUNGI_LOG_LEVEL", "INFO").upper()

    EXPORT_MAX_ROWS = env_int("LINDUNGI_EXPORT_MAX_ROWS", 50000, minimum=100)
    DEMO_PASSWORD = os.environ.get("LINDUNGI_DEMO_PASSWORD")
