"""ARCHITECTURE.md §1: the engines are libraries; the template library reaches only the engines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "lotline"
FORBIDDEN_FOR_ENGINES = ("flask", "flask_smorest", "sqlalchemy", "alembic", "rq", "redis", "lotline.platform")


def imported_modules(package: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(SRC))] = names
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{file}: {name}"
        for file, names in imported_modules(SRC / package).items()
        for name in sorted(names)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    ]


@pytest.mark.parametrize("package", ["form_engine", "workflow_engine", "templates_library"])
def test_engines_import_no_web_database_job_or_platform_code(package: str) -> None:
    assert offending(package, FORBIDDEN_FOR_ENGINES) == []


def test_the_check_itself_catches_a_violation(tmp_path: Path) -> None:
    assert imported_modules(SRC / "platform")["platform/app.py"] & {"flask"}


def test_no_top_level_package_shadows_the_standard_library() -> None:
    import sys

    top_level = {p.name for p in (SRC.parent).iterdir() if p.is_dir() and not p.name.endswith(".egg-info")}
    assert not top_level & set(sys.stdlib_module_names)
