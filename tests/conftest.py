"""Shared fixtures: a real SQLite file and the machine's real PostgreSQL, migrated by Alembic.

PostgreSQL: ``CAMPAIGN_BOT_TEST_PG`` (default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
Each test session migrates its own schema and drops it at the end, so parallel runs on one
server do not meet. When the server cannot be reached the PostgreSQL tests skip with the
reason, unless ``CAMPAIGN_BOT_REQUIRE_POSTGRES=1`` (set by .ci/run), where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.config import DatabaseSettings, Settings
from bot.db.engine import Store
from bot.db.migrate import upgrade
from bot.db.models import Base

PG_URL = os.environ.get("CAMPAIGN_BOT_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CAMPAIGN_BOT_REQUIRE_POSTGRES") == "1"
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """../shared/datasets: real public TikTok data (skip when the folder is absent)."""
    if not DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {DATASETS}")
    return DATASETS


def run_async(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (session fixtures are first requested from async tests)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def make_settings(url: str, **sections: Any) -> Settings:
    return Settings.model_validate({"database": {"url": url}, **sections})


# --- SQLite ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def migrate() -> None:
        store = Store.open(DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))
        await upgrade(store.engine)
        await store.close()

    run_async(migrate())
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "store.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


# --- PostgreSQL --------------------------------------------------------------------------


def _pg_unreachable() -> str | None:
    import asyncpg

    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")

    async def probe() -> None:
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()

    try:
        run_async(probe())
    except Exception as exc:  # any failure to connect means: no server for these tests
        return f"PostgreSQL at {PG_URL} is not reachable ({type(exc).__name__}: {exc})"
    return None


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    reason = _pg_unreachable()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"{reason}; CAMPAIGN_BOT_REQUIRE_POSTGRES=1 forbids skipping")
        pytest.skip(reason)
    schema = f"test_{uuid.uuid4().hex[:12]}"

    async def setup() -> None:
        store = Store.open(DatabaseSettings(url=PG_URL))
        async with store.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await store.close()
        store = pg_store_for(schema)
        await upgrade(store.engine)
        await store.close()

    async def teardown() -> None:
        store = Store.open(DatabaseSettings(url=PG_URL))
        async with store.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await store.close()

    run_async(setup())
    yield schema
    run_async(teardown())


def pg_store_for(schema: str) -> Store:
    return Store.open(
        DatabaseSettings(url=PG_URL),
        connect_args={"server_settings": {"search_path": schema}},
    )


async def _truncate(store: Store) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with store.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


# --- the store, on both databases --------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def store(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """A migrated, empty store: a SQLite file, or a PostgreSQL schema of this session."""
    if backend == "sqlite":
        s = Store.open(DatabaseSettings(url=request.getfixturevalue("sqlite_url")))
    else:
        s = pg_store_for(request.getfixturevalue("pg_schema"))
        await _truncate(s)
    yield s
    await s.close()


@pytest.fixture
def settings(store: Store, tmp_path: Path) -> Settings:
    return make_settings(
        store.engine.url.render_as_string(hide_password=False),
        ranking={"cache_dir": str(tmp_path / "ranking-cache")},
    )


async def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: for 'nothing changed' assertions."""
    out = {}
    async with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(table.select())).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
