"""/brief create|list|show|edit|delete|rank, /rank (a brief ranked without saving it) and
/shortlist show|list|export.

Options are parsed and checked before anything is deferred, so a typo gets a private answer
that names the option. Ranking runs in a thread (bot.services.ranking.rank_brief), a few at
a time, behind a per-user cooldown.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.ingest.cells import country_code, currency_code
from bot.ingest.numbers import parse_number
from bot.render import cards_briefs as render
from bot.render.embeds import CHOICE_NAME, CHOICES, SafeEmbed, clip, content, safe
from bot.services import briefs as service
from bot.services.ranking import brief_from_dict
from cogs.common import Pages, client, heavy_cooldown, is_manager, store_of, workspace
from cogs.rank_view import RankView, csv_file, ranked
from scoring.brief import Brief, Objective

CLEAR = {"-", "none", "clear"}
LIST_FIELDS = (
    "niches",
    "keywords",
    "countries",
    "languages",
    "audience_ages",
    "audience_genders",
    "tiers",
    "exclude_handles",
)
OPTIONAL_NUMBERS = ("min_followers", "max_followers", "max_price_per_creator", "min_engagement")
OPTIONAL_TEXTS = ("brand_hashtag", "product")
QUICK_NAME = "quick rank"

OPTIONS = {
    "budget": "campaign budget, e.g. 5000, 5k or $5,000",
    "objective": "what the campaign is for; sets the ranking weights",
    "niches": "comma-separated, e.g. fitness, food",
    "keywords": "comma-separated words matched to niches, e.g. gym, protein",
    "countries": "comma-separated codes or names, e.g. US, GB, Germany",
    "languages": "comma-separated, e.g. en, es",
    "audience_ages": "comma-separated age buckets, e.g. 18-24, 25-34",
    "audience_genders": "comma-separated, e.g. female, male",
    "tiers": "comma-separated from nano, micro, mid, macro, mega",
    "exclude_handles": "comma-separated handles to leave out, e.g. @a, @b",
    "min_followers": "e.g. 10k",
    "max_followers": "e.g. 1M",
    "max_price_per_creator": "the most one creator may cost, e.g. 1500",
    "min_engagement": "lowest engagement rate by views, e.g. 5% or 0.05",
    "currency": "three-letter code of the budget and prices, e.g. USD",
    "creators_wanted": "how many creators the shortlist holds (1-100)",
}
# For campaign ideas (/campaign suggest), saved with the brief only (not /rank quick's).
IDEA_OPTIONS = {
    "brand_hashtag": "the brand's own hashtag for challenges and contests, e.g. #SpringIntoFit",
    "product": "the product a tutorial or before-after shows, e.g. the AirFry 3000",
}
CLEARABLE = (*LIST_FIELDS, *OPTIONAL_NUMBERS, *OPTIONAL_TEXTS)
EDIT_OPTIONS = {
    k: (v + "; - clears it" if k in CLEARABLE else v)
    for k, v in {**OPTIONS, **IDEA_OPTIONS}.items()
}
NAME = "the brief's name (start typing to pick a saved one)"
TOP = "how many creators to rank (default: the brief's creators_wanted)"


# --- option parsing (pure, before any defer) -----------------------------------------------


def _count(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        value = parse_number(text)
    except ValueError:
        raise UserError(f"{field}: {text[:50]!r} is not a number (e.g. 10k, 1.5M, 25000)") from None
    return None if value is None else round(value)


_AMOUNT = re.compile(
    r"^(?P<pre>US\$|[$€£¥₹]|[A-Za-z]{3}(?=[\s\d]))?\s*(?P<sign>[-−])?\s*"
    r"(?P<num>[\d.,]+(?:[eE][+-]?\d+)?\s*[kKmMbB]?)\s*(?P<post>[$€£¥₹]|[A-Za-z]{3})?$"
)


def _money(text: str | None, field: str) -> tuple[float | None, str | None]:
    """'5000', '5k', '$5,000' or '900 EUR' -> (amount, the currency it named or None)."""
    if text is None or not text.strip():
        return None, None
    example = "(e.g. 5000, 5k, $5,000 or 900 EUR)"
    m = _AMOUNT.match(text.strip())
    try:
        value = parse_number(m["num"].replace(" ", "")) if m else None
    except ValueError:
        value = None
    if m is None or value is None:
        raise UserError(f"{field}: {text[:50]!r} is not an amount {example}")
    if m["sign"]:
        raise UserError(f"{field}: {text[:50]!r} is negative; expected an amount above 0")
    named = {code for c in (m["pre"], m["post"]) if c for code in [currency_code(c)]}
    if None in named:
        raise UserError(f"{field}: {text[:50]!r} names an unknown currency {example}")
    if len(named) > 1:
        raise UserError(f"{field}: {text[:50]!r} names two currencies")
    return value, next(iter(named), None)


def _rate(text: str | None, field: str = "min_engagement") -> float | None:
    """'5%', '0.05' and '5' are all 5 %."""
    if text is None:
        return None
    try:
        value = parse_number(text)
    except ValueError:
        raise UserError(f"{field}: {text[:50]!r} is not a rate (e.g. 5% or 0.05)") from None
    if value is not None and "%" not in text and value > 1:
        value /= 100
    return value


def _countries(text: str) -> str:
    codes = []
    for item in text.replace(";", ",").split(","):
        if not item.strip():
            continue
        code = country_code(item.strip())
        if code is None:
            raise UserError(
                f"countries: {item.strip()[:50]!r} is not a country (use ISO codes such as US, "
                "GB, DE, or names such as Germany)"
            )
        codes.append(code)
    return ", ".join(codes)


def brief_options(**given: Any) -> tuple[dict[str, Any], list[str]]:
    """Slash options -> (fields for scoring.brief.Brief, fields to clear).

    Unset options are left out; "-" (or "none") clears a list or an optional number. Amounts
    may name their currency ('$5,000', '900 EUR'); every amount and the currency option
    must then agree.
    """
    fields: dict[str, Any] = {}
    cleared: list[str] = []
    currencies: dict[str, str] = {}
    for key, value in given.items():
        if value is None:
            continue
        if isinstance(value, str) and value.strip().lower() in CLEAR:
            if key in CLEARABLE:
                cleared.append(key)
                continue
        if key in ("budget", "max_price_per_creator"):
            amount, named = _money(value, key)
            if named:
                currencies[key] = named
            fields[key] = amount
        elif key in ("min_followers", "max_followers"):
            fields[key] = _count(value, key)
        elif key == "min_engagement":
            fields[key] = _rate(value)
        elif key == "countries":
            fields[key] = _countries(value)
        elif key in LIST_FIELDS:
            # Brief splits text on , ; | but keeps the spaces around a tier ("micro, mid").
            items = [v.strip() for v in re.split(r"[,;|]", value) if v.strip()]
            fields[key] = [v.lower() for v in items] if key == "tiers" else items
        elif key == "currency":
            code = currency_code(value.strip().upper())
            if code is None:
                raise UserError(
                    f"currency: {value[:20]!r} is not an ISO 4217 currency code "
                    "(e.g. USD, EUR, GBP)"
                )
            currencies[key] = code
            fields[key] = code
        else:
            fields[key] = value
    if len(set(currencies.values())) > 1:
        named = ", ".join(f"{k} {v}" for k, v in currencies.items())
        raise UserError(f"currency: the amounts name different currencies ({named}); use one")
    if currencies:
        fields["currency"] = next(iter(currencies.values()))
    return fields, cleared


def _override(brief: Brief, objective: str | None) -> Brief:
    if objective is None or objective == brief.objective:
        return brief
    return brief_from_dict({**brief.model_dump(), "objective": objective})


# --- autocomplete ---------------------------------------------------------------------------


def name_choices(names: list[str], current: str) -> list[app_commands.Choice[str]]:
    """Names starting with what was typed, then names containing it (at most 25)."""
    typed = current.strip().lower()
    starts = [n for n in names if n.lower().startswith(typed)]
    inside = [n for n in names if typed in n.lower() and n not in starts]
    return [
        app_commands.Choice(name=clip(n, CHOICE_NAME), value=n[:CHOICE_NAME])
        for n in (starts + inside)[:CHOICES]
    ]


async def brief_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    store = store_of(interaction)
    infos = await service.list_briefs(store, str(interaction.guild.id))
    return name_choices([i.name for i in infos], current)


async def shortlist_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    store = store_of(interaction)
    infos = await service.list_shortlists(store, str(interaction.guild.id))
    return name_choices([i.name for i in infos], current)


# --- sending ------------------------------------------------------------------------------


async def send_pages(interaction: discord.Interaction, pages: list[SafeEmbed]) -> None:
    """One embed, or pages with Previous / Next for the person who asked."""
    if len(pages) == 1:
        await interaction.response.send_message(embed=pages[0])
        return
    bot = client(interaction)
    view = Pages(interaction.user.id, bot.settings.bot.view_timeout_s, pages)
    view.origin = interaction
    await interaction.response.send_message(embed=pages[0], view=view)


async def send_ranking(
    interaction: discord.Interaction, ws: str, brief: Brief, top: int | None
) -> None:
    """Defer, rank off the event loop, show the pages with their buttons."""
    await interaction.response.defer(thinking=True)
    result = await ranked(interaction, ws, brief, top=top)
    if result.ranking.total == 0:
        await interaction.followup.send(
            content(
                "This server's workspace has no creators yet, so there is nothing to rank. "
                "Import a creator list first (campaign-bot import creators, or /data import)."
            )
        )
        return
    bot = client(interaction)
    view = RankView(
        interaction.user.id, bot.settings.bot.view_timeout_s, ws=ws, result=result, top=top
    )
    view.origin = interaction
    await interaction.followup.send(embed=view.current(), view=view)


# --- /brief ---------------------------------------------------------------------------------


@app_commands.guild_only()
class Briefs(commands.GroupCog, group_name="brief", group_description="Campaign briefs"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="create", description="Save a campaign brief for ranking")
    @app_commands.describe(
        name="a name for the brief, e.g. Spring launch", **OPTIONS, **IDEA_OPTIONS
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        budget: str,
        objective: Objective | None = None,
        niches: str | None = None,
        keywords: str | None = None,
        countries: str | None = None,
        languages: str | None = None,
        audience_ages: str | None = None,
        audience_genders: str | None = None,
        tiers: str | None = None,
        exclude_handles: str | None = None,
        min_followers: str | None = None,
        max_followers: str | None = None,
        max_price_per_creator: str | None = None,
        min_engagement: str | None = None,
        currency: str | None = None,
        creators_wanted: app_commands.Range[int, 1, 100] | None = None,
        brand_hashtag: app_commands.Range[str, 1, 100] | None = None,
        product: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        fields, _ = brief_options(
            budget=budget, objective=objective, niches=niches, keywords=keywords,
            countries=countries, languages=languages, audience_ages=audience_ages,
            audience_genders=audience_genders, tiers=tiers, exclude_handles=exclude_handles,
            min_followers=min_followers, max_followers=max_followers,
            max_price_per_creator=max_price_per_creator, min_engagement=min_engagement,
            currency=currency, creators_wanted=creators_wanted, brand_hashtag=brand_hashtag,
            product=product,
        )  # fmt: skip
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.save_brief(store, ws, name, fields, interaction.user.id)
        await interaction.response.send_message(
            embed=render.brief_card(info, heading="Brief saved")
        )

    @app_commands.command(name="list", description="The workspace's saved briefs")
    async def list_(self, interaction: discord.Interaction) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        infos = await service.list_briefs(store, ws)
        await send_pages(interaction, render.brief_list_pages(infos))

    @app_commands.command(name="show", description="Every field of a saved brief")
    @app_commands.describe(name=NAME)
    @app_commands.autocomplete(name=brief_names)
    async def show(self, interaction: discord.Interaction, name: str) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.get_brief(store, ws, name)
        await interaction.response.send_message(embed=render.brief_card(info))

    @app_commands.command(
        name="edit", description="Change a brief (its owner, Manage Server or the planner role)"
    )
    @app_commands.describe(name=NAME, **EDIT_OPTIONS)
    @app_commands.autocomplete(name=brief_names)
    async def edit(
        self,
        interaction: discord.Interaction,
        name: str,
        budget: str | None = None,
        objective: Objective | None = None,
        niches: str | None = None,
        keywords: str | None = None,
        countries: str | None = None,
        languages: str | None = None,
        audience_ages: str | None = None,
        audience_genders: str | None = None,
        tiers: str | None = None,
        exclude_handles: str | None = None,
        min_followers: str | None = None,
        max_followers: str | None = None,
        max_price_per_creator: str | None = None,
        min_engagement: str | None = None,
        currency: str | None = None,
        creators_wanted: app_commands.Range[int, 1, 100] | None = None,
        brand_hashtag: app_commands.Range[str, 1, 100] | None = None,
        product: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        changes, cleared = brief_options(
            budget=budget, objective=objective, niches=niches, keywords=keywords,
            countries=countries, languages=languages, audience_ages=audience_ages,
            audience_genders=audience_genders, tiers=tiers, exclude_handles=exclude_handles,
            min_followers=min_followers, max_followers=max_followers,
            max_price_per_creator=max_price_per_creator, min_engagement=min_engagement,
            currency=currency, creators_wanted=creators_wanted, brand_hashtag=brand_hashtag,
            product=product,
        )  # fmt: skip
        if not changes and not cleared:
            raise UserError("nothing to change: give at least one option besides the name")
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.edit_brief(
            store, ws, name, changes, interaction.user.id, is_manager(interaction),
            clear=cleared,
        )  # fmt: skip
        await interaction.response.send_message(
            embed=render.brief_card(info, heading="Brief updated")
        )

    @app_commands.command(
        name="delete", description="Delete a brief (its owner, Manage Server or the planner role)"
    )
    @app_commands.describe(name=NAME)
    @app_commands.autocomplete(name=brief_names)
    async def delete(self, interaction: discord.Interaction, name: str) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.get_brief(store, ws, name)
        await service.delete_brief(
            store, ws, info.name, interaction.user.id, is_manager(interaction)
        )
        await interaction.response.send_message(
            content(f"Deleted the brief **{safe(info.name, 100)}**. Saved shortlists stay.")
        )

    @app_commands.command(name="rank", description="Rank the workspace's creators for a brief")
    @app_commands.describe(
        name=NAME, top=TOP, objective="rank for another objective than the brief's, once"
    )
    @app_commands.autocomplete(name=brief_names)
    @heavy_cooldown()
    async def rank(
        self,
        interaction: discord.Interaction,
        name: str,
        top: app_commands.Range[int, 1, 100] | None = None,
        objective: Objective | None = None,
    ) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.get_brief(store, ws, name)  # a typo gets a private answer
        await send_ranking(interaction, ws, _override(info.brief, objective), top)


# --- /rank ----------------------------------------------------------------------------------


class QuickRank(commands.Cog):
    @app_commands.command(
        name="rank", description="Rank the workspace's creators for a brief, without saving it"
    )
    @app_commands.guild_only()
    @app_commands.describe(top=TOP, **OPTIONS)
    @heavy_cooldown()
    async def rank(
        self,
        interaction: discord.Interaction,
        budget: str,
        objective: Objective | None = None,
        niches: str | None = None,
        keywords: str | None = None,
        countries: str | None = None,
        languages: str | None = None,
        audience_ages: str | None = None,
        audience_genders: str | None = None,
        tiers: str | None = None,
        exclude_handles: str | None = None,
        min_followers: str | None = None,
        max_followers: str | None = None,
        max_price_per_creator: str | None = None,
        min_engagement: str | None = None,
        currency: str | None = None,
        creators_wanted: app_commands.Range[int, 1, 100] | None = None,
        top: app_commands.Range[int, 1, 100] | None = None,
    ) -> None:
        fields, _ = brief_options(
            budget=budget, objective=objective, niches=niches, keywords=keywords,
            countries=countries, languages=languages, audience_ages=audience_ages,
            audience_genders=audience_genders, tiers=tiers, exclude_handles=exclude_handles,
            min_followers=min_followers, max_followers=max_followers,
            max_price_per_creator=max_price_per_creator, min_engagement=min_engagement,
            currency=currency, creators_wanted=creators_wanted,
        )  # fmt: skip
        brief = brief_from_dict({**fields, "name": QUICK_NAME})  # checked before deferring
        ws = await workspace(interaction)
        await send_ranking(interaction, ws, brief, top)


# --- /shortlist -----------------------------------------------------------------------------


@app_commands.guild_only()
class Shortlists(commands.GroupCog, group_name="shortlist", group_description="Saved shortlists"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="list", description="The workspace's saved shortlists")
    async def list_(self, interaction: discord.Interaction) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        infos = await service.list_shortlists(store, ws)
        await send_pages(interaction, render.shortlist_list_pages(infos))

    @app_commands.command(name="show", description="A saved shortlist, as it was ranked")
    @app_commands.describe(name="the shortlist's name (start typing to pick one)")
    @app_commands.autocomplete(name=shortlist_names)
    async def show(self, interaction: discord.Interaction, name: str) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.get_shortlist(store, ws, name)
        await send_pages(interaction, render.shortlist_pages(info))

    @app_commands.command(name="export", description="A saved shortlist as a CSV file")
    @app_commands.describe(name="the shortlist's name (start typing to pick one)")
    @app_commands.autocomplete(name=shortlist_names)
    async def export(self, interaction: discord.Interaction, name: str) -> None:
        ws = await workspace(interaction)
        store = store_of(interaction)
        info = await service.get_shortlist(store, ws, name)
        body = service.shortlist_csv(info.data)  # at most 100 rows: quick
        await interaction.response.send_message(
            content(
                f"Shortlist **{safe(info.name, 100)}**: {len(info.data['creators'])} creators "
                "(spreadsheet formulas neutralised)."
            ),
            file=csv_file(body, render.export_name(info.name)),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Briefs(bot))
    await bot.add_cog(QuickRank())
    await bot.add_cog(Shortlists(bot))
