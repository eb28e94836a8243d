"""What every cog shares: the workspace of a guild, permission checks, cooldowns, off-loop
jobs, owned views and chart files."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.render.embeds import SafeEmbed
from bot.services import workspaces

if TYPE_CHECKING:
    from bot.app import CampaignBot
    from bot.db.engine import Store

T = TypeVar("T")


def client(interaction: discord.Interaction) -> CampaignBot:
    return interaction.client  # type: ignore[return-value]


def store_of(interaction: discord.Interaction) -> Store:
    """The bot's store: open from setup_hook on, before any command can run."""
    store = client(interaction).store
    assert store is not None
    return store


async def workspace(interaction: discord.Interaction) -> str:
    """The guild's workspace reference, created on first use."""
    guild = interaction.guild
    assert guild is not None  # the tree refuses DMs before any command runs
    bot = client(interaction)
    if guild.id not in bot.known_workspaces:  # workspaces are never deleted: ask once
        assert bot.store is not None
        await workspaces.for_guild(bot.store, guild.id)
        bot.known_workspaces.add(guild.id)
    return str(guild.id)


def is_manager(interaction: discord.Interaction) -> bool:
    """Manage Server, or the configured planner role, checked now (not only as a client hint)."""
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    role = client(interaction).settings.bot.planner_role
    return any(r.name == role for r in member.roles)


def planner_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction) -> bool:
        if is_manager(interaction):
            return True
        role = client(interaction).settings.bot.planner_role
        raise app_commands.CheckFailure(
            f"You need the Manage Server permission or the {role!r} role for this. "
            "Ask a server admin to give you the role."
        )

    return app_commands.check(predicate)


def heavy_cooldown() -> Callable[[T], T]:
    """One heavy command per user per ``bot.heavy_cooldown_s`` seconds."""

    def factory(interaction: discord.Interaction) -> app_commands.Cooldown | None:
        seconds = client(interaction).settings.bot.heavy_cooldown_s
        return app_commands.Cooldown(1, seconds) if seconds > 0 else None

    return app_commands.checks.dynamic_cooldown(factory, key=lambda i: (i.guild_id, i.user.id))


async def job(interaction: discord.Interaction, fn: Callable[..., T], *args: Any) -> T:
    """CPU work (charts, CSV) off the event loop, a few at a time."""
    async with client(interaction).jobs:
        return await asyncio.to_thread(fn, *args)


def png(data: bytes, name: str = "chart.png") -> discord.File:
    """A fresh file for one send (a discord.File is used up by the send that carries it)."""
    return discord.File(io.BytesIO(data), filename=name)


class OwnedView(discord.ui.View):
    """Buttons only the person who asked can use; they stop before the interaction token
    (15 minutes) does, and are shown disabled afterwards."""

    def __init__(self, owner_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self.origin: discord.Interaction | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to the person who ran the command; run it yourself to "
                "get your own.",
                ephemeral=True,
            )
            return False
        return True

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        try:
            if self.origin is not None:
                await self.origin.edit_original_response(view=self)
            elif self.message is not None:
                await self.message.edit(view=self)
        except discord.HTTPException:
            pass  # the message is gone or the token expired: nothing to disable

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.app import handle_error

        await handle_error(interaction, error)


class Pages(OwnedView):
    """Previous / Next through a list of embeds."""

    def __init__(self, owner_id: int, timeout: float, pages: list[SafeEmbed]) -> None:
        super().__init__(owner_id, timeout)
        self.pages = pages
        self.page = 0
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    def current(self) -> SafeEmbed:
        return self.pages[self.page]

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, row=0)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.page = max(0, self.page - 1)
        self._sync()
        await interaction.response.edit_message(embed=self.current(), view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary, row=0)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.page = min(len(self.pages) - 1, self.page + 1)
        self._sync()
        await interaction.response.edit_message(embed=self.current(), view=self)
