"""Request and response shapes. Input schemas check JSON types only; the service checks values
(required columns, GTIN/GLN check digits, countries, units, references) so that every problem is
reported at once, with its path, in the caller's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lotline.platform.masterdata.specs import LOCATION_KINDS, MATERIAL_KINDS, PARTNER_KINDS, TRACKING


class Number(fields.Field):  # type: ignore[type-arg]
    """A decimal in, as a JSON number or string (checked by the service); out as a plain string."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(Decimal(value).normalize(), "f")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("Not a valid number.")
        return value


def _text(**kw: Any) -> fields.String:
    return fields.String(allow_none=True, **kw)


# --- inputs -----------------------------------------------------------------------------------


class _In(Schema):
    active = fields.Boolean()


class MaterialInSchema(_In):
    code = fields.String(metadata={"description": "required on create; never changes"})
    name_en = _text()
    name_zh = _text()
    kind = fields.String(metadata={"enum": list(MATERIAL_KINDS)})
    gtin = _text(metadata={"description": "GTIN-8/12/13/14; stored as GTIN-14"})
    uom = fields.String(metadata={"description": "unit of measure: kg, g, l, ml, m, ea, …"})
    tracking = fields.String(metadata={"enum": list(TRACKING)})
    shelf_life_days = fields.Integer(allow_none=True)
    food_traceability_list = fields.Boolean(metadata={"description": "on the FDA Food Traceability List"})
    notes = _text()


class _AddressIn(_In):
    phone = _text()
    street = _text()
    city = _text()
    region = _text()
    postal_code = _text()
    country = _text(metadata={"description": "ISO 3166-1 alpha-2"})
    gln = _text(metadata={"description": "13-digit GS1 Global Location Number"})


class PartnerInSchema(_AddressIn):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(PARTNER_KINDS)})
    contact_name = _text()
    email = _text()


class LocationInSchema(_AddressIn):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(LOCATION_KINDS)})
    site_id = fields.Integer(allow_none=True)
    business_name = _text()
    latitude = Number(allow_none=True)
    longitude = Number(allow_none=True)


class LineInSchema(_In):
    site_id = fields.Integer()
    code = fields.String()
    name = fields.String()


class StationInSchema(LineInSchema):
    line_id = fields.Integer(allow_none=True)
    location_id = fields.Integer(
        allow_none=True, metadata={"description": "where it is: the location (FSMA 204 description)"}
    )


class EquipmentInSchema(LineInSchema):
    station_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"description": "free text: scale, oven, torque tool, …"})
    serial_number = _text()
    calibration_due = fields.Date(allow_none=True)


class PrinterInSchema(LineInSchema):
    station_id = fields.Integer(allow_none=True, metadata={"description": "the station it serves"})
    host = fields.String(metadata={"description": "host name or IP address"})
    port = fields.Integer(metadata={"description": "raw print port (default 9100)"})
    language = fields.String(metadata={"description": "printer language: zpl"})


class ListQuerySchema(Schema):
    active = fields.Boolean(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "part of the code or name"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class MaterialQuerySchema(ListQuerySchema):
    kind = fields.String(load_default=None)
    tracking = fields.String(load_default=None)


class PartnerQuerySchema(ListQuerySchema):
    kind = fields.String(load_default=None)


class SiteQuerySchema(ListQuerySchema):
    site_id = fields.Integer(load_default=None)


class LocationQuerySchema(SiteQuerySchema):
    kind = fields.String(load_default=None)


class StationQuerySchema(SiteQuerySchema):
    line_id = fields.Integer(load_default=None)


class EquipmentQuerySchema(SiteQuerySchema):
    station_id = fields.Integer(load_default=None)


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report what would change; store nothing"}
    )
    encoding = fields.String(load_default="utf-8", metadata={"description": "utf-8 (default) or gb18030"})


class BomLineInSchema(Schema):
    component_material_id = fields.Integer(required=True)
    quantity = Number(required=True)
    uom = _text(metadata={"description": "defaults to the component's unit"})
    optional = fields.Boolean(load_default=False)
    alternatives_group = _text()


class BomInSchema(Schema):
    material_id = fields.Integer(required=True, metadata={"description": "the material made"})
    valid_from = fields.Date(allow_none=True)
    note = _text()
    active = fields.Boolean(load_default=True)
    lines = fields.List(fields.Nested(BomLineInSchema), required=True)


class BomPatchSchema(Schema):
    valid_from = fields.Date(allow_none=True)
    note = _text()
    active = fields.Boolean()
    lines = fields.List(fields.Nested(BomLineInSchema), metadata={"description": "replaces every line"})


class BomQuerySchema(Schema):
    material_id = fields.Integer(load_default=None)
    active = fields.Boolean(load_default=None)


# --- outputs ----------------------------------------------------------------------------------


class _Out(Schema):
    id = fields.Integer()
    code = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MaterialSchema(_Out, MaterialInSchema):
    pass


class PartnerSchema(_Out, PartnerInSchema):
    pass


class LocationSchema(_Out, LocationInSchema):
    fsma_missing = fields.Method(
        "_fsma_missing", metadata={"description": "FSMA 204 location description parts still missing"}
    )

    def _fsma_missing(self, obj: Any) -> list[str]:
        missing = [name for name in ("business_name", "phone") if not getattr(obj, name)]
        has_address = all(getattr(obj, name) for name in ("street", "city", "country"))
        if not has_address and obj.latitude is None:
            missing.append("address")
        return missing


class LineSchema(_Out, LineInSchema):
    pass


class StationSchema(_Out, StationInSchema):
    pass


class EquipmentSchema(_Out, EquipmentInSchema):
    pass


class PrinterSchema(_Out, PrinterInSchema):
    pass


def page_schema(item: type[Schema]) -> type[Schema]:
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item)), "total": fields.Integer()},
        name=f"{item.__name__[:-6]}Page",
    )


class ImportResultSchema(Schema):
    entity = fields.String()
    dry_run = fields.Boolean()
    delimiter = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    ignored_columns = fields.List(fields.String())
    changes = fields.List(
        fields.Dict(),
        metadata={"description": "per created/updated row: line, code, action, values or changes"},
    )


class BomLineSchema(BomLineInSchema):
    id = fields.Integer()
    position = fields.Integer()
    component_code = fields.Function(lambda line: line.component.code)
    component_name_en = fields.Function(lambda line: line.component.name_en)
    component_name_zh = fields.Function(lambda line: line.component.name_zh)


class BomSchema(BomInSchema):
    id = fields.Integer()
    version = fields.Integer()
    material_code = fields.Function(lambda bom: bom.material.code)
    lines = fields.List(fields.Nested(BomLineSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
