"""Template packs: list, preview, install, upgrade and uninstall, per organisation.

* Everything is checked before anything is written: the whole pack with the engines
  (``templates_library.check_pack``) and every master-data row with the master-data rules; the
  first problem does not hide the others (``ProblemsError`` ``pack_invalid``, paths from the
  pack's root).
* ``preview`` computes the plan ``install``/``upgrade`` would carry out (``packs.plan``: what
  is created, what is published as a new version, what exists already and is kept), writing
  nothing.
* ``install`` creates master data, roles, forms and flows through their domains' services and
  publishes the definitions; installing the version that is installed changes nothing at all.
* ``upgrade`` publishes new versions of the definitions that changed beside the old ones; flow
  instances keep the version they started on (a published version never changes).
* ``uninstall`` is refused while any flow instance of the pack's flows exists (instances hold
  the records); otherwise it retires the master data the pack created and marks the pack
  uninstalled. Published versions stay as history (they are immutable) and are reused if the
  pack is installed again.

Every change is written by the domain services inside one transaction, so the audit trail records
each row the pack created or changed, attributed to the acting user.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline import templates_library
from lotline.form_engine.problems import Problem, ProblemsError, register_messages
from lotline.platform.auth import service as auth_service
from lotline.platform.db import transaction, utcnow
from lotline.platform.definitions import service as definitions
from lotline.platform.errors import ConflictError, NotFoundError
from lotline.platform.masterdata import service as masterdata
from lotline.platform.packs.models import InstalledPack
from lotline.platform.packs.plan import SEED_KINDS, Plan, existing_row, plan, seed_values
from lotline.templates_library import Pack

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor

register_messages(
    {
        "pack_not_found": {"en": "There is no template pack {pack}.", "zh-CN": "不存在模板包 {pack}。"},
        "pack_version_not_found": {
            "en": "Template pack {pack} has no version {version} (available: {available}).",
            "zh-CN": "模板包 {pack} 没有版本 {version}（可用版本：{available}）。",
        },
        "pack_invalid": {
            "en": "The template pack has problems; nothing was changed. See errors.",
            "zh-CN": "模板包存在问题，未做任何更改。请查看错误列表。",
        },
        "pack_installed": {
            "en": "Version {installed} of {pack} is installed; use upgrade to move to {version}.",
            "zh-CN": "已安装 {pack} 的版本 {installed}；如需改为 {version}，请使用升级。",
        },
        "pack_not_installed": {
            "en": "Template pack {pack} is not installed.",
            "zh-CN": "模板包 {pack} 尚未安装。",
        },
        "pack_not_newer": {
            "en": "Version {version} of {pack} is not newer than the installed {installed}.",
            "zh-CN": "{pack} 的版本 {version} 不高于已安装的版本 {installed}。",
        },
        "pack_in_use": {
            "en": "{pack} cannot be uninstalled: its flows have {instances} flow instance(s) with records.",
            "zh-CN": "无法卸载 {pack}：其流程已有 {instances} 个含记录的流程实例。",
        },
    }
)


def pack_roots(setting: str | None) -> tuple[str, ...]:
    """The extra pack folders of the ``PACK_DIRS`` setting (os.pathsep-separated)."""
    return tuple(part for part in (setting or "").split(os.pathsep) if part.strip())


def _choose(pack_id: str, version: str | None, roots: tuple[str, ...]) -> Pack:
    found = templates_library.available_packs(roots).get(pack_id)
    if not found:
        raise NotFoundError("pack_not_found", {"pack": pack_id})
    if version is None:
        return found[0]
    for pack in found:
        if pack.version == version:
            return pack
    available = ", ".join(p.version for p in found)
    raise NotFoundError(
        "pack_version_not_found", {"pack": pack_id, "version": version, "available": available}
    )


def _installed(session: Session, organisation_id: int, pack_id: str) -> InstalledPack | None:
    return session.scalar(
        select(InstalledPack).where(
            InstalledPack.organisation_id == organisation_id, InstalledPack.pack_id == pack_id
        )
    )


# --- reading ----------------------------------------------------------------------------------


def list_packs(session: Session, organisation_id: int, roots: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every pack available here and every pack ever installed, with its installed state."""
    rows = {
        row.pack_id: row
        for row in session.scalars(
            select(InstalledPack).where(InstalledPack.organisation_id == organisation_id)
        )
    }
    out: list[dict[str, Any]] = []
    available = templates_library.available_packs(roots)
    for pack_id in sorted(set(available) | set(rows)):
        versions = available.get(pack_id, [])
        newest = versions[0].summary() if versions else dict(rows[pack_id].manifest)
        out.append(
            {
                **{k: newest.get(k) for k in ("id", "name", "description", "industry", "standards")},
                "id": pack_id,
                "latest_version": versions[0].version if versions else None,
                "versions": [p.version for p in versions],
                "installed": _installed_state(rows.get(pack_id)),
            }
        )
    return out


def _installed_state(row: InstalledPack | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "version": row.version,
        "status": row.status,
        "installed_at": row.installed_at,
        "updated_at": row.updated_at,
        "created": row.created,
        "history": row.history,
    }


def get_pack(
    session: Session, organisation_id: int, pack_id: str, roots: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One pack: the newest available version's manifest and contents, and what is installed."""
    row = _installed(session, organisation_id, pack_id)
    found = templates_library.available_packs(roots).get(pack_id) or []
    if not found and row is None:
        raise NotFoundError("pack_not_found", {"pack": pack_id})
    newest = found[0] if found else None
    return {
        **(
            newest.summary()
            if newest is not None
            else {"id": pack_id, "version": row.version if row else None}
        ),
        "versions": [p.version for p in found],
        "labels": (newest.labels if newest is not None else (row.labels if row else {})),
        "installed": _installed_state(row),
    }


def preview(
    session: Session,
    organisation_id: int,
    pack_id: str,
    version: str | None = None,
    roots: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The plan of installing (or upgrading to) a pack, with nothing written."""
    pack = _choose(pack_id, version, roots)
    row = _installed(session, organisation_id, pack_id)
    if row is not None and row.status == "installed":
        if row.version == pack.version:
            return {**plan(session, organisation_id, pack, "none", row.version).to_dict(), "action": "none"}
        return plan(session, organisation_id, pack, "upgrade", row.version).to_dict()
    return plan(session, organisation_id, pack, "install", None).to_dict()


# --- writing ----------------------------------------------------------------------------------


def _apply(session: Session, actor: Actor, result: Plan, previous: dict[str, Any]) -> dict[str, Any]:
    """Carry out a plan inside the caller's transaction; returns what the pack now owns."""
    pack, org = result.pack, actor.organisation_id
    created: dict[str, Any] = {
        "masterdata": {k: dict(v) for k, v in (previous.get("masterdata") or {}).items()},
        "roles": list(previous.get("roles") or []),
        "forms": {k: list(v) for k, v in (previous.get("forms") or {}).items()},
        "flows": {k: list(v) for k, v in (previous.get("flows") or {}).items()},
        "boms": list(previous.get("boms") or []),
    }
    ids: dict[str, dict[str, int]] = {}  # entity -> code -> id, for the rows that name them
    site_id = result.site_id or 0
    for kind, entity in SEED_KINDS:
        owned = created["masterdata"].setdefault(entity, {})
        for index, row in enumerate(pack.masterdata.get(kind) or []):
            code = str(row["code"])
            existing = existing_row(session, org, entity, code)
            if existing is None:
                values = seed_values(entity, row, site_id, ids)
                try:
                    existing = masterdata.create(session, actor, entity, values)
                except ProblemsError as error:
                    prefixed = [
                        Problem(("masterdata", kind, index, *p.path), p.code, p.params)
                        for p in error.problems
                    ]
                    raise ProblemsError(prefixed, code="pack_invalid") from None
                owned[code] = existing.id
            elif code in owned and not existing.active:  # retired by an uninstall: back in use
                masterdata.update(session, actor, entity, existing.id, {"active": True})
            ids.setdefault(entity, {})[code] = existing.id
    for bom in pack.masterdata.get("boms") or []:
        product = masterdata.get_material_by_code(session, org, bom["material"])
        assert product is not None  # created above or existing
        if masterdata.current_bom(session, org, product.id) is not None:
            continue
        bom_lines = []
        for line in bom["lines"]:
            component = masterdata.get_material_by_code(session, org, line["component"])
            assert component is not None
            entry = {"component_material_id": component.id, "quantity": line["quantity"]}
            entry.update({k: line[k] for k in ("uom", "optional") if k in line})
            bom_lines.append(entry)
        masterdata.create_bom(
            session, actor, {"material_id": product.id, "lines": bom_lines, "note": bom.get("note")}
        )
        created["boms"].append(bom["material"])
    roles = {r.get("key"): r for r in pack.roles}
    for change in result.changes:
        if change.kind == "role" and change.action == "create":
            role = roles[change.local]
            auth_service.create_role(
                session,
                actor.permissions,
                org,
                change.key,
                role["name"]["en"],
                role["name"]["zh-CN"],
                list(role["permissions"]),
            )
            created["roles"].append(change.key)
    note = f"template pack {pack.id} {pack.version}"
    for change in result.changes:
        if change.kind not in ("form", "flow") or change.action == "unchanged":
            continue
        assert change.local is not None
        document = (
            pack.form_document(change.local)
            if change.kind == "form"
            else pack.flow_document(change.local, result.form_versions)
        )
        if change.action == "create":
            definitions.create_definition(session, actor, change.kind, change.key, document)
        else:
            definition = definitions.open_draft(session, actor, change.kind, change.key)
            definitions.save_draft(
                session, actor, change.kind, change.key, document, definition.draft_revision
            )
        try:
            version = definitions.publish(session, actor, change.kind, change.key, note=note)
        except ProblemsError as error:  # cannot happen after plan(); kept for a clear answer
            plural = f"{change.kind}s"
            prefixed = [Problem((plural, change.local, *p.path), p.code, p.params) for p in error.problems]
            raise ProblemsError(prefixed, code="pack_invalid") from None
        versions = created[f"{change.kind}s"].setdefault(change.key, [])
        versions.append(version.version)
    for change in result.changes:  # versions a re-install reuses belong to the pack again
        if change.kind in ("form", "flow") and change.action == "unchanged":
            versions = created[f"{change.kind}s"].setdefault(change.key, [])
            if change.version not in versions:
                versions.append(change.version)
    return created


def _history(row: InstalledPack | None, actor: Actor, action: str, version: str) -> list[Any]:
    entry = {"action": action, "version": version, "by": actor.username, "at": utcnow().isoformat()}
    return [*(row.history if row is not None else []), entry]


def install(
    session: Session, actor: Actor, pack_id: str, version: str | None = None, roots: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Install a pack (newest version unless given); the same version again changes nothing."""
    pack = _choose(pack_id, version, roots)
    with transaction(session):
        row = _installed(session, actor.organisation_id, pack_id)
        if row is not None and row.status == "installed":
            if row.version == pack.version:
                return {
                    "plan": {
                        "pack": pack_id,
                        "version": pack.version,
                        "action": "none",
                        "counts": {},
                        "changes": [],
                    },
                    "installed": row,
                }
            raise ConflictError(
                "pack_installed", {"pack": pack_id, "installed": row.version, "version": pack.version}
            )
        result = plan(session, actor.organisation_id, pack, "install", None, actor.permissions)
        created = _apply(session, actor, result, row.created if row is not None else {})
        for flow_key in sorted(created.get("flows") or {}):  # installed again after an uninstall
            definitions.set_retired(session, actor, "flow", flow_key, False)
        row = _save(session, actor, row, pack, created, "install")
    return {"plan": result.to_dict(), "installed": row}


def upgrade(
    session: Session, actor: Actor, pack_id: str, version: str | None = None, roots: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Move an installed pack to a newer version: changed definitions get new versions beside the
    old ones (running instances stay on theirs), new master data and roles are added."""
    pack = _choose(pack_id, version, roots)
    with transaction(session):
        row = _installed(session, actor.organisation_id, pack_id)
        if row is None or row.status != "installed":
            raise ConflictError("pack_not_installed", {"pack": pack_id})
        if pack.version_tuple <= templates_library.parse_version(row.version):
            raise ConflictError(
                "pack_not_newer", {"pack": pack_id, "version": pack.version, "installed": row.version}
            )
        result = plan(session, actor.organisation_id, pack, "upgrade", row.version, actor.permissions)
        created = _apply(session, actor, result, row.created)
        row = _save(session, actor, row, pack, created, "upgrade")
    return {"plan": result.to_dict(), "installed": row}


def _save(
    session: Session,
    actor: Actor,
    row: InstalledPack | None,
    pack: Pack,
    created: dict[str, Any],
    action: str,
) -> InstalledPack:
    now = utcnow()
    if row is None:
        row = InstalledPack(
            organisation_id=actor.organisation_id,
            pack_id=pack.id,
            installed_by_id=actor.user_id,
            installed_at=now,
            history=[],
        )
        session.add(row)
    row.history = _history(row if row.history else None, actor, action, pack.version)
    row.version = pack.version
    row.status = "installed"
    row.content_hash = pack.content_hash()
    row.manifest = pack.summary()
    row.created = created
    row.labels = dict(pack.labels)
    row.updated_at, row.updated_by_id = now, actor.user_id
    if action == "install":
        row.installed_at, row.installed_by_id = now, actor.user_id
    session.flush()
    return row


def uninstall(session: Session, actor: Actor, pack_id: str) -> InstalledPack:
    """Refused while the pack's flows have instances; else retire its flows (no new instances;
    versions stay) and deactivate its master data."""
    with transaction(session):
        row = _installed(session, actor.organisation_id, pack_id)
        if row is None or row.status != "installed":
            raise ConflictError("pack_not_installed", {"pack": pack_id})
        instances = definitions.count_instances(
            session, actor.organisation_id, sorted(row.created.get("flows") or {})
        )
        if instances:
            raise ConflictError("pack_in_use", {"pack": pack_id, "instances": instances})
        for entity, owned in (row.created.get("masterdata") or {}).items():
            for row_id in owned.values():
                found = masterdata.get(session, actor.organisation_id, entity, int(row_id))
                if found.active:
                    masterdata.deactivate(session, actor, entity, int(row_id))
        for flow_key in sorted(row.created.get("flows") or {}):
            definitions.set_retired(session, actor, "flow", flow_key, True)
        row.status = "uninstalled"
        row.history = _history(row, actor, "uninstall", row.version)
        row.updated_at, row.updated_by_id = utcnow(), actor.user_id
    return row


def recipe_of(pack_id: str, roots: tuple[str, ...] = ()) -> Pack:
    """The newest available version of a pack (for its demo recipe)."""
    return _choose(pack_id, None, roots)
