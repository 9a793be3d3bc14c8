"""The ``lotline`` command on a real database file: db upgrade, info, jobs selfcheck."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotline.platform.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOTLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("LOTLINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("LOTLINE_REDIS_URL", raising=False)
    return tmp_path / "instance"


def test_upgrade_info_and_selfcheck_on_a_fresh_instance(env: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(main, ["info"])
    assert before.exit_code == 0, before.output
    assert "schema     empty" in before.output and "lotline db upgrade" in before.output

    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (env / "lotline.db").exists() and (env / "secret_key").exists()

    info = runner.invoke(main, ["info"])
    assert info.exit_code == 0
    assert "jobs         inline" in info.output and "redis        disabled" in info.output
    assert re.search(r"schema     (\S+) \(head \1\)\n", info.output), info.output  # at the newest revision

    check = runner.invoke(main, ["jobs", "selfcheck"])
    assert check.exit_code == 0, check.output
    assert "done" in check.output and "'database_ok': True" in check.output

    again = runner.invoke(main, ["db", "upgrade"])  # idempotent: a second run changes nothing
    assert again.exit_code == 0


def test_worker_refuses_without_redis(env: Path) -> None:
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code != 0
    assert "LOTLINE_REDIS_URL is not set" in result.output


def test_info_shows_queue_status_with_redis(
    env: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTLINE_REDIS_URL", redis_url)
    result = CliRunner().invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    assert "redis        ok" in result.output
    assert "queued     0" in result.output and "workers    0" in result.output
