"""Message templates (en, zh-CN) for the labels domain's refusals."""

from __future__ import annotations

from lotline.form_engine.problems import register_messages

register_messages(
    {
        "label_value_missing": {
            "en": "The label needs {names}, which this item does not have; nothing was printed.",
            "zh-CN": "标签需要 {names}，但该物料没有这些信息；未打印。",
        },
        "label_template_not_found": {
            "en": "No installed label template {template} for a {kind}.",
            "zh-CN": "没有适用于 {kind} 的已安装标签模板 {template}。",
        },
        "label_template_none": {
            "en": "No installed label template fits a {kind}.",
            "zh-CN": "没有适用于 {kind} 的已安装标签模板。",
        },
        "label_template_unsafe": {
            "en": "The label template cannot be filled safely ({problem}: {command}); nothing was printed.",
            "zh-CN": "该标签模板无法安全填充（{problem}：{command}）；未打印。",
        },
        "label_template_ambiguous": {
            "en": "Several label templates fit this item ({templates}); choose one.",
            "zh-CN": "有多个标签模板适用于该物料（{templates}），请选择一个。",
        },
        "printer_required": {
            "en": "Name a printer, or the station whose printer to use.",
            "zh-CN": "请指定打印机，或指定使用其打印机的工位。",
        },
        "printer_not_found": {
            "en": "There is no active printer {printer}.",
            "zh-CN": "不存在可用的打印机 {printer}。",
        },
        "station_has_no_printer": {
            "en": "Station {station} has no active label printer.",
            "zh-CN": "工位 {station} 没有可用的标签打印机。",
        },
        "printer_unreachable": {
            "en": "Printer {printer} at {address} did not take the label ({error}); nothing was printed.",
            "zh-CN": "打印机 {printer}（{address}）未接收标签（{error}）；未打印。",
        },
    }
)
