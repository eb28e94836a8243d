"""Hashtags related to a brief's niches and keywords (pure: plain lists and frames in).

Three kinds of evidence, each a score in [0, 1]; a hashtag's relatedness combines them as
independent evidence, ``1 - (1 - a)(1 - b)(1 - c)``, and keeps every reason:

- **Name** (rapidfuzz): the hashtag's name against each term (niches and keywords, lower
  case, without '#', spaces and punctuation). Equal: 100. The term inside the name ('fitness'
  in 'fitnesstok'; a term under 4 letters only at the start or end, so 'art' finds 'arttok'
  but not 'party'): 85 + 15 x len(term) / len(name). Else ``fuzz.ratio`` (edit similarity:
  'fitnes' vs 'fitness' is 92). Counted from ``min_name_score`` (80) up, as score / 100.
- **Creators** (niche co-occurrence): T = the creators whose niches match a brief niche
  (equal, or ``fuzz.ratio`` >= 90 for typos), among creators with at least one tagged
  video. For hashtag h: share_T = creators in T who used h / |T|, share = all creators who
  used h / all creators, lift = share_T / share. Score = min(1, n / ``confidence_n``) x
  (1 - 1 / lift) for lift > 1 and n >= ``min_creators`` (2), n being the creators in T using
  h: "used by 14 of 40 fitness creators (35%; 4.4x the share among all creators)". A tag
  everyone uses (#fyp) has lift ~1 and scores ~0.
- **Videos** (tag co-occurrence): seed tags are the hashtags whose name matches a term
  with a score of at least ``seed_name_score`` (90), or the ``seeds`` given. For h: in_seed =
  seed-tagged videos that also carry h, lift = (in_seed / seed videos) / (videos with h /
  all videos); score = min(1, in_seed / ``confidence_n``) x (1 - 1 / lift) for lift > 1 and
  in_seed >= ``min_videos`` (2): "on 12 of 30 videos tagged #gym (5.1x its usual share)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class MatchParams:
    min_name_score: float = 80.0
    seed_name_score: float = 90.0
    niche_ratio: float = 90.0
    min_creators: int = 2
    min_videos: int = 2
    confidence_n: int = 5
    min_score: float = 0.25


@dataclass
class RelatedHashtag:
    hashtag: str
    score: float
    reasons: list[str] = field(default_factory=list)
    name_score: float | None = None
    term: str | None = None
    creators: int = 0
    creator_lift: float | None = None
    videos: int = 0
    video_lift: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def normalise(term: str) -> str:
    """'#Home Decor' -> 'homedecor': how hashtags are written."""
    return _NON_WORD.sub("", term.strip().lstrip("#").lower())


def name_scores(
    names: Sequence[str], terms: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per name: the best name score (0-100) against the terms, the index of that term, and
    how it matched ('equal', 'contains' or 'close'). Formula in the module docstring."""
    names = [normalise(x) for x in names]
    terms = [normalise(t) for t in terms]
    if not names or not terms:
        return np.zeros(len(names)), np.full(len(names), -1), np.full(len(names), "", object)
    scores = process.cdist(names, terms, scorer=fuzz.ratio, dtype=np.float64, workers=1)
    kinds = np.full(scores.shape, "close", dtype=object)
    for j, term in enumerate(terms):
        if not term:
            scores[:, j] = 0
            continue
        for i, name in enumerate(names):
            if name == term:
                scores[i, j], kinds[i, j] = 100.0, "equal"
            elif len(name) > len(term) and (
                (len(term) >= 4 and term in name) or name.startswith(term) or name.endswith(term)
            ):
                contained = 85.0 + 15.0 * len(term) / len(name)
                if contained >= scores[i, j]:
                    scores[i, j], kinds[i, j] = contained, "contains"
    best = scores.argmax(axis=1)
    rows = np.arange(len(names))
    return scores[rows, best], best, kinds[rows, best]


def _niche_creators(creator_niches: pd.DataFrame, niches: Sequence[str], ratio: float) -> set:
    wanted = {normalise(n) for n in niches if normalise(n)}
    if not wanted or creator_niches.empty:
        return set()
    exploded = creator_niches.assign(niche=creator_niches["niches"].map(_niche_list)).explode(
        "niche"
    )
    exploded = exploded[exploded["niche"].notna()]
    distinct = pd.unique(exploded["niche"])
    keep = {
        n
        for n in distinct
        if normalise(n) in wanted or max(fuzz.ratio(normalise(n), w) for w in wanted) >= ratio
    }
    return set(exploded.loc[exploded["niche"].isin(keep), "creator_id"])


def _niche_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _lift_score(n: np.ndarray, lift: np.ndarray, min_n: int, confidence_n: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.minimum(1.0, n / confidence_n) * (1.0 - 1.0 / lift)
    return np.where((n >= min_n) & (lift > 1), s, 0.0)


def related_hashtags(
    hashtags: Sequence[str],
    *,
    niches: Sequence[str] = (),
    keywords: Sequence[str] = (),
    creator_niches: pd.DataFrame | None = None,
    video_tags: pd.DataFrame | None = None,
    seeds: Sequence[str] = (),
    exclude: Sequence[str] = (),
    video_usage: pd.Series | None = None,
    total_videos: int | None = None,
    params: MatchParams | None = None,
    limit: int | None = None,
) -> list[RelatedHashtag]:
    """Hashtags related to niches and keywords, most related first (score >= min_score).

    ``hashtags``: the candidate names. ``creator_niches``: columns creator_id, niches (a list
    or a comma-joined string). ``video_tags``: one row per (video, hashtag) with columns
    video_id, creator_id, hashtag. ``seeds``: hashtags whose videos count as on-topic in any
    case (e.g. the tag a page is about); ``exclude``: names never returned.
    ``video_usage`` (videos per hashtag name) and ``total_videos``: the workspace-wide usage
    the video lift compares with, when ``video_tags`` holds only the seed tags' videos
    (default: counted from ``video_tags``). Formulas in the module docstring.
    """
    p = params or MatchParams()
    names = list(dict.fromkeys(normalise(h) for h in hashtags if normalise(h)))
    terms = [t for t in dict.fromkeys(normalise(x) for x in [*niches, *keywords]) if t]
    raw_terms = {normalise(x): x.strip() for x in [*niches, *keywords]}
    if not names:
        return []
    idx = {n: i for i, n in enumerate(names)}
    n = len(names)
    reasons: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    parts: list[np.ndarray] = []

    name_sc, best, kind = name_scores(names, terms)
    name_part = np.where(name_sc >= p.min_name_score, name_sc / 100.0, 0.0)
    parts.append(name_part)
    for i in np.flatnonzero(name_part > 0):
        term = raw_terms.get(terms[best[i]], terms[best[i]])
        text = {
            "equal": f"name is '{term}'",
            "contains": f"name contains '{term}'",
        }.get(kind[i], f"name close to '{term}' ({name_sc[i]:.0f}/100)")
        reasons[i].append((float(name_part[i]), text))

    creators_n = np.zeros(n)
    creator_lift = np.full(n, np.nan)
    videos_n = np.zeros(n)
    video_lift = np.full(n, np.nan)
    vt = _video_tags(video_tags)

    if not vt.empty and creator_niches is not None and niches:
        members = _niche_creators(creator_niches, niches, p.niche_ratio)
        users = vt.drop_duplicates(["creator_id", "hashtag"])
        all_creators = users["creator_id"].nunique()
        in_t = users["creator_id"].isin(members)
        t_size = users.loc[in_t, "creator_id"].nunique()
        if t_size and all_creators:
            per_tag = users.groupby("hashtag")["creator_id"].size()
            per_tag_t = users[in_t].groupby("hashtag")["creator_id"].size()
            frame = pd.DataFrame({"all": per_tag, "t": per_tag_t}).fillna(0)
            frame = frame[frame.index.isin(idx)]
            share_t = frame["t"] / t_size
            share = frame["all"] / all_creators
            lift = (share_t / share).to_numpy()
            sc = _lift_score(frame["t"].to_numpy(), lift, p.min_creators, p.confidence_n)
            part = np.zeros(n)
            niche_s = "/".join(x.strip().lower() for x in niches)
            for tag, s, k, lf, sh in zip(frame.index, sc, frame["t"], lift, share_t, strict=True):
                i = idx[tag]
                creators_n[i], creator_lift[i] = k, lf
                if s > 0:
                    part[i] = s
                    reasons[i].append((float(s), (
                        f"used by {int(k)} of {t_size} {niche_s} creators ({sh * 100:.0f}%; "
                        f"{lf:.1f}x the share among all creators)")))  # fmt: skip
            parts.append(part)

    seed_names = {normalise(s) for s in seeds} | {
        names[i] for i in np.flatnonzero(name_sc >= p.seed_name_score)
    }
    if not vt.empty and seed_names:
        seed_videos = pd.unique(vt.loc[vt["hashtag"].isin(seed_names), "video_id"])
        if len(seed_videos):
            on = vt[vt["video_id"].isin(seed_videos)].drop_duplicates(["video_id", "hashtag"])
            if video_usage is not None and total_videos:
                per_tag = video_usage.rename(index=normalise).groupby(level=0).sum()
                total_videos = int(total_videos)
            else:
                per_tag = vt.drop_duplicates(["video_id", "hashtag"]).groupby("hashtag").size()
                total_videos = vt["video_id"].nunique()
            per_tag_s = on.groupby("hashtag").size()
            frame = pd.DataFrame({"all": per_tag, "s": per_tag_s}).fillna(0)
            frame = frame[frame.index.isin(idx) & ~frame.index.isin(seed_names)]
            frame = frame[frame["all"] > 0]
            lift = ((frame["s"] / len(seed_videos)) / (frame["all"] / total_videos)).to_numpy()
            sc = _lift_score(frame["s"].to_numpy(), lift, p.min_videos, p.confidence_n)
            part = np.zeros(n)
            seed_s = ", ".join(f"#{s}" for s in sorted(seed_names)[:3])
            if len(seed_names) > 3:
                seed_s += f" and {len(seed_names) - 3} more"
            for tag, s, k, lf in zip(frame.index, sc, frame["s"], lift, strict=True):
                i = idx[tag]
                videos_n[i], video_lift[i] = k, lf
                if s > 0:
                    part[i] = s
                    reasons[i].append((float(s), (
                        f"on {int(k)} of {len(seed_videos)} videos tagged {seed_s} "
                        f"({lf:.1f}x its usual share)")))  # fmt: skip
            parts.append(part)

    combined = 1.0 - np.prod([1.0 - x for x in parts], axis=0)
    excluded = {normalise(x) for x in exclude}
    order = np.argsort(-combined, kind="stable")
    out: list[RelatedHashtag] = []
    for i in order:
        if combined[i] < p.min_score or names[i] in excluded:
            continue
        out.append(
            RelatedHashtag(
                hashtag=names[i],
                score=round(float(combined[i]), 4),
                reasons=[r for _, r in sorted(reasons[i], key=lambda x: -x[0])],
                name_score=float(name_sc[i]) if name_part[i] > 0 else None,
                term=raw_terms.get(terms[best[i]]) if name_part[i] > 0 else None,
                creators=int(creators_n[i]),
                creator_lift=None if np.isnan(creator_lift[i]) else float(creator_lift[i]),
                videos=int(videos_n[i]),
                video_lift=None if np.isnan(video_lift[i]) else float(video_lift[i]),
            )
        )
        if limit is not None and len(out) >= limit:
            break
    return out


def _video_tags(video_tags: pd.DataFrame | None) -> pd.DataFrame:
    if video_tags is None or video_tags.empty:
        return pd.DataFrame(columns=["video_id", "creator_id", "hashtag"])
    vt = video_tags[["video_id", "creator_id", "hashtag"]].dropna(subset=["hashtag"])
    return vt.assign(hashtag=vt["hashtag"].map(normalise))
