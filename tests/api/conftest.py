"""Fixtures shared by the API tests: the demo plant and its operator."""

from __future__ import annotations

from typing import Any

import pytest

from lotline.platform.demo import build


@pytest.fixture
def plant(admin_client: Any) -> dict[str, Any]:
    """The demo plant (``lotline.platform.demo.build``), set up through the API."""
    return build(admin_client)


@pytest.fixture
def operator(make_user: Any, sign_in: Any, plant: dict[str, Any]) -> Any:
    """Olga, an operator signed in on her own client, in the demo plant."""
    return sign_in(make_user("operator", username="olga"))
