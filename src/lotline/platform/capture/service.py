"""Capture: one submitted form becomes a record, events, genealogy edges, item changes and
quality results, in one transaction.

Pipeline (ARCHITECTURE.md §4): idempotency -> station and flow instance -> the node's exact form
version validates and normalises the payload (scans via GS1) -> scans resolve to items and are
error-proofed (holds, expiry, remaining quantity, duplicates) -> the workflow engine decides
(sequence, roles, stations, materials) -> the record, its event, edges, item changes, quality
results and the instance's new state are written -> commit. A retry with the same idempotency
key returns the first answer and writes nothing. Every refusal lists every problem with its
path (``payload.<field>`` for form fields).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from lotline import workflow_engine
from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform.audit import direct
from lotline.platform.capture import effects
from lotline.platform.capture import messages as _messages  # noqa: F401  (registers codes)
from lotline.platform.capture import records as _records  # noqa: F401  (registers the record signable)
from lotline.platform.capture.models import CaptureAnswer, Record
from lotline.platform.capture.resolve import Resolved, resolve_bindings
from lotline.platform.db import transaction, utcnow
from lotline.platform.definitions import service as definitions
from lotline.platform.errors import DomainError, PermissionDeniedError
from lotline.platform.genealogy.models import Item
from lotline.platform.masterdata import service as masterdata

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor

MAX_BATCH = 500


@dataclass(frozen=True)
class CaptureRequest:
    idempotency_key: str
    flow: str
    node: str
    payload: Mapping[str, Any]
    subject: str | None = None
    instance_id: int | None = None
    station: str | None = None
    event_time: datetime | None = None
    corrects: int | None = None
    reason: str | None = None
    signatures: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def _raced(error: DBAPIError) -> bool:
    """A concurrent transaction won (same key or subject, deadlock, busy SQLite): worth one retry,
    which then sees the winner's committed rows (a replayed answer, or an ordinary refusal)."""
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return (
        isinstance(error, IntegrityError) or code in ("40P01", "40001") or "database is locked" in str(error)
    )


def capture(
    session: Session, actor: Actor, request: CaptureRequest, client: str = "unknown"
) -> dict[str, Any]:
    """Capture one record; the answer of a repeated idempotency key is the first answer."""
    replayed = _replayed(session, actor, request)
    if replayed is not None:
        return replayed
    signers = _verified_signers(session, actor, request, client)
    try:
        with transaction(session):
            return _capture(session, actor, request, signers, client)
    except DBAPIError as error:
        if not _raced(error):
            raise
    with transaction(session):
        return _capture(session, actor, request, signers, client)


@dataclass(frozen=True)
class Signer:
    """A person who signed this submission with full credentials, re-authenticated."""

    meaning: str
    user: Any
    reason: str | None


def _verified_signers(session: Session, actor: Actor, request: CaptureRequest, client: str) -> list[Signer]:
    """Re-authenticate everyone who signs the submission (each with user name and password, as a
    checker at the performer's tablet is not in a session of their own). Runs before the capture
    transaction, so failed attempts count toward lockout even though the record is refused."""
    from lotline.platform.audit import service as audit_service
    from lotline.platform.auth import service as auth_service

    signers: list[Signer] = []
    problems: list[Problem] = []
    for index, raw in enumerate(request.signatures):
        meaning, username, password = raw.get("meaning"), raw.get("username"), raw.get("password")
        if meaning not in audit_service.MEANINGS:
            problems.append(Problem(("signatures", index, "meaning"), "invalid", {"detail": str(meaning)}))
            continue
        if not username or not password:
            problems.append(
                Problem(("signatures", index, "password" if username else "username"), "required")
            )
            continue
        user = auth_service.find_user(session, actor.organisation_id, str(username))
        try:
            signer = auth_service.reauthenticate(
                session, user.id if user is not None else 0, str(password), client, username=str(username)
            )
        except DomainError as refused:
            code = "signature_credentials_invalid" if refused.code == "invalid_credentials" else refused.code
            problems.append(Problem(("signatures", index), code, refused.params))
            continue
        if not any("records.sign" in perms for perms in auth_service.grants_of(signer).values()):
            problems.append(
                Problem(
                    ("signatures", index, "username"), "missing_permission", {"permission": "records.sign"}
                )
            )
            continue
        signers.append(Signer(str(meaning), signer, raw.get("reason")))
    if problems:
        raise ProblemsError(problems)
    return signers


def capture_batch(session: Session, actor: Actor, requests: Sequence[CaptureRequest]) -> list[dict[str, Any]]:
    """Capture up to 500 records in order, each all-or-nothing on its own (a SAVEPOINT each)."""
    if len(requests) > MAX_BATCH:
        raise ProblemsError([Problem(("records",), "batch_too_large", {"max": MAX_BATCH})])
    from lotline.platform.errors import locale

    loc = locale()
    results: list[dict[str, Any]] = []
    with transaction(session):
        for index, request in enumerate(requests):
            for attempt in (1, 2):
                savepoint = session.begin_nested()
                try:
                    answer = _replayed(session, actor, request) or _capture(
                        session, actor, request, _verified_signers(session, actor, request, "batch"), "batch"
                    )
                    savepoint.commit()
                    results.append({"index": index, "status": "accepted", **answer})
                except (ProblemsError, DomainError) as error:
                    savepoint.rollback()
                    results.append(_refusal(index, request, error, loc))
                except DBAPIError as error:
                    savepoint.rollback()
                    if attempt == 1 and _raced(error):
                        continue
                    raise
                break
    return results


def _refusal(index: int, request: CaptureRequest, error: Exception, loc: str) -> dict[str, Any]:
    problems = getattr(error, "problems", []) or []
    code = getattr(error, "code", "refused")
    message = Problem((), code, getattr(error, "params", {}) or {}).message(loc)
    return {
        "index": index,
        "status": "rejected",
        "idempotency_key": request.idempotency_key,
        "code": code,
        "message": message,
        "errors": [p.to_dict(loc) for p in problems],
    }


# --- the pipeline -----------------------------------------------------------------------------


def _capture(
    session: Session, actor: Actor, request: CaptureRequest, signers: Sequence[Signer], client: str
) -> dict[str, Any]:
    """The pipeline; the caller has looked for an earlier answer to the key already."""
    station = effects.resolve_station(session, actor, request.station)
    event_time = request.event_time or utcnow()
    original = _correction_target(session, actor, request)
    instance, flow_version, locked = _instance(session, actor, request, original)
    if locked:  # again: the instance lock may have waited for a request with the same key
        replayed = _replayed(session, actor, request)
        if replayed is not None:
            return replayed
    flow = definitions.loaded_flow(flow_version)
    node = flow.nodes.get(request.node)
    if node is None:
        raise ProblemsError(
            [Problem(("node",), "node_unknown", {"flow": request.flow, "node": request.node})]
        )
    form_version = definitions.version_ref(
        session, actor.organisation_id, "form", node.form.key, node.form.version
    )

    checked = definitions.compiled_form(form_version).validate(dict(request.payload))
    if checked.problems:
        raise ProblemsError([_under("payload", p) for p in checked.problems])
    data = dict(checked.data)

    subject_item = _subject_item(
        session, actor.organisation_id, instance.subject if instance else request.subject
    )
    resolved = resolve_bindings(
        session,
        actor.organisation_id,
        checked.trace,
        event_time,
        ignore_record=original.id if original else None,
    )
    if resolved.problems:
        raise ProblemsError(resolved.problems)

    context = _context(
        session, actor, station, event_time, subject_item, resolved, _product(node, subject_item)
    )
    submission = workflow_engine.Submission(
        data=data,
        result=_result(data),
        signatures=tuple({"meaning": s.meaning, "signer": s.user.username} for s in signers),
    )
    decision = _decide(session, flow, instance, node.id, submission, context, original)
    if not decision.accepted:
        raise ProblemsError([resolved.map_problem(p) for p in decision.problems], code="step_refused")

    # an instance this record starts is written now, once, with the state the record leaves
    definitions.apply_state(session, instance, decision.state.to_dict())
    record = Record(
        organisation_id=actor.organisation_id,
        idempotency_key=request.idempotency_key,
        site_id=station.site_id if station else None,
        station_id=station.id if station else None,
        flow_instance_id=instance.id,
        flow_version_id=flow_version.id,
        node=node.id,
        form_version_id=form_version.id,
        operator_id=actor.user_id,
        operator_name=actor.full_name,
        event_time=event_time,
        event_time_zone_offset=_offset(event_time),
        payload=dict(request.payload),
        data=data,
        corrects_record_id=original.id if original else None,
        correction_reason=request.reason,
        seq=original.seq if original is not None else decision.state.seq,  # a correction takes its place
        step=workflow_engine.Step(node.id, submission, context).to_dict(),
    )
    outcome = effects.apply(
        session,
        actor,
        record,
        node,
        decision,
        resolved,
        subject_item,
        instance.subject,
        station,
        original,
        form_version.document,
    )
    # what definitions.instance_status answers, from the flow and state already in hand
    after = {
        "actor": actor.username,
        "roles": list(context.roles),
        "station": context.station,
        "now": event_time.isoformat(),
        "item": effects.item_facts(outcome.subject),
    }
    next_steps = [
        status.to_dict() for status in workflow_engine.enabled(flow, decision.state, after) if status.enabled
    ]
    response = {
        "record": {
            "id": record.id,
            "node": node.id,
            "flow": flow_version.key,
            "flow_version": flow_version.version,
            "instance_id": instance.id,
            "subject": instance.subject,
            "event_time": event_time.isoformat(),
            "corrects": record.corrects_record_id,
        },
        "created_items": [effects.item_summary(i) for i in outcome.created],
        "next_steps": [{"node": s["node"], "status": s["status"]} for s in next_steps],
        "instance_status": decision.state.status,
        "notices": [p.to_dict() for p in checked.notices],
    }
    _sign(session, actor, record, signers, client)
    response["signatures"] = [{"meaning": s.meaning, "signer": s.user.full_name} for s in signers]
    direct.add(session, [CaptureAnswer(record_id=record.id, response=response)])
    return response


def _replayed(session: Session, actor: Actor, request: CaptureRequest) -> dict[str, Any] | None:
    """The first answer given for this idempotency key, if there was one."""
    params = {"org": actor.organisation_id, "key": request.idempotency_key}
    existing = session.connection().execute(_statements()["replayed"], params).scalar()
    if existing is None:
        return None
    answer = session.get(CaptureAnswer, existing)
    return {**(answer.response if answer else {}), "replayed": True}


def _sign(session: Session, actor: Actor, record: Record, signers: Sequence[Signer], client: str) -> None:
    """Bind each signature to the record's content (printed name, time and meaning are kept)."""
    from lotline.platform.audit import service as audit_service

    for signer in signers:
        audit_service.cosign(
            session,
            signer.user,
            organisation_id=actor.organisation_id,
            object_type="record",
            object_id=str(record.id),
            meaning=signer.meaning,
            kind=actor.kind,
            client=client,
            reason=signer.reason,
        )


def _under(prefix: str, problem: Problem) -> Problem:
    return Problem((prefix, *problem.path), problem.code, problem.params)


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _result(data: Mapping[str, Any]) -> dict[str, Any]:
    """What flow conditions see as ``result``: a measurement failing or ``passed: false`` fails."""
    failed = sorted(
        key for key, value in data.items() if isinstance(value, Mapping) and value.get("result") == "fail"
    )
    passed = data.get("passed")
    outcome = {"passed": not failed and passed is not False, "failed_checks": failed}
    if "defects" in data:
        outcome["defects"] = data["defects"]
    return outcome


def _correction_target(session: Session, actor: Actor, request: CaptureRequest) -> Record | None:
    if request.corrects is None:
        return None
    if not (request.reason or "").strip():
        raise ProblemsError([Problem(("reason",), "correction_reason_required")])
    if not actor.can("records.correct"):
        raise PermissionDeniedError("missing_permission", {"permission": "records.correct"})
    original = session.get(Record, request.corrects)
    if original is None or original.organisation_id != actor.organisation_id:
        raise ProblemsError(
            [Problem(("corrects",), "correction_target_missing", {"record": request.corrects})]
        )
    later = session.scalar(select(Record.id).where(Record.corrects_record_id == original.id))
    if later is not None:
        raise ProblemsError(
            [Problem(("corrects",), "correction_already_made", {"record": original.id, "by": later})]
        )
    if original.node != request.node:
        raise ProblemsError([Problem(("node",), "correction_other_step", {"node": original.node})])
    return original


def _instance(
    session: Session, actor: Actor, request: CaptureRequest, original: Record | None
) -> tuple[Any, Any, bool]:
    """The flow instance this record belongs to, started here when the node is a start node;
    and whether an existing instance was locked (else it was started by this transaction, and a
    concurrent twin would fail on the subject's open instance or the idempotency key)."""
    locked = True
    if original is not None and original.flow_instance_id is not None:
        instance = _locked(
            session, definitions.get_instance(session, actor.organisation_id, original.flow_instance_id)
        )
    elif request.instance_id is not None:
        instance = _locked(
            session, definitions.get_instance(session, actor.organisation_id, request.instance_id)
        )
    else:
        if not request.subject:
            raise ProblemsError([Problem(("subject",), "required")])
        instance = definitions.open_instance(session, actor.organisation_id, request.flow, request.subject)
        if instance is not None:
            instance = _locked(session, instance)
        else:
            version = definitions.version_ref(session, actor.organisation_id, "flow", request.flow)
            flow = definitions.loaded_flow(version)
            if request.node not in flow.start:
                raise ProblemsError(
                    [
                        Problem(
                            ("node",),
                            "instance_missing",
                            {
                                "subject": request.subject,
                                "flow": request.flow,
                                "start": ", ".join(flow.start),
                            },
                        )
                    ]
                )
            instance = definitions.start_instance(
                session,
                actor,
                request.flow,
                request.subject,
                version.version,
                none_open=True,
                pending=True,  # written once, with the state this record leaves (apply_state)
            )
            locked = False
    version = definitions.version_ref_by_id(session, instance.flow_version_id)
    return instance, version, locked


def _locked(session: Session, instance: Any) -> Any:
    """Lock the instance row and re-read it: two stations recording the same step of one unit at
    once queue, and the second sees the first's state (and is refused as out of sequence)."""
    session.refresh(instance, with_for_update=True)
    return instance


def _subject_item(session: Session, organisation_id: int, subject: str | None) -> Item | None:
    if not subject:
        return None
    return session.scalar(_statements()["subject"], {"org": organisation_id, "code": subject})


@functools.cache
def _statements() -> dict[str, Any]:
    """The per-capture lookups, built once: a reused statement skips SQLAlchemy's per-call
    construction and cache-key work (values are bound parameters)."""
    org, key, code = bindparam("org"), bindparam("key"), bindparam("code")
    return {
        # a plain Core read of the table (no ORM entity: nothing to load, most keys are new)
        "replayed": select(Record.__table__.c.id).where(
            Record.__table__.c.organisation_id == org, Record.__table__.c.idempotency_key == key
        ),
        "subject": select(Item).where(Item.organisation_id == org, Item.code == code).order_by(Item.id),
    }


def _product(node: Any, subject: Item | None) -> str | None:
    """The material being made here: the subject's, or the one the node creates."""
    if subject is not None and subject.material_code:
        return subject.material_code
    for action in node.actions:
        if action.get("type") == "create_item" and action.get("material"):
            return str(action["material"])
    return None


def _context(
    session: Session,
    actor: Actor,
    station: Any,
    event_time: datetime,
    subject: Item | None,
    resolved: Resolved,
    product: str | None,
) -> workflow_engine.Context:
    from lotline.platform.auth import service as auth_service

    bom = (
        masterdata.component_codes(session, actor.organisation_id, product, utcnow().date())
        if product
        else None
    )
    roles = actor.roles if actor.roles is not None else auth_service.role_keys(session, actor.user_id)
    return workflow_engine.Context(
        actor=actor.username,
        roles=tuple(sorted(roles)),
        station=station.code if station is not None else actor.station,
        item=effects.item_facts(subject),
        materials=tuple(resolved.material_facts()),
        bom=bom,
        now=event_time.isoformat(),
    )


def _decide(
    session: Session,
    flow: Any,
    instance: Any,
    node: str,
    submission: Any,
    context: Any,
    original: Record | None,
) -> Any:
    state = workflow_engine.State.from_dict(instance.state)
    if original is None:
        return workflow_engine.submit(flow, state, node, submission, context)
    # A correction replaces the original step: replay every other accepted step around it.
    steps = []
    for record in session.scalars(
        select(Record).where(Record.flow_instance_id == instance.id).order_by(Record.seq, Record.id)
    ):
        if record.id == original.id or _is_corrected(session, record.id):
            continue
        steps.append((record.seq, record.step))
    before = [workflow_engine.Step.from_dict(s) for seq, s in steps if seq < original.seq]
    after = [workflow_engine.Step.from_dict(s) for seq, s in steps if seq > original.seq]
    state = workflow_engine.replay(flow, before)
    decision = workflow_engine.submit(flow, state, node, submission, context)
    if not decision.accepted:
        return decision
    state = decision.state
    for step in after:
        state = workflow_engine.submit(flow, state, step.node, step.submission, step.context).state
    return _Replaced(decision, state)


def _is_corrected(session: Session, record_id: int) -> bool:
    return session.scalar(select(Record.id).where(Record.corrects_record_id == record_id)) is not None


@dataclass(frozen=True)
class _Replaced:
    """A correction's decision, with the state after replaying the later steps on top."""

    decision: Any
    final_state: Any

    def __getattr__(self, name: str) -> Any:
        if name == "state":
            return self.final_state
        return getattr(self.decision, name)
