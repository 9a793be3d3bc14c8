"""Checking a whole pack with the engines before anything is written: ``check_pack(pack)``.

Every problem is collected (never only the first) with its path from the pack's root:
``manifest.version``, ``forms.receiving.fields[2].trace.role``, ``flows.cooking.nodes[1].cte.kdes``,
``masterdata.stations[0].line``, ``roles[1].permissions[0]``, ``labels.case.template``, ``demo``.
Forms go through ``form_engine.check_definition``, flows through ``workflow_engine.check_flow``
(with the pack's forms as version 1, so graph, condition, binding and FSMA 204 checks all run);
the rest through the pack meta-schema (``schemas/pack.v1.json``) and cross-reference checks
(forms, materials, stations, lines, roles and permissions a pack names must exist).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from lotline import __version__, form_engine, workflow_engine
from lotline.form_engine.paths import field_paths
from lotline.form_engine.problems import Path, Problem
from lotline.templates_library import zpl
from lotline.templates_library.pack import MASTERDATA_KINDS, Pack, parse_version

PLACEHOLDERS = frozenset(
    {
        "code",
        "gtin",
        "lot",
        "serial",
        "sscc",
        "expiry",
        "production_date",
        "quantity",
        "uom",
        "material",
        "material_name_en",
        "material_name_zh",
        "digital_link",
        "site",
        "supplier_lot",
        "vin",
    }
)
_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")


@cache
def pack_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schemas", "pack.v1.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(part: str) -> Draft202012Validator:
    schema = pack_schema()
    return Draft202012Validator({"$ref": f"#/$defs/{part}", "$defs": schema["$defs"]})


def _schema_problems(part: str, document: Any, prefix: Path) -> list[Problem]:
    problems = [_from_error(error, prefix) for error in _validator(part).iter_errors(document)]
    return sorted(problems, key=lambda p: [str(x) for x in p.path])


def _from_error(error: ValidationError, prefix: Path) -> Problem:
    path: Path = (*prefix, *error.absolute_path)
    if error.validator == "required":
        name = error.message.split("'")[1] if "'" in error.message else ""
        return Problem((*path, name), "pack.schema_required", {"property": name})
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        inside = error.message.rpartition("(")[2]
        extras = [part for i, part in enumerate(inside.split("'")) if i % 2 == 1]
        return Problem((*path, *extras[:1]), "pack.schema_unknown_property", {})
    if error.validator in ("enum", "const"):
        return Problem(
            path, "pack.schema_not_allowed", {"value": json.dumps(error.instance, ensure_ascii=False)}
        )
    if error.validator == "pattern":
        return Problem(
            path, "pack.schema_pattern", {"value": error.instance, "pattern": error.validator_value}
        )
    if error.validator == "type":
        return Problem(path, "pack.schema_type", {"expected": str(error.validator_value)})
    return Problem(path, "pack.schema_invalid", {"detail": error.message})


def _under(prefix: Path, problems: Iterable[Problem]) -> list[Problem]:
    return [Problem((*prefix, *p.path), p.code, p.params) for p in problems]


def _codes(rows: Any) -> set[str]:
    if not isinstance(rows, list):
        return set()
    return {str(r["code"]) for r in rows if isinstance(r, Mapping) and isinstance(r.get("code"), str)}


def check_pack(
    pack: Pack,
    *,
    known_permissions: Iterable[str] | None = None,
    known_roles: Iterable[str] = (),
    lotline_version: str = __version__,
) -> list[Problem]:
    """Every problem that stops ``pack`` from being installed (empty: installable).

    ``known_permissions``: the platform's permission catalogue (None: not checked);
    ``known_roles``: roles that exist in every organisation (built-in roles).
    """
    problems = list(pack.problems)
    problems += _schema_problems("manifest", pack.manifest, ("manifest",))
    required = str(pack.manifest.get("requires_lotline") or "")
    if required.startswith(">=") and parse_version(lotline_version) < parse_version(required[2:]):
        problems.append(
            Problem(
                ("manifest", "requires_lotline"),
                "pack.lotline_too_old",
                {"required": required, "version": lotline_version},
            )
        )
    problems += _schema_problems("roles", pack.roles, ("roles",))
    problems += _schema_problems("masterdata", pack.masterdata, ("masterdata",))
    for key, label in pack.labels.items():
        problems += _schema_problems("label", label, ("labels", key))
        problems += _label_problems(label, ("labels", key))
    problems += _role_problems(pack, known_permissions)
    problems += _masterdata_problems(pack.masterdata)
    infos = {}
    for local, document in pack.forms.items():
        keyed = {**document, "key": pack.form_key(local)} if isinstance(document, Mapping) else document
        found = form_engine.check_definition(keyed)
        problems += _under(("forms", local), found)
        if not found:
            infos[(pack.form_key(local), 1)] = workflow_engine.FormInfo(fields=field_paths(keyed))
    roles = set(pack.role_keys()) | set(known_roles)
    for local, document in pack.flows.items():
        problems += _flow_problems(pack, local, document, infos, roles)
    if pack.demo is not None:
        problems += _demo_problems(pack)
    return problems


def _role_problems(pack: Pack, known_permissions: Iterable[str] | None) -> Iterator[Problem]:
    known = None if known_permissions is None else frozenset(known_permissions)
    for index, role in enumerate(pack.roles):
        if not isinstance(role, Mapping) or known is None:
            continue
        for j, name in enumerate(role.get("permissions") or []):
            if name not in known:
                yield Problem(
                    ("roles", index, "permissions", j), "pack.unknown_permission", {"permission": name}
                )


def _masterdata_problems(seeds: Mapping[str, Any]) -> Iterator[Problem]:
    materials = _codes(seeds.get("materials"))
    lines = _codes(seeds.get("lines"))
    stations = _codes(seeds.get("stations"))
    for kind in MASTERDATA_KINDS:
        rows = seeds.get(kind)
        seen: set[str] = set()
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            code = row.get("code") if isinstance(row, Mapping) else None
            if isinstance(code, str):
                if code in seen:
                    yield Problem(("masterdata", kind, index, "code"), "pack.duplicate", {"value": code})
                seen.add(code)
    locations = _codes(seeds.get("locations"))
    refs = (
        ("stations", "line", lines, "line"),
        ("stations", "location", locations, "location"),
        ("equipment", "station", stations, "station"),
    )
    for kind, column, known, target in refs:
        rows = seeds.get(kind)
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            value = row.get(column) if isinstance(row, Mapping) else None
            if value is not None and value not in known:
                yield Problem(
                    ("masterdata", kind, index, column),
                    "pack.unknown_reference",
                    {"kind": target, "value": value},
                )
    boms = seeds.get("boms")
    for index, bom in enumerate(boms if isinstance(boms, list) else []):
        if not isinstance(bom, Mapping):
            continue
        if bom.get("material") not in materials:
            yield Problem(
                ("masterdata", "boms", index, "material"),
                "pack.unknown_reference",
                {"kind": "material", "value": bom.get("material")},
            )
        for j, line in enumerate(bom.get("lines") or []):
            if isinstance(line, Mapping) and line.get("component") not in materials:
                yield Problem(
                    ("masterdata", "boms", index, "lines", j, "component"),
                    "pack.unknown_reference",
                    {"kind": "material", "value": line.get("component")},
                )


def _label_problems(label: Any, path: Path) -> Iterator[Problem]:
    template = label.get("template") if isinstance(label, Mapping) else None
    if not isinstance(template, str):
        return
    for name in _PLACEHOLDER.findall(template):
        if name not in PLACEHOLDERS:
            yield Problem(
                (*path, "template"),
                "pack.unknown_placeholder",
                {"name": name, "known": ", ".join(sorted(PLACEHOLDERS))},
            )
    if label.get("format") == "zpl":
        for code, params in zpl.problems(template):
            yield Problem((*path, "template"), f"pack.label_{code}", params)


def _flow_problems(
    pack: Pack, local: str, document: Any, infos: Mapping[tuple[str, int], Any], roles: set[str]
) -> list[Problem]:
    prefix: Path = ("flows", local)
    if not isinstance(document, Mapping):
        return [Problem(prefix, "pack.file_wrong_shape", {"file": f"flows/{local}.json", "expected": "{…}"})]
    problems: list[Problem] = []
    materials = _codes(pack.masterdata.get("materials"))
    stations = _codes(pack.masterdata.get("stations"))
    nodes = document.get("nodes")
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        if not isinstance(node, Mapping):
            continue
        path: Path = (*prefix, "nodes", index)
        ref = node.get("form")
        if not isinstance(ref, Mapping) or set(ref) != {"key"}:
            problems.append(Problem((*path, "form"), "pack.form_ref_shape", {}))
        elif ref["key"] not in pack.forms:
            problems.append(Problem((*path, "form", "key"), "pack.unknown_form", {"form": ref["key"]}))
        raw_rules = node.get("rules")
        rules: Mapping[str, Any] = raw_rules if isinstance(raw_rules, Mapping) else {}
        listed_materials = rules.get("allowed_materials")
        for j, code in enumerate(listed_materials if isinstance(listed_materials, list) else []):
            if code not in materials:
                problems.append(
                    Problem(
                        (*path, "rules", "allowed_materials", j),
                        "pack.unknown_reference",
                        {"kind": "material", "value": code},
                    )
                )
        for j, code in enumerate(rules.get("allowed_stations") or []):
            if code not in stations:
                problems.append(
                    Problem(
                        (*path, "rules", "allowed_stations", j),
                        "pack.unknown_reference",
                        {"kind": "station", "value": code},
                    )
                )
        for j, role in enumerate(rules.get("allowed_roles") or []):
            if role not in roles:
                problems.append(
                    Problem(
                        (*path, "rules", "allowed_roles", j),
                        "pack.unknown_reference",
                        {"kind": "role", "value": role},
                    )
                )
        for j, action in enumerate(node.get("actions") or []):
            code = action.get("material") if isinstance(action, Mapping) else None
            if code is not None and code not in materials:
                problems.append(
                    Problem(
                        (*path, "actions", j, "material"),
                        "pack.unknown_reference",
                        {"kind": "material", "value": code},
                    )
                )
    if problems:
        return problems
    resolved = {**pack.flow_document(local, dict.fromkeys(pack.forms, 1)), "key": pack.flow_key(local)}
    return _under(prefix, workflow_engine.check_flow(resolved, infos))


def _demo_problems(pack: Pack) -> list[Problem]:
    assert pack.demo is not None
    try:
        tree = ast.parse(pack.demo.read_text(encoding="utf-8"), str(pack.demo))
    except (SyntaxError, UnicodeDecodeError) as error:
        return [Problem(("demo",), "pack.file_unreadable", {"file": pack.demo.name, "detail": str(error)})]
    if not any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body):
        return [Problem(("demo",), "pack.demo_without_run", {"file": pack.demo.name})]
    return []
