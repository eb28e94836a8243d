"""Scheduled trend digests: subscriptions, their schedules, and the delivery ledger.

Schedules are a local time in an IANA time zone, daily or on one weekday. The next run is
computed with zoneinfo from the local wall clock, so a 09:00 Europe/Berlin digest arrives at
09:00 local on both sides of a daylight-saving change, once. A local time that does not exist
on a spring-forward day (02:30 in Berlin) runs at the first instant after the gap; one that
happens twice on a fall-back day runs at its first occurrence.

Deliveries are claimed in the database: inserting the row keyed by (subscription,
scheduled time) is the claim, so two bot processes on one PostgreSQL never post the same
digest twice. A claim carries a lease; a claim whose lease ran out (its process died between
claim and post) may be taken over, and the taker first looks for the posted message before
posting again. Nothing here talks to Discord: bot/scheduler.py does the posting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Store
from bot.db.models import DigestDelivery, DigestSubscription, Workspace, utcnow
from bot.db.repo import WorkspaceRef, ensure_workspace, find_workspace
from bot.errors import UserError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIODS = ("7d", "30d", "120d")
MAX_SUBSCRIPTIONS = 25  # per workspace


class DigestError(UserError):
    pass


# --- schedules ----------------------------------------------------------------------------


def parse_time(text: str) -> dt.time:
    m = re.fullmatch(r"\s*(\d{1,2})[:.h](\d{2})\s*", text or "")
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise DigestError(f"time {text!r} is not a time of day; use HH:MM, e.g. 09:00")
    return dt.time(int(m[1]), int(m[2]))


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise DigestError(
            f"time zone {name!r} is not an IANA time zone; use a name like Europe/Berlin, "
            "America/New_York or UTC"
        ) from None


def parse_weekday(name: str | None) -> int:
    key = (name or "").strip().lower()
    for i, day in enumerate(WEEKDAYS):
        if key and day.startswith(key[:3]):
            return i
    raise DigestError(f"day {name!r} is not a weekday; use monday ... sunday")


def next_run(
    frequency: str, weekday: int | None, local_time: dt.time, zone: ZoneInfo, after: dt.datetime
) -> dt.datetime:
    """The first scheduled instant strictly after ``after`` (aware), in UTC."""
    local_day = after.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(16):
        if frequency == "daily" or local_day.weekday() == weekday:
            wall = dt.datetime.combine(local_day, local_time).replace(tzinfo=zone, fold=0)
            at = wall.astimezone(dt.UTC)
            if at > after:
                return at
        local_day += dt.timedelta(days=1)
    raise AssertionError("no run within 16 days")  # unreachable for daily / weekly


# --- subscriptions ------------------------------------------------------------------------


@dataclass
class Subscription:
    id: int
    workspace_id: int
    guild_id: int
    channel_id: int
    frequency: str
    weekday: int | None
    local_time: str
    timezone: str
    niches: list[str]
    region: str | None
    period: str
    top: int
    active: bool
    paused_reason: str | None
    next_run_at: dt.datetime
    last_data_as_of: dt.date | None

    @property
    def when(self) -> str:
        day = "daily" if self.frequency == "daily" else f"every {WEEKDAYS[self.weekday or 0]}"
        return f"{day} at {self.local_time} {self.timezone}"

    def next_after(self, after: dt.datetime) -> dt.datetime:
        return next_run(
            self.frequency,
            self.weekday,
            parse_time(self.local_time),
            ZoneInfo(self.timezone),
            after,
        )


def _sub(row: Any) -> Subscription:
    return Subscription(
        id=int(row.id),
        workspace_id=int(row.workspace_id),
        guild_id=int(row.guild_id),
        channel_id=int(row.channel_id),
        frequency=row.frequency,
        weekday=row.weekday,
        local_time=row.local_time,
        timezone=row.timezone,
        niches=[n for n in (row.niches or "").split(",") if n],
        region=row.region,
        period=row.period,
        top=int(row.top),
        active=bool(row.active),
        paused_reason=row.paused_reason,
        next_run_at=row.next_run_at,
        last_data_as_of=row.last_data_as_of,
    )


async def _ws(store: Store, workspace: str, *, create: bool = False) -> WorkspaceRef:
    async with store.write() as conn:
        if create:
            ws: WorkspaceRef | None = await ensure_workspace(conn, workspace)
        else:
            ws = await find_workspace(conn, workspace)
    if ws is None:
        raise DigestError("this server has no digests yet; /digest subscribe adds one")
    return ws


async def workspace_zone(store: Store, workspace: str) -> str:
    ws = await _ws(store, workspace, create=True)
    w = Workspace.__table__
    async with store.engine.connect() as conn:
        return (await conn.execute(select(w.c.timezone).where(w.c.id == ws.id))).scalar_one()


async def set_workspace_zone(store: Store, workspace: str, zone: str) -> str:
    name = parse_zone(zone).key
    ws = await _ws(store, workspace, create=True)
    w = Workspace.__table__
    async with store.write() as conn:
        await conn.execute(update(w).where(w.c.id == ws.id).values(timezone=name))
    return name


async def subscribe(
    store: Store,
    workspace: str,
    *,
    guild_id: int,
    channel_id: int,
    frequency: str,
    local_time: str,
    weekday: str | None = None,
    timezone: str | None = None,
    niches: list[str] | None = None,
    region: str | None = None,
    period: str = "7d",
    top: int = 5,
    created_by: int | None = None,
    now: dt.datetime | None = None,
) -> Subscription:
    """Validate and store a subscription; its first run is the next scheduled instant."""
    if frequency not in ("daily", "weekly"):
        raise DigestError(f"schedule {frequency!r}: use daily or weekly")
    day = parse_weekday(weekday) if frequency == "weekly" else None
    at = parse_time(local_time)
    zone = parse_zone(timezone) if timezone else parse_zone(await workspace_zone(store, workspace))
    if period not in PERIODS:
        raise DigestError(f"period {period!r}: use one of {', '.join(PERIODS)}")
    if not 1 <= top <= 10:
        raise DigestError(f"top {top}: a digest shows 1 to 10 hashtags")
    clean = [n.strip().lower() for n in (niches or []) if n.strip()]
    ws = await _ws(store, workspace, create=True)
    t = DigestSubscription.__table__
    now = now or utcnow()
    first = next_run(frequency, day, at, zone, now)
    async with store.write() as conn:
        count = len((await conn.execute(select(t.c.id).where(t.c.workspace_id == ws.id))).all())
        if count >= MAX_SUBSCRIPTIONS:
            raise DigestError(f"a server can have at most {MAX_SUBSCRIPTIONS} digests; remove one")
        new_id = (
            await conn.execute(
                t.insert()
                .values(
                    workspace_id=ws.id,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    frequency=frequency,
                    weekday=day,
                    local_time=at.strftime("%H:%M"),
                    timezone=zone.key,
                    niches=",".join(clean) or None,
                    region=(region or "").strip().upper() or None,
                    period=period,
                    top=top,
                    active=True,
                    next_run_at=first,
                    created_by=created_by,
                    created_at=now,
                )
                .returning(t.c.id)
            )
        ).scalar_one()
    return await get(store, workspace, int(new_id))


async def get(store: Store, workspace: str, sub_id: int) -> Subscription:
    ws = await _ws(store, workspace)
    t = DigestSubscription.__table__
    async with store.engine.connect() as conn:
        row = (
            await conn.execute(select(t).where(t.c.id == sub_id, t.c.workspace_id == ws.id))
        ).first()
    if row is None:
        raise DigestError(f"no digest #{sub_id} in this server; /digest list shows them")
    return _sub(row)


async def list_subscriptions(store: Store, workspace: str) -> list[Subscription]:
    try:
        ws = await _ws(store, workspace)
    except DigestError:
        return []
    t = DigestSubscription.__table__
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(select(t).where(t.c.workspace_id == ws.id).order_by(t.c.id))
        ).all()
    return [_sub(r) for r in rows]


async def set_active(
    store: Store, workspace: str, sub_id: int, active: bool, now: dt.datetime | None = None
) -> Subscription:
    """Pause or resume. Resuming schedules the next run from now (no burst of old ones)."""
    sub = await get(store, workspace, sub_id)
    t = DigestSubscription.__table__
    values: dict[str, Any] = {"active": active, "paused_reason": None if active else "paused"}
    if active:
        values["next_run_at"] = sub.next_after(now or utcnow())
    async with store.write() as conn:
        await conn.execute(update(t).where(t.c.id == sub.id).values(**values))
    return await get(store, workspace, sub_id)


async def remove(store: Store, workspace: str, sub_id: int) -> Subscription:
    sub = await get(store, workspace, sub_id)
    t = DigestSubscription.__table__
    async with store.write() as conn:
        await conn.execute(t.delete().where(t.c.id == sub.id))
    return sub


# --- the delivery ledger (used by bot/scheduler.py) -----------------------------------------


async def due(store: Store, now: dt.datetime) -> list[Subscription]:
    """Every active subscription whose next run is at or before ``now``, oldest first."""
    t = DigestSubscription.__table__
    stmt = (
        select(t)
        .where(t.c.active.is_(True), t.c.next_run_at <= now)
        .order_by(t.c.next_run_at, t.c.id)
    )
    async with store.engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [_sub(r) for r in rows]


@dataclass
class Claim:
    delivery_id: int
    taken_over: bool  # an expired claim of a process that may have posted before it died


async def claim(
    store: Store,
    sub: Subscription,
    scheduled_for: dt.datetime,
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta,
) -> Claim | None:
    """The right to deliver (sub, scheduled_for), or None when another process has it (or it
    is done). An expired claim is taken over atomically."""
    d = DigestDelivery.__table__
    try:
        async with store.write() as conn:
            new_id = (
                await conn.execute(
                    d.insert()
                    .values(
                        subscription_id=sub.id,
                        scheduled_for=scheduled_for,
                        status="claimed",
                        claimed_by=worker,
                        claimed_at=now,
                        lease_until=now + lease,
                        attempts=1,
                    )
                    .returning(d.c.id)
                )
            ).scalar_one()
        return Claim(int(new_id), False)
    except IntegrityError:
        pass
    async with store.write() as conn:
        row = (
            await conn.execute(
                select(d.c.id).where(
                    d.c.subscription_id == sub.id, d.c.scheduled_for == scheduled_for
                )
            )
        ).first()
        if row is None:
            return None
        taken = await conn.execute(
            update(d)
            .where(d.c.id == row.id, d.c.status == "claimed", d.c.lease_until < now)
            .values(
                claimed_by=worker,
                claimed_at=now,
                lease_until=now + lease,
                attempts=d.c.attempts + 1,
            )
        )
    return Claim(int(row.id), True) if taken.rowcount == 1 else None


async def finish(
    store: Store,
    delivery_id: int,
    status: str,
    *,
    now: dt.datetime,
    message_id: int | None = None,
    late: bool = False,
    detail: str | None = None,
) -> None:
    d = DigestDelivery.__table__
    async with store.write() as conn:
        await conn.execute(
            update(d)
            .where(d.c.id == delivery_id)
            .values(
                status=status,
                message_id=message_id,
                late=late,
                finished_at=now,
                detail=(detail or "")[:500] or None,
            )
        )


async def release(store: Store, delivery_id: int, now: dt.datetime, detail: str) -> None:
    """Give a claim back (a transient failure): the next tick may try again."""
    d = DigestDelivery.__table__
    async with store.write() as conn:
        await conn.execute(
            update(d)
            .where(d.c.id == delivery_id, d.c.status == "claimed")
            .values(lease_until=now, detail=detail[:500])
        )


async def advance(
    store: Store,
    sub: Subscription,
    expected: dt.datetime,
    now: dt.datetime,
    data_as_of: dt.date | None = None,
) -> bool:
    """Move the next run past ``now``, only if nobody did it meanwhile."""
    t = DigestSubscription.__table__
    values: dict[str, Any] = {"next_run_at": sub.next_after(max(now, expected))}
    if data_as_of is not None:
        values["last_data_as_of"] = data_as_of
    async with store.write() as conn:
        done = await conn.execute(
            update(t).where(t.c.id == sub.id, t.c.next_run_at == expected).values(**values)
        )
    return done.rowcount == 1


async def pause_for(store: Store, sub_id: int, reason: str) -> None:
    """Stop a subscription that cannot be delivered (deleted channel, missing permission)."""
    t = DigestSubscription.__table__
    async with store.write() as conn:
        await conn.execute(
            update(t).where(t.c.id == sub_id).values(active=False, paused_reason=reason[:300])
        )


async def deliveries(store: Store, sub_id: int) -> list[dict[str, Any]]:
    d = DigestDelivery.__table__
    async with store.engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    select(d).where(d.c.subscription_id == sub_id).order_by(d.c.scheduled_for)
                )
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


# --- the digest itself ---------------------------------------------------------------------


@dataclass
class Digest:
    """What a digest says: nothing Discord-specific (renderers turn it into a message)."""

    workspace: str
    niches: list[str]
    region: str | None
    period: str
    as_of: str | None  # date of the newest trend data used
    rising: list[Any]  # TrendItem: emerging and rising hashtags, best first
    breakouts: list[Any]  # TrendItem flagged as breakouts
    fading: list[Any]  # TrendItem labelled declining: stop using them
    creators: dict[str, list[str]]  # rising hashtag -> the workspace's creators using it
    top: Any | None  # TopTrends behind the chart
    idea: Any | None = None  # one campaign idea (bot.services.suggest), when available
    no_new_data: bool = False
    notes: list[str] | None = None


async def build_digest(store: Store, settings: Any, workspace: str, *, niches: list[str],
                       region: str | None, period: str, top: int,
                       as_of: dt.date | None = None,
                       since: dt.date | None = None) -> Digest:  # fmt: skip
    """Rising, breakout and fading hashtags of the workspace, its creators on the rising ones,
    and one campaign idea. ``since``: the data date of the previous digest; when no newer
    trend data arrived, the digest says so (no_new_data) instead of repeating itself."""
    from bot.services import trends

    items: dict[str, Any] = {}
    results = []
    notes: list[str] = []
    for niche in niches or [None]:
        try:
            result = await trends.top(store, settings, workspace, period=period, niche=niche,
                                      region=region, limit=50, as_of=as_of)  # fmt: skip
        except UserError as exc:
            notes.append(str(exc))
            continue
        results.append(result)
        for item in result.items:
            best = items.get(item.hashtag)
            if best is None or (item.added_per_day or 0) > (best.added_per_day or 0):
                items[item.hashtag] = item
    if not results:
        return Digest(workspace, niches, region, period, None, [], [], [], {}, None, notes=notes)
    newest = max(r.as_of for r in results)
    ordered = sorted(items.values(), key=lambda i: -(i.added_per_day or 0))
    rising = [i for i in ordered if i.label in ("emerging", "rising")][:top]
    breakouts = [i for i in ordered if i.breakout][:3]
    fading = sorted((i for i in ordered if i.label == "declining"),
                    key=lambda i: i.growth if i.growth is not None else 0)[:3]  # fmt: skip
    creators: dict[str, list[str]] = {}
    for item in rising[:3]:
        try:
            detail = await trends.hashtag(store, settings, workspace, item.hashtag, as_of=as_of)
        except UserError:
            continue
        if detail.creators:
            creators[item.hashtag] = [c.handle for c in detail.creators[:5]]
    chart = results[0]
    chart.items = [i for i in rising if i.series is not None][:4] or chart.items[:4]
    no_new = since is not None and dt.date.fromisoformat(newest) <= since
    idea = (
        None
        if no_new or not rising
        else await _one_idea(store, settings, workspace, niches, as_of, notes)
    )
    return Digest(
        workspace,
        niches,
        region,
        period,
        newest,
        rising,
        breakouts,
        fading,
        creators,
        chart,
        idea=idea,
        no_new_data=no_new,
        notes=notes,
    )


# The brief a digest's idea is made for: the subscription's niches, reach, a few creators.
IDEA_BRIEF = {"name": "digest idea", "objective": "awareness", "budget": 5000, "creators_wanted": 3}


async def _one_idea(
    store: Store,
    settings: Any,
    workspace: str,
    niches: list[str],
    as_of: dt.date | None,
    notes: list[str],
) -> Any:
    """The best campaign idea on the scope's rising hashtags, from the suggestion engine;
    None (with a note) when there is none, e.g. no creators imported yet."""
    from bot.services import suggest
    from bot.services.ranking import brief_from_dict

    brief = brief_from_dict({**IDEA_BRIEF, "niches": niches, "currency": settings.metrics.currency})
    try:
        found = await suggest.suggest(store, settings, workspace, brief, count=1, as_of=as_of)
    except UserError as exc:
        notes.append(f"no campaign idea: {exc}")
        return None
    return found.ideas[0] if found.ideas else None  # fmt: skip
