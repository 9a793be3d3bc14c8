"""The form engine's message catalogue: every problem code in English and Simplified Chinese.

Registered with ``problems.register_messages`` when the package is imported. Templates are
``str.format`` strings over the problem's params (plus ``{field}``, the dotted path). Params
that are themselves localised (``{"en": ..., "zh-CN": ...}``) are indexed by locale in the
template, e.g. ``{text[zh-CN]}``.
"""

from __future__ import annotations

from .problems import register_messages

SUBMISSION_MESSAGES: dict[str, dict[str, str]] = {
    # structure
    "not_an_object": {"en": "Expected an object with field values.", "zh-CN": "应为包含字段值的对象。"},
    "not_a_list": {"en": "Expected a list.", "zh-CN": "应为列表。"},
    # "required" and "unknown_field" are shared with the platform's request validation: the
    # templates must stay identical to lotline.platform.errors (a test compares the catalogue).
    "unknown_field": {"en": "{field} is not a known field.", "zh-CN": "{field} 不是已知字段。"},
    "required": {"en": "{field} is required.", "zh-CN": "{field} 为必填项。"},
    "wrong_type": {
        "en": "Wrong kind of value (expected {expected}).",
        "zh-CN": "值的类型不正确（应为 {expected}）。",
    },
    "hidden_value_ignored": {
        "en": "This field is hidden; the value sent was ignored.",
        "zh-CN": "该字段当前隐藏，提交的值已被忽略。",
    },
    # text
    "too_short": {
        "en": "Enter at least {min_length} characters.",
        "zh-CN": "至少需要输入 {min_length} 个字符。",
    },
    "too_long": {
        "en": "Enter at most {max_length} characters.",
        "zh-CN": "最多只能输入 {max_length} 个字符。",
    },
    "pattern_mismatch": {
        "en": "'{value}' does not have the required format.",
        "zh-CN": "“{value}”不符合规定的格式。",
    },
    # numbers
    "not_a_number": {"en": "'{value}' is not a number.", "zh-CN": "“{value}”不是有效的数字。"},
    "number_ambiguous": {
        "en": "'{value}' is ambiguous: write {as_thousands} or {as_decimal}.",
        "zh-CN": "“{value}”有歧义：请写成 {as_thousands} 或 {as_decimal}。",
    },
    "not_an_integer": {"en": "'{value}' is not a whole number.", "zh-CN": "“{value}”不是整数。"},
    "too_small": {
        "en": "Must be at least {min} (got {value}).",
        "zh-CN": "不能小于 {min}（当前为 {value}）。",
    },
    "too_large": {
        "en": "Must be at most {max} (got {value}).",
        "zh-CN": "不能大于 {max}（当前为 {value}）。",
    },
    "too_many_decimals": {
        "en": "'{value}' has more than {decimals} decimal places.",
        "zh-CN": "“{value}”的小数位数超过 {decimals} 位。",
    },
    # booleans, dates, times
    "not_a_boolean": {"en": "'{value}' is not a yes/no answer.", "zh-CN": "“{value}”不是有效的是/否值。"},
    "must_be_true": {"en": "This must be confirmed.", "zh-CN": "此项必须确认。"},
    "not_a_date": {
        "en": "'{value}' is not a valid date (use YYYY-MM-DD).",
        "zh-CN": "“{value}”不是有效日期（请使用 YYYY-MM-DD 格式）。",
    },
    "date_too_early": {"en": "The date must be on or after {min}.", "zh-CN": "日期不能早于 {min}。"},
    "date_too_late": {"en": "The date must be on or before {max}.", "zh-CN": "日期不能晚于 {max}。"},
    "in_future": {"en": "{value} is in the future.", "zh-CN": "{value} 是将来的时间。"},
    "not_a_datetime": {
        "en": "'{value}' is not a valid date and time (e.g. 2026-11-28T08:30:00+08:00).",
        "zh-CN": "“{value}”不是有效的日期时间（例如 2026-11-28T08:30:00+08:00）。",
    },
    "datetime_missing_offset": {
        "en": "'{value}' lacks a time-zone offset (e.g. +08:00).",
        "zh-CN": "“{value}”缺少时区偏移（例如 +08:00）。",
    },
    # choices and lists
    "not_an_option": {
        "en": "'{value}' is not one of the options ({allowed_text}).",
        "zh-CN": "“{value}”不是可选项（可选：{allowed_text}）。",
    },
    "duplicate_value": {"en": "'{value}' is selected more than once.", "zh-CN": "“{value}”被重复选择。"},
    "too_few_items": {
        "en": "Add at least {min_items} entries (now {count}).",
        "zh-CN": "至少需要 {min_items} 项（当前 {count} 项）。",
    },
    "too_many_items": {
        "en": "At most {max_items} entries are allowed (now {count}).",
        "zh-CN": "最多允许 {max_items} 项（当前 {count} 项）。",
    },
    "duplicate_item": {
        "en": "Same as entry {first_number} ({value}).",
        "zh-CN": "与第 {first_number} 项重复（{value}）。",
    },
    # scans
    "scan_empty": {"en": "The scan is empty.", "zh-CN": "扫描内容为空。"},
    "gs1_bad_check_digit": {
        "en": "GS1 ({ai}) {value} has a wrong check digit (expected {expected}).",
        "zh-CN": "GS1 ({ai}) {value} 的校验位错误（应为 {expected}）。",
    },
    "gs1_bad_date": {
        "en": "GS1 ({ai}) date {value} does not exist.",
        "zh-CN": "GS1 ({ai}) 日期 {value} 无效（不存在该日期）。",
    },
    "gs1_bad_value": {
        "en": "GS1 ({ai}) value '{value}' has the wrong format.",
        "zh-CN": "GS1 ({ai}) 的值“{value}”格式错误。",
    },
    "gs1_unknown_ai": {
        "en": "No GS1 application identifier at '{value}'.",
        "zh-CN": "无法识别的 GS1 应用标识符：“{value}”。",
    },
    "gs1_bad_digital_link": {
        "en": "'{value}' is not a valid GS1 Digital Link.",
        "zh-CN": "“{value}”不是有效的 GS1 数字链接。",
    },
    "scan_format_not_allowed": {
        "en": "Barcodes of format '{format}' are not accepted here (allowed: {allowed_text}).",
        "zh-CN": "此处不接受“{format}”格式的条码（允许：{allowed_text}）。",
    },
    "scan_wrong_kind": {
        "en": "This barcode ({value}) does not identify {kind_label[en]}.",
        "zh-CN": "该条码（{value}）不是{kind_label[zh-CN]}条码。",
    },
    "scan_missing_lot": {
        "en": "The barcode {value} carries no batch/lot (10).",
        "zh-CN": "条码 {value} 中没有批号（10）。",
    },
    "scan_missing_serial": {
        "en": "The barcode {value} carries no serial number (21).",
        "zh-CN": "条码 {value} 中没有序列号（21）。",
    },
    "scan_pattern_mismatch": {
        "en": "Code '{value}' does not have the expected format.",
        "zh-CN": "代码“{value}”不符合规定的格式。",
    },
    "scan_expired": {"en": "{value} expired on {expiry}.", "zh-CN": "{value} 已于 {expiry} 过期。"},
    # measurements
    "unit_mismatch": {
        "en": "Unit '{unit}' sent; this field is measured in '{expected}'.",
        "zh-CN": "提交的单位是“{unit}”，该字段的单位应为“{expected}”。",
    },
    "out_of_spec": {
        "en": "{value} {unit} is out of specification ({limits}).",
        "zh-CN": "{value} {unit} 超出规格范围（{limits}）。",
    },
    "measurement_warning": {
        "en": "{value} {unit} is within specification but outside the warning limits ({limits}).",
        "zh-CN": "{value} {unit} 在规格范围内，但超出预警范围（{limits}）。",
    },
    # references and computed values
    "bad_attachment_ref": {"en": "Not a valid attachment reference.", "zh-CN": "附件引用无效。"},
    "attachment_type_not_allowed": {
        "en": "Files of type {media_type} are not accepted (allowed: {accept_text}).",
        "zh-CN": "不接受 {media_type} 类型的文件（允许：{accept_text}）。",
    },
    "bad_signature_ref": {"en": "Not a valid electronic-signature reference.", "zh-CN": "电子签名引用无效。"},
    "computed_mismatch": {
        "en": "{sent} was sent, but the computed value is {computed}.",
        "zh-CN": "提交的值 {sent} 与计算值 {computed} 不一致。",
    },
    "computed_failed": {
        "en": "This value could not be computed from the other fields.",
        "zh-CN": "无法根据其他字段计算该值。",
    },
    "rule_failed": {"en": "{text[en]}", "zh-CN": "{text[zh-CN]}"},
}

DEFINITION_MESSAGES: dict[str, dict[str, str]] = {
    "definition_not_an_object": {
        "en": "A form definition must be a JSON object.",
        "zh-CN": "表单定义必须是 JSON 对象。",
    },
    "definition_invalid": {"en": "The form definition has problems.", "zh-CN": "表单定义存在问题。"},
    "format_version_unsupported": {
        "en": "Format version {version} is not supported (this version reads up to {current}).",
        "zh-CN": "不支持格式版本 {version}（当前最高支持 {current}）。",
    },
    "format_version_outdated": {
        "en": "Format version {version} must be upgraded to {current} first.",
        "zh-CN": "格式版本 {version} 需要先升级到 {current}。",
    },
    "def_missing_property": {"en": "Missing property '{property}'.", "zh-CN": "缺少属性“{property}”。"},
    "def_unknown_property": {"en": "Unknown property '{property}'.", "zh-CN": "未知属性“{property}”。"},
    "def_wrong_type": {"en": "Wrong type (expected {expected}).", "zh-CN": "类型错误（应为 {expected}）。"},
    "def_not_allowed_value": {
        "en": "'{value}' is not allowed here (allowed: {allowed_text}).",
        "zh-CN": "此处不允许“{value}”（允许：{allowed_text}）。",
    },
    "def_pattern": {
        "en": "'{value}' does not match the pattern {pattern}.",
        "zh-CN": "“{value}”不符合格式 {pattern}。",
    },
    "def_out_of_range": {
        "en": "Value violates {limit_name} = {limit}.",
        "zh-CN": "取值超出限制（{limit_name} = {limit}）。",
    },
    "def_invalid": {"en": "Invalid: {detail}", "zh-CN": "无效：{detail}"},
    "duplicate_key": {"en": "Field key '{key}' is used more than once.", "zh-CN": "字段键“{key}”重复使用。"},
    "reserved_key": {
        "en": "'{key}' is reserved and cannot be a field key.",
        "zh-CN": "“{key}”是保留字，不能用作字段键。",
    },
    "duplicate_section": {
        "en": "Section key '{section}' is used more than once.",
        "zh-CN": "分区键“{section}”重复使用。",
    },
    "unknown_section": {"en": "Unknown section '{section}'.", "zh-CN": "未知分区“{section}”。"},
    "nested_group": {
        "en": "A repeating group cannot contain another repeating group.",
        "zh-CN": "重复组中不能再嵌套重复组。",
    },
    "widget_not_allowed": {
        "en": "Widget '{widget}' does not fit a {type} field (allowed: {allowed_text}).",
        "zh-CN": "控件“{widget}”不适用于 {type} 字段（允许：{allowed_text}）。",
    },
    "default_invalid": {
        "en": "The default value is invalid ({reason}).",
        "zh-CN": "默认值无效（{reason}）。",
    },
    "option_not_applicable": {
        "en": "'{option}' does not apply to {type} fields here.",
        "zh-CN": "“{option}”不适用于此处的 {type} 字段。",
    },
    "bad_option_value": {
        "en": "'{value}' is not a valid value for {option}.",
        "zh-CN": "“{value}”不是 {option} 的有效值。",
    },
    "range_inverted": {
        "en": "{low_name} ({low}) is greater than {high_name} ({high}).",
        "zh-CN": "{low_name}（{low}）大于 {high_name}（{high}）。",
    },
    "spec_limits_order": {
        "en": "Spec limits must satisfy LSL ≤ warn_low ≤ target ≤ warn_high ≤ USL "
        "({low_name} {low} > {high_name} {high}).",
        "zh-CN": "规格限必须满足 LSL ≤ 预警下限 ≤ 目标值 ≤ 预警上限 ≤ USL"
        "（{low_name} {low} > {high_name} {high}）。",
    },
    "duplicate_option": {
        "en": "Option value '{value}' is used more than once.",
        "zh-CN": "选项值“{value}”重复。",
    },
    "bad_pattern": {"en": "Invalid regular expression: {detail}.", "zh-CN": "正则表达式无效：{detail}。"},
    "rule_unknown_field": {
        "en": "The rule reads unknown field '{name}'.",
        "zh-CN": "规则引用了未知字段“{name}”。",
    },
    "rule_unknown_operator": {
        "en": "Unknown JSON Logic operator '{operator}'.",
        "zh-CN": "未知的 JSON Logic 运算符“{operator}”。",
    },
    "rule_bad_var": {"en": "Malformed 'var' in the rule.", "zh-CN": "规则中的“var”写法错误。"},
    "rule_operator_count": {
        "en": "A rule object must hold exactly one operator (found: {operator}).",
        "zh-CN": "规则对象必须只包含一个运算符（发现：{operator}）。",
    },
    "rule_cycle": {
        "en": "Fields depend on each other in a cycle: {fields_text}.",
        "zh-CN": "字段之间存在循环依赖：{fields_text}。",
    },
    "duplicate_rule_key": {
        "en": "Rule key '{key}' is used more than once.",
        "zh-CN": "规则键“{key}”重复使用。",
    },
    "unknown_field_ref": {"en": "Unknown field '{name}'.", "zh-CN": "引用了未知字段“{name}”。"},
    "binding_type_mismatch": {
        "en": "Trace role '{role}' does not fit a {type} field (allowed: {allowed_text}).",
        "zh-CN": "追溯角色“{role}”不适用于 {type} 字段（允许：{allowed_text}）。",
    },
    "binding_bad_quantity": {
        "en": "Quantity field '{name}' must be a number or integer field of the same group.",
        "zh-CN": "数量字段“{name}”必须是同一组内的数字或整数字段。",
    },
    "binding_quantity_not_applicable": {
        "en": "Trace role '{role}' takes no quantity.",
        "zh-CN": "追溯角色“{role}”不能指定数量。",
    },
}

register_messages(SUBMISSION_MESSAGES)
register_messages(DEFINITION_MESSAGES)
