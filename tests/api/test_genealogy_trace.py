"""Trace answers: the events of the subgraph (not the whole history of shared lots), depth and
size limits applied inside the walk, and the streamed walk of background traces."""

from __future__ import annotations

from typing import Any

import pytest
from test_capture import assemble, capture, receive

from lotline.platform.demo import CAP_GTIN, build


@pytest.fixture
def operator(admin_client: Any, make_user: Any, sign_in: Any) -> Any:
    """RES-L1 and CAP-L1 shared by SN-1 and SN-2; SN-1 tested, packed on a pallet and shipped."""
    build(admin_client)
    operator = sign_in(make_user("operator", username="olga"))
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin=CAP_GTIN)
    for serial in ("SN-1", "SN-2"):
        assert assemble(operator, serial, ("RES-L1", 4), ("CAP-L1", 2)).status_code == 201
    assert capture(operator, "widget-line", "final_test", "SN-1", {"voltage": "5.01"}).status_code == 201
    packed = capture(operator, "widget-line", "pack", "SN-1", {"pallet": "]C100095060001343520000"})
    assert packed.status_code == 201
    assert capture(operator, "widget-line", "ship", "SN-1", {"customer": "CUST-ACME"}).status_code == 201
    return operator


def item_id(client: Any, code: str) -> int:
    found = client.get(f"/api/items/search?q={code}").get_json()
    assert len(found) == 1, found
    return int(found[0]["id"])


def trace(client: Any, code: str, **query: Any) -> dict[str, Any]:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(f"/api/items/{item_id(client, code)}/trace?{args}")
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def test_backward_events_are_those_of_the_subgraph_not_of_every_use_of_a_shared_lot(operator: Any) -> None:
    sn1 = trace(operator, "SN-1")
    codes = {i["id"]: i["code"] for i in sn1["items"]}
    assert set(codes.values()) == {"SN-1", "RES-L1", "CAP-L1"}
    seen = {(e["biz_step"], codes[e["item_id"]]) for e in sn1["events"]}
    assert {("receiving", "RES-L1"), ("receiving", "CAP-L1")} <= seen  # how the lots came in
    assert {("assembling", "SN-1"), ("assembling", "RES-L1"), ("assembling", "CAP-L1")} <= seen
    assert {("inspecting", "SN-1"), ("shipping", "SN-1")} <= seen  # the unit's own events
    assembling = {e["id"] for e in sn1["events"] if e["biz_step"] == "assembling"}
    assert len(assembling) == 1  # SN-2's assembly consumed the same lots: not part of SN-1's answer
    assert all(e["item_id"] in codes for e in sn1["events"])
    times = [(e["event_time"], e["id"]) for e in sn1["events"]]
    assert times == sorted(times)

    sn2 = trace(operator, "SN-2")
    assert {e["biz_step"] for e in sn2["events"]} == {"receiving", "assembling"}
    assert not {e["id"] for e in sn2["events"]} & assembling


def test_an_items_history_is_every_event_it_took_part_in_with_its_role_paged(operator: Any) -> None:
    lot = item_id(operator, "RES-L1")
    page = operator.get(f"/api/items/{lot}/events").get_json()
    assert page["total"] == 3  # received, then consumed by SN-1 and by SN-2 (the whole history)
    assert [(e["biz_step"], e["role"]) for e in page["items"]] == [
        ("receiving", "output"),
        ("assembling", "input"),
        ("assembling", "input"),
    ]
    assert {e["item_id"] for e in page["items"]} == {lot}
    unit = operator.get(f"/api/items/{item_id(operator, 'SN-1')}/events?limit=2&offset=2").get_json()
    assert unit["total"] >= 4 and len(unit["items"]) == 2
    assert [e["biz_step"] for e in unit["items"]][-1] == "shipping"
    times = [(e["event_time"], e["id"]) for e in unit["items"]]
    assert times == sorted(times)
    missing = operator.get("/api/items/999999/events")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "item_not_found")


def test_forward_events_reach_the_pallet_and_the_shipment(operator: Any) -> None:
    forward = trace(operator, "RES-L1", direction="forward")
    codes = {i["id"]: i["code"] for i in forward["items"]}
    assert set(codes.values()) == {"RES-L1", "SN-1", "SN-2", "095060001343520000"}
    assert forward["items"][0]["code"] == "RES-L1"  # the start first, then by distance
    assert forward["depth"][str(forward["items"][0]["id"])] == 0
    steps = {(e["biz_step"], codes[e["item_id"]]) for e in forward["events"]}
    assert {("packing", "095060001343520000"), ("packing", "SN-1"), ("shipping", "SN-1")} <= steps
    no_events = trace(operator, "RES-L1", direction="forward", events="false")
    assert no_events["events"] == [] and no_events["items"] == forward["items"]


def test_depth_and_size_limits_apply_inside_the_walk(operator: Any) -> None:
    only_start = trace(operator, "RES-L1", direction="forward", max_depth=0)
    assert [i["code"] for i in only_start["items"]] == ["RES-L1"]
    assert only_start["edges"] == [] and only_start["truncated"] is True

    one = trace(operator, "RES-L1", direction="forward", max_depth=1)
    assert {i["code"] for i in one["items"]} == {"RES-L1", "SN-1", "SN-2"} and one["truncated"] is True
    assert sorted(one["depth"].values()) == [0, 1, 1] and len(one["edges"]) == 2

    whole = trace(operator, "RES-L1", direction="forward", max_depth=5)
    assert {i["code"] for i in whole["items"]} == {"RES-L1", "SN-1", "SN-2", "095060001343520000"}
    assert whole["truncated"] is False and max(whole["depth"].values()) == 2

    cut = trace(operator, "RES-L1", direction="forward", max_items=2)
    assert cut["truncated"] is True and len(cut["items"]) == 2 and cut["items"][0]["code"] == "RES-L1"
    kept = {i["id"] for i in cut["items"]}
    assert cut["edges"] and all({e["from_item_id"], e["to_item_id"]} <= kept for e in cut["edges"])
    assert {e["item_id"] for e in cut["events"]} <= kept

    backward = trace(operator, "095060001343520000", max_depth=1)
    assert {i["code"] for i in backward["items"]} == {"095060001343520000", "SN-1"}
    assert [e["relation"] for e in backward["edges"]] == ["contained"]


def test_walk_stream_reports_each_item_once_level_by_level(operator: Any, org: Any) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    start = item_id(operator, "RES-L1")
    organisation_id = org.organisation.id
    parts = list(service.walk_stream(get_session(), organisation_id, [start], "forward", chunk=1))
    reached = [i for p in parts for i in p.items]
    assert len(reached) == len(set(reached)) == 4 and reached[0] == start
    assert [p.level for p in parts] == sorted(p.level for p in parts)
    assert sum(p.edges for p in parts) == 3  # RES-L1 into SN-1 and SN-2, SN-1 onto the pallet
    stranger = list(service.walk_stream(get_session(), organisation_id + 1, [start], "forward"))
    assert [(p.items, p.edges) for p in stranger] == [([], 0)]  # another organisation's item
