from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lotline.platform.audit.chain import REASONS, format_utc
from lotline.platform.audit.signatures import MEANINGS, local_time


class ObjectId(fields.Field):  # type: ignore[type-arg]
    """An object id given as a string or an integer, always handled as a string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise ValidationError("Not a valid object id.")
        text = str(value).strip()
        if len(text) > 64:
            raise ValidationError("Longer than 64 characters.")
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class AuditFilterSchema(Schema):
    object_type = fields.String(validate=validate.Length(max=60))
    object_id = ObjectId()
    user_id = fields.Integer(metadata={"description": "the acting user's id"})
    action = fields.List(fields.String(), metadata={"description": "repeat for several actions"})
    since = fields.AwareDateTime(metadata={"description": "from this time (inclusive)"})
    until = fields.AwareDateTime(metadata={"description": "before this time (exclusive)"})


class AuditQuerySchema(AuditFilterSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ChangeSchema(Schema):
    field = fields.String(metadata={"description": "field path, e.g. payload.lots[0].qty"})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.Method("_at", metadata={"description": "UTC, ISO 8601"})
    utc_offset = fields.Integer(allow_none=True, metadata={"description": "client's minutes east of UTC"})
    local_time = fields.Method("_local", metadata={"description": "time at the client's offset"})
    actor_id = fields.Integer(allow_none=True)
    actor_username = fields.String()
    actor_name = fields.String(metadata={"description": "printed name"})
    actor_kind = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema), allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    client = fields.String(allow_none=True)
    station = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    stream = fields.Integer()
    seq = fields.Integer()
    hash = fields.String()

    def _at(self, entry: Any) -> str:
        return format_utc(entry.at)

    def _local(self, entry: Any) -> str:
        return local_time(entry.at, entry.utc_offset)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class BreakSchema(Schema):
    reason = fields.String(metadata={"description": ", ".join(REASONS)})
    message = fields.Method("_message")
    stream = fields.Integer(allow_none=True)
    seq = fields.Integer(allow_none=True)
    entry_id = fields.Integer(allow_none=True)
    detail = fields.String()

    def _message(self, found: Any) -> str:
        return REASONS.get(found.reason, found.reason)


class VerificationSchema(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    streams = fields.Integer()
    broken_streams = fields.Integer()
    first_broken = fields.Nested(BreakSchema, allow_none=True)
    seal = fields.String(allow_none=True, metadata={"description": "SHA-256 of every stream head"})


class SignatureCreateSchema(Schema):
    object_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    object_id = ObjectId(required=True)
    meaning = fields.String(required=True, validate=validate.OneOf(sorted(MEANINGS)))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    username = fields.String(
        load_default=None, metadata={"description": "required for the first signing in a session"}
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class SignatureQuerySchema(Schema):
    object_type = fields.String(required=True)
    object_id = ObjectId(required=True)


class SignatureSchema(Schema):
    id = fields.Integer()
    object_type = fields.String()
    object_id = fields.String()
    meaning = fields.String()
    meaning_label = fields.Method("_label")
    signer_id = fields.Integer()
    signer_username = fields.String()
    signer_name = fields.String(metadata={"description": "printed name"})
    signed_at = fields.Method("_signed_at", metadata={"description": "UTC, ISO 8601"})
    utc_offset = fields.Integer(allow_none=True)
    signed_at_local = fields.String()
    reason = fields.String(allow_none=True)
    content_hash = fields.String()
    status = fields.String(metadata={"description": "valid, content_changed, object_missing or tampered"})
    valid = fields.Boolean()

    def _label(self, sig: Any) -> dict[str, str]:
        return {"en": sig.meaning_en, "zh-CN": sig.meaning_zh}

    def _signed_at(self, sig: Any) -> str:
        return format_utc(sig.signed_at)
