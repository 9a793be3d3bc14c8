from __future__ import annotations

import os
import stat
from pathlib import Path

from lotline.platform.config import Config, ProductionConfig, ensure_secret_key, load_config, redact_url


def test_defaults_are_embedded_sqlite_under_the_instance_folder_and_inline_jobs(tmp_path: Path) -> None:
    values = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'lotline.db'}"
    assert values["REDIS_URL"] is None


def test_environment_overrides_a_config_class() -> None:
    values = load_config(
        ProductionConfig,
        environ={
            "LOTLINE_DATABASE_URL": "postgresql+psycopg://u:p@db/lotline",
            "LOTLINE_REDIS_URL": "redis://cache:6379/0",
            "LOTLINE_SECRET_KEY": "from-env",
            "UNRELATED": "ignored",
        },
    )
    assert values["DATABASE_URL"] == "postgresql+psycopg://u:p@db/lotline"
    assert values["REDIS_URL"] == "redis://cache:6379/0"
    assert values["SECRET_KEY"] == "from-env"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert "UNRELATED" not in values


def test_explicit_mapping_wins_over_the_environment() -> None:
    values = load_config({"DATABASE_URL": "sqlite://"}, environ={"LOTLINE_DATABASE_URL": "postgresql://x"})
    assert values["DATABASE_URL"] == "sqlite://"
    assert values["API_TITLE"] == Config.API_TITLE


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = ensure_secret_key(tmp_path / "instance")
    second = ensure_secret_key(tmp_path / "instance")
    assert first == second and len(first) >= 48
    mode = stat.S_IMODE(os.stat(tmp_path / "instance" / "secret_key").st_mode)
    assert mode == 0o600


def test_urls_are_redacted() -> None:
    assert (
        redact_url("postgresql+psycopg://lotline:hunter2@db:5432/x")
        == "postgresql+psycopg://lotline:***@db:5432/x"
    )
    assert "hunter2" not in (redact_url("redis://:hunter2@cache:6379/0") or "")
    assert redact_url(None) is None
