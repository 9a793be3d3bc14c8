"""FDA FSMA 204: the electronic sortable spreadsheet of key data elements (21 CFR 1.1455(c)).

When FDA asks (within 24 hours, during an outbreak or a recall), a firm hands over, for the foods
and dates asked about, every critical tracking event (CTE) with its key data elements (KDEs).
Lotline has them already: a flow node that records a CTE declares where each KDE comes from
(``workflow_engine.compliance``: a form field, an earlier step of the same instance, or a fact
every record has). This module reads them back from the records:

* one row per CTE record, a transformation one row per input lot (its inputs' KDEs differ, its
  outputs' do not), as FDA's own template lays them out;
* columns: the CTE, its date and where it happened (the KDEs that say so for that CTE, so the sheet
  sorts by date and place whatever the CTE), every KDE of the rule, the record;
* a location is its FSMA 204 description (business name, phone, address; the station's location
  for ``@site`` and ``@station``), a product its material's name, a date the local date of the
  event, a lot code the traceability lot code.

Corrected records are reported as corrected (the correction, not the original). Sources a record
cannot answer stay empty: the sheet shows what was recorded, it does not invent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.platform.auth.context import parse_utc_offset
from lotline.platform.auth.models import Site
from lotline.platform.capture.models import Record
from lotline.platform.definitions.models import DefinitionVersion, FlowInstance
from lotline.platform.genealogy.models import Item
from lotline.platform.masterdata.models import Location, Material, Station
from lotline.workflow_engine.compliance import FSMA204_KDES

# the KDE that says when, and where, each CTE happened
EVENT_DATE = {
    "harvesting": "harvest_date",
    "cooling": "cooling_date",
    "initial_packing": "packing_date",
    "first_land_based_receiving": "landing_date",
    "shipping": "ship_date",
    "receiving": "receive_date",
    "transformation": "transformation_date",
}
EVENT_PLACE = {
    "harvesting": "farm_location",
    "cooling": "cooling_location",
    "initial_packing": "packing_location",
    "first_land_based_receiving": "landing_location",
    "shipping": "ship_from_location",
    "receiving": "receive_location",
    "transformation": "tlc_source",
}
KDES: tuple[str, ...] = tuple(
    dict.fromkeys(kde for required, optional in FSMA204_KDES.values() for kde in (*required, *optional))
)
COLUMNS: tuple[str, ...] = ("cte", "event_date", "event_location", *KDES, "lotline_record", "event_time")
HEADERS = {
    "cte": "Critical tracking event",
    "event_date": "Event date",
    "event_location": "Location of the event",
    "lotline_record": "Lotline record",
    "event_time": "Event time (local)",
}
MAX_ROWS = 100_000


def header(column: str) -> str:
    text = HEADERS.get(column) or column.replace("_", " ").capitalize()
    return text.replace("Tlc", "TLC").replace(" tlc", " TLC")


def _kind(kde: str) -> str:
    if kde.endswith(("_location", "_locations")) or kde == "tlc_source":
        return "location"
    if kde.endswith(("_date", "_date_range")):
        return "date"
    if kde in ("tlc", "input_tlc"):
        return "tlc"
    if kde in ("product", "input_product", "species"):
        return "product"
    if kde.endswith("quantity"):
        return "quantity"
    if kde.endswith("unit"):
        return "unit"
    return "text"


@dataclass
class _Context:
    """What a record's KDE sources are read from, loaded once per export."""

    session: Session
    organisation_id: int
    locations: dict[str, Location]
    stations: dict[int, Station]
    sites: dict[int, Site]
    materials: dict[str, Material]
    items: dict[str, Item | None]  # by code, looked up as needed
    memo: dict[tuple[str, Any, Any], Any]  # per record: its subject, output, earlier steps

    def item(self, code: str | None) -> Item | None:
        if not code:
            return None
        if code not in self.items:
            self.items[code] = self.session.scalar(
                select(Item).where(Item.organisation_id == self.organisation_id, Item.code == code).limit(1)
            )
        return self.items[code]


def rows(
    session: Session,
    organisation_id: int,
    since: datetime,
    until: datetime,
    *,
    tlc: str | None = None,
) -> list[dict[str, Any]]:
    """The spreadsheet's rows for the CTEs recorded in [since, until), oldest first; with ``tlc``
    only those of that traceability lot code (as the lot or as an input of a transformation)."""
    ctx = _context(session, organisation_id)
    in_window = (
        Record.organisation_id == organisation_id,
        Record.event_time >= since,
        Record.event_time < until,
        Record.id.not_in(_corrected(organisation_id)),
    )
    versions = session.scalars(select(Record.flow_version_id).where(*in_window).distinct())
    ctes = {(version, node): cte for version in versions for node, cte in _ctes(session, version).items()}
    if not ctes:
        return []
    records = session.scalars(
        select(Record)
        .where(*in_window, sa.tuple_(Record.flow_version_id, Record.node).in_(list(ctes)))
        .order_by(Record.event_time, Record.id)
    )
    out: list[dict[str, Any]] = []
    for record in records:
        for row in _record_rows(ctx, record, ctes[(record.flow_version_id, record.node)]):
            if tlc is None or tlc in (row.get("tlc"), row.get("input_tlc")):
                out.append(row)
                if len(out) > MAX_ROWS:
                    raise OverflowError(MAX_ROWS)
    return out


def _corrected(organisation_id: int) -> Any:
    """The ids of records a later record corrects (the correction stands for them)."""
    return select(Record.corrects_record_id).where(
        Record.organisation_id == organisation_id, Record.corrects_record_id.is_not(None)
    )


def _context(session: Session, organisation_id: int) -> _Context:
    def by(model: Any, key: str) -> dict[Any, Any]:
        found = session.scalars(select(model).where(model.organisation_id == organisation_id))
        return {getattr(row, key): row for row in found}

    return _Context(
        session,
        organisation_id,
        by(Location, "code"),
        by(Station, "id"),
        by(Site, "id"),
        by(Material, "code"),
        {},
        {},
    )


def _ctes(session: Session, version_id: int) -> dict[str, Any]:
    version = session.get(DefinitionVersion, version_id)
    nodes = (version.document.get("nodes") if version is not None else None) or []
    return {
        node["id"]: node["cte"]
        for node in nodes
        if isinstance(node.get("cte"), Mapping) and node["cte"].get("standard") == "fsma204"
    }


def _record_rows(ctx: _Context, record: Record, cte: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    event = str(cte.get("event"))
    kdes: Mapping[str, str] = cte.get("kdes") or {}
    group = _row_group(record, kdes)
    entries: Sequence[Mapping[str, Any] | None] = record.data.get(group) if group else [None]  # type: ignore[assignment]
    for entry in entries or [None]:
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        for kde, source in kdes.items():
            if kde in row:
                row[kde] = _value(ctx, record, _kind(kde), str(source), group, entry)
        row["cte"] = event
        row["event_date"] = row.get(EVENT_DATE.get(event, ""))
        row["event_location"] = row.get(EVENT_PLACE.get(event, ""))
        row["lotline_record"] = record.id
        row["event_time"] = _local(record).isoformat(timespec="minutes")
        yield row


def _row_group(record: Record, kdes: Mapping[str, str]) -> str | None:
    """The repeating group (e.g. a transformation's inputs) whose entries are the rows, if any."""
    for source in kdes.values():
        head = str(source).split(".", 1)[0]
        entries = record.data.get(head) if not head.startswith("@") and ":" not in head else None
        if isinstance(entries, list) and entries and all(isinstance(e, Mapping) for e in entries):
            return head
    return None


def _local(record: Record) -> datetime:
    """When the record happened, on the clock of the place that recorded it."""
    minutes = parse_utc_offset(record.event_time_zone_offset) or 0
    return record.event_time.astimezone(timezone(timedelta(minutes=minutes)))


def _value(
    ctx: _Context,
    record: Record,
    kind: str,
    source: str,
    group: str | None,
    entry: Mapping[str, Any] | None,
) -> Any:
    if ":" in source:  # "<node>:<path>": an earlier step of the same instance
        node, _, path = source.partition(":")
        key = ("earlier", record.id, node)
        if key not in ctx.memo:
            ctx.memo[key] = _earlier(ctx.session, record, node)
        earlier = ctx.memo[key]
        return _value(ctx, earlier, kind, path, None, None) if earlier is not None else None
    if source.startswith("@"):
        return _context_value(ctx, record, kind, source)
    head, _, rest = source.partition(".")
    if group == head and entry is not None:  # a field of this row's entry
        value: Any = entry
    else:
        value = record.data.get(head)
    for part in rest.split(".") if rest else ():
        value = value.get(part) if isinstance(value, Mapping) else None
    return _typed(ctx, kind, value)


def _earlier(session: Session, record: Record, node: str) -> Record | None:
    """The step ``node`` of the same instance before this record (by position: a correction keeps
    its original's), as corrected."""
    if record.flow_instance_id is None:
        return None
    return session.scalar(
        select(Record)
        .where(
            Record.flow_instance_id == record.flow_instance_id,
            Record.node == node,
            Record.seq < record.seq,
            Record.id.not_in(_corrected(record.organisation_id)),
        )
        .order_by(Record.seq.desc(), Record.id.desc())
        .limit(1)
    )


def _context_value(ctx: _Context, record: Record, kind: str, source: str) -> Any:
    if source == "@event_time":
        return _local(record).date().isoformat() if kind == "date" else _local(record).isoformat()
    if source in ("@site", "@station"):
        station = ctx.stations.get(record.station_id) if record.station_id is not None else None
        location = _location_of(ctx, station)  # none set on the station: the cell stays empty
        return _description(location) if location is not None else None
    if source == "@operator":
        return record.operator_name
    if ("subject", record.id, None) not in ctx.memo:
        ctx.memo[("subject", record.id, None)] = _subject(ctx, record)
        ctx.memo[("output", record.id, None)] = _output(ctx.session, record)
    subject, output = ctx.memo[("subject", record.id, None)], ctx.memo[("output", record.id, None)]
    if source == "@subject":
        return _item_value(ctx, kind, subject)
    if source == "@output":
        return _item_value(ctx, kind, output)
    if source == "@material":
        item = subject or output
        material = ctx.materials.get(item.material_code or "") if item is not None else None
        if material is None:
            return None
        return material.uom if kind == "unit" else (material.name_en or material.name_zh)
    return None


def _location_of(ctx: _Context, station: Station | None) -> Location | None:
    if station is None or station.location_id is None:
        return None
    key = ("locations by id", None, None)
    if key not in ctx.memo:
        ctx.memo[key] = {location.id: location for location in ctx.locations.values()}
    found: Location | None = ctx.memo[key].get(station.location_id)
    return found


def _subject(ctx: _Context, record: Record) -> Item | None:
    """The item the record's flow instance is about (its subject's code), once per instance."""
    if record.flow_instance_id is None:
        return None
    key = ("instance subject", record.flow_instance_id, None)
    if key not in ctx.memo:
        query = select(FlowInstance.subject).where(FlowInstance.id == record.flow_instance_id)
        ctx.memo[key] = ctx.session.scalar(query)
    return ctx.item(ctx.memo[key])


def _output(session: Session, record: Record) -> Item | None:
    """The item the record made; for a correction that kept its original's item, that one."""
    chain = [record.id]
    original = record.corrects_record_id
    while original is not None:
        chain.append(original)
        original = session.scalar(select(Record.corrects_record_id).where(Record.id == original))
    return session.scalar(select(Item).where(Item.created_by_record_id.in_(chain)).order_by(Item.id).limit(1))


def _item_value(ctx: _Context, kind: str, item: Item | None) -> Any:
    if item is None:
        return None
    if kind == "tlc":
        return item.lot or item.code
    if kind == "product":
        material = ctx.materials.get(item.material_code or "")
        return (material.name_en or material.name_zh) if material is not None else item.material_code
    if kind == "quantity":
        return _number(item.quantity)
    if kind == "unit":
        return item.uom
    return item.code


def _typed(ctx: _Context, kind: str, value: Any) -> Any:
    """A form value as the KDE's kind reads it (scans by their codes, locations described)."""
    if isinstance(value, Mapping):
        if "value" in value:  # a measurement
            return _number(value["value"]) if kind != "unit" else value.get("unit")
        code = value.get("code") or value.get("raw")
        if kind == "tlc":
            return value.get("lot") or code
        if kind == "product":
            item = ctx.item(code)
            return _item_value(ctx, "product", item) if item is not None else code
        value = code
    if value is None or value == "":
        return None
    if kind == "location":
        location = ctx.locations.get(str(value))
        return _description(location) if location is not None else str(value)
    if kind == "quantity":
        return _number(value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.replace(",", "."))
        except ArithmeticError:
            return value
        return _number(number)
    return value


def _description(location: Location) -> str:
    """FSMA 204's location description: business name, phone number, physical address."""
    town = " ".join(p for p in (location.region, location.postal_code) if p)
    parts = [
        location.business_name or location.name,
        location.phone,
        location.street,
        location.city,
        town,
        location.country,
    ]
    text = ", ".join(p for p in parts if p)
    return f"{text} (GLN {location.gln})" if location.gln else text


# --- the files ---------------------------------------------------------------------------------


def to_csv(found: Sequence[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # a spreadsheet opens UTF-8 as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header(c) for c in COLUMNS])
    for row in found:
        writer.writerow([_formula_safe(_plain(row.get(c))) for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def to_xlsx(found: Sequence[Mapping[str, Any]], title: str) -> bytes:
    """A workbook written as it goes (constant memory per row): a bold, frozen header with filters."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("FSMA 204")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header(column))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in found:
        cells = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet, value=_plain(row.get(column), xlsx=True))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            cells.append(cell)
        sheet.append(cells)
    last = f"{_column_letter(len(COLUMNS))}{len(found) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"  # sortable and filterable, as FDA asks
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _plain(value: Any, xlsx: bool = False) -> Any:
    """A cell's value: lists as text, and (XLSX) no control characters, which it cannot hold."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if xlsx and isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    return value


def _formula_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula starts with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
