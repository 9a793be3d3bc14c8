"""The Alembic history builds exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from lotline.platform import migrate
from lotline.platform.config import load_config
from lotline.platform.registry import load_models


def _diff(conn: sa.Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(context, load_models()))


def test_migrated_schema_equals_models(engine: Engine) -> None:
    with engine.connect() as conn:
        assert _diff(conn) == []


def test_history_downgrades_to_empty_and_back(backend: str, database_url: str, tmp_path: Path) -> None:
    """Every migration's downgrade works, and upgrading again gives the same schema."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
        eng = sa.create_engine(url)
        schema = None
    else:  # a schema of its own, so the shared test database is untouched
        eng = sa.create_engine(database_url)
        schema = "lotline_roundtrip"
        with eng.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    config = load_config({"DATABASE_URL": url if schema is None else database_url})
    try:
        with eng.begin() as conn:
            if schema:
                conn.exec_driver_sql(f"SET search_path TO {schema}")
            migrate.upgrade(config, connection=conn)
            tables = set(sa.inspect(conn).get_table_names())
            assert set(load_models().tables) <= tables
            migrate.downgrade(config, "base", connection=conn)
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
            migrate.upgrade(config, connection=conn)
            assert _diff(conn) == []
    finally:
        if schema:
            with eng.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        eng.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    from lotline.platform.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    eng.dispose()
    assert (tmp_path / "sub" / "x.db").exists()
