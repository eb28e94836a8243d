"""Workspace-scoped queries. Every function takes the connection and then the workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.bulk import select_frame, select_in
from bot.db.models import (
    Creator,
    CreatorSnapshot,
    Hashtag,
    HashtagSnapshot,
    ImportRun,
    Video,
    Workspace,
    utcnow,
)
from bot.errors import UserError

SNAPSHOT_METRICS = (
    "followers", "following", "total_likes", "video_count", "avg_views", "median_views",
    "avg_likes", "avg_comments", "avg_shares", "avg_saves", "avg_watch_time_s",
    "completion_rate", "reported_engagement_rate", "median_engagement_rate", "videos_sampled",
    "audience_age", "audience_gender", "audience_countries",
)  # fmt: skip
PROFILE_COLUMNS = (
    "id", "handle", "platform_id", "display_name", "country", "language", "niches", "bio",
    "verified", "price_quote", "price_currency", "price_source", "profile_as_of",
)  # fmt: skip


@dataclass(frozen=True)
class WorkspaceRef:
    id: int
    name: str
    guild_id: int | None


class WorkspaceNotFound(UserError):
    """No workspace by that name or guild id."""


def _ref(row: Any) -> WorkspaceRef:
    return WorkspaceRef(int(row.id), row.name, row.guild_id)


async def find_workspace(conn: AsyncConnection, ref: str) -> WorkspaceRef | None:
    """A workspace by guild id (digits) or by name."""
    w = Workspace.__table__
    conds = [w.c.name == ref]
    if ref.isdigit():
        conds.insert(0, w.c.guild_id == int(ref))
    rows = (await conn.execute(select(w).where(or_(*conds)))).all()
    rows.sort(key=lambda r: r.guild_id is None)  # a guild id match wins over a name
    return _ref(rows[0]) if rows else None


async def require_workspace(conn: AsyncConnection, ref: str, hint: str) -> WorkspaceRef:
    """:func:`find_workspace`, or WorkspaceNotFound("there is no workspace 'ref'" + hint)."""
    ws = await find_workspace(conn, ref)
    if ws is None:
        raise WorkspaceNotFound(f"there is no workspace {ref!r}{hint}")
    return ws


async def ensure_workspace(
    conn: AsyncConnection, ref: str, *, guild_id: int | None = None
) -> WorkspaceRef:
    """Find or create a workspace. A ref of digits names a guild id."""
    found = await find_workspace(conn, str(guild_id) if guild_id is not None else ref)
    if found is not None:
        return found
    if guild_id is None and ref.isdigit():
        guild_id = int(ref)
    name = f"guild-{guild_id}" if guild_id is not None and ref.isdigit() else ref
    w = Workspace.__table__
    try:
        async with conn.begin_nested():
            await conn.execute(w.insert().values(name=name, guild_id=guild_id, created_at=utcnow()))
    except IntegrityError:
        pass  # created meanwhile by another process
    found = await find_workspace(conn, str(guild_id) if guild_id is not None else name)
    assert found is not None
    return found


async def list_workspaces(conn: AsyncConnection) -> list[WorkspaceRef]:
    w = Workspace.__table__
    return [_ref(r) for r in (await conn.execute(select(w).order_by(w.c.name))).all()]


async def previous_import_as_of(
    conn: AsyncConnection, workspace_id: int, kind: str, file_sha256: str
) -> dt.date | None:
    """The date an earlier import of the very same file was recorded under."""
    r = ImportRun.__table__
    stmt = (
        select(r.c.as_of)
        .where(r.c.workspace_id == workspace_id, r.c.kind == kind, r.c.file_sha256 == file_sha256)
        .order_by(r.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(stmt)).scalar()


async def creator_profiles(
    conn: AsyncConnection, workspace_id: int, *, handles: Sequence[str] | None = None
) -> pd.DataFrame:
    """Profiles (no metrics) of the workspace's creators (only these handles, if given), by
    handle. Filters by niche, country or metrics run on the ranking copy, not here."""
    c = Creator.__table__.c

    def stmt(where: list[Any]) -> Select[Any]:
        conds = [c.workspace_id == workspace_id, *where]
        return select(*[c[n] for n in PROFILE_COLUMNS]).where(and_(*conds)).order_by(c.handle)

    if handles is not None:
        return await select_in(
            conn, lambda chunk: stmt([c.handle.in_(chunk)]), handles, list(PROFILE_COLUMNS)
        )
    return await select_frame(conn, stmt([]))


async def _of_creators(
    conn: AsyncConnection,
    stmt: Select[Any],
    creator_id: Any,
    creator_ids: Sequence[int] | None,
    cols: list[str],
) -> pd.DataFrame:
    """``stmt``'s rows, for these creators only (in chunks of ids) unless None."""
    if creator_ids is None:
        return await select_frame(conn, stmt)
    return await select_in(
        conn, lambda chunk: stmt.where(creator_id.in_(chunk)), list(creator_ids), cols
    )


async def creator_snapshots(
    conn: AsyncConnection, workspace_id: int, creator_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Every metric snapshot of these creators (None: all of the workspace), oldest first."""
    s = CreatorSnapshot.__table__.c
    cols = ["id", "creator_id", "as_of", "source", *SNAPSHOT_METRICS]
    stmt = select(*[s[n] for n in cols]).where(s.workspace_id == workspace_id)
    frame = await _of_creators(conn, stmt, s.creator_id, creator_ids, cols)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return frame.sort_values(["creator_id", "as_of", "id"], kind="stable").reset_index(drop=True)


async def creator_videos(
    conn: AsyncConnection, workspace_id: int, creator_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """creator_id, posted_at and views of the creators' stored videos (None: all)."""
    v = Video.__table__.c
    cols = ["creator_id", "posted_at", "views"]
    stmt = select(v.creator_id, v.posted_at, v.views).where(v.workspace_id == workspace_id)
    frame = await _of_creators(conn, stmt, v.creator_id, creator_ids, cols)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    frame["posted_at"] = pd.to_datetime(frame["posted_at"], utc=True)
    return frame


async def data_stamp(conn: AsyncConnection, workspace_id: int) -> tuple[int, int]:
    """The newest import run that changed this workspace, as (its id, when it finished in
    microseconds since the epoch): a version stamp of the workspace's data. The id alone is
    not enough: a database that was emptied and refilled counts its ids from 1 again."""
    r = ImportRun.__table__.c
    stmt = (
        select(r.id, r.finished_at)
        .where(r.workspace_id == workspace_id)
        .order_by(r.id.desc())
        .limit(1)
    )
    row = (await conn.execute(stmt)).first()
    if row is None:
        return 0, 0
    return int(row.id), int(row.finished_at.timestamp() * 1_000_000)


async def handle_labels(
    conn: AsyncConnection, workspace_id: int, *, prefix: str | None, limit: int | None
) -> list[tuple[str, str]]:
    """(handle, display name) of the workspace's creators, by handle; with ``prefix``, only
    handles starting with it (a range on the unique index, on both databases)."""
    c = Creator.__table__.c
    stmt = select(c.handle, c.display_name).where(c.workspace_id == workspace_id)
    if prefix:
        stmt = stmt.where(c.handle >= prefix, c.handle < prefix + "\U0010ffff")
    stmt = stmt.order_by(c.handle)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(r.handle, r.display_name or "") for r in (await conn.execute(stmt)).all()]


async def counts(conn: AsyncConnection, workspace_id: int) -> dict[str, Any]:
    """How much the workspace holds, and how fresh it is."""
    out: dict[str, Any] = {}
    for name, table, date_col in (
        ("creators", Creator.__table__, None),
        ("creator_snapshots", CreatorSnapshot.__table__, "as_of"),
        ("videos", Video.__table__, "posted_at"),
        ("hashtags", Hashtag.__table__, None),
        ("hashtag_snapshots", HashtagSnapshot.__table__, "as_of"),
        ("imports", ImportRun.__table__, "finished_at"),
    ):
        cols = [func.count()]
        if date_col:
            cols.append(func.max(table.c[date_col]))
        row = (await conn.execute(select(*cols).where(table.c.workspace_id == workspace_id))).one()
        out[name] = int(row[0])
        if date_col:
            out[f"{name}_newest"] = row[1]
    return out
