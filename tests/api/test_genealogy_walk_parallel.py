"""PostgreSQL: ``walk_stream`` reads the pieces of a level over reader connections of its own
(on the snapshot the session's transaction exported) and reports exactly what one connection does.

The readers see committed data only, so this graph is committed (foreign keys off
for the load, as the bench loads its graph) and deleted after the test; the API tests' scenes
live in a transaction that is rolled back, where the walk keeps to one connection."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

ORG = 987_654  # no such organisation: foreign keys are off while the graph is loaded
BASE = 900_000  # item and edge ids of this graph (the visited marks grow to them: < 1 MB)
HUB = BASE + 1


def graph_edges() -> list[tuple[int, int, bool]]:
    """(from, to, voided): the hub into 12 lots, each into 3 units (neighbours share one), a
    unit back into the hub and into a lot (cycles), and a voided edge to an item never reached."""
    lots = [BASE + 10 + k for k in range(12)]
    edges = [(HUB, lot, False) for lot in lots]
    for k, lot in enumerate(lots):
        edges += [(lot, BASE + 100 + 2 * k + j, False) for j in range(3)]
    edges += [(BASE + 100, HUB, False), (BASE + 101, lots[5], False), (BASE + 102, BASE + 500, True)]
    edges += [(BASE + 100 + j, BASE + 200 + j, False) for j in range(0, 25, 2)]
    return edges + chain_edges()


CHAIN = BASE + 3000


def chain_edges() -> list[tuple[int, int, bool]]:
    """A chain of 253 items from CHAIN, then two items on either side of CHAIN's id (level 254,
    whose level mark is CHAIN's own: read by range, CHAIN must not be read again), then one."""
    links = [CHAIN] + [CHAIN + 100 + k for k in range(1, 254)]
    edges = [(a, b, False) for a, b in pairwise(links)]
    return [
        *edges,
        (links[-1], CHAIN - 1, False),
        (links[-1], CHAIN + 1, False),
        (CHAIN - 1, CHAIN + 50, False),
    ]


@pytest.fixture
def committed_graph(engine: sa.Engine, backend: str) -> Iterator[None]:
    if backend != "postgresql":
        pytest.skip("reader connections are PostgreSQL's")
    from lotline.platform.genealogy.models import Edge, Item

    edges = graph_edges()
    ids = sorted({HUB} | {end for e in edges for end in e[:2]})
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(
            sa.insert(Item),
            [{"id": i, "organisation_id": ORG, "code": f"WALK-{i}", "kind": "lot"} for i in ids],
        )
        conn.execute(
            sa.insert(Edge),
            [
                {
                    "id": BASE + n,
                    "organisation_id": ORG,
                    "from_item_id": a,
                    "to_item_id": b,
                    "relation": "consumed",
                    "record_id": 1,
                    "voided_by_record_id": 1 if voided else None,
                }
                for n, (a, b, voided) in enumerate(edges)
            ],
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(Edge).where(Edge.organisation_id == ORG))
            conn.execute(sa.delete(Item).where(Item.organisation_id == ORG))


def walk(engine: sa.Engine, chunk: int, direction: str = "forward", start: int = HUB) -> list[Any]:
    from lotline.platform.genealogy import stream

    with Session(engine) as session:
        return [
            (p.level, p.items, p.edges)
            for p in stream.walk_stream(session, ORG, [start], direction, chunk=chunk)  # type: ignore[arg-type]
        ]


@pytest.mark.parametrize(("chunk", "readers"), [(1, 2), (2, 2), (3, 2), (5, 2), (1, 1), (2, 3)])
def test_reader_connections_report_what_one_connection_does(
    committed_graph: None, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, chunk: int, readers: int
) -> None:
    from lotline.platform.genealogy import stream
    from lotline.platform.genealogy import walk as walk_module
    from lotline.platform.genealogy.stream import _Reader

    read_by: list[_Reader] = []
    far_ends = _Reader.far_ends

    def counted(self: _Reader, direction: Any, piece: Any) -> Any:
        read_by.append(self)
        return far_ends(self, direction, piece)

    monkeypatch.setattr(_Reader, "far_ends", counted)
    monkeypatch.setattr(stream, "_READERS", readers)
    parallel = walk(engine, chunk)
    assert len(read_by) >= 4  # several pieces per level: the readers really read
    assert len(set(read_by)) == readers  # in turn: every reader had its share
    monkeypatch.setattr(stream, "_PARALLEL_READS", False)
    read_by.clear()
    serial = walk(engine, chunk)
    assert not read_by
    assert parallel == serial  # same parts in the same order: items, levels, edges scanned
    monkeypatch.setattr(stream, "_DENSE", 0)  # every piece by its ids, none by range
    assert walk(engine, chunk) == serial
    reached = [i for _level, items, _edges in parallel for i in items]
    assert len(reached) == len(set(reached)) and BASE + 500 not in reached
    live = [(a, b) for a, b, voided in graph_edges() if not voided]
    assert sum(edges for _level, _items, edges in parallel) == sum(a in reached for a, _b in live)
    with Session(engine) as session:
        traced = walk_module.trace(session, ORG, [HUB], "forward", with_events=False)
    assert {i: level for level, items, _edges in parallel for i in items} == traced.depth


def test_pieces_come_back_in_order_whichever_reader_is_done_first(
    committed_graph: None, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first reader is slow: the second finishes its pieces first, and still each piece's far
    ends are picked over in the pieces' order."""
    import time

    from lotline.platform.genealogy import stream
    from lotline.platform.genealogy.stream import _Reader

    monkeypatch.setattr(stream, "_PARALLEL_READS", False)
    serial = walk(engine, 2)
    monkeypatch.setattr(stream, "_PARALLEL_READS", True)
    first: list[_Reader] = []
    piece_ends = stream._piece_ends

    def slow_first(conn: Any, direction: Any, piece: Any) -> Any:
        if first and conn is first[0].conn:
            time.sleep(0.01)
        return piece_ends(conn, direction, piece)

    opened = _Reader.open

    def remember(conn: Any) -> Any:
        readers = opened(conn)
        first.extend(readers[:1])
        return readers

    monkeypatch.setattr(_Reader, "open", remember)
    monkeypatch.setattr(stream, "_piece_ends", slow_first)
    assert walk(engine, 2) == serial
    assert first


def test_a_transaction_that_wrote_keeps_to_one_connection(
    committed_graph: None, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reader connections would not see this transaction's writes: no reader."""
    from lotline.platform.genealogy import stream
    from lotline.platform.genealogy.stream import _Reader

    expected = {i for _level, items, _edges in walk(engine, 2) for i in items}
    opened: list[_Reader] = []
    monkeypatch.setattr(_Reader, "__init__", lambda *args: opened.append(args[0]))
    with Session(engine) as session:
        session.connection().exec_driver_sql(f"UPDATE edge SET quantity = 1 WHERE id = {BASE}")
        parts = list(stream.walk_stream(session, ORG, [HUB], "forward", chunk=2))
        session.rollback()
    assert not opened
    assert {i for p in parts for i in p.items} == expected


def test_a_walk_left_halfway_closes_its_reader_connections(committed_graph: None, engine: sa.Engine) -> None:
    from lotline.platform.genealogy import stream

    pool = engine.pool
    with Session(engine) as session:
        parts = stream.walk_stream(session, ORG, [HUB], "forward", chunk=2)
        for part in parts:
            if part.level == 2:
                break
        assert pool.checkedout() == 1 + stream._READERS  # type: ignore[attr-defined]
        parts.close()  # pieces still queued are dropped, the one being read finishes
        assert pool.checkedout() == 1  # type: ignore[attr-defined]


def test_levels_254_apart_share_a_mark_and_the_older_is_forgotten(
    committed_graph: None, engine: sa.Engine
) -> None:
    parts = walk(engine, 2, start=CHAIN)
    depth = {i: level for level, items, _edges in parts for i in items}
    assert depth[CHAIN - 1] == depth[CHAIN + 1] == 254 and depth[CHAIN + 50] == 255
    assert len(depth) == 254 + 3
    assert sum(edges for _level, _items, edges in parts) == len(chain_edges())  # CHAIN read once


def test_level_marks_are_read_back_in_pieces_of_at_most_chunk_ids() -> None:
    from lotline.platform.genealogy.stream import _marked, _pieces, _Seen

    seen = _Seen()
    ids = [3, 4, 5, 9, 40, 41, 1000, 5000, 5001]
    assert seen.new([5000, 3, 41, 9], code=7) == [3, 9, 41, 5000]
    assert seen.new(ids, code=8) == [4, 5, 40, 1000, 5001]
    for chunk in (1, 2, 3, 4, 100):
        pieces = list(_pieces(seen.level, 8, 4, 5001, 5, chunk))
        assert all(1 <= count <= chunk for _start, _stop, count in pieces)
        assert [start for start, _stop, _count in pieces] == sorted(start for start, _s, _c in pieces)
        found = [i for start, stop, count in pieces for i in _marked(seen.level, 8, start, stop, count)]
        assert found == [4, 5, 40, 1000, 5001], chunk
    seen.forget(7, 3, 5000)
    assert _marked(seen.level, 7, 0, len(seen.level), 1) == []
    assert _marked(seen.level, 8, 0, 50, 4) == [4, 5, 40]  # dense: translated and compressed
