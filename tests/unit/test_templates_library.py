"""Template packs without a database: every shipped pack passes every engine check, and a broken
pack is reported completely, each problem with its path from the pack's root, in en and zh-CN."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lotline import templates_library, workflow_engine
from lotline.form_engine.problems import format_path
from lotline.templates_library import check_pack, load_pack, shipped_pack_ids

# what a pack may name besides its own roles and permissions (the platform's catalogue is
# checked by the API tests; here any permission name of the right shape is accepted)
BUILTIN = ("admin", "designer", "supervisor", "operator", "quality", "auditor", "integration")


def test_the_four_industries_ship() -> None:
    assert set(shipped_pack_ids()) == {"automotive", "electronics", "food", "pharma"}


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_every_shipped_pack_is_valid(pack_id: str) -> None:
    pack = templates_library.available_packs()[pack_id][0]
    problems = check_pack(pack, known_roles=BUILTIN)
    assert [(format_path(p.path), p.code, p.message("en")) for p in problems] == []
    assert pack.demo is not None, "every shipped pack has a demo recipe"
    summary = pack.summary()
    for part in ("name", "description"):
        assert set(summary[part]) == {"en", "zh-CN"}


def test_the_food_pack_records_every_cte_of_a_grower_packer_and_fresh_cut_plant() -> None:
    """Harvesting to shipping (first land-based receiving is seafood's, not this plant's)."""
    pack = templates_library.available_packs()["food"][0]
    events = {
        node["cte"]["event"] for flow in pack.flows.values() for node in flow["nodes"] if node.get("cte")
    }
    assert events == {"harvesting", "cooling", "initial_packing", "receiving", "transformation", "shipping"}


def copy_pack(tmp_path: Path, pack_id: str = "food") -> Path:
    target = tmp_path / pack_id
    shutil.copytree(templates_library.SHIPPED_ROOT / pack_id, target)
    return target


def edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_a_broken_pack_reports_every_problem_with_its_path_in_both_languages(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    edit(root / "manifest.json", lambda m: m.update(version="1.0", requires_lotline=">=99.0.0"))
    edit(root / "forms" / "receiving.json", lambda f: f["fields"][1].update(type="numbr"))
    edit(root / "flows" / "shipping.json", lambda f: f["nodes"][0]["cte"]["kdes"].pop("tlc_source"))
    edit(root / "flows" / "receiving.json", lambda f: f["nodes"][0]["form"].update(key="receipt"))
    edit(
        root / "flows" / "field_pack.json", lambda f: f["nodes"][1]["rules"].update(allowed_stations=["NOPE"])
    )
    edit(root / "roles.json", lambda roles: roles[0]["permissions"].append("records.erase"))
    edit(root / "masterdata.json", lambda m: m["stations"][1].update(line="NO-LINE"))
    (root / "forms" / "stray.json").write_text("{}", encoding="utf-8")
    edit(  # a value a label could not escape: after a prefix change, or outside field data
        root / "labels" / "tlc_case.json",
        lambda label: label.update(template="^XA^CC+^FO{{lot}},30^FD{{gtin}}^FS^XZ"),
    )

    problems = check_pack(
        load_pack(root),
        known_permissions={
            "forms.read",
            "flows.read",
            "flows.run",
            "masterdata.read",
            "trace.read",
            "records.capture",
            "records.correct",
            "records.sign",
            "quality.manage",
            "recall.hold",
            "reports.read",
        },
        known_roles=BUILTIN,
    )
    found = {(format_path(p.path), p.code) for p in problems}
    assert {
        ("manifest.version", "pack.schema_pattern"),
        ("manifest.requires_lotline", "pack.lotline_too_old"),
        ("forms.stray", "pack.file_not_listed"),
        ("forms.receiving.fields[1].type", "def_not_allowed_value"),
        ("flows.shipping.nodes[0].cte.kdes", "flow.kde_missing"),
        ("flows.receiving.nodes[0].form.key", "pack.unknown_form"),
        ("flows.field_pack.nodes[1].rules.allowed_stations[0]", "pack.unknown_reference"),
        ("roles[0].permissions[11]", "pack.unknown_permission"),
        ("masterdata.stations[1].line", "pack.unknown_reference"),
        ("labels.tlc_case.template", "pack.label_prefix_change"),
        ("labels.tlc_case.template", "pack.label_placeholder_outside_field"),
    } <= found
    by_code = {p.code: p for p in problems}
    missing = by_code["flow.kde_missing"]
    assert missing.message("en") == (
        "flows.shipping.nodes[0].cte.kdes: FSMA 204 shipping needs the key data element tlc_source; "
        "name the field that captures it"
    )
    assert missing.message("zh-CN").startswith(
        "flows.shipping.nodes[0].cte.kdes：FSMA 204 shipping 事件需要关键数据元素"
    )
    outside = by_code["pack.label_placeholder_outside_field"]
    assert outside.message("en").endswith("{{lot}} is outside field data (in ^FO); values go into ^FD only")
    assert "不在字段数据中" in outside.message("zh-CN")
    station = by_code["pack.unknown_reference"]
    assert "NOPE" in station.message("en") and "模板包中没有" in station.message("zh-CN")


def test_unreadable_files_are_problems_not_exceptions(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    (root / "flows" / "shipping.json").write_text("{not json", encoding="utf-8")
    (root / "demo.py").write_text("x = 1\n", encoding="utf-8")
    found = {(format_path(p.path), p.code) for p in check_pack(load_pack(root), known_roles=BUILTIN)}
    assert ("manifest.contents.flows[6]", "pack.file_unreadable") in found
    assert ("demo", "pack.demo_without_run") in found


def _flow(event: str, kdes: dict[str, str], actions: list[Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": 1,
        "subject": "lot",
        "start": ["n"],
        "end": ["n"],
        "nodes": [
            {
                "id": "n",
                "type": "ship",
                "form": {"key": "f", "version": 1},
                "epcis": {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping"},
                "cte": {"standard": "fsma204", "event": event, "kdes": kdes},
                "actions": actions or [],
            }
        ],
    }


FORMS = {
    ("f", 1): workflow_engine.FormInfo(fields=frozenset({"qty", "customer", "doc", "doc_type", "source"}))
}
SHIPPING = {
    "tlc": "@subject",
    "quantity": "qty",
    "unit": "@material",
    "product": "@material",
    "recipient_location": "customer",
    "ship_from_location": "@site",
    "ship_date": "@event_time",
    "tlc_source": "source",
    "reference_document_type": "doc_type",
    "reference_document_number": "doc",
}


def test_fsma204_shipping_with_every_kde_passes() -> None:
    assert workflow_engine.check_flow(_flow("shipping", SHIPPING), FORMS) == []


def test_fsma204_kdes_missing_unknown_or_pointing_nowhere() -> None:
    kdes = {**SHIPPING, "quantity": "qty_shipped", "harvest_date": "@event_time"}
    del kdes["tlc"]
    found = {
        (format_path(p.path), p.code) for p in workflow_engine.check_flow(_flow("shipping", kdes), FORMS)
    }
    assert found == {
        ("nodes[0].cte.kdes", "flow.kde_missing"),
        ("nodes[0].cte.kdes.quantity", "flow.kde_unknown_field"),
        ("nodes[0].cte.kdes.harvest_date", "flow.kde_unknown"),
    }


def test_fsma204_a_new_tlc_only_where_the_rule_allows() -> None:
    numbering = [{"type": "create_item", "kind": "lot", "numbering": "TLC-{seq:04}"}]
    problems = workflow_engine.check_flow(_flow("shipping", SHIPPING, numbering), FORMS)
    assert [(format_path(p.path), p.code) for p in problems] == [
        ("nodes[0].actions[0]", "flow.tlc_not_allowed")
    ]
    assert "初次包装" in problems[0].message("zh-CN")


def test_recipes_compute_gs1_check_digits() -> None:
    from lotline.templates_library.recipe import with_check_digit

    assert with_check_digit("0085000100101") == "00850001001014"  # a GTIN-14 of the food pack
    assert with_check_digit("00950600013435200") == "009506000134352008"  # an SSCC
