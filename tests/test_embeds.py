"""Embeds stay within Discord's limits and show hostile text harmlessly, whatever comes in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.cards import compare_card, creator_card, search_pages
from bot.render.embeds import SafeEmbed, clip, safe
from bot.services.creators import CreatorProfile, Provenance, SearchResult
from tests.limits import embed_problems, mentions_anyone

HOSTILE = st.one_of(
    st.text(max_size=3000),
    st.sampled_from(
        [
            "@everyone",
            "@here",
            "<@123456789012345678>",
            "<@&42>",
            "**bold** __x__",
            "`code` ||spoiler|| > quote",
            "\u200b@\u200beveryone",
            "a\u202eb",
            "x" * 2000,
            "# heading\n- list",
            "[link](https://evil.example)",
        ]
    ),
)


def profile(text: str) -> CreatorProfile:
    return CreatorProfile(
        handle=text[:64] or "h",
        display_name=text,
        bio=text,
        country=text[:64],
        niches=[text[:50], text[50:100]],
        followers=123_456,
        avg_views=1e6,
        tier="mid",
        engagement_rate_views=0.1,
        engagement_rate_views_basis=text,
        price=100.0,
        price_currency="USD",
        price_source=text,
        audience_age={text[:40]: 0.5},
        risk_flags=[text, text],
        provenance={"followers": Provenance("2024-01-01", text)},
        as_of="2024-01-01",
        source=text,
    )


@settings(max_examples=150, deadline=None)
@given(text=HOSTILE)
def test_cards_stay_within_limits_and_ping_nobody(text: str) -> None:
    p = profile(text)
    embeds = [
        creator_card(p),
        compare_card([p, p, p, p]),
        *search_pages(SearchResult("w", [p] * 30, 30, {"niche": text}, [text])),
    ]
    for e in embeds:
        assert embed_problems(e) == []
        d = e.to_dict()
        blob = str(d)
        assert not mentions_anyone(blob.replace("\\\\", "\\")), blob[:300]
        assert "\u202e" not in blob


def test_safe_escapes_markdown_mentions_and_invisible_characters() -> None:
    assert safe("@everyone") != "@everyone" and not mentions_anyone(safe("@everyone"))
    assert safe("**x**") == "\\*\\*x\\*\\*"
    assert "\u200f" not in safe("a\u200fb") and "\ufeff" not in safe("\ufeffz")
    assert len(safe("y" * 500, 100)) == 100 and safe("y" * 500, 100).endswith("…")
    assert clip("abc", 5) == "abc" and clip("abcdef", 4) == "abc…"


def test_too_many_fields_are_dropped_and_counted() -> None:
    e = SafeEmbed(title="t", description="d")
    for i in range(40):
        e.field(f"f{i}", "v" * 1024)
    e.done()
    assert embed_problems(e) == []
    assert e.fields[-1].name == "…" and "more not shown" in e.fields[-1].value
