"""Imports of the real public TikTok data in ../shared/datasets (skipped when it is absent).

Every CSV of creators, videos, daily hashtag views and daily creator followers imports with a
report that accounts for every row; the Research API samples import with their ids above
2^63 and their NUL bytes; a creator's engagement from her real videos matches a computation
by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from pathlib import Path

import pytest

from bot.services import creators as creator_service
from bot.services.data import ImportFailed, ImportOptions, import_file

pytestmark = pytest.mark.realdata

FILES = [
    ("creators", "tiktok-famous-2020/top-250-tiktokers.csv", dt.date(2020, 10, 24)),
    ("creators", "tiktok-famous-2020/top_users_and_id.csv", dt.date(2020, 11, 10)),
    ("videos", "tiktok-famous-2020/top_users_vids.csv", None),
    ("videos", "tiktok-famous-2020/trending_11_2.csv", None),
    ("videos", "tiktok-famous-2020/trending_11_6.csv", None),
    ("videos", "tiktok-famous-2020/trending_11_7.csv", None),
    ("videos", "tiktok-famous-2020/trending_11_10.csv", None),
    ("creators", "tiktok-trending-2021-2022/creators.csv", dt.date(2022, 11, 14)),
    ("creators", "tiktok-trending-2021-2022/creator_daily.csv", None),
    ("hashtags", "tiktok-trending-2021-2022/hashtags.csv", dt.date(2022, 11, 14)),
    ("hashtags", "tiktok-trending-2021-2022/hashtag_daily.csv", None),
]


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


async def test_every_dataset_csv_imports_and_every_row_is_accounted_for(
    store, settings, datasets: Path
) -> None:
    for kind, name, as_of in FILES:
        path = datasets / name
        report = await import_file(
            store,
            settings,
            ImportOptions(kind=kind, path=path, workspace="real", as_of=as_of),  # type: ignore[arg-type]
        )
        assert report.rows == data_rows(path), name
        assert report.accounted == report.rows, name
        assert report.rejected == 0, (name, report.errors[:3])
        assert report.inserted + report.updated > 0, name

    charli = await creator_service.show(store, settings, "real", "charlidamelio")
    assert charli.platform_id == "5831967"
    assert charli.country == "US"
    assert "dancing" in charli.niches
    # Her last day in creator_daily.csv gives the newest follower count.
    assert charli.provenance["followers"].as_of == "2022-07-26"
    assert charli.provenance["followers"].source == "creator_daily.csv"
    assert charli.followers == 144_400_000
    assert charli.reported_engagement_rate == pytest.approx(0.166)


async def test_sound_history_is_not_mistaken_for_another_kind(
    store, settings, datasets: Path
) -> None:
    path = datasets / "tiktok-trending-2021-2022/sound_daily.csv"
    for kind in ("creators", "videos", "hashtags"):
        with pytest.raises(ImportFailed, match="no column for"):
            await import_file(
                store,
                settings,
                ImportOptions(kind=kind, path=path, workspace="real"),  # type: ignore[arg-type]
            )


async def test_research_api_pages_import_exactly(store, settings, datasets: Path) -> None:
    folder = datasets / "tiktok-research-api-samples"
    first = await import_file(
        store,
        settings,
        ImportOptions(
            kind="videos", path=folder / "api_videos_response_page_1_of_2.json", workspace="api"
        ),
    )
    assert first.rows == 27 and first.inserted == 27 and first.rejected == 0
    assert any("has_more=true" in n for n in first.notes)
    second = await import_file(
        store,
        settings,
        ImportOptions(
            kind="videos", path=folder / "api_videos_response_page_2_of_2.json", workspace="api"
        ),
    )
    # Page 2 repeats page 1 except for its first id, altered upstream to 21 digits (> 2^63).
    assert (second.inserted, second.unchanged, second.rejected) == (1, 26, 0)
    nul = await import_file(
        store,
        settings,
        ImportOptions(
            kind="videos",
            path=folder / "api_videos_response_unicode_with_null_bytes.json",
            workspace="api",
        ),
    )
    assert nul.inserted == 1 and any("NUL" in n for n in nul.notes)
    who = await creator_service.show(store, settings, "api", "حموديالباشا4")
    assert who.videos_sampled == 1 and who.median_views == 401


async def test_engagement_from_real_videos_matches_a_hand_computation(
    store, settings, datasets: Path
) -> None:
    path = datasets / "tiktok-famous-2020/top_users_vids.csv"
    await import_file(store, settings, ImportOptions(kind="videos", path=path, workspace="real"))
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["user_name"] == "addisonre"]
    # The 30 most recent videos (config default), each (likes + comments + shares) / plays.
    recent = sorted(rows, key=lambda r: int(r["create_time"]), reverse=True)[:30]
    per_video = [
        (int(r["n_likes"]) + int(r["n_comments"]) + int(r["n_shares"])) / int(r["n_plays"])
        for r in recent
        if int(r["n_plays"]) > 0
    ]
    addison = await creator_service.show(store, settings, "real", "addisonre")
    assert addison.videos_sampled == len(recent)
    assert addison.engagement_rate_views == pytest.approx(statistics.median(per_video))
    assert addison.median_views == statistics.median(int(r["n_plays"]) for r in recent)
    assert addison.followers == int(rows[0]["n_followers"])


async def test_tier_counts_of_the_real_creators(store, settings, datasets: Path) -> None:
    """Tiers of the creators in creator_daily.csv, from their newest follower counts,
    counted by hand from the CSV and through the bot."""
    path = datasets / "tiktok-trending-2021-2022/creator_daily.csv"
    await import_file(store, settings, ImportOptions(kind="creators", path=path, workspace="t"))
    last_of_day: dict[tuple[str, str], str] = {}  # (handle, date) -> followers; last row wins
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            last_of_day[(r["username"].lower(), r["date"])] = r["followers"]
    newest: dict[str, tuple[str, int]] = {}  # handle -> (date, followers), newest known
    for (handle, day), followers in last_of_day.items():
        if followers and (handle not in newest or day > newest[handle][0]):
            newest[handle] = (day, int(followers))
    by_hand = {"nano": 0, "micro": 0, "mid": 0, "macro": 0, "mega": 0}
    for _, followers in newest.values():
        tier = (
            "nano"
            if followers < 10_000
            else "micro"
            if followers < 100_000
            else "mid"
            if followers < 500_000
            else "macro"
            if followers < 1_000_000
            else "mega"
        )
        by_hand[tier] += 1
    found = await creator_service.search(store, settings, "t", limit=10_000)
    counted = {t: sum(1 for p in found.creators if p.tier == t) for t in by_hand}
    assert counted == by_hand
    assert counted["mega"] > counted["macro"] > 0  # the discover page features big accounts
