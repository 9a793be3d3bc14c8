"""Capture: the one place audited changes become audit entries, whatever code made them.

A model opts in with class attributes (no import of this module needed)::

    __audited__ = True                      # every insert, update and delete is recorded
    __audit_type__ = "user"                 # object type in entries (default: the table name)
    __audit_exclude__ = {"failed_logins"}   # operational columns not recorded
    __audit_redact__ = {"password_hash"}    # recorded as changed, never their value
    __audit_actions__ = {"create": "token_create", "modify:revoked_at": "token_revoke"}
    __audit_reason_required__ = True        # modify/delete needs a reason (GMP data corrections)
    __audit_organisation_attr__ = "id"      # where the organisation id is (default organisation_id)
    def __audit_details__(self) -> dict     # optional context from already-loaded attributes

``install()`` (called by ``registry.load_models``) hooks every SQLAlchemy ``Session``:

* ``before_flush`` refuses, before any SQL, an audited change when the session has no actor
  (``AuditActorMissing``: nothing is ever unattributed) or lacks a required reason
  (``AuditReasonRequired``, a localised 422), and loads the old values of rows being deleted.
* ``after_flush`` turns every inserted, updated and deleted audited row of the flush (including
  delete-orphans) into entries with per-field old and new values (JSON columns diffed into field
  paths) and chains them in the same transaction (``chain.append``), which buffers them:
  ``before_commit`` writes the transaction's entries at once (one INSERT and one stream-head
  update per transaction, however many flushes it made), and any read of the audit tables in
  the transaction writes them first.
* ``do_orm_execute`` refuses ORM bulk INSERT/UPDATE/DELETE statements on audited models, which
  would bypass the unit of work.
* Audited column attributes get SQLAlchemy's *active history*, so an old value is loaded before
  it is overwritten even on an expired object: a change never obscures the earlier value.

The actor, client and reason live in ``session.info``: the request's actor is set where it is
resolved (``auth.context.authorize``), jobs and the CLI set a named system actor
(``acting_as(session, system_actor("…"))``). Raw SQL and Core statements are outside the ORM and
outside this capture, except those of ``audit.direct`` (the capture path's writes), which make
their entries by the same rules (``grouped_changes``, ``row_entries``); on PostgreSQL the audit
tables themselves refuse UPDATE/DELETE/TRUNCATE.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState, Mapper, Session, UOWTransaction

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.audit import chain
from lotline.platform.audit.models import AuditEntry, AuditStream, ElectronicSignature
from lotline.platform.db import utcnow

ACTOR_KEY = "lotline.audit.actor"
CLIENT_KEY = "lotline.audit.client"
REASON_KEY = "lotline.audit.reason"
REDACTED = "[redacted]"
_APPEND_ONLY = (AuditEntry, AuditStream, ElectronicSignature)

register_messages(
    {
        "audit_reason_required": {
            "en": "Give a reason for changing {object_type} {object_id}.",
            "zh-CN": "修改 {object_type} {object_id} 时必须填写原因。",
        },
    }
)


class AuditActorMissing(RuntimeError):
    """An audited change was flushed by a session with no actor: a programming error."""


class AuditWriteRefused(RuntimeError):
    """Code tried to write the audit tables or audited rows around the capture."""


class AuditReasonRequired(ProblemsError):
    def __init__(self, object_type: str, object_id: str | None) -> None:
        params = {"object_type": object_type, "object_id": object_id or ""}
        super().__init__(
            [Problem(("reason",), "audit_reason_required", params)], code="audit_reason_required"
        )


@dataclass(frozen=True)
class AuditActor:
    """Who an entry is attributed to. ``kind``: browser, station, token, system or anonymous."""

    user_id: int | None
    username: str
    full_name: str
    kind: str
    organisation_id: int | None = None
    station: str | None = None


@dataclass(frozen=True)
class ClientContext:
    """Where a change came from: client address or device, request id, the client's UTC offset."""

    client: str | None = None
    request_id: str | None = None
    utc_offset: int | None = None  # minutes east of UTC, as the client reported it
    station: str | None = None


def system_actor(name: str, organisation_id: int | None = None) -> AuditActor:
    return AuditActor(None, f"system:{name}", f"Lotline system ({name})", "system", organisation_id)


def anonymous_actor(username: str, organisation_id: int | None = None) -> AuditActor:
    """Someone not (yet) authenticated, e.g. a failed sign-in, named by what they typed."""
    return AuditActor(None, username[:200], "(not signed in)", "anonymous", organisation_id)


def set_actor(session: Session, actor: AuditActor | None) -> None:
    if actor is None:
        session.info.pop(ACTOR_KEY, None)
    else:
        session.info[ACTOR_KEY] = actor


def current_actor(session: Session) -> AuditActor | None:
    actor: AuditActor | None = session.info.get(ACTOR_KEY)
    return actor


@contextmanager
def acting_as(session: Session, actor: AuditActor) -> Iterator[Session]:
    """Attribute everything flushed inside the block to ``actor`` (jobs, CLI, bootstrap)."""
    saved = session.info.get(ACTOR_KEY)
    session.info[ACTOR_KEY] = actor
    try:
        yield session
    finally:
        set_actor(session, saved)


def set_reason(session: Session, reason: str | None) -> None:
    """The reason for this transaction's changes; cleared when the transaction ends."""
    if reason and reason.strip():
        session.info[REASON_KEY] = reason.strip()
    else:
        session.info.pop(REASON_KEY, None)


def push_context(session: Session, context: ClientContext) -> dict[str, Any]:
    """Bind a request's client context; returns what to hand back to ``pop_context``."""
    saved = {key: session.info.get(key) for key in (ACTOR_KEY, CLIENT_KEY, REASON_KEY)}
    session.info[CLIENT_KEY] = context
    session.info.pop(ACTOR_KEY, None)
    session.info.pop(REASON_KEY, None)
    return saved


def pop_context(session: Session, saved: Mapping[str, Any]) -> None:
    for key, value in saved.items():
        if value is None:
            session.info.pop(key, None)
        else:
            session.info[key] = value


# --- values -----------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A JSON value that reads back identically from SQLite and PostgreSQL."""
    kind = type(value)  # the JSON-native types first, by exact type (the common, nested case)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list:
        return [plain(v) for v in value]
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return chain.format_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return str(value)


def _diff(path: str, old: Any, new: Any, out: list[dict[str, Any]]) -> None:
    """Field-path changes: objects are walked key by key, anything else compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _diff(f"{path}.{key}", old.get(key), new.get(key), out)
    elif old != new:
        out.append({"field": path, "old": old, "new": new})


# --- capture ----------------------------------------------------------------------------------


def _audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


def _has_change(state: InstanceState[Any]) -> bool:
    exclude = getattr(state.class_, "__audit_exclude__", ())
    return any(
        prop.key not in exclude and state.attrs[prop.key].history.has_changes()
        for prop in state.mapper.column_attrs
    )


def _refuse_append_only(session: Session) -> None:
    for obj in session.new:
        if isinstance(obj, (AuditEntry, AuditStream)):
            raise AuditWriteRefused("audit entries are written by the chain, never through the ORM")
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, _APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditWriteRefused(f"{type(obj).__name__} rows are append-only")


def _object_type(cls: type) -> str:
    return str(getattr(cls, "__audit_type__", getattr(cls, "__tablename__", cls.__name__)))


def _object_id(state: InstanceState[Any]) -> str | None:
    identity = state.mapper.primary_key_from_instance(state.obj())
    if any(part is None for part in identity):
        return None
    return ",".join(str(part) for part in identity)


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    _refuse_append_only(session)
    changes = [(o, "create") for o in session.new if _audited(o)]
    changes += [(o, "delete") for o in session.deleted if _audited(o)]
    changes += [(o, "modify") for o in session.dirty if _audited(o) and _has_change(sa.inspect(o))]
    if not changes:
        return
    if current_actor(session) is None:
        obj = changes[0][0]
        raise AuditActorMissing(
            f"{type(obj).__name__} changed with no audit actor: set one (acting_as / set_actor); "
            "requests get theirs from auth.context.authorize"
        )
    for obj, kind in changes:
        state = sa.inspect(obj)
        if kind == "delete":
            for key in state.unloaded & set(state.mapper.column_attrs.keys()):
                getattr(obj, key)  # keep the values of deleted rows
        needs_reason = kind != "create" and getattr(type(obj), "__audit_reason_required__", False)
        if needs_reason and not session.info.get(REASON_KEY):
            raise AuditReasonRequired(_object_type(type(obj)), _object_id(state))


def _changes(state: InstanceState[Any], kind: str) -> dict[str, list[dict[str, Any]]]:
    """Action -> field changes for one row; usually one action, more when fields map elsewhere."""
    keys = {state.mapper.get_property_by_column(c).key for c in state.mapper.primary_key}

    def values() -> Iterator[tuple[str, Any, Any]]:
        for prop in state.mapper.column_attrs:
            key = prop.key
            if key in keys:
                continue
            if kind == "modify":
                history = state.attrs[key].history
                if history.has_changes():
                    old = history.deleted[0] if history.deleted else None
                    yield key, old, history.added[0] if history.added else None
            else:
                value = state.dict.get(key)
                yield (key, None, value) if kind == "create" else (key, value, None)

    return grouped_changes(state.class_, kind, values())


def grouped_changes(
    cls: type, kind: str, values: Iterable[tuple[str, Any, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Action -> field changes from (attribute, old, new) of one row of ``cls``: excluded
    attributes skipped, redacted ones named without their value, JSON diffed into field paths;
    a create lists its non-null values, a delete its last ones."""
    exclude = getattr(cls, "__audit_exclude__", ())
    redact = getattr(cls, "__audit_redact__", ())
    actions: Mapping[str, str] = getattr(cls, "__audit_actions__", {})
    grouped: dict[str, list[dict[str, Any]]] = {}
    for key, old, new in values:
        if key in exclude or (kind != "modify" and (new if kind == "create" else old) is None):
            continue
        found: list[dict[str, Any]] = []
        if key in redact:
            if old != new:
                found.append(
                    {"field": key, "old": REDACTED if old else None, "new": REDACTED if new else None}
                )
        else:
            _diff(key, plain(old), plain(new), found)
        if found:
            action = actions.get(f"{kind}:{key}") or actions.get(kind) or kind
            grouped.setdefault(action, []).extend(found)
    return grouped


def _organisation(state: InstanceState[Any], actor: AuditActor) -> int | None:
    attr = getattr(state.class_, "__audit_organisation_attr__", "organisation_id")
    value = state.dict.get(attr)
    return value if isinstance(value, int) else actor.organisation_id


def entry_row(
    session: Session,
    actor: AuditActor,
    *,
    action: str,
    object_type: str,
    object_id: str | None,
    changes: list[dict[str, Any]] | None = None,
    details: Mapping[str, Any] | None = None,
    reason: str | None = None,
    organisation_id: int | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The fields of one entry, before the chain adds stream, seq and hashes."""
    client: ClientContext = session.info.get(CLIENT_KEY) or ClientContext()
    return {
        "at": at or utcnow(),
        "utc_offset": client.utc_offset,
        "organisation_id": organisation_id if organisation_id is not None else actor.organisation_id,
        "actor_id": actor.user_id,
        "actor_username": actor.username[:200],
        "actor_name": actor.full_name[:200],
        "actor_kind": actor.kind,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id)[:64],
        "changes": changes or None,
        "reason": reason if reason is not None else session.info.get(REASON_KEY),
        "details": plain(dict(details)) if details else None,
        "client": (client.client or None) and client.client[:200],
        "station": actor.station or client.station,
        "request_id": client.request_id,
    }


def _flushed_states(session: Session, context: UOWTransaction) -> Iterator[tuple[InstanceState[Any], str]]:
    new = {id(o) for o in session.new}
    for state, (is_delete, list_only) in list(context.states.items()):
        obj = state.obj()
        if obj is None or not _audited(obj):
            continue
        if is_delete:
            yield state, "delete"
        elif id(obj) in new:
            yield state, "create"
        elif not list_only or _has_change(state):
            yield state, "modify"


def _after_flush(session: Session, context: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    at = utcnow()
    for state, kind in _flushed_states(session, context):
        grouped = _changes(state, kind)
        if not grouped:
            continue
        actor = current_actor(session)
        if actor is None:  # a delete-orphan is first seen here
            raise AuditActorMissing(f"{state.class_.__name__} changed with no audit actor")
        object_type, object_id = _object_type(state.class_), _object_id(state)
        organisation = _organisation(state, actor)
        rows += row_entries(session, actor, state.obj(), grouped, object_type, object_id, organisation, at)
    chain.append(session, rows)


def row_entries(
    session: Session,
    actor: AuditActor,
    obj: Any,
    grouped: Mapping[str, list[dict[str, Any]]],
    object_type: str,
    object_id: str | None,
    organisation_id: int | None,
    at: datetime,
) -> list[dict[str, Any]]:
    """The entries for one row's grouped changes (one per action), with the model's details."""
    hook = getattr(obj, "__audit_details__", None)
    details = hook() if callable(hook) and grouped else None
    return [
        entry_row(
            session,
            actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=changes,
            details=details,
            organisation_id=organisation_id,
            at=at,
        )
        for action, changes in grouped.items()
    ]


def _refuse_bulk(execute_state: Any) -> None:
    if not (execute_state.is_insert or execute_state.is_update or execute_state.is_delete):
        return
    for mapper in execute_state.all_mappers:
        if getattr(mapper.class_, "__audited__", False) or issubclass(mapper.class_, _APPEND_ONLY):
            raise AuditWriteRefused(
                f"bulk {execute_state.statement.__visit_name__} on {mapper.class_.__name__} bypasses the "
                "audit trail; load the objects and change them instead"
            )


_READS_AUDIT: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _reads_audit(execute_state: Any) -> bool:
    """Does the statement read the audit tables: an ORM statement on their models, or SQL text
    naming them. (Core statements on the tables are the chain's own, which writes first.)
    Remembered per statement object: the hot paths reuse theirs."""
    statement = execute_state.statement
    if isinstance(statement, sa.TextClause):
        return "audit_" in statement.text
    known = _READS_AUDIT.get(statement)
    if known is None:
        known = any(m.class_ in (AuditEntry, AuditStream) for m in execute_state.all_mappers)
        _READS_AUDIT[statement] = known
    return known


def _write_before_audit_reads(execute_state: Any) -> None:
    """Buffered entries are written before anything reads the audit tables in the transaction."""
    session = execute_state.session
    if chain.has_pending(session) and _reads_audit(execute_state):
        chain.write_pending(session)


def _before_commit(session: Session) -> None:
    """Write the transaction's buffered entries (a savepoint hands them to its parent)."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # its entries join the buffer before it is written
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        chain.savepoint_committed(session, savepoint)
    elif chain.has_pending(session):
        chain.write_pending(session)


def _transaction_end(session: Session, transaction: Any) -> None:
    chain.transaction_ended(session, transaction)
    if transaction.parent is None:
        session.info.pop(REASON_KEY, None)


def _active_history(mapper: Mapper[Any], cls: type) -> None:
    if not getattr(cls, "__audited__", False):
        return
    for prop in mapper.column_attrs:
        attribute = getattr(cls, prop.key)
        if not event.contains(attribute, "set", _keep_old_value):
            event.listen(attribute, "set", _keep_old_value, active_history=True)


def _keep_old_value(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return value


def install() -> None:
    """Hook every Session (idempotent)."""
    hooks = (
        (Session, "before_flush", _before_flush),
        (Session, "after_flush", _after_flush),
        (Session, "do_orm_execute", _refuse_bulk),
        (Session, "do_orm_execute", _write_before_audit_reads),
        (Session, "before_commit", _before_commit),
        (Session, "after_transaction_end", _transaction_end),
        (Mapper, "mapper_configured", _active_history),
    )
    for target, name, fn in hooks:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
    from lotline.platform.db import Base

    for mapper in Base.registry.mappers:
        if mapper.configured:
            _active_history(mapper, mapper.class_)
