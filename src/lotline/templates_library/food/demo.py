"""Demo history of the food pack: a week at Golden Valley Fresh (Salinas, CA), through the API.

Every morning suppliers deliver cucumbers, cherry tomatoes, raw chicken and Caesar dressing
(receiving CTE); harvest lots of romaine come in from Ranch 12, are vacuum cooled (cooling CTE)
and packed into cartons that get a new TLC (initial packing CTE). The kitchen cooks and chills
chicken (CCP 1 and 2, HACCP verification signed by QA). Lines A and B make Caesar kits and garden
salads from those lots (transformation CTE, new TLC), check them through the metal detectors
(CCP 3), palletise and ship them to two DCs (shipping CTE); some romaine cartons ship whole.

Deliberate trouble: a warm chicken delivery is held and destroyed (and a cook who scans it is
refused), a romaine lot needs a second cooling cycle, a chicken batch misses the core
temperature (held, re-cooked, released by QA), a metal detector misses a test piece (line held,
re-inspected, released).
"""

from __future__ import annotations

from typing import Any

from lotline.templates_library.recipe import Recipe, with_check_digit

GTIN = {
    "CUCUMBER": "00850002001013",
    "TOMATO-CHERRY": "00850003001012",
    "CHICKEN-RAW": "00850004001011",
    "DRESSING-CAESAR": "00850005001010",
}
SUPPLIERS = {
    "CUCUMBER": (
        "SUP-SUNRISE",
        "SUN",
        "Sunrise Farms LLC, 1200 Abbott St, Salinas CA 93901, +1 831 555 0142",
    ),
    "TOMATO-CHERRY": (
        "SUP-COASTAL",
        "CTC",
        "Coastal Tomato Co., 40 Harbor Rd, Oxnard CA 93030, FFRN 17720491334",
    ),
    "CHICKEN-RAW": ("SUP-PRAIRIE", "PPI", "Prairie Poultry Inc., 88 Mill Ave, Fresno CA 93721"),
    "DRESSING-CAESAR": ("SUP-VALLEY", "VSC", "Valley Sauce Co., 9 Industrial Way, Sacramento CA 95814"),
}
OWN_SOURCE = "Golden Valley Fresh, 320 Spreckels Blvd, Salinas CA 93908, +1 831 555 0100"
PACKHOUSE_SOURCE = "Golden Valley packhouse, 310 Spreckels Blvd, Salinas CA 93908, +1 831 555 0100"
CUSTOMERS = ("CUST-FRESHMART-DC", "CUST-METRO-DC")
VARIETIES = ("Green Towers", "Sparx", "Coastal Star")
KIT_BOM = {"ROMAINE": 0.25, "CHICKEN": 0.6, "DRESSING-CAESAR": 0.6, "TOMATO-CHERRY": 0.4}
GARDEN_BOM = {"ROMAINE": 0.3, "CUCUMBER": 0.8, "TOMATO-CHERRY": 0.6}


class Stock:
    """What the recipe knows is on hand: lot code -> remaining quantity, oldest first."""

    def __init__(self) -> None:
        self.lots: dict[str, dict[str, float]] = {}

    def add(self, kind: str, code: str, quantity: float) -> None:
        self.lots.setdefault(kind, {})[code] = quantity

    def take(self, kind: str, quantity: float) -> str:
        for code, left in self.lots.get(kind, {}).items():
            if left >= quantity:
                self.lots[kind][code] = round(left - quantity, 3)
                return code
        raise RuntimeError(f"demo ran out of {kind}")

    def drop(self, kind: str, code: str) -> None:
        self.lots.get(kind, {}).pop(code, None)


def run(client: Any, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    days = 7 if scale >= 1 else max(2, round(7 * scale))
    rec = Recipe(client, pack="food", scale=scale, seed=seed, days=days, utc_offset="-08:00")
    r = rec.random
    qa = rec.person(f"gv-qa-{rec.run_id}", "Maria Lopez (QA)", "quality")
    approve = [{"meaning": "approved", **qa, "reason": "QA release after corrective action"}]
    review = [{"meaning": "reviewed", **qa}]
    stock = Stock()
    shipped: list[str] = []
    n = {"pallet": 0}

    def pallet() -> str:
        n["pallet"] += 1
        return "]C100" + with_check_digit(f"0085000110{n['pallet']:07d}")

    for day in range(days):
        stamp = rec.date(day).replace("-", "")[2:]
        # --- 05:00 supplier deliveries (receiving CTE) ----------------------------------------
        deliveries = [("CUCUMBER", 900), ("TOMATO-CHERRY", 600), ("CHICKEN-RAW", 420), ("CHICKEN-RAW", 420)]
        if day % 2 == 0:
            deliveries.append(("DRESSING-CAESAR", 400))
        for index, (material, quantity) in enumerate(deliveries):
            location, prefix, source = SUPPLIERS[material]
            lot = f"{prefix}-{stamp}-{index + 1:02d}"
            payload: dict[str, Any] = {
                "lot": f"]C101{GTIN[material]}10{lot}",
                "qty": quantity,
                "ship_from": location,
                "tlc_source": source,
                "ref_doc_type": "bol",
                "ref_doc_no": f"BOL-{prefix}-{stamp}{index}",
                "condition": "ok",
            }
            warm = material == "CHICKEN-RAW" and index == 3 and day == 1 % days
            if material in ("CHICKEN-RAW", "DRESSING-CAESAR"):
                payload["temp"] = 7.8 if warm else round(r.uniform(1.5, 3.8), 1)
            rec.record(
                "food-receiving", "receive", lot, payload, station="RCV-1", at=rec.at(day, 5 + index * 0.25)
            )
            if warm:  # held on arrival; a cook tries it anyway and is refused; QA destroys it
                rec.record(
                    "food-cooked_chicken",
                    "cook",
                    f"CK-{stamp}-X",
                    {
                        "raw_lot": lot,
                        "raw_kg": 60,
                        "cooked_kg": 45,
                        "oven": "OVEN-1",
                        "probe": "PROBE-07",
                        "core_temp": 78,
                    },
                    station="KITCHEN-1",
                    at=rec.at(day, 5.9),
                    expect="rejected",
                )
                rec.record(
                    "food-lot_disposition",
                    "disposition",
                    lot,
                    {
                        "decision": "destroy",
                        "reason": "Arrived at 7.8 °C (limit 5 °C); supplier notified, lot destroyed.",
                    },
                    station="QA-1",
                    at=rec.at(day, 6.5),
                    signatures=[{"meaning": "approved", **qa, "reason": "reject warm delivery"}],
                )
            else:
                stock.add(material, lot, quantity)

        # --- harvest, cooling, initial packing (new TLC) --------------------------------------
        for index in range(rec.count(4)):
            harvest = f"H-{stamp}-{index + 1:02d}"
            bins = r.randint(8, 14)
            weight = round(bins * r.uniform(165, 195), 1)
            rec.record(
                "food-field_pack",
                "harvest_in",
                harvest,
                {
                    "commodity": "romaine",
                    "variety": r.choice(VARIETIES),
                    "farm": "GV-RANCH-12",
                    "field": f"Block {r.randint(1, 9)}{r.choice('ABC')}",
                    "harvester_name": "Valle Harvesting Crew 3",
                    "harvester_phone": "+1 831 555 0188",
                    "harvest_date": rec.date(day),
                    "bins": bins,
                    "weight_kg": weight,
                    "ref_doc_type": "production_log",
                    "ref_doc_no": f"HV-{stamp}-{index + 1:02d}",
                },
                station="RCV-PH",  # the packhouse takes the field bins in
                at=rec.at(day, 6 + index * 0.5),
            )
            passes = 2 if (day == 0 and index == 0) else 1  # one lot needs a second vacuum cycle
            for cycle in range(passes):
                out = 4.9 if cycle + 1 < passes else round(r.uniform(1.2, 3.4), 1)
                rec.record(
                    "food-field_pack",
                    "cooling",
                    harvest,
                    {
                        "cooler": "VAC-1",
                        "pulp_in": round(r.uniform(17, 24), 1),
                        "pulp_out": out,
                        "cycle_min": r.randint(22, 30),
                        "ref_doc_type": "production_log",
                        "ref_doc_no": f"VC-{stamp}-{index + 1:02d}{cycle}",
                    },
                    station="COOL-1",
                    at=rec.at(day, 6.5 + index * 0.5 + cycle * 0.4),
                )
            used = round(weight * r.uniform(0.9, 0.95), 1)
            cartons = int(used // 7.2)
            answer = rec.now(
                "food-field_pack",
                "initial_packing",
                harvest,
                {
                    "harvest_lot": harvest,
                    "used_kg": used,
                    "cartons": cartons,
                    "line": "PACKLINE-1",
                    "ref_doc_type": "production_log",
                    "ref_doc_no": f"PK-{stamp}-{index + 1:02d}",
                },
                station="PACK-1",
                at=rec.at(day, 7.5 + index * 0.5),
            )
            stock.add("ROMAINE", answer["created_items"][0]["code"], cartons)

        # --- cook-chill kitchen (CCP 1 and 2) ---------------------------------------------------
        for index in range(rec.count(3)):
            batch = f"CK-{stamp}-{index + 1:02d}"
            raw = round(r.uniform(90, 110), 1)
            cooked = round(raw * r.uniform(0.72, 0.78), 1)
            raw_lot = stock.take("CHICKEN-RAW", raw)
            short = day == 2 % days and index == 0
            cook_at = 6 + index * 0.75
            rec.record(
                "food-cooked_chicken",
                "cook",
                batch,
                {
                    "raw_lot": raw_lot,
                    "raw_kg": raw,
                    "cooked_kg": cooked,
                    "oven": f"OVEN-{index % 2 + 1}",
                    "probe": "PROBE-07",
                    "core_temp": 71.5 if short else round(r.uniform(76, 82), 1),
                },
                station="KITCHEN-1",
                at=rec.at(day, cook_at),
            )
            if short:
                rec.record(
                    "food-cooked_chicken",
                    "cook_corrective",
                    batch,
                    {
                        "deviation": "Core 71.5 °C on the coldest piece (limit 74 °C).",
                        "action": "recook",
                        "recheck": 79.4,
                        "cause": "Oven loaded above the validated 65 kg; loading chart re-posted.",
                    },
                    station="KITCHEN-1",
                    at=rec.at(day, cook_at + 0.3),
                )
                rec.record(
                    "food-cooked_chicken",
                    "cook_release",
                    batch,
                    {"decision": "release", "reason": "Re-cooked to 79.4 °C core, verified with PROBE-07."},
                    station="QA-1",
                    at=rec.at(day, cook_at + 0.5),
                    signatures=approve,
                )
            warm_chill = day == (days - 1) and index == rec.count(3) - 1
            rec.record(
                "food-cooked_chicken",
                "chill",
                batch,
                {
                    "chiller": "CHILLER-1",
                    "temp_2h": round(r.uniform(12, 19), 1),
                    "temp_6h": 6.4 if warm_chill else round(r.uniform(2, 4.5), 1),
                },
                station="CHILL-1",
                at=rec.at(day, cook_at + 2),
            )
            if warm_chill:
                rec.record(
                    "food-cooked_chicken",
                    "chill_corrective",
                    batch,
                    {
                        "deviation": "6.4 °C after 6 h (limit 5 °C).",
                        "action": "destroy",
                        "cause": "Chiller door seal worn; maintenance order raised.",
                    },
                    station="CHILL-1",
                    at=rec.at(day, cook_at + 6.2),
                )
                rec.record(
                    "food-cooked_chicken",
                    "chill_release",
                    batch,
                    {"decision": "destroy", "reason": "Chilling limit missed: batch destroyed."},
                    station="QA-1",
                    at=rec.at(day, cook_at + 6.4),
                    signatures=approve,
                )
            else:
                stock.add("CHICKEN", batch, cooked)
            rec.record(
                "food-cooked_chicken",
                "verify",
                batch,
                {"records_reviewed": True, "probe_verified": True},
                station="QA-1",
                at=rec.at(day, cook_at + 6.6 if warm_chill else 9.5 + index * 0.1),
                signatures=review,
            )

        # --- salad lines (transformation, CCP 3, packing, shipping) ---------------------------
        for flow, prefix, station, detector, count, bom in (
            ("food-caesar_kit", "SK", ("KIT-A1", "MD-A"), "MD-A1", rec.count(4), KIT_BOM),
            ("food-garden_salad", "GS", ("KIT-B1", "MD-B"), "MD-B1", rec.count(3), GARDEN_BOM),
        ):
            for index in range(count):
                tlc = f"GV-{prefix}-{stamp}-{index + 1:02d}"
                cases = r.randint(40, 60)
                inputs = []
                for kind, per_case in bom.items():
                    amount = round(per_case * cases, 2)
                    unit = "cs" if kind == "ROMAINE" else "kg"
                    inputs.append({"lot": stock.take(kind, amount), "qty": amount, "unit": unit})
                start = 10 + index * 0.8
                rec.record(
                    flow,
                    "transform",
                    tlc,
                    {
                        "inputs": inputs,
                        "cases": cases,
                        "wash_chlorine": round(r.uniform(15, 25), 1),
                        "product_temp": round(r.uniform(2, 4.2), 1),
                        "ref_doc_type": "production_log",
                        "ref_doc_no": f"WO-{prefix}-{stamp}-{index + 1:02d}",
                    },
                    station=station[0],
                    at=rec.at(day, start),
                )
                missed = prefix == "SK" and day == days - 1 and index == 0
                rec.record(
                    flow,
                    "metal_check",
                    tlc,
                    {
                        "detector": detector,
                        "fe_ok": True,
                        "nfe_ok": not missed,
                        "ss_ok": True,
                        "rejects": r.randint(0, 3),
                    },
                    station=station[1],
                    at=rec.at(day, start + 0.3),
                )
                if missed:
                    rec.record(
                        flow,
                        "md_corrective",
                        tlc,
                        {
                            "deviation": "Non-Fe 2.5 mm test piece not rejected at the hourly check.",
                            "action": "reinspect",
                            "cause": "Detector sensitivity drifted; recalibrated by maintenance.",
                        },
                        station=station[1],
                        at=rec.at(day, start + 0.4),
                    )
                    rec.record(
                        flow,
                        "md_release",
                        tlc,
                        {
                            "decision": "release",
                            "reason": "Packs since the last good check re-run after recalibration.",
                        },
                        station="QA-1",
                        at=rec.at(day, start + 1.2),
                        signatures=approve,
                    )
                rec.record(
                    flow,
                    "case_pack",
                    tlc,
                    {"pallet": pallet(), "label_ok": True},
                    station=station[1],
                    at=rec.at(day, start + 1.3),
                )
                rec.record(
                    flow,
                    "ship",
                    tlc,
                    {
                        "customer": CUSTOMERS[index % 2],
                        "qty": cases,
                        "tlc_source": OWN_SOURCE,
                        "carrier": "Pacific Reefer Lines",
                        "trailer_temp": round(r.uniform(1.5, 3.5), 1),
                        "ref_doc_type": "bol",
                        "ref_doc_no": f"BOL-GV-{stamp}-{prefix}{index + 1:02d}",
                    },
                    station="SHIP-1",
                    at=rec.at(day, 17 + index * 0.2),
                )
                shipped.append(tlc)

        # --- a whole lot of packed romaine ships direct ----------------------------------------
        romaine = stock.lots.get("ROMAINE", {})
        whole = [code for code, left in romaine.items() if left >= 100]
        if whole:
            code = whole[-1]
            rec.record(
                "food-shipping",
                "ship",
                code,
                {
                    "customer": CUSTOMERS[day % 2],
                    "qty": romaine[code],
                    "tlc_source": PACKHOUSE_SOURCE,
                    "carrier": "Pacific Reefer Lines",
                    "trailer_temp": round(r.uniform(1, 3), 1),
                    "ref_doc_type": "bol",
                    "ref_doc_no": f"BOL-GV-{stamp}-RH",
                },
                station="SHIP-1",
                at=rec.at(day, 19.5),
            )
            stock.drop("ROMAINE", code)
    return rec.finish(trace=shipped[-1], shipped_lots=len(shipped))
