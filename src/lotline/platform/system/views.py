from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.db import get_session
from lotline.platform.jobs import get_jobs
from lotline.platform.security import public
from lotline.platform.system import service
from lotline.platform.system.schemas import HealthSchema

blp = Blueprint("system", __name__, url_prefix="/api", description="Service health")


@blp.route("/health")
class Health(MethodView):
    @public
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="Database or Redis is down")
    def get(self) -> tuple[dict[str, Any], int]:
        """Database and Redis state, job mode and version (anyone may ask)."""
        report = service.health(get_session(), get_jobs())
        return report, 200 if report["status"] == "ok" else 503
