"""A template pack on disk, loaded into memory, and the documents it installs.

A pack is a folder (``<id>/``)::

    manifest.json        id, semantic version, names/descriptions (en, zh-CN), requires_lotline,
                         contents (which forms, flows and labels; roles, master data, demo: yes/no)
    forms/<key>.json     form definitions (form_engine format, without ``key``)
    flows/<key>.json     flow definitions (workflow_engine format, without ``key``); a node names
                         its form by the pack's own key (``"form": {"key": "receiving"}``), never
                         by version: the installer fills in the version it publishes or reuses
    roles.json           roles the pack's flows name (``allowed_roles``) with their permissions
    masterdata.json      seeds: units, material types, materials, partners, locations, lines,
                         stations, equipment and bills of materials
    labels/<key>.json    label templates (ZPL or text with ``{{placeholders}}``)
    demo.py              the demo-data recipe: ``run(client, scale=1.0, seed=…)`` drives the
                         public HTTP API only (``recipe.Recipe`` helps)

Installed names are prefixed so packs never collide: form and flow ``<pack>-<key>``, role
``<pack>_<key>``. Master-data codes are used as written (they are the plant's codes).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lotline.form_engine.problems import Path as ProblemPath
from lotline.form_engine.problems import Problem

SHIPPED_ROOT = Path(__file__).resolve().parent
MANIFEST = "manifest.json"
OPTIONAL_FILES = {"roles": "roles.json", "masterdata": "masterdata.json", "demo": "demo.py"}
MASTERDATA_KINDS = ("materials", "partners", "locations", "lines", "stations", "equipment", "boms")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.10.2"`` -> ``(1, 10, 2)``; anything else -> ``(0, 0, 0)`` (reported by the checks)."""
    try:
        major, minor, patch = (int(part) for part in text.split("."))
    except (ValueError, AttributeError):
        return (0, 0, 0)
    return (major, minor, patch)


@dataclass
class Pack:
    """Everything in one pack folder. ``problems``: files that could not be read at all."""

    root: Path
    manifest: dict[str, Any]
    forms: dict[str, Any] = field(default_factory=dict)
    flows: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    roles: list[Any] = field(default_factory=list)
    masterdata: dict[str, Any] = field(default_factory=dict)
    demo: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.manifest.get("id") or self.root.name)

    @property
    def version(self) -> str:
        return str(self.manifest.get("version") or "0.0.0")

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return parse_version(self.version)

    def form_key(self, local: str) -> str:
        return f"{self.id}-{local}"

    def flow_key(self, local: str) -> str:
        return f"{self.id}-{local}"

    def role_key(self, local: str) -> str:
        return f"{self.id}_{local}"

    def role_keys(self) -> dict[str, str]:
        return {
            str(role["key"]): self.role_key(str(role["key"]))
            for role in self.roles
            if isinstance(role, Mapping) and "key" in role
        }

    def form_document(self, local: str) -> dict[str, Any]:
        """The form as installed (the platform adds ``key`` and ``version``)."""
        document: dict[str, Any] = copy.deepcopy(self.forms[local])
        document.pop("key", None)
        document.pop("version", None)
        return document

    def flow_document(self, local: str, form_versions: Mapping[str, int]) -> dict[str, Any]:
        """The flow as installed: form references get installed keys and the versions given
        (``form_versions``: the pack's form key -> version); pack roles their installed keys."""
        document: dict[str, Any] = copy.deepcopy(self.flows[local])
        document.pop("key", None)
        document.pop("version", None)
        roles = self.role_keys()
        for node in document.get("nodes") or []:
            if not isinstance(node, dict):
                continue
            ref = node.get("form")
            if isinstance(ref, dict) and isinstance(ref.get("key"), str):
                local_form = ref["key"]
                node["form"] = {
                    "key": self.form_key(local_form),
                    "version": int(form_versions.get(local_form, 1)),
                }
            rules = node.get("rules")
            if isinstance(rules, dict) and isinstance(rules.get("allowed_roles"), list):
                rules["allowed_roles"] = [
                    roles.get(r, r) if isinstance(r, str) else r for r in rules["allowed_roles"]
                ]
        return document

    def content_hash(self) -> str:
        """A digest of everything the pack installs (the demo recipe excluded)."""
        content = {
            "manifest": self.manifest,
            "forms": self.forms,
            "flows": self.flows,
            "labels": self.labels,
            "roles": self.roles,
            "masterdata": self.masterdata,
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def summary(self) -> dict[str, Any]:
        contents = {
            "forms": sorted(self.forms),
            "flows": sorted(self.flows),
            "labels": sorted(self.labels),
            "roles": [r.get("key") for r in self.roles if isinstance(r, Mapping)],
            "masterdata": {
                kind: len(self.masterdata.get(kind) or [])
                for kind in MASTERDATA_KINDS
                if self.masterdata.get(kind)
            },
            "demo": self.demo is not None,
        }
        return {
            "id": self.id,
            "version": self.version,
            "name": self.manifest.get("name"),
            "description": self.manifest.get("description"),
            "industry": self.manifest.get("industry"),
            "standards": self.manifest.get("standards") or [],
            "requires_lotline": self.manifest.get("requires_lotline"),
            "contents": contents,
            # reference lists for people and integrations (Lotline keeps units and material kinds
            # as plain values on materials, so these are shown, not installed)
            "reference_data": {k: self.masterdata.get(k) or [] for k in ("units", "material_types")},
        }


def _read_json(path: Path, where: ProblemPath, problems: list[Problem]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(where, "pack.file_missing", {"file": path.name}))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(Problem(where, "pack.file_unreadable", {"file": path.name, "detail": str(error)}))
    return None


def load_pack(root: Path | str) -> Pack:
    """Read a pack folder; unreadable or missing files are ``Pack.problems`` (never raised)."""
    root = Path(root)
    problems: list[Problem] = []
    manifest = _read_json(root / MANIFEST, ("manifest",), problems)
    pack = Pack(root, manifest if isinstance(manifest, dict) else {}, problems=problems)
    contents = pack.manifest.get("contents")
    contents = contents if isinstance(contents, dict) else {}
    for kind, target in (("forms", pack.forms), ("flows", pack.flows), ("labels", pack.labels)):
        found = contents.get(kind)
        listed: list[Any] = found if isinstance(found, list) else []
        for index, key in enumerate(listed):
            if isinstance(key, str):
                document = _read_json(
                    root / kind / f"{key}.json", ("manifest", "contents", kind, index), problems
                )
                if document is not None:
                    target[key] = document
        folder = root / kind
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if path.stem not in listed:
                problems.append(
                    Problem((kind, path.stem), "pack.file_not_listed", {"file": f"{kind}/{path.name}"})
                )
    if contents.get("roles"):
        roles = _read_json(root / OPTIONAL_FILES["roles"], ("roles",), problems)
        pack.roles = roles if isinstance(roles, list) else []
        if roles is not None and not isinstance(roles, list):
            problems.append(
                Problem(("roles",), "pack.file_wrong_shape", {"file": "roles.json", "expected": "[…]"})
            )
    if contents.get("masterdata"):
        seeds = _read_json(root / OPTIONAL_FILES["masterdata"], ("masterdata",), problems)
        pack.masterdata = seeds if isinstance(seeds, dict) else {}
        if seeds is not None and not isinstance(seeds, dict):
            problems.append(
                Problem(
                    ("masterdata",), "pack.file_wrong_shape", {"file": "masterdata.json", "expected": "{…}"}
                )
            )
    if contents.get("demo"):
        demo = root / OPTIONAL_FILES["demo"]
        if demo.is_file():
            pack.demo = demo
        else:
            problems.append(Problem(("demo",), "pack.file_missing", {"file": demo.name}))
    return pack


def pack_folders(extra_roots: tuple[Path | str, ...] = ()) -> Iterator[Path]:
    """Every folder holding a manifest: the shipped packs, then each extra root's packs."""
    for root in (SHIPPED_ROOT, *map(Path, extra_roots)):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / MANIFEST).is_file():
                yield folder


def available_packs(extra_roots: tuple[Path | str, ...] = ()) -> dict[str, list[Pack]]:
    """Pack id -> every version found (newest first); a later root's copy of a version wins."""
    found: dict[str, dict[str, Pack]] = {}
    for folder in pack_folders(extra_roots):
        pack = load_pack(folder)
        found.setdefault(pack.id, {})[pack.version] = pack
    return {
        pack_id: sorted(versions.values(), key=lambda p: p.version_tuple, reverse=True)
        for pack_id, versions in sorted(found.items())
    }


def shipped_pack_ids() -> list[str]:
    return [folder.name for folder in pack_folders()]
