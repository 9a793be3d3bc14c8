"""Every problem code the engine can report has real en and zh-CN messages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import lotline.workflow_engine as wf
from lotline.form_engine.problems import Problem, known_codes
from lotline.workflow_engine import MESSAGES

SOURCE = Path(wf.__file__).resolve().parent
CODE_LITERAL = re.compile(r'"((?:flow|step|state|upgrade)\.[a-z_]+)"')
CJK = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_has_english_and_chinese_with_the_same_placeholders(code: str) -> None:
    en, zh = MESSAGES[code]["en"], MESSAGES[code]["zh-CN"]
    assert code in known_codes()
    assert en.strip() and not CJK.search(en)
    assert CJK.search(zh), f"{code}: zh-CN message is not Chinese"
    assert _placeholders(en) == _placeholders(zh)
    params = {name: f"<{name}>" for name in _placeholders(en) if name != "field"}
    problem = Problem(("nodes", 2), code, params)
    for locale in ("en", "zh-CN"):
        rendered = problem.message(locale)
        assert "{" not in rendered and all(v in rendered for v in params.values())


def _codes_in_source() -> set[str]:
    return {
        code
        for path in SOURCE.glob("*.py")
        if path.name != "messages.py"
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
    }


def test_every_code_used_in_the_source_is_registered() -> None:
    used = _codes_in_source()
    assert len(used) > 40
    assert used - set(MESSAGES) == set()


def test_every_registered_code_is_used_somewhere() -> None:
    assert set(MESSAGES) - _codes_in_source() == set()
