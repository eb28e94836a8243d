"""Rank a workspace's creators for a brief, with a budget plan.

The ranking runs on a columnar copy of the workspace's creators (scoring.table.CreatorTable)
kept in the process. The copy carries the workspace's data version (its newest import run),
is rebuilt off the event loop when an import changed the data, and is shared by concurrent
requests (one build at a time per workspace).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import Settings
from bot.db.engine import Store
from bot.db.repo import (
    creator_profiles,
    creator_snapshots,
    creator_videos,
    data_stamp,
    find_workspace,
    require_workspace,
)
from bot.errors import UserError
from bot.ingest.cells import country_code
from bot.services.creators import creator_frame
from scoring.brief import Brief, BriefError
from scoring.budget import BudgetPlan, PlanLine, outcome, plan
from scoring.rank import Ranking, rank
from scoring.table import CreatorTable

log = logging.getLogger(__name__)


class InvalidBrief(UserError):
    """The brief cannot be used; the message names each field."""


@dataclass
class RankResult:
    workspace: str
    ranking: Ranking
    plan: BudgetPlan | None
    data_version: int


def brief_from_dict(data: dict[str, Any]) -> Brief:
    """Validate a brief from TOML / form data; country names become ISO codes."""
    data = dict(data)
    countries = data.get("countries")
    if isinstance(countries, str):
        countries = [c for c in countries.replace(";", ",").split(",") if c.strip()]
    if isinstance(countries, list):
        data["countries"] = [country_code(str(c).strip()) or str(c).strip() for c in countries]
    try:
        return Brief.parse(data)
    except BriefError as exc:
        raise InvalidBrief(str(exc)) from None


def load_brief(path: Path) -> Brief:
    """A brief from a TOML file (fields at the top level or under [brief])."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidBrief(f"brief file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidBrief(f"{path} is not valid TOML: {exc}") from None
    if isinstance(data.get("brief"), dict):
        data = data["brief"]
    data.setdefault("name", path.stem)
    return brief_from_dict(data)


class RankingCache:
    """Per-workspace CreatorTable copies: in memory, then in a file per workspace (so a
    restart loads a million creators in well under a second instead of reading the
    database), rebuilt from the database when the workspace's data changed (a newer import
    run) or the settings its prices are estimated with did."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, int], tuple[tuple[int, ...], CreatorTable]] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    @staticmethod
    def _file(settings: Settings, store: Store, workspace_id: int) -> Path:
        db = hashlib.sha256(store.engine.url.render_as_string(hide_password=True).encode())
        return Path(settings.ranking.cache_dir) / f"{db.hexdigest()[:12]}-ws{workspace_id}.npz"

    async def table(self, store: Store, settings: Settings, workspace_id: int
                    ) -> tuple[int, CreatorTable]:  # fmt: skip
        """(data version, the copy) of the workspace; the version is its newest import's id."""
        async with store.engine.connect() as conn:
            version, finished = await data_stamp(conn, workspace_id)
        metrics = hashlib.sha256(settings.metrics.model_dump_json().encode()).digest()
        stamp = (TABLE_FORMAT, version, finished, int.from_bytes(metrics[:6]))
        key = (str(store.engine.url), workspace_id)
        cached = self._tables.get(key)
        if cached and cached[0] == stamp:
            return version, cached[1]
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tables.get(key)
            if cached and cached[0] == stamp:
                return version, cached[1]
            path = self._file(settings, store, workspace_id)
            table = await asyncio.to_thread(load_table_file, path, stamp)
            if table is None:
                table = await build_table(store, settings, workspace_id)
                try:
                    await asyncio.to_thread(save_table_file, path, table, stamp)
                except OSError as exc:  # a read-only disk costs restarts time, not answers
                    log.warning("could not write the ranking copy %s: %s", path, exc)
            self._tables[key] = (stamp, table)
            return version, table


async def build_table(store: Store, settings: Settings, workspace_id: int) -> CreatorTable:
    """Load the workspace's creators, snapshots and videos; build the table off the loop."""
    async with store.engine.connect() as conn:
        profiles = await creator_profiles(conn, workspace_id)
        snapshots = await creator_snapshots(conn, workspace_id)
        videos = await creator_videos(conn, workspace_id)

    def build() -> CreatorTable:
        frame, _, _ = creator_frame(profiles, snapshots, videos, settings)
        return CreatorTable.from_frame(frame)

    return await asyncio.to_thread(build)


TABLE_FORMAT = 2  # bump when CreatorTable's arrays change meaning


def save_table_file(path: Path, table: CreatorTable, stamp: tuple[int, ...]) -> None:
    """Write a workspace's copy (plain arrays, no pickles) atomically, with the stamp of
    the data and settings it was built from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, stamp=np.array(stamp, dtype=np.int64), **table.to_arrays())
    tmp.replace(path)


def load_table_file(path: Path, stamp: tuple[int, ...]) -> CreatorTable | None:
    """The copy saved for this stamp, or None (missing, stale or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if tuple(int(x) for x in data["stamp"]) != stamp:
                return None
            return CreatorTable.from_arrays({k: data[k] for k in data.files if k != "stamp"})
    except (OSError, ValueError, KeyError):
        return None


default_cache = RankingCache()


async def refresh(store: Store, settings: Settings, workspace: str) -> int | None:
    """Bring a workspace's ranking copy (memory and file) up to date, e.g. after an import.
    Returns the data version, or None when the workspace does not exist."""
    async with store.engine.connect() as conn:
        ws = await find_workspace(conn, workspace)
    if ws is None:
        return None
    version, _ = await default_cache.table(store, settings, ws.id)
    return version


def plan_for(table: CreatorTable, brief: Brief, settings: Settings) -> BudgetPlan:
    """The budget plan over the best plan_candidates creators (no diversity rule)."""
    pool = rank(table, brief, top=settings.ranking.plan_candidates, max_per_niche=None)
    lines = []
    for c in pool.creators:
        fc = c.forecast
        if fc.cost is None or not fc.views or fc.engagements is None:
            continue
        value = outcome(brief.objective, np.array([fc.views]), np.array([fc.engagements]),
                        np.array([c.score]))[0]  # fmt: skip
        lines.append(PlanLine(c.handle, c.creator_id, fc.cost, fc.views, fc.engagements,
                              float(value), c.price_is_estimate))  # fmt: skip
    result = plan(lines, brief.budget, brief.currency, brief.objective,
                  brief.max_creators_in_plan)  # fmt: skip
    skipped = len(pool.creators) - len(lines)
    if skipped:
        result.notes.append(
            f"{skipped} of the top {len(pool.creators)} have no price in {brief.currency} or no "
            "forecast and were left out of the plan"
        )
    if any(x.price_is_estimate for x in result.picks):
        result.notes.append("prices marked ~ are estimates from the tier rate table")
    return result


async def rank_brief(
    store: Store,
    settings: Settings,
    workspace: str,
    brief: Brief,
    *,
    top: int | None = None,
    with_plan: bool = False,
    cache: RankingCache | None = None,
) -> RankResult:
    cache = cache or default_cache
    async with store.engine.connect() as conn:
        ws = await require_workspace(conn, workspace, "; import creators first")
    version, table = await cache.table(store, settings, ws.id)

    def run() -> tuple[Ranking, BudgetPlan | None]:
        ranking = rank(table, brief, top=top, max_per_niche=settings.ranking.max_per_niche)
        return ranking, plan_for(table, brief, settings) if with_plan else None

    ranking, budget_plan = await asyncio.to_thread(run)
    return RankResult(ws.name, ranking, budget_plan, version)
