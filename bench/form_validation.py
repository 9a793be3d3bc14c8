"""Validation of a typical 25-field capture form, in microseconds per submission.

The form mixes what a line worker sends from a tablet: GS1 DataMatrix / GS1-128 / Digital Link
scans, internal badge and equipment codes, five measurements with spec limits, numbers typed as
strings (some with a decimal comma), selects, a boolean checklist item, a conditional field, a
computed value, a signature reference and a repeating group of three consumed lots.

Printed beside the floor measured in the same run, a bare ``json.loads`` of the same payload:

* ``compiled, warm scans``: ``FormValidator.validate`` on a held validator; the same barcodes
  each time, so the bounded scan cache answers (a lot label is scanned again and again on a line).
* ``compiled, cold scans``: every submission carries barcodes never seen before (new serials and
  lots), so ``biip`` parses each scan: the worst case.
* ``validate_submission``: the one-call convenience, which also digests the definition to find
  its compiled validator (warm scans).
* ``biip alone``: only the ``biip`` parser calls for the five GS1 scans of a cold submission.

Goal (issue 3): under 200 µs per submission.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message

from lotline.form_engine import compile_form, validate_submission


def t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


def f(key: str, type_: str, zh: str, **options: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": t(key.replace("_", " ").capitalize(), zh), **options}


def opts(*values: str) -> list[dict[str, Any]]:
    return [{"value": v, "label": t(v, v)} for v in values]


def measurement(key: str, zh: str, target: float, tol: float, unit: str) -> dict[str, Any]:
    return f(key, "measurement", zh, unit=unit, decimals=3, trace={"role": "measurement"},
             spec={"lsl": target - tol, "warn_low": target - tol / 2, "target": target,
                   "warn_high": target + tol / 2, "usl": target + tol})


DEFINITION: dict[str, Any] = {
    "format_version": 1, "key": "assembly_station_10", "version": 3,
    "title": t("Assembly station 10", "装配工位 10"),
    "sections": [{"key": "who", "title": t("Who and where", "人员与工位")},
                 {"key": "what", "title": t("Material", "物料")},
                 {"key": "check", "title": t("Checks", "检验")}],
    "fields": [
        f("order_no", "text", "工单号", pattern=r"WO-\d{6}", required=True, section="who"),
        f("operator", "scan", "操作员", kind="operator", formats=["internal"], pattern=r"OP-\d{4}",
          required=True, section="who", trace={"role": "operator"}),
        f("station", "select", "工位", options=opts("st10", "st20", "st30"), required=True,
          section="who"),
        f("equipment", "scan", "设备", kind="equipment", pattern=r"EQ-\d{4}", required=True,
          section="who", trace={"role": "equipment"}),
        f("started_at", "datetime", "开始时间", required=True, not_future=True, section="who"),
        f("unit", "scan", "产品序列号", kind="serial", required=True, section="what",
          trace={"role": "output"}),
        f("lots", "group", "投入批次", required=True, min_items=1, max_items=10, unique_by=["lot"],
          section="what", fields=[
              f("lot", "scan", "批次", kind="item", require_lot=True, required=True,
                trace={"role": "input", "quantity": "qty"}),
              f("qty", "number", "数量", unit="kg", decimals=3, min=0, required=True)]),
        f("pallet", "scan", "托盘", kind="container", section="what", trace={"role": "container"}),
        measurement("torque_1", "扭矩 1", 12.0, 0.6, "N·m"),
        measurement("torque_2", "扭矩 2", 12.0, 0.6, "N·m"),
        measurement("torque_3", "扭矩 3", 12.0, 0.6, "N·m"),
        measurement("diameter", "直径", 10.0, 0.05, "mm"),
        measurement("length", "长度", 120.0, 0.2, "mm"),
        f("temperature", "number", "温度", unit="°C", decimals=1, min=-20, max=80),
        f("humidity", "number", "湿度", unit="%", decimals=1, min=0, max=100),
        f("pressure", "number", "压力", unit="bar", decimals=2, min=0, max=16),
        f("count_good", "integer", "合格数", min=0, required=True),
        f("count_scrap", "integer", "报废数", min=0, required=True),
        f("scrap_reason", "select", "报废原因", options=opts("scratch", "dent", "other"),
          visible_when={">": [{"var": "count_scrap"}, 0]}, required=True),
        f("visual_check", "select", "外观检查", options=opts("ok", "nok"), required=True,
          section="check"),
        f("line_clearance", "boolean", "清线确认", must_be_true=True, required=True, section="check"),
        f("shift", "select", "班次", options=opts("early", "late", "night")),
        f("remarks", "text", "备注", max_length=500, widget="textarea"),
        f("yield_pct", "computed", "合格率", decimals=1, expression={
            "*": [100, {"/": [{"var": "count_good"},
                              {"+": [{"var": "count_good"}, {"var": "count_scrap"}]}]}]}),
        f("approval", "signature", "审核签名", meaning="approved", signer_role="quality"),
    ],
}


def payload(n: int) -> dict[str, Any]:
    """Submission number ``n``; its serial, lots and pallet differ from every other ``n``."""
    return {
        "order_no": "WO-004711", "operator": "OP-0042", "station": "st10", "equipment": "EQ-0007",
        "started_at": "2026-11-28T08:30:00+08:00",
        "unit": f"]d20109506000134352\x1d21SN{n:08d}",
        "lots": [
            {"lot": f"]C101095060001343521726123110A{n:07d}", "qty": "12,5"},
            {"lot": f"(01)09506000134352(17)270630(10)B{n:07d}", "qty": "0.75"},
            {"lot": f"https://id.gs1.org/01/09506000134352/10/C{n:07d}?17=270101", "qty": 3},
        ],
        "pallet": f"]C100{_sscc(n)}",
        "torque_1": "12.1", "torque_2": "11,9", "torque_3": 12.05, "diameter": "10.012",
        "length": "120.05", "temperature": "23,4", "humidity": "45", "pressure": "6.25",
        "count_good": "95", "count_scrap": "2", "scrap_reason": "scratch", "visual_check": "ok",
        "line_clearance": "是", "shift": "early", "remarks": "Batch changeover at 08:10",
        "approval": "sig_01JD8K2QX",
    }


def _sscc(n: int) -> str:
    body = f"0614141{n:010d}"
    return body + str(gs1_standard_check_digit(body))


def _biip(scan: str) -> object:
    """What parsing one scan costs inside biip (the parser the engine calls), uncached."""
    body = scan[3:] if scan.startswith("]") else scan
    if body.startswith("http"):
        return GS1DigitalLinkURI.parse(body)
    if body.startswith("("):
        return GS1Message.parse_hri(body)
    return GS1Message.parse(body)


def median_us(call: Callable[[int], object], iterations: int, warmup: int) -> float:
    for i in range(warmup):
        call(i)
    samples = []
    for i in range(iterations):
        start = time.perf_counter_ns()
        call(i)
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()

    validator = compile_form(DEFINITION)
    warm = payload(0)
    warm_text = json.dumps(warm, ensure_ascii=False)
    result = validator.validate(warm)
    assert result.ok, result.problems
    assert len(DEFINITION["fields"]) == 25 and len(warm["lots"]) == 3
    cold = [payload(n) for n in range(1, args.iterations + args.warmup + 1)]
    assert validator.validate(cold[0]).ok

    floor = median_us(lambda i: json.loads(warm_text), args.iterations, args.warmup)
    gs1_scans = [[item["lot"] for item in p["lots"]] + [p["unit"], p["pallet"]] for p in cold]
    biip_only = median_us(lambda i: [_biip(scan) for scan in gs1_scans[i]], args.iterations,
                          args.warmup)
    rows = [
        ("compiled, warm scans", median_us(lambda i: validator.validate(warm), args.iterations,
                                           args.warmup)),
        ("compiled, cold scans", median_us(lambda i: validator.validate(cold[i]), args.iterations,
                                           args.warmup)),
        ("validate_submission", median_us(lambda i: validate_submission(DEFINITION, warm),
                                          args.iterations, args.warmup)),
    ]
    print(f"form_validation: 25 fields, {len(result.trace)} trace bindings, "
          f"{len(warm_text)} bytes of JSON, median of {args.iterations} after {args.warmup} warm-up")
    print(f"  {'floor: json.loads':<24} {floor:9.1f} µs")
    for name, value in rows:
        verdict = "ok" if value < 200 else "over the 200 µs goal"
        print(f"  {name:<24} {value:9.1f} µs   {value / floor:6.1f}× floor   {verdict}")
    print(f"  {'(biip alone, 5 new GS1)':<24} {biip_only:9.1f} µs   {biip_only / floor:6.1f}× floor"
          "   the part of 'cold' spent inside biip")


if __name__ == "__main__":
    main()
