"""/creator lookup, search and compare, through the real bot on a simulated Discord."""

from __future__ import annotations

import pytest


async def test_lookup_shows_an_explained_card(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "creator lookup", handle="@FIT_ANNA")
    assert result.acknowledged and not result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title.startswith("@fit\\_anna")  # markdown escaped
    fields = {f.name: f.value for f in embed.fields}
    assert "120.0K" in fields["Followers"] and "tier mid" in fields["Followers"]
    assert "(likes + comments + shares) / views" in fields["Engagement by views"]
    assert "900 USD" in fields["Price per video"]
    assert embed.footer.text == "data as of 2024-02-09 from creators.csv"


async def test_lookup_of_an_unknown_creator_says_what_to_do(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "creator lookup", handle="nobody")
    assert result.ephemeral
    assert "no creator @nobody" in result.response.content


async def test_lookup_in_an_empty_workspace(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "creator lookup", handle="anyone")
    assert result.ephemeral and "no creator @anyone" in result.response.content


async def test_autocomplete_offers_prefix_then_fuzzy_matches(stocked) -> None:
    w = stocked
    choices = await w.member.autocomplete(w.channel, "creator lookup", "handle", "fit")
    assert [c["value"] for c in choices][:2] == ["fit_anna", "fit_ben"]
    assert all(len(c["name"]) <= 100 for c in choices) and len(choices) <= 25
    fuzzy = await w.member.autocomplete(w.channel, "creator lookup", "handle", "cara")
    assert "chef_cara" in [c["value"] for c in fuzzy]


async def test_growth_chart_button_is_for_the_asker_only(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "creator lookup", handle="fit_anna")
    message = result.response
    other = await w.planner.click(message, label="Growth chart")
    assert other.ephemeral and "belong to the person" in other.response.content
    mine = await w.member.click(message, label="Growth chart")
    # the deferred reply becomes the chart
    assert mine.response.attachments[0].filename == "fit_anna-growth.png"


async def test_search_pages_and_filters(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "creator search", niche="fitness",
                                  min_followers="100k")  # fmt: skip
    embed = result.followups[0].embeds[0] if result.followups else result.response.embeds[0]
    assert embed.title == "2 creators match"
    assert "fit\\_ben" in embed.description and "chef" not in embed.description
    bad = await w.member.slash(w.channel, "creator search", min_followers="lots")
    assert bad.ephemeral and "min_followers: 'lots' is not a number" in bad.response.content


async def test_compare_two_creators(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "creator compare", first="fit_anna",
                                  second="fit_ben")  # fmt: skip
    embed = result.response.embeds[0]
    assert [f.name for f in embed.fields] == ["@fit\\_anna", "@fit\\_ben"]
    same = await w.member.slash(w.channel, "creator compare", first="fit_anna",
                                second="@FIT_ANNA")  # fmt: skip
    assert same.ephemeral and "two different creators" in same.response.content


async def test_direct_messages_are_refused_politely(stocked, simcord_bot) -> None:
    from types import SimpleNamespace

    from simcord.backend.errors import SetupError

    from bot.app import NotInGuild

    w = stocked
    user = w.env.create_user("dmer")
    # The client does not offer guild-only commands in DMs ...
    with pytest.raises(SetupError, match="not visible"):
        await user.slash("creator lookup", handle="fit_anna")
    # ... and a client that sends one anyway is refused at run time, politely.
    with pytest.raises(NotInGuild, match="works inside a server"):
        await simcord_bot.tree.interaction_check(SimpleNamespace(guild=None))
