"""The streamed walk of background traces (``walk_stream``): the same items as the request trace
whatever the chunk size, each item once, levels in order, voided edges skipped, and the CSV
export (which streams) equal to the trace (which does not)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from test_capture import assemble, capture, receive

from lotline.platform.demo import CAP_GTIN, build

PALLET = "095060001343520000"


@pytest.fixture
def scene(admin_client: Any, make_user: Any, sign_in: Any) -> Any:
    """RES-L1 and CAP-L1 into SN-1..SN-5 (CAP-L2 into SN-5 too); SN-1 and SN-2 on one pallet.
    SN-3 was first assembled with CAP-L1 and corrected to CAP-L2: that edge is voided."""
    build(admin_client)
    operator = sign_in(make_user("operator", username="olga"))
    supervisor = sign_in(make_user("supervisor", "quality", username="sam"))
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin=CAP_GTIN)
    receive(operator, "CAP-L2", 100, gtin=CAP_GTIN)
    for serial in ("SN-1", "SN-2", "SN-4"):
        assert assemble(operator, serial, ("RES-L1", 4), ("CAP-L1", 2)).status_code == 201
    wrong = assemble(operator, "SN-3", ("RES-L1", 4), ("CAP-L1", 2)).get_json()["record"]
    fixed = assemble(
        supervisor, "SN-3", ("RES-L1", 4), ("CAP-L2", 2), corrects=wrong["id"], reason="wrong reel"
    )
    assert fixed.status_code == 201, fixed.get_json()
    assert assemble(operator, "SN-5", ("RES-L1", 4), ("CAP-L1", 1), ("CAP-L2", 1)).status_code == 201
    for serial in ("SN-1", "SN-2"):
        assert capture(operator, "widget-line", "final_test", serial, {"voltage": "5.01"}).status_code == 201
        packed = capture(operator, "widget-line", "pack", serial, {"pallet": f"]C100{PALLET}"})
        assert packed.status_code == 201, packed.get_json()
    return operator


def ids_by_code(client: Any, *codes: str) -> dict[str, int]:
    found = {}
    for code in codes:
        items = client.get(f"/api/items/search?q={code}").get_json()
        assert len(items) == 1, items
        found[code] = int(items[0]["id"])
    return found


def live_edges(session: Any, direction: str, item_ids: set[int]) -> int:
    """Live edges whose near end is one of ``item_ids``: what a whole walk scans."""
    from sqlalchemy import func, select

    from lotline.platform.genealogy.models import Edge

    near = Edge.to_item_id if direction == "backward" else Edge.from_item_id
    query = select(func.count()).where(near.in_(item_ids), Edge.voided_by_record_id.is_(None))
    return int(session.scalar(query))


@pytest.mark.parametrize(
    ("start", "direction"),
    [("RES-L1", "forward"), ("CAP-L1", "forward"), ("CAP-L2", "forward"), (PALLET, "backward")],
)
def test_walk_stream_equals_the_trace_at_every_chunk_size(
    scene: Any, org: Any, start: str, direction: str
) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    session = get_session()
    organisation_id = org.organisation.id
    start_id = ids_by_code(scene, start)[start]
    whole = service.trace(session, organisation_id, [start_id], direction, with_events=False)  # type: ignore[arg-type]
    depth = whole.depth
    for chunk in (1, 2, 3, 1000):
        parts = list(service.walk_stream(session, organisation_id, [start_id], direction, chunk=chunk))  # type: ignore[arg-type]
        reached = [i for p in parts for i in p.items]
        assert len(reached) == len(set(reached)) and set(reached) == set(depth), chunk
        assert all(depth[i] == p.level for p in parts for i in p.items), chunk  # breadth first
        assert [p.level for p in parts] == sorted(p.level for p in parts)
        assert all(p.items == sorted(p.items) for p in parts)
        assert sum(p.edges for p in parts) == live_edges(session, direction, set(reached)), chunk


def test_voided_edges_are_not_walked(scene: Any, org: Any) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    ids = ids_by_code(scene, "CAP-L1", "SN-1", "SN-2", "SN-3", "SN-4", "SN-5", PALLET)
    parts = list(service.walk_stream(get_session(), org.organisation.id, [ids["CAP-L1"]], "forward"))
    reached = {i for p in parts for i in p.items}
    assert reached == {ids[c] for c in ("CAP-L1", "SN-1", "SN-2", "SN-4", "SN-5", PALLET)}  # not SN-3


def test_walk_stream_from_several_starts_and_unknown_ones(scene: Any, org: Any) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    ids = ids_by_code(scene, "SN-1", "SN-3", "RES-L1", "CAP-L1", "CAP-L2")
    starts = [ids["SN-3"], ids["SN-1"], ids["SN-1"], 10**9]  # a duplicate and no such item
    parts = list(service.walk_stream(get_session(), org.organisation.id, starts, "backward", chunk=1))
    assert parts[0].level == 0 and parts[0].items == sorted({ids["SN-1"], ids["SN-3"]})
    assert {i for p in parts[1:] for i in p.items} == {ids["RES-L1"], ids["CAP-L1"], ids["CAP-L2"]}


def test_the_streamed_csv_export_equals_the_trace(scene: Any, org: Any, tmp_path: Path) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    session = get_session()
    for start, direction in (("RES-L1", "forward"), (PALLET, "backward")):
        start_id = ids_by_code(scene, start)[start]
        target = tmp_path / f"{direction}.csv"
        rows = service.export_trace_csv(session, org.organisation.id, [start_id], direction, target)  # type: ignore[arg-type]
        with target.open(encoding="utf-8") as handle:
            exported = list(csv.DictReader(handle))
        traced = service.trace(session, org.organisation.id, [start_id], direction, with_events=False)  # type: ignore[arg-type]
        assert rows == len(exported) == len(traced.items)
        assert sorted(int(r["item_id"]) for r in exported) == sorted(i.id for i in traced.items)
        assert {r["code"] for r in exported} == {i.code for i in traced.items}


def test_visited_marks_grow_and_report_each_id_once() -> None:
    from lotline.platform.genealogy.stream import _Seen

    seen = _Seen()
    assert seen.new([]) == []
    assert seen.new([5]) == [5]  # one id: its mark is read without itemgetter
    assert seen.new([5, 3, 5, 3]) == [3]
    assert seen.new([300_000]) == [300_000]  # one id beyond the marks
    assert seen.new([3, 200_000, 7, 200_000]) == [7, 200_000]  # beyond the marks: they grow
    assert seen.new([7, 5, 3, 200_000, 300_000]) == []
    assert len(seen.unseen) > 300_000
