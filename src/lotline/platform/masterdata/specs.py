"""What each master-data kind holds: its columns, how a value is checked and normalised, and the
column names an ERP export may use for it. One definition serves the REST API and CSV import, so
both report the same problems with the same codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from lotline.form_engine.problems import Path, Problem
from lotline.platform.masterdata import values as v
from lotline.platform.masterdata.models import CODE, NAME

MATERIAL_KINDS = ("raw", "intermediate", "finished", "packaging", "component")
TRACKING = ("lot", "serial", "none")
PARTNER_KINDS = ("supplier", "customer", "both", "carrier")
LOCATION_KINDS = (
    "warehouse",
    "storage",
    "line",
    "dock",
    "farm",
    "cooling",
    "packing",
    "plant",
    "store",
    "external",
)

MATERIAL_KIND_ALIASES = v.aliases(
    {
        "raw": "raw material | rm | roh | 原材料 | 原料",
        "intermediate": "semi-finished | semi finished | halb | wip | 半成品 | 中间品",
        "finished": "finished good | finished goods | fg | fert | product | 成品 | 产成品",
        "packaging": "pack | verp | 包材 | 包装材料",
        "component": "part | 零件 | 零部件 | 部件 | 元器件",
    }
)
TRACKING_ALIASES = v.aliases(
    {"lot": "batch | 批次 | 批号", "serial": "serial number | sn | 序列号 | 单件", "none": "无 | 不追溯"}
)
PARTNER_KIND_ALIASES = v.aliases(
    {
        "supplier": "vendor | 供应商",
        "customer": "客户",
        "both": "供应商/客户 | 客户/供应商 | 两者",
        "carrier": "transporter | 承运商 | 物流商",
    }
)
LOCATION_KIND_ALIASES = v.aliases(
    {
        "warehouse": "仓库",
        "storage": "库位 | 储位 | 货位",
        "line": "产线 | 生产线 | 线边库",
        "dock": "码头 | 月台",
        "farm": "农场",
        "cooling": "冷却 | 预冷",
        "packing": "packhouse | 包装厂",
        "plant": "factory | 工厂",
        "store": "shop | 门店",
        "external": "外部",
    }
)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    empty: Any = None  # what a blank value means when the column is not required
    aliases: str = ""  # other names a file may give the column, separated by "|"
    rest: bool = True  # part of the REST body
    csv: bool = True  # importable from a file


@dataclass(frozen=True)
class Spec:
    kind: str
    columns: tuple[Column, ...]
    by_name: Mapping[str, Column] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})


def _text(limit: int) -> Callable[[Any], str]:
    return partial(v.to_text, max_length=limit)


def _choice(choices: tuple[str, ...], synonyms: dict[str, str]) -> Callable[[Any], str]:
    return partial(v.to_choice, choices=choices, synonyms=synonyms)


_CODE = partial(v.to_code, max_length=CODE)
_ID = partial(v.to_int, minimum=1, maximum=2**31 - 1)
_ACTIVE = Column("active", v.to_bool, empty=True, aliases="enabled | 启用 | 是否启用 | 有效")
_ADDRESS = (
    Column("phone", v.to_phone, aliases="telephone | tel | phone number | 电话 | 联系电话"),
    Column(
        "street", _text(200), aliases="address | street address | address line 1 | 地址 | 街道 | 详细地址"
    ),
    Column("city", _text(100), aliases="town | 城市 | 市"),
    Column("region", _text(100), aliases="state | province | county | 省 | 省份 | 地区 | 州"),
    Column("postal_code", _text(20), aliases="postcode | zip | zip code | post code | 邮编 | 邮政编码"),
    Column("country", v.to_country, aliases="country code | country key | 国家 | 国家代码"),
    Column("gln", v.to_gln, aliases="global location number | 全球位置码 | gln码"),
)

MATERIAL = Spec(
    "material",
    (
        Column(
            "code",
            _CODE,
            required=True,
            aliases="material | material number | material no | material code | item | item number"
            " | item code | part number | part no | sku | 物料编码 | 物料号 | 物料代码 | 料号 | 编码",
        ),
        Column(
            "name_en",
            _text(NAME),
            empty="",
            aliases="name | description | english name | name (en) | description (en) | material description"
            " | 英文名称",
        ),
        Column(
            "name_zh",
            _text(NAME),
            empty="",
            aliases="chinese name | name (zh) | description (zh) | 中文名称 | 物料名称 | 物料描述 | 名称",
        ),
        Column(
            "kind",
            _choice(MATERIAL_KINDS, MATERIAL_KIND_ALIASES),
            required=True,
            aliases="type | material type | 物料类型 | 类型",
        ),
        Column("gtin", v.to_gtin, aliases="ean | upc | ean/upc | barcode | 条码 | 商品条码"),
        Column(
            "uom",
            v.to_uom,
            required=True,
            aliases="unit | base unit | base unit of measure | unit of measure | 计量单位 | 单位 | 基本单位",
        ),
        Column("tracking", _choice(TRACKING, TRACKING_ALIASES), empty="lot", aliases="tracked by | 追溯方式"),
        Column(
            "shelf_life_days",
            partial(v.to_int, minimum=0, maximum=36500),
            aliases="shelf life | shelf life (days) | total shelf life | 保质期 | 保质期(天) | 保质期天数",
        ),
        Column(
            "food_traceability_list",
            v.to_bool,
            empty=False,
            aliases="ftl | fsma 204 | food traceability | 食品追溯清单",
        ),
        Column("notes", _text(2000), aliases="remark | remarks | long text | 备注 | 说明"),
        _ACTIVE,
    ),
)

PARTNER = Spec(
    "partner",
    (
        Column(
            "code",
            _CODE,
            required=True,
            aliases="partner | partner number | partner code | business partner | vendor | vendor number"
            " | vendor code | supplier | supplier number | supplier code | customer | customer number"
            " | customer code | 供应商编码 | 供应商代码 | 客户编码 | 客户代码 | 伙伴编码 | 编码",
        ),
        Column(
            "name",
            _text(NAME),
            required=True,
            aliases="partner name | vendor name | supplier name | customer name | company | company name"
            " | business name | 名称 | 供应商名称 | 客户名称 | 公司名称 | 企业名称",
        ),
        Column(
            "kind",
            _choice(PARTNER_KINDS, PARTNER_KIND_ALIASES),
            required=True,
            aliases="type | partner type | role | 类型 | 伙伴类型",
        ),
        Column("contact_name", _text(NAME), aliases="contact | contact person | 联系人"),
        Column("email", v.to_email, aliases="e-mail | mail | 邮箱 | 电子邮件 | 电子邮箱"),
        *_ADDRESS,
        _ACTIVE,
    ),
)

LOCATION = Spec(
    "location",
    (
        Column(
            "code",
            _CODE,
            required=True,
            aliases="location | location code | storage location | 库位 | 库位编码 | 位置编码 | 地点编码"
            " | 仓库编码 | 编码",
        ),
        Column(
            "name",
            _text(NAME),
            required=True,
            aliases="location name | description | 名称 | 库位名称 | 位置名称",
        ),
        Column(
            "kind",
            _choice(LOCATION_KINDS, LOCATION_KIND_ALIASES),
            required=True,
            aliases="type | location type | 类型 | 位置类型",
        ),
        Column("site_id", _ID, csv=False),
        Column("site", _CODE, rest=False, aliases="site code | plant | 工厂 | 站点 | 厂区"),
        Column("business_name", _text(NAME), aliases="company | company name | 企业名称 | 公司名称"),
        *_ADDRESS,
        Column(
            "latitude",
            partial(v.to_decimal, minimum=Decimal(-90), maximum=Decimal(90), places=6),
            aliases="lat | 纬度",
        ),
        Column(
            "longitude",
            partial(v.to_decimal, minimum=Decimal(-180), maximum=Decimal(180), places=6),
            aliases="lon | lng | 经度",
        ),
        _ACTIVE,
    ),
)

LINE = Spec(
    "line",
    (
        Column("site_id", _ID, required=True),
        Column("code", _CODE, required=True),
        Column("name", _text(NAME), required=True),
        _ACTIVE,
    ),
)

STATION = Spec(
    "station",
    (
        Column("site_id", _ID, required=True),
        Column("line_id", _ID),
        Column("code", _CODE, required=True),
        Column("name", _text(NAME), required=True),
        Column("location_id", _ID),
        _ACTIVE,
    ),
)

EQUIPMENT = Spec(
    "equipment",
    (
        Column("site_id", _ID, required=True),
        Column("station_id", _ID),
        Column("code", _CODE, required=True),
        Column("name", _text(NAME), required=True),
        Column("kind", _text(60), empty=""),  # free text: scale, oven, torque tool …
        Column("serial_number", _text(100)),
        Column("calibration_due", v.to_date),
        _ACTIVE,
    ),
)

PRINTER_LANGUAGES = ("zpl",)

PRINTER = Spec(
    "printer",
    (
        Column("site_id", _ID, required=True),
        Column("station_id", _ID),
        Column("code", _CODE, required=True),
        Column("name", _text(NAME), required=True),
        Column("host", v.to_host, required=True),
        Column("port", partial(v.to_int, minimum=1, maximum=65535), empty=9100),
        Column("language", partial(v.to_choice, choices=PRINTER_LANGUAGES, synonyms={}), empty="zpl"),
        _ACTIVE,
    ),
)

SPECS = {s.kind: s for s in (MATERIAL, PARTNER, LOCATION, LINE, STATION, EQUIPMENT, PRINTER)}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean(
    spec: Spec, raw: Mapping[str, Any], *, creating: bool, path: Path = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """Normalised values for the columns in ``raw``; creating also requires the required ones."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        column = spec.by_name[name]
        if is_blank(value):
            if column.required:
                problems.append(Problem((*path, name), "required"))
            else:
                out[name] = column.empty
            continue
        try:
            out[name] = column.parse(value)
        except v.Invalid as invalid:
            problems.append(
                Problem((*path, name), invalid.code, {**invalid.params, "value": str(value)[:80]})
            )
    if creating:
        problems += [
            Problem((*path, c.name), "required")
            for c in spec.columns
            if c.required and c.name not in raw and (c.rest or c.csv)
        ]
    return out, problems


_SPACES = re.compile(r"[\s_\-]+")


def normalise_header(text: str) -> str:
    text = text.replace("\ufeff", "").replace("（", "(").replace("）", ")").replace("：", ":")
    return _SPACES.sub(" ", text.strip().rstrip(":")).strip().lower()


def header_lookup(spec: Spec) -> dict[str, str]:
    """Normalised column name or alias -> column, for the columns a file may carry."""
    lookup: dict[str, str] = {}
    for column in spec.columns:
        if not column.csv:
            continue
        for name in (column.name, *column.aliases.split("|")):
            lookup.setdefault(normalise_header(name), column.name)
    return lookup
