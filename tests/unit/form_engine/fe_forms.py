"""Builders for form definitions used across the form-engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GS1_VECTOR = "\x1d01095060001343521726123110ABC123\x1d21SN0001"


def text(en: str, zh: str | None = None) -> dict[str, str]:
    return {"en": en, "zh-CN": zh or f"{en}（中文）"}


def field(key: str, type_: str, **options: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": text(key.replace("_", " ").title()), **options}


def form(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"format_version": 1, "key": "test_form", "title": text("Test form", "测试表单"),
            "fields": list(fields), **extra}


def options(*values: str) -> list[dict[str, Any]]:
    return [{"value": value, "label": text(value.title())} for value in values]


def receipt_form() -> dict[str, Any]:
    """A goods-receipt form touching most field types, rules and bindings."""
    return form(
        field("supplier_lot", "scan", kind="item", required=True, require_lot=True,
              section="material", trace={"role": "input", "quantity": "quantity"}),
        field("quantity", "number", unit="kg", decimals=3, min=0, required=True,
              section="material"),
        field("pallet", "scan", kind="container", section="material",
              trace={"role": "container"}),
        field("received_at", "datetime", required=True, not_future=True),
        field("decision", "select", options=options("accept", "reject"), required=True,
              section="inspection"),
        field("reject_reason", "text", required=True, section="inspection",
              visible_when={"==": [{"var": "decision"}, "reject"]}),
        field("diameter", "measurement", unit="mm", decimals=3, section="inspection",
              spec={"lsl": 9.95, "warn_low": 9.97, "target": 10.0, "warn_high": 10.03,
                    "usl": 10.05}, trace={"role": "measurement"}),
        field("photos", "photo", max_items=3, section="inspection",
              required_when={"==": [{"var": "decision"}, "reject"]}),
        field("inspector", "scan", kind="operator", formats=["internal"], pattern=r"OP-\d{4}",
              trace={"role": "operator"}),
        field("approval", "signature", meaning="approved", signer_role="quality"),
        sections=[{"key": "material", "title": text("Material", "物料")},
                  {"key": "inspection", "title": text("Inspection", "检验")}],
    )


def receipt_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "supplier_lot": GS1_VECTOR,
        "quantity": "12,5",
        "pallet": "]C100106141411234567897",
        "received_at": "2026-11-28T08:30:00+08:00",
        "decision": "accept",
        "diameter": "10.01",
        "inspector": "OP-0042",
        "approval": "sig_01HZX",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}
