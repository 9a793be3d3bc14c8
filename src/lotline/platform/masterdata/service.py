"""Master-data service: create, change, retire and look up lines, stations, equipment, locations,
partners and materials; import materials, partners and locations from CSV; bills of materials.

Module-level functions; the session and the acting user are passed in; ``transaction`` owns the
commit. Every problem is collected and raised once with its path. Rows are never deleted:
``deactivate`` sets ``active = false``. Codes never change once created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Path, Problem, ProblemsError
from lotline.platform import refcache
from lotline.platform.auth.models import Site  # read only: sites belong to the identity domain
from lotline.platform.db import transaction
from lotline.platform.errors import ConflictError, NotFoundError
from lotline.platform.masterdata.boms import (
    allowed_components,
    create_bom,
    current_bom,
    deactivate_bom,
    get_bom,
    list_boms,
    update_bom,
)
from lotline.platform.masterdata.csv_import import open_csv
from lotline.platform.masterdata.messages import KIND_ZH
from lotline.platform.masterdata.models import (
    Equipment,
    Location,
    Material,
    Partner,
    Printer,
    ProductionLine,
    Station,
)
from lotline.platform.masterdata.specs import SPECS, Spec, clean, is_blank
from lotline.platform.masterdata.values import Invalid, to_gtin
from lotline.platform.refcache import Snapshot

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor

__all__ = [
    "IMPORTABLE",
    "MODELS",
    "ImportResult",
    "allowed_components",
    "check_values",
    "create",
    "create_bom",
    "current_bom",
    "deactivate",
    "deactivate_bom",
    "find_material_by_gtin",
    "get",
    "get_bom",
    "get_equipment_by_code",
    "get_location_by_code",
    "get_material_by_code",
    "get_partner_by_code",
    "get_station_by_code",
    "import_csv",
    "list_boms",
    "list_rows",
    "update",
    "update_bom",
]

MODELS: dict[str, Any] = {
    "material": Material,
    "partner": Partner,
    "location": Location,
    "line": ProductionLine,
    "station": Station,
    "equipment": Equipment,
    "printer": Printer,
}
IMPORTABLE = ("material", "partner", "location")
SEARCHED = {"material": ("code", "name_en", "name_zh")}
UNIQUE = {"material": ("gtin", "gtin_taken"), "location": ("gln", "gln_taken")}
_CHUNK = 500
_SITE = {"kind": "site", "kind_zh": "站点"}


def _params(entity: str, **extra: Any) -> dict[str, Any]:
    return {"kind": entity, "kind_zh": KIND_ZH.get(entity, entity), **extra}


# --- reading ----------------------------------------------------------------------------------


def get(session: Session, organisation_id: int, entity: str, row_id: int) -> Any:
    row = session.get(MODELS[entity], row_id)
    if row is None or row.organisation_id != organisation_id:
        raise NotFoundError("masterdata_not_found", _params(entity, ref=f"#{row_id}"))
    return row


def _by_code(session: Session, organisation_id: int, entity: str, code: str) -> Any:
    model = MODELS[entity]
    return session.scalar(
        select(model).where(model.organisation_id == organisation_id, model.code == code.strip())
    )


def get_material_by_code(session: Session, organisation_id: int, code: str) -> Material | None:
    """The material with this code (active or not: callers decide what inactive means), or None."""
    found: Material | None = _by_code(session, organisation_id, "material", code)
    return found


def get_station_by_code(session: Session, organisation_id: int, code: str) -> Station | None:
    found: Station | None = _by_code(session, organisation_id, "station", code)
    return found


def get_equipment_by_code(session: Session, organisation_id: int, code: str) -> Equipment | None:
    found: Equipment | None = _by_code(session, organisation_id, "equipment", code)
    return found


def get_location_by_code(session: Session, organisation_id: int, code: str) -> Location | None:
    found: Location | None = _by_code(session, organisation_id, "location", code)
    return found


def get_partner_by_code(session: Session, organisation_id: int, code: str) -> Partner | None:
    found: Partner | None = _by_code(session, organisation_id, "partner", code)
    return found


def find_material_by_gtin(session: Session, organisation_id: int, gtin: str) -> Material | None:
    """The material with this GTIN (8, 12, 13 or 14 digits, compared as GTIN-14), or None."""
    try:
        normalised = to_gtin(gtin)
    except Invalid:
        return None
    return session.scalar(
        select(Material).where(Material.organisation_id == organisation_id, Material.gtin == normalised)
    )


# --- cached lookups (the capture path; ``refcache`` keys them by the reference data's revision) --


def station_ref(session: Session, organisation_id: int, code: str) -> Snapshot | None:
    """The station with this code as a read-only snapshot with its ``site_code`` and
    ``line_code`` ("" where it has none), or None."""
    code = code.strip()

    def load() -> Snapshot | None:
        station = get_station_by_code(session, organisation_id, code)
        if station is None:
            return None
        fresh = {"populate_existing": True}
        site = session.get(Site, station.site_id, **fresh) if station.site_id is not None else None
        line = session.get(ProductionLine, station.line_id, **fresh) if station.line_id is not None else None
        return refcache.snapshot(
            station, site_code=site.code if site else "", line_code=line.code if line else ""
        )

    return refcache.cached(session, ("station", organisation_id, code), load)


def material_ref(
    session: Session, organisation_id: int, *, code: str | None = None, gtin: str | None = None
) -> Snapshot | None:
    """The material with this code (else this GTIN) as a read-only snapshot, or None."""
    if code:
        key: tuple[Any, ...] = ("material", organisation_id, code)
        return refcache.cached(
            session, key, lambda: refcache.snapshot(get_material_by_code(session, organisation_id, code))
        )
    if gtin:
        key = ("material_gtin", organisation_id, gtin)
        return refcache.cached(
            session, key, lambda: refcache.snapshot(find_material_by_gtin(session, organisation_id, gtin))
        )
    return None


def component_codes(
    session: Session, organisation_id: int, product_code: str, at: date
) -> tuple[str, ...] | None:
    """Component codes of the product's BOM current on ``at``, sorted; None when the product is
    unknown or has no current BOM."""

    def load() -> tuple[str, ...] | None:
        material = get_material_by_code(session, organisation_id, product_code)
        if material is None:
            return None
        components = allowed_components(session, organisation_id, material.id, at)
        return tuple(sorted(components)) if components else None

    return refcache.cached(session, ("bom_components", organisation_id, product_code, at), load)


def list_rows(
    session: Session,
    organisation_id: int,
    entity: str,
    *,
    active: bool | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
    **filters: Any,
) -> tuple[list[Any], int]:
    """One page of rows ordered by code, and how many match; ``q`` searches code and names."""
    model = MODELS[entity]
    query = select(model).where(model.organisation_id == organisation_id)
    if active is not None:
        query = query.where(model.active == active)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    if q and q.strip():
        needle = q.strip().lower()
        columns = SEARCHED.get(entity, ("code", "name"))
        query = query.where(
            or_(*(func.lower(getattr(model, c)).contains(needle, autoescape=True) for c in columns))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(model.code, model.id).limit(limit).offset(offset))
    return list(rows), total


# --- checks across columns and rows -----------------------------------------------------------


@dataclass
class _Context:
    """What the checks of a batch of rows need from the database, loaded in a few queries."""

    sites: dict[str, int] = field(default_factory=dict)  # site code -> id
    lines: dict[int, int] = field(default_factory=dict)  # line id -> site id
    stations: dict[int, int] = field(default_factory=dict)  # station id -> site id
    locations: set[int] = field(default_factory=set)  # location ids of the organisation named
    owners: dict[str, tuple[int, str]] = field(default_factory=dict)  # GTIN/GLN -> (id, code)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(dict.fromkeys(v for v in values if v is not None))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _load_context(
    session: Session, organisation_id: int, entity: str, states: list[dict[str, Any]]
) -> _Context:
    ctx = _Context()
    if entity in ("location", "line", "station", "equipment", "printer"):
        rows = session.execute(select(Site.code, Site.id).where(Site.organisation_id == organisation_id))
        ctx.sites = {code: site_id for code, site_id in rows}
    for key, model, target in (("line_id", ProductionLine, ctx.lines), ("station_id", Station, ctx.stations)):
        for chunk in _chunks(s.get(key) for s in states):
            found = session.execute(
                select(model.id, model.site_id).where(
                    model.organisation_id == organisation_id, model.id.in_(chunk)
                )
            )
            target.update({row_id: site_id for row_id, site_id in found})
    for chunk in _chunks(s.get("location_id") for s in states):
        ctx.locations.update(
            session.scalars(
                select(Location.id).where(Location.organisation_id == organisation_id, Location.id.in_(chunk))
            )
        )
    if entity in UNIQUE:
        column = UNIQUE[entity][0]
        model = MODELS[entity]
        for chunk in _chunks(s.get(column) for s in states):
            owners = session.execute(
                select(getattr(model, column), model.id, model.code).where(
                    model.organisation_id == organisation_id, getattr(model, column).in_(chunk)
                )
            )
            ctx.owners.update({value: (row_id, code) for value, row_id, code in owners})
    return ctx


def _reference(
    state: dict[str, Any], key: str, entity: str, known: Mapping[int, int], path: Path
) -> list[Problem]:
    """``state[key]`` names a line/station of the organisation on the row's site."""
    value = state.get(key)
    if value is None:
        return []
    if value not in known:
        return [Problem((*path, key), "unknown_reference", _params(entity, value=value))]
    if state.get("site_id") is not None and known[value] != state["site_id"]:
        return [Problem((*path, key), "other_site", _params(entity, value=value))]
    return []


def _row_problems(entity: str, state: dict[str, Any], path: Path, ctx: _Context) -> list[Problem]:
    """Checks that look at several columns or at other tables (``state`` is the row after the change)."""
    problems: list[Problem] = []
    if "site" in state:  # CSV: the site's code, resolved to its id here
        code = state.pop("site")
        state["site_id"] = ctx.sites.get(code) if code else None
        if code and state["site_id"] is None:
            problems.append(Problem((*path, "site"), "unknown_reference", {**_SITE, "value": code}))
    elif state.get("site_id") is not None and state["site_id"] not in ctx.sites.values():
        problems.append(
            Problem((*path, "site_id"), "unknown_reference", {**_SITE, "value": state["site_id"]})
        )
    if entity == "material" and not (state.get("name_en") or state.get("name_zh")):
        problems.append(Problem((*path, "name_en"), "name_missing"))
    if entity == "location" and (state.get("latitude") is None) != (state.get("longitude") is None):
        problems.append(Problem((*path, "latitude"), "coordinates_pair"))
    problems += _reference(state, "line_id", "line", ctx.lines, path)
    problems += _reference(state, "station_id", "station", ctx.stations, path)
    location = state.get("location_id")
    if location is not None and location not in ctx.locations:
        found = _params("location", value=location)
        problems.append(Problem((*path, "location_id"), "unknown_reference", found))
    return problems


@dataclass
class _Entry:
    path: Path
    row: Any  # the existing row, or None for a new one
    cleaned: dict[str, Any]  # what changes
    state: dict[str, Any]  # the whole row after the change


def _unique_problems(entity: str, entries: list[_Entry], ctx: _Context) -> list[Problem]:
    """A GTIN (materials) or GLN (locations) belongs to one row, counting moves within a batch."""
    if entity not in UNIQUE:
        return []
    column, code = UNIQUE[entity]
    released = {
        getattr(e.row, column)
        for e in entries
        if e.row is not None and column in e.cleaned and getattr(e.row, column) != e.cleaned[column]
    }
    problems: list[Problem] = []
    claimed: dict[str, _Entry] = {}
    for entry in entries:
        value = entry.state.get(column)
        if not value:
            continue
        owner = ctx.owners.get(value)
        mine = entry.row is not None and owner is not None and owner[0] == entry.row.id
        if owner is not None and not mine and value not in released:
            problems.append(Problem((*entry.path, column), code, {"value": value, "owner": owner[1]}))
        elif value in claimed:
            line = claimed[value].path[1] if claimed[value].path else ""
            problems.append(Problem((*entry.path, column), "duplicate_row", {"value": value, "line": line}))
        else:
            claimed[value] = entry
    return problems


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:  # a concurrent writer won a uniqueness race
        raise ConflictError("conflict") from None


def _current(spec: Spec, row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in spec.columns if c.rest}


# --- writing ----------------------------------------------------------------------------------


def check_values(entity: str, values: Mapping[str, Any]) -> list[Problem]:
    """Every problem the API would report for a new row with ``values`` (nothing is read or written)."""
    return clean(SPECS[entity], values, creating=True)[1]


def create(session: Session, actor: Actor, entity: str, values: Mapping[str, Any]) -> Any:
    """A new row of ``entity`` from API values (409 if the code is taken, 422 with every problem)."""
    spec, model, org = SPECS[entity], MODELS[entity], actor.organisation_id
    cleaned, problems = clean(spec, values, creating=True)
    with transaction(session):
        state = dict(cleaned)
        ctx = _load_context(session, org, entity, [state])
        problems += _row_problems(entity, state, (), ctx)
        problems += _unique_problems(entity, [_Entry((), None, cleaned, state)], ctx)
        if problems:
            raise ProblemsError(problems)
        taken = select(model.id).where(model.organisation_id == org, model.code == state["code"])
        if entity == "line":
            taken = taken.where(model.site_id == state["site_id"])
        if session.scalar(taken) is not None:
            params = _params(entity, code=state["code"])
            raise ConflictError("code_taken", params, [Problem(("code",), "code_taken", params)])
        row = model(organisation_id=org, **state)
        session.add(row)
        _flush(session)
    return row


def update(session: Session, actor: Actor, entity: str, row_id: int, values: Mapping[str, Any]) -> Any:
    """Change some columns of a row (not its code); 422 lists every problem."""
    spec = SPECS[entity]
    changes = {k: v for k, v in values.items() if k != "code"}
    cleaned, problems = clean(spec, changes, creating=False)
    with transaction(session):
        row = get(session, actor.organisation_id, entity, row_id)
        if "code" in values and values["code"] != row.code:
            problems.append(Problem(("code",), "code_fixed"))
        state = _current(spec, row) | cleaned
        ctx = _load_context(session, actor.organisation_id, entity, [state])
        problems += _row_problems(entity, state, (), ctx)
        problems += _unique_problems(entity, [_Entry((), row, cleaned, state)], ctx)
        if problems:
            raise ProblemsError(problems)
        for name in cleaned:
            setattr(row, name, state[name])
        _flush(session)
    return row


def deactivate(session: Session, actor: Actor, entity: str, row_id: int) -> Any:
    """Retire a row (``active = false``); records that point at it keep pointing at it."""
    with transaction(session):
        row = get(session, actor.organisation_id, entity, row_id)
        row.active = False
    return row


# --- CSV import -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    entity: str
    dry_run: bool
    delimiter: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _line(problem: Problem) -> int:
    return problem.path[1] if len(problem.path) > 1 and problem.path[0] == "rows" else 0  # type: ignore[return-value]


def import_csv(
    session: Session,
    actor: Actor,
    entity: str,
    stream: IO[bytes],
    *,
    dry_run: bool = False,
    encoding: str = "utf-8",
) -> ImportResult:
    """Upsert rows by code from a CSV file, all or nothing: any problem stores nothing and every
    problem is raised at once (``rows[<line>].<column>``). ``dry_run`` reports what would change."""
    if entity not in IMPORTABLE:
        raise ValueError(f"{entity} rows are not imported from files")
    spec, model, org = SPECS[entity], MODELS[entity], actor.organisation_id
    parsed = open_csv(stream, spec, encoding)
    problems: list[Problem] = []
    entries: list[tuple[int, dict[str, str], dict[str, Any]]] = []
    first_line: dict[str, int] = {}
    for record in parsed.rows():
        cleaned, found = clean(spec, record.values, creating=False, path=("rows", record.line))
        problems += found
        code = cleaned.get("code")
        if code in first_line:
            params = {"value": code, "line": first_line[code]}
            problems.append(Problem(("rows", record.line, "code"), "duplicate_row", params))
            continue
        if code:
            first_line[code] = record.line
        entries.append((record.line, record.values, cleaned))
    result = ImportResult(entity, dry_run, parsed.delimiter, len(entries), ignored_columns=parsed.ignored)
    with transaction(session):
        existing: dict[str, Any] = {}
        for chunk in _chunks(first_line):
            existing.update(
                (r.code, r)
                for r in session.scalars(
                    select(model).where(model.organisation_id == org, model.code.in_(chunk))
                )
            )
        batch: list[_Entry] = []
        for line, raw, cleaned in entries:
            row = existing.get(cleaned.get("code") or "")
            if row is None:
                missing = [c.name for c in spec.columns if c.required and c.csv and c.name not in raw]
                problems += [Problem(("rows", line, name), "required") for name in missing]
                state = dict(cleaned)
            else:  # a blank cell clears what can be empty and leaves columns with a default alone
                cleaned = {
                    k: v
                    for k, v in cleaned.items()
                    if not (is_blank(raw.get(k)) and spec.by_name[k].empty is not None)
                }
                state = _current(spec, row) | cleaned
            batch.append(_Entry(("rows", line), row, cleaned, state))
        ctx = _load_context(session, org, entity, [e.state for e in batch])
        for entry in batch:
            problems += _row_problems(entity, entry.state, entry.path, ctx)
        problems += _unique_problems(entity, batch, ctx)
        problems += parsed.problems
        if problems:
            raise ProblemsError(sorted(problems, key=_line), code="import_refused")
        for entry in batch:
            _apply(session, result, model, org, entry)
        if not dry_run:
            _flush(session)
    return result


def _apply(session: Session, result: ImportResult, model: Any, org: int, entry: _Entry) -> None:
    writes = {k: entry.state[k] for k in entry.cleaned if k != "site"}
    if "site" in entry.cleaned:
        writes["site_id"] = entry.state["site_id"]
    change: dict[str, Any] = {"line": entry.path[1], "code": entry.state["code"]}
    if entry.row is None:
        result.created += 1
        result.changes.append(
            {**change, "action": "create", "values": {k: _plain(v) for k, v in writes.items()}}
        )
        if not result.dry_run:
            session.add(model(organisation_id=org, **writes))
        return
    diff = {
        k: {"from": _plain(getattr(entry.row, k)), "to": _plain(v)}
        for k, v in writes.items()
        if getattr(entry.row, k) != v
    }
    if not diff:
        result.unchanged += 1
        return
    result.updated += 1
    result.changes.append({**change, "action": "update", "changes": diff})
    if not result.dry_run:
        for name, value in writes.items():
            setattr(entry.row, name, value)
