"""REST API for master data under /api/masterdata: list/create, read/change/retire, and CSV import
of materials, partners and locations. Reading needs ``masterdata.read``, any change
``masterdata.write``. "DELETE" retires a row (``active = false``); nothing is deleted."""

from __future__ import annotations

from typing import IO, Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.errors import DomainError
from lotline.platform.masterdata import schemas, service
from lotline.platform.security import requires

blp = Blueprint("masterdata", __name__, url_prefix="/api/masterdata", description="Master data")

READ, WRITE = "masterdata.read", "masterdata.write"
CSV_TYPES = frozenset(
    {"text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel"}
)
_UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "text/csv": {"schema": {"type": "string"}},
        }
    }
}


def _upload() -> IO[bytes]:
    """The uploaded CSV as a byte stream: a multipart field ``file`` or the raw request body."""
    if request.files:
        upload = request.files.get("file") or next(iter(request.files.values()))
        return upload.stream
    if request.mimetype in CSV_TYPES:
        return request.stream
    raise DomainError("no_file", status=415)


def register(kind: str, plural: str, body: type[Schema], out: type[Schema], query: type[Schema]) -> None:
    page = schemas.page_schema(out)

    @blp.route(f"/{plural}", endpoint=f"{plural}")
    class Collection(MethodView):
        @requires(READ)
        @blp.arguments(query, location="query")
        @blp.response(200, page)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            """One page of rows by code; filter by active, kind, site…; q searches code and name."""
            items, total = service.list_rows(get_session(), current_actor().organisation_id, kind, **args)
            return {"items": items, "total": total}

        @requires(WRITE)
        @blp.arguments(body)
        @blp.response(201, out)
        def post(self, values: dict[str, Any]) -> Any:
            """Create a row (409 if the code exists; 422 lists every problem with its path)."""
            return service.create(get_session(), current_actor(), kind, values)

    @blp.route(f"/{plural}/<int:row_id>", endpoint=f"{plural}_item")
    class Item(MethodView):
        @requires(READ)
        @blp.response(200, out)
        def get(self, row_id: int) -> Any:
            """One row."""
            return service.get(get_session(), current_actor().organisation_id, kind, row_id)

        @requires(WRITE)
        @blp.arguments(body)
        @blp.response(200, out)
        def patch(self, values: dict[str, Any], row_id: int) -> Any:
            """Change some columns (the code never changes)."""
            return service.update(get_session(), current_actor(), kind, row_id, values)

        @requires(WRITE)
        @blp.response(200, out)
        def delete(self, row_id: int) -> Any:
            """Retire the row (active = false); records that use it keep pointing at it."""
            return service.deactivate(get_session(), current_actor(), kind, row_id)

    if kind not in service.IMPORTABLE:
        return

    @blp.route(f"/{plural}/import", endpoint=f"{plural}_import")
    class Import(MethodView):
        @requires(WRITE)
        @blp.arguments(schemas.ImportQuerySchema, location="query")
        @blp.doc(**_UPLOAD_DOC)
        @blp.response(200, schemas.ImportResultSchema)
        def post(self, args: dict[str, Any]) -> Any:
            """Upsert by code from a CSV file (ERP export), all or nothing; ?dry_run=1 stores nothing."""
            return service.import_csv(get_session(), current_actor(), kind, _upload(), **args)


register(
    "material", "materials", schemas.MaterialInSchema, schemas.MaterialSchema, schemas.MaterialQuerySchema
)
register("partner", "partners", schemas.PartnerInSchema, schemas.PartnerSchema, schemas.PartnerQuerySchema)
register(
    "location", "locations", schemas.LocationInSchema, schemas.LocationSchema, schemas.LocationQuerySchema
)
register("line", "lines", schemas.LineInSchema, schemas.LineSchema, schemas.SiteQuerySchema)
register("station", "stations", schemas.StationInSchema, schemas.StationSchema, schemas.StationQuerySchema)
register(
    "equipment", "equipment", schemas.EquipmentInSchema, schemas.EquipmentSchema, schemas.EquipmentQuerySchema
)
register("printer", "printers", schemas.PrinterInSchema, schemas.PrinterSchema, schemas.EquipmentQuerySchema)


@blp.route("/boms", endpoint="boms")
class Boms(MethodView):
    @requires(READ)
    @blp.arguments(schemas.BomQuerySchema, location="query")
    @blp.response(200, schemas.BomSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Any]:
        """BOMs by material and version; filter by material_id and active."""
        return service.list_boms(get_session(), current_actor().organisation_id, **args)

    @requires(WRITE)
    @blp.arguments(schemas.BomInSchema)
    @blp.response(201, schemas.BomSchema)
    def post(self, values: dict[str, Any]) -> Any:
        """Create the next BOM version of a material with its lines."""
        return service.create_bom(get_session(), current_actor(), values)


@blp.route("/boms/<int:bom_id>", endpoint="boms_item")
class BomItem(MethodView):
    @requires(READ)
    @blp.response(200, schemas.BomSchema)
    def get(self, bom_id: int) -> Any:
        """One BOM with its lines."""
        return service.get_bom(get_session(), current_actor().organisation_id, bom_id)

    @requires(WRITE)
    @blp.arguments(schemas.BomPatchSchema)
    @blp.response(200, schemas.BomSchema)
    def patch(self, values: dict[str, Any], bom_id: int) -> Any:
        """Change active / valid_from / note, or replace every line."""
        return service.update_bom(get_session(), current_actor(), bom_id, values)

    @requires(WRITE)
    @blp.response(200, schemas.BomSchema)
    def delete(self, bom_id: int) -> Any:
        """Retire the BOM (active = false)."""
        return service.deactivate_bom(get_session(), current_actor(), bom_id)
