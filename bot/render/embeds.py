"""Results -> Discord embeds that respect Discord's limits by construction.

Discord refuses (400, code 50035) a message whose embed title passes 256 characters, its
description 4,096, a field name 256 or value 1,024, the footer 2,048, the author name 256,
25 fields, 6,000 characters over all its text, or 10 embeds; message content passes 2,000.
discord.py does not check these. :class:`SafeEmbed` clips every piece with a visible
marker and stops adding fields before the total would pass 6,000, so no renderer here can
build an embed Discord rejects.

Every piece of imported or user text goes through :func:`safe`: markdown and mentions are
escaped, zero-width and control characters dropped.
"""

from __future__ import annotations

import re

import discord

TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE = 256, 4096, 25, 256, 1024
FOOTER, AUTHOR, TOTAL, EMBEDS, CONTENT = 2048, 256, 6000, 10, 2000
SELECT_OPTIONS, BUTTONS_PER_ROW, CHOICE_NAME, CHOICES = 25, 5, 100, 25
MORE = "…"

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\ufeff]"
)
_MENTION = re.compile(r"<([@#][!&]?\d+)>")
COLOR = discord.Colour(0x25F4EE)  # TikTok cyan


def safe(text: object, limit: int | None = None) -> str:
    """User or imported text, safe to show: no markdown, no mentions, no invisible tricks."""
    s = _INVISIBLE.sub("", str(text))
    s = discord.utils.escape_markdown(s)
    s = discord.utils.escape_mentions(s)
    s = _MENTION.sub("<\u200b\\1>", s)  # <@1>, <@&1>, <#1>: any id, not only real ones
    return clip(s, limit) if limit else s


def at(handle: str, limit: int = 80) -> str:
    """A handle shown as @handle, escaped as a whole: a creator may be called "everyone"."""
    return safe("@" + str(handle), limit)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut is marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - len(MORE)].rstrip("\\") + MORE


def content(text: str) -> str:
    return clip(text, CONTENT)


class SafeEmbed(discord.Embed):
    """An embed whose every setter clips to Discord's limits and keeps the total under 6,000.

    Fields past the limits are dropped and the last field says how many were left out.
    """

    def __init__(self, *, title: str = "", description: str = "", **kw: object) -> None:
        super().__init__(
            title=clip(title, TITLE) or None,
            description=clip(description, DESCRIPTION) or None,
            colour=kw.pop("colour", COLOR),
            **kw,
        )  # type: ignore[arg-type]
        self._dropped = 0

    def total(self) -> int:
        return len(self)

    def field(self, name: str, value: str, *, inline: bool = False) -> SafeEmbed:
        name, value = clip(name or "\u200b", FIELD_NAME), clip(value or "-", FIELD_VALUE)
        room = TOTAL - self.total() - 80  # keep room for the "left out" note and the footer
        if len(self.fields) >= FIELDS - 1 or len(name) + len(value) > room:
            self._dropped += 1
            return self
        self.add_field(name=name, value=value, inline=inline)
        return self

    def with_footer(self, text: str) -> SafeEmbed:
        room = max(0, min(FOOTER, TOTAL - self.total()))
        self.set_footer(text=clip(text, room) if room else None)
        return self

    def with_author(self, name: str) -> SafeEmbed:
        self.set_author(name=clip(name, AUTHOR))
        return self

    def done(self) -> SafeEmbed:
        """Say how many fields did not fit, then make sure the whole embed is within limits."""
        if self._dropped:
            note = f"{self._dropped} more not shown (use the export for everything)"
            if len(self.fields) >= FIELDS:
                self.remove_field(-1)
            self.add_field(name="…", value=note, inline=False)
            self._dropped = 0
        while self.total() > TOTAL and self.fields:
            self.remove_field(-1)
        if self.total() > TOTAL and self.description:
            self.description = clip(
                self.description, max(1, len(self.description) - (self.total() - TOTAL))
            )
        return self


def paginate(lines: list[str], *, per_page: int = 10, limit: int = DESCRIPTION) -> list[str]:
    """Lines grouped into page texts, each within ``limit`` characters."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = clip(line, limit)
        if current and (len(current) >= per_page or size + len(line) + 1 > limit):
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages or [""]
