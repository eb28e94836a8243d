"""Schema migrations (Alembic), run by ``campaign-bot db upgrade`` and checked at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database's schema is not the one this code was written for."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; returns (before, after)."""
    before = await current_revision(engine)

    def _upgrade(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
    return before, await current_revision(engine) or ""


async def check_schema(engine: AsyncEngine) -> None:
    """Refuse to run on a database whose schema is not at this code's head revision."""
    current = await current_revision(engine)
    head = head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        state = "has no schema yet"
    else:
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        state = (
            f"is at revision {current}, this version needs {head}"
            if current in known
            else f"is at revision {current}, which this version does not know (newer code?)"
        )
    raise SchemaOutOfDate(f"the database {where} {state}: run `campaign-bot db upgrade` first")
