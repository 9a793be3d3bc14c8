"""Audit chain cost with concurrent writers on PostgreSQL: chained vs unchained capture.

Each writer is a separate process (no shared GIL) looping over one capture-like transaction on the
real session path (``db.transaction`` + ORM models + the flush capture, no argon2): insert a site
(five audited fields; the first audited flush takes the transaction's stream), insert a role, then
rename the site, commit: three audit entries, two flushes while the stream is held, like a capture
transaction writing a record, its events and a status change. Every scenario runs the same wall
time with the same number of writers:

* ``floor``       the same rows by bare SQL (psycopg: two INSERTs, one UPDATE, COMMIT; no audit)
* ``unchained``   the session path, audit entries written without stream lock, link or hash
                  (``chain._BENCH_UNCHAINED``, a private switch only this script sets, in its writers)
* ``chained``     the session path exactly as Lotline runs it (32 streams, FOR UPDATE SKIP LOCKED)
* ``single-head`` every writer chained onto one stream row: the design the streams replace

Runs in a schema of its own (created, migrated by Alembic, dropped at the end) in the database you
name. Prints transactions per second of each scenario and the ratios; machines are noisy, so the
scenarios are interleaved over ``--rounds`` and the median of each is reported.

    .venv/bin/python bench/audit_chain.py --postgres postgresql+psycopg://postgres@127.0.0.1/lotline_bench
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from typing import Any

import sqlalchemy as sa

SCHEMA = "lotline_bench_audit"
SCENARIOS = ("floor", "unchained", "chained", "single-head")


def schema_url(url: str) -> str:
    parsed = sa.engine.make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return parsed.render_as_string(hide_password=False)


def prepare(url: str) -> int:
    """A fresh, migrated schema with one organisation; returns its id."""
    from lotline.platform import migrate
    from lotline.platform.auth import service as auth_service
    from lotline.platform.config import load_config

    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    admin.dispose()
    migrate.upgrade(load_config({"DATABASE_URL": schema_url(url)}))
    app = make_app(url)
    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        result = auth_service.bootstrap(session, password="Bench-Password-1")
        org_id = result.organisation.id
        session.close()
    app.extensions["lotline_db"].engine.dispose()
    return org_id


def drop(url: str) -> None:
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    admin.dispose()


def make_app(url: str) -> Any:
    from lotline.platform.app import create_app

    return create_app(
        {
            "DATABASE_URL": schema_url(url),
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="lotline-bench-"),
            "SECRET_KEY": "bench-only",
            "LOG_LEVEL": "WARNING",
        }
    )


def writer(
    scenario: str,
    url: str,
    org_id: int,
    seconds: float,
    hold_ms: float,
    barrier: Any,
    results: Any,
    workload: str = "rows",
) -> None:
    """One writer process: set up, wait for the others, write for ``seconds``, report the count."""
    tag = f"{scenario[:2]}{os.getpid()}"
    count = 0
    if scenario == "floor":
        import psycopg

        libpq = sa.engine.make_url(schema_url(url)).set(drivername="postgresql")
        with psycopg.connect(libpq.render_as_string(hide_password=False)) as conn:
            barrier.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                site_id = conn.execute(
                    "INSERT INTO site (organisation_id, code, name, timezone, created_at)"
                    " VALUES (%s, %s, %s, %s, now()) RETURNING id",
                    (org_id, f"{tag}-{count}", f"Line {count} of {tag}", "Europe/Berlin"),
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO role (organisation_id, key, name_en, name_zh, permissions, builtin)"
                    " VALUES (%s, %s, %s, %s, %s, false)",
                    (
                        org_id,
                        f"r{tag}{count}",
                        f"Role {count}",
                        f"角色 {count}",
                        '["reports.read", "trace.read"]',
                    ),
                )
                if hold_ms:
                    time.sleep(hold_ms / 1000)
                conn.execute("UPDATE site SET name = name || ' (released)' WHERE id = %s", (site_id,))
                conn.commit()
                count += 1
        results.put(count)
        return

    from lotline.platform.audit import chain
    from lotline.platform.audit import service as audit_service
    from lotline.platform.auth.models import Role, Site
    from lotline.platform.db import transaction

    chain._BENCH_UNCHAINED = scenario == "unchained"
    chain._BENCH_SINGLE_STREAM = scenario == "single-head"

    def capture_like(session: Any, n: int) -> None:
        with transaction(session):
            site = Site(
                organisation_id=org_id, code=f"{tag}-{n}", name=f"Line {n} of {tag}", timezone="Europe/Berlin"
            )
            session.add(site)
            session.flush()  # the first audited flush: the stream is this transaction's from here
            role = Role(
                organisation_id=org_id,
                key=f"r{tag}{n}",
                name_en=f"Role {n}",
                name_zh=f"角色 {n}",
                permissions=["reports.read", "trace.read"],
                builtin=False,
            )
            session.add(role)
            session.flush()
            if hold_ms:  # other work of the transaction (I/O, validation) while the stream is held
                time.sleep(hold_ms / 1000)
            site.name = f"{site.name} (released)"

    app = make_app(url)
    if workload == "capture":
        capture_like = real_capture(app, org_id, tag)
    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        audit_service.set_actor(session, audit_service.system_actor("bench", org_id))
        capture_like(session, -1)  # connect and compile before the clock starts
        barrier.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            capture_like(session, count)
            count += 1
            if count % 200 == 0:
                session.expunge_all()
        session.close()
    results.put(count)


def real_capture(app: Any, org_id: int, tag: str) -> Any:
    """The capture service itself: receiving a lot at the demo plant's goods-in step (record,
    event, item, item link, stored answer, flow instance and its nodes: every row audited)."""
    from lotline.platform.auth import service as auth_service
    from lotline.platform.auth.context import Actor
    from lotline.platform.auth.permissions import PERMISSIONS
    from lotline.platform.capture import service as capture_service

    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        admin = auth_service.first_admin(session)
        assert admin is not None
        actor = Actor(
            admin.id, admin.username, admin.full_name, org_id, "token", {None: frozenset(PERMISSIONS)}
        )
        session.close()

    def capture(session: Any, n: int) -> None:
        lot = f"{tag}-L{n}"
        request = capture_service.CaptureRequest(
            idempotency_key=f"bench-{lot}",
            flow="goods-in",
            node="receive",
            subject=lot,
            station="ST-1",
            payload={"lot": lot, "qty": "25"},
        )
        capture_service.capture(session, actor, request)

    return capture


def build_plant(url: str, org_id: int) -> None:
    """The demo plant (forms, flows, master data) through the real API, with a temporary token."""
    from lotline.platform import demo
    from lotline.platform.audit import service as audit_service
    from lotline.platform.auth import service as auth_service
    from lotline.platform.auth.permissions import PERMISSIONS

    app = make_app(url)
    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        audit_service.set_actor(session, audit_service.system_actor("bench", org_id))
        admin = auth_service.first_admin(session)
        assert admin is not None
        _token, secret = auth_service.create_token(
            session,
            organisation_id=org_id,
            created_by_id=admin.id,
            creator_permissions=PERMISSIONS,
            name="bench",
            permissions=sorted(PERMISSIONS),
        )
        demo.build(demo.TokenClient(app.test_client(), secret))
        session.close()
    app.extensions["lotline_db"].engine.dispose()


def run(
    scenario: str, url: str, org_id: int, writers: int, seconds: float, hold_ms: float, workload: str = "rows"
) -> float:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(scenario, url, org_id, seconds, hold_ms, barrier, results, workload))
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    counts = [results.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"{scenario} writer failed with exit code {proc.exitcode}")
    return sum(counts) / seconds


def verify(url: str) -> str:
    from lotline.platform.audit import service as audit_service
    from lotline.platform.audit.models import AuditEntry

    app = make_app(url)
    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        # stream 0 holds the unchained scenario's entries: not a chain, by design
        chained = session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.stream > 0)
        )
        result = audit_service.verify(session)
        session.close()
    app.extensions["lotline_db"].engine.dispose()
    broken = result.first_broken
    if (
        broken is not None
        and broken.reason == "unknown_stream"
        and broken.stream == 0
        and result.broken_streams == 1
    ):
        return f"chains intact ({chained} chained entries; stream 0 = unchained scenario)"
    return f"chains intact ({result.entries} entries)" if result.ok else f"BROKEN: {broken}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("LOTLINE_BENCH_POSTGRES_URL"), help="SQLAlchemy URL"
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--hold-ms", type=float, default=0.0, help="extra time each transaction spends between its flushes"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the {SCHEMA} schema afterwards")
    parser.add_argument(
        "--workload",
        choices=("rows", "capture"),
        default="rows",
        help="rows: three audited rows per transaction; capture: the real capture service "
        "receiving a lot at the demo plant (no bare-SQL floor for this one)",
    )
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres URL is required (or LOTLINE_BENCH_POSTGRES_URL)")

    load_before = f"{os.getloadavg()[0]:.1f}"
    org_id = prepare(args.postgres)
    scenarios = SCENARIOS if args.workload == "rows" else tuple(s for s in SCENARIOS if s != "floor")
    if args.workload == "capture":
        build_plant(args.postgres, org_id)
    rates: dict[str, list[float]] = {name: [] for name in scenarios}
    try:
        for round_no in range(1, args.rounds + 1):
            shift = (round_no - 1) % len(scenarios)  # rotate the order: no scenario always runs first
            for scenario in scenarios[shift:] + scenarios[:shift]:
                rate = run(
                    scenario, args.postgres, org_id, args.writers, args.seconds, args.hold_ms, args.workload
                )
                rates[scenario].append(rate)
                print(f"round {round_no}  {scenario:<11} {rate:8.1f} tx/s", flush=True)
        integrity = verify(args.postgres)
    finally:
        if not args.keep:
            drop(args.postgres)

    median = {name: statistics.median(values) for name, values in rates.items()}
    per_round = statistics.median(c / u for c, u in zip(rates["chained"], rates["unchained"], strict=True))
    single_round = statistics.median(
        c / u for c, u in zip(rates["single-head"], rates["unchained"], strict=True)
    )
    print()
    print(
        f"{args.writers} writer processes, {args.seconds:g} s x {args.rounds} rounds,"
        f" hold {args.hold_ms:g} ms, median tx/s"
    )
    print(f"(cpus: {os.cpu_count()}, load average before/after: {load_before} / {os.getloadavg()[0]:.1f})")
    print(f"  workload: {args.workload}")
    if "floor" in median:
        print(f"  floor (bare SQL INSERT, no audit)   {median['floor']:8.1f}")
    print(f"  unchained audit (service path)      {median['unchained']:8.1f}")
    print(f"  chained audit, 32 streams           {median['chained']:8.1f}")
    print(f"  chained audit, one global head      {median['single-head']:8.1f}")
    ratio = median["chained"] / median["unchained"]
    print(f"  chained / unchained                 {ratio:8.1%}   (target >= 70 %)")
    print(f"  single head / unchained             {median['single-head'] / median['unchained']:8.1%}")
    print(f"  median of per-round ratios          chained {per_round:.1%}, single head {single_round:.1%}")
    if "floor" in median:
        print(f"  unchained / floor                   {median['unchained'] / median['floor']:8.1%}")
    print(f"  after the run: {integrity}")
    sys.exit(0)


if __name__ == "__main__":
    main()
