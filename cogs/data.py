"""/data import, /data status, /data export: the workspace's data in and out.

/data import checks the attachment's type and size before it acknowledges anything, so a wrong
file gets a private answer; then it defers, downloads, and edits its reply with the import's
progress (at most every :data:`PROGRESS_EVERY_S` seconds) until the report replaces it.

Who may import: Manage Server or the configured planner role, checked when the command runs
(:func:`cogs.common.planner_only`). There is no ``default_permissions`` hint: Discord applies it
to the whole /data group only (discord.py ignores it on subcommands), so it would hide /data
status and /data export from everyone, and /data import from planners without Manage Server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import re
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.ingest.report import ImportRejected, ImportReport
from bot.render import cards_data
from bot.render.embeds import content, safe
from bot.services import data as service
from bot.services import ranking
from cogs.common import client, heavy_cooldown, job, planner_only, workspace

log = logging.getLogger("campaign_bot.data")

EXTENSIONS = (".csv", ".tsv", ".xlsx", ".json", ".jsonl")
KINDS = [
    app_commands.Choice(name="creators (profiles and their numbers)", value="creators"),
    app_commands.Choice(name="videos (one row per video)", value="videos"),
    app_commands.Choice(name="hashtags (daily hashtag history)", value="hashtags"),
]
FORMATS = [
    app_commands.Choice(name="CSV", value="csv"),
    app_commands.Choice(name="XLSX (Excel)", value="xlsx"),
]
PROGRESS_EVERY_S = 1.5
_NAME_UNSAFE = re.compile(r"[^\w.\- ]+")


def upload_limit(interaction: discord.Interaction) -> int:
    """The largest file the bot may attach in this guild (Discord says so per interaction)."""
    limit = getattr(interaction, "filesize_limit", None)
    if not limit and interaction.guild is not None:
        limit = interaction.guild.filesize_limit
    return int(limit or discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES)


def local_name(filename: str) -> str:
    """The attachment's name, safe as a file name; the report shows it as the source."""
    path = Path(filename)
    stem = _NAME_UNSAFE.sub("_", path.stem).strip(" .")[:100] or "import"
    return stem + path.suffix.lower()


def check_attachment(file: discord.Attachment, max_mb: float) -> str:
    """Refuse a file of the wrong type or size before anything is downloaded; returns the
    local file name."""
    suffix = Path(file.filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UserError(
            f"file: {safe(file.filename, 100)} is not a file I can import; attach a "
            f"{', '.join(EXTENSIONS[:-1])} or {EXTENSIONS[-1]} file (a CSV, Excel or JSON "
            "export)"
        )
    if file.size == 0:
        raise UserError(f"file: {safe(file.filename, 100)} is empty")
    if file.size > max_mb * 1024 * 1024:
        raise UserError(
            f"file: {safe(file.filename, 100)} is {cards_data.size_text(file.size)}, over the "
            f"{max_mb:g} MB import limit; split it into smaller files"
        )
    return local_name(file.filename)


class ReplyProgress:
    """Edits the deferred reply with an import's stage, at most every PROGRESS_EVERY_S
    seconds (the "thinking…" placeholder stands for the first interval). Never raises."""

    def __init__(self, interaction: discord.Interaction, what: str) -> None:
        self.interaction = interaction
        self.what = what
        self.last = time.monotonic()
        self.edits = 0

    async def __call__(self, stage: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        try:
            await self.interaction.edit_original_response(
                content=content(f"⏳ {self.what}: {stage}")
            )
            self.edits += 1
        except discord.HTTPException as exc:  # progress is a courtesy; the import goes on
            log.warning("could not show import progress (%s)", exc.status)


@app_commands.guild_only()
class Data(commands.GroupCog, group_name="data", group_description="Import and export data"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._background: set[asyncio.Task[Any]] = set()

    async def cog_unload(self) -> None:
        # Cancelled and awaited: a refresh still reading when the bot closes its store (or
        # its loop) would leave a database worker thread answering a closed loop.
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _in_background(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._background.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("%s failed", name, exc_info=t.exception())

        task.add_done_callback(done)

    @app_commands.command(
        name="import",
        description="Import a CSV, XLSX or JSON export of creators, videos or hashtag history",
    )
    @app_commands.describe(
        kind="what the file holds",
        file="the export: .csv, .tsv, .xlsx, .json or .jsonl",
        strict="refuse the whole file if any row is bad (default: import the good rows)",
        dry_run="check and count everything, then write nothing",
    )
    @app_commands.choices(kind=KINDS)
    @heavy_cooldown()
    @planner_only()  # listed last, so it runs first: a refused member spends no cooldown
    async def import_(
        self,
        interaction: discord.Interaction,
        kind: str,
        file: discord.Attachment,
        strict: bool = False,
        dry_run: bool = False,
    ) -> None:
        bot = client(interaction)
        name = check_attachment(file, bot.settings.imports.max_file_mb)
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        assert interaction.guild is not None
        what = f"importing {safe(file.filename, 100)} ({kind}" + (", dry run)" if dry_run else ")")
        progress = ReplyProgress(interaction, what)
        strict_rejected = False
        with tempfile.TemporaryDirectory(prefix="campaign-import-") as tmp:
            path = Path(tmp) / name
            try:
                payload = await file.read()
                await asyncio.to_thread(path.write_bytes, payload)
                del payload
                opts = service.ImportOptions(
                    kind=kind,  # type: ignore[arg-type]
                    path=path,
                    workspace=ws,
                    guild_id=interaction.guild.id,
                    strict=strict,
                    dry_run=dry_run,
                    progress=progress,
                )
                report = await service.import_file(bot.store, bot.settings, opts)  # type: ignore[arg-type]
            except ImportRejected as exc:
                report, strict_rejected = exc.report, True
            except UserError as exc:
                await interaction.edit_original_response(
                    content=content(f"❌ Could not import {safe(file.filename, 100)}: {exc}")
                )
                return
            except Exception:
                if progress.edits:  # leave no "importing…" behind; the error path explains
                    await interaction.edit_original_response(
                        content=content(
                            f"❌ Import of {safe(file.filename, 100)} stopped; nothing was written."
                        )
                    )
                raise
        if report.written:
            self._in_background(
                ranking.refresh(bot.store, bot.settings, ws),  # type: ignore[arg-type]
                f"refresh-ranking-{ws}",
            )
        await self._send_report(interaction, report, strict_rejected)

    async def _send_report(
        self, interaction: discord.Interaction, report: ImportReport, strict_rejected: bool
    ) -> None:
        files: list[discord.File] = []
        attached = attached_rows = None
        if report.errors:
            attached = cards_data.rejected_name(report)
            data, attached_rows = await job(
                interaction, cards_data.rejected_csv, report, upload_limit(interaction)
            )
            files.append(discord.File(io.BytesIO(data), filename=attached))
        embed = cards_data.import_card(
            report, strict_rejected=strict_rejected, attached=attached, attached_rows=attached_rows
        )
        await interaction.edit_original_response(content=None, embed=embed, attachments=files)

    @app_commands.command(
        name="status", description="What this server's workspace holds and how fresh it is"
    )
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        bot = client(interaction)
        name, counts = await service.workspace_status(bot.store, ws)  # type: ignore[arg-type]
        await interaction.followup.send(embed=cards_data.status_card(name, counts))

    @app_commands.command(
        name="export", description="Download this server's creators with their newest numbers"
    )
    @app_commands.describe(fmt="CSV (default) or XLSX")
    @app_commands.rename(fmt="format")
    @app_commands.choices(fmt=FORMATS)
    @heavy_cooldown()
    async def export(self, interaction: discord.Interaction, fmt: str = "csv") -> None:
        await interaction.response.defer(thinking=True)
        ws = await workspace(interaction)
        bot = client(interaction)
        limit = upload_limit(interaction)
        today = dt.datetime.now(dt.UTC).date().isoformat()
        filename = f"creators-{today}.{fmt}"
        with tempfile.TemporaryDirectory(prefix="campaign-export-") as tmp:
            path = Path(tmp) / filename
            result = await service.export_creators(bot.store, bot.settings, ws, path, fmt)  # type: ignore[arg-type]
            if result.rows == 0:
                raise UserError(
                    "There are no creators to export yet: import some with "
                    "`/data import kind:creators`."
                )
            size = path.stat().st_size
            if fmt == "csv":
                data, kept = await job(interaction, cards_data.trim_csv, path, limit)
            elif size > limit:
                raise UserError(
                    f"The XLSX export is {cards_data.size_text(size)}, over this server's "
                    f"upload limit of {cards_data.size_text(limit)}. Ask for format CSV (cut "
                    "to the limit, and it says so) or run `campaign-bot export creators` on "
                    "the bot's host."
                )
            else:
                data, kept = await asyncio.to_thread(path.read_bytes), None
        note = cards_data.export_note(result.rows, kept, size, limit, fmt)
        await interaction.followup.send(
            content(note), file=discord.File(io.BytesIO(data), filename=filename)
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Data(bot))
