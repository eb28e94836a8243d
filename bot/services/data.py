"""Data in and out: imports of creator, video and hashtag exports; exports of what is stored.

An import is one transaction. A strict import with rejected rows, a crash or a constraint
violation rolls everything back, so the store is exactly as it was. A dry run goes through the
very same writes and then rolls back, so its counts are the real ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, update

from bot.config import Settings
from bot.db import importer
from bot.db.diff import INSERTED, UNCHANGED, UPDATED
from bot.db.engine import Store
from bot.db.models import ImportRun, utcnow
from bot.db.repo import WorkspaceRef, ensure_workspace, previous_import_as_of
from bot.errors import UserError
from bot.ingest.fields import Kind
from bot.ingest.readers import RawTable, ReadError, read_table
from bot.ingest.report import ImportRejected, ImportReport
from bot.ingest.validate import ColumnsError, Prepared, prepare

WRITERS = {
    "creators": importer.write_creators,
    "videos": importer.write_videos,
    "hashtags": importer.write_hashtags,
}


class ImportFailed(UserError):
    """The file cannot be imported at all (too big, unreadable, no usable columns)."""


Progress = Callable[[str], Awaitable[None]]
"""Told each stage of an import as a short phrase ("read 12,345 rows (csv)", "validated: ...",
"writing 12,000 rows"); the bot edits its reply with it. It must not raise."""


@dataclass(frozen=True)
class ImportOptions:
    kind: Kind
    path: Path
    workspace: str
    guild_id: int | None = None
    user_map: Mapping[str, str] | None = None
    source: str | None = None
    as_of: dt.date | None = None
    currency: str | None = None
    fmt: str | None = None
    strict: bool = False
    dry_run: bool = False
    progress: Progress | None = field(default=None, compare=False, repr=False)


class _DryRun(Exception):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read(settings: Settings, opts: ImportOptions) -> RawTable:
    limits = settings.imports
    try:
        size = os.path.getsize(opts.path)
    except OSError as exc:
        raise ImportFailed(f"cannot open {opts.path}: {exc.strerror}") from None
    if size > limits.max_file_mb * 1024 * 1024:
        raise ImportFailed(
            f"{opts.path.name} is {size / 1024 / 1024:.1f} MB, over the "
            f"{limits.max_file_mb:g} MB limit (import.max_file_mb); split the file or raise "
            "the limit"
        )
    try:
        return read_table(opts.path, fmt=opts.fmt, max_rows=limits.max_rows)
    except ReadError as exc:
        raise ImportFailed(str(exc)) from None


def _validate(settings: Settings, opts: ImportOptions, table: RawTable) -> Prepared:
    return prepare(
        opts.kind,
        table,
        user_map=opts.user_map,
        default_currency=opts.currency or settings.metrics.currency,
        max_errors=settings.imports.report_errors,
    )


def _prepare(settings: Settings, opts: ImportOptions) -> tuple[Prepared, str]:
    table = _read(settings, opts)
    return _validate(settings, opts, table), table.format


async def _tell(opts: ImportOptions, stage: str) -> None:
    if opts.progress is not None:
        await opts.progress(stage)


async def import_file(store: Store, settings: Settings, opts: ImportOptions) -> ImportReport:
    """Validate a file and write it into a workspace; returns the report.

    Raises ImportFailed for files that cannot be read and ImportRejected for strict imports
    with rejected rows; in both cases nothing is written.
    """
    await _tell(opts, f"reading {opts.path.name}")
    try:
        table = await asyncio.to_thread(_read, settings, opts)
        fmt = table.format
        await _tell(opts, f"read {len(table.frame):,} rows ({fmt}); validating")
        prepared = await asyncio.to_thread(_validate, settings, opts, table)
    except ColumnsError as exc:
        raise ImportFailed(f"{opts.path.name}: {exc}") from None
    await _tell(
        opts,
        f"validated {prepared.rows:,} rows: {len(prepared.frame):,} to write, "
        f"{prepared.rejected:,} rejected, {len(prepared.duplicates):,} duplicates",
    )
    digest = await asyncio.to_thread(_sha256, opts.path)
    report = ImportReport(
        kind=opts.kind,
        file=opts.path.name,
        source=opts.source or opts.path.name,
        format=fmt,
        as_of=opts.as_of,
        rows=prepared.rows,
        rejected=prepared.rejected,
        duplicates=len(prepared.duplicates),
        errors=prepared.errors,
        error_count=prepared.error_count,
        duplicate_rows=prepared.duplicates,
        mapping=prepared.mapping,
        unrecognised=prepared.unrecognised,
        notes=prepared.notes,
        dry_run=opts.dry_run,
    )
    if opts.strict and prepared.rejected:
        raise ImportRejected(report)
    await _tell(
        opts,
        f"writing {len(prepared.frame):,} rows"
        + (" (dry run: rolled back afterwards)" if opts.dry_run else ""),
    )
    try:
        await _write(store, settings, opts, prepared, digest, report)
    except _DryRun:
        pass
    return report


async def _write(
    store: Store,
    settings: Settings,
    opts: ImportOptions,
    prepared: Prepared,
    digest: str,
    report: ImportReport,
) -> None:
    runs = ImportRun.__table__
    async with store.engine.connect() as conn:
        conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
        async with conn.begin():
            ws: WorkspaceRef = await ensure_workspace(conn, opts.workspace, guild_id=opts.guild_id)
            as_of = opts.as_of or await previous_import_as_of(conn, ws.id, opts.kind, digest)
            if as_of is None and opts.kind == "videos" and "posted_at" in prepared.frame:
                newest = prepared.frame["posted_at"].max()
                as_of = None if newest is None or str(newest) == "NaT" else newest.date()
            as_of = as_of or dt.datetime.now(dt.UTC).date()
            report.as_of = as_of
            started = utcnow()
            run_id = (
                await conn.execute(
                    runs.insert()
                    .values(
                        workspace_id=ws.id, kind=opts.kind, source=report.source,
                        file_sha256=digest, as_of=as_of, started_at=started,
                        finished_at=started, rows=report.rows, inserted=0, updated=0,
                        unchanged=0, rejected=report.rejected, duplicates=report.duplicates,
                    )
                    .returning(runs.c.id)
                )
            ).scalar_one()  # fmt: skip
            ctx = importer.WriteContext(
                workspace_id=ws.id,
                source=report.source,
                as_of=as_of,
                run_id=run_id,
                now=started,
                recent_videos=settings.metrics.recent_videos,
            )
            result = await WRITERS[opts.kind](conn, ctx, prepared.frame)
            status = result.status
            report.inserted = int((status == INSERTED).sum())
            report.updated = int((status == UPDATED).sum())
            report.unchanged = int((status == UNCHANGED).sum())
            report.details = result.details
            changed = (
                report.inserted
                + report.updated
                + sum(
                    v
                    for k, v in result.details.items()
                    if k in ("creator_snapshots", "hashtag_days")
                )
            )
            if opts.dry_run:
                raise _DryRun
            if changed:
                await conn.execute(
                    update(runs)
                    .where(runs.c.id == run_id)
                    .values(
                        finished_at=utcnow(), inserted=report.inserted, updated=report.updated,
                        unchanged=report.unchanged,
                    )
                )  # fmt: skip
                report.written = True
                report.run_id = run_id
            else:
                # Nothing changed: leave no trace, so a re-import changes nothing at all.
                await conn.execute(delete(runs).where(runs.c.id == run_id))


# --- export ------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = (
    "handle", "display_name", "platform_id", "country", "language", "niches", "bio",
    "verified", "tier", "followers", "following", "total_likes", "video_count", "avg_views",
    "median_views", "avg_likes", "avg_comments", "avg_shares", "avg_saves",
    "avg_watch_time_s", "completion_rate", "engagement_rate_views",
    "engagement_rate_followers", "reported_engagement_rate", "share_rate", "comment_rate",
    "price", "price_currency", "price_is_estimate", "price_source", "as_of", "source",
)  # fmt: skip


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    format: str


async def export_creators(
    store: Store, settings: Settings, workspace: str, path: Path, fmt: str = "csv"
) -> ExportResult:
    """Write every creator of the workspace, with its newest numbers, to CSV or XLSX."""
    import pandas as pd

    from bot.services.creators import search

    if fmt not in ("csv", "xlsx"):
        raise UserError(f"unknown export format {fmt!r}: use csv or xlsx")
    result = await search(store, settings, workspace, limit=10**9)
    rows = []
    for p in result.creators:
        d = p.to_dict()
        d["niches"] = ", ".join(p.niches)
        d["source"] = "; ".join(p.sources) or None
        rows.append({c: d.get(c) for c in EXPORT_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    for c in frame.columns:  # only text cells change; numbers stay numbers
        frame[c] = frame[c].map(neutralise)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        await asyncio.to_thread(frame.to_csv, path, index=False)
    else:
        await asyncio.to_thread(frame.to_excel, path, index=False, engine="openpyxl")
    return ExportResult(path, len(frame), fmt)


async def workspace_status(store: Store, workspace: str) -> tuple[str, dict[str, object]]:
    """How much a workspace holds and how fresh it is."""
    from bot.db.repo import counts, require_workspace

    async with store.engine.connect() as conn:
        ws = await require_workspace(conn, workspace, " yet")
        return ws.name, await counts(conn, ws.id)
