"""Backward/forward trace on SQLite and PostgreSQL, side by side, each beside its floor.

The graph comes from ``genealogy_data.py`` (loaded once per database, reused while the size and
seed match). For ``--samples`` fixed start items (chosen with the seed), each case runs once to
warm up, then once timed, through ``lotline.platform.genealogy.service`` on a fresh session:

* ``backward unit: walk``      the recursive CTE alone (``walk._walk``), ids only;
* ``backward unit: trace``     ``trace(..., "backward", with_events=False)``: items + edges;
* ``backward unit: full``      ``trace(..., "backward", with_events=True)``: + the subgraph's events
  (its items' own events and its edges' events; "events" in the table below);
* ``forward raw lot: walk``    the CTE alone, from a bulk raw lot (resin, additive, pigment);
* ``forward raw lot: trace``   ``trace(..., "forward", with_events=False)``;
* ``hub``                      forward from each hub lot, in a child process (peak RSS of its
  own): ``service.walk_stream`` (``stream-edges``: the level-by-level walk a background job
  runs, visited marks one byte per item id, memory bounded), ``service.export_trace_csv``
  (``export-csv``: the background job itself, the walk plus every item's row into a CSV file),
  and for the first hub ``trace()`` with its default 50,000-item limit (``trace-50k``: what a
  request does, the limit applied inside the walk).

FLOOR, in the same run and for the same start items: a breadth-first walk over an in-memory CSR
of the same live edges (numpy, vectorised per level). Ratios are result / floor at p50. The
CTE's rows are checked against the floor's count (UNION: each item once, no path enumeration).

    .venv/bin/python bench/genealogy_trace.py --quick           # 100 k items, both databases
    .venv/bin/python bench/genealogy_trace.py                   # 1 M items / ~3 M edges
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import genealogy_data

from lotline.platform.db import make_engine
from lotline.platform.genealogy import service
from lotline.platform.genealogy import walk as genealogy_walk

GOALS = {
    "backward unit: trace": ("p50 <= 10x floor, p95 <= 20 ms", lambda r: r["ratio"] <= 10 and r["p95"] <= 20),
    "backward unit: full": ("p95 <= 50 ms", lambda r: r["p95"] <= 50),
    "forward raw lot: trace": (
        "p50 <= 15x floor, p95 <= 100 ms",
        lambda r: r["ratio"] <= 15 and r["p95"] <= 100,
    ),
}


# --- the floor --------------------------------------------------------------------------------------


class Csr:
    """Adjacency of the live edges in one direction, walked breadth first with numpy."""

    def __init__(self, near: np.ndarray, far: np.ndarray, n: int) -> None:
        order = np.argsort(near, kind="stable")
        self.indices = far[order].astype(np.int64)
        self.indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(near, minlength=n), out=self.indptr[1:])
        self.mark = np.zeros(n, np.int32)
        self.epoch = 0

    def walk(self, starts: list[int]) -> tuple[int, int]:
        """(distinct items reached, start included; edges scanned)."""
        self.epoch += 1
        epoch, mark, indptr, indices = self.epoch, self.mark, self.indptr, self.indices
        frontier = np.unique(np.asarray(starts, np.int64))
        mark[frontier] = epoch
        items, edges = len(frontier), 0
        while len(frontier):
            low, lens = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            total = int(lens.sum())
            if not total:
                break
            edges += total
            ends = np.cumsum(lens)
            nxt = indices[np.repeat(low - ends + lens, lens) + np.arange(total)]
            nxt = np.unique(nxt[mark[nxt] != epoch])
            mark[nxt] = epoch
            items += len(nxt)
            frontier = nxt
        return items, edges


def read_edges(url: str) -> tuple[np.ndarray, np.ndarray]:
    sql = "SELECT from_item_id, to_item_id FROM edge WHERE voided_by_record_id IS NULL"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if _common.is_sqlite(url):
            pairs = np.array(raw.execute(sql).fetchall(), dtype=np.int64).reshape(-1, 2)
        else:
            with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT") as copy:
                text = b"".join(bytes(block) for block in copy)
            pairs = np.array(text.split(), dtype=np.int64).reshape(-1, 2)
    engine.dispose()
    return pairs[:, 0], pairs[:, 1]


# --- measuring --------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def sample_ids(engine: sa.Engine, where: str, count: int, seed: int) -> list[int]:
    with engine.connect() as conn:
        ids = np.array(
            conn.execute(sa.text(f"SELECT id FROM item WHERE {where} ORDER BY id")).scalars().all()
        )
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(ids, size=min(count, len(ids)), replace=False).tolist())


def run_case(
    engine: sa.Engine, org: int, starts: list[int], direction: str, mode: str, floor: Csr
) -> dict[str, Any]:
    def once(item_id: int) -> tuple[float, int, int]:
        with Session(engine) as session:
            if mode == "walk":
                walk = genealogy_walk._walk(org, [item_id], direction)  # type: ignore[arg-type]
                ms, ids = timed(lambda: session.execute(sa.select(walk.c.item_id)).scalars().all())
                extra = len(ids) - len(set(ids))  # duplicates: must be 0 (UNION)
                return ms, len(ids), extra
            ms, result = timed(
                lambda: service.trace(
                    session,
                    org,
                    [item_id],
                    direction,  # type: ignore[arg-type]
                    with_events=mode == "full",
                )
            )
            return ms, len(result.items), len(result.events) if mode == "full" else len(result.edges)

    for item_id in starts:  # warm-up pass
        once(item_id)
    times, floors, counts, extras, mismatches = [], [], [], [], 0
    for item_id in starts:
        ms, count, extra = once(item_id)
        floor_ms, (floor_items, _) = timed(lambda item_id=item_id: floor.walk([item_id]))
        times.append(ms), floors.append(floor_ms), counts.append(count), extras.append(extra)
        if count != floor_items or (mode == "walk" and extra):
            mismatches += 1
    p50, floor_p50 = _common.percentile(times, 50), _common.percentile(floors, 50)
    return {
        "p50": p50,
        "p95": _common.percentile(times, 95),
        "floor_p50": floor_p50,
        "floor_p95": _common.percentile(floors, 95),
        "ratio": p50 / floor_p50,
        "items": _common.percentile([float(c) for c in counts], 50),
        "extra": _common.percentile([float(e) for e in extras], 50),
        "mismatches": mismatches,
        "n": len(starts),
    }


def peak_rss_kb() -> int:
    """This process's peak resident set in kB. Linux: VmHWM, the high-water mark of this
    program's own memory. ``getrusage().ru_maxrss`` is not: Linux carries it over ``exec`` from
    the forking process, so every child reported the parent's peak (the numpy CSR of the whole
    graph, 4.5 GB at 1 M items), not its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def hub_child(url: str, org: int, item_id: int, mode: str) -> None:
    """Runs in a child process; prints one JSON line (its peak RSS is its own)."""
    engine = make_engine(url)
    with Session(engine) as session:  # connect + import before the baseline RSS
        session.execute(sa.text("SELECT 1"))
    base = peak_rss_kb()
    start = time.perf_counter()
    items = edges = 0
    with Session(engine) as session:
        if mode == "trace-50k":
            result = service.trace(session, org, [item_id], "forward", with_events=False)
            items, edges, truncated = len(result.items), len(result.edges), result.truncated
        elif mode == "export-csv":  # the background job's own work: walk + every item's row to CSV
            target = Path(tempfile.gettempdir()) / f"lotline-bench-hub-{os.getpid()}.csv"
            items = service.export_trace_csv(session, org, [item_id], "forward", target)
            target.unlink()
            truncated = False
        else:  # the walk a background job streams: every subgraph edge, memory bounded
            truncated = False
            for part in service.walk_stream(session, org, [item_id], "forward"):
                items += len(part.items)
                edges += part.edges
    seconds = time.perf_counter() - start
    peak = peak_rss_kb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "items": items,
                "edges": edges,
                "truncated": truncated,
                "base_mb": base / 1024,
                "peak_mb": peak / 1024,
            }
        )
    )


def run_hub(url: str, org: int, item_id: int, mode: str, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--hub-child", url, str(org), str(item_id), mode]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s"}
    except subprocess.CalledProcessError as error:
        return {"error": error.stderr.strip().splitlines()[-1][:80]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- main ---------------------------------------------------------------------------------------------


def bench_database(
    url: str, items: int, seed: int, samples: int, reload: bool, hub_timeout: float
) -> dict[str, Any]:
    marker = genealogy_data.MARKER.format(items=items, seed=seed)
    if reload or genealogy_data.loaded_marker(url) != marker:
        print(f"loading {items:,} items into {url} ...")
        genealogy_data.load(url, items, seed)
    engine = make_engine(url)
    with engine.connect() as conn:
        org = conn.execute(sa.text("SELECT id FROM organisation WHERE name = :m"), {"m": marker}).scalar_one()
    t = time.perf_counter()
    src, dst = read_edges(url)
    n = int(max(src.max(), dst.max())) + 1
    backward, forward = Csr(dst, src, n), Csr(src, dst, n)
    print(f"  {url}: {len(src):,} live edges read and CSR built in {time.perf_counter() - t:.1f} s")
    units = sample_ids(engine, "kind = 'unit'", samples, seed)
    raws = sample_ids(
        engine,
        "material_code IN ('RESIN', 'ADDITIVE', 'PIGMENT') AND code NOT LIKE 'HUB-%'",
        samples,
        seed + 1,
    )
    with engine.connect() as conn:
        hubs = conn.execute(sa.text("SELECT id, code FROM item WHERE code LIKE 'HUB-%' ORDER BY id")).all()
    results: dict[str, Any] = {"edges": len(src)}
    for name, starts, direction, mode, csr in (
        ("backward unit: walk", units, "backward", "walk", backward),
        ("backward unit: trace", units, "backward", "trace", backward),
        ("backward unit: full", units, "backward", "full", backward),
        ("forward raw lot: walk", raws, "forward", "walk", forward),
        ("forward raw lot: trace", raws, "forward", "trace", forward),
    ):
        results[name] = run_case(engine, org, starts, direction, mode, csr)
    engine.dispose()
    for index, (hub_id, code) in enumerate(hubs):
        floor_ms, (floor_items, floor_edges) = timed(lambda hub_id=hub_id: forward.walk([hub_id]))
        floor_ms = min(floor_ms, timed(lambda hub_id=hub_id: forward.walk([hub_id]))[0])
        entry: dict[str, Any] = {"floor_ms": floor_ms, "floor_items": floor_items, "floor_edges": floor_edges}
        for mode in (
            ("stream-edges", "export-csv", "trace-50k") if index == 0 else ("stream-edges", "export-csv")
        ):
            entry[mode] = run_hub(url, org, hub_id, mode, hub_timeout)
        results[f"hub {code}"] = entry
    return results


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--hub-child":
        hub_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sqlite", metavar="PATH", help="SQLite file (default: /tmp/lotline-bench/genealogy-N.db)"
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL URL (default: database lotline_bench_trace)"
    )
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one database only")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 items")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reload", action="store_true", help="regenerate the graph even if it is loaded")
    parser.add_argument("--hub-timeout", type=float, default=600, help="seconds per hub measurement")
    args = parser.parse_args()
    items = 100_000 if args.quick else args.items
    urls = {"sqlite": _common.sqlite_url(args.sqlite or _common.DEFAULT_DIR / f"genealogy-{items}.db")}
    if args.only != "sqlite":
        for url in _common.postgres_targets(args.postgres, "lotline_bench_trace"):
            urls["postgres"] = url
    if args.only:
        urls = {k: v for k, v in urls.items() if k == args.only}
    _common.DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"genealogy trace benchmark: {items:,} items, {args.samples} samples, {_common.load_note()}")
    results = {
        name: bench_database(url, items, args.seed, args.samples, args.reload, args.hub_timeout)
        for name, url in urls.items()
    }
    report(results, items)


def report(results: dict[str, dict[str, Any]], items: int) -> None:
    dbs = list(results)
    print(
        f"\nTrace times in ms (warm; p50/p95 over the samples); floor = numpy CSR BFS; "
        f"{items:,} items, {results[dbs[0]]['edges']:,} edges; {_common.load_note()}\n"
    )
    table = _common.Table(
        "case",
        "db",
        "items p50",
        "p50",
        "p95",
        "floor p50",
        "floor p95",
        "ratio p50",
        "rows=distinct",
        "goal",
        "met",
    )
    cases = [k for k in results[dbs[0]] if ":" in k]
    verdicts = []
    for case in cases:
        for db in dbs:
            r = results[db][case]
            goal, check = GOALS.get(case, ("", None))
            met = "" if check is None else ("yes" if check(r) else "NO")
            if check is not None:
                verdicts.append((case, db, goal, met))
            distinct = f"{r['n'] - r['mismatches']}/{r['n']}"
            table.add(
                case,
                db,
                int(r["items"]),
                _common.fmt(r["p50"]),
                _common.fmt(r["p95"]),
                _common.fmt(r["floor_p50"], 3),
                _common.fmt(r["floor_p95"], 3),
                f"{r['ratio']:.0f}x",
                distinct,
                goal,
                met,
            )
    table.print()
    print("\n'rows=distinct': samples whose walk returned each item once and as many items as the floor.")
    print(
        "'full' events per answer (p50): "
        + ", ".join(f"{db} {int(results[db]['backward unit: full']['extra'])}" for db in dbs)
    )
    print(
        "\nHub traces (forward), each in a child process; edges/s = subgraph edges / seconds; "
        "goal: >= 1 M edges/s, bounded memory\n"
    )
    hub_table = _common.Table(
        "hub",
        "db",
        "how",
        "items",
        "edges",
        "seconds",
        "edges/s",
        "floor edges/s",
        "ratio",
        "peak RSS MB (base)",
        "goal met",
    )
    for key in [k for k in results[dbs[0]] if k.startswith("hub ")]:
        for db in dbs:
            entry = results[db][key]
            floor_rate = entry["floor_edges"] / (entry["floor_ms"] / 1000)
            hub_table.add(
                key[4:],
                db,
                "floor (numpy)",
                entry["floor_items"],
                entry["floor_edges"],
                _common.fmt(entry["floor_ms"] / 1000, 3),
                _common.fmt(floor_rate),
                "",
                "",
                "",
                "",
            )
            for mode in [m for m in ("stream-edges", "export-csv", "trace-50k") if m in entry]:
                r = entry[mode]
                if "error" in r:
                    hub_table.add("", db, mode, r["error"], "", "", "", "", "", "", "NO")
                    continue
                rate = (
                    entry["floor_edges"] / r["seconds"] if mode != "trace-50k" else r["edges"] / r["seconds"]
                )
                met = ("yes" if rate >= 1e6 else "NO") if mode != "trace-50k" else ""
                if mode != "trace-50k":
                    verdicts.append((f"{key} {mode}", db, ">= 1 M edges/s", met))
                items_text = f"{r['items']}{' (cut)' if r['truncated'] else ''}"
                hub_table.add(
                    "",
                    db,
                    mode,
                    items_text,
                    r["edges"] if mode != "export-csv" else "-",  # the job counts rows, not edges
                    _common.fmt(r["seconds"], 3),
                    _common.fmt(rate),
                    "",
                    f"{floor_rate / rate:.0f}x",
                    f"{r['peak_mb']:.0f} ({r['base_mb']:.0f})",
                    met,
                )
    hub_table.print()
    print("\nGoals:")
    for case, db, goal, met in verdicts:
        print(f"  {'MET    ' if met == 'yes' else 'NOT MET'}  {db:<8}  {case}: {goal}")
    print(f"\npid {os.getpid()} done; {_common.load_note()}")


if __name__ == "__main__":
    main()
