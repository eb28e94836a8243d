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


def video_stats(videos: pd.DataFrame, recent: int = 30) -> pd.DataFrame:
    """Per creator, over their ``recent`` most recent videos:

    - views_cv: coefficient of variation of views (std / mean); consistency = 1 / (1 + cv),
      so 1 means every video gets the same views and it falls towards 0 as views swing;
    - posts_per_week: (videos - 1) / days between the first and last of them * 7
      (NaN with fewer than two dated videos);
    - max_views and median_views (for the one-viral-video flag).
    """
    v = videos[["creator_id", "posted_at", "views"]].copy()
    v["views"] = _f(v["views"])
    v = v.sort_values(["creator_id", "posted_at"], ascending=[True, False], kind="stable")
    v = v.groupby("creator_id", sort=False).head(recent)
    g = v.groupby("creator_id", sort=True)
    mean, std = g["views"].mean(), g["views"].std(ddof=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / mean, np.nan)
    span_days = (g["posted_at"].max() - g["posted_at"].min()).dt.total_seconds() / 86400
    n = g["posted_at"].count()
    with np.errstate(divide="ignore", invalid="ignore"):
        cadence = np.where((n >= 2) & (span_days > 0), (n - 1) / span_days * 7, np.nan)
    return pd.DataFrame(
        {
            "consistency": 1 / (1 + cv),
            "posts_per_week": cadence,
            "max_views": g["views"].max(),
            "video_median_views": g["views"].median(),
        },
        index=mean.index,
    ).reset_index()


def growth(history: pd.DataFrame, column: str, days: int) -> pd.Series:
    """Relative change of ``column`` over ``days`` per creator, from dated snapshots:
    (newest value - value at or before newest date - days) / that earlier value.

    ``history`` has creator_id, as_of (dates) and the column; the earlier value must be at
    most ``days`` / 2 days older than the target date, else NaN (no guess from far data)."""
    h = history[["creator_id", "as_of", column]].dropna()
    if h.empty:
        return pd.Series(dtype="float64")
    h = h.assign(as_of=pd.to_datetime(h["as_of"])).sort_values(["creator_id", "as_of"])
    newest = h.groupby("creator_id").tail(1).set_index("creator_id")
    target = newest["as_of"] - pd.Timedelta(days=days)
    h = h.join(target.rename("target"), on="creator_id")
    earlier = h[
        (h["as_of"] <= h["target"]) & (h["as_of"] >= h["target"] - pd.Timedelta(days=days / 2))
    ]
    base = earlier.groupby("creator_id").tail(1).set_index("creator_id")[column]
    now = newest[column].reindex(base.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(base > 0, (now - base) / base, np.nan)
    return pd.Series(out, index=base.index, dtype="float64")


# --- authenticity ------------------------------------------------------------------------

LOW_ENGAGEMENT, FOLLOWER_JUMP, LIKES_NO_COMMENTS, ONE_VIRAL = 1, 2, 4, 8
FLAG_NAMES = {
    LOW_ENGAGEMENT: "engagement far below the tier's norm",
    FOLLOWER_JUMP: "follower jump without a matching views jump",
    LIKES_NO_COMMENTS: "likes without comments",
    ONE_VIRAL: "views far above followers on one viral video only",
}
FLAG_WEIGHTS = {LOW_ENGAGEMENT: 0.4, FOLLOWER_JUMP: 0.5, LIKES_NO_COMMENTS: 0.3, ONE_VIRAL: 0.2}
# Typical TikTok engagement by views per tier, used when a workspace has too few creators in
# a tier to set its own norm (shape of published benchmarks: it falls with tier).
DEFAULT_TIER_ER = {"nano": 0.09, "micro": 0.075, "mid": 0.06, "macro": 0.05, "mega": 0.045}


@dataclass(frozen=True)
class RiskRules:
    """Thresholds of the authenticity flags (each flag's rule is in :func:`risk_flags`)."""

    low_engagement_share: float = 0.3  # ER below this share of the tier's median
    follower_jump: float = 0.5  # +50% followers in 30 days ...
    views_lag: float = 0.25  # ... while views grew less than a quarter as much
    comments_per_like: float = 0.002  # fewer than 1 comment per 500 likes ...
    min_likes: float = 500  # ... on at least this many likes per video
    viral_reach: float = 2.0  # average views above 2x followers ...
    viral_ratio: float = 10.0  # ... while the top video has 10x the median video's views


def risk_flags(
    frame: pd.DataFrame, norms: Mapping[str, float], rules: RiskRules = RiskRules()
) -> tuple[np.ndarray, np.ndarray]:
    """Authenticity flags as bits, and a risk in [0, 1] (sum of the flags' weights, capped).

    - engagement far below the tier's norm: ER by views < low_engagement_share x the tier's
      median ER;
    - follower jump without a matching views jump: followers grew >= follower_jump in 30 days
      while views grew less than views_lag x as much;
    - likes without comments: avg comments / avg likes < comments_per_like with avg likes >=
      min_likes;
    - views far above followers only on one viral video: avg views > viral_reach x followers
      while the top recent video has >= viral_ratio x the median video's views.

    ``frame`` has tier, engagement_rate_views, growth_30, views_growth_30, avg_likes,
    avg_comments, avg_views, followers, max_views, video_median_views (NaN where unknown;
    an unknown input never raises a flag).
    """
    col = {c: _f(frame[c]) if c in frame else np.full(len(frame), np.nan) for c in (
        "engagement_rate_views", "growth_30", "views_growth_30", "avg_likes", "avg_comments",
        "avg_views", "followers", "max_views", "video_median_views")}  # fmt: skip
    tiers = frame["tier"].to_numpy(dtype=object) if "tier" in frame else np.full(len(frame), None)
    norm = np.array([norms.get(t, np.nan) if t else np.nan for t in tiers], dtype="float64")
    bits = np.zeros(len(frame), dtype=np.uint8)
    with np.errstate(divide="ignore", invalid="ignore"):
        bits |= np.where(col["engagement_rate_views"] < rules.low_engagement_share * norm,
                         LOW_ENGAGEMENT, 0).astype(np.uint8)  # fmt: skip
        g, vg = col["growth_30"], col["views_growth_30"]
        bits |= np.where((g >= rules.follower_jump) & (vg < rules.views_lag * g),
                         FOLLOWER_JUMP, 0).astype(np.uint8)  # fmt: skip
        likes = col["avg_likes"]
        bits |= np.where((likes >= rules.min_likes)
                         & (col["avg_comments"] / likes < rules.comments_per_like),
                         LIKES_NO_COMMENTS, 0).astype(np.uint8)  # fmt: skip
        bits |= np.where((col["avg_views"] > rules.viral_reach * col["followers"])
                         & (col["max_views"] >= rules.viral_ratio * col["video_median_views"]),
                         ONE_VIRAL, 0).astype(np.uint8)  # fmt: skip
    risk = np.zeros(len(frame), dtype="float64")
    for bit, weight in FLAG_WEIGHTS.items():
        risk += np.where(bits & bit, weight, 0.0)
    return bits, np.minimum(risk, 1.0)


def flag_reasons(bits: int, row: Mapping[str, float], norms: Mapping[str, float]) -> list[str]:
    """Plain-number reasons for one creator's flags."""
    out = []
    if bits & LOW_ENGAGEMENT:
        out.append(
            f"engagement {row['engagement_rate_views'] * 100:.2f}% is far below the "
            f"{row['tier']} tier's {norms.get(row['tier'], float('nan')) * 100:.2f}% median"
        )
    if bits & FOLLOWER_JUMP:
        out.append(
            f"followers +{row['growth_30'] * 100:.0f}% in 30 days while views changed "
            f"{row['views_growth_30'] * 100:+.0f}%"
        )
    if bits & LIKES_NO_COMMENTS:
        per100 = row["avg_comments"] / row["avg_likes"] * 100
        out.append(f"{per100:.2f} comments per 100 likes (likes without comments)")
    if bits & ONE_VIRAL:
        out.append(
            f"average views are {row['avg_views'] / row['followers']:.1f}x followers, but the "
            f"top video has {row['max_views'] / row['video_median_views']:.0f}x the median "
            "video's views: one viral video, not steady reach"
        )
    return out


def forecast(views: object, er_views: object, price: object) -> pd.DataFrame:
    """Per creator and video: views = the expected views (median where known);
    engagements = views x ER by views; CPM = price / views x 1000; CPE = price / engagements."""
    v, er, p = _f(views), _f(er_views), _f(price)
    eng = v * er
    with np.errstate(divide="ignore", invalid="ignore"):
        cpm = np.where(v > 0, p / v * 1000, np.nan)
        cpe = np.where(eng > 0, p / eng, np.nan)
    return pd.DataFrame({"views": v, "engagements": eng, "cost": p, "cpm": cpm, "cpe": cpe})
