"""The station app in real Chromium against the real API: a worker signs in with badge and PIN,
scans with a keyboard-wedge scanner, fixes a field the server refused, and works through a
network outage (records queue in IndexedDB, survive a reload, and are recorded exactly once)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from browser_support import OPERATOR, PlantApi
from playwright.sync_api import expect

from lotline.platform.demo import CAP_GTIN, RES_GTIN


def _station_sign_in(page: Any, url: str) -> None:
    page.goto(url + "/login?station=ST-1")
    page.get_by_label(re.compile("^(Badge|工牌)$")).fill(OPERATOR["badge"])
    page.get_by_label(re.compile("^(PIN|PIN 码)$")).fill(OPERATOR["pin"])
    page.get_by_role("button", name=re.compile("^(Sign in|登录)$")).click()
    expect(page.get_by_test_id("station")).to_be_visible()


def _wedge_scan(page: Any, text: str) -> None:
    """Types like a keyboard-wedge scanner: fast keystrokes, GS sent as Ctrl+], Enter at the end."""
    for part_index, part in enumerate(text.split("\x1d")):
        if part_index:
            page.keyboard.press("Control+BracketRight")
        page.keyboard.type(part, delay=5)
    page.keyboard.press("Enter")


def _items(page: Any, plant: dict[str, Any], query: str) -> list[dict[str, Any]]:
    return PlantApi(page.request, plant).search(query)


def _instances(page: Any, plant: dict[str, Any], subject: str) -> int:
    total: int = PlantApi(page.request, plant).get("/api/flow-instances", subject=subject)["total"]
    return total


def test_worker_scans_fixes_a_refused_field_and_works_offline(
    browser: Any, plant: dict[str, Any], screenshot_dir: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1024, "height": 1366})
    page = context.new_page()
    _station_sign_in(page, plant["url"])
    page.get_by_role("button", name=re.compile("receive", re.I)).click()
    expect(page.get_by_role("heading", name="Goods receipt")).to_be_visible()

    # Scan the subject (Enter moves on), then the supplier's GS1 barcode with a separator.
    subject = page.locator("#station-subject")
    subject.focus()
    _wedge_scan(page, "RES-E2E-1")
    lot_field = page.get_by_label("Supplier lot")
    expect(lot_field).to_be_focused()
    barcode = f"]d201{RES_GTIN}10RES-E2E-1\x1d17281231"
    _wedge_scan(page, barcode)
    expect(lot_field).to_have_value(barcode)  # the GS survived the keyboard wedge
    expect(page.get_by_test_id("scan-gs1")).to_contain_text("⟨GS⟩17281231")
    quantity = page.get_by_label("Quantity")
    expect(quantity).to_be_focused()

    quantity.fill("-5")
    page.get_by_role("button", name="Submit").click()
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_have_attribute("data-outcome", "refused")
    # The server's message sits on the field it is about.
    expect(page.locator("[id$='qty__error']")).to_contain_text("at least 0")
    expect(quantity).to_have_attribute("aria-describedby", re.compile("qty__error"))
    page.screenshot(path=str(screenshot_dir / "station-field-error-en.png"), full_page=True)

    quantity.fill("250")
    page.get_by_role("button", name="Submit").click()
    expect(outcome).to_have_attribute("data-outcome", "accepted")
    expect(page.get_by_test_id("label")).to_contain_text("RES-E2E-1")
    page.screenshot(path=str(screenshot_dir / "station-accepted-en.png"), full_page=True)
    [received] = _items(page, plant, "RES-E2E-1")
    assert received["lot"] == "RES-E2E-1" and received["quantity"] == 250
    assert received["expiry"].startswith("2028-12-31")

    # The network drops: three receipts queue on the tablet.
    context.set_offline(True)
    expect(page.get_by_test_id("network-status")).to_contain_text("Offline")
    for n in (1, 2, 3):
        subject.focus()
        _wedge_scan(page, f"RES-OFF-{n}")
        expect(lot_field).to_be_focused()  # a person scans the next barcode after the beep
        _wedge_scan(page, f"RES-OFF-{n}")
        page.get_by_label("Quantity").fill("10")
        page.get_by_role("button", name="Submit").click()
        expect(outcome).to_have_attribute("data-outcome", "queued")
        expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", str(n))
    page.screenshot(path=str(screenshot_dir / "station-offline-en.png"), full_page=True)

    page.reload()  # still offline: the service worker serves the app, IndexedDB kept the queue
    expect(page.get_by_test_id("pending-count")).to_have_attribute("data-count", "3")

    context.set_offline(False)
    expect(page.get_by_test_id("pending-count")).to_have_count(0, timeout=20_000)
    expect(page.get_by_test_id("refused")).to_have_count(0)
    for n in (1, 2, 3):
        assert len(_items(page, plant, f"RES-OFF-{n}")) == 1
        assert _instances(page, plant, f"RES-OFF-{n}") == 1
    context.close()


def test_station_speaks_chinese(browser: Any, plant: dict[str, Any], screenshot_dir: Path) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 1024})
    page = context.new_page()
    _station_sign_in(page, plant["url"])
    page.get_by_role("button", name=re.compile("final_test|终检")).click()
    expect(page.get_by_role("heading", name="终检")).to_be_visible()
    page.locator("#station-subject").focus()
    _wedge_scan(page, plant["units"][0])
    voltage = page.get_by_label("输出电压")
    voltage.fill("5.9")
    expect(page.locator("[data-testid^=spec-]")).to_have_text("超出规格")
    voltage.fill("5.1")
    expect(page.locator("[data-testid^=spec-]")).to_have_text("合格")
    page.screenshot(path=str(screenshot_dir / "station-zh-CN.png"), full_page=True)
    context.close()


def test_assembly_with_a_repeating_group_then_scan_first_to_a_self_submitting_test(
    browser: Any, plant: dict[str, Any], screenshot_dir: Path
) -> None:
    # Lots of our own, received through the API, so other tests' holds cannot interfere.
    api = {"Authorization": f"Bearer {plant['token']}"}
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 1024})
    page = context.new_page()

    api = PlantApi(page.request, plant, "station-e2e-auto")
    api.record("goods-in", "receive", "RES-AUTO", {"lot": f"]d201{RES_GTIN}10RES-AUTO", "qty": 8})
    api.record("goods-in", "receive", "CAP-AUTO", {"lot": f"]d201{CAP_GTIN}10CAP-AUTO", "qty": 4})

    # Assemble at the station: a repeating group of consumed lots, one more added with a tap.
    _station_sign_in(page, plant["url"])
    page.get_by_role("button", name=re.compile("assemble")).click()
    page.locator("#station-subject").focus()
    _wedge_scan(page, "WDG-AUTO-1")
    expect(page.locator("#root_components_0_lot")).to_be_focused()
    _wedge_scan(page, "RES-AUTO")
    page.keyboard.type("4")
    page.get_by_role("button", name="Add another").click()
    page.locator("#root_components_1_lot").focus()
    _wedge_scan(page, "CAP-AUTO")
    page.keyboard.type("2")
    page.locator("#root_tool").focus()
    _wedge_scan(page, "TQ-7")
    page.get_by_role("button", name="Submit").click()
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_have_attribute("data-outcome", "accepted")
    expect(page.get_by_test_id("label")).to_contain_text("WDG-AUTO-1")
    page.screenshot(path=str(screenshot_dir / "station-assembled-en.png"), full_page=True)

    page.get_by_role("button", name=re.compile("receive")).click()  # the wrong step on purpose
    page.locator("#station-subject").focus()
    _wedge_scan(page, "WDG-AUTO-1")
    # The unit's flow says final test is next: the station switches there and focuses the reading.
    expect(page.get_by_role("heading", name="Final test")).to_be_visible()
    expect(page.get_by_test_id("subject-hint")).to_contain_text("final_test")
    voltage = page.get_by_label("Output voltage")
    expect(voltage).to_be_focused()
    page.keyboard.type("5.02")
    expect(page.locator("[data-testid^=spec-]")).to_have_text("In spec")
    page.keyboard.press("Enter")  # the last field of a complete form: it submits itself
    expect(outcome).to_have_attribute("data-outcome", "accepted")
    expect(page.get_by_test_id("next-steps")).to_contain_text("pack")
    page.screenshot(path=str(screenshot_dir / "station-auto-submit-en.png"), full_page=True)
    context.close()


def test_a_record_refused_after_the_sync_comes_back_for_the_worker_to_fix(
    browser: Any, plant: dict[str, Any], screenshot_dir: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1024, "height": 1366})
    page = context.new_page()
    _station_sign_in(page, plant["url"])
    page.get_by_role("button", name=re.compile("receive")).click()
    expect(page.get_by_role("heading", name="Goods receipt")).to_be_visible()

    context.set_offline(True)
    page.locator("#station-subject").focus()
    _wedge_scan(page, "RES-FIX-1")
    expect(page.get_by_label("Supplier lot")).to_be_focused()
    _wedge_scan(page, "RES-FIX-1")
    page.get_by_label("Quantity").fill("-3")  # nobody checks while offline
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("outcome")).to_have_attribute("data-outcome", "queued")

    context.set_offline(False)
    refused = page.get_by_test_id("refused")
    expect(refused).to_contain_text("RES-FIX-1", timeout=20_000)
    page.screenshot(path=str(screenshot_dir / "station-refused-after-sync-en.png"), full_page=True)
    assert _items(page, plant, "RES-FIX-1") == []  # nothing partial was stored

    refused.get_by_role("button", name="Fix").click()
    expect(page.locator("[id$='qty__error']")).to_contain_text("at least 0")
    expect(page.locator("#station-subject")).to_have_value("RES-FIX-1")
    page.get_by_label("Quantity").fill("30")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("outcome")).to_have_attribute("data-outcome", "accepted")
    expect(refused).to_have_count(0)
    assert len(_items(page, plant, "RES-FIX-1")) == 1
    context.close()
