from __future__ import annotations

from marshmallow import Schema, fields, validate

KEY = validate.Regexp(r"^[a-z][a-z0-9_.-]{0,79}$", error="Use lower-case letters, digits, _ . - (max 80).")


class DefinitionCreateSchema(Schema):
    key = fields.String(required=True, validate=KEY)
    document = fields.Dict(required=True, metadata={"description": "the form or flow definition"})


class DraftSaveSchema(Schema):
    document = fields.Dict(required=True)
    revision = fields.Integer(required=True, metadata={"description": "the draft revision you loaded"})


class PublishSchema(Schema):
    revision = fields.Integer(
        load_default=None, metadata={"description": "refuse if the draft changed since"}
    )
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class DefinitionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    key = fields.String()
    title = fields.Method("_title")
    latest_version = fields.Integer()
    has_draft = fields.Method("_has_draft")
    draft = fields.Dict(allow_none=True)
    draft_revision = fields.Integer()
    draft_updated_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    retired_at = fields.DateTime(
        allow_none=True, metadata={"description": "set: the flow starts no new instances"}
    )

    def _title(self, obj: object) -> object:
        document = getattr(obj, "draft", None) or {}
        return document.get("title") or document.get("name")

    def _has_draft(self, obj: object) -> bool:
        return getattr(obj, "draft", None) is not None


class DefinitionSummarySchema(DefinitionSchema):
    class Meta:
        exclude = ("draft",)


class VersionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    key = fields.String()
    version = fields.Integer()
    format_version = fields.Integer()
    content_hash = fields.String()
    note = fields.String(allow_none=True)
    published_at = fields.DateTime()
    published_by_id = fields.Integer()
    published_by_name = fields.String()


class VersionDetailSchema(VersionSchema):
    document = fields.Dict()
    rendered = fields.Dict(metadata={"description": "forms: JSON Schema + uiSchema for the locale"})


class ProblemSchema(Schema):
    path = fields.List(fields.Raw())
    field = fields.String()
    code = fields.String()
    params = fields.Dict()
    message = fields.String()


class ValidationReportSchema(Schema):
    valid = fields.Boolean()
    errors = fields.List(fields.Nested(ProblemSchema))


class PreviewRequestSchema(Schema):
    payload = fields.Dict(required=True)


class PreviewSchema(ValidationReportSchema):
    data = fields.Dict()


class InstanceStartSchema(Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    version = fields.Integer(load_default=None)


class InstanceQuerySchema(Schema):
    flow = fields.String(load_default=None)
    node = fields.String(load_default=None)
    node_status = fields.String(
        load_default="enabled",
        validate=validate.OneOf(["pending", "enabled", "waiting_join", "done", "skipped", "cancelled"]),
    )
    status = fields.String(load_default=None)
    subject = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class InstanceSchema(Schema):
    id = fields.Integer()
    flow_key = fields.String()
    flow_version = fields.Integer()
    subject_kind = fields.String()
    subject = fields.String()
    status = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()


class NodeStatusSchema(Schema):
    node = fields.String()
    status = fields.String()
    enabled = fields.Boolean()
    reasons = fields.List(fields.Nested(ProblemSchema))
    skips = fields.List(fields.String())
    anytime = fields.Boolean()


class InstanceDetailSchema(InstanceSchema):
    state = fields.Dict()
    nodes = fields.List(fields.Nested(NodeStatusSchema))


class InstancePageSchema(Schema):
    items = fields.List(fields.Nested(InstanceSchema))
    total = fields.Integer()
