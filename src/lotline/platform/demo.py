"""A small electronics plant, set up through the real API: materials with a BOM, two stations,
a torque tool, a customer location, six forms and two published flows (goods-in for supplier
lots; an assembly line for serialised units with test, rework, packing and shipping).

``lotline demo`` uses it to give a new installation something real to trace; the capture tests
use the same plant. ``client`` is anything with ``get``/``post`` like Flask's test client.
"""

from __future__ import annotations

from typing import Any


def label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


RES_GTIN = "09506000134352"
CAP_GTIN = "09506000134369"
GLUE_GTIN = "09506000134376"

FORMS: dict[str, dict[str, Any]] = {
    "receiving": {
        "format_version": 1,
        "title": label("Goods receipt", "收货"),
        "fields": [
            {
                "key": "lot",
                "type": "scan",
                "kind": "item",
                "label": label("Supplier lot", "供应商批次"),
                "required": True,
                "trace": {"role": "output", "quantity": "qty"},
            },
            {"key": "qty", "type": "number", "min": 0, "label": label("Quantity", "数量"), "required": True},
        ],
    },
    "assembly": {
        "format_version": 1,
        "title": label("Assembly", "装配"),
        "fields": [
            {
                "key": "components",
                "type": "group",
                "label": label("Components", "零部件"),
                "min_items": 1,
                "fields": [
                    {
                        "key": "lot",
                        "type": "scan",
                        "kind": "item",
                        "label": label("Lot", "批次"),
                        "required": True,
                        "trace": {"role": "input", "quantity": "qty"},
                    },
                    {
                        "key": "qty",
                        "type": "number",
                        "min": 0,
                        "label": label("Quantity", "数量"),
                        "required": True,
                    },
                ],
            },
            {
                "key": "tool",
                "type": "scan",
                "kind": "equipment",
                "label": label("Tool", "工具"),
                "trace": {"role": "equipment"},
            },
        ],
    },
    "final_test": {
        "format_version": 1,
        "title": label("Final test", "终检"),
        "fields": [
            {
                "key": "voltage",
                "type": "measurement",
                "unit": "V",
                "spec": {"lsl": 4.5, "target": 5, "usl": 5.5},
                "label": label("Output voltage", "输出电压"),
                "required": True,
            },
        ],
    },
    "rework": {
        "format_version": 1,
        "title": label("Rework", "返工"),
        "fields": [
            {
                "key": "part",
                "type": "scan",
                "kind": "item",
                "label": label("Replacement lot", "替换件批次"),
                "trace": {"role": "input", "quantity": "qty"},
            },
            {"key": "qty", "type": "number", "min": 0, "label": label("Quantity", "数量")},
            {"key": "note", "type": "text", "label": label("What was done", "处理说明")},
        ],
    },
    "packing": {
        "format_version": 1,
        "title": label("Packing", "包装"),
        "fields": [
            {
                "key": "pallet",
                "type": "scan",
                "kind": "container",
                "label": label("Pallet SSCC", "托盘 SSCC"),
                "required": True,
                "trace": {"role": "container"},
            },
        ],
    },
    "shipping": {
        "format_version": 1,
        "title": label("Shipping", "发货"),
        "fields": [
            {
                "key": "customer",
                "type": "scan",
                "kind": "location",
                "label": label("Customer", "客户"),
                "required": True,
                "trace": {"role": "location"},
            },
        ],
    },
}


def node(node_id: str, node_type: str, form: str, epcis: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A flow node collecting version 1 of ``form``, named by its id."""
    return {
        "id": node_id,
        "type": node_type,
        "name": label(node_id, node_id),
        "form": {"key": form, "version": 1},
        "epcis": epcis,
        **extra,
    }


GOODS_IN = {
    "format_version": 1,
    "subject": "lot",
    "name": label("Goods in", "来料"),
    "start": ["receive"],
    "end": ["receive"],
    "nodes": [
        node(
            "receive",
            "receive",
            "receiving",
            {"eventType": "ObjectEvent", "action": "ADD", "bizStep": "receiving", "disposition": "active"},
        )
    ],
    "transitions": [],
}

ASSEMBLY = {
    "format_version": 1,
    "subject": "unit",
    "name": label("Widget line", "产品装配线"),
    "start": ["assemble"],
    "end": ["ship"],
    "nodes": [
        node(
            "assemble",
            "assemble",
            "assembly",
            {"eventType": "TransformationEvent", "bizStep": "assembling"},
            rules={"allowed_materials": "bom", "allowed_stations": ["ST-1"]},
            actions=[{"type": "create_item", "kind": "unit", "material": "WIDGET"}],
        ),
        node(
            "final_test",
            "inspect",
            "final_test",
            {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting"},
            station={"auto_submit": True},  # scan the unit, type the reading, Enter: sent
        ),
        node(
            "rework",
            "rework",
            "rework",
            {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "repairing"},
            rules={"max_repeats": 2},
        ),
        node(
            "pack",
            "pack",
            "packing",
            {"eventType": "AggregationEvent", "action": "ADD", "bizStep": "packing"},
        ),
        node(
            "ship",
            "ship",
            "shipping",
            {
                "eventType": "ObjectEvent",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
            },
            actions=[{"type": "set_status", "status": "shipped"}],
        ),
    ],
    "transitions": [
        {"id": "t_test", "from": "assemble", "to": "final_test"},
        {
            "id": "t_fail",
            "from": "final_test",
            "to": "rework",
            "condition": {"==": [{"var": "result.passed"}, False]},
        },
        {"id": "t_pass", "from": "final_test", "to": "pack", "default": True},
        {"id": "t_retest", "from": "rework", "to": "final_test"},
        {"id": "t_ship", "from": "pack", "to": "ship"},
    ],
}


def build(admin: Any) -> dict[str, Any]:
    """Master data, forms and flows through the real API; returns ids worth knowing."""

    def ok(response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    site_id = ok(admin.get("/api/sites"))[0]["id"]
    materials = {}
    for code, kind, gtin, tracking in (
        ("RES", "component", RES_GTIN, "lot"),
        ("CAP", "component", CAP_GTIN, "lot"),
        ("GLUE", "raw", GLUE_GTIN, "lot"),
        ("WIDGET", "finished", None, "serial"),
    ):
        body = {
            "code": code,
            "name_en": code.title(),
            "name_zh": code,
            "kind": kind,
            "uom": "ea",
            "tracking": tracking,
            "shelf_life_days": 365,
        }
        if gtin:
            body["gtin"] = gtin
        materials[code] = ok(admin.post("/api/masterdata/materials", json=body))["id"]
    ok(
        admin.post(
            "/api/masterdata/boms",
            json={
                "material_id": materials["WIDGET"],
                "lines": [
                    {"component_material_id": materials["RES"], "quantity": 4},
                    {"component_material_id": materials["CAP"], "quantity": 2},
                ],
            },
        )
    )
    for code in ("ST-1", "ST-2"):
        ok(
            admin.post(
                "/api/masterdata/stations", json={"site_id": site_id, "code": code, "name": f"Station {code}"}
            )
        )
    ok(
        admin.post(
            "/api/masterdata/equipment", json={"site_id": site_id, "code": "TQ-7", "name": "Torque driver"}
        )
    )
    ok(
        admin.post(
            "/api/masterdata/locations",
            json={
                "code": "CUST-ACME",
                "name": "ACME Retail DC",
                "kind": "external",
                "business_name": "ACME Retail",
                "phone": "+1 555 0100",
                "street": "1 Main St",
                "city": "Springfield",
                "region": "IL",
                "postal_code": "62701",
                "country": "US",
            },
        )
    )
    for key, document in FORMS.items():
        ok(admin.post("/api/forms", json={"key": key, "document": document}))
        ok(admin.post(f"/api/forms/{key}/publish", json={}))
    for key, document in (("goods-in", GOODS_IN), ("widget-line", ASSEMBLY)):
        ok(admin.post("/api/flows", json={"key": key, "document": document}))
        ok(admin.post(f"/api/flows/{key}/publish", json={}))
    return {"site_id": site_id, "materials": materials}


class TokenClient:
    """A Flask test client that sends an API token (no browser session, so no CSRF token)."""

    def __init__(self, client: Any, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.headers, **kw)


def produce(client: Any, units: int = 5) -> dict[str, Any]:
    """A morning's production: two supplier lots received, ``units`` widgets assembled and tested
    (every third fails and is reworked), packed on a pallet and shipped to ACME."""

    sequence = iter(range(1, 1_000_000))

    def post(flow: str, node: str, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = client.post(
            "/api/records",
            json={
                "idempotency_key": f"demo-{subject}-{next(sequence):06d}",
                "flow": flow,
                "node": node,
                "subject": subject,
                "station": "ST-1",
                "payload": payload,
            },
        )
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    post("goods-in", "receive", "RES-2611-A", {"lot": f"]d201{RES_GTIN}10RES-2611-A", "qty": "1000"})
    post("goods-in", "receive", "CAP-2611-B", {"lot": f"]d201{CAP_GTIN}10CAP-2611-B", "qty": "500"})
    serials = [f"WDG-{n:05d}" for n in range(1, units + 1)]
    for index, serial in enumerate(serials):
        post(
            "widget-line",
            "assemble",
            serial,
            {
                "components": [{"lot": "RES-2611-A", "qty": 4}, {"lot": "CAP-2611-B", "qty": 2}],
                "tool": "TQ-7",
            },
        )
        if index % 3 == 2:
            post("widget-line", "final_test", serial, {"voltage": "5.71"})
            post("widget-line", "rework", serial, {"part": "CAP-2611-B", "qty": "1", "note": "C2 replaced"})
        post("widget-line", "final_test", serial, {"voltage": "5.02"})
        post("widget-line", "pack", serial, {"pallet": "]C100095060001343520000"})
        post("widget-line", "ship", serial, {"customer": "CUST-ACME"})
    return {"lots": ["RES-2611-A", "CAP-2611-B"], "units": serials, "pallet": "095060001343520000"}
