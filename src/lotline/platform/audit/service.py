"""Audit domain service: what other domains, the views and the CLI call.

Capture is automatic for models that declare ``__audited__`` (see ``capture``); ``record`` adds
an explicit entry for events that change no audited row (login, logout, failed sign-in, lockout,
export, print, sign…). Review (``list_entries``), CSV export (itself audited) and ``verify`` read
the trail; signing lives in ``signatures`` and is re-exported here. What the trail guarantees,
and what it does not, is in the package docstring (``lotline.platform.audit``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lotline.platform.audit import capture, chain, signables
from lotline.platform.audit.capture import (
    AuditActor,
    AuditActorMissing,
    AuditReasonRequired,
    AuditWriteRefused,
    ClientContext,
    acting_as,
    anonymous_actor,
    current_actor,
    pop_context,
    push_context,
    set_actor,
    set_reason,
    system_actor,
)
from lotline.platform.audit.chain import REASONS as BREAK_REASONS
from lotline.platform.audit.chain import Break, Verification
from lotline.platform.audit.models import AuditEntry
from lotline.platform.audit.signatures import (
    MEANINGS,
    SignatureView,
    cosign,
    list_signatures,
    local_time,
    register_signable,
    require_distinct_signers,
    sign,
    signable_types,
    unregister_signable,
)
from lotline.platform.db import transaction

__all__ = [
    "BREAK_REASONS",
    "MEANINGS",
    "AuditActor",
    "AuditActorMissing",
    "AuditFilter",
    "AuditReasonRequired",
    "AuditWriteRefused",
    "Break",
    "ClientContext",
    "SignatureView",
    "Verification",
    "acting_as",
    "anonymous_actor",
    "cosign",
    "current_actor",
    "export_csv",
    "list_entries",
    "list_signatures",
    "local_time",
    "pop_context",
    "push_context",
    "record",
    "register_signable",
    "require_distinct_signers",
    "set_actor",
    "set_reason",
    "sign",
    "signable_types",
    "system_actor",
    "unregister_signable",
    "verify",
]

signables.register()

MAX_PAGE = 500
EXPORT_LIMIT = 100_000


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: int | str | None,
    *,
    actor: AuditActor | None = None,
    changes: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    organisation_id: int | None = None,
) -> None:
    """Chain one explicit entry now, in the session's transaction (the caller commits)."""
    actor = actor or current_actor(session)
    if actor is None:
        raise AuditActorMissing(f"{action} on {object_type} recorded with no audit actor")
    row = capture.entry_row(
        session,
        actor,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        changes=[
            {**c, "old": capture.plain(c.get("old")), "new": capture.plain(c.get("new"))}
            for c in changes or []
        ],
        details=details,
        reason=reason,
        organisation_id=organisation_id,
    )
    chain.append(session, [row])


def verify(session: Session) -> Verification:
    return chain.verify(session)


# --- review -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    object_type: str | None = None
    object_id: str | None = None
    user_id: int | None = None
    actions: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None

    def as_details(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in {
                "object_type": self.object_type,
                "object_id": self.object_id,
                "user_id": self.user_id,
                "actions": list(self.actions) or None,
                "since": self.since,
                "until": self.until,
            }.items()
            if value is not None
        }


def _query(organisation_id: int, filters: AuditFilter) -> sa.Select[tuple[AuditEntry]]:
    # Entries with no organisation are installation-wide (e.g. a failed sign-in of an unknown name).
    query = sa.select(AuditEntry).where(
        sa.or_(AuditEntry.organisation_id == organisation_id, AuditEntry.organisation_id.is_(None))
    )
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEntry.object_id == str(filters.object_id))
    if filters.user_id is not None:
        query = query.where(AuditEntry.actor_id == filters.user_id)
    if filters.actions:
        query = query.where(AuditEntry.action.in_(list(filters.actions)))
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return query


def list_entries(
    session: Session, organisation_id: int, filters: AuditFilter, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the total matching."""
    per_page = max(1, min(per_page, MAX_PAGE))
    query = _query(organisation_id, filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page_query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    items = list(session.scalars(page_query.offset((max(page, 1) - 1) * per_page).limit(per_page)))
    return items, total


CSV_COLUMNS = (
    "entry_id",
    "time_utc",
    "time_local",
    "user_id",
    "user_name",
    "printed_name",
    "actor_kind",
    "action",
    "object_type",
    "object_id",
    "field",
    "old_value",
    "new_value",
    "reason",
    "details",
    "client",
    "station",
    "request_id",
    "stream",
    "seq",
    "hash",
)


def _cell(value: Any) -> str:
    """Human-readable text; spreadsheet formulas are neutralised (a leading ')."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_rows(entry: AuditEntry) -> Iterator[list[str]]:
    """One row per changed field (one row for an entry without field changes)."""
    base = [
        str(entry.id),
        chain.format_utc(entry.at),
        local_time(entry.at, entry.utc_offset),
        _cell(entry.actor_id),
        _cell(entry.actor_username),
        _cell(entry.actor_name),
        entry.actor_kind,
        entry.action,
        _cell(entry.object_type),
        _cell(entry.object_id),
    ]
    tail = [
        _cell(entry.reason),
        _cell(entry.details),
        _cell(entry.client),
        _cell(entry.station),
        _cell(entry.request_id),
        str(entry.stream),
        str(entry.seq),
        entry.hash,
    ]
    for change in entry.changes or [{}]:
        yield [*base, _cell(change.get("field")), _cell(change.get("old")), _cell(change.get("new")), *tail]


def export_csv(session: Session, organisation_id: int, filters: AuditFilter) -> str:
    """The filtered trail as CSV (UTF-8 with BOM for spreadsheets); the export is itself audited."""
    with transaction(session):
        query = _query(organisation_id, filters).order_by(AuditEntry.at, AuditEntry.id).limit(EXPORT_LIMIT)
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        count = 0
        for entry in session.scalars(query):
            count += 1
            writer.writerows(csv_rows(entry))
        record(
            session,
            "export",
            "audit_trail",
            None,
            details={"format": "csv", "entries": count, "filters": filters.as_details()},
            organisation_id=organisation_id,
        )
    return out.getvalue()
