"""Identity service: bootstrap, organisation, sites, users and roles. Sign-in and sessions live
in ``auth.sessions``, API tokens in ``auth.tokens``.

Module-level functions; the session and the acting user are passed in; ``transaction`` owns the
commit. Secrets are never stored: passwords and PINs as argon2id hashes, session and API tokens
as SHA-256 of 256-bit random values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform import refcache
from lotline.platform.audit import service as audit_service
from lotline.platform.auth import passwords
from lotline.platform.auth.grants import check_grantable
from lotline.platform.auth.models import (
    Organisation,
    Role,
    RoleAssignment,
    Site,
    User,
)
from lotline.platform.auth.permissions import BUILTIN_ROLES
from lotline.platform.auth.sessions import (  # the identity domain's whole API, through this service
    MAX_FAILED_LOGINS,
    SignIn,
    access_snapshot,
    change_password,
    end_sessions,
    login,
    logout,
    mark_session_signed,
    reauthenticate,
    resolve_session,
    session_has_signed,
    station_login,
)
from lotline.platform.auth.tokens import TOKEN_PREFIX, create_token, list_tokens, resolve_token, revoke_token
from lotline.platform.db import transaction
from lotline.platform.errors import (
    ConflictError,
    NotFoundError,
)

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
    check_grantable(actor_permissions, permissions)
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
    check_grantable(actor_permissions, permissions)
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
                end_sessions(session, user.id)
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
            end_sessions(session, user.id)
    return user, generated


def grants_of(user: User) -> dict[int | None, frozenset[str]]:
    """Site id (None: every site) -> permissions, from the user's role assignments."""
    return _grants((a.site_id, a.role.permissions) for a in user.assignments)


def _grants(assigned: Iterable[tuple[int | None, Iterable[str]]]) -> dict[int | None, frozenset[str]]:
    grants: dict[int | None, set[str]] = {}
    for site, permissions in assigned:
        grants.setdefault(site, set()).update(permissions)
    return {site: frozenset(perms) for site, perms in grants.items()}


def access_of(session: Session, user: User) -> tuple[Mapping[int | None, frozenset[str]], frozenset[str]]:
    """The user's grants (as ``grants_of``) and role keys, read from the database (not from the
    user's loaded assignments) and cached per reference-data revision: roles and assignments are
    watched by ``refcache``, so a change applies to the next request."""

    def load() -> tuple[Mapping[int | None, frozenset[str]], frozenset[str]]:
        rows = session.execute(
            select(RoleAssignment.site_id, Role.key, Role.permissions)
            .join(Role, Role.id == RoleAssignment.role_id)
            .where(RoleAssignment.user_id == user.id)
        ).all()
        grants = _grants((site, permissions) for site, _key, permissions in rows)
        return MappingProxyType(grants), frozenset(key for _site, key, _perms in rows)

    return refcache.cached(session, ("access", user.id), load)


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


__all__ = [
    "MAX_FAILED_LOGINS",
    "TOKEN_PREFIX",
    "Bootstrap",
    "SignIn",
    "User",
    "access_snapshot",
    "bootstrap",
    "change_password",
    "check_grantable",
    "create_role",
    "create_site",
    "create_token",
    "create_user",
    "end_sessions",
    "ensure_builtin_roles",
    "find_user",
    "first_admin",
    "get_user",
    "grants_of",
    "has_users",
    "list_roles",
    "list_tokens",
    "list_users",
    "login",
    "logout",
    "mark_session_signed",
    "reauthenticate",
    "resolve_session",
    "resolve_token",
    "revoke_token",
    "role_keys",
    "session_has_signed",
    "station_login",
    "update_role",
    "update_user",
]
