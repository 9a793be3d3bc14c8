"""Label endpoints: the templates that fit an item, and printing its label."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.genealogy import service as genealogy
from lotline.platform.labels import schemas, service
from lotline.platform.security import requires

blp = Blueprint("labels", __name__, url_prefix="/api/items", description="Item labels")


@blp.route("/<int:item_id>/labels")
class Templates(MethodView):
    @requires("records.capture")
    @blp.response(200, schemas.TemplateSchema(many=True))
    def get(self, item_id: int) -> list[Any]:
        """The installed packs' label templates that fit this item's kind."""
        session, organisation_id = get_session(), current_actor().organisation_id
        item = genealogy.get_item(session, organisation_id, item_id)
        return service.templates(session, organisation_id, item)  # type: ignore[return-value]


@blp.route("/<int:item_id>/labels/print")
class Print(MethodView):
    @requires("records.capture")
    @blp.arguments(schemas.PrintRequestSchema)
    @blp.response(200, schemas.PrintResultSchema)
    def post(self, body: dict[str, Any], item_id: int) -> dict[str, Any]:
        """Print the item's label (ZPL to the printer's raw port); audited as ``print``. 503 when
        the printer does not take it (nothing is recorded then)."""
        return service.print_label(get_session(), current_actor(), item_id, **body)
