"""Saved briefs and shortlists -> Discord embeds (within limits, every user text escaped).

The live ranking of a brief is drawn by :func:`bot.render.cards.ranking_pages`; a saved
shortlist is a plain dict (``bot.services.briefs.shortlist_data``), drawn here the same way.
"""

from __future__ import annotations

import re
from typing import Any

from bot.render.embeds import SafeEmbed, clip, paginate, safe
from bot.render.text import human, pct
from bot.services.briefs import BriefInfo, ShortlistInfo
from scoring.brief import Brief


def at(handle: object, limit: int = 80) -> str:
    """@handle, escaped as a whole (a handle may read "everyone")."""
    return safe(f"@{handle}", limit)


def amount(value: float | None, currency: str | None = None) -> str:
    """1500 -> '1,500', 99.5 -> '99.50'; with the currency when given; '-' when missing."""
    if value is None:
        return "-"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def _date(iso: str) -> str:
    return iso[:10]


def _owner(user_id: int | None) -> str:
    # A mention inside an embed renders as a name and never pings.
    return f"<@{user_id}>" if user_id else "the command line"


def _items(values: tuple[str, ...] | list[str], limit: int = 300) -> str:
    return safe(", ".join(values), limit) if values else "any"


def _followers(b: Brief) -> str:
    if b.min_followers is None and b.max_followers is None:
        return "any"
    if b.max_followers is None:
        return f"at least {human(b.min_followers)}"
    if b.min_followers is None:
        return f"at most {human(b.max_followers)}"
    return f"{human(b.min_followers)} to {human(b.max_followers)}"


def brief_summary(b: Brief) -> str:
    """One line: objective, budget, how many creators."""
    return (
        f"objective **{b.objective}** · budget {amount(b.budget, b.currency)} · "
        f"{b.creators_wanted} creator{'s' if b.creators_wanted != 1 else ''} wanted"
    )


def brief_card(info: BriefInfo, *, heading: str = "Brief") -> SafeEmbed:
    """Every field of a saved brief, as /brief rank will use it."""
    b = info.brief
    e = SafeEmbed(title=f"{heading}: {safe(info.name, 200)}", description=brief_summary(b))
    e.field("Niches", _items(b.niches), inline=True)
    e.field("Keywords", _items(b.keywords), inline=True)
    e.field("Countries", _items(b.countries), inline=True)
    e.field("Languages", _items(b.languages), inline=True)
    e.field(
        "Audience",
        f"ages: {_items(b.audience_ages, 200)}\ngenders: {_items(b.audience_genders, 200)}",
        inline=True,
    )
    e.field("Followers", _followers(b), inline=True)
    e.field("Tiers", _items(b.tiers), inline=True)
    e.field(
        "Max price per creator",
        amount(b.max_price_per_creator, b.currency) if b.max_price_per_creator else "any",
        inline=True,
    )
    e.field(
        "Min engagement",
        f"{pct(b.min_engagement)} by views" if b.min_engagement is not None else "any",
        inline=True,
    )
    if b.exclude_handles:
        e.field("Excluded", safe(", ".join(f"@{h}" for h in b.exclude_handles), 1000))
    if b.brand_hashtag or b.product:
        ideas = [f"brand hashtag: #{b.brand_hashtag}" if b.brand_hashtag else None,
                 f"product: {b.product}" if b.product else None]  # fmt: skip
        e.field("For campaign ideas", safe("\n".join(i for i in ideas if i), 400))
    weights = ", ".join(
        f"{k.replace('_', ' ')} {v * 100:.0f}%"
        for k, v in sorted(b.resolved_weights().items(), key=lambda kv: -kv[1])
        if v
    )
    e.field("Weights" + (" (customised)" if b.weights else f" ({b.objective} preset)"), weights)
    e.field("Owner", _owner(info.owner_id), inline=True)
    return e.with_footer(
        f"updated {_date(info.updated_at)} (UTC) · /brief rank ranks the workspace's creators "
        "for it"
    ).done()


def brief_list_pages(infos: list[BriefInfo]) -> list[SafeEmbed]:
    lines = [
        f"**{safe(i.name, 100)}** · {i.brief.objective} · "
        f"{amount(i.brief.budget, i.brief.currency)} · niches {_items(i.brief.niches, 80)} · "
        f"{_owner(i.owner_id)} · {_date(i.updated_at)}"
        for i in infos
    ]
    texts = paginate(lines or ["No briefs yet: /brief create saves one."], per_page=10)
    pages = []
    for n, text in enumerate(texts, start=1):
        e = SafeEmbed(title=f"{len(infos)} saved brief{'s' if len(infos) != 1 else ''}",
                      description=text)  # fmt: skip
        pages.append(e.with_footer(f"page {n}/{len(texts)} · /brief show NAME for one").done())
    return pages


# --- shortlists ---------------------------------------------------------------------------


def _forecast(c: dict[str, Any]) -> str:
    fc = c.get("forecast") or {}
    cost = fc.get("cost")
    cost_text = (
        "-"
        if cost is None
        else f"{'~' if c.get('price_is_estimate') else ''}{cost:,.0f} {fc.get('currency', '')}"
    )
    tail = (
        f" · CPM {fc['cpm']:,.2f} · CPE {fc['cpe']:,.3f}" if fc.get("cpm") and fc.get("cpe") else ""
    )
    return (
        f"{human(fc.get('views'))} views · {human(fc.get('engagements'))} engagements · "
        f"{cost_text}{tail}"
    )


def _plan_text(plan: dict[str, Any]) -> str:
    t = plan.get("totals") or {}
    picks = plan.get("picks") or []
    book = ", ".join(
        f"{at(x['handle'], 40)} {'~' if x.get('price_is_estimate') else ''}{x['cost']:,.0f}"
        for x in picks
    )
    return (
        f"{t.get('creators', 0)} creators · {human(t.get('views'))} views · "
        f"{human(t.get('engagements'))} engagements · cost {amount(t.get('cost'))} of "
        f"{amount(plan.get('budget'), plan.get('currency'))}\n"
        f"book: {book or 'nobody fits the budget'}"
    )


def shortlist_pages(info: ShortlistInfo, per_page: int = 5) -> list[SafeEmbed]:
    """A saved shortlist as it was ranked: creators, scores, reasons, forecasts, the plan."""
    data = info.data
    b = data.get("brief") or {}
    creators = data.get("creators") or []
    head = (
        f"from brief **{safe(info.brief_name or '-', 100)}** · objective "
        f"**{b.get('objective', '-')}** · budget {amount(b.get('budget'), b.get('currency'))}\n"
        f"saved {_date(info.created_at)} by {_owner(info.created_by)} · "
        f"{len(creators)} creators of {data.get('pool_size', 0):,} that passed the filters"
    )
    chunks = [creators[i : i + per_page] for i in range(0, len(creators), per_page)] or [[]]
    pages = []
    for n, chunk in enumerate(chunks, start=1):
        e = SafeEmbed(title=f"Shortlist: {safe(info.name, 200)}", description=head)
        for c in chunk:
            why = [f"+ {safe(x)}" for x in c.get("lifted_by", [])[:2]]
            why += [f"- {safe(x)}" for x in c.get("held_back_by", [])[:1]]
            why += [f"⚠ {safe(x)}" for x in c.get("flags", [])[:1]]
            e.field(
                f"#{c['rank']} {at(c['handle'], 60)} · {c.get('tier') or '-'} · "
                f"score {c['score']:.3f}",
                _forecast(c) + ("\n" + "\n".join(why) if why else ""),
            )
        if not creators:
            e.field("Nobody", "no creator passed the brief's filters when this was saved")
        if data.get("plan"):
            e.field("Budget plan", _plan_text(data["plan"]))
        e.with_footer(
            f"page {n}/{len(chunks)} · numbers as ranked on {_date(info.created_at)}; "
            "/shortlist export downloads it"
        )
        pages.append(e.done())
    return pages


def shortlist_list_pages(infos: list[ShortlistInfo]) -> list[SafeEmbed]:
    lines = [
        f"**{safe(i.name, 100)}** · brief {safe(i.brief_name or '-', 60)} · "
        f"{len(i.data.get('creators') or [])} creators"
        f"{' + plan' if i.data.get('plan') else ''} · {_owner(i.created_by)} · "
        f"{_date(i.created_at)}"
        for i in infos
    ]
    texts = paginate(
        lines or ["No shortlists yet: rank a brief and press Save shortlist."], per_page=10
    )
    pages = []
    for n, text in enumerate(texts, start=1):
        e = SafeEmbed(
            title=f"{len(infos)} saved shortlist{'s' if len(infos) != 1 else ''}",
            description=text,
        )
        pages.append(e.with_footer(f"page {n}/{len(texts)} · /shortlist show NAME for one").done())
    return pages


def export_name(name: str, suffix: str = "shortlist.csv") -> str:
    """A file name from a brief or shortlist name: letters, digits, - and _ only."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "export"
    return f"{slug}-{suffix}"


def why_option(rank: int, handle: str, score: float) -> str:
    """A select option's label (plain text, at most 100 characters)."""
    return clip(f"Why #{rank} @{handle} · score {score:.3f}", 100)
