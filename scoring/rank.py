"""Rank creators for a brief: hard filters, factor scores against the pool, a weighted sum with
an authenticity penalty, top-k with a niche diversity rule, and an explanation per creator.

How a score is made (every step is in the result, so a person can check it):

1. **Hard filters** drop creators that cannot fit: excluded handles, countries, languages,
   follower range and tiers, niches (when the brief names niches or keywords, a creator needs
   one of them), price per video above the brief's maximum (or in another currency: prices
   are never converted), engagement below the minimum. What each filter removed is counted.
2. **Factor scores** in [0, 1], against the filtered pool:
   - *rate factors* are mid-rank percentiles among the pool members whose value is known
     (robust to outliers: a creator with 100x the views is simply first):
     engagement (ER by views), shares (share rate), comments (comment rate), likes (like
     rate), reach (expected views per video), watch_time (completion rate, or average watch
     time where only that is known), cost_efficiency (the objective's outcome per unit of
     price: views for awareness, engagements for engagement and conversion, 1 / price for
     ugc; only prices in the brief's currency);
   - *fit factors* are absolute: niche_fit (1 primary niche in the brief, 0.75 another niche
     in the brief, 0.5 a niche matched by a keyword, 0 none), audience_fit (share of the
     audience in the brief's countries x ages x genders, over the dimensions the brief names
     and the data knows), authenticity (1 - risk from the flags).
3. **Weighted sum** of the known factors, with the objective's preset weights (brief
   overrides allowed), re-normalised over the factors known for that creator, so an unknown
   value neither helps nor hurts; a weight of 0 removes a factor entirely.
4. **Authenticity penalty**: score x (1 - penalty x risk).
5. **Top-k with diversity**: best first, at most ``max_per_niche`` per primary niche; if that
   leaves fewer than k, the best remaining fill up (and the result says so). Ties break by
   handle, so the order never depends on row order.
"""

from __future__ import annotations

import functools
import math
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from scoring.brief import FACTORS, Brief
from scoring.metrics import DEFAULT_TIER_ER, TIER_NAMES, flag_reasons
from scoring.table import CreatorTable

RATE_FACTORS = ("engagement", "shares", "comments", "likes", "reach", "watch_time",
                "cost_efficiency")  # fmt: skip
FIT_FACTORS = ("niche_fit", "audience_fit", "authenticity")
PENALTY = 0.5
KEYWORD_MATCH = 85  # rapidfuzz score for a keyword to match a niche name

LABELS = {
    "engagement": "engagement",
    "shares": "shares",
    "comments": "comments",
    "likes": "likes",
    "reach": "reach",
    "watch_time": "watch time",
    "cost_efficiency": "cost efficiency",
    "niche_fit": "niche fit",
    "audience_fit": "audience fit",
    "authenticity": "authenticity",
}


@dataclass
class Forecast:
    views: float | None
    engagements: float | None
    cost: float | None
    cpm: float | None
    cpe: float | None
    currency: str


@dataclass
class FactorScore:
    name: str
    score: float | None  # 0..1, None when unknown
    weight: float  # normalised weight used for this creator (0 when unknown)
    contribution: float  # weight x (score - the pool's median score)
    text: str  # the value in plain numbers against the pool


@dataclass
class RankedCreator:
    rank: int
    creator_id: int
    handle: str
    score: float
    tier: str | None
    followers: float | None
    primary_niche: str | None
    price: float | None
    price_is_estimate: bool
    forecast: Forecast
    factors: list[FactorScore]
    lifted_by: list[str]
    held_back_by: list[str]
    flags: list[str]
    risk: float


@dataclass
class Ranking:
    brief: Brief
    weights: dict[str, float]
    pool_size: int
    total: int
    filtered_out: dict[str, int]
    creators: list[RankedCreator]
    pool_medians: dict[str, float | None]
    notes: list[str] = field(default_factory=list)


# --- filters -----------------------------------------------------------------------------


def _bits_for(table: CreatorTable, names: Sequence[str]) -> np.ndarray:
    word = table.niche_bits.dtype
    width = word.itemsize * 8
    mask = np.zeros(table.niche_bits.shape[1], dtype=word)
    index = {n: i for i, n in enumerate(table.niches)}
    for name in names:
        if name in index:
            k = index[name]
            mask[k // width] |= word.type(1 << (k % width))
    return mask


def keyword_niches(table: CreatorTable, brief: Brief) -> list[str]:
    """Niche names that a brief keyword matches closely (rapidfuzz WRatio >= 85)."""
    out: list[str] = []
    for kw in brief.keywords:
        for name, score, _ in process.extract(kw, table.niches, scorer=fuzz.WRatio, limit=5):
            if score >= KEYWORD_MATCH and name not in out:
                out.append(name)
    return out


def _codes_for(vocab: list[str], wanted: Sequence[str]) -> np.ndarray:
    index = {v: i for i, v in enumerate(vocab)}
    return np.array([index[w] for w in wanted if w in index], dtype=np.int16)


def _any_bits(block: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Rows of ``block`` (rows x words) that share a bit with ``bits`` (words)."""
    hit = (block[:, 0] & bits[0]) != 0
    for w in range(1, len(bits)):
        hit |= (block[:, w] & bits[w]) != 0
    return hit


def _in(codes: np.ndarray, vocab: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """Where ``codes`` (indices into ``vocab``; -1 for missing) name one of ``wanted``.
    One comparison per wanted value: on a million small-integer codes each costs a tenth
    of a millisecond, where a lookup-table gather first widens every code to 64 bits."""
    hit = np.zeros(codes.shape, dtype=bool)
    for code in _codes_for(list(vocab), wanted):
        hit |= codes == code
    return hit


def hard_filter(table: CreatorTable, brief: Brief) -> tuple[np.ndarray, dict[str, int], list[str]]:
    """Rows that pass every hard filter of the brief, what each filter removed, and notes."""
    notes: list[str] = []
    niches: list[str] | None = None
    if brief.niches or brief.keywords:
        niches = [*brief.niches, *keyword_niches(table, brief)]
        if brief.keywords and not brief.niches and not niches:
            notes.append("no niche matches the keywords; the niche filter was not applied")
            niches = None
    rows, removed, more = filter_rows(
        table,
        min_followers=brief.min_followers,
        max_followers=brief.max_followers,
        tiers=brief.tiers,
        countries=brief.countries,
        languages=brief.languages,
        niches=niches,
        exclude_handles=brief.exclude_handles,
        min_engagement=brief.min_engagement,
        max_price=brief.max_price_per_creator,
        currency=brief.currency,
    )
    return rows, removed, notes + more


def filter_rows(
    table: CreatorTable,
    *,
    min_followers: float | None = None,
    max_followers: float | None = None,
    tiers: Sequence[str] = (),
    countries: Sequence[str] = (),
    languages: Sequence[str] = (),
    niches: Sequence[str] | None = None,
    exclude_handles: Sequence[str] = (),
    min_engagement: float | None = None,
    max_price: float | None = None,
    currency: str = "USD",
) -> tuple[np.ndarray, dict[str, int], list[str]]:
    """Rows (ascending) that pass every given filter, what each filter removed, and notes.
    The one filter ranking and creator search share. ``niches``: a creator needs one of
    them (None: no niche filter; an empty list matches nobody). ``max_price`` keeps prices
    in ``currency`` only: prices are never converted, and the others are counted in a note.

    Rows are sorted by followers (unknown last), so the follower range is a slice; every
    other filter is a boolean mask over that slice's columns (views, never gathered copies),
    and the rows are read off the combined mask once at the end."""
    n = len(table)
    start, stop = 0, n
    if min_followers is not None or max_followers is not None:
        f = table.followers[: table.known_followers]
        lo = -np.inf if min_followers is None else min_followers
        hi = np.inf if max_followers is None else max_followers
        start = int(np.searchsorted(f, lo, side="left"))
        stop = max(start, int(np.searchsorted(f, hi, side="right")))
    excluded = table.handles.mask(exclude_handles) if exclude_handles else None

    def part(span: slice) -> tuple[np.ndarray, dict[str, int], int]:
        """Rows of ``span`` that pass, what each filter removed there, and how many of
        them are priced in another currency."""
        keep: np.ndarray | None = None  # None: every row of the span
        left = span.stop - span.start
        cut: dict[str, int] = {}
        other = 0

        def apply(name: str, passes: np.ndarray) -> None:
            nonlocal keep, left
            keep = passes if keep is None else keep & passes
            now = int(np.count_nonzero(keep))
            cut[name], left = left - now, now

        if tiers:
            apply("tiers", _in(table.tier[span], TIER_NAMES, tiers))
        if countries:
            apply("countries", _in(table.country[span], table.countries, countries))
        if languages:
            apply("languages", _in(table.language[span], table.languages, languages))
        if niches is not None:
            apply("niches", _any_bits(table.niche_bits[span], _bits_for(table, niches)))
        if excluded is not None:
            apply("excluded", ~excluded[span])
        if min_engagement is not None:
            apply("min_engagement", table.num["engagement_rate_views"][span] >= min_engagement)
        if max_price is not None:
            price = table.num["price"][span]
            same = _in(table.currency[span], table.currencies, [currency])
            elsewhere = ~same & ~np.isnan(price)
            other = int(np.count_nonzero(elsewhere if keep is None else elsewhere & keep))
            apply("max_price", same & (price <= max_price))
        if keep is None:
            return np.arange(span.start, span.stop), cut, other
        return np.flatnonzero(keep) + span.start, cut, other

    # Each filter reads whole columns, so a long span is split in two halves filtered on
    # two threads; the rows and counts are the same either way.
    half = (start + stop) // 2
    spans = [slice(start, half), slice(half, stop)] if stop - start >= 10 * PARALLEL_FROM else [
        slice(start, stop)]  # fmt: skip
    parts = _run_all([functools.partial(part, span) for span in spans], parallel=len(spans) > 1)
    removed: dict[str, int] = {}
    if n - (stop - start):
        removed["followers"] = n - (stop - start)
    for name in parts[0][1]:
        total = sum(cut[name] for _, cut, _ in parts)
        if total:
            removed[name] = total
    notes: list[str] = []
    other = sum(o for _, _, o in parts)
    if other:
        notes.append(
            f"{other} creators priced in another currency than {currency} were left "
            "out (prices are never converted)"
        )
    rows = parts[0][0] if len(parts) == 1 else np.concatenate([r for r, _, _ in parts])
    return rows, removed, notes


# --- factor scores -----------------------------------------------------------------------


_indices = np.arange(0, dtype=np.uint32)


def _index_range(m: int) -> np.ndarray:
    """0 .. m-1 as uint32, from one array kept for reuse (read-only use)."""
    global _indices
    if len(_indices) < m:
        _indices = np.arange(max(m, 2 * len(_indices)), dtype=np.uint32)
    return _indices[:m]


def _sorted(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, keys): ``v[order]`` ascending, and per sorted position a key that equals its
    neighbour's exactly where the values do (``v`` holds no NaN).

    Sorting is most of a broad brief's time, so values are sorted as one uint64 array of
    (float32 bits made order-preserving) << 32 | index, which numpy sorts with SIMD in about
    60% of an argsort's time. float64 values are rounded to float32 for that (rounding keeps
    order but can join neighbours), then the few runs of equal float32 keys are put in
    order by their float64 values, so the result is exact."""
    m = len(v)
    if v.dtype not in (np.float32, np.float64) or m >= 2**32 or sys.byteorder != "little":
        order = np.argsort(v)
        return order, v[order]
    key = np.empty(m, dtype=np.uint64)
    halves = key.view(np.uint32).reshape(m, 2)  # little-endian: [:, 0] low, [:, 1] high
    high = halves[:, 1]
    with np.errstate(over="ignore"):  # beyond float32's range: +-inf, still in order
        np.add(v, np.float32(0), out=high.view(np.float32), casting="same_kind")  # -0 -> +0
    flip = (high.view(np.int32) >> 31).view(np.uint32)  # all ones for negatives, else 0
    flip |= np.uint32(0x80000000)
    high ^= flip  # negatives reversed and below positives: unsigned order is value order
    halves[:, 0] = _index_range(m)
    key.sort()
    order, s = halves[:, 0].astype(np.intp), halves[:, 1]
    if v.dtype == np.float32:
        return order, s
    same = np.flatnonzero(s[1:] == s[:-1])
    if len(same):
        members = np.union1d(same, same + 1)  # positions in runs of equal float32 keys
        run = np.cumsum(np.diff(members, prepend=-2) != 1)  # run number per member
        order[members] = order[members][np.lexsort((v[order[members]], run))]
    return order, v[order]


def _mid(a: float, b: float) -> float:
    """The midpoint of two neighbouring order statistics, without overflow."""
    return a if a == b else (a + b) / 2 if math.isfinite(a + b) else a / 2 + b / 2


def percentiles(values: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Mid-rank percentile of each value among the known ones, in (0, 1): ties share one
    percentile; NaN stays NaN. Also returns the median of the known values."""
    missing = np.isnan(values)
    if missing.any():
        out = np.full(len(values), np.nan, dtype=np.float64)
        known = np.flatnonzero(~missing)
        v = values[known]
    else:
        out, known, v = np.empty(len(values), dtype=np.float64), None, values
    m = len(v)
    if m == 0:
        return out, None
    order, s = _sorted(v)
    at = order if known is None else known[order]  # where each sorted value sits in out
    # The i-th smallest gets (2i + 1) / 2m; a run of equal values [a, b] shares the mid-rank
    # (a + b + 1) / 2m. Runs are found among the few positions equal to their predecessor.
    mid = np.arange(m, dtype=np.float64)
    mid += 0.5
    mid /= m
    out[at] = mid
    tied = np.flatnonzero(s[1:] == s[:-1]) + 1  # i with s[i] == s[i - 1]
    if len(tied):
        new_run = np.ones(len(tied), dtype=bool)
        new_run[1:] = tied[1:] != tied[:-1] + 1
        first = tied[new_run] - 1
        last = tied[np.append(np.flatnonzero(new_run)[1:] - 1, len(tied) - 1)]
        lengths = last - first + 1
        members = np.repeat(first - np.cumsum(np.append(0, lengths[:-1])), lengths) + np.arange(
            lengths.sum()
        )
        out[at[members]] = np.repeat((first + last + 1) / (2.0 * m), lengths)
    return out, _mid(float(v[order[(m - 1) // 2]]), float(v[order[m // 2]]))


def raw_factors(
    table: CreatorTable,
    rows: np.ndarray,
    brief: Brief,
    weights: dict[str, float],
) -> dict[str, Callable[[], np.ndarray] | None]:
    """For each weighted factor, a function computing its raw values for the given rows
    (NaN where unknown); None for factors whose weight is 0 (never computed)."""
    columns: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        if name not in columns:
            columns[name] = table.num[name][rows]
        return columns[name]

    def cost_efficiency() -> np.ndarray:
        price = table.price_in(brief.currency)[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            if brief.objective == "awareness":
                return col("views") / price
            if brief.objective == "ugc":
                return 1.0 / price
            return col("views") * col("engagement_rate_views") / price  # engagements

    makers: dict[str, Callable[[], np.ndarray]] = {
        "engagement": lambda: col("engagement_rate_views"),
        "shares": lambda: col("share_rate"),
        "comments": lambda: col("comment_rate"),
        "likes": lambda: col("like_rate"),
        "reach": lambda: col("views"),
        "watch_time": lambda: col("completion_rate"),
        "cost_efficiency": cost_efficiency,
        "niche_fit": lambda: _niche_fit(table, rows, brief),
        "audience_fit": lambda: _audience_fit(table, rows, brief),
        "authenticity": lambda: 1.0 - col("risk"),
    }
    return {f: makers[f] if weights.get(f, 0.0) > 0 else None for f in FACTORS}


def _niche_fit(table: CreatorTable, rows: np.ndarray, brief: Brief) -> np.ndarray:
    """1 primary niche in the brief, 0.75 another niche in the brief, 0.5 a niche matched by
    a keyword, 0 none; NaN for everyone when the brief names no niche. float32 holds these
    levels exactly."""
    if not (brief.niches or brief.keywords):
        return np.full(len(rows), np.nan)
    block = np.take(table.niche_bits, rows, axis=0)  # a third faster than [rows] here
    fit = np.zeros(len(rows), dtype=np.float32)
    by_keyword = keyword_niches(table, brief)
    if by_keyword:
        fit[_any_bits(block, _bits_for(table, by_keyword))] = 0.5
    if brief.niches:
        fit[_any_bits(block, _bits_for(table, brief.niches))] = 0.75
        fit[_in(table.primary_niche[rows], table.niches, brief.niches)] = 1.0
    return fit


def _audience_fit(table: CreatorTable, rows: np.ndarray, brief: Brief) -> np.ndarray:
    fit = np.ones(len(rows))
    used = np.zeros(len(rows), dtype=bool)
    unknown = np.zeros(len(rows), dtype=bool)
    if brief.countries and table.aud_countries:
        share = np.where(_in(table.aud_country[rows], table.aud_countries, brief.countries),
                         table.aud_country_share[rows], 0).sum(axis=1)  # fmt: skip
        missing = np.isnan(table.aud_country_share[rows][:, 0])
        fit *= np.where(missing, 1.0, share)
        used |= ~missing
        unknown |= missing
    for wanted, matrix, vocab in (
        (brief.audience_ages, table.age, table.ages),
        (brief.audience_genders, table.gender, table.genders),
    ):
        if wanted and vocab:
            cols = [i for i, v in enumerate(vocab) if v.lower() in {w.lower() for w in wanted}]
            block = matrix[rows]
            share = block[:, cols].sum(axis=1) if cols else np.zeros(len(rows))
            missing = np.isnan(block[:, 0])
            fit *= np.where(missing, 1.0, share)
            used |= ~missing
            unknown |= missing
    # Known only where every dimension the brief names is known for the creator.
    return np.where(used & ~unknown, np.clip(fit, 0, 1), np.nan)


# Sorting is most of a broad brief's time and numpy sorts without the GIL, so a large
# pool's factors are scored by the calling thread and one helper thread together (the
# machines this runs on have two cores or more). Small pools are not worth the hand-over.
PARALLEL_FROM = 20_000
SCORING_ORDER = ("cost_efficiency", *(f for f in RATE_FACTORS if f != "cost_efficiency"),
                 *FIT_FACTORS)  # fmt: skip
_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def _run_all(tasks: list[Callable[[], Any]], parallel: bool) -> list[Any]:
    """Results of ``tasks`` in order. In parallel, the caller and the helper thread take
    tasks from one queue, so neither waits while work is left; a helper busy with another
    ranking's tasks is not waited for."""
    global _helper
    if not parallel or len(tasks) < 2:
        return [task() for task in tasks]
    results: list[Any] = [None] * len(tasks)
    queue = iter(range(len(tasks)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                i = next(queue, None)
            if i is None:
                return
            results[i] = tasks[i]()

    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rank-helper")
    helping = _helper.submit(work)
    work()
    if not helping.cancel():
        helping.result()  # it took tasks (or failed): wait for them
    return results


@dataclass
class _Scored:
    """One factor over the pool: raw values, scores, the pool median of the raw values, and
    the factor's part of the weighted sum: ``term`` = weight x score (0 where unknown; None
    when unknown for every row) and ``known`` (None when known for every row)."""

    raw: np.ndarray
    score: np.ndarray
    median: float | None
    term: np.ndarray | None
    known: np.ndarray | None


def median(values: np.ndarray) -> float | None:
    """The median of the values that are not NaN (None if there are none), as the midpoint
    of the two middle values for an even count. One partition: numpy's median partitions at
    two positions and costs several times as much on a large pool."""
    missing = np.isnan(values)
    m = len(values) - int(np.count_nonzero(missing))
    if m == 0:
        return None
    known = values[~missing] if m < len(values) else values
    part = np.partition(known, m // 2)
    high = float(part[m // 2])
    return high if m % 2 else _mid(float(part[: m // 2].max()), high)


def _score(f: str, make: Callable[[], np.ndarray], weight: float) -> _Scored:
    """One factor: percentiles for rate factors, the value itself for fit factors; then its
    weighted term, so the serial sum that follows only adds."""
    values = make()
    if f in RATE_FACTORS:
        score, mid = percentiles(values)
    else:
        score, mid = values, median(values)
    missing = np.isnan(score)
    if missing.all():
        return _Scored(values, score, mid, None, None)
    term = np.multiply(score, weight, dtype=np.float64)
    if not missing.any():
        return _Scored(values, score, mid, term, None)
    term[missing] = 0.0
    return _Scored(values, score, mid, term, ~missing)


def factor_scores(
    makers: dict[str, Callable[[], np.ndarray] | None], weights: dict[str, float], pool: int
) -> dict[str, _Scored | None]:
    """Each factor scored over the pool; None for factors not computed. The longest tasks go
    first so the two threads finish together: cost efficiency (float64 values), then the
    other rate factors (a sort each), then the fit factors."""
    todo = [f for f in SCORING_ORDER if makers[f] is not None]
    done = _run_all([functools.partial(_score, f, makers[f], weights[f]) for f in todo],
                    parallel=pool >= PARALLEL_FROM)  # fmt: skip
    out = dict(zip(todo, done, strict=True))
    return {f: out.get(f) for f in FACTORS}


def combine(
    scored: dict[str, _Scored | None], weights: dict[str, float], risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(final score, weight known per row): the weighted sum of the known factors over the
    weight known, times the authenticity penalty. Each row's sums run over the factors in
    the same order whatever the row's position or thread, so equal inputs give equal scores
    (ties then break by handle)."""
    m = len(risk)
    num = np.zeros(m)
    den = np.zeros(m)
    for f in FACTORS:
        x = scored[f]
        if x is None or x.term is None:  # not weighted, or unknown for every row
            continue
        num += x.term
        # (ufuncs with where= run several times slower than these whole-array steps)
        den += weights[f] if x.known is None else weights[f] * x.known
    with np.errstate(invalid="ignore"):
        final = np.divide(num, den, out=num)
    if not den.all():
        final[den == 0] = 0.0  # no weight known (num is 0 there too)
    # The penalty, for the few rows with a risk (x 1.0 elsewhere would change nothing;
    # an unknown risk, NaN, counts as none).
    risky = np.flatnonzero(risk != 0)
    final[risky] *= 1.0 - PENALTY * np.nan_to_num(risk[risky].astype(np.float64))
    return final, den


def select(
    score: np.ndarray,
    rows: np.ndarray,
    tie: np.ndarray,
    niche: np.ndarray,
    k: int,
    max_per_niche: int | None,
) -> tuple[np.ndarray, bool]:
    """Indices (into the pool) of the top k: by score, ties by ``tie``; at most
    ``max_per_niche`` per niche code (>= 0) unless that leaves fewer than k. Returns the
    indices and whether the diversity rule had to be relaxed. ``tie`` and ``niche`` are
    per table row and ``rows`` gives each pool index's row: only the candidates' are read."""
    m = len(score)
    k = min(k, m)
    if k == 0:
        return np.array([], dtype=np.int64), False
    want = min(m, max(k * 8, k + 64)) if max_per_niche else k
    while True:
        if want < m:
            cut = np.partition(score, m - want)[m - want]
            cand = np.flatnonzero(score >= cut)  # every tie at the cut, for determinism
        else:
            cand = np.arange(m)
        order = cand[np.lexsort((tie[rows[cand]], -score[cand]))]
        if not max_per_niche:
            return order[:k], False
        picked: list[int] = []
        counts: dict[int, int] = {}
        for i, c in zip(order.tolist(), niche[rows[order]].tolist(), strict=True):
            if c >= 0 and counts.get(c, 0) >= max_per_niche:
                continue
            counts[c] = counts.get(c, 0) + 1
            picked.append(i)
            if len(picked) == k:
                return np.array(picked), False
        if want >= m:
            taken = set(picked)
            rest = [i for i in order.tolist() if i not in taken]
            return np.array(picked + rest[: k - len(picked)]), True
        want = min(m, want * 4)


# --- explanations ------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _num(x: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:.1f}{suffix}"
    return f"{x:,.0f}"


# The explanations work on Python floats with math's functions: numpy's cost a microsecond
# per call on a scalar, which was half of a broad brief's 1.6 ms of explanation texts.


def _vs(value: float, median: float | None) -> str:
    if median is None or not math.isfinite(median) or median <= 0:
        return ""
    return f" ({value / median:.1f}x the pool median)"


NICHE_FIT_TEXTS = {
    1.0: "primary niche is in the brief",
    0.75: "a secondary niche is in the brief",
    0.5: "a niche matches a brief keyword",
    0.0: "no niche of the brief",
}


def _factor_text(name: str, raw: float, median: float | None, brief: Brief) -> str:
    if math.isnan(raw):
        return f"{LABELS[name]}: unknown"
    if name in ("engagement", "shares", "comments", "likes"):
        return f"{name} {_pct(raw)} of views{_vs(raw, median)}"
    if name == "reach":
        return f"about {_num(raw)} views per video{_vs(raw, median)}"
    if name == "watch_time":
        return f"completion rate {_pct(raw)}{_vs(raw, median)}"
    if name == "cost_efficiency":
        cur = brief.currency
        if brief.objective == "awareness":
            cpm, med = 1000 / raw, (1000 / median if median else None)
            tail = f" vs the pool median {med:,.2f} {cur}" if med else ""
            return f"CPM {cpm:,.2f} {cur}{tail}"
        if brief.objective in ("engagement", "conversion"):
            cpe, med = 1 / raw, (1 / median if median else None)
            tail = f" vs the pool median {med:,.3f} {cur}" if med else ""
            return f"cost per engagement {cpe:,.3f} {cur}{tail}"
        price, med = 1 / raw, (1 / median if median else None)
        tail = f" vs the pool median {med:,.0f} {cur}" if med else ""
        return f"price {price:,.0f} {cur} per video{tail}"
    if name == "niche_fit":
        return NICHE_FIT_TEXTS.get(raw) or f"niche fit {raw:.2f}"
    if name == "audience_fit":
        return f"{raw * 100:.0f}% of the audience in the brief's target"
    return "no authenticity flags" if raw >= 1 else f"authenticity {raw:.2f} (see flags)"


def rank(
    table: CreatorTable, brief: Brief, *, top: int | None = None, max_per_niche: int | None = 3
) -> Ranking:
    """Rank the table's creators for the brief. ``top`` defaults to brief.creators_wanted;
    ``max_per_niche`` (brief.max_per_niche wins) caps creators per primary niche."""
    k = top or brief.creators_wanted
    cap = brief.max_per_niche or max_per_niche
    weights = brief.resolved_weights()
    rows, removed, notes = hard_filter(table, brief)
    empty_medians: dict[str, float | None] = {f: None for f in FACTORS}
    if len(rows) == 0:
        notes.append("no creator passes the brief's filters; loosen one of them")
        return Ranking(brief, weights, 0, len(table), removed, [], empty_medians, notes)
    scored = factor_scores(raw_factors(table, rows, brief, weights), weights, len(rows))
    final, den = combine(scored, weights, table.num["risk"][rows])
    medians = {f: None if x is None else x.median for f, x in scored.items()}
    chosen, relaxed = select(final, rows, table.handle_order, table.primary_niche, k, cap)
    if relaxed:
        notes.append(
            f"fewer than {k} creators fit the rule of at most {cap} per niche; the best "
            "others fill the list"
        )
    # A factor's neutral score: 0.5 for percentiles, the pool median for fit factors.
    neutral = {f: 0.5 if f in RATE_FACTORS else (medians[f] if medians[f] is not None else 0.5)
               for f in FACTORS}  # fmt: skip
    # Explanations read a few values per creator: gather them for the chosen rows at once
    # and work on Python floats (numpy scalars cost a microsecond per operation).
    picked = rows[chosen]
    per_factor = {f: None if x is None else
                  list(zip(x.score[chosen].tolist(), x.raw[chosen].tolist(), strict=True))
                  for f, x in scored.items()}  # fmt: skip
    prices = table.price_in(brief.currency)[picked].tolist()
    out = [_explain(table, row, position, score,
                    {f: None if v is None else v[j] for f, v in per_factor.items()},
                    weights, d, medians, neutral, brief, price)
           for j, (position, row, score, d, price) in enumerate(zip(
               range(1, len(chosen) + 1), picked.tolist(), final[chosen].tolist(),
               den[chosen].tolist(), prices, strict=True))]  # fmt: skip
    return Ranking(brief, weights, len(rows), len(table), removed, out, medians, notes)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _explain(table: CreatorTable, row: int, position: int, score: float,
             values: dict[str, tuple[float, float] | None], weights: dict[str, float],
             den: float, medians: dict[str, float | None], neutral: dict[str, float],
             brief: Brief, price_same: float) -> RankedCreator:  # fmt: skip
    """One ranked creator; ``values``: (score, raw value) per factor, None if not weighted."""
    factors = []
    for f in FACTORS:
        pair = values[f]
        if pair is None:
            factors.append(FactorScore(f, None, 0.0, 0.0, f"{LABELS[f]}: not weighted"))
            continue
        s, value = pair
        known = not math.isnan(s)
        w = weights.get(f, 0.0) / den if (known and den > 0) else 0.0
        contribution = w * (s - neutral[f]) if known else 0.0
        factors.append(FactorScore(f, s if known else None, w, contribution,
                                   _factor_text(f, value, medians[f], brief)))  # fmt: skip
    ranked = sorted((x for x in factors if x.weight > 0), key=lambda x: -x.contribution)
    lifted = [x.text for x in ranked if x.contribution > 0.005][:3]
    held = [x.text for x in reversed(ranked) if x.contribution < -0.005][:2]
    num = table.num
    views = _finite(float(num["views"][row]))
    er = _finite(float(num["engagement_rate_views"][row]))
    eng = views * er if views is not None and er is not None else None
    cost = _finite(price_same)
    fc = Forecast(
        views=views,
        engagements=eng,
        cost=cost,
        cpm=cost / views * 1000 if cost is not None and views is not None and views > 0 else None,
        cpe=cost / eng if cost is not None and eng else None,
        currency=brief.currency,
    )
    tier = int(table.tier[row])
    bits = int(table.risk_bits[row])
    flags: list[str] = []
    if bits:
        flag_row = {k: float(v[row]) for k, v in num.items()}
        flag_row["tier"] = TIER_NAMES[tier] if tier >= 0 else None
        flags = flag_reasons(bits, flag_row, DEFAULT_TIER_ER)
    primary = int(table.primary_niche[row])
    risk = _finite(float(num["risk"][row]))
    return RankedCreator(
        rank=position,
        creator_id=int(table.ids[row]),
        handle=table.handles[row],
        score=score,
        tier=TIER_NAMES[tier] if tier >= 0 else None,
        followers=_finite(float(num["followers"][row])),
        primary_niche=table.niches[primary] if primary >= 0 else None,
        price=_finite(float(num["price"][row])),
        price_is_estimate=bool(table.price_is_estimate[row]),
        forecast=fc,
        factors=factors,
        lifted_by=lifted,
        held_back_by=held,
        flags=flags,
        risk=risk if risk is not None else 0.0,
    )
