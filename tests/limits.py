"""Discord's message limits, as a checker for what the bot builds (from the developer docs)."""

from __future__ import annotations

from typing import Any

import discord


def embed_problems(embed: discord.Embed | dict[str, Any]) -> list[str]:
    d = embed.to_dict() if isinstance(embed, discord.Embed) else embed
    out = []
    checks = [
        ("title", d.get("title") or "", 256),
        ("description", d.get("description") or "", 4096),
        ("footer", (d.get("footer") or {}).get("text") or "", 2048),
        ("author", (d.get("author") or {}).get("name") or "", 256),
    ]
    for name, text, limit in checks:
        if len(text) > limit:
            out.append(f"{name}: {len(text)} > {limit}")
    fields = d.get("fields") or []
    if len(fields) > 25:
        out.append(f"{len(fields)} fields > 25")
    for f in fields:
        if not f.get("name") or len(f["name"]) > 256:
            out.append(f"field name of {len(f.get('name') or '')} characters")
        if not f.get("value") or len(f["value"]) > 1024:
            out.append(f"field value of {len(f.get('value') or '')} characters")
    total = sum(len(t) for _, t, _ in checks) + sum(
        len(f.get("name", "")) + len(f.get("value", "")) for f in fields
    )
    if total > 6000:
        out.append(f"embed total {total} > 6000")
    return out


def mentions_anyone(text: str) -> bool:
    """A raw @everyone / @here or a user / role mention that would ping."""
    import re

    return bool(re.search(r"@(everyone|here)|<@[!&]?\d+>", text))
