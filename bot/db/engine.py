"""Engine and session set-up for the two supported stores.

SQLite (aiosqlite) is the embedded default: WAL journal, a busy timeout, foreign keys on, and
explicit ``BEGIN`` statements (pysqlite's implicit transactions would otherwise start only at
the first write). A connection opened with ``execution_options(sqlite_begin="IMMEDIATE")``
takes the write lock at ``BEGIN``, so an import reads and writes under one lock.

PostgreSQL (asyncpg) is the scale-out store; the same code runs on both.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import DatabaseSettings


def _sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(settings: DatabaseSettings, **kwargs: Any) -> AsyncEngine:
    url = settings.url
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=settings.echo,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
            **kwargs,
        )
        busy = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from pysqlite; "begin" below issues BEGIN.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # A new database file gets 8 KiB pages (SQLite's default is 4 KiB; a file that
            # exists keeps its own): a million-row import wrote 0.3 s faster, mostly in the
            # commit's checkpoint. Must come before the file is put in WAL mode.
            cur.execute("PRAGMA page_size=8192")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Temporary files in memory, among them the statement journal SQLite keeps so
            # that a multi-row INSERT that fails halfway can be undone: the bulk inserts
            # (bot.db.bulk) wrote it to a temporary file a page at a time, 32,000 writes for
            # 300,000 rows; a million-row import's INSERTs took ~0.5 s less without them.
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

        return engine
    return create_async_engine(url, echo=settings.echo, pool_pre_ping=True, **kwargs)


@dataclass
class Store:
    """The open database: an engine and a session factory."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def open(cls, settings: DatabaseSettings, **kwargs: Any) -> Store:
        engine = make_engine(settings, **kwargs)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that will write. On SQLite it takes the write lock at BEGIN: two
        deferred transactions that both read and then write can otherwise deadlock
        ("database is locked"), as concurrent digest claims did."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                yield conn

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def close(self) -> None:
        await self.engine.dispose()
