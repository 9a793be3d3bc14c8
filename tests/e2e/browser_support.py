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
