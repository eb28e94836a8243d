"""bot/ingest/numbers.py: one cell (parse_number) and a whole column (parse_numbers)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.numbers import MISSING, is_missing, missing_mask, parse_number, parse_numbers

# --- examples ----------------------------------------------------------------------------

VALID = [
    ("149.2M", 149_200_000),
    ("78.9m", 78_900_000),
    ("856.3K", 856_300),
    ("622.6k", 622_600),
    ("1.5B", 1_500_000_000),
    ("2b", 2_000_000_000),
    ("1,234", 1234),
    ("1,234,567.5", 1_234_567.5),
    ("12,345.", 12_345),
    ("5e+06", 5_000_000),
    ("5E6", 5_000_000),
    ("1.5e-3", 0.0015),
    ("16.60%", 0.166),
    ("16%", 0.16),
    ("100%", 1.0),
    ("0", 0),
    ("007", 7),
    (".5", 0.5),
    ("5.", 5),
    ("  42  ", 42),
    ("\t42\n", 42),
    ("\xa042\xa0", 42),  # non-breaking spaces from spreadsheets
    ("+5", 5),
    ("-5", -5),
    ("- 5", -5),
    ("+1.5 m", 1_500_000),
    ("-2.5K", -2500),
    ("12 K", 12_000),
    ("1.2e3K", 1_200_000),
    ("5.K", 5000),
]

MISSING_CELLS = [
    "",
    " ",
    "-",
    "--",
    "—",
    "–",
    "n/a",
    "N/A",
    " n/a ",
    "na",
    "NA",
    "nan",
    "NaN",
    "none",
    "None",
    "null",
    "NULL",
    "nil",
    "?",
    None,
    float("nan"),
    np.nan,
]

REFUSED = [
    "1,5",  # a decimal comma: refused, not guessed
    "1,23",
    "1,2345",
    "12,34,567",
    "12abc",
    "abc",
    "inf",
    "-inf",
    "Infinity",
    "0x1A",
    "0x10",
    "0b1",
    "1_000",
    "1 000",
    "1\u2009000",
    "1.2.3",
    "+-5",
    "1e",
    "1e400",  # overflows to infinity
    "-1e400",
    "%",
    "K",
    "100%%",
    "$5",
    "1.2KB",
    "True",
    "١٢٣",  # Arabic-Indic digits
    "²",
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_number_reads_export_formats(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parse_numbers_reads_export_formats(text, expected):
    values, bad = parse_numbers(pd.Series([text], dtype=object))
    assert not bad[0]
    assert values[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("cell", MISSING_CELLS)
def test_missing_markers_are_missing_not_zero(cell):
    assert is_missing(cell)
    assert parse_number(cell) is None
    values, bad = parse_numbers(pd.Series([cell, "7"], dtype=object))
    assert math.isnan(values[0]) and not bad[0]
    assert values[1] == 7 and not bad[1]


@pytest.mark.parametrize("text", REFUSED)
def test_parse_number_refuses(text):
    with pytest.raises(ValueError, match="not a number|too large") as info:
        parse_number(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", REFUSED)
def test_parse_numbers_marks_refused_cells_bad(text):
    values, bad = parse_numbers(pd.Series(["1", text, "-"], dtype=object))
    assert bad.tolist() == [False, True, False]
    assert values[0] == 1
    assert math.isnan(values[1]) and math.isnan(values[2])


def test_refusal_message_shows_examples():
    with pytest.raises(ValueError) as info:
        parse_number("1,5")
    message = str(info.value)
    assert "'1,5'" in message
    assert "1,234" in message and "1.2M" in message and "16.6%" in message


def test_missing_set_is_lower_case_and_stripped():
    for marker in MISSING:
        assert marker == marker.strip().lower()


# --- cells that are already numbers (XLSX, JSON floats) ----------------------------------


@pytest.mark.parametrize(("value", "expected"), [(12, 12.0), (12.5, 12.5), (0, 0.0), (-3, -3.0)])
def test_parse_number_passes_numbers_through(value, expected):
    got = parse_number(value)
    assert isinstance(got, float) and got == expected


@pytest.mark.parametrize("value", [math.inf, -math.inf, 2**1100, -(2**1100)])
def test_parse_number_refuses_non_finite_numbers(value):
    with pytest.raises(ValueError):
        parse_number(value)


@pytest.mark.parametrize("value", [True, False, np.True_])
def test_booleans_are_not_numbers(value):
    with pytest.raises(ValueError):
        parse_number(value)
    values, bad = parse_numbers(pd.Series([value, "5", None], dtype=object))
    assert bad.tolist() == [True, False, False]
    assert math.isnan(values[0]) and values[1] == 5


def test_bool_dtype_column_is_refused():
    values, bad = parse_numbers(pd.Series([True, False]))
    assert bad.all() and np.isnan(values).all()


def test_numeric_columns():
    values, bad = parse_numbers(pd.Series([1.5, np.nan, np.inf, -np.inf, 0.0]))
    assert bad.tolist() == [False, False, True, True, False]
    assert values[0] == 1.5 and values[4] == 0.0 and np.isnan(values[1])

    values, bad = parse_numbers(pd.Series([3, None, 5], dtype="Int64"))
    assert not bad.any()
    assert values[0] == 3 and np.isnan(values[1]) and values[2] == 5

    values, bad = parse_numbers(pd.Series([12, 12.5, None, "1K"], dtype=object))
    assert not bad.any()
    assert values[:2].tolist() == [12, 12.5] and np.isnan(values[2]) and values[3] == 1000


def test_string_dtype_columns_match_object_columns():
    cells = ["1.2K", "-", "x", None, "7", "16%"]
    for dtype in ("string", "str"):
        v1, b1 = parse_numbers(pd.Series(cells, dtype=object))
        v2, b2 = parse_numbers(pd.Series(cells, dtype=dtype))
        np.testing.assert_array_equal(b1, b2)
        np.testing.assert_array_equal(v1, v2)  # NaN == NaN here


def test_empty_column():
    values, bad = parse_numbers(pd.Series([], dtype=object))
    assert values.shape == (0,) and bad.shape == (0,)
    assert values.dtype == np.float64 and bad.dtype == bool


def test_results_are_positional_whatever_the_index():
    cells = ["1.2K", "5", "-", "x", "1,000", "7"]  # slow, fast, missing, bad, slow, fast
    col = pd.Series(cells, index=[50, 3, 3, 10, -1, 7], dtype=object)
    values, bad = parse_numbers(col)
    assert bad.tolist() == [False, False, False, True, False, False]
    assert values[[0, 1, 4, 5]].tolist() == [1200, 5, 1000, 7]
    assert np.isnan(values[2]) and np.isnan(values[3])


def test_parse_numbers_does_not_change_the_column():
    col = pd.Series(["1K", "-", "x"], dtype=object)
    parse_numbers(col)
    assert col.tolist() == ["1K", "-", "x"]


def test_missing_mask():
    col = pd.Series(["", " - ", "N/A", "0", None, "x"], dtype=object)
    assert missing_mask(col).tolist() == [True, True, True, False, True, False]
    assert missing_mask(pd.Series([1.0, np.nan])).tolist() == [False, True]


# --- properties --------------------------------------------------------------------------

amounts = st.one_of(
    st.integers(min_value=0, max_value=10**15),
    st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False),
)
spaces = st.sampled_from(["", " ", "  ", "\t"])


def _formats(x: float) -> list[tuple[str, float]]:
    """Ways an export writes x, with the value each means (suffix forms are rounded)."""
    out = [(repr(x) if isinstance(x, float) else str(x), x)]
    out.append((f"{x:,.6f}", round(x, 6)))  # thousands separators
    out.append((f"{x / 1e3:.12g}K", x))
    out.append((f"{x / 1e6:.12g}m", x))
    out.append((f"{x / 1e9:.12g}B", x))
    out.append((f"{x * 100:.12g}%", x))
    out.append((f"{x:.15e}", x))
    if isinstance(x, int):
        out.append((f"{x:,}", x))
    return out


@settings(max_examples=300)
@given(amounts, spaces, spaces)
def test_formatted_numbers_round_trip(x, before, after):
    for text, meant in _formats(x):
        padded = f"{before}{text}{after}"
        assert parse_number(padded) == pytest.approx(meant, rel=1e-9, abs=1e-9), padded
        assert parse_number(f"+{text}") == pytest.approx(meant, rel=1e-9, abs=1e-9)
        assert parse_number(f"-{text}") == pytest.approx(-meant, rel=1e-9, abs=1e-9)


@given(st.integers(min_value=0, max_value=10**15))
def test_integers_round_trip_exactly(n):
    assert parse_number(str(n)) == float(n)
    assert parse_number(f"{n:,}") == float(n)
    assert parse_number(f" -{n:,} ") == -float(n)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_repr_round_trips_exactly(x):
    assert parse_number(repr(x)) == x


@given(st.sampled_from(sorted(MISSING)), spaces, spaces, st.booleans())
def test_missing_markers_in_any_case_and_padding(marker, before, after, upper):
    text = before + (marker.upper() if upper else marker) + after
    assert parse_number(text) is None
    values, bad = parse_numbers(pd.Series([text], dtype=object))
    assert np.isnan(values[0]) and not bad[0]


def _one(cell: object) -> tuple[str, float | None]:
    try:
        value = parse_number(cell)
    except ValueError:
        return "bad", None
    return ("missing", None) if value is None else ("ok", value)


well_formed = amounts.flatmap(lambda x: st.sampled_from([t for t, _ in _formats(x)]))
token = st.sampled_from(
    [*"0123456789.,eE+-%kKmMbB xn/a$_", "\xa0", "\t", "inf", "nan", "0x", "١", "—", "1,5"]
)
garbage = st.one_of(
    st.lists(token, max_size=8).map("".join),
    st.text(max_size=6),
    st.sampled_from(REFUSED),
)
marker = st.sampled_from([*sorted(MISSING), " N/A ", "NULL", None, float("nan")])
cell = st.one_of(well_formed, garbage, marker)


@settings(max_examples=400)
@given(st.lists(cell, max_size=12))
def test_parse_numbers_agrees_with_parse_number(cells):
    values, bad = parse_numbers(pd.Series(cells, dtype=object))
    assert len(values) == len(bad) == len(cells)
    for c, v, b in zip(cells, values, bad, strict=True):
        kind, expected = _one(c)
        if kind == "bad":
            assert b and np.isnan(v), c
        elif kind == "missing":
            assert not b and np.isnan(v), c
        else:
            assert not b and v == pytest.approx(expected, rel=1e-12), c


plain = st.one_of(
    st.integers(min_value=0, max_value=10**15).map(str),
    st.floats(min_value=0, max_value=1e15, allow_nan=False).map(lambda x: f"{x:.6f}"),
    st.floats(min_value=0, max_value=1e15, allow_nan=False).map(repr),
)


@settings(max_examples=200)
@given(st.lists(plain, min_size=1, max_size=10))
def test_fast_and_slow_paths_agree(texts):
    """pandas' C parser reads plain numbers; the pattern reads the rest. The same digits must
    give the same float either way ('+ 5' and '1,234' are beyond pandas, so take the pattern)."""
    fast, fast_bad = parse_numbers(pd.Series(texts, dtype=object))
    slow, slow_bad = parse_numbers(pd.Series([f"+ {t}" for t in texts], dtype=object))
    assert not fast_bad.any() and not slow_bad.any()
    np.testing.assert_array_equal(fast, slow)
    mixed = [t if i % 2 else f"+ {t}" for i, t in enumerate(texts)]
    both, both_bad = parse_numbers(pd.Series(mixed, dtype=object))
    assert not both_bad.any()
    np.testing.assert_array_equal(both, fast)


@given(st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=10))
def test_thousands_separators_take_the_slow_path_exactly(ns):
    fast, _ = parse_numbers(pd.Series([str(n) for n in ns], dtype=object))
    slow, bad = parse_numbers(pd.Series([f"{n:,}" for n in ns], dtype=object))
    assert not bad.any()
    np.testing.assert_array_equal(fast, slow)
    assert fast.tolist() == [float(n) for n in ns]


def test_large_text_columns_parse_once_per_distinct_cell_with_the_same_results() -> None:
    """Above 1,000 cells a text column is parsed per distinct value; results must match."""
    cells = ["149.2M", "1,234", "-", "", "abc", "16.6%", "5e+06", None, "1,5", " 12K "]
    column = pd.Series(cells * 150, dtype=object)
    values, bad = parse_numbers(column)
    for i, cell in enumerate(column):
        try:
            expected = parse_number(cell)
        except ValueError:
            assert bad[i] and np.isnan(values[i])
            continue
        assert not bad[i]
        assert np.isnan(values[i]) if expected is None else values[i] == expected


@settings(max_examples=300)
@given(st.lists(st.one_of(well_formed, plain, garbage), min_size=1, max_size=12))
def test_parse_numbers_equals_parse_number_to_the_last_bit(cells):
    """Every path of the column parser (the common shapes read digit by digit, the pattern
    for the rest) gives exactly what ``float()`` gives for the same digits, as parse_number
    does."""
    column = pd.Series(cells * 100, dtype=object)  # above 1,000 cells: per distinct cell too
    for values, bad in (parse_numbers(column.head(len(cells))), parse_numbers(column)):
        for c, v, b in zip(column, values, bad, strict=False):
            kind, expected = _one(c)
            if kind == "ok":
                assert (
                    not b and v == expected and math.copysign(1, v) == math.copysign(1, expected)
                ), c
            else:
                assert np.isnan(v) and b == (kind == "bad"), c


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234,567.25", 1234567.25), ("-12.30K", -12300.0), ("0.1", 0.1), ("16.60%", 0.166),
     ("9007199254740991", 9007199254740991.0), ("9007199254740993", 9007199254740992.0),
     ("00012", 12.0), ("12.", 12.0), ("+7m", 7e6)],
)  # fmt: skip
def test_common_shapes_in_a_large_column(text, expected):
    values, bad = parse_numbers(pd.Series([text, "5"] * 600, dtype=object))
    assert not bad.any()
    assert values[0] == expected == parse_number(text)


@pytest.mark.parametrize("text", ["1,23", "1234,567", "1.234,5", "12,345,6789", "1.2.3", "+",
                                  "K", "12\x00", ",123", "1,234.5,6", "١٢"])  # fmt: skip
def test_misshapen_cells_are_refused_in_a_large_column(text):
    values, bad = parse_numbers(pd.Series([text, "5"] * 600, dtype=object))
    assert bad[0] and np.isnan(values[0]) and not bad[1]
