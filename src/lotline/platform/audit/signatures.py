"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.100, §11.200).

* A **registry** of signable object types: the domain that owns a type registers how to load its
  canonical content, and which permission signing (and reading signatures) needs::

      register_signable("form_version", load_form_version, "forms.publish")

  ``load_content(session, object_id)`` returns a JSON-able dict (include ``organisation_id``: a
  signer only sees their organisation's objects) or None when there is no such object.
* ``sign`` re-authenticates the signer (§11.200: user name + password for the first signing in a
  session, the password alone for later ones; failures count toward lockout), binds the signature
  to the SHA-256 of the object's canonical content (§11.70: it cannot be moved to another object
  and does not survive a change), stores the printed name, UTC time + the client's offset and the
  meaning (§11.50), and writes a ``sign`` audit entry in the same transaction.
* ``list_signatures`` reports each signature with its status: ``valid``, ``content_changed``
  (the object changed after signing), ``object_missing``, or ``tampered`` (the stored manifest no
  longer matches its own hash).
* ``require_distinct_signers`` enforces two-person rules (performer and checker differ).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.audit import capture, chain
from lotline.platform.audit.models import ElectronicSignature
from lotline.platform.db import transaction, utcnow
from lotline.platform.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError

MEANINGS: dict[str, tuple[str, str]] = {
    "authored": ("Authored", "编制"),
    "reviewed": ("Reviewed", "审核"),
    "approved": ("Approved", "批准"),
    "verified": ("Verified", "复核"),
    "responsible": ("Responsible", "负责"),
}

register_messages(
    {
        "unknown_signable_type": {
            "en": "{object_type} cannot be signed.",
            "zh-CN": "{object_type} 不支持电子签名。",
        },
        "signable_not_found": {
            "en": "There is no {object_type} {object_id} to sign.",
            "zh-CN": "不存在可签名的 {object_type} {object_id}。",
        },
        "signature_needs_person": {
            "en": "Only a signed-in person can sign; API tokens cannot.",
            "zh-CN": "只有已登录的本人可以签名，API 令牌不能签名。",
        },
        "signature_username_required": {
            "en": "The first signature in a session needs your user name and password.",
            "zh-CN": "本次会话中的首次签名需要输入用户名和密码。",
        },
        "signature_credentials_invalid": {
            "en": "User name or password is wrong; the signature was not applied.",
            "zh-CN": "用户名或密码错误，未签名。",
        },
        "signers_not_distinct": {
            "en": "{meaning} must be signed by a different person than {other}.",
            "zh-CN": "{meaning} 必须由与 {other} 不同的人签名。",
        },
        "signer_is_subject": {
            "en": "You cannot sign a review of your own account.",
            "zh-CN": "不能对自己的账户签署审核。",
        },
    }
)


class SigningActor(Protocol):
    """What signing needs to know about the caller (``auth.context.Actor`` fits)."""

    user_id: int
    organisation_id: int
    kind: str
    session_id: int | None

    def can(self, permission: str, site_id: int | None = None) -> bool: ...


LoadContent = Callable[[Session, str], "dict[str, Any] | None"]
Check = Callable[[Session, str, int], None]


@dataclass(frozen=True)
class Signable:
    object_type: str
    load_content: LoadContent
    permission: str
    read_permission: str
    check: Check | None = None
    # meaning -> meanings whose signers must be other people (e.g. verified: {responsible})
    distinct: Mapping[str, frozenset[str]] = field(default_factory=dict)


_REGISTRY: dict[str, Signable] = {}


def register_signable(
    object_type: str,
    load_content: LoadContent,
    permission: str,
    *,
    read_permission: str | None = None,
    check: Check | None = None,
    distinct: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Make ``object_type`` signable. Registering a type again replaces it (module reloads)."""
    rules = {meaning: frozenset(others) for meaning, others in (distinct or {}).items()}
    unknown = (set(rules) | set().union(*rules.values())) - set(MEANINGS)
    if unknown:
        raise ValueError(f"unknown meanings {sorted(unknown)}")
    _REGISTRY[object_type] = Signable(
        object_type,
        load_content,
        permission,
        read_permission or permission,
        check,
        rules,
    )


def unregister_signable(object_type: str) -> None:
    _REGISTRY.pop(object_type, None)


def signable_types() -> list[str]:
    return sorted(_REGISTRY)


def _signable(object_type: str) -> Signable:
    spec = _REGISTRY.get(object_type)
    if spec is None:
        raise NotFoundError("unknown_signable_type", {"object_type": object_type})
    return spec


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(chain.canonical_json(capture.plain(dict(content)))).hexdigest()


def _load(session: Session, spec: Signable, object_id: str, organisation_id: int) -> dict[str, Any] | None:
    content = spec.load_content(session, object_id)
    if content is None or content.get("organisation_id", organisation_id) != organisation_id:
        return None
    return content


def _manifest_hash(sig: ElectronicSignature) -> str:
    manifest = {
        "organisation_id": sig.organisation_id,
        "object_type": sig.object_type,
        "object_id": sig.object_id,
        "content_hash": sig.content_hash,
        "meaning": sig.meaning,
        "signer_id": sig.signer_id,
        "signer_username": sig.signer_username,
        "signer_name": sig.signer_name,
        "signed_at": chain.format_utc(sig.signed_at),
        "utc_offset": sig.utc_offset,
        "reason": sig.reason,
        "session_id": sig.session_id,
    }
    return hashlib.sha256(chain.canonical_json(manifest)).hexdigest()


# --- two-person rules -------------------------------------------------------------------------


def require_distinct_signers(
    session: Session,
    object_type: str,
    object_id: str,
    signer_id: int,
    *,
    meaning: str,
    other_meanings: Collection[str] | None = None,
    others: Iterable[tuple[str, int]] = (),
    content_hash: str | None = None,
) -> None:
    """Refuse ``signer_id`` signing ``meaning`` when they already hold another role on the object.

    Counts the object's stored signatures with ``other_meanings`` (all meanings when None; only
    those bound to ``content_hash`` when given) and the explicit ``others`` ((role, user id)
    pairs, e.g. ``("performer", record.created_by_id)`` from capture code).
    """
    query = sa.select(ElectronicSignature.meaning, ElectronicSignature.signer_id).where(
        ElectronicSignature.object_type == object_type,
        ElectronicSignature.object_id == str(object_id),
    )
    if other_meanings is not None:
        query = query.where(ElectronicSignature.meaning.in_(list(other_meanings)))
    if content_hash is not None:
        query = query.where(ElectronicSignature.content_hash == content_hash)
    held = [(row.meaning, row.signer_id) for row in session.execute(query)]
    for other, user_id in [*held, *others]:
        if user_id == signer_id and other != meaning:
            raise ConflictError("signers_not_distinct", {"meaning": meaning, "other": other})


# --- signing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureView:
    """A signature as shown wherever its object is shown or exported."""

    id: int
    object_type: str
    object_id: str
    meaning: str
    meaning_en: str
    meaning_zh: str
    signer_id: int
    signer_username: str
    signer_name: str
    signed_at: datetime
    utc_offset: int | None
    signed_at_local: str
    reason: str | None
    content_hash: str
    status: str

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def local_time(at: datetime, utc_offset: int | None) -> str:
    """``2026-05-01 14:03:22 +08:00`` (the client's offset), or UTC when it is unknown."""
    offset = utc_offset or 0
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    shown = at + timedelta(minutes=offset)
    return f"{shown:%Y-%m-%d %H:%M:%S} {sign}{hours:02d}:{minutes:02d}"


def _view(sig: ElectronicSignature, current_hash: str | None) -> SignatureView:
    if _manifest_hash(sig) != sig.signature_hash:
        status = "tampered"
    elif current_hash is None:
        status = "object_missing"
    elif current_hash != sig.content_hash:
        status = "content_changed"
    else:
        status = "valid"
    en, zh = MEANINGS.get(sig.meaning, (sig.meaning, sig.meaning))
    return SignatureView(
        sig.id,
        sig.object_type,
        sig.object_id,
        sig.meaning,
        en,
        zh,
        sig.signer_id,
        sig.signer_username,
        sig.signer_name,
        sig.signed_at,
        sig.utc_offset,
        local_time(sig.signed_at, sig.utc_offset),
        sig.reason,
        sig.content_hash,
        status,
    )


def sign(
    session: Session,
    actor: SigningActor,
    *,
    object_type: str,
    object_id: str,
    meaning: str,
    password: str,
    username: str | None = None,
    reason: str | None = None,
    client: str = "unknown",
) -> SignatureView:
    """Re-authenticate ``actor`` and sign the object's current content with ``meaning``."""
    from lotline.platform.auth import service as auth_service  # signing re-authenticates

    if meaning not in MEANINGS:
        raise ProblemsError([Problem(("meaning",), "invalid", {"detail": meaning})])
    if actor.kind == "token" or actor.session_id is None:
        raise PermissionDeniedError("signature_needs_person")
    spec = _signable(object_type)
    if not actor.can(spec.permission):
        raise PermissionDeniedError("missing_permission", {"permission": spec.permission})
    object_id = str(object_id)
    if _load(session, spec, object_id, actor.organisation_id) is None:
        raise NotFoundError("signable_not_found", {"object_type": object_type, "object_id": object_id})
    first = not auth_service.session_has_signed(session, actor.session_id)
    if first and not username:
        raise ProblemsError([Problem(("username",), "signature_username_required")])
    try:
        signer = auth_service.reauthenticate(
            session, actor.user_id, password, client, username=username, during="signature"
        )
    except DomainError as refused:
        if refused.code == "invalid_credentials":
            raise DomainError("signature_credentials_invalid", status=403) from None
        raise DomainError(refused.code, refused.params, status=403) from None
    sig, digest = _create(
        session,
        spec,
        object_id,
        meaning,
        signer,
        actor.organisation_id,
        reason,
        session_id=actor.session_id,
        kind=actor.kind,
        client=client,
        first=first,
    )
    return _view(sig, digest)


def _create(
    session: Session,
    spec: Signable,
    object_id: str,
    meaning: str,
    signer: Any,
    organisation_id: int,
    reason: str | None,
    *,
    session_id: int | None,
    kind: str,
    client: str,
    first: bool,
) -> tuple[ElectronicSignature, str]:
    """Bind a signature by an already re-authenticated ``signer`` to the object's content."""
    from lotline.platform.auth import service as auth_service

    if spec.check is not None:
        spec.check(session, object_id, signer.id)
    with transaction(session):
        content = _load(session, spec, object_id, organisation_id)
        if content is None:
            raise NotFoundError(
                "signable_not_found", {"object_type": spec.object_type, "object_id": object_id}
            )
        digest = content_hash(content)
        if meaning in spec.distinct:
            require_distinct_signers(
                session,
                spec.object_type,
                object_id,
                signer.id,
                meaning=meaning,
                other_meanings=spec.distinct[meaning],
                content_hash=digest,
            )
        client_ctx: capture.ClientContext = session.info.get(capture.CLIENT_KEY) or capture.ClientContext()
        sig = ElectronicSignature(
            organisation_id=organisation_id,
            object_type=spec.object_type,
            object_id=object_id,
            content_hash=digest,
            meaning=meaning,
            signer_id=signer.id,
            signer_username=signer.username,
            signer_name=signer.full_name,
            signed_at=utcnow(),
            utc_offset=client_ctx.utc_offset,
            reason=(reason or "").strip() or None,
            session_id=session_id,
            client=(client_ctx.client or client)[:200],
            station=client_ctx.station,
        )
        sig.signature_hash = _manifest_hash(sig)
        session.add(sig)
        if session_id is not None:
            auth_service.mark_session_signed(session, session_id)
        session.flush()
        entry_actor = capture.current_actor(session) or capture.AuditActor(
            signer.id, signer.username, signer.full_name, kind, organisation_id
        )
        chain.append(
            session,
            [
                capture.entry_row(
                    session,
                    entry_actor,
                    action="sign",
                    object_type=spec.object_type,
                    object_id=object_id,
                    reason=sig.reason,
                    details={
                        "meaning": meaning,
                        "signer": signer.username,
                        "signature_id": sig.id,
                        "content_hash": digest,
                        "signature_hash": sig.signature_hash,
                        "first_in_session": first,
                    },
                    organisation_id=organisation_id,
                )
            ],
        )
    return sig, digest


def cosign(
    session: Session,
    signer: Any,
    *,
    organisation_id: int,
    object_type: str,
    object_id: str,
    meaning: str,
    kind: str,
    client: str = "unknown",
    reason: str | None = None,
) -> SignatureView:
    """A signature given with full credentials (user name and password) by someone who is not the
    session's user, e.g. the checker of a two-person step at the performer's tablet
    (§11.200(a)(1)(ii)). The caller has re-authenticated ``signer`` already."""
    if meaning not in MEANINGS:
        raise ProblemsError([Problem(("meaning",), "invalid", {"detail": meaning})])
    spec = _signable(object_type)
    sig, digest = _create(
        session,
        spec,
        str(object_id),
        meaning,
        signer,
        organisation_id,
        reason,
        session_id=None,
        kind=kind,
        client=client,
        first=True,
    )
    return _view(sig, digest)


def list_signatures(
    session: Session, actor: SigningActor, object_type: str, object_id: str
) -> list[SignatureView]:
    """The object's signatures, oldest first, each with its current validity."""
    spec = _signable(object_type)
    if not actor.can(spec.read_permission):
        raise PermissionDeniedError("missing_permission", {"permission": spec.read_permission})
    object_id = str(object_id)
    content = _load(session, spec, object_id, actor.organisation_id)
    current = content_hash(content) if content is not None else None
    rows = session.scalars(
        sa.select(ElectronicSignature)
        .where(
            ElectronicSignature.organisation_id == actor.organisation_id,
            ElectronicSignature.object_type == object_type,
            ElectronicSignature.object_id == object_id,
        )
        .order_by(ElectronicSignature.signed_at, ElectronicSignature.id)
    )
    return [_view(sig, current) for sig in rows]
