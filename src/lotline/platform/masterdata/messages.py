"""Message templates (en, zh-CN) for every problem code of the master-data domain."""

from __future__ import annotations

from lotline.form_engine.problems import register_messages

KIND_ZH = {
    "material": "物料",
    "partner": "业务伙伴",
    "location": "位置",
    "line": "产线",
    "station": "工位",
    "equipment": "设备",
    "printer": "标签打印机",
    "bom": "物料清单",
}

register_messages(
    {
        # values
        # "wrong_type" and "too_long" are the form engine's (params: expected, max_length).
        "bad_host": {
            "en": "{field}: {value!r} is not a host name or an IP address.",
            "zh-CN": "{field}：{value!r} 不是有效的主机名或 IP 地址。",
        },
        "bad_code": {
            "en": "{field} may not contain tabs, line breaks or control characters.",
            "zh-CN": "{field} 不能包含制表符、换行符或控制字符。",
        },
        "not_one_of": {
            "en": "{field}: {value!r} is not one of {choices}.",
            "zh-CN": "{field}：{value!r} 不是允许的值（{choices}）。",
        },
        "not_boolean": {
            "en": "{field}: {value!r} is not yes/no (true/false, 1/0).",
            "zh-CN": "{field}：{value!r} 不是“是/否”（true/false、1/0）。",
        },
        "not_integer": {
            "en": "{field}: {value!r} is not a whole number.",
            "zh-CN": "{field}：{value!r} 不是整数。",
        },
        "not_number": {"en": "{field}: {value!r} is not a number.", "zh-CN": "{field}：{value!r} 不是数字。"},
        "not_positive": {"en": "{field} must be greater than 0.", "zh-CN": "{field} 必须大于 0。"},
        "out_of_range": {
            "en": "{field} must be between {min} and {max}.",
            "zh-CN": "{field} 必须在 {min} 到 {max} 之间。",
        },
        "too_precise": {
            "en": "{field} has more than {places} decimal places.",
            "zh-CN": "{field} 的小数位超过 {places} 位。",
        },
        "not_date": {
            "en": "{field}: {value!r} is not a date (YYYY-MM-DD).",
            "zh-CN": "{field}：{value!r} 不是日期（YYYY-MM-DD）。",
        },
        "bad_gtin_length": {
            "en": "{field}: a GTIN has 8, 12, 13 or 14 digits; {value!r} has {length} characters.",
            "zh-CN": "{field}：GTIN 应为 8、12、13 或 14 位数字，{value!r} 为 {length} 个字符。",
        },
        "bad_gln_length": {
            "en": "{field}: a GLN has 13 digits; {value!r} has {length} characters.",
            "zh-CN": "{field}：GLN 应为 13 位数字，{value!r} 为 {length} 个字符。",
        },
        "bad_check_digit": {
            "en": "{field}: the {kind} check digit of {value} is wrong (mistyped?).",
            "zh-CN": "{field}：{kind} {value} 的校验位错误（是否输错？）。",
        },
        "bad_country": {
            "en": "{field}: {value!r} is not an ISO 3166-1 two-letter country code (e.g. CN, US).",
            "zh-CN": "{field}：{value!r} 不是 ISO 3166-1 两位国家代码（如 CN、US）。",
        },
        "unknown_uom": {
            "en": "{field}: unknown unit {value!r}; use one of {units}.",
            "zh-CN": "{field}：未知计量单位 {value!r}，请使用 {units} 之一。",
        },
        "bad_phone": {
            "en": "{field}: {value!r} is not a phone number.",
            "zh-CN": "{field}：{value!r} 不是有效的电话号码。",
        },
        "bad_email": {
            "en": "{field}: {value!r} is not an e-mail address.",
            "zh-CN": "{field}：{value!r} 不是有效的电子邮箱。",
        },
        # records
        "masterdata_not_found": {"en": "There is no {kind} {ref}.", "zh-CN": "不存在{kind_zh} {ref}。"},
        "code_taken": {
            "en": "A {kind} with code {code} exists already.",
            "zh-CN": "编码为 {code} 的{kind_zh}已存在。",
        },
        "code_fixed": {
            "en": "{field}: a code never changes; create a new row and retire this one instead.",
            "zh-CN": "{field}：编码创建后不可修改，请新建一条并停用此条。",
        },
        "name_missing": {
            "en": "{field}: give the name in English or Chinese (or both).",
            "zh-CN": "{field}：请填写英文或中文名称（或两者）。",
        },
        "gtin_taken": {
            "en": "{field}: GTIN {value} belongs to material {owner} already.",
            "zh-CN": "{field}：GTIN {value} 已属于物料 {owner}。",
        },
        "gln_taken": {
            "en": "{field}: GLN {value} belongs to location {owner} already.",
            "zh-CN": "{field}：GLN {value} 已属于位置 {owner}。",
        },
        "unknown_reference": {
            "en": "{field}: there is no {kind} {value}.",
            "zh-CN": "{field}：不存在{kind_zh} {value}。",
        },
        "other_site": {
            "en": "{field}: {kind} {value} belongs to another site.",
            "zh-CN": "{field}：{kind_zh} {value} 属于其他站点。",
        },
        "coordinates_pair": {
            "en": "{field}: give both latitude and longitude, or neither.",
            "zh-CN": "{field}：纬度和经度需同时填写或同时留空。",
        },
        # bills of materials
        "bom_self": {
            "en": "{field}: a material cannot be a component of itself.",
            "zh-CN": "{field}：物料不能作为自身的组件。",
        },
        "bom_duplicate": {
            "en": "{field}: {value} is listed twice (use one line, or alternatives groups).",
            "zh-CN": "{field}：{value} 重复列出（请合并为一行或使用替代组）。",
        },
        "bom_cycle": {
            "en": "{field}: {value} is itself made from {product} (through {path}); a BOM cannot loop.",
            "zh-CN": "{field}：{value} 本身由 {product} 制成（经 {path}），物料清单不能循环。",
        },
        "bom_empty": {
            "en": "{field}: a BOM needs at least one line.",
            "zh-CN": "{field}：物料清单至少需要一行。",
        },
        # CSV import
        "import_refused": {
            "en": "Nothing was imported; fix every problem listed and upload the file again.",
            "zh-CN": "未导入任何数据，请修正列出的全部问题后重新上传文件。",
        },
        "missing_column": {
            "en": "The file has no {column} column (accepted names: {names}).",
            "zh-CN": "文件缺少 {column} 列（可用列名：{names}）。",
        },
        "duplicate_column": {
            "en": "Columns {first!r} and {second!r} both mean {column}; keep one.",
            "zh-CN": "列 {first!r} 和 {second!r} 都表示 {column}，请只保留一列。",
        },
        "duplicate_row": {
            "en": "{field}: {value} appears already on line {line}.",
            "zh-CN": "{field}：{value} 已在第 {line} 行出现。",
        },
        "extra_cells": {
            "en": "Line {line} has {count} cells but the header has {columns}.",
            "zh-CN": "第 {line} 行有 {count} 个单元格，但表头只有 {columns} 列。",
        },
        "empty_file": {"en": "The file is empty.", "zh-CN": "文件为空。"},
        "not_utf8": {
            "en": "Line {line} is not UTF-8 text; save the file as “CSV UTF-8” (or send ?encoding=gb18030).",
            "zh-CN": "第 {line} 行不是 UTF-8 文本，请另存为“CSV UTF-8”（或使用 ?encoding=gb18030）。",
        },
        "bad_csv": {"en": "Line {line}: {detail}", "zh-CN": "第 {line} 行：{detail}"},
        "too_many_rows": {
            "en": "The file has more than {max} rows; split it.",
            "zh-CN": "文件超过 {max} 行，请拆分后导入。",
        },
        "no_file": {
            "en": "Send the CSV as a multipart field named file, or as a text/csv body.",
            "zh-CN": "请以名为 file 的 multipart 字段或 text/csv 请求体上传 CSV。",
        },
        "unknown_encoding": {
            "en": "Unknown encoding {encoding}; use utf-8 or gb18030.",
            "zh-CN": "未知编码 {encoding}，请使用 utf-8 或 gb18030。",
        },
    }
)
