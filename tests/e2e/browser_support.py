"""Shared by the browser tests: the people of the `plant` fixture and signing in through the UI."""

from __future__ import annotations

import re
from typing import Any

ADMIN_PASSWORD = "Admin-e2e-Passw0rd!"
QA = {"username": "qa", "password": "Quality-e2e-Passw0rd!", "full_name": "Quinn Quality"}
OPERATOR = {
    "username": "op1",
    "password": "Operator-e2e-Passw0rd!",
    "full_name": "Olga Operator",
    "badge": "BADGE-1001",
    "pin": "4826",
}


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Signs in through the real sign-in page."""
    page.goto(base_url + "/login")
    page.get_by_label(re.compile("^(User name|用户名)$")).fill(username)
    page.get_by_label(re.compile("^(Password|密码)$")).fill(password)
    page.get_by_role("button", name=re.compile("^(Sign in|登录)$")).click()
    page.get_by_test_id("user-menu").wait_for()


class PlantApi:
    """The plant's REST API with its setup token, for arranging and checking what a browser test
    does through the UI (Playwright's request context: real HTTP, no browser session)."""

    def __init__(self, request: Any, plant: dict[str, Any], prefix: str = "e2e") -> None:
        self.request, self.url = request, plant["url"]
        self.headers = {"Authorization": f"Bearer {plant['token']}"}
        self.prefix, self.sequence = prefix, 0

    def record(self, flow: str, node: str, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Captures one record at station ST-1 (its own idempotency key) and returns the answer."""
        self.sequence += 1
        response = self.request.post(
            self.url + "/api/records",
            headers=self.headers,
            data={
                "idempotency_key": f"{self.prefix}-{self.sequence:04d}",
                "flow": flow,
                "node": node,
                "subject": subject,
                "station": "ST-1",
                "payload": payload,
            },
        )
        assert response.status == 201, response.text()
        body: dict[str, Any] = response.json()
        return body

    def get(self, path: str, **params: Any) -> Any:
        response = self.request.get(self.url + path, headers=self.headers, params=params)
        assert response.ok, response.text()
        return response.json()

    def search(self, query: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("/api/items/search", q=query)
        return found
