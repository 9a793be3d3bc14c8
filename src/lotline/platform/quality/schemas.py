from __future__ import annotations

from marshmallow import Schema, fields, validate


class ResultQuerySchema(Schema):
    node = fields.String(load_default=None, metadata={"description": "flow step id, e.g. final_test"})
    characteristic = fields.String(load_default=None)
    result = fields.String(load_default=None, validate=validate.OneOf(["pass", "warn", "fail"]))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))


class QualityResultSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    node = fields.String()
    characteristic = fields.String()
    field = fields.String(
        allow_none=True, metadata={"description": "where in the record the value is, e.g. joints.2.torque"}
    )
    value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    limits = fields.Dict()
    result = fields.String(allow_none=True)
    recorded_at = fields.DateTime()


class ResultPageSchema(Schema):
    items = fields.List(fields.Nested(QualityResultSchema))
    summary = fields.Dict()
