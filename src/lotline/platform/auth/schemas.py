from __future__ import annotations

from marshmallow import Schema, fields, validate

from lotline.platform.auth.permissions import PERMISSIONS


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class StationLoginSchema(Schema):
    station = fields.String(required=True, validate=validate.Length(min=1, max=80))
    badge = fields.String(required=True, validate=validate.Length(min=1, max=200))
    pin = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=16))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True)


class GrantSchema(Schema):
    role = fields.String(required=True)
    site_id = fields.Integer(allow_none=True, load_default=None)


class MeSchema(Schema):
    id = fields.Integer(attribute="user_id")
    username = fields.String()
    full_name = fields.String()
    kind = fields.String(metadata={"description": "browser, station or token"})
    station = fields.String(allow_none=True)
    permissions = fields.Method("_permissions")
    must_change_password = fields.Boolean()
    csrf_token = fields.String(allow_none=True)

    def _permissions(self, actor: object) -> list[str]:
        return sorted(getattr(actor, "permissions", ()))


class AssignmentSchema(Schema):
    role = fields.Function(lambda a: a.role.key)
    site_id = fields.Integer(allow_none=True)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, load_default=None)
    locale = fields.String(load_default="en", validate=validate.OneOf(["en", "zh-CN"]))
    badge = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(dump_only=True)
    must_change_password = fields.Boolean(dump_only=True)
    locked_until = fields.DateTime(dump_only=True, allow_none=True)
    roles = fields.List(fields.Nested(GrantSchema), load_only=True, required=True)
    assignments = fields.List(fields.Nested(AssignmentSchema), dump_only=True)


class UserCreateSchema(UserSchema):
    password = fields.String(load_only=True, load_default=None)
    pin = fields.String(load_only=True, load_default=None)


class UserCreatedSchema(Schema):
    user = fields.Nested(UserSchema)
    initial_password = fields.String(allow_none=True, metadata={"description": "shown once"})


class UserUpdateSchema(Schema):
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    active = fields.Boolean()
    roles = fields.List(fields.Nested(GrantSchema))
    badge = fields.String()
    pin = fields.String(load_only=True)
    reset_password = fields.Boolean(load_default=False)


class RoleSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,59}$"))
    name_en = fields.String(required=True)
    name_zh = fields.String(required=True)
    permissions = fields.List(fields.String(), required=True)
    builtin = fields.Boolean(dump_only=True)


class RoleUpdateSchema(Schema):
    name_en = fields.String()
    name_zh = fields.String()
    permissions = fields.List(fields.String(), required=True)


class PermissionSchema(Schema):
    key = fields.String()
    en = fields.String()
    zh_CN = fields.String(data_key="zh-CN")


def permission_catalogue() -> list[dict[str, str]]:
    return [{"key": key, "en": en, "zh_CN": zh} for key, (en, zh) in PERMISSIONS.items()]


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    prefix = fields.String(dump_only=True)
    permissions = fields.List(fields.String(), required=True)
    site_ids = fields.List(fields.Integer(), allow_none=True, load_default=None)
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None)
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class TokenCreatedSchema(Schema):
    token = fields.Nested(TokenSchema)
    secret = fields.String(metadata={"description": "shown only in this response"})


class SiteSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(load_default="UTC")
