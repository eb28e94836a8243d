"""Imports against a real store: SQLite and PostgreSQL run the same tests."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.db import importer
from bot.db.engine import Store
from bot.db.models import Creator, CreatorSnapshot, Hashtag, HashtagSnapshot, ImportRun, Video
from bot.ingest.report import ImportRejected
from bot.services import creators as creator_service
from bot.services.data import ImportFailed, ImportOptions, import_file
from tests.conftest import dump

CREATORS = """Username,Followers,Views avg,Likes,Comments,Shares,Engagement,Genre,Country,Price
@Alice.Dance,149.2M,5.1m,400K,12K,30K,16.60%,"Dance, Comedy",U.S.A,"$12,000"
@bob_cooks,856.3K,-,4.2K,300,150,4.2%,Food,UK,900 EUR
carol,"1,234",5e+03,250,20,-,,Food; Travel,Germany,
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def opts(path: Path, kind: str = "creators", **kw: object) -> ImportOptions:
    kw.setdefault("workspace", "team-a")
    kw.setdefault("as_of", dt.date(2024, 5, 1))
    return ImportOptions(kind=kind, path=path, **kw)  # type: ignore[arg-type]


async def count(store: Store, model: type) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(model))).scalar_one()


async def test_import_creators_accounts_for_every_row(store, settings, tmp_path):
    report = await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    assert report.rows == 3
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.accounted == report.rows
    assert report.written and report.run_id is not None
    assert await count(store, Creator) == 3
    assert await count(store, CreatorSnapshot) == 3

    alice = await creator_service.show(store, settings, "team-a", "@ALICE.dance")
    assert alice.followers == 149_200_000
    assert alice.avg_views == 5_100_000
    assert alice.country == "US"
    assert alice.niches == ["dance", "comedy"]
    assert alice.reported_engagement_rate == pytest.approx(0.166)
    assert alice.price == 12_000 and alice.price_currency == "USD"
    assert not alice.price_is_estimate
    assert alice.engagement_rate_views == pytest.approx((400e3 + 12e3 + 30e3) / 5.1e6)
    assert alice.engagement_rate_followers == pytest.approx((400e3 + 12e3 + 30e3) / 149.2e6)
    assert alice.as_of == "2024-05-01" and alice.source == "c.csv"
    assert alice.provenance["followers"].source == "c.csv"

    bob = await creator_service.show(store, settings, "team-a", "bob_cooks")
    assert bob.avg_views is None  # '-' is missing, not zero
    assert bob.engagement_rate_views is None
    assert bob.price == 900 and bob.price_currency == "EUR"
    assert bob.country == "GB"

    carol = await creator_service.show(store, settings, "team-a", "carol")
    assert carol.followers == 1234 and carol.avg_views == 5000
    assert carol.avg_shares is None
    assert "no share counts" in (carol.engagement_rate_views_basis or "")
    assert carol.price_is_estimate and carol.price_currency == "USD"
    assert carol.tier == "nano"


async def test_reimporting_the_same_file_changes_nothing(store, settings, tmp_path):
    path = write(tmp_path, "c.csv", CREATORS)
    await import_file(store, settings, opts(path, as_of=None))
    before = await dump(store)
    again = await import_file(store, settings, opts(path, as_of=None))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert not again.written
    assert await dump(store) == before


async def test_same_file_keeps_its_date_on_a_later_day(store, settings, tmp_path):
    path = write(tmp_path, "c.csv", CREATORS)
    first = await import_file(store, settings, opts(path, as_of=None))
    # An earlier import of these very bytes fixes the date the data is filed under.
    async with store.engine.begin() as conn:
        await conn.execute(ImportRun.__table__.update().values(as_of=dt.date(2020, 1, 1)))
        await conn.execute(CreatorSnapshot.__table__.update().values(as_of=dt.date(2020, 1, 1)))
    again = await import_file(store, settings, opts(path, as_of=None))
    assert first.as_of == dt.datetime.now(dt.UTC).date()
    assert again.as_of == dt.date(2020, 1, 1)
    assert again.unchanged == 3 and not again.written


async def test_changed_values_update_and_missing_values_keep(store, settings, tmp_path):
    await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    # A corrected export from the same source on the same date updates that snapshot.
    fix = "Username,Followers,Country\n@alice.dance,150M,\nnew_one,10k,FR\n"
    report = await import_file(store, settings, opts(write(tmp_path, "fix.csv", fix),
                                                     source="c.csv"))  # fmt: skip
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 0)
    alice = await creator_service.show(store, settings, "team-a", "alice.dance")
    assert alice.followers == 150_000_000
    assert alice.country == "US"  # a blank cell never erases a stored value
    assert alice.avg_views == 5_100_000  # not in the correction, kept
    # Another source is another observation: a new snapshot, shown where it is newest.
    other = "Username,Followers\n@alice.dance,151M\n"
    report = await import_file(store, settings, opts(write(tmp_path, "u.csv", other),
                                                     as_of=dt.date(2024, 6, 1)))  # fmt: skip
    assert (report.inserted, report.updated) == (1, 0)
    alice = await creator_service.show(store, settings, "team-a", "alice.dance")
    assert alice.followers == 151_000_000
    assert alice.provenance["followers"].source == "u.csv"
    assert alice.provenance["avg_views"].source == "c.csv"
    assert alice.as_of == "2024-06-01" and alice.sources == ["u.csv", "c.csv"]


async def test_older_data_only_fills_gaps_in_profiles(store, settings, tmp_path):
    await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    old = "Username,Name,Country\n@alice.dance,Old Name,FR\n"
    await import_file(
        store, settings, opts(write(tmp_path, "o.csv", old), as_of=dt.date(2020, 1, 1))
    )
    alice = await creator_service.show(store, settings, "team-a", "alice.dance")
    assert alice.country == "US"  # newer data wins
    assert alice.display_name == "Old Name"  # a gap the older file could fill


async def test_rejected_rows_are_reported_and_valid_rows_land(store, settings, tmp_path):
    bad = (
        "Username,Followers,Engagement\n"
        "good_one,12K,5%\n"
        "not a handle!,12K,5%\n"
        "good_two,lots,5%\n"
        "good_three,1K,250%\n"
        ",5K,1%\n"
    )
    report = await import_file(store, settings, opts(write(tmp_path, "bad.csv", bad)))
    assert report.rows == 5 and report.inserted == 1 and report.rejected == 4
    assert report.accounted == report.rows
    by_row = {(e.row, e.column): e.reason for e in report.errors}
    assert set(by_row) == {(3, "Username"), (4, "Followers"), (5, "Engagement"), (6, "Username")}
    assert "not a TikTok handle" in by_row[(3, "Username")]
    assert "not a number" in by_row[(4, "Followers")]
    assert "between 0% and 100%" in by_row[(5, "Engagement")]
    assert "missing" in by_row[(6, "Username")]
    assert await count(store, Creator) == 1


async def test_strict_import_with_a_bad_row_writes_nothing(store, settings, tmp_path):
    await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    before = await dump(store)
    bad = "Username,Followers\nfresh_one,1K\nbroken,abc\n"
    with pytest.raises(ImportRejected) as info:
        await import_file(store, settings, opts(write(tmp_path, "b.csv", bad), strict=True))
    assert info.value.report.rejected == 1
    assert await dump(store) == before


async def test_a_crash_mid_import_leaves_the_store_exactly_as_it_was(
    store, settings, tmp_path, monkeypatch
):
    await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    before = await dump(store)

    async def explode(*args: object, **kw: object) -> None:
        raise RuntimeError("disk on fire")

    # Creators are written first; the crash comes while writing their snapshots.
    monkeypatch.setattr(importer, "write_creator_snapshots", explode)
    update = "Username,Followers\nalice.dance,1\nbrand_new,5K\n"
    with pytest.raises(RuntimeError, match="disk on fire"):
        await import_file(store, settings, opts(write(tmp_path, "u.csv", update)))
    assert await dump(store) == before


async def test_a_constraint_violation_rolls_everything_back(store, settings, tmp_path, monkeypatch):
    before = await dump(store)
    from bot.db.bulk import insert_frame

    real = importer.write_creator_snapshots

    async def twice(conn, ctx, snaps):  # type: ignore[no-untyped-def]
        status = await real(conn, ctx, snaps)
        # The same snapshot key once more: the unique constraint must fire.
        await insert_frame(conn, importer.snapshots_t, snaps.head(1),
                           {"workspace_id": ctx.workspace_id, "source": ctx.source})  # fmt: skip
        return status

    monkeypatch.setattr(importer, "write_creator_snapshots", twice)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    assert await dump(store) == before


async def test_dry_run_counts_like_a_real_import_and_writes_nothing(store, settings, tmp_path):
    before = await dump(store)
    report = await import_file(
        store, settings, opts(write(tmp_path, "c.csv", CREATORS), dry_run=True)
    )
    assert report.dry_run and not report.written
    assert report.inserted == 3
    assert await dump(store) == before


async def test_two_workspaces_never_see_each_others_creators(store, settings, tmp_path):
    await import_file(store, settings, opts(write(tmp_path, "a.csv", CREATORS), workspace="a"))
    other = "Username,Followers\nonly_in_b,5K\nalice.dance,1\n"
    await import_file(store, settings, opts(write(tmp_path, "b.csv", other), workspace="b"))
    a = await creator_service.search(store, settings, "a", limit=100)
    b = await creator_service.search(store, settings, "b", limit=100)
    assert {p.handle for p in a.creators} == {"alice.dance", "bob_cooks", "carol"}
    assert {p.handle for p in b.creators} == {"only_in_b", "alice.dance"}
    assert next(p for p in a.creators if p.handle == "alice.dance").followers == 149_200_000
    assert next(p for p in b.creators if p.handle == "alice.dance").followers == 1
    with pytest.raises(creator_service.CreatorNotFound):
        await creator_service.show(store, settings, "b", "bob_cooks")


async def test_history_of_dated_rows_becomes_snapshots(store, settings, tmp_path):
    daily = (
        "date,username,display_name,followers\n"
        "2024-01-01,ann,Ann A,1000\n"
        "2024-01-02,ann,Ann B,1100\n"
        "2024-01-02,ann,Ann B,1150\n"  # duplicate key: the last row wins
        "2024-01-03,ann,Ann C,1200\n"
    )
    report = await import_file(store, settings, opts(write(tmp_path, "d.csv", daily)))
    assert report.duplicates == 1 and report.duplicate_rows == [(3, 4)]
    assert report.inserted == 3 and report.accounted == 4
    ann = await creator_service.show(store, settings, "team-a", "ann")
    assert ann.followers == 1200 and ann.display_name == "Ann C"
    assert ann.as_of == "2024-01-03"
    async with store.engine.connect() as conn:
        rows = (await conn.execute(
            select(CreatorSnapshot.as_of, CreatorSnapshot.followers).order_by(CreatorSnapshot.as_of)
        )).all()  # fmt: skip
    assert [(r[0].isoformat(), r[1]) for r in rows] == [
        ("2024-01-01", 1000), ("2024-01-02", 1150), ("2024-01-03", 1200)]  # fmt: skip


async def test_the_newest_dated_row_gives_the_profile_wherever_it_stands(store, settings, tmp_path):
    rows = "date,username,display_name\n2024-01-03,ann,Ann new\n2024-01-01,ann,Ann old\n"
    await import_file(store, settings, opts(write(tmp_path, "d.csv", rows)))
    ann = await creator_service.show(store, settings, "team-a", "ann")
    assert (ann.display_name, ann.as_of) == ("Ann new", "2024-01-03")


VIDEOS = [
    {"id": 73207681965695992750, "username": "Cat.Lady", "create_time": 1704502796,
     "view_count": 1000, "like_count": 100, "comment_count": 10, "share_count": 5,
     "hashtag_names": ["cats", "duet"], "region_code": "US", "video_description": "a\u0000b"},
    {"id": 7320768187275005226, "username": "cat.lady", "create_time": 1704412800,
     "view_count": 2000, "like_count": 50, "comment_count": 0, "share_count": 0,
     "hashtag_names": ["cats"], "region_code": "US"},
    {"id": 7320768187275005227, "username": "dog_guy", "create_time": 1704412800,
     "view_count": 10, "like_count": 1, "comment_count": 0, "share_count": 0,
     "hashtag_names": ["dogs", "cats"], "region_code": "GB"},
]  # fmt: skip


def research_api(videos: list[dict]) -> str:
    data = {"videos": videos, "has_more": False, "cursor": 3, "search_id": "x"}
    return json.dumps({"data": data, "error": {"code": "ok", "message": ""}})


async def test_videos_yield_creators_aggregates_and_hashtag_usage(store, settings, tmp_path):
    path = write(tmp_path, "api.json", research_api(VIDEOS))
    report = await import_file(store, settings, opts(path, kind="videos", as_of=None))
    assert report.inserted == 3 and report.rejected == 0
    assert report.as_of == dt.date(2024, 1, 6)  # the newest video's day
    assert report.details["creators_new"] == 2
    async with store.engine.connect() as conn:
        ids = set((await conn.execute(select(Video.video_id))).scalars())
        assert "73207681965695992750" in ids  # above 2^63, kept exactly
        desc = (await conn.execute(
            select(Video.description).where(Video.video_id == "73207681965695992750")
        )).scalar_one()  # fmt: skip
        assert desc == "ab"
    cat = await creator_service.show(store, settings, "team-a", "cat.lady")
    assert cat.videos_sampled == 2
    assert cat.median_views == 1500
    per_video = [(100 + 10 + 5) / 1000, 50 / 2000]
    assert cat.engagement_rate_views == pytest.approx(sum(per_video) / 2)
    assert "median over 2 recent videos" in cat.engagement_rate_views_basis

    async with store.engine.connect() as conn:
        rows = (await conn.execute(
            select(HashtagSnapshot.as_of, HashtagSnapshot.region, HashtagSnapshot.posts,
                   HashtagSnapshot.views)
            .join(Hashtag, Hashtag.id == HashtagSnapshot.hashtag_id)
            .where(HashtagSnapshot.source == "videos", Hashtag.name == "cats")
            .order_by(HashtagSnapshot.region, HashtagSnapshot.as_of)
        )).all()  # fmt: skip
    # 'cats' worldwide: 2024-01-05 two videos (2000 + 10 views), 2024-01-06 one more (1000).
    cats_world = [(r.as_of.isoformat(), r.posts, r.views) for r in rows if r.region == ""]
    assert ("2024-01-05", 2, 2010) in cats_world and ("2024-01-06", 3, 3010) in cats_world

    again = await import_file(store, settings, opts(path, kind="videos", as_of=None))
    assert again.unchanged == 3 and not again.written


async def test_a_file_with_no_usable_columns_says_what_it_expected(store, settings, tmp_path):
    path = write(tmp_path, "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(ImportFailed, match="none of the columns were recognised.*expected"):
        await import_file(store, settings, opts(path))
    path = write(tmp_path, "y.csv", "Followers,Country\n1,US\n")
    with pytest.raises(ImportFailed, match="no column for handle"):
        await import_file(store, settings, opts(path))


async def test_map_option_maps_an_unknown_header(store, settings, tmp_path):
    path = write(tmp_path, "m.csv", "Creator Tag,Audience Size\n@zed,12k\n")
    report = await import_file(
        store,
        settings,
        opts(path, user_map={"creator tag": "handle", "Audience Size": "followers"}),
    )
    assert report.mapping == {"Creator Tag": "handle", "Audience Size": "followers"}
    assert (await creator_service.show(store, settings, "team-a", "zed")).followers == 12_000


async def test_too_big_a_file_is_refused_up_front(store, tmp_path):
    from tests.conftest import make_settings

    small = make_settings(str(store.engine.url), **{"import": {"max_file_mb": 0.00001}})
    path = write(tmp_path, "c.csv", CREATORS)
    with pytest.raises(ImportFailed, match="over the .* MB limit"):
        await import_file(store, small, opts(path))
    few = make_settings(str(store.engine.url), **{"import": {"max_rows": 2}})
    with pytest.raises(ImportFailed, match="more than 2 data rows"):
        await import_file(store, few, opts(path))


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("rows", [1, 7, 250, 1234])
async def test_insert_frame_stores_every_row_in_order_with_exact_values(
    store, rows, shuffled, monkeypatch
):
    """bulk.insert_frame: on SQLite constants and same-in-every-row values become literals and
    rows go many to a statement, in batches; the rows, their order (ids) and values must be
    exactly what row-by-row binding stores, remainders and quotes included, in frame order
    or in a given order."""
    from bot.db import bulk
    from bot.db.models import Workspace, utcnow

    monkeypatch.setattr(bulk, "WRITE_BATCH", 500)  # 1234 rows: batches of 500, 500, 234
    monkeypatch.setattr(bulk, "SQLITE_ROWS_PER_INSERT", 100)

    now = utcnow()
    frame = pd.DataFrame(
        {
            "handle": [f"h{i:05d}" for i in range(rows)],
            "display_name": pd.Series(
                ['O\'Brien "x"', None, "ü" * 3, ""] * (rows // 4) + [None] * (rows % 4),
                dtype=object,
            ),
            "country": ["US"] * rows,  # the same in every row: a literal on SQLite
            "price_quote": [0.1 + i / 3 for i in range(rows)],
            "profile_as_of": [dt.date(2024, 5, 1)] * rows,
        }
    )
    async with store.engine.begin() as conn:
        ws_id = (
            await conn.execute(
                Workspace.__table__.insert()
                .values(name="ins", created_at=now)
                .returning(Workspace.__table__.c.id)
            )
        ).scalar_one()
        ctx = importer.WriteContext(ws_id, "t.csv", dt.date(2024, 5, 1), 0, now)
        order = np.random.default_rng(rows).permutation(rows) if shuffled else None
        ids = await importer._insert_with_ids(
            conn, importer.creators_t, ctx, frame, "handle",
            {"workspace_id": ws_id, "created_at": now, "updated_at": now, "bio": "it's"},
            order,
        )  # fmt: skip
    async with store.sessions() as session:
        got = (
            await session.execute(
                select(Creator).where(Creator.workspace_id == ws_id).order_by(Creator.id)
            )
        ).scalars().all()  # fmt: skip
    inserted = frame if order is None else frame.iloc[order]  # in frame order or ``order``
    assert [c.handle for c in got] == inserted["handle"].tolist()
    assert sorted(c.id for c in got) == sorted(ids.tolist())
    assert dict(zip(frame["handle"], ids.tolist(), strict=True)) == {c.handle: c.id for c in got}
    assert [c.display_name for c in got] == inserted["display_name"].tolist()
    assert [c.price_quote for c in got] == inserted["price_quote"].tolist()  # floats exact
    assert {(c.country, c.profile_as_of, c.bio, c.created_at) for c in got} == {
        ("US", dt.date(2024, 5, 1), "it's", now)
    }


async def test_new_creator_ids_are_read_back_when_sqlite_cannot_vouch_for_them(
    store, settings, tmp_path, monkeypatch
):
    """On SQLite new ids are after+1.. unless the table's new largest id disagrees; then
    (and always on PostgreSQL) they are read back. Either way each row gets its own id."""

    real = importer._max_id
    calls = 0

    async def off_by_one_after_insert(conn, table):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        found = await real(conn, table)
        return found + 1 if calls == 2 else found

    monkeypatch.setattr(importer, "_max_id", off_by_one_after_insert)
    report = await import_file(store, settings, opts(write(tmp_path, "c.csv", CREATORS)))
    assert report.inserted == 3
    async with store.sessions() as session:
        creators = (await session.execute(select(Creator))).scalars().all()
        snaps = (await session.execute(select(CreatorSnapshot))).scalars().all()
    by_id = {c.id: c.handle for c in creators}
    followers = {by_id[s.creator_id]: s.followers for s in snaps}
    assert followers == {"alice.dance": 149_200_000, "bob_cooks": 856_300, "carol": 1234}


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcxyz019._\x00", max_size=20),
            st.text(max_size=12),  # any code point: Python's sort
            st.text(alphabet="ab", min_size=60, max_size=70),  # past 64: Python's sort
        ),
        max_size=30,
    )
)
def test_key_order_sorts_like_python(values):
    """New rows go into the unique index in key order; the fast ASCII path must agree with
    Python's sort, ties kept in row order."""
    order, starts = importer._key_sort(pd.Series(values, dtype=object))
    assert [values[i] for i in order] == sorted(values)
    assert sorted(order.tolist()) == list(range(len(values)))
    for a, b in itertools.pairwise(order):
        if values[a] == values[b]:
            assert a < b
    # starts marks each sorted value that differs from the one before it
    ordered = [values[i] for i in order]
    assert starts.tolist() == [i == 0 or ordered[i] != ordered[i - 1] for i in range(len(values))]


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(st.sampled_from(["ana", "bo", "ana.b", "Zed"]), st.text(max_size=8)),
        max_size=40,
    )
)
def test_handle_codes_number_the_distinct_handles_in_index_order(values):
    """The writer numbers handles from the key order's sort (no second hashing): each row's
    code names its handle, and the codes' handles come sorted, each once."""
    code, first, last = importer._sorted_codes(pd.Series(values, dtype=object))
    distinct = [values[i] for i in first.tolist()]
    assert distinct == sorted(set(values))
    assert [distinct[c] for c in code.tolist()] == values
    # first and last: the first and the last row holding each code's handle
    assert first.tolist() == [values.index(v) for v in distinct]
    assert last.tolist() == [len(values) - 1 - values[::-1].index(v) for v in distinct]


@settings(max_examples=200)
@given(
    st.one_of(
        st.lists(st.integers(-5, 40), max_size=40),  # repeats
        st.lists(st.integers(-(2**62), 2**62), max_size=20),  # wide span
        st.permutations(list(range(7, 47))),  # distinct and dense: placed, not sorted
        st.lists(st.integers(0, 60), max_size=30, unique=True),
    )
)
def test_stable_argsort_of_ids_is_numpys(ids):
    ids = np.array(ids, dtype=np.int64)
    assert importer._stable_argsort(ids).tolist() == np.argsort(ids, kind="stable").tolist()
