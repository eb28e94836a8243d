"""Settings: a TOML file, then environment overrides, validated with pydantic.

Order of precedence (later wins):

1. the defaults below (config.example.toml documents each one);
2. the TOML file named by ``--config PATH`` or ``CAMPAIGN_BOT_CONFIG``;
3. environment overrides: ``CAMPAIGN_BOT_DATABASE_URL``.

``DISCORD_TOKEN`` is read from the environment only. A token in a TOML file is refused, so a
token never ends up in a file that could be committed, and it is kept as a ``SecretStr`` so it
never shows up in a log line or a repr.

A wrong setting fails at start with :class:`ConfigError`, whose message names the key, the
value and what was expected.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_CONFIG = "CAMPAIGN_BOT_CONFIG"
ENV_DATABASE_URL = "CAMPAIGN_BOT_DATABASE_URL"
ENV_TOKEN = "DISCORD_TOKEN"

TIERS = ("nano", "micro", "mid", "macro", "mega")


class ConfigError(Exception):
    """A setting is missing, malformed or out of range; the message says which and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = Field(
        "sqlite+aiosqlite:///campaign-bot.sqlite3",
        description="SQLAlchemy URL: sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB",
    )
    sqlite_busy_timeout_ms: int = Field(5000, ge=0, le=600_000)
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "a URL starting with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(the two async drivers the bot ships with)"
            )
        return url


class ImportSettings(_Section):
    max_file_mb: float = Field(200.0, gt=0, description="files larger than this are refused")
    max_rows: int = Field(2_000_000, gt=0, description="files with more data rows are refused")
    report_errors: int = Field(
        1000, ge=1, description="at most this many rejected rows are listed in a report"
    )


class TierBounds(_Section):
    """Lower follower bounds of each tier above nano (nano is everything below micro)."""

    micro: int = Field(10_000, gt=0)
    mid: int = Field(100_000, gt=0)
    macro: int = Field(500_000, gt=0)
    mega: int = Field(1_000_000, gt=0)

    @model_validator(mode="after")
    def _increasing(self) -> TierBounds:
        if not self.micro < self.mid < self.macro < self.mega:
            raise ValueError("tier bounds that increase: micro < mid < macro < mega")
        return self


class PriceRates(_Section):
    """Estimated price of one sponsored video per 1,000 followers, by tier."""

    nano: float = Field(12.0, gt=0)
    micro: float = Field(10.0, gt=0)
    mid: float = Field(8.0, gt=0)
    macro: float = Field(6.0, gt=0)
    mega: float = Field(5.0, gt=0)


class MetricsSettings(_Section):
    currency: str = Field("USD", description="ISO 4217 code")
    recent_videos: int = Field(30, ge=1, le=1000)
    min_price: float = Field(25.0, ge=0)
    tiers: TierBounds = TierBounds()
    price_per_1k_followers: PriceRates = PriceRates()

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, code: str) -> str:
        if not (len(code) == 3 and code.isalpha() and code.isupper()):
            raise ValueError("a three-letter ISO 4217 currency code in capitals, e.g. USD")
        return code


class RankingSettings(_Section):
    max_per_niche: int = Field(3, ge=1, le=100)
    plan_candidates: int = Field(200, ge=10, le=2000)
    cache_dir: str = Field(
        ".cache/ranking", min_length=1, description="per-workspace ranking copies (files)"
    )


class BotSettings(_Section):
    planner_role: str = Field(
        "Campaign Planner", min_length=1, max_length=100,
        description="members with this role (or Manage Server) may import and delete",
    )  # fmt: skip
    shard_count: int | None = Field(None, ge=1, description="total shards across processes")
    shard_ids: list[int] | None = Field(None, description="the shards this process runs")
    sync_on_start: bool = True
    run_scheduler: bool = Field(True, description="post scheduled digests from this process")
    view_timeout_s: int = Field(840, ge=30, le=870, description="under the 15-minute token")
    max_concurrent_jobs: int = Field(2, ge=1, le=16, description="ranking and chart jobs at once")
    heavy_cooldown_s: float = Field(3.0, ge=0, description="per user, on rank / trends / import")

    @model_validator(mode="after")
    def _shards(self) -> BotSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_count set whenever shard_ids is")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad or not self.shard_ids:
                raise ValueError(f"shard ids between 0 and shard_count - 1 (got {self.shard_ids})")
        return self


class DigestSettings(_Section):
    grace_hours: float = Field(6.0, ge=0, le=168, description="late digests inside it are sent")
    tick_seconds: float = Field(30.0, ge=1, le=3600)
    lease_seconds: int = Field(300, ge=30, le=3600, description="a claim's life")
    when_no_new_data: Literal["say", "skip"] = "say"
    max_parallel: int = Field(8, ge=1, le=64)
    retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(2.0, ge=0, le=60)
    per_digest_timeout_s: float = Field(120.0, ge=5, le=900)


SENSITIVE_KEYWORDS = ["nsfw", "onlyfans", "gambling", "casino", "vape", "suicide", "selfharm"]


def _tag_list(values: list[str]) -> list[str]:
    """Hashtags and keywords compared as hashtags are written: no '#', lower case, no spaces
    or punctuation ('#Home Decor' -> 'homedecor'); blanks and repeats dropped."""
    out: list[str] = []
    for v in values:
        tag = re.sub(r"[\W_]+", "", v.strip().lstrip("#").lower())
        if tag and tag not in out:
            out.append(tag)
    return out


class CampaignSettings(_Section):
    """Campaign ideas (/campaign suggest, campaign-bot suggest): templates and brand safety."""

    template_dir: str | None = Field(
        None, min_length=1, description="a folder of the team's own *.md.j2 idea templates"
    )
    flagged_hashtags: list[str] = Field(
        default_factory=list, description="hashtags an idea never uses"
    )
    sensitive_keywords: list[str] = Field(
        default_factory=lambda: list(SENSITIVE_KEYWORDS),
        description="an idea never uses a hashtag whose name contains one of these",
    )
    brand_hashtag: str | None = Field(
        None, min_length=1, description="branded hashtag when the brief names none"
    )
    ideas: int = Field(3, ge=1, le=10, description="ideas per answer")
    seed_pool: int = Field(25, ge=5, le=200, description="best-ranked creators seeds come from")

    @field_validator("flagged_hashtags", "sensitive_keywords")
    @classmethod
    def _normalised(cls, values: list[str]) -> list[str]:
        return _tag_list(values)

    @field_validator("brand_hashtag")
    @classmethod
    def _brand(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tag = value.strip().lstrip("#")
        if not re.fullmatch(r"\w+", tag):
            raise ValueError('one hashtag of letters, digits and _, e.g. "#OurBrand"')
        return tag


class WorkspaceSettings(_Section):
    default: str = Field("default", min_length=1, max_length=100)


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    imports: ImportSettings = Field(ImportSettings(), alias="import")
    metrics: MetricsSettings = MetricsSettings()
    ranking: RankingSettings = RankingSettings()
    bot: BotSettings = BotSettings()
    digests: DigestSettings = DigestSettings()
    workspace: WorkspaceSettings = WorkspaceSettings()
    campaigns: CampaignSettings = CampaignSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    discord_token: SecretStr | None = Field(None, exclude=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _format_error(err: ValidationError, origin: str) -> str:
    lines = [f"invalid configuration ({origin}):"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            lines.append(
                f"  {key}: unknown setting (value {e['input']!r}); see config.example.toml"
            )
            continue
        value = e.get("input")
        shown = "<missing>" if e["type"] == "missing" else repr(value)
        if isinstance(value, dict):
            shown = "a table"
        msg = e["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
        lines.append(f"  {key} = {shown}: expected {msg[0].lower() + msg[1:]}")
    return "\n".join(lines)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read settings from ``path`` (or ``$CAMPAIGN_BOT_CONFIG``), then the environment."""
    path = path or os.environ.get(ENV_CONFIG) or None
    data: dict[str, Any] = {}
    origin = "defaults"
    if path is not None:
        p = Path(path)
        origin = str(p)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {p}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {p} is not valid TOML: {exc}") from exc
        for forbidden in ("discord_token", "token"):
            if forbidden in data or forbidden in data.get("bot", {}):
                raise ConfigError(
                    f"{p}: {forbidden} must not be in a config file; "
                    f"set the {ENV_TOKEN} environment variable instead"
                )
    if url := os.environ.get(ENV_DATABASE_URL):
        data.setdefault("database", {})
        if not isinstance(data["database"], dict):
            raise ConfigError(f"invalid configuration ({origin}): database must be a table")
        data["database"] = {**data["database"], "url": url}
        origin += f" + ${ENV_DATABASE_URL}"
    token = os.environ.get(ENV_TOKEN) or None
    try:
        return Settings.model_validate({**data, "discord_token": token})
    except ValidationError as exc:
        raise ConfigError(_format_error(exc, origin)) from None
