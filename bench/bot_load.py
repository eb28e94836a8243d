"""Benchmark: slash commands against a large workspace, through the real bot on SimCord.

    .venv/bin/python bench/bot_load.py [--creators 100000] [--commands 200] [--users 20] [--pace 18]

Builds a SYNTHETIC workspace of N creators (bench/import_creators.py's generator, imported
through the real import path) plus a hashtag history, starts the real bot (bot.app.create_bot)
on SimCord's simulated Discord, and has U users run C slash commands, interleaved: creator
look-ups, searches, comparisons, rankings and trends (whichever of them the bot has). For each
it records the time to the first response (the interaction callback: a defer or the answer;
Discord wants it within 3 s) and the time until the command finished. SimCord runs one user
action at a time, so these are per-command latencies, not contention.

Commands are paced on SimCord's virtual clock, PACE seconds apart (default 18 s: 200 commands
in an hour, a busy team), so the message views they leave behind time out as they would in a
server (the bot's own timeout path, which edits each message to disable its buttons, runs as
part of the load). Without pacing every view stays live and SimCord, which scans all live
views on each settlement step on the bot's event loop, slows every later command: that is a
cost of the simulator, not of the bot; this bench also makes that scan remember what it found
per view (scan_each_view_once: the same result, about a third less wall time).

Time to first response is measured from the moment the bot receives the interaction (discord.py
builds its Interaction), the part the bot answers for; the time from the simulated click
(`click_*`) is reported too.

Baseline, in the same run: the same look-up without the bot (the service call alone), so the
ratio shows what Discord handling adds. Ends with one JSON line of figures; target: p99 time to
first response under 250 ms, and no interaction left unanswered.
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import discord
import import_creators
import simcord

from bot.app import create_bot
from bot.config import Settings
from bot.db.engine import Store
from bot.db.migrate import upgrade
from bot.services import creators as creator_service
from bot.services.data import ImportOptions, import_file
from bot.services.ranking import refresh

CLOCK = time.perf_counter  # bound now: nothing later can swap it
TARGET_P99_MS = 250.0


def scan_each_view_once() -> None:
    """SimCord decides, for every parked task on every settlement step, whether the task waits
    on a live view's stop future; to find those futures it scans the attributes of a view once
    for every *item* of the view, each time (simcord._dpy_internals._stored_wait_futures).
    With the ~40 views a paced run keeps live, each with a timeout task parked, that took
    about a third of this bench's wall time. This replaces it with the same scan done once per
    view and remembered: a discord.py view sets its stop future in __init__ and never replaces
    it, so the set of futures is the same and SimCord settles exactly as before. It is the
    simulator's cost, not the bot's, but it runs on the bot's event loop, so it also inflated
    the latencies measured."""
    from simcord import _dpy_internals as internals

    # id(view) -> (the view, its stop futures). Holding the view keeps its id from being
    # reused by another object; a run makes a few hundred views.
    found: dict[int, tuple[Any, tuple[Any, ...]]] = {}

    def stop_futures(owner: Any) -> tuple[Any, ...]:
        known = found.get(id(owner))
        if known is None:
            futures = tuple(value for name, value in vars(owner).items()
                            if name.endswith("__stopped")
                            and isinstance(value, asyncio.Future))  # fmt: skip
            known = found[id(owner)] = (owner, futures)
        return known[1]

    def stored_wait_futures(client: discord.Client) -> set[Any]:
        store = getattr(internals.get_state(client), "_view_store", None)
        futures: set[Any] = set()
        if store is None:
            return futures
        owners = {id(m): m for m in getattr(store, "_modals", {}).values()}
        for entries in getattr(store, "_views", {}).values():
            for item in entries.values():
                view = getattr(item, "_view", None)
                if view is not None:
                    owners[id(view)] = view
        for owner in owners.values():
            futures.update(stop_futures(owner))
        return futures

    internals._stored_wait_futures = stored_wait_futures


def _live(bot: discord.Client) -> int:
    """Message views the bot is still listening to (discord.py's view store)."""
    store = bot._connection._view_store
    return len({id(item.view) for e in store._views.values() for item in e.values()})


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def build(folder: Path, creators: int, guild_id: int) -> Settings:
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{folder / 'load.sqlite3'}"},
            "ranking": {"cache_dir": str(folder / "cache")},
            "bot": {"shard_count": 1, "heavy_cooldown_s": 0, "run_scheduler": False},
        }
    )
    store = Store.open(settings.database)
    await upgrade(store.engine)
    frame = import_creators.generate(creators)
    path = folder / "creators.csv"
    frame.to_csv(path, index=False)
    tags = folder / "hashtags.csv"
    start = dt.date(2024, 1, 1)
    lines = ["hashtag,date,views"]
    for t in range(30):
        for d in range(90):
            lines.append(f"#tag{t},{start + dt.timedelta(days=d)},{(t + 1) * 10**6 + d**2 * 10**4}")
    tags.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for kind, file in (("creators", path), ("hashtags", tags)):
        await import_file(
            store,
            settings,
            ImportOptions(
                kind=kind,
                path=file,
                workspace=str(guild_id),
                guild_id=guild_id,  # type: ignore[arg-type]
                as_of=dt.date(2024, 3, 30),
            ),
        )
    await refresh(store, settings, str(guild_id))  # the copy a running bot keeps warm
    await store.close()
    return settings


def plan_commands(handles: list[str], count: int, users: int, names: set[str]) -> list[tuple]:
    """(user index, command, options) interleaved over users, a realistic mix."""
    mix: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        h = handles[(i * 7919) % len(handles)]
        pick = i % 10
        if pick < 4:
            mix.append(("creator lookup", {"handle": h}))
        elif pick < 6:
            mix.append(("creator search", {"niche": "fitness", "min_followers": "10k"}))
        elif pick == 6:
            mix.append(
                ("creator compare", {"first": h, "second": handles[(i * 31) % len(handles)]})
            )
        elif pick in (7, 8) and "rank" in names:
            mix.append(("rank", {"budget": "5000", "niches": "fitness", "objective": "engagement"}))
        elif "trends top" in names:
            mix.append(("trends top", {}))
        else:
            mix.append(("creator lookup", {"handle": h}))
    return [(i % users, name, opts) for i, (name, opts) in enumerate(mix)]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        guild_id = 1_300_000_000_000_000_000
        t0 = CLOCK()
        settings = await build(folder, args.creators, guild_id)
        build_s = CLOCK() - t0
        print(
            f"built a synthetic workspace of {args.creators:,} creators in {CLOCK() - t0:.1f} s",
            flush=True,
        )

        first: dict[int, float] = {}
        received: dict[int, float] = {}
        built = discord.Interaction.__init__

        def receive(self: Any, *a: Any, **kw: Any) -> None:
            built(self, *a, **kw)
            received.setdefault(int(self.id), CLOCK())

        discord.Interaction.__init__ = receive  # type: ignore[method-assign]
        adapter = discord.webhook.async_.AsyncWebhookAdapter
        original = adapter.create_interaction_response

        def record(self: Any, interaction_id: int, *a: Any, **kw: Any) -> Any:
            first.setdefault(int(interaction_id), CLOCK())
            return original(self, interaction_id, *a, **kw)

        adapter.create_interaction_response = record  # type: ignore[method-assign]
        bot = create_bot(settings)
        try:
            t1 = CLOCK()
            async with simcord.run(bot) as env:
                start_s = CLOCK() - t1
                guild = env.create_guild("Load", id=guild_id)
                channel = guild.create_text_channel("campaigns")
                users = [guild.add_member(env.create_user(f"user{i}")) for i in range(args.users)]
                names = {c.qualified_name for c in bot.tree.walk_commands()}
                store = bot.store
                assert store is not None
                found = await creator_service.search(store, settings, str(guild_id), limit=2000)
                handles = [p.handle for p in found.creators]
                plan = plan_commands(handles, args.commands, args.users, names)
                t2 = CLOCK()
                to_first, click_first, total, unanswered, by_command = [], [], [], 0, {}
                done_by_command: dict[str, list[float]] = {}
                live_views = 0
                for user, name, opts in plan:
                    start = CLOCK()
                    result = await users[user].slash(channel, name, **opts)
                    end = CLOCK()
                    live_views = max(live_views, _live(bot))
                    if args.pace:
                        await env.advance_time(args.pace)
                    iid = int(result._interaction.id)
                    if not result.acknowledged or iid not in first or iid not in received:
                        unanswered += 1
                        continue
                    ms = (first[iid] - received[iid]) * 1000
                    to_first.append(ms)
                    click_first.append((first[iid] - start) * 1000)
                    total.append((end - start) * 1000)
                    by_command.setdefault(name, []).append(ms)
                    done_by_command.setdefault(name, []).append((end - start) * 1000)
                run_s = CLOCK() - t2
                baseline = []
                for h in handles[:50]:
                    s = CLOCK()
                    await creator_service.show(store, settings, str(guild_id), h)
                    baseline.append((CLOCK() - s) * 1000)
        finally:
            adapter.create_interaction_response = original  # type: ignore[method-assign]
            discord.Interaction.__init__ = built  # type: ignore[method-assign]
    lookups = by_command.get("creator lookup", [0.0])
    return {
        "bench": "bot_load",
        "creators": args.creators,
        "commands": args.commands,
        "users": args.users,
        "pace_s": args.pace,
        "max_live_views": live_views,
        "answered": len(to_first),
        "unanswered": unanswered,
        "first_response_p50_ms": round(_percentile(to_first, 50), 1),
        "first_response_p99_ms": round(_percentile(to_first, 99), 1),
        "first_response_max_ms": round(max(to_first), 1),
        "click_first_response_p50_ms": round(_percentile(click_first, 50), 1),
        "click_first_response_p99_ms": round(_percentile(click_first, 99), 1),
        "completed_p50_ms": round(_percentile(total, 50), 1),
        "completed_p99_ms": round(_percentile(total, 99), 1),
        "total_s": round(sum(total) / 1000, 2),
        "wall_s": {
            "build": round(build_s, 1),
            "bot_start": round(start_s, 1),
            "commands_with_pacing": round(run_s, 1),
        },
        "per_command_p99_ms": {k: round(_percentile(v, 99), 1) for k, v in by_command.items()},
        "per_command_completed_p50_ms": {
            k: round(_percentile(v, 50), 1) for k, v in done_by_command.items()
        },
        "baseline": "the look-up service alone, without the bot",
        "baseline_p50_ms": round(statistics.median(baseline), 1),
        "lookup_first_response_p50_ms": round(statistics.median(lookups), 1),
        "ratio_lookup_vs_service": round(
            statistics.median(lookups) / statistics.median(baseline), 2
        ),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": unanswered == 0 and _percentile(to_first, 99) < TARGET_P99_MS,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=100_000)
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument(
        "--pace",
        type=float,
        default=18.0,
        help="virtual seconds between commands (0: back to back, every view stays live)",
    )
    ap.add_argument("--users", type=int, default=20)
    args = ap.parse_args()
    scan_each_view_once()
    figures = asyncio.run(run(args))
    print(
        f"{figures['answered']} answered, {figures['unanswered']} unanswered; first response "
        f"p50 {figures['first_response_p50_ms']} ms, p99 {figures['first_response_p99_ms']} ms "
        f"(target {TARGET_P99_MS:.0f} ms) from the bot's receipt; from the simulated click p99 "
        f"{figures['click_first_response_p99_ms']} ms; "
        f"completed p99 {figures['completed_p99_ms']} ms"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
