"""Cell parsers, one per field type: a raw column in, (values, bad mask, reason) out.

Each parser is vectorised or works once per distinct value, so a million-row file stays
fast. ``reason(i)`` explains why cell ``i`` was refused, in words a marketer can act on.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pycountry

from bot.ingest.numbers import EXAMPLES, findall_lines, missing_mask, parse_numbers
from bot.ingest.numbers import parse_number as number_from_text

MAX_COUNT = 2**63 - 1
HANDLE_RE = r"[\w.]{1,64}"
HASHTAG_RE = r"[^\s#,]{1,150}"


@dataclass
class Parsed:
    values: pd.Series  # parsed values, None / NaN where missing or bad
    bad: np.ndarray  # bool: the cell is present but not acceptable
    reason: Callable[[int], str]  # why cell i is bad (positional index)
    missing: np.ndarray  # bool: the cell is empty
    note: str | None = None  # something the report should mention about this column


# --- parsing each distinct cell once ------------------------------------------------------

DISTINCT_MIN_ROWS = 2000  # smaller columns are parsed cell by cell
_DISTINCT_SAMPLE = 5000


def distinct_cells(col: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """``(codes, cells)`` when a text column repeats its cells, else None: ``cells`` holds
    each distinct cell once (one blank cell for all the blank ones) and ``codes[i]`` is the
    position of row ``i``'s cell in it.

    Exports repeat values a lot: in the 1,000,000-row bench file the countries, genres,
    prices and display names hold 31, 272, 56,912 and 4,982 distinct cells. Parsing those
    and spreading the results (:func:`spread`) took the four columns from 2.4 s to 0.6 s.
    Columns whose first rows are nearly all distinct (handles, ids) are parsed directly: hashing
    a million distinct strings would cost 0.25 s for nothing."""
    if len(col) < DISTINCT_MIN_ROWS or col.dtype != object:
        return None
    if pd.api.types.infer_dtype(col, skipna=True) != "string":
        return None  # lists, numbers and booleans from JSON or XLSX: parsed as they are
    sample = col.iloc[:_DISTINCT_SAMPLE].tolist()
    if len(set(sample)) > 0.9 * len(sample):
        return None
    cells = col.to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells)
    blank = codes < 0
    if blank.any():
        uniques = np.append(uniques.astype(object), [cells[np.argmax(blank)]])
        codes[blank] = len(uniques) - 1
    return codes, pd.Series(uniques, dtype=object)


def spread(parsed: Parsed, codes: np.ndarray, index: pd.Index) -> Parsed:
    """The parse of a column's distinct cells as the parse of the column (see
    :func:`distinct_cells`). The note is the distinct cells' one: notes that count rows are
    made by the caller."""
    values = parsed.values.take(codes)
    values.index = index
    reason = parsed.reason
    return Parsed(
        values,
        parsed.bad[codes],
        lambda i: reason(int(codes[i])),
        parsed.missing[codes],
        parsed.note,
    )


def _text(col: pd.Series) -> pd.Series:
    """Cells as trimmed strings with NUL removed; None where blank."""
    s = col.astype("string").str.replace("\x00", "", regex=False).str.strip()
    return s.where(s.str.len() > 0).astype(object).where(lambda x: x.notna(), None)


def _without_markers(text: pd.Series) -> pd.Series:
    """Trimmed cells with the missing markers (``-``, ``n/a``, ...) as None, as numbers have."""
    return text.where(~pd.Series(missing_mask(text.fillna("")), index=text.index), None)


def _shown(raw: object, limit: int = 60) -> str:
    text = str(raw)
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --- identities --------------------------------------------------------------------------

_URL_HANDLE = re.compile(r"tiktok\.com/@([^/?#\s]+)", re.IGNORECASE)


# A handle as most exports write it: '@' and ASCII letters, digits, '_' and '.'; one per
# line of the cells joined by newlines.
_PLAIN_HANDLES = re.compile(r"^@*([A-Za-z0-9_.]{1,64})$", re.MULTILINE)


def _plain_handles(col: pd.Series) -> list[str] | None:
    """The handles of a column whose every cell is a plain handle, else None.

    One regex scan of the cells joined by newlines and one ``lower()``: the bench's 1,000,000
    handles parse in 0.35 s, where the general rules below take 0.9 s. For such a cell the general
    rules give the same handle: nothing to trim, no URL, the '@'s dropped, and lower case."""
    found = findall_lines(_PLAIN_HANDLES, col.tolist())
    if not found:
        return None
    return "\n".join(found).lower().split("\n")


def parse_handle(col: pd.Series) -> Parsed:
    plain = _plain_handles(col)
    if plain is not None:
        values = pd.Series(plain, index=col.index, dtype=object)
        bad, missing = np.zeros(len(col), dtype=bool), np.zeros(len(col), dtype=bool)
    else:
        values, bad, missing = _handles(col)

    def reason(i: int) -> str:
        return (
            f"{_shown(col.iloc[i])} is not a TikTok handle (letters, digits, '_' and '.', "
            "at most 64 characters; '@' is optional)"
        )

    return Parsed(values, bad, reason, missing)


def _handles(col: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The general rules: (handles, bad, missing)."""
    text = _text(col)
    missing = text.isna().to_numpy()
    s = text.astype("string")
    has_url = s.str.contains("tiktok.com/@", case=False, regex=False, na=False)
    if has_url.any():
        s = s.where(~has_url, s.str.extract(_URL_HANDLE, expand=False))
    s = s.str.lstrip("@").str.lower()
    ok = s.str.fullmatch(HANDLE_RE).fillna(False).to_numpy(dtype=bool)
    bad = ~missing & ~ok
    values = s.astype(object).where(~pd.Series(bad | missing, index=s.index), None)
    return values, bad, missing


def parse_hashtag(col: pd.Series) -> Parsed:
    text = _text(col)
    missing = text.isna().to_numpy()
    s = text.astype("string").str.lstrip("#").str.lower()
    ok = s.str.fullmatch(HASHTAG_RE).fillna(False).to_numpy(dtype=bool)
    bad = ~missing & ~ok
    values = s.astype(object).where(~pd.Series(bad | missing, index=s.index), None)

    def reason(i: int) -> str:
        return f"{_shown(col.iloc[i])} is not a hashtag (one word, no spaces or commas)"

    return Parsed(values, bad, reason, missing)


def parse_id(col: pd.Series) -> Parsed:
    text = _text(col)
    missing = text.isna().to_numpy()
    s = text.astype("string")
    ok = s.str.fullmatch(r"\d{1,40}").fillna(False).to_numpy(dtype=bool)
    bad = ~missing & ~ok

    def reason(i: int) -> str:
        raw = str(col.iloc[i])
        if re.fullmatch(r"\s*\d+(\.\d+)?[eE]\+?\d+\s*", raw):
            return (
                f"{_shown(raw)} is an id rounded by a spreadsheet; export the ids as text "
                "(TikTok ids have up to 20 digits)"
            )
        return f"{_shown(raw)} is not a numeric TikTok id"

    values = text.where(~pd.Series(bad, index=text.index), None)
    return Parsed(values, bad, reason, missing)


def parse_text(col: pd.Series, max_len: int | None = None) -> Parsed:
    distinct = distinct_cells(col)
    cells = col if distinct is None else distinct[1]
    values = _text(cells)
    long = np.zeros(len(cells), dtype=bool)
    if max_len is not None:
        lengths = values.astype("string").str.len()
        long = (lengths > max_len).fillna(False).to_numpy(dtype=bool)
        if long.any():
            values = values.copy()
            values[long] = values[long].map(lambda v: v[: max_len - 1] + "…")
    missing = values.isna().to_numpy()
    if distinct is not None:
        codes = distinct[0]
        values = values.take(codes).set_axis(col.index)
        long, missing = long[codes], missing[codes]
    note = None
    if long.any():  # counts rows, not distinct cells
        note = f"{int(long.sum())} values longer than {max_len} characters were shortened"
    return Parsed(values, np.zeros(len(col), dtype=bool), lambda i: "", missing, note)


# --- numbers -----------------------------------------------------------------------------


def _number_reason(col: pd.Series, values: np.ndarray, what: str) -> Callable[[int], str]:
    def reason(i: int) -> str:
        v = values[i]
        if math.isnan(v):
            return f"{_shown(col.iloc[i])} is not a number ({EXAMPLES})"
        if v < 0:
            return f"{_shown(col.iloc[i])} is negative; expected {what}"
        return f"{_shown(col.iloc[i])} is out of range; expected {what}"

    return reason


def parse_count(col: pd.Series) -> Parsed:
    values, unparsed = parse_numbers(col)
    missing = np.isnan(values) & ~unparsed
    with np.errstate(invalid="ignore"):
        # as a float MAX_COUNT rounds up to 2**63, which int64 cannot hold: compare with >=
        bad = unparsed | (values < 0) | (values >= MAX_COUNT + 1)
    rounded = np.where(bad | missing, np.nan, np.round(values))
    out = pd.Series(rounded, index=col.index, dtype="float64")
    return Parsed(out, bad, _number_reason(col, values, "a whole number, 0 or more"), missing)


def parse_number(col: pd.Series) -> Parsed:
    values, unparsed = parse_numbers(col)
    missing = np.isnan(values) & ~unparsed
    with np.errstate(invalid="ignore"):
        bad = unparsed | (values < 0)
    out = pd.Series(np.where(bad, np.nan, values), index=col.index, dtype="float64")
    return Parsed(out, bad, _number_reason(col, values, "a number, 0 or more"), missing)


def parse_rate(col: pd.Series) -> Parsed:
    """A share in [0, 1]. ``16.6%`` is 0.166; a bare number above 1 (``16.6``) is read as a
    percentage too, since no rate above 100% is meant."""
    values, unparsed = parse_numbers(col)
    missing = np.isnan(values) & ~unparsed
    has_pct = col.astype("string").str.contains("%", regex=False, na=False).to_numpy(dtype=bool)
    with np.errstate(invalid="ignore"):
        as_pct = ~has_pct & (values > 1) & (values <= 100)
        scaled = np.where(as_pct, values / 100, values)
        bad = unparsed | (scaled < 0) | (scaled > 1)
    out = pd.Series(np.where(bad, np.nan, scaled), index=col.index, dtype="float64")

    def reason(i: int) -> str:
        if unparsed[i]:
            return f"{_shown(col.iloc[i])} is not a rate (e.g. 16.6%, 0.166 or 16.6)"
        return f"{_shown(col.iloc[i])} is not a rate between 0% and 100%"

    return Parsed(out, bad, reason, missing)


# --- money and currency ------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL"}
_MONEY = re.compile(
    r"^\s*(?P<pre>US\$|R\$|[$€£¥₹]|[A-Za-z]{3}(?=[\s\d.]))?\s*"
    r"(?P<num>[^A-Za-z$€£¥₹]+?(?:[eE][+-]?[0-9]+)?[kKmMbB]?)"  # 1.2K, 5e+03 as numbers have
    r"\s*(?P<post>[$€£¥₹]|[A-Za-z]{3})?\s*$"
)


@lru_cache(maxsize=512)
def currency_code(text: str) -> str | None:
    code = _SYMBOLS.get(text) or text.upper()
    return code if pycountry.currencies.get(alpha_3=code) is not None else None


def parse_currency(col: pd.Series) -> Parsed:
    text = _without_markers(_text(col))
    missing = text.isna().to_numpy()
    uniq = {v: currency_code(v) for v in pd.unique(text.dropna())}
    values = text.map(lambda v: uniq.get(v) if v is not None else None)
    bad = ~missing & values.isna().to_numpy()

    def reason(i: int) -> str:
        return f"{_shown(col.iloc[i])} is not an ISO 4217 currency code (e.g. USD, EUR, GBP)"

    return Parsed(values, bad, reason, missing)


def parse_money(col: pd.Series) -> tuple[Parsed, pd.Series]:
    """Amounts, and the currency each cell named (None where it named none).

    Each cell is matched once; the amounts of all cells are then read together by
    numbers.parse_numbers (the same as parse_number, to the last bit) and the currency
    names once per distinct name. A cell that fails any check is handed to
    :func:`_money_cell`, which says why. The bench file's 56,912 distinct prices: 399 ms ->
    119 ms (garbage collector off, as during an import)."""
    text = _without_markers(_text(col))
    missing = text.isna().to_numpy()
    n = len(col)
    amounts = np.full(n, np.nan)
    currencies = np.full(n, None, dtype=object)
    bad = np.zeros(n, dtype=bool)
    why: dict[int, str] = {}
    cells = text.tolist()
    present = np.flatnonzero(~missing)
    if len(present):
        shown = [cells[i] for i in present.tolist()]
        parts, matched = _money_parts(shown)
        pre, nums, post = zip(*parts, strict=True)
        values, unparsed = parse_numbers(pd.Series(nums, dtype=object))
        # Currency names once per distinct name: "" where none, None where unknown.
        code = {t: currency_code(t) for t in {*pre, *post} if t}
        code[""] = ""
        first = np.array([code[t] for t in pre], dtype=object)
        second = np.array([code[t] for t in post], dtype=object)
        named = np.where(first != "", first, second)
        with np.errstate(invalid="ignore"):
            ok = (
                matched
                & ~unparsed
                & (values >= 0)  # NaN (no amount) fails too
                & ~pd.isna(first)
                & ~pd.isna(second)
                & ~((first != "") & (second != "") & (first != second))
            )
        good = present[ok]
        amounts[good] = values[ok]
        currencies[good] = np.where(named[ok] == "", None, named[ok])
        for i in present[~ok].tolist():
            got = _money_cell(cells[i])
            if isinstance(got, str):
                bad[i], why[i] = True, got
            else:  # never expected: the checks above are _money_cell's own
                amounts[i], currencies[i] = got
    parsed = Parsed(pd.Series(amounts, index=col.index), bad, lambda i: why[i], missing)
    return parsed, pd.Series(currencies, index=col.index, dtype=object)


# The usual shapes of a price ('1200', '$1,200', '900 EUR'), one per line of the cells joined
# by newlines; any other line matches ``other`` and takes _MONEY. For these shapes _MONEY
# finds the same parts (its amount is everything between the currency names).
_PLAIN_MONEY = re.compile(r"^(?:(\$)?([0-9][0-9,.]*)(?: ([A-Za-z]{3}))?|(?P<other>.*))$", re.M)


def _money_parts(texts: list[str]) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    """(currency before, amount, currency after) of each cell ("" where absent), and whether
    _MONEY matched it: one scan for the usual shapes, _MONEY for the rest (3 us a cell)."""
    found = findall_lines(_PLAIN_MONEY, texts) or [("", "", "", text) for text in texts]
    parts: list[tuple[str, str, str]] = []
    matched = np.ones(len(texts), dtype=bool)
    for i, (pre, num, post, other) in enumerate(found):
        if other or not num:
            m = _MONEY.match(texts[i])
            if m is None:
                matched[i] = False
                parts.append(("", "", ""))
                continue
            pre, num, post = m.group("pre", "num", "post")
        parts.append((pre or "", num, post or ""))
    return parts, matched


def _money_cell(v: str) -> tuple[float, str | None] | str:
    m = _MONEY.match(v)
    if m is None:
        return f"{_shown(v)} is not an amount (e.g. 1200, $1,200, 1.2K, 900 EUR)"
    codes = [c for c in (m["pre"], m["post"]) if c]
    currency = None
    if codes:
        found = [currency_code(c) for c in codes]
        if None in found:
            return f"{_shown(v)} names an unknown currency"
        if len(set(found)) > 1:
            return f"{_shown(v)} names two currencies"
        currency = found[0]
    try:
        amount = number_from_text(m["num"])
    except ValueError:
        amount = None
    if amount is None:
        return f"{_shown(v)} is not an amount (e.g. 1200, $1,200, 1.2K, 900 EUR)"
    if amount < 0:
        return f"{_shown(v)} is negative; a price is 0 or more"
    return amount, currency


# --- countries, booleans, dates ----------------------------------------------------------

_COUNTRY_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "northern ireland": "GB", "uae": "AE", "emirates": "AE", "russia": "RU", "turkey": "TR",
    "ivory coast": "CI", "korea": "KR", "south korea": "KR", "north korea": "KP",
    "usa": "US", "america": "US", "united states of america": "US", "czechia": "CZ",
    "holland": "NL", "the netherlands": "NL", "vietnam": "VN", "iran": "IR", "syria": "SY",
    "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD",
    "palestine": "PS", "macau": "MO", "hong kong": "HK", "taiwan": "TW", "kosovo": "XK",
}  # fmt: skip


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """ISO 3166 alpha-2 for a country name or code ('U.S.A' -> 'US'), else None."""
    key = re.sub(r"[.\s]+", " ", text.replace(".", "")).strip().lower()
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


def parse_country(col: pd.Series) -> Parsed:
    """Countries become ISO alpha-2 codes; names that are not countries are kept as written
    (and named in the report), never dropped."""
    text = _without_markers(_text(col))
    missing = text.isna().to_numpy()
    uniq = {v: country_code(v) for v in pd.unique(text.dropna())}
    unknown = sorted(v for v, code in uniq.items() if code is None)
    values = text.map(lambda v: (uniq[v] or v[:64]) if v is not None else None)
    note = None
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        note = f"not recognised as countries, kept as written: {shown}"
    return Parsed(values, np.zeros(len(col), dtype=bool), lambda i: "", missing, note)


_TRUE = {"true", "t", "yes", "y", "1", "verified", "✓", "x"}
_FALSE = {"false", "f", "no", "n", "0", "unverified"}


def parse_bool(col: pd.Series) -> Parsed:
    text = _text(col).astype("string").str.lower()
    missing = text.isna().to_numpy()
    truth = text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)
    falsity = text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)
    bad = ~missing & ~truth & ~falsity
    values = pd.Series(
        np.where(truth, True, np.where(falsity, False, None)), index=col.index, dtype=object
    )

    def reason(i: int) -> str:
        return f"{_shown(col.iloc[i])} is not yes/no (true/false, yes/no, 1/0)"

    return Parsed(values, bad, reason, missing)


def parse_date(col: pd.Series) -> Parsed:
    text = _text(col)
    missing = text.isna().to_numpy()
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    bad = ~missing & parsed.isna().to_numpy()
    values = pd.Series(
        [None if pd.isna(d) else d.date() for d in parsed], index=col.index, dtype=object
    )

    def reason(i: int) -> str:
        return f"{_shown(col.iloc[i])} is not a date (expected YYYY-MM-DD)"

    return Parsed(values, bad, reason, missing)


_NS_MIN = pd.Timestamp.min.tz_localize("UTC")
_NS_MAX = pd.Timestamp.max.tz_localize("UTC")


def _ns_or_nat(times: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Times a nanosecond column can hold (years 1677 to 2262), NaT for the others: pandas
    parses wider ranges at coarser units and would raise OutOfBoundsDatetime on assignment."""
    return times.where((times >= _NS_MIN) & (times <= _NS_MAX)).as_unit("ns")


def parse_datetime(col: pd.Series) -> Parsed:
    """Unix seconds (or milliseconds), or ISO 8601; a time without a zone is UTC."""
    text = _text(col)
    missing = text.isna().to_numpy()
    numbers, _ = parse_numbers(text.where(text.notna(), ""))
    is_num = ~np.isnan(numbers)
    with np.errstate(invalid="ignore"):
        seconds = np.where(numbers > 1e11, numbers / 1000, numbers)
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns, UTC]")
    if is_num.any():
        times = pd.to_datetime(seconds[is_num], unit="s", utc=True, errors="coerce")
        out[is_num] = _ns_or_nat(times)
    iso = ~is_num & ~missing
    if iso.any():
        times = pd.to_datetime(text[iso], errors="coerce", format="ISO8601", utc=True)
        out[iso] = _ns_or_nat(pd.DatetimeIndex(times))
    bad = ~missing & out.isna().to_numpy()

    def reason(i: int) -> str:
        return (
            f"{_shown(col.iloc[i])} is not a time (unix seconds or ISO 8601, "
            "e.g. 2024-01-05T23:59:00Z)"
        )

    return Parsed(out, bad, reason, missing)


# --- lists and distributions -------------------------------------------------------------


def _items(cell: str) -> list[str] | None:
    text = cell.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return None
        if not isinstance(value, list | tuple):
            return None
        return [str(v) for v in value]
    return re.split(r"[,;|]", text)


def _norm_niche(item: str) -> str:
    return re.sub(r"\s+", " ", item.strip().strip("#").strip()).lower()[:50]


def _norm_tag(item: str) -> list[str]:
    return [t.lower() for t in re.split(r"[\s#]+", item.strip()) if t]


def _empty_cell(v: object) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return True
    return not v.strip() if isinstance(v, str) else isinstance(v, list) and not v


def parse_list(col: pd.Series, *, hashtags: bool) -> Parsed:
    """A list cell -> normalised items joined by commas (lower case; '#' dropped for tags)."""
    cells = col.tolist()
    missing = np.array([_empty_cell(v) for v in cells], dtype=bool)
    cache: dict[str, str | bool | None] = {}
    out: list[str | None] = []
    bad = np.zeros(len(col), dtype=bool)
    for i, v in enumerate(cells):
        if missing[i]:
            out.append(None)
            continue
        key = json.dumps(v) if isinstance(v, list) else str(v)
        if key not in cache:
            items = [str(x) for x in v] if isinstance(v, list) else _items(str(v))
            if items is None:
                cache[key] = False
            else:
                norm: list[str] = []
                for item in items:
                    for t in _norm_tag(item) if hashtags else [_norm_niche(item)]:
                        if t and t not in norm and "," not in t:
                            norm.append(t)
                cache[key] = ",".join(norm) or None
        got = cache[key]
        if got is False:
            bad[i] = True
            out.append(None)
        else:
            out.append(got)  # type: ignore[arg-type]

    def reason(i: int) -> str:
        return f"{_shown(col.iloc[i])} is not a list (e.g. 'dance, comedy' or ['dance'])"

    return Parsed(pd.Series(out, index=col.index, dtype=object), bad, reason, missing)


def _distribution_cell(text: str) -> dict[str, float] | str:
    text = text.strip()
    pairs: list[tuple[str, object]]
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            return 'is not valid JSON (e.g. {"18-24": 0.4, "25-34": 0.35})'
        if not isinstance(doc, dict):
            return "is not an object of shares"
        pairs = list(doc.items())
    else:
        pairs = []
        for part in re.split(r"[;,|]", text):
            if not part.strip():
                continue
            if ":" not in part and "=" not in part:
                return "is not a list of 'key: share' pairs (e.g. '18-24: 40%, 25-34: 35%')"
            key, _, value = part.replace("=", ":").partition(":")
            pairs.append((key.strip(), value.strip()))
    shares: dict[str, float] = {}
    for key, value in pairs:
        raw = str(value)
        try:
            v = number_from_text(raw)
        except ValueError:
            v = None
        if v is None or v < 0:
            return f"has a share that is not a number: {key}={raw}"
        if "%" not in raw and v > 1:
            v /= 100
        shares[str(key).strip()[:40]] = round(float(v), 6)
    if not shares:
        return "has no shares (e.g. '18-24: 40%, 25-34: 35%')"
    if sum(shares.values()) > 1.05:
        return "has shares adding up to more than 100%"
    return shares


def parse_distribution(col: pd.Series) -> Parsed:
    text = _text(col)
    missing = text.isna().to_numpy()
    cache: dict[str, dict[str, float] | str] = {}
    out: list[dict[str, float] | None] = []
    bad = np.zeros(len(col), dtype=bool)
    why: dict[int, str] = {}
    for i, v in enumerate(text.tolist()):
        if v is None:
            out.append(None)
            continue
        if v not in cache:
            cache[v] = _distribution_cell(v)
        got = cache[v]
        if isinstance(got, str):
            bad[i] = True
            why[i] = f"{_shown(v)} {got}"
            out.append(None)
        else:
            out.append(got)
    return Parsed(pd.Series(out, index=col.index, dtype=object), bad, lambda i: why[i], missing)
