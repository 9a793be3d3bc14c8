"""A flow instance's node rows (what ``/api/flow-instances?node=…`` lists by) always match its
state: written with the instance, updated where a new state changes them, in the same
transaction or a later one."""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from lotline.platform.audit import service as audit_service
from lotline.platform.auth.context import Actor
from lotline.platform.db import get_session
from lotline.platform.definitions import service as definitions
from lotline.platform.definitions.models import FlowInstance, FlowInstanceNode

from .test_capture import assemble, receive


def _rows(instance_id: int) -> dict[str, str]:
    query = sa.select(FlowInstanceNode).where(FlowInstanceNode.instance_id == instance_id)
    return {row.node: row.status for row in get_session().scalars(query)}


def test_node_rows_follow_the_state_now_and_later(plant: dict[str, Any], org: Any) -> None:
    session = get_session()
    admin = org.admin
    audit_service.set_actor(session, audit_service.system_actor("nodes-test", admin.organisation_id))
    actor = Actor(admin.id, admin.username, admin.full_name, admin.organisation_id, "browser")
    with definitions.transaction(session):
        instance = definitions.start_instance(session, actor, "widget-line", "SN-NODES", none_open=True)
        started = {node: n["status"] for node, n in instance.state["nodes"].items()}
        assert started["assemble"] == "enabled" and started["final_test"] != "enabled"
        # the start rows were written with the instance: the new state updates the changed ones
        state = copy.deepcopy(instance.state)
        state["nodes"]["assemble"]["status"] = "done"
        state["nodes"]["final_test"]["status"] = "enabled"
        definitions.apply_state(session, instance, state)
    assert _rows(instance.id) == {**started, "assemble": "done", "final_test": "enabled"}

    with definitions.transaction(session):  # a later transaction: the same
        later = copy.deepcopy(instance.state)
        later["nodes"]["final_test"]["status"] = "done"
        later["nodes"]["pack"]["status"] = "enabled"
        definitions.apply_state(session, instance, later)
    expected = {**started, "assemble": "done", "final_test": "done", "pack": "enabled"}
    assert _rows(instance.id) == expected


def test_a_capture_that_starts_an_instance_writes_its_node_rows_once(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    assert assemble(operator, "SN-0001", ("RES-L1", 4)).status_code == 201
    listed = operator.get("/api/flow-instances?flow=widget-line&node=final_test").get_json()
    assert [i["subject"] for i in listed["items"]] == ["SN-0001"]
    instance = get_session().get(FlowInstance, listed["items"][0]["id"])
    assert instance is not None
    assert _rows(instance.id) == {node: n["status"] for node, n in instance.state["nodes"].items()}
    assert _rows(instance.id)["assemble"] != "enabled"
