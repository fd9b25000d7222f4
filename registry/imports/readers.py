"""Streaming readers for import files: CSV (UTF-8 with or without BOM, or GB18030 as Chinese
spreadsheets save it) and XLSX (openpyxl in read-only mode, one row at a time).

Both yield ``(line, values)`` where ``line`` is the row's number in the file with the header as
line 1 — a spreadsheet's row number, and a CSV file's line number when no field spans lines.
Memory stays flat whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is neither a CSV in a known encoding nor an XLSX workbook."""


def sniff_format(head: bytes, file_name: str = "") -> str:
    if head.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def _csv_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character may be cut at the end of the sample: ignore an incomplete tail.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def read_rows(binary: IO[bytes], *, file_name: str = "") -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, values)`` for every row, the header first (line 1). Blank rows are skipped
    (their line numbers are not reused)."""
    head = binary.read(1 << 16)
    binary.seek(0)
    if sniff_format(head, file_name) == "xlsx":
        yield from _xlsx_rows(binary)
    else:
        yield from _csv_rows(binary, _csv_encoding(head))


def _csv_rows(binary: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(binary, encoding=encoding, newline="", errors="strict")
    try:
        for number, values in enumerate(csv.reader(text), start=1):
            if not values or all(not v.strip() for v in values):
                continue
            yield number, values
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not valid {encoding} text") from exc
    except csv.Error as exc:
        raise UnreadableFile(str(exc)) from exc
    finally:
        text.detach()


def _xlsx_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UnreadableFile("not a readable XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [_cell(v) for v in row]
            if not values or all(not v.strip() for v in values):
                continue
            yield number, values
    finally:
        workbook.close()


def count_data_rows(binary: IO[bytes], *, file_name: str = "") -> int | None:
    """A quick estimate of the data rows (for the progress bar), or ``None`` if unknown: newlines of a
    CSV, less the header; the dimension a workbook declares. The job's count is made exact at the end."""
    head = binary.read(1 << 16)
    binary.seek(0)
    try:
        if sniff_format(head, file_name) == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(binary, read_only=True)
            try:
                rows = workbook.worksheets[0].max_row
            finally:
                workbook.close()
            return max(rows - 1, 0) if rows else None
        lines = 0
        last = b""
        while chunk := binary.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk
        if last and not last.endswith(b"\n"):
            lines += 1
        return max(lines - 1, 0)
    except Exception:
        return None
    finally:
        binary.seek(0)
