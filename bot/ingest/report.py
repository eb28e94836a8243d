"""The import report: what a file held and what became of every row.

Every data row is accounted for exactly once:
``rows == inserted + updated + unchanged + rejected + duplicates``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.errors import UserError
from bot.ingest.validate import RowError


@dataclass
class ImportReport:
    kind: str
    file: str
    source: str
    format: str
    as_of: dt.date | None
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)  # (dropped, kept)
    mapping: dict[str, str] = field(default_factory=dict)
    unrecognised: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    written: bool = False  # the store changed (False for dry runs and no-op re-imports)
    run_id: int | None = None

    @property
    def accounted(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected + self.duplicates

    def to_dict(self, max_rows: int | None = None) -> dict[str, Any]:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        d["errors"] = [asdict(e) for e in self.errors[:max_rows]]
        d["duplicate_rows"] = [{"row": a, "kept_row": b} for a, b in self.duplicate_rows[:max_rows]]
        return d


class ImportRejected(UserError):
    """A strict import met rejected rows, so nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(
            f"{report.rejected} of {report.rows} rows were rejected and --strict is on: "
            "nothing was imported; fix the rows listed in the report or drop --strict"
        )
