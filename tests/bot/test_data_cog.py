"""/data import, /data status and /data export, through the real bot on a simulated Discord."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot.ingest.report import ImportReport
from bot.ingest.validate import RowError
from bot.render import cards_data
from bot.services.data import ImportOptions, import_file
from tests.limits import embed_problems, mentions_anyone

MESSY = (
    "Username,Followers,Country,Secret sauce\n"
    "@ann_fit,12K,US,x\n"
    "@bob_moves,lots,US,y\n"
    "@cy_cooks,5K,GB,z\n"
)


def final(result):
    return result.followups[-1] if result.followups else result.response


def fields(message) -> dict[str, str]:
    return {f.name: f.value for f in message.embeds[0].fields}


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture
def data_cog(world) -> ModuleType:
    """cogs.data as the bot loaded it (load_extension imports a fresh module object)."""
    return sys.modules["cogs.data"]


@pytest.fixture
def downloads(world, monkeypatch) -> list[str]:
    """Every attachment download the bot makes (the simulated CDN's reads)."""
    cdn = world.env.backend.cdn
    seen: list[str] = []
    real = cdn.get

    def get(url: str) -> bytes | None:
        seen.append(url)
        return real(url)

    monkeypatch.setattr(cdn, "get", get)
    return seen


def with_settings(bot, section: str, **changes) -> None:
    part = getattr(bot.settings, section).model_copy(update=changes)
    bot.settings = bot.settings.model_copy(update={section: part})


# --- import -----------------------------------------------------------------------------------


async def test_import_with_a_bad_row_reports_it_and_attaches_the_rejected_rows(
    world, simcord_bot, bot_settings, downloads
) -> None:
    w = world
    result = await w.planner.slash(w.channel, "data import", kind="creators",
                                   file=("agency.csv", MESSY.encode()))  # fmt: skip
    message = final(result)
    assert not message.ephemeral and message.content == ""
    embed = message.embeds[0]
    assert embed.title == "Import creators · agency.csv: imported"
    f = fields(message)
    assert (f["Rows"], f["Inserted"], f["Rejected"], f["Duplicates"]) == ("3", "2", "1", "0")
    assert f["Unchanged"] == "0" and f["Updated"] == "0"
    assert "row 3 · Followers:" in f["Rejected rows (1)"]
    assert "Secret sauce" in f["Unrecognised columns (ignored)"]
    assert "Username → handle" in f["Columns"]
    assert embed.footer.text.startswith("creators · csv · as of ")
    [attachment] = message.attachments
    assert attachment.filename == "agency-rejected-rows.csv"
    table = rows(await attachment.read())
    assert table[0] == ["row", "column", "reason"]
    assert [r[:2] for r in table[1:]] == [["3", "Followers"]] and "lots" in table[1][2]
    assert len(downloads) == 2  # the upload, and the test's own read of the report CSV
    # the good rows landed, and the ranking copy was rebuilt in the background
    lookup = await w.member.slash(w.channel, "creator lookup", handle="ann_fit")
    assert lookup.response.embeds[0].title.startswith("@ann\\_fit")
    assert list(Path(bot_settings.ranking.cache_dir).glob("*.npz"))


async def test_wrong_type_empty_or_oversized_files_are_refused_before_any_download(
    world, simcord_bot, downloads
) -> None:
    w = world
    pdf = await w.planner.slash(w.channel, "data import", kind="creators",
                                file=("media-kit.pdf", b"%PDF-1.7"))  # fmt: skip
    assert pdf.ephemeral and not pdf.deferred
    assert "media-kit.pdf is not a file I can import" in pdf.response.content
    assert ".csv, .tsv, .xlsx, .json or .jsonl" in pdf.response.content
    empty = await w.planner.slash(w.channel, "data import", kind="creators",
                                  file=("empty.csv", b""))  # fmt: skip
    assert empty.ephemeral and "empty.csv is empty" in empty.response.content
    with_settings(simcord_bot, "imports", max_file_mb=0.001)  # about 1 KB
    big = MESSY + "".join(f"@extra_{n},{n}K,US,x\n" for n in range(100))
    huge = await w.planner.slash(w.channel, "data import", kind="creators",
                                 file=("big.csv", big.encode()))  # fmt: skip
    assert huge.ephemeral and not huge.deferred
    assert "over the 0.001 MB import limit" in huge.response.content
    assert downloads == []


async def test_an_xlsx_export_imports(world) -> None:
    w = world
    frame = pd.DataFrame({"Handle": ["@xl_one", "@xl_two"], "Subscribers": ["1.5M", "20K"],
                          "Genre": ["Beauty", "Travel"]})  # fmt: skip
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="openpyxl")
    result = await w.admin.slash(w.channel, "data import", kind="creators",
                                 file=("sheet.xlsx", buf.getvalue()))  # fmt: skip
    message = final(result)
    f = fields(message)
    assert message.embeds[0].title == "Import creators · sheet.xlsx: imported"
    assert (f["Rows"], f["Inserted"], f["Rejected"]) == ("2", "2", "0")
    assert "· xlsx ·" in message.embeds[0].footer.text
    assert not message.attachments  # no rejected rows, no CSV
    status = await w.member.slash(w.channel, "data status")
    assert fields(final(status))["Creators"].startswith("2")


async def test_strict_with_a_bad_row_writes_nothing(world) -> None:
    w = world
    result = await w.planner.slash(w.channel, "data import", kind="creators",
                                   file=("agency.csv", MESSY.encode()), strict=True)  # fmt: skip
    message = final(result)
    embed = message.embeds[0]
    assert embed.title == "Import creators · agency.csv: rejected"
    assert "**Nothing was written**: 1 of 3 rows were rejected and strict is on" in (
        embed.description
    )
    assert fields(message)["Inserted"] == "0"
    assert message.attachments[0].filename == "agency-rejected-rows.csv"
    status = await w.member.slash(w.channel, "data status")
    f = fields(final(status))
    assert f["Creators"] == "0" and f["Imports"].startswith("0")


async def test_dry_run_counts_and_writes_nothing(world) -> None:
    w = world
    result = await w.planner.slash(w.channel, "data import", kind="creators",
                                   file=("agency.csv", MESSY.encode()), dry_run=True)  # fmt: skip
    embed = final(result).embeds[0]
    assert embed.title == "Import creators · agency.csv: dry run"
    assert fields(final(result))["Inserted"] == "2"  # the real count, rolled back
    status = await w.member.slash(w.channel, "data status")
    assert fields(final(status))["Creators"] == "0"


async def test_import_needs_manage_server_or_the_planner_role(world, downloads) -> None:
    w = world
    refused = await w.member.slash(w.channel, "data import", kind="creators",
                                   file=("agency.csv", MESSY.encode()))  # fmt: skip
    assert refused.ephemeral and not refused.deferred
    assert "Manage Server permission or the 'Campaign Planner' role" in refused.response.content
    assert downloads == []
    for who, name in ((w.planner, "planner.csv"), (w.admin, "admin.csv")):
        ok = await who.slash(w.channel, "data import", kind="creators",
                             file=(name, MESSY.encode()))  # fmt: skip
        assert final(ok).embeds[0].title == f"Import creators · {name}: imported"


async def test_long_imports_show_progress_by_editing_the_reply(world, data_cog,
                                                                monkeypatch) -> None:  # fmt: skip
    w = world
    edits = lambda: [  # noqa: E731
        r.json.get("content")
        for r in w.env.http_requests
        if r.method == "PATCH" and r.path.endswith("/messages/@original")
    ]
    # A quick import shows no progress: the "thinking" placeholder stands for 1.5 s.
    await w.planner.slash(w.channel, "data import", kind="creators",
                          file=("quick.csv", MESSY.encode()))  # fmt: skip
    assert edits() == [None]  # only the report
    # Every stage is shown when each one takes longer than the interval.
    monkeypatch.setattr(data_cog, "PROGRESS_EVERY_S", 0)
    before = len(edits())
    result = await w.planner.slash(w.channel, "data import", kind="creators",
                          file=("slow.csv", MESSY.encode()))  # fmt: skip
    shown = edits()[before:]
    assert shown[:-1] == [
        "⏳ importing slow.csv (creators): reading slow.csv",
        "⏳ importing slow.csv (creators): read 3 rows (csv); validating",
        "⏳ importing slow.csv (creators): validated 3 rows: 2 to write, 1 rejected, 0 duplicates",
        "⏳ importing slow.csv (creators): writing 2 rows",
    ]
    assert shown[-1] is None  # the report replaces the progress line
    assert final(result).content == "" and final(result).embeds


async def test_an_unreadable_file_says_why_in_the_reply(world) -> None:
    w = world
    result = await w.planner.slash(w.channel, "data import", kind="videos",
                                   file=("broken.json", b'{"data": [1, 2'))  # fmt: skip
    text = final(result).content
    assert text.startswith("❌ Could not import broken.json:")


async def test_import_cools_down(world, simcord_bot) -> None:
    w = world
    with_settings(simcord_bot, "bot", heavy_cooldown_s=60.0)
    await w.planner.slash(w.channel, "data import", kind="creators",
                          file=("a.csv", MESSY.encode()))  # fmt: skip
    again = await w.planner.slash(w.channel, "data import", kind="creators",
                                  file=("b.csv", MESSY.encode()))  # fmt: skip
    assert again.ephemeral and "cooling down" in again.response.content


# --- status -----------------------------------------------------------------------------------


async def test_status_shows_counts_and_freshness(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "data status")  # any member may look
    message = final(result)
    f = fields(message)
    assert f["Creators"] == "4"
    age = (dt.datetime.now(dt.UTC).date() - dt.date(2024, 2, 9)).days
    assert f["Hashtag days"] == f"40\nnewest day: 2024-02-09 ({age:,} days ago)"
    assert f["Creator snapshots"].startswith("4\nnewest dated: 2024-02-09")
    assert f["Imports"].startswith("2\nlast finished: ")
    assert message.embeds[0].title.startswith("Workspace guild-")


async def test_status_of_an_empty_workspace(world) -> None:
    w = world
    embed = final(await w.member.slash(w.channel, "data status")).embeds[0]
    assert "Nothing imported yet" in embed.description
    assert {f.name: f.value for f in embed.fields}["Videos"] == "0\nnewest posted: -"


# --- export -----------------------------------------------------------------------------------


async def test_export_creators_as_csv_and_xlsx(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "data export")
    message = final(result)
    assert message.content.startswith("4 creators from this server's workspace")
    [attachment] = message.attachments
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert attachment.filename == f"creators-{today}.csv"
    table = rows(await attachment.read())
    assert table[0][:3] == ["handle", "display_name", "platform_id"]
    assert sorted(r[0] for r in table[1:]) == ["chef_cara", "fit_anna", "fit_ben", "travel_dan"]
    xlsx = await w.planner.slash(w.channel, "data export", format="xlsx")
    [sheet] = final(xlsx).attachments
    frame = pd.read_excel(io.BytesIO(await sheet.read()))
    assert len(frame) == 4 and "followers" in frame.columns


async def test_an_export_over_the_upload_limit_is_cut(stocked, data_cog, monkeypatch) -> None:
    w = stocked
    monkeypatch.setattr(data_cog, "upload_limit", lambda interaction: 900)
    result = await w.member.slash(w.channel, "data export")
    message = final(result)
    assert "over this server's upload limit of 900 bytes" in message.content
    kept = rows(await message.attachments[0].read())
    assert message.attachments[0].size <= 900
    assert 1 <= len(kept) - 1 < 4
    assert f"holds the first {len(kept) - 1:,} of 4 creators" in message.content
    xlsx = await w.member.slash(w.channel, "data export", format="xlsx")
    text = final(xlsx).content
    assert "The XLSX export is" in text and "over this server's upload limit" in text
    assert not final(xlsx).attachments


async def test_export_of_an_empty_workspace(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "data export")
    assert "no creators to export yet" in final(result).content
    assert not final(result).attachments


async def test_bad_export_format_is_refused_by_the_choices(world) -> None:
    from simcord.backend.errors import SetupError

    w = world
    with pytest.raises(SetupError):
        await w.member.slash(w.channel, "data export", format="pdf")


# --- the service's progress and the renderers on their own --------------------------------


async def test_import_file_tells_each_stage(store, settings, tmp_path) -> None:
    path = tmp_path / "agency.csv"
    path.write_text(MESSY, encoding="utf-8")
    stages: list[str] = []

    async def progress(stage: str) -> None:
        stages.append(stage)

    report = await import_file(store, settings, ImportOptions(
        kind="creators", path=path, workspace="w", progress=progress))  # fmt: skip
    assert report.inserted == 2
    assert stages == [
        "reading agency.csv",
        "read 3 rows (csv); validating",
        "validated 3 rows: 2 to write, 1 rejected, 0 duplicates",
        "writing 2 rows",
    ]


def _report(text: str, errors: int) -> ImportReport:
    return ImportReport(
        kind="creators", file=text[:200] or "f.csv", source=text, format="csv",
        as_of=dt.date(2024, 2, 9), rows=errors + 5, inserted=5, rejected=errors,
        errors=[RowError(n + 2, text or "c", text) for n in range(errors)],
        error_count=errors * 2, mapping={text or "h": "handle"}, unrecognised=[text] * 5,
        notes=[text] * 5, duplicate_rows=[(3, 4)] * 20,
    )  # fmt: skip


@examples(max_examples=40, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=1500),
        st.sampled_from(
            ["@everyone", "<@123456789012345678>", "**x**", '=HYPERLINK("http://x")', "x" * 1500]
        ),
    )
)
def test_import_card_stays_within_limits(text: str) -> None:
    report = _report(text, 30)
    for strict in (False, True):
        embed = cards_data.import_card(report, strict_rejected=strict, attached="x.csv",
                                       attached_rows=3)  # fmt: skip
        assert not embed_problems(embed)
        d = embed.to_dict()
        shown = [d.get("title", ""), d.get("description", ""), d["footer"]["text"]]
        shown += [f["name"] + f["value"] for f in d.get("fields", [])]
        assert not any(mentions_anyone(s) for s in shown)


def test_rejected_csv_neutralises_formulas_and_fits_the_limit() -> None:
    report = _report("x", 0)
    report.errors = [
        RowError(2, "=cmd|' /C calc'!A0", "+1 is not a handle"),
        RowError(3, "Followers", "'lots' is not a number"),
        RowError(4, "@sum", "-5 is negative"),
    ]
    data, written = cards_data.rejected_csv(report)
    table = rows(data)
    assert written == 3
    assert table[1] == ["2", "'=cmd|' /C calc'!A0", "'+1 is not a handle"]
    assert table[2] == ["3", "Followers", "'lots' is not a number"]
    assert table[3] == ["4", "'@sum", "'-5 is negative"]
    cut, written = cards_data.rejected_csv(report, limit=len(data) - 1)
    assert written == 2 and rows(cut) == table[:3]


def test_trim_csv_keeps_whole_records(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('handle,bio\na,"two\nlines"\nb,plain\nc,"more\nlines"\n', encoding="utf-8")
    whole, kept = cards_data.trim_csv(path, 10_000)
    assert kept is None and whole == path.read_bytes()
    cut, kept = cards_data.trim_csv(path, 35)
    assert kept == 2 and len(cut) <= 35
    assert rows(cut) == [["handle", "bio"], ["a", "two\nlines"], ["b", "plain"]]


async def test_the_permission_check_runs_before_the_cooldown(world, simcord_bot) -> None:
    # a refused member spends no cooldown: the planner check is the first check to run
    command = simcord_bot.tree.get_command("data").get_command("import")
    assert "planner_only" in command.checks[0].__qualname__
    assert len(command.checks) == 2
