"""Demo history of the automotive pack: a week of LX5 final assembly, through the API.

Safety-relevant parts arrive with supplier lots (knuckles, bearings, calipers, housings, bolts)
or as boxes of serialised parts (airbags, steering columns, ESC units). The brake module cell
binds each ESC unit (child serial) to a module serial (parent) with four torque joints and leak
tests it; a leaking module is reworked and retested, one that keeps leaking is scrapped. On the
final assembly line each VIN gets its front corners pressed and bolted (force, depth and torque per
joint against limits), is married to its airbag, steering column and brake module, passes the
end-of-line test (one vehicle goes to the repair bay for toe) and is dispatched. A VIN lookup then
returns its key parts; a part lot lookup returns its VINs.

Deliberate trouble: a caliper bolt under torque is re-torqued with a new bolt; a worker scans a
caliper lot where the airbag belongs (refused), another an airbag already married to another VIN
(refused).
"""

from __future__ import annotations

from typing import Any

from lotline.templates_library.recipe import Recipe

GTIN = {
    "AIRBAG-DRV": "04001234001012",
    "STEER-COL": "04001234002019",
    "ECU-ESC": "04001234003016",
    "HCU-BODY": "04001234004013",
    "KNUCKLE-FL": "04001234005010",
    "KNUCKLE-FR": "04001234005027",
    "HUB-BRG": "04001234006017",
    "CALIPER": "04001234007014",
    "BOLT-M14": "04001234008011",
    "SCREW-M5": "04001234009018",
}
LOT_PARTS = {  # material -> (supplier location, lot prefix, quantity per delivery)
    "HCU-BODY": ("SUP-BRAKEWERK", "BW-H", 200),
    "SCREW-M5": ("SUP-BRAKEWERK", "BW-S", 1000),
    "KNUCKLE-FL": ("SUP-CASTPARTS", "CP-L", 100),
    "KNUCKLE-FR": ("SUP-CASTPARTS", "CP-R", 100),
    "HUB-BRG": ("SUP-BRAKEWERK", "BW-B", 200),
    "CALIPER": ("SUP-BRAKEWERK", "BW-C", 200),
    "BOLT-M14": ("SUP-BRAKEWERK", "BW-M", 500),
}
SERIAL_PARTS = {
    "AIRBAG-DRV": ("SUP-SAFEBAG", "SB"),
    "STEER-COL": ("SUP-STEERTEC", "ST"),
    "ECU-ESC": ("SUP-BRAKEWERK", "EC"),
}
GS = "\x1d"
_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
_VIN_VALUES.update(dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)))
_VIN_VALUES.update(dict(zip("STUVWXYZ", range(2, 10), strict=True)))
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(number: int) -> str:
    """A North American style VIN with its check digit (position 9)."""
    body = f"5LXAB4C2XTA{number:06d}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def run(client: Any, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    days = 5 if scale >= 1 else max(2, round(5 * scale))
    rec = Recipe(client, pack="automotive", scale=scale, seed=seed, days=days, utc_offset="+01:00")
    r = rec.random
    per_day = rec.count(10)
    lots: dict[str, str] = {}
    serials: dict[str, list[str]] = {m: [] for m in SERIAL_PARTS}
    modules: list[str] = []
    vins: list[str] = []
    racks = {"n": 0, "fill": 0}
    counter = {"vin": 0, "serial": 0}
    first_airbag = ""

    def deliver_lots(day: int, batch: int) -> None:
        for index, (material, (location, prefix, quantity)) in enumerate(LOT_PARTS.items()):
            lot = f"{prefix}{rec.date(day).replace('-', '')[2:]}{batch}"
            rec.record(
                "automotive-receive_lot",
                "receive",
                lot,
                {
                    "lot": f"]C101{GTIN[material]}10{lot}",
                    "qty": quantity * max(1, round(per_day / 10 * days)),
                    "supplier": location,
                    "asn": f"ASN-{lot}",
                    "inspection": "sampled_ok" if material in ("KNUCKLE-FL", "KNUCKLE-FR") else "skip_lot",
                },
                station="AU-GI-1",
                at=rec.at(day, 5 + index * 0.05),
            )
            lots[material] = lot

    def deliver_serials(day: int, count: int) -> None:
        for material, (location, prefix) in SERIAL_PARTS.items():
            supplier_lot = f"{prefix}L{rec.date(day).replace('-', '')[2:]}"
            parts = []
            for _ in range(count):
                counter["serial"] += 1
                serial = f"{prefix}{counter['serial']:08d}"
                serials[material].append(serial)
                parts.append({"part": f"]d201{GTIN[material]}21{serial}{GS}10{supplier_lot}"})
            for start in range(0, len(parts), 100):
                rec.record(
                    "automotive-receive_serials",
                    "receive",
                    f"ASN-{prefix}-{rec.date(day)}-{start // 100}",
                    {
                        "asn": f"ASN-{prefix}-{rec.date(day)}-{start // 100}",
                        "supplier": location,
                        "parts": parts[start : start + 100],
                    },
                    station="AU-GI-1",
                    at=rec.at(day, 5.5),
                )

    def rack() -> str:
        if racks["fill"] % 8 == 0:
            racks["n"] += 1
        racks["fill"] += 1
        return f"RACK-{racks['n']:04d}"

    for day in range(days):
        if day in (0, days // 2 + 1):
            deliver_lots(day, 1 if day == 0 else 2)
        deliver_serials(day, per_day + 2)

        # --- brake module cell ----------------------------------------------------------------
        for index in range(per_day):
            module = f"BM{rec.date(day).replace('-', '')[2:]}{index + 1:03d}"
            ecu = serials["ECU-ESC"].pop(0)
            at = 6 + index * 0.12
            joints = [{"joint": f"J{j}", "torque": round(r.uniform(2.95, 3.25), 1)} for j in range(1, 5)]
            rec.record(
                "automotive-brake_module",
                "assemble",
                module,
                {
                    "ecu": ecu,
                    "hcu": lots["HCU-BODY"],
                    "hcu_qty": 1,
                    "screws": lots["SCREW-M5"],
                    "screw_qty": 4,
                    "tool": "NR-0101",
                    "joints": joints,
                },
                station="AU-BM-10",
                at=rec.at(day, at),
            )
            leaks = [round(r.uniform(0.05, 0.3), 2)]
            if day == 1 % days and index == 1:
                leaks = [0.72, 0.18]  # reworked (port seal) and passed
            if day == days - 1 and index == per_day - 1 and days > 2:
                leaks = [0.9, 0.85, 0.8]  # keeps leaking: scrapped
            for attempt, leak in enumerate(leaks):
                rec.record(
                    "automotive-brake_module",
                    "leak_test",
                    module,
                    {"tester": "LT-0201", "leak_rate": leak},
                    station="AU-BM-20",
                    at=rec.at(day, at + 0.05 + attempt * 0.1),
                )
                if leak > 0.5 and attempt < 2:
                    rec.record(
                        "automotive-brake_module",
                        "rework",
                        module,
                        {"defect": "seal", "action": "Port seal replaced, re-torqued to spec."},
                        station="AU-BM-20",
                        at=rec.at(day, at + 0.08 + attempt * 0.1),
                    )
            if leaks[-1] > 0.5:
                rec.record(
                    "automotive-brake_module",
                    "scrap",
                    module,
                    {"reason": "Housing porosity: leak after two reworks."},
                    station="AU-BM-20",
                    at=rec.at(day, at + 0.4),
                )
                continue
            rec.record(
                "automotive-brake_module",
                "rack",
                module,
                {"rack": rack()},
                station="AU-BM-20",
                at=rec.at(day, at + 0.1),
            )
            modules.append(module)

        # --- final assembly -----------------------------------------------------------------------
        for index in range(per_day):
            if not modules:
                break
            counter["vin"] += 1
            number = vin(counter["vin"])
            at = 8 + index * 0.3
            rec.record(
                "automotive-vehicle",
                "body",
                number,
                {
                    "vin": number,
                    "model": r.choice(("lx5", "lx5h")),
                    "colour": r.choice(("white", "grey", "blue")),
                },
                station="AU-BIW-1",
                at=rec.at(day, at),
            )
            loose = day == 2 % days and index == 1
            corners = {
                "knuckle_fl": lots["KNUCKLE-FL"],
                "knuckle_fr": lots["KNUCKLE-FR"],
                "bearings": lots["HUB-BRG"],
                "calipers": lots["CALIPER"],
                "bolts": lots["BOLT-M14"],
                "one": 1,
                "two": 2,
                "bolts_qty": 4,
                "press": "PR-0301",
                "nutrunner": "NR-0302",
                "press_force_fl": round(r.uniform(30, 40), 1),
                "press_depth_fl": round(r.uniform(41.92, 42.08), 2),
                "press_force_fr": round(r.uniform(30, 40), 1),
                "press_depth_fr": round(r.uniform(41.92, 42.08), 2),
                **{f"tq_cal_{s}_{j}": round(r.uniform(101, 109), 1) for s in ("fl", "fr") for j in (1, 2)},
            }
            if loose:
                corners["tq_cal_fr_2"] = 88.4
            rec.record(
                "automotive-vehicle", "chassis", number, corners, station="AU-CH-20", at=rec.at(day, at + 0.1)
            )
            if loose:
                rec.record(
                    "automotive-vehicle",
                    "retorque",
                    number,
                    {"joint": "caliper FR bolt 2", "torque": 106.2, "bolt": lots["BOLT-M14"], "bolt_qty": 1},
                    station="AU-CH-20",
                    at=rec.at(day, at + 0.12),
                )
            airbag, steering, module = (
                serials["AIRBAG-DRV"].pop(0),
                serials["STEER-COL"].pop(0),
                modules.pop(0),
            )
            if day == 0 and index == 0:  # wrong part where the airbag belongs: refused
                rec.record(
                    "automotive-vehicle",
                    "marriage",
                    number,
                    {"airbag": lots["CALIPER"], "steering": steering, "brake_module": module},
                    station="AU-FA-30",
                    at=rec.at(day, at + 0.15),
                    expect="rejected",
                )
            if day == 0 and index == 1 and vins:  # an airbag already married to the first VIN: refused
                rec.record(
                    "automotive-vehicle",
                    "marriage",
                    number,
                    {"airbag": first_airbag, "steering": steering, "brake_module": module},
                    station="AU-FA-30",
                    at=rec.at(day, at + 0.15),
                    expect="rejected",
                )
            rec.record(
                "automotive-vehicle",
                "marriage",
                number,
                {"airbag": airbag, "steering": steering, "brake_module": module},
                station="AU-FA-30",
                at=rec.at(day, at + 0.16),
            )
            if not vins:
                first_airbag = airbag
            toe = 0.27 if (day == 1 % days and index == 3 % per_day) else round(r.uniform(-0.02, 0.12), 2)
            tests = [toe] if toe <= 0.2 else [toe, 0.06]
            for attempt, value in enumerate(tests):
                rec.record(
                    "automotive-vehicle",
                    "eol",
                    number,
                    {
                        "rig": "EOL-RIG-1",
                        "brake_front": round(r.uniform(7.0, 8.2), 1),
                        "brake_rear": round(r.uniform(4.1, 5.0), 1),
                        "toe_total": value,
                        "esc_ok": True,
                        "airbag_ok": True,
                    },
                    station="AU-EOL-1",
                    at=rec.at(day, at + 0.25 + attempt * 0.2),
                )
                if value > 0.2:
                    rec.record(
                        "automotive-vehicle",
                        "repair",
                        number,
                        {"defect": "toe", "action": "Tie-rod ends adjusted to 0.06° total toe."},
                        station="AU-RP-1",
                        at=rec.at(day, at + 0.35),
                    )
            rec.record(
                "automotive-vehicle",
                "dispatch",
                number,
                {
                    "destination": ("PORT-BREMERHAVEN", "DEALER-MUNICH")[index % 2],
                    "transport": f"TO-{number[-6:]}",
                },
                station="AU-YARD",
                at=rec.at(day, 20),
            )
            vins.append(number)
    return rec.finish(trace=vins[0], vehicles=len(vins), modules_left=len(modules))
