"""Identity endpoints: sign-in/out, own profile and password, users, roles, API tokens, sites."""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from lotline.platform.auth import context, service
from lotline.platform.auth.models import Site
from lotline.platform.auth.schemas import (
    LoginSchema,
    MeSchema,
    PasswordChangeSchema,
    PermissionSchema,
    RoleSchema,
    RoleUpdateSchema,
    SiteSchema,
    StationLoginSchema,
    TokenCreatedSchema,
    TokenSchema,
    UserCreatedSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
    permission_catalogue,
)
from lotline.platform.db import get_session
from lotline.platform.security import AUTHENTICATED, public, requires

blp = Blueprint("auth", __name__, url_prefix="/api", description="Identity and access")


def _client() -> str:
    return (request.remote_addr or "unknown")[:64]


def _set_cookie(token: str, max_age: int | None) -> None:
    @after_this_request
    def _cookie(response: Response) -> Response:
        response.set_cookie(
            context.SESSION_COOKIE,
            token,
            max_age=max_age,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            path="/",
        )
        return response


def _signed_in(signed: service.SignIn) -> context.Actor:
    _set_cookie(signed.token, None)
    return context.Actor(
        user_id=signed.user.id,
        username=signed.user.username,
        full_name=signed.user.full_name,
        organisation_id=signed.user.organisation_id,
        kind=signed.user_session.kind,
        grants=service.grants_of(signed.user),
        session_id=signed.user_session.id,
        station=signed.user_session.station,
        csrf_token=signed.user_session.csrf_token,
        must_change_password=signed.user.must_change_password,
    )


@blp.route("/auth/login")
class Login(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(200, MeSchema)
    def post(self, body: dict[str, Any]) -> context.Actor:
        """Sign in with user name and password; sets an HttpOnly session cookie."""
        return _signed_in(service.login(get_session(), body["username"], body["password"], _client()))


@blp.route("/auth/station-login")
class StationLogin(MethodView):
    @public
    @blp.arguments(StationLoginSchema)
    @blp.response(200, MeSchema)
    def post(self, body: dict[str, Any]) -> context.Actor:
        """Sign in at a station with a badge scan and PIN (short idle timeout)."""
        return _signed_in(
            service.station_login(get_session(), body["station"], body["badge"], body["pin"], _client())
        )


@blp.route("/auth/logout")
class Logout(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(204)
    def post(self) -> None:
        """End this session."""
        actor = context.current_actor()
        if actor.session_id is not None:
            service.logout(get_session(), actor.session_id)
        _set_cookie("", 0)


@blp.route("/auth/me")
class Me(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, MeSchema)
    def get(self) -> context.Actor:
        """The signed-in user, their permissions and the CSRF token for this session."""
        return context.current_actor()


@blp.route("/auth/password")
class Password(MethodView):
    @requires(AUTHENTICATED)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, body: dict[str, Any]) -> None:
        """Change your own password (required after an initial or reset password)."""
        actor = context.current_actor()
        service.change_password(
            get_session(), actor.user_id, body["current_password"], body["new_password"], actor.session_id
        )


@blp.route("/users")
class Users(MethodView):
    @requires("users.manage")
    @blp.response(200, UserSchema(many=True))
    def get(self) -> list[Any]:
        """Every user of the organisation."""
        return service.list_users(get_session(), context.current_actor().organisation_id)

    @requires("users.manage")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a user; without a password an initial one is generated and shown once."""
        user, initial = service.create_user(get_session(), context.current_actor().organisation_id, **body)
        return {"user": user, "initial_password": initial}


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @requires("users.manage")
    @blp.response(200, UserSchema)
    def get(self, user_id: int) -> Any:
        """One user."""
        return service.get_user(get_session(), context.current_actor().organisation_id, user_id)

    @requires("users.manage")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserCreatedSchema)
    def patch(self, body: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Change roles, badge/PIN, deactivate, or reset the password (new one shown once)."""
        user, initial = service.update_user(
            get_session(), context.current_actor().organisation_id, user_id, **body
        )
        return {"user": user, "initial_password": initial}


@blp.route("/roles")
class Roles(MethodView):
    @requires("users.manage")
    @blp.response(200, RoleSchema(many=True))
    def get(self) -> list[Any]:
        """Built-in and custom roles with their permissions."""
        return service.list_roles(get_session(), context.current_actor().organisation_id)

    @requires("roles.manage")
    @blp.arguments(RoleSchema)
    @blp.response(201, RoleSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Define a custom role from permissions you hold."""
        actor = context.current_actor()
        return service.create_role(get_session(), actor.permissions, actor.organisation_id, **body)


@blp.route("/roles/<int:role_id>")
class RoleItem(MethodView):
    @requires("roles.manage")
    @blp.arguments(RoleUpdateSchema)
    @blp.response(200, RoleSchema)
    def patch(self, body: dict[str, Any], role_id: int) -> Any:
        """Change a custom role (built-in roles follow the code)."""
        actor = context.current_actor()
        return service.update_role(get_session(), actor.permissions, actor.organisation_id, role_id, **body)


@blp.route("/permissions")
class Permissions(MethodView):
    @requires("roles.manage")
    @blp.response(200, PermissionSchema(many=True))
    def get(self) -> list[dict[str, str]]:
        """The permission catalogue with descriptions in en and zh-CN."""
        return permission_catalogue()


@blp.route("/tokens")
class Tokens(MethodView):
    @requires("tokens.manage")
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[Any]:
        """API tokens (never their secrets), with last-used times."""
        return service.list_tokens(get_session(), context.current_actor().organisation_id)

    @requires("tokens.manage")
    @blp.arguments(TokenSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a scoped token; the secret is in this response only."""
        actor = context.current_actor()
        token, secret = service.create_token(
            get_session(),
            organisation_id=actor.organisation_id,
            created_by_id=actor.user_id,
            creator_permissions=actor.permissions,
            **body,
        )
        return {"token": token, "secret": secret}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @requires("tokens.manage")
    @blp.response(200, TokenSchema)
    def delete(self, token_id: int) -> Any:
        """Revoke a token at once."""
        return service.revoke_token(get_session(), context.current_actor().organisation_id, token_id)


@blp.route("/sites")
class Sites(MethodView):
    @requires("masterdata.read")
    @blp.response(200, SiteSchema(many=True))
    def get(self) -> list[Any]:
        """The organisation's sites."""
        actor = context.current_actor()
        return list(get_session().scalars(select(Site).where(Site.organisation_id == actor.organisation_id)))

    @requires("sites.manage")
    @blp.arguments(SiteSchema)
    @blp.response(201, SiteSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a site."""
        return service.create_site(get_session(), context.current_actor().organisation_id, **body)
