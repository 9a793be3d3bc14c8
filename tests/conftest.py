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
