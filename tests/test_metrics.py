"""scoring.metrics: the formulas, with missing values staying missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.metrics import (
    PriceTable,
    engagement,
    engagement_rate_by_followers,
    engagement_rate_by_views,
    estimate_price,
    tier,
    video_aggregates,
)

BOUNDS = {"micro": 10_000, "mid": 100_000, "macro": 500_000, "mega": 1_000_000}


def test_engagement_rates() -> None:
    er = engagement_rate_by_views([90, 90, np.nan, 10], [5, np.nan, 1, 1], [5, 10, 1, 1],
                                  [1000, 1000, 1000, 0])  # fmt: skip
    assert er[0] == pytest.approx(0.1)
    assert er[1] == pytest.approx(0.1)  # a missing comment count is left out, not zero-filled
    assert np.isnan(er[2])  # no likes: no rate
    assert np.isnan(er[3])  # no views: no rate
    assert engagement_rate_by_followers([50], [25], [25], [1000])[0] == pytest.approx(0.1)


def test_engagement_prefers_videos_and_says_so() -> None:
    frame = pd.DataFrame(
        {
            "followers": [10_000, 10_000, np.nan],
            "avg_views": [5_000, 5_000, np.nan],
            "median_views": [np.nan, np.nan, 2_000],
            "avg_likes": [400, 400, 100],
            "avg_comments": [50, np.nan, np.nan],
            "avg_shares": [50, np.nan, np.nan],
            "median_engagement_rate": [0.2, np.nan, np.nan],
            "videos_sampled": [12, np.nan, np.nan],
        }
    )
    out = engagement(frame)
    assert out["engagement_rate_views"].tolist()[:2] == pytest.approx([0.2, 400 / 5000])
    assert out["engagement_rate_views_basis"][0] == (
        "median over 12 recent videos of (likes + comments + shares) / views"
    )
    assert "likes only" in out["engagement_rate_views_basis"][1]
    assert out["engagement_rate_views"][2] == pytest.approx(100 / 2000)
    assert "median views" in out["engagement_rate_views_basis"][2]
    assert out["engagement_rate_followers"].tolist()[0] == pytest.approx(500 / 10_000)
    assert np.isnan(out["engagement_rate_followers"][2])
    assert out["engagement_rate_followers_basis"][2] == ""


@pytest.mark.parametrize(
    ("followers", "expected"),
    [(0, "nano"), (9_999, "nano"), (10_000, "micro"), (99_999, "micro"), (100_000, "mid"),
     (499_999, "mid"), (500_000, "macro"), (999_999, "macro"), (1_000_000, "mega"),
     (78_900_000, "mega")],
)  # fmt: skip
def test_tier_bounds(followers: int, expected: str) -> None:
    assert tier([followers], BOUNDS)[0] == expected


def test_tier_bounds_are_configurable_and_unknown_stays_unknown() -> None:
    assert tier([50_000, np.nan], {**BOUNDS, "micro": 60_000})[0] == "nano"
    assert tier([np.nan], BOUNDS)[0] is None


def test_price_estimate_rises_with_tier_and_has_a_floor() -> None:
    table = PriceTable("USD", {"nano": 12, "micro": 10, "mid": 8, "macro": 6, "mega": 5}, 25,
                       BOUNDS)  # fmt: skip
    prices = estimate_price([100, 5_000, 50_000, 200_000, 700_000, 5_000_000, np.nan], table)
    assert prices[0] == 25 and prices[1] == 60 and prices[2] == 500
    assert prices[3] == 1600 and prices[4] == 4200 and prices[5] == 25_000
    assert np.isnan(prices[6])
    assert list(prices[:6]) == sorted(prices[:6])


def test_video_aggregates_use_the_most_recent_videos() -> None:
    videos = pd.DataFrame(
        {
            "creator_id": [1, 1, 1, 2],
            "posted_at": pd.to_datetime(
                ["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-01"], utc=True
            ),
            "views": [100, 1000, 0, 50],
            "likes": [10, 100, 5, 5],
            "comments": [0, 10, 0, np.nan],
            "shares": [0, 10, 0, 0],
            "saves": [np.nan] * 4,
        }
    )
    out = video_aggregates(videos, recent=2).set_index("creator_id")
    assert out.loc[1, "videos_sampled"] == 2  # the videos of Jan 3 and Jan 2
    assert out.loc[1, "median_views"] == 500
    assert out.loc[1, "median_engagement_rate"] == pytest.approx(0.12)  # 0 views: no rate
    assert np.isnan(out.loc[1, "avg_saves"])
    assert out.loc[2, "median_engagement_rate"] == pytest.approx(0.1)
