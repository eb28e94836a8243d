"""Campaign ideas -> Discord embeds (one per idea, within Discord's limits).

The wording of an idea (title, hook, concept, creator brief, call to action, the format's
own risks) comes from its template, rendered by :mod:`bot.services.suggest` with every value
already escaped; here it only goes through :func:`no_pings` (the template's own text may use
Markdown, so it is not escaped again, but nothing in it can mention anyone). Everything else
on the card (hashtags, timing, seeds, forecast, risks, notes) is drawn from the numbers,
with imported text through :func:`safe` / :func:`at`.
"""

from __future__ import annotations

import re

from bot.render.embeds import FIELD_VALUE, SafeEmbed, at, clip, safe
from bot.render.text import human
from bot.services.suggest import Idea, Suggestions

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_MENTION = re.compile(r"<([@#][!&]?\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)")
LABEL_MARKS = {"emerging": "🌱", "rising": "📈", "peaking": "⛰️", "evergreen": "🌲"}
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def no_pings(text: str, limit: int | None = None) -> str:
    """Template output, safe to show: its Markdown kept, mentions and invisible characters
    neutralised (values inside it were escaped when the template was rendered)."""
    s = _INVISIBLE.sub("", text)
    s = _MENTION.sub("<\u200b\\1>", s)
    s = _EVERYONE.sub("@\u200b\\1", s)
    return clip(s, limit) if limit else s


def export_name(brief_name: str) -> str:
    """A file name safe in an attachment URL."""
    stem = _FILE_UNSAFE.sub("-", brief_name).strip("-.")[:60] or "brief"
    return f"campaign-ideas-{stem}.md"


def _money(x: float | None, currency: str) -> str:
    return "-" if x is None else f"{x:,.0f} {currency}"


def _seeds(idea: Idea) -> str:
    """One line per seed creator: handle, tier, forecast, price (~ an estimate), why."""
    lines = []
    for s in idea.plan.seeds:
        est = "~" if s.price_is_estimate else ""
        lines.append(
            f"{at(s.handle, 60)} · {s.tier or '-'} · {human(s.views)} views, "
            f"{human(s.engagements)} eng. · {est}{s.cost:,.0f} {idea.plan.forecast.currency} · "
            f"{safe(s.reason, 120)}"
        )
    return clip("\n".join(lines), FIELD_VALUE)


def _forecast(idea: Idea) -> str:
    fc = idea.plan.forecast
    cpm = "-" if fc.cpm is None else f"{fc.cpm:,.2f}"
    cpe = "-" if fc.cpe is None else f"{fc.cpe:,.3f}"
    return (
        f"**{human(fc.views)}** views · **{human(fc.engagements)}** engagements · cost "
        f"**{_money(fc.cost, fc.currency)}** · CPM {cpm} · CPE {cpe}\n"
        f"_{fc.formula} ({fc.creators} creators, one video each)_"
    )


def _hashtags(idea: Idea) -> str:
    h = idea.plan.hashtags
    parts = []
    for name, tags in (("branded", h.branded), ("trending", h.trending), ("niche", h.niche)):
        if tags:
            parts.append(f"{name}: {safe(' '.join(tags), 300)}")
    text = "\n".join(parts)
    if h.dropped:
        text += "\ndropped: " + safe("; ".join(h.dropped), 400)
    return text


def idea_card(result: Suggestions, idea: Idea) -> SafeEmbed:
    """One idea: title, hook and concept; creator brief, call to action, hashtags, timing,
    seed creators, forecast, risks and why it ranks where it does; the data's date."""
    p = idea.plan
    mark = LABEL_MARKS.get(p.trend.label, "")
    e = SafeEmbed(
        title=no_pings(f"💡 {idea.title}", 256),
        description=no_pings(
            f"**{safe(p.format.title, 100)}** on **#{safe(p.trend.hashtag, 100)}** · {mark} "
            f"{p.trend.label} · objective {result.brief.objective}\n"
            f"**Hook:** {idea.hook}\n\n{idea.concept}",
            2000,
        ),
    )
    e.field("Creator brief", no_pings(idea.creator_brief, FIELD_VALUE))
    e.field("Call to action", no_pings(idea.cta, FIELD_VALUE))
    e.field("Hashtags", _hashtags(idea))
    e.field("Timing", safe(p.timing.text, 300) + f"\n_{safe(p.trend.label_reason, 300)}_")
    e.field(f"Seed creators ({len(p.seeds)})", _seeds(idea))
    e.field("Forecast", _forecast(idea))
    e.field("Risks", no_pings("\n".join(f"• {safe(r, 300)}" for r in p.risks)
                              + "".join(f"\n• {r}" for r in idea.format_risks),
                              FIELD_VALUE))  # fmt: skip
    left_out = [*result.dropped, *(d for d in p.hashtags.dropped if d not in result.dropped)]
    if left_out:
        e.field("Brand safety: left out", safe("\n".join(left_out[:8]), FIELD_VALUE))
    e.field("Why this idea", safe(p.why, 400))
    if result.notes:
        e.field("Notes", "\n".join(f"• {safe(n, 300)}" for n in result.notes[:5]))
    shown = f"idea {idea.position} of {result.total}"
    e.with_footer(
        f"{shown} · brief {safe(result.brief.name, 100)} · hashtag trends as of "
        f"{result.as_of} ({result.region}) · format {p.format.id}"
    )
    return e.done()


def no_ideas_card(result: Suggestions) -> SafeEmbed:
    """Why there is no idea: the notes, the dropped hashtags, and why each format did not fit."""
    lines = [f"• {safe(n, 400)}" for n in result.notes]
    lines += [f"• dropped {safe(d, 300)}" for d in result.dropped[:10]]
    e = SafeEmbed(
        title=safe(f"No campaign idea for {result.brief.name}", 256),
        description="\n".join(lines) or "No hashtag and format fit this brief right now.",
    )
    if result.unusable:
        e.field(
            "Formats not used",
            "\n".join(f"**{safe(k, 60)}**: {safe(v, 200)}" for k, v in result.unusable.items()),
        )
    e.field(
        "What to try",
        "Add niches or keywords that match the workspace's hashtags, import a fresher hashtag "
        "history, or set brand_hashtag / product for the formats that need them.",
    )
    e.with_footer(f"hashtag trends as of {result.as_of} ({result.region})")
    return e.done()


def notes_text(result: Suggestions) -> str:
    """One short line of what the answer left out (dropped hashtags, formats not used)."""
    bits = []
    if result.dropped:
        bits.append("dropped " + ", ".join(d.split(":")[0] for d in result.dropped[:5]))
    if result.unusable:
        bits.append(f"{len(result.unusable)} formats did not fit")
    return safe("; ".join(bits), 300)
