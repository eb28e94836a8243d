"""The buttons under a ranked shortlist: Previous / Next, Why #n, Budget plan, Export CSV and
Save shortlist. Only the person who ranked can use them; they stop (and are shown disabled)
before the interaction token expires.

Layout (Discord allows 5 components per row): row 0 holds the five buttons, row 1 the
"Why #n" select with at most 25 options: the 25 ranked creators around the current page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
from typing import Any

import discord

from bot.errors import UserError
from bot.render import cards
from bot.render.cards_briefs import export_name, why_option
from bot.render.embeds import SELECT_OPTIONS, clip, content, safe
from bot.services import briefs as briefs_service
from bot.services.ranking import RankResult, rank_brief
from cogs.common import Pages, client
from scoring.brief import Brief

PER_PAGE = 5  # creators per page of cards.ranking_pages


def csv_file(data: bytes, name: str) -> discord.File:
    """A fresh file for one send (a discord.File is used up by the send that carries it)."""
    return discord.File(io.BytesIO(data), filename=name)


async def ranked(
    interaction: discord.Interaction, ws: str, brief: Brief, *, top: int | None,
    with_plan: bool = False,
) -> RankResult:  # fmt: skip
    """rank_brief (which ranks in a thread), at most ``bot.max_concurrent_jobs`` at once."""
    bot = client(interaction)
    assert bot.store is not None
    async with bot.jobs:
        return await rank_brief(bot.store, bot.settings, ws, brief, top=top, with_plan=with_plan)


class RankView(Pages):
    """Pages over cards.ranking_pages with the shortlist's actions."""

    def __init__(
        self, owner_id: int, timeout: float, *, ws: str, result: RankResult, top: int | None
    ) -> None:
        # Set before Pages.__init__, which calls _sync (and so _fill_why) once.
        self.ws, self.result, self.top = ws, result, top
        self._plan_lock = asyncio.Lock()
        super().__init__(owner_id, timeout, cards.ranking_pages(result, PER_PAGE))
        if not result.ranking.creators:
            self.remove_item(self.why)  # a select needs at least one option

    # --- paging ---------------------------------------------------------------------------

    def _sync(self) -> None:
        super()._sync()
        self._fill_why()

    def _fill_why(self) -> None:
        creators = self.result.ranking.creators
        if not creators:
            return
        start = (self.page * PER_PAGE // SELECT_OPTIONS) * SELECT_OPTIONS
        window = creators[start : start + SELECT_OPTIONS]
        self.why.options = [
            discord.SelectOption(label=why_option(c.rank, c.handle, c.score), value=str(c.rank))
            for c in window
        ]
        first, last = window[0].rank, window[-1].rank
        self.why.placeholder = (
            f"Why #{first}? Pick a creator to see every factor"
            if first == last
            else f"Why #{first}–#{last}? Pick a creator to see every factor"
        )

    # --- row 0: Previous, Next (from Pages), then these three --------------------------------

    @discord.ui.button(label="Budget plan", style=discord.ButtonStyle.primary, row=0)
    async def plan(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        if self.result.plan is not None:
            await interaction.response.send_message(embed=cards.plan_card(self.result.plan))
            return
        await interaction.response.defer(thinking=True)
        async with self._plan_lock:  # two quick clicks compute the plan once
            if self.result.plan is None:
                fresh = await ranked(
                    interaction, self.ws, self.result.ranking.brief, top=self.top, with_plan=True
                )
                assert fresh.plan is not None
                if fresh.data_version != self.result.data_version:
                    fresh.plan.notes.append(
                        "the workspace's data changed since this ranking was made; rank "
                        "again to see the shortlist and the plan on the same data"
                    )
                self.result = dataclasses.replace(self.result, plan=fresh.plan)
        assert self.result.plan is not None
        await interaction.followup.send(embed=cards.plan_card(self.result.plan))

    @discord.ui.button(label="Export CSV", style=discord.ButtonStyle.secondary, row=0)
    async def export_csv(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        data = briefs_service.shortlist_data(self.result)
        body = briefs_service.shortlist_csv(data)  # at most 100 rows: quick
        name = self.result.ranking.brief.name
        await interaction.response.send_message(
            content(
                f"{len(data['creators'])} creators ranked for {safe(name, 200)} "
                "(spreadsheet formulas neutralised)."
            ),
            file=csv_file(body, export_name(name)),
            ephemeral=True,
        )

    @discord.ui.button(label="Save shortlist", style=discord.ButtonStyle.success, row=0)
    async def save_shortlist(
        self, interaction: discord.Interaction, _: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(SaveShortlistModal(self))

    # --- row 1 ----------------------------------------------------------------------------

    @discord.ui.select(
        placeholder="Why? Pick a creator",
        row=1,
        options=[discord.SelectOption(label="-", value="0")],  # filled by _fill_why
    )
    async def why(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        rank = int(select.values[0])
        creator = next((c for c in self.result.ranking.creators if c.rank == rank), None)
        if creator is None:
            raise UserError(f"#{rank} is not in this shortlist")
        # Re-send the view so the menu shows no choice again (the same creator can be
        # picked twice), then answer privately.
        await interaction.response.edit_message(view=self)
        await interaction.followup.send(embed=cards.why_card(creator, self.result), ephemeral=True)


class SaveShortlistModal(discord.ui.Modal, title="Save shortlist"):
    shortlist_name: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Shortlist name",
        custom_id="name",
        min_length=1,
        max_length=briefs_service.NAME_LIMIT,
        placeholder="e.g. Spring launch, fitness, round 1",
    )

    def __init__(self, view: RankView) -> None:
        super().__init__(timeout=view.timeout)
        self.rank_view = view
        today = dt.datetime.now(dt.UTC).date().isoformat()
        self.shortlist_name.default = clip(
            f"{view.result.ranking.brief.name} {today}", briefs_service.NAME_LIMIT
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = client(interaction)
        assert bot.store is not None
        result = self.rank_view.result
        info = await briefs_service.save_shortlist(
            bot.store, self.rank_view.ws, str(self.shortlist_name.value), result,
            interaction.user.id,
        )  # fmt: skip
        extra = " and its budget plan" if result.plan is not None else ""
        await interaction.response.send_message(
            content(
                f"Saved the shortlist **{safe(info.name, 100)}**: "
                f"{len(result.ranking.creators)} creators{extra}. "
                "/shortlist show or /shortlist export brings it back."
            )
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        from bot.app import handle_error

        await handle_error(interaction, error)
