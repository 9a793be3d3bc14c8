"""Problem codes of the templates library (``pack.*``), in English and Simplified Chinese.

Templates use ``str.format`` with the problem's params and ``{field}``, the path from the pack's
root (``flows.cooking.nodes[1].form.key``).
"""

from __future__ import annotations

from lotline.form_engine.problems import register_messages

MESSAGES: dict[str, dict[str, str]] = {
    "pack.file_missing": {
        "en": "{field}: the pack has no file {file}",
        "zh-CN": "{field}：模板包中缺少文件 {file}",
    },
    "pack.file_unreadable": {
        "en": "{field}: {file} is not valid JSON or text ({detail})",
        "zh-CN": "{field}：{file} 不是有效的 JSON 或文本（{detail}）",
    },
    "pack.file_wrong_shape": {
        "en": "{field}: {file} must hold {expected}",
        "zh-CN": "{field}：{file} 的内容应为 {expected}",
    },
    "pack.file_not_listed": {
        "en": "{field}: {file} is in the folder but not listed in manifest.json contents",
        "zh-CN": "{field}：{file} 在文件夹中，但未列入 manifest.json 的 contents",
    },
    "pack.schema_required": {
        "en": "{field}: required property '{property}' is missing",
        "zh-CN": "{field}：缺少必填属性“{property}”",
    },
    "pack.schema_unknown_property": {"en": "{field}: unknown property", "zh-CN": "{field}：未知属性"},
    "pack.schema_not_allowed": {
        "en": "{field}: value {value} is not one of the allowed values",
        "zh-CN": "{field}：取值 {value} 不在允许的取值范围内",
    },
    "pack.schema_pattern": {
        "en": "{field}: {value} does not match {pattern}",
        "zh-CN": "{field}：{value} 不符合格式 {pattern}",
    },
    "pack.schema_type": {"en": "{field}: expected {expected}", "zh-CN": "{field}：应为 {expected}"},
    "pack.schema_invalid": {"en": "{field}: {detail}", "zh-CN": "{field}：{detail}"},
    "pack.lotline_too_old": {
        "en": "{field}: the pack needs Lotline {required}; this is {version}",
        "zh-CN": "{field}：该模板包需要 Lotline {required}，当前版本为 {version}",
    },
    "pack.unknown_permission": {
        "en": "{field}: there is no permission {permission}",
        "zh-CN": "{field}：不存在权限 {permission}",
    },
    "pack.unknown_reference": {
        "en": "{field}: the pack has no {kind} {value}",
        "zh-CN": "{field}：模板包中没有 {kind} {value}",
    },
    "pack.duplicate": {"en": "{field}: {value} appears twice", "zh-CN": "{field}：{value} 重复出现"},
    "pack.unknown_placeholder": {
        "en": "{field}: unknown placeholder {{{{{name}}}}} (known: {known})",
        "zh-CN": "{field}：未知占位符 {{{{{name}}}}}（可用：{known}）",
    },
    "pack.label_prefix_change": {
        "en": "{field}: {command} changes the ZPL command prefixes; values could then act as commands",
        "zh-CN": "{field}：{command} 会更改 ZPL 命令前缀，填入的值可能被当作命令执行",
    },
    "pack.label_placeholder_outside_field": {
        "en": "{field}: {{{{{name}}}}} is outside field data (in {command}); values go into ^FD only",
        "zh-CN": "{field}：{{{{{name}}}}} 不在字段数据中（位于 {command}）；值只能放在 ^FD 中",
    },
    "pack.form_ref_shape": {
        "en": '{field}: name the node\'s form by the pack\'s form key only: {{"key": "…"}}',
        "zh-CN": '{field}：节点表单只需写模板包内的表单键：{{"key": "…"}}',
    },
    "pack.unknown_form": {
        "en": "{field}: the pack has no form {form}",
        "zh-CN": "{field}：模板包中没有表单 {form}",
    },
    "pack.demo_without_run": {
        "en": "{field}: {file} must define run(client, scale=1.0, seed=…)",
        "zh-CN": "{field}：{file} 必须定义 run(client, scale=1.0, seed=…)",
    },
}

register_messages(MESSAGES)
