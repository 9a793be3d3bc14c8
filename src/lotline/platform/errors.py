"""Every 4xx/5xx leaves as JSON of one stable shape, with messages in zh-CN or en:

``{"code": str, "message": str, "params": {}, "errors": [{"path", "field", "code", "params", "message"}],
"request_id": str}``

The locale comes from ``Accept-Language``. Validation problems from the engines
(``ProblemsError``) and from marshmallow (flask-smorest's 422) become ``errors`` entries with
their field paths.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from lotline.form_engine.problems import Problem, ProblemsError, pick_locale, register_messages

log = logging.getLogger("lotline.errors")

HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}

register_messages(
    {
        "bad_request": {"en": "The request could not be understood.", "zh-CN": "无法解析该请求。"},
        "authentication_required": {"en": "Please sign in.", "zh-CN": "请先登录。"},
        "permission_denied": {
            "en": "You do not have permission to do this.",
            "zh-CN": "您没有执行此操作的权限。",
        },
        "not_found": {"en": "Not found.", "zh-CN": "未找到。"},
        "method_not_allowed": {
            "en": "This method is not allowed here.",
            "zh-CN": "此处不允许该请求方法。",
        },
        "conflict": {"en": "This conflicts with existing data.", "zh-CN": "与现有数据冲突。"},
        "payload_too_large": {"en": "The request is too large.", "zh-CN": "请求内容过大。"},
        "unsupported_media_type": {
            "en": "Send JSON (Content-Type: application/json).",
            "zh-CN": "请发送 JSON（Content-Type: application/json）。",
        },
        "validation_failed": {
            "en": "Some values are not valid; see errors.",
            "zh-CN": "部分数据无效，请查看错误列表。",
        },
        "too_many_requests": {"en": "Too many requests; try later.", "zh-CN": "请求过多，请稍后再试。"},
        "internal_error": {
            "en": "Something went wrong on the server; nothing was saved.",
            "zh-CN": "服务器出错，未保存任何数据。",
        },
        "service_unavailable": {"en": "Service unavailable.", "zh-CN": "服务暂不可用。"},
        "required": {"en": "{field} is required.", "zh-CN": "{field} 为必填项。"},
        "unknown_field": {"en": "{field} is not a known field.", "zh-CN": "{field} 不是已知字段。"},
        "invalid": {"en": "{field}: {detail}", "zh-CN": "{field} 的值无效：{detail}"},
    }
)

# marshmallow's messages -> our codes, so API field errors are coded and localised too.
_MARSHMALLOW_CODES = {
    "Missing data for required field.": "required",
    "Unknown field.": "unknown_field",
}


class DomainError(Exception):
    """A service refusing something, with the HTTP status it maps to and a coded message."""

    status = 400

    def __init__(
        self,
        code: str,
        params: dict[str, Any] | None = None,
        problems: list[Problem] | None = None,
        status: int | None = None,
    ) -> None:
        self.code = code
        self.params = params or {}
        self.problems = problems or []
        if status is not None:
            self.status = status
        super().__init__(code)


class NotFoundError(DomainError):
    status = 404


class ConflictError(DomainError):
    status = 409


class AuthenticationError(DomainError):
    status = 401


class PermissionDeniedError(DomainError):
    status = 403


def locale() -> str:
    return pick_locale(request.headers.get("Accept-Language")) if request else "en"


def error_body(
    status: int,
    code: str | None = None,
    problems: list[Problem] | None = None,
    detail: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    loc = locale()
    code = code or HTTP_CODES.get(status, "error")
    message = Problem((), code, params or {}).message(loc)
    if message == code and detail:
        message = detail
    return {
        "code": code,
        "message": message,
        "params": dict(params or {}),
        "errors": [p.to_dict(loc) for p in problems or []],
        "request_id": g.get("request_id"),
    }


def problems_from_marshmallow(messages: Any, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Flatten flask-smorest's ``{"json": {"a": {"0": {"b": ["msg"]}}}}`` into Problems."""
    found: list[Problem] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not path and key in ("json", "query", "form", "headers", "files", "path"):
                found += problems_from_marshmallow(value, path)
                continue
            part: str | int = int(key) if isinstance(key, int) or str(key).isdigit() else key
            found += problems_from_marshmallow(value, (*path, part))
    elif isinstance(messages, list):
        for text in messages:
            if isinstance(text, (dict, list)):
                found += problems_from_marshmallow(text, path)
            else:
                code = _MARSHMALLOW_CODES.get(str(text), "invalid")
                params = {"detail": str(text)} if code == "invalid" else {}
                found.append(Problem(path, code, params))
    return found


def _json(body: dict[str, Any], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


class LotlineApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with our error shape for every HTTP error."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        problems = problems_from_marshmallow(data.get("messages")) if data.get("messages") else []
        body = error_body(status, data.get("code"), problems, data.get("message") or error.description)
        response = _json(body, status)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods or [])
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        return response


def register_error_handlers(app: Flask, api: LotlineApi) -> None:
    @app.errorhandler(ProblemsError)
    def _problems(error: ProblemsError) -> Response:
        return _json(error_body(422, error.code, error.problems), 422)

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return _json(error_body(error.status, error.code, error.problems, params=error.params), error.status)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        log.exception("unhandled error", extra={"request_id": g.get("request_id")})
        return api.handle_http_exception(InternalServerError())
