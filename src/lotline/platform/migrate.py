"""Alembic, driven from the app's configuration (``lotline db upgrade``), never at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection


def alembic_config(config: Mapping[str, Any], connection: Connection | None = None) -> AlembicConfig:
    """Alembic's config from a Lotline config (``app.config`` or ``load_config()``)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", config["MIGRATIONS_PATH"])
    cfg.set_main_option("sqlalchemy.url", config["DATABASE_URL"].replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(config: Mapping[str, Any], revision: str = "head", connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(config, connection), revision)


def downgrade(config: Mapping[str, Any], revision: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(config, connection), revision)


def revision_status(config: Mapping[str, Any], connection: Connection) -> dict[str, Any]:
    """The database's revision and the newest one the code ships."""
    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config(config)).get_current_head()
    return {"current": current, "head": head, "up_to_date": current == head}
