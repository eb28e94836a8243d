"""The columnar copy of a workspace's creators that ranking runs on.

Rows are sorted by followers (unknown last), so a follower range is a slice found by binary
search; numbers are float32 columns; text is coded against small vocabularies (countries,
languages, currencies, niches); niches are bit sets so "any of these niches" is one AND per
row. Built once per workspace from a DataFrame (:meth:`CreatorTable.from_frame`) and reused
for every brief until the next import.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.metrics import TIER_NAMES

NUMERIC = (
    "followers", "avg_views", "median_views", "views", "engagement_rate_views",
    "engagement_rate_followers", "share_rate", "comment_rate", "like_rate", "reach_ratio",
    "completion_rate", "avg_watch_time_s", "consistency", "posts_per_week", "growth_30",
    "growth_90", "views_growth_30", "avg_likes", "avg_comments", "avg_shares", "price",
    "risk", "max_views", "video_median_views",
)  # fmt: skip
AUDIENCE_TOP = 5  # audience countries kept per creator
VECTORS = ("ids", "handle_order", "country", "language", "currency", "price_is_estimate",
           "tier", "niche_bits", "primary_niche", "age", "gender", "aud_country",
           "aud_country_share", "risk_bits")  # fmt: skip
VOCABS = ("countries", "languages", "currencies", "niches", "ages", "genders", "aud_countries")


class Handles:
    """Handles as one UTF-8 buffer and offsets: a million of them load in milliseconds and
    are decoded one at a time, when a result names them."""

    def __init__(self, buffer: np.ndarray, offsets: np.ndarray) -> None:
        self.buffer, self.offsets = buffer, offsets
        self._rows: dict[str, int] | None = None

    @classmethod
    def of(cls, handles: Iterable[str]) -> Handles:
        encoded = [h.encode() for h in handles]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.buffer[self.offsets[i] : self.offsets[i + 1]].tobytes().decode()

    def __iter__(self):  # type: ignore[no-untyped-def]
        data = self.buffer.tobytes()
        off = self.offsets
        return (data[off[i] : off[i + 1]].decode() for i in range(len(self)))

    def mask(self, names: Iterable[str]) -> np.ndarray:
        """True for the rows whose handle is in ``names``."""
        if self._rows is None:
            self._rows = {h: i for i, h in enumerate(self)}
        out = np.zeros(len(self), dtype=bool)
        rows = [self._rows[h] for h in names if h in self._rows]
        out[rows] = True
        return out


def _codes(values: Iterable[Any]) -> tuple[np.ndarray, list[str]]:
    """Values -> (int16 codes with -1 for missing, sorted vocabulary)."""
    series = pd.Series(list(values), dtype=object)
    present = series.dropna()
    vocab = sorted({str(v) for v in present})
    index = {v: i for i, v in enumerate(vocab)}
    codes = series.map(lambda v: -1 if v is None or (isinstance(v, float) and np.isnan(v))
                       else index[str(v)])  # fmt: skip
    return codes.to_numpy(dtype=np.int16), vocab


def _niche_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [n for n in value.split(",") if n]
    return [str(n) for n in value]


@dataclass
class CreatorTable:
    ids: np.ndarray  # int64
    handles: Handles
    handle_order: np.ndarray  # int32 rank of each handle in sorted order: the tie-breaker
    num: dict[str, np.ndarray]  # float32 columns (price float64), NaN where unknown
    country: np.ndarray
    countries: list[str]
    language: np.ndarray
    languages: list[str]
    currency: np.ndarray  # of the price
    currencies: list[str]
    price_is_estimate: np.ndarray  # bool
    tier: np.ndarray  # int8 index into TIER_NAMES, -1 unknown
    niche_bits: np.ndarray  # (n, words) uint8/16/32/64: bit k of word w is niche w*width+k
    niches: list[str]
    primary_niche: np.ndarray  # int16 index into niches, -1 none
    age: np.ndarray  # (n, len(ages)) float32 audience shares, NaN unknown
    ages: list[str]
    gender: np.ndarray  # (n, len(genders)) float32
    genders: list[str]
    aud_country: np.ndarray  # (n, AUDIENCE_TOP) int16 codes into aud_countries, -1 none
    aud_country_share: np.ndarray  # (n, AUDIENCE_TOP) float32
    aud_countries: list[str]
    risk_bits: np.ndarray  # uint8 authenticity flags
    # Derived columns, made on first use: a table never changes once built.
    _prices: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                           compare=False)  # fmt: skip

    def __post_init__(self) -> None:
        # Read-only arrays, so that nothing can change a table under its derived columns.
        for value in (*vars(self).values(), *self.num.values()):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def followers(self) -> np.ndarray:
        return self.num["followers"]

    @functools.cached_property
    def known_followers(self) -> int:
        """Rows with a follower count; they come first (unknown ones are a suffix)."""
        return int(np.count_nonzero(~np.isnan(self.followers)))

    def price_in(self, currency: str) -> np.ndarray:
        """Each row's price if it is quoted in ``currency`` and above 0 (prices are never
        converted), else NaN; float64. Made once per currency: ranking a broad brief read
        the currency and price columns of its pool for this on every run."""
        prices = self._prices.get(currency)
        if prices is None:
            price = self.num["price"]
            same = np.zeros(len(price), dtype=bool)
            if currency in self.currencies:
                same = self.currency == self.currencies.index(currency)
            prices = np.where(same & (price > 0), price, np.nan)
            prices.flags.writeable = False
            self._prices[currency] = prices
        return prices

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no Python objects), for a file the bot reloads quickly."""
        out = {k: getattr(self, k) for k in VECTORS}
        out |= {f"num_{k}": v for k, v in self.num.items()}
        out |= {f"vocab_{k}": np.array(getattr(self, k), dtype=str) for k in VOCABS}
        out["handles_buffer"], out["handles_offsets"] = self.handles.buffer, self.handles.offsets
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> CreatorTable:
        return cls(
            handles=Handles(arrays["handles_buffer"], arrays["handles_offsets"]),
            num={k[4:]: v for k, v in arrays.items() if k.startswith("num_")},
            **{k: arrays[k] for k in VECTORS},
            **{k: [str(x) for x in arrays[f"vocab_{k}"]] for k in VOCABS},
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> CreatorTable:
        """``frame``: one row per creator with id, handle, the NUMERIC columns (any may be
        missing), country, language, price_currency, price_is_estimate, tier, niches (list or
        comma string, the first is the primary niche), audience_age / audience_gender /
        audience_countries ({key: share} dicts) and risk_bits."""
        f = frame.copy()
        followers = pd.to_numeric(f.get("followers"), errors="coerce")
        f = f.assign(_f=followers.fillna(-1)).sort_values(
            ["_f", "handle"], ascending=[True, True], kind="stable"
        )
        # unknown followers (-1) sort first; move them to the end
        known = f["_f"].to_numpy() >= 0
        f = pd.concat([f[known], f[~known]], ignore_index=True)
        n = len(f)
        num = {}
        for c in NUMERIC:
            col = f[c] if c in f else pd.Series(np.nan, index=f.index)
            # float32 keeps a million rows small; prices stay exact (a plan adds them up).
            dtype = np.float64 if c == "price" else np.float32
            num[c] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=dtype)
        handles = f["handle"].astype(str).to_numpy(dtype=object)
        handle_order = np.empty(n, dtype=np.int32)
        handle_order[np.argsort(handles.astype(str), kind="stable")] = np.arange(n)
        country, countries = _codes(f.get("country", pd.Series([None] * n)))
        language, languages = _codes(f.get("language", pd.Series([None] * n)))
        currency, currencies = _codes(f.get("price_currency", pd.Series([None] * n)))
        tiers = f.get("tier", pd.Series([None] * n)).map(
            lambda t: TIER_NAMES.index(t) if t in TIER_NAMES else -1
        )
        lists = pd.Series([_niche_list(v) for v in f.get("niches", pd.Series([None] * n))])
        flat = lists.explode()
        flat = flat[flat.notna()]
        vocab = sorted(set(flat))
        index = {v: i for i, v in enumerate(vocab)}
        # Words as narrow as the vocabulary allows: the niche filter reads this column for
        # every creator, and 12 niches in 2 bytes read 4x faster than in 8.
        width = next((w for w in (8, 16, 32) if len(vocab) <= w), 64)
        word = np.dtype(f"uint{width}")
        words = max(1, (len(vocab) + width - 1) // width)
        bits = np.zeros((n, words), dtype=word)
        rows = flat.index.to_numpy()
        codes = flat.map(index).to_numpy(dtype=np.int64)
        np.bitwise_or.at(bits, (rows, codes // width),
                         np.left_shift(1, codes % width).astype(word))  # fmt: skip
        primary = np.full(n, -1, dtype=np.int16)
        first = ~pd.Index(rows).duplicated(keep="first")
        primary[rows[first]] = codes[first]
        age, ages = _dense(f.get("audience_age", pd.Series([None] * n)))
        gender, genders = _dense(f.get("audience_gender", pd.Series([None] * n)))
        aud_c, aud_s, aud_vocab = _top_shares(f.get("audience_countries",
                                                    pd.Series([None] * n)))  # fmt: skip
        risk_bits = pd.to_numeric(f.get("risk_bits", pd.Series([0] * n)), errors="coerce")
        return cls(
            ids=f["id"].to_numpy(dtype=np.int64),
            handles=Handles.of(handles),
            handle_order=handle_order,
            num=num,
            country=country,
            countries=countries,
            language=language,
            languages=languages,
            currency=currency,
            currencies=currencies,
            price_is_estimate=f.get("price_is_estimate", pd.Series([False] * n))
            .fillna(False)
            .to_numpy(dtype=bool),
            tier=tiers.to_numpy(dtype=np.int8),
            niche_bits=bits,
            niches=vocab,
            primary_niche=primary,
            age=age,
            ages=ages,
            gender=gender,
            genders=genders,
            aud_country=aud_c,
            aud_country_share=aud_s,
            aud_countries=aud_vocab,
            risk_bits=risk_bits.fillna(0).to_numpy(dtype=np.uint8),
        )

    def take(self, rows: np.ndarray) -> CreatorTable:
        """A table of the given rows (same vocabularies), e.g. for tests."""
        return CreatorTable(
            ids=self.ids[rows], handles=Handles.of(self.handles[int(i)] for i in rows),
            handle_order=_rerank(self.handle_order[rows]),
            num={k: v[rows] for k, v in self.num.items()},
            country=self.country[rows], countries=self.countries,
            language=self.language[rows], languages=self.languages,
            currency=self.currency[rows], currencies=self.currencies,
            price_is_estimate=self.price_is_estimate[rows], tier=self.tier[rows],
            niche_bits=self.niche_bits[rows], niches=self.niches,
            primary_niche=self.primary_niche[rows], age=self.age[rows], ages=self.ages,
            gender=self.gender[rows], genders=self.genders,
            aud_country=self.aud_country[rows], aud_country_share=self.aud_country_share[rows],
            aud_countries=self.aud_countries, risk_bits=self.risk_bits[rows],
        )  # fmt: skip


def _rerank(order: np.ndarray) -> np.ndarray:
    out = np.empty(len(order), dtype=np.int32)
    out[np.argsort(order, kind="stable")] = np.arange(len(order))
    return out


def _dense(dists: pd.Series) -> tuple[np.ndarray, list[str]]:
    vocab = sorted({k for d in dists if isinstance(d, dict) for k in d})
    index = {k: i for i, k in enumerate(vocab)}
    out = np.full((len(dists), len(vocab)), np.nan, dtype=np.float32)
    for r, d in enumerate(dists):
        if isinstance(d, dict) and d:
            out[r, :] = 0
            for k, v in d.items():
                out[r, index[k]] = v
    return out, vocab


def _top_shares(dists: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    vocab = sorted({k.upper() for d in dists if isinstance(d, dict) for k in d})
    index = {k: i for i, k in enumerate(vocab)}
    codes = np.full((len(dists), AUDIENCE_TOP), -1, dtype=np.int16)
    shares = np.full((len(dists), AUDIENCE_TOP), np.nan, dtype=np.float32)
    for r, d in enumerate(dists):
        if isinstance(d, dict) and d:
            top = sorted(d.items(), key=lambda kv: -kv[1])[:AUDIENCE_TOP]
            shares[r, :] = 0
            for j, (k, v) in enumerate(top):
                codes[r, j], shares[r, j] = index[k.upper()], v
    return codes, shares, vocab
