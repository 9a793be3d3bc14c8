"""Capture endpoints: one record, a batch (EPCIS-style, up to 500), a record and its history."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.capture import records, schemas, service
from lotline.platform.db import get_session
from lotline.platform.security import requires

blp = Blueprint("records", __name__, url_prefix="/api/records", description="Capture")


def _request(body: dict[str, Any]) -> service.CaptureRequest:
    return service.CaptureRequest(**body)


@blp.route("")
class Records(MethodView):
    @requires("records.capture")
    @blp.arguments(schemas.CaptureSchema)
    @blp.response(201, schemas.CaptureResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Submit one form at a node: creates the record, events, edges and item changes."""
        return service.capture(
            get_session(), current_actor(), _request(body), request.remote_addr or "unknown"
        )


@blp.route("/batch")
class Batch(MethodView):
    @requires("records.capture")
    @blp.arguments(schemas.CaptureBatchSchema)
    @blp.response(200, schemas.BatchResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Submit up to 500 records in order; each is accepted or rejected on its own."""
        results = service.capture_batch(
            get_session(), current_actor(), [_request(r) for r in body["records"]]
        )
        accepted = sum(1 for r in results if r["status"] == "accepted")
        return {"accepted": accepted, "rejected": len(results) - accepted, "results": results}


@blp.route("/<int:record_id>")
class RecordItem(MethodView):
    @requires("trace.read")
    @blp.response(200, schemas.RecordSchema(many=True))
    def get(self, record_id: int) -> list[Any]:
        """A record followed by every correction made to it, each with its signatures."""
        return records.record_history_signed(get_session(), current_actor(), record_id)
