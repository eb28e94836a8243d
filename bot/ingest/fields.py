"""What each import kind understands: its fields, their types and the headers that mean them.

Headers are compared after :func:`header_key` (lower case, letters and digits only), so
``Views avg``, ``views_avg`` and ``VIEWS-AVG`` are one header. A header that matches no alias is
named in the import report as not recognised; ``--map "Source header=field"`` maps it by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["creators", "videos", "hashtags"]
KINDS: tuple[Kind, ...] = ("creators", "videos", "hashtags")

FieldType = Literal[
    "handle",  # TikTok handle: '@' and case dropped, validated
    "hashtag",  # hashtag name: '#' and case dropped, validated
    "text",
    "id",  # platform id (digits; kept as text: TikTok ids pass 2^63)
    "count",  # whole number >= 0
    "number",  # real number >= 0
    "rate",  # share in [0, 1]; "16.6%" and a bare 16.6 both mean 0.166
    "money",  # amount, optionally with a currency ("$1,200", "900 EUR")
    "currency",  # ISO 4217 code
    "country",  # ISO 3166 alpha-2 where recognised
    "bool",
    "date",
    "datetime",  # unix seconds or ISO 8601; naive values are UTC
    "list",  # comma / semicolon / pipe separated, or a JSON / Python list literal
    "distribution",  # "18-24: 40%, 25-34: 35%" or a JSON object -> {key: share}
]


def header_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_len: int | None = None
    help: str = ""

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(a) for a in (self.name, *self.aliases))


def _f(name: str, type_: FieldType, *aliases: str, **kw: object) -> FieldSpec:
    return FieldSpec(name, type_, tuple(aliases), **kw)  # type: ignore[arg-type]


# Creator-level fields shared by creator files and video files (video exports often repeat
# the author's follower count on every row).
_AUTHOR_STATS = (
    _f(
        "followers",
        "count",
        "followers",
        "follower count",
        "follower_count",
        "subscribers",
        "fans",
        "n_followers",
        "followers count",
        "author followers",
        "stats followers",
    ),
    _f("following", "count", "following count", "following_count", "n_following"),
    _f(
        "total_likes",
        "count",
        "total likes",
        "likes count",
        "likes_count",
        "hearts",
        "heart count",
        "heart_count",
        "n_total_likes",
        "total hearts",
        "stats likes",
    ),
    _f(
        "video_count",
        "count",
        "video count",
        "video_count",
        "n_total_vids",
        "total videos",
        "number of videos",
        "videos count",
    ),
)

CREATOR_FIELDS: tuple[FieldSpec, ...] = (
    _f(
        "handle",
        "handle",
        "username",
        "user name",
        "user",
        "account",
        "tiktok handle",
        "tiktok username",
        "tiktok",
        "creator",
        "unique id",
        "uniqueid",
        "profile",
        "id handle",
        required=True,
        help="TikTok handle, with or without @",
    ),
    _f(
        "platform_id",
        "id",
        "user id",
        "userid",
        "tiktok id",
        "author id",
        "id",
        "sec user id",
        help="TikTok's numeric user id",
    ),
    _f(
        "display_name",
        "text",
        "name",
        "display name",
        "nickname",
        "full name",
        "creator name",
        max_len=200,
    ),
    _f("country", "country", "country code", "location", "region", "region code", "market"),
    _f("language", "text", "lang", "languages", max_len=32),
    _f(
        "niches",
        "list",
        "niche",
        "genre",
        "genres",
        "category",
        "categories",
        "topics",
        "topic",
        "vertical",
        "verticals",
    ),
    _f("bio", "text", "bio description", "bio_description", "signature", "about"),
    _f("verified", "bool", "is verified", "is_verified", "verified account"),
    _f(
        "price_quote",
        "money",
        "price",
        "quote",
        "price per post",
        "price per video",
        "rate",
        "fee",
        "cost",
        "rate card",
        "price quote",
    ),
    _f("price_currency", "currency", "currency", "price currency"),
    _f("price_source", "text", "price source", "quote source", max_len=200),
    *_AUTHOR_STATS,
    _f(
        "avg_views",
        "number",
        "avg views",
        "views avg",
        "average views",
        "avg plays",
        "average plays",
        "views",
        "plays",
        "n_plays",
        "views per video",
        "avg_views",
    ),
    _f("median_views", "number", "median views", "views median", "median plays"),
    _f(
        "avg_likes",
        "number",
        "likes",
        "avg likes",
        "average likes",
        "likes avg",
        "n_likes",
        "likes per video",
    ),
    _f("avg_comments", "number", "comments", "avg comments", "average comments", "n_comments"),
    _f("avg_shares", "number", "shares", "avg shares", "average shares", "n_shares"),
    _f("avg_saves", "number", "saves", "avg saves", "average saves", "collects", "favorites"),
    _f(
        "avg_watch_time_s",
        "number",
        "avg watch time",
        "average watch time",
        "watch time",
        "avg watch time s",
        "average watch time seconds",
    ),
    _f(
        "completion_rate",
        "rate",
        "completion rate",
        "completion",
        "full video watched rate",
        "watched full video",
    ),
    _f(
        "reported_engagement_rate",
        "rate",
        "engagement",
        "engagement rate",
        "er",
        "eng rate",
        "avg engagement rate",
        "engagement %",
    ),
    _f("audience_age", "distribution", "audience age", "audience ages", "age split"),
    _f("audience_gender", "distribution", "audience gender", "audience genders", "gender split"),
    _f(
        "audience_countries",
        "distribution",
        "audience countries",
        "audience country",
        "top countries",
        "audience locations",
    ),
    _f(
        "as_of",
        "date",
        "as of",
        "date",
        "snapshot date",
        "collected at",
        "collected",
        "scraped at",
        "updated at",
        "day",
    ),
)

VIDEO_FIELDS: tuple[FieldSpec, ...] = (
    _f("video_id", "id", "id", "video id", "aweme id", "item id", "post id", required=True),
    _f(
        "handle",
        "handle",
        "username",
        "user name",
        "author",
        "author unique id",
        "author username",
        "creator",
        "account",
        "unique id",
        required=True,
    ),
    _f(
        "posted_at",
        "datetime",
        "create time",
        "created",
        "created at",
        "posted at",
        "posted",
        "publish time",
        "published at",
        "timestamp",
        "date",
        "upload date",
    ),
    _f("views", "count", "view count", "views", "plays", "n_plays", "play count"),
    _f("likes", "count", "like count", "likes", "n_likes", "digg count"),
    _f("comments", "count", "comment count", "comments", "n_comments"),
    _f("shares", "count", "share count", "shares", "n_shares"),
    _f("saves", "count", "favorites count", "collect count", "saves", "favourites count"),
    _f("duration_s", "number", "video length", "duration", "video duration", "length"),
    _f("hashtags", "list", "hashtag names", "hashtag_names", "hashtags", "tags", "challenges"),
    _f(
        "sound",
        "text",
        "song",
        "music",
        "music title",
        "sound name",
        "music id",
        "sound id",
        max_len=300,
    ),
    _f("description", "text", "video description", "desc", "caption", "text", "title"),
    _f("region", "country", "region code", "region", "country"),
    *_AUTHOR_STATS,
)

HASHTAG_FIELDS: tuple[FieldSpec, ...] = (
    _f(
        "hashtag",
        "hashtag",
        "tag",
        "name",
        "challenge",
        "challenge name",
        "hashtag name",
        required=True,
    ),
    _f("platform_id", "id", "challenge id", "hashtag id", "id", "cid"),
    _f("description", "text", "desc", "challenge description"),
    _f("as_of", "date", "date", "day", "as of", "snapshot date"),
    _f(
        "views",
        "count",
        "views",
        "view count",
        "views max",
        "video views",
        "total views",
        "views total",
    ),
    _f(
        "posts",
        "count",
        "posts",
        "videos",
        "video count",
        "publish cnt",
        "post count",
        "number of posts",
    ),
    _f("rank", "count", "rank", "best rank", "position"),
    _f("region", "country", "region", "country", "region code", "market"),
)

FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    "creators": CREATOR_FIELDS,
    "videos": VIDEO_FIELDS,
    "hashtags": HASHTAG_FIELDS,
}

# Fields that describe a creator's numbers on a date (a creator_snapshots row).
SNAPSHOT_FIELDS = (
    "followers", "following", "total_likes", "video_count", "avg_views", "median_views",
    "avg_likes", "avg_comments", "avg_shares", "avg_saves", "avg_watch_time_s",
    "completion_rate", "reported_engagement_rate", "audience_age", "audience_gender",
    "audience_countries",
)  # fmt: skip
PROFILE_FIELDS = (
    "platform_id", "display_name", "country", "language", "niches", "bio", "verified",
    "price_quote", "price_currency", "price_source",
)  # fmt: skip


def field_names(kind: Kind) -> list[str]:
    return [f.name for f in FIELDS[kind]]


def spec(kind: Kind, name: str) -> FieldSpec:
    for f in FIELDS[kind]:
        if f.name == name:
            return f
    raise KeyError(name)


def _check_aliases() -> None:
    for kind, fields in FIELDS.items():
        seen: dict[str, str] = {}
        for f in fields:
            for k in f.keys:
                if seen.setdefault(k, f.name) != f.name:
                    raise AssertionError(f"{kind}: header {k!r} is an alias of two fields")


_check_aliases()
