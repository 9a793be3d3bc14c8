"""Who may grant what: a role or token holds only permissions its creator holds."""

from __future__ import annotations

from collections.abc import Iterable

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform.auth.permissions import unknown_permissions


def check_grantable(actor_permissions: Iterable[str], permissions: list[str]) -> None:
    held = set(actor_permissions)
    problems = [
        Problem(("permissions", i), "unknown_permission", {"permission": p})
        for i, p in enumerate(permissions)
        if unknown_permissions([p])
    ]
    problems += [
        Problem(("permissions", i), "permission_not_held", {"permission": p})
        for i, p in enumerate(permissions)
        if not unknown_permissions([p]) and p not in held
    ]
    if problems:
        raise ProblemsError(problems)
