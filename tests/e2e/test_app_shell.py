"""The served single-page app in real Chromium: it talks to the real API and switches language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect


def test_language_switch_changes_the_text_and_persists(
    browser: Any, live_server: str, screenshot_dir: Path
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(live_server + "/")

    title = page.get_by_test_id("app-title")
    expect(title).to_have_text("Lotline")
    health = page.get_by_test_id("health-status")
    expect(health).to_have_attribute("data-status", "ok")  # the real /api/health answered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english_health = health.inner_text()
    page.screenshot(path=str(screenshot_dir / "shell-en.png"), full_page=True)

    page.get_by_test_id("language-switcher").select_option("zh-CN")
    expect(title).to_have_text("Lotline 追溯")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(health).not_to_have_text(english_health)
    assert "SQLite" in health.inner_text()
    page.screenshot(path=str(screenshot_dir / "shell-zh-CN.png"), full_page=True)

    page.reload()  # the choice is remembered
    expect(title).to_have_text("Lotline 追溯")
    context.close()


def test_browser_language_is_followed_and_client_routes_work(browser: Any, live_server: str) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/no/such/page")  # served by the SPA fallback, routed client-side
    expect(page.get_by_test_id("app-title")).to_have_text("Lotline 追溯")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    response = page.request.get(live_server + "/api/no/such/thing")
    assert response.status == 404 and response.json()["code"] == "not_found"
    context.close()
