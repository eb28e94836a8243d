"""Hashtag trend analytics: pure, vectorised numpy over a hashtags x days matrix.

Input is a long frame with one row per hashtag and day: the hashtag's key, the date, its
*cumulative* all-time views that day, and optionally cumulative posts, its best rank on a
top list that day, and a ``zero_gaps`` flag (see *Gaps*). :func:`analyse` returns a
:class:`TrendResult`: per hashtag a row of numbers, a lifecycle label and breakout flags, and
the daily series behind them. Nothing here reads a file or a database. ``as_of`` replays a
past day: rows dated after it are dropped before anything is computed, so a replay sees
exactly what was known that day. Days are UTC calendar days.

Daily views and gaps
--------------------
Daily views on day t = cumulative views(t) - cumulative views(the previous observed day).

- **Gaps.** When the previous observation is k > 1 days back, the difference is spread evenly
  over those k days (each gets difference / k) and all k days are marked *estimated*: the
  series and the chart show them as such and ``estimated_days`` counts them. The total over a
  gap is exact, only its split over the days is not. A gap longer than ``max_gap_days`` (7)
  is spread and marked too, but says nothing about the curve's shape inside it: its days
  (``long_gap_days``) are left out of every statistic below, as if unknown. Days before a
  hashtag's first observation and after its last one are unknown (NaN), never zero.
- **zero_gaps.** In series derived from a workspace's own videos (source ``videos``) a
  missing day means "no new post that day", not missing data: such a series starts from 0
  the day before its first row and carries its cumulative forward (0 new views) over days
  without a row, up to ``as_of``; none of its days is estimated.
- **Corrections.** A cumulative count below an earlier one (rounding, removed videos, a
  stale mirror) is taken as the earlier one (running maximum), so the dip shows as a day
  with no new views; ``corrected_days`` counts them.
- **Resolution.** Platforms round totals (2.4B is shown to the nearest 100M), so a big tag's
  daily delta is 0 or a multiple of one rounding step. ``resolution`` is that step: the
  largest power of ten dividing every non-zero cumulative value of the last 28 days (1 for
  exact counts). Levels are trailing means over ``smooth_window`` =
  ``clip(ceil(steps_per_window x resolution / rate28), 7, 28)`` days, rate28 being the mean
  daily views of the last 28 days, so one rounding step moves a level by at most 1/6.

Numbers per hashtag
-------------------
"Known days" below are days with a daily value, long-gap days excluded.

- ``views_{W}d`` / ``posts_{W}d``: sum of the daily values over the known days among the last
  W days up to ``as_of`` (W in ``periods``: 7, 30, 120), ``days_{W}d`` how many days that is,
  and ``views_prev_{W}d`` / ``days_prev_{W}d`` the same for the W days before.
- ``growth_{W}d`` = (mean daily views over the known days of the last W days) / (the same
  over the W days before) - 1. None (NaN) when either period has fewer than
  ``ceil(min_coverage x W)`` known days or the previous period had no views at all.
- ``views_per_post`` = cumulative views / cumulative posts on the newest day both are known;
  ``views_per_post_{W}d`` = views_{W}d / posts_{W}d (views gained per post added).
- ``level`` = mean daily views over the last ``smooth_window`` days (the current pace), or over
  the last ``recent_days`` (14) when the window holds fewer than half its days.
  ``smoothed`` is that trailing mean on each day.
- ``momentum`` = exp(b) - 1, b being the least-squares slope of ln(smoothed daily views)
  against the day over the last ``momentum_days`` (14) days (at least 4 points): the
  average change per day, 0.05 = +5 %/day. A smoothed value of 0 counts as half a rounding
  step per window. A series too short for 4 smoothed points uses ln(daily views) itself (at
  least 3 days, only where a day's views are at least 10 rounding steps); ``momentum_basis``
  says which.
- ``acceleration`` = momentum over the last 7 days - momentum over the 7 days before (the same
  fit on 7 days each, at least 3 points): > 0 when the change speeds up.
- ``peak`` = the highest smoothed daily views of the last ``peak_days`` (120), ``peak_age`` how
  many days ago; ``climb_low`` = the lowest smoothed value in the ``climb_days`` (30) before it.
- ``age_days`` = cumulative views / level: how many days the tag's all-time views would take
  at today's pace. A tag whose history fits in ``young_days`` (45) is *young*; one above
  ``old_days`` (90), or with at least ``old_history_days`` (60) known days, is *old*. This
  holds whatever our data's first day is: an imported history starts when the export did.

Lifecycle label (the first rule that applies wins)
--------------------------------------------------
Thresholds are :class:`TrendParams` fields; momentum is per day; rel = level / peak.

1. **Too little data** -> ``unknown`` ("not enough data"): no daily value in the last
   ``stale_days`` (3), or fewer than ``min_recent_days`` (3) in the last ``recent_days`` (14),
   or no measurable views (the last 28 days add up to fewer than ``min_steps`` (4) rounding
   steps). Exception: a tag first seen in the last 14 days, young, with a value in the last
   3 days is **emerging** (only a new tag gets a label from so little data).
2. **declining**: momentum <= ``fall`` (-3 %/day), or rel <= ``drop_frac`` (0.5) without a
   rebound (momentum below ``rebound``, +4 %/day).
3. **emerging**: young, and at its high so far (rel >= 0.9) or rising (momentum >= ``rise``,
   +2 %/day). A young tag already well off its high goes on to the rules below.
4. **rising**: momentum >= ``rise`` and 7-day growth not negative.
5. **peaking**: it climbed and stopped: the peak is at most ``peak_recent_days`` (14) days old
   or rel >= 0.9, the smoothed views were at most ``climb_frac`` (half) of the peak in the 30
   days before it, and momentum is below ``rise``.
6. **evergreen**: old and steady (|momentum| < ``rise``).
7. Otherwise (neither young nor old, flat): **peaking** when rel >= ``plateau_frac`` (0.75), a
   plateau at its high; else **declining**, settled below its high.

Breakouts (flags with reasons)
------------------------------
- **new on the list**: a rank on a day in the last ``new_on_list_days`` (3) days and none in
  the ``list_memory_days`` (30) days before, while the list itself was observed on at least
  half of those days (else nothing can be said and no flag is raised).
- **spike**: the newest measured (not estimated) daily views x, from one of the last two
  days, far above the tag's own history: with m and MAD the median and the median absolute
  deviation of its measured daily views over the ``spike_history_days`` (60) days before (at
  least ``spike_min_history`` (14) of them): x - m > ``spike_mads`` (5) x 1.4826 x MAD, and
  x > ``spike_ratio`` (3) x m, and x - m > ``spike_min_steps`` (3) rounding steps.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

LABELS = ("emerging", "rising", "peaking", "declining", "evergreen", "unknown")

LABEL_HELP = {
    "emerging": "new: its all-time views fit in a few weeks at today's pace, and growing",
    "rising": "daily views growing steadily",
    "peaking": "climbed and stopped growing, at or near its high",
    "declining": "daily views falling, or well below its recent high",
    "evergreen": "long-lived and steady",
    "unknown": "not enough data to tell",
}

EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class TrendParams:
    """Windows and thresholds of the trend rules (see the module docstring)."""

    periods: tuple[int, ...] = (7, 30, 120)
    history_days: int = 400
    max_gap_days: int = 7
    smooth_days: int = 7
    max_smooth_days: int = 28
    steps_per_window: float = 6.0
    resolution_days: int = 28
    momentum_days: int = 14
    min_momentum_points: int = 4
    resolvable_steps: float = 10.0
    min_coverage: float = 0.25
    recent_days: int = 14
    min_recent_days: int = 3
    stale_days: int = 3
    min_steps: float = 4.0
    young_days: float = 45.0
    old_days: float = 90.0
    old_history_days: int = 60
    rise: float = 0.02
    rebound: float = 0.04
    fall: float = -0.03
    drop_frac: float = 0.5
    peak_days: int = 120
    peak_recent_days: int = 14
    near_peak_frac: float = 0.9
    climb_days: int = 30
    climb_frac: float = 0.5
    plateau_frac: float = 0.75
    new_on_list_days: int = 3
    list_memory_days: int = 30
    spike_history_days: int = 60
    spike_min_history: int = 14
    spike_mads: float = 5.0
    spike_ratio: float = 3.0
    spike_min_steps: float = 3.0

    def __post_init__(self) -> None:
        need = (
            max(
                2 * max(self.periods),
                self.peak_days + self.climb_days,
                self.spike_history_days + 2,
                self.new_on_list_days + self.list_memory_days,
            )
            + self.max_smooth_days
        )
        if self.history_days < need:
            raise ValueError(f"history_days must be at least {need} for these windows")

    @property
    def tail_days(self) -> int:
        """Days of smoothed values the rules look at."""
        return max(self.peak_days + self.climb_days, self.momentum_days)


@dataclass
class TrendResult:
    """Per-hashtag numbers (``summary``, indexed by key) and the daily matrices behind them.

    Row i of ``daily``, ``estimated`` and ``usable`` belongs to ``keys[i]``, column j to
    ``dates[j]`` (the last column is ``as_of``). ``daily`` is NaN where unknown; ``usable``
    is False where unknown or inside a long gap.
    """

    as_of: dt.date
    params: TrendParams
    keys: np.ndarray
    dates: pd.DatetimeIndex
    daily: np.ndarray
    estimated: np.ndarray
    usable: np.ndarray
    daily_posts: np.ndarray | None
    summary: pd.DataFrame
    _pos: dict[Any, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pos = {k: i for i, k in enumerate(self.keys.tolist())}

    def __contains__(self, key: object) -> bool:
        return key in self._pos

    def __len__(self) -> int:
        return len(self.keys)

    def series(self, key: Any, days: int | None = None) -> pd.DataFrame:
        """One hashtag's daily series: date, daily_views, estimated, smoothed (the trailing
        mean the rules use) and daily_posts, over the last ``days`` days (default: from its
        first day with a value)."""
        i = self._pos[key]
        d = self.daily[i]
        if days is None:
            known = np.flatnonzero(~np.isnan(d))
            start = int(known[0]) if len(known) else len(d) - 1
        else:
            start = max(0, len(d) - days)
        w = int(self.summary["smooth_window"].iloc[i])
        ok = self.usable[i]
        sums, counts = _trailing(np.where(ok, d, 0.0)[None, :], ok[None, :], np.array([w]))
        smoothed = np.where(counts[0] >= (w + 1) // 2, sums[0] / np.maximum(counts[0], 1), np.nan)
        out = pd.DataFrame(
            {
                "date": self.dates[start:],
                "daily_views": d[start:],
                "estimated": self.estimated[i, start:],
                "smoothed": smoothed[start:],
            }
        )
        out["daily_posts"] = self.daily_posts[i, start:] if self.daily_posts is not None else np.nan
        return out

    def label_reason(self, key: Any) -> str:
        return label_reason(self.summary.loc[key], self.params)

    def breakout_reasons(self, key: Any) -> list[str]:
        return breakout_reasons(self.summary.loc[key], self.params)


# --- small vectorised helpers ---------------------------------------------------------------


def day_numbers(values: Any) -> np.ndarray:
    """Dates (date objects, ISO strings or datetime64) -> days since 1970-01-01 (int64)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        return s.to_numpy().astype("datetime64[D]").astype(np.int64)
    arr = s.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr)  # dates repeat a lot: convert each distinct one once
    conv = np.array([_one_day(u) for u in uniques], dtype=np.int64)
    return conv[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _one_day(v: Any) -> int:
    if isinstance(v, dt.datetime):
        v = (v.astimezone(dt.UTC) if v.tzinfo else v).date()
    elif not isinstance(v, dt.date):
        v = dt.date.fromisoformat(str(v)[:10])
    return (v - EPOCH).days


def _trailing(x: np.ndarray, known: np.ndarray, windows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per row, for every column t: sum of x and count of known over columns (t - w, t]."""
    n, t = x.shape
    cs = np.zeros((n, t + 1))
    np.cumsum(x, axis=1, out=cs[:, 1:])
    cc = np.zeros((n, t + 1), dtype=np.int32)
    np.cumsum(known, axis=1, out=cc[:, 1:], dtype=np.int32)
    lo = np.maximum(np.arange(1, t + 1, dtype=np.int32)[None, :] - windows[:, None], 0)
    return (cs[:, 1:] - np.take_along_axis(cs, lo, axis=1),
            cc[:, 1:] - np.take_along_axis(cc, lo, axis=1))  # fmt: skip


def _slope(y: np.ndarray, mask: np.ndarray, min_points: int) -> np.ndarray:
    """Least-squares slope of y against the column index, per row, over the masked cells."""
    x = np.arange(y.shape[1], dtype=np.float64)[None, :]
    m = mask.astype(np.float64)
    yy = np.where(mask, y, 0.0)
    n = m.sum(axis=1)
    sx, sy = (m * x).sum(axis=1), yy.sum(axis=1)
    sxx, sxy = (m * x * x).sum(axis=1), (yy * x).sum(axis=1)
    den = n * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        b = (n * sxy - sx * sy) / den
    return np.where((n >= min_points) & (den > 0), b, np.nan)


def _ratio(a: Any, b: Any) -> np.ndarray:
    """a / b where b > 0, else NaN."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = b > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, a / np.where(ok, b, 1.0), np.nan)


def _resolution(cum: np.ndarray) -> np.ndarray:
    """Per row, the decimal rounding step of the cumulative values: the largest 10^k (k <= 12)
    dividing every non-zero one (2.4B and 173.2B -> 100M, 140.2M -> 100K, exact counts -> 1).
    NaN for a row without a non-zero value."""
    v = np.where(cum > 0, np.round(cum), np.nan)
    has = ~np.isnan(v).all(axis=1)
    k = np.zeros(len(v))
    alive = np.flatnonzero(has)
    vv = v[alive]
    for e in range(1, 13):
        with np.errstate(invalid="ignore"):
            ok = (np.isnan(vv) | (np.fmod(vv, 10.0**e) == 0)).all(axis=1)
        alive, vv = alive[ok], vv[ok]
        if not len(alive):
            break
        k[alive] = e
    return np.where(has, 10.0**k, np.nan)


@dataclass
class _Series:
    daily: np.ndarray  # (n, t) daily values, NaN unknown
    estimated: np.ndarray  # (n, t) spread over a gap
    usable: np.ndarray  # (n, t) known and not inside a long gap
    long_gap: np.ndarray  # (n, t)
    cum_tail: np.ndarray  # (n, resolution_days) cumulative values, NaN where not observed
    cum_last: np.ndarray  # (n,) newest observed cumulative value (NaN: none)
    last_col: np.ndarray  # (n,) column of the newest observation (-1: none; 0 = anchor)
    corrected: np.ndarray  # (n,) days whose cumulative went down
    shape: _Shape


@dataclass
class _Shape:
    """Where the observations are: for each day, whether it lies between two observations
    (``valid``) and how far apart those are (``gap``). Views and posts observed on the same
    days share one."""

    obs: np.ndarray  # (n, t + 1)
    valid: np.ndarray  # (n, t)
    gap: np.ndarray  # (n, t)
    last_col: np.ndarray  # (n,) column of the newest observation, -1 if none

    @classmethod
    def of(cls, obs: np.ndarray) -> _Shape:
        ncol = obs.shape[1]
        ar = np.arange(ncol, dtype=np.int32)[None, :]
        last_idx = np.maximum.accumulate(np.where(obs, ar, np.int32(-1)), axis=1)
        next_idx = np.minimum.accumulate(np.where(obs, ar, np.int32(ncol))[:, ::-1], axis=1)
        prev, nxt = last_idx[:, :-1], next_idx[:, ::-1][:, 1:]
        valid = (prev >= 0) & (nxt < ncol)
        return cls(obs, valid, nxt - prev, last_idx[:, -1].astype(np.int64))


def _series(
    codes: np.ndarray,
    days: np.ndarray,
    values: np.ndarray,
    n: int,
    start: int,
    t: int,
    zero_gaps: np.ndarray,
    p: TrendParams,
    shape: _Shape | None = None,
) -> _Series:
    """Cumulative observations -> daily values with the gap rules of the module docstring.

    Column 0 of the working matrix is the day before the window (``start - 1``): it holds the
    newest observation before the window, moved onto that day along the straight line to the
    first observation inside it (exactly the even spread), so the window's first segment is
    what it would be without the window."""
    ok = ~np.isnan(values)
    if not ok.all():
        codes, days, values = codes[ok], days[ok], values[ok]
    ncol = t + 1
    col = days - (start - 1)
    inw = col >= 1
    cum = np.full((n, ncol), np.nan)
    if inw.all():
        cum[codes, col] = values
    else:
        cum[codes[inw], col[inw]] = values[inw]
    obs = ~np.isnan(cum)
    first_long = np.zeros(n, dtype=bool)  # rows whose first segment is a spread long gap
    first_est = np.zeros(n, dtype=bool)
    first_col = np.zeros(n, dtype=np.int64)

    if not inw.all():
        b_codes, b_days, b_vals = codes[~inw], days[~inw], values[~inw]
        order = np.lexsort((b_days, b_codes))
        b_codes, b_days, b_vals = b_codes[order], b_days[order], b_vals[order]
        newest = np.r_[b_codes[1:] != b_codes[:-1], True]
        a_code, a_day, a_val = b_codes[newest], b_days[newest], b_vals[newest]
        a_obs = obs[a_code]
        f_col = np.where(a_obs.any(axis=1), a_obs.argmax(axis=1), -1)
        carry = zero_gaps[a_code]
        cum[a_code[carry], 0] = a_val[carry]  # a videos series carries forward
        spread = ~carry & (f_col > 0)
        c, f = a_code[spread], f_col[spread]
        f_day = start - 1 + f
        f_val = cum[c, f]
        span = f_day - a_day[spread]
        cum[c, 0] = a_val[spread] + (f_val - a_val[spread]) * ((start - 1) - a_day[spread]) / span
        first_est[c] = span > 1
        first_long[c] = span > p.max_gap_days
        first_col[c] = f
        obs = ~np.isnan(cum)

    if zero_gaps.any():
        z = np.flatnonzero(zero_gaps & obs.any(axis=1))
        zc = cum[z]
        zo = ~np.isnan(zc)
        fc = zo.argmax(axis=1)
        sel = (fc > 0) & ~zo[:, 0]
        zc[np.flatnonzero(sel), fc[sel] - 1] = 0.0  # starts from 0 the day before its first row
        zo = ~np.isnan(zc)
        idx = np.maximum.accumulate(np.where(zo, np.arange(ncol)[None, :], -1), axis=1)
        cum[z] = np.where(idx >= 0, np.take_along_axis(zc, np.maximum(idx, 0), axis=1), np.nan)
        obs = ~np.isnan(cum)

    # Running maximum (NaN-skipping): a cumulative count never goes down. On a day without an
    # observation it is the last observed value: a forward fill for free.
    filled = np.fmax.accumulate(cum, axis=1)
    corrected = (obs & (filled > cum))[:, 1:].sum(axis=1)
    # The next observed value at or after each day (the series is monotone now).
    back = np.minimum.accumulate(np.where(obs, filled, np.inf)[:, ::-1], axis=1)[:, ::-1]

    if shape is None or not np.array_equal(shape.obs, obs):
        shape = _Shape.of(obs)
    valid, gap = shape.valid, shape.gap
    seg = back[:, 1:] - filled[:, :-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        daily = np.where(valid, seg / gap, np.nan)
    estimated = valid & (gap > 1)
    long_gap = estimated & (gap > p.max_gap_days)
    if first_est.any():
        rows = np.flatnonzero(first_est)
        first_seg = (np.arange(t)[None, :] < first_col[rows][:, None]) & valid[rows]
        estimated[rows] |= first_seg
        long_gap[rows] |= first_seg & first_long[rows][:, None]
    if zero_gaps.any():
        estimated[zero_gaps] = False
        long_gap[zero_gaps] = False
    usable = valid & ~long_gap
    tail = slice(ncol - p.resolution_days, None)
    return _Series(
        daily=daily,
        estimated=estimated,
        usable=usable,
        long_gap=long_gap,
        cum_tail=np.where(obs[:, tail], filled[:, tail], np.nan),
        cum_last=filled[:, -1],
        last_col=shape.last_col,
        corrected=corrected,
        shape=shape,
    )


# --- one series per hashtag ---------------------------------------------------------------


def choose_sources(
    frame: pd.DataFrame, *, key: str = "key", derived: Sequence[str] = ("videos",)
) -> tuple[pd.DataFrame, pd.Series]:
    """One source's series per key, when a hashtag has several (an imported daily history
    and the usage derived from stored videos, or two imports).

    Rule: an imported source wins over a derived one (``derived``: series computed from the
    workspace's own videos, which cover only the videos someone imported); among the same
    kind, the source with the most days with views wins, then the one with the newest day,
    then the first by name. Returns the rows of the chosen series, with ``zero_gaps`` True
    for derived sources (see the module docstring), and the chosen source per key.
    """
    if frame.empty:
        return frame.assign(zero_gaps=pd.Series(dtype=bool)), pd.Series(dtype=object)
    has = frame[frame["views"].notna()]
    stats = has.groupby([key, "source"], sort=False)["date"].agg(["nunique", "max"])
    stats = stats.reset_index()
    stats["derived"] = stats["source"].isin(list(derived))
    stats = stats.sort_values(
        [key, "derived", "nunique", "max", "source"],
        ascending=[True, True, False, False, True],
        kind="stable",
    )
    chosen = stats.drop_duplicates(key).set_index(key)["source"]
    pick = frame[key].map(chosen)
    rows = frame[frame["source"].to_numpy() == pick.to_numpy()]
    return rows.assign(zero_gaps=rows["source"].isin(list(derived))), chosen


# --- the analysis ---------------------------------------------------------------------------


def analyse(
    frame: pd.DataFrame,
    as_of: dt.date,
    params: TrendParams | None = None,
    *,
    key: str = "key",
    list_days: Iterable[dt.date] | None = None,
) -> TrendResult:
    """Trend numbers, lifecycle label and breakout flags per hashtag, as of ``as_of``.

    ``frame`` columns: ``key`` (any hashable), ``date``, ``views`` (cumulative); optional
    ``posts`` (cumulative), ``rank`` (best rank on a top list that day; NaN when not listed)
    and ``zero_gaps`` (bool: missing days mean no new posts, see the module docstring).
    One row per key and day is expected (for repeats, the last row wins). ``list_days``: days
    on which the top list was observed at all (default: the days with a rank in ``frame``),
    for the "new on the list" breakout. Every formula and rule is in the module docstring.
    Keys with no row up to ``as_of`` are not in the result.
    """
    p = params or TrendParams()
    as_day = (as_of - EPOCH).days
    days_all = day_numbers(frame["date"])
    keep = days_all <= as_day
    if not keep.all():
        frame, days_all = frame[keep], days_all[keep]
    codes, uniques = pd.factorize(frame[key].to_numpy(), sort=True)
    keys = np.asarray(uniques, dtype=object)
    n = len(keys)
    views_all = pd.to_numeric(frame["views"], errors="coerce").to_numpy(dtype=np.float64)
    present = ~np.isnan(views_all)

    min_day = int(days_all[present].min()) if present.any() else as_day
    # at least the days the rules look back over, so a short series is judged on the same
    # windows as a long one (the extra columns are simply unknown)
    t = int(min(p.history_days, max(as_day - min_day + 1, p.tail_days)))
    start = as_day - t + 1  # the day of column 0 of every (n, t) matrix

    zero_gaps = np.zeros(n, dtype=bool)
    if "zero_gaps" in frame and n:
        zg = frame["zero_gaps"].fillna(False).to_numpy(dtype=bool)
        zero_gaps = np.bincount(codes[zg], minlength=n) > 0

    v = _series(codes, days_all, views_all, n, start, t, zero_gaps, p)
    daily, usable = v.daily, v.usable
    rows = np.arange(n)

    # Seen: first / last day with views, and the number of such days.
    pc, pd_ = codes[present], days_all[present]
    data_days = np.bincount(pc, minlength=n)
    first_seen = np.full(n, np.iinfo(np.int64).max)
    last_seen = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first_seen, pc, pd_)
    np.maximum.at(last_seen, pc, pd_)

    # Cumulative sums: every window sum is a difference of two columns.
    x = np.where(usable, daily, 0.0)
    cs = np.zeros((n, t + 1))
    np.cumsum(x, axis=1, out=cs[:, 1:])
    cc = np.zeros((n, t + 1), dtype=np.int32)
    np.cumsum(usable, axis=1, out=cc[:, 1:], dtype=np.int32)

    def window(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Sum and count of the usable daily values over columns [lo, hi)."""
        lo, hi = max(lo, 0), max(hi, 0)
        return cs[:, hi] - cs[:, lo], (cc[:, hi] - cc[:, lo]).astype(np.int64)

    resolution = _resolution(v.cum_tail)
    s28, c28 = window(t - 28, t)
    rate28 = _ratio(s28, c28)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.ceil(p.steps_per_window * resolution / rate28)
    need = np.where(np.isnan(resolution), p.smooth_days, need)
    need = np.where(np.isfinite(need), need, p.max_smooth_days)
    win = np.clip(need, p.smooth_days, p.max_smooth_days).astype(np.int32)

    # Smoothed daily views over the tail the rules look at.
    tail = min(p.tail_days, t)
    hi = np.arange(t - tail + 1, t + 1, dtype=np.int32)[None, :]
    lo = np.maximum(hi - win[:, None], 0)
    ssum = cs[:, t - tail + 1 :] - np.take_along_axis(cs, lo, axis=1)
    scnt = cc[:, t - tail + 1 :] - np.take_along_axis(cc, lo, axis=1)
    sm_ok = scnt >= ((win + 1) // 2)[:, None]
    smoothed = np.where(sm_ok, ssum / np.maximum(scnt, 1), np.nan)

    s_rec, c_rec = window(t - p.recent_days, t)
    _, c_fresh = window(t - p.stale_days, t)
    level = np.where(sm_ok[:, -1], smoothed[:, -1], _ratio(s_rec, c_rec))

    # Momentum and acceleration: least-squares slopes of ln(smoothed daily views).
    floor = np.where(np.isnan(resolution), 1.0, np.maximum(resolution / (2 * win), 1.0))
    md = min(p.momentum_days, tail)
    logs = np.log(np.maximum(np.nan_to_num(smoothed[:, -md:]), floor[:, None]))
    okm = sm_ok[:, -md:]
    b = _slope(logs, okm, p.min_momentum_points)
    raw_ok = usable[:, -md:]
    raw_floor = np.where(np.isnan(resolution), 1.0, np.maximum(resolution / 2, 1.0))
    raw_logs = np.log(np.maximum(np.where(raw_ok, daily[:, -md:], 0.0), raw_floor[:, None]))
    fine = np.isnan(resolution) | (level >= p.resolvable_steps * resolution)
    b_raw = np.where(fine, _slope(raw_logs, raw_ok, 3), np.nan)
    basis = np.where(~np.isnan(b), "smoothed", np.where(np.isnan(b_raw), "", "daily"))
    momentum = np.expm1(np.where(np.isnan(b), b_raw, b))
    half = md // 2
    b1 = _slope(logs[:, -half:], okm[:, -half:], 3)
    b0 = _slope(logs[:, :-half], okm[:, :-half], 3)
    acceleration = np.expm1(b1) - np.expm1(b0)

    # Peak over the last peak_days, and the low of the climb before it.
    pk = smoothed[:, -min(p.peak_days, tail) :]
    pk_fill = np.where(np.isnan(pk), -np.inf, pk)
    pk_arg = pk_fill.argmax(axis=1)
    pk_any = np.isfinite(pk_fill[rows, pk_arg]) if n else np.zeros(0, dtype=bool)
    peak = np.fmax(np.where(pk_any, pk_fill[rows, pk_arg] if n else 0.0, np.nan), level)
    peak_col = tail - pk.shape[1] + pk_arg  # in tail coordinates
    peak_age = np.where(pk_any, (tail - 1) - peak_col, np.nan)
    tcols = np.arange(tail)[None, :]
    climb_mask = (tcols >= (peak_col - p.climb_days)[:, None]) & (tcols < peak_col[:, None])
    climb_low = np.where(climb_mask & sm_ok, smoothed, np.inf).min(axis=1)
    climb_low = np.where(np.isfinite(climb_low), climb_low, np.nan)

    age_days = _ratio(v.cum_last, level)
    age_days = np.where((level == 0) & (v.cum_last > 0), np.inf, age_days)

    out: dict[str, Any] = {
        "data_days": data_days,
        "days_known": cc[:, t].astype(np.int64),
        "estimated_days": v.estimated.sum(axis=1),
        "long_gap_days": v.long_gap.sum(axis=1),
        "corrected_days": v.corrected,
        "zero_gaps": zero_gaps,
        "cumulative_views": v.cum_last,
        "resolution": resolution,
        "smooth_window": win.astype(np.int64),
        "level": level,
        "peak": peak,
        "peak_age": peak_age,
        "climb_low": climb_low,
        "momentum": momentum,
        "momentum_basis": basis,
        "acceleration": acceleration,
        "age_days": age_days,
        "recent_days_known": c_rec,
        "fresh_days_known": c_fresh,
        "views_28d_steps": _ratio(s28, resolution),
        "new_days": np.where(data_days > 0, as_day - first_seen, np.iinfo(np.int64).max),
    }
    for w in p.periods:
        s1, k1 = window(t - w, t)
        s0, k0 = window(t - 2 * w, t - w)
        need_days = max(1, math.ceil(p.min_coverage * w))
        m1, m0 = _ratio(s1, k1), _ratio(s0, k0)
        ok = (k1 >= need_days) & (k0 >= need_days) & (m0 > 0)
        out[f"views_{w}d"] = np.where(k1 > 0, s1, np.nan)
        out[f"days_{w}d"] = k1
        out[f"views_prev_{w}d"] = np.where(k0 > 0, s0, np.nan)
        out[f"days_prev_{w}d"] = k0
        out[f"mean_{w}d"] = m1
        out[f"mean_prev_{w}d"] = m0
        out[f"growth_{w}d"] = np.where(ok, _ratio(m1, m0) - 1.0, np.nan)
        out[f"estimated_{w}d"] = v.estimated[:, max(t - w, 0) :].sum(axis=1)

    daily_posts = None
    posts_all = (
        pd.to_numeric(frame["posts"], errors="coerce").to_numpy(dtype=np.float64)
        if "posts" in frame
        else None
    )
    if posts_all is not None and not np.isnan(posts_all).all():
        ps = _series(codes, days_all, posts_all, n, start, t, zero_gaps, p, v.shape)
        daily_posts = ps.daily
        for w in p.periods:
            lo_w = max(t - w, 0)
            pk_w = ps.usable[:, lo_w:]
            k1 = pk_w.sum(axis=1)
            posts_w = np.where(k1 > 0, np.where(pk_w, ps.daily[:, lo_w:], 0.0).sum(axis=1), np.nan)
            out[f"posts_{w}d"] = posts_w
            out[f"views_per_post_{w}d"] = _ratio(out[f"views_{w}d"], posts_w)
        # newest day on which both cumulative counts are known
        both = (v.last_col == ps.last_col) & (v.last_col >= 0)
        out["cumulative_posts"] = ps.cum_last
        out["views_per_post"] = np.where(both, _ratio(v.cum_last, ps.cum_last), np.nan)
    else:
        out["cumulative_posts"] = np.full(n, np.nan)
        out["views_per_post"] = np.full(n, np.nan)
        for w in p.periods:
            out[f"posts_{w}d"] = np.full(n, np.nan)
            out[f"views_per_post_{w}d"] = np.full(n, np.nan)

    out.update(_new_on_list(frame, codes, days_all, n, as_day, list_days, p))
    out.update(_spikes(daily, usable, v.estimated, resolution, p))
    out["breakout"] = out["breakout_new"] | out["breakout_spike"]

    summary = pd.DataFrame(out, index=pd.Index(keys, name=key))
    summary["label"], summary["label_rule"] = _labels(summary, p)
    seen = data_days > 0
    for name, d in (("first_seen", first_seen), ("last_seen", last_seen)):
        as_dates = np.where(seen, d, 0).astype("datetime64[D]").astype(object)
        summary[name] = np.where(seen, as_dates, None)
    dates = pd.date_range(pd.Timestamp(EPOCH) + pd.Timedelta(days=start), periods=t, freq="D")
    return TrendResult(
        as_of=as_of,
        params=p,
        keys=keys,
        dates=dates,
        daily=daily,
        estimated=v.estimated,
        usable=usable,
        daily_posts=daily_posts,
        summary=summary,
    )


def _new_on_list(
    frame: pd.DataFrame,
    codes: np.ndarray,
    days: np.ndarray,
    n: int,
    as_day: int,
    list_days: Iterable[dt.date] | None,
    p: TrendParams,
) -> dict[str, np.ndarray]:
    """The "new on the list" breakout over the last new_on_list_days + list_memory_days."""
    span = p.new_on_list_days + p.list_memory_days
    out = {
        "breakout_new": np.zeros(n, dtype=bool),
        "entered_list": np.full(n, np.nan),
        "entry_rank": np.full(n, np.nan),
        "rank_last": np.full(n, np.nan),
        "list_days_observed": np.zeros(n, dtype=np.int64),
    }
    if "rank" not in frame or not n:
        return out
    rank = pd.to_numeric(frame["rank"], errors="coerce").to_numpy(dtype=np.float64)
    ranked_rows = ~np.isnan(rank)
    if not ranked_rows.any():
        return out
    # newest rank of each key, whenever it was
    rc, rd, rv = codes[ranked_rows], days[ranked_rows], rank[ranked_rows]
    order = np.lexsort((rd, rc))
    newest = np.r_[rc[order][1:] != rc[order][:-1], True]
    out["rank_last"][rc[order][newest]] = rv[order][newest]
    col = rd - (as_day - span + 1)
    inw = col >= 0
    rk = np.full((n, span), np.nan)
    rk[rc[inw], col[inw]] = rv[inw]
    ranked = ~np.isnan(rk)
    seen = np.zeros(span, dtype=bool)
    if list_days is None:
        seen |= ranked.any(axis=0)
    else:
        ld = np.array([(d - EPOCH).days for d in list_days], dtype=np.int64) - (as_day - span + 1)
        seen[ld[(ld >= 0) & (ld < span)]] = True
    memory = slice(0, p.list_memory_days)
    recent = ranked[:, p.list_memory_days :]
    in_recent = recent.any(axis=1)
    before = ranked[:, memory].any(axis=1)
    observed = int(seen[memory].sum())
    enough = observed * 2 >= p.list_memory_days
    entry_col = p.list_memory_days + recent.argmax(axis=1)
    rows = np.arange(n)
    out.update(
        breakout_new=in_recent & ~before & enough,
        entered_list=np.where(in_recent, entry_col - (span - 1), np.nan),  # 0 = as_of
        entry_rank=np.where(in_recent, rk[rows, entry_col], np.nan),
        list_days_observed=np.full(n, observed, dtype=np.int64),
    )
    return out


def _spikes(
    daily: np.ndarray,
    usable: np.ndarray,
    estimated: np.ndarray,
    resolution: np.ndarray,
    p: TrendParams,
) -> dict[str, np.ndarray]:
    """The "spike" breakout: the newest measured day against the tag's own history."""
    n, t = daily.shape
    h = p.spike_history_days
    width = min(t, h + 2)
    d = daily[:, -width:]
    measured = usable[:, -width:] & ~estimated[:, -width:]
    use = np.where(measured[:, -1], width - 1, width - 2)  # newest measured of the last two
    rows = np.arange(n)
    ok_use = use >= 0
    use_c = np.maximum(use, 0)
    has = ok_use & measured[rows, use_c] if n else np.zeros(0, dtype=bool)
    x = np.where(has, d[rows, use_c], np.nan) if n else np.zeros(0)
    cols = np.arange(width)[None, :]
    hist_mask = measured & (cols < use[:, None]) & (cols >= (use - h)[:, None])
    n_hist = hist_mask.sum(axis=1)
    enough = has & (n_hist >= p.spike_min_history)
    med = np.full(n, np.nan)
    mad = np.full(n, np.nan)
    if enough.any():
        hh = np.where(hist_mask[enough], d[enough], np.nan)
        m = np.nanmedian(hh, axis=1)
        med[enough] = m
        mad[enough] = np.nanmedian(np.abs(hh - m[:, None]), axis=1)
    steps = np.where(np.isnan(resolution), 0.0, resolution)
    excess = x - med
    with np.errstate(invalid="ignore"):
        spike = (
            enough
            & (excess > p.spike_mads * 1.4826 * mad)
            & (x > p.spike_ratio * med)
            & (excess > p.spike_min_steps * steps)
        )
    return {
        "breakout_spike": spike,
        "spike_views": np.where(enough, x, np.nan),
        "spike_day": np.where(enough, use - (width - 1), np.nan),  # 0 = as_of, -1 the day before
        "spike_median": med,
        "spike_mad": mad,
    }


def _labels(s: pd.DataFrame, p: TrendParams) -> tuple[np.ndarray, np.ndarray]:
    """The lifecycle label and the rule that gave it (rules 1-7 of the module docstring)."""
    mom = s["momentum"].to_numpy()
    level, peak = s["level"].to_numpy(), s["peak"].to_numpy()
    age = s["age_days"].to_numpy()
    growth7 = s[f"growth_{p.periods[0]}d"].to_numpy()
    rel = _ratio(level, peak)
    young = age <= p.young_days
    old = (age >= p.old_days) | (s["days_known"].to_numpy() >= p.old_history_days)
    stale = s["fresh_days_known"].to_numpy() == 0
    with np.errstate(invalid="ignore"):
        thin = (
            stale
            | (s["recent_days_known"].to_numpy() < p.min_recent_days)
            | np.isnan(level)
            | ~(peak > 0)  # no measurable daily views at all
            | (s["views_28d_steps"].to_numpy() < p.min_steps)  # below the data's rounding
        )
        new = s["new_days"].to_numpy() <= p.recent_days
        declining = (mom <= p.fall) | ((rel <= p.drop_frac) & ~(mom >= p.rebound))
        emerging = young & ((rel >= p.near_peak_frac) | (mom >= p.rise))
        rising = (mom >= p.rise) & ~(growth7 < 0)
        flat = ~(mom >= p.rise)  # NaN momentum counts as flat
        near_peak = (s["peak_age"].to_numpy() <= p.peak_recent_days) | (rel >= p.near_peak_frac)
        climbed = _ratio(s["climb_low"].to_numpy(), peak) <= p.climb_frac
        peaking = near_peak & climbed & flat
        evergreen = old & (np.abs(np.nan_to_num(mom)) < p.rise)
        plateau = rel >= p.plateau_frac
    conds = [thin & young & new & ~stale, thin, declining, emerging, rising, peaking, evergreen,
             plateau]  # fmt: skip
    labels = ["emerging", "unknown", "declining", "emerging", "rising", "peaking", "evergreen",
              "peaking"]  # fmt: skip
    rules = ["new_thin", "thin", "declining", "young", "rising", "peaking", "evergreen",
             "plateau"]  # fmt: skip
    return (np.select(conds, labels, default="declining"),
            np.select(conds, rules, default="below_high"))  # fmt: skip


# --- explanations ---------------------------------------------------------------------------


def _pct(x: float, digits: int = 0) -> str:
    return f"{x * 100:+.{digits}f}%"


def _num(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:.1f}{suffix}"
    return f"{x:,.0f}"


def label_reason(row: pd.Series, p: TrendParams | None = None) -> str:
    """Why a hashtag got its label, with the numbers that decided it."""
    p = p or TrendParams()
    rule = row["label_rule"]
    mom = row["momentum"]
    mom_s = "momentum n/a" if pd.isna(mom) else f"momentum {_pct(mom, 1)}/day"
    level, peak, age = row["level"], row["peak"], row["age_days"]
    rel = level / peak if not pd.isna(peak) and peak > 0 and not pd.isna(level) else math.nan
    pace = f"{_num(level)} views/day now"
    age_s = (
        "" if pd.isna(age) or math.isinf(age) else f"all-time views = {age:,.0f} days at this pace"
    )
    rel_s = "" if math.isnan(rel) else f"{rel * 100:.0f}% of its {p.peak_days}-day high"
    if rule == "new_thin":
        return f"new (first seen {row['first_seen']}); {age_s}; only a few days of data so far"
    if rule == "thin":
        if row["fresh_days_known"] == 0:
            return f"not enough data: no daily views in the last {p.stale_days} days " + (
                f"(last data {row['last_seen']})"
            )
        steps = row["views_28d_steps"]
        if not pd.isna(steps) and steps < p.min_steps:
            return (f"not enough data: the last 28 days add up to {steps:.1f} rounding steps "
                    f"of {_num(row['resolution'])} (the source rounds its totals)")  # fmt: skip
        return (f"not enough data: {row['recent_days_known']} days with daily views in the last "
                f"{p.recent_days} (need {p.min_recent_days})")  # fmt: skip
    if rule == "declining":
        return "; ".join(x for x in (mom_s, pace, rel_s) if x)
    if rule == "young":
        return f"new: {age_s}; {mom_s}; {rel_s}"
    if rule == "rising":
        g = row.get(f"growth_{p.periods[0]}d")
        g_s = "" if pd.isna(g) else f"; {p.periods[0]}-day growth {_pct(g)}"
        return f"{mom_s}{g_s}; {pace}"
    if rule == "peaking":
        return (f"climbed from {_num(row['climb_low'])} to {_num(peak)} views/day (peak "
                f"{int(row['peak_age'])} days ago) and stopped: {mom_s}; now {rel_s}")  # fmt: skip
    if rule == "evergreen":
        basis = age_s or f"{row['days_known']} days of data"
        return f"long-lived ({basis}) and steady: {mom_s}; {pace}"
    if rule == "plateau":
        return f"flat near its high ({rel_s}); {mom_s}"
    return f"flat below its high ({rel_s}); {mom_s}"


def breakout_reasons(row: pd.Series, p: TrendParams | None = None) -> list[str]:
    """The breakout flags of a hashtag, each as a sentence with its numbers."""
    p = p or TrendParams()
    out = []
    if row["breakout_new"]:
        ago = int(-row["entered_list"])
        when = "today" if ago == 0 else f"{ago} day{'s' if ago > 1 else ''} ago"
        out.append(f"new on the top list {when} (rank {int(row['entry_rank'])}); not on it in "
                   f"the {p.list_memory_days} days before")  # fmt: skip
    if row["breakout_spike"]:
        x, m, mad = row["spike_views"], row["spike_median"], row["spike_mad"]
        day = "today" if row["spike_day"] == 0 else "the day before"
        detail = f"{x / m:.1f}x the median" if m > 0 else "the median was 0"
        if mad > 0:
            detail += f", {(x - m) / (1.4826 * mad):.0f} MADs above it"
        out.append(f"{_num(x)} views {day} against a median of {_num(m)}/day over the previous "
                   f"{p.spike_history_days} days ({detail})")  # fmt: skip
    return out
