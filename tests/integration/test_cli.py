"""The ``lotline`` command on a real database file: db upgrade, info, jobs selfcheck."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from lotline import templates_library
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


def test_demo_sets_up_a_plant_once_and_its_lot_traces_to_units(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code != 0  # nobody to act as yet
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["users", "bootstrap"]).exit_code == 0
    result = runner.invoke(main, ["demo", "--units", "3"])
    assert result.exit_code == 0, result.output
    assert "units WDG-00001…WDG-00003" in result.output
    again = runner.invoke(main, ["demo"])
    assert again.exit_code == 0 and "nothing to do" in again.output

    from lotline.platform.app import create_app
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service as genealogy

    with create_app().app_context():
        session = get_session()
        lot = genealogy.search(session, 1, "RES-2611-A")[0]
        forward = genealogy.trace(session, 1, [lot.id], "forward", with_events=False)
        assert {i.code for i in forward.items} >= {"WDG-00001", "WDG-00002", "WDG-00003"}
        assert lot.remaining == 1000 - 3 * 4
        tokens = session.execute(sa.text("SELECT revoked_at FROM api_token")).all()
        assert tokens and all(t[0] is not None for t in tokens)  # the demo's token does not outlive it


def test_packs_list_preview_install_twice_and_uninstall(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["users", "bootstrap"]).exit_code == 0
    listed = runner.invoke(main, ["packs", "list"])
    assert listed.exit_code == 0, listed.output
    food = templates_library.available_packs()["food"][0].version  # as shipped
    assert re.search(rf"^food\s+{re.escape(food)}\s+not installed", listed.output, re.M)
    preview = runner.invoke(main, ["packs", "preview", "food"])
    assert preview.exit_code == 0 and f"food {food}: install (" in preview.output
    assert "create   flow      food-receiving v1" in preview.output
    first = runner.invoke(main, ["packs", "install", "food"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["packs", "install", "food", "--first-start"])
    assert again.exit_code == 0 and "not a first start" in again.output
    twice = runner.invoke(main, ["packs", "install", "food"])
    assert twice.exit_code == 0 and f"food {food}: none (nothing to do)" in twice.output
    assert f"installed {food}" in runner.invoke(main, ["packs", "list"]).output
    gone = runner.invoke(main, ["packs", "uninstall", "food", "--lang", "zh-CN"])
    assert gone.exit_code == 0 and "uninstalled" in gone.output
    missing = runner.invoke(main, ["packs", "preview", "nope", "--lang", "zh-CN"])
    assert missing.exit_code != 0 and "不存在模板包 nope" in missing.output


def test_packs_check_names_every_problem_of_a_folder(tmp_path: Path) -> None:
    import json
    import shutil

    from lotline import templates_library

    root = tmp_path / "food"
    shutil.copytree(templates_library.SHIPPED_ROOT / "food", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["contents"]["forms"].append("missing_form")
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["packs", "check", str(root)])
    assert result.exit_code == 1
    assert "manifest.contents.forms[13]: the pack has no file missing_form.json" in result.output
    assert (
        CliRunner().invoke(main, ["packs", "check", str(templates_library.SHIPPED_ROOT / "food")]).exit_code
        == 0
    )
