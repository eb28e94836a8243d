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

from collections.abc import Sequence
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
    mask = np.zeros(table.niche_bits.shape[1], dtype=np.uint64)
    index = {n: i for i, n in enumerate(table.niches)}
    for name in names:
        if name in index:
            k = index[name]
            mask[k // 64] |= np.uint64(1) << np.uint64(k % 64)
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


def _lookup(vocab: list[str], wanted: Sequence[str]) -> np.ndarray:
    """A boolean table indexed by code (code -1, missing, is the last entry: False)."""
    lut = np.zeros(len(vocab) + 1, dtype=bool)
    lut[_codes_for(vocab, wanted)] = True
    return lut


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
    other filter narrows an array of row numbers, so its cost follows what is left."""
    n = len(table)
    notes: list[str] = []
    removed: dict[str, int] = {}
    # ``everyone`` stands for all rows until a filter narrows them: filters then read whole
    # columns directly instead of gathering a million row numbers.
    everyone = _Everyone(n)
    rows: Any = everyone
    if min_followers is not None or max_followers is not None:
        f = table.followers[: table.known_followers]
        lo = -np.inf if min_followers is None else min_followers
        hi = np.inf if max_followers is None else max_followers
        start = int(np.searchsorted(f, lo, side="left"))
        stop = int(np.searchsorted(f, hi, side="right"))
        rows = np.arange(start, stop)
        removed["followers"] = n - len(rows)

    def apply(name: str, keep: np.ndarray) -> None:
        nonlocal rows
        before = len(rows)
        rows = np.flatnonzero(keep) if rows is everyone else rows[keep]
        if before - len(rows):
            removed[name] = before - len(rows)

    if tiers:
        lut = np.zeros(len(TIER_NAMES) + 1, dtype=bool)
        lut[[TIER_NAMES.index(t) for t in tiers]] = True
        apply("tiers", lut[_take(table.tier, rows)])
    if countries:
        apply("countries", _lookup(table.countries, countries)[_take(table.country, rows)])
    if languages:
        apply("languages", _lookup(table.languages, languages)[_take(table.language, rows)])
    if niches is not None:
        apply("niches", _any_bits(_take(table.niche_bits, rows), _bits_for(table, niches)))
    if exclude_handles:
        apply("excluded", ~_take(table.handles.mask(exclude_handles), rows))
    if min_engagement is not None:
        apply("min_engagement", _take(table.num["engagement_rate_views"], rows) >= min_engagement)
    if max_price is not None:
        same = _lookup(table.currencies, [currency])[_take(table.currency, rows)]
        other = int(np.count_nonzero(~same & ~np.isnan(_take(table.num["price"], rows))))
        if other:
            notes.append(
                f"{other} creators priced in another currency than {currency} were left "
                "out (prices are never converted)"
            )
        apply("max_price", same & (_take(table.num["price"], rows) <= max_price))
    return np.arange(n) if rows is everyone else rows, removed, notes


class _Everyone:
    """All rows of a table, as an index that costs nothing: ``column[everyone]`` is the
    column itself."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


def _take(column: np.ndarray, rows: Any) -> np.ndarray:
    return column if isinstance(rows, _Everyone) else column[rows]


# --- factor scores -----------------------------------------------------------------------


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
    order = np.argsort(v)
    s = v[order]
    # The i-th smallest gets (2i + 1) / 2m; a run of equal values [a, b] shares the mid-rank
    # (a + b + 1) / 2m. Runs are found among the few positions equal to their predecessor.
    pct = np.empty(m, dtype=np.float64)
    pct[order] = (np.arange(m, dtype=np.float64) + 0.5) / m
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
        pct[order[members]] = np.repeat((first + last + 1) / (2.0 * m), lengths)
    if known is None:
        out = pct
    else:
        out[known] = pct
    median = float(s[(m - 1) // 2] + s[m // 2]) / 2
    return out, median


def _price_in(table: CreatorTable, rows: np.ndarray, currency: str) -> np.ndarray:
    price = table.num["price"][rows]
    same = _lookup(table.currencies, [currency])[table.currency[rows]]
    return np.where(same & (price > 0), price, np.nan)


def raw_factors(
    table: CreatorTable,
    rows: np.ndarray,
    brief: Brief,
    weights: dict[str, float] | None = None,
    price: np.ndarray | None = None,
) -> dict[str, np.ndarray | None]:
    """Each factor's raw value for the given rows (NaN where unknown); None for factors
    whose weight is 0 (they are not computed at all)."""
    weighted = {f for f in FACTORS if weights is None or weights.get(f, 0.0) > 0}
    needed = {"views", "engagement_rate_views", "risk"}
    needed |= {c for f, c in (("shares", "share_rate"), ("comments", "comment_rate"),
                              ("likes", "like_rate"), ("watch_time", "completion_rate"))
               if f in weighted}  # fmt: skip
    nan = np.full(len(rows), np.nan, dtype=np.float32)
    num = {k: (table.num[k][rows] if k in needed else nan) for k in (
        "views", "engagement_rate_views", "share_rate", "comment_rate", "like_rate",
        "completion_rate", "risk")}  # fmt: skip
    price = _price_in(table, rows, brief.currency) if price is None else price
    views = num["views"]
    engagements = views * num["engagement_rate_views"]
    with np.errstate(divide="ignore", invalid="ignore"):
        outcome = {
            "awareness": views / price,
            "engagement": engagements / price,
            "conversion": engagements / price,
            "ugc": 1.0 / price,
        }[brief.objective]
    raw: dict[str, np.ndarray | None] = {
        "engagement": num["engagement_rate_views"],
        "shares": num["share_rate"],
        "comments": num["comment_rate"],
        "likes": num["like_rate"],
        "reach": views,
        "watch_time": num["completion_rate"],
        "cost_efficiency": outcome,
        "niche_fit": None,
        "audience_fit": None,
        "authenticity": 1.0 - num["risk"],
    }
    if "niche_fit" in weighted:
        raw["niche_fit"] = _niche_fit(table, rows, brief)
    if "audience_fit" in weighted:
        raw["audience_fit"] = _audience_fit(table, rows, brief)
    return {f: (v if f in weighted else None) for f, v in raw.items()}


def _niche_fit(table: CreatorTable, rows: np.ndarray, brief: Brief) -> np.ndarray:
    if not (brief.niches or brief.keywords):
        return np.full(len(rows), np.nan)
    block = table.niche_bits[rows]
    fit = np.where(_any_bits(block, _bits_for(table, keyword_niches(table, brief))), 0.5, 0.0)
    fit = np.where(_any_bits(block, _bits_for(table, brief.niches)), 0.75, fit)
    primary_in = _lookup(table.niches, brief.niches)[table.primary_niche[rows]]
    return np.where(primary_in, 1.0, fit)


def _audience_fit(table: CreatorTable, rows: np.ndarray, brief: Brief) -> np.ndarray:
    fit = np.ones(len(rows))
    used = np.zeros(len(rows), dtype=bool)
    unknown = np.zeros(len(rows), dtype=bool)
    if brief.countries and table.aud_countries:
        share = np.where(_lookup(table.aud_countries, brief.countries)[table.aud_country[rows]],
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


def factor_scores(
    raw: dict[str, np.ndarray | None],
) -> tuple[dict[str, np.ndarray | None], dict[str, float | None]]:
    """Scores per factor (percentiles for rate factors, the value for fit factors) and the
    pool median of each factor's raw value; None for factors not computed."""
    scores: dict[str, np.ndarray | None] = {}
    medians: dict[str, float | None] = {}
    for f in FACTORS:
        values = raw[f]
        if values is None:
            scores[f], medians[f] = None, None
        elif f in RATE_FACTORS:
            scores[f], medians[f] = percentiles(values)
        else:
            scores[f] = values
            known = values[~np.isnan(values)]
            medians[f] = float(np.median(known)) if len(known) else None
    return scores, medians


def combine(
    scores: dict[str, np.ndarray | None], weights: dict[str, float], risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(final score, weighted sum before the penalty, weight known per row)."""
    used = [f for f in FACTORS if weights.get(f, 0.0) > 0 and scores[f] is not None]
    if not used:
        zeros = np.zeros(len(risk))
        return zeros, zeros, zeros
    w = np.array([weights[f] for f in used])
    stacked = np.vstack([scores[f] for f in used])  # type: ignore[misc]
    missing = np.isnan(stacked)
    stacked[missing] = 0.0
    num = w @ stacked
    den = w @ ~missing
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(den > 0, num / den, 0.0)
    final = base * (1.0 - PENALTY * np.nan_to_num(risk))
    return final, base, den


def select(
    score: np.ndarray, tie: np.ndarray, niche: np.ndarray, k: int, max_per_niche: int | None
) -> tuple[np.ndarray, bool]:
    """Indices (into the pool) of the top k: by score, ties by ``tie``; at most
    ``max_per_niche`` per niche code (>= 0) unless that leaves fewer than k. Returns the
    indices and whether the diversity rule had to be relaxed."""
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
        order = cand[np.lexsort((tie[cand], -score[cand]))]
        if not max_per_niche:
            return order[:k], False
        picked: list[int] = []
        counts: dict[int, int] = {}
        for i in order:
            c = int(niche[i])
            if c >= 0 and counts.get(c, 0) >= max_per_niche:
                continue
            counts[c] = counts.get(c, 0) + 1
            picked.append(int(i))
            if len(picked) == k:
                return np.array(picked), False
        if want >= m:
            taken = set(picked)
            rest = [int(i) for i in order if int(i) not in taken]
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


def _vs(value: float, median: float | None) -> str:
    if median is None or not np.isfinite(median) or median <= 0:
        return ""
    return f" ({value / median:.1f}x the pool median)"


def _factor_text(name: str, raw: float, median: float | None, brief: Brief) -> str:
    if np.isnan(raw):
        return f"{LABELS[name]}: unknown"
    if name in ("engagement", "shares", "comments", "likes"):
        what = {"engagement": "engagement", "shares": "shares", "comments": "comments",
                "likes": "likes"}[name]  # fmt: skip
        unit = "of views"
        return f"{what} {_pct(raw)} {unit}{_vs(raw, median)}"
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
        return {1.0: "primary niche is in the brief", 0.75: "a secondary niche is in the brief",
                0.5: "a niche matches a brief keyword", 0.0: "no niche of the brief"}.get(
            float(raw), f"niche fit {raw:.2f}")  # fmt: skip
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
    price = _price_in(table, rows, brief.currency)
    raw = raw_factors(table, rows, brief, weights, price)
    scores, medians = factor_scores(raw)
    risk = table.num["risk"][rows].astype(np.float64)
    final, _, den = combine(scores, weights, risk)
    chosen, relaxed = select(final, table.handle_order[rows], table.primary_niche[rows], k, cap)
    if relaxed:
        notes.append(
            f"fewer than {k} creators fit the rule of at most {cap} per niche; the best "
            "others fill the list"
        )
    # A factor's neutral score: 0.5 for percentiles, the pool median for fit factors.
    neutral = {f: 0.5 if f in RATE_FACTORS else (medians[f] if medians[f] is not None else 0.5)
               for f in FACTORS}  # fmt: skip
    out = []
    for position, i in enumerate(chosen, start=1):
        out.append(_explain(table, rows[i], i, position, float(final[i]), raw, scores,
                            weights, float(den[i]), medians, neutral, brief,
                            price))  # fmt: skip
    return Ranking(brief, weights, len(rows), len(table), removed, out, medians, notes)


def _explain(table: CreatorTable, row: int, i: int, position: int, score: float,
             raw: dict[str, np.ndarray | None], scores: dict[str, np.ndarray | None],
             weights: dict[str, float], den: float, medians: dict[str, float | None],
             neutral: dict[str, float], brief: Brief, price_in_currency: np.ndarray
             ) -> RankedCreator:  # fmt: skip
    factors = []
    for f in FACTORS:
        column, values = scores[f], raw[f]
        if column is None or values is None:
            factors.append(FactorScore(f, None, 0.0, 0.0, f"{LABELS[f]}: not weighted"))
            continue
        s = column[i]
        known = not np.isnan(s)
        w = weights.get(f, 0.0) / den if (known and den > 0) else 0.0
        contribution = w * (float(s) - neutral[f]) if known else 0.0
        factors.append(
            FactorScore(
                f,
                float(s) if known else None,
                w,
                contribution,
                _factor_text(f, float(values[i]), medians[f], brief),
            )
        )
    ranked = sorted((x for x in factors if x.weight > 0), key=lambda x: -x.contribution)
    lifted = [x.text for x in ranked if x.contribution > 0.005][:3]
    held = [x.text for x in reversed(ranked) if x.contribution < -0.005][:2]
    num = table.num
    price_same = price_in_currency[i]
    views = float(num["views"][row])
    er = float(num["engagement_rate_views"][row])
    eng = views * er if np.isfinite(views) and np.isfinite(er) else None
    cost = float(price_same) if np.isfinite(price_same) else None
    fc = Forecast(
        views=views if np.isfinite(views) else None,
        engagements=eng,
        cost=cost,
        cpm=cost / views * 1000 if cost is not None and views > 0 else None,
        cpe=cost / eng if cost is not None and eng else None,
        currency=brief.currency,
    )
    tier = int(table.tier[row])
    flag_row = {k: float(v[row]) for k, v in num.items()}
    flag_row["tier"] = TIER_NAMES[tier] if tier >= 0 else None
    flags = flag_reasons(int(table.risk_bits[row]), flag_row, DEFAULT_TIER_ER)
    primary = int(table.primary_niche[row])
    followers = float(num["followers"][row])
    return RankedCreator(
        rank=position,
        creator_id=int(table.ids[row]),
        handle=table.handles[row],
        score=score,
        tier=TIER_NAMES[tier] if tier >= 0 else None,
        followers=followers if np.isfinite(followers) else None,
        primary_niche=table.niches[primary] if primary >= 0 else None,
        price=float(num["price"][row]) if np.isfinite(num["price"][row]) else None,
        price_is_estimate=bool(table.price_is_estimate[row]),
        forecast=fc,
        factors=factors,
        lifted_by=lifted,
        held_back_by=held,
        flags=flags,
        risk=float(num["risk"][row]) if np.isfinite(num["risk"][row]) else 0.0,
    )
