"""Demo history of the electronics pack: three days of GW-100 gateways, through the API.

Reels and trays arrive with reel ID, date code and MSL; each is floor-life checked and loaded into
a feeder slot (an MCU tray left open too long is held, baked and released; a placement that scans
it while it is held is refused). Two SMT lines print (SPI), place (each panel consumes its reels,
so every board links to the reels placed on it; MCU trays run out and are replaced mid-run),
reflow and inspect panels (AOI, with a touch-up loop), then depanel them into serialised boards.
Boards go through ICT and functional test (failures are repaired and retested from ICT; one
board that keeps failing is scrapped) into totes; box build binds board, PSU and display serials
to the gateway serial, which passes final test (one repair) and is packed in SSCC cartons.
"""

from __future__ import annotations

from typing import Any

from lotline.templates_library.recipe import Recipe, with_check_digit

GTIN = {
    "RES-0402-10K": "06901234001013",
    "CAP-0402-100N": "06901234002010",
    "IC-MCU-M4": "06901234003017",
    "IC-PMIC": "06901234004014",
    "CONN-USBC": "06901234005011",
    "PCB-CTRL-4UP": "06901234006018",
    "SOLDER-PASTE": "06901234007015",
    "PSU-12V": "06901234008012",
    "DISPLAY-2IN": "06901234009019",
    "ENCLOSURE": "06901234010015",
}
BOARD_GTIN = "06901234050011"
REELS = {  # material -> (MPN, MSL, parts per reel, parts per panel, feeder slot)
    "RES-0402-10K": ("RC0402FR-0710KL", "1", 10000, 48, "A01"),
    "CAP-0402-100N": ("GRM155R71C104KA88D", "1", 10000, 32, "A02"),
    "IC-MCU-M4": ("STM32F405RGT6", "3", 40, 4, "B01"),
    "IC-PMIC": ("TPS65218D0", "3", 500, 4, "B02"),
    "CONN-USBC": ("USB4105-GF-A", "1", 500, 4, "C01"),
}
GS = "\x1d"


def _sscc(number: int) -> str:
    return "]C100" + with_check_digit(f"0690123400{number:07d}")


def run(client: Any, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    days = 3 if scale >= 1 else 2
    lines = (1, 2) if scale >= 1 else (1,)
    rec = Recipe(client, pack="electronics", scale=scale, seed=seed, days=days, utc_offset="+08:00")
    r = rec.random
    panels_per_line = rec.count(2)
    counter = {"reel": 0, "unit": 0, "gw": 0, "carton": 0, "in_carton": 0, "tote": 0, "board": 0}
    loaded: dict[tuple[int, str], list[Any]] = {}  # (line, material) -> [reel id, parts left]
    lots: dict[str, str] = {}
    units: dict[str, list[str]] = {"PSU-12V": [], "DISPLAY-2IN": []}
    boards_ok: list[str] = []
    pending: dict[int, tuple[str, str, str]] = {}  # line -> a held reel waiting for its bake
    products: list[str] = []

    def receive_lot(day: int, material: str, quantity: float) -> None:
        lot = f"L{material[:3]}{rec.date(day).replace('-', '')[2:]}"
        rec.record(
            "electronics-receive_lot",
            "receive",
            lot,
            {"lot": f"]C101{GTIN[material]}10{lot}", "qty": quantity, "supplier": "SUP-BOARDFAB"},
            station="EL-GI-1",
            at=rec.at(day, 6),
        )
        lots[material] = lot

    def receive_units(day: int, material: str, count: int) -> None:
        parts = []
        for _ in range(count):
            counter["unit"] += 1
            serial = f"{material[:2]}{counter['unit']:07d}"
            units[material].append(serial)
            parts.append({"unit": f"]d201{GTIN[material]}21{serial}"})
        rec.record(
            "electronics-receive_serials",
            "receive",
            f"DN-{material[:3]}-{rec.date(day)}",
            {"asn": f"DN-{material[:3]}-{rec.date(day)}", "units": parts},
            station="EL-GI-1",
            at=rec.at(day, 6.2),
        )

    def load_reel(day: int, line: int, material: str, at: float, wet: bool = False) -> None:
        mpn, msl, parts, _per_panel, slot = REELS[material]
        counter["reel"] += 1
        reel = f"R{rec.date(day).replace('-', '')[2:]}{counter['reel']:04d}"
        flow = "electronics-reel"
        rec.record(
            flow,
            "receive",
            reel,
            {
                "reel": f"]C101{GTIN[material]}10{reel}",
                "qty": parts,
                "mpn": mpn,
                "date_code": f"25{r.randint(10, 48)}",
                "msl": msl,
                "supplier": "SUP-COMPDIST",
            },
            station="EL-GI-1",
            at=rec.at(day, at),
        )
        check = {"floor_life_used": 112.0 if wet else round(r.uniform(5, 60), 1), "humidity_card": 5}
        rec.record(flow, "msl_check", reel, check, station="EL-GI-1", at=rec.at(day, at + 0.05))
        if wet:  # held: baked and loaded only after a placement that scans it is refused
            pending[line] = (reel, material, slot)
            return
        rec.record(
            flow,
            "load",
            reel,
            {"machine": f"PNP-{line}", "slot": slot, "feeder": f"FDR-{line}{slot}"},
            station=f"EL-SMT{line}",
            at=rec.at(day, at + 1.3),
        )
        loaded[(line, material)] = [reel, parts]

    def bake_and_load(day: int, line: int, panel: str, at: float) -> None:
        reel, material, slot = pending.pop(line)
        flow = "electronics-reel"
        rec.record(
            "electronics-smt_panel",
            "place",
            panel,
            {"machine": f"PNP-{line}", "feeders": [{"slot": slot, "reel": reel, "placed": 4}]},
            station=f"EL-SMT{line}",
            at=rec.at(day, at),
            expect="rejected",
        )
        rec.record(
            flow,
            "bake",
            reel,
            {"oven": "BAKE-1", "temp": 125, "hours": 24},
            station="EL-GI-1",
            at=rec.at(day, at),
        )
        note = {"note": "Baked 24 h at 125 °C (J-STD-033)."}
        rec.record(flow, "release", reel, note, station="EL-GI-1", at=rec.at(day, at + 0.01))
        dry = {"floor_life_used": 0, "humidity_card": 5}
        rec.record(flow, "msl_check", reel, dry, station="EL-GI-1", at=rec.at(day, at + 0.02))
        load = {"machine": f"PNP-{line}", "slot": slot, "feeder": f"FDR-{line}{slot}"}
        rec.record(flow, "load", reel, load, station=f"EL-SMT{line}", at=rec.at(day, at + 0.03))
        loaded[(line, material)] = [reel, REELS[material][2]]

    receive_lot(0, "PCB-CTRL-4UP", 200)
    receive_lot(0, "SOLDER-PASTE", 5)
    receive_lot(0, "ENCLOSURE", 500)
    for day in range(days):
        stamp = rec.date(day).replace("-", "")[2:]
        boards_today = len(lines) * panels_per_line * 4
        receive_units(day, "PSU-12V", boards_today)
        receive_units(day, "DISPLAY-2IN", boards_today)
        for line in lines:
            for material in REELS:
                if (line, material) not in loaded:
                    load_reel(day, line, material, 6.5, wet=(line == 1 and material == "IC-MCU-M4"))
            for index in range(panels_per_line):
                panel = f"P{stamp}{line}{index + 1:02d}"
                at = 8 + index * 0.6 + line * 0.1
                rec.record(
                    "electronics-smt_panel",
                    "print",
                    panel,
                    {
                        "pcb": lots["PCB-CTRL-4UP"],
                        "pcb_qty": 1,
                        "paste": lots["SOLDER-PASTE"],
                        "paste_kg": 0.012,
                        "printer": f"PRN-{line}",
                        "spi_volume": round(r.uniform(88, 112), 1),
                    },
                    station=f"EL-SMT{line}",
                    at=rec.at(day, at),
                )
                if line in pending:
                    bake_and_load(day, line, panel, at + 0.05)
                feeders = []
                for material, (_mpn, _msl, _parts, per_panel, slot) in REELS.items():
                    if loaded[(line, material)][1] < per_panel:  # empty: the next reel goes in
                        load_reel(day, line, material, at - 1.3)
                    loaded[(line, material)][1] -= per_panel
                    feeders.append({"slot": slot, "reel": loaded[(line, material)][0], "placed": per_panel})
                rec.record(
                    "electronics-smt_panel",
                    "place",
                    panel,
                    {"machine": f"PNP-{line}", "feeders": feeders},
                    station=f"EL-SMT{line}",
                    at=rec.at(day, at + 0.1),
                )
                rec.record(
                    "electronics-smt_panel",
                    "reflow",
                    panel,
                    {"oven": f"RFL-{line}", "peak": round(r.uniform(240, 246), 1), "tal": r.randint(55, 75)},
                    station=f"EL-SMT{line}",
                    at=rec.at(day, at + 0.2),
                )
                bridged = day == 0 and line == 1 and index == 1 % panels_per_line
                if bridged:
                    rec.record(
                        "electronics-smt_panel",
                        "aoi",
                        panel,
                        {"aoi": f"AOI-{line}", "defects": 1, "refdes": "U3 pins 12-13 (board 2)"},
                        station=f"EL-SMT{line}",
                        at=rec.at(day, at + 0.3),
                    )
                    rec.record(
                        "electronics-smt_panel",
                        "touch_up",
                        panel,
                        {"refdes": "U3", "defect": "bridge"},
                        station=f"EL-SMT{line}",
                        at=rec.at(day, at + 0.35),
                    )
                rec.record(
                    "electronics-smt_panel",
                    "aoi",
                    panel,
                    {"aoi": f"AOI-{line}", "defects": 0},
                    station=f"EL-SMT{line}",
                    at=rec.at(day, at + 0.4),
                )
                boards = [f"B{stamp}{line}{index + 1:02d}{k}" for k in range(1, 5)]
                rec.record(
                    "electronics-smt_panel",
                    "depanel",
                    panel,
                    {"panel": panel, "boards": [{"board": f"]d201{BOARD_GTIN}21{b}"} for b in boards]},
                    station=f"EL-SMT{line}",
                    at=rec.at(day, at + 0.5),
                )
                for k, board in enumerate(boards):
                    counter["board"] += 1
                    t0 = at + 1 + k * 0.05
                    results = ["pass", "pass"]
                    if counter["board"] == 3:
                        results = ["ict_fail", "pass"]
                    elif counter["board"] == 6:
                        results = ["fct_fail", "pass"]
                    elif counter["board"] == 11 and scale >= 1:
                        results = ["ict_fail", "ict_fail", "ict_fail"]
                    if not _test_board(rec, board, results, line, day, t0, loaded):
                        continue
                    counter["tote"] += 1
                    rec.record(
                        "electronics-board_test",
                        "tote",
                        board,
                        {"tote": f"TOTE-{(counter['tote'] - 1) // 20 + 1:03d}"},
                        station="EL-FCT-1",
                        at=rec.at(day, t0 + 0.04),
                    )
                    boards_ok.append(board)
        # --- box build and cartons --------------------------------------------------------------
        while boards_ok:
            board = boards_ok.pop(0)
            counter["gw"] += 1
            product = f"GW{counter['gw']:06d}"
            at = 14 + counter["gw"] % 40 * 0.1
            rec.record(
                "electronics-box_build",
                "assemble",
                product,
                {
                    "board": board,
                    "psu": units["PSU-12V"].pop(0),
                    "display": units["DISPLAY-2IN"].pop(0),
                    "enclosure": lots["ENCLOSURE"],
                    "one": 1,
                    "driver": "SCREW-1",
                },
                station="EL-BOX-1",
                at=rec.at(day, at),
            )
            if counter["gw"] == 4:
                rec.record(
                    "electronics-box_build",
                    "final_test",
                    product,
                    {"tester": "FT-1", "hipot_leakage": 0.08, "boots": False},
                    station="EL-BOX-1",
                    at=rec.at(day, at + 0.02),
                )
                rec.record(
                    "electronics-box_build",
                    "fix",
                    product,
                    {"finding": "Display FPC not seated.", "action": "Connector reseated, latch closed."},
                    station="EL-BOX-1",
                    at=rec.at(day, at + 0.03),
                )
            rec.record(
                "electronics-box_build",
                "final_test",
                product,
                {"tester": "FT-1", "hipot_leakage": round(r.uniform(0.05, 0.2), 2), "boots": True},
                station="EL-BOX-1",
                at=rec.at(day, at + 0.04),
            )
            if counter["in_carton"] % 10 == 0:
                counter["carton"] += 1
            counter["in_carton"] += 1
            rec.record(
                "electronics-box_build",
                "carton",
                product,
                {"carton": _sscc(counter["carton"]), "accessories": True},
                station="EL-PACK-1",
                at=rec.at(day, at + 0.06),
            )
            products.append(product)
    return rec.finish(trace=products[0], gateways=len(products), reels=counter["reel"])


def _test_board(
    rec: Recipe,
    board: str,
    results: list[str],
    line: int,
    day: int,
    t0: float,
    loaded: dict[tuple[int, str], list[Any]],
) -> bool:
    """ICT and FCT with repairs between failures; False when the board ends up scrapped."""
    r = rec.random
    for attempt, result in enumerate(results):
        at = rec.at(day, t0 + attempt * 0.01)
        ict_ok = result != "ict_fail"
        rec.record(
            "electronics-board_test",
            "ict",
            board,
            {
                "fixture": "ICT-FX-1",
                "shorts_opens_ok": ict_ok,
                "rail_3v3": round(r.uniform(3.28, 3.32), 3),
                "rail_1v8": round(r.uniform(1.79, 1.81), 3),
            },
            station="EL-ICT-1",
            at=at,
        )
        if ict_ok:
            rec.record(
                "electronics-board_test",
                "fct",
                board,
                {
                    "station": "FCT-1",
                    "firmware": "2.4.1",
                    "rf_power": 15.8 if result == "fct_fail" else round(r.uniform(18, 20), 1),
                    "idle_current": round(r.uniform(60, 75), 1),
                    "ethernet_ok": True,
                },
                station="EL-FCT-1",
                at=at,
            )
            if result == "pass":
                return True
        if attempt == 2:  # third failure: repairs exhausted
            rec.record(
                "electronics-board_test",
                "scrap",
                board,
                {"reason": "Short on 3V3 after two repairs."},
                station="EL-RPR-1",
                at=at,
            )
            return False
        payload: dict[str, Any] = {
            "refdes": "U5" if result == "fct_fail" else "U2",
            "defect": "failed_part" if result == "fct_fail" else "bridge",
        }
        if result == "fct_fail":  # the PMIC is replaced from the line's reel
            payload.update(reel=loaded[(line, "IC-PMIC")][0], parts=1)
        rec.record("electronics-board_test", "repair", board, payload, station="EL-RPR-1", at=at)
    return False
