"""Definitions service: drafts, validation, publishing and versions of forms and flows, and
flow instances.

A draft is mutable (guarded by ``draft_revision`` against lost updates); publishing runs every
check of the engine that owns the kind, freezes the draft as the next numbered version with its
content hash, publisher and time, and closes the draft. A new draft starts from the latest
version. Published versions never change.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lotline import form_engine, workflow_engine
from lotline.form_engine.paths import field_paths
from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform import refcache
from lotline.platform.audit import direct
from lotline.platform.auth import service as auth_service
from lotline.platform.canonical import canonical_json, content_hash
from lotline.platform.db import transaction, utcnow
from lotline.platform.definitions.models import Definition, DefinitionVersion, FlowInstance, FlowInstanceNode
from lotline.platform.errors import ConflictError, NotFoundError
from lotline.platform.refcache import Snapshot

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor

register_messages(
    {
        "definition_not_found": {
            "en": "There is no {kind} {key}.",
            "zh-CN": "不存在{kind_zh} {key}。",
        },
        "version_not_found": {
            "en": "{kind} {key} has no version {version}.",
            "zh-CN": "{kind_zh} {key} 没有版本 {version}。",
        },
        "definition_exists": {
            "en": "A {kind} with key {key} exists already.",
            "zh-CN": "键为 {key} 的{kind_zh}已存在。",
        },
        "no_draft": {
            "en": "{kind} {key} has no open draft.",
            "zh-CN": "{kind_zh} {key} 没有打开的草稿。",
        },
        "draft_changed": {
            "en": "Someone else saved this draft meanwhile (revision {current}); reload it first.",
            "zh-CN": "他人已保存此草稿（修订 {current}），请先重新加载。",
        },
        "key_mismatch": {
            "en": "The document's key {found} differs from {key}.",
            "zh-CN": "文档中的键 {found} 与 {key} 不一致。",
        },
        "publish_refused": {
            "en": "Not published: fix the problems listed in errors.",
            "zh-CN": "未发布：请先修正错误列表中的问题。",
        },
        "instance_not_found": {"en": "No such flow instance.", "zh-CN": "流程实例不存在。"},
        "instance_open": {
            "en": "{subject} already has an open instance of flow {key} (#{instance}).",
            "zh-CN": "{subject} 已有流程 {key} 的进行中实例（#{instance}）。",
        },
        "definition_retired": {
            "en": "Flow {key} is retired (its template pack was uninstalled); it starts no new work.",
            "zh-CN": "流程 {key} 已停用（其模板包已卸载），不能再开始新的作业。",
        },
        "subject_kind_mismatch": {
            "en": "Flow {key} tracks {expected}, not {found}.",
            "zh-CN": "流程 {key} 跟踪的对象是 {expected}，而不是 {found}。",
        },
    }
)

_KIND_ZH = {"form": "表单", "flow": "流程"}


def _params(kind: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "kind_zh": _KIND_ZH[kind], "key": key, **extra}


# --- electronic signatures on published versions (e.g. QA approval of a batch record form) ---


def _version_content(kind: str) -> Any:
    def load(session: Session, object_id: str) -> dict[str, Any] | None:
        version = session.get(DefinitionVersion, int(object_id)) if object_id.isdigit() else None
        if version is None or version.kind != kind:
            return None
        definition = session.get(Definition, version.definition_id)
        assert definition is not None
        return {
            "organisation_id": definition.organisation_id,
            "kind": kind,
            "key": version.key,
            "version": version.version,
            "content_hash": version.content_hash,
            "document": version.document,
        }

    return load


def _register_signables() -> None:
    from lotline.platform.audit import service as audit_service

    for kind, plural in (("form", "forms"), ("flow", "flows")):
        audit_service.register_signable(
            f"{kind}_version",
            _version_content(kind),
            f"{plural}.publish",
            read_permission=f"{plural}.read",
            distinct={"approved": {"authored"}},
        )


_register_signables()


# --- the engines behind each kind -------------------------------------------------------------


def _form_field_infos(session: Session, organisation_id: int) -> dict[tuple[str, int], Any]:
    """What flow checks know of every form: field paths of each version; a draft is unpublished."""
    infos: dict[tuple[str, int], Any] = {}
    rows = session.execute(
        select(DefinitionVersion.key, DefinitionVersion.version, DefinitionVersion.document)
        .join(Definition, Definition.id == DefinitionVersion.definition_id)
        .where(Definition.organisation_id == organisation_id, Definition.kind == "form")
    )
    for key, version, document in rows:
        infos[(key, version)] = workflow_engine.FormInfo(
            fields=frozenset(field_paths(document)), published=True
        )
    drafts = session.execute(
        select(Definition.key, Definition.latest_version, Definition.draft).where(
            Definition.organisation_id == organisation_id,
            Definition.kind == "form",
            Definition.draft.is_not(None),
        )
    )
    for key, latest, draft in drafts:
        paths = frozenset(field_paths(draft)) if not form_engine.check_definition(draft) else frozenset()
        infos[(key, latest + 1)] = workflow_engine.FormInfo(fields=paths, published=False)
    return infos


def check_document(session: Session, organisation_id: int, kind: str, document: Any) -> list[Problem]:
    """Every problem that stops ``document`` from being published."""
    if kind == "form":
        return form_engine.check_definition(document)
    return workflow_engine.check_flow(document, _form_field_infos(session, organisation_id))


# --- definitions and drafts -------------------------------------------------------------------


def get_definition(session: Session, organisation_id: int, kind: str, key: str) -> Definition:
    found = session.scalar(
        select(Definition).where(
            Definition.organisation_id == organisation_id, Definition.kind == kind, Definition.key == key
        )
    )
    if found is None:
        raise NotFoundError("definition_not_found", _params(kind, key))
    return found


def set_retired(session: Session, actor: Actor, kind: str, key: str, retired: bool) -> Definition:
    """Retire a definition (a retired flow starts no new instances; its versions, instances and
    records stay) or bring it back. Audited like every change; doing it twice changes nothing."""
    with transaction(session):
        definition = get_definition(session, actor.organisation_id, kind, key)
        if retired and definition.retired_at is None:
            definition.retired_at, definition.retired_by_id = utcnow(), actor.user_id
        elif not retired and definition.retired_at is not None:
            definition.retired_at, definition.retired_by_id = None, None
    return definition


def has_any(session: Session, organisation_id: int) -> bool:
    """Whether the organisation has designed anything yet."""
    found = session.scalar(
        select(Definition.id).where(Definition.organisation_id == organisation_id).limit(1)
    )
    return found is not None


def list_definitions(session: Session, organisation_id: int, kind: str) -> list[Definition]:
    return list(
        session.scalars(
            select(Definition)
            .where(Definition.organisation_id == organisation_id, Definition.kind == kind)
            .order_by(Definition.key)
        )
    )


def _document_key_problems(kind: str, key: str, document: Any) -> list[Problem]:
    if not isinstance(document, Mapping):
        return []  # the engine's check reports the wrong type
    found = document.get("key")
    if found is not None and found != key:
        return [Problem(("document", "key"), "key_mismatch", {"found": found, "key": key})]
    return []


def create_definition(
    session: Session, actor: Actor, kind: str, key: str, document: dict[str, Any]
) -> Definition:
    """A new form or flow whose first draft is ``document`` (checked only when validated/published)."""
    if problems := _document_key_problems(kind, key, document):
        raise ProblemsError(problems)
    with transaction(session):
        exists = session.scalar(
            select(Definition.id).where(
                Definition.organisation_id == actor.organisation_id,
                Definition.kind == kind,
                Definition.key == key,
            )
        )
        if exists is not None:
            raise ConflictError("definition_exists", _params(kind, key))
        definition = Definition(
            organisation_id=actor.organisation_id,
            kind=kind,
            key=key,
            draft={**document, "key": key},
            draft_revision=1,
            draft_updated_at=utcnow(),
            draft_updated_by_id=actor.user_id,
            created_by_id=actor.user_id,
        )
        session.add(definition)
    return definition


def open_draft(session: Session, actor: Actor, kind: str, key: str) -> Definition:
    """Start a new draft from the latest version (no-op when a draft is open)."""
    with transaction(session):
        definition = get_definition(session, actor.organisation_id, kind, key)
        if definition.draft is None:
            latest = get_version(session, actor.organisation_id, kind, key, definition.latest_version)
            document = dict(latest.document)
            document.pop("version", None)
            definition.draft = document
            definition.draft_revision += 1
            definition.draft_updated_at, definition.draft_updated_by_id = utcnow(), actor.user_id
    return definition


def save_draft(
    session: Session, actor: Actor, kind: str, key: str, document: dict[str, Any], revision: int
) -> Definition:
    """Replace the draft; ``revision`` must be the one the editor loaded (else 409)."""
    if problems := _document_key_problems(kind, key, document):
        raise ProblemsError(problems)
    with transaction(session):
        definition = get_definition(session, actor.organisation_id, kind, key)
        if revision != definition.draft_revision:
            raise ConflictError("draft_changed", {"current": definition.draft_revision})
        definition.draft = {**document, "key": key}
        definition.draft_revision += 1
        definition.draft_updated_at, definition.draft_updated_by_id = utcnow(), actor.user_id
    return definition


def discard_draft(session: Session, actor: Actor, kind: str, key: str) -> Definition:
    with transaction(session):
        definition = get_definition(session, actor.organisation_id, kind, key)
        if definition.draft is None:
            raise NotFoundError("no_draft", _params(kind, key))
        definition.draft = None
        definition.draft_revision += 1
    return definition


def _draft(definition: Definition) -> dict[str, Any]:
    if definition.draft is None:
        raise NotFoundError("no_draft", _params(definition.kind, definition.key))
    return definition.draft


def validate_draft(session: Session, actor: Actor, kind: str, key: str) -> list[Problem]:
    definition = get_definition(session, actor.organisation_id, kind, key)
    return check_document(session, actor.organisation_id, kind, _draft(definition))


def publish(
    session: Session, actor: Actor, kind: str, key: str, revision: int | None = None, note: str | None = None
) -> DefinitionVersion:
    """Check the draft with its engine and freeze it as the next version (every problem at once)."""
    with transaction(session):
        definition = get_definition(session, actor.organisation_id, kind, key)
        if revision is not None and revision != definition.draft_revision:
            raise ConflictError("draft_changed", {"current": definition.draft_revision})
        document = _draft(definition)
        problems = check_document(session, actor.organisation_id, kind, document)
        if problems:
            raise ProblemsError(problems, code="publish_refused")
        number = definition.latest_version + 1
        frozen = {**document, "key": key, "version": number}
        version = DefinitionVersion(
            definition_id=definition.id,
            kind=kind,
            key=key,
            version=number,
            format_version=int(frozen.get("format_version", 1)),
            document=frozen,
            content_hash=content_hash(frozen),
            note=note,
            published_at=utcnow(),
            published_by_id=actor.user_id,
            published_by_name=actor.full_name,
        )
        session.add(version)
        definition.latest_version = number
        definition.draft = None
        definition.draft_revision += 1
    return version


def list_versions(session: Session, organisation_id: int, kind: str, key: str) -> list[DefinitionVersion]:
    definition = get_definition(session, organisation_id, kind, key)
    return list(
        session.scalars(
            select(DefinitionVersion)
            .where(DefinitionVersion.definition_id == definition.id)
            .order_by(DefinitionVersion.version)
        )
    )


def get_version(
    session: Session, organisation_id: int, kind: str, key: str, version: int
) -> DefinitionVersion:
    found = session.scalar(
        select(DefinitionVersion)
        .join(Definition, Definition.id == DefinitionVersion.definition_id)
        .where(
            Definition.organisation_id == organisation_id,
            Definition.kind == kind,
            Definition.key == key,
            DefinitionVersion.version == version,
        )
    )
    if found is None:
        get_definition(session, organisation_id, kind, key)  # 404 for the definition first
        raise NotFoundError("version_not_found", _params(kind, key, version=version))
    return found


@dataclass(frozen=True)
class Preview:
    valid: bool
    data: dict[str, Any]
    problems: list[Problem]


def preview_submission(document: Mapping[str, Any], payload: Mapping[str, Any]) -> Preview:
    """What the server would store for ``payload`` on this form, without storing anything."""
    result = form_engine.validate_submission(document, payload)
    return Preview(valid=not result.problems, data=dict(result.data), problems=list(result.problems))


# --- flow instances ---------------------------------------------------------------------------


# What is derived from a published version (immutable) is kept per process, keyed by the
# version's id and content hash (an id re-used after a database reset has another hash), so a
# flow is not parsed, nor a form compiled, for every record.
_DERIVED: dict[tuple[str, int, str], Any] = {}
_DERIVED_MAX = 512


def _derived(kind: str, version: DefinitionVersion | Snapshot, make: Any) -> Any:
    key = (kind, version.id, version.content_hash)
    found = _DERIVED.get(key)
    if found is None:
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        found = _DERIVED[key] = make(version)
    return found


def loaded_flow(version: DefinitionVersion | Snapshot) -> Any:
    """The parsed flow of a published version."""
    return _derived(
        "flow", version, lambda v: workflow_engine.load_flow(json.loads(canonical_json(v.document)))
    )


def compiled_form(version: DefinitionVersion | Snapshot) -> Any:
    """The compiled validator of a published form version."""
    return _derived("form", version, lambda v: form_engine.compile_form(v.document))


def _sync_nodes(session: Session, instance: FlowInstance, before: Mapping[str, Any]) -> None:
    """Make the instance's node rows match its state. ``before``: the nodes of the state the
    rows were last made to match (a row exists for each), so only changes are written."""
    nodes = instance.state.get("nodes", {})
    new = []
    for node, record in nodes.items():
        status = record["status"]
        if node not in before:
            new.append(FlowInstanceNode(instance_id=instance.id, node=node, status=status))
        elif before[node]["status"] != status:
            table = FlowInstanceNode.__table__
            session.connection().execute(
                update(table)
                .where(table.c.instance_id == instance.id, table.c.node == node)
                .values(status=status)
            )
    direct.add(session, new)


def start_instance(
    session: Session,
    actor: Actor,
    flow_key: str,
    subject: str,
    version: int | None = None,
    *,
    none_open: bool = False,
    pending: bool = False,
) -> FlowInstance:
    """Start ``flow_key`` (latest version unless given) for a subject with no open instance.
    ``none_open``: the caller has just looked (the unique index still guards a race).
    ``pending``: the instance is returned unwritten; the caller decides its first step in this
    transaction and ``apply_state`` writes it once, with that state (and its node rows)."""
    with transaction(session):
        flow_version = version_ref(session, actor.organisation_id, "flow", flow_key, version)
        if flow_version.retired:
            raise ConflictError("definition_retired", {"key": flow_key})
        flow = loaded_flow(flow_version)
        open_instance = (
            None
            if none_open
            else session.scalar(
                select(FlowInstance.id).where(
                    FlowInstance.organisation_id == actor.organisation_id,
                    FlowInstance.flow_key == flow_key,
                    FlowInstance.subject == subject,
                    FlowInstance.status != "completed",
                )
            )
        )
        if open_instance is not None:
            raise ConflictError(
                "instance_open", {"subject": subject, "key": flow_key, "instance": open_instance}
            )
        state = workflow_engine.start(flow)
        instance = FlowInstance(
            organisation_id=actor.organisation_id,
            flow_version_id=flow_version.id,
            flow_key=flow_key,
            flow_version=flow_version.version,
            subject_kind=flow.subject,
            subject=subject,
            status=state.status,
            state=state.to_dict(),
            started_by_id=actor.user_id,
        )
        if not pending:
            apply_state(session, instance, instance.state)
    return instance


def version_by_id(session: Session, version_id: int) -> DefinitionVersion:
    version = session.get(DefinitionVersion, version_id)
    assert version is not None, "flow instances always reference an existing version"
    return version


def version_ref(
    session: Session, organisation_id: int, kind: str, key: str, version: int | None = None
) -> Snapshot:
    """A published version (the latest when ``version`` is None) as a cached read-only snapshot,
    with ``retired`` (its definition's); refuses like ``get_version``. For the capture path."""

    def load() -> Snapshot:
        definition = get_definition(session, organisation_id, kind, key)
        found = get_version(session, organisation_id, kind, key, version or definition.latest_version)
        return _version_snapshot(found, retired=definition.retired_at is not None)

    return refcache.cached(session, ("version", organisation_id, kind, key, version), load)


def version_ref_by_id(session: Session, version_id: int) -> Snapshot:
    """``version_by_id`` as a cached read-only snapshot (``retired`` is not looked up: None)."""
    return refcache.cached(
        session,
        ("version_id", version_id),
        lambda: _version_snapshot(version_by_id(session, version_id), retired=None),
    )


def _version_snapshot(version: DefinitionVersion, retired: bool | None) -> Snapshot:
    found = refcache.snapshot(version, retired=retired)
    assert found is not None
    return found


def open_instance(session: Session, organisation_id: int, flow_key: str, subject: str) -> FlowInstance | None:
    """The subject's instance of the flow that has not completed, if any."""
    params = {"org": organisation_id, "flow": flow_key, "subject": subject}
    return session.scalar(_open_instance_query(), params)


@functools.cache
def _open_instance_query() -> Any:
    """Built once: every capture of a running flow asks it."""
    return select(FlowInstance).where(
        FlowInstance.organisation_id == sa.bindparam("org"),
        FlowInstance.flow_key == sa.bindparam("flow"),
        FlowInstance.subject == sa.bindparam("subject"),
        FlowInstance.status != "completed",
    )


def apply_state(session: Session, instance: FlowInstance, state: dict[str, Any]) -> None:
    """Store the engine's new state for an instance (capture calls this inside its transaction);
    an instance ``start_instance`` left pending is written now, with this state."""
    values = {"state": state, "status": state["status"], "updated_at": utcnow()}
    if sa.inspect(instance).transient:
        for key, value in values.items():
            setattr(instance, key, value)
        direct.add(session, [instance])
        before: Mapping[str, Any] = {}
    else:
        before = instance.state.get("nodes", {})
        direct.update(session, instance, values)
    _sync_nodes(session, instance, before)


def get_instance(session: Session, organisation_id: int, instance_id: int) -> FlowInstance:
    instance = session.get(FlowInstance, instance_id)
    if instance is None or instance.organisation_id != organisation_id:
        raise NotFoundError("instance_not_found")
    return instance


def instance_status(
    session: Session, actor: Actor, instance: FlowInstance, context: Mapping[str, Any] | None = None
) -> list[Any]:
    """Every node of the instance: enabled now for this actor, or why not."""
    version = session.get(DefinitionVersion, instance.flow_version_id)
    assert version is not None
    flow = loaded_flow(version)
    state = workflow_engine.State.from_dict(instance.state)
    ctx = {
        "actor": actor.username,
        "roles": sorted(auth_service.role_keys(session, actor.user_id)),
        "station": actor.station,
        "now": utcnow().isoformat(),
        **(context or {}),
    }
    return list(workflow_engine.enabled(flow, state, ctx))


def list_instances(
    session: Session,
    organisation_id: int,
    *,
    flow: str | None = None,
    node: str | None = None,
    node_status: str = "enabled",
    status: str | None = None,
    subject: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FlowInstance], int]:
    """Instances filtered by flow, by a node in ``node_status`` (default: enabled), status, subject."""
    query = select(FlowInstance).where(FlowInstance.organisation_id == organisation_id)
    if flow:
        query = query.where(FlowInstance.flow_key == flow)
    if status:
        query = query.where(FlowInstance.status == status)
    if subject:
        query = query.where(FlowInstance.subject == subject)
    if node:
        query = query.where(
            FlowInstance.id.in_(
                select(FlowInstanceNode.instance_id).where(
                    FlowInstanceNode.node == node, FlowInstanceNode.status == node_status
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(FlowInstance.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def count_instances(session: Session, organisation_id: int, flow_keys: list[str]) -> int:
    """How many flow instances (running or completed) these flows have: each holds records."""
    if not flow_keys:
        return 0
    total = session.scalar(
        select(func.count())
        .select_from(FlowInstance)
        .where(FlowInstance.organisation_id == organisation_id, FlowInstance.flow_key.in_(flow_keys))
    )
    return int(total or 0)
