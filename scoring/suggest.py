"""Campaign ideas from trending hashtags: which hashtag, which format, which seed creators, and
what it will likely deliver. Pure: plain dataclasses in, plain dataclasses out (the templates
that word an idea are filled elsewhere, by bot.services.suggest).

How an answer is built (every step's numbers are kept in the result):

1. **Hashtags that may carry an idea.** Lifecycle labels come from :mod:`scoring.trends`.
   *declining* and *unknown* hashtags are never used. Flagged hashtags (a configured list,
   or a name containing a sensitive keyword) are never used either, and the answer says
   which were dropped. When the brief names niches or keywords, a hashtag must be clearly
   related to them: a :func:`scoring.match.related_hashtags` score of at least 0.4 (its name
   holds a niche or keyword, or the niche's creators are well over 1.5x likelier to use it;
   the 0.25 of a "related" list lets in tags that only a few of the niche's creators share).
   Without niches or keywords, every hashtag with a usable label qualifies and the answer
   says so. An emerging or rising hashtag must still be gaining pace: when the mean daily
   views of its last 3 measured days (estimated days of a gap are left out) are below 75 %
   of the mean over its measured days before them in the last 14 days, it is *fading*; a
   rising hashtag whose 7-day growth is known and not above 0 is *stalled* (coarsely
   rounded totals can show momentum on a flat curve). Neither is used, and the answer says
   so (a label can lag: an annual tag seen again after a year-long gap looks young while its
   day has passed).
2. **Formats that fit.** A format (one template's front matter) claims objectives (best fit
   first) and lifecycles. A (hashtag, format) pair is possible when the brief's objective and
   the hashtag's label are among the claimed ones and the format's needs are met: a branded
   hashtag, a product, creators already posting under the hashtag, and at least
   ``min_seeds`` seed creators within the budget. *peaking* hashtags are quick-turn only:
   only formats that list ``peaking`` (fast to produce) ride them.
3. **Seed creators** come from the brief's ranking: first those who already post under the
   hashtag (best-ranked first), then the best-ranked others; each needs a forecast (views,
   engagements and a price in the brief's currency), and a creator who would take the
   seeds' total cost over the budget is passed over. A format asks for the brief's
   ``creators_wanted``, within its own ``min_seeds`` .. ``max_seeds``.
4. **Forecast** = the sum of the seed creators' per-video forecasts (views, engagements,
   cost); CPM = cost / views x 1,000 and CPE = cost / engagements on those sums.
5. **Score** (each part in [0, 1]) = 0.30 x outcome + 0.25 x freshness + 0.20 x relevance
   + 0.10 x seeded + 0.15 x format fit, where
   - outcome = the objective's outcome / the best outcome among all possible pairs
     (awareness: views; engagement, conversion and ugc: engagements);
   - freshness = the label's base (emerging 0.9, rising 0.8, peaking 0.35, evergreen 0.3;
     an emerging hashtag labelled from only a few days of data 0.6) + 0.1 x
     clip(momentum / 10 %/day, 0, 1);
   - relevance = the hashtag's relatedness to the brief (0.5 when the brief names none);
   - seeded = the share of the seed creators who already post under the hashtag (they
     know its audience; it also offsets their often smaller forecasts);
   - format fit = 1 for the format's first objective, minus 0.15 per place after it.
6. **Order.** Ideas are taken one at a time, best first, each on a hashtag not used yet (one
   hashtag never carries two ideas in one answer, and a hashtag that carries an idea is in
   no other idea's hashtag set, on any page); a format already used counts its score
   x 0.85 per earlier use, so an answer mixes formats. Ties break by hashtag, then format
   id: the same data and brief always give the same order. Pages of ``per_page`` ideas
   (``page`` 0 first) walk that order: "more ideas" is the next page, never a reshuffle.
   When a hashtag is asked for, its ideas are that hashtag's possible formats, best first.

An idea's hashtag set: the branded hashtag, the trending one it rides, and up to three niche
hashtags: related hashtags that carry no idea (steadiest first), else the brief's niches
written as hashtags; a flagged one is left out and named. Niche hashtags may recur across
ideas.

Timing follows the label: emerging "launch within 2-3 days", rising "within 3-7 days" (the
faster the momentum, the sooner), peaking "quick-turn only: within 48 hours", evergreen
"no rush".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from scoring.brief import OBJECTIVES, Brief

USABLE = ("emerging", "rising", "peaking", "evergreen")
NEVER = ("declining", "unknown")
LIFECYCLES = (*USABLE, *NEVER)
NEEDS = ("brand_hashtag", "product", "tag_creators")
BASE_FRESHNESS = {"emerging": 0.9, "rising": 0.8, "peaking": 0.35, "evergreen": 0.3}
THIN_FRESHNESS = 0.6
MOMENTUM_FULL = 0.10  # momentum (per day) that earns the whole freshness bonus
WEIGHTS = {"outcome": 0.30, "freshness": 0.25, "relevance": 0.20, "seeded": 0.10,
           "format_fit": 0.15}  # fmt: skip
FADE_DAYS = 3  # the recent pace: the last 3 measured days
FADE_WINDOW = 14  # ... against the measured days before them in the last 14
FADE_RATIO = 0.75  # below 75 % of the pace before: fading
MIN_RELEVANCE = 0.4  # relatedness a hashtag needs to carry an idea or join a niche set
FIT_STEP = 0.15
VARIETY = 0.85
NO_NICHE_RELEVANCE = 0.5
NICHE_TAGS = 3  # niche hashtags in an idea's set
OUTCOME_NAMES = {
    "awareness": "views",
    "engagement": "engagements",
    "conversion": "engagements",
    "ugc": "engagements",
}


class FormatError(ValueError):
    """A format's front matter is invalid; the message names the key."""


@dataclass(frozen=True)
class FormatSpec:
    """One campaign format, as its template's front matter declares it."""

    id: str
    title: str
    objectives: tuple[str, ...]  # best fit first
    lifecycles: tuple[str, ...]
    needs: tuple[str, ...] = ()
    min_seeds: int = 2
    max_seeds: int = 5
    summary: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormatSpec:
        """Validate front matter; FormatError names each bad key and what was expected."""
        problems: list[str] = []
        known = {"id", "title", "objectives", "lifecycles", "needs", "min_seeds", "max_seeds",
                 "summary"}  # fmt: skip
        for key in sorted(set(data) - known):
            problems.append(f"{key}: unknown key (keys: {', '.join(sorted(known))})")

        def text(key: str, required: bool = True) -> str:
            value = data.get(key)
            if value is None and not required:
                return ""
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{key}: expected a non-empty string, got {value!r}")
                return ""
            return value.strip()

        def words(key: str, allowed: Sequence[str], required: bool = True) -> tuple[str, ...]:
            value = data.get(key, None if required else [])
            if not isinstance(value, list) or (required and not value):
                problems.append(f"{key}: expected a list from {', '.join(allowed)}, got {value!r}")
                return ()
            bad = [v for v in value if v not in allowed]
            if bad:
                problems.append(f"{key}: {bad!r} not in {', '.join(allowed)}")
            return tuple(dict.fromkeys(v for v in value if v in allowed))

        def count(key: str, default: int) -> int:
            value = data.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 20:
                problems.append(f"{key}: expected a whole number from 1 to 20, got {value!r}")
                return default
            return value

        fid = text("id")
        if fid and not fid.replace("_", "").replace("-", "").isalnum():
            problems.append(f"id: {fid!r} should be letters, digits, _ and - only")
        spec = dict(
            id=fid,
            title=text("title"),
            objectives=words("objectives", OBJECTIVES),
            lifecycles=words("lifecycles", USABLE),
            needs=words("needs", NEEDS, required=False),
            min_seeds=count("min_seeds", 2),
            max_seeds=count("max_seeds", 5),
            summary=text("summary", required=False),
        )
        if spec["min_seeds"] > spec["max_seeds"]:  # type: ignore[operator]
            problems.append("min_seeds: expected at most max_seeds")
        if problems:
            raise FormatError("; ".join(problems))
        return cls(**spec)  # type: ignore[arg-type]

    def fit(self, objective: str) -> float | None:
        """1 for the first objective the format claims, 0.15 less per place; None if not
        claimed."""
        if objective not in self.objectives:
            return None
        return 1.0 - FIT_STEP * self.objectives.index(objective)


@dataclass
class TrendTag:
    """A hashtag with its lifecycle numbers (from scoring.trends) and its relatedness to the
    brief (from scoring.match; None when the brief names no niche or keyword)."""

    hashtag: str
    label: str
    label_reason: str = ""
    momentum: float | None = None
    growth: float | None = None  # 7-day growth
    daily_views: float | None = None
    breakout: bool = False
    breakout_reasons: list[str] = field(default_factory=list)
    thin: bool = False  # labelled from only a few days of data
    relevance: float | None = None  # None: the brief names no niche; 0: not related
    relevance_reasons: list[str] = field(default_factory=list)
    pace_recent: float | None = None  # mean daily views, last FADE_DAYS measured days
    pace_before: float | None = None  # ... over the measured days before them (FADE_WINDOW)

    @property
    def stalled(self) -> bool:
        """Rising by its label, but the last 7 days gained no more than the 7 before."""
        return self.label == "rising" and self.growth is not None and self.growth <= 0

    @property
    def fading(self) -> bool:
        """Emerging or rising by its label, but its recent pace fell below FADE_RATIO of the
        pace before."""
        return (
            self.label in ("emerging", "rising")
            and self.pace_recent is not None
            and self.pace_before is not None
            and self.pace_before > 0
            and self.pace_recent < FADE_RATIO * self.pace_before
        )


@dataclass
class SeedCandidate:
    """A creator of the brief's ranking, with the forecast per video and the hashtags they
    have posted under (hashtag -> videos)."""

    handle: str
    rank: int
    score: float
    views: float | None
    engagements: float | None
    cost: float | None
    price_is_estimate: bool = False
    tier: str | None = None
    followers: float | None = None
    flags: list[str] = field(default_factory=list)
    tags: dict[str, int] = field(default_factory=dict)


@dataclass
class SeedPick:
    handle: str
    rank: int
    score: float
    tier: str | None
    followers: float | None
    views: float
    engagements: float
    cost: float
    price_is_estimate: bool
    posts_under_tag: int
    flags: list[str]
    reason: str


@dataclass
class IdeaForecast:
    views: float
    engagements: float
    cost: float
    cpm: float | None
    cpe: float | None
    currency: str
    creators: int
    formula: str = (
        "the sum of the seed creators' forecasts per video (expected views; views x "
        "engagement rate by views; price); CPM = cost / views x 1,000, CPE = cost / engagements"
    )


@dataclass
class Timing:
    label: str
    days: int | None
    launch_by: str | None
    text: str


@dataclass
class HashtagSet:
    branded: list[str]
    trending: list[str]
    niche: list[str]
    dropped: list[str] = field(default_factory=list)  # "#tag: reason"

    @property
    def all(self) -> list[str]:
        return [*self.branded, *self.trending, *self.niche]


@dataclass
class IdeaPlan:
    position: int  # 1-based, in the answer's whole order
    format: FormatSpec
    trend: TrendTag
    seeds: list[SeedPick]
    forecast: IdeaForecast
    timing: Timing
    hashtags: HashtagSet
    score: float
    parts: dict[str, float]
    outcome: float
    outcome_name: str
    risks: list[str]
    why: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hashtags"]["all"] = self.hashtags.all
        return d


@dataclass
class Selection:
    ideas: list[IdeaPlan]  # the page asked for
    total: int  # ideas in the whole order
    page: int
    per_page: int
    candidates: int  # hashtags that could carry an idea
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # flagged hashtags left out, with why
    unusable: dict[str, str] = field(default_factory=dict)  # format id -> why it never fit

    @property
    def more(self) -> bool:
        return (self.page + 1) * self.per_page < self.total


# --- the pieces ----------------------------------------------------------------------------


def _human(x: float | None) -> str:
    if x is None:
        return "-"
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:.1f}{suffix}"
    return f"{x:,.0f}"


def pace(daily: Sequence[float], measured: Sequence[bool]) -> tuple[float | None, float | None]:
    """(mean daily views over the last FADE_DAYS measured days, mean over the measured days
    before them), within the last FADE_WINDOW days. ``daily``: daily views, oldest first
    (NaN unknown); ``measured``: False for estimated days. None where there is no such day."""
    d = np.asarray(daily, dtype=np.float64)[-FADE_WINDOW:]
    m = np.asarray(measured, dtype=bool)[-FADE_WINDOW:] & ~np.isnan(d)
    known = d[m]
    if not len(known):
        return None, None
    recent, before = known[-FADE_DAYS:], known[:-FADE_DAYS]
    return float(recent.mean()), (float(before.mean()) if len(before) else None)


def freshness(tag: TrendTag) -> float:
    """The label's base (emerging 0.9, rising 0.8, peaking 0.35, evergreen 0.3; emerging from
    few days 0.6) + 0.1 x clip(momentum / 10 %/day, 0, 1), at most 1."""
    base = THIN_FRESHNESS if tag.thin and tag.label == "emerging" else BASE_FRESHNESS[tag.label]
    m = tag.momentum if tag.momentum is not None and math.isfinite(tag.momentum) else 0.0
    return min(1.0, base + 0.1 * min(1.0, max(0.0, m / MOMENTUM_FULL)))


def timing(tag: TrendTag, as_of: dt.date) -> Timing:
    """When to launch, from the hashtag's lifecycle label (see the module docstring)."""
    m = tag.momentum if tag.momentum is not None and math.isfinite(tag.momentum) else 0.0
    pace = f"momentum {m * 100:+.1f}%/day"
    if tag.label == "emerging":
        days = 2 if tag.breakout or m >= MOMENTUM_FULL else 3
        why = "young hashtags move fast and can fade as fast"
    elif tag.label == "rising":
        days = 3 if m >= MOMENTUM_FULL else 5 if m >= MOMENTUM_FULL / 2 else 7
        why = f"daily views still growing ({pace})"
    elif tag.label == "peaking":
        days = 2
        why = "views are at their high and no longer growing"
    elif tag.label == "evergreen":
        return Timing(
            tag.label, None, None,
            "evergreen: no rush; schedule it anywhere in the campaign window (steady views, "
            f"{pace})",
        )  # fmt: skip
    else:
        raise ValueError(f"{tag.label} hashtags are never used")
    by = (as_of + dt.timedelta(days=days)).isoformat()
    if tag.label == "peaking":
        text = f"peaking: quick-turn only: post within 48 hours (by {by}) or skip it; {why}"
    else:
        text = f"{tag.label}: launch within {days} days (by {by}); {why}"
    return Timing(tag.label, days, by, text)


def pick_seeds(
    candidates: Sequence[SeedCandidate], hashtag: str, wanted: int, budget: float
) -> tuple[list[SeedPick], int]:
    """Up to ``wanted`` seeds: creators already posting under the hashtag first (by rank),
    then the others by rank; only creators with a complete forecast, passing over any who
    would take the total cost over the budget. Returns the picks and how many creators were
    passed over for the budget."""
    complete = [
        c for c in candidates
        if c.views is not None and c.engagements is not None and c.cost is not None
        and math.isfinite(c.views) and math.isfinite(c.engagements) and math.isfinite(c.cost)
    ]  # fmt: skip
    order = sorted(complete, key=lambda c: (c.tags.get(hashtag, 0) == 0, c.rank, c.handle))
    picks: list[SeedPick] = []
    spent = 0.0
    over = 0
    for c in order:
        if len(picks) >= wanted:
            break
        assert c.cost is not None and c.views is not None and c.engagements is not None
        if spent + c.cost > budget + 1e-9:
            over += 1
            continue
        posts = c.tags.get(hashtag, 0)
        reason = (
            f"already posts under #{hashtag} ({posts} video{'s' if posts != 1 else ''}); "
            f"ranked #{c.rank} for the brief"
            if posts
            else f"ranked #{c.rank} for the brief"
        )
        picks.append(SeedPick(c.handle, c.rank, c.score, c.tier, c.followers, c.views,
                              c.engagements, c.cost, c.price_is_estimate, posts,
                              list(c.flags), reason))  # fmt: skip
        spent += c.cost
    return picks, over


def forecast(seeds: Sequence[SeedPick], currency: str) -> IdeaForecast:
    """The sum of the seeds' forecasts per video; CPM and CPE on the sums."""
    views = sum(s.views for s in seeds)
    engagements = sum(s.engagements for s in seeds)
    cost = sum(s.cost for s in seeds)
    return IdeaForecast(
        views=views,
        engagements=engagements,
        cost=cost,
        cpm=cost / views * 1000 if views > 0 else None,
        cpe=cost / engagements if engagements > 0 else None,
        currency=currency,
        creators=len(seeds),
    )


def outcome(objective: str, fc: IdeaForecast) -> float:
    """The objective's outcome: views for awareness, engagements otherwise."""
    return fc.views if objective == "awareness" else fc.engagements


def _risks(tag: TrendTag, seeds: Sequence[SeedPick], fc: IdeaForecast, brief: Brief) -> list[str]:
    out: list[str] = []
    if tag.label == "emerging":
        few = " from only a few days of data" if tag.thin else ""
        out.append(f"#{tag.hashtag} is young{few}: it may fade before the videos land; keep "
                   "the first wave small and watch it for a day or two")  # fmt: skip
    elif tag.label == "peaking":
        out.append(f"#{tag.hashtag} is at its high and no longer growing: videos posted late "
                   "may miss the wave")  # fmt: skip
    elif tag.label == "evergreen":
        out.append(f"#{tag.hashtag} is steady and crowded: the idea has to stand out on its own")
    if tag.breakout:
        why = "; ".join(tag.breakout_reasons) or "a sudden jump"
        out.append(f"breakout ({why}): check it is more than a one-day spike")
    if tag.relevance is None:
        out.append(f"the brief names no niche or keyword: check #{tag.hashtag} suits the brand")
    elif tag.relevance < MIN_RELEVANCE:
        out.append(f"#{tag.hashtag} is not clearly related to the brief's niches and keywords "
                   f"(relatedness {tag.relevance:.2f}; it was asked for by name)")  # fmt: skip
    if seeds and not any(s.posts_under_tag for s in seeds):
        out.append(f"none of the seed creators has posted under #{tag.hashtag} yet: ask for a "
                   "test video first")  # fmt: skip
    for s in seeds:
        for flag in s.flags:
            out.append(f"@{s.handle}: {flag}")
    estimated = sum(1 for s in seeds if s.price_is_estimate)
    if estimated:
        out.append(f"{estimated} of {len(seeds)} seed prices are estimates from the tier rate "
                   "table, not quotes")  # fmt: skip
    if brief.budget > 0 and fc.cost > 0.8 * brief.budget:
        out.append(f"the seeds take {fc.cost / brief.budget * 100:.0f}% of the budget "
                   f"({fc.cost:,.0f} of {brief.budget:,.0f} {brief.currency})")  # fmt: skip
    return out


@dataclass
class _Pair:
    tag: TrendTag
    fmt: FormatSpec
    seeds: list[SeedPick]
    fc: IdeaForecast
    outcome: float
    parts: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


def _niche_pool(tags: Sequence[TrendTag], brief: Brief) -> list[TrendTag]:
    """Related hashtags with a usable label, steadiest first (evergreen, then by
    relatedness): the niche part of a hashtag set."""
    related = [t for t in tags if (t.relevance or 0) >= MIN_RELEVANCE and t.label in USABLE]
    return sorted(related, key=lambda t: (t.label != "evergreen", -(t.relevance or 0),
                                          t.hashtag))  # fmt: skip


def plan_ideas(
    brief: Brief,
    tags: Sequence[TrendTag],
    formats: Sequence[FormatSpec],
    seeds: Sequence[SeedCandidate],
    *,
    as_of: dt.date,
    flagged: Mapping[str, str] | None = None,
    brand_hashtag: str | None = None,
    product: str | None = None,
    per_page: int = 3,
    page: int = 0,
    format_id: str | None = None,
    hashtag: str | None = None,
) -> Selection:
    """The page ``page`` of the answer's ideas for the brief (see the module docstring).

    ``tags``: every hashtag with its label (the declining and unknown ones are left out
    here); ``flagged``: hashtag -> why it is off-limits; ``brand_hashtag`` / ``product``:
    what formats with those needs require (without them they are skipped, and the answer
    says why); ``format_id`` / ``hashtag``: only ideas of that format / on that hashtag.
    """
    if per_page < 1 or page < 0:
        raise ValueError("per_page must be 1 or more and page 0 or more")
    flagged = dict(flagged or {})
    notes: list[str] = []
    dropped: list[str] = []
    niche_brief = bool(brief.niches or brief.keywords)
    if not niche_brief:
        notes.append("the brief names no niche or keyword: every trending hashtag qualifies")
    if brand_hashtag and brand_hashtag.lower() in flagged:
        notes.append(f"the branded hashtag #{brand_hashtag} is flagged "
                     f"({flagged[brand_hashtag.lower()]}) and was not used")  # fmt: skip
        brand_hashtag = None
    fmts = [f for f in formats if format_id is None or f.id == format_id]

    # 1. hashtags that may carry an idea
    usable: list[TrendTag] = []
    fading: list[str] = []
    for t in sorted(tags, key=lambda t: t.hashtag):
        if t.label not in USABLE:
            continue
        if hashtag is not None and t.hashtag != hashtag:
            continue
        if niche_brief and (t.relevance or 0) < MIN_RELEVANCE and hashtag is None:
            continue
        if t.hashtag in flagged:
            dropped.append(f"#{t.hashtag}: {flagged[t.hashtag]}")
            continue
        if t.fading:
            fading.append(
                f"#{t.hashtag} ({_human(t.pace_recent)} views/day in its last "
                f"{FADE_DAYS} measured days against {_human(t.pace_before)} before)"
            )
            continue
        if t.stalled:
            fading.append(f"#{t.hashtag} (stalled: 7-day growth {(t.growth or 0) * 100:+.0f}%)")
            continue
        usable.append(t)
    if fading:
        notes.append(
            "left out as fading or stalled (labelled emerging or rising, but the last "
            f"{FADE_DAYS} days run under {FADE_RATIO:.0%} of the pace before, or the last 7 "
            "days grew no more than the 7 before): " + ", ".join(fading)
        )

    # 2.-4. every possible (hashtag, format) pair, with its seeds and forecast
    unusable: dict[str, str] = {}
    for f in fmts:
        if f.fit(brief.objective) is None:
            unusable[f.id] = f"made for {', '.join(f.objectives)}, not {brief.objective}"
        elif "brand_hashtag" in f.needs and not brand_hashtag:
            unusable[f.id] = "needs a branded hashtag (brand_hashtag in the brief)"
        elif "product" in f.needs and not product:
            unusable[f.id] = "needs a product (product in the brief)"
    pairs: list[_Pair] = []
    short: dict[str, int] = {}
    for t in usable:
        for f in fmts:
            if f.id in unusable or t.label not in f.lifecycles:
                continue
            if "tag_creators" in f.needs and not any(c.tags.get(t.hashtag) for c in seeds):
                continue
            wanted = min(max(brief.creators_wanted, f.min_seeds), f.max_seeds)
            picks, _ = pick_seeds(seeds, t.hashtag, wanted, brief.budget)
            if len(picks) < f.min_seeds:
                short[f.id] = f.min_seeds
                continue
            fc = forecast(picks, brief.currency)
            pairs.append(_Pair(t, f, picks, fc, outcome(brief.objective, fc)))
    for fid, need in short.items():
        if not any(p.fmt.id == fid for p in pairs):
            unusable.setdefault(fid, f"needs at least {need} seed creators with a forecast and a "
                                f"price in {brief.currency} within the budget")  # fmt: skip
    for f in fmts:
        if f.id not in unusable and not any(p.fmt.id == f.id for p in pairs):
            unusable[f.id] = ("no related hashtag is " + " or ".join(f.lifecycles)
                              + (" with creators posting under it" if "tag_creators" in f.needs
                                 else ""))  # fmt: skip

    # 5. score
    best = max((p.outcome for p in pairs), default=0.0)
    for p in pairs:
        fit = p.fmt.fit(brief.objective)
        assert fit is not None
        p.parts = {
            "outcome": p.outcome / best if best > 0 else 0.0,
            "freshness": freshness(p.tag),
            "relevance": NO_NICHE_RELEVANCE if p.tag.relevance is None else p.tag.relevance,
            "seeded": sum(1 for s in p.seeds if s.posts_under_tag) / len(p.seeds),
            "format_fit": fit,
        }
        p.score = sum(WEIGHTS[k] * v for k, v in p.parts.items())

    # 6. order: one idea per hashtag (unless a hashtag was asked for), formats mixed
    remaining = sorted(pairs, key=lambda p: (-p.score, p.tag.hashtag, p.fmt.id))
    order: list[_Pair] = []
    if hashtag is not None:
        order = remaining
    else:
        used_tags: set[str] = set()
        uses: dict[str, int] = {}
        while True:
            open_ = [p for p in remaining if p.tag.hashtag not in used_tags]
            if not open_:
                break
            chosen = min(open_, key=lambda p: (-p.score * VARIETY ** uses.get(p.fmt.id, 0),
                                               p.tag.hashtag, p.fmt.id))  # fmt: skip
            order.append(chosen)
            used_tags.add(chosen.tag.hashtag)
            uses[chosen.fmt.id] = uses.get(chosen.fmt.id, 0) + 1

    window = order[page * per_page : (page + 1) * per_page]
    primaries = {p.tag.hashtag for p in order}  # on every page: one hashtag, one idea
    pool = _niche_pool(tags, brief)
    ideas = []
    for n, p in enumerate(window, start=page * per_page + 1):
        ideas.append(_idea(n, p, brief, pool, primaries, flagged, brand_hashtag, as_of))
    if not pairs:
        if hashtag is not None and not usable:
            why = f"#{hashtag} cannot carry an idea (declining, unknown, flagged or not found)"
        elif not usable:
            why = "no hashtag related to the brief is emerging, rising, peaking or evergreen"
        else:
            why = "no format fits the brief and these hashtags (see why each format was not used)"
        notes.append(f"no idea fits: {why}")
    return Selection(ideas, len(order), page, per_page, len(usable), notes, dropped, unusable)


def _idea(
    position: int,
    p: _Pair,
    brief: Brief,
    pool: Sequence[TrendTag],
    primaries: set[str],
    flagged: Mapping[str, str],
    brand_hashtag: str | None,
    as_of: dt.date,
) -> IdeaPlan:
    niche: list[str] = []
    dropped: list[str] = []
    fallback = [TrendTag(n.replace(" ", ""), "evergreen") for n in brief.niches]
    for t in [*pool, *fallback]:
        if len(niche) >= NICHE_TAGS:
            break
        name = t.hashtag
        if name in primaries or f"#{name}" in niche or not name:
            continue
        if name in flagged:
            dropped.append(f"#{name}: {flagged[name]}")
            continue
        niche.append(f"#{name}")
    tags = HashtagSet(
        branded=[f"#{brand_hashtag}"] if brand_hashtag else [],
        trending=[f"#{p.tag.hashtag}"],
        niche=niche,
        dropped=dropped,
    )
    risks = _risks(p.tag, p.seeds, p.fc, brief)
    if dropped:
        risks.append("left out of the hashtag set: " + "; ".join(dropped))
    on_tag = sum(1 for s in p.seeds if s.posts_under_tag)
    why = (
        f"score {p.score:.2f} = "
        + " + ".join(f"{WEIGHTS[k]:.2f} x {k.replace('_', ' ')} {p.parts[k]:.2f}" for k in WEIGHTS)
        + f"; {on_tag} of {len(p.seeds)} seeds already post under #{p.tag.hashtag}"
    )
    return IdeaPlan(
        position=position,
        format=p.fmt,
        trend=p.tag,
        seeds=p.seeds,
        forecast=p.fc,
        timing=timing(p.tag, as_of),
        hashtags=tags,
        score=p.score,
        parts=dict(p.parts),
        outcome=p.outcome,
        outcome_name=OUTCOME_NAMES[brief.objective],
        risks=risks,
        why=why,
    )
