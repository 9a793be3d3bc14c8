"""Label printing: an installed pack's ZPL template filled with an item's values and sent to a
label printer's raw port (here a real TCP server standing in for the printer), audited; printers
as master data. On SQLite and PostgreSQL, with the pharma pack's demo items."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from test_packs import load_recipe

from lotline.platform.labels.service import render_zpl


class _Printer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        super().__init__(("127.0.0.1", 0), _Job)


class _Job(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        chunks = []
        while data := self.request.recv(65536):
            chunks.append(data)
        server: Any = self.server
        server.jobs.append(b"".join(chunks))
        server.done.set()


@pytest.fixture
def zebra() -> Iterator[_Printer]:
    server = _Printer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def received(printer: _Printer) -> str:
    assert printer.done.wait(5), "the printer received nothing"
    printer.done.clear()
    return printer.jobs[-1].decode("utf-8")


@pytest.fixture
def pharma(admin_client: Any) -> dict[str, Any]:
    assert admin_client.post("/api/packs/pharma/install", json={}).status_code == 200
    summary: dict[str, Any] = load_recipe("pharma")(admin_client, scale=0.1, seed=3)
    return summary


def station(client: Any, code: str) -> dict[str, Any]:
    listed = client.get(f"/api/masterdata/stations?q={code}").get_json()["items"]
    (found,) = [s for s in listed if s["code"] == code]
    return found  # type: ignore[no-any-return]


def add_printer(client: Any, code: str, port: int, at: str | None = "PH-PACK-1") -> dict[str, Any]:
    packing = station(client, "PH-PACK-1")  # its site, and the station served unless None
    body = {
        "site_id": packing["site_id"],
        "code": code,
        "name": f"Zebra {code}",
        "host": "127.0.0.1",
        "port": port,
    }
    if at:
        body["station_id"] = station(client, at)["id"]
    response = client.post("/api/masterdata/printers", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def audit_prints(client: Any, item_id: int) -> list[dict[str, Any]]:
    entries = client.get(f"/api/audit?object_type=item&object_id={item_id}&action=print").get_json()["items"]
    return entries  # type: ignore[no-any-return]


def test_a_pack_label_prints_on_the_stations_printer_with_the_items_values(
    admin_client: Any, pharma: dict[str, Any], zebra: _Printer
) -> None:
    add_printer(admin_client, "ZB-PACK-1", zebra.server_address[1])
    (pack,) = admin_client.get(f"/api/items/search?q={pharma['trace']}").get_json()
    # another pack with unit labels of its own: not offered for the pharma pack's units
    assert admin_client.post("/api/packs/electronics/install", json={}).status_code == 200

    fitting = admin_client.get(f"/api/items/{pack['id']}/labels").get_json()
    assert [t["key"] for t in fitting] == ["pharma/pack_datamatrix"]
    assert fitting[0]["name"]["zh-CN"].startswith("小盒赋码")

    printed = admin_client.post(
        f"/api/items/{pack['id']}/labels/print", json={"station": "PH-PACK-1", "copies": 2}
    )
    assert printed.status_code == 200, printed.get_json()
    assert printed.get_json() == {
        "item_id": pack["id"],
        "template": "pharma/pack_datamatrix",
        "printer": "ZB-PACK-1",
        "copies": 2,
    }
    zpl = received(zebra)
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2
    expiry = pack["expiry"][2:4] + pack["expiry"][5:7] + pack["expiry"][8:10]  # GS1 YYMMDD
    assert f"_1(01){pack['gtin']}(17){expiry}(10){pack['lot']}_1(21){pack['serial']}" in zpl
    assert f"^FDSN {pack['serial']}^FS" in zpl.replace("^FH_^FD", "^FD")

    (entry,) = audit_prints(admin_client, pack["id"])
    assert entry["details"] == {
        "template": "pharma/pack_datamatrix",
        "printer": "ZB-PACK-1",
        "copies": 2,
        "bytes": len(zpl.encode()) // 2,
    }


def test_a_case_label_by_printer_code_and_what_is_refused(
    admin_client: Any, pharma: dict[str, Any], zebra: _Printer
) -> None:
    add_printer(admin_client, "ZB-DOCK", zebra.server_address[1], at=None)
    (pack,) = admin_client.get(f"/api/items/search?q={pharma['trace']}").get_json()
    forward = admin_client.get(f"/api/items/{pack['id']}/trace?direction=forward").get_json()["items"]
    (case,) = [i for i in forward if i["kind"] == "container"]  # the shipper case holding the pack
    printed = admin_client.post(f"/api/items/{case['id']}/labels/print", json={"printer": "ZB-DOCK"})
    assert printed.status_code == 200, printed.get_json()
    zpl = received(zebra)
    assert f">;>8(00){case['sscc']}" in zpl and "Metformin" in zpl

    # a printer that does not answer: 503, in the user's language, and no print in the audit trail
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    add_printer(admin_client, "ZB-GONE", port, at=None)
    refused = admin_client.post(
        f"/api/items/{case['id']}/labels/print",
        json={"printer": "ZB-GONE"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 503
    body = refused.get_json()
    assert body["code"] == "printer_unreachable" and "未接收标签" in body["message"]
    assert len(audit_prints(admin_client, case["id"])) == 1

    nothing = admin_client.post(f"/api/items/{case['id']}/labels/print", json={})
    assert (nothing.status_code, nothing.get_json()["code"]) == (400, "printer_required")
    no_printer = admin_client.post(f"/api/items/{case['id']}/labels/print", json={"station": "PH-QA-1"})
    assert (no_printer.status_code, no_printer.get_json()["code"]) == (404, "station_has_no_printer")
    wrong = admin_client.post(
        f"/api/items/{case['id']}/labels/print",
        json={"printer": "ZB-DOCK", "template": "pharma/pack_datamatrix"},
    )
    assert (wrong.status_code, wrong.get_json()["code"]) == (404, "label_template_not_found")


def test_printers_are_master_data_with_a_checked_address(admin_client: Any) -> None:
    site = admin_client.get("/api/sites").get_json()[0]["id"]
    bad = admin_client.post(
        "/api/masterdata/printers",
        json={"site_id": site, "code": "ZB-1", "name": "Zebra", "host": "not a host!", "port": 70000},
        headers={"Accept-Language": "zh-CN"},
    )
    assert bad.status_code == 422
    problems = {tuple(e["field"].split(".")): e for e in bad.get_json()["errors"]}
    assert set(problems) == {("host",), ("port",)}
    assert "主机名" in problems[("host",)]["message"]
    metadata = admin_client.post(
        "/api/masterdata/printers",
        json={"site_id": site, "code": "ZB-2", "name": "Zebra", "host": "169.254.169.254"},
    )
    assert metadata.status_code == 422 and metadata.get_json()["errors"][0]["field"] == "host"
    good = admin_client.post(
        "/api/masterdata/printers",
        json={"site_id": site, "code": "ZB-1", "name": "Zebra", "host": "ZT411-Line1.local"},
    )
    assert good.status_code == 201, good.get_json()
    assert (good.get_json()["host"], good.get_json()["port"], good.get_json()["language"]) == (
        "zt411-line1.local",
        9100,
        "zpl",
    )


def test_values_cannot_act_as_zpl_commands_and_missing_values_refuse() -> None:
    evil = {"lot": "L1^XZ~JA", "serial": "S_41", "code": "C^FS"}
    plain = render_zpl("^XA^FO1,1^A0N,20,20^FDLot {{lot}} x_y^FS^XZ", evil)
    assert plain == "^XA^FO1,1^A0N,20,20^FH_^FDLot L1_5EXZ_7EJA x_5Fy^FS^XZ"  # ^FH added: x_y as before
    gs1 = render_zpl("^XA^FO1,1^BXN,4,200^FH^FD_1(10){{lot}}_1(21){{serial}}^FS^FO2,2^FD{{code}}^FS^XZ", evil)
    assert gs1 == "^XA^FO1,1^BXN,4,200^FH^FD_1(10)L1_5EXZ_7EJA_1(21)S_5F41^FS^FO2,2^FH_^FDC_5EFS^FS^XZ"
    # a field's own escape character; no ^FS before the next field; ^FH does not outlive ^XZ
    assert render_zpl("^XA^FH\\^FD{{lot}}^FS^XZ", {"lot": "a\\b^"}) == "^XA^FH\\^FDa\\5Cb\\5E^FS^XZ"
    two = render_zpl("^XA^FD{{lot}}^FO1,1^FH\\^FD{{serial}}^FS^XZ", {"lot": "x_1", "serial": "\\41"})
    assert two == "^XA^FH_^FDx_5F1^FO1,1^FH\\^FD\\5C41^FS^XZ"
    carried = render_zpl("^XA^FH^FDstatic^XZ^XA^FD{{lot}}^FS^XZ", {"lot": "L_2"})
    assert carried == "^XA^FH^FDstatic^XZ^XA^FH_^FDL_5F2^FS^XZ"
    # control characters (C0, DEL, C1) as escapes of their UTF-8 bytes; other text as it is
    assert render_zpl("^FD{{lot}}^FS", {"lot": "a\x7fb\x85c\n混"}) == "^FH_^FDa_7Fb_C2_85c_0A混^FS"
    assert render_zpl("^XA^FDno values^FS^XZ", {}) == "^XA^FDno values^FS^XZ"

    for unsafe in ("^XA^CC+^FD{{lot}}+FS^XZ", "^XA^FO{{lot}},1^FDx^FS^XZ", "^XA~CD;^FD{{lot}}^FS^XZ"):
        with pytest.raises(Exception) as refused:
            render_zpl(unsafe, evil)
        assert getattr(refused.value, "code", None) == "label_template_unsafe", unsafe
    with pytest.raises(Exception) as refused:
        render_zpl("^XA^FD{{serial}} {{lot}}^FS^XZ", {"serial": None, "lot": ""})
    assert getattr(refused.value, "code", None) == "label_value_missing"
    assert refused.value.params == {"names": "lot, serial"}  # type: ignore[attr-defined]


def test_a_production_date_is_the_sites_day_and_a_vin_is_a_vin() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from lotline.platform.labels import service

    evening = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # already the 29th in Shanghai
    assert service._site_day(evening, SimpleNamespace(timezone="Asia/Shanghai")).isoformat() == "2026-11-29"
    assert service._site_day(evening, None).isoformat() == "2026-11-28"
    assert service._VIN.fullmatch("1HGCM82633A004352")
    assert not service._VIN.fullmatch("SN-0000000000000A")  # 17 characters, not a VIN
    assert not service._VIN.fullmatch("1HGCM82633A00435O")  # no O in a VIN
