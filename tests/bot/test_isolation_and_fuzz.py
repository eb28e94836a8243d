"""Two servers never see each other's data; hostile text never breaks a message or pings.

The fuzz half imports creators whose names, bios, niches and sources hold 2,000-character
strings, @everyone / @here, role and user mentions, markdown and zero-width characters, then
drives look-ups, search, compare, briefs, rankings and exports through the real bot: every
message must stay within Discord's limits (also checked against Discord's OpenAPI
description after each test) and mention nobody.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import discord

from tests.bot.conftest import load
from tests.limits import embed_problems

OTHER = (
    "Username,Name,Followers,Views avg,Likes,Comments,Shares,Genre,Country\n"
    "@only_in_b,Bee,50K,10K,900,40,30,Fitness,US\n"
    "@fit_anna,Imposter Anna,1,1,1,1,1,Fitness,US\n"
)

HOSTILE = [
    "@everyone " + "x" * 1990,
    "@here <@123456789012345678> <@&98765432109876543> <#111111111111111111>",
    "**bold** __under__ ~~strike~~ `code` ||spoiler|| > quote [link](https://evil.example)",
    "zero\u200bwidth\u200f\u202eright-to-left\ufeff",
    '=HYPERLINK("http://evil.example")',
    "#" * 300,
]


HOSTILE_MENTION = re.compile(
    r"@(everyone|here)|<[@#][!&]?(123456789012345678|98765432109876543|111111111111111111)>"
)


def shown(result: Any) -> Any:
    return result.response if result.response is not None else result.followups[0]


async def test_two_servers_never_see_each_others_data(stocked, simcord_bot, tmp_path) -> None:
    w = stocked
    other = w.env.create_guild("Rivals")
    other_channel = other.create_text_channel("plans")
    rival = other.add_member(w.env.create_user("rival"))
    await load(simcord_bot, other.id, "creators", OTHER, tmp_path, "other.csv")

    # Look-ups: each server sees its own @fit_anna, and only its own creators.
    mine = shown(await w.member.slash(w.channel, "creator lookup", handle="fit_anna"))
    theirs = shown(await rival.slash(other_channel, "creator lookup", handle="fit_anna"))
    assert "120.0K" in {f.name: f.value for f in mine.embeds[0].fields}["Followers"]
    assert {f.name: f.value for f in theirs.embeds[0].fields}["Followers"].startswith("1 ")
    missing = await w.member.slash(w.channel, "creator lookup", handle="only_in_b")
    assert missing.ephemeral and "no creator @only_in_b" in missing.response.content
    # Autocomplete offers nothing from the other server.
    offered = await w.member.autocomplete(w.channel, "creator lookup", "handle", "only")
    assert offered == []
    offered_b = await rival.autocomplete(other_channel, "creator lookup", "handle", "")
    assert {c["value"] for c in offered_b} == {"only_in_b", "fit_anna"}
    # Briefs, shortlists and status are per server too.
    await w.planner.slash(w.channel, "brief create", name="spring", budget="5000")
    listed = shown(await rival.slash(other_channel, "brief list"))
    assert "spring" not in str([e.to_dict() for e in listed.embeds]) + listed.content
    status = shown(await rival.slash(other_channel, "data status"))
    assert "2" in str(status.embeds[0].to_dict()) and "4" not in json.dumps(
        [f.value for f in status.embeds[0].fields if f.name.lower().startswith("creators")]
    )


def _hostile_creators() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Username", "Name", "Bio", "Followers", "Views avg", "Likes", "Comments",
                     "Shares", "Genre", "Country", "Price"])  # fmt: skip
    for i, text in enumerate(HOSTILE):
        writer.writerow([f"@hostile_{i}", text, text, f"{10 + i}K", "5K", "400", "20", "10",
                         f"Fitness, {text[:40]}", "US", f"${100 + i}"])  # fmt: skip
    return buf.getvalue()


def _check_sent(env: Any) -> list[str]:
    """Every body the bot sent: within limits, and no mention that would ping."""
    problems = []
    for r in env.http_requests:
        body = r.json
        if not isinstance(body, dict):
            continue
        data = body.get("data", body)
        for e in data.get("embeds") or []:
            problems += embed_problems(e)
        if len(data.get("content") or "") > 2000:
            problems.append(f"content of {len(data['content'])} characters")
        texts = json.dumps({k: v for k, v in data.items() if k in ("content", "embeds")},
                           ensure_ascii=False)  # fmt: skip
        # The bot may show a member as <@id> on purpose (the owner of a brief; it cannot ping
        # with allowed_mentions none); what the imported text says must never become one.
        hostile = HOSTILE_MENTION.search(texts)
        if hostile:
            start = max(0, hostile.start() - 120)
            problems.append(f"{r.method} {r.path}: {texts[start : start + 200]}")
    return problems


async def test_hostile_text_stays_within_limits_and_pings_nobody(
    stocked, simcord_bot, tmp_path
) -> None:
    w = stocked
    await load(simcord_bot, w.guild.id, "creators", _hostile_creators(), tmp_path, HOSTILE[5][:5]
               + ".csv")  # fmt: skip
    for i in range(len(HOSTILE)):
        await w.member.slash(w.channel, "creator lookup", handle=f"hostile_{i}")
    await w.member.slash(w.channel, "creator search", niche="fitness")
    await w.member.slash(w.channel, "creator compare", first="hostile_0", second="hostile_1",
                         third="hostile_2", fourth="hostile_3")  # fmt: skip
    for name in (HOSTILE[1][:100], HOSTILE[2][:100], "@everyone plan"):
        await w.planner.slash(w.channel, "brief create", name=name, budget="5000",
                              niches="fitness", keywords=HOSTILE[2][:200])  # fmt: skip
    await w.planner.slash(w.channel, "brief list")
    await w.planner.slash(w.channel, "brief show", name="@everyone plan")
    ranked = await w.planner.slash(w.channel, "brief rank", name="@everyone plan")
    await w.planner.slash(w.channel, "rank", budget="5000", niches="fitness")
    await w.planner.click(shown(ranked), label="Export CSV")
    await w.planner.slash(w.channel, "data export")
    await w.member.autocomplete(w.channel, "creator lookup", "handle", "hostile")
    problems = _check_sent(w.env)
    assert problems == []
    # The allowed_mentions of every message stays "nobody", whatever the text said.
    for r in w.env.http_requests:
        data = r.json.get("data", r.json) if isinstance(r.json, dict) else {}
        if "allowed_mentions" in data:
            assert data["allowed_mentions"] == {"parse": []}
    assert isinstance(discord.AllowedMentions.none(), discord.AllowedMentions)
