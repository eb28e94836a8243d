"""Read an export into a table of raw cells: CSV / TSV, XLSX, JSON and JSON Lines.

JSON may be a list of records, an object holding one (``{"data": [...]}``,
``{"creators": [...]}``), a single record, or a TikTok Research API response
(``{"data": {"videos": [...]}, "error": {...}}``); nested objects are flattened
(``stats.followers``). Integers of any size are kept exactly (ids can pass 2^63) and NUL bytes
are removed from strings.

Row numbers are what a person sees: in CSV and XLSX the header is row 1, so the first data row
is row 2; in JSON the first record is row 1.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bot.ingest.fields import FIELDS, header_key

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


class ReadError(Exception):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass
class RawTable:
    frame: pd.DataFrame  # raw cells, one column per source header, all object dtype
    row_numbers: pd.Series  # the number a person would look for, per frame row
    format: str
    notes: list[str] = field(default_factory=list)


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in {"csv", "xlsx", "json", "jsonl"}:
            raise ReadError(f"unknown format {declared!r}: use csv, xlsx, json or jsonl")
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(
            f"{path.name}: cannot tell the format from the extension {path.suffix or '(none)'}; "
            "use a .csv, .xlsx or .json file (or pass --format)"
        )
    return fmt


def read_table(path: Path, *, fmt: str | None = None, max_rows: int) -> RawTable:
    fmt = detect_format(path, fmt)
    if fmt == "csv":
        table = _read_csv(path, max_rows)
    elif fmt == "xlsx":
        table = _read_xlsx(path, max_rows)
    else:
        table = _read_json(path, lines=fmt == "jsonl", max_rows=max_rows)
    table.frame.columns = [str(c).replace("\x00", "").strip() for c in table.frame.columns]
    return table


def _too_many(rows: int, max_rows: int) -> ReadError:
    return ReadError(
        f"the file has more than {max_rows:,} data rows (import.max_rows); split it into "
        f"smaller files or raise the limit in the config"
    )


_DELIMITERS = ",;\t|"


def _sniff_delimiter(sample: str) -> str:
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sep = ","
    # The sniffer can take a character between quotes for the delimiter (data rows '"|",0'
    # made it pick '|'). A delimiter the header row does not hold would read the file as one
    # column, so then the candidate the header row holds most often is taken instead.
    header = next((line for line in sample.splitlines() if line.strip()), "")
    if sep not in header:
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        if counts[best]:
            return best
    return sep


def _read_csv(path: Path, max_rows: int) -> RawTable:
    notes: list[str] = []
    raw = path.read_bytes()[:65536]
    encoding = "utf-8-sig"
    try:
        sample = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 4:  # a multi-byte character cut by the sample's end is fine
            encoding = "cp1252"
            sample = raw.decode(encoding, errors="replace")
            notes.append("the file is not UTF-8; it was read as Windows-1252")
        else:
            sample = raw[: exc.start].decode(encoding)
    if not sample.strip():
        raise ReadError(f"{path.name} is empty")
    # Blank lines are rows a person sees in a spreadsheet: they are skipped here (not by
    # pandas) so that row numbers still match the file.
    lead = re.match(r"(?:[ \t]*\r?\n)*", sample).group().count("\n")  # type: ignore[union-attr]
    chunks: list[pd.DataFrame] = []
    kept = 0
    sep = _sniff_delimiter(sample)
    _check_first_row(path, sample, sep, lead)
    try:
        # index_col=False: pandas would otherwise take a first data row with one cell more
        # than the header as a sign that the first column is an index, shifting every value
        # one column left. _check_first_row refuses such files; later long rows are errors.
        with pd.read_csv(
            path,
            sep=sep,
            # object, not str: the same Python strings without pandas' string arrays, whose
            # NA checks and concatenation cost time (with the plain loop in _blank_rows, the
            # 1M-row bench file reads in 1.5 s instead of 1.8 s)
            dtype=object,
            keep_default_na=False,
            encoding=encoding,
            skiprows=lead,
            index_col=False,
            skip_blank_lines=False,
            on_bad_lines="error",
            # Files within the row limit come in one chunk, not joined from several (for the
            # 1M-row bench file pandas alone took 1.55-1.7 s against 1.75-1.9 s in chunks of
            # 250,000). Memory stays bounded: a longer file is refused after max_rows + 1.
            chunksize=max_rows + 1,
        ) as reader:
            for chunk in reader:
                blank = _blank_rows(chunk)
                if blank.any():
                    chunk = chunk[~blank]
                kept += len(chunk)
                if kept > max_rows:
                    raise _too_many(kept, max_rows)
                chunks.append(chunk)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path.name} is not valid UTF-8 (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise ReadError(f"{path.name} is not a well-formed CSV file: {exc}") from None
    except pd.errors.EmptyDataError:
        raise ReadError(f"{path.name} has no header row") from None
    frame = (chunks[0] if len(chunks) == 1 else pd.concat(chunks)) if chunks else pd.DataFrame()
    numbers = pd.Series(frame.index.to_numpy() + lead + 2)  # the header is row lead + 1
    frame = frame.reset_index(drop=True).astype(object)
    return RawTable(frame, numbers, "csv", notes)


def _check_first_row(path: Path, sample: str, sep: str, lead: int) -> None:
    """Refuse a file whose first data row has more cells than its header row."""
    lines = sample.splitlines()[lead:]
    rows = csv.reader(lines[:-1] if len(lines) > 2 else lines, delimiter=sep)
    header = next(rows, None)
    first = next((r for r in rows if any(c.strip() for c in r)), None)
    if header is not None and first is not None and len(first) > len(header):
        raise ReadError(
            f"{path.name} is not a well-formed CSV file: a row has more cells than the header "
            "row; check for stray delimiters at the ends of lines"
        )


def _blank_rows(chunk: pd.DataFrame) -> np.ndarray:
    """Rows whose cells are all empty or spaces (only rows with an empty first cell can be).
    Cells are strings, or NaN where a short row has none."""
    first = chunk.iloc[:, 0].tolist()
    blank = np.array([not v.strip() if type(v) is str else _blank(v) for v in first], dtype=bool)
    if blank.any() and chunk.shape[1] > 1:
        rest = chunk.iloc[np.flatnonzero(blank), 1:].to_numpy(dtype=object)
        blank[blank] = [all(_blank(v) for v in row) for row in rest.tolist()]
    return blank


def _blank(cell: object) -> bool:
    return not cell.strip() if isinstance(cell, str) else pd.isna(cell)


def _read_xlsx(path: Path, max_rows: int) -> RawTable:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(f"{path.name} is not a readable .xlsx workbook: {exc}") from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ReadError(f"{path.name}: the first sheet is empty")
        data: list[tuple[Any, ...]] = []
        numbers: list[int] = []
        for n, row in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            data.append(row)
            numbers.append(n)
            if len(data) > max_rows:
                raise _too_many(len(data), max_rows)
    finally:
        wb.close()
    names = [str(h) if h is not None else f"column {i + 1}" for i, h in enumerate(header)]
    frame = pd.DataFrame([_xlsx_cells(r, len(names)) for r in data], columns=names, dtype=object)
    notes = [f"read the first sheet, {wb.sheetnames[0]!r}"] if len(wb.sheetnames) > 1 else []
    return RawTable(frame, pd.Series(numbers), "xlsx", notes)


def _xlsx_cells(row: tuple[Any, ...], width: int) -> list[Any]:
    cells = list(row[:width]) + [None] * (width - len(row))
    out = []
    for v in cells:
        if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
            v = int(v)  # Excel stores every number as a float; 1200.0 is 1200
        out.append(v)
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)  # exact, whatever the size
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# Headers that name a distribution field ("audience_age", ...): their objects stay whole.
_DISTRIBUTIONS = frozenset(
    k for specs in FIELDS.values() for s in specs if s.type == "distribution" for k in s.keys
)


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if not isinstance(value, dict):
            out[name] = _clean(value)
            continue
        if _is_distribution(value):
            out[name] = json.dumps(value)
            if header_key(name) in _DISTRIBUTIONS:
                continue
        # {"stats": {"followers": 5, "likes": 9}} is numbers too: also stats.followers, ...
        out.update(_flatten(value, name + "."))
    return out


def _is_distribution(value: dict[str, Any]) -> bool:
    """{"18-24": 0.4, ...}: a share per key, kept whole for a distribution field."""
    return bool(value) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
    )


def _records(doc: Any, path: Path, notes: list[str]) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        raise ReadError(f"{path.name}: expected a JSON list of records or an object")
    error = doc.get("error")
    if isinstance(error, dict) and error.get("code") not in (None, "ok"):
        raise ReadError(
            f"{path.name} is a TikTok API error response ({error.get('code')}: "
            f"{error.get('message') or 'no message'}), not data"
        )
    data = doc.get("data", doc)
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("videos", "creators", "users", "hashtags", "items", "records", "rows"):
            if isinstance(data.get(key), list):
                if data is not doc:
                    notes.append(f"read the records under data.{key}")
                if data.get("has_more"):
                    notes.append(
                        "the response says has_more=true: this page is not the whole result"
                    )
                return data[key]
        return [data]
    raise ReadError(f"{path.name}: found no records in the JSON document")


def _read_json(path: Path, *, lines: bool, max_rows: int) -> RawTable:
    notes: list[str] = []
    try:
        text = path.read_text(encoding="utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path.name} is not valid UTF-8 (byte {exc.start}); JSON files must be UTF-8"
        ) from None
    try:
        if lines:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            records = _records(json.loads(text), path, notes)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{path.name} is not valid JSON: {exc}") from None
    if len(records) > max_rows:
        raise _too_many(len(records), max_rows)
    flat: list[dict[str, Any]] = []
    nul = "\x00" in text or "\\u0000" in text
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise ReadError(f"{path.name}: record {i} is not an object")
        flat.append(_flatten(rec))
    if nul:
        notes.append("NUL characters were removed from text values")
    frame = pd.DataFrame(flat, dtype=object)
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame(dtype=object)
    frame = frame.where(frame.notna(), None)
    return RawTable(frame, pd.Series(range(1, len(frame) + 1)), "json", notes)
