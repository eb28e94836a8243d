"""Trend labels on real history: TikTok's discover page, 2021-2022 (../shared/datasets).

hashtag_daily.csv is imported through the real import path; then a few hashtags whose curves
clearly show one shape are replayed at a chosen day (``as_of``: only data up to that day) and
must get the label a person reading the curve would give. A chart of those curves with their
labels is written to a pytest tmp dir (its path is printed; run with -s to see it).

The picks, and what the curve shows up to the chosen day:

- #olympicspirit, 2021-07-26 (emerging): first seen five days earlier with 80M views, now
  collecting 250-400M a day during the Tokyo Olympics; all its views fit in a week.
- #apifamily, 2022-05-12 (emerging): a new tag (140M views on 1 May) climbing to 37M a day.
- #learnontiktok, 2022-07-12 (rising): a 340B-view tag that stepped up from ~600M to ~900M
  views a day in early July.
- #summervibes, 2022-06-27 (rising): daily views climbing from ~50M to 100M through June.
- #summervibes, 2022-07-08 (peaking): the same tag flat at 100M a day, its high, since late
  June.
- #apifamily, 2022-07-01 (declining): down from 37M a day in May to ~2M a day.
- #fashionforyou, 2022-02-18 (declining): from 80M a day when it appeared to under 20M.
- #diy and #soccer, 2022-07-15 (evergreen): 190B and 170B views, a steady ~300M a day for
  months.
- #emo, 2022-04-20 (unknown): the history has a gap from 15 March to 30 May; on that day
  there is no data to judge, and nothing is interpolated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.render.charts import Curve, chart_png
from bot.services import trends
from bot.services.data import ImportOptions, import_file

pytestmark = pytest.mark.realdata

PICKS = [
    ("olympicspirit", "2021-07-26", "emerging"),
    ("apifamily", "2022-05-12", "emerging"),
    ("learnontiktok", "2022-07-12", "rising"),
    ("summervibes", "2022-06-27", "rising"),
    ("summervibes", "2022-07-08", "peaking"),
    ("apifamily", "2022-07-01", "declining"),
    ("fashionforyou", "2022-02-18", "declining"),
    ("diy", "2022-07-15", "evergreen"),
    ("soccer", "2022-07-15", "evergreen"),
    ("emo", "2022-04-20", "unknown"),
]


async def test_real_hashtags_get_the_labels_their_curves_show(
    store, settings, datasets: Path, tmp_path: Path
) -> None:
    path = datasets / "tiktok-trending-2021-2022" / "hashtag_daily.csv"
    report = await import_file(
        store, settings, ImportOptions(kind="hashtags", path=path, workspace="real")
    )
    assert report.rejected == 0
    curves, got = [], {}
    for tag, day, _want in PICKS:
        as_of = dt.date.fromisoformat(day)
        r = await trends.hashtag(store, settings, "real", tag, as_of=as_of)
        assert r.as_of == day and r.series["date"].iloc[-1].date() == as_of
        got[(tag, day)] = r
        curves.append(Curve.from_series(tag, r.series.tail(75), r.label, note=f"as of {day}"))
    chart = tmp_path / "real-hashtag-labels.png"
    chart.write_bytes(chart_png(
        curves, "Real TikTok discover-page hashtags (2021-2022): daily views and the label given"
    ))  # fmt: skip
    print(f"\nchart of the real curves and their labels: {chart}")

    labels = {(tag, day): got[(tag, day)].label for tag, day, _ in PICKS}
    assert labels == {(tag, day): want for tag, day, want in PICKS}, {
        k: got[k].label_reason for k in got if labels[k] != dict(
            ((t, d), w) for t, d, w in PICKS)[k]}  # fmt: skip

    # the numbers behind the labels tell the same story
    assert got[("olympicspirit", "2021-07-26")].age_days < 14
    assert got[("learnontiktok", "2022-07-12")].growth > 0.2
    assert got[("apifamily", "2022-07-01")].periods[1].growth < -0.5  # 30 days
    assert (
        got[("apifamily", "2022-07-01")].daily_views < 0.2 * got[("apifamily", "2022-07-01")].peak
    )
    assert abs(got[("diy", "2022-07-15")].momentum) < 0.01
    assert got[("diy", "2022-07-15")].age_days > 365
    emo = got[("emo", "2022-04-20")]
    assert emo.last_seen == "2022-03-15" and "no daily views in the last" in emo.label_reason


async def test_top_list_on_a_real_day(store, settings, datasets: Path) -> None:
    path = datasets / "tiktok-trending-2021-2022" / "hashtag_daily.csv"
    await import_file(store, settings, ImportOptions(kind="hashtags", path=path, workspace="real"))
    result = await trends.top(store, settings, "real", as_of=dt.date(2022, 7, 12), limit=5)
    assert result.considered > 500 and len(result.items) == 5
    assert result.items[0].hashtag == "learnontiktok"  # the biggest rise that week
    assert all(i.as_of == "2022-07-12" for i in result.items)
    newest = await trends.top(store, settings, "real", limit=3)
    assert newest.as_of == "2022-11-14"  # the newest day in the file
