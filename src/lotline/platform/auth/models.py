"""Identity: organisation, sites, users, roles per site, sessions, API tokens, login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lotline.platform.db import Base, utcnow


class Organisation(Base):
    __tablename__ = "organisation"
    __audited__ = True
    __audit_organisation_attr__ = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Site(Base):
    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("organisation_id", "username"), UniqueConstraint("badge"))
    # Audited; sign-in counters are recorded as login_failed/lockout entries instead, secrets
    # only as "changed".
    __audited__ = True
    __audit_type__ = "user"
    __audit_exclude__ = frozenset({"failed_logins", "locked_until"})
    __audit_redact__ = frozenset({"password_hash", "pin_hash"})
    __audit_actions__: ClassVar[dict[str, str]] = {"modify:password_hash": "password_change"}

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    username: Mapped[str] = mapped_column(String(80))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    badge: Mapped[str | None] = mapped_column(String(80), default=None)
    pin_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)
    __audited__ = True
    __audit_actions__: ClassVar[dict[str, str]] = {"modify:permissions": "permission_change"}

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    key: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(120))
    permissions: Mapped[list[str]] = mapped_column(default=list)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class RoleAssignment(Base):
    """A role for a user at one site, or at every site of the organisation (``site_id`` null)."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role_id", "site_id"),)
    __audited__ = True
    __audit_actions__: ClassVar[dict[str, str]] = dict.fromkeys(
        ("create", "modify", "delete"), "permission_change"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), default=None)

    user: Mapped[User] = relationship(back_populates="assignments")
    role: Mapped[Role] = relationship(lazy="joined")

    def __audit_details__(self) -> dict[str, object]:
        """The role's key, so a permission change reads as "operator at site 2", not "role 4"."""
        role = self.__dict__.get("role")  # only what is loaded: no query while flushing
        return {"role": role.key if role is not None else None, "site_id": self.site_id}


class UserSession(Base):
    """A signed-in browser or station session; the cookie carries only its random token."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="browser")  # browser | station
    station: Mapped[str | None] = mapped_column(String(80), default=None)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)  # first e-signature in it
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    client: Mapped[str | None] = mapped_column(String(200), default=None)


class ApiToken(Base):
    """An integration token: shown once, stored as a SHA-256 of its 256-bit secret, scoped."""

    __tablename__ = "api_token"
    __audited__ = True
    __audit_exclude__ = frozenset({"last_used_at"})
    __audit_redact__ = frozenset({"token_hash"})
    __audit_actions__: ClassVar[dict[str, str]] = {
        "create": "token_create",
        "modify:revoked_at": "token_revoke",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    permissions: Mapped[list[str]] = mapped_column(default=list)
    site_ids: Mapped[list[int] | None] = mapped_column(default=None)  # None: every site
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(Base):
    """Every sign-in attempt, for rate limiting by client address and for review."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(40), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
