"""Format versions and named upgrade functions."""

from __future__ import annotations

from typing import Any

import pytest
from fe_forms import NOW, field, form

from lotline.form_engine import (
    FORMAT_VERSION,
    UPGRADES,
    ProblemsError,
    check_definition,
    compile_form,
    upgrade_definition,
)
from lotline.form_engine.upgrades import upgrade_v0_to_v1

PROTOTYPE: dict[str, Any] = {
    "name": "line_clearance",
    "title": "Line clearance",
    "fields": [
        {"name": "area", "type": "choice", "label": "Area", "options": ["A", "B"]},
        {"name": "clean", "type": "checkbox", "label": "Clean", "required": True},
        {"name": "weight", "type": "float", "label": "Weight"},
        {"name": "lot", "type": "barcode", "label": "Lot"},
    ],
}


def test_the_registry_names_each_step() -> None:
    assert UPGRADES[0] is upgrade_v0_to_v1
    assert sorted(UPGRADES) == list(range(FORMAT_VERSION))


def test_a_prototype_document_is_upgraded_to_a_valid_current_definition() -> None:
    upgraded = upgrade_definition(PROTOTYPE)
    assert upgraded["format_version"] == FORMAT_VERSION
    assert upgraded["key"] == "line_clearance"
    assert upgraded["title"] == {"en": "Line clearance", "zh-CN": "Line clearance"}
    assert [(f["key"], f["type"]) for f in upgraded["fields"]] == [
        ("area", "select"), ("clean", "boolean"), ("weight", "number"), ("lot", "scan")]
    assert upgraded["fields"][0]["options"][0] == {"value": "A", "label": {"en": "A", "zh-CN": "A"}}
    assert upgraded["fields"][3]["kind"] == "item"
    assert check_definition(upgraded) == []
    assert "name" in PROTOTYPE  # the input is not modified


def test_compile_form_upgrades_old_documents() -> None:
    result = compile_form(PROTOTYPE).validate({"area": "B", "clean": "是", "weight": "1,5"}, now=NOW)
    assert result.data == {"area": "B", "clean": True, "weight": 1.5}


def test_a_current_document_is_returned_as_an_equal_copy() -> None:
    doc = form(field("a", "text"))
    upgraded = upgrade_definition(doc)
    assert upgraded == doc and upgraded is not doc


def rename_text_to_string(doc: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for a future upgrade_v1_to_v2: renames the ``text`` type."""
    for spec in doc["fields"]:
        if spec["type"] == "text":
            spec["type"] = "string"
    return doc


def test_steps_are_applied_in_order_up_to_the_target() -> None:
    registry = {**UPGRADES, 1: rename_text_to_string}
    upgraded = upgrade_definition(PROTOTYPE | {"fields": [{"name": "n", "type": "text", "label": "N"}]},
                                  upgrades=registry, target=2)
    assert upgraded["format_version"] == 2
    assert upgraded["fields"][0]["type"] == "string"
    assert upgraded["fields"][0]["label"] == {"en": "N", "zh-CN": "N"}


@pytest.mark.parametrize(
    ("version", "kwargs"),
    [(FORMAT_VERSION + 1, {}), ("1", {}), (True, {}), (0, {"upgrades": {}})],
)
def test_unknown_versions_and_missing_steps_are_refused(version: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ProblemsError) as caught:
        upgrade_definition({**form(field("a", "text")), "format_version": version}, **kwargs)
    problem = caught.value.problems[0]
    assert (problem.path, problem.code) == (("format_version",), "format_version_unsupported")
    assert "不支持格式版本" in problem.message("zh-CN")
