"""Hashtag trends: the top hashtags of a period, and one hashtag's curve and story.

The numbers come from :mod:`scoring.trends` (formulas and label rules in its docstring) over
the workspace's daily hashtag snapshots; related hashtags from :mod:`scoring.match`.

**One series per hashtag.** A hashtag can have several sources in a region: imported daily
histories (e.g. ``campaign-bot import hashtags hashtag_daily.csv``) and the usage derived
from the workspace's stored videos (source ``videos``). An imported source wins over
``videos``; among the same kind the one with the most days wins, then the newest, then the
first by name (:func:`scoring.trends.choose_sources`). The ``videos`` series only has rows on
days with posts, so a missing day there means no new post (0), not missing data; in imported
histories a missing day is a gap, spread evenly and marked estimated.

**as_of** (default: the newest snapshot in the workspace and region) replays a past day: only
snapshots dated up to that day are read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from bot.config import Settings
from bot.db import trends_repo as repo
from bot.db.engine import Store
from bot.db.importer import VIDEO_SOURCE
from bot.db.repo import WorkspaceRef, find_workspace, require_workspace
from bot.errors import UserError
from bot.ingest.cells import country_code
from scoring.match import RelatedHashtag, normalise, related_hashtags
from scoring.trends import (
    LABEL_HELP,
    TrendParams,
    TrendResult,
    analyse,
    breakout_reasons,
    choose_sources,
    label_reason,
)

PERIODS = {"7d": 7, "30d": 30, "120d": 120}
PARAMS = TrendParams(periods=tuple(PERIODS.values()))
RANKING = (
    "ranked by views added per day: mean daily views over the period minus mean daily "
    "views over the period before (known days only); an emerging hashtag without a previous "
    "period counts from 0; hashtags without a comparison follow, by their views"
)
FORMULAS = {
    "growth": "mean daily views over the known days of the period / the same over the "
    "period before - 1 (none when either period has under a quarter of its days)",
    "momentum": "exp(slope of ln(7-day mean daily views) over the last 14 days) - 1, per day",
    "acceleration": "momentum over the last 7 days - momentum over the 7 days before",
    "daily_views": "mean daily views over the last 7 days (up to 28 for coarsely rounded data)",
}
MIN_RELATED = 0.25


class TrendsError(UserError):
    """Bad trend options, or no data to compute trends from; the message says which."""


@dataclass
class PeriodStats:
    period: str
    views: float | None
    views_prev: float | None
    days: int
    days_prev: int
    growth: float | None
    estimated_days: int
    posts: float | None
    views_per_post: float | None

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass
class TrendItem:
    """One hashtag in a top list (numbers for the list's period)."""

    hashtag: str
    label: str
    label_reason: str
    period: str
    growth: float | None
    momentum: float | None
    acceleration: float | None
    breakout: bool
    breakout_reasons: list[str]
    views: float | None
    views_prev: float | None
    days: int
    added_per_day: float | None
    daily_views: float | None
    views_per_post: float | None
    estimated_days: int
    first_seen: str | None
    last_seen: str | None
    source: str
    region: str
    as_of: str
    related_score: float | None = None
    related_reasons: list[str] = field(default_factory=list)
    series: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "series"}


@dataclass
class TopTrends:
    workspace: str
    period: str
    region: str
    niche: str | None
    as_of: str
    items: list[TrendItem]
    considered: int
    ranking: str = RANKING
    notes: list[str] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=lambda: dict(FORMULAS))

    def to_dict(self) -> dict[str, Any]:
        d = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "items"}
        d["items"] = [i.to_dict() for i in self.items]
        return d


@dataclass
class TagCreator:
    handle: str
    display_name: str | None
    niches: list[str]
    videos: int
    views: int | None
    last_posted: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass
class HashtagTrend:
    """One hashtag: its curve, numbers, label, breakouts, related tags and creators."""

    workspace: str
    hashtag: str
    description: str | None
    label: str
    label_reason: str
    label_help: str
    growth: float | None  # 7-day growth; every period in ``periods``
    momentum: float | None
    momentum_basis: str
    acceleration: float | None
    breakout: bool
    breakout_reasons: list[str]
    periods: list[PeriodStats]
    daily_views: float | None
    peak: float | None
    peak_date: str | None
    cumulative_views: float | None
    cumulative_posts: float | None
    views_per_post: float | None
    age_days: float | None
    first_seen: str | None
    last_seen: str | None
    data_days: int
    days_known: int
    estimated_days: int
    long_gap_days: int
    corrected_days: int
    source: str
    sources: dict[str, int]
    region: str
    as_of: str
    series: pd.DataFrame = field(repr=False)
    related: list[RelatedHashtag] = field(default_factory=list)
    creators: list[TagCreator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=lambda: dict(FORMULAS))

    def to_dict(self) -> dict[str, Any]:
        skip = {"series", "periods", "related", "creators"}
        d = {f: getattr(self, f) for f in self.__dataclass_fields__ if f not in skip}
        d["periods"] = {p.period: p.to_dict() for p in self.periods}
        d["related"] = [r.to_dict() for r in self.related]
        d["creators"] = [c.to_dict() for c in self.creators]
        d["series"] = [
            {
                "date": r.date.date().isoformat(),
                "daily_views": _num(r.daily_views),
                "estimated": bool(r.estimated),
                "smoothed": _num(r.smoothed),
            }
            for r in self.series.itertuples(index=False)
        ]
        return d


# --- helpers ----------------------------------------------------------------------------------


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _int(x: Any) -> int:
    f = _num(x)
    return 0 if f is None else int(f)


def _iso(d: Any) -> str | None:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    return d.isoformat() if hasattr(d, "isoformat") else str(d)


def _period(period: str) -> tuple[str, int]:
    key = str(period).strip().lower()
    if key.isdigit():
        key += "d"
    if key not in PERIODS:
        raise TrendsError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return key, PERIODS[key]


def _region(region: str | None) -> str:
    if region is None or not region.strip() or region.strip().lower() in ("worldwide", "all"):
        return ""
    code = country_code(region.strip())
    return code or region.strip().upper()


async def _workspace(conn: Any, ref: str) -> WorkspaceRef:
    hint = "; import data into it first (campaign-bot import hashtags FILE --workspace NAME)"
    return await require_workspace(conn, ref, hint)


def _region_name(region: str) -> str:
    return region or "worldwide"


async def _as_of(conn: Any, ws: WorkspaceRef, region: str, as_of: dt.date | None) -> dt.date:
    if as_of is not None:
        return as_of
    newest = await repo.newest_snapshot(conn, ws.id, region=region)
    if newest is None:
        regions = await repo.regions(conn, ws.id)
        hint = (
            f"; regions with data: {', '.join(_region_name(r) for r in sorted(regions))}"
            if regions
            else "; import a daily hashtag history with `campaign-bot import hashtags FILE`"
        )
        raise TrendsError(
            f"workspace {ws.name!r} has no hashtag history ({_region_name(region)}){hint}"
        )
    return newest


def _analyse(
    snaps: pd.DataFrame, as_of: dt.date, list_days: list[dt.date]
) -> tuple[TrendResult, pd.Series]:
    frame = snaps.rename(columns={"hashtag_id": "key", "as_of": "date"})
    chosen_rows, chosen = choose_sources(frame, derived=(VIDEO_SOURCE,))
    return analyse(chosen_rows, as_of, PARAMS, list_days=list_days), chosen


def _period_stats(row: pd.Series, name: str, w: int) -> PeriodStats:
    return PeriodStats(
        period=name,
        views=_num(row[f"views_{w}d"]),
        views_prev=_num(row[f"views_prev_{w}d"]),
        days=_int(row[f"days_{w}d"]),
        days_prev=_int(row[f"days_prev_{w}d"]),
        growth=_num(row[f"growth_{w}d"]),
        estimated_days=_int(row[f"estimated_{w}d"]),
        posts=_num(row[f"posts_{w}d"]),
        views_per_post=_num(row[f"views_per_post_{w}d"]),
    )


# --- top --------------------------------------------------------------------------------------


def rank_frame(summary: pd.DataFrame, w: int) -> pd.DataFrame:
    """The ranking of :data:`RANKING`: summary rows with data in the period, best first, with
    ``added_per_day`` (None where there is no comparison)."""
    s = summary[summary[f"days_{w}d"] > 0].copy()
    mean, prev = s[f"mean_{w}d"], s[f"mean_prev_{w}d"]
    comparable = s[f"growth_{w}d"].notna()
    from_zero = ~comparable & (s["label"] == "emerging")
    s["added_per_day"] = np.where(comparable, mean - prev, np.where(from_zero, mean, np.nan))
    s["_has"] = s["added_per_day"].notna()
    s["_key"] = np.where(s["_has"], s["added_per_day"], mean)
    s["_mean"] = mean
    s = s.sort_values(["_has", "_key", "_mean"], ascending=False, kind="stable")
    return s.drop(columns=["_has", "_key", "_mean"])


async def top(
    store: Store,
    settings: Settings,
    workspace: str,
    period: str = "7d",
    niche: str | None = None,
    region: str | None = None,
    limit: int = 10,
    as_of: dt.date | None = None,
) -> TopTrends:
    """The workspace's top hashtags of a period (see :data:`RANKING`), optionally only those
    related to a niche (by name, creators and videos: :mod:`scoring.match`)."""
    name, w = _period(period)
    if limit < 1:
        raise TrendsError("limit must be 1 or more")
    reg = _region(region)
    notes: list[str] = []
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        day = await _as_of(conn, ws, reg, as_of)
        tags = await repo.hashtags(conn, ws.id)
        related: dict[int, RelatedHashtag] = {}
        ids: list[int] | None = None
        if niche:
            vt = await repo.video_tags(conn, ws.id)
            cn = await repo.creator_niches(conn, ws.id)
            found = related_hashtags(
                tags["name"].tolist(), niches=[niche], creator_niches=cn, video_tags=vt
            )
            by_name = dict(zip(tags["name"], tags["id"].astype(int), strict=True))
            related = {by_name[r.hashtag]: r for r in found if r.hashtag in by_name}
            ids = list(related)
            if vt.empty:
                notes.append("no videos in the workspace: niche matching used hashtag names only")
        snaps = await repo.hashtag_snapshots(conn, ws.id, region=reg, until=day, hashtag_ids=ids)
        list_days = await repo.ranked_days(
            conn, ws.id, region=reg, since=day - dt.timedelta(days=40), until=day
        )
    names = dict(zip(tags["id"].astype(int), tags["name"], strict=True))
    result = TopTrends(
        workspace=ws.name, period=name, region=_region_name(reg), niche=niche,
        as_of=day.isoformat(), items=[], considered=0, notes=notes,
    )  # fmt: skip
    if niche and not related:
        result.notes.append(f"no hashtag in the workspace is related to the niche {niche!r}")
        return result
    if snaps.empty:
        which = f"none of the {len(related)} hashtags related to {niche!r} has" if niche else "no"
        result.notes.append(f"{which} hashtag history up to {day} ({_region_name(reg)})")
        return result
    trends, chosen = _analyse(snaps, day, list_days)
    summary = trends.summary
    result.considered = len(summary)
    ranked = rank_frame(summary, w)
    if ranked.empty:
        result.notes.append(f"no hashtag has daily views in the {name} up to {day}")
    for key, row in ranked.head(limit).iterrows():
        rel = related.get(int(key))
        result.items.append(
            TrendItem(
                hashtag=names.get(int(key), str(key)),
                label=row["label"],
                label_reason=label_reason(row, PARAMS),
                period=name,
                growth=_num(row[f"growth_{w}d"]),
                momentum=_num(row["momentum"]),
                acceleration=_num(row["acceleration"]),
                breakout=bool(row["breakout"]),
                breakout_reasons=breakout_reasons(row, PARAMS),
                views=_num(row[f"views_{w}d"]),
                views_prev=_num(row[f"views_prev_{w}d"]),
                days=_int(row[f"days_{w}d"]),
                added_per_day=_num(row["added_per_day"]),
                daily_views=_num(row["level"]),
                views_per_post=_num(row[f"views_per_post_{w}d"]),
                estimated_days=_int(row[f"estimated_{w}d"]),
                first_seen=_iso(row["first_seen"]),
                last_seen=_iso(row["last_seen"]),
                source=str(chosen.get(key, "")),
                region=_region_name(reg),
                as_of=day.isoformat(),
                related_score=rel.score if rel else None,
                related_reasons=list(rel.reasons) if rel else [],
                series=trends.series(key, days=max(2 * w, 30)),
            )
        )
    est = sum(1 for i in result.items if i.estimated_days)
    if est:
        result.notes.append(
            f"{est} of these hashtags have estimated days in the period (a gap in the data, "
            "spread evenly over the missing days)"
        )
    return result


# --- one hashtag ------------------------------------------------------------------------------


async def hashtag(
    store: Store,
    settings: Settings,
    workspace: str,
    tag: str,
    as_of: dt.date | None = None,
    *,
    region: str | None = None,
) -> HashtagTrend:
    """One hashtag's trend: daily curve, growth per period, label with its reason, breakouts,
    related hashtags and the workspace's creators who use it."""
    name = normalise(tag)
    if not name:
        raise TrendsError(f"{tag!r} is not a hashtag name")
    reg = _region(region)
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        found = await repo.hashtags(conn, ws.id, names=[name])
        if found.empty:
            every = (await repo.hashtags(conn, ws.id))["name"].tolist()
            close = [m[0] for m in process.extract(name, every, scorer=fuzz.WRatio, limit=3)
                     if m[1] >= 70]  # fmt: skip
            hint = f"; did you mean {', '.join('#' + c for c in close)}?" if close else ""
            raise TrendsError(f"no hashtag #{name} in workspace {ws.name!r}{hint}")
        tag_id = int(found["id"].iloc[0])
        description = found["description"].iloc[0]
        day = await _as_of(conn, ws, reg, as_of)
        snaps = await repo.hashtag_snapshots(
            conn, ws.id, region=reg, until=day, hashtag_ids=[tag_id]
        )
        if snaps.empty:
            raise TrendsError(
                f"#{name} has no daily history up to {day} ({_region_name(reg)}) in workspace "
                f"{ws.name!r}"
            )
        list_days = await repo.ranked_days(
            conn, ws.id, region=reg, since=day - dt.timedelta(days=40), until=day
        )
        every_tag = (await repo.hashtags(conn, ws.id))["name"].tolist()
        vt = await repo.video_tags(conn, ws.id, hashtag_ids=[tag_id])
        usage, total_videos = await repo.tag_usage(conn, ws.id)
        users = await repo.tag_creators(conn, ws.id, tag_id, until=day)

    trends, chosen = _analyse(snaps, day, list_days)
    row = trends.summary.loc[tag_id]
    sources = snaps[snaps["views"].notna()].groupby("source")["as_of"].nunique()
    notes: list[str] = []
    source = str(chosen.get(tag_id, ""))
    if len(sources) > 1:
        notes.append(
            f"{len(sources)} sources have this hashtag; the series shown is {source!r} "
            "(an imported history wins over 'videos', then the longest)"
        )
    if source == VIDEO_SOURCE:
        notes.append(
            "this series is derived from the workspace's stored videos: daily views here are "
            "the views of the stored videos posted that day, and a day without a post is 0"
        )
    if row["estimated_days"]:
        long_gaps = ""
        if row["long_gap_days"]:
            long_gaps = (f" ({int(row['long_gap_days'])} of them in gaps over "
                         f"{PARAMS.max_gap_days} days, left out of the statistics)")  # fmt: skip
        notes.append(
            f"{int(row['estimated_days'])} days are estimated: gaps in the data, whose views "
            f"are spread evenly over the missing days{long_gaps}"
        )
    related = related_hashtags(
        every_tag, keywords=[name], video_tags=vt, seeds=[name], exclude=[name],
        video_usage=usage, total_videos=total_videos, limit=10,
    )  # fmt: skip
    creators = [
        TagCreator(
            handle=r.handle,
            display_name=r.display_name if isinstance(r.display_name, str) else None,
            niches=[n for n in (r.niches or "").split(",") if n],
            videos=int(r.videos),
            views=None if _num(r.views) is None else int(r.views),
            last_posted=_iso(r.last_posted),
        )
        for r in users.sort_values(["videos", "views"], ascending=False).itertuples(index=False)
    ]
    peak_date = None
    if not pd.isna(row["peak_age"]):
        peak_date = (day - dt.timedelta(days=int(row["peak_age"]))).isoformat()
    series = trends.series(tag_id)
    return HashtagTrend(
        workspace=ws.name,
        hashtag=name,
        description=description if isinstance(description, str) else None,
        label=row["label"],
        label_reason=label_reason(row, PARAMS),
        label_help=LABEL_HELP[row["label"]],
        growth=_num(row["growth_7d"]),
        momentum=_num(row["momentum"]),
        momentum_basis=str(row["momentum_basis"]),
        acceleration=_num(row["acceleration"]),
        breakout=bool(row["breakout"]),
        breakout_reasons=breakout_reasons(row, PARAMS),
        periods=[_period_stats(row, k, w) for k, w in PERIODS.items()],
        daily_views=_num(row["level"]),
        peak=_num(row["peak"]),
        peak_date=peak_date,
        cumulative_views=_num(row["cumulative_views"]),
        cumulative_posts=_num(row["cumulative_posts"]),
        views_per_post=_num(row["views_per_post"]),
        age_days=_num(row["age_days"]),
        first_seen=_iso(row["first_seen"]),
        last_seen=_iso(row["last_seen"]),
        data_days=_int(row["data_days"]),
        days_known=_int(row["days_known"]),
        estimated_days=_int(row["estimated_days"]),
        long_gap_days=_int(row["long_gap_days"]),
        corrected_days=_int(row["corrected_days"]),
        source=source,
        sources={str(k): int(v) for k, v in sources.items()},
        region=_region_name(reg),
        as_of=day.isoformat(),
        series=series,
        related=related,
        creators=creators,
        notes=notes,
    )


async def hashtag_names(store: Store, workspace: str) -> list[str]:
    """The workspace's hashtag names, sorted (for autocomplete)."""
    async with store.engine.connect() as conn:
        ws = await find_workspace(conn, workspace)
        if ws is None:
            return []
        names = (await repo.hashtags(conn, ws.id))["name"]
    return sorted(str(n) for n in names)
