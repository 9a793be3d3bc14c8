"""Finding items by what was scanned, several scans in one query (capture resolves every consumed
lot of a record at once): each scan gets exactly the items ``find_items`` gives it alone."""

from __future__ import annotations

from typing import Any

from lotline.platform.audit import service as audit_service
from lotline.platform.db import get_session
from lotline.platform.genealogy import service as genealogy
from lotline.platform.genealogy.models import Item

GTIN = "09506000134352"


def _items(org: Any) -> dict[str, Item]:
    session = get_session()
    organisation = org.organisation.id
    audit_service.set_actor(session, audit_service.system_actor("find-items-test", organisation))
    rows = {
        "lot": Item(
            organisation_id=organisation, code="L-7", kind="lot", gtin=GTIN, lot="L-7", status="released"
        ),
        "unit": Item(
            organisation_id=organisation, code="U-1", kind="unit", gtin=GTIN, serial="S-1", status="released"
        ),
        # a plain code that is another item's serial: the exact code wins
        "coded": Item(organisation_id=organisation, code="S-1", kind="lot", status="released"),
        "supplier": Item(
            organisation_id=organisation, code="R-9", kind="lot", supplier_lot="SUP-42", status="released"
        ),
        "pallet": Item(
            organisation_id=organisation,
            code="P-1",
            kind="container",
            sscc="095060001343520000",
            status="released",
        ),
    }
    session.add_all(rows.values())
    session.commit()
    return rows


def test_each_scan_gets_what_it_would_get_alone(org: Any) -> None:
    items = _items(org)
    scans = [
        {"gtin": GTIN, "lot": "L-7"},
        {"gtin": GTIN, "serial": "S-1"},
        {"code": "S-1"},  # exact code beats the unit whose serial is S-1
        {"code": "SUP-42"},  # no such code: the supplier lot
        {"sscc": "095060001343520000"},
        {"code": "NOPE"},
        {},
    ]
    session = get_session()
    together = genealogy.find_items_each(session, org.organisation.id, scans, for_update=True)
    alone = [genealogy.find_items(session, org.organisation.id, scan) for scan in scans]
    assert together == alone
    assert [[i.id for i in found] for found in together] == [
        [items["lot"].id],
        [items["unit"].id],
        [items["coded"].id],
        [items["supplier"].id],
        [items["pallet"].id],
        [],
        [],
    ]


def test_a_code_shared_by_two_items_is_ambiguous(org: Any) -> None:
    items = _items(org)
    session = get_session()
    twin = Item(
        organisation_id=org.organisation.id,
        code="L-7",
        uniqueness_scope="supplier:1",
        kind="lot",
        status="released",
    )
    session.add(twin)
    session.commit()
    found = genealogy.find_items_each(session, org.organisation.id, [{"code": "L-7"}])[0]
    assert [i.id for i in found] == sorted([items["lot"].id, twin.id])
