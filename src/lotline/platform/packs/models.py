"""Installed template packs: which pack, which version, and what installing it created.

One row per organisation and pack (``pack_id``). ``created`` names everything the pack put in
place, so upgrade, uninstall and the audit trail can say exactly what belongs to it::

    {"forms": {"food-receiving": [1, 2]}, "flows": {"food-receiving": [1]},
     "roles": ["food_haccp_monitor"], "masterdata": {"material": ["ROMAINE"], ...}}

``history`` lists every install, upgrade and uninstall (version, action, who, when).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow

STATUSES = ("installed", "uninstalled")


class InstalledPack(Base):
    __tablename__ = "installed_pack"
    __table_args__ = (
        UniqueConstraint("organisation_id", "pack_id"),
        CheckConstraint("status IN ('installed', 'uninstalled')", name="status_known"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    pack_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column()
    created: Mapped[dict[str, Any]] = mapped_column()
    labels: Mapped[dict[str, Any]] = mapped_column()
    history: Mapped[list[Any]] = mapped_column()
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    installed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
