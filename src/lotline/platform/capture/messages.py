"""Capture's problem codes, in en and zh-CN."""

from lotline.form_engine.problems import register_messages

register_messages(
    {
        "item_ambiguous": {
            "en": "{code} matches {count} items; scan the full GS1 code.",
            "zh-CN": "{code} 对应 {count} 个物料，请扫描完整的 GS1 条码。",
        },
        "lot_on_hold": {"en": "Lot {code} is on hold.", "zh-CN": "批次 {code} 已冻结。"},
        "lot_quarantined": {"en": "Lot {code} is in quarantine.", "zh-CN": "批次 {code} 处于隔离状态。"},
        "lot_expired": {"en": "Lot {code} expired on {expiry}.", "zh-CN": "批次 {code} 已于 {expiry} 过期。"},
        "item_not_available": {
            "en": "{code} is {status} and cannot be used.",
            "zh-CN": "{code} 状态为 {status}，不能使用。",
        },
        "quantity_exceeds_remaining": {
            "en": "Only {remaining} {uom} of {code} remain; {quantity} requested.",
            "zh-CN": "{code} 仅剩 {remaining} {uom}，请求 {quantity}。",
        },
        "duplicate_serial": {
            "en": "{code} exists already; serials are unique.",
            "zh-CN": "{code} 已存在，序列号不可重复。",
        },
        "wrong_station": {
            "en": "You are signed in at {signed_in}, not {station}.",
            "zh-CN": "您登录的工位是 {signed_in}，不是 {station}。",
        },
        "node_unknown": {"en": "Flow {flow} has no step {node}.", "zh-CN": "流程 {flow} 没有工序 {node}。"},
        "instance_missing": {
            "en": "{subject} has not started flow {flow}; begin at {start}.",
            "zh-CN": "{subject} 尚未开始流程 {flow}，请从 {start} 开始。",
        },
        "correction_target_missing": {
            "en": "Record {record} does not exist.",
            "zh-CN": "记录 {record} 不存在。",
        },
        "correction_reason_required": {
            "en": "A correction needs a reason.",
            "zh-CN": "更正必须填写原因。",
        },
        "correction_already_made": {
            "en": "Record {record} was corrected already by record {by}; correct that one.",
            "zh-CN": "记录 {record} 已被记录 {by} 更正，请更正后者。",
        },
        "correction_other_step": {
            "en": "A correction must be made at the same step ({node}) of the same subject.",
            "zh-CN": "更正必须针对同一对象的同一工序（{node}）。",
        },
        "material_unknown": {"en": "There is no material {material}.", "zh-CN": "不存在物料 {material}。"},
        "material_required": {
            "en": "Which material is this? Scan a GS1 code with a known GTIN or set the node's material.",
            "zh-CN": "无法确定物料：请扫描含已知 GTIN 的 GS1 条码，或在工序中设定物料。",
        },
        "batch_too_large": {
            "en": "A batch holds at most {max} records.",
            "zh-CN": "一批最多 {max} 条记录。",
        },
        "step_refused": {
            "en": "This step cannot be recorded now; see errors.",
            "zh-CN": "当前不能记录此工序，请查看错误列表。",
        },
        "record_not_found": {"en": "No record {record}.", "zh-CN": "记录 {record} 不存在。"},
    }
)
