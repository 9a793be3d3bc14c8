"""REST API for forms and flows (the same draft/validate/publish/version life cycle) and for
flow instances. Handlers parse, make one service call and shape the answer."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from lotline import form_engine
from lotline.form_engine.problems import Problem
from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session
from lotline.platform.definitions import schemas, service
from lotline.platform.errors import locale
from lotline.platform.security import requires


def _attributes(obj: Any, schema: type[Any]) -> dict[str, Any]:
    """The raw attributes a schema dumps, to extend with computed parts before dumping once."""
    return {name: getattr(obj, name) for name in schema().fields}


def _report(problems: list[Problem]) -> dict[str, Any]:
    loc = locale()
    return {"valid": not problems, "errors": [p.to_dict(loc) for p in problems]}


def _rendered(version: Any) -> dict[str, Any]:
    if version.kind != "form":
        return {}
    wanted = request.args.get("locale") or locale()
    return form_engine.render(version.document, "zh-CN" if wanted.lower().startswith("zh") else "en")


def definition_blueprint(kind: str, plural: str) -> Blueprint:
    """The life-cycle routes of one kind: /api/<plural>/… with <plural>.read/design/publish."""
    blp = Blueprint(plural, __name__, url_prefix=f"/api/{plural}", description=f"{kind.title()} definitions")
    read, design, publish = f"{plural}.read", f"{plural}.design", f"{plural}.publish"

    @blp.route("")
    class Collection(MethodView):
        @requires(read)
        @blp.response(200, schemas.DefinitionSummarySchema(many=True))
        def get(self) -> list[Any]:
            """Every definition of this kind, with its latest version and draft state."""
            return service.list_definitions(get_session(), current_actor().organisation_id, kind)

        @requires(design)
        @blp.arguments(schemas.DefinitionCreateSchema)
        @blp.response(201, schemas.DefinitionSchema)
        def post(self, body: dict[str, Any]) -> Any:
            """Create a definition whose first draft is the given document."""
            return service.create_definition(
                get_session(), current_actor(), kind, body["key"], body["document"]
            )

    @blp.route("/<key>")
    class Item(MethodView):
        @requires(read)
        @blp.response(200, schemas.DefinitionSchema)
        def get(self, key: str) -> Any:
            """One definition with its open draft (if any)."""
            return service.get_definition(get_session(), current_actor().organisation_id, kind, key)

    @blp.route("/<key>/draft")
    class Draft(MethodView):
        @requires(design)
        @blp.response(200, schemas.DefinitionSchema)
        def post(self, key: str) -> Any:
            """Open a new draft from the latest version (no change if one is open)."""
            return service.open_draft(get_session(), current_actor(), kind, key)

        @requires(design)
        @blp.arguments(schemas.DraftSaveSchema)
        @blp.response(200, schemas.DefinitionSchema)
        def put(self, body: dict[str, Any], key: str) -> Any:
            """Save the draft; refused with 409 if someone saved it since your revision."""
            return service.save_draft(
                get_session(), current_actor(), kind, key, body["document"], body["revision"]
            )

        @requires(design)
        @blp.response(200, schemas.DefinitionSchema)
        def delete(self, key: str) -> Any:
            """Discard the open draft (published versions stay)."""
            return service.discard_draft(get_session(), current_actor(), kind, key)

    @blp.route("/<key>/draft/validate")
    class ValidateDraft(MethodView):
        @requires(design)
        @blp.response(200, schemas.ValidationReportSchema)
        def post(self, key: str) -> dict[str, Any]:
            """Every problem that would stop publishing, with its path, in your language."""
            return _report(service.validate_draft(get_session(), current_actor(), kind, key))

    @blp.route("/<key>/publish")
    class Publish(MethodView):
        @requires(publish)
        @blp.arguments(schemas.PublishSchema)
        @blp.response(201, schemas.VersionSchema)
        def post(self, body: dict[str, Any], key: str) -> Any:
            """Freeze the draft as the next immutable version (422 lists every problem)."""
            return service.publish(get_session(), current_actor(), kind, key, body["revision"], body["note"])

    @blp.route("/<key>/versions")
    class Versions(MethodView):
        @requires(read)
        @blp.response(200, schemas.VersionSchema(many=True))
        def get(self, key: str) -> list[Any]:
            """Published versions, oldest first, with publisher and time."""
            return service.list_versions(get_session(), current_actor().organisation_id, kind, key)

    @blp.route("/<key>/versions/<int:version>")
    class Version(MethodView):
        @requires(read)
        @blp.response(200, schemas.VersionDetailSchema)
        def get(self, key: str, version: int) -> dict[str, Any]:
            """One version's document; forms also give the rendered schema + uiSchema."""
            found = service.get_version(get_session(), current_actor().organisation_id, kind, key, version)
            return {
                **_attributes(found, schemas.VersionSchema),
                "document": found.document,
                "rendered": _rendered(found),
            }

    if kind == "form":

        @blp.route("/<key>/versions/<int:version>/preview")
        class PreviewVersion(MethodView):
            @requires(read)
            @blp.arguments(schemas.PreviewRequestSchema)
            @blp.response(200, schemas.PreviewSchema)
            def post(self, body: dict[str, Any], key: str, version: int) -> dict[str, Any]:
                """Validate a sample submission against a version; nothing is stored."""
                found = service.get_version(
                    get_session(), current_actor().organisation_id, kind, key, version
                )
                return _preview(found.document, body["payload"])

        @blp.route("/<key>/draft/preview")
        class PreviewDraft(MethodView):
            @requires(design)
            @blp.arguments(schemas.PreviewRequestSchema)
            @blp.response(200, schemas.PreviewSchema)
            def post(self, body: dict[str, Any], key: str) -> dict[str, Any]:
                """Validate a sample submission against the draft (which must itself be valid)."""
                actor = current_actor()
                problems = service.validate_draft(get_session(), actor, kind, key)
                if problems:
                    return {**_report(problems), "data": {}}
                definition = service.get_definition(get_session(), actor.organisation_id, kind, key)
                return _preview(definition.draft or {}, body["payload"])

    return blp


def _preview(document: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    preview = service.preview_submission(document, payload)
    return {**_report(preview.problems), "data": preview.data}


forms_blp = definition_blueprint("form", "forms")
flows_blp = definition_blueprint("flow", "flows")

instances_blp = Blueprint("flow_instances", __name__, url_prefix="/api", description="Flow instances")


@instances_blp.route("/flows/<key>/instances")
class StartInstance(MethodView):
    @requires("flows.run")
    @instances_blp.arguments(schemas.InstanceStartSchema)
    @instances_blp.response(201, schemas.InstanceDetailSchema)
    def post(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        """Start the flow (latest version unless given) for a work order, lot or unit."""
        actor = current_actor()
        instance = service.start_instance(get_session(), actor, key, body["subject"], body["version"])
        return _instance_detail(actor, instance)


@instances_blp.route("/flow-instances")
class Instances(MethodView):
    @requires("flows.read")
    @instances_blp.arguments(schemas.InstanceQuerySchema, location="query")
    @instances_blp.response(200, schemas.InstancePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Instances by flow, by node (enabled there by default), by status or subject; paged."""
        items, total = service.list_instances(get_session(), current_actor().organisation_id, **query)
        return {"items": items, "total": total}


@instances_blp.route("/flow-instances/<int:instance_id>")
class InstanceItem(MethodView):
    @requires("flows.read")
    @instances_blp.response(200, schemas.InstanceDetailSchema)
    def get(self, instance_id: int) -> dict[str, Any]:
        """An instance's state and, for every node, whether you could submit it now or why not."""
        actor = current_actor()
        return _instance_detail(
            actor, service.get_instance(get_session(), actor.organisation_id, instance_id)
        )


def _instance_detail(actor: Any, instance: Any) -> dict[str, Any]:
    loc = locale()
    nodes = service.instance_status(get_session(), actor, instance)
    return {
        **_attributes(instance, schemas.InstanceSchema),
        "state": instance.state,
        "nodes": [n.to_dict(loc) for n in nodes],
    }
