"""The synthetic demo: deterministic, shaped like the published benchmarks, and runnable."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from bot.config import Settings
from bot.demo import HISTORY_DAYS, generate, run_demo
from scoring.metrics import tier


def test_generator_is_deterministic_and_says_it_is_synthetic() -> None:
    a, b = generate(300, seed=3), generate(300, seed=3)
    pd.testing.assert_frame_equal(a.creators, b.creators)
    pd.testing.assert_frame_equal(a.videos, b.videos)
    assert not a.creators.equals(generate(300, seed=4).creators)
    assert a.videos["description"].str.startswith("synthetic demo video").all()


def test_distributions_follow_the_benchmarks() -> None:
    data = generate(3000, seed=7)
    latest = data.creators.drop_duplicates("handle", keep="last").copy()
    assert len(latest) == 3000
    latest["tier"] = tier(latest["followers"])
    latest["er"] = (latest.avg_likes + latest.avg_comments + latest.avg_shares) / latest.avg_views
    by_tier = latest.groupby("tier")
    order = ["nano", "micro", "mid", "macro", "mega"]
    er = by_tier["er"].median()[order].tolist()
    assert er == sorted(er, reverse=True), er  # engagement falls with tier
    quoted = latest[latest.price.notna()]
    price = quoted.groupby(tier(quoted["followers"]))["price"].median()[order].tolist()
    assert price == sorted(price), price  # price per video rises with tier
    counts = latest["tier"].value_counts()
    assert counts["micro"] > counts["mid"] > counts["macro"] and counts["nano"] > counts["mega"]
    tags = data.hashtags.assign(day=pd.to_datetime(data.hashtags.date))
    assert tags.hashtag.nunique() >= 24  # dozens of hashtags
    assert (tags.day.max() - tags.day.min()).days == HISTORY_DAYS - 1


async def test_the_demo_runs_and_a_second_run_reuses_the_data(tmp_path) -> None:
    def tour() -> tuple[io.StringIO, Console]:
        buf = io.StringIO()
        return buf, Console(file=buf, width=160)

    # The ranking copy goes under tmp_path too, not into the working directory's .cache.
    settings = Settings.model_validate({"ranking": {"cache_dir": str(tmp_path / "cache")}})
    buf, out = tour()
    await run_demo(tmp_path / "demo.sqlite3", settings, creators=400, seed=1, out=out)
    first = buf.getvalue()
    assert "SYNTHETIC DATA" in first and "(imported)" in first
    assert "data as of" in first and "wrote 400 creators" in first
    buf, out = tour()
    await run_demo(tmp_path / "demo.sqlite3", settings, creators=400, seed=1, out=out)
    assert "already there, nothing changed" in buf.getvalue()
    assert "(imported)" not in buf.getvalue()
    assert list((tmp_path / "cache").glob("*.npz"))
