from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.errors import ConflictError
from lotline.platform.jobs import get_jobs
from lotline.platform.security import AUTHENTICATED, public, requires
from lotline.platform.system import service
from lotline.platform.system.schemas import HealthSchema, TaskSchema

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


@blp.route("/tasks/<int:task_id>")
class Task(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, TaskSchema)
    def get(self, task_id: int) -> Any:
        """A background task of your organisation: status, result or error."""
        return service.get_task_for(get_session(), current_actor().organisation_id, task_id)


@blp.route("/tasks/<int:task_id>/download")
class TaskDownload(MethodView):
    @requires("trace.read")
    @blp.response(200, description="CSV")
    def get(self, task_id: int) -> Response:
        """The CSV a finished trace export wrote (streamed from disk); each download is audited
        as an ``export``."""
        session = get_session()
        task = service.get_task_for(session, current_actor().organisation_id, task_id)
        if task.status != "done" or not (task.result or {}).get("file"):
            raise ConflictError("task_not_finished", {"task": task_id, "status": task.status})
        folder = Path(current_app.instance_path) / "exports"
        response = send_from_directory(folder, task.result["file"], mimetype="text/csv", as_attachment=True)
        service.record_download(session, task)  # (send_from_directory raised 404 for a file gone)
        return response
