"""Forms and flows through the API: drafts, every problem with its path, publishing immutable
numbered versions, rendering, previews, and flow instances with their enabled steps."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from definition_docs import TEST_FORM, flow, form

from lotline.platform.db import ImmutableRowError, get_session
from lotline.platform.definitions.models import DefinitionVersion


@pytest.fixture
def designer(make_user: Any, sign_in: Any) -> Any:
    return sign_in(make_user("designer", username="dora"))


def publish_form(client: Any, key: str, document: dict[str, Any]) -> dict[str, Any]:
    assert client.post("/api/forms", json={"key": key, "document": document}).status_code == 201
    response = client.post(f"/api/forms/{key}/publish", json={})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_form_life_cycle_from_bad_draft_to_two_versions(designer: Any) -> None:
    bad = form(
        fields=[
            {"key": "qty", "type": "number", "label": {"en": "Qty"}},  # Chinese label missing
            {"key": "qty", "type": "wormhole", "label": {"en": "X", "zh-CN": "X"}},
        ]
    )
    created = designer.post("/api/forms", json={"key": "receiving", "document": bad})
    assert created.status_code == 201
    assert created.get_json()["draft_revision"] == 1 and created.get_json()["latest_version"] == 0

    report = designer.post(
        "/api/forms/receiving/draft/validate", headers={"Accept-Language": "zh-CN"}
    ).get_json()
    assert report["valid"] is False
    fields = {e["field"] for e in report["errors"]}
    assert "fields[1].type" in fields or "fields[1]" in fields
    assert len(report["errors"]) >= 2  # every problem, not the first one
    assert all(e["message"] and e["code"] for e in report["errors"])

    refused = designer.post("/api/forms/receiving/publish", json={})
    assert refused.status_code == 422 and refused.get_json()["code"] == "publish_refused"
    assert {e["field"] for e in refused.get_json()["errors"]} == fields

    saved = designer.put("/api/forms/receiving/draft", json={"document": form(), "revision": 1})
    assert saved.status_code == 200 and saved.get_json()["draft_revision"] == 2
    v1 = designer.post("/api/forms/receiving/publish", json={"revision": 2, "note": "first release"})
    assert v1.status_code == 201
    v1 = v1.get_json()
    assert (v1["version"], v1["published_by_name"], v1["note"]) == (1, "Dora Tester", "first release")
    assert len(v1["content_hash"]) == 64

    detail = designer.get("/api/forms/receiving").get_json()
    assert detail["latest_version"] == 1 and detail["has_draft"] is False

    reopened = designer.post("/api/forms/receiving/draft").get_json()
    assert reopened["draft"]["fields"] == form()["fields"]  # a new draft starts from the latest
    changed = form()
    changed["fields"][1]["max"] = 5000
    designer.put(
        "/api/forms/receiving/draft", json={"document": changed, "revision": reopened["draft_revision"]}
    )
    assert designer.post("/api/forms/receiving/publish", json={}).get_json()["version"] == 2

    versions = designer.get("/api/forms/receiving/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    first = designer.get("/api/forms/receiving/versions/1").get_json()
    assert "max" not in first["document"]["fields"][1]  # version 1 is exactly as published
    assert first["document"]["version"] == 1 and first["document"]["key"] == "receiving"


def test_saving_over_someone_elses_revision_is_refused(designer: Any) -> None:
    designer.post("/api/forms", json={"key": "receiving", "document": form()})
    assert (
        designer.put("/api/forms/receiving/draft", json={"document": form(), "revision": 1}).status_code
        == 200
    )
    stale = designer.put("/api/forms/receiving/draft", json={"document": form(), "revision": 1})
    assert stale.status_code == 409
    assert stale.get_json()["code"] == "draft_changed" and stale.get_json()["params"] == {"current": 2}


def test_version_renders_for_the_browser_in_each_language(designer: Any) -> None:
    publish_form(designer, "receiving", form())
    zh = designer.get("/api/forms/receiving/versions/1?locale=zh-CN").get_json()["rendered"]
    en = designer.get("/api/forms/receiving/versions/1", headers={"Accept-Language": "en"}).get_json()[
        "rendered"
    ]
    assert zh["schema"]["properties"]["qty"]["title"] == "数量"
    assert en["schema"]["properties"]["qty"]["title"] == "Quantity"
    assert "ui:order" in en["uiSchema"]


def test_preview_validates_a_sample_submission_without_storing_it(designer: Any) -> None:
    publish_form(designer, "receiving", form())
    good = designer.post(
        "/api/forms/receiving/versions/1/preview",
        json={
            "payload": {
                "lot": "]d2010950600013435210LOT-7",
                "qty": "12,5",
                "temp": "3.2",
                "decision": "accept",
            }
        },
    ).get_json()
    assert good["valid"] is True, good["errors"]
    assert good["data"]["qty"] == 12.5
    assert good["data"]["lot"]["gtin"] == "09506000134352" and good["data"]["lot"]["lot"] == "LOT-7"
    assert good["data"]["temp"]["result"] == "pass"

    bad = designer.post(
        "/api/forms/receiving/versions/1/preview",
        json={"payload": {"qty": "lots", "decision": "maybe", "colour": "red"}},
        headers={"Accept-Language": "zh-CN"},
    ).get_json()
    assert bad["valid"] is False
    assert {e["field"] for e in bad["errors"]} >= {"lot", "qty", "decision", "colour"}


def test_unknown_form_and_version_are_localised_404s(designer: Any) -> None:
    missing = designer.get("/api/forms/nope", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404 and missing.get_json()["message"] == "不存在表单 nope。"
    publish_form(designer, "receiving", form())
    assert designer.get("/api/forms/receiving/versions/9").get_json()["code"] == "version_not_found"


def test_document_key_must_match_and_keys_are_unique(designer: Any) -> None:
    mismatch = designer.post("/api/forms", json={"key": "a", "document": form(key="b")})
    assert mismatch.status_code == 422 and mismatch.get_json()["errors"][0]["field"] == "document.key"
    assert designer.post("/api/forms", json={"key": "a", "document": form()}).status_code == 201
    assert designer.post("/api/forms", json={"key": "a", "document": form()}).status_code == 409
    assert designer.post("/api/forms", json={"key": "Bad Key!", "document": form()}).status_code == 422


def test_published_versions_cannot_be_changed(designer: Any, backend: str) -> None:
    publish_form(designer, "receiving", form())
    session = get_session()
    version = session.scalars(sa.select(DefinitionVersion)).one()
    version.note = "sneaky"
    with pytest.raises(ImmutableRowError):
        session.flush()
    session.rollback()
    version = session.scalars(sa.select(DefinitionVersion)).one()
    session.delete(version)
    with pytest.raises(ImmutableRowError):
        session.flush()
    session.rollback()

    if backend == "postgresql":  # and the database refuses even raw SQL
        for statement in ("UPDATE definition_version SET note = 'x'", "DELETE FROM definition_version"):
            nested = session.begin_nested()
            with pytest.raises(sa.exc.DBAPIError, match="immutable"):
                session.execute(sa.text(statement))
            nested.rollback()


def test_flow_checks_forms_then_publishes_and_runs(designer: Any, make_user: Any, sign_in: Any) -> None:
    created = designer.post("/api/flows", json={"key": "unit-line", "document": flow()})
    assert created.status_code == 201
    report = designer.post("/api/flows/unit-line/draft/validate").get_json()
    assert report["valid"] is False
    assert {e["code"] for e in report["errors"]} == {"flow.form_missing"}
    assert {e["field"] for e in report["errors"]} == {
        "nodes[0].form",
        "nodes[1].form",
        "nodes[2].form",
        "nodes[3].form",
    }

    publish_form(designer, "receiving", form())
    assert designer.post("/api/forms", json={"key": "final_test", "document": TEST_FORM}).status_code == 201
    unpublished = designer.post("/api/flows/unit-line/draft/validate").get_json()
    assert {e["code"] for e in unpublished["errors"]} == {"flow.form_unpublished"}
    designer.post("/api/forms/final_test/publish", json={})

    typo = flow()
    typo["transitions"][1]["condition"] = {"==": [{"var": "data.pased"}, False]}
    designer.put("/api/flows/unit-line/draft", json={"document": typo, "revision": 1})
    refused = designer.post("/api/flows/unit-line/publish", json={})
    assert refused.status_code == 422
    assert {(e["field"], e["code"]) for e in refused.get_json()["errors"]} == {
        ("transitions[1].condition", "flow.condition_unknown_var")
    }

    designer.put("/api/flows/unit-line/draft", json={"document": flow(), "revision": 2})
    published = designer.post("/api/flows/unit-line/publish", json={})
    assert published.status_code == 201 and published.get_json()["version"] == 1

    operator = sign_in(make_user("operator"))
    started = operator.post("/api/flows/unit-line/instances", json={"subject": "SN-0001"})
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert (body["flow_key"], body["flow_version"], body["subject_kind"]) == ("unit-line", 1, "unit")
    nodes = {n["node"]: n for n in body["nodes"]}
    assert nodes["receive"]["enabled"] is True
    assert nodes["ship"]["enabled"] is False and nodes["ship"]["reasons"]

    again = operator.post("/api/flows/unit-line/instances", json={"subject": "SN-0001"})
    assert again.status_code == 409 and again.get_json()["code"] == "instance_open"
    operator.post("/api/flows/unit-line/instances", json={"subject": "SN-0002"})

    page = operator.get("/api/flow-instances?flow=unit-line").get_json()
    assert page["total"] == 2 and {i["subject"] for i in page["items"]} == {"SN-0001", "SN-0002"}
    at_receive = operator.get("/api/flow-instances?node=receive").get_json()
    assert at_receive["total"] == 2
    assert operator.get("/api/flow-instances?node=ship").get_json()["total"] == 0
    detail = operator.get(f"/api/flow-instances/{body['id']}").get_json()
    assert detail["state"] == body["state"]


def test_instances_stay_on_the_version_they_started_with(designer: Any) -> None:
    publish_form(designer, "receiving", form())
    publish_form(designer, "final_test", TEST_FORM)
    designer.post("/api/flows", json={"key": "unit-line", "document": flow()})
    designer.post("/api/flows/unit-line/publish", json={})
    first = designer.post("/api/flows/unit-line/instances", json={"subject": "SN-1"})
    assert first.status_code == 403  # designers design; running is for operators and supervisors

    designer.post("/api/flows/unit-line/draft")
    v2 = designer.post("/api/flows/unit-line/publish", json={"note": "same graph, new version"})
    assert v2.get_json()["version"] == 2
    versions = designer.get("/api/flows/unit-line/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]  # the version is part of the content


def test_a_published_version_is_signed_by_its_author_and_approved_by_someone_else(
    designer: Any, make_user: Any, sign_in: Any
) -> None:
    version = publish_form(designer, "receiving", form())
    signing = {"object_type": "form_version", "object_id": str(version["id"]), "password": "Correct-Horse-42"}
    authored = designer.post("/api/signatures", json={**signing, "meaning": "authored", "username": "dora"})
    assert authored.status_code == 201, authored.get_json()
    own_approval = designer.post("/api/signatures", json={**signing, "meaning": "approved"})
    assert own_approval.status_code == 409, own_approval.get_json()

    approver = sign_in(make_user("designer", username="quinn"))
    approved = approver.post("/api/signatures", json={**signing, "meaning": "approved", "username": "quinn"})
    assert approved.status_code == 201, approved.get_json()
    shown = approver.get(f"/api/signatures?object_type=form_version&object_id={version['id']}").get_json()
    assert [(s["meaning"], s["signer_name"], s["status"]) for s in shown] == [
        ("authored", "Dora Tester", "valid"),
        ("approved", "Quinn Tester", "valid"),
    ]
