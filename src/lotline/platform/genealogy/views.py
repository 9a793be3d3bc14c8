"""Trace endpoints: identifier search, item detail, backward/forward trace, mass balance,
recall scope and putting the scope on hold."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.genealogy import schemas, service
from lotline.platform.security import requires
from lotline.platform.system.schemas import TaskSchema

blp = Blueprint("items", __name__, url_prefix="/api/items", description="Items, trace and recall")


@blp.route("/search")
class Search(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.SearchQuerySchema, location="query")
    @blp.response(200, schemas.ItemSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Find items by anything scanned or pasted (lot, serial, VIN, SSCC, GS1, Digital Link)."""
        return service.search(get_session(), current_actor().organisation_id, query["q"])


@blp.route("/<int:item_id>")
class ItemDetail(MethodView):
    @requires("trace.read")
    @blp.response(200, schemas.ItemSchema)
    def get(self, item_id: int) -> Any:
        """One item."""
        return service.get_item(get_session(), current_actor().organisation_id, item_id)


@blp.route("/<int:item_id>/trace")
class Trace(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.TraceQuerySchema, location="query")
    @blp.response(200, schemas.TraceSchema)
    def get(self, query: dict[str, Any], item_id: int) -> dict[str, Any]:
        """Backward (where from) or forward (where used) subgraph with its events."""
        organisation_id = current_actor().organisation_id
        session = get_session()
        service.get_item(session, organisation_id, item_id)
        result = service.trace(
            session,
            organisation_id,
            [item_id],
            query["direction"],
            max_items=query["max_items"],
            max_depth=query["max_depth"],
            with_events=query["events"],
        )
        events = [
            {
                **{k: getattr(event, k) for k in schemas.EventSchema().fields if k != "item_id"},
                "item_id": item,
            }
            for event, item in result.events
        ]
        return {
            "direction": result.direction,
            "start": result.start,
            "items": result.items,
            "edges": result.edges,
            "depth": {str(k): v for k, v in result.depth.items()},
            "events": events,
            "truncated": result.truncated,
        }


@blp.route("/<int:item_id>/events")
class ItemEvents(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.ItemEventQuerySchema, location="query")
    @blp.response(200, schemas.ItemEventPageSchema)
    def get(self, query: dict[str, Any], item_id: int) -> dict[str, Any]:
        """The item's history: every event it took part in (oldest first) with its role, paged."""
        items, total = service.events_of(get_session(), current_actor().organisation_id, item_id, **query)
        return {"items": items, "total": total}


@blp.route("/<int:item_id>/mass-balance")
class MassBalance(MethodView):
    @requires("trace.read")
    @blp.response(200, schemas.MassBalanceSchema)
    def get(self, item_id: int) -> Any:
        """Quantity in vs out: received or produced against consumed, shipped, scrapped, left."""
        return service.mass_balance(get_session(), current_actor().organisation_id, item_id)


@blp.route("/<int:item_id>/recall")
class Recall(MethodView):
    @requires("trace.read")
    @blp.response(200, schemas.RecallSchema)
    def get(self, item_id: int) -> Any:
        """What a recall of this item reaches: finished items, stock on hand, shipped items."""
        organisation_id = current_actor().organisation_id
        service.get_item(get_session(), organisation_id, item_id)
        return service.recall_scope(get_session(), organisation_id, [item_id])


@blp.route("/<int:item_id>/recall/hold")
class RecallHold(MethodView):
    @requires("recall.hold")
    @blp.arguments(schemas.HoldRequestSchema)
    @blp.response(200, schemas.HoldResultSchema)
    def post(self, body: dict[str, Any], item_id: int) -> dict[str, int]:
        """Put every item of the recall scope that is still in our hands on hold, in one action;
        the reason is recorded with each item's change in the audit trail."""
        organisation_id = current_actor().organisation_id
        session = get_session()
        service.get_item(session, organisation_id, item_id)
        scope = service.recall_scope(session, organisation_id, [item_id])
        held = service.set_status(session, scope.stock, "hold", reason=body["reason"])
        return {"held": held, "affected": len(scope.affected)}


@blp.route("/touched")
class Touched(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.TouchedQuerySchema, location="query")
    @blp.response(200, schemas.TouchSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Items touched at a station, by an operator, with a piece of equipment, at a location or
        step, in a time window — each with the event that touched it."""
        actor = current_actor()
        return service.touched_by_codes(get_session(), actor.organisation_id, **query)


@blp.route("/made-from")
class MadeFrom(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.SupplierLotQuerySchema, location="query")
    @blp.response(200, schemas.ItemSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Every item made from a supplier's lot (all receipts under that lot number)."""
        return service.made_from_supplier_lot(
            get_session(), current_actor().organisation_id, query["supplier_lot"]
        ).items


@blp.route("/shipped-to")
class ShippedTo(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.ShippedToQuerySchema, location="query")
    @blp.response(200, schemas.ItemSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Everything shipped to a customer location, with the units inside shipped pallets."""
        return service.shipped_to(get_session(), current_actor().organisation_id, query["location"])


@blp.route("/<int:item_id>/trace-export")
class TraceExport(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.TraceExportSchema)
    @blp.response(202, TaskSchema)
    def post(self, body: dict[str, Any], item_id: int) -> Any:
        """Run a trace of any size as a background task; poll /api/tasks/<id>, then download CSV."""
        actor = current_actor()
        return service.request_trace_export(
            get_session(), actor.organisation_id, actor.user_id, item_id, body["direction"]
        )
