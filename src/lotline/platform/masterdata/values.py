"""Value checks and normalisation shared by the REST API and CSV import.

Each ``to_*`` function takes what a client sent (a JSON value, or the text of a CSV cell) and
returns the normalised value or raises ``Invalid`` with a message code and its params. GS1 keys
(GTIN, GLN) are checked by ``biip``; we never parse GS1 ourselves.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from biip import ParseError
from biip.gln import Gln
from biip.gtin import Gtin


class Invalid(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(code)


# ISO 3166-1 alpha-2, the officially assigned codes.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
    BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
    CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
    GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
    IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
    LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
    MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
    PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
    ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
    UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())


def aliases(groups: dict[str, str]) -> dict[str, str]:
    """``{"kg": "kgm | 千克"}`` -> ``{"kgm": "kg", "千克": "kg"}`` (written by target, read by alias)."""
    return {
        alias.strip(): target
        for target, names in groups.items()
        for alias in names.split("|")
        if alias.strip()
    }


# What ERP exports write instead of the code, now and then.
COUNTRY_ALIASES = aliases(
    {
        "GB": "UK | UNITED KINGDOM | 英国",
        "CN": "CHN | CHINA | PRC | 中国",
        "US": "USA | UNITED STATES | 美国",
        "DE": "DEU | GERMANY | 德国",
        "JP": "JPN | JAPAN | 日本",
    }
)

# Units of measure we know; capture compares quantities in these codes.
_UNIT_CODES = (
    "mg g kg t lb oz ml l m3 gal mm cm m km in ft m2 ea pair dozen box case pallet bag roll set drum carton"
)
UNITS = frozenset((_UNIT_CODES + " bottle can sheet").split())
UNIT_ALIASES = aliases(
    {
        "kg": "kgm | kgs | 千克 | 公斤",
        "g": "grm | gr | 克",
        "mg": "毫克",
        "t": "tne | 吨",
        "l": "ltr | lt | 升",
        "ml": "mlt | 毫升",
        "m": "mtr | 米",
        "mm": "mmt | 毫米",
        "cm": "cmt | 厘米",
        "m2": "mtk | 平方米",
        "m3": "mtq | 立方米",
        "ea": "pc | pcs | pce | piece | pieces | each | st | unit | units | h87 | c62 | 个 | 件 | 只 | 台",
        "pair": "pr | 对",
        "dozen": "doz",
        "set": "套",
        "box": "bx | 盒",
        "case": "cs | 箱",
        "carton": "ct | ctn",
        "pallet": "pal | plt | 托",
        "bag": "袋",
        "roll": "卷",
        "drum": "桶",
        "bottle": "瓶",
        "can": "罐",
        "sheet": "张",
    }
)

_TRUE = frozenset({"1", "true", "t", "yes", "y", "x", "是", "真", "启用", "有效", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "", "否", "假", "停用", "无效", "off"})
_PHONE = re.compile(r"^[0-9+()\-./ xX#*,;ext]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def to_text(value: Any, max_length: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid("wrong_type", expected="text")
    text = str(value).strip()
    if len(text) > max_length:
        raise Invalid("too_long", max_length=max_length)
    return text


def to_code(value: Any, max_length: int) -> str:
    text = to_text(value, max_length)
    if any(c.isspace() and c != " " for c in text) or any(ord(c) < 32 for c in text):
        raise Invalid("bad_code")
    return text


def to_choice(value: Any, choices: tuple[str, ...], synonyms: dict[str, str]) -> str:
    text = to_text(value, 60).lower()
    found = text if text in choices else synonyms.get(text)
    if found is None:
        raise Invalid("not_one_of", choices=", ".join(choices))
    return found


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid("not_boolean")


def to_int(value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise Invalid("not_integer")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace(" ", "")
        if text.endswith(".0"):  # spreadsheets write 30 as 30.0
            text = text[:-2]
        if not re.fullmatch(r"[+-]?\d+", text):
            raise Invalid("not_integer")
        value = int(text)
    if not isinstance(value, int):
        raise Invalid("not_integer")
    if not minimum <= value <= maximum:
        raise Invalid("out_of_range", min=minimum, max=maximum)
    return value


def to_decimal(
    value: Any, minimum: Decimal | None, maximum: Decimal, places: int, positive: bool = False
) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise Invalid("not_number")
    try:
        number = Decimal(value.strip().replace(" ", "") if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise Invalid("not_number") from None
    if not number.is_finite():
        raise Invalid("not_number")
    if positive and number <= 0:
        raise Invalid("not_positive")
    if (minimum is not None and number < minimum) or number > maximum:
        raise Invalid("out_of_range", min=minimum, max=maximum)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise Invalid("too_precise", places=places)
    return number


def to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = to_text(value, 40).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(
            text if len(text) != 8 or "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}"
        )
    except ValueError:
        raise Invalid("not_date") from None


def to_gtin(value: Any) -> str:
    """Any GTIN-8/12/13/14 with a valid check digit, as its GTIN-14 form."""
    text = to_text(value, 40).replace(" ", "").replace("-", "")
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        raise Invalid("bad_gtin_length", length=len(text))
    try:
        return Gtin.parse(text).as_gtin_14()
    except ParseError:
        raise Invalid("bad_check_digit", kind="GTIN") from None


def to_gln(value: Any) -> str:
    text = to_text(value, 40).replace(" ", "").replace("-", "")
    if not text.isdigit() or len(text) != 13:
        raise Invalid("bad_gln_length", length=len(text))
    try:
        return Gln.parse(text).value
    except ParseError:
        raise Invalid("bad_check_digit", kind="GLN") from None


def to_country(value: Any) -> str:
    text = to_text(value, 40).upper()
    code = COUNTRY_ALIASES.get(text, text)
    if code not in COUNTRIES:
        raise Invalid("bad_country")
    return code


def to_uom(value: Any) -> str:
    text = to_text(value, 16).lower()
    unit = text if text in UNITS else UNIT_ALIASES.get(text)
    if unit is None:
        raise Invalid("unknown_uom", units=", ".join(sorted(UNITS)))
    return unit


_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def to_host(value: Any) -> str:
    """A host name (RFC 1123) or an IPv4 / IPv6 address, as a printer's network address."""
    text = to_text(value, 253)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is not None:  # never link-local (cloud metadata), multicast or "any"
        if address.is_link_local or address.is_multicast or address.is_unspecified:
            raise Invalid("bad_host")
        return str(address)
    if not text or not all(_HOST_LABEL.match(label) for label in text.rstrip(".").split(".")):
        raise Invalid("bad_host")
    return text.lower()


def to_phone(value: Any) -> str:
    text = to_text(value, 40)
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 5:
        raise Invalid("bad_phone")
    return text


def to_email(value: Any) -> str:
    text = to_text(value, 200)
    if not _EMAIL.match(text):
        raise Invalid("bad_email")
    return text
