"""CSV import of materials, partners and locations (an ERP export): BOM, semicolons, Chinese and
English column names, upsert by code, dry runs, and all or nothing with every problem at
``rows[<line>].<column>`` in English and Chinese."""

from __future__ import annotations

import io
from typing import Any

import pytest

M = "/api/masterdata"
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def designer(make_user: Any, sign_in: Any) -> Any:
    return sign_in(make_user("designer"))


def upload(client: Any, entity: str, text: str | bytes, query: str = "", **kw: Any) -> Any:
    data = text.encode() if isinstance(text, str) else text
    files = {"file": (io.BytesIO(data), f"{entity}.csv")}
    return client.post(f"{M}/{entity}/import{query}", data=files, content_type="multipart/form-data", **kw)


def post_csv(client: Any, entity: str, text: str, query: str = "", **kw: Any) -> Any:
    return client.post(f"{M}/{entity}/import{query}", data=text.encode(), content_type="text/csv", **kw)


def codes(client: Any, entity: str) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in client.get(f"{M}/{entity}?limit=1000").get_json()["items"]}


def errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.get_json()["errors"]}


SAP_MATERIALS = (
    "\ufeff物料编码;物料名称;Name (EN);物料类型;EAN/UPC;基本单位;保质期(天);追溯方式;MRP Controller\r\n"
    "RM-001;面粉;Wheat flour;原材料;4006381333931;千克;180;批次;A01\r\n"
    "FG-100;蛋糕;Cake;成品;;个;7;序列号;A02\r\n"
    "PK-7;纸箱;;包材;;PCS;;;A03\r\n"
)


def test_semicolons_bom_and_chinese_headers(designer: Any) -> None:
    response = upload(designer, "materials", SAP_MATERIALS)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert (result["delimiter"], result["rows"], result["created"], result["updated"]) == (";", 3, 3, 0)
    assert result["ignored_columns"] == ["MRP Controller"] and result["dry_run"] is False
    stored = codes(designer, "materials")
    flour, cake, box = stored["RM-001"], stored["FG-100"], stored["PK-7"]
    assert (flour["name_zh"], flour["name_en"], flour["kind"], flour["uom"]) == (
        "面粉",
        "Wheat flour",
        "raw",
        "kg",
    )
    assert (flour["gtin"], flour["shelf_life_days"], flour["tracking"]) == ("04006381333931", 180, "lot")
    assert (cake["kind"], cake["uom"], cake["tracking"], cake["gtin"]) == ("finished", "ea", "serial", None)
    assert (box["kind"], box["uom"], box["tracking"], box["name_en"]) == ("packaging", "ea", "lot", "")


def test_a_text_csv_body_with_english_aliases_for_partners(designer: Any) -> None:
    text = (
        "Vendor Number,Vendor Name,Partner Type,Contact Person,Telephone,E-mail,Street,City,Zip,Country,GLN\n"
        'V-1,"Acme Mills, Inc.",vendor,Ann Lee,+1 555 0100,ann@acme.example,1 Mill Rd,Springfield,62701,US,'
        "0614141000005\n"
        "C-9,Corner Shop,客户,,,,,,,cn,\n"
    )
    response = post_csv(designer, "partners", text)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["delimiter"] == ","
    stored = codes(designer, "partners")
    assert (stored["V-1"]["name"], stored["V-1"]["kind"], stored["V-1"]["gln"]) == (
        "Acme Mills, Inc.",
        "supplier",
        "0614141000005",
    )
    assert (stored["C-9"]["kind"], stored["C-9"]["country"], stored["C-9"]["phone"]) == (
        "customer",
        "CN",
        None,
    )


def test_locations_name_their_site_by_code(designer: Any, org: Any) -> None:
    text = (
        "库位编码\t名称\t类型\t工厂\t企业名称\t电话\t地址\t城市\t国家\t纬度\t经度\n"
        "WH-A\t原料库\t仓库\tMAIN\t示例食品有限公司\t021-5555 0100\t浦东大道1号\t上海\tCN\t\t\n"
        "FARM-1\t北田\t农场\t\tGreen Acres\t+1 555 0100\t\t\t\t36.677\t-121.655\n"
    )
    response = upload(designer, "locations", text)
    assert response.status_code == 200, response.get_json()
    stored = codes(designer, "locations")
    assert (stored["WH-A"]["site_id"], stored["WH-A"]["kind"], stored["WH-A"]["fsma_missing"]) == (
        org.site.id,
        "warehouse",
        [],
    )
    assert (stored["FARM-1"]["site_id"], stored["FARM-1"]["latitude"], stored["FARM-1"]["fsma_missing"]) == (
        None,
        "36.677",
        [],
    )
    bad = upload(designer, "locations", "code,name,kind,site\nX,X,dock,NOWHERE\n")
    assert errors(bad) == {"rows[2].site": "unknown_reference"}


def test_one_bad_row_stores_nothing_and_every_problem_is_listed(designer: Any) -> None:
    text = (
        "Material Number,Name,Type,Unit,GTIN,Shelf life\n"
        "OK-1,Fine,raw,kg,,\n"
        "BAD-1,Broken,raw,kg,4006381333932,\n"
        '"BAD-2","Multi\nline name",widget,bushel,,-3\n'
        ",No code,raw,kg,,\n"
    )
    en = upload(designer, "materials", text)
    assert en.status_code == 422 and en.get_json()["code"] == "import_refused"
    assert errors(en) == {
        "rows[3].gtin": "bad_check_digit",
        "rows[4].kind": "not_one_of",
        "rows[4].uom": "unknown_uom",
        "rows[4].shelf_life_days": "out_of_range",
        "rows[6].code": "required",  # line 4 holds a line break, so the last record starts on line 6
    }
    assert [e["path"][1] for e in en.get_json()["errors"]] == [3, 4, 4, 4, 6]  # in file order
    zh = upload(designer, "materials", text, headers=ZH)
    assert "未导入任何数据" in zh.get_json()["message"]
    messages = {e["field"]: e["message"] for e in zh.get_json()["errors"]}
    assert "校验位" in messages["rows[3].gtin"] and "rows[3].gtin" in messages["rows[3].gtin"]
    assert "计量单位" in messages["rows[4].uom"]
    assert codes(designer, "materials") == {}


def test_dry_run_then_import_then_upsert(designer: Any) -> None:
    first = "code,name_en,kind,uom,gtin,tracking\nA,Alpha,raw,kg,96385074,serial\nB,Beta,raw,g,,\n"
    dry = post_csv(designer, "materials", first, "?dry_run=1")
    assert dry.status_code == 200
    assert (dry.get_json()["dry_run"], dry.get_json()["created"]) == (True, 2)
    assert dry.get_json()["changes"][0] == {
        "line": 2,
        "code": "A",
        "action": "create",
        "values": {
            "code": "A",
            "name_en": "Alpha",
            "kind": "raw",
            "uom": "kg",
            "gtin": "00000096385074",
            "tracking": "serial",
        },
    }
    assert codes(designer, "materials") == {}

    assert post_csv(designer, "materials", first).get_json()["created"] == 2
    # blank gtin clears it; blank tracking leaves "serial" alone; B is unchanged; C is new
    second = "code,name_en,kind,uom,gtin,tracking\nA,Alpha 2,raw,kg,,\nB,Beta,raw,g,,\nC,Gamma,raw,l,,\n"
    preview = post_csv(designer, "materials", second, "?dry_run=true").get_json()
    assert (preview["created"], preview["updated"], preview["unchanged"]) == (1, 1, 1)
    assert preview["changes"][0] == {
        "line": 2,
        "code": "A",
        "action": "update",
        "changes": {
            "name_en": {"from": "Alpha", "to": "Alpha 2"},
            "gtin": {"from": "00000096385074", "to": None},
        },
    }
    assert codes(designer, "materials")["A"]["name_en"] == "Alpha"
    done = post_csv(designer, "materials", second).get_json()
    assert (done["created"], done["updated"], done["unchanged"]) == (1, 1, 1)
    stored = codes(designer, "materials")
    assert (stored["A"]["name_en"], stored["A"]["gtin"], stored["A"]["tracking"]) == (
        "Alpha 2",
        None,
        "serial",
    )
    assert len(stored) == 3


def test_a_gtin_may_move_between_materials_in_one_file_but_not_be_claimed_twice(designer: Any) -> None:
    post_csv(designer, "materials", "code,name,kind,uom,gtin\nA,A,raw,kg,96385074\nB,B,raw,kg,\n")
    moved = post_csv(designer, "materials", "code,gtin\nA,\nB,96385074\n")
    assert moved.status_code == 200, moved.get_json()
    assert codes(designer, "materials")["B"]["gtin"] == "00000096385074"
    taken = post_csv(designer, "materials", "code,name,kind,uom,gtin\nC,C,raw,kg,96385074\n")
    assert errors(taken) == {"rows[2].gtin": "gtin_taken"}
    twice = post_csv(
        designer,
        "materials",
        "code,name,kind,uom,gtin\nD,D,raw,kg,4006381333931\nE,E,raw,kg,4006381333931\nD,D,raw,kg,\n",
    )
    assert errors(twice) == {"rows[3].gtin": "duplicate_row", "rows[4].code": "duplicate_row"}


def test_new_rows_need_the_required_columns_updates_do_not(designer: Any) -> None:
    post_csv(designer, "materials", "code,name,kind,uom\nA,A,raw,kg\n")
    response = post_csv(designer, "materials", "code,name\nA,Renamed\nNEW,New one\n")
    assert errors(response) == {"rows[3].kind": "required", "rows[3].uom": "required"}
    assert post_csv(designer, "materials", "code,name\nA,Renamed\n").get_json()["updated"] == 1


def test_header_problems(designer: Any) -> None:
    missing = post_csv(designer, "materials", "Name,Unit\nx,kg\n", headers=ZH)
    assert errors(missing) == {"header": "missing_column"}
    assert "物料编码" in missing.get_json()["errors"][0]["message"]
    twice = post_csv(designer, "materials", "code,物料编码,name\nA,A,x\n")
    assert errors(twice) == {"header": "duplicate_column"}
    assert errors(post_csv(designer, "materials", "")) == {"file": "empty_file"}
    extra = post_csv(designer, "materials", "code,name,kind,uom\nA,A,raw,kg,surprise\n")
    assert errors(extra) == {"rows[2]": "extra_cells"}
    json_body = designer.post(f"{M}/materials/import", json={})
    assert json_body.status_code == 415 and json_body.get_json()["code"] == "no_file"


def test_encodings(designer: Any) -> None:
    gbk = "物料编码,物料名称,物料类型,单位\nRM-1,面粉,原材料,千克\n".encode("gb18030")
    refused = upload(designer, "materials", gbk)
    assert errors(refused) == {"file": "not_utf8"}
    accepted = upload(designer, "materials", gbk, "?encoding=gb18030")
    assert accepted.status_code == 200 and codes(designer, "materials")["RM-1"]["name_zh"] == "面粉"
    assert errors(upload(designer, "materials", gbk, "?encoding=latin-9")) == {"encoding": "unknown_encoding"}


def test_ten_thousand_rows(designer: Any) -> None:
    lines = ["Material Number;Description;Material Type;Base Unit;Shelf Life"]
    lines += [f"M{i:05d};Material {i};ROH;KGM;{i % 365}" for i in range(10_000)]
    response = upload(designer, "materials", "\n".join(lines))
    assert response.status_code == 200, response.get_json()["errors"][:3]
    assert response.get_json()["created"] == 10_000
    page = designer.get(f"{M}/materials?q=M09999").get_json()
    assert page["total"] == 1 and page["items"][0]["shelf_life_days"] == 9999 % 365
    again = upload(designer, "materials", "\n".join(lines)).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 10_000)


def test_import_needs_masterdata_write(make_user: Any, sign_in: Any, designer: Any) -> None:
    supervisor = sign_in(make_user("supervisor"))
    refused = post_csv(supervisor, "materials", "code,name,kind,uom\nA,A,raw,kg\n", "?dry_run=1")
    assert refused.status_code == 403 and refused.get_json()["params"] == {"permission": "masterdata.write"}
    integration = sign_in(make_user("integration"))
    assert post_csv(integration, "partners", "code,name,kind\nP,P,carrier\n").status_code == 200
    assert codes(designer, "partners")["P"]["kind"] == "carrier"
