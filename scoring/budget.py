"""Budget plans: which creators to book for the most of the objective's outcome within the
budget, side by side with the best single-creator spend.

Outcome per objective (documented in the README):
- awareness: forecast views;
- engagement: forecast engagements;
- conversion: forecast engagements x the creator's ranking score (engagements from creators
  that fit the brief count more);
- ugc: the ranking score (each video's expected quality: many good, cheap creators win).

The plan is an exact 0/1 knapsack solved by dynamic programming over prices rounded **up** to
a unit (1 currency unit while the budget allows, else budget / 200,000), so a plan can never
cost more than the budget. When every price is a whole number of units the plan is optimal;
otherwise it is optimal for the rounded prices and at least as good as the best plan for a
budget ``creators x unit`` lower (the result says which). Candidates are the ranking's top
creators with a price in the brief's currency and a forecast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_CELLS = 200_000  # budget cells of the DP (x candidates x 1 byte for the choice table)


@dataclass
class PlanLine:
    handle: str
    creator_id: int
    cost: float
    views: float
    engagements: float
    outcome: float
    price_is_estimate: bool = False


@dataclass
class PlanTotals:
    creators: int
    cost: float
    views: float
    engagements: float
    outcome: float
    cpm: float | None
    cpe: float | None

    @classmethod
    def of(cls, lines: list[PlanLine]) -> PlanTotals:
        cost = sum(x.cost for x in lines)
        views = sum(x.views for x in lines)
        eng = sum(x.engagements for x in lines)
        return cls(
            creators=len(lines),
            cost=cost,
            views=views,
            engagements=eng,
            outcome=sum(x.outcome for x in lines),
            cpm=cost / views * 1000 if views > 0 else None,
            cpe=cost / eng if eng > 0 else None,
        )


@dataclass
class BudgetPlan:
    objective: str
    outcome_name: str
    budget: float
    currency: str
    picks: list[PlanLine]
    totals: PlanTotals
    single: PlanLine | None
    single_totals: PlanTotals | None
    exact: bool
    guarantee: str
    candidates: int
    notes: list[str] = field(default_factory=list)


OUTCOME_NAMES = {
    "awareness": "forecast views",
    "engagement": "forecast engagements",
    "conversion": "forecast engagements x fit score",
    "ugc": "sum of fit scores (content quality)",
}


def outcome(
    objective: str, views: np.ndarray, engagements: np.ndarray, score: np.ndarray
) -> np.ndarray:
    return {
        "awareness": views,
        "engagement": engagements,
        "conversion": engagements * score,
        "ugc": score,
    }[objective]


def knapsack(
    costs: np.ndarray, values: np.ndarray, capacity: int, max_items: int | None = None
) -> list[int]:
    """Exact 0/1 knapsack over integer costs: the indices maximising the value sum with
    sum(costs) <= capacity (and at most max_items items). Ties prefer fewer, earlier items."""
    n = len(costs)
    if max_items is None or max_items >= n:
        best = np.zeros(capacity + 1)
        take = np.zeros((n, capacity + 1), dtype=bool)
        for i in range(n):
            c, v = int(costs[i]), float(values[i])
            if c > capacity or v <= 0:
                continue
            cand = best[: capacity + 1 - c] + v
            better = cand > best[c:] + 1e-12
            take[i, c:] = better
            best[c:] = np.where(better, cand, best[c:])
        picked, cap = [], capacity
        for i in range(n - 1, -1, -1):
            if take[i, cap]:
                picked.append(i)
                cap -= int(costs[i])
        return sorted(picked)
    k_max = max_items
    best = np.full((k_max + 1, capacity + 1), -np.inf)
    best[0, :] = 0.0
    take = np.zeros((n, k_max + 1, capacity + 1), dtype=bool)
    for i in range(n):
        c, v = int(costs[i]), float(values[i])
        if c > capacity or v <= 0:
            continue
        cand = best[:-1, : capacity + 1 - c] + v
        better = cand > best[1:, c:] + 1e-12
        take[i, 1:, c:] = better
        best[1:, c:] = np.where(better, cand, best[1:, c:])
    k = int(np.argmax(best[:, capacity]))
    picked, cap = [], capacity
    for i in range(n - 1, -1, -1):
        if k > 0 and take[i, k, cap]:
            picked.append(i)
            cap -= int(costs[i])
            k -= 1
    return sorted(picked)


def plan(
    lines: list[PlanLine],
    budget: float,
    currency: str,
    objective: str,
    max_creators: int | None = None,
) -> BudgetPlan:
    """The best plan within ``budget`` from ``lines`` (candidates with cost > 0)."""
    notes: list[str] = []
    usable = [x for x in lines if x.cost > 0 and x.cost <= budget and x.outcome > 0]
    if len(usable) < len(lines):
        notes.append(f"{len(lines) - len(usable)} candidates cost more than the budget or have "
                     "no forecast")  # fmt: skip
    cells = MAX_CELLS if max_creators is None else max(1_000, MAX_CELLS // (max_creators + 1))
    unit = 1.0 if budget <= cells else budget / cells
    capacity = math.floor(budget / unit)
    costs = np.array([math.ceil(x.cost / unit) for x in usable], dtype=np.int64)
    values = np.array([x.outcome for x in usable], dtype=np.float64)
    chosen = knapsack(costs, values, capacity, max_creators) if usable else []
    picks = [usable[i] for i in chosen]
    while sum(x.cost for x in picks) > budget:  # float rounding at a unit's edge, never more
        picks.remove(min(picks, key=lambda x: x.outcome / x.cost))
    whole = all(abs(x.cost / unit - round(x.cost / unit)) < 1e-9 for x in usable)
    unit_text = f"{unit:,.2f} {currency}" if unit != 1 else f"1 {currency}"
    if whole:
        guarantee = (f"optimal: the best possible plan from these {len(usable)} candidates "
                     "(exact 0/1 knapsack)")  # fmt: skip
    else:
        guarantee = (
            f"optimal for prices rounded up to {unit_text}; at least as good as the best plan "
            f"for a budget {len(picks) * unit:,.0f} {currency} lower"
        )
    single = max(usable, key=lambda x: (x.outcome, -x.cost), default=None)
    if single is not None and single.outcome > sum(x.outcome for x in picks):
        picks = [single]  # rounding can hide a plan of one; never do worse than it
    totals = PlanTotals.of(picks)
    return BudgetPlan(
        objective=objective,
        outcome_name=OUTCOME_NAMES[objective],
        budget=budget,
        currency=currency,
        picks=picks,
        totals=totals,
        single=single,
        single_totals=PlanTotals.of([single]) if single else None,
        exact=whole,
        guarantee=guarantee,
        candidates=len(usable),
        notes=notes,
    )
