"""/campaign suggest through the real bot on a simulated Discord.

The `planned` world's workspace holds the demo generator's synthetic data (300 creators,
their videos, 120 days of hashtag history to 2026-11-27) and two saved briefs: "Fitness"
(the demo brief: niche fitness, three ideas) and "Open" (no niche: every trending hashtag,
more ideas than one page of three).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.demo import DEMO_BRIEF, NICHES, generate, write_files
from bot.services import briefs as briefs_service
from bot.services.data import ImportOptions, import_file
from bot.services.suggest import EMPTY
from tests.limits import embed_problems, mentions_anyone

FIELDS = ["Creator brief", "Call to action", "Hashtags", "Timing", "Seed creators",
          "Forecast", "Risks", "Why this idea"]  # fmt: skip


def shown(result: Any) -> Any:
    return result.followups[-1] if result.followups else result.response


def fields(embed: Any) -> dict[str, str]:
    return {f.name: f.value for f in embed.fields}


def buttons(message: Any) -> dict[str, dict[str, Any]]:
    return {
        c["label"]: c for row in message.components for c in row["components"] if c["type"] == 2
    }


def callbacks(env: Any, since: int) -> list[int]:
    return [
        r.json["type"]
        for r in env.http_requests[since:]
        if r.path.endswith("/callback") and isinstance(r.json, dict)
    ]


def footer_position(embed: Any) -> tuple[int, int]:
    first = embed.footer.text.split(" · ")[0]  # "idea 2 of 7"
    n, total = first.removeprefix("idea ").split(" of ")
    return int(n), int(total)


def ridden(embed: Any) -> str:
    return fields(embed)["Hashtags"].split("trending: ")[1].split("\n")[0]


async def save(bot: Any, guild_id: int, name: str, **fields_: Any) -> None:
    await briefs_service.save_brief(bot.store, str(guild_id), name, fields_, owner_id=None)


@pytest.fixture
async def planned(world: Any, simcord_bot: Any, tmp_path: Path) -> Any:
    paths = write_files(generate(300, seed=7), tmp_path / "demo")
    for kind in ("creators", "videos", "hashtags"):
        await import_file(
            simcord_bot.store, simcord_bot.settings,
            ImportOptions(kind=kind, path=paths[kind], workspace=str(world.guild.id),  # type: ignore[arg-type]
                          guild_id=world.guild.id),  # type: ignore[call-arg]
        )  # fmt: skip
    brief = {k: v for k, v in DEMO_BRIEF.items() if k != "name"}
    await save(simcord_bot, world.guild.id, "Fitness", **brief)
    await save(simcord_bot, world.guild.id, "Open", **{**brief, "niches": []})
    return world


async def test_suggest_shows_an_idea_with_its_buttons(planned) -> None:
    w = planned
    start = len(w.env.http_requests)
    result = await w.member.slash(w.channel, "campaign suggest", brief="Fitness")
    assert callbacks(w.env, start)[0] == 5  # thinking first: the work runs off the loop
    message = shown(result)
    assert not message.ephemeral
    embed = message.embeds[0]
    assert embed.title.startswith("💡 ")
    assert "**Hook:**" in embed.description and "objective engagement" in embed.description
    assert [k.split(" (")[0] for k in fields(embed)][: len(FIELDS)] == FIELDS
    f = fields(embed)
    seeds = next(v for k, v in f.items() if k.startswith("Seed creators"))
    assert seeds.count("\n") + 1 == 5 and "ranked #" in seeds
    assert (
        "views" in f["Forecast"] and "CPM" in f["Forecast"] and "sum of the seed" in f["Forecast"]
    )
    assert ridden(embed).lstrip("\\#").replace("\\", "") in NICHES["fitness"]
    assert footer_position(embed) == (1, 3)
    assert "hashtag trends as of 2026-11-27 (worldwide)" in embed.footer.text
    assert not embed_problems(embed)
    assert set(buttons(message)) == {"Next idea", "Use these creators", "Export as Markdown"}
    assert not buttons(message)["Next idea"].get("disabled")


async def test_next_idea_walks_every_idea_and_fetches_more_pages(planned) -> None:
    w = planned
    result = await w.member.slash(w.channel, "campaign suggest", brief="Open")
    message = shown(result)
    n, total = footer_position(message.embeds[0])
    assert n == 1 and total > 3  # more than one page of three
    seen = [ridden(message.embeds[0])]
    for expected in range(2, total + 1):
        step = await w.member.click(message, label="Next idea")
        message = step.response
        assert footer_position(message.embeds[0]) == (expected, total)
        seen.append(ridden(message.embeds[0]))
        assert not embed_problems(message.embeds[0])
    assert len(seen) == len(set(seen))  # never the same hashtag twice
    assert buttons(message)["Next idea"].get("disabled") is True


async def test_use_these_creators_saves_the_seeds_as_a_shortlist(planned, simcord_bot) -> None:
    w = planned
    message = shown(await w.member.slash(w.channel, "campaign suggest", brief="Fitness"))
    second = (await w.member.click(message, label="Next idea")).response
    tag = ridden(second.embeds[0]).replace("\\", "")
    saved = await w.member.click(second, label="Use these creators")
    assert not saved.ephemeral
    text = saved.response.content
    assert text.startswith("Saved the shortlist **") and "the 5 seed creators of idea 2" in text
    lists = await briefs_service.list_shortlists(simcord_bot.store, str(w.guild.id))
    [info] = lists
    assert tag in info.name and info.created_by == w.member.id
    seeds = next(v for k, v in fields(second.embeds[0]).items() if k.startswith("Seed"))
    handles = [c["handle"] for c in info.data["creators"]]
    assert all(f"@{h}".replace("_", "\\_") in seeds for h in handles) and len(handles) == 5
    shown_list = await w.member.slash(w.channel, "shortlist show", name=info.name)
    assert shown(shown_list).embeds


async def test_export_as_markdown_gives_the_ideas_seen_so_far(planned) -> None:
    w = planned
    message = shown(await w.member.slash(w.channel, "campaign suggest", brief="Fitness"))
    first = message.embeds[0].title
    message = (await w.member.click(message, label="Next idea")).response
    export = await w.member.click(message, label="Export as Markdown")
    assert export.ephemeral and "The 2 ideas seen so far" in export.response.content
    (attachment,) = export.response.attachments
    assert attachment.filename == "campaign-ideas-Fitness.md"
    text = (await attachment.read()).decode("utf-8")
    assert text.startswith("# Campaign ideas: Fitness")
    assert "## Idea 1: " in text and "## Idea 2: " in text and "## Idea 3: " not in text
    assert first.removeprefix("💡 ").split(" ")[0] in text
    assert "**Seed creators**" in text and "**Forecast:**" in text


async def test_the_buttons_belong_to_the_person_who_asked(planned) -> None:
    w = planned
    message = shown(await w.member.slash(w.channel, "campaign suggest", brief="Fitness"))
    for label in ("Next idea", "Use these creators", "Export as Markdown"):
        other = await w.planner.click(message, label=label)
        assert other.ephemeral and "belong to the person" in other.response.content
    assert footer_position(shown(await w.member.click(message, label="Next idea")).embeds[0])[
        0] == 2  # fmt: skip


async def test_options_narrow_the_ideas(planned) -> None:
    w = planned
    jack = shown(await w.member.slash(w.channel, "campaign suggest", brief="Open",
                                      format="trend_jack"))  # fmt: skip
    assert "**Trend-jack on a rising hashtag**" in jack.embeds[0].description
    tag = "legday"
    one = shown(await w.member.slash(w.channel, "campaign suggest", brief="Fitness",
                                     hashtag=f"#{tag}", brand_hashtag="#GoFit",
                                     product="a protein bar"))  # fmt: skip
    embed = one.embeds[0]
    assert ridden(embed) == f"\\#{tag}" or ridden(embed) == f"#{tag}"
    branded = await w.member.slash(w.channel, "campaign suggest", brief="Fitness",
                                   format="hashtag_challenge", brand_hashtag="GoFit")  # fmt: skip
    assert "#GoFit" in fields(shown(branded).embeds[0])["Hashtags"]


async def test_a_brand_hashtag_saved_with_the_brief_is_the_default(planned) -> None:
    w = planned
    made = await w.member.slash(w.channel, "brief create", name="Branded", budget="5000",
                                niches="fitness", brand_hashtag="#SpringIntoFit")  # fmt: skip
    assert not made.ephemeral, made.response.content
    branded = await w.member.slash(w.channel, "campaign suggest", brief="Branded",
                                   format="hashtag_challenge")  # fmt: skip
    assert "#SpringIntoFit" in fields(shown(branded).embeds[0])["Hashtags"]
    # The option still wins over the brief's.
    other = await w.member.slash(w.channel, "campaign suggest", brief="Branded",
                                 format="hashtag_challenge", brand_hashtag="GoFit")  # fmt: skip
    hashtags = fields(shown(other).embeds[0])["Hashtags"]
    assert "#GoFit" in hashtags and "SpringIntoFit" not in hashtags


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"brief": "Nope"}, "no brief named 'Nope'"),
        ({"brief": "Fitness", "format": "juggling"}, "format: 'juggling' is not a format"),
        ({"brief": "Fitness", "hashtag": "###"}, "hashtag: '###' is not a hashtag name"),
        ({"brief": "Fitness", "brand_hashtag": "two words"}, "brand_hashtag: 'two words'"),
    ],
)
async def test_bad_input_is_answered_privately_before_deferring(planned, options, expected):
    w = planned
    start = len(w.env.http_requests)
    result = await w.member.slash(w.channel, "campaign suggest", **options)
    assert result.ephemeral and expected in result.response.content
    assert 5 not in callbacks(w.env, start)


async def test_a_declining_hashtag_is_refused_with_its_reason(planned) -> None:
    w = planned
    result = await w.member.slash(w.channel, "campaign suggest", brief="Fitness",
                                  hashtag="homeworkout")  # fmt: skip
    text = shown(result).content
    assert "#homeworkout is declining" in text and "never ride a declining" in text
    assert not shown(result).components


async def test_in_an_empty_workspace(world, simcord_bot) -> None:
    w = world
    await save(simcord_bot, w.guild.id, "Spring", budget=5000, niches=["fitness"])
    result = await w.member.slash(w.channel, "campaign suggest", brief="Spring")
    assert shown(result).content == EMPTY
    none_saved = await w.member.slash(w.channel, "campaign suggest", brief="Ghost")
    assert none_saved.ephemeral and "/brief list shows the saved ones" in (
        none_saved.response.content)  # fmt: skip


async def test_hashtags_without_creators_say_why_there_is_no_idea(stocked, simcord_bot) -> None:
    w = stocked  # four creators and a #gymtok history, but nobody fits this brief
    await save(simcord_bot, w.guild.id, "Travel", budget=500, niches=["travel"],
               countries=["JP"])  # fmt: skip
    result = await w.member.slash(w.channel, "campaign suggest", brief="Travel")
    embed = shown(result).embeds[0]
    assert embed.title == "No campaign idea for Travel"
    assert "Formats not used" in fields(embed) and not shown(result).components
    assert not embed_problems(embed)


async def test_autocomplete_for_briefs_formats_and_hashtags(planned) -> None:
    w = planned
    briefs = await w.member.autocomplete(w.channel, "campaign suggest", "brief", "fit")
    assert [c["value"] for c in briefs] == ["Fitness"]
    formats = await w.member.autocomplete(w.channel, "campaign suggest", "format", "duet")
    assert [c["value"] for c in formats] == ["duet_chain"]
    every = await w.member.autocomplete(w.channel, "campaign suggest", "format", "")
    assert len(every) == 8 and all(len(c["name"]) <= 100 for c in every)
    tags = await w.member.autocomplete(w.channel, "campaign suggest", "hashtag", "leg")
    assert [c["value"] for c in tags] == ["legday"]


async def test_hostile_brief_names_and_products_stay_safe(planned, simcord_bot) -> None:
    w = planned
    name = "@everyone <@123456789012345678> **x**"
    await save(simcord_bot, w.guild.id, name, **{k: v for k, v in DEMO_BRIEF.items()
                                                 if k != "name"})  # fmt: skip
    result = await w.member.slash(w.channel, "campaign suggest", brief=name,
                                  product="@here <@&98765432109876543> ~~p~~")  # fmt: skip
    message = shown(result)
    d = message.embeds[0].to_dict()
    texts = [d.get("title", ""), d.get("description", ""), d["footer"]["text"]]
    texts += [f["name"] + f["value"] for f in d["fields"]]
    assert not any(mentions_anyone(t) for t in texts)
    export = await w.member.click(message, label="Export as Markdown")
    text = (await export.response.attachments[0].read()).decode("utf-8")
    assert not mentions_anyone(text) and not mentions_anyone(export.response.content)
