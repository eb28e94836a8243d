"""`campaign-bot trends top|hashtag` end to end on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.cli import EXIT_USER_ERROR, build_parser, main

END = dt.date(2024, 5, 31)


def _history() -> str:
    rows = ["hashtag,date,views,posts,rank"]
    for i in range(40):
        day = END - dt.timedelta(days=39 - i)
        rows.append(f"#steady,{day},{5_000_000_000 + 1_000_003 * i},{100_000 + 100 * i},1")
        if i >= 30:  # new: ten days, doubling views a day
            rows.append(f"#fresh,{day},{1000 * 2 ** (i - 29) - 1000 + 37},,{2 if i >= 38 else ''}")
    return "\n".join(rows) + "\n"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_BOT_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.sqlite3"}"\n'
        f'[ranking]\ncache_dir = "{tmp_path / "cache"}"\n'  # not the working directory's
    )

    def run(*args: str) -> int:
        return main(["--config", str(config), *args])

    assert run("db", "upgrade") == 0
    path = tmp_path / "history.csv"
    path.write_text(_history(), encoding="utf-8")
    assert run("import", "hashtags", str(path), "--workspace", "team") == 0
    capsys.readouterr()
    return run


def test_trends_subcommands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["trends"], ["trends", "top"], ["trends", "hashtag"]):
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([*args, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "usage: campaign-bot trends" in out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["trends", "top", "--period", "5d"])
    assert "invalid choice: '5d'" in capsys.readouterr().err


def test_trends_top_json(cli, capsys, tmp_path: Path) -> None:
    chart = tmp_path / "top.png"
    assert cli("trends", "top", "--workspace", "team", "--json", "--chart", str(chart)) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["hashtag"] for i in items] == ["fresh", "steady"]
    for i in items:
        assert {"hashtag", "label", "growth", "momentum", "breakout", "as_of"} <= i.keys()
        assert i["as_of"] == END.isoformat() and i["period"] == "7d"
    fresh, steady = items
    assert fresh["label"] == "emerging" and fresh["breakout"] is True
    assert fresh["momentum"] > 0.5  # doubling every day, seen through a 7-day mean
    assert steady["label"] == "evergreen" and steady["growth"] == pytest.approx(0, abs=1e-9)
    assert chart.read_bytes().startswith(b"\x89PNG")

    past = (END - dt.timedelta(days=15)).isoformat()
    assert cli("trends", "top", "--workspace", "team", "--as-of", past, "--period", "30d",
               "--limit", "5", "--json") == 0  # fmt: skip
    items = json.loads(capsys.readouterr().out)
    assert [i["hashtag"] for i in items] == ["steady"]  # #fresh did not exist yet
    assert items[0]["as_of"] == past and items[0]["period"] == "30d"


def test_trends_hashtag_json_and_text(cli, capsys, tmp_path: Path) -> None:
    assert cli("trends", "hashtag", "#Steady", "--workspace", "team", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {"hashtag", "label", "growth", "momentum", "breakout", "as_of"} <= data.keys()
    assert data["hashtag"] == "steady" and data["label"] == "evergreen"
    assert data["as_of"] == END.isoformat() and data["source"] == "history.csv"
    assert set(data["periods"]) == {"7d", "30d", "120d"}
    assert data["periods"]["7d"]["views"] == 7 * 1_000_003
    assert data["views_per_post"] == pytest.approx((5e9 + 39 * 1_000_003) / (100_000 + 3900))
    assert len(data["series"]) == 39 and data["series"][-1]["estimated"] is False
    chart = tmp_path / "steady.png"
    assert cli("trends", "hashtag", "steady", "--workspace", "team", "--chart", str(chart)) == 0
    out = capsys.readouterr().out
    assert "evergreen" in out and "data as of 2024-05-31" in out and "chart written" in out
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert cli("trends", "hashtag", "stedy", "--workspace", "team") == EXIT_USER_ERROR
    assert "did you mean #steady" in capsys.readouterr().err
    assert cli("trends", "top", "--workspace", "nobody") == EXIT_USER_ERROR
    assert "there is no workspace 'nobody'" in capsys.readouterr().err
