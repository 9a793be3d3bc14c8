"""REST API for template packs under /api/packs: list and read (``packs.view``), preview a dry
run (``packs.view``), install, upgrade and uninstall (``packs.manage``)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.packs import schemas, service
from lotline.platform.security import requires

blp = Blueprint("packs", __name__, url_prefix="/api/packs", description="Industry template packs")

VIEW, MANAGE = "packs.view", "packs.manage"


def _roots() -> tuple[str, ...]:
    return service.pack_roots(current_app.config.get("PACK_DIRS"))


@blp.route("")
class Packs(MethodView):
    @requires(VIEW)
    @blp.response(200, schemas.PackSummarySchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every pack available here or ever installed, with its installed version and state."""
        return service.list_packs(get_session(), current_actor().organisation_id, _roots())


@blp.route("/<pack_id>")
class PackItem(MethodView):
    @requires(VIEW)
    @blp.response(200, schemas.PackDetailSchema)
    def get(self, pack_id: str) -> dict[str, Any]:
        """One pack: manifest, contents, label templates, and what its installation created."""
        return service.get_pack(get_session(), current_actor().organisation_id, pack_id, _roots())


@blp.route("/<pack_id>/preview")
class Preview(MethodView):
    @requires(VIEW)
    @blp.arguments(schemas.VersionArgsSchema, location="query")
    @blp.response(200, schemas.PlanSchema)
    def get(self, args: dict[str, Any], pack_id: str) -> dict[str, Any]:
        """Dry run: what install (or upgrade) would create, publish or keep; 422 lists every
        problem of the pack with its path. Nothing is written."""
        return service.preview(
            get_session(), current_actor().organisation_id, pack_id, args["version"], _roots()
        )


@blp.route("/<pack_id>/install")
class Install(MethodView):
    @requires(MANAGE)
    @blp.arguments(schemas.VersionArgsSchema)
    @blp.response(200, schemas.InstallResultSchema)
    def post(self, body: dict[str, Any], pack_id: str) -> dict[str, Any]:
        """Install the pack; installing the installed version again changes nothing."""
        return service.install(get_session(), current_actor(), pack_id, body["version"], _roots())


@blp.route("/<pack_id>/upgrade")
class Upgrade(MethodView):
    @requires(MANAGE)
    @blp.arguments(schemas.VersionArgsSchema)
    @blp.response(200, schemas.InstallResultSchema)
    def post(self, body: dict[str, Any], pack_id: str) -> dict[str, Any]:
        """Publish the newer version's changed definitions beside the old ones."""
        return service.upgrade(get_session(), current_actor(), pack_id, body["version"], _roots())


@blp.route("/<pack_id>/uninstall")
class Uninstall(MethodView):
    @requires(MANAGE)
    @blp.response(200, schemas.InstalledPackSchema)
    def post(self, pack_id: str) -> Any:
        """Uninstall (409 while its flows have instances with records)."""
        return service.uninstall(get_session(), current_actor(), pack_id)
