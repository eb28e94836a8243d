"""Creator look-ups: one profile card, or a filtered search.

A creator's numbers can come from several sources on several dates (a creator export, a video
export, a daily follower history). The profile takes, for each metric, the newest value any
source gave, and remembers that value's date and source, so every number can say where it
came from.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bot.config import Settings
from bot.db.engine import Store
from bot.db.repo import (
    SNAPSHOT_METRICS,
    WorkspaceRef,
    creator_profiles,
    creator_snapshots,
    creator_videos,
    find_workspace,
    handle_labels,
    require_workspace,
)
from bot.errors import UserError
from bot.ingest.cells import country_code
from scoring.metrics import (
    DEFAULT_TIER_ER,
    ER_FOLLOWERS_FORMULA,
    ER_VIEWS_FORMULA,
    PriceTable,
    engagement,
    estimate_price,
    flag_reasons,
    growth,
    risk_flags,
    tier,
    video_stats,
)
from scoring.rank import filter_rows

FORMULAS = {
    "engagement_rate_views": ER_VIEWS_FORMULA,
    "engagement_rate_followers": ER_FOLLOWERS_FORMULA,
    "share_rate": "average shares / average views",
    "comment_rate": "average comments / average views",
    "like_rate": "average likes / average views",
    "reach_ratio": "expected views per video / followers",
    "views": "median views of recent videos where known, else average views",
    "growth_30": "change in followers over the last 30 days of snapshots",
    "growth_90": "change in followers over the last 90 days of snapshots",
    "consistency": "1 / (1 + coefficient of variation of views over recent videos)",
    "posts_per_week": "recent videos per week between the first and last of them",
}


class CreatorNotFound(UserError):
    """No creator with that handle in the workspace."""


class BadFilter(UserError):
    """A search filter is out of range; the message names it."""


@dataclass(frozen=True)
class Provenance:
    as_of: str
    source: str


@dataclass
class CreatorProfile:
    handle: str
    display_name: str | None = None
    platform_id: str | None = None
    country: str | None = None
    language: str | None = None
    niches: list[str] = field(default_factory=list)
    bio: str | None = None
    verified: bool | None = None
    tier: str | None = None
    followers: int | None = None
    following: int | None = None
    total_likes: int | None = None
    video_count: int | None = None
    avg_views: float | None = None
    median_views: float | None = None
    avg_likes: float | None = None
    avg_comments: float | None = None
    avg_shares: float | None = None
    avg_saves: float | None = None
    avg_watch_time_s: float | None = None
    completion_rate: float | None = None
    engagement_rate_views: float | None = None
    engagement_rate_views_basis: str | None = None
    engagement_rate_followers: float | None = None
    engagement_rate_followers_basis: str | None = None
    reported_engagement_rate: float | None = None
    share_rate: float | None = None
    comment_rate: float | None = None
    like_rate: float | None = None
    views: float | None = None  # expected views per video
    reach_ratio: float | None = None
    growth_30: float | None = None
    growth_90: float | None = None
    consistency: float | None = None
    posts_per_week: float | None = None
    risk: float = 0.0
    risk_flags: list[str] = field(default_factory=list)
    videos_sampled: int | None = None
    audience_age: dict[str, float] | None = None
    audience_gender: dict[str, float] | None = None
    audience_countries: dict[str, float] | None = None
    price: float | None = None
    price_currency: str | None = None
    price_is_estimate: bool = False
    price_source: str | None = None
    as_of: str | None = None  # date of the newest number shown
    source: str | None = None  # where the newest number came from
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["niches"] = list(self.niches)
        d["risk_flags"] = list(self.risk_flags)
        d["provenance"] = {k: asdict(v) for k, v in self.provenance.items()}
        return d

    @property
    def sources(self) -> list[str]:
        """Distinct sources behind the numbers, newest first."""
        ordered = sorted(self.provenance.values(), key=lambda p: p.as_of, reverse=True)
        return list(dict.fromkeys(p.source for p in ordered))


@dataclass
class SearchResult:
    workspace: str
    creators: list[CreatorProfile]
    matched: int
    filters: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def latest_values(snapshots: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per creator and metric, the newest non-missing value, and its as_of and source.

    ``snapshots`` must be sorted oldest first. Returns (values, as_of, source), each indexed
    by creator_id with one column per metric.
    """
    metrics = [m for m in SNAPSHOT_METRICS if m in snapshots]
    creator = snapshots["creator_id"].to_numpy()
    index = pd.Index(pd.unique(creator), name="creator_id")
    # One pass for every metric: the position of each metric's newest present value per
    # creator (rows are oldest first, so the largest position), then gather through it.
    present = snapshots[metrics].notna().to_numpy()
    positions = np.where(present, np.arange(len(snapshots))[:, None], -1)
    newest = pd.DataFrame(positions, columns=metrics).groupby(creator, sort=False).max()
    newest = newest.reindex(index).to_numpy()
    found = newest >= 0
    safe = np.where(found, newest, 0)

    def gather(column: np.ndarray) -> pd.DataFrame:
        data = np.where(found, column[safe], None)
        return pd.DataFrame(data, index=index, columns=metrics)

    values = pd.DataFrame(
        {
            m: pd.Series(snapshots[m].to_numpy(dtype=object)[safe[:, j]], index=index).where(
                found[:, j]
            )
            for j, m in enumerate(metrics)
        },
        index=index,
    )
    dates = gather(snapshots["as_of"].to_numpy(dtype=object))
    sources = gather(snapshots["source"].to_numpy(dtype=object))
    return values, dates, sources


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NaT:
        return None
    return v


INT_FIELDS = {"followers", "following", "total_likes", "video_count", "videos_sampled"}


def price_table(settings: Settings) -> PriceTable:
    m = settings.metrics
    return PriceTable(
        currency=m.currency,
        per_1k_followers=m.price_per_1k_followers.model_dump(),
        min_price=m.min_price,
        bounds=m.tiers.model_dump(),
    )


def _ratio_col(num: pd.Series, den: pd.Series) -> np.ndarray:
    n = pd.to_numeric(num, errors="coerce").to_numpy(dtype="float64")
    d = pd.to_numeric(den, errors="coerce").to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / d, np.nan)


def creator_frame(
    profiles: pd.DataFrame, snapshots: pd.DataFrame, videos: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One row per profile (same order): the profile, the newest value of every metric, and
    every derived metric (engagement rates and their basis, share / comment / like rates,
    expected views, reach, tier, price, growth, consistency, cadence, authenticity flags).

    Returns (frame, as_of per metric, source per metric). This is the one place metrics are
    put together; profile cards, search, export and the ranking table all read it.
    """
    ids = profiles["id"].astype(int).to_numpy()
    if snapshots.empty:
        values = pd.DataFrame(index=pd.Index([], name="creator_id"))
        dates = sources = values
    else:
        values, dates, sources = latest_values(snapshots)
    values, dates, sources = values.reindex(ids), dates.reindex(ids), sources.reindex(ids)
    for m in SNAPSHOT_METRICS:
        if m not in values:
            values[m] = np.nan
    values = values.astype(object).where(values.notna(), np.nan)
    frame = profiles.reset_index(drop=True).copy()
    for m in SNAPSHOT_METRICS:
        frame[m] = values[m].to_numpy()
    em = engagement(values)
    for c in em.columns:
        frame[c] = em[c].to_numpy()
    frame["share_rate"] = _ratio_col(values["avg_shares"], values["avg_views"])
    frame["comment_rate"] = _ratio_col(values["avg_comments"], values["avg_views"])
    frame["like_rate"] = _ratio_col(values["avg_likes"], values["avg_views"])
    median = pd.to_numeric(values["median_views"], errors="coerce")
    frame["views"] = median.where(
        median.notna(), pd.to_numeric(values["avg_views"], errors="coerce")
    ).to_numpy()
    frame["reach_ratio"] = _ratio_col(frame["views"], values["followers"])
    tiers = tier(values["followers"], settings.metrics.tiers.model_dump())
    frame["tier"] = tiers
    table = price_table(settings)
    estimates = estimate_price(values["followers"], table)
    quoted = pd.to_numeric(frame["price_quote"], errors="coerce").notna().to_numpy()
    frame["price"] = np.where(
        quoted, pd.to_numeric(frame["price_quote"], errors="coerce"), np.round(estimates)
    )
    frame["price_is_estimate"] = ~quoted & ~np.isnan(estimates)
    frame["price_currency"] = np.where(
        quoted,
        frame["price_currency"].to_numpy(dtype=object),
        np.where(np.isnan(estimates), None, table.currency),
    )
    frame["price_source"] = np.where(
        quoted, frame["price_source"].fillna("quote").to_numpy(dtype=object),
        [f"estimate: {t} tier rate per 1,000 followers" if t else None for t in tiers],
    )  # fmt: skip
    for name, column, days in (("growth_30", "followers", 30), ("growth_90", "followers", 90),
                               ("views_growth_30", "avg_views", 30)):  # fmt: skip
        g = growth(snapshots, column, days) if not snapshots.empty else pd.Series(dtype=float)
        frame[name] = g.reindex(ids).to_numpy(dtype="float64")
    recent = settings.metrics.recent_videos
    stats = video_stats(videos, recent) if not videos.empty else pd.DataFrame(
        columns=["creator_id", "consistency", "posts_per_week", "max_views",
                 "video_median_views"])  # fmt: skip
    stats = stats.set_index("creator_id").reindex(ids)
    for c in ("consistency", "posts_per_week", "max_views", "video_median_views"):
        frame[c] = pd.to_numeric(stats[c], errors="coerce").to_numpy(dtype="float64")
    bits, risk = risk_flags(frame, DEFAULT_TIER_ER)
    frame["risk_bits"], frame["risk"] = bits, risk
    return frame, dates, sources


def build_profiles(
    profiles: pd.DataFrame, snapshots: pd.DataFrame, videos: pd.DataFrame, settings: Settings
) -> list[CreatorProfile]:
    """Profile rows + their snapshots and videos -> CreatorProfile objects (same order)."""
    if profiles.empty:
        return []
    frame, dates, sources = creator_frame(profiles, snapshots, videos, settings)
    return profiles_from_frame(frame, dates, sources)


def profiles_from_frame(
    frame: pd.DataFrame, dates: pd.DataFrame, sources: pd.DataFrame
) -> list[CreatorProfile]:
    """CreatorProfile objects for the rows of a creator_frame result."""
    fields = [f for f in CreatorProfile.__dataclass_fields__ if f in frame.columns
              and f not in ("niches", "handle", "provenance")]  # fmt: skip
    rows = frame[fields].to_numpy(dtype=object)
    date_cols, date_rows = list(dates.columns), dates.to_numpy(dtype=object)
    source_rows = sources.to_numpy(dtype=object)
    niches = frame["niches"].to_numpy(dtype=object)
    out: list[CreatorProfile] = []
    for i, handle in enumerate(frame["handle"].to_numpy(dtype=object)):
        prov = {
            m: Provenance(d.isoformat(), str(src))
            for m, d, src in zip(date_cols, date_rows[i], source_rows[i], strict=True)
            if d is not None and not pd.isna(d)
        }
        p = CreatorProfile(handle=handle, niches=[n for n in (niches[i] or "").split(",") if n],
                           provenance=prov)  # fmt: skip
        for f, val in zip(fields, rows[i], strict=True):
            val = _clean(val)
            if val is not None and f in INT_FIELDS:
                val = int(val)
            if isinstance(val, str) and f.endswith("_basis") and not val:
                val = None
            setattr(p, f, val)
        p.price_is_estimate = bool(p.price_is_estimate)
        bits = int(frame["risk_bits"].iat[i])
        p.risk_flags = flag_reasons(bits, frame.iloc[i].to_dict(), DEFAULT_TIER_ER) if bits else []
        if prov:
            newest = max(prov.values(), key=lambda x: x.as_of)
            p.as_of, p.source = newest.as_of, newest.source
        elif _clean(frame["profile_as_of"].iat[i]) is not None:
            p.as_of = frame["profile_as_of"].iat[i].isoformat()
        out.append(p)
    return out


async def _workspace(conn: Any, ref: str) -> WorkspaceRef:
    hint = "; import data into it first (campaign-bot import ... --workspace NAME)"
    return await require_workspace(conn, ref, hint)


async def require(store: Store, workspace: str, handle: str) -> str:
    """The normalised handle of a creator the workspace has; CreatorNotFound otherwise. One
    indexed query: cheap enough to answer a typo before any slower work starts."""
    wanted = handle.strip().lstrip("@").lower()
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        found = await handle_labels(conn, ws.id, prefix=wanted, limit=1)
    if not found or found[0][0] != wanted:
        raise CreatorNotFound(
            f"no creator @{wanted} in this workspace; check the spelling, or import them with "
            "/data import"
        )
    return wanted


async def show(store: Store, settings: Settings, workspace: str, handle: str) -> CreatorProfile:
    wanted = handle.strip().lstrip("@").lower()
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        profiles = await creator_profiles(conn, ws.id, handles=[wanted])
        if profiles.empty:
            raise CreatorNotFound(
                f"no creator @{wanted} in workspace {ws.name!r}; "
                "try `campaign-bot creators search` to see who is there"
            )
        ids = profiles["id"].astype(int).tolist()
        snaps = await creator_snapshots(conn, ws.id, ids)
        videos = await creator_videos(conn, ws.id, ids)
    return build_profiles(profiles, snaps, videos, settings)[0]


async def search(
    store: Store,
    settings: Settings,
    workspace: str,
    *,
    niche: str | None = None,
    country: str | None = None,
    min_followers: int | None = None,
    max_followers: int | None = None,
    min_engagement: float | None = None,
    max_price: float | None = None,
    currency: str | None = None,
    limit: int = 20,
) -> SearchResult:
    """Creators matching every filter, most followed first.

    min_engagement is an engagement rate by views as a fraction (0.05 = 5%). max_price
    compares the quote, or the labelled estimate, in ``currency`` (default: the config's);
    creators priced in another currency are left out and counted in the notes.
    """
    if limit < 1:
        raise BadFilter("limit must be 1 or more")
    for name, value in (("min_followers", min_followers), ("max_followers", max_followers),
                        ("max_price", max_price)):  # fmt: skip
        if value is not None and value < 0:
            raise BadFilter(f"{name} must be 0 or more, not {value}")
    if min_engagement is not None and not 0 <= min_engagement <= 1:
        raise BadFilter(f"min_engagement must be a fraction between 0 and 1, not {min_engagement}")
    if min_followers is not None and max_followers is not None and min_followers > max_followers:
        raise BadFilter("min_followers is above max_followers")
    currency = (currency or settings.metrics.currency).upper()
    # The filters run on the workspace's columnar copy (the one ranking uses, current with
    # the newest import): a 100,000-creator workspace is searched in milliseconds, and only
    # the page shown is read from the database. Imported here: ranking builds its copy
    # with this module's creator_frame.
    from bot.services.ranking import default_cache

    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
    _, table = await default_cache.table(store, settings, ws.id)
    countries: list[str] = []
    if country:  # as stored, matched case-insensitively; an unknown one matches nobody
        wanted = (country_code(country) or country).upper()
        countries = [c for c in table.countries if c.upper() == wanted] or [wanted]
    rows, _, notes = filter_rows(
        table,
        min_followers=min_followers,
        max_followers=max_followers,
        countries=countries,
        niches=[niche.strip().lower()] if niche else None,
        min_engagement=min_engagement,
        max_price=max_price,
        currency=currency,
    )
    followers = table.followers[rows]
    # most followed first, unknown last, ties by handle
    order = np.lexsort((table.handle_order[rows], -np.nan_to_num(followers, nan=-1.0)))
    page = [table.handles[int(r)] for r in rows[order[:limit]]]
    async with store.engine.connect() as conn:
        profiles = await creator_profiles(conn, ws.id, handles=page)
        ids = profiles["id"].astype(int).tolist()
        snaps = await creator_snapshots(conn, ws.id, ids)
        videos = await creator_videos(conn, ws.id, ids)
    found = build_profiles(profiles, snaps, videos, settings)
    # the copy's follower counts are float32; the page is ordered by the exact ones
    found.sort(key=lambda p: (-(p.followers if p.followers is not None else -1), p.handle))
    filters = {
        "niche": niche, "country": country, "min_followers": min_followers,
        "max_followers": max_followers, "min_engagement": min_engagement,
        "max_price": max_price, "currency": currency if max_price is not None else None,
    }  # fmt: skip
    return SearchResult(
        workspace=ws.name,
        creators=found,
        matched=len(rows),
        filters={k: v for k, v in filters.items() if v is not None},
        notes=notes,
    )


@dataclass
class History:
    handle: str
    frame: pd.DataFrame  # as_of, followers, views, source (oldest first)


async def history(store: Store, workspace: str, handle: str) -> History:
    """A creator's follower and views history from every snapshot (for the growth chart)."""
    wanted = handle.strip().lstrip("@").lower()
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        profiles = await creator_profiles(conn, ws.id, handles=[wanted])
        if profiles.empty:
            raise CreatorNotFound(f"no creator @{wanted} in this workspace")
        snaps = await creator_snapshots(conn, ws.id, profiles["id"].astype(int).tolist())
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(snaps["as_of"]),
            "followers": pd.to_numeric(snaps["followers"], errors="coerce"),
            "views": pd.to_numeric(snaps["median_views"], errors="coerce").fillna(
                pd.to_numeric(snaps["avg_views"], errors="coerce")),
            "source": snaps["source"],
        }
    )  # fmt: skip
    return History(wanted, frame)


async def suggest_handles(
    store: Store, workspace: str, typed: str, limit: int = 25
) -> list[tuple[str, str]]:
    """(handle, label) for autocomplete: prefix matches first, then fuzzy ones."""
    from rapidfuzz import fuzz, process

    from bot.db.repo import handle_labels

    text = typed.strip().lstrip("@").lower()
    async with store.engine.connect() as conn:
        ws = await find_workspace(conn, workspace)
        if ws is None:
            return []
        prefix = await handle_labels(conn, ws.id, prefix=text, limit=limit)
        if len(prefix) >= limit or not text:
            return prefix[:limit]
        everyone = await handle_labels(conn, ws.id, prefix=None, limit=None)
    seen = {h for h, _ in prefix}
    labels = dict(everyone)
    fuzzy = process.extract(text, list(labels), scorer=fuzz.WRatio, limit=limit * 2,
                            score_cutoff=60)  # fmt: skip
    extra = [(h, labels[h]) for h, _, _ in fuzzy if h not in seen]
    return (prefix + extra)[:limit]
