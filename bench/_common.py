"""Shared helpers for the genealogy and capture benchmarks (not a benchmark itself).

* ``fresh_database(url)``: an empty database migrated to head by the real Alembic migrations.
* ``make_app(url)``: the real Flask app on that database (fast password hashing, no Redis).
* ``build_plant(app)``: bootstrap an organisation and set up, through the real API, a small
  assembly plant (materials with a BOM, stations, equipment, forms, published flows) and an
  operator who is signed in; returns what the benchmarks need (ids, signed-in clients).
* ``percentile``, ``Table``: the numbers and how they are printed.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lotline.platform import demo

PASSWORD = "Bench-Horse-42!"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "lotline-bench"


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def postgres_targets(url: str | None, default_db: str) -> list[str]:
    """[url] when given; else the local default database (created if missing) when PostgreSQL
    answers (else [])."""
    if url:
        return [url]
    default = DEFAULT_PG.format(db=default_db)
    server = sa.create_engine(
        DEFAULT_PG.format(db="postgres"), connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as conn:  # a fresh machine has the server, not the database yet
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": default_db})
            if exists.first() is None:
                conn.execute(sa.text(f'CREATE DATABASE "{default_db}"'))
            return [default]
    except sa.exc.OperationalError:
        print(f"PostgreSQL is not reachable at {default}: skipped (give --postgres URL)")
        return []
    finally:
        server.dispose()


def fresh_database(url: str) -> None:
    """Drop everything in the benchmark database and run the real migrations to head."""
    from lotline.platform import migrate
    from lotline.platform.config import load_config
    from lotline.platform.db import make_engine

    if is_sqlite(url):
        path = sa.engine.make_url(url).database
        assert path
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(load_config({"DATABASE_URL": url}), connection=conn)
    engine.dispose()


def make_app(url: str) -> Any:
    from lotline.platform.app import create_app

    instance = DEFAULT_DIR / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-secret-not-for-production",
            "REDIS_URL": None,
            "PASSWORD_HASHING": "test-only-fast",
            "LOG_LEVEL": "WARNING",
        }
    )


class Client:
    """A test client signed in as one user, echoing the session's CSRF token like the SPA."""

    def __init__(self, app: Any, username: str, password: str = PASSWORD) -> None:
        self.client = app.test_client()
        answer = self.client.post("/api/auth/login", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.get_json()
        self.headers = {"X-CSRF-Token": answer.get_json()["csrf_token"]}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(path, json=body if body is not None else {}, headers=self.headers)


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), (response.status_code, response.get_json())
    return response.get_json()


label = demo.label
# Materials of the plant: code -> (kind, GTIN, tracking). Bulk raws feed compounding and
# blending; components feed assembly; WIDGET is the serialised finished unit.
MATERIALS = {
    "RESIN": ("raw", "09506000134413", "lot"),
    "ADDITIVE": ("raw", "09506000134420", "lot"),
    "PIGMENT": ("raw", "09506000134437", "lot"),
    "COMPOUND": ("component", None, "lot"),
    "BLEND": ("component", None, "lot"),
    "RES": ("component", "09506000134352", "lot"),
    "CAP": ("component", "09506000134369", "lot"),
    "SCREW": ("component", "09506000134376", "lot"),
    "FILM": ("component", "09506000134383", "lot"),
    "WIDGET": ("finished", None, "serial"),
}
BOM = {"RES": 4, "CAP": 2, "SCREW": 6, "BLEND": 1, "FILM": 1}

# the demo plant's receiving and assembly forms, unchanged
FORMS: dict[str, dict[str, Any]] = {key: demo.FORMS[key] for key in ("receiving", "assembly")}


FLOWS = {
    "goods-in": {
        "format_version": 1,
        "subject": "lot",
        "name": label("Goods in", "来料"),
        "start": ["receive"],
        "end": ["receive"],
        "transitions": [],
        "nodes": [
            demo.node(
                "receive",
                "receive",
                "receiving",
                {
                    "eventType": "ObjectEvent",
                    "action": "ADD",
                    "bizStep": "receiving",
                    "disposition": "active",
                },
            )
        ],
    },
    "widget-line": {
        "format_version": 1,
        "subject": "unit",
        "name": label("Widget line", "产品装配线"),
        "start": ["assemble"],
        "end": ["assemble"],
        "transitions": [],
        "nodes": [
            demo.node(
                "assemble",
                "assemble",
                "assembly",
                {"eventType": "TransformationEvent", "bizStep": "assembling"},
                rules={"allowed_materials": "bom", "allowed_stations": ["ST-1"]},
                actions=[{"type": "create_item", "kind": "unit", "material": "WIDGET"}],
            )
        ],
    },
}


@dataclass
class Plant:
    organisation_id: int
    site_id: int
    admin_id: int
    operator_id: int
    materials: dict[str, int]
    versions: dict[str, int]  # "form:receiving", "flow:goods-in", ... -> definition_version.id
    station_id: int
    admin: Client
    operator: Client


def build_plant(app: Any) -> Plant:
    """Bootstrap + master data, forms and flows through the real API, and a signed-in operator."""
    from lotline.platform.auth import service
    from lotline.platform.db import get_session

    with app.app_context():
        try:  # the audit trail (issue 6) needs an actor for changes made outside a request
            from lotline.platform.audit import service as audit_service

            audit_service.set_actor(get_session(), audit_service.system_actor("bench"))
        except ImportError:
            pass
        result = service.bootstrap(get_session(), password=PASSWORD + "x")
        service.change_password(get_session(), result.admin.id, PASSWORD + "x", PASSWORD)
        user, _ = service.create_user(
            get_session(),
            result.organisation.id,
            username="olga",
            full_name="Olga Operator",
            roles=[{"role": "operator", "site_id": None}],
            password=PASSWORD,
        )
        user.must_change_password = False
        get_session().commit()
        ids = (result.organisation.id, result.admin.id, user.id)
    admin = Client(app, "admin")
    site_id = ok(admin.get("/api/sites"))[0]["id"]
    materials = {}
    for code, (kind, gtin, tracking) in MATERIALS.items():
        body = {
            "code": code,
            "name_en": code.title(),
            "name_zh": code,
            "kind": kind,
            "uom": "ea",
            "tracking": tracking,
            "shelf_life_days": 3650,
        }
        if gtin:
            body["gtin"] = gtin
        materials[code] = ok(admin.post("/api/masterdata/materials", body))["id"]
    ok(
        admin.post(
            "/api/masterdata/boms",
            {
                "material_id": materials["WIDGET"],
                "lines": [{"component_material_id": materials[c], "quantity": q} for c, q in BOM.items()],
            },
        )
    )
    stations = [
        ok(admin.post("/api/masterdata/stations", {"site_id": site_id, "code": code, "name": code}))["id"]
        for code in ("ST-1", "ST-2")
    ]
    ok(admin.post("/api/masterdata/equipment", {"site_id": site_id, "code": "TQ-7", "name": "Torque driver"}))
    for key, document in FORMS.items():
        ok(admin.post("/api/forms", {"key": key, "document": document}))
        ok(admin.post(f"/api/forms/{key}/publish"))
    for key, document in FLOWS.items():
        ok(admin.post("/api/flows", {"key": key, "document": document}))
        ok(admin.post(f"/api/flows/{key}/publish"))
    with app.app_context():
        rows = get_session().execute(sa.text("SELECT kind, key, id FROM definition_version")).all()
        versions = {f"{kind}:{key}": version_id for kind, key, version_id in rows}
        get_session().rollback()
    return Plant(
        ids[0], site_id, ids[1], ids[2], materials, versions, stations[0], admin, Client(app, "olga")
    )


# --- numbers and tables -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


class Table:
    def __init__(self, *headers: str) -> None:
        self.headers = headers
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: Any) -> None:
        self.rows.append(tuple(str(c) for c in cells))

    def print(self) -> None:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
            for i, h in enumerate(self.headers)
        ]
        line = "  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True))
        print(line)
        print("-" * len(line))
        for row in self.rows:
            print(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"
