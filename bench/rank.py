"""Benchmark: ranking a brief over a workspace's columnar copy, against SQL and pandas.

    .venv/bin/python bench/rank.py [--creators 1000000] [--runs 15]

Builds a deterministic synthetic workspace of N creators, then times (median of --runs):
- loading the columnar copy from its file (what the bot does at start and after an import);
- a selective brief and a broad brief with the niche diversity rule, through scoring.rank;
- the same two briefs as one SQL query in SQLite (filters in WHERE, percent_rank() windows
  per factor, the weighted sum, ORDER BY ... LIMIT) and as a pandas pipeline (boolean
  filters, rank(pct=True), nlargest), and prints the ratios.
Ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot  # noqa: F401 - before numpy, which it sets up for this CPU (bot/cpu.py)

# isort: split
import numpy as np
import pandas as pd

from bot.services.ranking import load_table_file, save_table_file
from scoring.brief import Brief
from scoring.metrics import tier
from scoring.rank import rank
from scoring.table import CreatorTable

NICHES = ["beauty", "fashion", "fitness", "food", "gaming", "tech", "travel", "comedy",
          "dance", "education", "finance", "pets"]  # fmt: skip
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "MX", "ES", "ID", "PH", "CA", "AU", "IT"]

SELECTIVE = {"name": "selective", "objective": "engagement", "niches": ["fitness"],
             "countries": ["US"], "min_followers": 20_000, "max_followers": 200_000,
             "min_engagement": 0.06, "max_price_per_creator": 2_000, "budget": 20_000,
             "creators_wanted": 10}  # fmt: skip
BROAD = {"name": "broad", "objective": "awareness", "niches": ["beauty", "fashion", "food"],
         "countries": ["US", "GB", "CA", "AU"], "budget": 100_000, "creators_wanted": 20,
         "max_per_niche": 5}  # fmt: skip
WEIGHTS_SQL = ("engagement", "shares", "comments", "likes", "reach", "watch_time",
               "cost_efficiency")  # fmt: skip


def synthetic(n: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7.3, n))
    views = followers * rng.lognormal(-1.0, 0.6, n)
    er = np.clip(rng.lognormal(np.log(0.07), 0.45, n), 0, 1)
    n1 = rng.integers(0, len(NICHES), n)
    n2 = rng.integers(0, len(NICHES), n)
    two = rng.random(n) < 0.4
    names = np.array(NICHES, dtype=object)
    niches = np.where(two & (n1 != n2), names[n1] + "," + names[n2], names[n1])
    price = np.maximum(25, np.round(followers / 1000 * rng.uniform(4, 12, n)))
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "handle": [f"creator{i:07d}" for i in range(n)],
            "followers": followers,
            "views": views,
            "avg_views": views,
            "engagement_rate_views": er,
            "share_rate": er * rng.uniform(0.05, 0.2, n),
            "comment_rate": er * rng.uniform(0.02, 0.1, n),
            "like_rate": er * 0.8,
            "completion_rate": np.where(rng.random(n) < 0.5, rng.uniform(0.1, 0.7, n), np.nan),
            "price": price,
            "price_currency": "USD",
            "price_is_estimate": rng.random(n) < 0.5,
            "country": rng.choice(COUNTRIES, n),
            "language": "en",
            "niches": niches,
            "tier": tier(followers),
            "risk": np.where(rng.random(n) < 0.03, 0.5, 0.0),
            "risk_bits": np.where(rng.random(n) < 0.03, 1, 0),
        }
    )


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def sql_query(b: Brief) -> tuple[str, list[object]]:
    where, args = ["1=1"], []
    if b.niches:
        where.append("(" + " OR ".join("(',' || niches || ',') LIKE ?" for _ in b.niches) + ")")
        args += [f"%,{x},%" for x in b.niches]
    if b.countries:
        where.append(f"country IN ({','.join('?' * len(b.countries))})")
        args += list(b.countries)
    for col, op, val in (("followers", ">=", b.min_followers), ("followers", "<=", b.max_followers),
                         ("engagement_rate_views", ">=", b.min_engagement),
                         ("price", "<=", b.max_price_per_creator)):  # fmt: skip
        if val is not None:
            where.append(f"{col} {op} ?")
            args.append(val)
    cost = (
        "views / price" if b.objective == "awareness" else "views * engagement_rate_views / price"
    )
    w = b.resolved_weights()
    cols = {"engagement": "engagement_rate_views", "shares": "share_rate",
            "comments": "comment_rate", "likes": "like_rate", "reach": "views",
            "watch_time": "completion_rate", "cost_efficiency": cost}  # fmt: skip
    ranks = ",\n".join(f"percent_rank() OVER (ORDER BY {cols[f]}) AS p_{f}" for f in WEIGHTS_SQL)
    score = " + ".join(f"{w[f]} * p_{f}" for f in WEIGHTS_SQL)
    sql = (f"WITH pool AS (SELECT * FROM creators WHERE {' AND '.join(where)}), "
           f"scored AS (SELECT handle, {ranks} FROM pool) "
           f"SELECT handle, ({score}) AS score FROM scored ORDER BY score DESC, handle "
           f"LIMIT {b.creators_wanted}")  # fmt: skip
    return sql, args


def pandas_pipeline(frame: pd.DataFrame, b: Brief) -> pd.DataFrame:
    m = pd.Series(True, index=frame.index)
    if b.niches:
        m &= frame["niches"].str.split(",").map(lambda xs: bool(set(xs) & set(b.niches)))
    if b.countries:
        m &= frame["country"].isin(b.countries)
    if b.min_followers is not None:
        m &= frame["followers"] >= b.min_followers
    if b.max_followers is not None:
        m &= frame["followers"] <= b.max_followers
    if b.min_engagement is not None:
        m &= frame["engagement_rate_views"] >= b.min_engagement
    if b.max_price_per_creator is not None:
        m &= frame["price"] <= b.max_price_per_creator
    pool = frame[m]
    eng = pool["views"] * pool["engagement_rate_views"]
    raw = {"engagement": pool["engagement_rate_views"], "shares": pool["share_rate"],
           "comments": pool["comment_rate"], "likes": pool["like_rate"], "reach": pool["views"],
           "watch_time": pool["completion_rate"],
           "cost_efficiency": (pool["views"] if b.objective == "awareness" else eng)
           / pool["price"]}  # fmt: skip
    w = b.resolved_weights()
    score = sum(w[f] * raw[f].rank(pct=True).fillna(0.5) for f in WEIGHTS_SQL)
    return pool.assign(score=score).nlargest(b.creators_wanted, "score")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    n = args.creators
    t0 = time.perf_counter()
    frame = synthetic(n)
    table = CreatorTable.from_frame(frame)
    build_s = time.perf_counter() - t0
    print(f"built a synthetic workspace of {n:,} creators in {build_s:.1f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.npz"
        save_table_file(path, table, (1,))
        load_ms, _ = timed(lambda: load_table_file(path, (1,)), max(3, args.runs // 5))
        db = sqlite3.connect(Path(tmp) / "bench.sqlite3")
        cols = [c for c in frame.columns if c not in ("tier",)]
        frame[cols].to_sql("creators", db, index=False)
        db.execute("CREATE INDEX ix_followers ON creators(followers)")
        db.execute("CREATE INDEX ix_country ON creators(country)")
        db.commit()
        figures: dict[str, object] = {
            "bench": "rank",
            "creators": n,
            "runs": args.runs,
            # set by bot/cpu.py on AMD Zen 4, where numpy's AVX-512 sorts are slow
            "numpy_disabled_cpu_features": os.environ.get("NPY_DISABLE_CPU_FEATURES"),
            "load_copy_ms": round(load_ms, 2),
            "load_target_ms": 1000,
        }
        for spec, target in ((SELECTIVE, 10), (BROAD, 20)):
            b = Brief.parse(spec)
            name = spec["name"]
            ms, result = timed(lambda b=b: rank(table, b, max_per_niche=3), args.runs)
            sql, sql_args = sql_query(b)
            sql_runs = max(1, min(3, args.runs))
            sql_ms, _ = timed(lambda q=sql, a=sql_args: db.execute(q, a).fetchall(), sql_runs)
            pd_ms, _ = timed(lambda b=b: pandas_pipeline(frame, b), max(1, min(5, args.runs)))
            pool = result.pool_size  # type: ignore[attr-defined]
            print(f"{name:9} brief: pool {pool:,} -> rank {ms:.2f} ms (target {target} ms); "
                  f"SQLite {sql_ms:.0f} ms ({sql_ms / ms:.0f}x); pandas {pd_ms:.0f} ms "
                  f"({pd_ms / ms:.0f}x)", flush=True)  # fmt: skip
            figures.update({
                f"{name}_pool": pool, f"{name}_median_ms": round(ms, 3),
                f"{name}_target_ms": target, f"{name}_sqlite_ms": round(sql_ms, 1),
                f"{name}_pandas_ms": round(pd_ms, 1),
                f"{name}_ratio_sqlite": round(sql_ms / ms, 1),
                f"{name}_ratio_pandas": round(pd_ms / ms, 1),
                f"{name}_meets_target": ms <= target,
            })  # fmt: skip
        db.close()
    print(f"load the copy from its file: {load_ms:.0f} ms (target 1000 ms)")
    figures["load_meets_target"] = load_ms <= 1000
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
