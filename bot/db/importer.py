"""Write validated import rows into one workspace, inside the caller's transaction.

Each ``write_*`` function takes the workspace first (through :class:`WriteContext`), reads
only the stored rows that share keys with the file, writes only what is new or changed, and
returns a per-row status (inserted / updated / unchanged) plus counts of what it derived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.bulk import insert_frame, select_frame, select_in, select_keys, update_frame
from bot.db.diff import INSERTED, STATUS, UNCHANGED, UPDATED, diff, statuses, strongest
from bot.db.models import Creator, CreatorSnapshot, Hashtag, HashtagSnapshot, Video, VideoHashtag
from bot.ingest.fields import PROFILE_FIELDS, SNAPSHOT_FIELDS
from bot.ingest.gcpause import without_gc_passes
from scoring.metrics import video_aggregates

VIDEO_SOURCE = "videos"  # hashtag usage derived from the workspace's stored videos

creators_t: Table = Creator.__table__  # type: ignore[assignment]
snapshots_t: Table = CreatorSnapshot.__table__  # type: ignore[assignment]
videos_t: Table = Video.__table__  # type: ignore[assignment]
hashtags_t: Table = Hashtag.__table__  # type: ignore[assignment]
tag_snaps_t: Table = HashtagSnapshot.__table__  # type: ignore[assignment]
video_tags_t: Table = VideoHashtag.__table__  # type: ignore[assignment]

VIDEO_FIELDS = ("creator_id", "posted_at", "views", "likes", "comments", "shares", "saves",
                "duration_s", "hashtags", "sound", "description", "region")  # fmt: skip
AUTHOR_STATS = ("followers", "total_likes", "video_count", "following")


@dataclass
class WriteContext:
    workspace_id: int
    source: str
    as_of: dt.date  # for rows that carry no date of their own
    run_id: int
    now: dt.datetime
    recent_videos: int = 30


@dataclass
class WriteResult:
    status: np.ndarray
    details: dict[str, int] = field(default_factory=dict)


async def _max_id(conn: AsyncConnection, table: Table) -> int:
    return int((await conn.execute(select(func.max(table.c.id)))).scalar() or 0)


async def _ids_after(
    conn: AsyncConnection, table: Table, ctx: WriteContext, after: int, key: str
) -> pd.DataFrame:
    """Ids of rows this workspace gained past ``after`` (ids only grow)."""
    stmt = select(table.c.id, table.c[key]).where(
        table.c.workspace_id == ctx.workspace_id, table.c.id > after
    )
    return await select_frame(conn, stmt)


def _id_map(frame: pd.DataFrame, key: str) -> dict[Any, int]:
    """``key`` -> ``id`` of stored rows (lists first: iterating a Series is slow)."""
    return dict(zip(frame[key].tolist(), frame["id"].astype(int).tolist(), strict=True))


def _key_sort(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(order, starts): row positions that sort the text column ``values`` as SQLite's index
    does (by code point; ties in row order), and per sorted position whether its value differs
    from the one before. ASCII text is sorted as big-endian 8-byte words with
    ``np.lexsort``: 0.15 s for a million handles, where Python's sort of the strings took
    0.5 s (and pandas' 1.9 s); other text takes Python's sort."""
    items = values.tolist()
    n = len(items)
    starts = np.ones(n, dtype=bool)
    longest = max(map(len, items), default=0)
    words = -(-longest // 8)
    if 0 < words <= 8 and "\x00" not in "".join(items):  # NUL would read as padding
        try:
            text = np.array(items, dtype=f"S{8 * words}")  # zero-padded, like a shorter key
        except UnicodeEncodeError:
            text = None
        if text is not None:
            keys = text.view(">u8").reshape(n, words)
            order = np.lexsort(keys.T[::-1])  # the last key is the primary one
            ordered = keys[order]
            starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
            return order, starts
    order = np.array(sorted(range(n), key=items.__getitem__), dtype=np.int64)
    ordered_items = [items[i] for i in order.tolist()]
    starts[1:] = [a != b for a, b in zip(ordered_items[1:], ordered_items[:-1], strict=True)]
    return order, starts


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code of each row, first row of each code, last row of each code): ``values[first[
    code[i]]]`` is row i's value, and codes count up in the order of the table's unique index
    (:func:`_key_sort`). Equal values are neighbours in that sort, in row order, so no
    hashing: factorizing a million handles that validation had just hashed (to find
    duplicates) took 0.28 s."""
    order, starts = _key_sort(values)
    code = np.empty(len(order), dtype=np.int64)
    code[order] = np.cumsum(starts) - 1
    ends = np.empty_like(starts)  # whether the next sorted value differs
    ends[:-1], ends[-1:] = starts[1:], True
    return code, order[starts], order[ends]


async def _insert_with_ids(
    conn: AsyncConnection,
    table: Table,
    ctx: WriteContext,
    frame: pd.DataFrame,
    key: str,
    constants: dict[str, Any],
    order: np.ndarray | None = None,
) -> np.ndarray:
    """INSERT the rows of ``frame`` (in ``order`` when given, see bulk.insert_frame) and
    return their new ids, aligned with the frame's rows.

    On SQLite, inside the import's transaction (no other writer), a row inserted without an
    id gets one more than the table's largest id: the new ids are after + 1, after + 2, ...
    in insert order, which the table's new largest id confirms (else they are read back).
    Reading back a million (id, handle) pairs and matching them took 1.7 s. On PostgreSQL
    the ids are read back: a sequence hands ids to concurrent sessions in any order."""
    n = len(frame)
    if not n:
        return np.zeros(0, dtype=np.int64)
    after = await _max_id(conn, table)
    await insert_frame(conn, table, frame, constants, order)
    if conn.dialect.name == "sqlite" and await _max_id(conn, table) == after + n:
        ids = np.arange(after + 1, after + n + 1, dtype=np.int64)
        if order is None:
            return ids
        aligned = np.empty(n, dtype=np.int64)
        aligned[order] = ids
        return aligned
    new = await _ids_after(conn, table, ctx, after, key)
    found = pd.Index(new[key]).get_indexer(frame[key])
    if (found < 0).any():
        raise RuntimeError(f"{table.name}: inserted rows were not found again by {key}")
    return new["id"].to_numpy(dtype=np.int64)[found]


async def ensure_creators(
    conn: AsyncConnection, ctx: WriteContext, handles: pd.Series
) -> tuple[dict[str, int], int]:
    """handle -> creator id for every handle, creating bare profiles for unknown ones."""
    wanted = pd.unique(handles.dropna())
    found = await select_keys(
        conn,
        select(creators_t.c.id, creators_t.c.handle).where(
            creators_t.c.workspace_id == ctx.workspace_id
        ),
        creators_t.c.handle,
        wanted,
        ["id", "handle"],
    )
    ids = _id_map(found, "handle")
    missing = [h for h in wanted if h not in ids]
    if missing:
        after = await _max_id(conn, creators_t)
        await insert_frame(
            conn,
            creators_t,
            pd.DataFrame({"handle": sorted(missing)}),  # in index order, see write_creators
            {"workspace_id": ctx.workspace_id, "created_at": ctx.now, "updated_at": ctx.now},
        )
        new = await _ids_after(conn, creators_t, ctx, after, "handle")
        ids.update(_id_map(new, "handle"))
    return ids, len(missing)


async def write_creator_snapshots(
    conn: AsyncConnection, ctx: WriteContext, snaps: pd.DataFrame
) -> np.ndarray:
    """Insert or update snapshots keyed by (creator_id, as_of, ctx.source)."""
    if snaps.empty:
        return np.array([], dtype=STATUS)
    fields = [f for f in (*SNAPSHOT_FIELDS, "median_engagement_rate", "videos_sampled")
              if f in snaps]  # fmt: skip
    stored = await select_keys(
        conn,
        select(
            snapshots_t.c.id, snapshots_t.c.creator_id, snapshots_t.c.as_of,
            *[snapshots_t.c[f] for f in fields],
        ).where(
            snapshots_t.c.workspace_id == ctx.workspace_id,
            snapshots_t.c.source == ctx.source,
        ),
        snapshots_t.c.creator_id,
        snaps["creator_id"].astype(int).tolist(),
        ["id", "creator_id", "as_of", *fields],
    )  # fmt: skip
    d = diff(snaps, stored, ["creator_id", "as_of"], fields)
    await insert_frame(
        conn,
        snapshots_t,
        d.new,
        {"workspace_id": ctx.workspace_id, "source": ctx.source, "import_run_id": ctx.run_id},
        # In the order of the unique index (creator_id, as_of, source), see write_creators.
        order=_stable_argsort(d.new["creator_id"].to_numpy(dtype=np.int64)),
    )
    await update_frame(conn, snapshots_t, d.changed.assign(import_run_id=ctx.run_id))
    return d.status


def _stable_argsort(ids: np.ndarray) -> np.ndarray:
    """``np.argsort(ids, kind="stable")`` for integer ids. Distinct ids within a span of twice
    their number (a first import's new creators) are put in place instead of sorted: 15 ms
    against 90 for a million."""
    if len(ids):
        lo = int(ids.min())
        span = int(ids.max()) - lo + 1
        if span <= 2 * len(ids):
            slots = np.full(span, -1, dtype=np.int64)
            slots[ids - lo] = np.arange(len(ids))
            order = slots[slots >= 0]
            if len(order) == len(ids):  # else some ids repeat
                return order
    return np.argsort(ids, kind="stable")


def _row_dates(frame: pd.DataFrame, ctx: WriteContext) -> pd.Series:
    if "as_of" in frame:
        return frame["as_of"].where(frame["as_of"].notna(), ctx.as_of)
    return pd.Series([ctx.as_of] * len(frame), index=frame.index, dtype=object)


def _has_any(frame: pd.DataFrame, fields: tuple[str, ...] | list[str]) -> np.ndarray:
    present = [f for f in fields if f in frame]
    if not present:
        return np.zeros(len(frame), dtype=bool)
    return frame[present].notna().any(axis=1).to_numpy()


@without_gc_passes
async def write_creators(
    conn: AsyncConnection, ctx: WriteContext, frame: pd.DataFrame
) -> WriteResult:
    dated = "as_of" in frame
    frame = frame.assign(as_of=_row_dates(frame, ctx))
    n = len(frame)
    # Each row's handle as a code (codes follow the unique index's order); row first[c] has
    # the handle of code c.
    code, first, last = _sorted_codes(frame["handle"])
    k = len(first)
    # The newest row of each handle describes its profile (on a tie, the later row). Without
    # dates of their own, rows all share ctx.as_of, so that is each handle's last row.
    profile_pos = last  # in code order
    if dated and k < n:
        by_date = frame[["as_of"]].assign(_pos=np.arange(n))
        order = by_date.sort_values(["as_of", "_pos"], kind="stable")["_pos"].to_numpy()
        profile_pos = _last_per_code(code[order], order, k)
    profile_fields = [f for f in PROFILE_FIELDS if f in frame]
    profiles = frame[["handle", *profile_fields, "as_of"]].iloc[profile_pos]
    profiles = profiles.rename(columns={"as_of": "profile_as_of"})
    profiles["_code"] = np.arange(k)
    stored = await select_keys(
        conn,
        select(
            creators_t.c.id, creators_t.c.handle, creators_t.c.profile_as_of,
            *[creators_t.c[f] for f in profile_fields],
        ).where(creators_t.c.workspace_id == ctx.workspace_id),
        creators_t.c.handle,
        profiles["handle"].tolist(),
        ["id", "handle", "profile_as_of", *profile_fields],
    )  # fmt: skip
    older = np.zeros(len(profiles), dtype=bool)
    if not stored.empty:
        prev = profiles[["handle"]].merge(stored[["handle", "profile_as_of"]], how="left")
        older = np.array(
            [p is not None and not pd.isna(p) and a < p for a, p in
             zip(profiles["profile_as_of"], prev["profile_as_of"], strict=True)], dtype=bool
        )  # fmt: skip
    d = diff(profiles, stored, ["handle"], [*profile_fields, "profile_as_of"], fill_only=older)
    # New rows go in the order of the unique index (workspace_id, handle): B-tree inserts
    # then stay on the same pages. Measured on SQLite, 1,000,000 creators in file (random)
    # order took 7.9 s, sorted 3.6 s; their snapshots, by creator_id, 13.5 s against 3.9 s.
    # The profiles are in code order, which is that order, and diff keeps it.
    new = d.new
    new_ids = await _insert_with_ids(
        conn, creators_t, ctx, new, "handle",
        {"workspace_id": ctx.workspace_id, "created_at": ctx.now, "updated_at": ctx.now},
    )  # fmt: skip
    if not d.changed.empty:
        d.changed["profile_as_of"] = [
            max(x for x in (a, b) if x is not None and not pd.isna(x))
            for a, b in zip(
                d.changed["profile_as_of"],
                stored.set_index("id").loc[d.changed["id"], "profile_as_of"],
                strict=True,
            )
        ]
    await update_frame(conn, creators_t, d.changed.assign(updated_at=ctx.now))
    # The creator id of each handle code (every handle is stored or new by now).
    id_of = np.zeros(k, dtype=np.int64)
    if not stored.empty:
        handles = pd.Index(frame["handle"].to_numpy(dtype=object)[first])
        id_of[handles.get_indexer(stored["handle"])] = stored["id"].astype("int64")
    id_of[new["_code"].to_numpy(dtype=np.int64)] = new_ids

    status = statuses(n, UNCHANGED)
    status[profile_pos] = d.status
    has_metrics = _has_any(frame, SNAPSHOT_FIELDS)
    snap_status = statuses(n, UNCHANGED)
    if has_metrics.any():
        rows = frame if has_metrics.all() else frame[has_metrics]
        snaps = rows[[f for f in SNAPSHOT_FIELDS if f in rows] + ["as_of"]].assign(
            creator_id=id_of[code[has_metrics]]
        )
        snap_status[has_metrics] = await write_creator_snapshots(conn, ctx, snaps)
    return WriteResult(
        strongest(status, snap_status),
        {
            "creators_new": int((d.status == INSERTED).sum()),
            "creators_updated": len(d.changed),
            "snapshots_new": int((snap_status == INSERTED).sum()),
            "snapshots_updated": int((snap_status == UPDATED).sum()),
        },
    )


def _last_per_code(codes: np.ndarray, positions: np.ndarray, k: int) -> np.ndarray:
    """For each code 0..k-1 (each one present), the last of ``positions`` that has it."""
    _, first_from_end = np.unique(codes[::-1], return_index=True)
    return positions[len(codes) - 1 - first_from_end]


async def ensure_hashtags(
    conn: AsyncConnection, ctx: WriteContext, tags: pd.DataFrame
) -> tuple[dict[str, int], np.ndarray]:
    """name -> hashtag id, creating or updating hashtags. ``tags`` has name and optionally
    platform_id and description (one row per name). Returns the ids and a status per row."""
    fields = [f for f in ("platform_id", "description") if f in tags]
    stored = await select_in(
        conn,
        lambda chunk: select(
            hashtags_t.c.id, hashtags_t.c.name, *[hashtags_t.c[f] for f in fields]
        ).where(hashtags_t.c.workspace_id == ctx.workspace_id, hashtags_t.c.name.in_(chunk)),
        tags["name"].tolist(),
        ["id", "name", *fields],
    )
    d = diff(tags, stored, ["name"], fields)
    after = await _max_id(conn, hashtags_t)
    await insert_frame(conn, hashtags_t, d.new, {"workspace_id": ctx.workspace_id})
    await update_frame(conn, hashtags_t, d.changed)
    ids = _id_map(stored, "name")
    if not d.new.empty:
        new = await _ids_after(conn, hashtags_t, ctx, after, "name")
        ids.update(_id_map(new, "name"))
    return ids, d.status


async def write_hashtag_snapshots(
    conn: AsyncConnection,
    ctx: WriteContext,
    snaps: pd.DataFrame,
    source: str,
    *,
    prune: bool = False,
) -> np.ndarray:
    """Snapshots keyed by (hashtag_id, as_of, region, source). With ``prune``, stored rows of
    that source for the same hashtags that are no longer produced are deleted (derived
    data)."""
    fields = [f for f in ("views", "posts", "rank") if f in snaps]
    stored = await select_in(
        conn,
        lambda chunk: select(
            tag_snaps_t.c.id, tag_snaps_t.c.hashtag_id, tag_snaps_t.c.as_of,
            tag_snaps_t.c.region, *[tag_snaps_t.c[f] for f in fields],
        ).where(
            tag_snaps_t.c.workspace_id == ctx.workspace_id,
            tag_snaps_t.c.source == source,
            tag_snaps_t.c.hashtag_id.in_(chunk),
        ),
        snaps["hashtag_id"].astype(int).tolist(),
        ["id", "hashtag_id", "as_of", "region", *fields],
    )  # fmt: skip
    key = ["hashtag_id", "as_of", "region"]
    if prune and not stored.empty:
        keep = stored.merge(snaps[key].drop_duplicates(), on=key, how="left", indicator=True)
        gone = keep.loc[keep["_merge"] == "left_only", "id"].astype(int).tolist()
        for start in range(0, len(gone), 5000):
            await conn.execute(delete(tag_snaps_t).where(
                tag_snaps_t.c.id.in_(gone[start : start + 5000])))  # fmt: skip
        stored = stored[~stored["id"].isin(gone)]
    d = diff(snaps, stored, key, fields)
    await insert_frame(
        conn,
        tag_snaps_t,
        d.new,
        {"workspace_id": ctx.workspace_id, "source": source, "import_run_id": ctx.run_id},
    )
    await update_frame(conn, tag_snaps_t, d.changed.assign(import_run_id=ctx.run_id))
    return d.status


@without_gc_passes
async def write_hashtags(
    conn: AsyncConnection, ctx: WriteContext, frame: pd.DataFrame
) -> WriteResult:
    frame = frame.assign(as_of=_row_dates(frame, ctx))
    if "region" in frame:
        frame["region"] = frame["region"].where(frame["region"].notna(), "")
    else:
        frame["region"] = ""
    n = len(frame)
    last_pos = (
        pd.Series(np.arange(n)).groupby(frame["hashtag"].to_numpy(), sort=False).last().to_numpy()
    )
    meta_fields = [f for f in ("platform_id", "description") if f in frame]
    tags = frame.iloc[last_pos][["hashtag", *meta_fields]].rename(columns={"hashtag": "name"})
    ids, tag_status = await ensure_hashtags(conn, ctx, tags.reset_index(drop=True))
    status = statuses(n, UNCHANGED)
    status[last_pos] = tag_status
    has_metrics = _has_any(frame, ("views", "posts", "rank"))
    snap_status = statuses(n, UNCHANGED)
    if has_metrics.any():
        rows = frame[has_metrics]
        snaps = rows[[f for f in ("views", "posts", "rank") if f in rows] + ["as_of", "region"]]
        snaps = snaps.assign(hashtag_id=rows["hashtag"].map(ids).astype("int64"))
        snap_status[has_metrics] = await write_hashtag_snapshots(conn, ctx, snaps, ctx.source)
    return WriteResult(
        strongest(status, snap_status),
        {
            "hashtags_new": int((tag_status == INSERTED).sum()),
            "hashtags_updated": int((tag_status == UPDATED).sum()),
            "snapshots_new": int((snap_status == INSERTED).sum()),
            "snapshots_updated": int((snap_status == UPDATED).sum()),
        },
    )


@without_gc_passes
async def write_videos(
    conn: AsyncConnection, ctx: WriteContext, frame: pd.DataFrame
) -> WriteResult:
    creator_ids, creators_new = await ensure_creators(conn, ctx, frame["handle"])
    frame = frame.assign(creator_id=frame["handle"].map(creator_ids).astype("int64"))
    fields = [f for f in VIDEO_FIELDS if f in frame]
    stored = await select_in(
        conn,
        lambda chunk: select(
            videos_t.c.id, videos_t.c.video_id, *[videos_t.c[f] for f in fields]
        ).where(videos_t.c.workspace_id == ctx.workspace_id, videos_t.c.video_id.in_(chunk)),
        frame["video_id"].tolist(),
        ["id", "video_id", *fields],
    )
    d = diff(frame, stored, ["video_id"], fields)
    after = await _max_id(conn, videos_t)
    await insert_frame(
        conn,
        videos_t,
        d.new[["video_id", *fields]],
        {"workspace_id": ctx.workspace_id, "source": ctx.source, "import_run_id": ctx.run_id},
    )
    await update_frame(conn, videos_t, d.changed.assign(import_run_id=ctx.run_id))
    video_pk = _id_map(stored, "video_id")
    if not d.new.empty:
        new = await _ids_after(conn, videos_t, ctx, after, "video_id")
        video_pk.update(_id_map(new, "video_id"))

    details = {"creators_new": creators_new, "videos_new": len(d.new),
               "videos_updated": len(d.changed)}  # fmt: skip
    details["tag_links"] = await _link_hashtags(conn, ctx, frame, d.status, video_pk)
    details["creator_snapshots"] = await _creator_snapshots_from_videos(conn, ctx, frame)
    details["hashtag_days"] = await _hashtag_usage(conn, ctx, frame)
    return WriteResult(d.status, details)


async def _link_hashtags(
    conn: AsyncConnection,
    ctx: WriteContext,
    frame: pd.DataFrame,
    status: np.ndarray,
    video_pk: dict[str, int],
) -> int:
    """(Re)write video -> hashtag links for new videos and videos whose tags changed."""
    if "hashtags" not in frame:
        return 0
    touched = frame[status != UNCHANGED]
    pairs = [
        (video_pk[v], t)
        for v, tags in zip(touched["video_id"], touched["hashtags"], strict=True)
        if tags
        for t in tags.split(",")
    ]
    changed_pks = [video_pk[v] for v in touched["video_id"]]
    for start in range(0, len(changed_pks), 5000):
        await conn.execute(delete(video_tags_t).where(
            video_tags_t.c.video_id.in_(changed_pks[start : start + 5000])))  # fmt: skip
    if not pairs:
        return 0
    links = pd.DataFrame(pairs, columns=["video_id", "name"])
    tag_ids, _ = await ensure_hashtags(conn, ctx, pd.DataFrame({"name": pd.unique(links["name"])}))
    links["hashtag_id"] = links["name"].map(tag_ids).astype("int64")
    links = links.drop_duplicates(["video_id", "hashtag_id"])
    await insert_frame(conn, video_tags_t, links[["video_id", "hashtag_id"]],
                       {"workspace_id": ctx.workspace_id})  # fmt: skip
    return len(links)


async def _creator_snapshots_from_videos(
    conn: AsyncConnection, ctx: WriteContext, frame: pd.DataFrame
) -> int:
    """One snapshot per creator in the file, dated ctx.as_of: aggregates over the creator's
    stored videos posted up to that day, plus the author counts the file repeats per row."""
    ids = pd.unique(frame["creator_id"]).tolist()
    end = dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    stored = await select_in(
        conn,
        lambda chunk: select(
            videos_t.c.creator_id, videos_t.c.posted_at, videos_t.c.views, videos_t.c.likes,
            videos_t.c.comments, videos_t.c.shares, videos_t.c.saves,
        ).where(
            videos_t.c.workspace_id == ctx.workspace_id,
            videos_t.c.creator_id.in_(chunk),
            (videos_t.c.posted_at < end) | videos_t.c.posted_at.is_(None),
        ),
        ids,
        ["creator_id", "posted_at", "views", "likes", "comments", "shares", "saves"],
    )  # fmt: skip
    if stored.empty:
        return 0
    stored["posted_at"] = pd.to_datetime(stored["posted_at"], utc=True)
    agg = video_aggregates(stored, ctx.recent_videos)
    stats = [c for c in AUTHOR_STATS if c in frame]
    if stats:
        order = frame.sort_values("posted_at", kind="stable") if "posted_at" in frame else frame
        latest = order.groupby("creator_id")[stats].last().reset_index()
        agg = agg.merge(latest, on="creator_id", how="left")
    agg["as_of"] = ctx.as_of
    status = await write_creator_snapshots(conn, ctx, agg)
    return int((status != UNCHANGED).sum())


async def _hashtag_usage(conn: AsyncConnection, ctx: WriteContext, frame: pd.DataFrame) -> int:
    """Recompute the derived daily usage (source 'videos') of every hashtag in the file from
    all stored videos: per day and region ('' = all), the cumulative number of stored videos
    posted under the tag and their cumulative views. Days with no post have no row."""
    if "hashtags" not in frame:
        return 0
    names = sorted({t for tags in frame["hashtags"].dropna() for t in tags.split(",")})
    if not names:
        return 0
    tags = await select_in(
        conn,
        lambda chunk: select(hashtags_t.c.id, hashtags_t.c.name).where(
            hashtags_t.c.workspace_id == ctx.workspace_id, hashtags_t.c.name.in_(chunk)
        ),
        names,
        ["id", "name"],
    )
    used = await select_in(
        conn,
        lambda chunk: select(
            video_tags_t.c.hashtag_id, videos_t.c.posted_at, videos_t.c.views, videos_t.c.region
        )
        .join(videos_t, videos_t.c.id == video_tags_t.c.video_id)
        .where(
            and_(video_tags_t.c.workspace_id == ctx.workspace_id,
                 video_tags_t.c.hashtag_id.in_(chunk),
                 videos_t.c.posted_at.is_not(None))
        ),
        tags["id"].astype(int).tolist(),
        ["hashtag_id", "posted_at", "views", "region"],
    )  # fmt: skip
    if used.empty:
        return 0
    used["as_of"] = pd.to_datetime(used["posted_at"], utc=True).dt.date
    used["views"] = pd.to_numeric(used["views"], errors="coerce")
    used["region"] = used["region"].fillna("")
    parts = [used.assign(region="")]
    if (used["region"] != "").any():
        parts.append(used[used["region"] != ""])
    daily = (
        pd.concat(parts, ignore_index=True)
        .groupby(["hashtag_id", "region", "as_of"], sort=True)
        .agg(posts=("views", "size"), views=("views", lambda s: s.sum(min_count=1)))
        .reset_index()
    )
    grouped = daily.groupby(["hashtag_id", "region"], sort=False)
    daily["posts"] = grouped["posts"].cumsum()
    daily["views"] = grouped["views"].cumsum()
    status = await write_hashtag_snapshots(conn, ctx, daily, VIDEO_SOURCE, prune=True)
    return int((status != UNCHANGED).sum())
