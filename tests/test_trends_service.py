"""Trend services against a real store (SQLite and PostgreSQL): data imported through the real
import path, then top lists and hashtag pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from bot.db.repo import WorkspaceNotFound
from bot.render import charts, text
from bot.services import trends
from bot.services.data import ImportOptions, import_file

END = dt.date(2024, 5, 31)
DAYS = 90


def _history() -> str:
    """A daily hashtag export (cumulative views and posts, best rank) with known shapes."""
    rows = ["Hashtag,Date,Views,Posts,Best rank,Region"]
    d = np.arange(DAYS)
    curves = {
        # steady 2M a day on a 5B tag, always on the list
        "#GlowUp": (5e9, np.full(DAYS, 2e6), 5, ""),
        # a bump that peaked 60 days ago
        "#oldtrend": (1e9, 1e5 + 2e7 * np.exp(-(((d - 30) / 10.0) ** 2)), None, ""),
        # steady, but three days missing in the middle of the last week
        "#gappy": (3e9, np.full(DAYS, 1e6), None, ""),
        # only in the US
        "#usonly": (2e9, np.full(DAYS, 5e5), None, "US"),
    }
    for name, (base, daily, rank, region) in curves.items():
        cum = base + np.cumsum(daily)
        for i in range(DAYS):
            if name == "#gappy" and i in (84, 85, 86):
                continue
            day = END - dt.timedelta(days=DAYS - 1 - i)
            posts = int(cum[i] / 10_000)
            rows.append(f"{name},{day},{int(cum[i])},{posts},{rank or ''},{region}")
    # a new tag: 12 days old, growing 25 % a day, on the list for the last two days
    for i in range(12):
        day = END - dt.timedelta(days=11 - i)
        views = int(sum(5e4 * 1.25**k for k in range(i + 1)))
        rank = 2 if i >= 10 else ""
        rows.append(f"#newdance,{day},{views},,{rank},")
    return "\n".join(rows) + "\n"


CREATORS = (
    "Username,Followers,Genre\n"
    'fit1,10K,Fitness\nfit2,20K,Fitness\nfit3,30K,Fitness\nfit4,40K,"Fitness, Health"\n'
    "cook1,10K,Food\ncook2,10K,Food\ncook3,10K,Food\ncook4,10K,Food\n"
)


def _videos() -> str:
    videos = []
    vid = 7_300_000_000_000_000_000
    start = dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC)
    for c, handle in enumerate(["fit1", "fit2", "fit3", "fit4", "cook1", "cook2", "cook3",
                                "cook4"]):  # fmt: skip
        for k in range(3):
            vid += 1
            tags = ["glowup", "legday", "fyp"] if handle.startswith("fit") else ["fyp", "recipe"]
            posted = start + dt.timedelta(days=c + k)
            videos.append({"id": vid, "username": handle,
                           "create_time": int(posted.timestamp()), "view_count": 1000 * (k + 1),
                           "like_count": 10, "hashtag_names": tags})  # fmt: skip
    return json.dumps({"data": {"videos": videos}, "error": {"code": "ok"}})


async def _load(store, settings, tmp_path: Path, workspace: str = "team-a") -> None:
    files = {"hashtags": ("history.csv", _history()), "creators": ("creators.csv", CREATORS),
             "videos": ("videos.json", _videos())}  # fmt: skip
    for kind, (name, content) in files.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        report = await import_file(
            store, settings, ImportOptions(kind=kind, path=path, workspace=workspace,  # type: ignore[arg-type]
                                           as_of=END if kind == "creators" else None))  # fmt: skip
        assert report.rejected == 0, report.errors[:3]


async def test_top_ranks_by_added_views_with_labels_and_breakouts(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    result = await trends.top(store, settings, "team-a")
    assert result.as_of == END.isoformat()  # default: the newest data
    assert result.period == "7d" and result.region == "worldwide"
    by_tag = {i.hashtag: i for i in result.items}
    assert "usonly" not in by_tag  # another region
    new = by_tag["newdance"]
    assert new.label == "emerging"
    assert new.breakout and any("new on the top list" in r for r in new.breakout_reasons)
    assert new.growth is not None and new.growth > 1
    assert by_tag["glowup"].label == "evergreen" and by_tag["glowup"].growth == pytest.approx(0)
    assert by_tag["glowup"].source == "history.csv"  # the import wins over 'videos'
    assert by_tag["oldtrend"].label == "declining"
    added = [i.added_per_day for i in result.items if i.added_per_day is not None]
    assert added == sorted(added, reverse=True)
    assert result.items[0].hashtag == "newdance"
    for item in result.items:
        d = item.to_dict()
        assert {"hashtag", "label", "growth", "momentum", "breakout", "as_of"} <= d.keys()
        json.dumps(d)
    # gaps are counted in the period and the list says so: 3 missing days and the day after
    # them share the 4 days' views
    assert by_tag["gappy"].estimated_days == 4
    assert any("estimated days" in n for n in result.notes)
    assert "order:" in _render(text.trends_top(result))
    png = charts.top_chart(result)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def _render(renderable) -> str:
    from rich.console import Console

    console = Console(width=160, record=True)
    console.print(renderable)
    return console.export_text()


async def test_as_of_replays_the_past_with_only_the_data_then(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    past = END - dt.timedelta(days=62)  # the old bump was on its way up
    result = await trends.top(store, settings, "team-a", as_of=past, limit=20)
    assert result.as_of == past.isoformat()
    by_tag = {i.hashtag: i for i in result.items}
    assert "newdance" not in by_tag  # did not exist yet
    assert by_tag["oldtrend"].label in ("rising", "emerging")
    assert by_tag["oldtrend"].last_seen == past.isoformat()
    tag = await trends.hashtag(store, settings, "team-a", "oldtrend", as_of=past)
    assert tag.series["date"].iloc[-1].date() == past
    assert tag.last_seen == past.isoformat()
    now = await trends.hashtag(store, settings, "team-a", "oldtrend")
    assert now.label == "declining" and now.as_of == END.isoformat()


async def test_hashtag_page_has_curve_growth_label_related_and_creators(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    r = await trends.hashtag(store, settings, "team-a", "#GlowUp")
    assert r.hashtag == "glowup" and r.label == "evergreen"
    assert "steady" in r.label_reason
    assert r.source == "history.csv" and set(r.sources) == {"history.csv", "videos"}
    assert any("2 sources" in n for n in r.notes)
    assert [p.period for p in r.periods] == ["7d", "30d", "120d"]
    assert r.periods[0].views == pytest.approx(7 * 2e6)
    assert r.periods[0].growth == pytest.approx(0)
    assert r.periods[2].growth is None  # no 120 days before the last 120
    assert r.views_per_post == pytest.approx(10_000, rel=1e-3)
    assert r.daily_views == pytest.approx(2e6)
    assert len(r.series) == DAYS - 1 and not r.series["estimated"].any()
    assert {c.handle for c in r.creators} == {"fit1", "fit2", "fit3", "fit4"}
    assert all(c.videos == 3 for c in r.creators)
    assert r.creators[0].niches[0] == "fitness"
    related = {x.hashtag: x for x in r.related}
    assert "legday" in related and "fyp" not in related  # fyp is on every video
    assert related["legday"].reasons[0].startswith("on 12 of 12 videos tagged #glowup")
    d = r.to_dict()
    assert {"hashtag", "label", "growth", "momentum", "breakout", "as_of"} <= d.keys()
    assert d["series"][-1] == {"date": END.isoformat(), "daily_views": 2e6,
                               "estimated": False, "smoothed": 2e6}  # fmt: skip
    json.dumps(d)
    page = _render(text.trends_hashtag(r))
    assert "evergreen" in page and "@fit1" in page and "#legday" in page
    png = charts.hashtag_chart(r)
    assert png.startswith(b"\x89PNG")


async def test_gaps_and_video_only_series_are_explained(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    gappy = await trends.hashtag(store, settings, "team-a", "gappy")
    assert gappy.estimated_days == 4 and gappy.long_gap_days == 0
    est = gappy.series[gappy.series["estimated"]]
    assert est["daily_views"].tolist() == pytest.approx([1e6] * 4)
    assert est["date"].dt.date.min() == END - dt.timedelta(days=5)
    assert any("4 days are estimated" in n for n in gappy.notes)
    assert gappy.periods[0].estimated_days == 4
    legday = await trends.hashtag(store, settings, "team-a", "legday")
    assert legday.source == "videos"
    assert legday.estimated_days == 0  # a day without posts is 0, not a gap
    assert any("derived from the workspace's stored videos" in n for n in legday.notes)
    # 4 creators x 3 videos of 1,000 + 2,000 + 3,000 views
    assert legday.cumulative_views == 4 * 6000 and legday.cumulative_posts == 12


async def test_region_and_niche_filters(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    us = await trends.top(store, settings, "team-a", region="United States")
    assert [i.hashtag for i in us.items] == ["usonly"] and us.region == "US"
    fit = await trends.top(store, settings, "team-a", niche="Fitness", period="30d")
    tags = {i.hashtag: i for i in fit.items}
    assert set(tags) == {"glowup", "legday"}
    assert tags["glowup"].related_reasons[0].startswith("used by 4 of 4 fitness creators")
    assert tags["legday"].period == "30d"
    none = await trends.top(store, settings, "team-a", niche="astrophysics")
    assert none.items == [] and "no hashtag in the workspace is related" in none.notes[0]


async def test_workspaces_are_isolated(store, settings, tmp_path):
    await _load(store, settings, tmp_path, "team-a")
    other = tmp_path / "other"
    other.mkdir()
    path = other / "b.csv"
    path.write_text(
        "Hashtag,Date,Views\n"
        + "".join(f"#onlyb,{END - dt.timedelta(days=9 - i)},{1000 * (i + 1)}\n" for i in range(10)),
        encoding="utf-8",
    )
    await import_file(store, settings, ImportOptions(kind="hashtags", path=path, workspace="b"))
    b = await trends.top(store, settings, "b")
    assert [i.hashtag for i in b.items] == ["onlyb"]
    a = await trends.top(store, settings, "team-a", limit=50)
    assert "onlyb" not in {i.hashtag for i in a.items}
    with pytest.raises(trends.TrendsError, match="no hashtag #glowup in workspace 'b'"):
        await trends.hashtag(store, settings, "b", "glowup")
    with pytest.raises(WorkspaceNotFound):
        await trends.top(store, settings, "nobody")


async def test_bad_options_and_unknown_tags_say_what_to_do(store, settings, tmp_path):
    await _load(store, settings, tmp_path)
    with pytest.raises(trends.TrendsError, match="period must be one of 7d, 30d, 120d"):
        await trends.top(store, settings, "team-a", period="5d")
    with pytest.raises(trends.TrendsError, match="limit must be 1 or more"):
        await trends.top(store, settings, "team-a", limit=0)
    with pytest.raises(trends.TrendsError, match="did you mean #glowup"):
        await trends.hashtag(store, settings, "team-a", "glowupp")
    with pytest.raises(trends.TrendsError, match="has no hashtag history"):
        await trends.top(store, settings, "team-a", region="FR")
