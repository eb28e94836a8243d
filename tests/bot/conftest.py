"""The real bot, built by bot.app.create_bot, against SimCord's simulated Discord.

No token and no network: SimCord runs discord.py unmodified against an in-memory Discord.
The store is a real SQLite file. After every test, every request body the bot sent is checked
against Discord's OpenAPI description and the 2,000-character content limit.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import CampaignBot, create_bot, describe
from bot.config import Settings
from bot.db.engine import Store
from bot.services.data import ImportOptions, import_file
from tests.bot import openapi

CREATORS = (
    "Username,Name,Followers,Views avg,Likes,Comments,Shares,Genre,Country,Price\n"
    "@fit_anna,Anna Fit,120K,40K,3K,100,200,Fitness,US,$900\n"
    '@fit_ben,Ben Moves,2.5M,300K,20K,900,1.2K,"Fitness, Food",US,\n'
    "@chef_cara,Cara Cooks,8K,9K,1.2K,80,60,Food,GB,\n"
    "@travel_dan,Dan Away,45K,20K,900,30,20,Travel,DE,400 EUR\n"
)
HASHTAGS = "hashtag,date,views\n" + "".join(
    f"#gymtok,{(dt.date(2024, 1, 1) + dt.timedelta(days=d)).isoformat()},"
    f"{1_000_000 + d * d * 50_000}\n"
    for d in range(40)
)


@pytest.fixture
def bot_settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": sqlite_url},
            "ranking": {"cache_dir": str(tmp_path / "cache")},
            "bot": {
                "heavy_cooldown_s": 0,
                "planner_role": "Campaign Planner",
                "shard_count": 1,
                "run_scheduler": False,  # digest tests drive the scheduler themselves
            },
        }
    )


@pytest.fixture
async def simcord_bot(bot_settings: Settings) -> AsyncIterator[CampaignBot]:
    bot = create_bot(bot_settings)
    yield bot
    # SimCord's teardown detaches the bot without closing it: close it as a real shutdown
    # does, so its store's connections close on this test's event loop (left to the garbage
    # collector, their worker threads later report to a closed loop).
    await bot.close()


@pytest.fixture(autouse=True)
def request_bodies_conform(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every request the bot sent in the test conforms to Discord's API description."""
    if "simcord_env" not in request.fixturenames:
        yield
        return
    env = request.getfixturevalue("simcord_env")
    yield
    # Errors a user can act on were answered by the bot's one error path: acknowledge them.
    # Anything else stays for SimCord to raise: a bug must fail the test.
    if all(describe(e) is not None for e in env.errors_since(0)):
        env.errors  # noqa: B018 - reading it acknowledges the captured errors
    if not openapi.SPEC.exists():
        pytest.skip(f"Discord's OpenAPI description not found at {openapi.SPEC}")
    problems = [p for r in env.http_requests for p in openapi.check(r.method, r.path, r.json)]
    assert not problems, "requests Discord would refuse:\n" + "\n".join(problems[:20])


@dataclass
class World:
    env: Any
    guild: Any
    channel: Any
    planner: Any  # has the planner role
    member: Any  # a plain member
    admin: Any  # Manage Server


@pytest.fixture
def world(simcord_env: Any) -> World:
    env = simcord_env
    guild = env.create_guild("Marketing")
    channel = guild.create_text_channel("campaigns")
    role = guild.create_role("Campaign Planner")
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    planner = guild.add_member(env.create_user("pia"), roles=[role])
    member = guild.add_member(env.create_user("max"))
    admin = guild.add_member(env.create_user("ada"), roles=[managers])
    return World(env, guild, channel, planner, member, admin)


async def load(bot: CampaignBot, guild_id: int, kind: str, text: str, tmp_path: Path,
               name: str = "data.csv") -> None:  # fmt: skip
    """Import data into a guild's workspace through the real service."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    await import_file(
        bot.store,
        bot.settings,
        ImportOptions(  # type: ignore[arg-type]
            kind=kind,
            path=path,
            workspace=str(guild_id),
            guild_id=guild_id,  # type: ignore[arg-type]
            as_of=dt.date(2024, 2, 9),
        ),
    )


@pytest.fixture
async def stocked(world: World, simcord_bot: CampaignBot, tmp_path: Path) -> World:
    """A world whose guild workspace holds creators and a hashtag history."""
    await load(simcord_bot, world.guild.id, "creators", CREATORS, tmp_path, "creators.csv")
    await load(simcord_bot, world.guild.id, "hashtags", HASHTAGS, tmp_path, "hashtags.csv")
    return world


def copy_store(src: Path, dst: Path) -> Store:
    shutil.copy(src, dst)
    from bot.config import DatabaseSettings

    return Store.open(DatabaseSettings(url=f"sqlite+aiosqlite:///{dst}"))
