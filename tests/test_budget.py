"""Budget plans: exact within the budget, compared with the best single creator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.budget import PlanLine, knapsack, plan

lines_st = st.lists(st.tuples(st.integers(1, 3_000), st.floats(1, 1e6)), min_size=1, max_size=9)


def as_lines(items: list[tuple[float, float]]) -> list[PlanLine]:
    return [PlanLine(f"c{i}", i, cost, views=v, engagements=v / 10, outcome=v)
            for i, (cost, v) in enumerate(items)]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(items=lines_st, budget=st.integers(1, 8_000))
def test_knapsack_is_exact_against_brute_force(items, budget) -> None:
    costs = np.array([c for c, _ in items])
    values = np.array([v for _, v in items])
    got = knapsack(costs, values, budget)
    assert costs[got].sum() <= budget
    best = max(
        (values[list(s)].sum() for r in range(len(items) + 1)
         for s in itertools.combinations(range(len(items)), r) if costs[list(s)].sum() <= budget),
        default=0.0,
    )  # fmt: skip
    assert values[got].sum() == pytest.approx(best)


@settings(max_examples=100, deadline=None)
@given(items=lines_st, budget=st.integers(1, 8_000), cap=st.integers(1, 4))
def test_knapsack_with_a_creator_cap(items, budget, cap) -> None:
    costs = np.array([c for c, _ in items])
    values = np.array([v for _, v in items])
    got = knapsack(costs, values, budget, max_items=cap)
    assert len(got) <= cap and costs[got].sum() <= budget
    best = max(
        (values[list(s)].sum() for r in range(min(cap, len(items)) + 1)
         for s in itertools.combinations(range(len(items)), r) if costs[list(s)].sum() <= budget),
        default=0.0,
    )  # fmt: skip
    assert values[got].sum() == pytest.approx(best)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.tuples(st.floats(0.01, 5e5), st.floats(1, 1e6)), min_size=1, max_size=30),
    budget=st.floats(1, 1e7),
)
def test_a_plan_never_exceeds_its_budget(items, budget) -> None:
    result = plan(as_lines(items), budget, "USD", "awareness")
    assert result.totals.cost <= budget
    assert all(x.cost <= budget for x in result.picks)
    if result.single is not None:
        assert result.single.cost <= budget
        assert result.totals.outcome >= result.single.outcome * (0.999 if not result.exact else 1)


def test_a_mix_of_small_creators_against_one_big_one() -> None:
    lines = [PlanLine("mega", 1, 9_000, 2_000_000, 40_000, 40_000)] + [
        PlanLine(f"micro{i}", 10 + i, 1_000, 150_000, 15_000, 15_000) for i in range(9)
    ]
    result = plan(lines, 9_000, "USD", "engagement")
    assert result.exact and "optimal" in result.guarantee
    assert {x.handle for x in result.picks} == {f"micro{i}" for i in range(9)}
    assert result.totals.engagements == 135_000 and result.totals.cost == 9_000
    assert result.single is not None and result.single.handle == "mega"
    assert result.totals.cpe < result.single_totals.cpe
    capped = plan(lines, 9_000, "USD", "engagement", max_creators=2)
    assert [x.handle for x in capped.picks] == ["mega"]  # 40K beats two micros' 30K
    assert capped.totals.engagements == 40_000


def test_cents_are_rounded_up_and_said_so() -> None:
    result = plan(as_lines([(10.5, 100), (10.5, 100), (1.0, 1)]), 21, "USD", "awareness")
    assert not result.exact and "rounded up" in result.guarantee
    assert result.totals.cost <= 21
