"""What a record changes besides the rows it writes: item statuses (a status action's scope:
the subject, what the record made, or everything made from the subject), nonconformances, and
a quality result per measured value."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.platform.audit import direct
from lotline.platform.capture.models import Record
from lotline.platform.genealogy.models import Edge, Item
from lotline.platform.genealogy.service import walk_stream
from lotline.platform.quality.models import Nonconformance, QualityResult
from lotline.workflow_engine.definition import ITEM_STATUSES, UNAVAILABLE_STATUSES

_STATUS_ACTIONS = {"hold": "hold", "release": "released"}
_IN_STOCK = frozenset(ITEM_STATUSES) - UNAVAILABLE_STATUSES


def statuses(
    session: Session,
    record: Record,
    actions: Sequence[Mapping[str, Any]],
    subject: Item | None,
    made: Sequence[Item],
) -> None:
    """Status actions and nonconformances. A status action's ``scope`` says whose status:
    ``subject`` (the default), ``created`` (what this record made: its new items and containers,
    e.g. finished packs into quarantine) or ``forward`` (the subject and everything made from it,
    e.g. a QA decision over a batch's packs and cases)."""
    opened = []
    for action in actions:
        kind = action["type"]
        if kind == "open_nonconformance":
            defects = action.get("values", {}).get("defects") or []
            opened.append(
                Nonconformance(
                    organisation_id=record.organisation_id,
                    record_id=record.id,
                    item_id=subject.id if subject is not None else None,
                    severity=action.get("params", {}).get("severity", "minor"),
                    defects=list(defects) if isinstance(defects, list) else [defects],
                )
            )
            continue
        if kind == "set_status":
            status = action["params"]["status"]
        elif kind in _STATUS_ACTIONS:
            status = _STATUS_ACTIONS[kind]
        else:
            continue
        scope = action.get("params", {}).get("scope", "subject")
        if scope == "created":
            direct.update_all(session, [(item, {"status": status}) for item in made])
        elif scope == "forward" and subject is not None:
            _forward_status(session, record, subject, kind, status)
        elif scope == "subject" and subject is not None:
            direct.update(session, subject, {"status": status})
    direct.add(session, opened)


def _forward_status(session: Session, record: Record, subject: Item, kind: str, status: str) -> None:
    """``status`` on the subject and every item made from it that is still in stock (consumed,
    shipped and scrapped items keep theirs). A release frees what is in quarantine only: an item
    held for a reason of its own stays held. A case or pallet the walk reaches changes only when
    everything it holds now has that status (or has left stock): a pallet that also carries
    another batch still in quarantine is not released with this one; a hold holds it anyway.
    Walked in bounded memory, level by level (contents before their containers), 1,000 at a time."""
    eligible = {"quarantine"} if status == "released" else _IN_STOCK - {status}
    for part in walk_stream(session, record.organisation_id, [subject.id], "forward"):
        for start in range(0, len(part.items), 1000):
            ids = part.items[start : start + 1000]
            query = select(Item).where(Item.id.in_(ids), Item.status.in_(sorted(eligible))).order_by(Item.id)
            items = list(session.scalars(query))
            contents = [item for item in items if item.kind != "container"]
            direct.update_all(session, [(item, {"status": status}) for item in contents])
            containers = [item for item in items if item.kind == "container"]
            if kind != "hold":
                containers = _settled(session, containers, status)
            direct.update_all(session, [(item, {"status": status}) for item in containers])


def _settled(session: Session, containers: Sequence[Item], status: str) -> list[Item]:
    """The containers whose live contents all have ``status`` or have left stock."""
    if not containers:
        return []
    unsettled = set(
        session.scalars(
            select(Edge.to_item_id)
            .join(Item, Item.id == Edge.from_item_id)
            .where(
                Edge.to_item_id.in_([container.id for container in containers]),
                Edge.relation == "contained",
                Edge.voided_by_record_id.is_(None),
                Item.status.not_in([status, *sorted(UNAVAILABLE_STATUSES)]),
            )
            .distinct()
        )
    )
    return [container for container in containers if container.id not in unsettled]


def quality_results(
    session: Session, record: Record, node: str, subject: Item | None, form_document: Mapping[str, Any]
) -> None:
    """A quality result per measured value, repeating groups' rows included: the characteristic
    the form declares (else the field's key, a group's field as ``group.field``) and the value's
    own path (``field``: ``joints.2.torque``), so results chart by characteristic and still say
    which joint they came from."""
    results = []
    for spec, path, value in _measurements(form_document.get("fields", []), record.data, ()):
        results.append(
            QualityResult(
                organisation_id=record.organisation_id,
                record_id=record.id,
                item_id=subject.id if subject is not None else None,
                node=node,
                characteristic=spec.get("characteristic") or ".".join(p for p in path if not p.isdigit()),
                field=".".join(path),
                value=Decimal(str(value["value"])),
                unit=value.get("unit"),
                limits={
                    k: value.get(k) for k in ("lsl", "target", "usl", "warn_low", "warn_high") if k in value
                },
                result=value.get("result"),
            )
        )
    direct.add(session, results)


def _measurements(
    fields: Sequence[Mapping[str, Any]], data: Any, path: tuple[str, ...]
) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...], Mapping[str, Any]]]:
    """(field, path, value) of every measured value in ``data``, in form order, groups row by row."""
    if not isinstance(data, Mapping):
        return
    for spec in fields:
        key, value = spec["key"], data.get(spec["key"])
        if spec.get("type") == "measurement":
            if isinstance(value, Mapping) and value.get("value") is not None:
                yield spec, (*path, key), value
        elif spec.get("type") == "group" and isinstance(value, list):
            for index, row in enumerate(value):
                yield from _measurements(spec.get("fields", []), row, (*path, key, str(index)))
