from __future__ import annotations

from marshmallow import Schema, fields


class ComponentStatusSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok, down or disabled"})
    dialect = fields.String()
    revision = fields.String(allow_none=True)
    error = fields.String()
    url = fields.String()


class JobsStatusSchema(Schema):
    mode = fields.String(required=True, metadata={"description": "rq or inline"})
    queue = fields.String()


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    version = fields.String(required=True)
    database = fields.Nested(ComponentStatusSchema, required=True)
    redis = fields.Nested(ComponentStatusSchema, required=True)
    jobs = fields.Nested(JobsStatusSchema, required=True)


class TaskSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    result = fields.Dict(allow_none=True)
    progress = fields.Dict(
        allow_none=True,
        metadata={
            "description": "how far the work got (kept when it ends): phase (tracing | writing), done, "
            "total (null while unknown) and percent (null while the total is unknown)"
        },
    )
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
