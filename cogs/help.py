"""/help: every command and subcommand of the bot's own command tree, with its description,
options and one example, so the help stays true as commands change.

The examples live in :data:`EXAMPLES`, keyed by qualified command name; a test fails when a
command has none, or when an example names an option the command does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz, process

from bot.errors import UserError
from bot.render.embeds import (
    CHOICE_NAME,
    CHOICES,
    DESCRIPTION,
    FIELD_VALUE,
    SafeEmbed,
    clip,
    paginate,
)
from cogs.common import Pages, client

EXAMPLES: dict[str, str] = {
    "creator lookup": "/creator lookup handle:@fit_anna",
    "creator search": "/creator search niche:fitness country:US min_followers:10k "
    "min_engagement:5% max_price:1500",
    "creator compare": "/creator compare first:@fit_anna second:@fit_ben third:@chef_cara",
    "trends top": "/trends top period:last 30 days niche:fitness region:US limit:5",
    "trends hashtag": "/trends hashtag tag:gymtok",
    "data import": "/data import kind:creators (profiles and their numbers) "
    "file:agency-creators.xlsx dry_run:True",
    "data status": "/data status",
    "data export": "/data export format:CSV",
    "brief create": "/brief create name:Spring launch budget:5k objective:engagement "
    "niches:fitness, food countries:US min_engagement:4%",
    "brief list": "/brief list",
    "brief show": "/brief show name:Spring launch",
    "brief edit": "/brief edit name:Spring launch budget:7.5k countries:US, GB",
    "brief delete": "/brief delete name:Spring launch",
    "brief rank": "/brief rank name:Spring launch top:10",
    "rank": "/rank budget:3000 objective:awareness niches:beauty countries:GB top:5",
    "shortlist list": "/shortlist list",
    "shortlist show": "/shortlist show name:Spring launch",
    "shortlist export": "/shortlist export name:Spring launch",
    "digest subscribe": "/digest subscribe channel:#trends schedule:weekly time:09:00 "
    "day:Monday timezone:Europe/Berlin niches:fitness, food period:7d top:5",
    "digest list": "/digest list",
    "digest pause": "/digest pause digest:3",
    "digest resume": "/digest resume digest:3",
    "digest remove": "/digest remove digest:3",
    "digest preview": "/digest preview digest:3",
    "digest timezone": "/digest timezone zone:America/New_York",
    "campaign suggest": "/campaign suggest brief:Spring launch format:trend_jack",
    "help": "/help command:trends top",
}
NO_EXAMPLE = "(no example yet)"
PER_PAGE = 6  # commands per page at most
ROOM = 5600  # characters of fields per page: Discord allows 6,000 an embed, footer included


@dataclass
class Option:
    name: str
    description: str
    required: bool
    choices: list[str] = field(default_factory=list)


@dataclass
class Entry:
    """One slash command as a user types it."""

    name: str  # qualified, e.g. "trends top"
    description: str
    group: str  # top-level name, e.g. "trends"
    group_description: str
    options: list[Option]
    planner_only: bool
    example: str | None


def _is_planner_only(command: app_commands.Command) -> bool:  # type: ignore[type-arg]
    return any("planner_only" in getattr(c, "__qualname__", "") for c in command.checks)


def command_entries(tree: app_commands.CommandTree) -> list[Entry]:
    """Every slash command (subcommands included) of the tree, sorted by name."""
    leaves: list[tuple[app_commands.Command, app_commands.Group | None]] = []  # type: ignore[type-arg]
    for top in tree.get_commands(type=discord.AppCommandType.chat_input):
        if isinstance(top, app_commands.Group):
            for sub in top.walk_commands():
                if isinstance(sub, app_commands.Command):
                    leaves.append((sub, top))
        elif isinstance(top, app_commands.Command):
            leaves.append((top, None))
    entries = []
    for cmd, group in leaves:
        options = [
            Option(
                name=p.display_name,
                description=p.description if p.description != "…" else "",
                required=p.required,
                choices=[c.name for c in p.choices],
            )
            for p in cmd.parameters
        ]
        entries.append(
            Entry(
                name=cmd.qualified_name,
                description=cmd.description,
                group=group.name if group else cmd.name,
                group_description=group.description if group else "",
                options=options,
                planner_only=_is_planner_only(cmd),
                example=EXAMPLES.get(cmd.qualified_name),
            )
        )
    return sorted(entries, key=lambda e: e.name)


def _option(o: Option, *, full: bool) -> str:
    text = f"`{o.name}` ({'required' if o.required else 'optional'})"
    if full and o.description:
        text += f": {o.description}"
    if o.choices:
        text += " · one of: " + ", ".join(o.choices)
    return clip(text, 300)


def _field_value(e: Entry, planner_role: str) -> str:
    """Description, who may use it, the example, then the options: each with its
    description, or (when that would not fit a field) the optional ones by name only."""
    head = [e.description]
    if e.planner_only:
        head.append(f"**who**: members with Manage Server or the {planner_role!r} role")
    head.append(f"**example**: `{e.example}`" if e.example else f"**example**: {NO_EXAMPLE}")
    full = [_option(o, full=True) for o in e.options]
    text = "\n".join(head + full)
    if len(text) <= FIELD_VALUE:
        return text
    required = [_option(o, full=True) for o in e.options if o.required]
    optional = [f"`{o.name}`" for o in e.options if not o.required]
    short = required + (["optional: " + ", ".join(optional)] if optional else [])
    return "\n".join(head + short)


def overview(entries: list[Entry]) -> list[SafeEmbed]:
    intro = (
        "Each server has its own workspace: import your exports with `/data import`, then look "
        "creators up and follow hashtag trends. `/help command:<name>` shows one command.\n\n"
    )
    lines = [f"`/{e.name}` · {e.description}" for e in entries]
    texts = paginate(lines, per_page=40, limit=DESCRIPTION - len(intro))
    return [SafeEmbed(title="Campaign bot: commands", description=intro + t) for t in texts]


def command_pages(entries: list[Entry], planner_role: str) -> list[SafeEmbed]:
    """Each group's commands with their options and an example: a new page when the next
    command would not fit (Discord's 6,000 characters an embed) or after PER_PAGE."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.group, []).append(e)
    pages: list[SafeEmbed] = []
    for name, members in groups.items():
        about = members[0].group_description
        title = f"/{name}" + (f" · {about}" if about else "")
        page = SafeEmbed(title=title)
        for e in members:
            field_name, value = f"/{e.name}", _field_value(e, planner_role)
            full = len(page.fields) >= PER_PAGE
            if page.fields and (full or len(page) + len(field_name) + len(value) > ROOM):
                pages.append(page)
                page = SafeEmbed(title=title)
            page.field(field_name, value)
        pages.append(page)
    return pages


def numbered(pages: list[SafeEmbed]) -> list[SafeEmbed]:
    for n, page in enumerate(pages, 1):
        if len(pages) > 1:
            page.with_footer(f"page {n} of {len(pages)}")
        page.done()
    return pages


def help_pages(entries: list[Entry], planner_role: str) -> list[SafeEmbed]:
    """The overview, then every command with its options and an example."""
    return numbered(overview(entries) + command_pages(entries, planner_role))


def find(entries: list[Entry], wanted: str) -> list[Entry]:
    """The entries a /help command:<name> asks for: one command, or a whole group."""
    key = " ".join(wanted.strip().lstrip("/").lower().split())
    exact = [e for e in entries if e.name == key]
    if exact:
        return exact
    group = [e for e in entries if e.group == key]
    if group:
        return group
    close = process.extract(key, [e.name for e in entries], scorer=fuzz.WRatio, limit=3,
                            score_cutoff=60)  # fmt: skip
    hint = f"; did you mean {', '.join('/' + c[0] for c in close)}?" if close else ""
    raise UserError(f"command: there is no command /{clip(key, 60)}{hint} (/help lists them all)")


class Help(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def command_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        entries = command_entries(client(interaction).tree)
        names = sorted({e.group for e in entries} | {e.name for e in entries})
        typed = current.strip().lstrip("/").lower()
        names = [n for n in names if typed in n] if typed else names
        return [app_commands.Choice(name=f"/{n}"[:CHOICE_NAME], value=n) for n in names[:CHOICES]]

    @app_commands.command(name="help", description="What each command does, with an example")
    @app_commands.describe(command="one command or group, e.g. trends top (default: all)")
    @app_commands.autocomplete(command=command_autocomplete)
    @app_commands.guild_only()
    async def help(
        self,
        interaction: discord.Interaction,
        command: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        bot = client(interaction)
        entries = command_entries(bot.tree)
        role = bot.settings.bot.planner_role
        if command:
            pages = numbered(command_pages(find(entries, command), role))
        else:
            pages = help_pages(entries, role)
        if len(pages) == 1:
            await interaction.response.send_message(embed=pages[0], ephemeral=True)
            return
        view = Pages(interaction.user.id, bot.settings.bot.view_timeout_s, pages)
        view.origin = interaction
        await interaction.response.send_message(embed=pages[0], view=view, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Help(bot))
