"""Every route declares who may call it, and the whole route x role matrix holds:
unauthenticated -> 401, a role without the permission -> 403, a role with it -> allowed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from lotline.platform.auth.permissions import BUILTIN_ROLES
from lotline.platform.security import AUTHENTICATED, PUBLIC, declared_permissions, requires

SKIP_METHODS = {"HEAD", "OPTIONS"}


def routes(app: Flask) -> list[tuple[str, str, str | None]]:
    """(method, rule, declared permission) for every registered route."""
    found = []
    for rule in app.url_map.iter_rules():
        permissions = declared_permissions(app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) - SKIP_METHODS):
            found.append((method, rule.rule, permissions.get(method, permissions.get("*"))))
    return found


def concrete(rule: str) -> str:
    """A URL for a rule: integer ids become 1, other parameters a plain word."""
    path = re.sub(r"<int:[^>]+>", "1", rule)
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "x", path)


def test_every_route_declares_its_permission(app: Flask) -> None:
    undeclared = [f"{m} {r}" for m, r, p in routes(app) if not p]
    assert undeclared == []


def test_public_routes_are_exactly_the_expected_ones(app: Flask) -> None:
    public = {rule for _m, rule, p in routes(app) if p == PUBLIC}
    assert public == {
        "/api/health",
        "/api/openapi.json",
        "/",
        "/<path:path>",
        "/api/auth/login",
        "/api/auth/station-login",
    }


def test_protected_route_without_an_authorizer_answers_401(app: Flask) -> None:
    app.extensions.pop("lotline_authorizer")

    @app.get("/api/secret")
    @requires("audit.read")
    def secret() -> str:
        return "never"

    response = app.test_client().get("/api/secret")
    assert response.status_code == 401
    assert response.get_json()["code"] == "authentication_required"


def _call(client: Any, method: str, path: str) -> Any:
    return getattr(client, method.lower())(path, json={})


def test_unauthenticated_callers_get_401_everywhere(app: Flask) -> None:
    client = app.test_client()
    protected = [(m, r) for m, r, p in routes(app) if p not in (PUBLIC, None)]
    assert protected, "no protected routes found"
    wrong = {}
    for method, rule in protected:
        response = _call(client, method, concrete(rule))
        if response.status_code != 401:
            wrong[f"{method} {rule}"] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
def test_route_role_matrix(app: Flask, make_user: Any, sign_in: Any, role: str) -> None:
    client = sign_in(make_user(role))
    held = BUILTIN_ROLES[role][2]
    wrong = {}
    for method, rule, permission in routes(app):
        if permission in (PUBLIC, None) or rule == "/api/auth/logout":
            continue
        status = _call(client, method, concrete(rule)).status_code
        allowed = permission == AUTHENTICATED or permission in held
        if allowed and status in (401, 403):
            wrong[f"{method} {rule}"] = f"{status}, but {role} holds {permission}"
        if not allowed and status != 403:
            wrong[f"{method} {rule}"] = f"{status}, but {role} lacks {permission}"
    assert wrong == {}
