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
