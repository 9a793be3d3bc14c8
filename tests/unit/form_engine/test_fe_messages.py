"""The message catalogue: every code in English and Chinese, and no code without a message."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lotline.form_engine import Problem
from lotline.form_engine.messages import DEFINITION_MESSAGES, SUBMISSION_MESSAGES
from lotline.form_engine.problems import LOCALES, known_codes

ENGINE = Path(__file__).resolve().parents[3] / "src" / "lotline" / "form_engine"
CATALOGUE = {**SUBMISSION_MESSAGES, **DEFINITION_MESSAGES}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_english_and_real_chinese(code: str) -> None:
    messages = CATALOGUE[code]
    assert set(messages) == set(LOCALES)
    assert messages["en"].strip() and not HAN.search(messages["en"])
    if code != "rule_failed":  # rule_failed shows the designer's own text
        assert HAN.search(messages["zh-CN"]), messages["zh-CN"]
        assert messages["zh-CN"] != messages["en"]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_registered_messages_are_ours(code: str) -> None:
    """Codes are global: another package registering one of ours with other text would change
    our messages depending on import order."""
    from lotline.form_engine import problems

    assert code in known_codes()
    assert problems._CATALOGUE[code] == CATALOGUE[code]


def _strings(node: ast.AST | None) -> set[str]:
    """String constants of a code argument (a literal, or the branches of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def used_codes() -> set[str]:
    """Codes in the engine's source: ``Invalid(code, ...)``, ``Problem(path, code, ...)``,
    ``self.add(path, code, ...)``, ``code=...`` arguments and ``code = ...`` assignments."""
    found: set[str] = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else (
                    node.func.attr if isinstance(node.func, ast.Attribute) else "")
                position = {"Invalid": 0, "Problem": 1, "add": 1, "RuleProblem": 1}.get(name)
                if position is not None and len(node.args) > position:
                    found |= _strings(node.args[position])
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        found |= _strings(keyword.value)
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "code" for target in node.targets
            ):
                found |= _strings(node.value)
    return found


def test_every_code_raised_in_the_source_is_registered() -> None:
    used = used_codes()
    assert len(used) > 60  # the scan found the codes, not nothing
    assert used - set(CATALOGUE) == set()


def test_every_registered_code_is_used() -> None:
    assert set(CATALOGUE) - used_codes() == set()


def test_templates_format_with_their_params() -> None:
    problem = Problem(("lots", 2, "lot"), "gs1_bad_check_digit",
                      {"ai": "01", "value": "09506000134353", "expected": 2})
    assert problem.message("en") == "GS1 (01) 09506000134353 has a wrong check digit (expected 2)."
    assert problem.to_dict("zh-CN") == {
        "path": ["lots", 2, "lot"], "field": "lots[2].lot", "code": "gs1_bad_check_digit",
        "params": {"ai": "01", "value": "09506000134353", "expected": 2},
        "message": "GS1 (01) 09506000134353 的校验位错误（应为 2）。",
    }


def test_the_library_imports_no_web_database_or_job_code() -> None:
    probe = ("import sys, lotline.form_engine as fe; "
             "fe.validate_submission; "
             "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('flask', 'flask_smorest', 'sqlalchemy', 'alembic', 'rq', 'redis') "
             "or m.startswith('lotline.platform')); print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
