"""/campaign suggest: campaign ideas on hashtags trending now, for a saved brief.

One idea per embed, with buttons for the person who asked: Next idea (the next best; a new
page of ideas is fetched when the shown ones run out, on the same day's trends), Use these
creators (the idea's seed creators saved as a shortlist) and Export as Markdown (the ideas
seen so far, as a file). Options are checked before anything is deferred, so a typo gets a
private answer that names the option.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.render import cards_suggest as render
from bot.render.embeds import CHOICE_NAME, CHOICES, SafeEmbed, clip, content, safe
from bot.services import briefs as briefs_service
from bot.services import suggest as service
from bot.services import trends as trends_service
from cogs.briefs import brief_names
from cogs.common import OwnedView, client, heavy_cooldown, store_of, workspace
from scoring.brief import Brief
from scoring.match import normalise


async def fetch(
    interaction: discord.Interaction, ws: str, brief: Brief, options: dict[str, Any], page: int
) -> service.Suggestions:
    """service.suggest, at most ``bot.max_concurrent_jobs`` at once."""
    bot = client(interaction)
    assert bot.store is not None
    async with bot.jobs:
        return await service.suggest(bot.store, bot.settings, ws, brief, page=page, **options)


class CampaignView(OwnedView):
    """One idea at a time, with Next idea, Use these creators and Export as Markdown."""

    def __init__(
        self, owner_id: int, timeout: float, *, ws: str, result: service.Suggestions,
        options: dict[str, Any],
    ) -> None:  # fmt: skip
        super().__init__(owner_id, timeout)
        self.ws = ws
        self.brief = result.brief
        self.options = {**options, "as_of": dt.date.fromisoformat(result.as_of)}
        self.result = result  # the newest page fetched
        self.seen: list[tuple[service.Idea, service.Suggestions]] = [
            (idea, result) for idea in result.ideas
        ]
        self.index = 0
        self._lock = asyncio.Lock()
        self._sync()

    def _sync(self) -> None:
        self.next_idea.disabled = self.index >= len(self.seen) - 1 and not self.result.more

    def current(self) -> SafeEmbed:
        idea, page = self.seen[self.index]
        return render.idea_card(page, idea)

    @discord.ui.button(label="Next idea", style=discord.ButtonStyle.primary, row=0)
    async def next_idea(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        if self.index + 1 < len(self.seen):
            self.index += 1
            self._sync()
            await interaction.response.edit_message(embed=self.current(), view=self)
            return
        if not self.result.more:
            self._sync()
            await interaction.response.edit_message(view=self)
            await interaction.followup.send(
                "That was the last idea for this brief on these trends.", ephemeral=True
            )
            return
        await interaction.response.defer()  # a new page: the message is edited when it comes
        async with self._lock:  # two quick clicks fetch the page once
            if self.index + 1 >= len(self.seen) and self.result.more:
                fresh = await fetch(interaction, self.ws, self.brief, self.options,
                                    self.result.page + 1)  # fmt: skip
                self.result = fresh
                self.seen.extend((idea, fresh) for idea in fresh.ideas)
            if self.index + 1 < len(self.seen):
                self.index += 1
        self._sync()
        await interaction.edit_original_response(embed=self.current(), view=self)

    @discord.ui.button(label="Use these creators", style=discord.ButtonStyle.success, row=0)
    async def use_creators(
        self, interaction: discord.Interaction, _: discord.ui.Button[Any]
    ) -> None:
        bot = client(interaction)
        assert bot.store is not None
        idea, page = self.seen[self.index]
        info = await service.save_seeds(bot.store, self.ws, page, idea, interaction.user.id)
        await interaction.response.send_message(
            content(
                f"Saved the shortlist **{safe(info.name, 100)}**: the "
                f"{len(info.data['creators'])} seed creators of idea {idea.position} "
                f"({safe(idea.plan.format.title, 60)} on #{safe(idea.hashtag, 100)}). "
                "/shortlist show or /shortlist export brings it back."
            )
        )

    @discord.ui.button(label="Export as Markdown", style=discord.ButtonStyle.secondary, row=0)
    async def export(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        shown = [idea for idea, _ in self.seen[: self.index + 1]]
        text = service.export_markdown(self.seen[self.index][1], shown)
        n = len(shown)
        await interaction.response.send_message(
            content(
                f"The {n} idea{'s' if n != 1 else ''} seen so far for "
                f"**{safe(self.brief.name, 100)}**, as Markdown."
            ),
            file=discord.File(
                io.BytesIO(text.encode("utf-8")), filename=render.export_name(self.brief.name)
            ),
            ephemeral=True,
        )


@app_commands.guild_only()
class Campaigns(
    commands.GroupCog, group_name="campaign", group_description="Campaign ideas from trends"
):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def format_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        found = [
            (fid, title)
            for fid, title in service.format_choices(client(interaction).settings)
            if typed in fid or typed in title.lower()
        ]
        return [
            app_commands.Choice(name=clip(f"{title} ({fid})", CHOICE_NAME), value=fid)
            for fid, title in found[:CHOICES]
        ]

    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        store = store_of(interaction)
        names = await trends_service.hashtag_names(store, str(interaction.guild.id))
        typed = normalise(current)
        if typed:
            names = [n for n in names if n.startswith(typed)] + [
                n for n in names if typed in n and not n.startswith(typed)
            ]
        return [
            app_commands.Choice(name=f"#{n}"[:CHOICE_NAME], value=n[:CHOICE_NAME])
            for n in names[:CHOICES]
        ]

    @app_commands.command(
        name="suggest",
        description="Campaign ideas on hashtags rising now, with seed creators and a forecast",
    )
    @app_commands.describe(
        brief="the saved brief's name (start typing to pick one)",
        format="only this format, e.g. trend_jack (start typing to see them)",
        hashtag="only ideas on this hashtag (it must not be declining)",
        brand_hashtag="the brand's hashtag for challenges and contests (default: the brief's)",
        product="the product a tutorial or before-after shows (default: the brief's)",
    )
    @app_commands.autocomplete(brief=brief_names, format=format_autocomplete,
                               hashtag=tag_autocomplete)  # fmt: skip
    @heavy_cooldown()
    async def suggest(
        self,
        interaction: discord.Interaction,
        brief: app_commands.Range[str, 1, 100],
        format: app_commands.Range[str, 1, 60] | None = None,
        hashtag: app_commands.Range[str, 1, 100] | None = None,
        brand_hashtag: app_commands.Range[str, 1, 100] | None = None,
        product: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        bot = client(interaction)
        assert bot.store is not None
        fid, brand = service.check_options(bot.settings, format=format, brand_hashtag=brand_hashtag)
        if hashtag is not None and not normalise(hashtag):
            raise UserError(f"hashtag: {hashtag[:60]!r} is not a hashtag name; e.g. gymtok")
        ws = await workspace(interaction)
        info = await briefs_service.get_brief(bot.store, ws, brief)  # a typo: a private answer
        options = {"format": fid, "hashtag": hashtag, "brand_hashtag": brand, "product": product}
        await interaction.response.defer(thinking=True)
        result = await fetch(interaction, ws, info.brief, options, 0)
        if not result.ideas:
            await interaction.followup.send(embed=render.no_ideas_card(result))
            return
        view = CampaignView(interaction.user.id, bot.settings.bot.view_timeout_s, ws=ws,
                            result=result, options=options)  # fmt: skip
        view.origin = interaction
        await interaction.followup.send(embed=view.current(), view=view)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Campaigns(bot))
