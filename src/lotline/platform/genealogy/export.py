"""Trace export: every item a trace reaches, as a CSV file, for traces of any size.

The walk (``genealogy.stream.walk_stream``) gives the items level by level in pieces; each
piece's rows are formatted by the database and written as they arrive, so no Python runs per
cell:

* PostgreSQL: ``COPY (SELECT …) TO STDOUT (FORMAT csv)``: the server's CSV bytes go to the file;
* SQLite: the rows are fetched on the DB-API cursor and written by the (C) csv writer.

Both give the same text: quantities with their six decimals, dates as ISO 8601, NULL as an empty
cell, lines ending in LF, UTF-8. A text cell that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) starts with an apostrophe, as in
every CSV Lotline writes.

An export runs in two phases so that it can say how far it is: the walk (``tracing``: items found
so far; a walk takes a fraction of the time the rows take), then the rows (``writing``: rows of a
known total). Memory: the walk's marks, the ids it found (8 bytes an item) and one piece of rows.
"""

from __future__ import annotations

import csv
import functools
import io
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lotline.platform.genealogy.stream import walk_stream
from lotline.platform.genealogy.walk import Direction, ids_value

# (header, item column, kind of cell)
_COLUMNS = (
    ("item_id", "id", "id"),
    ("code", "code", "text"),
    ("kind", "kind", "text"),
    ("material", "material_code", "text"),
    ("gtin", "gtin", "text"),
    ("lot", "lot", "text"),
    ("serial", "serial", "text"),
    ("sscc", "sscc", "text"),
    ("quantity", "quantity", "quantity"),
    ("remaining", "remaining", "quantity"),
    ("uom", "uom", "text"),
    ("status", "status", "text"),
    ("expiry", "expiry", "date"),
)
EXPORT_COLUMNS = tuple(header for header, _column, _kind in _COLUMNS)

# progress(phase, done, total): ("tracing", items found, None), then ("writing", rows, items)
Progress = Callable[[str, int, int | None], None]

# the first characters that make a spreadsheet read a cell as a formula
_FORMULA_STARTS = {
    "sqlite": "'=', '+', '-', '@', char(9), char(13)",
    "postgresql": "'=', '+', '-', '@', chr(9), chr(13)",
}


def _cell(dialect: str, column: str, kind: str) -> str:
    """The SQL for one cell (column names are this module's constants, never user input)."""
    if kind == "text":
        first = f"substr({column}, 1, 1)" if dialect == "sqlite" else f"left({column}, 1)"
        return f"CASE WHEN {first} IN ({_FORMULA_STARTS[dialect]}) THEN '''' || {column} ELSE {column} END"
    if kind == "quantity" and dialect == "sqlite":  # stored as a number: six decimals, as numeric(18, 6)
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%.6f', {column}) END"
    if kind == "date" and dialect == "postgresql":  # whatever the server's DateStyle
        return f"to_char({column}, 'YYYY-MM-DD')"
    return column


@functools.cache
def _rows_sql(dialect: str) -> str:
    """The export's rows of the items whose ids are the one parameter (see ``walk.ids_value``)."""
    cells = ", ".join(_cell(dialect, column, kind) for _header, column, kind in _COLUMNS)
    # (built from this module's constants only; the ids are the statement's one parameter)
    if dialect == "sqlite":
        return f"SELECT {cells} FROM item WHERE id IN (SELECT value FROM json_each(?))"  # noqa: S608
    # the array behind an InitPlan: planned once, not estimated id by id (see walk._ids_in)
    select = f"SELECT {cells} FROM item WHERE id = ANY(CAST((SELECT CAST(%s AS text)) AS bigint[]))"  # noqa: S608
    return f"COPY ({select}) TO STDOUT (FORMAT csv)"


def export_trace_csv(
    session: Session,
    organisation_id: int,
    item_ids: Sequence[int],
    direction: Direction,
    path: Any,
    progress: Progress | None = None,
) -> int:
    """Write every item of a trace into a CSV file at ``path``; returns the rows written.
    ``progress`` is called after each piece of the walk and of the rows."""
    report = progress or _silent
    parts: list[array[int]] = []
    found = 0
    for part in walk_stream(session, organisation_id, item_ids, direction):
        if part.items:
            parts.append(array("q", part.items))
            found += len(part.items)
            report("tracing", found, None)
    conn = session.connection()
    dialect = conn.dialect.name
    raw = conn.connection.dbapi_connection
    assert raw is not None
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    report("writing", rows, found)
    with target.open("wb") as handle:
        handle.write((",".join(EXPORT_COLUMNS) + "\n").encode())
        cursor = raw.cursor()
        try:
            write = _write_copy if dialect == "postgresql" else _write_rows
            for ids in parts:
                rows += write(cursor, handle, ids_value(ids, dialect))
                report("writing", rows, found)
        finally:
            cursor.close()
    return rows


def _silent(_phase: str, _done: int, _total: int | None) -> None:
    pass


def _write_copy(cursor: Any, handle: Any, ids: str) -> int:
    """PostgreSQL: the server writes the CSV; its bytes are copied to the file as they come."""
    encoding = cursor.connection.info.encoding
    with cursor.copy(_rows_sql("postgresql"), (ids,)) as copy:
        for block in copy:
            handle.write(block if encoding == "utf-8" else bytes(block).decode(encoding).encode())
    return int(cursor.rowcount)


def _write_rows(cursor: Any, handle: Any, ids: str) -> int:
    """SQLite: one piece's rows, written by the csv module's C writer."""
    rows = cursor.execute(_rows_sql("sqlite"), (ids,)).fetchall()
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    csv.writer(text, lineterminator="\n").writerows(rows)
    text.detach()  # flushed into ``handle``, which stays open
    return len(rows)
