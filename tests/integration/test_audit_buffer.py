"""The audit trail is written once per transaction: entries wait in the session until it commits
(or until something reads the audit tables), savepoints that roll back take their entries with
them, and entries of the outer transaction written inside such a savepoint are written again."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lotline.platform.audit import chain
from lotline.platform.audit import service as audit_service
from lotline.platform.audit.models import AuditEntry
from lotline.platform.auth.models import Site
from lotline.platform.db import get_session


def site_entries(code: str) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.object_type == "site").order_by(AuditEntry.id)
    return [e for e in get_session().scalars(query) if any(c["new"] == code for c in e.changes or [])]


def inserts_into_audit_entry(session: Any) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRY"):
            seen.append(statement)

    sa.event.listen(session.get_bind(), "before_cursor_execute", count)
    return seen


def test_entries_of_many_flushes_are_written_together_at_commit(org: Any) -> None:
    session = get_session()
    seen = inserts_into_audit_entry(session)
    for n in range(3):
        session.add(Site(organisation_id=org.organisation.id, code=f"B{n}", name=f"Buffered {n}"))
        session.flush()
    assert chain.has_pending(session) and seen == []  # nothing written yet
    session.commit()
    assert len(seen) <= 1 and not chain.has_pending(session)  # one INSERT (executemany) or one per entry
    assert [len(site_entries(f"B{n}")) for n in range(3)] == [1, 1, 1]
    assert audit_service.verify(session).ok


def test_a_read_of_the_audit_tables_sees_entries_not_yet_committed(org: Any) -> None:
    session = get_session()
    session.add(Site(organisation_id=org.organisation.id, code="R1", name="Read before commit"))
    session.flush()
    assert len(site_entries("R1")) == 1  # the read wrote the buffer first
    session.commit()
    assert len(site_entries("R1")) == 1


def test_savepoints_keep_committed_entries_and_drop_rolled_back_ones(org: Any) -> None:
    session = get_session()
    session.add(Site(organisation_id=org.organisation.id, code="OUT", name="Outer"))
    session.flush()
    kept = session.begin_nested()
    session.add(Site(organisation_id=org.organisation.id, code="KEEP", name="Kept"))
    kept.commit()
    dropped = session.begin_nested()
    session.add(Site(organisation_id=org.organisation.id, code="DROP", name="Dropped"))
    session.flush()
    assert len(site_entries("OUT")) == 1  # written inside the savepoint, with DROP's entry
    dropped.rollback()
    session.commit()
    assert [len(site_entries(code)) for code in ("OUT", "KEEP", "DROP")] == [1, 1, 0]
    assert audit_service.verify(session).ok
