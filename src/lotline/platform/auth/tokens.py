"""API tokens for integrations: created by an admin, shown once, stored as SHA-256 of a 256-bit
secret, scoped by permissions and sites, revocable, with their last use."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform.auth.grants import check_grantable
from lotline.platform.auth.models import ApiToken, Site
from lotline.platform.auth.sessions import TOUCH_EVERY, digest
from lotline.platform.db import transaction, utcnow
from lotline.platform.errors import NotFoundError

TOKEN_PREFIX = "llt_"  # noqa: S105 (a public marker, not a secret)

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
    check_grantable(creator_permissions, permissions)
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
            token_hash=digest(secret),
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
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
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
