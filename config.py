"""Configuration classes, read from the environment.

`create_app()` picks one by `APP_ENV` (development, testing, production); every value
below can be overridden by the environment variable of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver, whichever spelling the host gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def pool_options() -> dict[str, int]:
    """Each worker process keeps a pool of database connections of its own: SQLAlchemy's
    defaults (5, and 10 more at a peak) unless DB_POOL_SIZE / DB_MAX_OVERFLOW say otherwise.
    servers x workers x (size + overflow) must stay below PostgreSQL's max_connections (README)."""
    sizes = {"pool_size": os.environ.get("DB_POOL_SIZE"), "max_overflow": os.environ.get("DB_MAX_OVERFLOW")}
    return {option: int(value) for option, value in sizes.items() if value}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'contest.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, **pool_options()}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Where sign-in and verification attempts are counted when REDIS_URL is not set: "memory"
    # (this process only: the development server) or "database" (shared by every worker).
    RATE_LIMIT_STORE = os.environ.get("RATE_LIMIT_STORE", "memory")
    # Anonymous public pages come from a cache shared by the workers (contest/pagecache.py): any
    # change they show replaces them at once; what time alone changes (a post scheduled for 10:00)
    # shows within PUBLIC_PAGE_TTL seconds, and browsers and proxies may keep a page
    # PUBLIC_PAGE_MAX_AGE seconds. Without REDIS_URL, the version file (default
    # instance/public-version) tells the workers of one machine what is current.
    PUBLIC_PAGE_TTL = int(os.environ.get("PUBLIC_PAGE_TTL", 30))
    PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", 30))
    PUBLIC_VERSION_FILE = os.environ.get("PUBLIC_VERSION_FILE", "")
    # With REDIS_URL, audience screens follow the stage over one connection each (server-sent
    # events, contest/stage/stream.py), which ends after this many seconds and is opened again.
    STAGE_STREAM_SECONDS = int(os.environ.get("STAGE_STREAM_SECONDS", 600))
    # After sending a change, a feed waits this long before sending the next one: changes that
    # come close together (jurors submitting at once) reach every screen as one (README: Live round).
    STAGE_FEED_INTERVAL = float(os.environ.get("STAGE_FEED_INTERVAL", 0.5))
    # /api/v1/: requests one address may make per window (seconds) before 429 with Retry-After.
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", 300))
    API_RATE_WINDOW = int(os.environ.get("API_RATE_WINDOW", 60))

    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed. Behind
    # one proxy and set to 0, every visitor has the proxy's address: one address's sign-in limit
    # would then lock everyone out. Never more than there are: a client could forge the header.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

    # "text" (Flask's plain lines) or "json" (one object per line with the request id: production).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Who may read /metrics: addresses or networks ("10.0.0.0/8, 127.0.0.1"), and/or a scraper
    # sending `Authorization: Bearer <METRICS_TOKEN>`. With neither set, /metrics answers 404.
    METRICS_ALLOW_FROM = os.environ.get("METRICS_ALLOW_FROM", "")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "contest" / "translations")
    LANGUAGES = ("kk", "ru", "en")

    BOOTSTRAP_SERVE_LOCAL = True

    # Outgoing mail: "log" writes messages to the application log, "smtp" sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Almaty CLS contests <noreply@localhost>")
    # With REDIS_URL: the RQ queue mail goes to, messages per SMTP connection, and the pauses in
    # seconds before each new attempt after a temporary failure (then the message is "failed").
    MAIL_QUEUE = os.environ.get("MAIL_QUEUE", "mail")
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", 100))
    MAIL_RETRY_DELAYS = tuple(int(delay) for delay in os.environ.get("MAIL_RETRY_DELAYS", "60,300,1800").split(","))

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", 60 * 60))
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))
    LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 15 * 60))
    # Argon2id cost; tests lower it so that the suite stays quick.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 64 * 1024))

    # Where uploaded and generated files live: "local" (folders under UPLOAD_DIR on this machine)
    # or "database" (rows of the database, which every app server reaches); see contest/files.
    FILE_STORE = os.environ.get("FILE_STORE", "local")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Entry files (PDF, DOCX, ODT, TXT) larger than this are refused with a clear message.
    ENTRY_FILE_MAX_BYTES = int(os.environ.get("ENTRY_FILE_MAX_BYTES", 10 * 1024 * 1024))
    # One request: an entry of the most works a contest may ask for (MAX_WORKS in
    # contest/contests/models.py), each with a file at the cap, plus its texts. A file over the
    # cap inside that is refused beside its field with everything typed kept; only a request
    # above this limit gets the 413 page, where the typed text cannot be kept.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * ENTRY_FILE_MAX_BYTES + 2 * 1024 * 1024))
    # A teacher's list of pupils to import (XLSX or CSV).
    IMPORT_FILE_MAX_BYTES = int(os.environ.get("IMPORT_FILE_MAX_BYTES", 2 * 1024 * 1024))
    # How participants' names are shown: "surname-first" (Kazakh and Russian lists) or "given-first".
    NAME_ORDER = os.environ.get("NAME_ORDER", "surname-first")
    SITE_URL = os.environ.get("SITE_URL", "")
    # Sites that may show the widget (/embed) in a frame, e.g. "https://www.kitaphana.kz"
    # (spaces or commas between several). This site itself always may; other pages may be
    # framed by nobody. Share card pictures are kept in CARD_CACHE_DIR (default instance/cards).
    EMBED_ORIGINS = os.environ.get("EMBED_ORIGINS", "")
    CARD_CACHE_DIR = os.environ.get("CARD_CACHE_DIR", "")
    # Certificates: lookups of /verify per address and window; the RQ queue bulk jobs go to.
    CERTIFICATE_VERIFY_LIMIT = int(os.environ.get("CERTIFICATE_VERIFY_LIMIT", 30))
    CERTIFICATE_VERIFY_WINDOW = int(os.environ.get("CERTIFICATE_VERIFY_WINDOW", 60))
    CERTIFICATE_QUEUE = os.environ.get("CERTIFICATE_QUEUE", "certificates")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    MAIL_BACKEND = "smtp"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 1))  # the TLS proxy the README describes
    # gunicorn runs several workers: their attempt counts must be shared (Redis wins when set).
    RATE_LIMIT_STORE = os.environ.get("RATE_LIMIT_STORE", "database")

    @classmethod
    def check(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY is not set. Production refuses to start without it, because sessions, "
                "CSRF tokens and password-reset links are signed with it. Generate one with "
                "`python -c 'import secrets; print(secrets.token_hex(32))'` and export it."
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL is not set. Production runs on PostgreSQL: "
                               "export DATABASE_URL=postgresql://user:password@host/dbname")
        if cls.RATE_LIMIT_STORE == "memory" and not os.environ.get("REDIS_URL"):
            raise RuntimeError(
                "RATE_LIMIT_STORE=memory counts failed sign-ins in each worker separately, so with "
                "N gunicorn workers an attacker gets N times the allowed attempts. Production refuses "
                "it: set REDIS_URL, or leave RATE_LIMIT_STORE unset to count in the database.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
