"""/brief, /rank and /shortlist through the real bot on a simulated Discord.

The `stocked` world holds four creators (fit_anna 900 USD, fit_ben, chef_cara, travel_dan
400 EUR); `crowded` adds thirty priced fitness creators for paging through a long ranking.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from simcord.backend.errors import SetupError

import scoring.rank
from bot.services import briefs as service
from tests.bot.conftest import load

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def bot_settings(bot_settings: Any, request: pytest.FixtureRequest) -> Any:
    """The conftest settings; `parametrize("bot_settings", [seconds], indirect=True)` sets
    the heavy-command cooldown."""
    seconds = getattr(request, "param", None)
    if seconds is None:
        return bot_settings
    bot = bot_settings.bot.model_copy(update={"heavy_cooldown_s": seconds})
    return bot_settings.model_copy(update={"bot": bot})


@pytest.fixture
async def crowded(stocked: Any, simcord_bot: Any, tmp_path: Path) -> Any:
    rows = "".join(
        f"@gym_{i:02d},Gym {i},{20 + i}K,{5 + i}K,{400 + 10 * i},{20 + i},{10 + i},Fitness,US,"
        f"${300 + 10 * i}\n"
        for i in range(30)
    )
    text = "Username,Name,Followers,Views avg,Likes,Comments,Shares,Genre,Country,Price\n" + rows
    await load(simcord_bot, stocked.guild.id, "creators", text, tmp_path, "gym.csv")
    return stocked


def callbacks(env: Any, since: int) -> list[int]:
    """The interaction response types the bot sent since request number ``since``."""
    return [
        r.json["type"]
        for r in env.http_requests[since:]
        if r.path.endswith("/callback") and isinstance(r.json, dict)
    ]


def shown(result: Any) -> Any:
    """The message a command showed (the response, or the followup after a defer)."""
    return result.response if result.response is not None else result.followups[0]


def fields(embed: Any) -> dict[str, str]:
    return {f.name: f.value for f in embed.fields}


def buttons(message: Any) -> dict[str, dict[str, Any]]:
    return {
        c["label"]: c for row in message.components for c in row["components"] if c["type"] == 2
    }


def select_menu(message: Any) -> dict[str, Any]:
    return next(c for row in message.components for c in row["components"] if c["type"] == 3)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def make_brief(w: Any, who: Any = None, name: str = "Spring", **options: Any) -> Any:
    options.setdefault("budget", "5000")
    result = await (who or w.planner).slash(w.channel, "brief create", name=name, **options)
    assert not result.ephemeral, result.response.content
    return result


# --- /brief create ---------------------------------------------------------------------------


async def test_create_saves_every_option_and_shows_the_brief(stocked, simcord_bot) -> None:
    w = stocked
    result = await w.planner.slash(
        w.channel, "brief create", name="Spring launch", budget="$5,000", objective="engagement",
        niches="Fitness, food", keywords="gym", countries="usa, Germany", languages="en",
        audience_ages="18-24, 25-34", audience_genders="female", tiers="micro, mid",
        exclude_handles="@Fit_Ben", min_followers="10k", max_followers="1M",
        max_price_per_creator="1,500", min_engagement="5%", creators_wanted=3,
        brand_hashtag="#SpringIntoFit", product="the  AirFry 3000",
    )  # fmt: skip
    assert not result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Brief saved: Spring launch"
    assert embed.description == "objective **engagement** · budget 5,000 USD · 3 creators wanted"
    f = fields(embed)
    assert f["Niches"] == "fitness, food" and f["Countries"] == "US, DE"
    assert f["Followers"] == "10.0K to 1.0M" and f["Tiers"] == "micro, mid"
    assert f["Min engagement"] == "5.00% by views"
    assert f["Max price per creator"] == "1,500 USD"
    assert f["Excluded"] == "@fit\\_ben"  # markdown escaped
    assert f["Owner"] == f"<@{w.planner.id}>"
    assert "engagement 22%" in f["Weights (engagement preset)"]
    assert f["For campaign ideas"] == "brand hashtag: #SpringIntoFit\nproduct: the AirFry 3000"

    saved = await service.get_brief(simcord_bot.store, str(w.guild.id), "Spring launch")
    b = saved.brief
    assert (b.brand_hashtag, b.product) == ("SpringIntoFit", "the AirFry 3000")
    assert (b.budget, b.currency, b.min_engagement, b.min_followers) == (5000, "USD", 0.05, 10_000)
    assert b.exclude_handles == ("fit_ben",) and saved.owner_id == w.planner.id

    again = await w.planner.slash(w.channel, "brief show", name="Spring launch")
    assert fields(again.response.embeds[0]) == f
    assert again.response.embeds[0].title == "Brief: Spring launch"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"budget": "lots"}, "budget: 'lots' is not an amount"),
        ({"budget": "-5"}, "budget: '-5' is negative"),
        ({"budget": "0"}, "budget = 0.0: expected greater than 0"),
        ({"tiers": "giant"}, "tiers.0 = 'giant': expected 'nano'"),
        ({"min_followers": "2M", "max_followers": "1M"}, "min_followers at most max_followers"),
        ({"min_followers": "many"}, "min_followers: 'many' is not a number"),
        ({"min_engagement": "high"}, "min_engagement: 'high' is not a rate"),
        ({"countries": "US, Narnia"}, "countries: 'Narnia' is not a country"),
        ({"currency": "XYZ"}, "currency: 'XYZ' is not an ISO 4217 currency code"),
        ({"budget": "900 EUR", "currency": "USD"}, "currency: the amounts name different"),
        ({"max_price_per_creator": "9000"}, "max_price_per_creator at most the budget"),
        ({"brand_hashtag": "two words"}, "brand_hashtag = 'two words': expected one hashtag"),
    ],
)
async def test_create_refuses_bad_input_privately_naming_the_field(
    stocked, options, expected
) -> None:
    w = stocked
    options = {"budget": "5000", **options}
    result = await w.planner.slash(w.channel, "brief create", name="Bad", **options)
    assert result.ephemeral and expected in result.response.content
    listed = await w.planner.slash(w.channel, "brief list")
    assert listed.response.embeds[0].title == "0 saved briefs"  # nothing half-written


async def test_create_refuses_a_taken_name(stocked) -> None:
    w = stocked
    await make_brief(w)
    again = await w.member.slash(w.channel, "brief create", name=" Spring ", budget="100")
    assert again.ephemeral and "already a brief named 'Spring'" in again.response.content


async def test_create_in_an_empty_workspace(world) -> None:
    w = world
    result = await make_brief(w, w.member, name="First", budget="900 EUR")
    assert "900 EUR" in result.response.embeds[0].description
    listed = await w.member.slash(w.channel, "brief list")
    assert listed.response.embeds[0].title == "1 saved brief"


# --- /brief list, show, autocomplete --------------------------------------------------------


async def test_list_pages_through_many_briefs(stocked, simcord_bot) -> None:
    w = stocked
    empty = await w.member.slash(w.channel, "brief list")
    assert "No briefs yet" in empty.response.embeds[0].description
    for i in range(12):
        fields_ = {"budget": 1000 + i, "niches": "fitness"}
        await service.save_brief(
            simcord_bot.store, str(w.guild.id), f"Brief {i:02d}", fields_, w.planner.id
        )
    result = await w.member.slash(w.channel, "brief list")
    first = result.response.embeds[0]
    assert first.title == "12 saved briefs"
    assert first.description.count("\n") == 9 and "Brief 00" in first.description
    nxt = await w.member.click(result.response, label="Next")
    second = nxt.response.embeds[0]
    assert "Brief 11" in second.description and "Brief 00" not in second.description
    assert second.footer.text.startswith("page 2/2")


async def test_show_an_unknown_brief(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "brief show", name="Nope")
    assert result.ephemeral and "no brief named 'Nope'" in result.response.content


async def test_show_in_an_empty_workspace(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "brief show", name="Nope")
    assert result.ephemeral and "/brief list shows the saved ones" in result.response.content


async def test_brief_names_autocomplete(stocked, simcord_bot) -> None:
    w = stocked
    ws = str(w.guild.id)
    long_name = "Summer " + "x" * 93
    for name in ["Autumn", "Spring fitness", "Spring food", "Big spring", long_name] + [
        f"Z{i:02d}" for i in range(30)
    ]:
        await service.save_brief(simcord_bot.store, ws, name, {"budget": 100}, None)
    got = await w.member.autocomplete(w.channel, "brief show", "name", "spring")
    assert [c["value"] for c in got] == ["Spring fitness", "Spring food", "Big spring"]
    everything = await w.member.autocomplete(w.channel, "brief rank", "name", "")
    assert len(everything) == 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in everything)
    summer = await w.member.autocomplete(w.channel, "brief delete", "name", "summ")
    assert summer[0]["value"] == long_name


async def test_autocomplete_in_an_empty_workspace(world) -> None:
    w = world
    assert await w.member.autocomplete(w.channel, "brief edit", "name", "") == []
    assert await w.member.autocomplete(w.channel, "shortlist show", "name", "x") == []


# --- /brief edit, delete -----------------------------------------------------------------------


async def test_edit_changes_and_clears_fields(stocked, simcord_bot) -> None:
    w = stocked
    await make_brief(w, w.member, niches="fitness", min_followers="10k", max_followers="1M",
                     brand_hashtag="GoFit", product="a bar")  # fmt: skip
    result = await w.member.slash(w.channel, "brief edit", name="Spring", budget="8k",
                                  niches="-", min_followers="none", objective="ugc",
                                  brand_hashtag="-", product="a protein bar")  # fmt: skip
    assert not result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Brief updated: Spring"
    assert embed.description.startswith("objective **ugc** · budget 8,000 USD")
    f = fields(embed)
    assert f["Niches"] == "any" and f["Followers"] == "at most 1.0M"
    assert f["For campaign ideas"] == "product: a protein bar"
    saved = await service.get_brief(simcord_bot.store, str(w.guild.id), "Spring")
    assert saved.brief.min_followers is None and saved.brief.max_followers == 1_000_000
    assert (saved.brief.brand_hashtag, saved.brief.product) == (None, "a protein bar")


async def test_edit_bad_input_names_the_field(stocked) -> None:
    w = stocked
    await make_brief(w, w.member)
    bad = await w.member.slash(w.channel, "brief edit", name="Spring", min_engagement="much")
    assert bad.ephemeral and "min_engagement: 'much' is not a rate" in bad.response.content
    cap = await w.member.slash(w.channel, "brief edit", name="Spring",
                               max_price_per_creator="6000")  # fmt: skip
    assert cap.ephemeral and "max_price_per_creator at most the budget" in cap.response.content
    nothing = await w.member.slash(w.channel, "brief edit", name="Spring")
    assert nothing.ephemeral and "nothing to change" in nothing.response.content
    unknown = await w.member.slash(w.channel, "brief edit", name="Nope", budget="10")
    assert unknown.ephemeral and "no brief named 'Nope'" in unknown.response.content


async def test_edit_by_someone_else_needs_a_manager(stocked) -> None:
    w = stocked
    await make_brief(w, w.planner)
    refused = await w.member.slash(w.channel, "brief edit", name="Spring", budget="1")
    assert refused.ephemeral and "only the brief's owner" in refused.response.content
    allowed = await w.admin.slash(w.channel, "brief edit", name="Spring", budget="7000")
    assert "7,000 USD" in allowed.response.embeds[0].description


async def test_delete_is_for_the_owner_or_a_manager(stocked) -> None:
    w = stocked
    await make_brief(w, w.planner, name="Planner's")
    await make_brief(w, w.member, name="Member's")
    await make_brief(w, w.member, name="Another")

    refused = await w.member.slash(w.channel, "brief delete", name="Planner's")
    assert refused.ephemeral
    assert "only the brief's owner or someone with Manage Server" in refused.response.content
    still = await w.member.slash(w.channel, "brief show", name="Planner's")
    assert not still.ephemeral

    own = await w.member.slash(w.channel, "brief delete", name="Member's")
    assert not own.ephemeral and own.response.content.startswith("Deleted the brief **Member's**")
    by_role = await w.planner.slash(w.channel, "brief delete", name="Another")  # planner role
    assert not by_role.ephemeral
    by_admin = await w.admin.slash(w.channel, "brief delete", name="Planner's")  # Manage Server
    assert not by_admin.ephemeral
    listed = await w.member.slash(w.channel, "brief list")
    assert listed.response.embeds[0].title == "0 saved briefs"


async def test_delete_in_an_empty_workspace(world) -> None:
    w = world
    result = await w.admin.slash(w.channel, "brief delete", name="Ghost")
    assert result.ephemeral and "no brief named 'Ghost'" in result.response.content


# --- /brief rank, /rank --------------------------------------------------------------------


async def test_brief_rank_defers_then_shows_the_ranking(stocked) -> None:
    w = stocked
    await make_brief(w, niches="fitness, food", creators_wanted=3)
    start = len(w.env.http_requests)
    result = await w.member.slash(w.channel, "brief rank", name="Spring")
    assert callbacks(w.env, start)[0] == 5  # deferred before ranking
    message = shown(result)
    embed = message.embeds[0]
    assert embed.title == "Shortlist: Spring" and not message.ephemeral
    assert "objective **awareness**" in embed.description
    assert [f.name.split(" ")[0] for f in embed.fields] == ["#1", "#2", "#3"]
    assert "travel" not in str(embed.to_dict())  # not in the brief's niches

    other = await w.member.slash(w.channel, "brief rank", name="Spring", top=1,
                                 objective="engagement")  # fmt: skip
    embed = shown(other).embeds[0]
    assert "objective **engagement**" in embed.description and len(embed.fields) == 1
    assert "engagement 22%" in embed.footer.text


async def test_brief_rank_of_a_typo_answers_privately_without_deferring(stocked) -> None:
    w = stocked
    start = len(w.env.http_requests)
    result = await w.member.slash(w.channel, "brief rank", name="Sprnig")
    assert result.ephemeral and "no brief named 'Sprnig'" in result.response.content
    assert 5 not in callbacks(w.env, start)


async def test_brief_rank_in_an_empty_workspace(world) -> None:
    w = world
    await make_brief(w)
    result = await w.member.slash(w.channel, "brief rank", name="Spring")
    assert "no creators yet" in shown(result).content
    assert not shown(result).components


async def test_rank_inline_without_saving(stocked) -> None:
    w = stocked
    start = len(w.env.http_requests)
    result = await w.member.slash(w.channel, "rank", budget="5k", niches="fitness",
                                  countries="US", objective="engagement")  # fmt: skip
    assert callbacks(w.env, start)[0] == 5
    embed = shown(result).embeds[0]
    assert embed.title == "Shortlist: quick rank"
    handles = [f.name.split(" ")[1] for f in embed.fields]
    assert sorted(handles) == ["@fit\\_anna", "@fit\\_ben"]
    listed = await w.member.slash(w.channel, "brief list")
    assert listed.response.embeds[0].title == "0 saved briefs"


async def test_rank_bad_input_is_private_and_not_deferred(stocked) -> None:
    w = stocked
    start = len(w.env.http_requests)
    bad = await w.member.slash(w.channel, "rank", budget="lots")
    assert bad.ephemeral and "budget: 'lots' is not an amount" in bad.response.content
    tiers = await w.member.slash(w.channel, "rank", budget="100", tiers="huge")
    assert tiers.ephemeral and "tiers.0 = 'huge'" in tiers.response.content
    assert 5 not in callbacks(w.env, start)


async def test_rank_in_an_empty_workspace(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "rank", budget="5000")
    assert "no creators yet" in shown(result).content


@pytest.mark.parametrize("bot_settings", [30], indirect=True)
async def test_rank_has_a_per_user_cooldown(stocked) -> None:
    w = stocked
    first = await w.member.slash(w.channel, "rank", budget="5000")
    assert shown(first).embeds
    second = await w.member.slash(w.channel, "rank", budget="5000")
    assert second.ephemeral and "cooling down" in second.response.content
    someone_else = await w.planner.slash(w.channel, "rank", budget="5000")
    assert shown(someone_else).embeds
    await w.env.advance_time(31)
    third = await w.member.slash(w.channel, "rank", budget="5000")
    assert shown(third).embeds


# --- the ranking's buttons ------------------------------------------------------------------


async def test_buttons_belong_to_the_person_who_ranked(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="5000")
    message = shown(result)
    for label in ("Budget plan", "Export CSV", "Save shortlist"):
        other = await w.planner.click(message, label=label)
        assert other.ephemeral and "belong to the person" in other.response.content
        assert other.modal is None
    picked = await w.planner.select(message, ["1"])
    assert picked.ephemeral and "belong to the person" in picked.response.content


async def test_previous_next_and_why_options_stay_within_limits(crowded) -> None:
    w = crowded
    result = await w.member.slash(w.channel, "rank", budget="50000", niches="fitness", top=30)
    message = shown(result)
    for row in message.components:
        assert len(row["components"]) <= 5
    assert shown(result).embeds[0].footer.text.startswith("page 1/6")
    assert buttons(message)["Previous"].get("disabled") is True
    options = select_menu(message)["options"]
    assert len(options) == 25 and options[0]["value"] == "1" and options[-1]["value"] == "25"

    for page in range(2, 7):
        step = await w.member.click(message, label="Next")
        assert step.response.embeds[0].footer.text.startswith(f"page {page}/6")
        message = step.response
    first_on_last = message.embeds[0].fields[0].name
    assert first_on_last.startswith("#26 ")
    assert buttons(message)["Next"].get("disabled") is True
    assert [o["value"] for o in select_menu(message)["options"]] == ["26", "27", "28", "29", "30"]

    back = await w.member.click(message, label="Previous")
    assert back.response.embeds[0].fields[0].name.startswith("#21 ")
    assert len(select_menu(back.response)["options"]) == 25

    why = await w.member.select(back.response, ["23"])
    card = why.followups[0]
    assert card.ephemeral and card.embeds[0].title.startswith("Why #23 @gym")
    assert "weight" in card.embeds[0].fields[0].name


async def test_why_explains_a_creator_privately(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="5000", niches="fitness")
    message = shown(result)
    top = message.embeds[0].fields[0].name  # "#1 @handle · tier · score x"
    why = await w.member.select(message, ["1"])
    assert why.response.embeds[0].title == message.embeds[0].title  # the list stays
    card = why.followups[0]
    assert card.ephemeral
    handle = top.split(" ")[1]
    assert card.embeds[0].title == f"Why #1 {handle}"
    assert card.embeds[0].description.startswith("score ")
    assert any("contribution" in f.value for f in card.embeds[0].fields)


async def test_budget_plan_stays_within_the_budget(stocked) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="1000", currency="USD")
    message = shown(result)
    start = len(w.env.http_requests)
    plan = await w.member.click(message, label="Budget plan")
    assert callbacks(w.env, start)[0] == 5  # computed off the loop after deferring
    card = shown(plan).embeds[0]
    assert card.title == "Budget plan: 1,000 USD"
    f = fields(card)
    cost = float(re.search(r"cost ([\d,]+)", f["The plan"])[1].replace(",", ""))
    assert 0 < cost <= 1000
    assert "@fit\\_anna" in f["Book"]  # the 900 USD creator fits, the 12,500 USD one cannot
    assert "fit\\_ben" not in f["Book"]

    start = len(w.env.http_requests)
    again = await w.member.click(message, label="Budget plan")
    assert callbacks(w.env, start) == [4]  # the plan is kept: no second computation
    assert fields(again.response.embeds[0]) == f


@pytest.fixture
def hostile_flags(monkeypatch) -> None:
    """Every ranked creator carries a flag text that is a spreadsheet formula."""
    real = scoring.rank._explain

    def explain(*args, **kwargs):
        creator = real(*args, **kwargs)
        creator.flags = [HOSTILE, *creator.flags]
        return creator

    monkeypatch.setattr(scoring.rank, "_explain", explain)


async def test_export_csv_is_an_attachment_with_formulas_neutralised(
    stocked, hostile_flags
) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="5000", niches="fitness, food")
    message = shown(result)
    export = await w.member.click(message, label="Export CSV")
    assert export.ephemeral
    (attachment,) = export.response.attachments
    assert attachment.filename == "quick-rank-shortlist.csv"
    rows = csv_rows(await attachment.read())
    assert rows[0][:3] == ["rank", "handle", "score"]
    ranked_handles = [f.name.split(" ")[1].replace("\\", "")[1:] for f in message.embeds[0].fields]
    assert [r[1] for r in rows[1:]] == ranked_handles
    flags = rows[0].index("flags")
    assert all(r[flags].startswith("'" + HOSTILE) for r in rows[1:])
    assert not any(cell.startswith(FORMULA_PREFIXES) for r in rows for cell in r)


async def test_save_shortlist_then_show_and_export_it(stocked) -> None:
    w = stocked
    await make_brief(w, niches="fitness, food", budget="1000")
    result = await w.member.slash(w.channel, "brief rank", name="Spring")
    message = shown(result)
    await w.member.click(message, label="Budget plan")
    button_csv = (
        await (await w.member.click(message, label="Export CSV")).response.attachments[0].read()
    )

    shown_modal = await w.member.click(message, label="Save shortlist")
    assert shown_modal.modal is not None and shown_modal.modal["title"] == "Save shortlist"
    saved = await w.member.submit_modal(shown_modal, {"name": "Round 1"})
    assert "Saved the shortlist **Round 1**" in saved.response.content
    assert "budget plan" in saved.response.content

    taken = await w.member.click(message, label="Save shortlist")
    again = await w.member.submit_modal(taken, {"name": " Round  1 "})
    assert again.ephemeral and "already a shortlist named 'Round 1'" in again.response.content

    listed = await w.planner.slash(w.channel, "shortlist list")
    assert listed.response.embeds[0].title == "1 saved shortlist"
    assert "**Round 1** · brief Spring · 3 creators + plan" in listed.response.embeds[0].description

    show = await w.planner.slash(w.channel, "shortlist show", name="Round 1")
    embed = show.response.embeds[0]
    assert embed.title == "Shortlist: Round 1"
    assert [f.name for f in embed.fields[:3]] == [f.name for f in message.embeds[0].fields]
    assert "cost" in fields(embed)["Budget plan"]

    export = await w.planner.slash(w.channel, "shortlist export", name="Round 1")
    (attachment,) = export.response.attachments
    assert attachment.filename == "Round-1-shortlist.csv"
    assert await attachment.read() == button_csv  # the same ranking, as it was shown

    choices = await w.planner.autocomplete(w.channel, "shortlist export", "name", "rou")
    assert [c["value"] for c in choices] == ["Round 1"]


async def test_saved_shortlist_export_neutralises_formulas(stocked, hostile_flags) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="5000")
    modal = await w.member.click(shown(result), label="Save shortlist")
    assert modal.modal["components"][0]["components"][0]["value"].startswith("quick rank ")
    await w.member.submit_modal(modal, {"name": "Hostile"})
    export = await w.member.slash(w.channel, "shortlist export", name="Hostile")
    rows = csv_rows(await export.response.attachments[0].read())
    assert len(rows) == 5 and not any(c.startswith(FORMULA_PREFIXES) for r in rows for c in r)


async def test_shortlists_in_an_empty_workspace(world) -> None:
    w = world
    listed = await w.member.slash(w.channel, "shortlist list")
    assert "No shortlists yet" in listed.response.embeds[0].description
    show = await w.member.slash(w.channel, "shortlist show", name="Nope")
    assert show.ephemeral and "no shortlist named 'Nope'" in show.response.content
    export = await w.member.slash(w.channel, "shortlist export", name="Nope")
    assert export.ephemeral and "no shortlist named 'Nope'" in export.response.content


async def test_views_time_out_and_disable_their_buttons(stocked, simcord_bot) -> None:
    w = stocked
    result = await w.member.slash(w.channel, "rank", budget="5000")
    message = shown(result)
    assert any(not c.get("disabled") for c in buttons(message).values())
    await w.env.advance_time(simcord_bot.settings.bot.view_timeout_s - 5)
    assert not shown(result).components[0]["components"][2].get("disabled")  # still live
    await w.env.advance_time(10)
    after = shown(result)
    assert all(c.get("disabled") is True for c in buttons(after).values())
    assert select_menu(after).get("disabled") is True
    with pytest.raises(SetupError):
        await w.member.click(after, label="Export CSV")
