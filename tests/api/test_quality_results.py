"""Quality results of repeating groups: every measured row is a result of its declared
characteristic and says where it came from (``joints.2.torque``). Through the automotive pack's
demo (four nutrunner results per brake module in one group) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from typing import Any

from test_packs import load_recipe


def test_each_row_of_a_measured_group_is_a_result_of_its_characteristic(admin_client: Any) -> None:
    assert admin_client.post("/api/packs/automotive/install", json={}).status_code == 200
    load_recipe("automotive")(admin_client, scale=0.1, seed=3)

    page = admin_client.get("/api/quality/results?node=assemble&characteristic=esc_screw_torque&limit=10000")
    results = page.get_json()["items"]
    modules = {r["record_id"] for r in results}
    assert modules and len(results) == 4 * len(modules)  # four joints a module
    by_record = Counter((r["record_id"], r["field"]) for r in results)
    assert set(by_record.values()) == {1}
    assert {r["field"] for r in results} == {f"joints.{i}.torque" for i in range(4)}
    assert {(r["unit"], r["limits"]["lsl"], r["limits"]["usl"]) for r in results} == {("Nm", 2.8, 3.4)}
    assert {r["result"] for r in results} == {"pass"} and page.get_json()["summary"]["count"] == len(results)

    # top-level fields chart by the characteristic they declare, one result per position
    press = admin_client.get("/api/quality/results?node=chassis&characteristic=press_force")
    press = press.get_json()["items"]
    assert press and {r["field"] for r in press} == {"press_force_fl", "press_force_fr"}
