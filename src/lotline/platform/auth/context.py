"""Who is calling: resolves the actor of a request and enforces declared permissions.

Credentials, in order: ``Authorization: Bearer llt_…`` (API token, no CSRF: not a browser
credential), then the ``lotline_session`` cookie (browser or station session; state-changing
requests must echo the session's CSRF token in ``X-CSRF-Token``). Installed into the app as
``app.extensions["lotline_authorizer"]``, which ``security.requires`` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app, g, request

from lotline.platform.audit import service as audit_service
from lotline.platform.auth import service
from lotline.platform.db import get_session
from lotline.platform.errors import AuthenticationError, PermissionDeniedError
from lotline.platform.security import AUTHENTICATED

SESSION_COOKIE = "lotline_session"
CSRF_HEADER = "X-CSRF-Token"
# The client's offset from UTC for audit entries and signatures: minutes ("480", "-300") or "+08:00".
UTC_OFFSET_HEADER = "X-UTC-Offset"
DEVICE_HEADER = "X-Device-Id"  # a tablet's or scanner's own id, recorded beside the address
_AUDIT_SAVED = "lotline.audit_saved"
_ACTOR_KEY = "lotline.actor"  # per request (``g`` may outlive a request when a test holds the app context)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a user who must change the initial password may still do.
ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset({AUTHENTICATED})


@dataclass(frozen=True)
class Actor:
    """The authenticated caller. ``grants``: site id (None: every site) -> permissions."""

    user_id: int
    username: str
    full_name: str
    organisation_id: int
    kind: str  # browser | station | token
    grants: Mapping[int | None, frozenset[str]] = field(default_factory=dict)
    session_id: int | None = None
    token_id: int | None = None
    station: str | None = None
    csrf_token: str | None = None
    must_change_password: bool = False
    roles: frozenset[str] | None = None  # role keys (None: not resolved with the actor)

    def can(self, permission: str, site_id: int | None = None) -> bool:
        """Held at every site, or at ``site_id`` (any site when ``site_id`` is None)."""
        if permission == AUTHENTICATED:
            return True
        if permission in self.grants.get(None, frozenset()):
            return True
        if site_id is None:
            return any(permission in perms for perms in self.grants.values())
        return permission in self.grants.get(site_id, frozenset())

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset().union(*self.grants.values()) if self.grants else frozenset()


def _idle_timeouts() -> dict[str, timedelta]:
    return {
        "browser": timedelta(minutes=current_app.config.get("SESSION_IDLE_MINUTES", 480)),
        "station": timedelta(minutes=current_app.config.get("STATION_IDLE_MINUTES", 10)),
    }


def load_actor() -> Actor | None:
    """The request's actor (resolved once per request), or None when anonymous."""
    if _ACTOR_KEY not in request.environ:
        request.environ[_ACTOR_KEY] = _resolve()
    actor: Actor | None = request.environ[_ACTOR_KEY]
    return actor


def _resolve() -> Actor | None:
    session = get_session()
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = service.resolve_token(session, header[7:].strip())
        if token is None:
            raise AuthenticationError("session_expired")
        creator = session.get(service.User, token.created_by_id)
        scope = token.site_ids or [None]
        return Actor(
            user_id=token.created_by_id,
            username=creator.username if creator else "?",
            full_name=f"{token.name} (API token {token.prefix}…)",
            organisation_id=token.organisation_id,
            kind="token",
            grants={site: frozenset(token.permissions) for site in scope},
            token_id=token.id,
        )
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = service.resolve_session(session, cookie, _idle_timeouts())
    if found is None:
        return None
    user_session, user = found
    grants, roles = service.access_of(session, user)
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        organisation_id=user.organisation_id,
        kind=user_session.kind,
        grants=grants,
        roles=roles,
        session_id=user_session.id,
        station=user_session.station,
        csrf_token=user_session.csrf_token,
        must_change_password=user.must_change_password,
    )


def current_actor() -> Actor:
    actor = load_actor()
    if actor is None:
        raise AuthenticationError("authentication_required")
    return actor


def authorize(permission: str) -> None:
    actor = current_actor()
    audit_service.set_actor(
        get_session(),
        audit_service.AuditActor(
            actor.user_id, actor.username, actor.full_name, actor.kind, actor.organisation_id, actor.station
        ),
    )
    if actor.kind != "token" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not actor.csrf_token or not _same(sent, actor.csrf_token):
            raise PermissionDeniedError("csrf_failed")
    if actor.must_change_password and permission not in ALLOWED_BEFORE_PASSWORD_CHANGE:
        raise PermissionDeniedError("password_change_required")
    if not actor.can(permission):
        raise PermissionDeniedError("missing_permission", {"permission": permission})


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def parse_utc_offset(value: str | None) -> int | None:
    """Minutes east of UTC from ``480``, ``-300``, ``+08:00`` or ``-0530``; None when unusable."""
    text = (value or "").strip()
    try:
        if text[:1] in "+-" and (":" in text or len(text) == 5):
            hours, minutes = text[1:].split(":") if ":" in text else (text[1:3], text[3:])
            minutes_total = int(hours) * 60 + int(minutes)
            offset = -minutes_total if text[0] == "-" else minutes_total
        else:
            offset = int(text)
    except ValueError:
        return None
    return offset if -14 * 60 <= offset <= 14 * 60 else None


def _bind_audit_context() -> None:
    """Every request: the audit trail's client address/device, request id and client offset."""
    address = (request.remote_addr or "unknown")[:64]
    device = request.headers.get(DEVICE_HEADER, "").strip()[:80]
    context = audit_service.ClientContext(
        client=f"{address} ({device})" if device else address,
        request_id=g.get("request_id"),
        utc_offset=parse_utc_offset(request.headers.get(UTC_OFFSET_HEADER)),
    )
    request.environ[_AUDIT_SAVED] = audit_service.push_context(get_session(), context)


def _unbind_audit_context(_exc: BaseException | None) -> None:
    saved = request.environ.pop(_AUDIT_SAVED, None)
    if saved is not None:
        audit_service.pop_context(get_session(), saved)


def init_app(app: Flask) -> None:
    app.extensions["lotline_authorizer"] = authorize
    app.before_request(_bind_audit_context)
    app.teardown_request(_unbind_audit_context)
