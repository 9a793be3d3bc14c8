"""Master data through the API on SQLite and PostgreSQL: CRUD with every problem listed by path in
English and Chinese, GS1 check digits, FSMA 204 location descriptions, lines/stations/equipment
on their sites, BOMs and the lookups capture relies on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from lotline.platform.db import get_session
from lotline.platform.masterdata import service

M = "/api/masterdata"
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def designer(make_user: Any, sign_in: Any) -> Any:
    return sign_in(make_user("designer"))


def material(client: Any, code: str, **extra: Any) -> dict[str, Any]:
    body = {"code": code, "name_en": f"Material {code}", "kind": "raw", "uom": "kg", **extra}
    response = client.post(f"{M}/materials", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.get_json()["errors"]}


def test_material_life_cycle(designer: Any) -> None:
    created = material(designer, "RM-100", name_zh="面粉", gtin="4006381333931", shelf_life_days=180)
    assert created["gtin"] == "04006381333931"  # GTIN-13 stored as GTIN-14
    assert (created["tracking"], created["active"], created["food_traceability_list"]) == ("lot", True, False)
    material(designer, "RM-200", name_en="Sugar")

    page = designer.get(f"{M}/materials?q=面").get_json()
    assert page["total"] == 1 and page["items"][0]["code"] == "RM-100"
    assert designer.get(f"{M}/materials").get_json()["total"] == 2

    changed = designer.patch(f"{M}/materials/{created['id']}", json={"name_en": "Wheat flour", "uom": "KGM"})
    assert changed.status_code == 200
    assert (changed.get_json()["name_en"], changed.get_json()["uom"]) == ("Wheat flour", "kg")

    retired = designer.delete(f"{M}/materials/{created['id']}")
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert designer.get(f"{M}/materials/{created['id']}").get_json()["code"] == "RM-100"  # still there
    assert [m["code"] for m in designer.get(f"{M}/materials?active=false").get_json()["items"]] == ["RM-100"]
    assert [m["code"] for m in designer.get(f"{M}/materials?active=true").get_json()["items"]] == ["RM-200"]


def test_every_material_problem_is_listed_with_its_path_in_both_languages(designer: Any) -> None:
    body = {"gtin": "4006381333932", "kind": "gadget", "uom": "bushel", "shelf_life_days": -1, "name_en": ""}
    en = designer.post(f"{M}/materials", json=body)
    assert en.status_code == 422
    assert errors(en) == {
        "code": "required",
        "gtin": "bad_check_digit",
        "kind": "not_one_of",
        "uom": "unknown_uom",
        "shelf_life_days": "out_of_range",
        "name_en": "name_missing",
    }
    zh = designer.post(f"{M}/materials", json=body, headers=ZH)
    by_field = {e["field"]: e["message"] for e in zh.get_json()["errors"]}
    english = {e["field"]: e["message"] for e in en.get_json()["errors"]}
    assert "校验位" in by_field["gtin"] and "check digit" in english["gtin"]
    assert "计量单位" in by_field["uom"] and "unit" in english["uom"]
    assert all(by_field[f] != english[f] for f in english)
    assert designer.get(f"{M}/materials").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("gtin", "stored"),
    [
        ("96385074", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("10614141000415", "10614141000415"),
    ],
)
def test_gtin_8_12_and_14_digits_are_accepted_as_gtin_14(
    designer: Any, org: Any, gtin: str, stored: str
) -> None:
    assert material(designer, "P-1", gtin=gtin)["gtin"] == stored
    found = service.find_material_by_gtin(get_session(), org.organisation.id, gtin)
    assert found is not None and found.code == "P-1"


def test_gtin_problems_and_uniqueness(designer: Any, org: Any) -> None:
    short = designer.post(
        f"{M}/materials", json={"code": "X", "name_en": "X", "kind": "raw", "uom": "kg", "gtin": "12345"}
    )
    assert errors(short) == {"gtin": "bad_gtin_length"}
    first = material(designer, "A", gtin="4006381333931")
    taken = designer.post(
        f"{M}/materials",
        json={"code": "B", "name_en": "B", "kind": "raw", "uom": "kg", "gtin": "04006381333931"},
    )
    assert errors(taken) == {"gtin": "gtin_taken"}
    assert taken.get_json()["errors"][0]["params"]["owner"] == "A"
    assert designer.patch(f"{M}/materials/{first['id']}", json={"gtin": "4006381333931"}).status_code == 200
    assert designer.patch(f"{M}/materials/{first['id']}", json={"gtin": None}).get_json()["gtin"] is None
    assert service.find_material_by_gtin(get_session(), org.organisation.id, "not a gtin") is None


def test_codes_are_unique_and_never_change(designer: Any) -> None:
    made = material(designer, "RM-1")
    again = designer.post(f"{M}/materials", json={"code": "RM-1", "name_en": "x", "kind": "raw", "uom": "g"})
    assert again.status_code == 409 and again.get_json()["code"] == "code_taken"
    assert again.get_json()["errors"][0]["field"] == "code"
    renamed = designer.patch(f"{M}/materials/{made['id']}", json={"code": "RM-2"}, headers=ZH)
    assert renamed.status_code == 422 and errors(renamed) == {"code": "code_fixed"}
    assert "编码" in renamed.get_json()["errors"][0]["message"]
    assert (
        designer.patch(f"{M}/materials/{made['id']}", json={"code": "RM-1", "name_en": "y"}).status_code
        == 200
    )


def test_location_carries_the_fsma_location_description(designer: Any, org: Any) -> None:
    bare = designer.post(f"{M}/locations", json={"code": "WH-1", "name": "Cold store", "kind": "warehouse"})
    assert bare.status_code == 201
    assert bare.get_json()["fsma_missing"] == ["business_name", "phone", "address"]
    full = {
        "code": "FARM-7",
        "name": "North field",
        "kind": "farm",
        "site_id": org.site.id,
        "business_name": "Green Acres Farm",
        "phone": "+1 (555) 010-2000",
        "street": "1 Orchard Rd",
        "city": "Salinas",
        "region": "CA",
        "postal_code": "93901",
        "country": "us",
        "gln": "0614141000005",
    }
    created = designer.post(f"{M}/locations", json=full).get_json()
    assert (created["country"], created["gln"], created["fsma_missing"]) == ("US", "0614141000005", [])

    bad = {
        "code": "X",
        "name": "X",
        "kind": "moon",
        "gln": "0614141000006",
        "country": "XX",
        "phone": "call me",
        "latitude": 91,
        "site_id": 999999,
    }
    response = designer.post(f"{M}/locations", json=bad, headers=ZH)
    assert errors(response) == {
        "kind": "not_one_of",
        "gln": "bad_check_digit",
        "country": "bad_country",
        "phone": "bad_phone",
        "latitude": "out_of_range",
        "site_id": "unknown_reference",
    }
    pair = designer.post(
        f"{M}/locations", json={"code": "Y", "name": "Y", "kind": "farm", "latitude": "36.67"}
    )
    assert errors(pair) == {"latitude": "coordinates_pair"}
    geo = designer.post(
        f"{M}/locations",
        json={"code": "Y", "name": "Y", "kind": "farm", "latitude": "36.677", "longitude": -121.655},
    )
    assert (geo.get_json()["latitude"], geo.get_json()["longitude"]) == ("36.677", "-121.655")
    twin = designer.post(
        f"{M}/locations", json={"code": "Z", "name": "Z", "kind": "dock", "gln": "0614141000005"}
    )
    assert errors(twin) == {"gln": "gln_taken"}


def test_partner_contact_and_address(designer: Any) -> None:
    body = {
        "code": "SUP-1",
        "name": "Acme Mills",
        "kind": "vendor",
        "email": "qa@acme.example",
        "phone": "021-5555 0100",
        "country": "中国",
        "gln": "0614141000005",
    }
    created = designer.post(f"{M}/partners", json=body)
    assert created.status_code == 201
    assert (created.get_json()["kind"], created.get_json()["country"]) == ("supplier", "CN")
    bad = designer.post(f"{M}/partners", json={"code": "C", "name": "", "kind": "customer", "email": "nope"})
    assert errors(bad) == {"name": "required", "email": "bad_email"}
    assert designer.get(f"{M}/partners?kind=supplier").get_json()["total"] == 1


def test_lines_stations_and_equipment_stay_on_their_site(designer: Any, admin_client: Any, org: Any) -> None:
    other = admin_client.post("/api/sites", json={"code": "SZ", "name": "Suzhou"}).get_json()
    line = designer.post(
        f"{M}/lines", json={"site_id": org.site.id, "code": "L1", "name": "Line 1"}
    ).get_json()
    assert (
        designer.post(f"{M}/lines", json={"site_id": other["id"], "code": "L1", "name": "Line 1"}).status_code
        == 201
    )
    dup = designer.post(f"{M}/lines", json={"site_id": org.site.id, "code": "L1", "name": "again"})
    assert dup.status_code == 409

    station = {"site_id": org.site.id, "line_id": line["id"], "code": "ST-01", "name": "Mixing"}
    made = designer.post(f"{M}/stations", json=station)
    assert made.status_code == 201
    elsewhere = designer.post(f"{M}/stations", json={**station, "code": "ST-02", "site_id": other["id"]})
    assert errors(elsewhere) == {"line_id": "other_site"}
    assert designer.post(f"{M}/stations", json={**station, "name": "dup"}).status_code == 409
    unknown = designer.post(
        f"{M}/stations", json={"site_id": 999999, "line_id": 999999, "code": "S", "name": "S"}
    )
    assert errors(unknown) == {"site_id": "unknown_reference", "line_id": "unknown_reference"}

    due = (date.today() + timedelta(days=30)).isoformat()
    scale = {
        "site_id": org.site.id,
        "station_id": made.get_json()["id"],
        "code": "SC-1",
        "name": "Scale",
        "kind": "scale",
        "serial_number": "MT-123",
        "calibration_due": due,
    }
    equipment = designer.post(f"{M}/equipment", json=scale)
    assert equipment.status_code == 201 and equipment.get_json()["calibration_due"] == due
    moved = designer.patch(f"{M}/equipment/{equipment.get_json()['id']}", json={"site_id": other["id"]})
    assert errors(moved) == {"station_id": "other_site"}
    assert designer.get(f"{M}/stations?line_id={line['id']}").get_json()["total"] == 1
    plain = designer.post(
        f"{M}/equipment", json={"site_id": org.site.id, "code": "TQ-7", "name": "Torque driver"}
    )
    assert plain.status_code == 201 and (plain.get_json()["kind"], plain.get_json()["station_id"]) == (
        "",
        None,
    )

    session, org_id = get_session(), org.organisation.id
    assert service.get_station_by_code(session, org_id, "ST-01").line_id == line["id"]
    assert service.get_equipment_by_code(session, org_id, "SC-1").serial_number == "MT-123"
    assert service.get_station_by_code(session, org_id, "ST-99") is None


def test_lookups_by_code(designer: Any, org: Any) -> None:
    material(designer, "RM-1")
    designer.post(f"{M}/partners", json={"code": "SUP-1", "name": "Acme", "kind": "supplier"})
    designer.post(f"{M}/locations", json={"code": "DOCK-1", "name": "Dock", "kind": "dock"})
    session, org_id = get_session(), org.organisation.id
    assert service.get_material_by_code(session, org_id, "RM-1").uom == "kg"
    assert service.get_partner_by_code(session, org_id, "SUP-1").name == "Acme"
    assert service.get_location_by_code(session, org_id, " DOCK-1 ").kind == "dock"
    assert service.get_material_by_code(session, org_id + 1, "RM-1") is None


def test_bills_of_materials(designer: Any, org: Any) -> None:
    cake = material(designer, "FG-CAKE", kind="finished", uom="ea")
    flour, sugar, honey = (material(designer, c) for c in ("RM-FLOUR", "RM-SUGAR", "RM-HONEY"))
    body = {
        "material_id": cake["id"],
        "lines": [
            {"component_material_id": flour["id"], "quantity": "0.25"},
            {
                "component_material_id": sugar["id"],
                "quantity": 0.1,
                "uom": "g",
                "alternatives_group": "sweet",
            },
            {
                "component_material_id": honey["id"],
                "quantity": "0.12",
                "optional": True,
                "alternatives_group": "sweet",
            },
        ],
    }
    created = designer.post(f"{M}/boms", json=body)
    assert created.status_code == 201, created.get_json()
    bom = created.get_json()
    assert (bom["version"], bom["material_code"], bom["lines"][0]["uom"], bom["lines"][0]["quantity"]) == (
        1,
        "FG-CAKE",
        "kg",
        "0.25",
    )
    session, org_id = get_session(), org.organisation.id
    assert service.allowed_components(session, org_id, cake["id"]) == {"RM-FLOUR", "RM-SUGAR", "RM-HONEY"}

    later = (date.today() + timedelta(days=10)).isoformat()
    v2 = designer.post(
        f"{M}/boms", json={"material_id": cake["id"], "valid_from": later, "lines": body["lines"][:1]}
    )
    assert v2.get_json()["version"] == 2
    assert service.allowed_components(session, org_id, cake["id"]) == {"RM-FLOUR", "RM-SUGAR", "RM-HONEY"}
    assert service.allowed_components(session, org_id, cake["id"], date.today() + timedelta(days=10)) == {
        "RM-FLOUR"
    }
    designer.delete(f"{M}/materials/{honey['id']}")  # a retired material is no longer allowed
    assert service.allowed_components(session, org_id, cake["id"]) == {"RM-FLOUR", "RM-SUGAR"}
    assert designer.delete(f"{M}/boms/{bom['id']}").get_json()["active"] is False
    assert service.allowed_components(session, org_id, cake["id"]) == set()
    assert [b["version"] for b in designer.get(f"{M}/boms?material_id={cake['id']}").get_json()] == [1, 2]

    replaced = designer.patch(
        f"{M}/boms/{bom['id']}",
        json={"active": True, "lines": [{"component_material_id": sugar["id"], "quantity": 2}]},
    )
    assert [line["component_code"] for line in replaced.get_json()["lines"]] == ["RM-SUGAR"]


def test_bom_problems(designer: Any) -> None:
    cake = material(designer, "FG", kind="finished", uom="ea")
    dough = material(designer, "WIP", kind="intermediate")
    flour = material(designer, "RM")
    ok = designer.post(
        f"{M}/boms",
        json={"material_id": dough["id"], "lines": [{"component_material_id": cake["id"], "quantity": 1}]},
    )
    assert ok.status_code == 201
    bad = designer.post(
        f"{M}/boms",
        headers=ZH,
        json={
            "material_id": cake["id"],
            "lines": [
                {"component_material_id": cake["id"], "quantity": 1},
                {"component_material_id": flour["id"], "quantity": 0},
                {"component_material_id": flour["id"], "quantity": "1.1234567", "uom": "parsec"},
                {"component_material_id": dough["id"], "quantity": 1},
                {"component_material_id": 999999, "quantity": 1},
            ],
        },
    )
    assert bad.status_code == 422
    assert errors(bad) == {
        "lines[0].component_material_id": "bom_self",
        "lines[1].quantity": "not_positive",
        "lines[2].quantity": "too_precise",
        "lines[2].uom": "unknown_uom",
        "lines[2].component_material_id": "bom_duplicate",
        "lines[3].component_material_id": "bom_cycle",
        "lines[4].component_material_id": "unknown_reference",
    }
    cycle = next(e for e in bad.get_json()["errors"] if e["code"] == "bom_cycle")
    assert cycle["params"]["path"] == "WIP → FG" and "循环" in cycle["message"]
    empty = designer.post(f"{M}/boms", json={"material_id": 999999, "lines": []})
    assert errors(empty) == {"material_id": "unknown_reference", "lines": "bom_empty"}


def test_reading_needs_masterdata_read_and_writing_masterdata_write(
    make_user: Any, sign_in: Any, designer: Any, client: Any
) -> None:
    made = material(designer, "RM-1")
    operator = sign_in(make_user("operator"))
    assert operator.get(f"{M}/materials/{made['id']}").status_code == 200
    for method, path in (
        ("post", "/materials"),
        ("patch", f"/materials/{made['id']}"),
        ("delete", f"/materials/{made['id']}"),
        ("post", "/boms"),
    ):
        refused = getattr(operator, method)(M + path, json={"code": "X"})
        assert refused.status_code == 403 and refused.get_json()["params"] == {
            "permission": "masterdata.write"
        }
    assert designer.get(f"{M}/materials/{made['id']}").get_json()["active"] is True  # nothing changed
    assert client.get(f"{M}/materials").status_code == 401
    quality = sign_in(make_user("quality"))
    assert quality.get(f"{M}/stations").status_code == 200
    assert quality.post(f"{M}/stations", json={}).status_code == 403


def test_another_organisation_sees_nothing(designer: Any, org: Any) -> None:
    from lotline.platform.auth.context import Actor
    from lotline.platform.auth.models import Organisation

    session = get_session()
    stranger = Organisation(name="Elsewhere")
    session.add(stranger)
    session.commit()
    actor = Actor(
        user_id=org.admin.id, username="x", full_name="x", organisation_id=stranger.id, kind="browser"
    )
    theirs = service.create(
        session, actor, "material", {"code": "RM-1", "name_en": "Theirs", "kind": "raw", "uom": "kg"}
    )
    assert designer.get(f"{M}/materials/{theirs.id}").status_code == 404
    assert designer.patch(f"{M}/materials/{theirs.id}", json={"name_en": "mine"}).status_code == 404
    assert designer.get(f"{M}/materials").get_json()["total"] == 0
    assert material(designer, "RM-1")["code"] == "RM-1"  # codes are per organisation
