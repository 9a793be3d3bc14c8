"""Reading an ERP export: UTF-8 (with or without BOM) or GB 18030, comma / semicolon / tab / pipe
delimited (sniffed from the header line), a header row whose names map to our columns through
English names and common aliases. The file is read as a stream with the ``csv`` module, one record
at a time; problems name the 1-based line of the file where a record starts (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from lotline.form_engine.problems import Problem
from lotline.platform.masterdata.specs import Spec, header_lookup, normalise_header

MAX_ROWS = 100_000
ENCODINGS = {
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
}
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]  # our column name -> cell text


class CsvFile:
    """A file's header (its meaning) and its records; ``problems`` grows while ``rows()`` runs."""

    def __init__(self) -> None:
        self.delimiter = ","
        self.header: list[str] = []
        self.columns: dict[int, str] = {}  # cell index -> our column name
        self.ignored: list[str] = []  # header titles we do not know (ERP exports carry many)
        self.problems: list[Problem] = []
        self._reader: Any = None

    def rows(self) -> Iterator[CsvRow]:
        if self._reader is None:
            return
        count, consumed = 0, 1
        while True:
            line = consumed + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                self.problems.append(Problem(("file",), "not_utf8", {"line": line}))
                return
            except csv.Error as error:
                self.problems.append(Problem(("file",), "bad_csv", {"line": line, "detail": str(error)}))
                return
            consumed = self._reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the empty rows spreadsheets leave at the end
            count += 1
            if count > MAX_ROWS:
                self.problems.append(Problem(("file",), "too_many_rows", {"max": MAX_ROWS}))
                return
            if any(cell.strip() for cell in cells[len(self.header) :]):
                params = {"line": line, "count": len(cells), "columns": len(self.header)}
                self.problems.append(Problem(("rows", line), "extra_cells", params))
            yield CsvRow(line, {name: cells[i] if i < len(cells) else "" for i, name in self.columns.items()})


def _sniff(header_line: str) -> str:
    """The delimiter used most often outside quotes in the header line (comma on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _text_stream(stream: IO[bytes], codec: str) -> io.TextIOWrapper:
    raw: Any = stream
    if isinstance(raw, io.RawIOBase):
        raw = io.BufferedReader(raw)
    return io.TextIOWrapper(raw, encoding=codec, newline="")


def open_csv(stream: IO[bytes], spec: Spec, encoding: str = "utf-8", key: str = "code") -> CsvFile:
    """Read the header of ``stream`` and prepare to iterate its records."""
    result = CsvFile()
    codec = ENCODINGS.get(encoding.lower().strip())
    if codec is None:
        result.problems.append(Problem(("encoding",), "unknown_encoding", {"encoding": encoding}))
        return result
    text = _text_stream(stream, codec)
    try:
        first = text.readline().lstrip("\ufeff")
    except UnicodeDecodeError:
        result.problems.append(Problem(("file",), "not_utf8", {"line": 1}))
        return result
    if not first.strip():
        result.problems.append(Problem(("file",), "empty_file"))
        return result
    result.delimiter = _sniff(first)
    reader = csv.reader(itertools.chain([first], text), delimiter=result.delimiter)
    result.header = next(reader)
    lookup = header_lookup(spec)
    seen: dict[str, str] = {}
    for index, title in enumerate(result.header):
        title = title.strip()
        if not title:
            continue
        name = lookup.get(normalise_header(title))
        if name is None:
            result.ignored.append(title)
        elif name in seen:
            params = {"first": seen[name], "second": title, "column": name}
            result.problems.append(Problem(("header",), "duplicate_column", params))
        else:
            seen[name] = title
            result.columns[index] = name
    if key not in seen:
        names = ", ".join(sorted(t for t, n in lookup.items() if n == key))
        result.problems.append(Problem(("header",), "missing_column", {"column": key, "names": names}))
    if not result.problems:
        result._reader = reader
    return result
