"""Creator and ranking results -> Discord embeds (within limits, text escaped)."""

from __future__ import annotations

from bot.render.embeds import SafeEmbed, at, clip, paginate, safe
from bot.render.text import human, money, pct
from bot.services.creators import FORMULAS, CreatorProfile, SearchResult
from bot.services.ranking import RankResult
from scoring.budget import BudgetPlan, PlanTotals
from scoring.rank import RankedCreator


def _prov(p: CreatorProfile, field: str) -> str:
    prov = p.provenance.get(field)
    return f" ({prov.as_of})" if prov else ""


def _growth(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:+.1f}%"


def _shares(d: dict[str, float] | None) -> str:
    if not d:
        return "unknown"
    top = sorted(d.items(), key=lambda kv: -kv[1])[:4]
    return ", ".join(f"{safe(k, 40)} {v * 100:.0f}%" for k, v in top)


def footer(p: CreatorProfile) -> str:
    if p.as_of and p.sources:
        return f"data as of {p.as_of} from {safe(', '.join(p.sources), 1500)}"
    return "no metrics imported yet: /data import adds them"


def creator_card(p: CreatorProfile) -> SafeEmbed:
    title = f"@{p.handle}" + (f" · {p.display_name}" if p.display_name else "")
    e = SafeEmbed(
        title=safe(title, 256) + (" ✓" if p.verified else ""),
        description=safe(p.bio, 300) if p.bio else "",
    )
    e.field(
        "Followers",
        f"{human(p.followers)}{_prov(p, 'followers')} · tier {p.tier or '-'}",
        inline=True,
    )
    e.field(
        "Views per video", f"avg {human(p.avg_views)} · median {human(p.median_views)}", inline=True
    )
    e.field("Growth", f"30 d {_growth(p.growth_30)} · 90 d {_growth(p.growth_90)}", inline=True)
    e.field(
        "Engagement by views",
        f"**{pct(p.engagement_rate_views)}** = "
        f"{FORMULAS['engagement_rate_views']}\n"
        f"{safe(p.engagement_rate_views_basis or 'no data', 500)}",
    )
    e.field(
        "Engagement by followers",
        f"**{pct(p.engagement_rate_followers)}** = "
        f"{FORMULAS['engagement_rate_followers']}\n"
        f"{safe(p.engagement_rate_followers_basis or 'no data', 500)}",
    )
    if p.reported_engagement_rate is not None:
        e.field(
            "Engagement as reported",
            f"{pct(p.reported_engagement_rate)} (the source's own formula)",
            inline=True,
        )
    e.field(
        "Shares · comments", f"{pct(p.share_rate)} · {pct(p.comment_rate)} of views", inline=True
    )
    if p.completion_rate is not None or p.avg_watch_time_s is not None:
        watch = f"{p.avg_watch_time_s:.1f} s" if p.avg_watch_time_s is not None else "-"
        e.field("Watch time · completion", f"{watch} · {pct(p.completion_rate)}", inline=True)
    e.field("Niches", safe(", ".join(p.niches), 300) or "-", inline=True)
    e.field("Country", safe(p.country or "-", 64), inline=True)
    e.field(
        "Audience",
        f"age: {_shares(p.audience_age)}\ngender: {_shares(p.audience_gender)}"
        f"\ncountries: {_shares(p.audience_countries)}",
    )
    price = money(p.price, p.price_currency)
    if p.price_is_estimate:
        price = f"~{price} (estimate: {p.tier} tier rate per 1,000 followers)"
    elif p.price is not None:
        price = f"{price} ({safe(p.price_source or 'quote', 100)})"
    e.field("Price per video", price)
    if p.risk_flags:
        e.field("⚠ Risk flags", "\n".join(f"• {safe(f, 300)}" for f in p.risk_flags))
    return e.with_footer(footer(p)).done()


def search_pages(result: SearchResult) -> list[SafeEmbed]:
    filters = ", ".join(f"{k}={v}" for k, v in result.filters.items()) or "no filters"
    lines = [
        f"**{at(p.handle, 64)}** · {p.tier or '-'} · {human(p.followers)} followers · "
        f"ER {pct(p.engagement_rate_views)} · "
        f"{'~' if p.price_is_estimate else ''}{money(p.price, p.price_currency)} · "
        f"{safe(', '.join(p.niches[:3]), 80) or '-'}"
        for p in result.creators
    ]
    texts = paginate(lines or ["nobody matches; loosen a filter"], per_page=10)
    notes = "\n".join(f"note: {safe(n)}" for n in result.notes)
    pages = []
    for i, text in enumerate(texts, start=1):
        e = SafeEmbed(
            title=f"{result.matched:,} creators match",
            description=clip(text + (f"\n\n{notes}" if notes else ""), 4096),
        )
        e.with_footer(
            f"{safe(filters, 500)} · page {i}/{len(texts)} · ER = "
            f"{FORMULAS['engagement_rate_views']}; ~ = estimated price"
        )
        pages.append(e.done())
    return pages


def compare_card(profiles: list[CreatorProfile]) -> SafeEmbed:
    e = SafeEmbed(
        title="Side by side", description=" vs ".join(f"{at(p.handle, 40)}" for p in profiles)
    )
    rows = [
        ("Followers · tier", lambda p: f"{human(p.followers)} · {p.tier or '-'}"),
        ("Views (median)", lambda p: human(p.median_views if p.median_views else p.avg_views)),
        ("ER by views", lambda p: pct(p.engagement_rate_views)),
        ("ER by followers", lambda p: pct(p.engagement_rate_followers)),
        ("Shares · comments", lambda p: f"{pct(p.share_rate)} · {pct(p.comment_rate)}"),
        ("Growth 30 d", lambda p: _growth(p.growth_30)),
        (
            "Price",
            lambda p: ("~" if p.price_is_estimate else "") + money(p.price, p.price_currency),
        ),
        ("Flags", lambda p: str(len(p.risk_flags)) if p.risk_flags else "none"),
    ]
    for p in profiles:
        e.field(
            f"{at(p.handle, 60)}",
            "\n".join(f"{name}: {fn(p)}" for name, fn in rows),
            inline=True,
        )
    stamps = "; ".join(f"{at(p.handle, 30)}: {p.as_of or '-'}" for p in profiles)
    return e.with_footer(f"data as of {stamps}").done()


# --- ranking -----------------------------------------------------------------------------


def _forecast(c: RankedCreator) -> str:
    fc = c.forecast
    cost = (
        "-"
        if fc.cost is None
        else f"{'~' if c.price_is_estimate else ''}{fc.cost:,.0f} {fc.currency}"
    )
    tail = f" · CPM {fc.cpm:,.2f} · CPE {fc.cpe:,.3f}" if fc.cpm and fc.cpe else ""
    return f"{human(fc.views)} views · {human(fc.engagements)} engagements · {cost}{tail}"


def ranking_pages(result: RankResult, per_page: int = 5) -> list[SafeEmbed]:
    r = result.ranking
    b = r.brief
    head = (
        f"objective **{b.objective}** · budget {b.budget:,.0f} {b.currency} · "
        f"{r.pool_size:,} of {r.total:,} creators pass the filters"
    )
    if r.filtered_out:
        head += (
            " (removed: "
            + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in r.filtered_out.items())
            + ")"
        )
    notes = "\n".join(f"note: {safe(n)}" for n in r.notes)
    chunks = [r.creators[i : i + per_page] for i in range(0, len(r.creators), per_page)] or [[]]
    pages = []
    for n, chunk in enumerate(chunks, start=1):
        e = SafeEmbed(
            title=f"Shortlist: {safe(b.name, 200)}",
            description=clip(head + (f"\n{notes}" if notes else ""), 1500),
        )
        for c in chunk:
            why = [f"+ {safe(x)}" for x in c.lifted_by[:2]]
            why += [f"- {safe(x)}" for x in c.held_back_by[:1]]
            why += [f"⚠ {safe(x)}" for x in c.flags[:1]]
            e.field(
                f"#{c.rank} {at(c.handle, 60)} · {c.tier or '-'} · score {c.score:.3f}",
                _forecast(c) + ("\n" + "\n".join(why) if why else ""),
            )
        if not r.creators:
            e.field("Nobody", "no creator passes the brief's filters; loosen one of them")
        weights = ", ".join(
            f"{k.replace('_', ' ')} {v * 100:.0f}%"
            for k, v in sorted(r.weights.items(), key=lambda kv: -kv[1])
            if v
        )
        e.with_footer(f"page {n}/{len(chunks)} · weights: {weights}")
        pages.append(e.done())
    return pages


def why_card(c: RankedCreator, result: RankResult) -> SafeEmbed:
    e = SafeEmbed(
        title=f"Why #{c.rank} {at(c.handle, 100)}",
        description=f"score {c.score:.3f} = weighted factor scores x (1 - 0.5 x risk "
        f"{c.risk:.2f})\n{_forecast(c)}",
    )
    for f in sorted(c.factors, key=lambda f: -f.weight):
        if f.weight <= 0:
            continue
        score = "-" if f.score is None else f"{f.score:.2f}"
        e.field(
            f"{f.name.replace('_', ' ')} · weight {f.weight * 100:.0f}% · score {score}",
            f"{safe(f.text)} (contribution {f.contribution:+.3f})",
            inline=False,
        )
    if c.flags:
        e.field("⚠ Flags", "\n".join(f"• {safe(x)}" for x in c.flags))
    return e.with_footer(
        "rate factors are percentiles against the filtered pool; fit factors are absolute"
    ).done()


def _totals(t: PlanTotals | None) -> str:
    if t is None:
        return "-"
    cpm = f"{t.cpm:,.2f}" if t.cpm else "-"
    cpe = f"{t.cpe:,.3f}" if t.cpe else "-"
    return (
        f"{t.creators} creators · {human(t.views)} views · {human(t.engagements)} "
        f"engagements · cost {t.cost:,.0f} · CPM {cpm} · CPE {cpe}"
    )


def plan_card(p: BudgetPlan) -> SafeEmbed:
    e = SafeEmbed(
        title=f"Budget plan: {p.budget:,.0f} {p.currency}",
        description=f"the most {p.outcome_name} within the budget",
    )
    e.field("The plan", _totals(p.totals))
    single = f"Best single creator ({at(p.single.handle, 60)})" if p.single else "Single"
    e.field(single, _totals(p.single_totals))
    book = (
        ", ".join(
            f"{at(x.handle, 40)} {'~' if x.price_is_estimate else ''}{x.cost:,.0f}" for x in p.picks
        )
        or "nobody fits the budget"
    )
    e.field("Book", book)
    notes = "\n".join(safe(n) for n in p.notes)
    if notes:
        e.field("Notes", notes)
    return e.with_footer(p.guarantee).done()
