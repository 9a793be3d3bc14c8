from __future__ import annotations

from marshmallow import Schema, fields, validate

PACK_ID = validate.Regexp(r"^[a-z][a-z0-9_]{1,30}$", error="Use lower-case letters, digits and _.")
VERSION = validate.Regexp(r"^\d+\.\d+\.\d+$", error="A semantic version: major.minor.patch.")


class VersionArgsSchema(Schema):
    version = fields.String(
        load_default=None, validate=VERSION, metadata={"description": "default: the newest available"}
    )


class InstalledStateSchema(Schema):
    version = fields.String()
    status = fields.String(metadata={"description": "installed or uninstalled"})
    installed_at = fields.DateTime()
    updated_at = fields.DateTime()
    created = fields.Dict(metadata={"description": "definition keys/versions, roles, master data it created"})
    history = fields.List(fields.Dict())


class PackSummarySchema(Schema):
    id = fields.String()
    name = fields.Dict()
    description = fields.Dict()
    industry = fields.Dict(allow_none=True)
    standards = fields.List(fields.String())
    latest_version = fields.String(allow_none=True)
    versions = fields.List(fields.String())
    installed = fields.Nested(InstalledStateSchema, allow_none=True)


class PackDetailSchema(PackSummarySchema):
    version = fields.String(allow_none=True)
    requires_lotline = fields.String(allow_none=True)
    contents = fields.Dict()
    reference_data = fields.Dict(metadata={"description": "units and material types the pack uses"})
    labels = fields.Dict(metadata={"description": "label templates by key"})


class PackChangeSchema(Schema):
    kind = fields.String()
    key = fields.String()
    action = fields.String(metadata={"description": "create, publish (a new version), unchanged or exists"})
    version = fields.Integer(allow_none=True)


class PlanSchema(Schema):
    pack = fields.String()
    version = fields.String()
    action = fields.String(metadata={"description": "install, upgrade or none"})
    from_version = fields.String(allow_none=True)
    counts = fields.Dict()
    changes = fields.List(fields.Nested(PackChangeSchema))


class InstalledPackSchema(Schema):
    pack_id = fields.String()
    version = fields.String()
    status = fields.String()
    content_hash = fields.String()
    installed_at = fields.DateTime()
    updated_at = fields.DateTime()
    created = fields.Dict()
    history = fields.List(fields.Dict())


class InstallResultSchema(Schema):
    plan = fields.Nested(PlanSchema)
    installed = fields.Nested(InstalledPackSchema)
