"""/trends top and /trends hashtag: hashtags with lifecycle labels, numbers and a chart."""

from __future__ import annotations

import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.render import cards_trends, charts
from bot.render.embeds import CHOICE_NAME, CHOICES
from bot.services import data as data_service
from bot.services import trends as service
from cogs.common import client, heavy_cooldown, job, png, store_of, workspace
from scoring.match import normalise

PERIODS = [
    app_commands.Choice(name="last 7 days", value="7d"),
    app_commands.Choice(name="last 30 days", value="30d"),
    app_commands.Choice(name="last 120 days", value="120d"),
]
NAMES_TTL_S = 30.0


async def _explain_missing(interaction: discord.Interaction, ws: str, error: UserError) -> None:
    """A trends refusal in a workspace without any hashtag data becomes the one clear
    "import hashtags or videos" message; any other refusal stands as the service said it."""
    _, counts = await data_service.workspace_status(client(interaction).store, ws)  # type: ignore[arg-type]
    if not counts.get("hashtag_snapshots"):
        raise UserError(cards_trends.EMPTY) from None
    raise error


@app_commands.guild_only()
class Trends(commands.GroupCog, group_name="trends", group_description="Hashtag trends"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        # Hashtag names per workspace for autocomplete, briefly: one read per burst of typing.
        self._names: dict[str, tuple[float, list[str]]] = {}

    async def _hashtag_names(self, interaction: discord.Interaction, ws: str) -> list[str]:
        cached = self._names.get(ws)
        if cached and time.monotonic() - cached[0] < NAMES_TTL_S:
            return cached[1]
        store = store_of(interaction)
        names = await service.hashtag_names(store, ws)
        self._names[ws] = (time.monotonic(), names)
        return names

    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        names = await self._hashtag_names(interaction, str(interaction.guild.id))
        typed = normalise(current)
        if typed:
            prefix = [n for n in names if n.startswith(typed)]
            inside = [n for n in names if typed in n and not n.startswith(typed)]
            names = prefix + inside
        return [
            app_commands.Choice(name=f"#{n}"[:CHOICE_NAME], value=n[:CHOICE_NAME])
            for n in names[:CHOICES]
        ]

    @app_commands.command(
        name="top",
        description="The period's top hashtags with lifecycle labels, growth and a chart",
    )
    @app_commands.describe(
        period="how far back to compare (default: last 7 days)",
        niche="only hashtags related to a niche, e.g. fitness",
        region="a country, e.g. US or Germany (default: worldwide)",
        limit="how many hashtags (1-10, default 10)",
    )
    @app_commands.choices(period=PERIODS)
    @heavy_cooldown()
    async def top(
        self,
        interaction: discord.Interaction,
        period: str = "7d",
        niche: app_commands.Range[str, 1, 60] | None = None,
        region: app_commands.Range[str, 1, 60] | None = None,
        limit: app_commands.Range[int, 1, 10] = 10,
    ) -> None:
        niche = niche.strip() if niche else None
        region = region.strip() if region else None
        if niche is not None and not normalise(niche):
            raise UserError(f"niche: {niche[:60]!r} has no letters or digits; e.g. fitness")
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        bot = client(interaction)
        try:
            result = await service.top(
                bot.store, bot.settings, ws, period=period, niche=niche, region=region,
                limit=limit,
            )  # type: ignore[arg-type]  # fmt: skip
        except service.TrendsError as exc:
            await _explain_missing(interaction, ws, exc)
            return
        drawable = [i for i in result.items if i.series is not None and len(i.series)]
        if not drawable:
            await interaction.followup.send(embed=cards_trends.top_card(result))
            return
        name = "trends-top.png"
        chart = await job(interaction, charts.top_chart, result)
        await interaction.followup.send(
            embed=cards_trends.top_card(result, chart=name), file=png(chart, name)
        )

    @app_commands.command(
        name="hashtag",
        description="One hashtag: its curve, growth, label, related hashtags and who uses it",
    )
    @app_commands.describe(
        tag="hashtag name, with or without # (start typing to search)",
        region="a country, e.g. US or Germany (default: worldwide)",
    )
    @app_commands.autocomplete(tag=tag_autocomplete)
    @heavy_cooldown()
    async def hashtag(
        self,
        interaction: discord.Interaction,
        tag: app_commands.Range[str, 1, 100],
        region: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        if not normalise(tag):
            raise UserError(
                f"tag: {tag[:60]!r} is not a hashtag name; use letters, digits or _, e.g. gymtok"
            )
        region = region.strip() if region else None
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        bot = client(interaction)
        try:
            result = await service.hashtag(bot.store, bot.settings, ws, tag, region=region)  # type: ignore[arg-type]
        except service.TrendsError as exc:
            await _explain_missing(interaction, ws, exc)
            return
        name = cards_trends.chart_name(result.hashtag)
        chart = await job(interaction, charts.hashtag_chart, result)
        await interaction.followup.send(
            embed=cards_trends.hashtag_card(result, chart=name), file=png(chart, name)
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Trends(bot))
