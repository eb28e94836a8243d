"""bot/ingest/readers.py: CSV / TSV, XLSX, JSON and JSON Lines into raw cells."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.ingest.readers import RawTable, ReadError, detect_format, read_table
from bot.ingest.validate import prepare

SAMPLES = "tiktok-research-api-samples"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def read(path: Path, max_rows: int = 1000, **kw: object) -> RawTable:
    return read_table(path, max_rows=max_rows, **kw)  # type: ignore[arg-type]


def cells(table: RawTable) -> list[list[object]]:
    return table.frame.astype(object).where(table.frame.notna(), None).values.tolist()


def rows(table: RawTable) -> list[int]:
    return table.row_numbers.tolist()


# --- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.csv", "csv"),
        ("a.TSV", "csv"),
        ("a.txt", "csv"),
        ("a.xlsx", "xlsx"),
        ("a.xlsm", "xlsx"),
        ("a.json", "json"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
    ],
)
def test_detect_format(name, fmt):
    assert detect_format(Path(name)) == fmt


def test_unknown_extension_says_what_to_do():
    with pytest.raises(ReadError) as info:
        detect_format(Path("creators.pdf"))
    assert ".pdf" in str(info.value) and "--format" in str(info.value)
    with pytest.raises(ReadError, match="use csv, xlsx, json or jsonl"):
        detect_format(Path("a.csv"), "parquet")


def test_declared_format_wins(tmp_path):
    path = write(tmp_path, "export.dat", "Username,Followers\n@a,1\n")
    assert cells(read(path, fmt="csv")) == [["@a", "1"]]


# --- CSV ---------------------------------------------------------------------------------


def test_csv_cells_are_raw_strings(tmp_path):
    path = write(tmp_path, "c.csv", 'Username,Followers,Genre\n@a,1.2K,"Dance, Comedy"\n@b,-,\n')
    table = read(path)
    assert table.format == "csv"
    assert list(table.frame.columns) == ["Username", "Followers", "Genre"]
    assert cells(table) == [["@a", "1.2K", "Dance, Comedy"], ["@b", "-", ""]]
    assert rows(table) == [2, 3]  # the header is row 1
    assert all(dtype == "object" for dtype in table.frame.dtypes)
    assert table.notes == []


def test_csv_utf8_with_bom(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeffUsername,Name\n@a,Renée 👑\n".encode())
    table = read(path)
    assert list(table.frame.columns) == ["Username", "Name"]  # no BOM in the first header
    assert cells(table) == [["@a", "Renée 👑"]]
    assert table.notes == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semi.csv", "Username;Followers;Price\n@a;1,5K;$1,200\n@b;2;3\n"),
        ("tab.tsv", "Username\tFollowers\tPrice\n@a\t1,5K\t$1,200\n@b\t2\t3\n"),
        ("tab.csv", "Username\tFollowers\tPrice\n@a\t1,5K\t$1,200\n@b\t2\t3\n"),
        ("pipe.txt", "Username|Followers|Price\n@a|1,5K|$1,200\n@b|2|3\n"),
    ],
)
def test_csv_delimiters_are_sniffed(tmp_path, name, text):
    table = read(write(tmp_path, name, text))
    assert list(table.frame.columns) == ["Username", "Followers", "Price"]
    assert cells(table) == [["@a", "1,5K", "$1,200"], ["@b", "2", "3"]]


def test_a_delimiter_the_header_lacks_is_not_taken(tmp_path):
    """csv.Sniffer took '|' between quotes for the delimiter (found by hypothesis below)."""
    table = read(write(tmp_path, "q.csv", 'Name,Followers\n"|",0\n"|",0\n'))
    assert list(table.frame.columns) == ["Name", "Followers"]
    assert cells(table) == [["|", "0"], ["|", "0"]]


def test_csv_windows_1252_is_read_and_noted(tmp_path):
    path = write(tmp_path, "cp.csv", "Username,Name\n@a,Café Renée – “quoted”\n".encode("cp1252"))
    table = read(path)
    assert cells(table) == [["@a", "Café Renée – “quoted”"]]
    assert any("not UTF-8" in n and "Windows-1252" in n for n in table.notes)


def test_csv_crlf_line_endings(tmp_path):
    table = read(write(tmp_path, "crlf.csv", "Username,Followers\r\n@a,1\r\n@b,2\r\n"))
    assert cells(table) == [["@a", "1"], ["@b", "2"]]
    assert rows(table) == [2, 3]


def test_csv_quoted_cells_with_newlines_are_one_row(tmp_path):
    text = 'Username,Bio\n@a,"line one\nline two"\n@b,short\n'
    table = read(write(tmp_path, "multi.csv", text))
    assert cells(table) == [["@a", "line one\nline two"], ["@b", "short"]]
    assert rows(table) == [2, 3]


def test_csv_blank_lines_are_skipped_but_counted(tmp_path):
    """Row numbers match the lines a spreadsheet shows, blank ones included."""
    text = "Username,Followers\n@a,1\n\n@b,2\n,\n  \n@c,3\n\n"
    table = read(write(tmp_path, "blank.csv", text))
    assert cells(table) == [["@a", "1"], ["@b", "2"], ["@c", "3"]]
    assert rows(table) == [2, 4, 7]


def test_csv_blank_lines_before_the_header(tmp_path):
    table = read(write(tmp_path, "lead.csv", "\n  \nUsername,Followers\n@a,1\n\n@b,2\n"))
    assert list(table.frame.columns) == ["Username", "Followers"]
    assert cells(table) == [["@a", "1"], ["@b", "2"]]
    assert rows(table) == [4, 6]


def test_csv_rows_with_an_empty_first_cell_are_kept(tmp_path):
    table = read(write(tmp_path, "gap.csv", "Username,Followers\n,5\n@b,2\n"))
    assert cells(table) == [["", "5"], ["@b", "2"]]
    assert rows(table) == [2, 3]


def test_csv_header_only(tmp_path):
    table = read(write(tmp_path, "h.csv", "Username,Followers\n"))
    assert list(table.frame.columns) == ["Username", "Followers"]
    assert table.frame.empty and rows(table) == []


@pytest.mark.parametrize("text", ["", "   \n\n", "\n"])
def test_csv_empty_file(tmp_path, text):
    with pytest.raises(ReadError, match=r"e\.csv is empty"):
        read(write(tmp_path, "e.csv", text))


@pytest.mark.parametrize(
    "text",
    [
        'Username,Followers\n@a,1\n"@b,2\n',  # a quote that never closes
        "Username,Followers\n@a,1\n@b,2,3,4\n",  # too many cells
        "Username,Followers\n@a,1,extra\n@b,2\n",  # one too many in the first row
        "Username,Followers\n@a,1,\n@b,2,\n",  # stray delimiters at the ends of lines
    ],
)
def test_csv_malformed(tmp_path, text):
    with pytest.raises(ReadError, match="not a well-formed CSV file"):
        read(write(tmp_path, "bad.csv", text))


def test_csv_extra_cell_never_shifts_columns(tmp_path):
    """pandas would take the first column as an index and move every value one column left:
    a handle column full of follower counts. Refuse instead."""
    path = write(tmp_path, "shift.csv", "Username,Followers\n@alice,100,x\n")
    with pytest.raises(ReadError) as info:
        read(path)
    assert "more cells than the header" in str(info.value)


def test_csv_row_limit(tmp_path):
    path = write(tmp_path, "many.csv", "a\n1\n2\n3\n")
    with pytest.raises(ReadError) as info:
        read(path, max_rows=2)
    message = str(info.value)
    assert "more than 2 data rows" in message
    assert "split it into smaller files" in message and "raise the limit" in message
    assert cells(read(path, max_rows=3)) == [["1"], ["2"], ["3"]]


def test_csv_row_limit_ignores_blank_lines(tmp_path):
    path = write(tmp_path, "gaps.csv", "a\n1\n\n\n\n\n2\n\n\n")
    table = read(path, max_rows=2)
    assert cells(table) == [["1"], ["2"]] and rows(table) == [2, 7]


def test_csv_row_limit_beyond_one_chunk(tmp_path):
    path = write(tmp_path, "big.csv", "a\n" + "".join(f"{i}\n" for i in range(250_001)))
    with pytest.raises(ReadError, match="more than 250,000 data rows"):
        read(path, max_rows=250_000)
    table = read(path, max_rows=250_001)
    assert len(table.frame) == 250_001
    assert rows(table)[-1] == 250_002 and table.frame["a"].iloc[-1] == "250000"


def test_csv_not_utf8_after_the_sample(tmp_path):
    content = ("Username,Name\n" + "@a,x\n" * 20_000 + "@b,Renée\n").encode("cp1252")
    with pytest.raises(ReadError, match="not valid UTF-8"):
        read(write(tmp_path, "late.csv", content), max_rows=100_000)


def test_csv_headers_are_trimmed(tmp_path):
    table = read(write(tmp_path, "h.csv", " Username , Followers\n@a,1\n"))
    assert list(table.frame.columns) == ["Username", "Followers"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.just(None),  # a blank line
            st.tuples(
                st.text(st.characters(codec="utf-8", exclude_characters='\r\n",\x00'), max_size=8),
                st.integers(min_value=0, max_value=10**6),
            ),
        ),
        max_size=15,
    )
)
def test_csv_row_numbers_match_the_lines(tmp_path, lines):
    body = ["" if line is None else f'"{line[0]}",{line[1]}' for line in lines]
    path = write(tmp_path, "p.csv", "\n".join(["Name,Followers", *body]) + "\n")
    table = read(path)
    expected = [(i + 2, [line[0], str(line[1])]) for i, line in enumerate(lines) if line]
    assert rows(table) == [n for n, _ in expected]
    assert cells(table) == [c for _, c in expected]


# --- XLSX --------------------------------------------------------------------------------


def workbook(tmp_path: Path, rows_: list[list[object]], extra_sheets: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Creators"
    for r in rows_:
        ws.append(r)
    for i in range(extra_sheets):
        wb.create_sheet(f"Other {i}")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_xlsx_cells_and_row_numbers(tmp_path):
    path = workbook(
        tmp_path,
        [
            ["Username", "Followers", "Rate", "Joined", "Price"],
            ["@a", 1200.0, 0.166, dt.datetime(2024, 5, 1, 12, 30), "$1,200"],
            [None, None, None, None, None],  # blank row 3
            ["@b", 7.320768187275005e18, "16%", None, 99.5],
            ["  ", "", None],  # blank row 5
            ["@c", 12, 1.5, None, True],
        ],
    )
    table = read(path)
    assert table.format == "xlsx"
    assert list(table.frame.columns) == ["Username", "Followers", "Rate", "Joined", "Price"]
    assert rows(table) == [2, 4, 6]
    got = cells(table)
    assert got[0] == ["@a", 1200, 0.166, dt.datetime(2024, 5, 1, 12, 30), "$1,200"]
    assert type(got[0][1]) is int  # 1200.0 is 1200
    assert got[1][1] == 7.320768187275005e18 and type(got[1][1]) is float  # beyond 2**53
    assert got[1][4] == 99.5 and got[1][2] == "16%"
    assert got[2] == ["@c", 12, 1.5, None, True]
    assert table.notes == []


def test_xlsx_imports_like_csv(tmp_path):
    path = workbook(tmp_path, [["Username", "Followers"], ["@A", 1200.0], [None], ["bad!", 3]])
    p = prepare("creators", read(path))
    assert p.frame["handle"].tolist() == ["a"] and p.frame["followers"].tolist() == [1200]
    assert [(e.row, e.column) for e in p.errors] == [(4, "Username")]


def test_xlsx_blank_header_cells_get_names(tmp_path):
    table = read(workbook(tmp_path, [["Username", None, "Followers"], ["@a", "x", 5]]))
    assert list(table.frame.columns) == ["Username", "column 2", "Followers"]
    assert cells(table) == [["@a", "x", 5]]


def test_xlsx_short_rows_are_padded(tmp_path):
    table = read(workbook(tmp_path, [["Username", "Followers", "Views"], ["@a"], ["@b", 1, 2]]))
    assert cells(table) == [["@a", None, None], ["@b", 1, 2]]


def test_xlsx_reads_the_first_sheet_and_says_so(tmp_path):
    table = read(workbook(tmp_path, [["Username"], ["@a"]], extra_sheets=2))
    assert cells(table) == [["@a"]]
    assert table.notes == ["read the first sheet, 'Creators'"]


def test_xlsx_empty_sheet(tmp_path):
    with pytest.raises(ReadError, match="the first sheet is empty"):
        read(workbook(tmp_path, []))


def test_xlsx_not_a_workbook(tmp_path):
    with pytest.raises(ReadError, match="not a readable .xlsx workbook"):
        read(write(tmp_path, "fake.xlsx", b"not a zip file"))


def test_xlsx_row_limit(tmp_path):
    path = workbook(tmp_path, [["a"], [1], [None], [2], [3]])
    with pytest.raises(ReadError, match="more than 2 data rows"):
        read(path, max_rows=2)
    table = read(path, max_rows=3)
    assert cells(table) == [[1], [2], [3]] and rows(table) == [2, 4, 5]


# --- JSON --------------------------------------------------------------------------------


def test_json_list_of_records(tmp_path):
    doc = [
        {"username": "a", "follower_count": 12, "is_verified": True, "bio": None, "rate": 1.5},
        {"username": "b", "extra": [1, "x"]},
    ]
    table = read(write(tmp_path, "a.json", json.dumps(doc)))
    assert table.format == "json"
    assert list(table.frame.columns) == [
        "username", "follower_count", "is_verified", "bio", "rate", "extra",
    ]  # fmt: skip
    assert cells(table) == [
        ["a", "12", "true", None, 1.5, None],
        ["b", None, None, None, None, ["1", "x"]],
    ]
    assert rows(table) == [1, 2]  # in JSON the first record is row 1


@pytest.mark.parametrize("key", ["data", "creators", "users", "items", "records", "rows"])
def test_json_records_under_a_key(tmp_path, key):
    table = read(write(tmp_path, "a.json", json.dumps({key: [{"username": "a"}]})))
    assert cells(table) == [["a"]]


def test_json_single_record(tmp_path):
    table = read(write(tmp_path, "a.json", '{"username": "a", "followers": 5}'))
    assert cells(table) == [["a", "5"]]


def test_tiktok_research_api_shape(tmp_path):
    doc = {
        "data": {
            "videos": [
                {"id": 73207681965695992750, "username": "s.clovis", "view_count": 4},
                {"id": 7320768187275005226, "username": "rokxz", "view_count": 1},
            ],
            "cursor": 100,
            "search_id": "7354367454467855403",
            "has_more": True,
        },
        "error": {"code": "ok", "message": "", "log_id": "x"},
    }
    table = read(write(tmp_path, "api.json", json.dumps(doc)))
    assert cells(table) == [
        ["73207681965695992750", "s.clovis", "4"],
        ["7320768187275005226", "rokxz", "1"],
    ]
    assert "read the records under data.videos" in table.notes
    assert any("has_more=true" in n and "not the whole result" in n for n in table.notes)

    doc["data"]["has_more"] = False
    table = read(write(tmp_path, "api.json", json.dumps(doc)))
    assert not any("has_more" in n for n in table.notes)


def test_tiktok_api_error_response(tmp_path):
    doc = {
        "data": {},
        "error": {
            "code": "access_token_invalid",
            "message": "The access token is invalid or not found in the request.",
            "log_id": "20240405132544A8A35938AA061A19F445",
        },
    }
    with pytest.raises(ReadError) as info:
        read(write(tmp_path, "err.json", json.dumps(doc)))
    message = str(info.value)
    assert "access_token_invalid" in message and "The access token is invalid" in message
    assert "error response" in message


def test_nested_objects_are_flattened(tmp_path):
    doc = [
        {
            "user": {"uniqueId": "a", "nickname": "A", "meta": {"region": "US"}},
            "stats": {"followers": 7, "likes": 9},
        }
    ]
    table = read(write(tmp_path, "n.json", json.dumps(doc)))
    frame = table.frame
    assert frame.loc[0, "user.uniqueId"] == "a"
    assert frame.loc[0, "user.meta.region"] == "US"
    assert frame.loc[0, "stats.followers"] == "7"
    assert frame.loc[0, "stats.likes"] == "9"
    # an object of numbers is also kept whole, in case it is a distribution named unusually
    assert json.loads(frame.loc[0, "stats"]) == {"followers": 7, "likes": 9}
    p = prepare("creators", table, user_map={"user.uniqueId": "handle"})
    assert p.frame.loc[0, "followers"] == 7
    assert p.mapping["stats.followers"] == "followers"


def test_distribution_objects_stay_whole(tmp_path):
    doc = [{"username": "a", "audience_age": {"18-24": 0.4, "25-34": 0.35}}]
    table = read(write(tmp_path, "d.json", json.dumps(doc)))
    assert list(table.frame.columns) == ["username", "audience_age"]
    assert json.loads(table.frame.loc[0, "audience_age"]) == {"18-24": 0.4, "25-34": 0.35}
    p = prepare("creators", table)
    assert p.frame.loc[0, "audience_age"] == {"18-24": 0.4, "25-34": 0.35}


def test_big_integers_stay_exact(tmp_path):
    text = '[{"id": 73207681965695992750, "n": 9007199254740993, "neg": -12}]'
    table = read(write(tmp_path, "big.json", text))
    assert cells(table) == [["73207681965695992750", "9007199254740993", "-12"]]


def test_nul_bytes_are_removed_and_noted(tmp_path):
    text = '[{"username": "ab\\u0000\\u0000c", "na\\u0000me": "x"}]'
    table = read(write(tmp_path, "nul.json", text))
    assert list(table.frame.columns) == ["username", "name"]
    assert cells(table) == [["abc", "x"]]
    assert "NUL characters were removed from text values" in table.notes


def test_json_lines(tmp_path):
    text = '{"username": "a", "followers": 1}\n\n{"username": "b", "stats": {"likes": 3}}\n'
    table = read(write(tmp_path, "a.jsonl", text))
    assert table.format == "json"
    assert list(table.frame.columns) == ["username", "followers", "stats", "stats.likes"]
    assert cells(table) == [["a", "1", None, None], ["b", None, '{"likes": 3}', "3"]]
    assert rows(table) == [1, 2]


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("bad.json", "{bad", "not valid JSON"),
        ("empty.json", "", "not valid JSON"),
        ("bad.jsonl", '{"a": 1}\n{bad\n', "not valid JSON"),
        ("scalar.json", '"x"', "expected a JSON list of records or an object"),
        ("ints.json", "[1, 2]", "record 1 is not an object"),
        ("mixed.json", '[{"a": 1}, "b"]', "record 2 is not an object"),
        ("list.jsonl", "[1]\n", "record 1 is not an object"),
    ],
)
def test_json_errors(tmp_path, name, text, match):
    with pytest.raises(ReadError, match=match):
        read(write(tmp_path, name, text))


def test_json_not_utf8(tmp_path):
    path = write(tmp_path, "latin.json", '[{"name": "Renée"}]'.encode("latin-1"))
    with pytest.raises(ReadError, match="not valid UTF-8"):
        read(path)


def test_json_with_bom(tmp_path):
    table = read(write(tmp_path, "bom.json", '\ufeff[{"username": "a"}]'.encode()))
    assert cells(table) == [["a"]]


def test_json_empty_list(tmp_path):
    table = read(write(tmp_path, "e.json", "[]"))
    assert table.frame.empty and rows(table) == []


def test_json_row_limit(tmp_path):
    path = write(tmp_path, "m.json", json.dumps([{"a": i} for i in range(3)]))
    with pytest.raises(ReadError) as info:
        read(path, max_rows=2)
    assert "more than 2 data rows" in str(info.value)
    assert "split it into smaller files or raise the limit" in str(info.value)
    with pytest.raises(ReadError, match="more than 2 data rows"):
        read(write(tmp_path, "m.jsonl", '{"a": 1}\n{"a": 2}\n{"a": 3}\n'), max_rows=2)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=-(2**100), max_value=2**100), min_size=1, max_size=8))
def test_any_integer_survives_json_exactly(tmp_path, ids):
    path = write(tmp_path, "ids.json", json.dumps([{"id": i} for i in ids]))
    assert read(path).frame["id"].tolist() == [str(i) for i in ids]


# --- real TikTok Research API responses --------------------------------------------------


def sample(datasets: Path, name: str) -> Path:
    path = datasets / SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path


@pytest.mark.realdata
def test_real_api_page_with_an_id_above_2_63(datasets):
    table = read(sample(datasets, "api_videos_response_page_2_of_2.json"))
    assert len(table.frame) == 27
    assert table.frame.loc[0, "id"] == "73207681965695992750"
    assert table.frame.loc[0, "username"] == "s.clovis"
    assert table.frame.loc[0, "hashtag_names"] == ["cats", "duet"]
    assert "read the records under data.videos" in table.notes
    assert not any("has_more" in n for n in table.notes)  # the last page

    p = prepare("videos", table)
    assert p.rejected == 0 and len(p.frame) == 27
    first = p.frame.iloc[0]
    assert first["video_id"] == "73207681965695992750"
    assert first["posted_at"] == pd.Timestamp("2024-01-05T23:59:56Z")
    assert first["hashtags"] == "cats,duet"
    assert first["region"] == "US"


@pytest.mark.realdata
def test_real_api_first_page_says_there_is_more(datasets):
    table = read(sample(datasets, "api_videos_response_page_1_of_2.json"))
    assert table.frame.loc[0, "id"] == "7320768196569599275"
    assert any("has_more=true" in n for n in table.notes)


@pytest.mark.realdata
def test_real_api_response_with_nul_bytes(datasets):
    table = read(sample(datasets, "api_videos_response_unicode_with_null_bytes.json"))
    assert table.frame.loc[0, "username"] == "حموديالباشا4"
    assert "NUL characters were removed from text values" in table.notes
    assert all("\x00" not in str(v) for v in table.frame.iloc[0])
    p = prepare("videos", table)
    assert p.rejected == 0
    assert p.frame.loc[0, "handle"] == "حموديالباشا4"
    assert p.frame.loc[0, "region"] == "IQ"
    assert p.frame.loc[0, "video_id"] == "7435406205763226897"
