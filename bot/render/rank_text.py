"""Ranking results and budget plans -> rich renderables for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.render.text import human, money
from bot.services.ranking import RankResult
from scoring.budget import BudgetPlan, PlanTotals


def _weights(weights: dict[str, float]) -> str:
    used = sorted(((k, v) for k, v in weights.items() if v > 0), key=lambda kv: -kv[1])
    return ", ".join(f"{k.replace('_', ' ')} {v * 100:.0f}%" for k, v in used)


def ranking(result: RankResult) -> RenderableType:
    r = result.ranking
    b = r.brief
    head = Text.from_markup(
        f"[bold]{escape(b.name)}[/] · objective [bold]{b.objective}[/] · budget "
        f"{b.budget:,.0f} {b.currency} · workspace {escape(result.workspace)}\n"
        f"{r.pool_size:,} of {r.total:,} creators pass the filters"
        + (
            " (removed: " + ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                     for k, v in r.filtered_out.items()) + ")"
            if r.filtered_out else ""
        )
        + f"\nweights: {_weights(r.weights)}"
    )  # fmt: skip
    parts: list[RenderableType] = [head]
    t = Table(show_lines=True)
    for col, justify in (("#", "right"), ("creator", "left"), ("score", "right"),
                         ("forecast per video", "left"), ("why", "left")):  # fmt: skip
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for c in r.creators:
        fc = c.forecast
        price = money(c.price, b.currency if fc.cost is not None else None)
        forecast = "\n".join(
            [
                f"{human(fc.views)} views · {human(fc.engagements)} engagements",
                f"cost {'~' if c.price_is_estimate else ''}{price}"
                + (f" · CPM {fc.cpm:,.2f} · CPE {fc.cpe:,.3f}" if fc.cpm and fc.cpe else ""),
            ]
        )
        why = [f"[green]+[/] {escape(x)}" for x in c.lifted_by]
        why += [f"[red]-[/] {escape(x)}" for x in c.held_back_by]
        why += [f"[yellow]![/] {escape(x)}" for x in c.flags]
        who = f"@{escape(c.handle)}\n{c.tier or '-'} · {human(c.followers)} followers"
        if c.primary_niche:
            who += f"\n{escape(c.primary_niche)}"
        t.add_row(str(c.rank), who, f"{c.score:.3f}", forecast, "\n".join(why))
    parts.append(t)
    parts += [Text(f"note: {n}", style="yellow") for n in r.notes]
    if result.plan is not None:
        parts.append(budget_plan(result.plan))
    return Group(*parts)


def _totals_row(t: PlanTotals | None) -> list[str]:
    if t is None:
        return ["-"] * 6
    return [
        f"{t.creators}",
        human(t.views),
        human(t.engagements),
        f"{t.cost:,.0f}",
        f"{t.cpm:,.2f}" if t.cpm else "-",
        f"{t.cpe:,.3f}" if t.cpe else "-",
    ]


def budget_plan(p: BudgetPlan) -> RenderableType:
    t = Table(title=f"budget plan: {p.budget:,.0f} {p.currency} for the most "
              f"{p.outcome_name}", box=None)  # fmt: skip
    for col in ("", "creators", "views", "engagements", f"cost ({p.currency})", "CPM", "CPE"):
        t.add_column(col, justify="right" if col else "left")
    t.add_row("the plan", *_totals_row(p.totals))
    single = f"best single creator (@{escape(p.single.handle)})" if p.single else "single"
    t.add_row(single, *_totals_row(p.single_totals))
    picks = ", ".join(f"@{escape(x.handle)} {'~' if x.price_is_estimate else ''}{x.cost:,.0f}"
                      for x in p.picks)  # fmt: skip
    parts: list[RenderableType] = [
        t,
        Text.from_markup(f"[bold]book:[/] {picks or 'nobody fits the budget'}"),
        Text(p.guarantee, style="dim"),
    ]
    parts += [Text(f"note: {n}", style="yellow") for n in p.notes]
    return Group(*parts)


def ranking_json(result: RankResult) -> dict[str, Any]:
    from dataclasses import asdict

    r = result.ranking
    out: dict[str, Any] = {
        "workspace": result.workspace,
        "brief": r.brief.model_dump(),
        "weights": r.weights,
        "pool_size": r.pool_size,
        "total": r.total,
        "filtered_out": r.filtered_out,
        "pool_medians": r.pool_medians,
        "notes": r.notes,
        "creators": [asdict(c) for c in r.creators],
    }
    if result.plan is not None:
        out["plan"] = asdict(result.plan)
    return out
