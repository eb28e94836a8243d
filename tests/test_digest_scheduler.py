"""The digest scheduler against a real store (SQLite and PostgreSQL) and a recorded Discord.

The clock is injected: each test calls ``run_once(now)`` at the instants it wants, so
schedules across daylight-saving changes, downtime inside and outside the grace window,
deleted channels, transient errors and crashes between claim and post are all played out in
milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.config import Settings
from bot.db.engine import Store
from bot.scheduler import DigestScheduler, marker
from bot.services import digests
from bot.services.data import ImportOptions, import_file

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
GUILD = 1_300_000_000_000_000_000
_ids = itertools.count(1)


def http_error(cls: type[discord.HTTPException], status: int) -> discord.HTTPException:
    return cls(SimpleNamespace(status=status, reason="test"), "test")


@dataclass
class FakeDiscord:
    """Channels that record what was posted (shared by every bot process in a test)."""

    channels: dict[int, list[Any]] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    failures: dict[int, list[discord.HTTPException]] = field(default_factory=dict)
    posts: list[tuple[int, str]] = field(default_factory=list)

    def channel(self, channel_id: int) -> Any:
        return FakeChannel(self, channel_id)


@dataclass
class FakeChannel:
    discord: FakeDiscord
    id: int

    async def send(self, *, embed: discord.Embed, file: Any = None) -> Any:
        await asyncio.sleep(0)  # a real send yields to the loop
        if self.id in self.discord.deleted:
            raise http_error(discord.NotFound, 404)
        queue = self.discord.failures.get(self.id)
        if queue:
            raise queue.pop(0)
        msg = SimpleNamespace(id=next(_ids), author=SimpleNamespace(id=1), embeds=[embed])
        self.discord.channels.setdefault(self.id, []).append(msg)
        self.discord.posts.append((self.id, embed.footer.text or ""))
        return msg

    async def history(self, limit: int = 50) -> Any:
        for msg in reversed(self.discord.channels.get(self.id, [])[-limit:]):
            yield msg


class FakeBot:
    """What the scheduler needs of the bot: store, settings, jobs, shards, channels."""

    def __init__(self, store: Store, settings: Settings, world: FakeDiscord) -> None:
        self.store, self.settings, self.world = store, settings, world
        self.jobs = asyncio.Semaphore(2)
        self.shard_ids = self.shard_count = None
        self.user = SimpleNamespace(id=1)

    def get_channel(self, channel_id: int) -> Any:
        return None

    async def fetch_channel(self, channel_id: int) -> Any:
        if channel_id in self.world.deleted:
            raise http_error(discord.NotFound, 404)
        return self.world.channel(channel_id)


@pytest.fixture
def world() -> FakeDiscord:
    return FakeDiscord()


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"digests": settings.digests.model_copy(update={"retry_backoff_s": 0.0})}
    )


async def subscribe(
    store: Store,
    channel: int,
    at: str = "09:00",
    tz: str = "Europe/Berlin",
    frequency: str = "daily",
    weekday: str | None = None,
    now: dt.datetime | None = None,
    top: int = 5,
) -> digests.Subscription:
    return await digests.subscribe(
        store,
        str(GUILD),
        guild_id=GUILD,
        channel_id=channel,
        frequency=frequency,
        weekday=weekday,
        local_time=at,
        timezone=tz,
        top=top,
        now=now or dt.datetime(2026, 3, 26, tzinfo=UTC),
    )


def hourly(start: dt.datetime, hours: int) -> list[dt.datetime]:
    return [start + dt.timedelta(hours=h) for h in range(hours)]


async def test_daily_and_weekly_fire_at_local_times_across_dst(store, fast, world) -> None:
    daily = await subscribe(store, 10)
    weekly = await subscribe(store, 11, at="18:00", frequency="weekly", weekday="sunday")
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    for now in hourly(dt.datetime(2026, 3, 26, 0, tzinfo=UTC), 24 * 10):  # spring change
        await scheduler.run_once(now)
    days = [r["scheduled_for"] for r in await digests.deliveries(store, daily.id)]
    assert [d.astimezone(BERLIN).strftime("%m-%d %H:%M") for d in days] == [
        f"03-{d:02d} 09:00" for d in range(26, 32)
    ] + ["04-01 09:00", "04-02 09:00", "04-03 09:00", "04-04 09:00"]
    assert {r["status"] for r in await digests.deliveries(store, daily.id)} == {"sent"}
    sundays = [r["scheduled_for"] for r in await digests.deliveries(store, weekly.id)]
    assert [d.astimezone(BERLIN).strftime("%a %m-%d %H:%M") for d in sundays] == [
        "Sun 03-29 18:00"
    ]  # the day summer time starts
    assert Counter(c for c, _ in world.posts) == {10: 10, 11: 1}


async def test_a_restart_inside_the_grace_window_sends_once_marked_late(store, fast, world) -> None:
    sub = await subscribe(store, 20, now=dt.datetime(2026, 3, 27, tzinfo=UTC))  # 08:00 UTC
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    await scheduler.run_once(dt.datetime(2026, 3, 27, 7, tzinfo=UTC))  # before the slot
    assert world.posts == []
    report = await scheduler.run_once(dt.datetime(2026, 3, 27, 12, tzinfo=UTC))  # down 4 h
    assert (report.sent, report.late) == (1, 1)
    (row,) = await digests.deliveries(store, sub.id)
    assert row["late"] and row["status"] == "sent"
    embed = world.channels[20][0].embeds[0]
    assert any(f.name == "Late" and "4 h 0 min" in f.value for f in embed.fields)
    await scheduler.run_once(dt.datetime(2026, 3, 27, 13, tzinfo=UTC))
    assert len(world.posts) == 1  # never twice


async def test_outside_the_grace_window_it_is_skipped_and_logged(
    store, fast, world, caplog
) -> None:
    sub = await subscribe(store, 30, now=dt.datetime(2026, 3, 27, tzinfo=UTC))
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    # Down for three days: the three missed runs are skipped, no burst of old digests.
    report = await scheduler.run_once(dt.datetime(2026, 3, 29, 16, tzinfo=UTC))
    assert report.skipped == 3 and report.sent == 0 and world.posts == []
    assert "skipped: missed by" in caplog.text
    rows = await digests.deliveries(store, sub.id)
    assert [r["status"] for r in rows] == ["skipped"] * 3
    nxt = (await digests.get(store, str(GUILD), sub.id)).next_run_at
    assert nxt.astimezone(BERLIN).strftime("%m-%d %H:%M") == "03-30 09:00"


async def test_a_deleted_channel_pauses_that_digest_and_not_the_others(store, fast, world) -> None:
    gone = await subscribe(store, 40)
    fine = await subscribe(store, 41)
    world.deleted.add(40)
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    report = await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    assert (report.sent, report.paused) == (1, 1)
    listed = {s.id: s for s in await digests.list_subscriptions(store, str(GUILD))}
    assert not listed[gone.id].active and listed[gone.id].paused_reason == "the channel was deleted"
    assert listed[fine.id].active
    await scheduler.run_once(dt.datetime(2026, 3, 27, 8, 1, tzinfo=UTC))
    assert [c for c, _ in world.posts] == [41, 41]


async def test_missing_permission_pauses_with_the_reason(store, fast, world) -> None:
    sub = await subscribe(store, 45)
    world.failures[45] = [http_error(discord.Forbidden, 403)]
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    paused = await digests.get(store, str(GUILD), sub.id)
    assert not paused.active and "missing permission" in (paused.paused_reason or "")


async def test_transient_errors_are_retried_then_sent_once(store, fast, world) -> None:
    await subscribe(store, 50)
    world.failures[50] = [
        http_error(discord.DiscordServerError, 503),
        http_error(discord.HTTPException, 429),
    ]
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    report = await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    assert (report.sent, report.retried) == (1, 2) and len(world.posts) == 1


async def test_one_broken_digest_never_stops_the_others(store, fast, world, monkeypatch) -> None:
    for channel, top in ((60, 3), (61, 4), (62, 5)):  # three scopes: three digests
        await subscribe(store, channel, top=top)
    real = digests.build_digest

    async def flaky(*args: Any, **kw: Any) -> Any:
        if kw.get("top") == 4:
            raise RuntimeError("one digest is broken")
        return await real(*args, **kw)

    monkeypatch.setattr(digests, "build_digest", flaky)
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    report = await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    assert report.failed == 1 and report.sent == 2
    assert sorted(c for c, _ in world.posts) == [60, 62]


async def test_subscriptions_with_one_scope_share_one_digest(
    store, fast, world, monkeypatch
) -> None:
    for channel in (63, 64, 65):
        await subscribe(store, channel)
    calls = 0
    real = digests.build_digest

    async def counted(*args: Any, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        return await real(*args, **kw)

    monkeypatch.setattr(digests, "build_digest", counted)
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    report = await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    assert report.sent == 3 and calls == 1


async def test_a_crash_between_claim_and_post_is_recovered_without_a_double_post(
    store, fast, world
) -> None:
    before_crash = await subscribe(store, 70)
    after_crash = await subscribe(store, 71)
    slot = before_crash.next_run_at
    claimed_at = slot + dt.timedelta(seconds=5)
    # Process A claimed both, posted only the first, then died.
    a = await digests.claim(store, before_crash, slot, "A", claimed_at, dt.timedelta(minutes=5))
    b = await digests.claim(store, after_crash, slot, "A", claimed_at, dt.timedelta(minutes=5))
    assert a and b
    msg = SimpleNamespace(
        id=999,
        author=SimpleNamespace(id=1),
        embeds=[discord.Embed().set_footer(text=marker(a.delivery_id, slot))],
    )
    world.channels[70] = [msg]
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    # Inside the lease nothing happens; after it, B takes over both claims.
    report = await scheduler.run_once(slot + dt.timedelta(minutes=2))
    assert report.elsewhere == 2 and world.posts == []
    report = await scheduler.run_once(slot + dt.timedelta(minutes=10))
    assert report.sent == 2
    assert [c for c, _ in world.posts] == [71]  # 70 was already there: found, not re-posted
    (row,) = await digests.deliveries(store, before_crash.id)
    assert row["status"] == "sent" and row["message_id"] == 999


async def test_no_new_data_is_said_in_one_line(store, fast, world, tmp_path: Path) -> None:
    path = tmp_path / "tags.csv"
    path.write_text(
        "hashtag,date,views\n"
        + "".join(f"#gymtok,2026-03-{d:02d},{1_000_000 + d * d * 40_000}\n" for d in range(1, 26))
    )
    await import_file(
        store, fast, ImportOptions(kind="hashtags", path=path, workspace=str(GUILD), guild_id=GUILD)
    )
    await subscribe(store, 80)
    scheduler = DigestScheduler(FakeBot(store, fast, world))  # type: ignore[arg-type]
    await scheduler.run_once(dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC))
    await scheduler.run_once(dt.datetime(2026, 3, 27, 8, 1, tzinfo=UTC))
    first, second = (m.embeds[0] for m in world.channels[80])
    assert "#gymtok" in first.description and "No new trend data" not in first.description
    assert second.description.startswith("No new trend data since 2026-03-25")
    skip = fast.model_copy(
        update={"digests": fast.digests.model_copy(update={"when_no_new_data": "skip"})}
    )
    scheduler = DigestScheduler(FakeBot(store, skip, world))  # type: ignore[arg-type]
    report = await scheduler.run_once(dt.datetime(2026, 3, 28, 8, 1, tzinfo=UTC))
    assert report.skipped == 1 and len(world.channels[80]) == 2


@pytest.mark.postgres
async def test_two_schedulers_racing_deliver_each_digest_exactly_once(
    backend, store, fast, world, pg_schema
) -> None:
    if backend != "postgres":
        pytest.skip("the race is run against the real PostgreSQL")
    from tests.conftest import pg_store_for

    for channel in range(100, 125):  # a server's maximum of 25 digests
        await subscribe(store, channel)
    other = pg_store_for(pg_schema)
    try:
        one = DigestScheduler(FakeBot(store, fast, world), worker="one")  # type: ignore[arg-type]
        two = DigestScheduler(FakeBot(other, fast, world), worker="two")  # type: ignore[arg-type]
        lost = 0
        for day in range(12):  # twelve rounds of 25 due digests, both schedulers at once
            now = dt.datetime(2026, 3, 26, 8, 1, tzinfo=UTC) + dt.timedelta(days=day)
            reports = await asyncio.gather(one.run_once(now), two.run_once(now))
            lost += sum(r.elsewhere for r in reports)
    finally:
        await other.close()
    counts = Counter(world.posts)
    assert lost > 0, "the two schedulers never competed for a digest"
    assert len(world.posts) == 25 * 12 and max(counts.values()) == 1
    assert len({c for c, _ in world.posts}) == 25
