from __future__ import annotations

from marshmallow import Schema, fields, validate


class TemplateSchema(Schema):
    key = fields.String(metadata={"description": "<pack>/<label>, e.g. pharma/case_sscc"})
    name = fields.Dict(metadata={"description": "en and zh-CN"})
    applies_to = fields.String(metadata={"description": "unit, lot, case or pallet"})
    format = fields.String(metadata={"description": "printer language: zpl"})


class PrintRequestSchema(Schema):
    template = fields.String(
        load_default=None, metadata={"description": "<pack>/<label>; may be left out when one template fits"}
    )
    printer = fields.String(load_default=None, metadata={"description": "printer code"})
    station = fields.String(load_default=None, metadata={"description": "else: the printer of this station"})
    copies = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99))


class PrintResultSchema(Schema):
    item_id = fields.Integer()
    template = fields.String()
    printer = fields.String()
    copies = fields.Integer()
