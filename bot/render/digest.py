"""A Digest -> the Discord message that carries it (an embed from templates/digest, a chart),
and -> terminal text.

The text comes from ``templates/digest/digest.md.j2``, rendered in a jinja2 sandbox with
StrictUndefined (a template cannot reach Python internals; a missing variable is an error,
never a blank). Every value handed to the template is already escaped for Discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from bot.render.embeds import DESCRIPTION, SafeEmbed, at, clip, safe
from bot.services.digests import Digest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "digest"
_env = SandboxedEnvironment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:+.0f}%"


def _momentum(x: float | None) -> str:
    return "momentum n/a" if x is None else f"{x * 100:+.1f}%/day"


def context(d: Digest) -> dict[str, Any]:
    """The template's variables, escaped."""
    scope = ", ".join(safe(n, 40) for n in d.niches)
    if d.region:
        scope = f"{scope} · {safe(d.region, 8)}" if scope else safe(d.region, 8)
    return {
        "no_new_data": d.no_new_data,
        "as_of": d.as_of or "-",
        "period": d.period,
        "scope": scope,
        "rising": [
            {
                "name": safe(i.hashtag, 100),
                "label": i.label,
                "growth": _pct(i.growth),
                "momentum": _momentum(i.momentum),
                "creators": ", ".join(at(h, 40) for h in d.creators.get(i.hashtag, [])[:3]),
            }
            for i in d.rising
        ],
        "breakouts": [
            {
                "name": safe(i.hashtag, 100),
                "reason": safe("; ".join(i.breakout_reasons) or "breakout", 300),
            }
            for i in d.breakouts
        ],
        "fading": [{"name": safe(i.hashtag, 100), "growth": _pct(i.growth)} for i in d.fading],
        "idea": _idea(d.idea),
    }


def _idea(idea: Any) -> str:
    if idea is None:
        return ""
    timing = getattr(getattr(idea, "plan", None), "timing", None)
    when = f" ({timing.text})" if timing is not None and timing.text else ""
    return safe(f"{idea.title} on #{idea.hashtag}{when}. {idea.hook}", 500)


def text(d: Digest) -> str:
    return _env.get_template("digest.md.j2").render(digest=context(d)).strip()


@dataclass
class DigestMessage:
    embed: SafeEmbed
    chart: bytes | None


def message(
    d: Digest, *, late_by: str | None = None, marker: str | None = None, chart: bytes | None = None
) -> DigestMessage:
    """The digest as an embed; ``marker`` (e.g. "digest #12 for 2026-03-30 09:00 UTC") goes in
    the footer, where a restarted scheduler looks for it before posting again."""
    title = "Trend digest" + (f" · {', '.join(d.niches)}" if d.niches else "")
    e = SafeEmbed(title=safe(title, 200), description=clip(text(d), DESCRIPTION))
    if late_by:
        e.field("Late", f"this digest is late by {late_by} (the bot was down)")
    for note in (d.notes or [])[:3]:
        e.field("Note", safe(note, 500))
    footer = f"data as of {d.as_of or '-'}"
    if marker:
        footer += f" · {marker}"
    e.with_footer(footer)
    if chart is not None:
        e.set_image(url="attachment://digest.png")
    return DigestMessage(e.done(), chart)
