"""Every registered route declares who may call it; protected routes refuse strangers."""

from __future__ import annotations

from flask import Flask

from lotline.platform.security import PUBLIC, declared_permissions, requires


def test_every_route_declares_its_permission(app: Flask) -> None:
    undeclared = []
    for rule in app.url_map.iter_rules():
        permissions = declared_permissions(app.view_functions[rule.endpoint])
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        for method in methods:
            permission = permissions.get(method, permissions.get("*"))
            if not permission:
                undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert undeclared == []


def test_public_routes_are_exactly_the_expected_ones(app: Flask) -> None:
    public = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if PUBLIC in declared_permissions(app.view_functions[rule.endpoint]).values()
    }
    assert public == {"/api/health", "/api/openapi.json", "/", "/<path:path>"}


def test_protected_route_without_an_authorizer_answers_401(app: Flask) -> None:
    @app.get("/api/secret")
    @requires("audit.read")
    def secret() -> str:
        return "never"

    response = app.test_client().get("/api/secret")
    assert response.status_code == 401
    assert response.get_json()["code"] == "authentication_required"
