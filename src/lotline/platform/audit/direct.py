"""Direct writes: the unit of work's fast twin for the capture path, with the same audit trail.

A capture writes a dozen rows of a few kinds. Through the ORM unit of work each flush costs far
more than the statements it sends (change tracking, dependency sorting, per-object events), and
ids are needed between steps, so a capture flushed six times. Here each call is one cached Core
statement (``add``: one INSERT … RETURNING for all the objects of a kind; ``update_all``: one
UPDATE by primary key per set of changed attributes), and the audit entries are made from the
values written by the same rules a flush follows (``capture.grouped_changes``): actor required
and reasons where the model requires them (both refused before any statement), excluded and
redacted attributes, JSON diffed into field paths, one entry per row and action, buffered on the
transaction's chain. Models the reference cache watches note the change for it, as a flush would.

The unit of work sees nothing to do afterwards: ``add`` leaves its objects detached with their
ids and column defaults (see ``add`` for why not in the session), ``update`` leaves the new
values committed on the object, and a rollback expires what it undid.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from lotline.platform import refcache
from lotline.platform.audit import chain
from lotline.platform.audit.capture import (
    REASON_KEY,
    AuditActor,
    AuditActorMissing,
    AuditReasonRequired,
    current_actor,
    grouped_changes,
    row_entries,
)
from lotline.platform.db import ImmutableRowError, utcnow


@functools.cache
def _shape(cls: type) -> tuple[sa.Table, tuple[tuple[str, sa.Column[Any]], ...], sa.Column[Any] | None]:
    """The table, its (attribute, column) pairs but the generated key, and that generated key
    column (None when the caller gives the key)."""
    mapper = sa.inspect(cls)
    table = mapper.local_table
    pairs = tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs)
    generated = table.autoincrement_column
    return table, tuple(p for p in pairs if p[1] is not generated), generated


@functools.cache
def _insert(cls: type, many: bool) -> Any:
    table, _pairs, generated = _shape(cls)
    statement = sa.insert(table)
    if generated is not None:
        statement = statement.returning(generated, sort_by_parameter_order=many)
    return statement


@functools.cache
def _update(cls: type, keys: tuple[str, ...]) -> Any:
    """UPDATE … SET the attributes ``keys`` WHERE the primary key (``pk_<i>``, ``new_<key>``)."""
    mapper = sa.inspect(cls)
    columns = {prop.key: prop.columns[0] for prop in mapper.column_attrs}
    where = [column == sa.bindparam(f"pk_{i}") for i, column in enumerate(mapper.primary_key)]
    values = {columns[key].key: sa.bindparam(f"new_{key}", type_=columns[key].type) for key in keys}
    return sa.update(mapper.local_table).where(*where).values(values)


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[union-attr, operator]
    return getattr(default, "arg", None)


def add(session: Session, objects: Sequence[Any]) -> None:
    """Insert new objects of one model in one statement, as a flush would: column defaults and
    generated ids set on them, audit entries made, nothing left pending.

    The objects come back *detached*: every value loaded, ids known, ``update`` works on them,
    but the session's identity map does not hold them. A flush's objects that a rollback undoes
    leave the session with them; these never enter it, so a rolled-back savepoint (a refused
    record in a batch) leaves no object behind whose id the next insert may take again
    (SQLite reuses the highest rowid). A later query in the transaction loads its own copy."""
    if not objects:
        return
    cls = type(objects[0])
    _table, pairs, generated = _shape(cls)
    rows = []
    for obj in objects:
        assert type(obj) is cls, "one model per call"
        # the transient object's own values: defaults and ids are put there directly (no
        # attribute events: a new object has no history to keep)
        given = sa.inspect(obj).dict
        row = {}
        for key, column in pairs:
            if key not in given:
                given[key] = _default(column)
            row[column.key] = given[key]
        rows.append(row)
    actor = _checked(session, cls, "create")
    conn = session.connection()
    many = len(rows) > 1
    if generated is None:
        conn.execute(_insert(cls, many), rows if many else rows[0])
    else:
        result = conn.execute(_insert(cls, many), rows if many else rows[0])
        key = sa.inspect(cls).get_property_by_column(generated).key
        for obj, new_id in zip(objects, result.scalars(), strict=True):
            sa.inspect(obj).dict[key] = new_id
    if refcache.watches(cls):
        refcache.changed(session)
    if actor is not None:
        created = [(obj, [(key, None, obj.__dict__[key]) for key, _c in pairs]) for obj in objects]
        _audit(session, actor, cls, "create", created)
    for obj in objects:
        make_transient_to_detached(obj)


def update(session: Session, obj: Any, values: Mapping[str, Any]) -> None:
    """Change attributes of a loaded object (persistent, or detached by ``add``) with one UPDATE
    by primary key, as a flush would: an entry with old and new values, the object left holding
    the new ones (committed)."""
    update_all(session, [(obj, values)])


def update_all(session: Session, changes: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
    """``update`` for several objects of one model: one statement (executemany) per set of
    attributes that changed, the entries in the order given."""
    if not changes:
        return
    cls = type(changes[0][0])
    if getattr(cls, "__immutable__", False):
        raise ImmutableRowError(f"{cls.__name__} rows cannot be changed")
    columns = [key for key, _column in _shape(cls)[1]]
    made: list[tuple[Any, list[tuple[str, Any, Any]]]] = []
    statements: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for obj, values in changes:
        assert type(obj) is cls, "one model per call"
        state = sa.inspect(obj)
        keys = [key for key in columns if key in values]  # in column order, as a flush
        if len(keys) != len(values):
            unknown = sorted(set(values) - set(keys))
            raise KeyError(f"{cls.__name__} has no column attribute among {unknown}")
        changed = []
        for key in keys:
            if key in state.committed_state:
                raise RuntimeError(f"{cls.__name__}.{key} has an unflushed change: flush it first")
            old, new = getattr(obj, key), values[key]
            if old != new or type(old) is not type(new):
                changed.append((key, old, new))
        if not changed:
            continue
        params = {f"pk_{i}": value for i, value in enumerate(state.identity)}
        params.update({f"new_{key}": new for key, _old, new in changed})
        statements.setdefault(tuple(key for key, _old, _new in changed), []).append(params)
        made.append((obj, changed))
    if not made:
        return
    actor = _checked(session, cls, "modify", [obj for obj, _changed in made])
    conn = session.connection()
    for keys, rows in statements.items():
        conn.execute(_update(cls, keys), rows if len(rows) > 1 else rows[0])
    for obj, changed in made:
        for key, _old, new in changed:
            set_committed_value(obj, key, new)
    _remember(session, [obj for obj, _changed in made])
    if refcache.watches(cls):
        refcache.changed(session)
    if actor is not None:
        _audit(session, actor, cls, "modify", made)


def _checked(session: Session, cls: type, kind: str, objects: Sequence[Any] = ()) -> AuditActor | None:
    """Before any statement, what a flush refuses before its SQL: an audited change without an
    actor, a change without the reason its model requires. The actor (None: not audited)."""
    if not getattr(cls, "__audited__", False):
        return None
    actor = current_actor(session)
    if actor is None:
        raise AuditActorMissing(f"{cls.__name__} changed with no audit actor")
    reason_required = kind != "create" and getattr(cls, "__audit_reason_required__", False)
    if reason_required and objects and not session.info.get(REASON_KEY):
        raise AuditReasonRequired(_object_type(cls), _object_id(objects[0]))
    return actor


def _object_type(cls: type) -> str:
    return str(getattr(cls, "__audit_type__", sa.inspect(cls).local_table.name))


def _object_id(obj: Any) -> str:
    """The primary key as entries name it (``1`` or ``4,7``), from the object's own values."""
    return ",".join(str(getattr(obj, key)) for key in _key_attributes(type(obj)))


@functools.cache
def _key_attributes(cls: type) -> tuple[str, ...]:
    mapper = sa.inspect(cls)
    return tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)


def _audit(
    session: Session, actor: AuditActor, cls: type, kind: str, changes: Sequence[tuple[Any, Any]]
) -> None:
    """The entries of written changes, buffered on the transaction's chain."""
    keys = set(_key_attributes(cls))
    object_type = _object_type(cls)
    org_attr = getattr(cls, "__audit_organisation_attr__", "organisation_id")
    at = utcnow()
    rows = []
    for obj, values in changes:
        grouped = grouped_changes(cls, kind, ((k, old, new) for k, old, new in values if k not in keys))
        organisation = getattr(obj, org_attr, None)
        organisation = organisation if isinstance(organisation, int) else None
        rows += row_entries(session, actor, obj, grouped, object_type, _object_id(obj), organisation, at)
    chain.append(session, rows)


# --- a rollback forgets what it undid ----------------------------------------------------------
#
# ``update`` leaves the new values committed on the object, so a rollback of the transaction or
# savepoint that wrote them would not expire them as it expires what a flush wrote: the session
# would go on reading values the database no longer has (the next record of a batch, after a
# refused one, would see a lot's remaining quantity as the refused record left it). The objects
# each transaction changed are remembered and expired when it rolls back.

_UPDATED_KEY = "lotline.direct.updated"


def _remember(session: Session, objects: Sequence[Any]) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_UPDATED_KEY, []).extend((transaction, obj) for obj in objects)


@event.listens_for(Session, "after_soft_rollback")
def _expire_undone(session: Session, previous: Any) -> None:
    updated: list[tuple[Any, Any]] = session.info.get(_UPDATED_KEY, [])
    if not updated:
        return
    kept = []
    for transaction, obj in updated:
        if not chain.within(transaction, previous):
            kept.append((transaction, obj))
        elif sa.inspect(obj).session is session:  # (a detached one is its caller's, as ever)
            session.expire(obj)
    session.info[_UPDATED_KEY] = kept


@event.listens_for(Session, "after_transaction_end")
def _forget_updated(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_UPDATED_KEY, None)
