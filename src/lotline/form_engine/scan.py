"""Scan normalisation: every barcode a scanner or camera delivers becomes one structured value.

GS1 parsing is done by the maintained ``biip`` library; this module only cleans scanner quirks,
decides how hard to try, and turns ``biip`` results and failures into values and ``Problem``s.

Accepted input
    * GS1 element strings, with or without a symbology identifier (``]C1`` GS1-128, ``]d2`` GS1
      DataMatrix, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar, ``]J1`` GS1 DotCode), with the FNC1
      separator sent as ASCII 29 (GS), replaced by ``|``, ``~`` or ``^``, written out as text
      (``<GS>``, ``{GS}``, ``[GS]``, ``<FNC1>``, ``\\x1d``), or missing after the last element;
      surrounding whitespace and CR/LF from keyboard-wedge scanners are dropped.
    * Human-readable interpretation: ``(01)09506000134352(17)261231(10)ABC123``.
    * GS1 Digital Link URIs on any domain: ``https://id.gs1.org/01/<gtin>/10/<lot>?17=YYMMDD``.
    * A bare GTIN-8/12/13/14 or 18-digit SSCC with a valid check digit.
    * Anything else is a plain internal code (``format: "internal"``), unless the caller does
      not accept internal codes (``allow_internal=False``): then it must parse as GS1.

Strong and weak GS1 signals
    Input that clearly *is* GS1 (a GS1 symbology identifier, ``(AI)`` text, a Digital Link with
    a GS1 primary key, 00/01/02 followed by the full-length key, or leading AI digits plus a
    separator) is parsed strictly: a bad check digit or an impossible date is reported, never
    silently accepted as an internal code. A bare string without such a signal that does not
    parse (``EQ-0042``, ``10ABC`` for a badge) is an internal code.

The structured value (JSON-serialisable; absent parts are ``None``)::

    {"raw": <as sent>, "format": "gs1" | "digital_link" | "internal", "code": <identity>,
     "symbology": "]d2" | None, "gtin": "09506000134352", "lot": ..., "serial": ...,
     "expiry": "2026-12-31", "best_before": ..., "production_date": ..., "sscc": ...,
     "gln": ..., "giai": ..., "grai": ..., "quantity": 12 | 1.25 | None, "unit": "EA"|"kg"|...,
     "hri": "(01)...(10)...", "ais": {"01": ..., "17": ...}, "uri": <Digital Link only>}

``code`` is the identity used for genealogy and duplicate checks: ``(00)<sscc>``,
``(01)<gtin>(21)<serial>``, ``(01)<gtin>(10)<lot>``, ``(01)<gtin>``, ``(8004)<giai>``, ... for
GS1 input, and the cleaned text for internal codes.

Problem codes: ``scan_empty``, ``gs1_bad_check_digit`` (ai, value, expected), ``gs1_bad_date``
(ai, value), ``gs1_bad_value`` (ai, value), ``gs1_unknown_ai`` (value), ``gs1_bad_digital_link``
(value). Parsed results are cached (bounded LRU) because the same lot label is scanned again
and again on a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from biip import ParseConfig, ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.sscc import Sscc
from biip.symbology import GS1Symbology, SymbologyIdentifier

from .problems import Path, Problem

SCAN_FORMATS = ("gs1", "digital_link", "internal")

# Stand-ins for FNC1/GS that keyboard-wedge scanners and copy-paste produce. None of these
# characters belongs to the GS1 "character set 82", so they can never be part of AI data.
_SEPARATOR_CHARS = ("\x1d", "|", "~", "^")
_SEPARATOR_TEXTS = ("<GS>", "<gs>", "{GS}", "[GS]", "<FNC1>", "[FNC1]", "\\x1d", "\\u001d")
_CONFIG = ParseConfig(separator_chars=_SEPARATOR_CHARS)
# biip splits every element on every separator character it is given; a message without the
# stand-ins (what real scanners send) is parsed with GS alone, which gives the same result.
_CONFIG_GS = ParseConfig(separator_chars=("\x1d",))
_SEPARATOR_STANDINS = _SEPARATOR_CHARS[1:]
_GS1_MESSAGE_SYMBOLOGIES = frozenset(GS1Symbology.with_gs1_messages())
_GTIN_SYMBOLOGIES = frozenset(GS1Symbology.with_gtin())
_CONTROL = re.compile(r"[\r\n\t\x00-\x1c\x1e\x1f]")
_STRONG_PREFIX = re.compile(r"(?:00\d{18}|0[1-3]\d{14})")
_HRI_PREFIX = re.compile(r"\(\d{2,4}\)")
_HRI_CHUNKS = re.compile(r"(?:\(\d+\)[^(]+)*")
# GS1 Digital Link primary keys: a URI path carrying one of these is meant to be GS1.
_DL_PRIMARY_KEYS = frozenset(
    {
        "00",
        "01",
        "253",
        "255",
        "401",
        "402",
        "414",
        "417",
        "8003",
        "8004",
        "8006",
        "8010",
        "8013",
        "8017",
        "8018",
    }
)
# AIs whose data is copied as it is into one key of the scan value, and the dates.
_TEXT_KEYS = {"00": "sscc", "10": "lot", "21": "serial", "414": "gln", "8004": "giai", "8003": "grai"}
_DATE_KEYS = {"17": "expiry", "7003": "expiry", "15": "best_before", "11": "production_date"}
# Counts of trade items (variable count, count of contained items): the quantity in units.
_COUNT_AIS = frozenset({"30", "37"})
# Variable measures: AI prefix -> unit of the decimal value biip computes.
_MEASURE_UNITS = {"310": "kg", "311": "m", "312": "m", "313": "m", "314": "m2", "315": "l", "316": "m3"}


@dataclass(frozen=True)
class ScanResult:
    """The outcome of ``normalise_scan``: a structured value, or the problems that prevent it."""

    value: dict[str, Any] | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.problems


def normalise_scan(raw: Any, *, path: Path = (), allow_internal: bool = True) -> ScanResult:
    """Normalise one scanned value; problems carry ``path`` (the field's place in a payload)."""
    value, problems = scan_value(raw, path, allow_internal)
    return ScanResult(value, problems)


def scan_value(
    raw: Any, path: Path, allow_internal: bool
) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    """``normalise_scan`` without the result object: (a fresh value dict, or the problems)."""
    if raw.__class__ is not str:
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            return None, (Problem(path, "wrong_type", {"expected": "string"}),)
        raw = str(raw)
    value, problems = _parse_cached(raw, allow_internal)
    if problems:
        return None, tuple(Problem(path, p.code, p.params) for p in problems)
    assert value is not None
    copied = value.copy()
    copied["ais"] = value["ais"].copy()
    return copied, ()


@lru_cache(maxsize=4096)
def _parse_cached(text: str, allow_internal: bool) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    return _parse(text, allow_internal)


def _clean(text: str) -> str:
    if "<" in text or "{" in text or "[" in text or "\\" in text:  # each written-out GS has one
        for token in _SEPARATOR_TEXTS:
            if token in text:
                text = text.replace(token, "\x1d")
    text = text.strip()  # str.strip also drops a leading/trailing GS (ASCII 29 is whitespace)
    return _CONTROL.sub("", text)


def _parse(raw: str, allow_internal: bool) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    text = _clean(raw)
    if not text:
        return None, (Problem((), "scan_empty", {}),)
    symbology: SymbologyIdentifier | None = None
    body = text
    if text.startswith("]") and len(text) > 3:
        symbology = _symbology(text)
        if symbology is not None:
            body = text[len(symbology) :].lstrip("\x1d")
    gs1 = symbology.gs1_symbology if symbology is not None else None
    sym = symbology.value if symbology is not None else None

    if body[:7].lower() == "http://" or body[:8].lower() == "https://":
        return _parse_digital_link(raw, body, sym, allow_internal)
    if _HRI_PREFIX.match(body):
        return _parse_hri(raw, body, sym)
    if gs1 in _GS1_MESSAGE_SYMBOLOGIES:
        return _parse_element_strings(raw, body, sym)
    if gs1 in _GTIN_SYMBOLOGIES:
        return _parse_bare_key(raw, body, sym, strict=True)
    if _STRONG_PREFIX.match(body) or (body[:2].isdigit() and _has_separator(body)):
        return _parse_element_strings(raw, body, sym)
    if body.isdigit() and len(body) in (8, 12, 13, 14, 18):
        return _parse_bare_key(raw, body, sym, strict=not allow_internal)
    if allow_internal:
        return _internal(raw, body, sym), ()
    return _parse_element_strings(raw, body, sym)


def _symbology(text: str) -> SymbologyIdentifier | None:
    """The symbology identifier ``text`` starts with, or None; ``]`` plus two characters (the
    code and one modifier) except for system expansion (``]Y``), whose length is in its text."""
    if text[1] == "Y":
        try:
            return SymbologyIdentifier.extract(text)
        except (ParseError, ValueError):  # biip: int() of a non-digit length
            return None
    return _symbology_prefix(text[:3])


@lru_cache(maxsize=256)
def _symbology_prefix(prefix: str) -> SymbologyIdentifier | None:
    try:
        return SymbologyIdentifier.extract(prefix)
    except ParseError:
        return None


def _has_separator(body: str) -> bool:
    return any(char in body for char in _SEPARATOR_CHARS)


def _internal(raw: str, body: str, sym: str | None) -> dict[str, Any]:
    value = _empty_value(raw, "internal", sym)
    value["code"] = body
    return value


# The keys of every scan value, in the order they are written out.
_EMPTY_VALUE: dict[str, Any] = dict.fromkeys(
    (
        "raw",
        "format",
        "code",
        "symbology",
        "gtin",
        "lot",
        "serial",
        "expiry",
        "best_before",
        "production_date",
        "sscc",
        "gln",
        "giai",
        "grai",
        "quantity",
        "unit",
        "hri",
        "ais",
    )
)


def _empty_value(raw: str, fmt: str, sym: str | None) -> dict[str, Any]:
    value = _EMPTY_VALUE.copy()
    value["raw"] = raw
    value["format"] = fmt
    value["symbology"] = sym
    value["ais"] = {}
    return value


# -- bare GTIN / SSCC -----------------------------------------------------------------------


def _parse_bare_key(
    raw: str, body: str, sym: str | None, *, strict: bool
) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    value = _empty_value(raw, "gs1", sym)
    try:
        if len(body) == 18:
            sscc = Sscc.parse(body, config=_CONFIG_GS)
            value["sscc"] = sscc.value
            value["ais"] = {"00": sscc.value}
            value["code"] = value["hri"] = f"(00){sscc.value}"
        else:
            gtin = Gtin.parse(body, config=_CONFIG_GS).as_gtin_14()
            value["gtin"] = gtin
            value["ais"] = {"01": gtin}
            value["code"] = value["hri"] = f"(01){gtin}"
    except ParseError:
        if not strict:
            return _internal(raw, body, sym), ()
        ai = "00" if len(body) == 18 else "01"
        if body.isdigit() and len(body) in (8, 12, 13, 14, 18):
            padded = body.zfill(14) if ai == "01" else body
            return None, (_check_digit_problem(ai, padded),)
        return None, (Problem((), "gs1_bad_value", {"ai": ai, "value": body}),)
    return value, ()


# -- element strings and HRI ----------------------------------------------------------------


def _parse_element_strings(
    raw: str, body: str, sym: str | None
) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    config = _CONFIG if any(char in body for char in _SEPARATOR_STANDINS) else _CONFIG_GS
    try:
        message = GS1Message.parse(body, config=config)
    except ParseError:
        return None, tuple(_diagnose_element_strings(body))
    problems = [p for element in message.element_strings for p in _element_key_problems(element)]
    if problems:
        return None, tuple(problems)
    return _from_elements(raw, "gs1", sym, list(message.element_strings)), ()


def _parse_hri(raw: str, body: str, sym: str | None) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    try:
        message = GS1Message.parse_hri(body, config=_CONFIG_GS)
    except ParseError:
        problems: list[Problem] = []
        for ai_text, data in re.findall(r"\((\d+)\)([^(]*)", "".join(body.split())):
            problems.extend(_diagnose_pair(ai_text, data))
        return None, tuple(problems or [Problem((), "gs1_unknown_ai", {"value": body[:30]})])
    problems = [p for element in message.element_strings for p in _element_key_problems(element)]
    leftover = _hri_leftover(body)
    if leftover:
        problems.append(Problem((), "gs1_unknown_ai", {"value": leftover[:30]}))
    if problems:
        return None, tuple(problems)
    return _from_elements(raw, "gs1", sym, list(message.element_strings)), ()


def _hri_leftover(body: str) -> str:
    """Text biip's HRI reader skipped (e.g. ``(2X)1``); data must never vanish silently."""
    compact = "".join(body.split())
    chunks = _HRI_CHUNKS.match(compact)
    assert chunks is not None  # the pattern also matches the empty string
    return compact[chunks.end() :]


def _diagnose_element_strings(body: str) -> list[Problem]:
    """Say precisely which element of an unparseable GS1 message is wrong (biip does the work)."""
    problems: list[Problem] = []
    rest = body
    while rest:
        try:
            ai = GS1ApplicationIdentifier.extract(rest)
        except ParseError:
            problems.append(Problem((), "gs1_unknown_ai", {"value": rest[:30]}))
            return problems
        try:
            element = GS1ElementString.extract(rest, config=_CONFIG)
        except ParseError:
            problems.append(_element_problem(ai, rest[len(ai.ai) :]))
            return problems  # where a broken element ends is unknowable; stop here
        problems.extend(_element_key_problems(element))
        rest = rest[len(element) :]
        while rest[:1] and rest[:1] in _SEPARATOR_CHARS:
            rest = rest[1:]
    return problems


def _diagnose_pair(ai_text: str, data: str) -> list[Problem]:
    try:
        ai = GS1ApplicationIdentifier.extract(ai_text)
    except ParseError:
        return [Problem((), "gs1_unknown_ai", {"value": ai_text})]
    if ai.ai != ai_text:
        return [Problem((), "gs1_unknown_ai", {"value": ai_text})]
    try:
        element = GS1ElementString.parse(ai_text + data, config=_CONFIG)
    except ParseError:
        return [_element_problem(ai, data)]
    return _element_key_problems(element)


def _element_problem(ai: GS1ApplicationIdentifier, data: str) -> Problem:
    fixed = re.match(r"N(\d+)", ai.format.split("+", 1)[-1])
    shown = data[: int(fixed.group(1))] if fixed else data.split("\x1d", 1)[0][:30]
    if "YYMMDD" in ai.description.upper():
        return Problem((), "gs1_bad_date", {"ai": ai.ai, "value": shown})
    return Problem((), "gs1_bad_value", {"ai": ai.ai, "value": shown})


def _element_key_problems(element: GS1ElementString) -> list[Problem]:
    if element.gtin_error or element.sscc_error or element.gln_error:
        if element.value.isdigit():
            return [_check_digit_problem(element.ai.ai, element.value)]
        return [Problem((), "gs1_bad_value", {"ai": element.ai.ai, "value": element.value})]
    if element.ai.ai in _COUNT_AIS and not element.value.isdigit():  # biip lets an empty count by
        return [Problem((), "gs1_bad_value", {"ai": element.ai.ai, "value": element.value})]
    return []


def _check_digit_problem(ai: str, value: str) -> Problem:
    expected = gs1_standard_check_digit(value[:-1])
    return Problem((), "gs1_bad_check_digit", {"ai": ai, "value": value, "expected": expected})


# -- Digital Link ---------------------------------------------------------------------------


def _parse_digital_link(
    raw: str, body: str, sym: str | None, allow_internal: bool
) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    try:
        uri = GS1DigitalLinkURI.parse(body, config=_CONFIG_GS)
    except (ParseError, ValueError):  # ValueError: urlsplit of e.g. a broken IPv6 host
        pairs = _uri_pairs(body)
        if allow_internal and not any(ai in _DL_PRIMARY_KEYS for ai, _ in pairs):
            return _internal(raw, body, sym), ()  # some other web address on a label
        problems = [p for ai, data in pairs for p in _diagnose_pair(ai, data)]
        return None, tuple(problems or [Problem((), "gs1_bad_digital_link", {"value": body})])
    problems = [p for element in uri.element_strings for p in _element_key_problems(element)]
    if problems:
        return None, tuple(problems)
    value = _from_elements(raw, "digital_link", sym, list(uri.element_strings))
    value["uri"] = body
    return value, ()


def _uri_pairs(uri: str) -> list[tuple[str, str]]:
    """(AI, value) pairs from a URI path and query, used only to explain biip's failures."""
    try:
        parts = urlsplit(uri)
        path_text, query = parts.path, parts.query
    except ValueError:  # not a URL urlsplit accepts (e.g. "]" in the host): split it by hand
        address, _, query = uri.partition("?")
        path_text = "/".join(address.split("/")[3:])
    segments = [unquote(s) for s in path_text.split("/") if s]
    start = next((i for i, s in enumerate(segments) if s in _DL_PRIMARY_KEYS), len(segments))
    path = segments[start:]
    pairs = list(zip(path[::2], path[1::2], strict=False))
    pairs += [(k, v) for k, v in parse_qsl(query) if k.isdigit()]
    return pairs


# -- building the value ---------------------------------------------------------------------


def _from_elements(raw: str, fmt: str, sym: str | None, elements: list[GS1ElementString]) -> dict[str, Any]:
    value = _empty_value(raw, fmt, sym)
    ais: dict[str, str] = {}
    hri: list[str] = []
    for element in elements:
        ai = element.ai.ai
        data = element.value
        ais[ai] = data
        hri.append(f"({ai}){data}")  # what element.as_hri() renders
        text_key = _TEXT_KEYS.get(ai)
        if text_key is not None:
            value[text_key] = data
        elif ai == "01" or ai == "02":
            gtin = element.gtin
            if gtin is not None and value["gtin"] is None:
                # a GTIN element's value is its GTIN-14 (what as_gtin_14() gives back)
                value["gtin"] = data if len(data) == 14 else gtin.as_gtin_14()
        elif element.date is not None and ai in _DATE_KEYS:
            date_key = _DATE_KEYS[ai]
            if date_key != "expiry" or value["expiry"] is None:  # the first expiry counts
                value[date_key] = element.date.isoformat()
        elif ai in _COUNT_AIS:
            value["quantity"], value["unit"] = int(data), "EA"
        elif element.decimal is not None and ai[:3] in _MEASURE_UNITS and value["unit"] != "EA":
            value["quantity"], value["unit"] = float(element.decimal), _MEASURE_UNITS[ai[:3]]
    value["ais"] = ais
    value["hri"] = "".join(hri)
    value["code"] = _identity(value, ais)
    return value


def _identity(value: dict[str, Any], ais: dict[str, str]) -> str:
    if value["sscc"]:
        return f"(00){value['sscc']}"
    if value["gtin"]:
        for ai in ("21", "10"):
            if ai in ais:
                return f"(01){value['gtin']}({ai}){ais[ai]}"
        return f"(01){value['gtin']}"
    for ai in ("8004", "8003", "8017", "8018"):
        if ai in ais:
            return f"({ai}){ais[ai]}"
    if "414" in ais:
        return f"(414){ais['414']}" + (f"(254){ais['254']}" if "254" in ais else "")
    return str(value["hri"])
