"""Audit review, export and verification; electronic signatures."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from lotline.platform.audit import schemas, service
from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session, utcnow
from lotline.platform.security import AUTHENTICATED, requires

blp = Blueprint("audit", __name__, url_prefix="/api", description="Audit trail and electronic signatures")


def _filters(args: dict[str, Any]) -> service.AuditFilter:
    return service.AuditFilter(
        object_type=args.get("object_type"),
        object_id=args.get("object_id"),
        user_id=args.get("user_id"),
        actions=tuple(args.get("action") or ()),
        since=args.get("since"),
        until=args.get("until"),
    )


@blp.route("/audit")
class AuditEntries(MethodView):
    @requires("audit.read")
    @blp.arguments(schemas.AuditQuerySchema, location="query")
    @blp.response(200, schemas.AuditPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Audit entries, newest first: filter by object, user, action and time; paged."""
        items, total = service.list_entries(
            get_session(), current_actor().organisation_id, _filters(args), args["page"], args["per_page"]
        )
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/audit/export.csv")
class AuditExport(MethodView):
    @requires("audit.export")
    @blp.arguments(schemas.AuditFilterSchema, location="query")
    @blp.response(200, content_type="text/csv", description="One row per changed field")
    def get(self, args: dict[str, Any]) -> Response:
        """The filtered trail as CSV, oldest first; the export is itself an audit entry."""
        text = service.export_csv(get_session(), current_actor().organisation_id, _filters(args))
        name = f"lotline-audit-{utcnow():%Y%m%dT%H%M%SZ}.csv"
        return Response(
            text,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@blp.route("/audit/verify")
class AuditVerify(MethodView):
    @requires("audit.read")
    @blp.response(200, schemas.VerificationSchema)
    def get(self) -> Any:
        """Recompute every hash chain; names the first broken entry and why."""
        return service.verify(get_session())


@blp.route("/signatures")
class Signatures(MethodView):
    @requires(AUTHENTICATED)  # each signable type names the permission it needs
    @blp.arguments(schemas.SignatureQuerySchema, location="query")
    @blp.response(200, schemas.SignatureSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Any]:
        """An object's signatures: printed name, time (UTC and local), meaning and validity."""
        return service.list_signatures(get_session(), current_actor(), args["object_type"], args["object_id"])

    @requires(AUTHENTICATED)  # each signable type names the permission it needs
    @blp.arguments(schemas.SignatureCreateSchema)
    @blp.response(201, schemas.SignatureSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Sign an object: user name + password for the first signing in a session, then the password."""
        return service.sign(
            get_session(), current_actor(), client=(request.remote_addr or "unknown")[:64], **body
        )
