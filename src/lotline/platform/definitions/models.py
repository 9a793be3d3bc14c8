"""Versioned definitions (forms, flows) and running flow instances.

A ``Definition`` is what an administrator designs: it holds the open draft (mutable, with a
revision number against lost updates). Publishing freezes the draft into a ``DefinitionVersion``
numbered 1, 2, 3 …: immutable (the ORM refuses to change it and PostgreSQL refuses UPDATE and
DELETE), so records, flow instances and reports always point at the exact version they used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow

KINDS = ("form", "flow")


class Definition(Base):
    __tablename__ = "definition"
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "key"),
        CheckConstraint("kind IN ('form', 'flow')", name="kind_known"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80))
    draft: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    draft_revision: Mapped[int] = mapped_column(Integer, default=0)
    draft_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    draft_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    #: A retired flow starts no new instances (its versions and records stay, as history); set when
    #: the template pack that brought it is uninstalled, cleared when it is installed again.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class DefinitionVersion(Base):
    __tablename__ = "definition_version"
    __table_args__ = (UniqueConstraint("definition_id", "version"),)
    __audited__ = True
    __immutable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    format_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    published_by_name: Mapped[str] = mapped_column(String(200))


class FlowInstance(Base):
    """One subject (work order, lot or unit) going through one published flow version.

    ``state`` is the workflow engine's serialised state; it changes only through accepted
    submissions (capture), and can always be rebuilt by replaying them. ``status`` mirrors the
    engine's instance status (ready, running, completed) for listing.
    """

    __tablename__ = "flow_instance"
    __table_args__ = (
        Index("ix_flow_instance_flow_status", "organisation_id", "flow_key", "status"),
        Index(
            "uq_flow_instance_open_subject",
            "organisation_id",
            "flow_key",
            "subject",
            unique=True,
            sqlite_where=text("status != 'completed'"),
            postgresql_where=text("status != 'completed'"),
        ),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    flow_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    flow_key: Mapped[str] = mapped_column(String(80))
    flow_version: Mapped[int] = mapped_column(Integer)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowInstanceNode(Base):
    """Each node's status in an instance, kept beside the state so instances list by node."""

    __tablename__ = "flow_instance_node"
    __table_args__ = (Index("ix_flow_instance_node_node_status", "node", "status"),)

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("flow_instance.id", ondelete="CASCADE"), primary_key=True
    )
    node: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
