"""Alembic migrations: the models and the migrations agree, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.config import DatabaseSettings
from bot.db.engine import Store
from bot.db.migrate import SchemaOutOfDate, check_schema, current_revision, head_revision, upgrade
from bot.db.models import Base


async def test_migrations_match_the_models(store: Store) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)

    async with store.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], f"models and migrations differ; write a migration: {changes}"
    assert await current_revision(store.engine) == head_revision()
    await check_schema(store.engine)


async def test_schema_check_refuses_old_unknown_and_missing_schemas(tmp_path) -> None:
    store = Store.open(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"))
    try:
        with pytest.raises(SchemaOutOfDate, match="has no schema yet.*campaign-bot db upgrade"):
            await check_schema(store.engine)
        assert await upgrade(store.engine) == (None, head_revision())
        await check_schema(store.engine)
        async with store.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
        with pytest.raises(SchemaOutOfDate, match="does not know"):
            await check_schema(store.engine)
    finally:
        await store.close()


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:
    store = Store.open(
        DatabaseSettings(
            url=f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}", sqlite_busy_timeout_ms=1234
        )
    )
    try:
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 1234
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA page_size"))).scalar() == 8192
    finally:
        await store.close()
