"""Campaign ideas from the store, on SQLite and PostgreSQL: the demo generator's synthetic
workspace (400 creators, their videos, 120 days of hashtag history) imported through the real
import path. Labels are read back through the trends service, so the checks below do not
trust the suggestion code's own view of the trends."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bot.config import CampaignSettings, Settings
from bot.db.repo import WorkspaceNotFound
from bot.demo import DEMO_BRIEF, NICHES, generate, run_demo, write_files
from bot.render import cards_suggest
from bot.services import briefs, trends
from bot.services import suggest as service
from bot.services.data import ImportOptions, import_file
from bot.services.ranking import RankingCache, brief_from_dict, rank_brief
from tests.limits import embed_problems

WS = "demo"


@pytest.fixture
async def demo(store, settings, tmp_path: Path) -> Any:
    data = generate(400, seed=7)
    paths = write_files(data, tmp_path / "demo")
    for kind in ("creators", "videos", "hashtags"):
        report = await import_file(
            store, settings, ImportOptions(kind=kind, path=paths[kind], workspace=WS)
        )
        assert report.rejected == 0
    return data


async def labels(store, settings) -> dict[str, str]:
    top = await trends.top(store, settings, WS, period="7d", limit=1000)
    return {i.hashtag: i.label for i in top.items}


async def every_idea(store, settings, brief, **kw) -> list[service.Idea]:
    """All pages of the answer, as "more ideas" walks them."""
    out: list[service.Idea] = []
    page = 0
    while True:
        r = await service.suggest(store, settings, WS, brief, count=5, page=page,
                                  cache=RankingCache(), **kw)  # fmt: skip
        out += r.ideas
        if not r.more:
            return out
        page += 1


def with_campaigns(settings: Settings, **kw: Any) -> Settings:
    return settings.model_copy(update={"campaigns": CampaignSettings(**kw)})


async def test_declining_never_suggested_and_a_rising_hashtag_in_the_niche_is(
    store, settings, demo
) -> None:
    lab = await labels(store, settings)
    declining = {t for t, x in lab.items() if x == "declining"}
    fitness_fresh = {t for t in NICHES["fitness"] if lab.get(t) in ("rising", "emerging")}
    assert declining & set(NICHES["fitness"])  # the data has declining fitness tags to avoid
    assert fitness_fresh  # ... and rising or emerging ones to use
    brief = brief_from_dict(DEMO_BRIEF)
    ideas = await every_idea(store, settings, brief)
    used = [i.hashtag for i in ideas]
    assert len(used) == len(set(used))  # one hashtag, one idea
    assert not set(used) & declining
    assert fitness_fresh <= set(used)
    assert set(used) <= set(NICHES["fitness"])  # only hashtags of the brief's niche
    for i in ideas:
        assert i.plan.trend.label == lab[i.hashtag]
        assert i.plan.trend.label != "peaking" or i.plan.format.id in (
            "trend_jack", "pov_skit", "stitch_reply")  # fmt: skip
        others = {j.hashtag for j in ideas if j is not i}
        assert not {t.lstrip("#") for t in i.plan.hashtags.all} & others

    # a brief without niches: every trending hashtag qualifies, still never a declining one
    open_ = await every_idea(store, settings, brief_from_dict({**DEMO_BRIEF, "niches": []}))
    assert len(open_) > 10
    assert not {i.hashtag for i in open_} & declining
    assert all(lab[i.hashtag] in ("emerging", "rising", "peaking", "evergreen") for i in open_)


async def test_seeds_come_from_the_ranking_and_the_forecast_is_their_sum(
    store, settings, demo
) -> None:
    brief = brief_from_dict(DEMO_BRIEF)
    result = await service.suggest(store, settings, WS, brief, count=5, cache=RankingCache())
    assert result.ideas
    ranked = await rank_brief(store, settings, WS, brief, top=settings.campaigns.seed_pool,
                              cache=RankingCache())  # fmt: skip
    by_handle = {c.handle: c for c in ranked.ranking.creators}
    latest = demo.videos
    for idea in result.ideas:
        seeds = idea.plan.seeds
        assert len(seeds) == min(max(brief.creators_wanted, idea.plan.format.min_seeds),
                                 idea.plan.format.max_seeds)  # fmt: skip
        assert all(s.handle in by_handle for s in seeds)  # from the brief's ranking
        for s in seeds:  # posts under the hashtag, counted from the generated videos
            mine = latest[latest["username"] == s.handle]["hashtags"]
            assert s.posts_under_tag == sum(f"#{idea.hashtag}" in h.split() for h in mine)
        on_tag = [s.posts_under_tag > 0 for s in seeds]
        assert on_tag == sorted(on_tag, reverse=True)  # those on the hashtag first
        fc = idea.plan.forecast
        views = sum(by_handle[s.handle].forecast.views for s in seeds)
        engagements = sum(by_handle[s.handle].forecast.engagements for s in seeds)
        cost = sum(by_handle[s.handle].forecast.cost for s in seeds)
        assert fc.views == pytest.approx(views) and fc.engagements == pytest.approx(engagements)
        assert fc.cost == pytest.approx(cost) and cost <= brief.budget
        assert fc.cpm == pytest.approx(cost / views * 1000)
        assert fc.cpe == pytest.approx(cost / engagements)
        assert fc.currency == "USD" and fc.creators == len(seeds)


async def test_brand_and_product_open_the_formats_that_need_them(store, settings, demo) -> None:
    plain = brief_from_dict({**DEMO_BRIEF, "brand_hashtag": None, "product": None})
    r = await service.suggest(store, settings, WS, plain, count=5, cache=RankingCache())
    assert r.unusable["tutorial"].startswith("needs a product")
    assert r.unusable["hashtag_challenge"].startswith("needs a branded hashtag")
    assert r.brand_hashtag is None
    full = await service.suggest(store, settings, WS, plain, count=5, brand_hashtag="#GoFit",
                                 product="a protein bar", cache=RankingCache())  # fmt: skip
    assert "tutorial" not in full.unusable and full.brand_hashtag == "GoFit"
    branded = [i for i in full.ideas if "brand_hashtag" in i.plan.format.needs]
    for i in branded:
        assert i.plan.hashtags.branded == ["#GoFit"] and "#GoFit" in i.markdown
    from_config = await service.suggest(
        store, with_campaigns(settings, brand_hashtag="ConfigBrand"), WS, plain, count=1,
        cache=RankingCache(),
    )  # fmt: skip
    assert from_config.brand_hashtag == "ConfigBrand"
    only = await service.suggest(store, settings, WS, plain, format="tutorial", product="bars",
                                 count=5, cache=RankingCache())  # fmt: skip
    assert only.ideas and {i.plan.format.id for i in only.ideas} == {"tutorial"}


async def test_a_flagged_hashtag_is_dropped_and_the_answer_says_so(store, settings, demo) -> None:
    brief = brief_from_dict(DEMO_BRIEF)
    before = await every_idea(store, settings, brief)
    target = before[0].hashtag  # the best idea's hashtag, to be flagged
    flagged = with_campaigns(settings, flagged_hashtags=[f"#{target.upper()}"])
    result = await service.suggest(store, flagged, WS, brief, count=10, cache=RankingCache())
    assert result.ideas
    for i in result.ideas:
        assert i.hashtag != target and f"#{target}" not in i.plan.hashtags.all
        assert f"#{target}" not in i.markdown.split("**Hashtags:**")[1].split("\n")[0]
    said = f"#{target}: on the flagged list ([campaigns] flagged_hashtags)"
    assert said in result.dropped
    card = cards_suggest.idea_card(result, result.ideas[0]).to_dict()
    safety = {f["name"]: f["value"] for f in card["fields"]}["Brand safety: left out"]
    assert target in safety
    assert f"dropped \\#{target}" in service.export_markdown(result) or (
        f"dropped #{target}" in service.export_markdown(result))  # fmt: skip
    with pytest.raises(service.SuggestError, match=f"#{target} is off-limits"):
        await service.suggest(store, flagged, WS, brief, hashtag=target, cache=RankingCache())

    sensitive = with_campaigns(settings, sensitive_keywords=["run"])
    r = await service.suggest(store, sensitive, WS, brief, count=10, cache=RankingCache())
    assert "runtok" not in {i.hashtag for i in r.ideas}
    assert any(d.startswith("#runtok: its name contains the sensitive keyword 'run'")
               for d in r.dropped)  # fmt: skip


async def test_the_hashtag_and_format_options(store, settings, demo) -> None:
    lab = await labels(store, settings)
    brief = brief_from_dict(DEMO_BRIEF)
    declining = next(t for t in NICHES["fitness"] if lab[t] == "declining")
    with pytest.raises(service.SuggestError, match=f"#{declining} is declining"):
        await service.suggest(store, settings, WS, brief, hashtag=declining,
                              cache=RankingCache())  # fmt: skip
    with pytest.raises(service.SuggestError, match="did you mean #legday"):
        await service.suggest(store, settings, WS, brief, hashtag="legdya", cache=RankingCache())
    with pytest.raises(service.SuggestError, match="format: 'juggling' is not a format"):
        await service.suggest(store, settings, WS, brief, format="juggling")
    fresh = next(t for t in NICHES["fitness"] if lab[t] in ("rising", "emerging"))
    one = await service.suggest(store, settings, WS, brief, hashtag=f"#{fresh.upper()}",
                                count=10, cache=RankingCache())  # fmt: skip
    assert one.ideas and {i.hashtag for i in one.ideas} == {fresh}
    formats = [i.plan.format.id for i in one.ideas]
    assert len(formats) == len(set(formats)) > 1  # that hashtag, in several formats


async def test_pages_are_deterministic_and_walk_one_order(store, settings, demo) -> None:
    brief = brief_from_dict({**DEMO_BRIEF, "niches": []})

    async def page(n: int, count: int) -> list[dict[str, Any]]:
        r = await service.suggest(store, settings, WS, brief, count=count, page=n,
                                  cache=RankingCache())  # fmt: skip
        return [i.to_dict() for i in r.ideas]

    two = await page(0, 2)
    assert two == await page(0, 2)  # the same data and brief: the same ideas
    assert two == (await page(0, 1)) + (await page(1, 1))
    assert [i["position"] for i in await page(3, 2)] == [7, 8]
    json.dumps(two, default=str)  # serialisable for --json


async def test_no_hashtag_history_no_workspace_and_no_creators(store, settings, tmp_path):
    brief = brief_from_dict(DEMO_BRIEF)
    with pytest.raises(WorkspaceNotFound):
        await service.suggest(store, settings, "nobody", brief)
    path = tmp_path / "c.csv"
    path.write_text("handle,followers,niches\nsolo,5000,fitness\n", encoding="utf-8")
    await import_file(store, settings, ImportOptions(kind="creators", path=path, workspace="bare"))
    with pytest.raises(service.SuggestError, match="no hashtag history yet"):
        await service.suggest(store, settings, "bare", brief, cache=RankingCache())
    data = generate(50, seed=3)
    paths = write_files(data, tmp_path / "tags")
    await import_file(store, settings, ImportOptions(kind="hashtags", path=paths["hashtags"],
                                                     workspace="tags-only"))  # fmt: skip
    r = await service.suggest(store, settings, "tags-only", brief, cache=RankingCache())
    assert r.ideas == [] and r.total == 0
    assert any("the workspace has no creators" in n for n in r.notes)
    card = cards_suggest.no_ideas_card(r)
    assert not embed_problems(card) and "Formats not used" in [f.name for f in card.fields]


async def test_use_these_creators_and_export(store, settings, demo) -> None:
    brief = brief_from_dict(DEMO_BRIEF)
    r = await service.suggest(store, settings, WS, brief, count=2, cache=RankingCache())
    idea = r.ideas[0]
    info = await service.save_seeds(store, WS, r, idea, created_by=42)
    assert idea.hashtag in info.name and info.name.startswith("spring fitness launch")
    saved = await briefs.get_shortlist(store, WS, info.name)
    assert [c["handle"] for c in saved.data["creators"]] == [s.handle for s in idea.plan.seeds]
    assert saved.created_by == 42 and saved.brief_name == brief.name
    again = await service.save_seeds(store, WS, r, idea, created_by=42)
    assert again.name == f"{info.name} (2)"
    csv = briefs.shortlist_csv(saved.data).decode("utf-8-sig")
    assert all(s.handle in csv for s in idea.plan.seeds)
    doc = service.export_markdown(r)
    assert doc.startswith("# Campaign ideas: spring fitness launch")
    assert "hashtag trends as of 2026-11-27" in doc
    assert all(i.markdown in doc for i in r.ideas)
    assert re.search(r"^## Idea 2: ", doc, re.M)


async def test_the_demo_tour_ends_with_one_suggestion(tmp_path: Path) -> None:
    buf = io.StringIO()
    await run_demo(tmp_path / "demo.sqlite3", Settings(ranking={"cache_dir": str(tmp_path)}),
                   creators=400, seed=1, out=Console(file=buf, width=160))  # fmt: skip
    tour = buf.getvalue()
    last = tour.rsplit(". a campaign idea for the brief, on a hashtag rising now", 1)
    assert len(last) == 2, tour[-2000:]
    idea = last[1]
    assert idea.count("Idea 1: ") == 1 and "Idea 2: " not in idea
    for part in ("Hook (first seconds):", "Creator brief.", "Seed creators", "Forecast:",
                 "Timing:", "Risks:"):  # fmt: skip
        assert part in idea
    assert "ideas in all for this brief" in idea


TRAP = """+++
id = "trap"
title = "Trap"
objectives = ["engagement"]
lifecycles = ["emerging", "rising"]
+++
{% extends "_base.md.j2" %}
{% block title %}Trap on {{ trend.tag }}{% endblock %}
{% block hook %}{% if trend.hashtag == "legday" %}{{ trend.nope }}{% endif %}hook{% endblock %}
{% block concept %}concept{% endblock %}
{% block creator_brief %}brief{% endblock %}
{% block cta %}cta{% endblock %}
"""


async def test_a_team_template_failing_on_real_data_costs_one_idea_not_the_answer(
    store, settings, demo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "trap.md.j2").write_text(TRAP, encoding="utf-8")
    team = with_campaigns(settings, template_dir=str(folder))
    assert service.lint(team, folder).problems == []  # sample data never meets the trap
    brief = brief_from_dict(DEMO_BRIEF)
    r = await service.suggest(store, team, WS, brief, format="trap", count=10,
                              cache=RankingCache())  # fmt: skip
    assert r.total >= 2 and "legday" not in {i.hashtag for i in r.ideas}
    assert {i.plan.format.id for i in r.ideas} == {"trap"} and len(r.ideas) == r.total - 1
    assert any(n.startswith("the Trap idea on #legday was left out: its template failed "
                            "(trap.md.j2:9)") for n in r.notes)  # fmt: skip
    assert "trap.md.j2" in caplog.text and "has no attribute 'nope'" in caplog.text
