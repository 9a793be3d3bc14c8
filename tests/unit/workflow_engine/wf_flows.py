"""Hand-written flows and helpers shared by the workflow-engine unit tests."""

from __future__ import annotations

import copy
from typing import Any

from lotline.workflow_engine import FormInfo

FIELDS = frozenset({"serial", "voltage", "qty", "reason", "defects", "lines"})


def node(node_id: str, node_type: str = "process", **extra: Any) -> dict[str, Any]:
    epcis: dict[str, Any] = {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "other"}
    doc: dict[str, Any] = {
        "id": node_id,
        "type": node_type,
        "form": {"key": f"f-{node_id}", "version": 1},
        "epcis": epcis,
    }
    doc.update(extra)
    return doc


def edge(tid: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"id": tid, "from": source, "to": target, **extra}


FAILED = {"==": [{"var": "result.passed"}, False]}


def pcba_flow() -> dict[str, Any]:
    """receive -> smt -> (aoi || coat) -> final_test (join) -fail-> rework -> final_test
    -> pack -> label (skippable) -> ship; rework twice at most, then scrap.
    Anytime hold / release nodes."""
    return copy.deepcopy({
        "format_version": 1,
        "key": "pcba",
        "version": 1,
        "subject": "unit",
        "name": {"en": "PCBA line", "zh-CN": "PCBA 产线"},
        "start": ["receive"],
        "end": ["ship", "scrap"],
        "nodes": [
            node("receive", "receive", epcis={"eventType": "ObjectEvent", "action": "ADD",
                                              "bizStep": "receiving", "disposition": "active"},
                 actions=[{"type": "create_item", "kind": "unit", "identifier_field": "serial"}]),
            node("smt", "assemble",
                 epcis={"eventType": "TransformationEvent", "bizStep": "assembling"},
                 rules={"allowed_roles": ["operator"], "allowed_stations": ["SMT-1", "SMT-2"],
                        "allowed_materials": "bom"},
                 actions=[{"type": "consume", "quantity_field": "qty"}]),
            node("aoi", "inspect"),
            node("coat", "process"),
            node("final_test", "inspect", join=True,
                 rules={"allowed_roles": ["operator", "quality"]},
                 actions=[{"type": "open_nonconformance", "severity": "minor",
                           "defects_field": "defects", "when": FAILED}]),
            node("rework", "rework", rules={"max_repeats": 2, "on_exhausted": "scrap"}),
            node("pack", "pack", rules={"required_item_statuses": ["released"]}),
            node("label", "process", rules={"skippable": True}),
            node("ship", "ship", epcis={"eventType": "ObjectEvent", "action": "OBSERVE",
                                        "bizStep": "shipping", "disposition": "in_transit"},
                 actions=[{"type": "set_status", "status": "shipped"}]),
            node("scrap", "scrap", epcis={"eventType": "ObjectEvent", "action": "DELETE",
                                          "bizStep": "destroying", "disposition": "destroyed"},
                 actions=[{"type": "set_status", "status": "scrapped"}]),
            node("hold", "hold", anytime=True, epcis={"eventType": "ObjectEvent",
                 "action": "OBSERVE", "bizStep": "holding", "disposition": "non_sellable_other"},
                 actions=[{"type": "hold", "reason_field": "reason"}]),
            node("release", "release", anytime=True,
                 rules={"allowed_roles": ["quality"],
                        "signatures": {"meanings": ["approved", "reviewed"],
                                       "distinct_signers": True}},
                 actions=[{"type": "release"}]),
        ],
        "transitions": [
            edge("t_recv", "receive", "smt"),
            edge("t_aoi", "smt", "aoi", parallel=True),
            edge("t_coat", "smt", "coat", parallel=True),
            edge("t_aoi_done", "aoi", "final_test"),
            edge("t_coat_done", "coat", "final_test"),
            edge("t_fail", "final_test", "rework", condition=FAILED,
                 actions=[{"type": "notify", "roles": ["quality"], "template": "test_failed"}]),
            edge("t_pass", "final_test", "pack", default=True),
            edge("t_retest", "rework", "final_test"),
            edge("t_pack", "pack", "label"),
            edge("t_label", "label", "ship"),
        ],
    })


def forms_for(flow: dict[str, Any], fields: frozenset[str] = FIELDS) -> dict[tuple[str, int], FormInfo]:
    return {(n["form"]["key"], n["form"]["version"]): FormInfo(fields) for n in flow["nodes"]}


OPERATOR = {"actor": "op1", "roles": ["operator"], "station": "SMT-1",
            "item": {"status": "released", "material": "PCBA-1"},
            "materials": [{"material": "RES-10K", "lot": "L1", "status": "released"}],
            "bom": ["RES-10K", "CAP-1U"], "now": "2025-06-01T08:00:00+08:00"}
