"""Trend results -> Discord embeds: /trends top and /trends hashtag (within limits, text
escaped). Every number says what it is; the footer says how old the data is and where it came
from. The charts themselves are drawn by :mod:`bot.render.charts`."""

from __future__ import annotations

import re

from bot.render.embeds import SafeEmbed, at, safe
from bot.render.text import human, signed_pct
from bot.services.trends import HashtagTrend, TopTrends, TrendItem

EMPTY = (
    "This server's workspace has no hashtag data yet. Import a daily hashtag history with "
    "`/data import kind:hashtags` (a CSV, XLSX or JSON export with hashtag, date and views "
    "columns), or a video export with `/data import kind:videos` (the hashtags' daily usage "
    "is derived from the videos), then try again."
)
LABEL_MARKS = {
    "emerging": "🌱",
    "rising": "📈",
    "peaking": "⛰️",
    "declining": "📉",
    "evergreen": "🌲",
    "unknown": "❔",
}
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def chart_name(stem: str) -> str:
    """A file name that is safe in an ``attachment://`` URL."""
    clean = _FILE_UNSAFE.sub("_", stem).strip("_.")[:60]
    return f"{clean or 'hashtag'}-trend.png"


def _momentum(x: float | None) -> str:
    return "-" if x is None else f"{signed_pct(x, 1)}/day"


def _label(label: str) -> str:
    return f"{LABEL_MARKS.get(label, '')} {label}".strip()


def _item_value(i: TrendItem) -> str:
    star = "*" if i.estimated_days else ""
    lines = [
        f"**{i.label}**: {safe(i.label_reason, 300)}",
        f"growth **{signed_pct(i.growth)}** ({i.period} vs the {i.period} before) · "
        f"momentum **{_momentum(i.momentum)}**",
        f"views in {i.period}: {human(i.views)}{star} · added {human(i.added_per_day)}/day · "
        f"now {human(i.daily_views)}/day",
        "breakout: " + (safe("; ".join(i.breakout_reasons), 300) if i.breakout else "no"),
    ]
    if i.related_reasons:
        lines.append(f"related: {safe(i.related_reasons[0], 200)}")
    return "\n".join(lines)


def top_card(result: TopTrends, chart: str | None = None) -> SafeEmbed:
    """The top hashtags of a period: per hashtag its label (with the reason), growth,
    momentum and breakout; the ranking rule and formulas; "data as of" in the footer.
    ``chart``: the file name of an attached chart to show inside the embed."""
    where = result.region + (f", niche {result.niche}" if result.niche else "")
    shown = len(result.items)
    lines = [
        f"{shown} of {result.considered:,} hashtags with data, ranked by views added per day "
        f"(mean daily views over the {result.period} minus the same over the "
        f"{result.period} before)."
        if shown
        else "No hashtag to show for this period."
    ]
    lines += [f"• {safe(n, 400)}" for n in result.notes]
    e = SafeEmbed(
        title=safe(f"Top hashtags · {result.period} to {result.as_of} ({where})", 256),
        description="\n".join(lines),
    )
    for n, i in enumerate(result.items, 1):
        breakout = " · 🚀 breakout" if i.breakout else ""
        e.field(f"{n}. #{safe(i.hashtag, 100)} · {_label(i.label)}{breakout}", _item_value(i))
    if shown:
        legend = [
            f"growth = {result.formulas['growth']}",
            f"momentum = {result.formulas['momentum']}",
            "now = " + result.formulas["daily_views"],
        ]
        if any(i.estimated_days for i in result.items):
            legend.append("* the period includes estimated days (a gap, spread evenly)")
        e.field("How to read this", "\n".join(legend))
    if chart:
        e.set_image(url=f"attachment://{chart}")
    sources = sorted({i.source for i in result.items if i.source})
    src = f" · series from {safe(', '.join(sources), 300)}" if sources else ""
    e.with_footer(f"data as of {result.as_of} · {safe(where, 200)}{src}")
    return e.done()


def hashtag_card(r: HashtagTrend, chart: str | None = None) -> SafeEmbed:
    """One hashtag: label and reason, numbers now and per period, breakouts, related
    hashtags, the workspace's creators using it, notes and the formulas."""
    title = f"#{r.hashtag} · {_label(r.label)}"
    desc = [f"**{r.label}**: {safe(r.label_reason, 500)}", f"_{r.label_help}_"]
    if r.description:
        desc.insert(0, safe(r.description, 300))
    e = SafeEmbed(title=safe(title, 256), description="\n".join(desc))
    e.field("Views per day now", human(r.daily_views), inline=True)
    e.field("Momentum", _momentum(r.momentum), inline=True)
    accel = "-" if r.acceleration is None else f"{r.acceleration * 100:+.1f} pts"
    e.field("Acceleration", accel, inline=True)
    growth = []
    for p in r.periods:
        est = f", {p.estimated_days} estimated" if p.estimated_days else ""
        growth.append(
            f"**{p.period}**: {human(p.views)} views vs {human(p.views_prev)} before → "
            f"**{signed_pct(p.growth)}** ({p.days}/{p.days_prev} days known{est})"
        )
    e.field("Growth by period", "\n".join(growth))
    e.field(
        "Peak and all time",
        f"peak {human(r.peak)}/day on {r.peak_date or '-'} · all-time views "
        f"{human(r.cumulative_views)} · posts {human(r.cumulative_posts)} · views/post "
        f"{human(r.views_per_post)}\nfirst seen {r.first_seen or '-'} · last seen "
        f"{r.last_seen or '-'} · {r.data_days} days of data",
    )
    e.field(
        "Breakout",
        safe("\n".join(r.breakout_reasons), 1000) if r.breakout else "no breakout",
    )
    if r.related:
        lines = [
            f"#{safe(x.hashtag, 60)} ({x.score:.2f}): {safe('; '.join(x.reasons), 200)}"
            for x in r.related[:8]
        ]
        e.field("Related hashtags", "\n".join(lines))
    else:
        e.field("Related hashtags", "none found in this workspace")
    if r.creators:
        lines = [
            f"{at(c.handle, 60)} · {c.videos} video{'s' if c.videos != 1 else ''} · "
            f"{human(c.views)} views · last post {(c.last_posted or '-')[:10]}"
            for c in r.creators[:10]
        ]
        if len(r.creators) > 10:
            lines.append(f"… and {len(r.creators) - 10} more")
        e.field(f"This workspace's creators using #{safe(r.hashtag, 60)}", "\n".join(lines))
    else:
        e.field(
            "This workspace's creators using it",
            "none yet (creators are linked to hashtags through imported videos)",
        )
    if r.notes:
        e.field("Notes", "\n".join(f"• {safe(n, 400)}" for n in r.notes))
    e.field(
        "How to read this",
        "\n".join(f"{k.replace('_', ' ')} = {v}" for k, v in r.formulas.items()),
    )
    if chart:
        e.set_image(url=f"attachment://{chart}")
    e.with_footer(
        f"data as of {r.as_of} · {r.region} · series from {safe(r.source, 200)} · "
        f"{r.estimated_days} estimated days"
    )
    return e.done()
