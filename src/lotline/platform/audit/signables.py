"""Signable types the audit domain registers itself.

``user_access``: the periodic review of a user's access (Annex 11 §12, Part 11 §11.10(d)/(g)):
a reviewer with ``audit.read`` signs, usually with the meaning ``reviewed``, the account's exact
state: name, active flag, and every role with its site and permissions. Any later change of those
(a new role, a role's permissions edited, deactivation) makes the signature report
``content_changed``, which is exactly when the access needs reviewing again. Nobody can sign the
review of their own account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lotline.platform.audit.signatures import register_signable
from lotline.platform.errors import ConflictError


def _user_access(session: Session, object_id: str) -> dict[str, Any] | None:
    from lotline.platform.auth import service as auth_service

    return auth_service.access_snapshot(session, int(object_id)) if object_id.isdigit() else None


def _not_own_account(_session: Session, object_id: str, signer_id: int) -> None:
    if object_id == str(signer_id):
        raise ConflictError("signer_is_subject")


def register() -> None:
    register_signable("user_access", _user_access, "audit.read", check=_not_own_account)
