"""The ranking service on a real store: the columnar copy, its file, and its refresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.services import ranking
from bot.services.data import ImportOptions, import_file
from bot.services.ranking import RankingCache, brief_from_dict, rank_brief

CREATORS = (
    "Username,Followers,Views avg,Likes,Comments,Shares,Genre,Country,Price\n"
    "@a,120K,40K,3K,100,200,Fitness,US,$900\n"
    "@b,2.5M,300K,20K,900,1.2K,Fitness,US,\n"
    "@c,8K,9K,1.2K,80,60,Fitness,US,\n"
)


async def load(store, settings, tmp_path: Path, text: str, name: str = "c.csv") -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    await import_file(store, settings, ImportOptions(kind="creators", path=path, workspace="w",
                                                     as_of=dt.date(2024, 1, 1)))  # fmt: skip


async def test_the_copy_is_saved_reloaded_and_rebuilt_after_an_import(
    store, settings, tmp_path, monkeypatch
) -> None:
    await load(store, settings, tmp_path, CREATORS)
    brief = brief_from_dict({"budget": 5000, "niches": ["fitness"], "creators_wanted": 3})
    cache = RankingCache()
    first = await rank_brief(store, settings, "w", brief, cache=cache)
    files = list(Path(settings.ranking.cache_dir).glob("*.npz"))
    assert len(files) == 1

    async def no_database(*args, **kw):  # a restarted bot must not need the database read
        raise AssertionError("rebuilt from the database")

    monkeypatch.setattr(ranking, "build_table", no_database)
    again = await rank_brief(store, settings, "w", brief, cache=RankingCache())
    assert [c.handle for c in again.ranking.creators] == [c.handle for c in first.ranking.creators]
    assert again.data_version == first.data_version

    await load(store, settings, tmp_path, CREATORS + "@d,50K,80K,9K,500,700,Fitness,US,\n", "d.csv")
    with pytest.raises(AssertionError, match="rebuilt"):
        await rank_brief(store, settings, "w", brief, cache=cache)
    monkeypatch.undo()
    newer = await rank_brief(store, settings, "w", brief, cache=cache)
    assert newer.data_version > first.data_version
    assert "d" in {c.handle for c in newer.ranking.creators}


async def test_a_damaged_copy_file_is_rebuilt(store, settings, tmp_path) -> None:
    await load(store, settings, tmp_path, CREATORS)
    brief = brief_from_dict({"budget": 5000})
    await rank_brief(store, settings, "w", brief, cache=RankingCache())
    (path,) = Path(settings.ranking.cache_dir).glob("*.npz")
    path.write_bytes(b"not a numpy file")
    result = await rank_brief(store, settings, "w", brief, cache=RankingCache())
    assert len(result.ranking.creators) == 3


async def test_unknown_workspace_and_invalid_brief(store, settings) -> None:
    from bot.db.repo import WorkspaceNotFound

    with pytest.raises(WorkspaceNotFound):
        await rank_brief(store, settings, "nowhere", brief_from_dict({"budget": 1}))
    with pytest.raises(ranking.InvalidBrief, match="budget = 0"):
        brief_from_dict({"budget": 0})


async def test_a_refilled_database_is_not_answered_from_the_old_copy(
    store, settings, backend, tmp_path
) -> None:
    """Emptied and refilled, the database counts import runs from 1 again: the copy of the
    old data (same workspace id, same run id) must not be taken for the new data's."""
    from sqlalchemy import text

    from bot.db.models import Base
    from bot.services.creators import search

    await load(store, settings, tmp_path, CREATORS)
    cache = RankingCache()
    brief = brief_from_dict({"budget": 5000})
    before = await rank_brief(store, settings, "w", brief, cache=cache)
    async with store.engine.begin() as conn:
        if backend == "postgres":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in reversed(Base.metadata.sorted_tables):
                await conn.execute(t.delete())
    await load(store, settings, tmp_path, CREATORS.replace("@a,", "@z,"), "refill.csv")
    after = await rank_brief(store, settings, "w", brief, cache=cache)
    assert after.data_version == before.data_version  # the trap: the same run id
    assert {c.handle for c in after.ranking.creators} == {"z", "b", "c"}
    assert ranking.default_cache is not cache  # search uses the bot's shared copy
    found = await search(store, settings, "w", limit=10)
    assert {p.handle for p in found.creators} == {"z", "b", "c"}


async def test_changed_price_rates_rebuild_the_copy(store, settings, tmp_path) -> None:
    """Price estimates come from the settings: a team that changes its rates and restarts
    must not rank on the old estimates kept in the copy's file."""
    await load(store, settings, tmp_path, CREATORS)
    brief = brief_from_dict({"budget": 5000, "max_price_per_creator": 500})
    first = await rank_brief(store, settings, "w", brief, cache=RankingCache())
    # @b (2.5M, mega) is estimated at 2,500 x 5 = 12,500; @c (8K, nano) at 8 x 12 = 96
    assert {c.handle for c in first.ranking.creators} == {"c"}
    data = settings.model_dump()
    data["metrics"]["price_per_1k_followers"]["mega"] = 0.1  # 2,500 x 0.1 = 250
    cheaper = type(settings).model_validate(data)
    again = await rank_brief(store, settings=cheaper, workspace="w", brief=brief,
                             cache=RankingCache())  # fmt: skip
    assert {c.handle for c in again.ranking.creators} == {"b", "c"}


async def test_search_by_country_matches_codes_and_names_and_nothing_else(
    store, settings, tmp_path
) -> None:
    from bot.services.creators import search

    await load(store, settings, tmp_path, CREATORS)
    for asked in ("US", "us", "United States"):
        assert (await search(store, settings, "w", country=asked)).matched == 3, asked
    for asked in ("Germany", "Atlantis"):  # a known code nobody has, and no country at all
        found = await search(store, settings, "w", country=asked)
        assert found.matched == 0 and found.creators == [], asked
