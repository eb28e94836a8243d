"""Benchmark: trend analytics for N hashtags x D days (scoring.trends.analyse).

    .venv/bin/python bench/trends.py [--hashtags N] [--days D] [--runs R] [--sample M]

1. Generates SYNTHETIC daily histories from a fixed seed: N hashtags (default 10,000) x D
   days (default 365) of cumulative views and posts, in the shapes the labels know (steady,
   rising, emerging late, peaking, declining, sudden spikes), with lognormal day-to-day noise,
   about 3 % of days missing at random plus some tags with week-long holes, a fifth of the
   tags rounded the way TikTok rounds totals (2.4B, 173.2B: three or four significant
   digits), and the day's top 50 by daily views ranked. About 3.5M rows.
2. Times ``analyse(frame, as_of)`` on that long frame: building the hashtags x days matrix,
   daily deltas with the gap rules, 7/30/120-day views, posts and growth, smoothing,
   momentum, acceleration, peaks, labels and both breakout flags. Median of R runs (default
   5) after one warm-up run. Loading from the database is not included.
3. Baseline, in the same run: the straightforward pandas way, one hashtag at a time
   (``groupby(...).apply``: reindex to every day, interpolate the cumulative across gaps,
   diff, rolling means, window sums, ``np.polyfit`` of the log for momentum, median/MAD for
   spikes) on the first M hashtags (default 300), extrapolated linearly to N. It computes the
   same core numbers (checked: its 7-day growth agrees with the fast path's), not every rule.

The last line printed is one JSON object with the figures; ratio = baseline_ms / median_ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time

import bot  # noqa: F401 - before numpy, which it sets up for this CPU (bot/cpu.py)

# isort: split
import numpy as np
import pandas as pd

from scoring.trends import analyse

SEED = 20240601
AS_OF = dt.date(2024, 6, 1)
TARGET_MS = 1000


def generate(n: int, days: int, seed: int = SEED) -> pd.DataFrame:
    """The synthetic long frame: key, date, views, posts, rank (see the module docstring)."""
    rng = np.random.default_rng(seed)
    d = np.arange(days, dtype=np.float64)[None, :]
    shape = rng.integers(0, 6, n)[:, None]
    base = 10 ** rng.uniform(4.5, 7.5, n)[:, None]
    centre = rng.uniform(0.2, 1.0, n)[:, None] * days
    width = rng.uniform(0.04, 0.15, n)[:, None] * days
    start = rng.uniform(0.6, 0.95, n)[:, None] * days
    bump = np.exp(-(((d - centre) / width) ** 2))
    daily = np.select(
        [shape == 0, shape == 1, shape == 2, shape == 3, shape == 4],
        [
            base * (1 + 0.15 * np.sin(2 * np.pi * d / 7)),  # steady
            base * np.exp(3.0 * d / days),  # rising
            np.where(d >= start, base * np.exp(0.1 * (d - start)), 0.0),  # emerging late
            base * (0.2 + 5 * bump),  # a bump somewhere
            base * (0.15 + 4 * np.exp(-(((d - 0.2 * days) / width) ** 2))),  # declining
        ],
        default=np.where(d >= days - rng.integers(2, 8, n)[:, None], base * 10, base),  # spike
    )
    daily *= rng.lognormal(0, 0.1, daily.shape)
    existing = np.where(shape == 2, 0.0, 10 ** rng.uniform(7, 10.5, n)[:, None])
    cum = existing + np.cumsum(daily, axis=1)
    rounded = rng.random(n) < 0.2
    digits = np.floor(np.log10(np.maximum(cum[rounded], 1))) - 2
    cum[rounded] = np.round(cum[rounded] / 10**digits) * 10**digits
    cum = np.round(cum)
    posts = np.round(cum / rng.uniform(2e3, 5e4, n)[:, None])
    present = rng.random((n, days)) > 0.03
    holes = rng.random(n) < 0.05
    hole_start = rng.integers(0, days - 10, n)
    cols = np.arange(days)[None, :]
    present &= ~(holes[:, None] & (cols >= hole_start[:, None]) & (cols < hole_start[:, None] + 7))
    present &= ~((shape == 2) & (d < start))  # an emerging tag does not exist before it starts
    ranks = np.full((n, days), np.nan)
    top = np.argsort(-daily, axis=0)[:50]
    ranks[top, np.arange(days)[None, :]] = np.arange(1, 51)[:, None]
    rows, col = np.nonzero(present)
    dates = np.datetime64(AS_OF) - np.arange(days)[::-1]
    return pd.DataFrame({
        "key": rows.astype(np.int64), "date": dates[col], "views": cum[rows, col],
        "posts": posts[rows, col], "rank": ranks[rows, col],
    })  # fmt: skip


def baseline_one(g: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """One hashtag, the straightforward pandas way."""
    s = g.set_index("date")[["views", "posts"]].sort_index()
    full = pd.date_range(s.index.min(), as_of, freq="D")
    s = s.reindex(full)
    observed = s["views"].notna()
    cum = s["views"].cummax().interpolate(limit_area="inside")
    daily = cum.diff()
    estimated = (~observed) & cum.notna()
    estimated |= observed & (~observed.shift(1, fill_value=True))
    posts = s["posts"].interpolate(limit_area="inside").diff()
    smooth = daily.rolling(7, min_periods=4).mean()
    out = {}
    for w in (7, 30, 120):
        last, prev = daily.iloc[-w:], daily.iloc[-2 * w : -w]
        out[f"views_{w}d"] = last.sum()
        out[f"posts_{w}d"] = posts.iloc[-w:].sum()
        ok = last.notna().sum() >= max(1, w // 4) and prev.notna().sum() >= max(1, w // 4)
        out[f"growth_{w}d"] = last.mean() / prev.mean() - 1 if ok and prev.mean() > 0 else np.nan
    tail = smooth.iloc[-14:].dropna()
    tail = tail[tail > 0]
    out["momentum"] = (
        np.expm1(np.polyfit(np.arange(len(tail)), np.log(tail.to_numpy()), 1)[0])
        if len(tail) >= 4
        else np.nan
    )
    out["peak"] = smooth.iloc[-120:].max()
    hist = daily.iloc[-62:-1].dropna()
    med = hist.median()
    mad = (hist - med).abs().median()
    out["spike"] = bool(daily.iloc[-1] - med > 5 * 1.4826 * mad and daily.iloc[-1] > 3 * med)
    out["estimated_days"] = int(estimated.sum())
    return pd.Series(out)


def run_baseline(frame: pd.DataFrame, keys: np.ndarray) -> tuple[float, pd.DataFrame]:
    sample = frame[frame["key"].isin(keys)]
    as_of = pd.Timestamp(AS_OF)
    t0 = time.perf_counter()
    result = sample.groupby("key").apply(baseline_one, as_of, include_groups=False)
    return time.perf_counter() - t0, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hashtags", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sample", type=int, default=300, help="hashtags for the baseline")
    args = ap.parse_args()
    n, days = args.hashtags, args.days

    t0 = time.perf_counter()
    frame = generate(n, days)
    print(f"generated {len(frame):,} rows: {n:,} synthetic hashtags x {days} days "
          f"(seed {SEED}) in {time.perf_counter() - t0:.1f} s")  # fmt: skip

    result = analyse(frame, AS_OF)  # warm-up
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = analyse(frame, AS_OF)
        times.append(time.perf_counter() - t0)
    median_ms = statistics.median(times) * 1000
    s = result.summary
    print(f"trend analytics: median {median_ms:,.0f} ms over {args.runs} runs "
          f"(min {min(times) * 1000:,.0f}, max {max(times) * 1000:,.0f})")  # fmt: skip
    counts = s["label"].value_counts().to_dict()
    print("labels: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
          + f"; breakouts {int(s['breakout'].sum()):,}; estimated days "
          f"{int(s['estimated_days'].sum()):,}")  # fmt: skip

    sample_n = min(args.sample, n)
    keys = np.arange(sample_n)
    base_s, base = run_baseline(frame, keys)
    baseline_ms = base_s * 1000 * n / sample_n
    fast = s.loc[keys, "growth_7d"].to_numpy(dtype=float)
    slow = base["growth_7d"].to_numpy(dtype=float)
    agree = np.isclose(fast, slow, rtol=1e-6, equal_nan=True).mean()
    print(f"baseline (pandas groupby/apply per hashtag): {base_s * 1000:,.0f} ms for "
          f"{sample_n:,} hashtags -> {baseline_ms:,.0f} ms extrapolated to {n:,}; its 7-day "
          f"growth agrees with the fast path on {agree * 100:.0f}% of them")  # fmt: skip
    ratio = baseline_ms / median_ms
    print(f"speed-up: {ratio:,.0f}x; target {TARGET_MS} ms: "
          f"{'met' if median_ms <= TARGET_MS else 'NOT met'}")  # fmt: skip
    print(json.dumps({
        "bench": "trends", "hashtags": n, "days": days, "median_ms": round(median_ms, 1),
        "baseline": f"pandas groupby/apply per hashtag, {sample_n} sampled, extrapolated",
        "baseline_ms": round(baseline_ms, 1), "ratio": round(ratio, 1),
        "target_ms": TARGET_MS, "meets_target": median_ms <= TARGET_MS,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
