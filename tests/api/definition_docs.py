"""Realistic form and flow documents shared by the definitions API tests."""

from __future__ import annotations

import copy
from typing import Any


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


RECEIVING_FORM: dict[str, Any] = {
    "format_version": 1,
    "title": _label("Goods receipt", "收货"),
    "fields": [
        {
            "key": "lot",
            "type": "scan",
            "kind": "item",
            "label": _label("Supplier lot", "供应商批次"),
            "required": True,
        },
        {
            "key": "qty",
            "type": "number",
            "unit": "kg",
            "decimals": 3,
            "min": 0,
            "label": _label("Quantity", "数量"),
            "required": True,
        },
        {
            "key": "temp",
            "type": "measurement",
            "unit": "°C",
            "spec": {"lsl": 0, "usl": 5},
            "label": _label("Core temperature", "中心温度"),
        },
        {
            "key": "decision",
            "type": "select",
            "label": _label("Decision", "判定"),
            "required": True,
            "options": [
                {"value": "accept", "label": _label("Accept", "接收")},
                {"value": "reject", "label": _label("Reject", "拒收")},
            ],
        },
    ],
}

TEST_FORM: dict[str, Any] = {
    "format_version": 1,
    "title": _label("Final test", "终检"),
    "fields": [
        {
            "key": "serial",
            "type": "scan",
            "kind": "serial",
            "label": _label("Serial", "序列号"),
            "required": True,
        },
        {"key": "passed", "type": "boolean", "label": _label("Passed", "合格"), "required": True},
    ],
}


def form(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(RECEIVING_FORM)
    doc.update(changes)
    return doc


def _node(node_id: str, node_type: str, form_key: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": node_type,
        "name": _label(node_id.title(), node_id),
        "form": {"key": form_key, "version": 1},
        "epcis": {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting"},
        **extra,
    }


def flow(**changes: Any) -> dict[str, Any]:
    """receive -> final_test -(failed)-> rework -> final_test; -(passed)-> ship."""
    doc: dict[str, Any] = {
        "format_version": 1,
        "subject": "unit",
        "name": _label("Unit line", "单件产线"),
        "start": ["receive"],
        "end": ["ship"],
        "nodes": [
            _node(
                "receive",
                "receive",
                "receiving",
                epcis={"eventType": "ObjectEvent", "action": "ADD", "bizStep": "receiving"},
            ),
            _node("final_test", "inspect", "final_test"),
            _node("rework", "rework", "final_test", rules={"max_repeats": 2}),
            _node(
                "ship",
                "ship",
                "final_test",
                epcis={"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping"},
            ),
        ],
        "transitions": [
            {"id": "t1", "from": "receive", "to": "final_test"},
            {
                "id": "t_fail",
                "from": "final_test",
                "to": "rework",
                "condition": {"==": [{"var": "data.passed"}, False]},
            },
            {"id": "t_pass", "from": "final_test", "to": "ship", "default": True},
            {"id": "t_back", "from": "rework", "to": "final_test"},
        ],
    }
    doc.update(changes)
    return doc
