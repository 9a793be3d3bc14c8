from __future__ import annotations

from marshmallow import Schema, fields, validate


class ItemSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    kind = fields.String()
    material = fields.String(attribute="material_code", allow_none=True)
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    serial = fields.String(allow_none=True)
    sscc = fields.String(allow_none=True)
    quantity = fields.Float(allow_none=True)
    remaining = fields.Float(allow_none=True)
    uom = fields.String(allow_none=True)
    status = fields.String()
    expiry = fields.Date(allow_none=True)
    supplier_lot = fields.String(allow_none=True)
    location_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class EdgeSchema(Schema):
    id = fields.Integer()
    from_item_id = fields.Integer()
    to_item_id = fields.Integer()
    relation = fields.String()
    quantity = fields.Float(allow_none=True)
    uom = fields.String(allow_none=True)
    record_id = fields.Integer()
    event_id = fields.Integer(allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    record_id = fields.Integer()
    event_type = fields.String()
    action = fields.String(allow_none=True)
    biz_step = fields.String(allow_none=True)
    disposition = fields.String(allow_none=True)
    event_time = fields.DateTime()
    event_time_zone_offset = fields.String()
    read_point = fields.String(allow_none=True)
    biz_location = fields.String(allow_none=True)
    what = fields.Dict()
    how = fields.Dict()
    why = fields.Dict()


class ItemEventSchema(EventSchema):
    role = fields.String(metadata={"description": "the item's part: input, output, subject, parent or child"})


class ItemEventQuerySchema(Schema):
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ItemEventPageSchema(Schema):
    items = fields.List(fields.Nested(ItemEventSchema))
    total = fields.Integer()


class TraceQuerySchema(Schema):
    direction = fields.String(load_default="backward", validate=validate.OneOf(["backward", "forward"]))
    max_depth = fields.Integer(load_default=None, validate=validate.Range(min=0, max=1000))
    max_items = fields.Integer(load_default=50_000, validate=validate.Range(min=1, max=50_000))
    events = fields.Boolean(load_default=True)


class TraceSchema(Schema):
    direction = fields.String()
    start = fields.List(fields.Integer())
    items = fields.List(fields.Nested(ItemSchema))
    edges = fields.List(fields.Nested(EdgeSchema))
    depth = fields.Dict(keys=fields.String(), values=fields.Integer())
    events = fields.List(fields.Nested(EventSchema))
    truncated = fields.Boolean()


class SearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MassBalanceSchema(Schema):
    item_id = fields.Integer()
    uom = fields.String(allow_none=True)
    received_or_produced = fields.Float()
    consumed = fields.Float()
    shipped = fields.Float()
    scrapped = fields.Float()
    remaining = fields.Float()
    difference = fields.Float()


class RecallSchema(Schema):
    start = fields.List(fields.Integer())
    finished = fields.List(fields.Nested(ItemSchema))
    stock = fields.List(fields.Nested(ItemSchema))
    shipped = fields.List(fields.Nested(ItemSchema))
    affected_count = fields.Function(lambda scope: len(scope.affected))
    truncated = fields.Boolean()
    shipments = fields.List(
        fields.Dict(),
        metadata={"description": "item_id, customer (location code), shipped_at per shipping event"},
    )
    customers = fields.List(
        fields.Dict(),
        metadata={"description": "code, name, business_name and how many scope items reached it"},
    )


class HoldRequestSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "why the scope is held; recorded with each item's change in the audit"},
    )


class HoldResultSchema(Schema):
    held = fields.Integer()
    affected = fields.Integer()


class TouchedQuerySchema(Schema):
    station = fields.String(load_default=None, metadata={"description": "station code"})
    operator = fields.String(load_default=None, metadata={"description": "user name"})
    equipment = fields.String(load_default=None)
    location = fields.String(load_default=None)
    step = fields.String(load_default=None, metadata={"description": "EPCIS bizStep, e.g. assembling"})
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))


class TouchSchema(Schema):
    item = fields.Nested(ItemSchema)
    event = fields.Nested(EventSchema)


class SupplierLotQuerySchema(Schema):
    supplier_lot = fields.String(required=True, validate=validate.Length(min=1, max=80))


class ShippedToQuerySchema(Schema):
    location = fields.String(required=True, metadata={"description": "customer location code"})


class TraceExportSchema(Schema):
    direction = fields.String(load_default="forward", validate=validate.OneOf(["backward", "forward"]))
