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
    WorkspaceNotFound,
    WorkspaceRef,
    creator_profiles,
    creator_snapshots,
    find_workspace,
)
from bot.errors import UserError
from bot.ingest.cells import country_code
from scoring.metrics import (
    ER_FOLLOWERS_FORMULA,
    ER_VIEWS_FORMULA,
    PriceTable,
    engagement,
    estimate_price,
    tier,
)

FORMULAS = {
    "engagement_rate_views": ER_VIEWS_FORMULA,
    "engagement_rate_followers": ER_FOLLOWERS_FORMULA,
    "share_rate": "average shares / average views",
    "comment_rate": "average comments / average views",
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
    values, dates, sources = {}, {}, {}
    for m in metrics:
        present = snapshots[snapshots[m].notna()]
        last = present.groupby("creator_id", sort=False).tail(1).set_index("creator_id")
        values[m], dates[m], sources[m] = last[m], last["as_of"], last["source"]
    index = pd.Index(pd.unique(snapshots["creator_id"]), name="creator_id")

    def frame(cols: dict[str, pd.Series]) -> pd.DataFrame:
        return pd.DataFrame({k: v.reindex(index) for k, v in cols.items()}, index=index)

    return frame(values), frame(dates), frame(sources)


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


def build_profiles(
    profiles: pd.DataFrame, snapshots: pd.DataFrame, settings: Settings
) -> list[CreatorProfile]:
    """Profile rows + their snapshots -> CreatorProfile objects (same order as profiles)."""
    if profiles.empty:
        return []
    if snapshots.empty:
        values = pd.DataFrame(index=pd.Index([], name="creator_id"))
        dates = sources = values
    else:
        values, dates, sources = latest_values(snapshots)
    ids = profiles["id"].astype(int).to_numpy()
    values = values.reindex(ids)
    dates, sources = dates.reindex(ids), sources.reindex(ids)
    for m in SNAPSHOT_METRICS:
        if m not in values:
            values[m] = None
    metrics = engagement(values.astype(object).where(values.notna(), np.nan))
    tiers = tier(values["followers"], settings.metrics.tiers.model_dump())
    table = price_table(settings)
    estimates = estimate_price(values["followers"], table)
    avg_views = pd.to_numeric(values["avg_views"], errors="coerce").to_numpy(dtype="float64")
    metric_names = [m for m in SNAPSHOT_METRICS if m in CreatorProfile.__dataclass_fields__]
    value_rows = values[metric_names].to_numpy(dtype=object)
    date_cols, date_rows = list(dates.columns), dates.to_numpy(dtype=object)
    source_rows = sources.to_numpy(dtype=object)
    em_rows = metrics.to_numpy(dtype=object)
    out: list[CreatorProfile] = []
    for i, row in enumerate(profiles.itertuples(index=False)):
        prov = {
            m: Provenance(d.isoformat(), str(src))
            for m, d, src in zip(date_cols, date_rows[i], source_rows[i], strict=True)
            if d is not None and not pd.isna(d)
        }
        p = CreatorProfile(
            handle=row.handle,
            display_name=_clean(row.display_name),
            platform_id=_clean(row.platform_id),
            country=_clean(row.country),
            language=_clean(row.language),
            niches=[n for n in (row.niches or "").split(",") if n],
            bio=_clean(row.bio),
            verified=_clean(row.verified),
            tier=tiers[i],
            provenance=prov,
        )
        for m, val in zip(metric_names, value_rows[i], strict=True):
            val = _clean(val)
            if val is not None and m in INT_FIELDS:
                val = int(val)
            setattr(p, m, val)
        er_v, er_v_basis, er_f, er_f_basis = em_rows[i]
        p.engagement_rate_views = _clean(er_v)
        p.engagement_rate_views_basis = er_v_basis or None
        p.engagement_rate_followers = _clean(er_f)
        p.engagement_rate_followers_basis = er_f_basis or None
        if avg_views[i] > 0:
            p.share_rate = _ratio(p.avg_shares, avg_views[i])
            p.comment_rate = _ratio(p.avg_comments, avg_views[i])
        if _clean(row.price_quote) is not None:
            p.price, p.price_currency = float(row.price_quote), row.price_currency
            p.price_source = _clean(row.price_source) or "quote"
        elif not math.isnan(estimates[i]):
            p.price, p.price_currency = round(float(estimates[i]), 2), table.currency
            p.price_is_estimate = True
            p.price_source = f"estimate: {p.tier} tier rate per 1,000 followers"
        if prov:
            newest = max(prov.values(), key=lambda x: x.as_of)
            p.as_of, p.source = newest.as_of, newest.source
        elif _clean(row.profile_as_of) is not None:
            p.as_of = row.profile_as_of.isoformat()
        out.append(p)
    return out


def _ratio(num: float | None, den: float) -> float | None:
    return None if num is None else num / den


async def _workspace(conn: Any, ref: str) -> WorkspaceRef:
    ws = await find_workspace(conn, ref)
    if ws is None:
        raise WorkspaceNotFound(
            f"there is no workspace {ref!r}; import data into it first "
            "(campaign-bot import ... --workspace NAME)"
        )
    return ws


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
        snaps = await creator_snapshots(conn, ws.id, profiles["id"].astype(int).tolist())
    return build_profiles(profiles, snaps, settings)[0]


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
    async with store.engine.connect() as conn:
        ws = await _workspace(conn, workspace)
        profiles = await creator_profiles(
            conn, ws.id, niche=niche, country=country and (country_code(country) or country)
        )
        snaps = await creator_snapshots(conn, ws.id, profiles["id"].astype(int).tolist())
    found = build_profiles(profiles, snaps, settings)
    notes: list[str] = []
    other_currency = 0

    def keep(p: CreatorProfile) -> bool:
        nonlocal other_currency
        if min_followers is not None and (p.followers is None or p.followers < min_followers):
            return False
        if max_followers is not None and (p.followers is None or p.followers > max_followers):
            return False
        if min_engagement is not None and (
            p.engagement_rate_views is None or p.engagement_rate_views < min_engagement
        ):
            return False
        if max_price is not None:
            if p.price is None:
                return False
            if p.price_currency != currency:
                other_currency += 1
                return False
            if p.price > max_price:
                return False
        return True

    matches = [p for p in found if keep(p)]
    if other_currency:
        notes.append(
            f"{other_currency} creators priced in another currency than {currency} were left "
            "out of the price filter (no exchange rates are applied)"
        )
    matches.sort(key=lambda p: (-(p.followers or -1), p.handle))
    filters = {
        "niche": niche, "country": country, "min_followers": min_followers,
        "max_followers": max_followers, "min_engagement": min_engagement,
        "max_price": max_price, "currency": currency if max_price is not None else None,
    }  # fmt: skip
    return SearchResult(
        workspace=ws.name,
        creators=matches[:limit],
        matched=len(matches),
        filters={k: v for k, v in filters.items() if v is not None},
        notes=notes,
    )
