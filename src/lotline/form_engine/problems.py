"""The one shape every validation problem takes, in both engines and in the API.

A problem names the place (``path``: keys and list indices from the document root), a stable
machine ``code``, the ``params`` that explain it, and renders a message in zh-CN or en from a
catalogue of templates. Engines collect problems and raise them once (``ProblemsError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]
LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"

# code -> {locale -> str.format template}. Engines register their own codes at import time.
_CATALOGUE: dict[str, dict[str, str]] = {}


def register_messages(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add message templates; every code must have every locale (checked here, not at use)."""
    for code, by_locale in messages.items():
        missing = [loc for loc in LOCALES if loc not in by_locale]
        if missing:
            raise ValueError(f"message {code!r} lacks locales {missing}")
        _CATALOGUE[code] = dict(by_locale)


def known_codes() -> frozenset[str]:
    return frozenset(_CATALOGUE)


def pick_locale(accept: str | None) -> str:
    """Choose zh-CN or en from a locale tag or an Accept-Language header value."""
    if not accept:
        return DEFAULT_LOCALE
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def format_path(path: Path) -> str:
    """``("lots", 0, "qty")`` -> ``"lots[0].qty"``; the root is ``""``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Problem:
    path: Path
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        templates = _CATALOGUE.get(self.code)
        if templates is None:
            return self.code
        template = templates.get(locale) or templates[DEFAULT_LOCALE]
        try:
            return template.format(field=format_path(self.path), **self.params)
        except (KeyError, IndexError, ValueError):
            return template

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "path": list(self.path),
            "field": format_path(self.path),
            "code": self.code,
            "params": dict(self.params),
            "message": self.message(locale),
        }


class ProblemsError(Exception):
    """Raised once with every problem found; never for the first one alone."""

    def __init__(self, problems: Iterable[Problem], code: str = "validation_failed") -> None:
        self.problems = list(problems)
        self.code = code
        super().__init__(
            f"{len(self.problems)} problem(s): "
            + "; ".join(f"{format_path(p.path) or '<root>'}: {p.code}" for p in self.problems[:5])
        )
