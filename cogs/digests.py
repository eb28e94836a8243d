"""/digest subscribe | list | pause | resume | remove | preview | timezone."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.render import digest as render
from bot.render.embeds import SafeEmbed, safe
from bot.services import digests as service
from cogs.common import client, heavy_cooldown, job, planner_only, png, workspace

WEEKDAY_CHOICES = [app_commands.Choice(name=d.title(), value=d) for d in service.WEEKDAYS]


def _list_embed(subs: list[service.Subscription]) -> SafeEmbed:
    e = SafeEmbed(
        title="Trend digests",
        description=""
        if subs
        else "No digest yet: /digest subscribe posts one to a channel on a schedule.",
    )
    for s in subs:
        state = "active" if s.active else f"paused: {safe(s.paused_reason or 'paused', 200)}"
        what = ", ".join(safe(n, 40) for n in s.niches) or "all niches"
        nxt = discord.utils.format_dt(s.next_run_at, "f") if s.active else "-"
        e.field(
            f"#{s.id} · {state}"[:256],
            f"<#{s.channel_id}> · {s.when} · {what}"
            f"{' · ' + safe(s.region, 8) if s.region else ''} · {s.period}, top {s.top}\n"
            f"next: {nxt}",
        )
    return e.done()


@app_commands.guild_only()
class Digests(
    commands.GroupCog,
    group_name="digest",
    group_description="Scheduled trend digests posted to a channel",
):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(
        name="subscribe",
        description="Post a trend digest to a channel "
        "daily or weekly at a local time (Manage Server or planner role)",
    )
    @app_commands.describe(
        channel="where to post",
        schedule="daily or weekly",
        time="local time, HH:MM",
        day="for weekly digests",
        timezone="IANA zone, e.g. Europe/Berlin (default: the server's, see /digest timezone)",
        niches="comma-separated, e.g. fitness, food",
        region="ISO country code (default: worldwide)",
        period="trend window",
        top="hashtags shown (1-10)",
    )
    @app_commands.choices(
        schedule=[
            app_commands.Choice(name="daily", value="daily"),
            app_commands.Choice(name="weekly", value="weekly"),
        ],
        day=WEEKDAY_CHOICES,
        period=[app_commands.Choice(name=p, value=p) for p in service.PERIODS],
    )
    @planner_only()
    async def subscribe(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        schedule: str,
        time: str,
        day: str | None = None,
        timezone: str | None = None,
        niches: str | None = None,
        region: str | None = None,
        period: str = "7d",
        top: app_commands.Range[int, 1, 10] = 5,
    ) -> None:
        if schedule == "weekly" and day is None:
            raise UserError("a weekly digest needs a day: add day:monday (or another)")
        ws = await workspace(interaction)
        bot = client(interaction)
        sub = await service.subscribe(
            bot.store,
            ws,
            guild_id=interaction.guild_id,
            channel_id=channel.id,  # type: ignore[arg-type]
            frequency=schedule,
            weekday=day,
            local_time=time,
            timezone=timezone,
            niches=(niches or "").split(",") if niches else None,
            region=region,
            period=period,
            top=top,
            created_by=interaction.user.id,
        )
        when = discord.utils.format_dt(sub.next_run_at, "F")
        await interaction.response.send_message(
            f"Digest #{sub.id}: {sub.when} in {channel.mention}; the first one comes {when}.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's digests, with their state")
    async def list_(self, interaction: discord.Interaction) -> None:
        ws = await workspace(interaction)
        subs = await service.list_subscriptions(client(interaction).store, ws)  # type: ignore[arg-type]
        await interaction.response.send_message(embed=_list_embed(subs), ephemeral=True)

    async def _set(self, interaction: discord.Interaction, digest: int, active: bool) -> None:
        ws = await workspace(interaction)
        sub = await service.set_active(client(interaction).store, ws, digest, active)  # type: ignore[arg-type]
        state = (
            "resumed; next one " + discord.utils.format_dt(sub.next_run_at, "F")
            if active
            else "paused"
        )
        await interaction.response.send_message(f"Digest #{sub.id} {state}.", ephemeral=True)

    @app_commands.command(name="pause", description="Stop a digest until resumed")
    @planner_only()
    async def pause(self, interaction: discord.Interaction, digest: int) -> None:
        await self._set(interaction, digest, False)

    @app_commands.command(name="resume", description="Start a paused digest again")
    @planner_only()
    async def resume(self, interaction: discord.Interaction, digest: int) -> None:
        await self._set(interaction, digest, True)

    @app_commands.command(name="remove", description="Delete a digest")
    @planner_only()
    async def remove(self, interaction: discord.Interaction, digest: int) -> None:
        ws = await workspace(interaction)
        sub = await service.remove(client(interaction).store, ws, digest)  # type: ignore[arg-type]
        await interaction.response.send_message(f"Digest #{sub.id} removed.", ephemeral=True)

    @app_commands.command(
        name="preview",
        description="A digest as it would look now, only to you (not counted as a delivery)",
    )
    @planner_only()
    @heavy_cooldown()
    async def preview(self, interaction: discord.Interaction, digest: int) -> None:
        ws = await workspace(interaction)
        bot = client(interaction)
        sub = await service.get(bot.store, ws, digest)  # type: ignore[arg-type]
        await interaction.response.defer(ephemeral=True, thinking=True)
        built = await service.build_digest(
            bot.store,
            bot.settings,
            ws,
            niches=sub.niches,  # type: ignore[arg-type]
            region=sub.region,
            period=sub.period,
            top=sub.top,
        )
        chart = None
        if built.top is not None and built.top.items:
            from bot.render import charts

            chart = await job(interaction, charts.top_chart, built.top)
        m = render.message(built, marker=f"preview of digest #{sub.id}", chart=chart)
        kwargs = {"file": png(chart, "digest.png")} if chart else {}
        await interaction.followup.send(embed=m.embed, ephemeral=True, **kwargs)

    @app_commands.command(
        name="timezone",
        description="The server's time zone for digests "
        "that name none (Manage Server or planner role)",
    )
    @planner_only()
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        ws = await workspace(interaction)
        name = await service.set_workspace_zone(client(interaction).store, ws, zone)  # type: ignore[arg-type]
        await interaction.response.send_message(
            f"Digests without a time zone now use {name}.", ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Digests(bot))
