"""Template packs, checked and planned: every problem with a pack (engines, references,
master-data values), and what installing or upgrading it would create, publish or keep, computed
without writing anything (``service`` carries the plan out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline import templates_library
from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.auth import service as auth_service
from lotline.platform.auth.models import Site  # read only: sites belong to the identity domain
from lotline.platform.auth.permissions import BUILTIN_ROLES, PERMISSIONS
from lotline.platform.definitions import service as definitions
from lotline.platform.errors import NotFoundError
from lotline.platform.masterdata import service as masterdata
from lotline.templates_library import Pack

register_messages(
    {
        "pack.draft_open": {
            "en": "{field}: {kind} {key} has an open draft; publish or discard it before the pack "
            "publishes a new version",
            "zh-CN": "{field}：{kind} {key} 有未发布的草稿；请先发布或放弃该草稿，模板包才能发布新版本",
        },
        "pack.no_site": {
            "en": "{field}: the organisation has no site for the pack's lines and stations",
            "zh-CN": "{field}：组织中没有可放置模板包产线和工位的站点",
        },
    }
)

# pack seed kind -> master-data entity, in the order rows are created (references first)
SEED_KINDS = (  # in the order they are created: what a row names by code exists before it
    ("locations", "location"),
    ("lines", "line"),
    ("stations", "station"),
    ("equipment", "equipment"),
    ("materials", "material"),
    ("partners", "partner"),
)


# --- checking and planning --------------------------------------------------------------------


def check(pack: Pack, site_id: int | None) -> list[Problem]:
    """Every problem with the pack: engines, meta-schema, references and master-data values."""
    problems = templates_library.check_pack(
        pack, known_permissions=PERMISSIONS, known_roles=tuple(BUILTIN_ROLES)
    )
    for kind, entity in SEED_KINDS:
        rows = pack.masterdata.get(kind)
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            if not isinstance(row, Mapping):
                continue
            values = seed_values(entity, row, site_id or 1, {})
            found = masterdata.check_values(entity, values)
            problems += [Problem(("masterdata", kind, index, *p.path), p.code, p.params) for p in found]
    needs_site = any(pack.masterdata.get(kind) for kind in ("lines", "stations", "equipment"))
    if needs_site and site_id is None:
        problems.append(Problem(("masterdata",), "pack.no_site", {}))
    return problems


_REFERENCES = {"line": "line", "station": "station", "location": "location"}  # column -> entity


def seed_values(
    entity: str, row: Mapping[str, Any], site_id: int, ids: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """A pack's master-data row as the master-data API takes it: the codes it names (``line``,
    ``station``, ``location``) as the ids of the rows already made (``ids[entity][code]``)."""
    values = {k: v for k, v in row.items() if k not in _REFERENCES}
    if entity in ("line", "station", "equipment"):
        values["site_id"] = site_id
    for column, target in _REFERENCES.items():
        if column in row and row[column] in ids.get(target, {}):
            values[f"{column}_id"] = ids[target][row[column]]
    return values


@dataclass
class Change:
    kind: str  # form | flow | role | material | partner | … | bom | label
    key: str
    action: str  # create | publish | unchanged | exists
    version: int | None = None
    local: str | None = None  # the pack's own key (forms, flows, roles)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "action": self.action, "version": self.version}


@dataclass
class Plan:
    pack: Pack
    action: str  # install | upgrade | none
    from_version: str | None
    site_id: int | None
    changes: list[Change] = field(default_factory=list)
    form_versions: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        return {
            "pack": self.pack.id,
            "version": self.pack.version,
            "action": self.action,
            "from_version": self.from_version,
            "counts": counts,
            "changes": [c.to_dict() for c in self.changes],
        }


def _comparable(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("key", "version")}


def _plan_definition(
    session: Session,
    organisation_id: int,
    kind: str,
    key: str,
    document: dict[str, Any],
    path: tuple[str, str],
) -> tuple[Change, list[Problem]]:
    try:
        definition = definitions.get_definition(session, organisation_id, kind, key)
    except NotFoundError:
        return Change(kind, key, "create", 1, path[1]), []
    problems: list[Problem] = []
    if definition.latest_version:
        latest = definitions.get_version(session, organisation_id, kind, key, definition.latest_version)
        if _comparable(latest.document) == document:
            return Change(kind, key, "unchanged", latest.version, path[1]), []
    if definition.draft is not None:
        problems.append(Problem(path, "pack.draft_open", {"kind": kind, "key": key}))
    return Change(kind, key, "publish", definition.latest_version + 1, path[1]), problems


def _site_id(session: Session, organisation_id: int) -> int | None:
    return session.scalar(
        select(Site.id).where(Site.organisation_id == organisation_id).order_by(Site.id).limit(1)
    )


def plan(
    session: Session,
    organisation_id: int,
    pack: Pack,
    action: str,
    from_version: str | None,
    grantable: frozenset[str] | None = None,
) -> Plan:
    """What installing or upgrading to ``pack`` would do (raises ``pack_invalid`` with every problem).

    ``grantable``: the installer's permissions; a role the pack creates may hold only those.
    """
    site_id = _site_id(session, organisation_id)
    problems = check(pack, site_id)
    result = Plan(pack, action, from_version, site_id)
    if problems:
        raise ProblemsError(problems, code="pack_invalid")
    for kind, entity in SEED_KINDS:
        for row in pack.masterdata.get(kind) or []:
            exists = existing_row(session, organisation_id, entity, str(row["code"]))
            result.changes.append(
                Change(entity, str(row["code"]), "exists" if exists is not None else "create")
            )
    for bom in pack.masterdata.get("boms") or []:
        product = masterdata.get_material_by_code(session, organisation_id, bom["material"])
        current = (
            masterdata.current_bom(session, organisation_id, product.id) if product is not None else None
        )
        result.changes.append(Change("bom", bom["material"], "exists" if current is not None else "create"))
    existing_roles = {r.key for r in auth_service.list_roles(session, organisation_id)}
    for index, role in enumerate(pack.roles):
        local = str(role["key"])
        key = pack.role_key(local)
        action_ = "exists" if key in existing_roles else "create"
        result.changes.append(Change("role", key, action_, local=local))
        if action_ == "create" and grantable is not None:
            problems += [
                Problem(("roles", index, "permissions", j), "permission_not_held", {"permission": name})
                for j, name in enumerate(role["permissions"])
                if name not in grantable
            ]
    for local in sorted(pack.forms):
        change, found = _plan_definition(
            session,
            organisation_id,
            "form",
            pack.form_key(local),
            pack.form_document(local),
            ("forms", local),
        )
        problems += found
        result.changes.append(change)
        result.form_versions[local] = int(change.version or 1)
    for local in sorted(pack.flows):
        document = pack.flow_document(local, result.form_versions)
        change, found = _plan_definition(
            session, organisation_id, "flow", pack.flow_key(local), document, ("flows", local)
        )
        problems += found
        result.changes.append(change)
    for key in sorted(pack.labels):
        result.changes.append(Change("label", key, "create"))
    if problems:
        raise ProblemsError(problems, code="pack_invalid")
    return result


def existing_row(session: Session, organisation_id: int, entity: str, code: str) -> Any:
    if entity == "line":
        return (
            None
            if _site_id(session, organisation_id) is None
            else _line_by_code(session, organisation_id, code)
        )
    finders = {
        "station": masterdata.get_station_by_code,
        "equipment": masterdata.get_equipment_by_code,
        "material": masterdata.get_material_by_code,
        "partner": masterdata.get_partner_by_code,
        "location": masterdata.get_location_by_code,
    }
    return finders[entity](session, organisation_id, code)


def _line_by_code(session: Session, organisation_id: int, code: str) -> Any:
    rows, _ = masterdata.list_rows(session, organisation_id, "line", code=code, limit=1)
    return rows[0] if rows else None
