"""/trends top and /trends hashtag, through the real bot on a simulated Discord."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot.render import cards_trends
from bot.services.trends import HashtagTrend, PeriodStats, TagCreator, TopTrends, TrendItem
from scoring.match import RelatedHashtag
from tests.bot.conftest import load
from tests.limits import embed_problems, mentions_anyone

PNG = b"\x89PNG\r\n\x1a\n"


def final(result):
    """The message that carries the answer: after a defer, the first followup takes the
    deferred reply's place."""
    return result.followups[-1] if result.followups else result.response


def videos_json() -> str:
    """Videos: @fit_anna and @fit_ben (the fitness creators) tag #gymtok; five others tag
    #recipe and #fyp, so #gymtok is 3.5x likelier among fitness creators than among all."""
    start = dt.datetime(2024, 2, 1, 12, tzinfo=dt.UTC)  # before the history ends
    rows = []
    for k, (handle, tags) in enumerate(
        [
            ("fit_anna", ["gymtok", "legday"]),
            ("fit_anna", ["gymtok", "legday"]),
            ("fit_ben", ["gymtok", "fyp"]),
            ("chef_cara", ["fyp", "recipe"]),
            *((f"cook{n}", ["fyp", "recipe"]) for n in range(4)),
        ]
    ):
        posted = start + dt.timedelta(days=k)
        rows.append({"id": 7_300_000_000_000_000_001 + k, "username": handle,
                     "create_time": int(posted.timestamp()), "view_count": 10_000 * (k + 1),
                     "like_count": 100, "hashtag_names": tags})  # fmt: skip
    return json.dumps({"data": {"videos": rows}, "error": {"code": "ok"}})


async def test_top_lists_labelled_hashtags_with_a_chart(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "trends top")
    message = final(result)
    assert not message.ephemeral
    embed = message.embeds[0]
    assert embed.title == "Top hashtags · 7d to 2024-02-09 (worldwide)"
    field = embed.fields[0]
    assert field.name == "1. #gymtok · 🌱 emerging"
    assert "growth **+25%** (7d vs the 7d before)" in field.value
    assert "momentum **+3.6%/day**" in field.value and "breakout: no" in field.value
    assert "How to read this" in [f.name for f in embed.fields]
    assert embed.footer.text.startswith("data as of 2024-02-09 · worldwide")
    [chart] = message.attachments
    assert chart.filename == "trends-top.png"
    assert (await chart.read()).startswith(PNG)
    assert embed.image.url == "attachment://trends-top.png"


async def test_top_for_a_period_and_a_niche(stocked, simcord_bot, tmp_path) -> None:
    w = stocked
    await load(simcord_bot, w.guild.id, "videos", videos_json(), tmp_path, "videos.json")
    result = await w.member.slash(w.channel, "trends top", period="30d", niche="fitness",
                                  limit=3)  # fmt: skip
    embed = final(result).embeds[0]
    assert embed.title == "Top hashtags · 30d to 2024-02-09 (worldwide, niche fitness)"
    names = [f.name for f in embed.fields]
    assert any(n.startswith("1. #gymtok") for n in names)
    assert all("recipe" not in n for n in names)  # a food tag is not related to fitness
    assert "(30d vs the 30d before)" in embed.fields[0].value
    knitting = await w.member.slash(w.channel, "trends top", niche="knitting")
    embed = final(knitting).embeds[0]
    assert "No hashtag to show" in embed.description
    assert "no hashtag in the workspace is related to the niche 'knitting'" in embed.description
    assert not final(knitting).attachments  # nothing to draw, so no chart


async def test_top_bad_options_are_answered_privately_or_named(stocked) -> None:
    w = stocked
    typo = await w.member.slash(w.channel, "trends top", niche="!!!")
    assert typo.ephemeral and not typo.deferred
    assert "niche: '!!!' has no letters or digits" in typo.response.content
    nowhere = await w.member.slash(w.channel, "trends top", region="Germany")
    text = final(nowhere).content
    assert "no hashtag history (DE)" in text and "regions with data: worldwide" in text


async def test_top_in_an_empty_workspace_says_what_to_import(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "trends top")
    text = final(result).content
    assert "no hashtag data yet" in text
    assert "/data import kind:hashtags" in text and "/data import kind:videos" in text
    assert "campaign-bot" not in text  # a Discord answer, not the CLI's


async def test_hashtag_shows_curve_label_related_and_creators(stocked, simcord_bot,
                                                              tmp_path) -> None:  # fmt: skip
    w = stocked
    await load(simcord_bot, w.guild.id, "videos", videos_json(), tmp_path, "videos.json")
    result = await w.member.slash(w.channel, "trends hashtag", tag="#GymTok")
    message = final(result)
    embed = message.embeds[0]
    assert embed.title == "\\#gymtok · 🌱 emerging"
    fields = {f.name: f.value for f in embed.fields}
    assert "**7d**: 24.9M views vs 19.9M before → **+25%**" in fields["Growth by period"]
    assert fields["Momentum"] == "+3.6%/day"
    assert "\\#legday" in fields["Related hashtags"] or "#legday" in fields["Related hashtags"]
    creators = fields["This workspace's creators using #gymtok"]
    assert "@fit\\_anna · 2 videos" in creators and "@fit\\_ben · 1 video" in creators
    assert "chef" not in creators
    assert "series from hashtags.csv" in embed.footer.text  # the imported history wins
    [chart] = message.attachments
    assert chart.filename == "gymtok-trend.png" and (await chart.read()).startswith(PNG)
    assert embed.image.url == "attachment://gymtok-trend.png"


async def test_hashtag_bad_names(stocked) -> None:
    w = stocked
    junk = await w.member.slash(w.channel, "trends hashtag", tag="!!!")
    assert junk.ephemeral and not junk.deferred
    assert "tag: '!!!' is not a hashtag name" in junk.response.content
    typo = await w.member.slash(w.channel, "trends hashtag", tag="gymtock")
    assert "no hashtag #gymtock" in final(typo).content
    assert "did you mean #gymtok" in final(typo).content


async def test_hashtag_in_an_empty_workspace(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "trends hashtag", tag="gymtok")
    assert "no hashtag data yet" in final(result).content


async def test_hashtag_autocomplete_offers_the_workspace_tags(stocked, simcord_bot,
                                                              tmp_path) -> None:  # fmt: skip
    w = stocked
    many = "hashtag,date,views\n" + "".join(f"#tag{n:02d},2024-02-01,{n}\n" for n in range(40))
    await load(simcord_bot, w.guild.id, "hashtags", many, tmp_path, "many.csv")
    choices = await w.member.autocomplete(w.channel, "trends hashtag", "tag", "#GYM")
    assert choices == [{"name": "#gymtok", "value": "gymtok"}]
    inside = await w.member.autocomplete(w.channel, "trends hashtag", "tag", "tok")
    assert [c["value"] for c in inside] == ["gymtok"]
    everything = await w.member.autocomplete(w.channel, "trends hashtag", "tag", "")
    assert len(everything) == 25  # Discord's limit, of 41 tags
    assert all(len(c["name"]) <= 100 for c in everything)


async def test_autocomplete_in_an_empty_workspace(world) -> None:
    w = world
    assert await w.member.autocomplete(w.channel, "trends hashtag", "tag", "g") == []


async def test_trends_are_for_every_member_but_cool_down(stocked, simcord_bot) -> None:
    w = stocked
    # no permission needed: a plain member reads trends (the tests above run as one)
    bot = simcord_bot
    slow = bot.settings.bot.model_copy(update={"heavy_cooldown_s": 60.0})
    bot.settings = bot.settings.model_copy(update={"bot": slow})
    first = await w.member.slash(w.channel, "trends top")
    assert final(first).embeds
    second = await w.member.slash(w.channel, "trends hashtag", tag="gymtok")
    assert final(second).embeds  # each command has its own cooldown
    again = await w.member.slash(w.channel, "trends top")
    assert again.ephemeral and "cooling down" in again.response.content
    other = await w.planner.slash(w.channel, "trends top")  # per user
    assert final(other).embeds


# --- the cards on their own: hostile text stays harmless and within limits ----------------

HOSTILE = st.one_of(
    st.text(max_size=1500),
    st.sampled_from(["@everyone", "<@123456789012345678>", "**x** __y__", "x" * 1500]),
)


def _item(text: str, n: int) -> TrendItem:
    return TrendItem(
        hashtag=(text or "t")[:120], label="rising", label_reason=text, period="7d",
        growth=0.5, momentum=0.02, acceleration=None, breakout=True,
        breakout_reasons=[text, text], views=1e6, views_prev=5e5, days=7,
        added_per_day=1e4, daily_views=2e5, views_per_post=None, estimated_days=n % 2,
        first_seen=None, last_seen=None, source=text, region="worldwide",
        as_of="2024-02-09", related_reasons=[text],
    )  # fmt: skip


@examples(max_examples=40, deadline=None)
@given(text=HOSTILE)
def test_trend_cards_stay_within_limits(text: str) -> None:
    top = TopTrends(workspace="w", period="7d", region="worldwide", niche=text,
                    as_of="2024-02-09", items=[_item(text, n) for n in range(10)],
                    considered=10, notes=[text] * 3)  # fmt: skip
    card = cards_trends.top_card(top, chart="trends-top.png")
    periods = [PeriodStats(p, 1.0, 1.0, 7, 7, 0.1, 0, None, None) for p in ("7d", "30d", "120d")]
    one = HashtagTrend(
        workspace="w", hashtag=(text or "t")[:120], description=text, label="peaking",
        label_reason=text, label_help="help", growth=None, momentum=None,
        momentum_basis="smoothed", acceleration=None, breakout=True,
        breakout_reasons=[text], periods=periods, daily_views=None, peak=None,
        peak_date=None, cumulative_views=None, cumulative_posts=None, views_per_post=None,
        age_days=None, first_seen=None, last_seen=None, data_days=1, days_known=1,
        estimated_days=0, long_gap_days=0, corrected_days=0, source=text, sources={text: 1},
        region="worldwide", as_of="2024-02-09", series=pd.DataFrame(),
        related=[RelatedHashtag(text or "r", 0.5, [text])] * 8,
        creators=[TagCreator(text or "c", text, [text], 2, 10, None)] * 12, notes=[text] * 4,
    )  # fmt: skip
    for embed in (card, cards_trends.hashtag_card(one, chart=cards_trends.chart_name(text))):
        assert not embed_problems(embed)
        d = embed.to_dict()
        shown = [d.get("title", ""), d.get("description", ""), d["footer"]["text"]]
        shown += [f["name"] + f["value"] for f in d.get("fields", [])]
        assert not any(mentions_anyone(s) for s in shown)
    assert cards_trends.chart_name(text).endswith("-trend.png")
    assert all(c.isalnum() or c in "_.-" for c in cards_trends.chart_name(text))
