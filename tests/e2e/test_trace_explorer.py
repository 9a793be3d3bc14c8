"""The trace explorer in real Chromium against the demo plant: a quality user traces a finished unit
backward to its raw lots and a raw lot forward to the customer, looks at events and mass balance,
and puts the recall scope on hold; the same screens in Chinese.

Each test receives its own lots and builds its own unit through the API (the plant is shared with
the station app's tests), so holding the scope never blocks another test's lots."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from browser_support import QA, PlantApi, sign_in
from playwright.sync_api import expect

from lotline.platform.demo import CAP_GTIN, RES_GTIN


def _sscc(serial: int) -> str:
    """An SSCC (extension 0, the demo company prefix) with its GS1 check digit."""
    body = f"0{RES_GTIN[1:12]}{serial:05d}"[:17]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _shot(page: Any, path: Path) -> None:
    """A full-page screenshot from the top (scrolled down, the sticky header is drawn mid-page)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def own_unit(browser: Any, plant: dict[str, Any]) -> dict[str, Any]:
    """Two supplier lots received and one unit assembled from them, tested, packed on a new pallet
    and shipped to ACME, all through the API with the plant's token."""
    suffix = uuid.uuid4().hex[:6].upper()
    lots = {"res": f"TRC-RES-{suffix}", "cap": f"TRC-CAP-{suffix}"}
    serial, sscc = f"TRC-{suffix}", _sscc(int(suffix, 16) % 100_000)
    context = browser.new_context()
    api = PlantApi(context.request, plant, f"trace-e2e-{suffix}")
    post = api.record
    post("goods-in", "receive", lots["res"], {"lot": f"]d201{RES_GTIN}10{lots['res']}", "qty": "100"})
    post("goods-in", "receive", lots["cap"], {"lot": f"]d201{CAP_GTIN}10{lots['cap']}", "qty": "50"})
    components = [{"lot": lots["res"], "qty": 4}, {"lot": lots["cap"], "qty": 2}]
    post("widget-line", "assemble", serial, {"components": components, "tool": "TQ-7"})
    post("widget-line", "final_test", serial, {"voltage": "5.02"})
    post("widget-line", "pack", serial, {"pallet": f"]C100{sscc}"})
    post("widget-line", "ship", serial, {"customer": "CUST-ACME"})

    def find(code: str) -> dict[str, Any]:
        [found] = api.search(code)
        return found

    made = {"serial": serial, "sscc": sscc, "lots": lots, "ids": {k: find(v)["id"] for k, v in lots.items()}}
    made["unit_id"] = find(serial)["id"]
    context.close()
    return made


def test_quality_user_traces_backward_and_forward_and_holds_the_scope(
    browser: Any, plant: dict[str, Any], own_unit: dict[str, Any], screenshot_dir: Path
) -> None:
    url, lots, serial = plant["url"], own_unit["lots"], own_unit["serial"]
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    sign_in(page, url, QA["username"], QA["password"])

    # Backward: the finished unit, found by its serial, came from both raw lots.
    page.goto(url + "/trace")
    page.get_by_label("Lot, serial, VIN, SSCC or GS1 barcode").fill(serial)
    page.keyboard.press("Enter")  # what a keyboard-wedge scanner does
    expect(page.get_by_test_id("trace-item-code")).to_have_text(serial)
    graph = page.get_by_test_id("trace-graph")
    for lot in lots.values():
        expect(graph.get_by_test_id(f"graph-node-{lot}")).to_be_visible()
    expect(page.get_by_test_id("trace-summary")).to_contain_text("Items: 3")
    _shot(page, screenshot_dir / "trace-graph-en.png")

    # The unit's events (station, equipment, operator, inspection result) and mass balance.
    graph.get_by_test_id(f"graph-node-{serial}").click()
    detail = page.get_by_test_id("item-detail")
    expect(detail.get_by_test_id("mass-balance")).to_contain_text("Shipped")
    events = detail.get_by_test_id("item-event")
    expect(events).to_have_count(4)
    assembly = events.filter(has_text="Assembly")
    expect(assembly).to_contain_text("ST-1")
    expect(assembly).to_contain_text("TQ-7")
    expect(events.filter(has_text="Inspection")).to_contain_text("5.02 V (spec 4.5–5.5 V) — in spec")
    expect(events.filter(has_text="Shipping")).to_contain_text("CUST-ACME")
    _shot(page, screenshot_dir / "trace-detail-en.png")

    # The same genealogy as a table.
    page.get_by_text("Table", exact=True).click()
    table = page.get_by_test_id("trace-table")
    expect(table.get_by_test_id(f"trace-row-{serial}")).to_contain_text(lots["res"])
    expect(table.get_by_test_id(f"trace-row-{lots['cap']}")).to_contain_text(serial)

    # Forward: the raw lot, found by a pasted GS1 string, reached the pallet and the customer.
    page.goto(url + "/trace")
    page.get_by_label("Lot, serial, VIN, SSCC or GS1 barcode").fill(f"(01){RES_GTIN}(10){lots['res']}")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("trace-item-code")).to_have_text(lots["res"])
    page.get_by_text("Forward: where used").click()
    graph = page.get_by_test_id("trace-graph")
    for code in (serial, own_unit["sscc"], "CUST-ACME"):
        expect(graph.get_by_test_id(f"graph-node-{code}")).to_be_visible()
    _shot(page, screenshot_dir / "trace-forward-en.png")

    # Collapsed at one level: the trace says so, exports everything in the background, loads more.
    page.goto(url + f"/trace/items/{own_unit['ids']['res']}?direction=forward&depth=1")
    truncated = page.get_by_test_id("trace-truncated")
    expect(truncated).to_contain_text("Collapsed after 1 level (2 items shown)")
    expect(page.get_by_test_id("trace-graph").get_by_test_id(f"graph-node-{serial}")).to_contain_text(
        "more beyond"
    )
    truncated.get_by_role("button", name="Export the full forward trace (CSV)").click()
    link = truncated.get_by_test_id("trace-export-download")
    expect(link).to_be_visible(timeout=15_000)
    expect(truncated.get_by_test_id("trace-export")).to_contain_text("Export ready: 3 items.")
    _shot(page, screenshot_dir / "trace-truncated-en.png")
    exported = page.request.get(url + link.get_attribute("href"))
    assert exported.status == 200 and serial in exported.text() and own_unit["sscc"] in exported.text()
    truncated.get_by_role("button", name="Load more levels").click()
    expect(page.get_by_test_id("trace-truncated")).to_have_count(0)
    expect(page.get_by_test_id("trace-graph").get_by_test_id("graph-node-CUST-ACME")).to_be_visible()

    # Recall: the unit shipped to ACME on its pallet (which holds nothing of ours any more); the
    # lot is still ours and goes on hold.
    page.get_by_test_id("tab-recall").click()
    recall = page.get_by_test_id("recall-view")
    expect(recall.get_by_test_id("recall-finished-count")).to_have_text("1")
    expect(recall.get_by_test_id("recall-stock-count")).to_have_text("1")
    expect(recall.get_by_test_id("recall-customer")).to_contain_text("CUST-ACME")
    with page.expect_download() as download:
        recall.get_by_test_id("recall-csv").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Reached as,Code,Kind")
    assert serial in csv_text and "CUST-ACME" in csv_text
    recall.get_by_test_id("recall-hold").click()
    confirm = page.get_by_test_id("recall-hold-confirm")
    expect(confirm).to_contain_text("Put 1 item on hold?")
    expect(confirm.get_by_test_id("recall-hold-submit")).to_be_disabled()  # a reason is required
    confirm.get_by_label("Reason for the hold").fill("Supplier reported a wrong resistance value")
    _shot(page, screenshot_dir / "recall-confirm-en.png")
    confirm.get_by_test_id("recall-hold-submit").click()
    expect(page.get_by_test_id("recall-held")).to_have_text("1 item put on hold (3 items in the scope).")
    expect(page.get_by_test_id("trace-item-header").get_by_test_id("item-status")).to_have_text("On hold")
    _shot(page, screenshot_dir / "recall-en.png")

    # The server agrees: the lot is on hold; the shipped unit is untouched; the other lot is not held.
    item = page.request.get(url + f"/api/items/{own_unit['ids']['res']}")
    assert item.status == 200 and item.json()["status"] == "hold"
    assert page.request.get(url + f"/api/items/{own_unit['unit_id']}").json()["status"] == "shipped"
    assert page.request.get(url + f"/api/items/{own_unit['ids']['cap']}").json()["status"] == "released"
    context.close()


def test_trace_explorer_in_chinese_and_the_finder(
    browser: Any, plant: dict[str, Any], own_unit: dict[str, Any], screenshot_dir: Path
) -> None:
    url, serial = plant["url"], own_unit["serial"]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.url.endswith(".js") else None)
    sign_in(page, url, QA["username"], QA["password"])

    # The search page loads neither the graph (React Flow, dagre) nor the barcode decoder (ZXing).
    page.goto(url + "/trace")
    expect(page.get_by_role("heading", name="追溯", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert any("/trace-page-" in script for script in scripts), scripts
    assert not [s for s in scripts if "/trace-graph-" in s], scripts
    with page.expect_request(lambda request: request.url.endswith(".js")) as decoder:
        page.get_by_test_id("trace-camera-button").click()  # headless: no camera, but ZXing loads
    assert decoder.value.url not in scripts[:-1]
    expect(page.get_by_test_id("camera-scanner")).to_contain_text("无法启动摄像头")
    page.get_by_role("button", name="关闭摄像头").click()

    page.goto(url + f"/trace/items/{own_unit['unit_id']}?selected={own_unit['unit_id']}")
    expect(page.get_by_test_id("trace-item-code")).to_have_text(serial)
    expect(page.get_by_test_id("tab-genealogy")).to_have_text("谱系")
    expect(page.get_by_text("向后：来源")).to_be_visible()
    detail = page.get_by_test_id("item-detail")
    expect(detail.get_by_test_id("mass-balance")).to_contain_text("已发货")
    expect(detail.get_by_test_id("item-event").filter(has_text="检验")).to_contain_text("合格")
    expect(page.get_by_test_id("trace-graph").get_by_test_id(f"graph-node-{serial}")).to_contain_text("单件")
    _shot(page, screenshot_dir / "trace-zh-CN.png")

    page.get_by_test_id("tab-recall").click()
    expect(page.get_by_role("heading", name=f"{serial} 的召回范围")).to_be_visible()
    _shot(page, screenshot_dir / "recall-zh-CN.png")

    # Switching back to English changes the words on the spot.
    page.get_by_test_id("language-switcher").select_option("en")
    expect(page.get_by_role("heading", name=f"Recall scope of {serial}")).to_be_visible()
    page.get_by_test_id("language-switcher").select_option("zh-CN")

    # The finder: what was shipped to the customer, made from a supplier lot, touched at a station.
    page.goto(url + "/trace")
    finder = page.get_by_test_id("trace-finder")
    finder.get_by_text("客户", exact=True).click()
    finder.get_by_label("客户地点代码").fill("CUST-ACME")
    finder.get_by_test_id("finder-submit").click()
    expect(finder.get_by_test_id("finder-results")).to_contain_text(serial)
    expect(finder.get_by_test_id("finder-results")).to_contain_text("WDG-00001")

    finder.get_by_text("供应商批次", exact=True).click()
    finder.get_by_label("供应商批号").fill(own_unit["lots"]["cap"])
    finder.get_by_test_id("finder-submit").click()
    results = finder.get_by_test_id("finder-results")
    expect(results).to_contain_text(serial)
    expect(results).not_to_contain_text("WDG-00001")

    finder.get_by_text("工位、设备或操作员", exact=True).click()
    finder.get_by_label("设备代码").fill("TQ-7")
    finder.get_by_label("工序").select_option("assembling")
    finder.get_by_test_id("finder-submit").click()
    expect(finder.get_by_test_id("finder-results")).to_contain_text(serial)
    expect(finder.get_by_test_id("finder-results")).to_contain_text(re.compile("装配 · ST-1"))
    _shot(page, screenshot_dir / "trace-finder-zh-CN.png")

    # The FDA FSMA 204 spreadsheet: a plain link the browser downloads with its session cookie
    # (this widget plant records no CTE: a sheet of headers)
    card = page.get_by_test_id("fsma-export")
    card.get_by_label("格式").select_option("csv")
    with page.expect_download() as downloading:
        card.get_by_test_id("fsma-download").click()
    download = downloading.value
    assert download.suggested_filename.startswith("fsma204-"), download.suggested_filename
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Critical tracking event,Event date,Location of the event,")
    context.close()
