"""Creator metrics: small pure functions over arrays, each formula in its docstring.

Nothing here reads a file, a database or Discord; callers pass columns and get columns back.
Missing values are NaN and stay NaN: a count that is not in the data is never taken as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

TIER_NAMES = ("nano", "micro", "mid", "macro", "mega")
DEFAULT_TIER_BOUNDS = {"micro": 10_000, "mid": 100_000, "macro": 500_000, "mega": 1_000_000}

ER_VIEWS_FORMULA = "(likes + comments + shares) / views"
ER_FOLLOWERS_FORMULA = "(likes + comments + shares) per video / followers"


def _f(x: object) -> np.ndarray:
    return pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def interactions(likes: object, comments: object, shares: object) -> np.ndarray:
    """likes + comments + shares, with comments or shares left out where missing.

    NaN where likes are missing: likes are the base every engagement rate needs."""
    lk, cm, sh = _f(likes), _f(comments), _f(shares)
    total = lk + np.nan_to_num(cm) + np.nan_to_num(sh)
    return np.where(np.isnan(lk), np.nan, total)


def engagement_rate_by_views(
    likes: object, comments: object, shares: object, views: object
) -> np.ndarray:
    """ER by views = (likes + comments + shares) / views; NaN where views <= 0 or missing."""
    v = _f(views)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, interactions(likes, comments, shares) / v, np.nan)


def engagement_rate_by_followers(
    likes: object, comments: object, shares: object, followers: object
) -> np.ndarray:
    """ER by followers = (likes + comments + shares) per video / followers."""
    f = _f(followers)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(f > 0, interactions(likes, comments, shares) / f, np.nan)


def _counts_note(comments: np.ndarray, shares: np.ndarray) -> np.ndarray:
    missing = np.where(
        np.isnan(comments) & np.isnan(shares),
        " (likes only: no comment or share counts in the data)",
        np.where(
            np.isnan(comments),
            " (no comment counts in the data)",
            np.where(np.isnan(shares), " (no share counts in the data)", ""),
        ),
    )
    return missing


def engagement(frame: pd.DataFrame) -> pd.DataFrame:
    """Both engagement rates for creators, with the basis each was computed on.

    ``frame`` may hold: followers, avg_views, median_views, avg_likes, avg_comments,
    avg_shares, median_engagement_rate, videos_sampled.

    - engagement_rate_views: the median over recent videos of the per-video
      (likes + comments + shares) / views where videos were imported; otherwise
      (avg likes + avg comments + avg shares) / avg views from the per-video averages
      (median views when there is no average).
    - engagement_rate_followers: (avg likes + avg comments + avg shares) / followers.
    """
    col = {c: _f(frame[c]) if c in frame else np.full(len(frame), np.nan) for c in (
        "followers", "avg_views", "median_views", "avg_likes", "avg_comments", "avg_shares",
        "median_engagement_rate", "videos_sampled")}  # fmt: skip
    note = _counts_note(col["avg_comments"], col["avg_shares"])
    use_avg = ~np.isnan(col["avg_views"])
    views = np.where(use_avg, col["avg_views"], col["median_views"])
    from_averages = engagement_rate_by_views(
        col["avg_likes"], col["avg_comments"], col["avg_shares"], views
    )
    from_videos = col["median_engagement_rate"]
    has_videos = ~np.isnan(from_videos)
    er_views = np.where(has_videos, from_videos, from_averages)
    n = np.nan_to_num(col["videos_sampled"]).astype(int)
    basis_views = np.where(
        has_videos,
        [f"median over {k} recent videos of {ER_VIEWS_FORMULA}" for k in n],
        np.where(
            np.isnan(from_averages),
            "",
            np.char.add(
                np.where(
                    use_avg,
                    "average likes, comments and shares / average views",
                    "average likes, comments and shares / median views",
                ),
                note,
            ),
        ),
    )
    er_followers = engagement_rate_by_followers(
        col["avg_likes"], col["avg_comments"], col["avg_shares"], col["followers"]
    )
    basis_followers = np.where(
        np.isnan(er_followers),
        "",
        np.char.add("average likes, comments and shares / followers", note),
    )
    return pd.DataFrame(
        {
            "engagement_rate_views": er_views,
            "engagement_rate_views_basis": basis_views,
            "engagement_rate_followers": er_followers,
            "engagement_rate_followers_basis": basis_followers,
        },
        index=frame.index,
    )


def tier(followers: object, bounds: Mapping[str, int] = DEFAULT_TIER_BOUNDS) -> np.ndarray:
    """nano < micro <= ... : nano below bounds['micro'], micro from it up to bounds['mid'],
    mid up to bounds['macro'], macro up to bounds['mega'], mega from bounds['mega'] up.
    Defaults: nano < 10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega >= 1M.
    None where followers are unknown."""
    f = _f(followers)
    edges = [bounds["micro"], bounds["mid"], bounds["macro"], bounds["mega"]]
    idx = np.searchsorted(np.asarray(edges, dtype="float64"), np.nan_to_num(f), side="right")
    names = np.asarray(TIER_NAMES, dtype=object)[idx]
    return np.where(np.isnan(f), None, names)


@dataclass(frozen=True)
class PriceTable:
    """Price of one sponsored video per 1,000 followers, by tier, and a floor."""

    currency: str
    per_1k_followers: Mapping[str, float]
    min_price: float
    bounds: Mapping[str, int]


def estimate_price(followers: object, table: PriceTable) -> np.ndarray:
    """Estimated price of one video = max(min_price, followers / 1000 * rate[tier]).
    NaN where followers are unknown."""
    f = _f(followers)
    tiers = tier(f, table.bounds)
    rate = np.array(
        [table.per_1k_followers.get(t, np.nan) if t else np.nan for t in tiers], dtype="float64"
    )
    return np.where(np.isnan(f), np.nan, np.maximum(table.min_price, f / 1000 * rate))


def video_aggregates(videos: pd.DataFrame, recent: int = 30) -> pd.DataFrame:
    """Per creator, over their ``recent`` most recent videos (by posted_at):

    avg_views, median_views, avg_likes, avg_comments, avg_shares, avg_saves (means of what
    is present), median_engagement_rate (median of the per-video
    (likes + comments + shares) / views over videos with views > 0), videos_sampled.

    ``videos`` has creator_id, posted_at, views, likes, comments, shares, saves.
    """
    cols = ["views", "likes", "comments", "shares", "saves"]
    v = videos.copy()
    for c in cols:
        v[c] = _f(v[c]) if c in v else np.nan
    v = v.sort_values(["creator_id", "posted_at"], ascending=[True, False], kind="stable")
    v = v.groupby("creator_id", sort=False).head(recent)
    v["er"] = engagement_rate_by_views(v["likes"], v["comments"], v["shares"], v["views"])
    g = v.groupby("creator_id", sort=True)
    out = pd.DataFrame(
        {
            "avg_views": g["views"].mean(),
            "median_views": g["views"].median(),
            "avg_likes": g["likes"].mean(),
            "avg_comments": g["comments"].mean(),
            "avg_shares": g["shares"].mean(),
            "avg_saves": g["saves"].mean(),
            "median_engagement_rate": g["er"].median(),
            "videos_sampled": g.size(),
        }
    )
    return out.reset_index()
