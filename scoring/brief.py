"""A campaign brief: what the campaign wants, validated with messages that name the field."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Objective = Literal["awareness", "engagement", "conversion", "ugc"]
OBJECTIVES: tuple[Objective, ...] = ("awareness", "engagement", "conversion", "ugc")
TierName = Literal["nano", "micro", "mid", "macro", "mega"]

FACTORS = (
    "engagement",  # engagement rate by views
    "watch_time",  # completion rate, else average watch time (where known)
    "shares",  # share rate
    "comments",  # comment rate
    "likes",  # like rate
    "reach",  # expected views per video
    "audience_fit",  # audience share in the brief's countries, ages and genders
    "niche_fit",  # overlap of the creator's niches with the brief's niches and keywords
    "cost_efficiency",  # the objective's outcome per unit of price
    "authenticity",  # 1 - risk from the authenticity flags
)

# One weight preset per objective (each sums to 1). Documented in the README.
PRESETS: dict[Objective, dict[str, float]] = {
    "awareness": {
        "reach": 0.25, "cost_efficiency": 0.20, "audience_fit": 0.15, "niche_fit": 0.10,
        "engagement": 0.08, "shares": 0.08, "watch_time": 0.07, "authenticity": 0.07,
        "comments": 0.0, "likes": 0.0,
    },
    "engagement": {
        "engagement": 0.22, "comments": 0.12, "shares": 0.12, "likes": 0.04,
        "watch_time": 0.08, "reach": 0.05, "audience_fit": 0.10, "niche_fit": 0.10,
        "cost_efficiency": 0.10, "authenticity": 0.07,
    },
    "conversion": {
        "audience_fit": 0.20, "niche_fit": 0.15, "comments": 0.13, "watch_time": 0.12,
        "engagement": 0.10, "shares": 0.08, "cost_efficiency": 0.12, "authenticity": 0.10,
        "reach": 0.0, "likes": 0.0,
    },
    "ugc": {
        "cost_efficiency": 0.25, "niche_fit": 0.20, "engagement": 0.15, "watch_time": 0.12,
        "authenticity": 0.10, "comments": 0.06, "shares": 0.06, "audience_fit": 0.06,
        "reach": 0.0, "likes": 0.0,
    },
}  # fmt: skip


class BriefError(ValueError):
    """A brief is invalid; the message lists each field with what was expected."""


def _split(value: Any) -> Any:
    if isinstance(value, str):
        value = re.split(r"[,;|]", value)
    if isinstance(value, list | tuple):
        return [
            v.strip() if isinstance(v, str) else v
            for v in value
            if not isinstance(v, str) or v.strip()
        ]
    return value


class Brief(BaseModel):
    """What a campaign wants from its creators."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("brief", min_length=1, max_length=100)
    objective: Objective = "awareness"
    niches: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO alpha-2 codes (names are normalised by callers)
    languages: tuple[str, ...] = ()
    audience_ages: tuple[str, ...] = ()  # buckets as the data names them, e.g. "18-24"
    audience_genders: tuple[str, ...] = ()
    min_followers: int | None = Field(None, ge=0)
    max_followers: int | None = Field(None, ge=0)
    tiers: tuple[TierName, ...] = ()
    budget: float = Field(gt=0)
    currency: str = "USD"
    creators_wanted: int = Field(5, ge=1, le=100)
    max_price_per_creator: float | None = Field(None, gt=0)
    min_engagement: float | None = Field(None, ge=0, le=1)
    exclude_handles: tuple[str, ...] = ()
    weights: dict[str, float] = Field(default_factory=dict)
    max_per_niche: int | None = Field(None, ge=1)
    max_creators_in_plan: int | None = Field(None, ge=1, le=200)
    # Campaign ideas (scoring.suggest): the brand's own hashtag, without '#', and the product
    # a tutorial or a before-after shows. Formats that need them are skipped without them.
    brand_hashtag: str | None = Field(None, max_length=100)
    product: str | None = Field(None, max_length=200)

    @field_validator(
        "niches", "keywords", "countries", "languages", "audience_ages", "audience_genders",
        "tiers", "exclude_handles", mode="before",
    )  # fmt: skip
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("niches", "keywords", "languages", "audience_genders")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip().upper() for v in value if v.strip()))

    @field_validator("audience_ages")
    @classmethod
    def _ages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    @field_validator("exclude_handles")
    @classmethod
    def _handles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip().lstrip("@").lower() for v in value if v.strip()))

    @field_validator("brand_hashtag")
    @classmethod
    def _brand_hashtag(cls, value: str | None) -> str | None:
        if value is None or not value.strip().lstrip("#"):
            return None
        tag = value.strip().lstrip("#")
        if not re.fullmatch(r"\w+", tag):
            raise ValueError("one hashtag of letters, digits and _, e.g. #SpringIntoFit")
        return tag

    @field_validator("product")
    @classmethod
    def _product(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return " ".join(value.split()) or None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if not (len(code) == 3 and code.isalpha()):
            raise ValueError("a three-letter currency code such as USD")
        return code

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(FACTORS))
        if unknown:
            raise ValueError(
                f"factor names from: {', '.join(FACTORS)} (unknown: {', '.join(unknown)})"
            )
        negative = sorted(k for k, v in value.items() if v < 0)
        if negative:
            raise ValueError(f"weights of 0 or more (negative: {', '.join(negative)})")
        return dict(value)

    @model_validator(mode="after")
    def _consistent(self) -> Brief:
        if (
            self.min_followers is not None
            and self.max_followers is not None
            and self.min_followers > self.max_followers
        ):
            raise ValueError("min_followers at most max_followers")
        if self.max_price_per_creator is not None and self.max_price_per_creator > self.budget:
            raise ValueError("max_price_per_creator at most the budget")
        if sum(self.resolved_weights().values()) <= 0:
            raise ValueError("weights that are not all zero")
        return self

    def resolved_weights(self) -> dict[str, float]:
        """The objective's preset with this brief's overrides, normalised to sum 1."""
        w = {**PRESETS[self.objective], **self.weights}
        total = sum(w.values())
        return {k: (v / total if total else 0.0) for k, v in w.items()}

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Brief:
        """Validate ``data``; BriefError lists each bad field with what was expected."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            lines = []
            for e in exc.errors():
                key = ".".join(str(p) for p in e["loc"]) or "brief"
                msg = e["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
                if e["type"] == "missing":
                    lines.append(f"{key}: missing; expected {_HINTS.get(key, 'a value')}")
                elif e["type"] == "extra_forbidden":
                    lines.append(f"{key}: unknown field (fields: {', '.join(cls.model_fields)})")
                else:
                    lines.append(f"{key} = {e.get('input')!r}: expected {msg}")
            raise BriefError("invalid brief:\n  " + "\n  ".join(lines)) from None


_HINTS = {"budget": "the campaign budget, a number above 0 (e.g. budget = 5000)"}
