"""The station route's initial JavaScript stays within the tablet budget (issue 7: ≤ 250 KB
gzipped), and what is meant to load lazily (camera decoder, trace graph) stays out of it. Sizes are
read from the production build's manifest, so this is a property of the build, not a timing."""

from __future__ import annotations

import gzip
import json

import pytest

from lotline.platform.config import REPO_ROOT

DIST = REPO_ROOT / "frontend" / "dist"
BUDGET = 250 * 1024


def _manifest() -> dict[str, dict[str, object]]:
    path = DIST / ".vite" / "manifest.json"
    if not path.exists():
        pytest.fail("frontend/dist is not built with its manifest; run `make test` (it builds first)")
    return json.loads(path.read_text())


def _static_closure(manifest: dict[str, dict[str, object]], *keys: str) -> set[str]:
    """Every chunk a route loads before it can render: the entries and their static imports."""
    seen: set[str] = set()
    todo = list(keys)
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        todo.extend(manifest[key].get("imports", []))  # type: ignore[arg-type]
    return seen


def _gzipped(manifest: dict[str, dict[str, object]], keys: set[str]) -> int:
    files = {str(manifest[key]["file"]) for key in keys}
    scripts = [DIST / f for f in files if f.endswith(".js")]
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts)


def test_station_route_initial_javascript_is_within_budget() -> None:
    manifest = _manifest()
    station = _static_closure(manifest, "index.html", "src/features/station/components/station-page.tsx")
    size = _gzipped(manifest, station)
    print(f"station route initial JS: {size / 1024:.1f} KB gzipped (budget {BUDGET / 1024:.0f} KB)")
    assert size <= BUDGET
    lazy = {key for key in manifest if "camera-scanner" in key or "zxing" in key or "trace-graph" in key}
    assert lazy, "expected lazily loaded chunks in the manifest"
    assert not lazy & station, "the camera decoder and the trace graph must load only when used"
