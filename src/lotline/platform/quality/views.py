"""Quality endpoints: inspection results by step."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.quality import schemas, service
from lotline.platform.security import requires

blp = Blueprint("quality", __name__, url_prefix="/api/quality", description="Quality results")


@blp.route("/results")
class Results(MethodView):
    @requires("trace.read")
    @blp.arguments(schemas.ResultQuerySchema, location="query")
    @blp.response(200, schemas.ResultPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Measured characteristics against their limits, by step, outcome and time, with a summary."""
        rows, summary = service.results(get_session(), current_actor().organisation_id, **query)
        return {"items": rows, "summary": summary}
