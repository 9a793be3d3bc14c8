from __future__ import annotations

from marshmallow import Schema, fields, validate


class CaptureSchema(Schema):
    idempotency_key = fields.String(
        required=True,
        validate=validate.Length(min=8, max=100),
        metadata={"description": "unique per submission; a retry with the same key changes nothing"},
    )
    flow = fields.String(required=True)
    node = fields.String(required=True)
    subject = fields.String(load_default=None, metadata={"description": "work order, lot or serial"})
    instance_id = fields.Integer(load_default=None)
    station = fields.String(load_default=None)
    event_time = fields.AwareDateTime(load_default=None, metadata={"description": "with zone offset"})
    payload = fields.Dict(required=True)
    corrects = fields.Integer(load_default=None, metadata={"description": "id of the record this corrects"})
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))
    signatures = fields.List(fields.Dict(), load_default=list)


class CaptureBatchSchema(Schema):
    records = fields.List(
        fields.Nested(CaptureSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class CaptureResultSchema(Schema):
    record = fields.Dict()
    created_items = fields.List(fields.Dict())
    next_steps = fields.List(fields.Dict())
    instance_status = fields.String()
    notices = fields.List(fields.Dict())
    signatures = fields.List(fields.Dict(), metadata={"description": "who signed, with which meaning"})
    replayed = fields.Boolean()


class BatchEntrySchema(CaptureResultSchema):
    index = fields.Integer()
    status = fields.String(metadata={"description": "accepted or rejected"})
    idempotency_key = fields.String()
    code = fields.String()
    message = fields.String()
    errors = fields.List(fields.Dict())


class BatchResultSchema(Schema):
    accepted = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(BatchEntrySchema))


class RecordSchema(Schema):
    id = fields.Integer()
    node = fields.String()
    flow_instance_id = fields.Integer(allow_none=True)
    station_id = fields.Integer(allow_none=True)
    operator_id = fields.Integer()
    operator_name = fields.String()
    event_time = fields.DateTime()
    event_time_zone_offset = fields.String()
    recorded_at = fields.DateTime()
    payload = fields.Dict()
    data = fields.Dict()
    corrects_record_id = fields.Integer(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    labels = fields.Dict(
        metadata={
            "description": "the form's names for the values: fields (label by key, a group's fields as "
            "group.field) and options (label by field and value), each label in en and zh-CN"
        }
    )
    signatures = fields.List(
        fields.Dict(), metadata={"description": "printed name, time, meaning and validity of each signature"}
    )
