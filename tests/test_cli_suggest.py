"""`campaign-bot suggest` and `campaign-bot templates lint`, end to end on a real SQLite file
holding the demo generator's synthetic workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import EXIT_USER_ERROR, build_parser, main
from bot.demo import generate, write_files

BRIEF = """name = "spring fitness launch"
objective = "engagement"
niches = ["fitness"]
countries = ["US", "GB", "CA", "AU"]
budget = 8000
currency = "USD"
creators_wanted = 4
product = "a made-up training app"
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAMPAIGN_BOT_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "cli.sqlite3"}"\n'
        f'[ranking]\ncache_dir = "{tmp_path / "cache"}"\n'
    )

    def run(*args: str) -> int:
        return main(["--config", str(config), *args])

    assert run("db", "upgrade") == 0
    paths = write_files(generate(300, seed=7), tmp_path / "data")
    for kind in ("creators", "videos", "hashtags"):
        assert run("import", kind, str(paths[kind]), "--workspace", "team") == 0
    (tmp_path / "brief.toml").write_text(BRIEF, encoding="utf-8")
    capsys.readouterr()
    return run


def test_suggest_and_templates_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["suggest"], ["templates"], ["templates", "lint"]):
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([*args, "--help"])
        assert info.value.code == 0
        assert "usage: campaign-bot" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["suggest"])
    assert "--brief" in capsys.readouterr().err


def test_suggest_json_text_pages_and_markdown(cli, capsys, tmp_path: Path) -> None:
    brief = str(tmp_path / "brief.toml")
    assert cli("suggest", "--brief", brief, "--workspace", "team", "--json", "--count", "2") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["workspace"] == "team" and data["as_of"] == "2026-11-27"
    assert data["brief"]["name"] == "spring fitness launch" and data["page"] == 0
    ideas = data["ideas"]
    assert len(ideas) == 2 and [i["position"] for i in ideas] == [1, 2]
    for i in ideas:
        keys = {"title", "hook", "concept", "creator_brief", "cta", "hashtags", "timing",
                "seeds", "forecast", "risks", "markdown", "format", "trend"}  # fmt: skip
        assert keys <= i.keys()
        assert i["trend"]["label"] in ("emerging", "rising", "peaking", "evergreen")
        assert i["forecast"]["views"] == pytest.approx(sum(s["views"] for s in i["seeds"]))
        assert f"#{i['trend']['hashtag']}" in i["hashtags"]["all"]
    assert ideas[0]["trend"]["hashtag"] != ideas[1]["trend"]["hashtag"]
    assert "brand_hashtag" in data["unusable"]["hashtag_challenge"]

    # --seed pages through the same order
    assert cli("suggest", "--brief", brief, "--workspace", "team", "--json", "--count", "1",
               "--seed", "1") == 0  # fmt: skip
    second = json.loads(capsys.readouterr().out)["ideas"]
    assert [i["markdown"] for i in second] == [ideas[1]["markdown"]]

    out_md = tmp_path / "out" / "ideas.md"
    assert cli("suggest", "--brief", brief, "--workspace", "team", "--count", "1",
               "--markdown", str(out_md)) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert text.startswith("# Campaign ideas: spring fitness launch")
    assert "## Idea 1: " in text and "## Idea 2: " not in text
    assert "more: the same command with --seed 1" in text
    assert "format hashtag_challenge not used: needs a branded hashtag" in text
    assert out_md.read_text(encoding="utf-8") in text

    assert cli("suggest", "--brief", brief, "--workspace", "team", "--format", "tutorial",
               "--json") == 0  # fmt: skip
    only = json.loads(capsys.readouterr().out)["ideas"]
    assert only and {i["format"]["id"] for i in only} == {"tutorial"}


def test_suggest_refuses_bad_options_and_names_them(cli, capsys, tmp_path: Path) -> None:
    brief = str(tmp_path / "brief.toml")
    assert cli("suggest", "--brief", brief, "--workspace", "team", "--format", "nope") == (
        EXIT_USER_ERROR)  # fmt: skip
    assert "format: 'nope' is not a format" in capsys.readouterr().err
    assert cli("suggest", "--brief", brief, "--workspace", "team", "--hashtag", "legdya") == (
        EXIT_USER_ERROR)  # fmt: skip
    assert "did you mean #legday" in capsys.readouterr().err
    assert cli("suggest", "--brief", str(tmp_path / "none.toml"), "--workspace", "team") == (
        EXIT_USER_ERROR)  # fmt: skip
    assert "brief file not found" in capsys.readouterr().err
    assert cli("suggest", "--brief", brief, "--workspace", "nobody") == EXIT_USER_ERROR
    assert "there is no workspace 'nobody'" in capsys.readouterr().err


def test_templates_lint(cli, capsys, tmp_path: Path) -> None:
    assert cli("templates", "lint") == 0
    out = capsys.readouterr().out
    assert "8 template files checked: 8 formats without problems" in out and "0 problems" in out
    folder = tmp_path / "team-templates"
    folder.mkdir()
    bad = folder / "bad.md.j2"
    bad.write_text(
        '+++\nid = "bad"\ntitle = "Bad"\nobjectives = ["ugc"]\nlifecycles = ["rising"]\n+++\n'
        '{% extends "_base.md.j2" %}\n{% block title %}{{ trend.tagg }}{% endblock %}\n'
        "{% block hook %}h{% endblock %}{% block concept %}c{% endblock %}\n"
        "{% block creator_brief %}b{% endblock %}{% block cta %}a{% endblock %}\n",
        encoding="utf-8",
    )
    assert cli("templates", "lint", str(folder)) == EXIT_USER_ERROR
    out = capsys.readouterr().out
    assert f"{bad}:8: undefined variable: " in out and "has no attribute 'tagg'" in out
    assert "1 template files checked: 0 formats without problems (none), 1 problems" in out
    assert cli("templates", "lint", str(tmp_path / "missing")) == EXIT_USER_ERROR
    assert "no such file or folder" in capsys.readouterr().err
