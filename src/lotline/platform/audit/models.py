"""Audit trail and electronic signatures: the tables.

* ``AuditStream``: one row per hash chain (the migration creates ``STREAMS`` of them). Its ``seq``
  and ``head_hash`` are the number and hash of the stream's newest entry; a writing transaction
  holds one stream row locked from its first audited flush until it ends.
* ``AuditEntry``: append-only; written only by ``chain.append`` (SQLAlchemy Core, never the ORM
  unit of work), read through this model. ``changes`` and ``details`` are plain JSON (``json``, not
  ``jsonb``, on PostgreSQL) so every value reads back exactly as it was hashed.
* ``ElectronicSignature``: append-only; a signer's manifest bound to the SHA-256 of the signed
  object's canonical content.

On PostgreSQL the migration installs triggers that refuse UPDATE, DELETE and TRUNCATE on the
entry and signature tables, and refuse any change that would move a stream head backwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER only
ExactJSON = sa.JSON()  # ``json`` on PostgreSQL: values read back exactly as written (no jsonb rewrite)

GENESIS_HASH = "0" * 64
STREAMS = 32  # chains created by the migration; more concurrent writers than this share streams


class AuditStream(Base):
    __tablename__ = "audit_stream"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        UniqueConstraint("stream", "seq"),
        Index("ix_audit_entry_stream_id", "stream", "id"),
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_organisation_at", "organisation_id", "at"),
        Index("ix_audit_entry_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stream: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()
    utc_offset: Mapped[int | None] = mapped_column(Integer, default=None)  # client's, in minutes
    organisation_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_username: Mapped[str] = mapped_column(String(200))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    changes: Mapped[list[Any] | None] = mapped_column(ExactJSON, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(ExactJSON, default=None)
    client: Mapped[str | None] = mapped_column(String(200), default=None)
    station: Mapped[str | None] = mapped_column(String(80), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)


class ElectronicSignature(Base):
    __tablename__ = "e_signature"
    __table_args__ = (Index("ix_e_signature_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    meaning: Mapped[str] = mapped_column(String(20))
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signer_username: Mapped[str] = mapped_column(String(80))
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column()
    utc_offset: Mapped[int | None] = mapped_column(Integer, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    session_id: Mapped[int | None] = mapped_column(Integer, default=None)
    client: Mapped[str | None] = mapped_column(String(200), default=None)
    station: Mapped[str | None] = mapped_column(String(80), default=None)
    signature_hash: Mapped[str] = mapped_column(String(64))
