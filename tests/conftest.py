"""Shared fixtures: real SQLite and PostgreSQL, real Redis, one outer transaction per test.

* ``LOTLINE_TEST_POSTGRES_URL`` enables the PostgreSQL variant of every database test;
  ``LOTLINE_TEST_REDIS_URL`` enables the Redis tests. Unset, they are skipped, unless
  ``LOTLINE_REQUIRE_SERVICES=1``, which turns a missing service into a failure.
* The schema is built once per backend by the real Alembic migrations (never ``create_all``);
  each test runs inside one outer transaction that is rolled back, with SAVEPOINTs for the
  commits the code under test makes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection, Engine

from lotline.platform import migrate
from lotline.platform.app import create_app
from lotline.platform.config import load_config
from lotline.platform.db import Database, make_engine

POSTGRES_URL = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("LOTLINE_TEST_REDIS_URL")
REQUIRE_SERVICES = os.environ.get("LOTLINE_REQUIRE_SERVICES") == "1"


def require_service(url: str | None, variable: str) -> str:
    """The service URL, or skip (fail when services are required) if it is not configured."""
    if url:
        return url
    message = f"{variable} is not set"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and LOTLINE_REQUIRE_SERVICES=1")
    pytest.skip(message)


def reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_service(POSTGRES_URL, "LOTLINE_TEST_POSTGRES_URL")
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "postgresql":
        assert POSTGRES_URL
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'lotline-test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str, backend: str) -> Iterator[Engine]:
    """A database migrated to head by Alembic, once per backend for the whole run."""
    if backend == "postgresql":
        reset_postgres_schema(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        migrate.upgrade(load_config({"DATABASE_URL": database_url}), connection=conn)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One outer transaction per test, rolled back at the end: tests never see each other."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


def make_test_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "LOG_LEVEL": "WARNING",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-not-for-production",
        "REDIS_URL": None,
        "PASSWORD_HASHING": "test-only-fast",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    return make_test_config(tmp_path, DATABASE_URL=database_url)


@pytest.fixture
def app(app_config: dict[str, Any], connection: Connection) -> Iterator[Flask]:
    app = create_app(app_config)
    db: Database = app.extensions["lotline_db"]
    db.bind_connection(connection)
    with app.app_context():
        yield app
    assert db.engine is not None
    db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis on a database of its own, emptied before and after the test."""
    from redis import Redis

    url = require_service(REDIS_URL, "LOTLINE_TEST_REDIS_URL")
    conn = Redis.from_url(url)
    conn.flushdb()
    yield url
    conn.flushdb()
    conn.close()


# --- identity fixtures ------------------------------------------------------------------------

TEST_PASSWORD = "Correct-Horse-42"


class SignedInClient:
    """A test client signed in as one user, sending the session's CSRF token like the SPA does."""

    def __init__(self, client: FlaskClient, user_id: int, csrf: str) -> None:
        self.client, self.user_id, self.csrf = client, user_id, csrf

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("get", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self._call("post", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self._call("put", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self._call("patch", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, **kw)


@pytest.fixture
def org(app: Flask) -> Any:
    """A bootstrapped organisation: one site, built-in roles, an admin (password changed)."""
    from lotline.platform.auth import service
    from lotline.platform.db import get_session

    result = service.bootstrap(get_session(), password=TEST_PASSWORD + "!")
    service.change_password(get_session(), result.admin.id, TEST_PASSWORD + "!", TEST_PASSWORD)
    return result


@pytest.fixture
def make_user(org: Any) -> Any:
    """make_user(role, ...) -> User with that role at every site and its password already set."""
    from lotline.platform.auth import service
    from lotline.platform.db import get_session

    counter = iter(range(1, 10_000))

    def make(*roles: str, site_id: int | None = None, username: str | None = None, **extra: Any) -> Any:
        name = username or f"{'-'.join(roles) or 'nobody'}{next(counter)}"
        user, _ = service.create_user(
            get_session(),
            org.organisation.id,
            username=name,
            full_name=f"{name.title()} Tester",
            roles=[{"role": r, "site_id": site_id} for r in roles],
            password=TEST_PASSWORD,
            **extra,
        )
        user.must_change_password = False
        get_session().commit()
        return user

    return make


@pytest.fixture
def sign_in(app: Flask) -> Any:
    """sign_in(user) -> SignedInClient with its own cookie jar."""

    def login(user: Any, password: str = TEST_PASSWORD) -> SignedInClient:
        client = app.test_client()
        response = client.post("/api/auth/login", json={"username": user.username, "password": password})
        assert response.status_code == 200, response.get_json()
        return SignedInClient(client, user.id, response.get_json()["csrf_token"])

    return login


@pytest.fixture
def admin_client(org: Any, sign_in: Any) -> SignedInClient:
    return sign_in(org.admin)


# --- audit fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def audit_actor_for_test_code(request: pytest.FixtureRequest) -> None:
    """Test code that changes audited rows outside a request (fixtures creating users, tests
    setting a value) acts as the named system actor ``system:test-harness``; requests still act
    as their signed-in user. A test proving that an unattributed flush fails clears it first."""
    if "app" not in request.fixturenames:
        return
    request.getfixturevalue("app")
    from lotline.platform.audit import service as audit_service
    from lotline.platform.db import get_session

    audit_service.set_actor(get_session(), audit_service.system_actor("test-harness"))
