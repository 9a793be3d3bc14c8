"""Demo history of the pharma pack: a week of metformin 500 mg tablet batches, through the API.

Active substance and excipients arrive, are quarantined and released by QC (one excipient lot is
rejected; a weigher who scans a lot still in quarantine is refused). Each working day one batch
goes through line clearance (checked and signed by a second person), dispensing (signed by the
weigher and the second person), granulation, compression with in-process controls, film coating
and yield reconciliation, then is serialised on one of two blister lines (GS1 DataMatrix packs
aggregated into SSCC shipper cases) into quarantine, and released by QA with an electronic
signature the next morning, which frees the batch's packs and cases; the last batch waits in
quarantine for QA. One batch fails a hardness IPC and one misses the yield limit: both are held,
investigated as deviations and continued by a signed QA decision.
"""

from __future__ import annotations

import string
from typing import Any

from lotline.templates_library.recipe import Recipe, with_check_digit

GTIN = {
    "METFORMIN-API": "05390123401019",
    "MCC-102": "05390123402016",
    "POVIDONE-K30": "05390123403013",
    "MG-STEARATE": "05390123404010",
    "OPADRY-WHITE": "05390123405017",
}
PACK_GTIN = "05390123450017"
PER_TABLET = {
    "METFORMIN-API": 0.0005,
    "MCC-102": 0.0001,
    "POVIDONE-K30": 0.00003,
    "MG-STEARATE": 0.000005,
    "OPADRY-WHITE": 0.00002,
}
SUPPLIER = {"METFORMIN-API": ("SUP-GRANULES", "GRA")}
GS = "\x1d"
PACKS_PER_CASE = 20
TABLETS_PER_PACK = 30


def _sscc(serial: int) -> str:
    return "]C100" + with_check_digit(f"0539012340{serial:07d}")


def run(client: Any, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    days = 4 if scale >= 1 else 2
    rec = Recipe(client, pack="pharma", scale=scale, seed=seed, days=days, utc_offset="+00:00")
    r = rec.random
    operator = rec.person(f"ph-op-{rec.run_id}", "Aoife Byrne (production)", "operator")
    checker = rec.person(f"ph-chk-{rec.run_id}", "Sean Walsh (second person)", "supervisor")
    qa = rec.person(f"ph-qa-{rec.run_id}", "Dr. Niamh Kelly (QP)", "quality")
    two = [{"meaning": "responsible", **operator}, {"meaning": "verified", **checker}]
    batch_size = 3000 if scale >= 1 else 1200
    stock: dict[str, list[list[Any]]] = {m: [] for m in GTIN}
    cases = {"n": 0}
    released: list[str] = []
    awaiting: list[str] = []
    packs_made = 0
    last_serial = ""

    def receive(day: int, material: str, number: int, kg: float) -> str:
        location, prefix = SUPPLIER.get(material, ("SUP-EXCIPIA", "EXC"))
        lot = f"{prefix}{rec.date(day).replace('-', '')[2:]}{number:02d}"
        rec.record(
            "pharma-receiving",
            "receive",
            lot,
            {
                "lot": f"]C101{GTIN[material]}10{lot}",
                "qty": kg,
                "containers": max(1, int(kg // 25)),
                "supplier": location,
                "coa": f"COA-{lot}",
                "seals_intact": True,
            },
            station="PH-WH-1",
            at=rec.at(day, 7 + number * 0.1),
        )
        return lot

    def qc(day: int, lot: str, material: str, kg: float, reject: bool = False) -> None:
        rec.record(
            "pharma-qc_release",
            "release",
            lot,
            {
                "lims_sample": f"S-{lot}",
                "assay": 97.1 if reject else round(r.uniform(99.0, 101.2), 1),
                "decision": "reject" if reject else "release",
            },
            station="PH-QC-1",
            at=rec.at(day, 15 + r.random()),
            signatures=[{"meaning": "approved", **qa, "reason": "QC release"}],
        )
        if not reject:
            stock[material].append([lot, kg])

    # day 0: first deliveries, released by QC the same afternoon (one MCC lot fails its assay)
    need = {m: round(per * batch_size * days * 1.2, 3) for m, per in PER_TABLET.items()}
    number = 0
    for material, kg in need.items():
        number += 1
        lot = receive(0, material, number, kg)
        qc(0, lot, material, kg)
        if material == "MCC-102":
            number += 1
            bad = receive(0, material, number, kg)
            qc(0, bad, material, kg, reject=True)
    number += 1
    quarantined = receive(0, "METFORMIN-API", number, 50)  # awaits QC: dispensing it is refused

    def take(material: str, kg: float) -> str:
        for entry in stock[material]:
            if entry[1] >= kg:
                entry[1] = round(entry[1] - kg, 3)
                return str(entry[0])
        raise RuntimeError(f"demo ran out of {material}")

    for day in range(days):
        batch = f"MB{rec.date(day).replace('-', '')[2:]}01"
        line = 1 + day % 2
        rec.record(
            "pharma-tablet_batch",
            "line_clearance",
            batch,
            {
                "previous_removed": True,
                "documents_removed": True,
                "equipment_clean": True,
                "labels_reconciled": True,
                "room": "RM-DISP-01",
            },
            station="PH-DISP-1",
            at=rec.at(day, 6),
            signatures=[{"meaning": "verified", **checker}],
        )
        materials = []
        for material, per in PER_TABLET.items():
            kg = round(per * batch_size, 3)
            balance = "BAL-0042" if kg > 5 else "BAL-0043"
            materials.append({"lot": take(material, kg), "kg": kg, "balance": balance})
        if day == 0:  # a weigher scans the API lot still in quarantine: refused
            wrong = [dict(m) for m in materials]
            wrong[0]["lot"] = quarantined
            rec.record(
                "pharma-tablet_batch",
                "dispense",
                batch,
                {"materials": wrong, "theoretical": batch_size},
                station="PH-DISP-1",
                at=rec.at(day, 6.4),
                signatures=two,
                expect="rejected",
            )
        rec.record(
            "pharma-tablet_batch",
            "dispense",
            batch,
            {"materials": materials, "theoretical": batch_size},
            station="PH-DISP-1",
            at=rec.at(day, 6.5),
            signatures=two,
        )
        rec.record(
            "pharma-tablet_batch",
            "granulation",
            batch,
            {
                "granulator": "HSG-01",
                "kneading_s": r.randint(150, 210),
                "impeller": r.randint(145, 155),
                "lod": round(r.uniform(1.1, 1.7), 2),
            },
            station="PH-GRAN-1",
            at=rec.at(day, 8),
        )
        soft = day == 1 % days
        rec.record(
            "pharma-tablet_batch",
            "compression",
            batch,
            {
                "press": "PRESS-01",
                "weight": round(r.uniform(672, 688), 1),
                "hardness": 7.2 if soft else round(r.uniform(9.5, 12.5), 1),
                "thickness": round(r.uniform(5.5, 5.7), 2),
                "friability": round(r.uniform(0.1, 0.4), 2),
                "disintegration": round(r.uniform(5, 9), 1),
            },
            station="PH-COMP-1",
            at=rec.at(day, 10),
        )
        if soft:
            rec.record(
                "pharma-tablet_batch",
                "deviation",
                batch,
                {
                    "description": "IPC hardness 7.2 kP at the start-up check (limit 8–14 kP).",
                    "classification": "minor",
                    "root_cause": "Compression force set below the validated range after a tooling change.",
                    "capa": "Force re-set; start-up tablets rejected; 3 further checks in range.",
                },
                station="PH-COMP-1",
                at=rec.at(day, 10.5),
            )
            rec.record(
                "pharma-tablet_batch",
                "qa_disposition",
                batch,
                {"decision": "continue", "rationale": "Start-up tablets rejected; later IPCs in limits."},
                station="PH-QA-1",
                at=rec.at(day, 11),
                signatures=[{"meaning": "approved", **qa, "reason": "deviation DV-{batch} closed"}],
            )
        rec.record(
            "pharma-tablet_batch",
            "coating",
            batch,
            {
                "coater": "COATER-01",
                "inlet_temp": round(r.uniform(58, 62), 1),
                "weight_gain": round(r.uniform(2.8, 3.2), 2),
            },
            station="PH-COAT-1",
            at=rec.at(day, 13),
        )
        low = day == (days - 1) and days > 2
        samples = batch_size // 50
        rejects = r.randint(batch_size // 300, batch_size // 100) + (batch_size // 100 if soft else 0)
        good = batch_size - samples - rejects - (batch_size // 20 if low else r.randint(0, batch_size // 150))
        rec.record(
            "pharma-tablet_batch",
            "yield_check",
            batch,
            {"theoretical": batch_size, "good": good, "samples": samples, "rejects": rejects},
            station="PH-COAT-1",
            at=rec.at(day, 14),
        )
        if good / batch_size * 100 < 95:
            rec.record(
                "pharma-tablet_batch",
                "deviation",
                batch,
                {
                    "description": f"Yield {good / batch_size * 100:.2f} % below the 95.0 % limit.",
                    "classification": "major",
                    "root_cause": "Coating pan spray gun blockage: twinned tablets destroyed.",
                    "capa": "Spray gun cleaning added to the in-run checklist.",
                },
                station="PH-COAT-1",
                at=rec.at(day, 14.5),
            )
            rec.record(
                "pharma-tablet_batch",
                "qa_disposition",
                batch,
                {
                    "decision": "continue",
                    "rationale": "Losses explained and accounted for; quality unaffected.",
                },
                station="PH-QA-1",
                at=rec.at(day, 15),
                signatures=[{"meaning": "approved", **qa, "reason": "yield investigation closed"}],
            )
        expiry = rec.date(day + 730).replace("-", "")[2:]
        left = good
        case_index = 0
        while left > 0:
            packs = min(PACKS_PER_CASE, left // TABLETS_PER_PACK)
            if packs == 0:
                break
            case_index += 1
            cases["n"] += 1
            serials = ["".join(r.choices(string.ascii_uppercase + string.digits, k=12)) for _ in range(packs)]
            tablets = packs * TABLETS_PER_PACK
            left -= tablets
            last = left < TABLETS_PER_PACK
            rec.record(
                "pharma-tablet_batch",
                "packaging",
                batch,
                {
                    "bulk": batch,
                    "tablets": tablets,
                    "packs": [{"pack": f"]d201{PACK_GTIN}17{expiry}10{batch}{GS}21{s}"} for s in serials],
                    "case": _sscc(cases["n"]),
                    "last_case": last,
                },
                station=f"PH-PACK-{line}",
                at=rec.at(day, 16 + case_index * 0.05),
            )
            packs_made += packs
            last_serial = serials[-1]
            if last:
                break
        if day == days - 1:  # the last batch's packs and cases wait in quarantine for QA
            awaiting.append(batch)
            continue
        rec.record(
            "pharma-tablet_batch",
            "qa_release",
            batch,
            {
                "record_reviewed": True,
                "deviations_closed": True,
                "serialisation_ok": True,
                "decision": "release",
            },
            station="PH-QA-1",
            at=rec.at(day + 1, 9),
            signatures=[{"meaning": "approved", **qa, "reason": "batch release"}],
        )
        released.append(batch)
    return rec.finish(trace=last_serial, packs=packs_made, released=released, awaiting_qa=awaiting)
