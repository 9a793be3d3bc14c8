"""Captured records read back: a record with its corrections and signatures, and what an
electronic signature on a record covers (registered with the audit domain on import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.platform.capture.models import Record
from lotline.platform.errors import NotFoundError

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor


def record_content(session: Session, object_id: str) -> dict[str, Any] | None:
    """What a signature on a record covers: everything the record states, as captured."""
    record = session.get(Record, int(object_id)) if object_id.isdigit() else None
    if record is None:
        return None
    return {
        "organisation_id": record.organisation_id,
        "id": record.id,
        "flow_version_id": record.flow_version_id,
        "node": record.node,
        "form_version_id": record.form_version_id,
        "flow_instance_id": record.flow_instance_id,
        "station_id": record.station_id,
        "operator_id": record.operator_id,
        "operator_name": record.operator_name,
        "event_time": record.event_time,
        "event_time_zone_offset": record.event_time_zone_offset,
        "payload": record.payload,
        "data": record.data,
        "corrects_record_id": record.corrects_record_id,
        "correction_reason": record.correction_reason,
    }


def _register_signables() -> None:
    from lotline.platform.audit import service as audit_service

    # a checker's "verified" must come from someone other than the performer ("responsible")
    audit_service.register_signable(
        "record",
        record_content,
        "records.sign",
        read_permission="trace.read",
        distinct={"verified": {"responsible", "authored"}},
    )


_register_signables()


def get_record(session: Session, organisation_id: int, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None or record.organisation_id != organisation_id:
        raise NotFoundError("record_not_found", {"record": record_id})
    return record


def record_history(session: Session, organisation_id: int, record_id: int) -> list[Record]:
    """A record with every correction made to it (and to those), oldest first."""
    chain = [get_record(session, organisation_id, record_id)]
    while True:
        later = session.scalar(select(Record).where(Record.corrects_record_id == chain[-1].id))
        if later is None:
            return chain
        chain.append(later)


def form_labels(session: Session, form_version_id: int | None) -> dict[str, Any]:
    """How a record's values are named where they are shown: each field's label (``en``,
    ``zh-CN``) by its key (a group's fields as ``group.field``), and a choice's label by field
    and value. From the record's own form version (published versions never change)."""
    from lotline.platform.definitions import service as definitions

    labels: dict[str, Any] = {"fields": {}, "options": {}}
    if form_version_id is None:
        return labels

    def walk(fields: list[dict[str, Any]], prefix: str) -> None:
        for field in fields:
            key = prefix + field["key"]
            if "label" in field:
                labels["fields"][key] = field["label"]
            if field.get("options"):
                labels["options"][key] = {o["value"]: o["label"] for o in field["options"]}
            walk(field.get("fields", []), key + ".")

    walk(definitions.version_ref_by_id(session, form_version_id).document.get("fields", []), "")
    return labels


def record_history_signed(session: Session, actor: Actor, record_id: int) -> list[dict[str, Any]]:
    """``record_history`` with every record's signatures (printed name, time, meaning, validity)
    and the labels of its form (``form_labels``)."""
    from lotline.platform.audit import service as audit_service

    history = []
    for record in record_history(session, actor.organisation_id, record_id):
        signatures = audit_service.list_signatures(session, actor, "record", str(record.id))
        history.append(
            {
                **{column.key: getattr(record, column.key) for column in Record.__table__.columns},
                "labels": form_labels(session, record.form_version_id),
                "signatures": [
                    {
                        "meaning": s.meaning,
                        "meaning_en": s.meaning_en,
                        "meaning_zh": s.meaning_zh,
                        "signer_name": s.signer_name,
                        "signed_at": s.signed_at.isoformat(),
                        "signed_at_local": s.signed_at_local,
                        "status": s.status,
                    }
                    for s in signatures
                ],
            }
        )
    return history
