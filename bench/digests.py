"""Benchmark: many trend digests due in the same minute, posted by the real scheduler.

    .venv/bin/python bench/digests.py [--servers 40] [--per-server 25] [--sample 20]

Builds SYNTHETIC servers (each its own workspace with a hashtag history), gives each server
``--per-server`` digest subscriptions in as many channels, all due at the same minute (two
scopes per server), then starts the real bot (bot.app.create_bot) on SimCord's simulated
Discord and lets its scheduler run one tick. Checks that every digest was posted, each
exactly once (one message per channel, one 'sent' delivery per subscription), and reports
how long the tick took.

Baseline, in the same run: the naive way, each subscription's digest built, charted and
posted on its own, one at a time, timed on ``--sample`` subscriptions and extrapolated.
Ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simcord
from sqlalchemy import select

from bot.app import create_bot
from bot.config import Settings
from bot.db.engine import Store
from bot.db.migrate import upgrade
from bot.db.models import DigestDelivery
from bot.render import charts
from bot.scheduler import marker
from bot.services import digests
from bot.services.data import ImportOptions, import_file

CLOCK = time.perf_counter
UTC = dt.UTC
DUE = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def history(seed: int) -> str:
    start = dt.date(2026, 1, 1)
    lines = ["hashtag,date,views"]
    for t in range(8):
        for d in range(60):
            grow = (d * (t + 1 + seed % 3)) ** 2 * 1_000
            lines.append(f"#tag{t}s{seed % 5},{start + dt.timedelta(days=d)},"
                         f"{(t + 1) * 10**6 + grow}")  # fmt: skip
    return "\n".join(lines) + "\n"


async def build(folder: Path, servers: int) -> Settings:
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{folder / 'digests.sqlite3'}"},
            "ranking": {"cache_dir": str(folder / "cache")},
            "bot": {"shard_count": 1, "run_scheduler": False},
        }
    )
    store = Store.open(settings.database)
    await upgrade(store.engine)
    for s in range(servers):
        guild = 1_300_000_000_000_000_000 + s * 1_000_000
        path = folder / f"tags{s}.csv"
        path.write_text(history(s), encoding="utf-8")
        await import_file(
            store,
            settings,
            ImportOptions(kind="hashtags", path=path, workspace=str(guild), guild_id=guild),
        )
    await store.close()
    return settings


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = CLOCK()
        settings = await build(folder, args.servers)
        total = args.servers * args.per_server
        print(
            f"{total:,} subscriptions in {args.servers} servers, all due at {DUE:%H:%M} UTC "
            f"(set up in {CLOCK() - t0:.1f} s)",
            flush=True,
        )
        bot = create_bot(settings)
        async with simcord.run(bot) as env:
            channels = {}
            store = bot.store
            assert store is not None
            for s in range(args.servers):
                guild_id = 1_300_000_000_000_000_000 + s * 1_000_000
                guild = env.create_guild(f"server {s}", id=guild_id)
                for c in range(args.per_server):
                    handle = guild.create_text_channel(f"digest-{c}")
                    channels[handle.id] = handle
                    await digests.subscribe(
                        store,
                        str(guild_id),
                        guild_id=guild_id,
                        channel_id=handle.id,
                        frequency="daily",
                        local_time="08:00",
                        timezone="UTC",
                        top=3 + 2 * (c % 2),
                        now=DUE - dt.timedelta(hours=1),
                    )  # two scopes per server
            subs = await digests.due(store, DUE + dt.timedelta(minutes=1))
            start = CLOCK()
            report = await bot.scheduler.run_once(DUE + dt.timedelta(seconds=20))
            tick_s = CLOCK() - start
            posted = Counter()
            for handle in channels.values():
                for m in handle.history():
                    posted[handle.id] += 1
                    assert m.embeds and "digest #" in (m.embeds[0].footer.text or "")
            async with store.engine.connect() as conn:
                rows = (await conn.execute(select(DigestDelivery.status))).scalars().all()
            sent = Counter(rows)["sent"]
            # the naive baseline: a sample, each on its own, one at a time
            sample = subs[: args.sample]
            times = []
            for sub in sample:
                t = CLOCK()
                d = await digests.build_digest(
                    store,
                    settings,
                    str(sub.guild_id),
                    niches=sub.niches,
                    region=sub.region,
                    period=sub.period,
                    top=sub.top,
                )
                png = await asyncio.to_thread(charts.digest_chart, d.top) if d.top else None
                await bot.scheduler.post(
                    bot.get_channel(sub.channel_id), d, marker(0, DUE), None, png
                )
                times.append(CLOCK() - t)
            baseline_s = statistics.mean(times) * total
    ok = (
        len(posted) == total
        and max(posted.values()) == 1
        and sent == total
        and report.sent == total
    )
    return {
        "bench": "digests",
        "servers": args.servers,
        "subscriptions": total,
        "delivered": report.sent,
        "each_once": ok,
        "tick_ms": round(tick_s * 1000, 1),
        "per_digest_ms": round(tick_s * 1000 / max(1, total), 2),
        "baseline": "each digest built, charted and posted on its own, one at a time",
        "baseline_sample": len(sample),
        "baseline_extrapolated_ms": round(baseline_s * 1000, 1),
        "ratio": round(baseline_s / tick_s, 1),
        "report": {k: v for k, v in vars(report).items() if k != "errors"},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", type=int, default=40)
    ap.add_argument("--per-server", type=int, default=25, help="at most 25 (a server's limit)")
    ap.add_argument("--sample", type=int, default=20)
    args = ap.parse_args()
    figures = asyncio.run(run(args))
    print(
        f"{figures['delivered']:,} of {figures['subscriptions']:,} digests posted, each once: "
        f"{figures['each_once']}; the tick took {figures['tick_ms'] / 1000:.1f} s; one at a "
        f"time would take about {figures['baseline_extrapolated_ms'] / 1000:.0f} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
