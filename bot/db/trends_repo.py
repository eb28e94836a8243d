"""Workspace-scoped reads for trend analytics. Every function takes the connection and then
the workspace id; frames come back with plain Python / pandas values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.bulk import select_frame, select_in
from bot.db.models import Creator, Hashtag, HashtagSnapshot, Video, VideoHashtag

SNAPSHOT_COLUMNS = ["hashtag_id", "as_of", "source", "views", "posts", "rank"]


def _dates(frame: pd.DataFrame, column: str = "as_of") -> pd.DataFrame:
    """Date cells as datetime64 (drivers hand back date objects, or strings on SQLite)."""
    if not frame.empty:
        codes, uniques = pd.factorize(frame[column])  # few distinct days: convert each once
        days = pd.to_datetime([str(u)[:10] for u in uniques], format="%Y-%m-%d")
        frame[column] = days[codes]
    return frame


async def hashtag_snapshots(
    conn: AsyncConnection,
    workspace_id: int,
    *,
    region: str = "",
    until: dt.date | None = None,
    hashtag_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Daily snapshots of the workspace's hashtags in one region ('' = worldwide), every
    source, up to ``until`` (inclusive), oldest first."""
    s = HashtagSnapshot.__table__.c

    def stmt(where: list[Any]) -> Any:
        conds = [s.workspace_id == workspace_id, s.region == region, *where]
        if until is not None:
            conds.append(s.as_of <= until)
        return select(*[s[c] for c in SNAPSHOT_COLUMNS]).where(*conds)

    if hashtag_ids is None:
        frame = await select_frame(conn, stmt([]))
        if frame.empty:
            frame = pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    else:
        frame = await select_in(
            conn, lambda chunk: stmt([s.hashtag_id.in_(chunk)]), hashtag_ids, SNAPSHOT_COLUMNS
        )
    frame = _dates(frame)
    for c in ("views", "posts", "rank"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame.sort_values(["hashtag_id", "as_of"], kind="stable").reset_index(drop=True)


async def newest_snapshot(
    conn: AsyncConnection, workspace_id: int, *, region: str | None = None
) -> dt.date | None:
    """The newest day with a hashtag snapshot (in one region, or any)."""
    s = HashtagSnapshot.__table__.c
    conds = [s.workspace_id == workspace_id]
    if region is not None:
        conds.append(s.region == region)
    value = (await conn.execute(select(func.max(s.as_of)).where(*conds))).scalar()
    return _as_date(value)


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def regions(conn: AsyncConnection, workspace_id: int) -> dict[str, int]:
    """Regions with hashtag snapshots and how many rows each has."""
    s = HashtagSnapshot.__table__.c
    rows = await conn.execute(
        select(s.region, func.count()).where(s.workspace_id == workspace_id).group_by(s.region)
    )
    return {r[0]: int(r[1]) for r in rows}


async def ranked_days(
    conn: AsyncConnection,
    workspace_id: int,
    *,
    region: str,
    since: dt.date,
    until: dt.date,
) -> list[dt.date]:
    """Days on which any hashtag of the workspace had a rank (the top list was observed)."""
    s = HashtagSnapshot.__table__.c
    stmt = (
        select(s.as_of)
        .distinct()
        .where(
            s.workspace_id == workspace_id,
            s.region == region,
            s.rank.is_not(None),
            s.as_of >= since,
            s.as_of <= until,
        )
    )
    return sorted(d for d in (_as_date(v) for v in (await conn.execute(stmt)).scalars()) if d)


async def hashtags(
    conn: AsyncConnection,
    workspace_id: int,
    *,
    ids: Sequence[int] | None = None,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Hashtags (id, name, description) of the workspace, all or by id or by name."""
    h = Hashtag.__table__.c
    cols = ["id", "name", "description"]
    base = select(h.id, h.name, h.description).where(h.workspace_id == workspace_id)
    if ids is not None:
        return await select_in(conn, lambda chunk: base.where(h.id.in_(chunk)), ids, cols)
    if names is not None:
        return await select_in(conn, lambda chunk: base.where(h.name.in_(chunk)), names, cols)
    frame = await select_frame(conn, base)
    return frame if not frame.empty else pd.DataFrame(columns=cols)


async def video_tags(
    conn: AsyncConnection, workspace_id: int, *, hashtag_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per (video, hashtag) of the workspace: video_id, creator_id, hashtag (name).

    With ``hashtag_ids``: every tag of the videos that carry one of those hashtags."""
    vh, v, h = VideoHashtag.__table__.c, Video.__table__.c, Hashtag.__table__.c
    cols = ["video_id", "creator_id", "hashtag"]
    stmt = (
        select(vh.video_id, v.creator_id, h.name.label("hashtag"))
        .join_from(VideoHashtag.__table__, Video.__table__, v.id == vh.video_id)
        .join(Hashtag.__table__, h.id == vh.hashtag_id)
        .where(vh.workspace_id == workspace_id)
    )
    if hashtag_ids is not None:
        carrying = select(vh.video_id).where(
            vh.workspace_id == workspace_id, vh.hashtag_id.in_(list(hashtag_ids))
        )
        stmt = stmt.where(vh.video_id.in_(carrying))
    frame = await select_frame(conn, stmt)
    return frame if not frame.empty else pd.DataFrame(columns=cols)


async def tag_usage(conn: AsyncConnection, workspace_id: int) -> tuple[pd.Series, int]:
    """Videos per hashtag name across the workspace, and the number of videos with a tag."""
    vh, h = VideoHashtag.__table__.c, Hashtag.__table__.c
    stmt = (
        select(h.name, func.count().label("videos"))
        .join_from(VideoHashtag.__table__, Hashtag.__table__, h.id == vh.hashtag_id)
        .where(vh.workspace_id == workspace_id)
        .group_by(h.name)
    )
    frame = await select_frame(conn, stmt)
    total = await conn.execute(
        select(func.count(func.distinct(vh.video_id))).where(vh.workspace_id == workspace_id)
    )
    usage = (
        frame.set_index("name")["videos"].astype("int64")
        if not frame.empty
        else pd.Series(dtype="int64")
    )
    return usage, int(total.scalar() or 0)


async def creator_niches(conn: AsyncConnection, workspace_id: int) -> pd.DataFrame:
    """creator_id, handle and niches (comma-joined) of every creator in the workspace."""
    c = Creator.__table__.c
    stmt = select(c.id.label("creator_id"), c.handle, c.niches).where(
        c.workspace_id == workspace_id
    )
    frame = await select_frame(conn, stmt)
    return frame if not frame.empty else pd.DataFrame(columns=["creator_id", "handle", "niches"])


async def tag_creators(
    conn: AsyncConnection, workspace_id: int, hashtag_id: int, *, until: dt.date | None = None
) -> pd.DataFrame:
    """The workspace's creators who posted under a hashtag: handle, display name, niches,
    videos under the tag, their total views and the newest post (up to ``until``)."""
    vh, v, c = VideoHashtag.__table__.c, Video.__table__.c, Creator.__table__.c
    conds = [vh.workspace_id == workspace_id, vh.hashtag_id == hashtag_id]
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        conds.append((v.posted_at < end) | v.posted_at.is_(None))
    stmt = (
        select(
            c.handle,
            c.display_name,
            c.niches,
            func.count().label("videos"),
            func.sum(v.views).label("views"),
            func.max(v.posted_at).label("last_posted"),
        )
        .join_from(VideoHashtag.__table__, Video.__table__, v.id == vh.video_id)
        .join(Creator.__table__, c.id == v.creator_id)
        .where(*conds)
        .group_by(c.id, c.handle, c.display_name, c.niches)
    )
    frame = await select_frame(conn, stmt)
    cols = ["handle", "display_name", "niches", "videos", "views", "last_posted"]
    return frame if not frame.empty else pd.DataFrame(columns=cols)
