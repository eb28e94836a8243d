"""bot/ingest/cells.py: one parser per field type, a raw column in, Parsed out."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest import cells
from bot.ingest.cells import Parsed


def col(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def check_reasons(parsed: Parsed, column: pd.Series) -> None:
    """Every bad cell has a sentence that quotes the cell (so a person can find it) and says
    what was expected; the masks line up with the column."""
    n = len(column)
    assert parsed.bad.dtype == bool and parsed.missing.dtype == bool
    assert len(parsed.bad) == len(parsed.missing) == len(parsed.values) == n
    assert not (parsed.bad & parsed.missing).any()
    for i in np.flatnonzero(parsed.bad):
        reason = parsed.reason(int(i))
        assert isinstance(reason, str) and len(reason.strip()) >= 15, reason
        shown = str(column.iloc[i]).replace("\x00", "").strip()[:20]
        assert shown in reason, (shown, reason)
        assert " " in reason.strip()  # words, not a code


def values(parsed: Parsed) -> list[object]:
    """Values with every kind of missing (None, NaN, NaT) as None."""
    return [
        None if v is None or (not isinstance(v, dict) and pd.isna(v)) else v for v in parsed.values
    ]


# --- handles -----------------------------------------------------------------------------


def test_handles_lose_at_sign_case_and_spaces():
    c = col("@Alice.Dance", "bob_cooks", "  @Carol  ", "ÉLODIE", "@@double", "\x00abc")
    p = cells.parse_handle(c)
    assert values(p) == ["alice.dance", "bob_cooks", "carol", "élodie", "double", "abc"]
    assert not p.bad.any() and not p.missing.any()


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://www.tiktok.com/@Some.User?lang=en", "some.user"),
        ("https://www.tiktok.com/@some_user/video/7320768187275005226", "some_user"),
        ("tiktok.com/@x", "x"),
        ("http://TikTok.com/@UPPER#frag", "upper"),
        ("https://m.tiktok.com/@Mobile.User/", "mobile.user"),
    ],
)
def test_profile_urls_give_the_handle(url, handle):
    p = cells.parse_handle(col(url))
    assert values(p) == [handle] and not p.bad.any()


def test_unicode_handles_are_valid():
    p = cells.parse_handle(col("حموديالباشا4", "@Ünïcödé_ok", "用户名.1"))
    assert values(p) == ["حموديالباشا4", "ünïcödé_ok", "用户名.1"]
    assert not p.bad.any()


@pytest.mark.parametrize(
    "text",
    [
        "not a handle!",
        "user-name",
        "a" * 65,
        "@",
        "https://www.tiktok.com/@",
        "https://example.com/@bob",
        "bob@example.com",
    ],
)
def test_bad_handles_name_the_rule(text):
    c = col(text, "ok")
    p = cells.parse_handle(c)
    assert p.bad.tolist() == [True, False]
    assert values(p) == [None, "ok"]
    reason = p.reason(0)
    assert "not a TikTok handle" in reason
    assert "letters, digits" in reason and "64 characters" in reason
    check_reasons(p, c)


def test_long_cells_are_shortened_in_reasons():
    text = "x!" * 100
    p = cells.parse_handle(col(text))
    assert p.bad[0]
    assert text not in p.reason(0) and "…" in p.reason(0)


def test_handle_missing_cells():
    p = cells.parse_handle(col("", None, "   ", np.nan, "ok"))
    assert p.missing.tolist() == [True, True, True, True, False]
    assert not p.bad.any()
    assert values(p) == [None, None, None, None, "ok"]


def test_values_keep_the_column_index():
    c = pd.Series(["@B", "not ok!", "@a"], index=[10, 3, 7], dtype=object)
    p = cells.parse_handle(c)
    assert list(p.values.index) == [10, 3, 7]
    assert p.bad.tolist() == [False, True, False]
    assert "'not ok!'" in p.reason(1)  # positional, whatever the labels


handle_chars = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789_."))


@given(st.lists(handle_chars, min_size=1, max_size=64).map("".join), st.booleans())
def test_any_valid_handle_round_trips(handle, at):
    written = ("@" if at else "") + handle.upper()
    url = f"https://www.tiktok.com/@{handle}?is_from_webapp=1"
    p = cells.parse_handle(col(written, url))
    assert values(p) == [handle, handle]
    assert not p.bad.any()


# --- hashtags ----------------------------------------------------------------------------


def test_hashtags():
    c = col(
        "#FYP", "cat", "  #Dance ", "##x", "catrachos504🇭🇳parati", "two words", "#", "a,b", None
    )
    p = cells.parse_hashtag(c)
    assert values(p) == ["fyp", "cat", "dance", "x", "catrachos504🇭🇳parati", *[None] * 4]
    assert p.bad.tolist() == [False] * 5 + [True, True, True, False]
    assert p.missing.tolist() == [False] * 8 + [True]
    assert "not a hashtag" in p.reason(5)
    check_reasons(p, c)


# --- ids ---------------------------------------------------------------------------------


def test_ids_are_exact_strings_even_above_2_63():
    c = col("7320768187275005226", "73207681965695992750", " 123 ", "00123", 7320768187275005226)
    p = cells.parse_id(c)
    assert values(p) == [
        "7320768187275005226",
        "73207681965695992750",
        "123",
        "00123",
        "7320768187275005226",
    ]
    assert all(isinstance(v, str) for v in p.values)
    assert not p.bad.any()


@pytest.mark.parametrize("text", ["6.70355E+18", "6.70355e18", "7.32077E+19", 6.70355e18])
def test_spreadsheet_rounded_ids_are_refused(text):
    c = col(text)
    p = cells.parse_id(c)
    assert p.bad[0] and values(p) == [None]
    reason = p.reason(0)
    assert "spreadsheet" in reason and "text" in reason
    check_reasons(p, c)


@pytest.mark.parametrize("text", ["abc", "-5", "1.0", "12a", "1" * 41])
def test_non_numeric_ids_are_refused(text):
    c = col(text)
    p = cells.parse_id(c)
    assert p.bad[0]
    assert "not a numeric TikTok id" in p.reason(0)
    check_reasons(p, c)


def test_id_missing():
    p = cells.parse_id(col("", None, "  "))
    assert p.missing.all() and not p.bad.any()


# --- text --------------------------------------------------------------------------------


def test_text_is_trimmed_and_kept_as_written():
    p = cells.parse_text(col("  hi  ", "a\x00b", "-", "", None, "Émoji 👑"))
    assert values(p) == ["hi", "ab", "-", None, None, "Émoji 👑"]
    assert p.missing.tolist() == [False, False, False, True, True, False]
    assert not p.bad.any() and p.note is None


def test_long_text_is_shortened_with_a_note():
    p = cells.parse_text(col("abcdefghij", "abcde", None), max_len=5)
    assert values(p) == ["abcd…", "abcde", None]
    assert len(p.values[0]) == 5
    assert p.note == "1 values longer than 5 characters were shortened"


# --- counts and numbers ------------------------------------------------------------------


def test_counts():
    c = col("149.2M", "1,234", "856.3K", "5e+06", 12, "0", "1.6", " 7 ")
    p = cells.parse_count(c)
    assert p.values.tolist() == [149_200_000, 1234, 856_300, 5_000_000, 12, 0, 2, 7]
    assert not p.bad.any() and not p.missing.any()


def test_count_missing_is_nan_not_zero():
    p = cells.parse_count(col("-", "", None, "n/a", "null", "5"))
    assert p.missing.tolist() == [True] * 5 + [False]
    assert not p.bad.any()
    assert np.isnan(p.values[:5]).all() and p.values[5] == 5


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("-5", "negative"),
        ("abc", "not a number"),
        ("1,5", "not a number"),
        ("inf", "not a number"),
        ("1e30", "out of range"),
        ("9223372036854775808", "out of range"),  # 2**63 does not fit int64
        ("9223372036854775807", "out of range"),  # ... nor does it as a float, rounded up
    ],
)
def test_bad_counts(text, why):
    c = col(text, "1")
    p = cells.parse_count(c)
    assert p.bad.tolist() == [True, False]
    assert np.isnan(p.values[0]) and p.values[1] == 1
    assert why in p.reason(0)
    assert "whole number" in p.reason(0) or "e.g." in p.reason(0)
    check_reasons(p, c)


def test_largest_count_fits_int64():
    p = cells.parse_count(col("9223372036854774784"))  # the largest float below 2**63
    assert not p.bad[0]
    assert int(p.values[0]) == 9223372036854774784
    assert p.values.astype("int64")[0] == 9223372036854774784


def test_numbers_keep_fractions_and_refuse_negatives():
    c = col("1.5", "1.2K", "-1", "x", "-")
    p = cells.parse_number(c)
    assert values(p) == [1.5, 1200.0, None, None, None]
    assert p.bad.tolist() == [False, False, True, True, False]
    assert p.missing.tolist() == [False, False, False, False, True]
    assert "negative" in p.reason(2) and "not a number" in p.reason(3)
    check_reasons(p, c)


@given(st.integers(min_value=0, max_value=2**53))
def test_counts_round_trip(n):
    p = cells.parse_count(col(str(n), f"{n:,}", n))
    assert p.values.tolist() == [n, n, n]


# --- rates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("16.6%", 0.166),
        ("16.60%", 0.166),
        ("0.166", 0.166),
        ("16.6", 0.166),
        (16.6, 0.166),
        (0.5, 0.5),
        ("0.5%", 0.005),
        ("100%", 1.0),
        ("100", 1.0),
        ("1", 1.0),
        ("0", 0.0),
        ("0%", 0.0),
    ],
)
def test_rates(text, share):
    p = cells.parse_rate(col(text))
    assert not p.bad[0]
    assert p.values[0] == pytest.approx(share)


@pytest.mark.parametrize("text", ["250%", "101", "200", "-5%", "-0.1", "100.5%"])
def test_rates_out_of_range(text):
    c = col(text)
    p = cells.parse_rate(c)
    assert p.bad[0] and np.isnan(p.values[0])
    assert "between 0% and 100%" in p.reason(0)
    check_reasons(p, c)


def test_rate_not_a_number_and_missing():
    c = col("abc", "-", "", "1,5")
    p = cells.parse_rate(c)
    assert p.bad.tolist() == [True, False, False, True]
    assert p.missing.tolist() == [False, True, True, False]
    assert "not a rate" in p.reason(0) and "16.6%" in p.reason(0)
    check_reasons(p, c)


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_rate_percent_and_share_agree(share):
    p = cells.parse_rate(col(f"{share * 100:.10f}%", f"{share:.12f}"))
    assert not p.bad.any()
    assert p.values[0] == pytest.approx(share, abs=1e-9)
    assert p.values[1] == pytest.approx(share, abs=1e-9)


# --- money and currency ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1,200", 1200, "USD"),
        ("900 EUR", 900, "EUR"),
        ("EUR 900", 900, "EUR"),
        ("eur900", 900, "EUR"),
        ("900eur", 900, "EUR"),
        ("1000 usd", 1000, "USD"),
        ("1.2K", 1200, None),
        ("1.5 k", 1500, None),
        ("1.2M USD", 1_200_000, "USD"),
        ("5K EUR", 5000, "EUR"),
        ("EUR 1.2K", 1200, "EUR"),
        ("$1.2k", 1200, "USD"),
        ("1e3", 1000, None),
        ("€900", 900, "EUR"),
        ("£50", 50, "GBP"),
        ("¥1000", 1000, "JPY"),
        ("₹500", 500, "INR"),
        ("US$ 10", 10, "USD"),
        ("R$100", 100, "BRL"),
        ("5 $", 5, "USD"),
        ("€100 EUR", 100, "EUR"),
        ("GBP1,000.50", 1000.5, "GBP"),
        ("100 BRL", 100, "BRL"),  # not 100 billion "RL"
        ("5000 KRW", 5000, "KRW"),
        ("100 MXN", 100, "MXN"),
        ("1200", 1200, None),
        (1200, 1200, None),
        (12.5, 12.5, None),
    ],
)
def test_money(text, amount, currency):
    parsed, currencies = cells.parse_money(col(text))
    assert not parsed.bad[0] and not parsed.missing[0]
    assert parsed.values[0] == pytest.approx(amount)
    assert currencies[0] == currency


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("100 XYZ", "unknown currency"),
        ("100 btc", "unknown currency"),
        ("$100 EUR", "two currencies"),
        ("-5", "negative"),
        ("$-5", "negative"),
        ("abc", "not an amount"),
        ("USD", "not an amount"),
        ("K", "not an amount"),
        ("1,5", "not an amount"),
        ("inf", "not an amount"),
        ("$ 1 200", "not an amount"),
    ],
)
def test_bad_money(text, why):
    c = col(text, "$5")
    parsed, currencies = cells.parse_money(c)
    assert parsed.bad.tolist() == [True, False]
    assert np.isnan(parsed.values[0]) and currencies[0] is None
    assert why in parsed.reason(0)
    check_reasons(parsed, c)


@pytest.mark.parametrize("text", ["", None, "-", "n/a", "N/A", "null", "—"])
def test_money_missing_markers_are_missing(text):
    parsed, currencies = cells.parse_money(col(text, "1"))
    assert parsed.missing.tolist() == [True, False]
    assert not parsed.bad.any()
    assert np.isnan(parsed.values[0]) and currencies[0] is None


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "EUR", "GBP", "JPY"]))
def test_money_round_trips(n, code):
    parsed, currencies = cells.parse_money(col(f"{n:,} {code}", f"{code} {n}", f"{n / 1e3}K"))
    assert not parsed.bad.any()
    assert parsed.values.tolist()[:2] == [n, n]
    assert parsed.values[2] == pytest.approx(n)
    assert currencies.tolist() == [code, code, None]


_money_token = st.sampled_from(
    ["", "$", "US$", "R$", "€", "£", "EUR", "usd", "XYZ", "JPY ", " GBP"]
)
_amount = st.one_of(
    st.integers(min_value=-10, max_value=10**9).map(str),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
    st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["1.2K", "3m", "5e+03", "1,5", "-", "inf", "abc", "", " 12 ", "١٢"]),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(_money_token, _amount, _money_token), min_size=1, max_size=15))
def test_money_column_equals_each_cell_on_its_own(parts):
    """parse_money reads a column's amounts together; every cell must come out exactly as
    _money_cell reads it alone (amount to the last bit, currency, or the same reason)."""
    texts = [f"{pre}{amount}{post}" for pre, amount, post in parts]
    parsed, currencies = cells.parse_money(col(*texts))
    for i, text in enumerate(texts):
        cell = cells._without_markers(cells._text(col(text)))[0]
        if cell is None:
            assert parsed.missing[i] and not parsed.bad[i]
            continue
        alone = cells._money_cell(cell)
        if isinstance(alone, str):
            assert parsed.bad[i] and parsed.reason(i) == alone, text
        else:
            assert not parsed.bad[i], text
            assert (parsed.values[i], currencies[i]) == alone, text


def test_currencies():
    c = col("usd", "EUR", " gbp ", "$", "€", "US$", "dollars", "XYZ", "", None, "-", "n/a")
    p = cells.parse_currency(c)
    assert values(p) == ["USD", "EUR", "GBP", "USD", "EUR", "USD", *[None] * 6]
    assert p.bad.tolist() == [False] * 6 + [True, True] + [False] * 4
    assert p.missing.tolist() == [False] * 8 + [True] * 4
    assert "ISO 4217" in p.reason(6) and "USD" in p.reason(6)
    check_reasons(p, c)


# --- countries, booleans -----------------------------------------------------------------


def test_countries_become_iso_codes():
    c = col(
        "U.S.A", "UK", "Germany", "de", "US", "usa", "United States", "united kingdom",
        "South Korea", "GBR", "Viet Nam", "Türkiye", "IQ", "England", "u.s.",
    )  # fmt: skip
    p = cells.parse_country(c)
    assert values(p) == [
        "US", "GB", "DE", "DE", "US", "US", "US", "GB", "KR", "GB", "VN", "TR", "IQ", "GB", "US",
    ]  # fmt: skip
    assert p.note is None and not p.bad.any()


def test_unknown_countries_are_kept_and_named():
    p = cells.parse_country(col("Atlantis", "Germany", "Mars", "Atlantis", "-", "", None))
    assert values(p) == ["Atlantis", "DE", "Mars", "Atlantis", None, None, None]
    assert not p.bad.any()
    assert p.missing.tolist() == [False] * 4 + [True] * 3
    assert p.note is not None
    assert "'Atlantis'" in p.note and "'Mars'" in p.note and "kept as written" in p.note
    assert p.note.count("Atlantis") == 1


def test_many_unknown_countries_are_summarised():
    p = cells.parse_country(col(*[f"Nowhere{i}" for i in range(8)]))
    assert p.note is not None and p.note.endswith("…")
    assert p.note.count("Nowhere") == 5


@pytest.mark.parametrize(
    ("cell", "truth"),
    [
        ("true", True), ("TRUE", True), ("Yes", True), ("y", True), ("1", True), (1, True),
        (True, True), ("verified", True), ("✓", True), ("x", True),
        ("false", False), ("No", False), ("n", False), ("0", False), (0, False), (False, False),
        ("unverified", False),
    ],
)  # fmt: skip
def test_booleans(cell, truth):
    p = cells.parse_bool(col(cell))
    assert not p.bad[0] and p.values[0] is truth


def test_bad_and_missing_booleans():
    c = col("maybe", "", None, "yes")
    p = cells.parse_bool(c)
    assert p.bad.tolist() == [True, False, False, False]
    assert p.missing.tolist() == [False, True, True, False]
    assert values(p) == [None, None, None, True]
    assert "yes/no" in p.reason(0)
    check_reasons(p, c)


# --- dates and times ---------------------------------------------------------------------


def test_dates():
    c = col(
        "2024-05-01", "2024-05-01T10:00:00Z", "2024/05/01", "20240501",
        dt.datetime(2024, 5, 1, 12), dt.date(2024, 5, 1), "", None,
    )  # fmt: skip
    p = cells.parse_date(c)
    assert values(p) == [dt.date(2024, 5, 1)] * 6 + [None, None]
    assert p.missing.tolist() == [False] * 6 + [True, True]
    assert not p.bad.any()


def test_dates_with_a_zone_are_utc_dates():
    p = cells.parse_date(col("2024-05-01T23:30:00-05:00"))
    assert values(p) == [dt.date(2024, 5, 2)]


@pytest.mark.parametrize("text", ["05/01/2024", "yesterday", "2024-13-01", "1 May 2024"])
def test_bad_dates(text):
    c = col(text)
    p = cells.parse_date(c)
    assert p.bad[0]
    assert "YYYY-MM-DD" in p.reason(0)
    check_reasons(p, c)


UTC = dt.UTC


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1704499196", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),
        (1704499196, dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),
        ("1704499196000", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),  # milliseconds
        ("1704499196.5", dt.datetime(2024, 1, 5, 23, 59, 56, 500000, tzinfo=UTC)),
        ("1,704,499,196", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),
        ("2024-01-05T23:59:56Z", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),
        ("2024-01-05T23:59:56", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),  # naive: UTC
        ("2024-01-05 23:59:56+02:00", dt.datetime(2024, 1, 5, 21, 59, 56, tzinfo=UTC)),
        ("2024-01-05T18:59:56-05:00", dt.datetime(2024, 1, 5, 23, 59, 56, tzinfo=UTC)),
        ("2024-01-05", dt.datetime(2024, 1, 5, tzinfo=UTC)),
        (dt.datetime(2024, 5, 1, 12), dt.datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ],
)
def test_datetimes_are_utc(cell, expected):
    p = cells.parse_datetime(col(cell))
    assert not p.bad[0] and not p.missing[0]
    got = p.values[0]
    assert got.tzinfo is not None
    assert got.to_pydatetime() == expected
    assert str(p.values.dtype) == "datetime64[ns, UTC]"


def test_datetimes_mixed_in_one_column():
    c = col("1704499196", "2024-01-05T23:59:56Z", "", "garbage", "1704499196000")
    p = cells.parse_datetime(c)
    assert p.bad.tolist() == [False, False, False, True, False]
    assert p.missing.tolist() == [False, False, True, False, False]
    assert p.values[0] == p.values[1] == p.values[4]
    assert pd.isna(p.values[2]) and pd.isna(p.values[3])
    assert "unix seconds or ISO 8601" in p.reason(3)
    check_reasons(p, c)


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "2024-02-30T00:00:00",
        "99999999999999999999",
        "1e30",
        # beyond what a nanosecond column holds (1677-2262): refused, not a crash
        "9999999999",
        "-99999999999",
        "3000-01-01T00:00:00Z",
        "1500-01-01",
    ],
)
def test_bad_datetimes(text):
    c = col("1704499196", text)
    p = cells.parse_datetime(c)
    assert p.bad.tolist() == [False, True]
    assert pd.isna(p.values[1])
    assert p.values[0] == pd.Timestamp("2024-01-05T23:59:56Z")
    check_reasons(p, c)


def test_datetimes_keep_sub_second_precision():
    p = cells.parse_datetime(col("2024-01-05T23:59:56.123456789Z", "1704499196.5"))
    assert p.values[0] == pd.Timestamp("2024-01-05T23:59:56.123456789Z")
    assert p.values[1] == pd.Timestamp("2024-01-05T23:59:56.5Z")


@given(st.integers(min_value=100_000_001, max_value=9_000_000_000))
def test_unix_seconds_and_milliseconds_agree(seconds):
    """Milliseconds are told from seconds by size (above 1e11), so from 1973 on."""
    p = cells.parse_datetime(col(str(seconds), str(seconds * 1000), seconds))
    assert not p.bad.any()
    expected = pd.Timestamp(dt.datetime.fromtimestamp(seconds, UTC))
    assert p.values.tolist() == [expected] * 3


@given(st.integers(min_value=-(2**62), max_value=2**62))
def test_any_integer_is_a_time_or_refused(n):
    p = cells.parse_datetime(col(str(n)))
    assert p.bad[0] == pd.isna(p.values[0])
    if not p.bad[0]:
        assert 1677 <= p.values[0].year <= 2262


# --- lists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "niches", "tags"),
    [
        ("['a', 'b']", "a,b", "a,b"),
        ('["Dance", "comedy"]', "dance,comedy", "dance,comedy"),
        ("Dance, Comedy", "dance,comedy", "dance,comedy"),
        ("Dancing, Lipsyncing, Lifestyle", "dancing,lipsyncing,lifestyle", None),
        ("Dance; comedy|Food", "dance,comedy,food", "dance,comedy,food"),
        ("Dance, dance, DANCE", "dance", "dance"),
        ("#fyp #cat", None, "fyp,cat"),
        ("#a,#b", "a,b", "a,b"),
        ("['#FYP', '#Cat']", "fyp,cat", "fyp,cat"),
        ("Lip  Syncing , Food", "lip syncing,food", "lip,syncing,food"),
        ('["حموديالباشا4"]', "حموديالباشا4", "حموديالباشا4"),
        ("[1, 2]", "1,2", "1,2"),
        (["x", "Y", "x"], "x,y", "x,y"),  # JSON arrays arrive as lists
    ],
)
def test_lists(cell, niches, tags):
    for hashtags, expected in ((False, niches), (True, tags)):
        if expected is None:
            continue
        p = cells.parse_list(col(cell), hashtags=hashtags)
        assert not p.bad[0] and not p.missing[0]
        assert p.values[0] == expected


def test_list_missing_and_empty():
    p = cells.parse_list(col("", None, "  ", [], np.nan, "[]"), hashtags=True)
    assert p.missing.tolist() == [True] * 5 + [False]
    assert not p.bad.any()
    assert values(p) == [None] * 6  # an empty list has no items


def test_bad_list_literal():
    c = col("[fyp, cat]", "ok")
    p = cells.parse_list(c, hashtags=False)
    assert p.bad.tolist() == [True, False]
    assert values(p) == [None, "ok"]
    assert "not a list" in p.reason(0)
    check_reasons(p, c)


list_item = st.text(
    st.characters(categories=["L", "N"], exclude_characters="İ"), min_size=1, max_size=10
)


@settings(max_examples=150)
@given(st.lists(list_item, max_size=6), st.sampled_from(["json", "python", "commas"]))
def test_list_items_are_lower_case_unique_and_stable(items, style):
    if style == "json":
        cell = json.dumps(items, ensure_ascii=False)
    elif style == "python":
        cell = repr(items)
    else:
        cell = ", ".join(items)
    for hashtags in (False, True):
        p = cells.parse_list(col(cell), hashtags=hashtags)
        assert not p.bad[0]
        got = p.values[0]
        expected = list(dict.fromkeys(i.lower() for i in items))
        assert (got.split(",") if got else []) == expected
        again = cells.parse_list(col(got), hashtags=hashtags).values[0] if got else None
        assert again == got  # normalising twice changes nothing


# --- distributions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("18-24: 40%, 25-34: 35%", {"18-24": 0.4, "25-34": 0.35}),
        ('{"18-24": 0.4, "25-34": 0.35}', {"18-24": 0.4, "25-34": 0.35}),
        ('{"f": "60%", "m": "40%"}', {"f": 0.6, "m": 0.4}),
        ("male: 60, female: 40", {"male": 0.6, "female": 0.4}),
        ("a=0.5; b=0.5", {"a": 0.5, "b": 0.5}),
        ("US: 80% | GB: 20%", {"US": 0.8, "GB": 0.2}),
        ("a: 100%, b: 5%", {"a": 1.0, "b": 0.05}),  # rounding slack up to 105%
    ],
)
def test_distributions(cell, expected):
    p = cells.parse_distribution(col(cell))
    assert not p.bad[0]
    assert p.values[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("US: 80%, GB: 30%", "more than 100%"),
        ("18-24: 60%, 25-34: 50%", "more than 100%"),
        ('{"a": 0.7, "b": 0.7}', "more than 100%"),
        ("{bad json", "not valid JSON"),
        ("[1,2]", "'key: share' pairs"),
        ("18-24 40%", "'key: share' pairs"),
        ("a: x", "not a number: a=x"),
        ("a: -5%", "not a number"),
        ('{"a": null}', "not a number"),
        ("{}", "has no shares"),
    ],
)
def test_bad_distributions(cell, why):
    c = col(cell, "a: 1")
    p = cells.parse_distribution(c)
    assert p.bad.tolist() == [True, False]
    assert p.values[0] is None
    assert why in p.reason(0)
    check_reasons(p, c)


def test_distribution_missing():
    p = cells.parse_distribution(col("", None))
    assert p.missing.all() and not p.bad.any()


@settings(max_examples=150)
@given(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6).filter(
        lambda w: sum(w) > 0
    )
)
def test_distribution_shares_round_trip(weights):
    shares = {f"k{i}": w / sum(weights) for i, w in enumerate(weights)}
    as_text = ", ".join(f"{k}: {v * 100:.4f}%" for k, v in shares.items())
    as_json = json.dumps(shares)
    p = cells.parse_distribution(col(as_text, as_json))
    assert not p.bad.any()
    for got in p.values:
        assert got.keys() == shares.keys()
        for k, v in shares.items():
            assert got[k] == pytest.approx(v, abs=1e-6)
        assert math.fsum(got.values()) == pytest.approx(1.0, abs=1e-5)


# --- fast paths give what the general rules give -----------------------------------------

ODD_HANDLES = ["", " ", "@", "@ x", " @a ", "a\x00b", "tiktok.com/@Some.One", "K", "İx",
               "\u212aate", "josé", "a-b", "a\nb", "a\r", "n/a"]  # fmt: skip
handle_cell = st.one_of(
    st.from_regex(r"@{0,2}[A-Za-z0-9_.]{1,66}", fullmatch=True),
    st.sampled_from(ODD_HANDLES),
    st.none(),
)


@settings(max_examples=300)
@given(st.lists(handle_cell, min_size=1, max_size=12))
def test_plain_handles_take_the_fast_path_with_the_general_results(cells_):
    column = col(*cells_)
    p = cells.parse_handle(column)
    general, bad, missing = cells._handles(column)
    assert values(p) == [None if v is None else v for v in general.tolist()]
    assert p.bad.tolist() == bad.tolist() and p.missing.tolist() == missing.tolist()


def test_plain_handles_fast_path_is_taken():
    column = col("@Abc", "x.Y_1", "@@z", "a" * 64)
    assert cells._plain_handles(column) == ["abc", "x.y_1", "z", "a" * 64]
    assert cells._plain_handles(col("@Abc", "a" * 65)) is None
    assert cells._plain_handles(col("@Abc", None)) is None


def test_distinct_cells_codes_rebuild_the_column():
    column = col(*(["US", None, "France", "US", float("nan"), ""] * 1000))
    codes, uniques = cells.distinct_cells(column)
    assert uniques.tolist()[:3] == ["US", "France", ""]  # one blank entry, last
    assert len(uniques) == 4 and pd.isna(uniques.iloc[3])
    rebuilt = uniques.take(codes).tolist()
    assert [None if pd.isna(v) else v for v in rebuilt] == [
        None if pd.isna(v) else v for v in column.tolist()
    ]
    assert cells.distinct_cells(col(*[f"u{i}" for i in range(5000)])) is None  # all distinct
    assert cells.distinct_cells(col(*(["a"] * 100))) is None  # too short to bother


def test_long_text_note_counts_rows_when_parsed_per_distinct_cell():
    column = col(*(["abcdefghij", "abcde", None, "  x  "] * 1000))
    assert cells.distinct_cells(column) is not None
    p = cells.parse_text(column, max_len=5)
    assert p.note == "1000 values longer than 5 characters were shortened"
    assert values(p)[:4] == ["abcd…", "abcde", None, "x"]
    assert p.missing.sum() == 1000 and p.values.index.equals(column.index)
