"""Workspaces: one per Discord guild, created on first use."""

from __future__ import annotations

from bot.db.engine import Store
from bot.db.repo import WorkspaceRef, ensure_workspace


async def for_guild(store: Store, guild_id: int) -> WorkspaceRef:
    """The guild's workspace, created the first time the guild uses the bot."""
    async with store.engine.begin() as conn:
        return await ensure_workspace(conn, str(guild_id), guild_id=guild_id)
