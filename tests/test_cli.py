"""The campaign-bot command, end to end on a real SQLite file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import EXIT_REJECTED, EXIT_USER_ERROR, build_parser, main

CREATORS = (
    "Username,Name,Followers,Views avg,Likes,Comments,Shares,Genre,Country,Price\n"
    '@alpha,=HYPERLINK("http://x"),120K,40K,3K,100,200,Fitness,US,$900\n'
    '@beta,+Beta,2.5M,300K,20K,900,1.2K,"Fitness, Food",DE,\n'
    "@gamma,@gamma,8K,9K,1.2K,80,60,Food,US,\n"
    "@delta,-Delta,45K,20K,900,30,20,Travel,GB,400 GBP\n"
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_BOT_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.sqlite3"}"\n'
        f'[ranking]\ncache_dir = "{tmp_path / "cache"}"\n'
    )

    def run(*args: str) -> int:
        return main(["--config", str(config), *args])

    return run


@pytest.fixture
def loaded(cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert cli("db", "upgrade") == 0
    path = tmp_path / "creators.csv"
    path.write_text(CREATORS, encoding="utf-8")
    assert cli("import", "creators", str(path), "--as-of", "2024-03-01") == 0
    capsys.readouterr()
    return cli


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        [], ["db"], ["import"], ["export"], ["creators"], ["creators", "show"],
        ["creators", "search"], ["status"], ["demo"],
    ):  # fmt: skip
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([*args, "--help"])
        assert info.value.code == 0
        assert "usage: campaign-bot" in capsys.readouterr().out


def test_refuses_an_out_of_date_schema_and_names_the_command(cli, capsys) -> None:
    assert cli("creators", "search") == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "has no schema yet" in err and "campaign-bot db upgrade" in err
    assert cli("db", "upgrade") == 0
    assert cli("db", "check") == 0
    capsys.readouterr()
    assert cli("db", "upgrade") == 0
    assert "already up to date" in capsys.readouterr().out


def test_import_json_report(cli, tmp_path: Path, capsys) -> None:
    assert cli("db", "upgrade") == 0
    path = tmp_path / "bad.csv"
    path.write_text("Username,Followers,Rank\n@ok,1K,1\n@bad,many,2\n", encoding="utf-8")
    capsys.readouterr()
    assert cli("import", "creators", str(path), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert {"rows", "inserted", "updated", "rejected", "errors"} <= report.keys()
    assert (report["rows"], report["inserted"], report["updated"], report["rejected"]) == (
        2, 1, 0, 1)  # fmt: skip
    assert report["errors"] == [
        {"row": 3, "column": "Followers", "reason": report["errors"][0]["reason"]}
    ]
    assert "not a number" in report["errors"][0]["reason"]
    assert report["unrecognised"] == ["Rank"]
    assert cli("import", "creators", str(path), "--strict", "--json") == EXIT_REJECTED
    assert json.loads(capsys.readouterr().out)["failed"].startswith("1 of 2 rows")


def test_dry_run_and_map(cli, tmp_path: Path, capsys) -> None:
    assert cli("db", "upgrade") == 0
    path = tmp_path / "odd.csv"
    path.write_text("Who,Audience\n@x,5K\n", encoding="utf-8")
    capsys.readouterr()
    assert cli("import", "creators", str(path), "--map", "Who=handle", "--map",
               "Audience=followers", "--dry-run", "--json") == 0  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] and report["inserted"] == 1 and not report["written"]
    assert cli("creators", "show", "x") == EXIT_USER_ERROR  # the dry run wrote nothing
    assert "there is no workspace 'default'" in capsys.readouterr().err
    assert cli("import", "creators", str(path), "--map", "Nope=handle") == EXIT_USER_ERROR
    assert "not in the file" in capsys.readouterr().err


def test_creators_show_json(loaded, capsys) -> None:
    assert loaded("creators", "show", "@ALPHA", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("handle", "display_name", "followers", "avg_views", "median_views",
                "engagement_rate_views", "engagement_rate_followers", "niches", "country",
                "as_of", "source"):  # fmt: skip
        assert key in data
    assert data["handle"] == "alpha" and data["followers"] == 120_000
    assert data["median_views"] is None
    assert data["engagement_rate_views"] == pytest.approx(3300 / 40_000)
    assert data["niches"] == ["fitness"] and data["as_of"] == "2024-03-01"
    assert data["source"] == "creators.csv"
    assert loaded("creators", "show", "nobody") == EXIT_USER_ERROR
    assert "no creator @nobody" in capsys.readouterr().err


def test_creators_search_json_and_filters(loaded, capsys) -> None:
    assert loaded("creators", "search", "--niche", "fitness", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert [c["handle"] for c in found] == ["beta", "alpha"]  # most followed first
    assert loaded("creators", "search", "--min-followers", "10k", "--max-followers", "1M",
                  "--json") == 0  # fmt: skip
    assert {c["handle"] for c in json.loads(capsys.readouterr().out)} == {"alpha", "delta"}
    assert loaded("creators", "search", "--country", "United States", "--min-engagement",
                  "10%", "--json") == 0  # fmt: skip
    assert [c["handle"] for c in json.loads(capsys.readouterr().out)] == ["gamma"]
    # alpha is quoted at 900 USD; delta's GBP quote cannot be compared with USD.
    assert loaded("creators", "search", "--max-price", "1000", "--json", "--limit", "1") == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1 and out[0]["price"] <= 1000 and out[0]["price_currency"] == "USD"
    assert loaded("creators", "search", "--max-price", "1000") == 0
    assert "priced in another currency" in capsys.readouterr().out
    assert loaded("creators", "search", "--min-followers", "5", "--max-followers", "1") == 1


def test_export_neutralises_formulas(loaded, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.csv"
    assert loaded("export", "creators", "--output", str(out)) == 0
    rows = {r["handle"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["alpha"]["display_name"] == '\'=HYPERLINK("http://x")'
    assert rows["beta"]["display_name"] == "'+Beta"
    assert rows["gamma"]["display_name"] == "'@gamma"
    assert rows["delta"]["display_name"] == "'-Delta"
    assert rows["alpha"]["followers"] == "120000"
    xlsx = tmp_path / "out.xlsx"
    assert loaded("export", "creators", "--format", "xlsx", "--output", str(xlsx)) == 0
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    values = {row[0]: dict(zip(header, row, strict=True)) for row in
              sheet.iter_rows(min_row=2, values_only=True)}  # fmt: skip
    assert values["alpha"]["display_name"] == '\'=HYPERLINK("http://x")'
    assert values["beta"]["followers"] == 2_500_000


def test_status(loaded, capsys) -> None:
    assert loaded("status", "--json") == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["creators"] == 4 and counts["creator_snapshots"] == 4
    assert loaded("status", "--workspace", "nope") == EXIT_USER_ERROR


def test_rank_a_brief_with_a_plan(loaded, tmp_path: Path, capsys) -> None:
    brief = tmp_path / "brief.toml"
    brief.write_text(
        'name = "fit"\nobjective = "engagement"\nniches = "fitness, food"\n'
        "countries = ['United States', 'DE']\nbudget = 1500\ncreators_wanted = 2\n",
        encoding="utf-8",
    )
    assert loaded("rank", "--brief", str(brief), "--plan", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["brief"]["countries"] == ["US", "DE"]
    assert out["pool_size"] == 3  # alpha, beta, gamma: fitness or food, in US or DE
    assert [c["rank"] for c in out["creators"]] == [1, 2]
    assert all(c["lifted_by"] or c["held_back_by"] for c in out["creators"])
    assert out["plan"]["totals"]["cost"] <= 1500
    assert loaded("rank", "--brief", str(brief), "--objective", "awareness") == 0
    assert "objective awareness" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('objective = "fame"\n', encoding="utf-8")
    assert loaded("rank", "--brief", str(bad)) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "budget: missing" in err and "objective = 'fame'" in err


def test_example_brief_is_valid() -> None:
    from bot.services.ranking import load_brief

    brief = load_brief(Path(__file__).resolve().parents[1] / "brief.example.toml")
    assert brief.budget == 8000 and brief.countries == ("US", "GB", "CA", "AU")
