"""Template packs through the REST API on SQLite and PostgreSQL.

The data-driven test installs every shipped pack on a fresh database, runs its demo recipe (small
scale) through the real capture path and traces a finished item back to its raw materials. The
others cover the life cycle: preview writes nothing, installing twice changes nothing, an upgrade
publishes new versions beside the old ones while running instances keep theirs, uninstall is
refused while records exist, a broken pack is refused with every problem's path in en and zh-CN,
and who may do what.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lotline import templates_library


def load_recipe(pack_id: str) -> Any:
    pack = templates_library.available_packs()[pack_id][0]
    assert pack.demo is not None
    spec = importlib.util.spec_from_file_location(f"recipe_{pack_id}", pack.demo)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run


FOOD_VERSION = templates_library.available_packs()["food"][0].version  # as shipped


def audit_count() -> int:
    from sqlalchemy import func, select

    from lotline.platform.audit.models import AuditEntry
    from lotline.platform.db import get_session

    return int(get_session().scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize("pack_id", templates_library.shipped_pack_ids())
def test_pack_installs_produces_its_demo_and_a_finished_item_traces_to_raw_materials(
    admin_client: Any, pack_id: str
) -> None:
    installed = admin_client.post(f"/api/packs/{pack_id}/install", json={})
    assert installed.status_code == 200, installed.get_json()
    assert installed.get_json()["installed"]["status"] == "installed"

    summary = load_recipe(pack_id)(admin_client, scale=0.1, seed=3)
    assert summary["records"] > 10

    found = admin_client.get(f"/api/items/search?q={summary['trace']}").get_json()
    assert found, summary
    trace = admin_client.get(f"/api/items/{found[0]['id']}/trace?direction=backward").get_json()
    pack = templates_library.available_packs()[pack_id][0]
    kinds = {m["code"]: m["kind"] for m in pack.masterdata["materials"]}
    materials = {i["material"] for i in trace["items"]}
    raw = {m for m in materials if kinds.get(m or "") in ("raw", "component")}
    received = [i for i in trace["items"] if i["supplier_lot"]]
    assert len(raw) >= 2, trace["items"]
    assert received, "the trace reaches lots received from suppliers"
    assert REACHED[pack_id] <= materials, materials


REACHED = {  # what each pack's finished item must trace back to
    "food": {"ROMAINE-CTN", "ROMAINE-FIELD", "TOMATO-CHERRY"},
    "pharma": {"MET500-BULK", "METFORMIN-API", "MCC-102", "MG-STEARATE"},
    "automotive": {
        "AIRBAG-DRV",
        "STEER-COL",
        "BRAKE-MOD",
        "ECU-ESC",
        "CALIPER",
        "HUB-BRG",
    },  # VIN reverse lookup
    "electronics": {"PCBA-CTRL", "PCBA-PANEL", "IC-MCU-M4", "RES-0402-10K", "PSU-12V", "DISPLAY-2IN"},
}


def test_preview_writes_nothing_and_installing_twice_changes_nothing(admin_client: Any) -> None:
    preview = admin_client.get("/api/packs/food/preview")
    assert preview.status_code == 200, preview.get_json()
    plan = preview.get_json()
    assert plan["action"] == "install" and plan["counts"]["create"] > 40
    assert {"kind": "flow", "key": "food-receiving", "action": "create", "version": 1} in plan["changes"]
    assert admin_client.get("/api/packs").get_json()[0]["installed"] is None

    first = admin_client.post("/api/packs/food/install", json={}).get_json()
    assert first["plan"]["action"] == "install"
    assert admin_client.get("/api/flows/food-receiving/versions").get_json()[0]["version"] == 1
    before = audit_count()
    again = admin_client.post("/api/packs/food/install", json={})
    assert again.status_code == 200
    assert again.get_json()["plan"]["action"] == "none"
    assert audit_count() == before  # not a single row written
    assert admin_client.get("/api/packs/food/preview").get_json()["action"] == "none"
    listed = admin_client.get("/api/packs").get_json()
    food = next(p for p in listed if p["id"] == "food")
    assert food["installed"]["version"] == FOOD_VERSION and food["installed"]["status"] == "installed"
    assert food["installed"]["created"]["flows"]["food-receiving"] == [1]
    detail = admin_client.get("/api/packs/food").get_json()
    assert "tlc_case" in detail["labels"] and detail["contents"]["demo"] is True


def _receive(client: Any, lot: str) -> Any:
    return client.post(
        "/api/records",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "flow": "food-receiving",
            "node": "receive",
            "subject": lot,
            "station": "RCV-1",
            "payload": {
                "lot": f"]C10100850002001013 10{lot}".replace(" ", ""),
                "qty": 100,
                "ship_from": "SUP-SUNRISE",
                "tlc_source": "Sunrise Farms LLC, Salinas CA",
                "ref_doc_type": "bol",
                "ref_doc_no": f"BOL-{lot}",
                "condition": "ok",
            },
        },
    )


def newer_food(tmp_path: Path) -> Path:
    """A copy of the food pack as version 9.1.0 whose receiving form asks for the truck's seal."""
    root = tmp_path / "packs" / "food"
    shutil.copytree(templates_library.SHIPPED_ROOT / "food", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "9.1.0"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    form_path = root / "forms" / "receiving.json"
    form = json.loads(form_path.read_text(encoding="utf-8"))
    form["fields"].append(
        {"key": "seal", "type": "text", "label": {"en": "Trailer seal number", "zh-CN": "车厢封条号"}}
    )
    form_path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    return tmp_path / "packs"


def test_upgrade_publishes_beside_the_old_versions_and_instances_keep_theirs(
    app: Flask, admin_client: Any, tmp_path: Path
) -> None:
    assert admin_client.post("/api/packs/food/install", json={}).status_code == 200
    old = _receive(admin_client, "SUN-UPG-1")
    assert old.status_code == 201, old.get_json()
    assert old.get_json()["record"]["flow_version"] == 1

    app.config["PACK_DIRS"] = str(newer_food(tmp_path))
    preview = admin_client.get("/api/packs/food/preview").get_json()
    assert preview["action"] == "upgrade" and preview["from_version"] == FOOD_VERSION
    published = {(c["kind"], c["key"]) for c in preview["changes"] if c["action"] == "publish"}
    assert published == {("form", "food-receiving"), ("flow", "food-receiving")}
    assert admin_client.post("/api/packs/food/install", json={}).status_code == 409  # use upgrade

    upgraded = admin_client.post("/api/packs/food/upgrade", json={})
    assert upgraded.status_code == 200, upgraded.get_json()
    assert upgraded.get_json()["installed"]["version"] == "9.1.0"
    versions = [v["version"] for v in admin_client.get("/api/flows/food-receiving/versions").get_json()]
    assert versions == [1, 2]
    flow = admin_client.get("/api/flows/food-receiving/versions/2").get_json()["document"]
    assert flow["nodes"][0]["form"] == {"key": "food-receiving", "version": 2}
    instance = admin_client.get("/api/flow-instances?flow=food-receiving").get_json()["items"][0]
    assert instance["flow_version"] == 1  # the instance started before the upgrade keeps its version

    new = _receive(admin_client, "SUN-UPG-2")
    assert new.status_code == 201 and new.get_json()["record"]["flow_version"] == 2
    assert admin_client.post("/api/packs/food/upgrade", json={}).status_code == 409  # not newer


def test_uninstall_is_refused_while_records_exist_and_reinstall_reuses_versions(admin_client: Any) -> None:
    assert admin_client.post("/api/packs/food/install", json={}).status_code == 200
    assert admin_client.post("/api/packs/food/uninstall", json={}).status_code == 200
    material = admin_client.get("/api/masterdata/materials?q=ROMAINE-CTN").get_json()["items"][0]
    assert material["active"] is False  # the pack's master data is retired, never deleted
    assert admin_client.get("/api/packs/food").get_json()["installed"]["status"] == "uninstalled"
    flows = {f["key"]: f for f in admin_client.get("/api/flows").get_json()}
    assert flows["food-receiving"]["retired_at"] is not None  # still listed, as history
    retired = _receive(admin_client, "SUN-RET-1")  # a retired flow starts no new work
    assert retired.status_code == 409 and retired.get_json()["code"] == "definition_retired"

    again = admin_client.post("/api/packs/food/install", json={}).get_json()
    assert {c["action"] for c in again["plan"]["changes"] if c["kind"] in ("form", "flow")} == {"unchanged"}
    material = admin_client.get("/api/masterdata/materials?q=ROMAINE-CTN").get_json()["items"][0]
    assert material["active"] is True
    flows = {f["key"]: f for f in admin_client.get("/api/flows").get_json()}
    assert flows["food-receiving"]["retired_at"] is None

    assert _receive(admin_client, "SUN-UN-1").status_code == 201
    refused = admin_client.post("/api/packs/food/uninstall", json={}, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "pack_in_use"
    assert "无法卸载" in refused.get_json()["message"]
    assert admin_client.get("/api/packs/food").get_json()["installed"]["status"] == "installed"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_broken_pack_is_refused_with_every_problem_and_its_path(
    app: Flask, admin_client: Any, tmp_path: Path, language: str
) -> None:
    root = tmp_path / "packs" / "food"
    shutil.copytree(templates_library.SHIPPED_ROOT / "food", root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "2.0.0"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    seeds = json.loads((root / "masterdata.json").read_text(encoding="utf-8"))
    seeds["materials"][0]["uom"] = ""
    seeds["materials"][1]["gtin"] = "12345"
    (root / "masterdata.json").write_text(json.dumps(seeds), encoding="utf-8")
    roles = json.loads((root / "roles.json").read_text(encoding="utf-8"))
    roles[0]["permissions"].append("records.erase")
    (root / "roles.json").write_text(json.dumps(roles), encoding="utf-8")
    app.config["PACK_DIRS"] = str(tmp_path / "packs")

    refused = admin_client.post("/api/packs/food/install", json={}, headers={"Accept-Language": language})
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["code"] == "pack_invalid"
    fields = {e["field"]: e for e in body["errors"]}
    assert {"masterdata.materials[0].uom", "masterdata.materials[1].gtin", "roles[0].permissions[11]"} <= set(
        fields
    )
    message = fields["roles[0].permissions[11]"]["message"]
    assert ("不存在权限" in message) if language == "zh-CN" else ("there is no permission" in message)
    assert admin_client.get("/api/packs/food").get_json()["installed"] is None  # nothing was written
    assert admin_client.get("/api/masterdata/materials?q=ROMAINE").get_json()["total"] == 0


def test_who_may_see_and_who_may_install(make_user: Any, sign_in: Any) -> None:
    designer = sign_in(make_user("designer"))
    operator = sign_in(make_user("operator"))
    auditor = sign_in(make_user("auditor"))
    assert operator.get("/api/packs").status_code == 403
    assert auditor.get("/api/packs/food/preview").status_code == 200
    assert auditor.post("/api/packs/food/install", json={}).status_code == 403
    assert operator.post("/api/packs/food/install", json={}).status_code == 403
    assert designer.get("/api/packs/nope").status_code == 404
    # a designer manages packs but cannot grant permissions it does not hold (records.sign …)
    refused = designer.post("/api/packs/food/install", json={})
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert {e["code"] for e in errors} == {"permission_not_held"}
    assert errors[0]["field"].startswith("roles[0].permissions[")
