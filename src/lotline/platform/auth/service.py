"""Identity service: bootstrap, users and roles, sign-in (password or badge + PIN), sessions,
lockout and rate limiting, password changes, API tokens.

Module-level functions; the session and the acting user are passed in; ``transaction`` owns the
commit. Secrets are never stored: passwords and PINs as argon2id hashes, session and API tokens
as SHA-256 of 256-bit random values.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.audit import service as audit_service
from lotline.platform.auth import passwords
from lotline.platform.auth.models import (
    ApiToken,
    LoginAttempt,
    Organisation,
    Role,
    RoleAssignment,
    Site,
    User,
    UserSession,
)
from lotline.platform.auth.permissions import BUILTIN_ROLES, unknown_permissions
from lotline.platform.db import transaction, utcnow
from lotline.platform.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    NotFoundError,
)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
RATE_WINDOW = timedelta(minutes=5)
RATE_LIMIT_FAILURES = 20  # failed attempts per client address per window
TOUCH_EVERY = timedelta(seconds=30)
TOKEN_PREFIX = "llt_"  # noqa: S105 (a public marker, not a secret)

register_messages(
    {
        "invalid_credentials": {
            "en": "User name or password is wrong.",
            "zh-CN": "用户名或密码错误。",
        },
        "invalid_badge": {"en": "Badge or PIN is wrong.", "zh-CN": "工牌或 PIN 错误。"},
        "account_locked": {
            "en": "Too many failed sign-ins; the account is locked until {until}.",
            "zh-CN": "登录失败次数过多，账户已锁定至 {until}。",
        },
        "account_disabled": {"en": "This account is disabled.", "zh-CN": "该账户已停用。"},
        "session_expired": {
            "en": "Your session has ended; please sign in again.",
            "zh-CN": "会话已结束，请重新登录。",
        },
        "password_change_required": {
            "en": "Change your initial password before continuing.",
            "zh-CN": "请先修改初始密码。",
        },
        "csrf_failed": {
            "en": "The request lacks a valid CSRF token; reload the page.",
            "zh-CN": "请求缺少有效的 CSRF 令牌，请刷新页面。",
        },
        "missing_permission": {
            "en": "You need the permission {permission}.",
            "zh-CN": "您需要权限 {permission}。",
        },
        "username_taken": {
            "en": "The user name {username} is taken.",
            "zh-CN": "用户名 {username} 已被占用。",
        },
        "badge_taken": {"en": "This badge belongs to another user.", "zh-CN": "该工牌已分配给其他用户。"},
        "unknown_role": {"en": "There is no role {role}.", "zh-CN": "不存在角色 {role}。"},
        "unknown_site": {"en": "There is no site {site}.", "zh-CN": "不存在站点 {site}。"},
        "unknown_permission": {
            "en": "Unknown permission {permission}.",
            "zh-CN": "未知权限 {permission}。",
        },
        "permission_not_held": {
            "en": "You cannot grant {permission}, which you do not hold.",
            "zh-CN": "您不能授予自己没有的权限 {permission}。",
        },
        "role_taken": {"en": "A role {role} exists already.", "zh-CN": "角色 {role} 已存在。"},
        "builtin_role": {"en": "Built-in roles cannot be changed.", "zh-CN": "内置角色不可修改。"},
        "user_not_found": {"en": "No such user.", "zh-CN": "用户不存在。"},
        "token_not_found": {"en": "No such API token.", "zh-CN": "API 令牌不存在。"},
        "already_bootstrapped": {
            "en": "Lotline already has users.",
            "zh-CN": "系统中已有用户。",
        },
    }
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- organisation, sites, roles --------------------------------------------------------------


def ensure_builtin_roles(session: Session, organisation_id: int) -> dict[str, Role]:
    """Create or refresh the built-in roles of an organisation (their permissions follow code)."""
    roles = {r.key: r for r in session.scalars(select(Role).where(Role.organisation_id == organisation_id))}
    for key, (name_en, name_zh, perms) in BUILTIN_ROLES.items():
        role = roles.get(key)
        if role is None:
            role = Role(organisation_id=organisation_id, key=key, builtin=True)
            session.add(role)
            roles[key] = role
        role.name_en, role.name_zh, role.permissions = name_en, name_zh, sorted(perms)
    session.flush()
    return roles


def has_users(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) != 0


@dataclass(frozen=True)
class Bootstrap:
    organisation: Organisation
    site: Site
    admin: User
    password: str


def bootstrap(
    session: Session,
    *,
    organisation: str = "Lotline",
    site_code: str = "MAIN",
    site_name: str = "Main plant",
    username: str = "admin",
    full_name: str = "Administrator",
    password: str | None = None,
) -> Bootstrap:
    """First start: organisation, one site, built-in roles and an admin who must change the password."""
    with audit_service.acting_as(session, audit_service.system_actor("bootstrap")), transaction(session):
        if has_users(session):
            raise ConflictError("already_bootstrapped")
        org = Organisation(name=organisation)
        session.add(org)
        session.flush()
        audit_service.set_actor(session, audit_service.system_actor("bootstrap", org.id))
        site = Site(organisation_id=org.id, code=site_code, name=site_name)
        session.add(site)
        roles = ensure_builtin_roles(session, org.id)
        password = password or passwords.generate_password()
        admin = User(
            organisation_id=org.id,
            username=username,
            full_name=full_name,
            password_hash=passwords.hash_secret(password),
            must_change_password=True,
        )
        admin.assignments.append(RoleAssignment(role=roles["admin"], site_id=None))
        session.add(admin)
    return Bootstrap(org, site, admin, password)


def create_site(session: Session, organisation_id: int, code: str, name: str, timezone: str = "UTC") -> Site:
    with transaction(session):
        site = Site(organisation_id=organisation_id, code=code, name=name, timezone=timezone)
        session.add(site)
    return site


def list_roles(session: Session, organisation_id: int) -> list[Role]:
    return list(
        session.scalars(select(Role).where(Role.organisation_id == organisation_id).order_by(Role.id))
    )


def create_role(
    session: Session,
    actor_permissions: Iterable[str],
    organisation_id: int,
    key: str,
    name_en: str,
    name_zh: str,
    permissions: list[str],
) -> Role:
    _check_grantable(actor_permissions, permissions)
    with transaction(session):
        exists = session.scalar(select(Role).where(Role.organisation_id == organisation_id, Role.key == key))
        if exists is not None:
            raise ConflictError("role_taken", {"role": key})
        role = Role(
            organisation_id=organisation_id,
            key=key,
            name_en=name_en,
            name_zh=name_zh,
            permissions=sorted(set(permissions)),
            builtin=False,
        )
        session.add(role)
    return role


def update_role(
    session: Session,
    actor_permissions: Iterable[str],
    organisation_id: int,
    role_id: int,
    permissions: list[str],
    name_en: str | None = None,
    name_zh: str | None = None,
) -> Role:
    _check_grantable(actor_permissions, permissions)
    with transaction(session):
        role = session.get(Role, role_id)
        if role is None or role.organisation_id != organisation_id:
            raise NotFoundError("unknown_role", {"role": role_id})
        if role.builtin:
            raise ConflictError("builtin_role")
        role.permissions = sorted(set(permissions))
        role.name_en = name_en or role.name_en
        role.name_zh = name_zh or role.name_zh
    return role


def _check_grantable(actor_permissions: Iterable[str], permissions: list[str]) -> None:
    held = set(actor_permissions)
    problems = [
        Problem(("permissions", i), "unknown_permission", {"permission": p})
        for i, p in enumerate(permissions)
        if unknown_permissions([p])
    ]
    problems += [
        Problem(("permissions", i), "permission_not_held", {"permission": p})
        for i, p in enumerate(permissions)
        if not unknown_permissions([p]) and p not in held
    ]
    if problems:
        raise ProblemsError(problems)


# --- users ------------------------------------------------------------------------------------


def _resolve_assignments(
    session: Session, organisation_id: int, roles: list[Mapping[str, object]]
) -> list[RoleAssignment]:
    by_key = {r.key: r for r in list_roles(session, organisation_id)}
    sites = {s.id for s in session.scalars(select(Site).where(Site.organisation_id == organisation_id))}
    problems, out = [], []
    for i, grant in enumerate(roles):
        role = by_key.get(str(grant.get("role")))
        site_id = grant.get("site_id")
        if role is None:
            problems.append(Problem(("roles", i, "role"), "unknown_role", {"role": grant.get("role")}))
        if site_id is not None and site_id not in sites:
            problems.append(Problem(("roles", i, "site_id"), "unknown_site", {"site": site_id}))
        if role is not None and (site_id is None or site_id in sites):
            out.append(RoleAssignment(role=role, site_id=site_id))  # type: ignore[arg-type]
    if problems:
        raise ProblemsError(problems)
    return out


def create_user(
    session: Session,
    organisation_id: int,
    *,
    username: str,
    full_name: str,
    roles: list[Mapping[str, object]],
    password: str | None = None,
    email: str | None = None,
    locale: str = "en",
    badge: str | None = None,
    pin: str | None = None,
) -> tuple[User, str | None]:
    """A new user; without a password one is generated (returned once) and must be changed."""
    problems: list[Problem] = []
    if password is not None:
        problems += passwords.password_problems(password, username)
    if pin is not None:
        problems += passwords.pin_problems(pin)
    if problems:
        raise ProblemsError(problems)
    generated = None if password is not None else passwords.generate_password()
    with transaction(session):
        taken = session.scalar(
            select(User).where(User.organisation_id == organisation_id, User.username == username)
        )
        if taken is not None:
            raise ConflictError("username_taken", {"username": username})
        if badge and session.scalar(select(User).where(User.badge == badge)) is not None:
            raise ConflictError("badge_taken")
        user = User(
            organisation_id=organisation_id,
            username=username,
            full_name=full_name,
            email=email,
            locale=locale,
            password_hash=passwords.hash_secret(password or generated or ""),
            must_change_password=True,
            badge=badge,
            pin_hash=passwords.hash_secret(pin) if pin else None,
        )
        user.assignments.extend(_resolve_assignments(session, organisation_id, roles))
        session.add(user)
    return user, generated


def get_user(session: Session, organisation_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organisation_id != organisation_id:
        raise NotFoundError("user_not_found")
    return user


def list_users(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.id))
    )


def update_user(
    session: Session,
    organisation_id: int,
    user_id: int,
    *,
    full_name: str | None = None,
    active: bool | None = None,
    roles: list[Mapping[str, object]] | None = None,
    badge: str | None = None,
    pin: str | None = None,
    reset_password: bool = False,
) -> tuple[User, str | None]:
    """Change a user; ``reset_password`` issues a new initial password (returned once)."""
    if pin is not None and (problems := passwords.pin_problems(pin)):
        raise ProblemsError(problems)
    generated = passwords.generate_password() if reset_password else None
    with transaction(session):
        user = get_user(session, organisation_id, user_id)
        if full_name is not None:
            user.full_name = full_name
        if active is not None:
            user.active = active
            if not active:
                _end_sessions(session, user.id)
        if roles is not None:
            user.assignments = _resolve_assignments(session, organisation_id, roles)
        if badge is not None:
            other = session.scalar(select(User).where(User.badge == badge, User.id != user.id))
            if other is not None:
                raise ConflictError("badge_taken")
            user.badge = badge
        if pin is not None:
            user.pin_hash = passwords.hash_secret(pin)
        if generated:
            user.password_hash = passwords.hash_secret(generated)
            user.must_change_password = True
            user.failed_logins, user.locked_until = 0, None
            _end_sessions(session, user.id)
    return user, generated


def grants_of(user: User) -> dict[int | None, frozenset[str]]:
    """Site id (None: every site) -> permissions, from the user's role assignments."""
    grants: dict[int | None, set[str]] = {}
    for assignment in user.assignments:
        grants.setdefault(assignment.site_id, set()).update(assignment.role.permissions)
    return {site: frozenset(perms) for site, perms in grants.items()}


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
        token_hash=_digest(token),
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


def resolve_session(
    session: Session, token: str, idle: Mapping[str, timedelta]
) -> tuple[UserSession, User] | None:
    """The live session for a cookie token, touched at most every 30 s; None if ended or idle."""
    now = utcnow()
    user_session = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    if user_session is None or user_session.ended_at is not None:
        return None
    if now - user_session.last_seen_at > idle.get(user_session.kind, timedelta(hours=8)):
        with transaction(session):
            user_session.ended_at = now
        return None
    user = session.get(User, user_session.user_id)
    if user is None or not user.active:
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


def _end_sessions(session: Session, user_id: int, keep: int | None = None) -> None:
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
        _end_sessions(session, user.id, keep=keep_session)
    return user


# --- API tokens -------------------------------------------------------------------------------


def create_token(
    session: Session,
    *,
    organisation_id: int,
    created_by_id: int,
    creator_permissions: Iterable[str],
    name: str,
    permissions: list[str],
    site_ids: list[int] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A scoped token; the secret is returned once and only its digest is kept."""
    _check_grantable(creator_permissions, permissions)
    if site_ids:
        known = {s.id for s in session.scalars(select(Site).where(Site.organisation_id == organisation_id))}
        bad = [
            Problem(("site_ids", i), "unknown_site", {"site": s})
            for i, s in enumerate(site_ids)
            if s not in known
        ]
        if bad:
            raise ProblemsError(bad)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(session):
        token = ApiToken(
            organisation_id=organisation_id,
            name=name,
            token_hash=_digest(secret),
            prefix=secret[:12],
            permissions=sorted(set(permissions)),
            site_ids=site_ids or None,
            created_by_id=created_by_id,
            expires_at=expires_at,
        )
        session.add(token)
    return token, secret


def resolve_token(session: Session, secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        with transaction(session):
            token.last_used_at = now
    return token


def list_tokens(session: Session, organisation_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.organisation_id == organisation_id).order_by(ApiToken.id)
        )
    )


def revoke_token(session: Session, organisation_id: int, token_id: int) -> ApiToken:
    with transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or token.organisation_id != organisation_id:
            raise NotFoundError("token_not_found")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    return token


def role_keys(session: Session, user_id: int) -> set[str]:
    """The keys of every role the user holds (at any site); flows gate nodes by role key."""
    user = session.get(User, user_id)
    return {a.role.key for a in user.assignments} if user is not None else set()


def find_user(session: Session, organisation_id: int, username: str) -> User | None:
    return session.scalar(
        select(User).where(User.organisation_id == organisation_id, User.username == username)
    )


def first_admin(session: Session) -> User | None:
    """The first user holding the built-in admin role (the one ``bootstrap`` created)."""
    return session.scalar(
        select(User)
        .join(RoleAssignment)
        .join(Role)
        .where(Role.key == "admin", User.active.is_(True))
        .order_by(User.id)
    )
