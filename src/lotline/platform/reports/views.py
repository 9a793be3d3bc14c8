"""Reports: exports and compliance documents (the FDA FSMA 204 sortable spreadsheet)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.audit import service as audit_service
from lotline.platform.auth.context import current_actor
from lotline.platform.db import get_session, transaction
from lotline.platform.errors import DomainError
from lotline.platform.reports import fsma204
from lotline.platform.security import requires

MAX_DAYS = 366  # a year at a time: FDA asks for the dates of an outbreak, not for everything

blp = Blueprint("reports", __name__, url_prefix="/api/reports", description="Reports and compliance exports")

register_messages(
    {
        "export_too_large": {
            "en": "More than {limit} rows: ask for a shorter time window or one traceability lot code.",
            "zh-CN": "超过 {limit} 行：请缩短时间范围或指定一个可追溯批次代码。",
        },
        "window_too_long": {
            "en": "{field}: at most {days} days at a time.",
            "zh-CN": "{field}：每次最多 {days} 天。",
        },
        "window_reversed": {
            "en": "{field} must be after since.",
            "zh-CN": "{field} 必须晚于开始时间（since）。",
        },
    }
)


class Fsma204QuerySchema(Schema):
    since = fields.AwareDateTime(required=True, metadata={"description": "from (inclusive), with its offset"})
    until = fields.AwareDateTime(required=True, metadata={"description": "to (exclusive)"})
    tlc = fields.String(load_default=None, metadata={"description": "only this traceability lot code"})
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


@blp.route("/fsma204")
class Fsma204(MethodView):
    @requires("reports.read")
    @blp.arguments(Fsma204QuerySchema, location="query")
    @blp.response(200, description="XLSX or CSV")
    def get(self, query: dict[str, Any]) -> Response:
        """FDA FSMA 204 electronic sortable spreadsheet: every critical tracking event recorded in
        the window with its key data elements, one row per CTE (a transformation one per input
        lot); XLSX (sortable, filterable) or CSV. Audited as an ``export``."""
        if query["until"] <= query["since"]:
            raise ProblemsError([Problem(("until",), "window_reversed")], code="validation_failed")
        if query["until"] - query["since"] > timedelta(days=MAX_DAYS):
            problem = Problem(("until",), "window_too_long", {"days": MAX_DAYS})
            raise ProblemsError([problem], code="validation_failed")
        query["tlc"] = (query["tlc"] or "").strip() or None
        actor = current_actor()
        session = get_session()
        try:
            found = fsma204.rows(
                session, actor.organisation_id, query["since"], query["until"], tlc=query["tlc"]
            )
        except OverflowError:
            raise DomainError("export_too_large", {"limit": fsma204.MAX_ROWS}, status=422) from None
        name = f"fsma204-{query['since']:%Y%m%d}-{query['until']:%Y%m%d}.{query['format']}"
        if query["format"] == "csv":
            body, mimetype = fsma204.to_csv(found), "text/csv"
        else:
            body = fsma204.to_xlsx(found, name)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        details = {
            "format": query["format"],
            "since": query["since"].isoformat(),
            "until": query["until"].isoformat(),
            "tlc": query["tlc"],
            "rows": len(found),
        }
        with transaction(session):
            audit_service.record(
                session, "export", "fsma204", None, details=details, organisation_id=actor.organisation_id
            )
        return Response(
            body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
        )
