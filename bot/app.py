"""The Discord bot: one factory, :func:`create_bot`, used by ``campaign-bot run`` and the tests.

- Only the Guilds intent (slash commands need no privileged intent); mentions are off by
  default in everything the bot sends.
- ``setup_hook`` opens the store, refuses an out-of-date schema, loads every cog, syncs the
  command tree only when it changed since the last sync (a hash is kept in the database,
  shared by every process), and warms the ranking copies in the background. Never in
  ``on_ready``, which runs again on every reconnect.
- One error path (:class:`CampaignTree.on_error`): errors a user can fix get a short ephemeral
  answer; anything else gets "something went wrong (error id X)" and a logged traceback with
  that id. It answers whether or not the interaction was acknowledged, never twice, and
  copes with an expired interaction.
- Scale-out: shard count and ids come from the config, so several processes can split the
  guilds and share one PostgreSQL; nothing here assumes it is the only process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import Store
from bot.db.migrate import check_schema
from bot.db.models import BotState, utcnow
from bot.errors import UserError
from bot.render.embeds import content

log = logging.getLogger("campaign_bot")

EXTENSIONS = (
    "cogs.creators",
    "cogs.briefs",
    "cogs.trends",
    "cogs.data",
    "cogs.digests",
    "cogs.help",
    "cogs.campaigns",
)
TREE_HASH_KEY = "command_tree_hash"


class NotInGuild(app_commands.NoPrivateMessage):
    def __init__(self) -> None:
        super().__init__(
            "This bot works inside a server: each server has its own workspace. "
            "Use the commands in a server channel."
        )


def describe(error: BaseException) -> str | None:
    """The answer for an error a user can act on, or None for a bug."""
    original = getattr(error, "original", error)
    if isinstance(original, UserError):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"That command is cooling down; try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {perms} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {perms} permission in this channel; ask a server admin."
    if isinstance(error, app_commands.TransformerError):
        return f"{str(error.value)[:100]!r} is not a valid {error.type.name.lower()}."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    return None


async def handle_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error path for commands and buttons: answer once, log bugs with an id."""
    message = describe(error)
    if message is None:
        error_id = uuid.uuid4().hex[:8]
        what = interaction.command.qualified_name if interaction.command else "a button"
        original = getattr(error, "original", error)
        log.error(
            "error %s in /%s",
            error_id,
            what,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = (
            f"Something went wrong (error id {error_id}). It was logged; please try "
            "again, and tell the bot's admin the error id if it persists."
        )
    await reply(interaction, message)


class CampaignTree(app_commands.CommandTree):
    """The command tree: every command is guild-only at run time, errors answer once."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise NotInGuild()
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await handle_error(interaction, error)


async def reply(interaction: discord.Interaction, message: str, **kwargs: Any) -> None:
    """An ephemeral answer: the response if none was sent yet, else a followup."""
    kwargs.setdefault("ephemeral", True)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(content(message), **kwargs)
            return
        # After a public defer, Discord shows the first followup in place of the "thinking"
        # placeholder, publicly: cogs check their options before deferring, so what reaches
        # this point late is rare (the data changed, a service refused).
        await interaction.followup.send(content(message), **kwargs)
    except discord.NotFound:  # 10062: the interaction expired before we could answer
        log.warning("could not answer an expired interaction: %s", message[:200])
    except discord.HTTPException as exc:
        log.warning("could not answer an interaction (%s): %s", exc.status, message[:200])


def tree_hash(tree: app_commands.CommandTree) -> str:
    payload = sorted((c.to_dict(tree) for c in tree.get_commands()), key=lambda d: d["name"])
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class CampaignBot(commands.AutoShardedBot):
    def __init__(
        self, settings: Settings, *, store: Store | None = None, sync_commands: bool | None = None
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        options: dict[str, Any] = {}
        if settings.bot.shard_count is not None:
            options["shard_count"] = settings.bot.shard_count
        if settings.bot.shard_ids is not None:
            options["shard_ids"] = settings.bot.shard_ids
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=CampaignTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.store = store
        self._own_store = store is None
        self.sync_commands = settings.bot.sync_on_start if sync_commands is None else sync_commands
        self.jobs = asyncio.Semaphore(settings.bot.max_concurrent_jobs)
        self.known_workspaces: set[int] = set()  # guilds whose workspace exists
        from bot.scheduler import DigestScheduler

        self.scheduler = DigestScheduler(self)
        self._warm: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        if self.store is None:
            self.store = Store.open(self.settings.database)
        await check_schema(self.store.engine)
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if self.sync_commands:
            await self.sync_if_changed()
        self._warm = asyncio.create_task(self.warm_ranking_copies(), name="warm-ranking")
        if self.settings.bot.run_scheduler:
            self.scheduler.start()

    async def sync_if_changed(self, guild: discord.abc.Snowflake | None = None, *,
                              force: bool = False) -> bool:  # fmt: skip
        """Sync the command tree when its hash differs from the last synced one (or always,
        with ``force``); the hash is kept in the database, shared by every process."""
        assert self.store is not None
        digest = tree_hash(self.tree)
        key = TREE_HASH_KEY if guild is None else f"{TREE_HASH_KEY}:{guild.id}"
        t = BotState.__table__
        async with self.store.engine.connect() as conn:
            stored = (await conn.execute(select(t.c.value).where(t.c.key == key))).scalar()
        if stored == digest and not force:
            log.info("command tree unchanged since the last sync; not syncing")
            return False
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands%s", len(synced), f" to guild {guild.id}" if guild else "")
        async with self.store.engine.begin() as conn:
            await conn.execute(t.delete().where(t.c.key == key))
            await conn.execute(t.insert().values(key=key, value=digest, updated_at=utcnow()))
        return True

    async def warm_ranking_copies(self) -> None:
        """Load (or build) the ranking copy of every workspace this process serves."""
        from bot.db.repo import list_workspaces
        from bot.services.ranking import default_cache

        assert self.store is not None
        try:
            async with self.store.engine.connect() as conn:
                workspaces = await list_workspaces(conn)
            for ws in workspaces:
                if ws.guild_id is None:
                    continue
                if self.shard_ids is not None and self.shard_count:
                    if (ws.guild_id >> 22) % self.shard_count not in self.shard_ids:
                        continue  # another process serves this guild
                async with self.jobs:
                    await default_cache.table(self.store, self.settings, ws.id)
        except Exception:  # a cold cache only costs the first ranking some time
            log.exception("warming the ranking copies failed")

    async def close(self) -> None:
        await self.scheduler.stop()
        if self._warm is not None:  # cancelled and awaited before the store closes
            self._warm.cancel()
            await asyncio.gather(self._warm, return_exceptions=True)
        await super().close()
        if self.store is not None and self._own_store:
            await self.store.close()


def create_bot(
    settings: Settings, *, store: Store | None = None, sync_commands: bool | None = None
) -> CampaignBot:
    """The bot, ready for ``bot.start(token)`` (or SimCord in tests)."""
    return CampaignBot(settings, store=store, sync_commands=sync_commands)
