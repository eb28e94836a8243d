"""The bot core: command sync only when the tree changed, one error path, mentions off."""

from __future__ import annotations

import logging
import re

from bot.app import create_bot


def _syncs(env) -> int:
    return sum(1 for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_commands_sync_once_and_not_again_after_a_restart(world, bot_settings) -> None:
    env = world.env
    assert _syncs(env) == 1  # first start: the tree was never synced
    # A new process on the same database: the stored hash matches, nothing is synced.
    restarted = create_bot(bot_settings)
    await env.restart_bot(restarted)
    assert _syncs(env) == 1
    result = await world.member.slash(world.channel, "creator lookup", handle="x")
    assert result.acknowledged  # the commands still work after the restart
    await env.shutdown()  # as the simcord_bot fixture does for the first bot
    await restarted.close()


async def test_a_bug_gets_an_error_id_and_a_logged_traceback(stocked, monkeypatch, caplog) -> None:
    from bot.services import creators

    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(creators, "require", broken)  # fails before any defer: private answer
    caplog.set_level(logging.ERROR, logger="campaign_bot")
    result = await stocked.member.slash(stocked.channel, "creator lookup", handle="fit_anna")
    assert result.ephemeral
    match = re.search(r"error id ([0-9a-f]{8})", result.response.content)
    assert match, result.response.content
    assert f"error {match.group(1)}" in caplog.text and "database on fire" in caplog.text
    errors = stocked.env.errors  # the bug is seen (and acknowledged) here
    assert any("database on fire" in str(getattr(e, "original", e)) for e in errors)


async def test_a_bug_after_a_defer_is_answered_once_as_a_followup(stocked, monkeypatch) -> None:
    from bot.services import creators

    async def broken(*args, **kwargs):
        raise RuntimeError("search exploded")

    monkeypatch.setattr(creators, "search", broken)
    result = await stocked.member.slash(stocked.channel, "creator search", niche="fitness")
    assert result.acknowledged
    answers = [m.content for m in result.followups] + (
        [result.response.content] if result.response and result.response.content else []
    )
    assert len([a for a in answers if "error id" in a]) == 1
    stocked.env.errors  # noqa: B018 - acknowledge the bug this test caused


async def test_everything_the_bot_sends_mentions_nobody(stocked) -> None:
    await stocked.member.slash(stocked.channel, "creator lookup", handle="fit_anna")
    bodies = [r.json for r in stocked.env.http_requests if isinstance(r.json, dict)]
    sent = [b.get("data", b) for b in bodies if "allowed_mentions" in b.get("data", b)]
    assert sent and all(s["allowed_mentions"] == {"parse": []} for s in sent)
