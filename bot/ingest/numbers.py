"""Numbers as exports write them: ``149.2M``, ``78.9m``, ``856.3K``, ``1,234``, ``16.60%``.

- Plain and scientific notation (``5e+06``) as usual; a suffix multiplies: K = 1e3, M = 1e6,
  B = 1e9 (either case).
- Thousands separators are commas in groups of three (``1,234,567.5``). A lone decimal comma
  (``1,5``) is refused rather than guessed.
- ``%`` divides by 100.
- Blank cells and the usual missing markers (``-``, ``n/a``, ``null``, ...) are *missing*
  (NaN), never zero.

:func:`parse_number` handles one string; :func:`parse_numbers` a whole pandas column, with
pandas' C parser as the fast path and the pattern only for cells it cannot read.
"""

from __future__ import annotations

import math
import operator
import re

import numpy as np
import pandas as pd

MISSING = frozenset({"", "-", "--", "—", "–", "n/a", "na", "nan", "none", "null", "nil", "?"})

_NUMBER = re.compile(
    r"""^\s*
    (?P<sign>[+-])?\s*
    (?P<num>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)
    (?P<exp>[eE][+-]?[0-9]+)?
    \s*(?P<suffix>[kKmMbB%])?\s*$""",
    re.VERBOSE,
)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "%": 0.01}
# _NUMBER for many cells at once: the cells joined by newlines, one match per line (``\s``
# becomes "whitespace but a newline"; cells holding a newline do not take this path). A line
# that is no number matches the ``other`` branch instead, so every line gives one match.
_NUMBER_LINES = re.compile(
    r"""^(?:[^\S\n]*
    (?P<sign>[+-])?[^\S\n]*
    (?P<num>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)
    (?P<exp>[eE][+-]?[0-9]+)?
    [^\S\n]*(?P<suffix>[kKmMbB%])?[^\S\n]*
    |(?P<other>.*))$""",
    re.VERBOSE | re.MULTILINE,
)
_SUFFIX_SCALE = {"": 1.0, **{k: v for s, v in _SCALE.items() for k in {s, s.upper()}}}

EXAMPLES = "e.g. 1234, 1,234, 12.5K, 1.2M, 5e+06, 16.6%"


def is_missing(text: object) -> bool:
    if text is None:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    return str(text).strip().lower() in MISSING


def parse_number(text: object) -> float | None:
    """One cell: a float, ``None`` when missing; ValueError when it is not a number."""
    if is_missing(text):
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        try:
            value = float(text)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    m = _NUMBER.match(str(text))
    if m is None:
        raise ValueError(f"{str(text)!r} is not a number ({EXAMPLES})")
    value = float(m["num"].replace(",", "") + (m["exp"] or ""))
    if m["suffix"]:
        value *= _SCALE[m["suffix"].lower()]
    if m["sign"] == "-":
        value = -value
    if not math.isfinite(value):
        raise ValueError(f"{str(text)!r} is too large")
    return value


def missing_mask(col: pd.Series) -> np.ndarray:
    """True where a cell is blank or a missing marker."""
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        # Text cells (a CSV's): the str methods in one comprehension, 0.11 s per million
        # cells where pandas' string methods took 0.35 s.
        return np.array([v.strip().lower() in MISSING if isinstance(v, str) else True
                         for v in col.tolist()], dtype=bool)  # fmt: skip
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        text = col.astype("string").str.strip().str.lower()
        return (col.isna() | text.isin(MISSING)).to_numpy(dtype=bool)
    return col.isna().to_numpy(dtype=bool)


def parse_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of cells -> (float64 values with NaN for missing, mask of unparseable cells).

    A column of text (a CSV's) is parsed once per distinct cell: exports repeat values a lot
    (a million engagement cells hold a few hundred distinct rates)."""
    if len(col) > 1000 and (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            codes, uniques = pd.factorize(col.to_numpy(dtype=object))
            values, bad = _parse_numbers(pd.Series(uniques, dtype=object))
            present = codes >= 0
            safe = np.where(present, codes, 0)
            if not len(uniques):
                return np.full(len(col), np.nan), np.zeros(len(col), dtype=bool)
            return (np.where(present, values[safe], np.nan),
                    np.where(present, bad[safe], False))  # fmt: skip
    return _parse_numbers(col)


def _parse_numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    missing = missing_mask(col)
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        values = col.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        return values, ~np.isfinite(values) & ~np.isnan(values)
    values = pd.to_numeric(col.where(~missing), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )
    bad = np.isinf(values)  # pandas reads "inf"; no export means infinity
    if pd.api.types.infer_dtype(col, skipna=True) in ("boolean", "mixed", "mixed-integer"):
        # a spreadsheet's TRUE is not 1 follower; parse_number refuses it too
        is_bool = col.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
        bad |= is_bool
        values[is_bool] = np.nan
    values[bad] = np.nan
    slow = np.isnan(values) & ~missing & ~bad
    if slow.any():
        idx = np.flatnonzero(slow)
        parsed, scale, sign, ok = _pattern_parts(col[slow])
        with np.errstate(over="ignore", invalid="ignore"):
            out = parsed * scale * sign
        ok &= np.isfinite(out)
        values[idx[ok]] = out[ok]
        bad[idx[~ok]] = True
    return values, bad


def _pattern_parts(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cells pandas could not read, through the pattern: (number before suffix and sign,
    suffix scale, sign, matched), each a float64 / bool array.

    Text cells go through one regex scan of the cells joined by newlines: for the 193,179
    distinct follower cells of the 1,000,000-row bench file that pandas cannot read ('1,234',
    '12.5K'), 0.37 s where ``str.extract`` and the string methods after it took 0.6 s. Cells
    of other types (and any holding a newline) take ``str.extract``. Both feed pandas the
    same strings, so the numbers are the same."""
    n = len(cells)
    objects = cells.to_numpy(dtype=object)
    texts = objects.tolist()
    joined = "\n".join(texts) if all(type(v) is str for v in texts) else None
    if joined is None or joined.count("\n") != n - 1:
        matches = None
    else:
        matches = _NUMBER_LINES.findall(joined)
    if matches is None or len(matches) != n:
        parts = cells.astype("string").str.extract(_NUMBER)
        ok = parts["num"].notna().to_numpy(dtype=bool, copy=True)
        num = parts["num"].str.replace(",", "", regex=False) + parts["exp"].fillna("")
        scale = parts["suffix"].str.lower().map(_SCALE).fillna(1.0).to_numpy(dtype="float64")
        minus = parts["sign"].eq("-").fillna(False).to_numpy(dtype=bool)
    else:
        sign_s, num_s, exp_s, suffix_s, other_s = zip(*matches, strict=True)
        ok = np.fromiter(map(operator.not_, other_s), dtype=bool, count=n)
        # num + exp with the thousands separators dropped, <NA> where the cell is no number:
        # the same "string" column str.extract's path hands pandas.
        digits = "\n".join(map(operator.add, num_s, exp_s)).replace(",", "").split("\n")
        num = pd.Series(digits, dtype="string").where(ok)
        scale = np.fromiter(map(_SUFFIX_SCALE.__getitem__, suffix_s), dtype="float64", count=n)
        minus = np.fromiter(map("-".__eq__, sign_s), dtype=bool, count=n)
    parsed = pd.to_numeric(num, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return parsed, scale, np.where(minus, -1.0, 1.0), ok
