"""The store's tables, SQLAlchemy 2 typed ORM style.

Every table a team owns carries ``workspace_id``. Counts that can pass 2^31 (followers, views)
are BIGINT; platform ids (TikTok video and user ids, which can pass 2^63) are strings.
Timestamps are stored in UTC and always come back timezone-aware; metric snapshots are dated
(``as_of``) and carry the ``source`` they came from, so every number shown can say when and
where it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments an "INTEGER PRIMARY KEY"; PostgreSQL gets a BIGINT identity.
IdType = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC that is always timezone-aware in Python.

    Naive datetimes are refused on the way in (the project never compares naive datetimes);
    SQLite hands back naive values, which are UTC by construction and get their zone back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    """A team's space: one Discord guild, or a named workspace from the CLI."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # IANA time zone for schedules that name none (digests); set with /digest timezone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Creator(Base):
    """A creator's profile in one workspace; metrics live in :class:`CreatorSnapshot`."""

    __tablename__ = "creators"
    __table_args__ = (UniqueConstraint("workspace_id", "handle"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[str | None] = mapped_column(String(40))
    display_name: Mapped[str | None] = mapped_column(String(200))
    # No index: no query filters on it (searches run on the ranking copy), and it cost 0.7 s
    # per million inserted rows.
    country: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(32))
    # Normalised niche names joined by commas ("comedy,dance"), the primary niche first.
    niches: Mapped[str | None] = mapped_column(String(500))
    bio: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    price_quote: Mapped[float | None] = mapped_column(Float)
    price_currency: Mapped[str | None] = mapped_column(String(3))
    price_source: Mapped[str | None] = mapped_column(String(200))
    # Date of the data the profile fields above came from; older imports do not overwrite it.
    profile_as_of: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    snapshots: Mapped[list[CreatorSnapshot]] = relationship(
        back_populates="creator", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def niche_list(self) -> list[str]:
        return [n for n in (self.niches or "").split(",") if n]


class CreatorSnapshot(Base):
    """What one source said about a creator's numbers on one date."""

    __tablename__ = "creator_snapshots"
    __table_args__ = (
        UniqueConstraint("creator_id", "as_of", "source"),
        Index("ix_creator_snapshots_ws_source", "workspace_id", "source"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )
    followers: Mapped[int | None] = mapped_column(BigInteger)
    following: Mapped[int | None] = mapped_column(BigInteger)
    total_likes: Mapped[int | None] = mapped_column(BigInteger)
    video_count: Mapped[int | None] = mapped_column(BigInteger)
    avg_views: Mapped[float | None] = mapped_column(Float)
    median_views: Mapped[float | None] = mapped_column(Float)
    avg_likes: Mapped[float | None] = mapped_column(Float)
    avg_comments: Mapped[float | None] = mapped_column(Float)
    avg_shares: Mapped[float | None] = mapped_column(Float)
    avg_saves: Mapped[float | None] = mapped_column(Float)
    avg_watch_time_s: Mapped[float | None] = mapped_column(Float)
    completion_rate: Mapped[float | None] = mapped_column(Float)
    # As published by the source (its own formula); shown apart from the bot's own rates.
    reported_engagement_rate: Mapped[float | None] = mapped_column(Float)
    # From videos: median over the recent videos of (likes + comments + shares) / views.
    median_engagement_rate: Mapped[float | None] = mapped_column(Float)
    videos_sampled: Mapped[int | None] = mapped_column(Integer)
    audience_age: Mapped[dict[str, float] | None] = mapped_column(JSON)
    audience_gender: Mapped[dict[str, float] | None] = mapped_column(JSON)
    audience_countries: Mapped[dict[str, float] | None] = mapped_column(JSON)

    creator: Mapped[Creator] = relationship(back_populates="snapshots")


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        UniqueConstraint("workspace_id", "video_id"),
        Index("ix_videos_creator_posted", "creator_id", "posted_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    video_id: Mapped[str] = mapped_column(String(40))
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    duration_s: Mapped[float | None] = mapped_column(Float)
    # The tags as posted, normalised and joined by commas; VideoHashtag links them for queries.
    hashtags: Mapped[str | None] = mapped_column(Text)
    sound: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(200))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class VideoHashtag(Base):
    """Which hashtags a video was posted under (for usage and co-occurrence queries)."""

    __tablename__ = "video_hashtags"
    __table_args__ = (Index("ix_video_hashtags_hashtag", "hashtag_id"),)

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    hashtag_id: Mapped[int] = mapped_column(
        ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))


class Hashtag(Base):
    __tablename__ = "hashtags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(150))
    platform_id: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)


class HashtagSnapshot(Base):
    """A hashtag's cumulative counts on one day in one region ('' = worldwide).

    Rows with source ``videos`` are derived from the workspace's stored videos: for each day,
    the cumulative views and number of the stored videos posted under the tag up to that day.
    """

    __tablename__ = "hashtag_snapshots"
    __table_args__ = (
        UniqueConstraint("hashtag_id", "as_of", "region", "source"),
        Index("ix_hashtag_snapshots_ws_asof", "workspace_id", "as_of"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    hashtag_id: Mapped[int] = mapped_column(ForeignKey("hashtags.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(8), default="")
    source: Mapped[str] = mapped_column(String(200))
    views: Mapped[int | None] = mapped_column(BigInteger)
    posts: Mapped[int | None] = mapped_column(BigInteger)
    rank: Mapped[int | None] = mapped_column(Integer)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class ImportRun(Base):
    """One import that changed the store (imports that change nothing leave no run)."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)


class SavedBrief(Base):
    """A campaign brief saved in a workspace (its fields as scoring.brief.Brief takes them)."""

    __tablename__ = "briefs"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int | None] = mapped_column(BigInteger)  # Discord user; None from the CLI
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Shortlist(Base):
    """A ranked shortlist kept as it was shown: creators, scores, reasons, forecasts, plan."""

    __tablename__ = "shortlists"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    brief_name: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BotState(Base):
    """Small facts the bot processes share, e.g. the hash of the last synced command tree."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestSubscription(Base):
    """A channel's scheduled trend digest: when (a local time in a time zone, daily or on one
    weekday) and what (niches, region, period, how many hashtags)."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (Index("ix_digest_subscriptions_due", "active", "next_run_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[str] = mapped_column(String(10))  # daily | weekly
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday, for weekly
    local_time: Mapped[str] = mapped_column(String(5))  # HH:MM
    timezone: Mapped[str] = mapped_column(String(64))
    niches: Mapped[str | None] = mapped_column(String(500))  # comma-joined
    region: Mapped[str | None] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(5), default="7d")
    top: Mapped[int] = mapped_column(Integer, default=5)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_reason: Mapped[str | None] = mapped_column(String(300))
    next_run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_data_as_of: Mapped[dt.date | None] = mapped_column(Date)  # newest data last posted
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestDelivery(Base):
    """One scheduled run of a subscription. The unique (subscription, scheduled_for) key is
    the claim: whichever process inserts it posts the digest, so none is posted twice."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))  # claimed | sent | skipped | failed
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(500))
