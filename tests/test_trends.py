"""Trend analytics (scoring.trends) and hashtag matching (scoring.match): pure unit tests."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.match import MatchParams, name_scores, normalise, related_hashtags
from scoring.trends import (
    LABELS,
    TrendParams,
    analyse,
    breakout_reasons,
    choose_sources,
    day_numbers,
    label_reason,
)

AS_OF = dt.date(2024, 6, 30)
DAYS = np.arange(200)


def series(daily, *, base: float = 0.0, key: str = "t", end: dt.date = AS_OF, **cols):
    """A long frame of cumulative views (base + running sum of daily views) ending on end."""
    daily = np.asarray(daily, dtype=float)
    dates = pd.date_range(end=pd.Timestamp(end), periods=len(daily), freq="D")
    frame = pd.DataFrame({"key": key, "date": dates, "views": np.round(base + np.cumsum(daily))})
    for name, values in cols.items():
        frame[name] = values
    return frame


def one(frame: pd.DataFrame, as_of: dt.date = AS_OF, **kw) -> pd.Series:
    result = analyse(frame, as_of, **kw)
    assert len(result) == 1
    return result.summary.iloc[0]


# --- labels on synthetic curves -----------------------------------------------------------------

SHAPES = {
    # a big old tag collecting a steady 10M/day with a weekly rhythm
    "evergreen": series(1e7 * (1 + 0.1 * np.sin(2 * np.pi * DAYS / 7)), base=5e9),
    # an established tag (2B views) flat at 1M/day, growing 4 %/day for the last 60 days
    "rising": series(np.where(DAYS < 140, 1e6, 1e6 * np.exp(0.04 * (DAYS - 140))), base=2e9),
    # a brand-new tag: 20 days, growing 15 %/day from nothing
    "emerging": series(1e5 * np.exp(0.15 * np.arange(20))),
    # a bump that topped out 8 days ago after climbing from 1M to 21M/day
    "peaking": series(1e6 + 2e7 * np.exp(-(((DAYS - 192) / 20.0) ** 2)), base=1e9),
    # the same bump 50 days ago, long since on the way down
    "declining": series(1e6 + 2e7 * np.exp(-(((DAYS - 150) / 20.0) ** 2)), base=1e9),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_synthetic_shape_gets_its_label(shape: str) -> None:
    row = one(SHAPES[shape])
    assert row["label"] == shape, label_reason(row)
    assert label_reason(row)


def test_all_shapes_together_get_the_same_labels_as_alone() -> None:
    frames = [f.assign(key=name) for name, f in SHAPES.items()]
    result = analyse(pd.concat(frames, ignore_index=True), AS_OF)
    assert result.summary["label"].to_dict() == {k: k for k in SHAPES}
    assert set(result.summary["label"]) <= set(LABELS)


def test_too_little_data_is_unknown_unless_the_tag_is_new() -> None:
    # two days of an old, big tag: nothing can be said
    old = one(series([1e6, 1e6], base=5e9))
    assert old["label"] == "unknown"
    assert "not enough data" in label_reason(old)
    # two days of a tag whose all-time views fit in a few days: emerging
    new = one(series([2e6, 3e6], base=1e6))
    assert new["label"] == "emerging"
    assert new["label_rule"] == "new_thin"
    # the same two days from a tag already seen a year ago (a yearly holiday tag): not new
    dates = pd.to_datetime(["2023-06-01", "2023-06-02", "2024-06-29", "2024-06-30"])
    back = pd.DataFrame({"key": "t", "date": dates, "views": [1e6, 1.1e6, 1e8, 1.5e8]})
    row = one(back)
    assert row["age_days"] < 45 and row["label"] == "unknown"


def test_a_tag_without_recent_data_is_unknown() -> None:
    frame = series(1e7 * np.ones(100), base=5e9, end=AS_OF - dt.timedelta(days=5))
    row = one(frame)
    assert row["label"] == "unknown"
    assert str(AS_OF - dt.timedelta(days=5)) in label_reason(row)
    # the same data judged on its own last day is evergreen
    assert one(frame, AS_OF - dt.timedelta(days=5))["label"] == "evergreen"


def test_coarsely_rounded_totals_without_measurable_change_are_unknown() -> None:
    # 3.7B rounded to 100M: only one rounding step in 28 days, nothing to measure
    cum = np.full(30, 3.7e9)
    cum[-10:] = 3.8e9
    frame = pd.DataFrame({"key": "t", "date": pd.date_range(end=AS_OF, periods=30), "views": cum})
    row = one(frame)
    assert row["resolution"] == 1e8
    assert row["label"] == "unknown"
    assert "rounding steps" in label_reason(row)


# --- daily deltas, gaps, corrections ------------------------------------------------------------


def test_gap_is_spread_evenly_marked_and_counted() -> None:
    dates = pd.to_datetime(["2024-06-01", "2024-06-02", "2024-06-06", "2024-06-07"])
    frame = pd.DataFrame({"key": "t", "date": dates, "views": [1000, 1100, 1500, 1520]})
    result = analyse(frame, dt.date(2024, 6, 7))
    s = result.series("t")
    assert s["date"].dt.date.tolist() == [dt.date(2024, 6, d) for d in range(2, 8)]
    assert s["daily_views"].tolist() == [100, 100, 100, 100, 100, 20]
    assert s["estimated"].tolist() == [False, True, True, True, True, False]
    row = result.summary.loc["t"]
    assert row["estimated_days"] == 4 and row["long_gap_days"] == 0
    assert row["views_7d"] == 520  # the total over the gap is exact
    assert row["first_seen"] == dt.date(2024, 6, 1) and row["data_days"] == 4
    # one missing day: that day and the next share the two days' views
    one_day = frame.iloc[[0, 1, 3]].assign(date=pd.to_datetime(["2024-06-01", "2024-06-02",
                                                                "2024-06-04"]))  # fmt: skip
    s = analyse(one_day, dt.date(2024, 6, 4)).series("t")
    assert s["daily_views"].tolist() == [100, 210, 210]
    assert s["estimated"].tolist() == [False, True, True]


def test_long_gaps_are_shown_but_left_out_of_the_statistics() -> None:
    dates = pd.to_datetime(["2024-05-01", "2024-05-02", "2024-06-01", "2024-06-02"])
    frame = pd.DataFrame({"key": "t", "date": dates, "views": [0, 10, 3010, 3020]})
    result = analyse(frame, dt.date(2024, 6, 2))
    s = result.series("t").set_index("date")
    assert s.loc["2024-05-15", "daily_views"] == 100 and s.loc["2024-05-15", "estimated"]
    row = result.summary.loc["t"]
    assert row["estimated_days"] == 30 and row["long_gap_days"] == 30
    assert row["days_known"] == 2  # 2024-05-02 and 2024-06-02
    assert row["views_30d"] == 10  # the gap's 3,000 views belong to no day we can name
    assert math.isnan(row["growth_7d"])


def test_days_before_the_first_and_after_the_last_observation_are_unknown() -> None:
    frame = series([5, 5, 5], base=100, end=dt.date(2024, 6, 20))
    s = analyse(frame, AS_OF).series("t", days=15)
    assert s["date"].iloc[0].date() == dt.date(2024, 6, 16)
    assert s["daily_views"].notna().tolist() == [False] * 3 + [True, True] + [False] * 10
    assert not s["estimated"].any()


def test_cumulative_dips_are_corrected_not_negative() -> None:
    frame = pd.DataFrame(
        {
            "key": "t",
            "date": pd.date_range(end=AS_OF, periods=5),
            "views": [100, 150, 140, 200, 260],
        }
    )
    result = analyse(frame, AS_OF)
    assert result.series("t")["daily_views"].tolist() == [50, 0, 50, 60]  # 140 counts as 150
    assert result.summary.loc["t", "corrected_days"] == 1


def test_zero_gap_series_from_videos_have_no_estimates() -> None:
    # usage from stored videos: rows only on days with posts
    dates = pd.to_datetime(["2024-06-20", "2024-06-24"])
    frame = pd.DataFrame(
        {"key": "t", "date": dates, "views": [500, 800], "posts": [1, 2], "zero_gaps": True}
    )
    result = analyse(frame, dt.date(2024, 6, 26))
    s = result.series("t")
    assert s["daily_views"].tolist() == [500, 0, 0, 0, 300, 0, 0]
    assert s["daily_posts"].tolist() == [1, 0, 0, 0, 1, 0, 0]
    assert not s["estimated"].any()
    row = result.summary.loc["t"]
    assert row["estimated_days"] == 0 and row["views_7d"] == 800 and row["posts_7d"] == 2
    assert row["views_per_post"] == 400 and row["views_per_post_7d"] == 400


def test_observations_before_the_history_window_anchor_the_first_segment() -> None:
    params = TrendParams(history_days=300)
    dates = pd.to_datetime(["2023-01-01", "2024-06-20", "2024-06-30"])
    frame = pd.DataFrame({"key": "t", "date": dates, "views": [0.0, 5360.0, 5370.0]})
    result = analyse(frame, AS_OF, params)
    assert len(result.dates) == 300
    s = result.series("t")
    # 536 days from 2023-01-01 to 2024-06-20: 10 views a day, estimated, then 1 a day
    assert s["daily_views"].iloc[0] == pytest.approx(10.0)
    assert s["estimated"].iloc[0]
    assert s["daily_views"].iloc[-1] == pytest.approx(1.0)
    assert result.summary.loc["t", "first_seen"] == dt.date(2023, 1, 1)


def test_resolution_of_rounded_totals_widens_the_smoothing_window() -> None:
    cum = np.round(np.linspace(2.4e9, 3.7e9, 90) / 1e8) * 1e8  # ~15M a day in 100M steps
    frame = pd.DataFrame({"key": "t", "date": pd.date_range(end=AS_OF, periods=90), "views": cum})
    row = one(frame)
    assert row["resolution"] == 1e8
    assert row["smooth_window"] == 28
    assert row["label"] == "evergreen"  # flat, not "declining" on a day without a step
    exact = one(frame.assign(views=np.round(np.linspace(2.4e9, 3.7e9, 90)) + 1))
    assert exact["resolution"] == 1 and exact["smooth_window"] == 7


# --- growth, momentum, acceleration, views per post ---------------------------------------------


def test_growth_is_the_ratio_of_mean_daily_views_and_none_without_a_previous_period() -> None:
    row = one(series([100] * 14 + [200] * 7, base=10_000))
    assert row["growth_7d"] == pytest.approx(1.0)  # 200 a day against 100 a day
    assert row["views_7d"] == 1400 and row["views_prev_7d"] == 700
    assert row["days_7d"] == 7 and row["days_prev_7d"] == 7
    assert math.isnan(row["growth_30d"])  # nothing in the 30 days before the last 30
    assert row["mean_30d"] == pytest.approx((13 * 100 + 7 * 200) / 20)


def test_growth_needs_a_quarter_of_each_period() -> None:
    # previous 7 days: a single known day (at least 2 needed)
    dates = pd.date_range(end=AS_OF, periods=9)
    frame = pd.DataFrame({"key": "t", "date": dates, "views": np.arange(9) * 100.0 + 1e4})
    row = one(frame)
    assert row["days_prev_7d"] == 1 and math.isnan(row["growth_7d"])
    frame = series([100] * 10, base=1e4)
    assert one(frame)["growth_7d"] == pytest.approx(0.0)


def test_momentum_is_the_daily_rate_of_an_exponential_and_acceleration_zero() -> None:
    row = one(series(1000 * 1.05 ** np.arange(60), base=1e6))
    assert row["momentum"] == pytest.approx(0.05, abs=1e-6)
    assert row["momentum_basis"] == "smoothed"
    assert row["acceleration"] == pytest.approx(0.0, abs=1e-4)  # integer rounding only
    falling = one(series(1e6 * 0.9 ** np.arange(60), base=1e9))
    assert falling["momentum"] == pytest.approx(-0.1, abs=1e-5)
    assert falling["label"] == "declining"


def test_acceleration_is_positive_when_growth_speeds_up() -> None:
    rate = np.r_[np.full(53, 0.01), np.full(7, 0.08)]
    row = one(series(1000 * np.exp(np.cumsum(rate)), base=1e6))
    assert row["acceleration"] > 0.03


def test_short_new_series_use_raw_daily_views_for_momentum() -> None:
    row = one(series([1e6, 2e6, 4e6, 8e6], base=123))
    assert row["momentum_basis"] == "daily"
    assert row["momentum"] == pytest.approx(1.0)  # doubling every day


def test_views_per_post_where_posts_are_known() -> None:
    frame = series([1000] * 10, base=50_000, posts=np.arange(10) * 2 + 100)
    row = one(frame)
    assert row["cumulative_posts"] == 118
    assert row["views_per_post"] == pytest.approx(60_000 / 118)
    assert row["posts_7d"] == 14 and row["views_per_post_7d"] == pytest.approx(7000 / 14)
    no_posts = one(series([1000] * 10, base=50_000))
    assert math.isnan(no_posts["views_per_post"]) and math.isnan(no_posts["posts_7d"])


# --- as_of replay -------------------------------------------------------------------------------


def test_as_of_uses_only_data_up_to_that_day() -> None:
    frame = SHAPES["declining"]
    cut = dt.date(2024, 5, 10)
    replay = analyse(frame, cut)
    assert replay.dates[-1].date() == cut
    alone = analyse(frame[frame["date"].dt.date <= cut], cut)
    pd.testing.assert_frame_equal(replay.summary, alone.summary)
    assert replay.summary.loc["t", "last_seen"] == cut
    assert replay.summary.loc["t", "label"] == "rising"  # on the way up then
    assert analyse(frame, AS_OF).summary.loc["t", "label"] == "declining"
    # a key with no row up to as_of is not in the result
    assert "t" not in analyse(frame, dt.date(2020, 1, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    daily=st.lists(st.floats(0, 1e7), min_size=5, max_size=120),
    cut=st.integers(1, 119),
    garbage=st.floats(0, 1e12),
)
def test_replay_ignores_anything_after_as_of(daily: list[float], cut: int, garbage: float) -> None:
    frame = series(daily, base=1e6)
    cut = min(cut, len(daily) - 1)
    day = frame["date"].iloc[cut - 1].date()
    later = frame["date"].dt.date > day
    changed = frame.copy()
    changed.loc[later, "views"] = garbage  # the future says anything at all
    a, b = analyse(frame, day), analyse(changed, day)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    np.testing.assert_array_equal(a.daily, b.daily)


# --- properties ---------------------------------------------------------------------------------

daily_lists = st.lists(st.floats(1e3, 1e8), min_size=10, max_size=150)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(daily=daily_lists, base=st.floats(0, 1e10), scale=st.sampled_from([2.0, 4.0, 1024.0]))
def test_scaling_all_views_changes_no_label_growth_or_momentum(daily, base, scale) -> None:
    a = one(series(daily, base=base))
    frame = series(daily, base=base)
    b = one(frame.assign(views=frame["views"] * scale))
    assert a["label"] == b["label"]
    for col in ("growth_7d", "growth_30d", "momentum", "acceleration", "age_days"):
        if math.isnan(a[col]):
            assert math.isnan(b[col]), col
        else:
            assert b[col] == pytest.approx(a[col], rel=1e-9, abs=1e-12), col
    assert b["views_7d"] == pytest.approx(a["views_7d"] * scale)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_row_order_and_other_hashtags_do_not_matter(data) -> None:
    frames = []
    for k in range(3):
        daily = data.draw(daily_lists)
        end = AS_OF - dt.timedelta(days=data.draw(st.integers(0, 20)))
        frames.append(series(daily, base=data.draw(st.floats(0, 1e9)), key=f"k{k}", end=end))
    frame = pd.concat(frames, ignore_index=True)
    together = analyse(frame, AS_OF).summary
    shuffled = analyse(frame.sample(frac=1, random_state=data.draw(st.integers(0, 99))), AS_OF)
    pd.testing.assert_frame_equal(together, shuffled.summary)
    for k, f in enumerate(frames):
        alone = analyse(f, AS_OF).summary
        pd.testing.assert_frame_equal(together.loc[[f"k{k}"]], alone, check_names=False)


# --- breakouts ----------------------------------------------------------------------------------


def test_spike_far_above_the_tags_own_history_is_a_breakout() -> None:
    rng = np.random.default_rng(3)
    daily = 1e6 * rng.lognormal(0, 0.1, 90)
    daily[-1] = 2e7
    row = one(series(daily, base=1e9))
    assert row["breakout_spike"] and row["breakout"]
    (reason,) = breakout_reasons(row)
    assert reason.startswith("20.0M views today against a median of 1.0M/day")
    assert "MADs above it" in reason
    # the day before the spike: no breakout; a 2x day: no breakout either
    assert not one(series(daily[:-1], base=1e9, end=AS_OF - dt.timedelta(days=1)),
                   AS_OF - dt.timedelta(days=1))["breakout"]  # fmt: skip
    daily[-1] = 2e6
    assert not one(series(daily, base=1e9))["breakout_spike"]


def test_a_single_rounding_step_is_not_a_spike() -> None:
    # 100M steps: most days 0, then one step; the median is 0 but one step means nothing
    cum = 2.0e9 + np.r_[np.zeros(30), np.full(31, 1e8)]
    cum[-1] += 1e8
    frame = pd.DataFrame({"key": "t", "date": pd.date_range(end=AS_OF, periods=61), "views": cum})
    assert not one(frame)["breakout_spike"]


def _listed(key: str, days: list[int], rank: float = 3.0) -> pd.DataFrame:
    """A tag with daily views for 60 days, ranked on the given days (days before as_of)."""
    frame = series(np.full(60, 1e5), base=1e7, key=key)
    ago = (pd.Timestamp(AS_OF) - frame["date"]).dt.days
    return frame.assign(rank=np.where(ago.isin(days), rank, np.nan))


def test_new_on_the_top_list_is_a_breakout_with_its_rank() -> None:
    always = _listed("always", list(range(60)), rank=1)
    newcomer = _listed("newcomer", [1, 0], rank=4)
    returning = _listed("returning", [20, 0])
    result = analyse(pd.concat([always, newcomer, returning]), AS_OF)
    s = result.summary
    assert s["breakout_new"].to_dict() == {"always": False, "newcomer": True, "returning": False}
    assert breakout_reasons(s.loc["newcomer"]) == [
        "new on the top list 1 day ago (rank 4); not on it in the 30 days before"
    ]
    assert s.loc["newcomer", "rank_last"] == 4


def test_new_on_the_list_needs_the_list_to_have_been_observed() -> None:
    # nobody had a rank before today: the list was not observed, so nothing is "new"
    only_today = _listed("x", [0])
    assert not one(only_today)["breakout_new"]
    # ... unless the caller says the list was observed on those days
    days = [AS_OF - dt.timedelta(days=d) for d in range(40)]
    assert one(only_today, list_days=days)["breakout_new"]


# --- choosing one series per hashtag ------------------------------------------------------------


def test_imported_source_wins_over_videos_then_the_longest() -> None:
    def rows(key: str, source: str, n: int) -> pd.DataFrame:
        return series(np.full(n, 10.0), key=key, source=source)

    frame = pd.concat([
        rows("a", "videos", 50), rows("a", "daily.csv", 5),
        rows("b", "old.csv", 20), rows("b", "new.csv", 30),
        rows("c", "videos", 10),
    ])  # fmt: skip
    picked, chosen = choose_sources(frame)
    assert chosen.to_dict() == {"a": "daily.csv", "b": "new.csv", "c": "videos"}
    assert picked.groupby("key")["source"].unique().map(list).to_dict() == {
        "a": ["daily.csv"], "b": ["new.csv"], "c": ["videos"]}  # fmt: skip
    assert picked.loc[picked["key"] == "c", "zero_gaps"].all()
    assert not picked.loc[picked["key"] != "c", "zero_gaps"].any()


def test_day_numbers_accepts_dates_strings_and_timestamps() -> None:
    want = (dt.date(2024, 6, 30) - dt.date(1970, 1, 1)).days
    for values in (
        [dt.date(2024, 6, 30)], ["2024-06-30"], pd.to_datetime(["2024-06-30"]),
        pd.Series(pd.to_datetime(["2024-06-30 23:00"]).tz_localize("UTC")),
    ):  # fmt: skip
        assert day_numbers(values).tolist() == [want]


# --- matching hashtags to a brief ---------------------------------------------------------------


def test_name_scores_equal_contains_and_close() -> None:
    scores, best, kind = name_scores(
        ["fitness", "fitnesstok", "fitnes", "party", "arttok", "fyp"], ["Fitness", "art"]
    )
    assert scores[0] == 100 and kind[0] == "equal"
    assert kind[1] == "contains" and scores[1] == pytest.approx(85 + 15 * 7 / 10)
    assert kind[2] == "close" and scores[2] == pytest.approx(92.3, abs=0.1)
    assert scores[3] < 80  # 'art' inside 'party' is no match
    assert kind[4] == "contains" and best[4] == 1
    assert scores[5] < 50
    assert normalise("#Home Decor!") == "homedecor"


def _workspace() -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """Ten fitness creators who use #gymlife and #fyp; thirty others who use #fyp, #food."""
    creators, rows = [], []
    vid = 0
    for c in range(40):
        fit = c < 10
        creators.append({"creator_id": c, "niches": "fitness,health" if fit else "food"})
        for _ in range(3):
            vid += 1
            tags = ["fyp", "gymlife"] if fit else ["fyp", "food"]
            if fit and vid % 2:
                tags.append("legday")
            rows += [{"video_id": vid, "creator_id": c, "hashtag": t} for t in tags]
    names = ["fyp", "gymlife", "food", "legday", "fitnesstok", "travel"]
    return names, pd.DataFrame(creators), pd.DataFrame(rows)


def test_related_hashtags_by_niche_creators_names_and_videos() -> None:
    names, creators, videos = _workspace()
    found = {r.hashtag: r for r in related_hashtags(
        names, niches=["Fitness"], creator_niches=creators, video_tags=videos)}  # fmt: skip
    assert set(found) == {"gymlife", "legday", "fitnesstok"}
    gym = found["gymlife"]
    assert gym.creators == 10 and gym.creator_lift == pytest.approx(4.0)
    assert (
        gym.reasons[0]
        == "used by 10 of 10 fitness creators (100%; 4.0x the share among all creators)"
    )
    assert gym.score == pytest.approx(0.75)
    assert found["fitnesstok"].reasons == ["name contains 'Fitness'"]
    # #fyp is used by everyone: no lift, not related
    assert "fyp" not in found


def test_related_hashtags_from_video_co_occurrence_with_seed_tags() -> None:
    names, _creators, videos = _workspace()
    found = related_hashtags(names, keywords=["gymlife"], video_tags=videos, exclude=["gymlife"])
    assert [r.hashtag for r in found] == ["legday"]
    assert found[0].videos == 15
    assert found[0].reasons[0].startswith("on 15 of 30 videos tagged #gymlife (")
    assert "gymlife" not in {r.hashtag for r in found}
    strict = related_hashtags(
        names, keywords=["gymlife"], video_tags=videos, params=MatchParams(min_score=0.99)
    )
    assert [r.hashtag for r in strict] == ["gymlife"]  # only the name itself is that sure
