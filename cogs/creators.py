"""/creator lookup, /creator search, /creator compare."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.ingest.numbers import parse_number
from bot.render import cards, charts
from bot.render.embeds import CHOICE_NAME, CHOICES, clip
from bot.services import creators as service
from cogs.common import OwnedView, Pages, client, job, png, workspace


def _amount(text: str | None, name: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_number(text)
    except ValueError:
        raise UserError(f"{name}: {text[:50]!r} is not a number (e.g. 10k, 1.5M, 25000)") from None


def _rate(text: str | None) -> float | None:
    value = _amount(text, "min_engagement")
    if value is not None and "%" not in (text or "") and value > 1:
        value /= 100
    return value


class GrowthView(OwnedView):
    def __init__(self, owner_id: int, timeout: float, ws: str, handle: str) -> None:
        super().__init__(owner_id, timeout)
        self.ws, self.handle = ws, handle

    @discord.ui.button(label="Growth chart", style=discord.ButtonStyle.primary)
    async def chart(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        bot = client(interaction)
        hist = await service.history(bot.store, self.ws, self.handle)  # type: ignore[arg-type]
        if hist.frame["followers"].notna().sum() == 0:
            raise UserError("no follower history yet: import dated snapshots to see growth")
        data = await job(interaction, charts.growth_chart, hist.handle, hist.frame)
        await interaction.followup.send(file=png(data, f"{hist.handle}-growth.png"), ephemeral=True)


@app_commands.guild_only()
class Creators(commands.GroupCog, group_name="creator", group_description="Look creators up"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def handle_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        bot = client(interaction)
        found = await service.suggest_handles(
            bot.store, str(interaction.guild.id), current, CHOICES
        )  # type: ignore[arg-type]
        return [
            app_commands.Choice(
                name=clip(f"@{h}" + (f" · {label}" if label else ""), CHOICE_NAME),
                value=h[:CHOICE_NAME],
            )
            for h, label in found[:CHOICES]
        ]

    @app_commands.command(
        name="lookup",
        description="A creator's card: reach, engagement, growth, audience, price and risk flags",
    )
    @app_commands.describe(handle="TikTok handle (start typing to search)")
    @app_commands.autocomplete(handle=handle_autocomplete)
    async def lookup(self, interaction: discord.Interaction, handle: str) -> None:
        ws = await workspace(interaction)
        bot = client(interaction)
        handle = await service.require(bot.store, ws, handle)  # type: ignore[arg-type]
        await interaction.response.defer(thinking=True)  # a typo was answered privately above
        profile = await service.show(bot.store, bot.settings, ws, handle)  # type: ignore[arg-type]
        view = GrowthView(interaction.user.id, bot.settings.bot.view_timeout_s, ws, profile.handle)
        view.origin = interaction
        await interaction.followup.send(embed=cards.creator_card(profile), view=view)

    @app_commands.command(
        name="search",
        description="Find creators by niche, country, followers, engagement and price",
    )
    @app_commands.describe(
        niche="e.g. fitness",
        country="ISO code or name, e.g. US",
        min_followers="e.g. 10k",
        max_followers="e.g. 1M",
        min_engagement="ER by views, e.g. 5%",
        max_price="price per video, e.g. 1500",
        currency="currency of max_price, e.g. USD",
    )
    async def search(
        self,
        interaction: discord.Interaction,
        niche: str | None = None,
        country: str | None = None,
        min_followers: str | None = None,
        max_followers: str | None = None,
        min_engagement: str | None = None,
        max_price: str | None = None,
        currency: str | None = None,
    ) -> None:
        filters = {
            "min_followers": _amount(min_followers, "min_followers"),
            "max_followers": _amount(max_followers, "max_followers"),
            "min_engagement": _rate(min_engagement),
            "max_price": _amount(max_price, "max_price"),
        }  # checked before deferring, so a typo gets a private answer
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        bot = client(interaction)
        result = await service.search(
            bot.store,
            bot.settings,
            ws,  # type: ignore[arg-type]
            niche=niche,
            country=country,
            currency=currency,
            limit=100,
            **filters,
        )
        pages = cards.search_pages(result)
        if len(pages) == 1:
            await interaction.followup.send(embed=pages[0])
            return
        view = Pages(interaction.user.id, bot.settings.bot.view_timeout_s, pages)
        view.origin = interaction
        await interaction.followup.send(embed=pages[0], view=view)

    @app_commands.command(name="compare", description="Two to four creators side by side")
    @app_commands.autocomplete(
        first=handle_autocomplete,
        second=handle_autocomplete,
        third=handle_autocomplete,
        fourth=handle_autocomplete,
    )
    async def compare(
        self,
        interaction: discord.Interaction,
        first: str,
        second: str,
        third: str | None = None,
        fourth: str | None = None,
    ) -> None:
        ws = await workspace(interaction)
        bot = client(interaction)
        handles = list(
            dict.fromkeys(
                h.strip().lstrip("@").lower() for h in (first, second, third, fourth) if h
            )
        )
        if len(handles) < 2:
            raise UserError("compare needs two different creators")
        handles = [await service.require(bot.store, ws, h) for h in handles]  # type: ignore[arg-type]
        await interaction.response.defer(thinking=True)
        profiles = [
            await service.show(bot.store, bot.settings, ws, h)  # type: ignore[arg-type]
            for h in handles
        ]
        await interaction.followup.send(embed=cards.compare_card(profiles))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Creators(bot))
