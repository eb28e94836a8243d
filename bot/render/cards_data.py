"""Data results -> Discord: the import report embed and its rejected-rows CSV, the workspace
status embed, and export files trimmed to an upload limit (within limits, text escaped).

Everything in a report that came from the file (file and column names, reasons quoting cell
values, notes) goes through :func:`safe`; the CSV neutralises spreadsheet formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from bot.ingest.report import ImportReport
from bot.render.embeds import SafeEmbed, safe
from bot.services.data import neutralise

SHOWN_ERRORS = 10
STATUS_ROWS = (
    ("creators", "Creators", None),
    ("creator_snapshots", "Creator snapshots", "newest dated"),
    ("videos", "Videos", "newest posted"),
    ("hashtags", "Hashtags", None),
    ("hashtag_snapshots", "Hashtag days", "newest day"),
    ("imports", "Imports", "last finished"),
)
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def size_text(size: float) -> str:
    """Bytes for people: 900 bytes, 12.3 KB, 25.0 MB."""
    if size < 1024:
        return f"{size:,.0f} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def file_stem(name: str) -> str:
    stem = _FILE_UNSAFE.sub("_", Path(name).stem).strip("_.")[:60]
    return stem or "import"


def rejected_name(report: ImportReport) -> str:
    return f"{file_stem(report.file)}-rejected-rows.csv"


def _record(values: list[object]) -> bytes:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(values)
    return line.getvalue().encode("utf-8")


def rejected_csv(report: ImportReport, limit: int | None = None) -> tuple[bytes, int]:
    """Every rejected row the report lists, as CSV: row, column, reason (one line per bad
    cell), spreadsheet formulas neutralised; cut to whole lines within ``limit`` bytes.
    Returns (bytes, problems written)."""
    buf = io.BytesIO()
    buf.write(_record(["row", "column", "reason"]))
    written = 0
    for e in report.errors:
        record = _record([e.row, neutralise(e.column), neutralise(e.reason)])
        if limit is not None and buf.tell() + len(record) > limit:
            break
        buf.write(record)
        written += 1
    return buf.getvalue(), written


def _state(report: ImportReport, strict_rejected: bool) -> tuple[str, str]:
    """(title word, one-line outcome)."""
    valid = report.rows - report.rejected - report.duplicates
    if strict_rejected:
        return (
            "rejected",
            f"**Nothing was written**: {report.rejected:,} of {report.rows:,} rows were rejected "
            "and strict is on. Fix the rows in the attached CSV and import again, or run "
            f"without strict to import the {valid:,} valid rows.",
        )
    if report.dry_run:
        return (
            "dry run",
            "**Dry run: nothing was written.** The counts are what this import would do.",
        )
    if report.written:
        return "imported", f"**Imported** into this server's workspace ({report.kind})."
    return (
        "nothing changed",
        "**Nothing changed**: the workspace already holds everything this file says.",
    )


def import_card(
    report: ImportReport,
    *,
    strict_rejected: bool = False,
    attached: str | None = None,
    attached_rows: int | None = None,
) -> SafeEmbed:
    """The import report: outcome, counts (every row accounted for), columns, notes and the
    first rejected rows; ``attached`` names the CSV listing them, holding ``attached_rows``
    of the listed problems (fewer when the upload limit cut it)."""
    word, outcome = _state(report, strict_rejected)
    lines = [outcome]
    if strict_rejected:
        lines.append("(inserted, updated and unchanged are 0 because nothing was written)")
    e = SafeEmbed(
        title=safe(f"Import {report.kind} · {report.file}: {word}", 256),
        description="\n".join(lines),
    )
    for name in ("rows", "inserted", "updated", "unchanged", "rejected", "duplicates"):
        e.field(name.capitalize(), f"{getattr(report, name):,}", inline=True)
    if report.details:
        e.field(
            "Written",
            " · ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in report.details.items()),
        )
    if report.mapping:
        mapped = ", ".join(f"{safe(h, 60)} → {f}" for h, f in report.mapping.items())
        e.field("Columns", mapped)
    if report.unrecognised:
        e.field(
            "Unrecognised columns (ignored)",
            ", ".join(safe(h, 60) for h in report.unrecognised)
            + "\nRename a column to a known header (see `/help command:data import`) to use it.",
        )
    if report.notes:
        e.field("Notes", "\n".join(f"• {safe(n, 300)}" for n in report.notes))
    if report.errors:
        shown = [
            f"row {x.row} · {safe(x.column, 60)}: {safe(x.reason, 200)}"
            for x in report.errors[:SHOWN_ERRORS]
        ]
        more = report.error_count - len(shown)
        if more > 0:
            where = f" in {safe(attached, 100)}" if attached else ""
            shown.append(f"… and {more:,} more{where}")
        if attached and attached_rows is not None and attached_rows < len(report.errors):
            shown.append(f"(the CSV holds the first {attached_rows:,}: this server's upload limit)")
        if report.error_count > len(report.errors):
            shown.append(
                f"(the report lists the first {len(report.errors):,} of "
                f"{report.error_count:,} problems: import.report_errors)"
            )
        e.field(f"Rejected rows ({report.rejected:,})", "\n".join(shown))
    if report.duplicate_rows:
        dupes = ", ".join(f"{a} (kept {b})" for a, b in report.duplicate_rows[:SHOWN_ERRORS])
        more = len(report.duplicate_rows) - SHOWN_ERRORS
        e.field(
            "Duplicates (the last row of each key wins)",
            f"rows {dupes}" + (f" and {more:,} more" if more > 0 else ""),
        )
    e.with_footer(
        f"{report.kind} · {report.format} · as of {report.as_of or '-'} · source "
        f"{safe(report.source, 200)}"
    )
    return e.done()


def _when(value: Any, today: dt.date) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)  # the store keeps UTC
        day = value.astimezone(dt.UTC).date()
        shown = value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    elif isinstance(value, dt.date):
        day, shown = value, value.isoformat()
    else:
        return safe(str(value)[:32])
    age = (today - day).days
    ago = "today" if age == 0 else f"{age:,} days ago" if age > 0 else "in the future"
    return f"{shown} ({ago})"


def status_card(name: str, counts: dict[str, Any], today: dt.date | None = None) -> SafeEmbed:
    """How much the workspace holds and how fresh each part is."""
    today = today or dt.datetime.now(dt.UTC).date()
    empty = not any(counts.get(key) for key, _, _ in STATUS_ROWS)
    desc = (
        "Nothing imported yet. Start with `/data import kind:creators file:<your export>`; "
        "`/help command:data import` lists the formats."
        if empty
        else "What this server's workspace holds, and how fresh it is."
    )
    e = SafeEmbed(title=safe(f"Workspace {name}", 256), description=desc)
    for key, label, newest in STATUS_ROWS:
        value = f"{int(counts.get(key) or 0):,}"
        if newest:
            value += f"\n{newest}: {_when(counts.get(f'{key}_newest'), today)}"
        e.field(label, value, inline=True)
    e.with_footer(f"as of {today.isoformat()} (UTC)")
    return e.done()


def export_note(rows: int, kept: int | None, size: int, limit: int, fmt: str) -> str:
    """The message that goes with an export file; says so when the file was cut."""
    what = f"{rows:,} creator{'s' if rows != 1 else ''}"
    if kept is None:
        return (
            f"{what} from this server's workspace, with their newest numbers "
            f"({fmt.upper()}; spreadsheet formulas neutralised)."
        )
    return (
        f"The full export is {size_text(size)}, over this server's upload limit of "
        f"{size_text(limit)}: this file holds the first {kept:,} of {what}. "
        "`campaign-bot export creators` on the bot's host writes everything."
    )


def trim_csv(path: Path, limit: int) -> tuple[bytes, int | None]:
    """A CSV file's bytes, cut to whole records when it passes ``limit`` bytes: (bytes, data
    rows kept, or None when nothing was cut). Records may span lines (quoted newlines), so a
    cut re-reads the file as CSV."""
    data = path.read_bytes()
    if len(data) <= limit:
        return data, None
    buf = io.BytesIO()
    kept = -1  # the header is not a data row
    with path.open(newline="", encoding="utf-8") as fh:
        for record in csv.reader(fh):
            line = io.StringIO()
            csv.writer(line, lineterminator="\n").writerow(record)
            encoded = line.getvalue().encode("utf-8")
            if buf.tell() + len(encoded) > limit:
                break
            buf.write(encoded)
            kept += 1
    return buf.getvalue(), max(0, kept)
