"""`campaign-bot run` and `sync-commands` fail fast, saying which of the three things is wrong,
and never show the token."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import discord
import pytest

from bot.cli import EXIT_USER_ERROR, main

TOKEN = "MTIzNDU2Nzg5.secret-token-never-printed"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path):
    import shutil

    db = tmp_path / "bot.sqlite3"
    shutil.copy(sqlite_template, db)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n')
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)

    def invoke(*args: str) -> int:
        return main(["--config", str(config), *args])

    return invoke


def test_no_token(run, monkeypatch, capsys) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert run("run") == EXIT_USER_ERROR
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
    assert run("sync-commands") == EXIT_USER_ERROR


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (discord.LoginFailure("Improper token has been passed."), "Discord refused the token"),
        (
            aiohttp.ClientConnectorError(None, OSError(-3, "Temporary failure in name resolution")),
            "cannot reach Discord",
        ),
        (TimeoutError(), "cannot reach Discord"),
    ],
)
def test_revoked_token_or_no_network(run, monkeypatch, capsys, caplog, error, expected) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    seen: list[str] = []

    async def login(self, token: str) -> None:
        seen.append(token)
        raise error

    monkeypatch.setattr(discord.Client, "login", login)
    caplog.set_level(logging.DEBUG)
    assert run("run") == EXIT_USER_ERROR
    out = capsys.readouterr()
    assert expected in out.err
    assert seen == [TOKEN]  # the real token reached the login, from the environment only
    everything = out.out + out.err + caplog.text
    assert TOKEN not in everything and "secret-token" not in everything


def test_out_of_date_schema_is_refused_before_discord(tmp_path, monkeypatch, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "empty.sqlite3"}"\n')
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)

    async def login(self, token: str) -> None:
        raise AssertionError("must not log in")

    monkeypatch.setattr(discord.Client, "login", login)
    assert main(["--config", str(config), "run"]) == EXIT_USER_ERROR
    assert "campaign-bot db upgrade" in capsys.readouterr().err
