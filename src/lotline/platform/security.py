"""Permission declarations: every endpoint says who may call it.

``@public`` marks an endpoint anyone may call (health, the SPA, login). ``@requires("perm")``
marks one that needs a permission; the identity domain installs the authorizer that decides
(``app.extensions["lotline_authorizer"]``). Until one is installed every protected endpoint
answers 401. A test walks every registered route and fails on any without a declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from flask_smorest import abort

F = TypeVar("F", bound=Callable[..., Any])
PERMISSION_ATTR = "_lotline_permission"
PUBLIC = "public"
# Any signed-in caller, whatever their roles (own profile, sign out, change own password).
AUTHENTICATED = "authenticated"


def public(view: F) -> F:
    setattr(view, PERMISSION_ATTR, PUBLIC)
    return view


def requires(permission: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            authorizer = current_app.extensions.get("lotline_authorizer")
            if authorizer is None:
                abort(401)
            authorizer(permission)
            return view(*args, **kwargs)

        setattr(guarded, PERMISSION_ATTR, permission)
        return guarded  # type: ignore[return-value]

    return decorate


def declared_permissions(view_function: Callable[..., Any]) -> dict[str, str | None]:
    """HTTP method (or ``*``) -> declared permission, for plain views and MethodViews."""
    view_class = getattr(view_function, "view_class", None)
    if view_class is None:
        return {"*": getattr(view_function, PERMISSION_ATTR, None)}
    return {
        method.upper(): getattr(getattr(view_class, method.lower(), None), PERMISSION_ATTR, None)
        for method in (view_class.methods or ())
    }
