"""bot/ingest/validate.py: header matching, cell validation, row numbers, duplicates, money."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest import cells
from bot.ingest.fields import FIELDS, KINDS, field_names
from bot.ingest.readers import RawTable, read_table
from bot.ingest.validate import ColumnsError, Prepared, RowError, prepare, resolve_columns


def csv_table(tmp_path: Path, text: str, name: str = "t.csv") -> RawTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_table(path, max_rows=10_000)


def raw_table(rows: list[list[object]], columns: list[str], first_row: int = 2) -> RawTable:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    numbers = pd.Series(range(first_row, first_row + len(frame)))
    return RawTable(frame, numbers, "csv", [])


def errors_by_row(p: Prepared) -> dict[int, list[RowError]]:
    out: dict[int, list[RowError]] = {}
    for e in p.errors:
        out.setdefault(e.row, []).append(e)
    return out


def check_accounting(p: Prepared) -> None:
    """Every data row is kept, rejected or a duplicate, exactly once; every rejected row has a
    reason a person can act on."""
    assert p.rows == len(p.frame) + p.rejected + len(p.duplicates)
    kept = set(p.frame["_row"].astype(int))
    dropped = {d for d, _ in p.duplicates}
    with_errors = {e.row for e in p.errors}
    assert not kept & dropped and not kept & with_errors and not dropped & with_errors
    assert len(with_errors) == p.rejected
    assert p.error_count >= p.rejected
    for e in p.errors:
        assert e.column and e.reason.strip()


# --- resolve_columns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Subscribers", "followers"),
        ("Followers", "followers"),
        ("follower_count", "followers"),
        ("FOLLOWER-COUNT", "followers"),
        ("n_followers", "followers"),
        ("stats.followers", "followers"),
        ("Views avg", "avg_views"),
        ("avg_views", "avg_views"),
        ("AVG VIEWS", "avg_views"),
        ("n_plays", "avg_views"),
        ("Username", "handle"),
        ("handle", "handle"),
        ("User Name", "handle"),
        ("uniqueId", "handle"),
        ("Genre", "niches"),
        ("niches", "niches"),
        ("category", "niches"),
        ("Engagement", "reported_engagement_rate"),
        ("Engagement %", "reported_engagement_rate"),
        ("Price per post", "price_quote"),
        ("is_verified", "verified"),
        ("Country", "country"),
        ("Audience Age", "audience_age"),
        ("snapshot_date", "as_of"),
    ],
)
def test_creator_header_aliases(header, field):
    headers = [header] if field == "handle" else ["Username", header]
    mapping, unrecognised, notes = resolve_columns("creators", headers)
    assert mapping[header] == field
    assert unrecognised == [] and notes == []


def test_tiktok_api_video_columns():
    headers = [
        "id", "username", "create_time", "hashtag_names", "view_count", "like_count",
        "comment_count", "share_count", "region_code", "video_description", "music_id",
        "effect_ids",
    ]  # fmt: skip
    mapping, unrecognised, _ = resolve_columns("videos", headers)
    assert mapping == {
        "id": "video_id",
        "username": "handle",
        "create_time": "posted_at",
        "hashtag_names": "hashtags",
        "view_count": "views",
        "like_count": "likes",
        "comment_count": "comments",
        "share_count": "shares",
        "region_code": "region",
        "video_description": "description",
        "music_id": "sound",
    }
    assert unrecognised == ["effect_ids"]


def test_hashtag_columns():
    mapping, unrecognised, _ = resolve_columns(
        "hashtags", ["hashtag", "challenge_id", "views_max", "best_rank", "first_date"]
    )
    assert mapping == {
        "hashtag": "hashtag",
        "challenge_id": "platform_id",
        "views_max": "views",
        "best_rank": "rank",
    }
    assert unrecognised == ["first_date"]


def test_unrecognised_headers_are_listed_in_order():
    _, unrecognised, _ = resolve_columns("creators", ["Rank", "Username", "Gender", "LGBTQ"])
    assert unrecognised == ["Rank", "Gender", "LGBTQ"]


def test_a_second_column_for_a_mapped_field_is_noted_and_ignored():
    mapping, unrecognised, notes = resolve_columns(
        "creators", ["Username", "Followers", "Subscribers", "fans"]
    )
    assert mapping == {"Username": "handle", "Followers": "followers"}
    assert unrecognised == []
    assert len(notes) == 2
    assert "'Subscribers'" in notes[0] and "followers" in notes[0] and "'Followers'" in notes[0]
    assert "ignored" in notes[0]


def test_user_map_overrides_aliases():
    mapping, unrecognised, notes = resolve_columns(
        "creators",
        ["Creator Handle", "Followers", "Subs"],
        {"Creator Handle": "handle", "Subs": "followers"},
    )
    assert mapping == {"Creator Handle": "handle", "Subs": "followers"}
    assert unrecognised == []
    assert any("'Followers'" in n and "'Subs'" in n for n in notes)


def test_user_map_source_is_matched_like_headers():
    mapping, _, _ = resolve_columns("creators", ["Creator Handle"], {"creator_handle": "handle"})
    assert mapping == {"Creator Handle": "handle"}


def test_user_map_ignore_drops_a_column():
    mapping, unrecognised, notes = resolve_columns(
        "creators", ["Username", "Followers", "Subscribers"], {"Followers": "ignore"}
    )
    assert mapping == {"Username": "handle", "Subscribers": "followers"}
    assert unrecognised == [] and notes == []


def test_user_map_unknown_column():
    with pytest.raises(ColumnsError) as info:
        resolve_columns("creators", ["Username", "Followers"], {"Fans": "followers"})
    message = str(info.value)
    assert "'Fans'" in message and "not in the file" in message
    assert "'Username'" in message and "'Followers'" in message


def test_user_map_unknown_field():
    with pytest.raises(ColumnsError) as info:
        resolve_columns("creators", ["Username", "Subs"], {"Subs": "subscribers"})
    message = str(info.value)
    assert "'subscribers' is not a creators field" in message
    assert "followers" in message and "avg_views" in message and "'ignore'" in message


def test_user_map_two_columns_to_one_field():
    with pytest.raises(ColumnsError) as info:
        resolve_columns("creators", ["A", "B"], {"A": "handle", "B": "handle"})
    message = str(info.value)
    assert "'A'" in message and "'B'" in message and "handle" in message


def test_no_recognisable_columns_lists_expected_names():
    with pytest.raises(ColumnsError) as info:
        resolve_columns("creators", ["foo", "bar"])
    message = str(info.value)
    assert "'foo'" in message and "'bar'" in message
    assert "'username'" in message
    assert "--map" in message


def test_no_columns_at_all():
    with pytest.raises(ColumnsError, match="no columns"):
        resolve_columns("videos", [])


def test_missing_required_column_names_its_aliases():
    with pytest.raises(ColumnsError) as info:
        resolve_columns("creators", ["Followers", "Views"])
    message = str(info.value)
    assert "handle" in message and "'username'" in message and "--map 'Column=handle'" in message


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_name_is_its_own_header(kind):
    names = field_names(kind)
    mapping, unrecognised, notes = resolve_columns(kind, names)
    assert mapping == {n: n for n in names}
    assert unrecognised == [] and notes == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_alias_resolves_to_its_field(kind):
    required = [s for s in FIELDS[kind] if s.required]
    for spec in FIELDS[kind]:
        for alias in spec.aliases:
            others = [r.name for r in required if r is not spec]
            mapping, _, _ = resolve_columns(kind, [*others, alias])
            assert mapping.get(alias) == spec.name, (kind, alias)


# --- prepare: row numbers, errors, accounting --------------------------------------------

CREATORS = """Username,Followers,Views avg,Engagement,Genre,Country,Price
@Alice.Dance,149.2M,5.1m,16.60%,"Dance, Comedy",U.S.A,"$12,000"
@bob_cooks,856.3K,-,4.2%,Food,UK,900 EUR
carol,"1,234",5e+03,,Food; Travel,Germany,
not a handle!,12,1,1%,x,US,1
@dave,lots,1,250%,x,US,1
,5,1,1%,x,US,1
"""


def test_prepare_types_rows_and_reports_bad_ones(tmp_path):
    p = prepare("creators", csv_table(tmp_path, CREATORS))
    assert p.kind == "creators"
    assert p.rows == 6 and p.rejected == 3
    check_accounting(p)

    good = p.frame.set_index("handle")
    assert list(good.index) == ["alice.dance", "bob_cooks", "carol"]
    assert good["_row"].tolist() == [2, 3, 4]  # the header is row 1
    alice = good.loc["alice.dance"]
    assert alice["followers"] == 149_200_000
    assert alice["avg_views"] == 5_100_000
    assert alice["reported_engagement_rate"] == pytest.approx(0.166)
    assert alice["niches"] == "dance,comedy"
    assert alice["country"] == "US"
    assert alice["price_quote"] == 12_000 and alice["price_currency"] == "USD"
    assert np.isnan(good.loc["bob_cooks", "avg_views"])  # '-' is missing, not zero
    assert good.loc["bob_cooks", "country"] == "GB"
    assert good.loc["carol", "followers"] == 1234 and good.loc["carol", "avg_views"] == 5000
    assert good.loc["carol", "country"] == "DE"
    assert pd.isna(good.loc["carol", "price_currency"])

    by_row = errors_by_row(p)
    assert sorted(by_row) == [5, 6, 7]
    assert [(e.column, "not a TikTok handle" in e.reason) for e in by_row[5]] == [
        ("Username", True)
    ]
    assert {e.column for e in by_row[6]} == {"Followers", "Engagement"}
    assert p.error_count == 4
    (missing,) = by_row[7]
    assert missing.column == "Username" and "missing" in missing.reason
    assert "every row needs one" in missing.reason


def test_json_rows_start_at_one(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('[{"username": "ok"}, {"username": "not ok!"}]', encoding="utf-8")
    p = prepare("creators", read_table(path, max_rows=10))
    assert p.frame["_row"].tolist() == [1]
    assert [e.row for e in p.errors] == [2]


def test_row_numbers_come_from_the_table():
    table = raw_table([["ok"], ["bad!"], ["fine"]], ["Username"], first_row=10)
    table.row_numbers = pd.Series([4, 9, 12])  # e.g. an XLSX with blank rows
    p = prepare("creators", table)
    assert p.frame["_row"].tolist() == [4, 12]
    assert p.errors[0].row == 9


def test_error_list_is_capped_but_counted():
    table = raw_table([[f"bad {i}!"] for i in range(30)], ["Username"])
    p = prepare("creators", table, max_errors=5)
    assert p.rejected == 30 and p.error_count == 30
    assert [e.row for e in p.errors] == [2, 3, 4, 5, 6]
    assert p.frame.empty


def test_repeated_header_is_refused():
    table = raw_table([["a", "b"]], ["Username", "Username"])
    with pytest.raises(ColumnsError, match="repeats 'Username'"):
        prepare("creators", table)


def test_mapping_unrecognised_and_notes_are_reported(tmp_path):
    text = "Username,Rank,Followers,Subscribers,Country\n@a,1,5,6,Atlantis\n"
    table = csv_table(tmp_path, text)
    table.notes.append("a note from the reader")
    p = prepare("creators", table)
    assert p.mapping == {"Username": "handle", "Followers": "followers", "Country": "country"}
    assert p.unrecognised == ["Rank"]
    assert p.notes[0] == "a note from the reader"
    assert any("'Subscribers'" in n for n in p.notes)
    assert any(n.startswith("Country:") and "'Atlantis'" in n for n in p.notes)
    assert p.frame.loc[0, "followers"] == 5  # not the ignored Subscribers column


def test_user_map_is_applied(tmp_path):
    text = "Creator,Fans count,Whatever\n@A,1K,x\n"
    p = prepare(
        "creators",
        csv_table(tmp_path, text),
        user_map={"Fans count": "followers", "Whatever": "ignore"},
    )
    assert p.frame.loc[0, "handle"] == "a" and p.frame.loc[0, "followers"] == 1000
    assert "Whatever" not in p.mapping and p.unrecognised == []


# --- duplicates --------------------------------------------------------------------------


def test_duplicates_last_row_wins(tmp_path):
    text = "Username,Followers\n@a,1\n@b,2\n@A,3\nbad!,4\n@a,5\n@b,6\n"
    p = prepare("creators", csv_table(tmp_path, text))
    assert sorted(p.duplicates) == [(2, 6), (3, 7), (4, 6)]
    kept = p.frame.set_index("handle")
    assert kept.loc["a", "followers"] == 5 and kept.loc["a", "_row"] == 6
    assert kept.loc["b", "followers"] == 6 and kept.loc["b", "_row"] == 7
    assert p.rejected == 1
    check_accounting(p)


def test_rejected_rows_are_not_duplicates(tmp_path):
    text = "Username,Followers\n@a,1\n@a,lots\n"
    p = prepare("creators", csv_table(tmp_path, text))
    assert p.duplicates == []
    assert p.frame["followers"].tolist() == [1]  # the valid earlier row stays
    assert p.rejected == 1


def test_creator_duplicates_are_per_date(tmp_path):
    text = "Username,Date,Followers\n@a,2024-01-01,1\n@a,2024-01-02,2\n@a,2024-01-01,3\n"
    p = prepare("creators", csv_table(tmp_path, text))
    assert p.duplicates == [(2, 4)]
    assert sorted(p.frame["as_of"]) == [dt.date(2024, 1, 1), dt.date(2024, 1, 2)]


def test_video_duplicates_by_id(tmp_path):
    text = (
        "id,username,views\n"
        "73207681965695992750,a,1\n7320768187275005226,b,2\n73207681965695992750,c,3\n"
    )
    p = prepare("videos", csv_table(tmp_path, text))
    assert p.duplicates == [(2, 4)]
    assert p.frame["video_id"].tolist() == ["7320768187275005226", "73207681965695992750"]
    assert p.frame["handle"].tolist() == ["b", "c"]


def test_hashtag_duplicates_by_name_date_and_region(tmp_path):
    text = (
        "hashtag,date,region,views\n"
        "#FYP,2024-01-01,US,1\nfyp,2024-01-01,GB,2\nfyp,2024-01-02,US,3\nFyp,2024-01-01,USA,4\n"
    )
    p = prepare("hashtags", csv_table(tmp_path, text))
    assert p.duplicates == [(2, 5)]
    assert sorted(p.frame["views"]) == [2, 3, 4]


# --- price currency ----------------------------------------------------------------------


def test_price_currency_cell_then_column_then_default(tmp_path):
    text = (
        "Username,Price,Currency\n"
        "a,$100,\n"  # the cell's own currency
        "b,200,EUR\n"  # the currency column
        "c,300,\n"  # the default
        "d,400 GBP,GBP\n"  # agreeing
        "e,,EUR\n"  # no price: no currency
        "f,1.2K,-\n"  # '-' is missing: the default
    )
    p = prepare("creators", csv_table(tmp_path, text), default_currency="CHF")
    got = p.frame.set_index("handle")[["price_quote", "price_currency"]]
    assert got.loc["a"].tolist() == [100, "USD"]
    assert got.loc["b"].tolist() == [200, "EUR"]
    assert got.loc["c"].tolist() == [300, "CHF"]
    assert got.loc["d"].tolist() == [400, "GBP"]
    assert np.isnan(got.loc["e", "price_quote"]) and pd.isna(got.loc["e", "price_currency"])
    assert got.loc["f"].tolist() == [1200, "CHF"]
    assert p.rejected == 0
    (note,) = [n for n in p.notes if "currency" in n]
    assert note.startswith("2 prices") and "CHF" in note and "--currency" in note


def test_conflicting_currencies_reject_the_row(tmp_path):
    text = "Username,Price,Currency\na,300 EUR,USD\nb,5,USD\n"
    p = prepare("creators", csv_table(tmp_path, text))
    assert p.rejected == 1
    (error,) = p.errors
    assert error.row == 2
    assert "EUR" in error.reason and "USD" in error.reason
    assert p.frame["handle"].tolist() == ["b"]
    check_accounting(p)


def test_no_note_when_every_price_names_a_currency(tmp_path):
    p = prepare("creators", csv_table(tmp_path, "Username,Price\na,$5\nb,9 EUR\n"))
    assert not any("currency" in n for n in p.notes)


def test_bad_currency_cell_rejects_the_row(tmp_path):
    p = prepare("creators", csv_table(tmp_path, "Username,Price,Currency\na,5,dollars\n"))
    assert p.rejected == 1
    assert p.errors[0].column == "Currency" and "ISO 4217" in p.errors[0].reason


def test_unknown_currency_in_a_price(tmp_path):
    p = prepare("creators", csv_table(tmp_path, "Username,Price\na,100 XYZ\n"))
    assert p.rejected == 1
    assert p.errors[0].column == "Price" and "unknown currency" in p.errors[0].reason


# --- properties --------------------------------------------------------------------------

handle_cell = st.one_of(
    st.sampled_from(["@a", "b", "@A", "c.c", "d_d", "bad handle!", "", "-", "@e"]),
    st.text(max_size=6),
)
followers_cell = st.sampled_from(["1", "2K", "-", "", "x", "-5", "1,5", "3.5M", "16%"])


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(handle_cell, followers_cell), max_size=25))
def test_every_row_is_accounted_for(rows):
    p = prepare("creators", raw_table([list(r) for r in rows], ["Username", "Followers"]))
    check_accounting(p)
    assert p.rows == len(rows)
    assert p.frame["handle"].is_unique
    handle_of = dict(enumerate(cells.parse_handle(pd.Series([r[0] for r in rows])).values, 2))
    valid = set(handle_of) - {e.row for e in p.errors}
    for dropped, kept in p.duplicates:
        assert dropped < kept and handle_of[dropped] == handle_of[kept]
    for handle, row in zip(p.frame["handle"], p.frame["_row"], strict=True):
        assert handle_of[row] == handle
        assert not [r for r in valid if r > row and handle_of[r] == handle]  # the last wins


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(range(8))))
def test_row_order_does_not_change_what_is_valid(order):
    base = [["@a", "1"], ["@b", "x"], ["@c", "3"], ["bad!", "4"], ["@d", ""], ["@e", "-2"]]
    base += [["@f", "2K"], ["@g", "1e3"]]
    shuffled = [base[i] for i in order]
    p = prepare("creators", raw_table(shuffled, ["Username", "Followers"]))
    assert sorted(p.frame["handle"]) == ["a", "c", "d", "f", "g"]
    assert p.rejected == 3
    rows = {h: r for h, r in zip(p.frame["handle"], p.frame["_row"], strict=True)}
    for h, r in rows.items():
        assert shuffled[r - 2][0].lstrip("@") == h


# --- real data ---------------------------------------------------------------------------


@pytest.mark.realdata
def test_real_top_creators_file(datasets):
    path = datasets / "tiktok-famous-2020" / "top-250-tiktokers.csv"
    if not path.exists():
        pytest.skip(f"{path} not found")
    p = prepare("creators", read_table(path, max_rows=10_000))
    assert p.rows == 256 and p.rejected == 0
    check_accounting(p)
    assert p.mapping["Genre"] == "niches" and p.mapping["Followers"] == "followers"
    charli = p.frame.set_index("handle").loc["charlidamelio"]
    assert charli["followers"] == 78_900_000
    assert charli["reported_engagement_rate"] == pytest.approx(0.166)
    assert charli["country"] == "US"
    assert charli["niches"] == "dancing,lipsyncing,lifestyle"
    assert charli["_row"] == 2


ODD_CELLS = {
    "Username": ["@a", "B", "bad handle", "", "https://www.tiktok.com/@C.d", "@a", "n/a"],
    "Country": ["US", "usa", "Atlantis", "", "-", " fr ", "Narnia", "Mordor", "Gondor", "Rohan"],
    "Genre": ["Dance, Comedy", "['a','b']", "[bad", "", "#Food|travel"],
    "Followers": ["1,234", "12.5K", "1,5", "", "-", "abc", "7", "-3"],
    "Engagement": ["5.2%", "0.05", "16.6", "150", "", "x"],
    "Price": ["$1,200", "900 EUR", "5 XYZ", "", "abc", "-5", "€3"],
    "Verified": ["yes", "no", "maybe", ""],
    "Date": ["2024-05-01", "2024-05-02", "bad date", ""],
    "Name": ["Zed", "L" * 250, "", " padded "],
}


def test_large_columns_parsed_per_distinct_cell_give_the_same_result(monkeypatch):
    """Columns long enough to be parsed once per distinct cell: the same frame, errors (with
    reasons and row numbers), duplicates and notes as parsing every cell."""
    rng = np.random.default_rng(7)
    n = 3 * cells.DISTINCT_MIN_ROWS
    data = {h: np.array(v, dtype=object)[rng.integers(0, len(v), n)] for h, v in ODD_CELLS.items()}
    data["Username"][::3] = [f"@u{i}" for i in range(len(data["Username"][::3]))]
    frame = pd.DataFrame(data, dtype=object)
    frame.iloc[::101, :] = np.nan  # short rows
    table = RawTable(frame, pd.Series(range(2, n + 2)), "csv", [])

    fast = prepare("creators", table, max_errors=10 * n)
    monkeypatch.setattr(cells, "DISTINCT_MIN_ROWS", 10 * n)
    slow = prepare("creators", table, max_errors=10 * n)

    assert fast.errors == slow.errors and fast.error_count == slow.error_count > 0
    assert fast.duplicates == slow.duplicates and fast.notes == slow.notes
    assert any("were shortened" in note for note in fast.notes)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    check_accounting(fast)


def test_columns_parsed_on_two_threads_give_exactly_what_one_gives(tmp_path, monkeypatch):
    import bot.ingest.validate as validate

    lines = CREATORS.splitlines()
    body = [line.replace("@bob_cooks", f"@bob{i}").replace("carol", f"carol{i}")
            for i in range(40) for line in lines[1:]]  # fmt: skip
    table = csv_table(tmp_path, "\n".join([lines[0], *body, lines[1]]) + "\n")
    monkeypatch.setattr(validate, "PARALLEL_ROWS", 10**9)
    one = prepare("creators", table, max_errors=10_000)
    monkeypatch.setattr(validate, "PARALLEL_ROWS", 1)
    two = prepare("creators", table, max_errors=10_000)
    pd.testing.assert_frame_equal(one.frame, two.frame)
    assert (one.errors, one.duplicates, one.notes, one.mapping) == (
        two.errors, two.duplicates, two.notes, two.mapping)  # fmt: skip
    assert one.rejected == 120 and len(one.duplicates) == 40  # every @Alice.Dance but the last
    check_accounting(two)
