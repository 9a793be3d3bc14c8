"""A realistic genealogy, generated deterministically and loaded through a bulk path.

Shape (shares of ``--items``; time runs over one year and every consumption takes lots made
shortly before it, so the graph has the locality of a real plant):

* raw lots received from suppliers: bulk raws (resin, additive, pigment: 5 %) for compounding,
  purchased components (resistors, capacitors, screws, film: 3 %) for assembly;
* three *hub* lots (a resin silo lot in 60 % of compounds, an additive lot in 25 % of blends, a
  packaging-film lot in 20 % of finished units) whose forward trace reaches most of the graph;
* compounds (4 %) merging 2-5 bulk raw lots; half of them split into 2-6 sub-lots;
* blends (2.5 %) merging 2-4 compound (sub-)lots; 60 % of them split into 2-6 sub-lots;
* serialised finished units (the rest, ~70 %) each consuming 1-2 blend (sub-)lots and 1-2
  component lots (plus the film hub);
* pallets (SSCC) each containing ~50 consecutive units.

1 M items give ~3.1 M edges. Every item has its creating record + event (receive, merge, split,
assemble, pack: one record and one EPCIS event per operation), with ``item_event`` rows for its
outputs, inputs, pallet parents and children, as capture writes them.

Bulk path: PostgreSQL ``COPY`` (psycopg ``cursor.copy``) with the secondary indexes dropped
during the load and rebuilt after it, foreign-key triggers off for the load session
(``session_replication_role = replica``), then ``VACUUM ANALYZE``; SQLite ``executemany`` in one
transaction with ``synchronous=OFF``, an in-memory journal and a large cache for the load only,
indexes rebuilt after it, then back to WAL (no ``ANALYZE``, like the app). The schema is the real one (Alembic
migrations); the organisation, users, materials, forms and flows that foreign keys need are made
through the real API first.

    .venv/bin/python bench/genealogy_data.py --sqlite /tmp/lotline-bench/genealogy.db --items 1000000
    .venv/bin/python bench/genealogy_data.py --postgres postgresql+psycopg://postgres@127.0.0.1/lotline_bench_trace
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TABLES = ("record", "event", "item", "edge", "item_event")
YEAR_START = np.datetime64("2025-01-01T00:00:00", "us")
HUBS = ("RESIN", "ADDITIVE", "FILM")
RAW_BULK, RAW_COMPONENTS = ("RESIN", "ADDITIVE", "PIGMENT"), ("RES", "CAP", "SCREW", "FILM")
MARKER = "Lotline bench genealogy items={items} seed={seed}"


@dataclass
class Graph:
    """Items, edges, records (= events) and item_event rows as numpy columns and string lists."""

    n: int
    code: list[str] = field(default_factory=list)
    kind: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 0 lot, 1 unit, 2 container
    material: list[str | None] = field(default_factory=list)
    time: np.ndarray = field(default_factory=lambda: np.zeros(0))
    record: np.ndarray = field(default_factory=lambda: np.zeros(0))  # creating record id
    role: dict[str, np.ndarray] = field(default_factory=dict)  # class name -> global ids
    edges: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # src, dst, rel (0 consumed, 1 contained), qty, rec
    records: dict[str, Any] = field(default_factory=dict)  # time, op, n_in
    item_event: np.ndarray = field(default_factory=lambda: np.zeros(0))  # rows (event, item, role code)
    quantity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    remaining: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _pick(
    rng: np.random.Generator, src_times: np.ndarray, times: np.ndarray, low: int, high: int, window: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """For each consumer (at ``times``), low..high inputs among the ``window`` newest sources."""
    counts = rng.integers(low, high + 1, len(times))
    consumer = np.repeat(np.arange(len(times)), counts)
    newest = np.searchsorted(src_times, times[consumer], side="right") - 1
    chosen = np.clip(newest - rng.integers(0, window, len(consumer)), 0, len(src_times) - 1)
    return consumer, chosen


def _split(rng: np.random.Generator, parents: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Which parents are split, and for each sub-lot its parent (position in ``parents``)."""
    split = rng.random(len(parents)) < share
    sizes = np.where(split, rng.integers(2, 7, len(parents)), 0)
    return split, np.repeat(np.arange(len(parents)), sizes)


def generate(items: int, seed: int = 7) -> Graph:
    rng = np.random.default_rng(seed)
    n_rb, n_rc, n_m1, n_m2 = int(items * 0.05), int(items * 0.03), int(items * 0.04), int(items * 0.025)
    t_rb = np.sort(rng.random(n_rb)) * 0.98
    t_rc = np.sort(rng.random(n_rc)) * 0.98
    t_m1 = np.sort(0.01 + rng.random(n_m1) * 0.98)
    m1_split, s1_parent = _split(rng, t_m1, 0.5)
    t_s1 = t_m1[s1_parent] + 1e-6
    t_m2 = np.sort(0.02 + rng.random(n_m2) * 0.98)
    m2_split, s2_parent = _split(rng, t_m2, 0.6)
    t_s2 = t_m2[s2_parent] + 1e-6
    rest = items - (3 + n_rb + n_rc + n_m1 + len(t_s1) + n_m2 + len(t_s2))
    n_u = rest * 50 // 51
    n_p = rest - n_u
    if n_u <= 0 or min(n_rb, n_rc, n_m1, n_m2, n_p) <= 0:
        raise SystemExit("--items is too small for this shape (use at least 2,000)")
    t_u = np.sort(0.03 + rng.random(n_u) * 0.97)
    pallet_of = np.arange(n_u) * n_p // n_u
    t_p = np.maximum.reduceat(t_u, np.searchsorted(pallet_of, np.arange(n_p))) + 1e-6

    # Classes in a fixed order, then global ids by time (what a real plant's sequence gives).
    classes = [
        ("hub", np.zeros(3)),
        ("rb", t_rb),
        ("rc", t_rc),
        ("m1", t_m1),
        ("s1", t_s1),
        ("m2", t_m2),
        ("s2", t_s2),
        ("u", t_u),
        ("p", t_p),
    ]
    offsets, all_times = {}, []
    start = 0
    for name, times in classes:
        offsets[name] = start
        start += len(times)
        all_times.append(times)
    flat = np.concatenate(all_times)
    order = np.argsort(flat, kind="stable")
    gid = np.empty(items, np.int64)
    gid[order] = np.arange(1, items + 1)
    g = Graph(items)

    def ids(name: str, local: np.ndarray | None = None) -> np.ndarray:
        size = len(dict(classes)[name])
        local = np.arange(size) if local is None else local
        return gid[offsets[name] + local]

    g.role = {name: ids(name) for name, _ in classes}

    # Edges: (src gid, dst gid, relation, quantity); consumed unless noted.
    src, dst, rel, qty = [], [], [], []

    def add(s: np.ndarray, d: np.ndarray, q: np.ndarray, relation: int = 0) -> None:
        src.append(s), dst.append(d), qty.append(q), rel.append(np.full(len(s), relation, np.int8))

    c, r = _pick(rng, t_rb, t_m1, 2, 5)  # compounds <- bulk raws (+ resin hub)
    add(ids("rb", r), ids("m1", c), rng.uniform(20, 200, len(c)).round(1))
    hub = np.flatnonzero(rng.random(n_m1) < 0.6)
    add(np.full(len(hub), ids("hub")[0]), ids("m1", hub), rng.uniform(50, 300, len(hub)).round(1))
    pool1 = np.concatenate([ids("m1", np.flatnonzero(~m1_split)), ids("s1")])  # usable compound lots
    pool1_t = np.concatenate([t_m1[~m1_split], t_s1])
    sort1 = np.argsort(pool1_t, kind="stable")
    pool1, pool1_t = pool1[sort1], pool1_t[sort1]
    c, r = _pick(rng, pool1_t, t_m2, 2, 4)  # blends <- compound lots (+ additive hub)
    add(pool1[r], ids("m2", c), rng.uniform(20, 200, len(c)).round(1))
    hub = np.flatnonzero(rng.random(n_m2) < 0.25)
    add(np.full(len(hub), ids("hub")[1]), ids("m2", hub), rng.uniform(5, 20, len(hub)).round(1))
    pool2 = np.concatenate([ids("m2", np.flatnonzero(~m2_split)), ids("s2")])
    pool2_t = np.concatenate([t_m2[~m2_split], t_s2])
    sort2 = np.argsort(pool2_t, kind="stable")
    pool2, pool2_t = pool2[sort2], pool2_t[sort2]
    c, r = _pick(rng, pool2_t, t_u, 1, 1)  # units <- a blend lot, component lots (+ film hub)
    add(pool2[r], ids("u", c), np.full(len(c), 0.25))
    c, r = _pick(rng, t_rc, t_u, 1, 2, window=40)
    add(ids("rc", r), ids("u", c), rng.integers(1, 7, len(c)).astype(float))
    hub = np.flatnonzero(rng.random(n_u) < 0.2)
    add(np.full(len(hub), ids("hub")[2]), ids("u", hub), np.full(len(hub), 0.05))
    add(ids("u"), ids("p", pallet_of), np.full(n_u, np.nan), 1)  # units -> pallets (contained)

    e_src, e_dst, e_rel, e_qty = (np.concatenate(x) for x in (src, dst, rel, qty))
    key = e_src * (items + 1) + e_dst
    _, first = np.unique(key, return_index=True)  # one edge per (from, to): no duplicate scans
    first.sort()
    e_src, e_dst, e_rel, e_qty = e_src[first], e_dst[first], e_rel[first], e_qty[first]
    # Splits: parent -> each sub-lot, quantity = parent quantity / parts (filled in below).
    split_edges = [
        (
            ids("m1", np.flatnonzero(m1_split))[np.searchsorted(np.flatnonzero(m1_split), s1_parent)],
            ids("s1"),
            s1_parent,
        ),
        (
            ids("m2", np.flatnonzero(m2_split))[np.searchsorted(np.flatnonzero(m2_split), s2_parent)],
            ids("s2"),
            s2_parent,
        ),
    ]

    # Quantities: merges make what they consume; splits share it; raw lots hold a bit more.
    quantity = np.full(items + 1, np.nan)
    consumed_in = np.bincount(e_dst[e_rel == 0], weights=e_qty[e_rel == 0], minlength=items + 1)
    for parents_name, (parent_gid, child_gid, parent_local) in zip(("m1", "m2"), split_edges, strict=True):
        quantity[ids(parents_name)] = consumed_in[ids(parents_name)]
        parts = np.bincount(parent_local, minlength=len(dict(classes)[parents_name]))[parent_local]
        quantity[child_gid] = (quantity[parent_gid] / parts).round(3)
        e_src = np.concatenate([e_src, parent_gid])
        e_dst = np.concatenate([e_dst, child_gid])
        e_rel = np.concatenate([e_rel, np.zeros(len(child_gid), np.int8)])
        e_qty = np.concatenate([e_qty, quantity[child_gid]])
    consumed_out = np.bincount(e_src[e_rel == 0], weights=e_qty[e_rel == 0], minlength=items + 1)
    raws = np.concatenate([ids("hub"), ids("rb"), ids("rc")])
    quantity[raws] = (consumed_out[raws] * rng.uniform(1.0, 1.25, len(raws)) + 25).round(0)
    quantity[ids("u")] = 1
    remaining = np.where(np.isnan(quantity), np.nan, np.maximum(quantity - consumed_out, 0).round(3))
    g.quantity, g.remaining = quantity, remaining

    # Records (= events), one per operation, numbered by time.
    op_time = np.concatenate(
        [np.zeros(3), t_rb, t_rc, t_m1, t_m1[m1_split] + 1e-6, t_m2, t_m2[m2_split] + 1e-6, t_u, t_p]
    )
    op_kind = np.concatenate(
        [
            np.full(n, k, np.int8)
            for n, k in (
                (3 + n_rb + n_rc, 0),
                (n_m1, 1),
                (int(m1_split.sum()), 2),
                (n_m2, 1),
                (int(m2_split.sum()), 2),
                (n_u, 3),
                (n_p, 4),
            )
        ]
    )
    op_rank = np.empty(len(op_time), np.int64)
    op_rank[np.argsort(op_time, kind="stable")] = np.arange(1, len(op_time) + 1)
    record = np.zeros(items + 1, np.int64)
    base = 0
    for name in ("hub", "rb", "rc", "m1"):
        record[ids(name)] = op_rank[base : base + len(ids(name))]
        base += len(ids(name))
    s1_ops = op_rank[base : base + int(m1_split.sum())]
    base += len(s1_ops)
    record[ids("s1")] = s1_ops[np.searchsorted(np.flatnonzero(m1_split), s1_parent)]
    record[ids("m2")] = op_rank[base : base + n_m2]
    base += n_m2
    s2_ops = op_rank[base : base + int(m2_split.sum())]
    base += len(s2_ops)
    record[ids("s2")] = s2_ops[np.searchsorted(np.flatnonzero(m2_split), s2_parent)]
    record[ids("u")] = op_rank[base : base + n_u]
    record[ids("p")] = op_rank[base + n_u :]
    g.record = record
    e_rec = record[e_dst]  # the record that made the edge's target (a split: the split record)
    g.edges = {"src": e_src, "dst": e_dst, "rel": e_rel, "qty": e_qty, "rec": e_rec}
    kinds = np.empty(len(op_time), np.int8)
    kinds[op_rank - 1] = op_kind
    times = np.empty(len(op_time))
    times[op_rank - 1] = op_time
    g.records = {
        "time": times,
        "op": kinds,
        "n_in": np.bincount(e_rec[e_rel == 0], minlength=len(op_time) + 1),
    }

    # item_event: outputs (pallets: parent), inputs, contained children; one row per (event, item).
    every = np.arange(1, items + 1)
    pallet = np.zeros(items + 1, bool)
    pallet[ids("p")] = True
    rows = [
        np.stack([record[every], every, np.where(pallet[every], 3, 0)], 1),
        np.stack([e_rec, e_src, np.where(e_rel == 1, 2, 1)], 1),
    ]
    item_event = np.concatenate(rows)
    _, first = np.unique(item_event[:, 0] * (items + 1) + item_event[:, 1], return_index=True)
    g.item_event = item_event[np.sort(first)]

    # Per-item strings and kinds.
    kind = np.zeros(items + 1, np.int8)
    kind[ids("u")], kind[ids("p")] = 1, 2
    material: list[str | None] = [None] * (items + 1)
    code = [""] * (items + 1)
    for hub_gid, name in zip(ids("hub"), HUBS, strict=True):
        code[hub_gid], material[hub_gid] = f"HUB-{name}-0001", name
    for name, mats, prefix in (("rb", RAW_BULK, "L"), ("rc", RAW_COMPONENTS, "L")):
        for i, gi in enumerate(ids(name).tolist()):
            material[gi] = mats[i % len(mats)]
            code[gi] = f"{mats[i % len(mats)]}-{prefix}{i:07d}"
    for name, mat, prefix in (("m1", "COMPOUND", "CMP"), ("m2", "BLEND", "BLD")):
        for i, gi in enumerate(ids(name).tolist()):
            material[gi], code[gi] = mat, f"{prefix}-{i:07d}"
    for (parent_gid, child_gid, _), mat in zip(split_edges, ("COMPOUND", "BLEND"), strict=True):
        counter: dict[int, int] = {}
        for p, ch in zip(parent_gid.tolist(), child_gid.tolist(), strict=True):
            counter[p] = counter.get(p, 0) + 1
            material[ch], code[ch] = mat, f"{code[p]}-{counter[p]}"
    for i, gi in enumerate(ids("u").tolist()):
        material[gi], code[gi] = "WIDGET", f"SN{i:09d}"
    for i, gi in enumerate(ids("p").tolist()):
        code[gi] = f"3950600013{i:08d}"
    g.code, g.kind, g.material = code, kind, material
    g.time = np.concatenate([[0.0], flat[np.argsort(gid)]])
    return g


# --- rows -------------------------------------------------------------------------------------------


def _timestamps(fractions: np.ndarray) -> list[str]:
    """Times over one year as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)."""
    moments = YEAR_START + (fractions * 365 * 86_400e6).astype("timedelta64[us]")
    return [s.replace("T", " ") for s in np.datetime_as_string(moments, unit="us").tolist()]


OPS = [
    ("receive", "goods-in", "ObjectEvent", "ADD", "receiving"),
    ("compound", "widget-line", "TransformationEvent", None, "transforming"),
    ("split", "widget-line", "TransformationEvent", None, "transforming"),
    ("assemble", "widget-line", "TransformationEvent", None, "assembling"),
    ("pack", "widget-line", "AggregationEvent", "ADD", "packing"),
]
ROLES = ("output", "input", "child", "parent")


def _cols(names: str) -> list[str]:
    return names.split()


RECORD_COLS = _cols(
    "id organisation_id idempotency_key site_id station_id flow_instance_id flow_version_id node "
    "form_version_id operator_id operator_name event_time event_time_zone_offset recorded_at payload data "
    "corrects_record_id correction_reason step seq"
)
EVENT_COLS = _cols(
    "id organisation_id record_id event_type action biz_step disposition event_time event_time_zone_offset "
    "read_point biz_location what how why"
)
ITEM_COLS = _cols(
    "id organisation_id site_id code uniqueness_scope kind material_id material_code gtin lot serial sscc "
    "quantity remaining uom status expiry supplier_lot supplier_id location_id attributes "
    "created_by_record_id created_at"
)
EDGE_COLS = _cols(
    "id organisation_id from_item_id to_item_id relation quantity uom record_id event_id voided_by_record_id "
    "created_at"
)


def rows(g: Graph, plant: dict[str, Any]) -> dict[str, tuple[list[str], Any]]:
    """Column names and row iterables per table (None = NULL; JSON as text)."""
    org, site, station, operator = plant["org"], plant["site"], plant["station"], plant["operator"]
    n_rec = len(g.records["time"])
    times = _timestamps(g.records["time"])
    ops, n_in = g.records["op"].tolist(), g.records["n_in"].tolist()
    form, how = (
        plant["form:assembly"],
        '{"equipment": ["TQ-7"], "operator": "Olga Operator", "documents": []}',
    )
    recs, events = [], []
    for i in range(n_rec):
        node, flow, etype, action, step = OPS[ops[i]]
        payload, t = f'{{"node": "{node}", "inputs": {n_in[i + 1]}}}', times[i]
        who = (plant[f"flow:{flow}"], node, form, operator, "Olga Operator", t, "+08:00", t)
        recs.append(
            (i + 1, org, f"gen-{i + 1:09d}", site, station, None, *who, payload, payload, None, None, "{}", 0)
        )
        what, why = f'{{"inputs": {n_in[i + 1]}}}', f'{{"record": {i + 1}}}'
        events.append(
            (i + 1, org, i + 1, etype, action, step, "active", t, "+08:00", "ST-1", "MAIN", what, how, why)
        )
    item_times = _timestamps(g.time[1:])
    kinds, units = ("lot", "unit", "container"), ("kg", "ea", None)
    q, rem = g.quantity.tolist(), g.remaining.tolist()
    kind_list, shipped, made_by = g.kind.tolist(), (g.time < 0.95).tolist(), g.record.tolist()
    mats = plant["materials"]
    gtins = {m: gtin for m, (_, gtin, _) in _common.MATERIALS.items()}
    items = []
    for i in range(1, g.n + 1):
        kind, mat, code = kind_list[i], g.material[i], g.code[i]
        qty = None if q[i] != q[i] else q[i]
        left = None if rem[i] != rem[i] else rem[i]
        if kind:
            status = "shipped" if shipped[i] else "released"
        else:
            status = "consumed" if left is not None and left <= 0 else "released"
        raw = mat in RAW_BULK or mat in RAW_COMPONENTS
        ident = tuple(code if kind == k else None for k in (0, 1, 2))  # lot, serial, sscc
        what = (kinds[kind], mats.get(mat), mat, gtins.get(mat), *ident, qty, left, units[kind], status, None)
        tail = (code if raw else None, None, None, "{}", made_by[i], item_times[i - 1])
        items.append((i, org, site, code, "", *what, *tail))
    e = g.edges
    columns = (e[k].tolist() for k in ("src", "dst", "rel", "qty", "rec"))
    edge_rows = []
    for i, (s, d, r, x, rec) in enumerate(zip(*columns, strict=True)):
        relation, quantity, uom = (
            ("contained", None, None) if r else ("consumed", None if x != x else x, "kg")
        )
        edge_rows.append((i + 1, org, s, d, relation, quantity, uom, rec, rec, None, times[rec - 1]))
    ie = [(ev, it, ROLES[ro]) for ev, it, ro in g.item_event.tolist()]
    tables = {
        "record": (RECORD_COLS, recs),
        "event": (EVENT_COLS, events),
        "item": (ITEM_COLS, items),
        "edge": (EDGE_COLS, edge_rows),
        "item_event": (["event_id", "item_id", "role"], ie),
    }
    if plant.get("event_resource"):  # the tool named by every production event (migration 0007)
        resources = [(i + 1, "equipment", "TQ-7") for i in range(n_rec) if ops[i]]
        tables["event_resource"] = (["event_id", "kind", "code"], resources)
    return tables


# --- loading ----------------------------------------------------------------------------------------


def _load_sqlite(path: str, tables: dict[str, tuple[list[str], Any]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=MEMORY")
    for pragma in ("synchronous=OFF", "foreign_keys=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    names = ",".join(f"'{t}'" for t in tables)
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({names})"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("BEGIN")
    for table in tables:
        cols, data = tables[table]
        conn.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", data)
    conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql)
    # No ANALYZE: the app never runs it, and with sqlite_stat1 present SQLite 3.40 plans a Bloom
    # filter over the whole edge index on every step of the recursive walk (~200x slower).
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def _copy_text(value: Any) -> str:
    return "\\N" if value is None else str(value)


def _load_postgres(url: str, tables: dict[str, tuple[list[str], Any]]) -> None:
    import psycopg

    dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers for this load session
        conn.execute("SET maintenance_work_mem = '512MB'")
        names = list(tables)
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname='public' AND tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (names,),
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor() as cur:
            for table in tables:
                cols, data = tables[table]
                with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for count, row in enumerate(data, 1):
                        buffer.write("\t".join(map(_copy_text, row)))
                        buffer.write("\n")
                        if count % 100_000 == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
        for _, sql in indexes:
            conn.execute(sql)
        for table in ("record", "event", "item", "edge"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        conn.autocommit = True
        conn.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def load(url: str, items: int, seed: int = 7, verbose: bool = True) -> dict[str, Any]:
    """Fresh database, plant through the API, generated genealogy through the bulk path."""
    say = print if verbose else (lambda *a, **k: None)
    started = time.perf_counter()
    _common.fresh_database(url)
    app = _common.make_app(url)
    plant = _common.build_plant(app)
    ids = {
        "org": plant.organisation_id,
        "site": plant.site_id,
        "station": plant.station_id,
        "operator": plant.operator_id,
        "materials": plant.materials,
        **plant.versions,
    }
    ids["event_resource"] = sa.inspect(app.extensions["lotline_db"].engine).has_table("event_resource")
    app.extensions["lotline_db"].engine.dispose()  # the load needs the database to itself
    say(f"  schema + plant through the API: {time.perf_counter() - started:.1f} s")
    t = time.perf_counter()
    graph = generate(items, seed)
    say(
        f"  generated {items:,} items, {len(graph.edges['src']):,} edges, "
        f"{len(graph.records['time']):,} records/events, {len(graph.item_event):,} item_event rows "
        f"in {time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    tables = rows(graph, ids)
    say(f"  rows built in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    if _common.is_sqlite(url):
        path = sa.engine.make_url(url).database
        assert path
        _load_sqlite(path, tables)
    else:
        _load_postgres(url, tables)
    loaded = time.perf_counter() - t
    total_rows = sum(len(data) for _, data in tables.values())
    say(f"  bulk load + index build: {loaded:.1f} s ({total_rows / loaded:,.0f} rows/s)")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE organisation SET name = :n WHERE id = :id"),
            {"n": MARKER.format(items=items, seed=seed), "id": plant.organisation_id},
        )
    engine.dispose()
    return {
        "organisation_id": plant.organisation_id,
        "edges": len(graph.edges["src"]),
        "records": len(graph.records["time"]),
        "item_event": len(graph.item_event),
        "load_s": loaded,
    }


def loaded_marker(url: str) -> str | None:
    """The organisation name a previous load left, or None when the database has no graph."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT name FROM organisation ORDER BY id LIMIT 1")).scalar()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite file to (re)create")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL database to (re)create (schema public)")
    parser.epilog = (
        "Without --sqlite/--postgres: the default files genealogy_trace.py reads (both databases)."
    )
    parser.add_argument("--items", type=int, default=1_000_000, help="items to generate (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 items")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = 100_000 if args.quick else args.items
    if not (args.sqlite or args.postgres):  # `make bench`: the files genealogy_trace.py reuses
        _common.DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
        args.sqlite = str(_common.DEFAULT_DIR / f"genealogy-{items}.db")
        args.postgres = (_common.postgres_targets(None, "lotline_bench_trace") or [None])[0]
    targets = ([_common.sqlite_url(args.sqlite)] if args.sqlite else []) + (
        [args.postgres] if args.postgres else []
    )
    for url in targets:
        print(f"{url} ({datetime.now(UTC):%H:%M:%S} UTC, {_common.load_note()})")
        load(url, items, args.seed)


if __name__ == "__main__":
    main()
