"""The API's contract: health, OpenAPI, and one JSON error shape for every 4xx/5xx."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection

from lotline.platform.app import create_app
from lotline.platform.db import Database

ERROR_KEYS = {"code", "message", "params", "errors", "request_id"}


def test_health_reports_database_and_jobs(client: FlaskClient, backend: str) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] == backend
    assert body["database"]["revision"]  # migrated by Alembic
    assert body["redis"] == {"status": "disabled"}
    assert body["jobs"] == {"mode": "inline", "queue": "lotline"}


def _app_with(app_config: dict, connection: Connection, **overrides: object) -> Flask:
    app = create_app({**app_config, **overrides})
    db: Database = app.extensions["lotline_db"]
    db.bind_connection(connection)
    return app


def test_health_is_degraded_when_configured_redis_is_down(app_config: dict, connection: Connection) -> None:
    app = _app_with(app_config, connection, REDIS_URL="redis://:secret@127.0.0.1:1/0")
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["redis"]["status"] == "down"
    assert "secret" not in json.dumps(body)  # credentials never leave the server


def test_health_with_real_redis(app_config: dict, connection: Connection, redis_url: str) -> None:
    app = _app_with(app_config, connection, REDIS_URL=redis_url)
    body = app.test_client().get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["redis"]["status"] == "ok"
    assert body["jobs"]["mode"] == "rq"


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Lotline"
    assert "get" in doc["paths"]["/api/health"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/does-not-exist", 404, "not_found"),
        ("post", "/api/health", 405, "method_not_allowed"),
        ("delete", "/api/openapi.json", 405, "method_not_allowed"),
        ("get", "/api", 404, "not_found"),
    ],
)
def test_http_errors_share_one_json_shape(
    client: FlaskClient, method: str, path: str, status: int, code: str
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["errors"] == []
    assert body["request_id"] == response.headers["X-Request-ID"]
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_error_messages_follow_accept_language(client: FlaskClient) -> None:
    zh = client.get("/api/nothing", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_json()
    en = client.get("/api/nothing", headers={"Accept-Language": "en-GB"}).get_json()
    assert zh["message"] == "未找到。"
    assert en["message"] == "Not found."
    assert zh["code"] == en["code"] == "not_found"


def test_unexpected_errors_are_json_500_and_logged(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/api/boom")
    def boom() -> None:
        raise ZeroDivisionError("boom")

    logging.getLogger("lotline").propagate = True
    with caplog.at_level(logging.ERROR, logger="lotline.errors"):
        response = app.test_client().get("/api/boom", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 500
    body = response.get_json()
    assert body["code"] == "internal_error" and body["message"] == "服务器出错，未保存任何数据。"
    assert "boom" not in json.dumps(body)  # internals are logged, not shown
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_marshmallow_errors_carry_field_paths() -> None:
    from lotline.platform.errors import problems_from_marshmallow

    problems = problems_from_marshmallow(
        {
            "json": {
                "name": ["Missing data for required field."],
                "lots": {"0": {"qty": ["Not a valid number."]}},
            }
        }
    )
    assert [(p.path, p.code) for p in problems] == [(("name",), "required"), (("lots", 0, "qty"), "invalid")]
    assert problems[1].message("zh-CN") == "lots[0].qty 的值无效：Not a valid number."


def test_request_id_is_echoed_and_each_request_logs_one_line(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("lotline").propagate = True
    with caplog.at_level(logging.INFO, logger="lotline.request"):
        response = client.get("/api/health", headers={"X-Request-ID": "scan-42"})
    assert response.headers["X-Request-ID"] == "scan-42"
    lines = [r for r in caplog.records if r.name == "lotline.request"]
    assert len(lines) == 1
    record = lines[0]
    assert (record.method, record.path, record.status, record.request_id) == (
        "GET",
        "/api/health",
        200,
        "scan-42",
    )
    assert record.duration_ms >= 0


def test_spa_routes_fall_back_to_index_but_api_never_does(
    app_config: dict, connection: Connection, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app-abc123.js").write_text("console.log('lotline')")
    client = _app_with(app_config, connection, FRONTEND_DIST=str(dist)).test_client()

    for route in ("/", "/trace/LOT-1", "/station/3/node/7"):
        response = client.get(route)
        assert response.status_code == 200 and b"id=root" in response.data
    asset = client.get("/assets/app-abc123.js")
    assert asset.status_code == 200 and asset.cache_control.immutable
    assert client.get("/api/trace/LOT-1").status_code == 404
    assert client.get("/api/trace/LOT-1").is_json


def test_missing_front_end_build_says_how_to_build_it(
    app_config: dict, connection: Connection, tmp_path: Path
) -> None:
    client = _app_with(app_config, connection, FRONTEND_DIST=str(tmp_path / "<none>")).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert b"make run" in response.data
    assert b"<none>" not in response.data and b"&lt;none&gt;" in response.data  # escaped
