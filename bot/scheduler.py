"""The digest scheduler inside the bot: posts due trend digests to their channels.

Every tick it asks the database for due subscriptions of the guilds this process serves and
handles each in its own task (a slow or broken one never delays the others):

1. Runs missed while the bot was down: those older than the grace window (``digests.
   grace_hours``, default 6) are recorded as skipped and logged, never sent in a burst; the
   newest one inside the window is sent once, marked late.
2. Claim: a row keyed by (subscription, scheduled time) in ``digest_deliveries``. Whoever
   inserts it posts; another process (same PostgreSQL) gets nothing to do. A claim whose
   lease ran out belonged to a process that died: the taker first looks in the channel for
   the message carrying the claim's marker, and only posts if it is not there.
3. Post, retrying transient HTTP errors (5xx, rate limits) with exponential backoff. A deleted
   channel or missing permission pauses the subscription with the reason, shown in
   /digest list.
4. Move the subscription's next run past now (only if nobody else did).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

from bot.db.models import utcnow
from bot.render import charts
from bot.render.digest import message
from bot.services import digests
from bot.services.digests import Claim, Digest, Subscription

if TYPE_CHECKING:
    from bot.app import CampaignBot

log = logging.getLogger("campaign_bot.digests")

ON_TIME = dt.timedelta(minutes=2)  # later than this after its slot, a digest says it is late


@dataclass
class RunReport:
    due: int = 0
    sent: int = 0
    late: int = 0
    skipped: int = 0
    paused: int = 0
    retried: int = 0
    failed: int = 0
    elsewhere: int = 0  # claimed by another process
    errors: list[str] = field(default_factory=list)


def marker(delivery_id: int, scheduled_for: dt.datetime) -> str:
    return f"digest #{delivery_id} for {scheduled_for:%Y-%m-%d %H:%M} UTC"


def _late_by(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


class DigestScheduler:
    def __init__(
        self,
        bot: CampaignBot,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        worker: str | None = None,
    ) -> None:
        self.bot = bot
        self.settings = bot.settings.digests
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="digest-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                report = await self.run_once(self.clock())
                if report.due:
                    log.info("digests: %s", report)
            except Exception:  # the loop must outlive any one bad tick
                log.exception("digest tick failed")
            await asyncio.sleep(self.settings.tick_seconds)

    def _mine(self, sub: Subscription) -> bool:
        ids, count = self.bot.shard_ids, self.bot.shard_count
        return ids is None or not count or (sub.guild_id >> 22) % count in ids

    async def run_once(self, now: dt.datetime) -> RunReport:
        """Handle every subscription due at ``now``; returns what happened."""
        store = self.bot.store
        assert store is not None
        report = RunReport()
        due = [s for s in await digests.due(store, now) if self._mine(s)]
        report.due = len(due)
        gate = asyncio.Semaphore(self.settings.max_parallel)
        # Subscriptions with the same scope share one digest and one chart per tick.
        self._shared: dict[tuple[Any, ...], asyncio.Future[Any]] = {}

        async def one(sub: Subscription) -> None:
            async with gate:
                try:
                    async with asyncio.timeout(self.settings.per_digest_timeout_s):
                        await self._handle(sub, now, report)
                except Exception as exc:  # one bad subscription never stops the others
                    report.failed += 1
                    report.errors.append(f"#{sub.id}: {type(exc).__name__}: {exc}")
                    log.exception("digest #%s failed", sub.id)

        await asyncio.gather(*(one(s) for s in due))
        return report

    async def _handle(self, sub: Subscription, now: dt.datetime, report: RunReport) -> None:
        store = self.bot.store
        assert store is not None
        grace = dt.timedelta(hours=self.settings.grace_hours)
        lease = dt.timedelta(seconds=self.settings.lease_seconds)
        slots = []
        t = sub.next_run_at
        while t <= now:
            slots.append(t)
            t = sub.next_after(t)
        send = slots[-1] if slots and now - slots[-1] <= grace else None
        for slot in slots:
            if slot is send:
                continue
            claim = await digests.claim(store, sub, slot, self.worker, now, lease)
            if claim is not None:
                await digests.finish(
                    store,
                    claim.delivery_id,
                    "skipped",
                    now=now,
                    detail=f"missed by {_late_by(now - slot)}, beyond the "
                    f"{self.settings.grace_hours:g} h grace window",
                )
                log.warning(
                    "digest #%s for %s skipped: missed by %s", sub.id, slot, _late_by(now - slot)
                )
                report.skipped += 1
        data_as_of = None
        if send is not None:
            claim = await digests.claim(store, sub, send, self.worker, now, lease)
            if claim is None:
                report.elsewhere += 1
                return  # another process delivers it (and moves the schedule on)
            outcome = await self._deliver(sub, send, claim, now, report)
            if outcome == "retry":
                return  # the claim was released; the next tick tries again, inside the window
            data_as_of = outcome if isinstance(outcome, dt.date) else None
        await digests.advance(store, sub, sub.next_run_at, now, data_as_of)

    async def _deliver(
        self,
        sub: Subscription,
        slot: dt.datetime,
        claim: Claim,
        now: dt.datetime,
        report: RunReport,
    ) -> dt.date | str | None:
        store = self.bot.store
        assert store is not None
        mark = marker(claim.delivery_id, slot)
        try:
            channel = await self._channel(sub.channel_id)
        except discord.NotFound:
            return await self._pause(sub, claim, now, report, "the channel was deleted")
        except discord.Forbidden:
            return await self._pause(
                sub, claim, now, report, "the bot cannot see the channel any more"
            )
        if claim.taken_over:
            posted = await self._find(channel, mark)
            if posted is not None:  # the process that died had posted it
                await digests.finish(
                    store,
                    claim.delivery_id,
                    "sent",
                    now=now,
                    message_id=posted,
                    detail="found after a restart",
                )
                report.sent += 1
                return None
        scope = (
            sub.guild_id,
            tuple(sub.niches),
            sub.region,
            sub.period,
            sub.top,
            sub.last_data_as_of,
        )
        digest = await self._once(
            ("digest", *scope),
            lambda: digests.build_digest(
                store,
                self.bot.settings,
                str(sub.guild_id),
                niches=sub.niches,
                region=sub.region,
                period=sub.period,
                top=sub.top,
                since=sub.last_data_as_of,
            ),
        )
        if digest.no_new_data and self.settings.when_no_new_data == "skip":
            await digests.finish(
                store,
                claim.delivery_id,
                "skipped",
                now=now,
                detail="no new trend data since the last digest",
            )
            report.skipped += 1
            return None
        late = now - slot > ON_TIME
        for attempt in range(self.settings.retries + 1):
            try:
                chart = await self._once(("chart", *scope), lambda: self.chart(digest))
                message_id = await self.post(
                    channel, digest, mark, _late_by(now - slot) if late else None, chart
                )

                break
            except discord.Forbidden as exc:
                return await self._pause(
                    sub, claim, now, report, f"missing permission to post here ({exc.text or exc})"
                )
            except discord.NotFound:
                return await self._pause(sub, claim, now, report, "the channel was deleted")
            except (discord.HTTPException, discord.DiscordServerError) as exc:
                transient = exc.status >= 500 or exc.status == 429
                if not transient or attempt == self.settings.retries:
                    await digests.release(
                        store,
                        claim.delivery_id,
                        now,
                        f"HTTP {exc.status} after {attempt + 1} tries",
                    )
                    report.failed += 1
                    return "retry"
                report.retried += 1
                await asyncio.sleep(self.settings.retry_backoff_s * 2**attempt)
        await digests.finish(
            store, claim.delivery_id, "sent", now=now, message_id=message_id, late=late
        )
        report.sent += 1
        report.late += int(late)
        return dt.date.fromisoformat(digest.as_of) if digest.as_of else None

    async def _pause(
        self, sub: Subscription, claim: Claim, now: dt.datetime, report: RunReport, reason: str
    ) -> None:
        store = self.bot.store
        assert store is not None
        await digests.pause_for(store, sub.id, reason)
        await digests.finish(store, claim.delivery_id, "failed", now=now, detail=reason)
        report.paused += 1
        log.warning("digest #%s paused: %s", sub.id, reason)
        return None

    async def _channel(self, channel_id: int) -> Any:
        channel = self.bot.get_channel(channel_id)
        return channel if channel is not None else await self.bot.fetch_channel(channel_id)

    async def _find(self, channel: Any, mark: str) -> int | None:
        me = self.bot.user
        try:
            async for m in channel.history(limit=50):
                if (
                    me is not None
                    and m.author.id == me.id
                    and any(mark in (e.footer.text or "") for e in m.embeds)
                ):
                    return int(m.id)
        except discord.HTTPException:
            log.warning("could not read the channel to look for %s; posting", mark)
        return None

    async def _once(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """The result of ``make()`` for ``key``, computed once per tick and shared."""
        shared = getattr(self, "_shared", {})
        future = shared.get(key)
        if future is None:
            future = shared[key] = asyncio.ensure_future(make())
        return await asyncio.shield(future)

    async def chart(self, digest: Digest) -> bytes | None:
        if digest.top is None or not digest.top.items or digest.no_new_data:
            return None
        async with self.bot.jobs:
            return await asyncio.to_thread(charts.digest_chart, digest.top)

    async def post(
        self, channel: Any, digest: Digest, mark: str, late_by: str | None, chart: bytes | None
    ) -> int:
        """Send one digest; returns the message id."""
        m = message(digest, late_by=late_by, marker=mark, chart=chart)
        kwargs: dict[str, Any] = {"embed": m.embed}
        if chart is not None:  # a fresh File per send: a File is used up by the send
            kwargs["file"] = discord.File(io.BytesIO(chart), filename="digest.png")
        sent = await channel.send(**kwargs)
        return int(sent.id)
