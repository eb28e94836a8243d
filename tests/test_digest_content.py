"""What a digest says, on the synthetic demo data; and `campaign-bot digest preview`."""

from __future__ import annotations

import datetime as dt
import json

from bot.demo import generate, write_files
from bot.render.digest import message, text
from bot.services.data import ImportOptions, import_file
from bot.services.digests import build_digest
from tests.limits import embed_problems


async def test_digest_on_demo_data(store, settings, tmp_path) -> None:
    paths = write_files(generate(600, seed=2), tmp_path)
    for kind in ("creators", "videos", "hashtags"):
        await import_file(
            store, settings, ImportOptions(kind=kind, path=paths[kind], workspace="demo")
        )  # type: ignore[arg-type]
    d = await build_digest(
        store, settings, "demo", niches=["fitness"], region=None, period="7d", top=5
    )
    assert d.as_of == "2026-11-27"
    assert d.rising and all(i.label in ("emerging", "rising") for i in d.rising)
    assert all(i.label == "declining" for i in d.fading)
    assert all(i.breakout for i in d.breakouts)
    assert d.idea is not None and d.idea.plan.trend.label in ("emerging", "rising")
    body = text(d)
    assert body.startswith("**Rising now** · fitness\n1. **#")
    assert "**Idea to act on**" in body and "{{" not in body and "{%" not in body
    assert embed_problems(message(d, marker="digest #1").embed) == []
    since = dt.date.fromisoformat(d.as_of)
    again = await build_digest(
        store, settings, "demo", niches=["fitness"], region=None, period="7d", top=5, since=since
    )
    assert again.no_new_data and text(again).startswith("No new trend data since 2026-11-27")


def test_cli_digest_preview_json(tmp_path, monkeypatch, capsys) -> None:
    import asyncio

    from bot.cli import main
    from bot.config import DatabaseSettings, Settings
    from bot.db.engine import Store
    from bot.db.migrate import upgrade

    db = tmp_path / "d.sqlite3"
    settings = Settings.model_validate(
        {"database": {"url": f"sqlite+aiosqlite:///{db}"},
         "ranking": {"cache_dir": str(tmp_path / "cache")}}
    )  # fmt: skip

    async def load() -> None:
        store = Store.open(DatabaseSettings(url=f"sqlite+aiosqlite:///{db}"))
        await upgrade(store.engine)
        paths = write_files(generate(300, seed=3), tmp_path)
        await import_file(
            store, settings, ImportOptions(kind="hashtags", path=paths["hashtags"], workspace="w")
        )
        await store.close()

    asyncio.run(load())
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n'
        f'[ranking]\ncache_dir = "{tmp_path / "cache"}"\n'  # not the working directory's
    )
    monkeypatch.delenv("CAMPAIGN_BOT_DATABASE_URL", raising=False)
    assert (
        main(
            [
                "--config",
                str(config),
                "digest",
                "preview",
                "--workspace",
                "w",
                "--json",
                "--chart",
                str(tmp_path / "d.png"),
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert {"rising", "breakouts", "fading", "idea", "as_of", "text"} <= out.keys()
    assert out["as_of"] == "2026-11-27" and out["rising"]
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
