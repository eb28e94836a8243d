"""/digest commands and real digest posts, through the real bot on a simulated Discord."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.services import digests

UTC = dt.UTC


def shown(result: Any) -> Any:
    return result.response if result.response is not None else result.followups[0]


async def test_subscribe_list_pause_resume_remove(stocked) -> None:
    w = stocked
    made = await w.planner.slash(
        w.channel,
        "digest subscribe",
        channel=w.channel,
        schedule="daily",
        time="09:00",
        timezone="Europe/Berlin",
        niches="fitness",
    )
    assert made.ephemeral and "Digest #1: daily at 09:00 Europe/Berlin" in made.response.content
    listed = (await w.planner.slash(w.channel, "digest list")).response.embeds[0]
    assert listed.fields[0].name == "#1 · active" and "fitness" in listed.fields[0].value
    paused = await w.planner.slash(w.channel, "digest pause", digest=1)
    assert "paused" in paused.response.content
    listed = (await w.planner.slash(w.channel, "digest list")).response.embeds[0]
    assert listed.fields[0].name.startswith("#1 · paused")
    resumed = await w.planner.slash(w.channel, "digest resume", digest=1)
    assert "resumed" in resumed.response.content
    gone = await w.planner.slash(w.channel, "digest remove", digest=1)
    assert "removed" in gone.response.content
    empty = (await w.planner.slash(w.channel, "digest list")).response.embeds[0]
    assert "No digest yet" in empty.description


async def test_bad_input_and_missing_permission(stocked) -> None:
    w = stocked
    refused = await w.member.slash(
        w.channel, "digest subscribe", channel=w.channel, schedule="daily", time="09:00"
    )
    assert refused.ephemeral and "Manage Server" in refused.response.content
    bad_time = await w.planner.slash(
        w.channel, "digest subscribe", channel=w.channel, schedule="daily", time="25:99"
    )
    assert "use HH:MM" in bad_time.response.content
    bad_zone = await w.planner.slash(
        w.channel,
        "digest subscribe",
        channel=w.channel,
        schedule="daily",
        time="09:00",
        timezone="Mars/Base",
    )
    assert "not an IANA time zone" in bad_zone.response.content
    no_day = await w.planner.slash(
        w.channel, "digest subscribe", channel=w.channel, schedule="weekly", time="09:00"
    )
    assert "needs a day" in no_day.response.content
    unknown = await w.planner.slash(w.channel, "digest pause", digest=42)
    assert "no digest #42" in unknown.response.content


async def test_server_time_zone_is_the_default(stocked) -> None:
    w = stocked
    await w.admin.slash(w.channel, "digest timezone", zone="America/New_York")
    made = await w.admin.slash(
        w.channel,
        "digest subscribe",
        channel=w.channel,
        schedule="weekly",
        day="friday",
        time="17:30",
    )
    assert "every friday at 17:30 America/New_York" in made.response.content


async def test_preview_is_private_and_not_a_delivery(stocked, simcord_bot) -> None:
    w = stocked
    await w.planner.slash(
        w.channel,
        "digest subscribe",
        channel=w.channel,
        schedule="daily",
        time="09:00",
        period="30d",
    )
    preview = await w.planner.slash(w.channel, "digest preview", digest=1)
    message = shown(preview)
    assert message.ephemeral
    embed = message.embeds[0]
    assert "#gymtok" in embed.description and "preview of digest #1" in embed.footer.text
    assert await digests.deliveries(simcord_bot.store, 1) == []


async def test_the_scheduler_posts_once_and_pauses_when_the_channel_is_gone(
    stocked, simcord_bot
) -> None:
    w = stocked
    await w.planner.slash(
        w.channel,
        "digest subscribe",
        channel=w.channel,
        schedule="daily",
        time="09:00",
        timezone="UTC",
        period="30d",
    )
    sub = (await digests.list_subscriptions(simcord_bot.store, str(w.guild.id)))[0]
    slot = sub.next_run_at
    report = await simcord_bot.scheduler.run_once(slot + dt.timedelta(seconds=30))
    assert report.sent == 1
    posted = w.channel.last_message
    assert posted is not None and posted.author.id == simcord_bot.user.id
    assert "#gymtok" in posted.embeds[0].description
    assert posted.attachments and posted.attachments[0].filename == "digest.png"
    assert f"for {slot:%Y-%m-%d %H:%M} UTC" in posted.embeds[0].footer.text
    again = await simcord_bot.scheduler.run_once(slot + dt.timedelta(minutes=1))
    assert again.due == 0 and len(w.channel.history()) == 1
    # The channel disappears before the next day's digest: that digest pauses, with why.
    w.env.inject_error(
        "POST",
        f"/channels/{w.channel.id}/messages",
        status=404,
        code=10003,
        message="Unknown Channel",
    )
    later = await simcord_bot.scheduler.run_once(slot + dt.timedelta(days=1, seconds=30))
    assert later.paused == 1
    listed = (await w.planner.slash(w.channel, "digest list")).response.embeds[0]
    assert "paused: the channel was deleted" in listed.fields[0].name


@pytest.mark.parametrize("command", ["digest list", "digest preview"])
async def test_an_empty_workspace(world, command) -> None:
    w = world
    options = {"digest": 1} if command == "digest preview" else {}
    result = await w.planner.slash(w.channel, command, **options)
    answer = shown(result)
    assert (
        ("No digest yet" in answer.embeds[0].description)
        if command == "digest list"
        else ("no digest #1" in answer.content)
    )
