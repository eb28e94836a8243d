"""Saved briefs and shortlists of a workspace.

A brief is stored as the fields scoring.brief.Brief validates, so what is saved always ranks.
Only the brief's owner, or a manager (Manage Server or the planner role, decided by the
caller), may change or delete it. A shortlist keeps a ranking as it was shown: creators,
scores, reasons, forecasts and the plan, so it can be shown and exported again later.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Store
from bot.db.models import SavedBrief, Shortlist, utcnow
from bot.db.repo import WorkspaceRef, ensure_workspace, find_workspace
from bot.errors import UserError
from bot.services.data import neutralise
from bot.services.ranking import RankResult, brief_from_dict
from scoring.brief import Brief

NAME_LIMIT = 100


class BriefNotFound(UserError):
    pass


class NameTaken(UserError):
    pass


class NotAllowed(UserError):
    pass


@dataclass
class BriefInfo:
    name: str
    brief: Brief
    owner_id: int | None
    updated_at: str


@dataclass
class ShortlistInfo:
    name: str
    brief_name: str | None
    created_by: int | None
    created_at: str
    data: dict[str, Any]


def _clean_name(name: str, what: str = "brief") -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError(f"a {what} needs a name")
    if len(name) > NAME_LIMIT:
        raise UserError(f"a {what} name has at most {NAME_LIMIT} characters")
    return name


async def _ws(store: Store, workspace: str, *, create: bool) -> WorkspaceRef | None:
    async with store.engine.begin() as conn:
        if create:
            return await ensure_workspace(conn, workspace)
        return await find_workspace(conn, workspace)


async def save_brief(
    store: Store, workspace: str, name: str, fields: dict[str, Any], owner_id: int | None
) -> BriefInfo:
    """Create a brief; the name must be new in the workspace."""
    name = _clean_name(name)
    brief = brief_from_dict({**fields, "name": name})
    ws = await _ws(store, workspace, create=True)
    assert ws is not None
    t = SavedBrief.__table__
    data = brief.model_dump(mode="json")
    try:
        async with store.engine.begin() as conn:
            now = utcnow()
            await conn.execute(
                t.insert().values(
                    workspace_id=ws.id,
                    name=name,
                    owner_id=owner_id,
                    data=data,
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        raise NameTaken(
            f"there is already a brief named {name!r}; pick another name or use /brief edit"
        ) from None
    return BriefInfo(name, brief, owner_id, now.isoformat())


async def _named(
    store: Store, workspace: str, table: Any, name: str
) -> tuple[WorkspaceRef | None, Any]:
    """The workspace and its row of ``table`` with this name (None, None: no workspace)."""
    ws = await _ws(store, workspace, create=False)
    if ws is None:
        return None, None
    t = table.__table__
    async with store.engine.connect() as conn:
        stmt = select(t).where(t.c.workspace_id == ws.id, t.c.name == name.strip())
        return ws, (await conn.execute(stmt)).first()


def _brief_info(row: Any) -> BriefInfo:
    return BriefInfo(
        row.name, Brief.model_validate(row.data), row.owner_id, row.updated_at.isoformat()
    )


def _shortlist_info(row: Any) -> ShortlistInfo:
    return ShortlistInfo(
        row.name, row.brief_name, row.created_by, row.created_at.isoformat(), row.data
    )


async def _find_brief(store: Store, workspace: str, name: str) -> tuple[WorkspaceRef, BriefInfo]:
    ws, row = await _named(store, workspace, SavedBrief, name)
    if ws is None or row is None:
        raise BriefNotFound(f"no brief named {name.strip()!r}; /brief list shows the saved ones")
    return ws, _brief_info(row)


async def get_brief(store: Store, workspace: str, name: str) -> BriefInfo:
    return (await _find_brief(store, workspace, name))[1]


async def _rows(store: Store, workspace: str, table: Any, order_by: Any) -> list[Any]:
    """Every row of ``table`` in the workspace (none when it does not exist yet)."""
    ws = await _ws(store, workspace, create=False)
    if ws is None:
        return []
    t = table.__table__
    async with store.engine.connect() as conn:
        stmt = select(t).where(t.c.workspace_id == ws.id).order_by(order_by)
        return list((await conn.execute(stmt)).all())


async def list_briefs(store: Store, workspace: str) -> list[BriefInfo]:
    rows = await _rows(store, workspace, SavedBrief, SavedBrief.name)
    return [_brief_info(r) for r in rows]


def _may_change(info: BriefInfo, actor_id: int | None, is_manager: bool) -> None:
    if is_manager or info.owner_id is None or info.owner_id == actor_id:
        return
    raise NotAllowed(
        f"only the brief's owner or someone with Manage Server (or the planner role) can "
        f"change {info.name!r}"
    )


async def edit_brief(
    store: Store,
    workspace: str,
    name: str,
    changes: dict[str, Any],
    actor_id: int | None,
    is_manager: bool,
    *,
    clear: Collection[str] = (),
) -> BriefInfo:
    """Change some fields (None leaves a field as it is; ``clear`` names fields to reset to
    their defaults, e.g. to drop a follower cap)."""
    ws, info = await _find_brief(store, workspace, name)
    _may_change(info, actor_id, is_manager)
    merged = {**info.brief.model_dump(), **{k: v for k, v in changes.items() if v is not None}}
    for key in clear:
        merged.pop(key, None)
    brief = brief_from_dict(merged)
    t = SavedBrief.__table__
    now = utcnow()
    async with store.engine.begin() as conn:
        await conn.execute(
            update(t)
            .where(t.c.workspace_id == ws.id, t.c.name == info.name)
            .values(data=brief.model_dump(mode="json"), updated_at=now)
        )
    return BriefInfo(info.name, brief, info.owner_id, now.isoformat())


async def delete_brief(
    store: Store, workspace: str, name: str, actor_id: int | None, is_manager: bool
) -> None:
    ws, info = await _find_brief(store, workspace, name)
    _may_change(info, actor_id, is_manager)
    t = SavedBrief.__table__
    async with store.engine.begin() as conn:
        await conn.execute(delete(t).where(t.c.workspace_id == ws.id, t.c.name == info.name))


# --- shortlists ---------------------------------------------------------------------------


def shortlist_data(result: RankResult) -> dict[str, Any]:
    """What a shortlist keeps of a ranking: enough to show and export it later."""
    r = result.ranking
    data: dict[str, Any] = {
        "brief": r.brief.model_dump(mode="json"),
        "weights": r.weights,
        "pool_size": r.pool_size,
        "data_version": result.data_version,
        "creators": [
            {
                "rank": c.rank,
                "handle": c.handle,
                "score": c.score,
                "tier": c.tier,
                "followers": c.followers,
                "price": c.price,
                "price_is_estimate": c.price_is_estimate,
                "lifted_by": c.lifted_by,
                "held_back_by": c.held_back_by,
                "flags": c.flags,
                "forecast": asdict(c.forecast),
            }
            for c in r.creators
        ],
    }
    if result.plan is not None:
        data["plan"] = asdict(result.plan)
    return data


async def save_shortlist(
    store: Store, workspace: str, name: str, result: RankResult, created_by: int | None
) -> ShortlistInfo:
    name = _clean_name(name, "shortlist")
    ws = await _ws(store, workspace, create=True)
    assert ws is not None
    t = Shortlist.__table__
    data = shortlist_data(result)
    now = utcnow()
    try:
        async with store.engine.begin() as conn:
            await conn.execute(
                t.insert().values(
                    workspace_id=ws.id,
                    name=name,
                    brief_name=result.ranking.brief.name,
                    created_by=created_by,
                    created_at=now,
                    data=data,
                )
            )
    except IntegrityError:
        raise NameTaken(f"there is already a shortlist named {name!r}; pick another name") from None
    return ShortlistInfo(name, result.ranking.brief.name, created_by, now.isoformat(), data)


async def get_shortlist(store: Store, workspace: str, name: str) -> ShortlistInfo:
    _, row = await _named(store, workspace, Shortlist, name)
    if row is None:
        raise BriefNotFound(f"no shortlist named {name.strip()!r}; /shortlist list shows them")
    return _shortlist_info(row)


async def list_shortlists(store: Store, workspace: str) -> list[ShortlistInfo]:
    rows = await _rows(store, workspace, Shortlist, Shortlist.created_at.desc())
    return [_shortlist_info(r) for r in rows]


EXPORT_COLUMNS = (
    "rank",
    "handle",
    "score",
    "tier",
    "followers",
    "price",
    "price_is_estimate",
    "currency",
    "views",
    "engagements",
    "cost",
    "cpm",
    "cpe",
    "lifted_by",
    "held_back_by",
    "flags",
)


def shortlist_csv(data: dict[str, Any]) -> bytes:
    """A shortlist as CSV (spreadsheet formulas neutralised), UTF-8 with a BOM for Excel."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for c in data["creators"]:
        fc = c["forecast"]
        row = [
            c["rank"],
            c["handle"],
            round(c["score"], 4),
            c["tier"],
            c["followers"],
            c["price"],
            c["price_is_estimate"],
            fc["currency"],
            fc["views"],
            fc["engagements"],
            fc["cost"],
            fc["cpm"],
            fc["cpe"],
            "; ".join(c["lifted_by"]),
            "; ".join(c["held_back_by"]),
            "; ".join(c["flags"]),
        ]
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
