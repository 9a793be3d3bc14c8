"""Configuration classes and environment overrides.

Nothing here connects anywhere. ``load_config`` turns a config class (or mapping) plus the
``LOTLINE_*`` environment into a plain dict that ``create_app`` applies.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The repository root when running from a checkout (src layout: src/lotline/platform/config.py).
REPO_ROOT = Path(__file__).resolve().parents[3]

ENV_PREFIX = "LOTLINE_"
# Environment variable -> config key. Only these are read; anything else is ignored.
ENV_KEYS = {
    "LOTLINE_DATABASE_URL": "DATABASE_URL",
    "LOTLINE_REDIS_URL": "REDIS_URL",
    "LOTLINE_SECRET_KEY": "SECRET_KEY",
    "LOTLINE_INSTANCE_PATH": "INSTANCE_PATH",
    "LOTLINE_FRONTEND_DIST": "FRONTEND_DIST",
    "LOTLINE_QUEUE": "JOB_QUEUE",
    "LOTLINE_LOG_LEVEL": "LOG_LEVEL",
    "LOTLINE_PACK_DIRS": "PACK_DIRS",
}


class Config:
    """Defaults for running Lotline (embedded SQLite, jobs in-process)."""

    TESTING = False
    DATABASE_URL: str | None = None  # None: SQLite file in the instance folder
    DATABASE_ECHO = False
    REDIS_URL: str | None = None  # None: jobs run in-process after commit
    SECRET_KEY: str | None = None  # None: generated once into the instance folder
    INSTANCE_PATH: str = str(Path.cwd() / "instance")
    FRONTEND_DIST: str = str(REPO_ROOT / "frontend" / "dist")
    MIGRATIONS_PATH: str = str(REPO_ROOT / "migrations")
    JOB_QUEUE = "lotline"
    LOG_LEVEL = "INFO"
    JSON_SORT_KEYS = False
    # Folders with more template packs (os.pathsep-separated), searched after the shipped ones.
    PACK_DIRS: str = ""

    # flask-smorest / OpenAPI
    API_TITLE = "Lotline"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    PASSWORD_HASHING = "standard"  # noqa: S105 (argon2id profile name, see auth/passwords.py)
    SESSION_IDLE_MINUTES = 480  # browser sessions end after 8 h without a request
    STATION_IDLE_MINUTES = 10  # station (badge + PIN) sessions end sooner

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True


class TestConfig(Config):
    TESTING = True
    LOG_LEVEL = "WARNING"


def load_config(
    base: type[Config] | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Merge a config class or mapping with ``LOTLINE_*`` environment overrides.

    Explicit mappings win over the environment (tests pass exactly what they need); a config
    class is overridden by the environment (deployments configure through it).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    explicit: Mapping[str, Any] = {}
    if isinstance(base, type):
        values.update({key: getattr(base, key) for key in dir(base) if key.isupper()})
    elif base is not None:
        explicit = base
    for env_name, key in ENV_KEYS.items():
        if environ.get(env_name):
            values[key] = environ[env_name]
    values.update(explicit)
    instance = Path(values["INSTANCE_PATH"])
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = f"sqlite:///{instance / 'lotline.db'}"
    return values


def ensure_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) the first time."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def redact_url(url: str | None) -> str | None:
    """A database/Redis URL with its password replaced, for logs and ``lotline info``."""
    if not url:
        return url
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL (e.g. redis://): hide anything between : and @
        if "@" in url and "://" in url:
            scheme, rest = url.split("://", 1)
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            return f"{scheme}://{user}:***@{host}"
        return url
