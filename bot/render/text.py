"""Service results -> rich renderables for the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.ingest.report import ImportReport
from bot.services.creators import FORMULAS, CreatorProfile, SearchResult
from bot.services.trends import HashtagTrend as TrendsHashtag
from bot.services.trends import TopTrends as TrendsTop


def human(n: float | int | None, digits: int = 1) -> str:
    """1234 -> 1.2K, 78900000 -> 78.9M; '-' when missing."""
    if n is None:
        return "-"
    n = float(n)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= div:
            return f"{n / div:.{digits}f}{suffix}"
    return f"{n:,.0f}"


def pct(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x * 100:.{digits}f}%"


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "-"
    return f"{amount:,.0f} {currency or ''}".strip()


def import_report(report: ImportReport, *, max_rows: int = 20) -> RenderableType:
    state = (
        "dry run: nothing was written"
        if report.dry_run
        else "imported"
        if report.written
        else "nothing changed"
    )
    head = Table.grid(padding=(0, 2))
    head.add_row("file", escape(report.file), "kind", report.kind)
    head.add_row("source", escape(report.source), "as of", str(report.as_of or "-"))
    counts = Table(title=f"{report.rows:,} rows: {state}", show_header=True, box=None)
    for col in ("inserted", "updated", "unchanged", "rejected", "duplicates"):
        counts.add_column(col, justify="right")
    counts.add_row(*(f"{getattr(report, c):,}" for c in (
        "inserted", "updated", "unchanged", "rejected", "duplicates")))  # fmt: skip
    parts: list[RenderableType] = [head, counts]
    if report.details:
        parts.append(Text("  ".join(f"{k.replace('_', ' ')}: {v:,}"
                                    for k, v in report.details.items()), style="dim"))  # fmt: skip
    mapped = ", ".join(f"{escape(h)} -> {f}" for h, f in report.mapping.items())
    parts.append(Text.from_markup(f"[bold]columns[/] {mapped}"))
    if report.unrecognised:
        parts.append(Text.from_markup(
            "[yellow]not recognised, ignored:[/] "
            + ", ".join(escape(repr(h)) for h in report.unrecognised)
            + "  (map one with --map 'Column=field')"
        ))  # fmt: skip
    for note in report.notes:
        parts.append(Text(f"note: {note}", style="yellow"))
    if report.errors:
        t = Table(title=f"rejected rows ({report.rejected:,})", show_lines=False)
        t.add_column("row", justify="right")
        t.add_column("column")
        t.add_column("reason")
        for e in report.errors[:max_rows]:
            t.add_row(str(e.row), escape(e.column), escape(e.reason))
        parts.append(t)
        if report.error_count > max_rows:
            parts.append(Text(f"... and {report.error_count - max_rows:,} more (use --json for "
                              "the full list)", style="dim"))  # fmt: skip
    if report.duplicate_rows:
        shown = ", ".join(f"{a} (kept {b})" for a, b in report.duplicate_rows[:10])
        more = len(report.duplicate_rows) - 10
        parts.append(Text(
            f"duplicates (the last row of each key wins): rows {shown}"
            + (f" and {more:,} more" if more > 0 else ""), style="dim"))  # fmt: skip
    return Panel(Group(*parts), title=f"import {report.kind}", expand=False)


def _metric_rows(p: CreatorProfile) -> Iterable[tuple[str, str, str]]:
    def where(field: str) -> str:
        prov = p.provenance.get(field)
        return f"{prov.as_of} · {prov.source}" if prov else ""

    yield "followers", human(p.followers), where("followers")
    yield "tier", p.tier or "-", ""
    yield "avg views", human(p.avg_views), where("avg_views")
    yield "median views", human(p.median_views), where("median_views")
    yield ("engagement by views", pct(p.engagement_rate_views),
           p.engagement_rate_views_basis or "")  # fmt: skip
    yield ("engagement by followers", pct(p.engagement_rate_followers),
           p.engagement_rate_followers_basis or "")  # fmt: skip
    if p.reported_engagement_rate is not None:
        yield ("engagement as reported", pct(p.reported_engagement_rate),
               f"the source's own formula · {where('reported_engagement_rate')}")  # fmt: skip
    yield "share rate", pct(p.share_rate), FORMULAS["share_rate"]
    yield "comment rate", pct(p.comment_rate), FORMULAS["comment_rate"]
    yield "avg likes", human(p.avg_likes), where("avg_likes")
    yield "avg comments", human(p.avg_comments), where("avg_comments")
    yield "avg shares", human(p.avg_shares), where("avg_shares")
    yield "total likes", human(p.total_likes), where("total_likes")
    yield "videos", human(p.video_count), where("video_count")
    if p.avg_watch_time_s is not None:
        yield "avg watch time", f"{p.avg_watch_time_s:.1f} s", where("avg_watch_time_s")
    if p.completion_rate is not None:
        yield "completion rate", pct(p.completion_rate), where("completion_rate")
    price = money(p.price, p.price_currency)
    yield (
        "price per video",
        (f"~{price} (estimate)" if p.price_is_estimate else price),
        (p.price_source or ""),
    )


def _shares(d: dict[str, float] | None) -> str:
    if not d:
        return "-"
    top = sorted(d.items(), key=lambda kv: -kv[1])[:5]
    return ", ".join(f"{escape(k)} {v * 100:.0f}%" for k, v in top)


def profile(p: CreatorProfile) -> RenderableType:
    title = f"@{escape(p.handle)}" + (f" · {escape(p.display_name)}" if p.display_name else "")
    if p.verified:
        title += " ✓"
    info = Table.grid(padding=(0, 2))
    info.add_row("country", escape(p.country or "-"), "niches", escape(", ".join(p.niches) or "-"))
    t = Table(show_header=True, box=None, pad_edge=False)
    t.add_column("metric")
    t.add_column("value", justify="right")
    t.add_column("how / from", style="dim")
    for name, value, note in _metric_rows(p):
        t.add_row(name, value, escape(note))
    parts: list[RenderableType] = [info, t]
    if p.audience_age or p.audience_gender or p.audience_countries:
        a = Table.grid(padding=(0, 2))
        a.add_row("audience age", _shares(p.audience_age))
        a.add_row("audience gender", _shares(p.audience_gender))
        a.add_row("audience countries", _shares(p.audience_countries))
        parts.append(a)
    footer = (
        f"data as of {p.as_of} from {escape(', '.join(p.sources))}"
        if p.as_of and p.sources
        else "no metrics imported yet"
    )
    parts.append(Text(footer, style="dim"))
    return Panel(Group(*parts), title=title, expand=False)


def search(result: SearchResult) -> RenderableType:
    filters = ", ".join(f"{k}={v}" for k, v in result.filters.items()) or "none"
    t = Table(
        title=f"{result.matched:,} creators match ({filters}); showing {len(result.creators)}",
        show_lines=False,
    )
    for col, justify in (("handle", "left"), ("tier", "left"), ("followers", "right"),
                         ("avg views", "right"), ("ER views", "right"), ("ER followers", "right"),
                         ("niches", "left"), ("country", "left"), ("price", "right"),
                         ("as of", "left")):  # fmt: skip
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for p in result.creators:
        price = money(p.price, p.price_currency)
        t.add_row(
            f"@{escape(p.handle)}", p.tier or "-", human(p.followers), human(p.avg_views),
            pct(p.engagement_rate_views), pct(p.engagement_rate_followers),
            escape(", ".join(p.niches[:3])), escape(p.country or "-"),
            f"~{price}" if p.price_is_estimate else price, p.as_of or "-",
        )  # fmt: skip
    parts: list[RenderableType] = [t]
    parts += [Text(f"note: {n}", style="yellow") for n in result.notes]
    parts.append(Text("ER views = " + FORMULAS["engagement_rate_views"]
                      + "; ~ marks an estimated price", style="dim"))  # fmt: skip
    return Group(*parts)


def status(name: str, counts: dict[str, Any]) -> RenderableType:
    t = Table(title=f"workspace {escape(name)}", box=None)
    t.add_column("what")
    t.add_column("rows", justify="right")
    t.add_column("newest")
    for key in ("creators", "creator_snapshots", "videos", "hashtags", "hashtag_snapshots",
                "imports"):  # fmt: skip
        newest = counts.get(f"{key}_newest")
        shown = newest.isoformat()[:16].replace("T", " ") if newest is not None else ""
        t.add_row(key.replace("_", " "), f"{counts[key]:,}", shown)
    return t


# --- trends ---------------------------------------------------------------------------------

LABEL_STYLES = {
    "emerging": "green",
    "rising": "dark_orange",
    "peaking": "red",
    "declining": "blue",
    "evergreen": "magenta",
    "unknown": "dim",
}


def signed_pct(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x * 100:+.{digits}f}%"


def _label(label: str) -> str:
    return f"[{LABEL_STYLES.get(label, 'white')}]{label}[/]"


def trends_top(result: TrendsTop) -> RenderableType:
    """A top-hashtags table with each number's meaning in the caption."""
    where = result.region + (f", niche {escape(result.niche)}" if result.niche else "")
    t = Table(
        title=f"top hashtags, {result.period} to {result.as_of} ({where}): "
        f"{len(result.items)} of {result.considered:,}",
        show_lines=False,
    )
    for col, justify in (("#", "right"), ("hashtag", "left"), ("label", "left"),
                         (f"views {result.period}", "right"), ("growth", "right"),
                         ("added/day", "right"), ("views/day now", "right"),
                         ("momentum", "right"), ("breakout", "left"), ("why", "left")):  # fmt: skip
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for n, i in enumerate(result.items, 1):
        views = human(i.views) + ("*" if i.estimated_days else "")
        why = i.label_reason
        if i.related_reasons:
            why = f"{i.related_reasons[0]}; {why}"
        t.add_row(
            str(n), f"#{escape(i.hashtag)}", _label(i.label), views, signed_pct(i.growth),
            human(i.added_per_day), human(i.daily_views), signed_pct(i.momentum, 1) + "/d"
            if i.momentum is not None else "-",
            escape("; ".join(i.breakout_reasons)) if i.breakout else "",
            escape(why),
        )  # fmt: skip
    parts: list[RenderableType] = [t]
    parts += [Text(f"note: {n}", style="yellow") for n in result.notes]
    legend = [f"order: {result.ranking}"]
    legend += [f"{k.replace('_', ' ')} = {v}" for k, v in result.formulas.items()]
    if any(i.estimated_days for i in result.items):
        legend.append("* the period includes estimated days (a gap spread evenly)")
    parts.append(Text("\n".join(legend), style="dim"))
    return Group(*parts)


def _sparkline(values: Iterable[float | None], estimated: Iterable[bool]) -> Text:
    bars = "▁▂▃▄▅▆▇█"
    vals = list(values)
    finite = [v for v in vals if v is not None and v == v]
    top = max(finite) if finite else 0
    out = Text()
    for v, est in zip(vals, estimated, strict=True):
        if v is None or v != v:
            out.append(" ")
            continue
        ch = bars[min(len(bars) - 1, int(v / top * (len(bars) - 1)))] if top > 0 else bars[0]
        out.append(ch, style="dark_orange" if est else "white")
    return out


def trends_hashtag(r: TrendsHashtag) -> RenderableType:
    """One hashtag's trend card: label and reason, numbers per period, curve, related tags,
    creators, and where the data came from."""
    head = Table.grid(padding=(0, 2))
    head.add_row("label", Text.from_markup(_label(r.label)), escape(r.label_reason))
    head.add_row("", "", Text(r.label_help, style="dim"))
    if r.breakout:
        for reason in r.breakout_reasons:
            head.add_row("breakout", "[bold yellow]yes[/]", escape(reason))
    nums = Table.grid(padding=(0, 2))
    nums.add_row("views/day now", human(r.daily_views), "momentum",
                 "-" if r.momentum is None else f"{signed_pct(r.momentum, 1)}/day",
                 "acceleration", "-" if r.acceleration is None else
                 f"{(r.acceleration or 0) * 100:+.1f} pts")  # fmt: skip
    nums.add_row("peak/day", human(r.peak), "peak on", r.peak_date or "-", "all-time views",
                 human(r.cumulative_views))  # fmt: skip
    nums.add_row("posts", human(r.cumulative_posts), "views/post", human(r.views_per_post),
                 "first / last seen", f"{r.first_seen or '-'} / {r.last_seen or '-'}")  # fmt: skip
    periods = Table(box=None, show_header=True)
    for col in ("period", "views", "before", "growth", "days known", "estimated", "posts",
                "views/post"):  # fmt: skip
        periods.add_column(col, justify="left" if col == "period" else "right")
    for p in r.periods:
        periods.add_row(p.period, human(p.views), human(p.views_prev), signed_pct(p.growth),
                        f"{p.days}/{p.days_prev}", str(p.estimated_days), human(p.posts),
                        human(p.views_per_post))  # fmt: skip
    tail = r.series.tail(60)
    spark = Text("last 60 days  ", style="dim")
    spark.append_text(_sparkline(tail["daily_views"].tolist(), tail["estimated"].tolist()))
    spark.append("  (orange: estimated)", style="dim")
    parts: list[RenderableType] = [head, nums, periods, spark]
    if r.related:
        rel = Table(title="related hashtags", box=None, show_header=True, title_justify="left")
        rel.add_column("hashtag")
        rel.add_column("score", justify="right")
        rel.add_column("why")
        for x in r.related[:8]:
            rel.add_row(f"#{escape(x.hashtag)}", f"{x.score:.2f}", escape("; ".join(x.reasons)))
        parts.append(rel)
    if r.creators:
        cr = Table(title=f"creators in this workspace using #{escape(r.hashtag)}", box=None,
                   show_header=True, title_justify="left")  # fmt: skip
        for col in ("handle", "videos", "views", "niches", "last post"):
            cr.add_column(col, justify="right" if col in ("videos", "views") else "left")
        for c in r.creators[:10]:
            cr.add_row(f"@{escape(c.handle)}", str(c.videos), human(c.views),
                       escape(", ".join(c.niches[:3])), (c.last_posted or "-")[:10])  # fmt: skip
        parts.append(cr)
    parts += [Text(f"note: {n}", style="yellow") for n in r.notes]
    sources = ", ".join(f"{escape(k)} ({v} days)" for k, v in r.sources.items())
    parts.append(Text(f"data as of {r.as_of}, {r.region}; series from {r.source}; sources: "
                      f"{sources}; {r.estimated_days} estimated days", style="dim"))  # fmt: skip
    parts.append(Text("\n".join(f"{k.replace('_', ' ')} = {v}" for k, v in r.formulas.items()),
                      style="dim"))  # fmt: skip
    title = f"#{escape(r.hashtag)}" + (f" · {escape(r.description[:80])}" if r.description else "")
    return Panel(Group(*parts), title=title, expand=False)
