"""ZPL label templates: their commands, and what a template may not do.

A template is ZPL with ``{{placeholder}}`` values. Values go into field data only (``^FD``), where
the platform escapes them (``^FH`` hexadecimal escapes), so that nothing in a value can act as a
command. A template therefore may not put a placeholder anywhere else (a command's parameters,
a comment), nor change the command prefixes (``^CC``, ``~CC``, ``^CT``, ``~CT``, ``^CD``,
``~CD``), after which the escaping would no longer cover the characters that start commands.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
PREFIX_CHANGES = frozenset({"CC", "CT", "CD"})


def commands(template: str) -> list[str]:
    """The template cut before each ``^`` or ``~`` (every ZPL command starts with one); a command
    is ``token[1:3]`` (case-insensitive), its parameters or field data the rest."""
    return [token for token in re.split(r"(?=[\^~])", template) if token]


def name(token: str) -> str:
    return token[1:3].upper() if token[:1] in ("^", "~") else ""


def problems(template: str) -> list[tuple[str, dict[str, str]]]:
    """(code, params) of what makes a template unsafe to fill: ``prefix_change`` (a command that
    moves the command prefixes), ``placeholder_outside_field`` (a value outside ``^FD`` data)."""
    found: list[tuple[str, dict[str, str]]] = []
    for token in commands(template):
        command = name(token)
        if command in PREFIX_CHANGES:
            found.append(("prefix_change", {"command": token[:3]}))
        elif command != "FD":
            for placeholder in PLACEHOLDER.findall(token):
                found.append(("placeholder_outside_field", {"name": placeholder, "command": token[:3]}))
    return found
