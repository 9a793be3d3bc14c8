"""Sign-in (password, or badge + PIN at a station), sessions with idle timeouts, lockout and
rate limiting, re-authentication for signatures, password changes.

Session tokens are 256-bit random values; only their SHA-256 is stored.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, lazyload

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform import refcache
from lotline.platform.audit import service as audit_service
from lotline.platform.auth import passwords
from lotline.platform.auth.models import LoginAttempt, User, UserSession
from lotline.platform.db import transaction, utcnow
from lotline.platform.errors import AuthenticationError, DomainError, NotFoundError

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
RATE_WINDOW = timedelta(minutes=5)
RATE_LIMIT_FAILURES = 20  # failed attempts per client address per window
TOUCH_EVERY = timedelta(seconds=30)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- sign-in, sessions ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    user: User
    user_session: UserSession
    token: str  # the cookie value; only its digest is stored


def _recent_failures(session: Session, client: str, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.client == client,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.at >= now - RATE_WINDOW,
            )
        )
        or 0
    )


def _open_session(session: Session, user: User, kind: str, station: str | None, client: str) -> SignIn:
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        token_hash=digest(token),
        user_id=user.id,
        kind=kind,
        station=station,
        csrf_token=secrets.token_urlsafe(32),
        client=client[:200],
    )
    session.add(user_session)
    # From here on the session's changes are the signed-in user's (audit trail).
    audit_actor = audit_service.AuditActor(
        user.id, user.username, user.full_name, kind, user.organisation_id, station
    )
    audit_service.set_actor(session, audit_actor)
    session.flush()
    audit_service.record(
        session, "login", "user", user.id, details={"kind": kind, "session_id": user_session.id}
    )
    return SignIn(user, user_session, token)


def _fail(
    session: Session,
    user: User | None,
    username: str,
    client: str,
    reason: str,
    now: datetime,
    during: str = "login",
) -> None:
    """Count a failure (locking after MAX_FAILED_LOGINS) and commit it even though we refuse.

    Audited as ``login_failed`` (and ``lockout`` when this failure locks the account), attributed
    to the signed-in user when re-authenticating (``during="signature"``), else to the name typed.
    """
    with transaction(session):
        session.add(
            LoginAttempt(username=username[:200], client=client, succeeded=False, reason=reason, at=now)
        )
        locked_now = False
        if user is not None and reason in ("bad_password", "bad_pin"):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                locked_now = True
        org_id = user.organisation_id if user is not None else None
        actor = audit_service.current_actor(session) if during != "login" else None
        actor = actor or audit_service.anonymous_actor(username, org_id)
        user_id = user.id if user is not None else None
        details = {"reason": reason, "username": username[:200], "during": during}
        audit_service.record(session, "login_failed", "user", user_id, actor=actor, details=details)
        if locked_now and user is not None and user.locked_until is not None:
            until = {"until": user.locked_until, "failures": MAX_FAILED_LOGINS, "during": during}
            audit_service.record(session, "lockout", "user", user_id, actor=actor, details=until)


def _check_account(
    session: Session,
    user: User | None,
    username: str,
    client: str,
    now: datetime,
    wrong_secret: bool,
    failure_code: str,
    during: str = "login",
) -> User:
    if user is not None and user.locked_until is not None and user.locked_until > now:
        _fail(session, user, username, client, "locked", now, during)
        raise AuthenticationError(
            "account_locked", {"until": user.locked_until.isoformat(timespec="minutes")}
        )
    if user is None or wrong_secret:
        _fail(
            session,
            user,
            username,
            client,
            "bad_pin" if failure_code == "invalid_badge" else "bad_password",
            now,
            during,
        )
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError(
                "account_locked", {"until": user.locked_until.isoformat(timespec="minutes")}
            )
        raise AuthenticationError(failure_code)
    if not user.active:
        _fail(session, user, username, client, "disabled", now, during)
        raise AuthenticationError("account_disabled")
    return user


def login(session: Session, username: str, password: str, client: str) -> SignIn:
    """Password sign-in for browsers; rate-limited per client address, locking after failures."""
    now = utcnow()
    if _recent_failures(session, client, now) >= RATE_LIMIT_FAILURES:
        raise DomainError("too_many_requests", status=429)
    user = session.scalar(select(User).where(User.username == username))
    wrong = not passwords.verify_secret(user.password_hash if user else None, password)
    user = _check_account(session, user, username, client, now, wrong, "invalid_credentials")
    with transaction(session):
        user.failed_logins, user.locked_until = 0, None
        session.add(LoginAttempt(username=username, client=client, succeeded=True, at=now))
        signed_in = _open_session(session, user, "browser", None, client)
    return signed_in


def station_login(session: Session, station: str, badge: str, pin: str, client: str) -> SignIn:
    """Badge scan + PIN at a station: a short-lived session bound to that station."""
    now = utcnow()
    if _recent_failures(session, client, now) >= RATE_LIMIT_FAILURES:
        raise DomainError("too_many_requests", status=429)
    user = session.scalar(select(User).where(User.badge == badge)) if badge else None
    wrong = not passwords.verify_secret(user.pin_hash if user else None, pin)
    user = _check_account(session, user, f"badge:{badge}", client, now, wrong, "invalid_badge")
    with transaction(session):
        user.failed_logins, user.locked_until = 0, None
        session.add(LoginAttempt(username=f"badge:{badge}", client=client, succeeded=True, at=now))
        signed_in = _open_session(session, user, "station", station, client)
    return signed_in


@functools.cache
def _session_lookup() -> Any:
    """The session, its user and the reference revision for a token hash (built once: every
    request runs it)."""
    return (
        select(UserSession, User, refcache.token_query().scalar_subquery())
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash"))
        .options(lazyload(User.assignments))  # grants come from ``access_of``'s cache
    )


def resolve_session(
    session: Session, token: str, idle: Mapping[str, timedelta]
) -> tuple[UserSession, User] | None:
    """The live session for a cookie token, touched at most every 30 s; None if ended or idle."""
    now = utcnow()
    found = session.execute(_session_lookup(), {"token_hash": digest(token)}).first()
    if found is None:
        return None
    user_session, user, revision = found
    refcache.seen(session, revision)  # read along: the actor's grants need it next
    if user_session.ended_at is not None:
        return None
    if now - user_session.last_seen_at > idle.get(user_session.kind, timedelta(hours=8)):
        with transaction(session):
            user_session.ended_at = now
        return None
    if not user.active:
        return None
    if now - user_session.last_seen_at > TOUCH_EVERY:
        with transaction(session):
            user_session.last_seen_at = now
    return user_session, user


def logout(session: Session, user_session_id: int) -> None:
    with transaction(session):
        user_session = session.get(UserSession, user_session_id)
        if user_session is not None and user_session.ended_at is None:
            user_session.ended_at = utcnow()
            audit_service.record(
                session, "logout", "user", user_session.user_id, details={"session_id": user_session_id}
            )


def reauthenticate(
    session: Session,
    user_id: int,
    password: str,
    client: str,
    *,
    username: str | None = None,
    during: str = "signature",
) -> User:
    """Re-check a signed-in user's credentials (e-signatures); failures count toward lockout.

    ``username``, when given, must be the user's own (a signer cannot sign as someone else).
    """
    now = utcnow()
    user = session.get(User, user_id)
    name_ok = username is None or (user is not None and username == user.username)
    wrong = not passwords.verify_secret(user.password_hash if user else None, password) or not name_ok
    typed = username or (user.username if user is not None else "?")
    return _check_account(session, user, typed, client, now, wrong, "invalid_credentials", during)


def session_has_signed(session: Session, user_session_id: int) -> bool:
    """Whether this sign-in session already holds an e-signature (21 CFR 11.200(a)(1))."""
    user_session = session.get(UserSession, user_session_id)
    return user_session is not None and user_session.signed_at is not None


def mark_session_signed(session: Session, user_session_id: int) -> None:
    """In the caller's transaction: later signings in this session need only the password."""
    user_session = session.get(UserSession, user_session_id)
    if user_session is not None and user_session.signed_at is None:
        user_session.signed_at = utcnow()


def access_snapshot(session: Session, user_id: int) -> dict[str, object] | None:
    """A user's access as reviewed and signed (``user_access``): identity, state, roles."""
    user = session.get(User, user_id)
    if user is None:
        return None
    roles = sorted(
        (
            {"role": a.role.key, "site_id": a.site_id, "permissions": sorted(a.role.permissions)}
            for a in user.assignments
        ),
        key=lambda grant: (grant["role"], grant["site_id"] or 0),
    )
    return {
        "organisation_id": user.organisation_id,
        "user_id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "active": user.active,
        "roles": roles,
    }


def end_sessions(session: Session, user_id: int, keep: int | None = None) -> None:
    now = utcnow()
    for user_session in session.scalars(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    ):
        if user_session.id != keep:
            user_session.ended_at = now


def change_password(
    session: Session, user_id: int, current: str, new: str, keep_session: int | None = None
) -> User:
    """Own password change: verifies the current one, applies the policy, ends other sessions."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user_not_found")
    problems = []
    if not passwords.verify_secret(user.password_hash, current):
        problems.append(Problem(("current_password",), "invalid_credentials"))
    problems += passwords.password_problems(new, user.username, "new_password")
    if new == current:
        problems.append(Problem(("new_password",), "password_reused"))
    if problems:
        raise ProblemsError(problems)
    with transaction(session):
        user.password_hash = passwords.hash_secret(new)
        user.must_change_password = False
        user.password_changed_at = utcnow()
        end_sessions(session, user.id, keep=keep_session)
    return user
