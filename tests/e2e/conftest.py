"""Browser tests: the real app served over HTTP, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import ADMIN_PASSWORD, OPERATOR, QA
from werkzeug.serving import make_server

from lotline.platform import migrate
from lotline.platform.app import create_app
from lotline.platform.config import REPO_ROOT, load_config

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("LOTLINE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    if not (REPO_ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("frontend/dist is not built; run `make test` (it builds it first)")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[str]:
    """Lotline on a fresh, migrated SQLite file, served by a real HTTP server in a thread."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    config = {"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING", "REDIS_URL": None}
    migrate.upgrade(load_config(config))
    server, thread, url = _serve(create_app(config))
    yield url
    server.shutdown()
    thread.join(timeout=5)


def _serve(app: Any) -> tuple[Any, threading.Thread, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def plant(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[dict[str, Any]]:
    """Lotline on its own SQLite file with the demo plant built and a morning's production made
    through the real API, plus a quality user and a station operator (badge + PIN) who have
    chosen their own passwords. Browser tests that need data share it; each test makes its own
    records (unique subjects), so their order does not matter."""
    from lotline.platform import demo
    from lotline.platform.audit import service as audit_service
    from lotline.platform.auth import service as auth_service
    from lotline.platform.auth.permissions import PERMISSIONS
    from lotline.platform.db import get_session

    instance = tmp_path_factory.mktemp("e2e-plant")
    config = {"INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING", "REDIS_URL": None}
    migrate.upgrade(load_config(config))
    app = create_app(config)
    with app.app_context():
        session = get_session()
        made = auth_service.bootstrap(session, password=ADMIN_PASSWORD)
        org_id, admin_id = made.organisation.id, made.admin.id
        audit_service.set_actor(session, audit_service.system_actor("e2e", org_id))
        for person, role in ((QA, "quality"), (OPERATOR, "operator")):
            extra = {k: person[k] for k in ("badge", "pin") if k in person}
            user, _ = auth_service.create_user(
                session,
                org_id,
                username=person["username"],
                full_name=person["full_name"],
                roles=[{"role": role}],
                password="Initial-e2e-Passw0rd!",
                **extra,
            )
            auth_service.change_password(session, user.id, "Initial-e2e-Passw0rd!", person["password"])
        _token, secret = auth_service.create_token(
            session,
            organisation_id=org_id,
            created_by_id=admin_id,
            creator_permissions=PERMISSIONS,
            name="e2e setup",
            permissions=sorted(PERMISSIONS),
        )
        client = demo.TokenClient(app.test_client(), secret)
        ids = demo.build(client)
        production = demo.produce(client, units=4)
        session.commit()
    server, thread, url = _serve(app)
    yield {"url": url, "app": app, "token": secret, **ids, **production}
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
