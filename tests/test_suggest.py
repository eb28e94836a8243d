"""Campaign ideas, without a database: the pure selection (scoring.suggest) and the templates
(front matter, the sandbox, lint with file and line, every built-in format rendered for
every objective and lifecycle it claims within Discord's limits)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from bot.config import Settings
from bot.render import cards_suggest
from bot.services import suggest as service
from scoring.brief import Brief
from scoring.suggest import (
    WEIGHTS,
    FormatError,
    FormatSpec,
    SeedCandidate,
    TrendTag,
    freshness,
    pace,
    plan_ideas,
    timing,
)
from tests.limits import embed_problems, mentions_anyone

AS_OF = dt.date(2026, 11, 27)
FORMAT_IDS = {
    "hashtag_challenge", "trend_jack", "duet_chain", "stitch_reply", "tutorial",
    "before_after", "pov_skit", "ugc_contest",
}  # fmt: skip


def brief(**kw) -> Brief:
    return Brief(**{"name": "Spring", "objective": "engagement", "niches": ("fitness",),
                    "budget": 5000, "creators_wanted": 3, **kw})  # fmt: skip


def tag(name: str, label: str, relevance: float | None = 0.9, momentum: float = 0.05,
        **kw) -> TrendTag:  # fmt: skip
    return TrendTag(name, label, f"{label} because", momentum=momentum, relevance=relevance, **kw)


def seed(handle: str, rank: int, views: float = 10_000, er: float = 0.08, cost: float = 500,
         **kw) -> SeedCandidate:  # fmt: skip
    return SeedCandidate(handle, rank, 1 - rank / 100, views, views * er, cost, **kw)


SEEDS = [
    seed("alpha", 1, 50_000),
    seed("bravo", 2, 40_000),
    seed("charlie", 3, 30_000, tags={"runtok": 4}),
    seed("delta", 4, 20_000, tags={"runtok": 1, "legday": 2}),
    seed("echo", 5, 10_000),
]
FORMATS = [
    FormatSpec("trend_jack", "Trend-jack", ("awareness", "engagement"),
               ("emerging", "rising", "peaking")),
    FormatSpec("duet_chain", "Duet chain", ("engagement", "ugc"), ("emerging", "rising"),
               min_seeds=3),
    FormatSpec("tutorial", "Tutorial", ("conversion", "engagement"),
               ("rising", "evergreen"), needs=("product",)),
    FormatSpec("challenge", "Challenge", ("awareness", "engagement"), ("emerging", "rising"),
               needs=("brand_hashtag",)),
]  # fmt: skip
TAGS = [
    tag("runtok", "rising", momentum=0.04),
    tag("legday", "emerging", momentum=0.2, breakout=True, breakout_reasons=["a spike"]),
    tag("gymtok", "declining", momentum=-0.05),
    tag("fitcheck", "evergreen", momentum=0.0),
    tag("mystery", "unknown"),
    tag("pilates", "peaking", momentum=-0.01),
    tag("cooking", "rising", relevance=0.0),  # not related to the brief
    tag("weakly", "rising", relevance=0.3),  # related, but not clearly
]


def plan(**kw):
    args = {"as_of": AS_OF, "per_page": 10}
    args.update(kw)
    return plan_ideas(kw.pop("brief", brief()), TAGS, FORMATS, SEEDS,
                      **{k: v for k, v in args.items() if k != "brief"})  # fmt: skip


# --- selection ------------------------------------------------------------------------------


def test_declining_unknown_and_unrelated_hashtags_never_carry_an_idea() -> None:
    s = plan()
    used = [i.trend.hashtag for i in s.ideas]
    assert set(used) == {"runtok", "legday", "pilates"}  # fitcheck: no evergreen format fits
    assert "gymtok" not in used and "mystery" not in used and "cooking" not in used
    assert "weakly" not in used  # relatedness under 0.4
    assert len(used) == len(set(used))  # never the same hashtag twice in one answer
    assert s.total == 3 and not s.more


def test_peaking_is_quick_turn_only_and_timing_follows_the_label() -> None:
    s = plan()
    by_tag = {i.trend.hashtag: i for i in s.ideas}
    assert by_tag["pilates"].format.id == "trend_jack"  # the only format that claims peaking
    assert "quick-turn only" in by_tag["pilates"].timing.text
    assert by_tag["legday"].timing.days == 2 and by_tag["legday"].timing.launch_by == "2026-11-29"
    assert by_tag["runtok"].timing.text.startswith("rising: launch within 7 days (by 2026-12-04)")
    fast = timing(tag("x", "rising", momentum=0.12), AS_OF)
    assert fast.days == 3
    assert timing(tag("x", "evergreen"), AS_OF).days is None
    with pytest.raises(ValueError, match="never used"):
        timing(tag("x", "declining"), AS_OF)


def test_seeds_put_creators_on_the_hashtag_first_and_the_forecast_is_their_sum() -> None:
    s = plan(format_id="duet_chain")
    idea = next(i for i in s.ideas if i.trend.hashtag == "runtok")
    assert [x.handle for x in idea.seeds] == ["charlie", "delta", "alpha"]
    assert idea.seeds[0].posts_under_tag == 4 and "already posts under #runtok" in (
        idea.seeds[0].reason)  # fmt: skip
    fc = idea.forecast
    assert fc.views == sum(x.views for x in idea.seeds) == 100_000
    assert fc.engagements == pytest.approx(sum(x.engagements for x in idea.seeds))
    assert fc.cost == 1500 and fc.cpm == pytest.approx(1500 / 100_000 * 1000)
    assert fc.cpe == pytest.approx(1500 / fc.engagements)
    assert idea.parts["seeded"] == pytest.approx(2 / 3)


def test_seeds_stay_within_the_budget_and_a_format_without_enough_seeds_is_skipped() -> None:
    pricey = [seed("a", 1, cost=3000), seed("b", 2, cost=3000), seed("c", 3, cost=1500),
              seed("d", 4, cost=None)]  # fmt: skip
    s = plan_ideas(brief(), TAGS, FORMATS, pricey, as_of=AS_OF)
    for idea in s.ideas:
        assert idea.forecast.cost <= 5000
        assert [x.handle for x in idea.seeds] == [
            "a",
            "c",
        ]  # b would pass the budget; d has no price
    assert "duet_chain" in s.unusable and "at least 3 seed creators" in s.unusable["duet_chain"]


def test_needs_and_objectives_decide_which_formats_fit_and_say_why() -> None:
    s = plan()
    assert s.unusable["tutorial"] == "needs a product (product in the brief)"
    assert s.unusable["challenge"].startswith("needs a branded hashtag")
    with_both = plan(product="the app", brand_hashtag="SpringFit")
    assert "tutorial" not in with_both.unusable and "challenge" not in with_both.unusable
    fitcheck = next(i for i in with_both.ideas if i.trend.hashtag == "fitcheck")
    assert fitcheck.format.id == "tutorial"  # the only evergreen format
    challenge = next(i for i in with_both.ideas if i.format.id == "challenge")
    assert challenge.hashtags.branded == ["#SpringFit"]
    ugc = plan(brief=brief(objective="conversion"))
    assert ugc.unusable["duet_chain"] == "made for engagement, ugc, not conversion"


def test_ranking_is_by_the_documented_score_and_deterministic() -> None:
    a, b = plan(), plan()
    assert [i.to_dict() for i in a.ideas] == [i.to_dict() for i in b.ideas]
    shuffled = plan_ideas(brief(), list(reversed(TAGS)), list(reversed(FORMATS)),
                          list(reversed(SEEDS)), as_of=AS_OF, per_page=10)  # fmt: skip
    assert [(i.trend.hashtag, i.format.id) for i in shuffled.ideas] == [
        (i.trend.hashtag, i.format.id) for i in a.ideas]  # fmt: skip
    for i in a.ideas:
        assert i.score == pytest.approx(sum(WEIGHTS[k] * v for k, v in i.parts.items()))
        assert set(i.parts) == set(WEIGHTS)
    assert sum(WEIGHTS.values()) == pytest.approx(1)
    assert a.ideas[0].trend.hashtag == "legday"  # emerging with a fast momentum: the freshest
    assert freshness(tag("x", "emerging", momentum=0.5)) == 1.0
    assert freshness(tag("x", "emerging", momentum=0.0, thin=True)) == pytest.approx(0.6)
    assert freshness(tag("x", "evergreen", momentum=-1)) == pytest.approx(0.3)


def test_pages_walk_the_same_order_and_more_ideas_is_never_a_reshuffle() -> None:
    whole = plan()
    pages = [plan(per_page=1, page=n) for n in range(4)]
    assert [p.ideas[0].trend.hashtag for p in pages[:3]] == [
        i.trend.hashtag for i in whole.ideas]  # fmt: skip
    assert [p.ideas[0].position for p in pages[:3]] == [1, 2, 3]
    assert pages[0].more and pages[1].more and not pages[2].more
    assert pages[3].ideas == []


def test_a_hashtag_asked_for_gets_its_formats_and_a_format_asked_for_only_itself() -> None:
    s = plan(hashtag="runtok")
    assert {i.trend.hashtag for i in s.ideas} == {"runtok"}
    assert {i.format.id for i in s.ideas} == {"trend_jack", "duet_chain"}
    only = plan(format_id="trend_jack")
    assert {i.format.id for i in only.ideas} == {"trend_jack"}
    declining = plan(hashtag="gymtok")
    assert declining.ideas == [] and "#gymtok cannot carry an idea" in declining.notes[-1]
    unrelated = plan(hashtag="cooking")  # asked for by name: allowed, with a risk
    assert unrelated.ideas and any("not clearly related" in r for r in unrelated.ideas[0].risks)


def test_fading_and_stalled_hashtags_are_left_out_and_said() -> None:
    nan = float("nan")
    # measured days only: the estimated 900 (a gap) does not count
    assert pace([100, 900, 500, 200, 200, 200], [True, False, True, True, True, True]) == (
        200, 300)  # fmt: skip
    assert pace([nan, nan, 50, 60], [True] * 4) == (55, None)
    assert pace([nan], [True]) == (None, None)
    fading = tag("mothers", "emerging", pace_recent=200.0, pace_before=500.0)
    steady = tag("steady", "emerging", pace_recent=400.0, pace_before=500.0)
    stalled = tag("flat", "rising", growth=0.0)
    assert fading.fading and not steady.fading and stalled.stalled
    assert not tag("x", "peaking", pace_recent=1.0, pace_before=9.0).fading  # only fresh labels
    s = plan_ideas(brief(), [*TAGS, fading, steady, stalled], FORMATS, SEEDS, as_of=AS_OF,
                   per_page=10)  # fmt: skip
    used = {i.trend.hashtag for i in s.ideas}
    assert "steady" in used and not {"mothers", "flat"} & used
    note = next(n for n in s.notes if n.startswith("left out as fading or stalled"))
    assert "#mothers (200 views/day in its last 3 measured days against 500 before)" in note
    assert "#flat (stalled: 7-day growth +0%)" in note


def test_a_hashtag_that_carries_an_idea_is_in_no_other_idea_on_any_page() -> None:
    tags = [*TAGS, tag("evergreenniche", "evergreen", relevance=0.95)]
    whole = plan_ideas(brief(), tags, FORMATS, SEEDS, as_of=AS_OF, per_page=10,
                       product="x")  # fmt: skip
    carried = {i.trend.hashtag for i in whole.ideas}
    assert len(carried) > 2
    for n in range(len(carried)):
        [idea] = plan_ideas(brief(), tags, FORMATS, SEEDS, as_of=AS_OF, per_page=1, page=n,
                            product="x").ideas  # fmt: skip
        others = {f"#{t}" for t in carried - {idea.trend.hashtag}}
        assert not others & set(idea.hashtags.all), (idea.trend.hashtag, idea.hashtags.all)
        assert idea.hashtags.niche  # the brief's niche at least


def test_flagged_hashtags_are_dropped_and_said() -> None:
    s = plan(flagged={"legday": "on the flagged list", "fitcheck": "contains 'x'"},
             product="the app")  # fmt: skip
    assert "legday" not in {i.trend.hashtag for i in s.ideas}
    assert "#legday: on the flagged list" in s.dropped
    for i in s.ideas:
        assert "#legday" not in i.hashtags.all and "#fitcheck" not in i.hashtags.all
    dropped_in_sets = [d for i in s.ideas for d in i.hashtags.dropped]
    assert any(d.startswith("#fitcheck") for d in dropped_in_sets)
    assert any("left out of the hashtag set" in r for i in s.ideas for r in i.risks)
    brand = plan(flagged={"springfit": "on the flagged list"}, brand_hashtag="SpringFit")
    assert "challenge" in brand.unusable and any("SpringFit is flagged" in n for n in brand.notes)


def test_a_brief_without_niches_takes_every_trending_hashtag_and_says_so() -> None:
    tags = [tag("runtok", "rising", relevance=None), tag("cooking", "rising", relevance=None),
            tag("old", "declining", relevance=None)]  # fmt: skip
    s = plan_ideas(brief(niches=()), tags, FORMATS, SEEDS, as_of=AS_OF, per_page=5)
    assert {i.trend.hashtag for i in s.ideas} == {"runtok", "cooking"}
    assert any("names no niche" in n for n in s.notes)
    assert all(i.parts["relevance"] == 0.5 for i in s.ideas)


def test_nothing_fits_says_why() -> None:
    s = plan_ideas(brief(), [tag("gymtok", "declining")], FORMATS, SEEDS, as_of=AS_OF)
    assert s.ideas == [] and s.total == 0
    assert "no hashtag related to the brief is emerging, rising" in s.notes[-1]
    no_seeds = plan_ideas(brief(), TAGS, FORMATS, [], as_of=AS_OF)
    assert no_seeds.ideas == [] and "seed creators" in no_seeds.unusable["trend_jack"]


def test_front_matter_is_validated_key_by_key() -> None:
    ok = FormatSpec.from_dict({"id": "x", "title": "X", "objectives": ["ugc"],
                               "lifecycles": ["rising"]})  # fmt: skip
    assert ok.fit("ugc") == 1.0 and ok.fit("awareness") is None
    with pytest.raises(FormatError) as info:
        FormatSpec.from_dict(
            {
                "id": "x y",
                "objectives": ["sales"],
                "lifecycles": ["declining"],
                "needs": ["money"],
                "min_seeds": 9,
                "max_seeds": 2,
                "color": 1,
            }
        )
    text = str(info.value)
    for part in ("color: unknown key", "title: expected a non-empty string",
                 "objectives: ['sales'] not in", "lifecycles: ['declining'] not in",
                 "needs: ['money'] not in", "min_seeds: expected at most max_seeds",
                 "id: 'x y' should be"):  # fmt: skip
        assert part in text


# --- templates --------------------------------------------------------------------------------


@pytest.fixture
def lib():
    return service.load_library(Settings())


def test_the_built_in_templates_are_eight_formats_without_problems(lib) -> None:
    assert set(lib.templates) >= FORMAT_IDS and len(lib.templates) == 8
    assert lib.problems == []
    report = service.lint(Settings())
    assert report.problems == [] and set(report.formats) == FORMAT_IDS


def _ideas_for(lib, spec: FormatSpec):
    """Each objective x lifecycle the format claims, rendered through the real code."""
    for objective in spec.objectives:
        for lifecycle in spec.lifecycles:
            plan_ = service.sample_plan(spec, objective, lifecycle, full=True)
            b = Brief(name="Sample <@123> @everyone", objective=objective, budget=9000)
            idea = service.render_idea(lib, plan_, b, "2026-11-27", "SampleBrand",
                                       "the sample product")  # fmt: skip
            yield objective, lifecycle, b, idea


@pytest.mark.parametrize("fid", sorted(FORMAT_IDS))
def test_each_template_renders_for_every_objective_it_claims_within_discords_limits(
    lib, fid: str
) -> None:
    spec = lib.templates[fid].spec
    assert spec.objectives and spec.lifecycles and "declining" not in spec.lifecycles
    seen = set()
    for objective, lifecycle, b, idea in _ideas_for(lib, spec):
        seen.add(objective)
        for text in (idea.title, idea.hook, idea.concept, idea.creator_brief, idea.cta,
                     idea.markdown):  # fmt: skip
            assert text.strip()
            assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#|#\}", text), text
            assert "Undefined" not in text and "None" not in text
        assert "#sampletrendinghashtag" in idea.markdown
        words = idea.title + idea.hook + idea.concept + idea.creator_brief + idea.cta
        if "brand_hashtag" in spec.needs:
            assert "#SampleBrand" in words, fid
        if "product" in spec.needs:
            assert "the sample product" in words, fid
        for part in ("**Hook (first seconds):**", "**Concept.**", "**Creator brief.**",
                     "**Call to action:**", "**Hashtags:**", "**Timing:**",
                     "**Seed creators**", "**Forecast:**", "**Risks:**"):  # fmt: skip
            assert part in idea.markdown, (fid, part)
        result = service.Suggestions(
            workspace="w", brief=b, as_of="2026-11-27", region="worldwide", page=0, per_page=1,
            total=1, ideas=[idea], candidates=1, brand_hashtag="SampleBrand", product="p",
            notes=["a note"], dropped=["#bad: on the flagged list"],
        )  # fmt: skip
        embed = cards_suggest.idea_card(result, idea)
        assert not embed_problems(embed), (fid, objective, lifecycle, embed_problems(embed))
        d = embed.to_dict()
        assert not any(mentions_anyone(v) for v in _texts(d)), (fid, objective)
        assert "…" not in d["fields"][-1]["name"]  # every field fits, nothing was dropped
    assert seen == set(spec.objectives)


def _texts(d: dict) -> list[str]:
    out = [
        d.get("title") or "",
        d.get("description") or "",
        (d.get("footer") or {}).get("text", ""),
    ]
    for f in d.get("fields", []):
        out += [f["name"], f["value"]]
    return out


def test_values_are_escaped_in_the_output(lib) -> None:
    spec = lib.templates["trend_jack"].spec
    p = service.sample_plan(spec, "engagement", "rising", full=True)
    p.seeds[0].handle = "under_score"
    p.trend.label_reason = "**bold** @everyone <@42>"
    idea = service.render_idea(lib, p, brief(), "2026-11-27", None, "a *star* product")
    assert "a \\*star\\* product" in idea.concept
    assert "\\*\\*bold\\*\\* @\u200beveryone <\u200b@42\\>" in idea.concept
    assert "@under\\_score" in idea.markdown
    assert not mentions_anyone(idea.markdown)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


FRONT = """+++
id = "{id}"
title = "Custom {id}"
objectives = ["engagement", "awareness"]
lifecycles = ["rising", "emerging"]
+++
"""
BLOCKS = """{% extends "_base.md.j2" %}
{% block title %}Custom on {{ trend.tag }}{% endblock %}
{% block hook %}A hook{% endblock %}
{% block concept %}A concept for {{ brief.name }}{% endblock %}
{% block creator_brief %}Film it{% endblock %}
{% block cta %}Do it{% endblock %}
"""


def test_the_sandbox_stops_escapes_to_python_internals(tmp_path: Path) -> None:
    env = service.environment(service.BUILTIN_DIR, tmp_path)
    for source in ("{{ ''.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                   "{{ lipsum.__globals__ }}", "{{ brief.__init__.__globals__ }}",
                   "{{ cycler.__init__.__globals__.os }}"):  # fmt: skip
        with pytest.raises(SecurityError):
            env.from_string(source).render(brief={"name": "x"})
    with pytest.raises(SecurityError):  # values passed in cannot be changed either
        env.from_string("{{ seeds.append(1) }}").render(seeds=[])
    evil = FRONT.format(id="evil") + BLOCKS.replace(
        "{% block hook %}A hook{% endblock %}",
        "{% block hook %}\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n{% endblock %}",
    )
    path = _write(tmp_path / "custom", "evil.md.j2", evil)
    report = service.lint(Settings(), tmp_path / "custom")
    [problem] = report.problems
    assert problem.file == str(path) and problem.line == 10  # the line of the escape
    assert "refused by the sandbox" in problem.message and "__class__" in problem.message
    assert report.formats == []


def test_lint_reports_each_problem_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    _write(folder, "good.md.j2", FRONT.format(id="good") + BLOCKS)
    undefined = _write(folder, "undefined.md.j2", FRONT.format(id="undefined") + BLOCKS.replace(
        "Film it", "Film it with {{ brand_colour }}"))  # fmt: skip
    syntax = _write(folder, "syntax.md.j2", FRONT.format(id="syntax") + BLOCKS.replace(
        "Do it{% endblock %}", "Do it{% if %}{% endblock %}"))  # fmt: skip
    bad_front = _write(folder, "front.md.j2", FRONT.format(id="front").replace(
        '"rising", "emerging"', '"declining"') + BLOCKS)  # fmt: skip
    toml = _write(folder, "toml.md.j2", '+++\nid = "t"\ntitle = oops\n+++\n' + BLOCKS)
    no_front = _write(folder, "nofront.md.j2", BLOCKS)
    missing = _write(folder, "missing.md.j2", FRONT.format(id="missing") + BLOCKS.replace(
        "{% block cta %}Do it{% endblock %}\n", ""))  # fmt: skip
    none = _write(folder, "none.md.j2", FRONT.format(id="none") + BLOCKS.replace(
        "A hook", "A hook for {{ product }}"))  # fmt: skip
    long = _write(folder, "long.md.j2", FRONT.format(id="long") + BLOCKS.replace(
        "Do it", "Do it " + "very " * 100))  # fmt: skip
    leftover = _write(folder, "leftover.md.j2", FRONT.format(id="leftover") + BLOCKS.replace(
        "Do it", "Do it {% raw %}{{ oops }}{% endraw %}"))  # fmt: skip
    report = service.lint(Settings(), folder)
    got = {(Path(p.file).name, p.line): p.message for p in report.problems}
    assert report.formats == ["good"]
    expect = {
        (undefined.name, 11): "undefined variable: 'brand_colour' is undefined",
        (syntax.name, 12): "template syntax: Expected an expression",
        (bad_front.name, 5): "front matter: lifecycles: ['declining'] not in",
        (toml.name, 3): "front matter is not valid TOML",
        (no_front.name, 1): "no front matter",
        (missing.name, 7): "missing block(s): cta",
        (none.name, 9): "a value printed here is empty (None)",
        (long.name, 12): "block cta renders",
        (leftover.name, 12): "block cta leaves template syntax",
    }
    for key, start in expect.items():
        assert key in got, (key, sorted(got))
        assert got[key].startswith(start), (key, got[key])
    assert len(report.problems) == len(expect)
    for p in report.problems:
        assert str(p).startswith(f"{p.file}:{p.line}: ")


def test_a_broken_custom_template_is_skipped_with_a_logged_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "team"
    _write(folder, "mine.md.j2", FRONT.format(id="mine") + BLOCKS)
    _write(folder, "broken.md.j2", FRONT.format(id="broken") + BLOCKS.replace("A hook",
           "{{ nope.x }}"))  # fmt: skip
    _write(folder, "trend_jack.md.j2", FRONT.format(id="trend_jack") + BLOCKS.replace(
        "A hook", "{{ ''.__class__ }}"))  # a broken override of a built-in  # fmt: skip
    settings = Settings.model_validate({"campaigns": {"template_dir": str(folder)}})
    caplog.set_level(logging.WARNING)
    lib = service.load_library(settings)
    assert "mine" in lib.templates and "broken" not in lib.templates
    assert lib.templates["trend_jack"].custom is False  # the built-in stays
    assert "broken.md.j2" in caplog.text and "'nope' is undefined" in caplog.text
    assert {Path(p.file).name for p in lib.problems} == {"broken.md.j2", "trend_jack.md.j2"}


def test_a_custom_template_replaces_a_built_in_format_and_can_be_changed(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    path = _write(folder, "our_jack.md.j2", FRONT.format(id="trend_jack") + BLOCKS)
    _write(folder, "mine.md.j2", FRONT.format(id="Quick-Hit") + BLOCKS)
    settings = Settings.model_validate({"campaigns": {"template_dir": str(folder)}})
    lib = service.load_library(settings)
    assert lib.templates["trend_jack"].custom and lib.templates["trend_jack"].path == path
    assert lib.templates["trend_jack"].spec.title == "Custom trend_jack"
    assert len(lib.templates) == 9 and "Quick-Hit" in lib.templates
    assert service.check_options(settings, format="Quick-Hit") == ("Quick-Hit", None)
    assert service.check_options(settings, format="trend-jack") == ("trend_jack", None)
    path.write_text(FRONT.format(id="trend_jack").replace("Custom", "Changed") + BLOCKS + "\n")
    assert service.load_library(settings).templates["trend_jack"].spec.title.startswith("Changed")


def test_front_matter_lines_keep_jinjas_line_numbers() -> None:
    text = FRONT.format(id="x") + "{{ a }}\n"
    blank = service.blank_front_matter(text)
    assert blank.count("\n") == text.count("\n") and blank.splitlines()[6] == "{{ a }}"
    assert blank.strip() == "{{ a }}"


def test_brand_safety_flags_names_and_descriptions() -> None:
    settings = Settings.model_validate(
        {"campaigns": {"flagged_hashtags": ["#Bad Tag", "other"], "sensitive_keywords": ["Casino"]}}
    )
    assert settings.campaigns.flagged_hashtags == ["badtag", "other"]
    got = service.flagged_hashtags(settings, ["badtag", "casinonight", "fine", "quiet"],
                                   {"quiet": "Win at the CASINO tonight"})  # fmt: skip
    assert got["badtag"].startswith("on the flagged list")
    assert got["casinonight"] == "its name contains the sensitive keyword 'casino'"
    assert got["quiet"] == "its description contains the sensitive keyword 'casino'"
    assert "fine" not in got and "other" in got


def test_options_are_checked_before_any_work() -> None:
    settings = Settings()
    assert service.check_options(settings, format="Trend jack") == ("trend_jack", None)
    assert service.check_options(settings, brand_hashtag="#OurBrand") == (None, "OurBrand")
    with pytest.raises(service.SuggestError, match="format: 'dance off' is not a format"):
        service.check_options(settings, format="dance off")
    with pytest.raises(service.SuggestError, match="brand_hashtag: 'two words' is not one"):
        service.check_options(settings, brand_hashtag="two words")
