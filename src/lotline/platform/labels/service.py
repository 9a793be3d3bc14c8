"""Labels: an item's label rendered from an installed pack's template and sent to a printer.

Templates come from the installed template packs (``labels/<key>.json``: ZPL with
``{{placeholder}}`` values, ``applies_to`` an item kind), named ``<pack>/<key>``. A label is
printed by sending its ZPL to the printer's raw port (TCP, 9100 by default), which every
industrial label printer speaks (Zebra, and the ZPL emulation of Honeywell, SATO, TSC, Citizen).

Values are put into ZPL field data so that nothing in them can act as a command: in a field with
``^FH`` (hexadecimal escapes; one is added where a value goes) the command characters ``^`` and
``~``, the escape character itself and control characters are written as escapes; a template
that changes the command prefixes or puts a value outside field data is refused
(``templates_library.zpl``). A value a template needs and the item does not have refuses the
print (a GS1 barcode without its serial must not be printed). Every print is an audit entry
(``print``: item, template, printer, copies), written once the printer took the label.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.platform.audit import service as audit_service
from lotline.platform.auth.models import Site
from lotline.platform.capture.effects import digital_link
from lotline.platform.db import transaction
from lotline.platform.errors import ConflictError, DomainError, NotFoundError
from lotline.platform.genealogy import service as genealogy
from lotline.platform.genealogy.models import Edge, Item
from lotline.platform.labels import messages as _messages  # noqa: F401 (registers the texts)
from lotline.platform.masterdata import service as masterdata
from lotline.platform.masterdata.models import Printer
from lotline.platform.packs.models import InstalledPack
from lotline.templates_library import zpl

_KINDS = {"unit": ("unit",), "lot": ("lot",), "container": ("case", "pallet")}
SEND_TIMEOUT_S = 5.0
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")  # ISO 3779: 17 characters, no I, O or Q


class PrinterUnreachable(DomainError):
    status = 503


@dataclass(frozen=True)
class Template:
    key: str  # <pack>/<label>
    name: dict[str, str]
    applies_to: str
    format: str
    template: str


def templates(session: Session, organisation_id: int, item: Item | None = None) -> list[Template]:
    """The label templates of the installed packs; for an ``item``, those for its kind, from the
    pack that brought its material when one did (a pharma pack's label is not an automotive
    unit's)."""
    rows = session.scalars(
        select(InstalledPack)
        .where(InstalledPack.organisation_id == organisation_id, InstalledPack.status == "installed")
        .order_by(InstalledPack.pack_id)
    )
    packs = list(rows)
    if item is not None:  # the pack that brought the item's material, where one did
        material = item.material_code or _content_material(session, item)
        own = [row for row in packs if material in (row.created.get("masterdata") or {}).get("material", {})]
        packs = own or packs
    found = [
        Template(
            f"{row.pack_id}/{key}", label["name"], label["applies_to"], label["format"], label["template"]
        )
        for row in packs
        for key, label in sorted(row.labels.items())
    ]
    if item is None:
        return found
    return [t for t in found if t.applies_to in _KINDS.get(item.kind, ())]


def values(session: Session, item: Item) -> dict[str, str | None]:
    """What a template may print of an item (``check.PLACEHOLDERS``); dates in GS1 form (YYMMDD)."""
    code = item.material_code or _content_material(session, item)
    material = masterdata.get_material_by_code(session, item.organisation_id, code) if code else None
    site = session.get(Site, item.site_id) if item.site_id is not None else None
    quantity = None if item.quantity is None else format(item.quantity.normalize(), "f")
    return {
        "code": item.code,
        "gtin": item.gtin,
        "lot": item.lot,
        "serial": item.serial,
        "sscc": item.sscc,
        "expiry": item.expiry.strftime("%y%m%d") if item.expiry else None,
        "production_date": _site_day(item.created_at, site).strftime("%y%m%d") if item.created_at else None,
        "quantity": quantity,
        "uom": item.uom,
        "material": code,
        "material_name_en": material.name_en if material is not None else None,
        "material_name_zh": material.name_zh if material is not None else None,
        "digital_link": digital_link(item),
        "site": site.name if site is not None else None,
        "supplier_lot": item.supplier_lot,
        "vin": item.serial if item.serial and _VIN.fullmatch(item.serial) else None,
    }


def _site_day(at: datetime, site: Site | None) -> date:
    """The day ``at`` fell on where the item was made (the site's time zone; UTC without one)."""
    try:
        zone = ZoneInfo(site.timezone) if site is not None and site.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return at.astimezone(zone).date()


def _content_material(session: Session, item: Item) -> str | None:
    """A case's or pallet's material: that of what it holds, when all of it is one material."""
    if item.kind != "container":
        return None
    held = (
        select(Item.material_code)
        .join(Edge, Edge.from_item_id == Item.id)
        .where(Edge.to_item_id == item.id, Edge.relation == "contained", Edge.voided_by_record_id.is_(None))
        .distinct()
        .limit(2)
    )
    codes = list(session.scalars(held))
    return codes[0] if len(codes) == 1 else None


def render_zpl(template: str, given: Mapping[str, str | None]) -> str:
    """The template with its placeholders filled, command by command: a value goes into a field's
    data (``^FD``) under that field's ``^FH`` escape character (one is added to a field that has
    none: its own text is then escaped too, so that it prints as before), with the command
    characters, the escape character and control characters written as escapes. Refuses a
    template that ``zpl.problems`` finds unsafe and a value the item does not have."""
    unsafe = zpl.problems(template)
    if unsafe:
        code, params = unsafe[0]
        raise ConflictError("label_template_unsafe", {"problem": code, **params})
    missing = sorted({name for name in zpl.PLACEHOLDER.findall(template) if not given.get(name)})
    if missing:
        raise ConflictError("label_value_missing", {"names": ", ".join(missing)})
    out: list[str] = []
    indicator: str | None = None  # the current field's ^FH escape character
    for token in zpl.commands(template):
        command = zpl.name(token)
        if command == "FH":
            indicator = token[3] if len(token) > 3 and not token[3].isspace() else "_"
        elif command in ("FS", "XA", "XZ"):
            indicator = None
        elif command == "FD" and zpl.PLACEHOLDER.search(token):
            added = indicator is None
            if added:
                out.append("^FH_")
            token = token[:3] + _fill(token[3:], given, indicator or "_", added)
        out.append(token)
    return "".join(out)


def _fill(data: str, given: Mapping[str, str | None], indicator: str, added: bool) -> str:
    """A field's data with its values escaped; its own text too when its ^FH was ``added``."""

    def own(text: str) -> str:
        return text.replace("_", "_5F") if added else text

    out, last = [], 0
    for match in zpl.PLACEHOLDER.finditer(data):
        out += [own(data[last : match.start()]), _escape(str(given[match.group(1)]), indicator)]
        last = match.end()
    out.append(own(data[last:]))
    return "".join(out)


def _escape(value: str, indicator: str) -> str:
    """``^``, ``~``, the escape character and control characters (C0, DEL, C1) as hexadecimal
    escapes of their UTF-8 bytes; everything else as it is (``^CI28``: UTF-8)."""
    out = []
    for char in value:
        code = ord(char)
        if char in ("^", "~", indicator) or code < 0x20 or 0x7F <= code <= 0x9F:
            out.append("".join(f"{indicator}{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)


def print_label(
    session: Session,
    actor: Any,
    item_id: int,
    *,
    template: str | None = None,
    printer: str | None = None,
    station: str | None = None,
    copies: int = 1,
) -> dict[str, Any]:
    """Render the item's label and send it to the printer (given, else the station's); audited."""
    organisation_id = actor.organisation_id
    item = genealogy.get_item(session, organisation_id, item_id)
    chosen = _template(session, organisation_id, item, template)
    target = _printer(session, organisation_id, printer, station)
    label = render_zpl(chosen.template, values(session, item)).encode("utf-8")
    printed = {"item_id": item.id, "template": chosen.key, "printer": target.code, "copies": copies}
    address = (target.code, target.host, target.port)
    details = {"template": chosen.key, "printer": target.code, "copies": copies, "bytes": len(label)}
    # no transaction stays open while the printer is spoken to (up to SEND_TIMEOUT_S): on SQLite a
    # read snapshot older than another station's commit could not write the entry afterwards
    session.rollback()
    _send(*address, label * copies)
    with transaction(session):  # printed: the entry, in a transaction of its own
        audit_service.record(
            session, "print", "item", item_id, details=details, organisation_id=organisation_id
        )
    return printed


def _template(session: Session, organisation_id: int, item: Item, key: str | None) -> Template:
    available = templates(session, organisation_id, item)
    if key is not None:
        for found in available:
            if found.key == key:
                return found
        raise NotFoundError("label_template_not_found", {"template": key, "kind": item.kind})
    if len(available) == 1:
        return available[0]
    if not available:
        raise NotFoundError("label_template_none", {"kind": item.kind})
    raise ConflictError("label_template_ambiguous", {"templates": ", ".join(t.key for t in available)})


def _printer(session: Session, organisation_id: int, code: str | None, station: str | None) -> Printer:
    """The printer named, else the station's (its first active one by code)."""
    if code:
        found = session.scalar(
            select(Printer).where(Printer.organisation_id == organisation_id, Printer.code == code)
        )
        if found is None or not found.active:
            raise NotFoundError("printer_not_found", {"printer": code})
        return found
    if not station:
        raise DomainError("printer_required")
    at = masterdata.get_station_by_code(session, organisation_id, station)
    mine = select(Printer).where(Printer.station_id == (at.id if at else None), Printer.active.is_(True))
    found = session.scalar(mine.order_by(Printer.code)) if at is not None else None
    if found is None:
        raise NotFoundError("station_has_no_printer", {"station": station})
    return found


def _send(code: str, host: str, port: int, data: bytes) -> None:
    try:
        with socket.create_connection((host, port), timeout=SEND_TIMEOUT_S) as conn:
            conn.sendall(data)
    except OSError as error:
        reason = (
            "timed out"
            if isinstance(error, TimeoutError)
            else "refused"
            if isinstance(error, ConnectionRefusedError)
            else "unreachable"
        )
        raise PrinterUnreachable(
            "printer_unreachable",
            {"printer": code, "address": f"{host}:{port}", "error": reason},
        ) from error
