"""Campaign ideas for a brief: trending hashtags from the store, the brief's ranking for seed
creators, the selection in :mod:`scoring.suggest`, and the wording from jinja2 templates.

**Templates.** Each format is one file ``templates/campaigns/<id>.md.j2``: a TOML front-matter
block between two ``+++`` lines (id, title, summary, objectives best fit first, lifecycles,
needs, min_seeds, max_seeds; :class:`scoring.suggest.FormatSpec` validates it), then a jinja2
template that extends ``_base.md.j2`` and fills the blocks ``title``, ``hook``, ``concept``,
``creator_brief`` and ``cta`` (and optionally ``risks``). The variables are listed in
``templates/campaigns/README.md``. A team adds its own formats in ``[campaigns]
template_dir``: a file there with a built-in format's id replaces that format, a layout
there (``_base.md.j2``) replaces the built-in layout, and a broken file is skipped with the
reason logged; the built-in formats keep working.

**Sandbox.** Templates run in jinja2's ImmutableSandboxedEnvironment (no attribute starting
with ``_``, no Python internals, no mutation of the values passed in) with StrictUndefined
(a misspelt variable is an error, never a blank). Every printed value is escaped for
Markdown and Discord (no formatting tricks, no mentions) and a printed ``None`` is an error
too, so a template must guard optional values with ``{% if %}``. :func:`lint` renders every
template for each objective and lifecycle it claims, with and without the optional values,
and reports each problem with its file and line.

**Brand safety.** ``[campaigns] flagged_hashtags`` and hashtags whose name (or description)
contains one of ``sensitive_keywords`` are never used, not even in an idea's hashtag set; the
answer says which were dropped and why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import math
import re
import tomllib
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateRuntimeError
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from rapidfuzz import fuzz, process

from bot.config import Settings
from bot.db import trends_repo as repo
from bot.db.engine import Store
from bot.db.importer import VIDEO_SOURCE
from bot.db.repo import require_workspace
from bot.errors import UserError
from bot.services.briefs import NameTaken, ShortlistInfo, save_shortlist
from bot.services.ranking import RankingCache, RankResult, rank_brief
from bot.services.trends import PARAMS
from scoring.brief import Brief
from scoring.match import normalise, related_hashtags
from scoring.rank import RankedCreator, Ranking
from scoring.suggest import (
    FADE_WINDOW,
    NEVER,
    FormatError,
    FormatSpec,
    HashtagSet,
    IdeaForecast,
    IdeaPlan,
    SeedCandidate,
    SeedPick,
    Timing,
    TrendTag,
    pace,
    plan_ideas,
)
from scoring.trends import analyse, breakout_reasons, choose_sources, label_reason

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "templates" / "campaigns"
SUFFIX = ".md.j2"
FENCE = "+++"
LAYOUT = "_base.md.j2"
BLOCKS = ("title", "hook", "concept", "creator_brief", "cta")
OPTIONAL_BLOCKS = ("risks",)
# Characters per rendered block (sample data): every block fits an embed field (1,024).
LIMITS = {"title": 200, "hook": 300, "concept": 1000, "creator_brief": 1000, "cta": 300,
          "risks": 800}  # fmt: skip
LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
EMPTY = (
    "This server's workspace has no hashtag history yet, and campaign ideas ride trending "
    "hashtags. Import a daily hashtag history (`/data import kind:hashtags`) or a video export "
    "(`/data import kind:videos`), then ask again."
)


class SuggestError(UserError):
    """Ideas cannot be made as asked; the message says why and what to do."""


# --- escaping ---------------------------------------------------------------------------------

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")
_MENTION = re.compile(r"<([@#][!&]?\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)")


def md_escape(value: object) -> str:
    """A value as literal Markdown text: formatting characters escaped, mentions and
    @everyone / @here neutralised (a zero-width space), invisible characters dropped."""
    s = _INVISIBLE.sub("", str(value))
    s = _MENTION.sub("<\u200b\\1>", s)
    s = _EVERYONE.sub("@\u200b\\1", s)
    return _MARKDOWN.sub(r"\\\1", s)


def _finalize(value: Any) -> str:
    """Every ``{{ value }}``: strings escaped, numbers formatted, None refused."""
    if value is None:
        raise TemplateRuntimeError(
            "a value printed here is empty (None): guard it with {% if ... %}"
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "-"
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return md_escape(value)


def human(x: Any, digits: int = 1) -> str:
    """1234 -> 1.2K; '-' when missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    x = float(x)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:.{digits}f}{suffix}"
    return f"{x:,.0f}"


def amount(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{float(x):,.{digits}f}"


def money(x: Any, currency: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{float(x):,.0f} {currency}".strip()


def pct(x: Any, digits: int = 1) -> str:
    return "-" if x is None else f"{float(x) * 100:.{digits}f}%"


def signed_pct(x: Any, digits: int = 1) -> str:
    return "n/a" if x is None else f"{float(x) * 100:+.{digits}f}%"


FILTERS: dict[str, Callable[..., str]] = {
    "human": human, "amount": amount, "money": money, "pct": pct, "signed_pct": signed_pct,
}  # fmt: skip


# --- front matter and the loader ----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of a template, where it is."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class FrontMatter:
    meta: dict[str, Any]
    start: int  # line of the opening +++ (1-based)
    end: int  # line of the closing +++
    lines: list[str]  # the file's lines


def split_front_matter(text: str, file: str) -> FrontMatter:
    """The TOML between the opening and the closing ``+++`` lines; Problem on a bad block."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != FENCE:
        raise _Bad(Problem(file, (first or 0) + 1, "no front matter: a template starts with a "
                           "'+++' line, TOML keys (id, title, objectives, lifecycles, ...) and "
                           "a closing '+++' line"))  # fmt: skip
    close = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == FENCE), None)
    if close is None:
        raise _Bad(Problem(file, first + 1, "the front matter is not closed by a '+++' line"))
    try:
        meta = tomllib.loads("\n".join(lines[first + 1 : close]))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        line = first + 1 + int(m.group(1)) if m else first + 1
        raise _Bad(Problem(file, line, f"front matter is not valid TOML: {exc}")) from None
    return FrontMatter(meta, first + 1, close + 1, lines)


def blank_front_matter(text: str) -> str:
    """The template body with the front matter replaced by empty lines, so jinja's line
    numbers are the file's."""
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != FENCE:
        return text
    close = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == FENCE), None)
    if close is None:
        return text
    return "".join("\n" if i <= close else line for i, line in enumerate(lines))


class _Bad(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class CampaignLoader(BaseLoader):
    """Templates by name: ``builtin:<file>`` and ``custom:<file>`` name one folder's file;
    a bare name (a layout in ``{% extends %}``) is looked up in the custom folder first."""

    def __init__(self, builtin: Path, custom: Path | None) -> None:
        self.builtin, self.custom = builtin, custom

    def path_of(self, name: str) -> Path | None:
        if ":" in name:
            where, _, file = name.partition(":")
            folder = {"builtin": self.builtin, "custom": self.custom}.get(where)
            return folder / file if folder is not None else None
        for folder in (self.custom, self.builtin):
            if folder is not None and (folder / name).is_file():
                return folder / name
        return None

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if "/" in template.partition(":")[2] or ".." in template:
            raise TemplateNotFound(template)
        path = self.path_of(template)
        if path is None or not path.is_file():
            raise TemplateNotFound(template)
        mtime = path.stat().st_mtime_ns
        text = blank_front_matter(path.read_text(encoding="utf-8"))
        return text, str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime


def environment(builtin: Path, custom: Path | None) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=CampaignLoader(builtin, custom),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(FILTERS)
    return env


# --- the library ----------------------------------------------------------------------------------


@dataclass
class CampaignTemplate:
    spec: FormatSpec
    name: str  # loader name, e.g. builtin:trend_jack.md.j2
    path: Path
    custom: bool


@dataclass
class Library:
    """The usable formats (by id, built-in first, then the team's), the sandboxed
    environment, and the problems of the templates that were skipped."""

    templates: dict[str, CampaignTemplate]
    env: ImmutableSandboxedEnvironment
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def formats(self) -> list[FormatSpec]:
        return [t.spec for t in self.templates.values()]


def _files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{SUFFIX}") if not p.name.startswith("_"))


def _layouts(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"_*{SUFFIX}"))


def _line_of(fm: FrontMatter, key: str) -> int:
    for i in range(fm.start, fm.end - 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", fm.lines[i]):
            return i + 1
    return fm.start


def _block_line(lines: Sequence[str], block: str, default: int) -> int:
    pattern = re.compile(r"\{%-?\s*block\s+" + re.escape(block) + r"\b")
    return next((i + 1 for i, line in enumerate(lines) if pattern.search(line)), default)


def _where(exc: BaseException, default_file: str, default_line: int) -> tuple[str, int]:
    """The innermost template file and line of an error raised while rendering."""
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return exc.filename or default_file, exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(SUFFIX)]
    if frames:
        return frames[-1].filename, frames[-1].lineno or default_line
    return default_file, default_line


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return f"refused by the sandbox: {exc}"
    if isinstance(exc, UndefinedError):
        return f"undefined variable: {exc} (see templates/campaigns/README.md for the variables)"
    if isinstance(exc, TemplateSyntaxError):
        return f"template syntax: {exc.message}"
    if isinstance(exc, TemplateError):
        return str(exc.message if getattr(exc, "message", None) else exc)
    return f"{type(exc).__name__}: {exc}"


def check_template(env: ImmutableSandboxedEnvironment, name: str, path: Path
                   ) -> tuple[FormatSpec | None, list[Problem]]:  # fmt: skip
    """Validate one format template: front matter, syntax, blocks, and a render for every
    objective and lifecycle it claims (with and without optional values), within the block
    limits and without leftover template syntax."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, 1, f"cannot read the file: {exc}")]
    try:
        fm = split_front_matter(text, file)
    except _Bad as bad:
        return None, [bad.problem]
    problems: list[Problem] = []
    try:
        spec = FormatSpec.from_dict(fm.meta)
    except FormatError as exc:
        for part in str(exc).split("; "):
            key = part.split(":", 1)[0]
            problems.append(Problem(file, _line_of(fm, key), f"front matter: {part}"))
        return None, problems
    try:
        template = env.get_template(name)
    except TemplateError as exc:
        where = _where(exc, file, fm.end + 1)
        return None, [Problem(*where, _describe(exc))]
    missing = [b for b in BLOCKS if b not in template.blocks]
    if missing:
        return None, [Problem(file, fm.end + 1, f"missing block(s): {', '.join(missing)} "
                              f"(a format fills {', '.join(BLOCKS)})")]  # fmt: skip
    seen: set[Problem] = set()
    for ctx in sample_contexts(spec):
        try:
            sections = render_sections(template, ctx)
            document = template.render(ctx)
        except Exception as exc:  # any error of a team's template is reported, not raised
            problem = Problem(*_where(exc, file, fm.end + 1), _describe(exc))
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
            continue
        for block, out in sections.items():
            line = _block_line(fm.lines, block, fm.end + 1)
            issue = None
            if block in BLOCKS and not out.strip():
                issue = f"block {block} renders empty"
            elif len(out) > LIMITS[block]:
                issue = (f"block {block} renders {len(out)} characters on sample data; keep it "
                         f"under {LIMITS[block]} (it must fit a Discord embed field)")  # fmt: skip
            elif LEFTOVER.search(out):
                issue = f"block {block} leaves template syntax in its output: {out[:80]!r}"
            if issue:
                p = Problem(file, line, issue)
                if p not in seen:
                    seen.add(p)
                    problems.append(p)
        if LEFTOVER.search(document) and not problems:
            problems.append(Problem(file, fm.end + 1, "the idea leaves template syntax in its "
                                    "output (check the layout and the blocks)"))  # fmt: skip
    return (None if problems else spec), problems


def load_library(settings: Settings, *, builtin: Path | None = None,
                 custom: Path | str | None = None) -> Library:  # fmt: skip
    """Every usable format: the built-in templates, then the folder in ``[campaigns]
    template_dir`` (or ``custom``). Broken templates are skipped and logged with the reason."""
    builtin = builtin or BUILTIN_DIR
    folder = custom if custom is not None else settings.campaigns.template_dir
    custom_dir = Path(folder) if folder else None
    if custom_dir is not None and not custom_dir.is_dir():
        log.warning("campaign template folder %s does not exist; using the built-in ones",
                    custom_dir)  # fmt: skip
        custom_dir = None
    key = (builtin, custom_dir, _signature(builtin, custom_dir))
    cached = _CACHE.get(key[:2])
    if cached and cached[0] == key[2]:
        return cached[1]
    env = environment(builtin, custom_dir)
    lib = Library({}, env)
    for custom_flag, folder_path in ((False, builtin), (True, custom_dir)):
        for path in _files(folder_path):
            name = f"{'custom' if custom_flag else 'builtin'}:{path.name}"
            lib.files.append(path)
            spec, problems = check_template(env, name, path)
            if spec is None:
                lib.problems.extend(problems)
                log.warning("campaign template %s skipped: %s", path,
                            "; ".join(str(p) for p in problems))  # fmt: skip
                continue
            if spec.id in lib.templates:
                previous = lib.templates[spec.id]
                if previous.custom or not custom_flag:
                    p = Problem(str(path), 1, f"format id {spec.id!r} is already used by "
                                f"{previous.path}; this file was skipped")  # fmt: skip
                    lib.problems.append(p)
                    log.warning("campaign template skipped: %s", p)
                    continue
                log.info("campaign format %r: %s replaces the built-in %s", spec.id, path,
                         previous.path)  # fmt: skip
            lib.templates[spec.id] = CampaignTemplate(spec, name, path, custom_flag)
    _CACHE[key[:2]] = (key[2], lib)
    return lib


_CACHE: dict[tuple[Path, Path | None], tuple[Any, Library]] = {}


def _signature(builtin: Path, custom: Path | None) -> tuple[tuple[str, int, int], ...]:
    out = []
    for folder in (builtin, custom):
        if folder is None or not folder.is_dir():
            continue
        for p in sorted(folder.glob(f"*{SUFFIX}")):
            st = p.stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


@dataclass
class LintReport:
    files: list[Path]
    formats: list[str]
    problems: list[Problem]


def lint(settings: Settings, path: Path | str | None = None) -> LintReport:
    """Check templates: the built-in ones and the configured folder, or ``path`` (a folder of
    templates, or one template file, checked as a team's templates are)."""
    if path is None:
        lib = load_library(settings)
        return LintReport(lib.files, list(lib.templates), list(lib.problems))
    target = Path(path)
    if not target.exists():
        raise SuggestError(f"{target}: no such file or folder")
    folder = target if target.is_dir() else target.parent
    env = environment(BUILTIN_DIR, folder)
    files = _files(folder) if target.is_dir() else [target]
    report = LintReport([], [], [])
    for layout in _layouts(folder) if target.is_dir() else []:
        try:
            env.get_template(layout.name)
        except TemplateError as exc:
            report.problems.append(Problem(*_where(exc, str(layout), 1), _describe(exc)))
    for file in files:
        report.files.append(file)
        spec, problems = check_template(env, f"custom:{file.name}", file)
        report.problems.extend(problems)
        if spec is not None:
            report.formats.append(spec.id)
    return report


# --- rendering ------------------------------------------------------------------------------------


def render_sections(template: Any, ctx: dict[str, Any]) -> dict[str, str]:
    """Each block rendered alone (title, hook, concept, creator_brief, cta, and risks when the
    template has one), stripped. Errors point at the template's file and line."""
    out = {}
    context = template.new_context(ctx)
    for name in (*BLOCKS, *OPTIONAL_BLOCKS):
        if name not in template.blocks:
            continue
        try:
            out[name] = "".join(template.blocks[name](context)).strip()
        except Exception:
            template.environment.handle_exception()
    return out


def context(plan: IdeaPlan, brief: Brief, as_of: str, brand: str | None,
            product: str | None) -> dict[str, Any]:  # fmt: skip
    """The variables a template sees (templates/campaigns/README.md lists them)."""
    seeds = [
        {
            "handle": s.handle,
            "at": f"@{s.handle}",
            "rank": s.rank,
            "tier": s.tier,
            "followers": s.followers,
            "views": s.views,
            "engagements": s.engagements,
            "cost": s.cost,
            "price_is_estimate": s.price_is_estimate,
            "posts_under_tag": s.posts_under_tag,
            "reason": s.reason,
            "flags": list(s.flags),
        }
        for s in plan.seeds
    ]
    t = plan.trend
    return {
        "idea": {"position": plan.position, "score": round(plan.score, 3)},
        "format": {
            "id": plan.format.id,
            "title": plan.format.title,
            "summary": plan.format.summary,
        },
        "brief": {
            "name": brief.name,
            "objective": brief.objective,
            "niches": list(brief.niches),
            "keywords": list(brief.keywords),
            "countries": list(brief.countries),
            "budget": brief.budget,
            "currency": brief.currency,
        },
        "objective": brief.objective,
        "brand_hashtag": f"#{brand}" if brand else None,
        "product": product,
        "trend": {
            "hashtag": t.hashtag,
            "tag": f"#{t.hashtag}",
            "label": t.label,
            "label_reason": t.label_reason,
            "momentum": t.momentum,
            "growth": t.growth,
            "daily_views": t.daily_views,
            "breakout": t.breakout,
        },
        "hashtags": {
            "branded": list(plan.hashtags.branded),
            "trending": list(plan.hashtags.trending),
            "niche": list(plan.hashtags.niche),
            "all": plan.hashtags.all,
            "dropped": list(plan.hashtags.dropped),
        },
        "timing": dataclasses.asdict(plan.timing),
        "seeds": seeds,
        "tag_creators": [s for s in seeds if s["posts_under_tag"]],
        "forecast": dataclasses.asdict(plan.forecast),
        "risks": list(plan.risks),
        "as_of": as_of,
    }


def sample_plan(spec: FormatSpec, objective: str, lifecycle: str, *, full: bool) -> IdeaPlan:
    """A made-up idea for lint: long handles, as many seeds as the format takes; with
    ``full`` False the optional values are missing (no momentum, no tier, nobody on the tag,
    no niche hashtags)."""
    n = spec.max_seeds if full else spec.min_seeds
    seeds = [
        SeedPick(
            handle=f"sample.creator_{i:02d}_with_a_long_handle",
            rank=i + 1,
            score=0.8 - i / 50,
            tier="micro" if full else None,
            followers=85_000.0 + i,
            views=120_000.0 + i,
            engagements=9_600.0,
            cost=900.0,
            price_is_estimate=i % 2 == 1,
            posts_under_tag=(3 if full and i < 2 else 0),
            flags=["engagement 2.1% of views, under 30% of the tier's typical 7.5%"]
            if i == 0
            else [],
            reason=f"ranked #{i + 1} for the brief",
        )
        for i in range(n)
    ]
    trend = TrendTag(
        hashtag="sampletrendinghashtag", label=lifecycle,
        label_reason="momentum +4.2%/day; 7-day growth +31%; 2.4M views/day now",
        momentum=0.042 if full else None, growth=0.31 if full else None,
        daily_views=2_400_000.0, breakout=full,
        breakout_reasons=["spike: 8.1M views today"] if full else [], relevance=0.8,
    )  # fmt: skip
    fc = IdeaForecast(
        views=sum(s.views for s in seeds), engagements=sum(s.engagements for s in seeds),
        cost=sum(s.cost for s in seeds), cpm=7.5 if full else None, cpe=0.094 if full else None,
        currency="USD", creators=n,
    )  # fmt: skip
    days = {"emerging": 3, "rising": 5, "peaking": 2}.get(lifecycle)
    return IdeaPlan(
        position=1, format=spec, trend=trend, seeds=seeds, forecast=fc,
        timing=Timing(lifecycle, days, "2026-12-01" if days else None,
                      f"{lifecycle}: sample timing sentence"),
        hashtags=HashtagSet(
            branded=["#SampleBrandHashtag"] if full or "brand_hashtag" in spec.needs else [],
            trending=["#sampletrendinghashtag"],
            niche=["#sampleniche", "#anothersampleniche", "#thirdniche"] if full else [],
            dropped=["#flaggedsample: on the flagged list"] if full else [],
        ),
        score=0.71, parts={"outcome": 0.9, "freshness": 0.84, "relevance": 0.8,
                           "seeded": 0.4, "format_fit": 1.0},
        outcome=fc.views, outcome_name="views",
        risks=["sample risk sentence about the trend's stage",
               "@sample.creator_00_with_a_long_handle: a sample authenticity flag"],
        why="sample",
    )  # fmt: skip


def sample_contexts(spec: FormatSpec) -> Iterable[dict[str, Any]]:
    """Sample data for every objective and lifecycle the format claims, with and without the
    optional values (a product and a branded hashtag only where the format needs them)."""
    for objective in spec.objectives:
        for lifecycle in spec.lifecycles:
            for full in (True, False):
                brief = Brief(
                    name="Sample brief with a fairly long name for the campaign",
                    objective=objective,  # type: ignore[arg-type]
                    niches=("fitness", "food") if full else (),
                    budget=10_000,
                )
                plan = sample_plan(spec, objective, lifecycle, full=full)
                brand = "SampleBrandHashtag" if full or "brand_hashtag" in spec.needs else None
                product = (
                    "the Sample Product, a long product name for testing"
                    if full or "product" in spec.needs
                    else None
                )
                yield context(plan, brief, "2026-11-27", brand, product)


# --- the answer ----------------------------------------------------------------------------------


@dataclass
class Idea:
    """One campaign idea: the plan (numbers) and its wording (rendered blocks, Markdown)."""

    plan: IdeaPlan
    title: str
    hook: str
    concept: str
    creator_brief: str
    cta: str
    format_risks: list[str]
    markdown: str
    template: str

    @property
    def position(self) -> int:
        return self.plan.position

    @property
    def hashtag(self) -> str:
        return self.plan.trend.hashtag

    @property
    def risks(self) -> list[str]:
        return [*self.plan.risks, *self.format_risks]

    def to_dict(self) -> dict[str, Any]:
        d = self.plan.to_dict()
        d.update(
            title=self.title, hook=self.hook, concept=self.concept,
            creator_brief=self.creator_brief, cta=self.cta, risks=self.risks,
            markdown=self.markdown, template=self.template,
        )  # fmt: skip
        return d


@dataclass
class Suggestions:
    workspace: str
    brief: Brief
    as_of: str
    region: str
    page: int
    per_page: int
    total: int
    ideas: list[Idea]
    candidates: int
    brand_hashtag: str | None
    product: str | None
    format: str | None = None
    hashtag: str | None = None
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unusable: dict[str, str] = field(default_factory=dict)
    template_problems: list[str] = field(default_factory=list)
    ranking: RankResult | None = field(default=None, repr=False)
    ranked: dict[str, RankedCreator] = field(default_factory=dict, repr=False)

    @property
    def more(self) -> bool:
        return (self.page + 1) * self.per_page < self.total

    def to_dict(self) -> dict[str, Any]:
        skip = {"ideas", "brief", "ranking", "ranked"}
        d = {f: getattr(self, f) for f in self.__dataclass_fields__ if f not in skip}
        d["brief"] = self.brief.model_dump(mode="json")
        d["more"] = self.more
        d["ideas"] = [i.to_dict() for i in self.ideas]
        return d


def flagged_hashtags(settings: Settings, names: Iterable[str],
                     descriptions: dict[str, str] | None = None) -> dict[str, str]:  # fmt: skip
    """Hashtag -> why it is off-limits: on ``flagged_hashtags``, or its name (or description)
    contains one of ``sensitive_keywords``."""
    c = settings.campaigns
    flagged = set(c.flagged_hashtags)
    out: dict[str, str] = {}
    for name in names:
        if name in flagged:
            out[name] = "on the flagged list ([campaigns] flagged_hashtags)"
            continue
        word = next((k for k in c.sensitive_keywords if k in name), None)
        if word:
            out[name] = f"its name contains the sensitive keyword {word!r}"
            continue
        text = normalise((descriptions or {}).get(name) or "")
        word = next((k for k in c.sensitive_keywords if k in text), None)
        if word:
            out[name] = f"its description contains the sensitive keyword {word!r}"
    for name in flagged:  # flagged tags the workspace does not hold are still refused
        out.setdefault(name, "on the flagged list ([campaigns] flagged_hashtags)")
    return out


def check_options(settings: Settings, *, format: str | None = None,
                  brand_hashtag: str | None = None, library: Library | None = None
                  ) -> tuple[str | None, str | None]:  # fmt: skip
    """Validate a format id and a branded hashtag before any work (they name the option)."""
    lib = library or load_library(settings)
    fid = None
    if format is not None:
        typed = format.strip()
        options = (typed, typed.lower(), typed.lower().replace(" ", "_").replace("-", "_"))
        fid = next((o for o in options if o in lib.templates), options[-1])
        if fid not in lib.templates:
            broken = [p for p in lib.problems if Path(p.file).name.startswith(fid)]
            why = f" (its template is broken: {broken[0]})" if broken else ""
            raise SuggestError(f"format: {format[:60]!r} is not a format{why}; formats: "
                               f"{', '.join(lib.templates)}")  # fmt: skip
    brand = None
    if brand_hashtag is not None and brand_hashtag.strip().lstrip("#"):
        brand = brand_hashtag.strip().lstrip("#")
        if not re.fullmatch(r"\w+", brand) or len(brand) > 100:
            raise SuggestError(f"brand_hashtag: {brand_hashtag[:60]!r} is not one hashtag "
                               "(letters, digits and _, e.g. #SpringIntoFit)")  # fmt: skip
    return fid, brand


def format_choices(settings: Settings) -> list[tuple[str, str]]:
    """(id, title) of every usable format, for autocomplete and help."""
    return [(t.spec.id, t.spec.title) for t in load_library(settings).templates.values()]


def _num(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


async def suggest(
    store: Store,
    settings: Settings,
    workspace: str,
    brief: Brief,
    *,
    format: str | None = None,
    hashtag: str | None = None,
    count: int | None = None,
    page: int = 0,
    as_of: dt.date | None = None,
    brand_hashtag: str | None = None,
    product: str | None = None,
    library: Library | None = None,
    cache: RankingCache | None = None,
) -> Suggestions:
    """Page ``page`` (0 = the best) of campaign ideas for the brief, ``count`` per page
    (default ``[campaigns] ideas``), on the workspace's worldwide hashtag trends as of
    ``as_of`` (default: the newest day). Selection rules: :mod:`scoring.suggest`."""
    lib = library or load_library(settings)
    fid, brand_opt = check_options(settings, format=format, brand_hashtag=brand_hashtag,
                                   library=lib)  # fmt: skip
    if not lib.templates:
        raise SuggestError("no usable campaign template: " + "; ".join(
            str(p) for p in lib.problems[:3]) + " (campaign-bot templates lint)")  # fmt: skip
    per_page = count or settings.campaigns.ideas
    if per_page < 1 or page < 0:
        raise SuggestError("count must be 1 or more and the page (seed) 0 or more")
    brand = brand_opt or brief.brand_hashtag or settings.campaigns.brand_hashtag
    product = (" ".join(product.split()) if product else None) or brief.product
    wanted_tag = None
    if hashtag is not None:
        wanted_tag = normalise(hashtag)
        if not wanted_tag:
            raise SuggestError(f"hashtag: {hashtag[:60]!r} is not a hashtag name (e.g. gymtok)")

    async with store.engine.connect() as conn:
        ws = await require_workspace(conn, workspace, "; import data first")
        day = as_of or await repo.newest_snapshot(conn, ws.id, region="")
        if day is None:
            raise SuggestError(EMPTY)
        tags = await repo.hashtags(conn, ws.id)
        snaps = await repo.hashtag_snapshots(conn, ws.id, region="", until=day)
        list_days = await repo.ranked_days(
            conn, ws.id, region="", since=day - dt.timedelta(days=40), until=day
        )
        vt = await repo.video_tags(conn, ws.id)
        cn = await repo.creator_niches(conn, ws.id)
    if snaps.empty:
        raise SuggestError(f"workspace {ws.name!r} has no worldwide hashtag history up to {day}")
    names = {int(i): str(n) for i, n in zip(tags["id"], tags["name"], strict=True)}
    descriptions = {
        str(n): str(d)
        for n, d in zip(tags["name"], tags["description"], strict=True)
        if isinstance(d, str)
    }
    flagged = flagged_hashtags(settings, names.values(), descriptions)

    def analysed() -> tuple[list[TrendTag], dict[str, str]]:
        frame = snaps.rename(columns={"hashtag_id": "key", "as_of": "date"})
        rows, chosen = choose_sources(frame, derived=(VIDEO_SOURCE,))
        result = analyse(rows, day, PARAMS, list_days=list_days)
        s = result.summary
        related = {}
        if brief.niches or brief.keywords:
            found = related_hashtags(
                [names[int(k)] for k in s.index if int(k) in names],
                niches=brief.niches, keywords=brief.keywords, creator_niches=cn, video_tags=vt,
            )  # fmt: skip
            related = {r.hashtag: r for r in found}
        out = []
        sources = {}
        for key, row in s.iterrows():
            name = names.get(int(key))
            if name is None:
                continue
            rel = related.get(name)
            recent = before = None
            if row["label"] in ("emerging", "rising"):
                series = result.series(key, days=FADE_WINDOW)
                recent, before = pace(series["daily_views"], ~series["estimated"])
            relevance = None if not (brief.niches or brief.keywords) else (
                rel.score if rel else 0.0)  # fmt: skip
            out.append(
                TrendTag(
                    hashtag=name,
                    label=str(row["label"]),
                    label_reason=label_reason(row, PARAMS),
                    momentum=_num(row["momentum"]),
                    growth=_num(row["growth_7d"]),
                    daily_views=_num(row["level"]),
                    breakout=bool(row["breakout"]),
                    breakout_reasons=breakout_reasons(row, PARAMS),
                    thin=row["label_rule"] == "new_thin",
                    relevance=relevance,
                    relevance_reasons=list(rel.reasons) if rel else [],
                    pace_recent=recent,
                    pace_before=before,
                )
            )
            sources[name] = str(chosen.get(key, ""))
        return out, sources

    trend_tags, sources = await asyncio.to_thread(analysed)
    by_name = {t.hashtag: t for t in trend_tags}
    notes: list[str] = []
    if wanted_tag is not None:
        if wanted_tag not in by_name:
            every = sorted(names.values())
            close = [m[0] for m in process.extract(wanted_tag, every, scorer=fuzz.WRatio, limit=3)
                     if m[1] >= 70]  # fmt: skip
            hint = f"; did you mean {', '.join('#' + c for c in close)}?" if close else ""
            raise SuggestError(f"hashtag: no #{wanted_tag} with a history up to {day} in this "
                               f"workspace{hint}")  # fmt: skip
        t = by_name[wanted_tag]
        if t.label in NEVER:
            raise SuggestError(f"hashtag: #{wanted_tag} is {t.label} ({t.label_reason}); ideas "
                               "never ride a declining or unknown hashtag")  # fmt: skip
        if t.fading:
            raise SuggestError(
                f"hashtag: #{wanted_tag} is labelled {t.label} but fading: "
                f"{human(t.pace_recent)} views a day over its last 3 measured days against "
                f"{human(t.pace_before)} before; ideas ride hashtags that still gain pace"
            )
        if t.stalled:
            raise SuggestError(
                f"hashtag: #{wanted_tag} is labelled rising but stalled: its last 7 days grew "
                f"{(t.growth or 0) * 100:+.0f}% on the 7 before; ideas ride hashtags that "
                "still gain pace"
            )
        if wanted_tag in flagged:
            raise SuggestError(f"hashtag: #{wanted_tag} is off-limits: {flagged[wanted_tag]}")

    result = await rank_brief(store, settings, workspace, brief,
                              top=settings.campaigns.seed_pool, cache=cache)  # fmt: skip
    if result.ranking.total == 0:
        notes.append("the workspace has no creators: import creators so ideas can name seed "
                     "creators from the brief's ranking")  # fmt: skip
    elif not result.ranking.creators:
        notes.append("no creator passes the brief's filters, so no idea has seed creators; "
                     "loosen the brief")  # fmt: skip
    posted: dict[int, dict[str, int]] = {}
    if not vt.empty:
        counts = vt.assign(hashtag=vt["hashtag"].map(normalise)).drop_duplicates(
            ["video_id", "hashtag"]).groupby(["creator_id", "hashtag"]).size()  # fmt: skip
        for (cid, tag), n in counts.items():
            posted.setdefault(int(cid), {})[str(tag)] = int(n)
    candidates = [
        SeedCandidate(
            handle=c.handle,
            rank=c.rank,
            score=c.score,
            views=c.forecast.views,
            engagements=c.forecast.engagements,
            cost=c.forecast.cost,
            price_is_estimate=c.price_is_estimate,
            tier=c.tier,
            followers=c.followers,
            flags=list(c.flags),
            tags=posted.get(c.creator_id, {}),
        )
        for c in result.ranking.creators
    ]

    def select_and_word() -> tuple[Any, list[Idea], list[str]]:
        """The selection and the templates' wording, off the event loop (a team's template
        may be slow)."""
        selection = plan_ideas(
            brief, trend_tags, lib.formats, candidates, as_of=day, flagged=flagged,
            brand_hashtag=brand, product=product, per_page=per_page, page=page,
            format_id=fid, hashtag=wanted_tag,
        )  # fmt: skip
        ideas: list[Idea] = []
        failed: list[str] = []
        for plan in selection.ideas:
            try:
                ideas.append(render_idea(lib, plan, brief, day.isoformat(), brand, product))
            except Exception as exc:  # a template's error costs one idea, never the answer
                tpl = lib.templates[plan.format.id]
                where = _where(exc, str(tpl.path), 1)
                log.warning("campaign template %s failed for #%s at %s:%d: %s", tpl.path,
                            plan.trend.hashtag, *where, _describe(exc))  # fmt: skip
                failed.append(
                    f"the {plan.format.title} idea on #{plan.trend.hashtag} was left out: its "
                    f"template failed ({Path(where[0]).name}:{where[1]})"
                )
        return selection, ideas, failed

    selection, ideas, failed = await asyncio.to_thread(select_and_word)
    notes += failed
    src = sorted({sources.get(i.hashtag, "") for i in ideas} - {""})
    if src:
        notes.append(f"trend series from {', '.join(src)}")
    return Suggestions(
        workspace=ws.name, brief=brief, as_of=day.isoformat(), region="worldwide",
        page=page, per_page=per_page, total=selection.total, ideas=ideas,
        candidates=selection.candidates, brand_hashtag=brand, product=product, format=fid,
        hashtag=wanted_tag, notes=[*selection.notes, *notes], dropped=selection.dropped,
        unusable=selection.unusable, template_problems=[str(p) for p in lib.problems],
        ranking=result, ranked={c.handle: c for c in result.ranking.creators},
    )  # fmt: skip


def render_idea(lib: Library, plan: IdeaPlan, brief: Brief, as_of: str, brand: str | None,
                product: str | None) -> Idea:  # fmt: skip
    tpl = lib.templates[plan.format.id]
    template = lib.env.get_template(tpl.name)
    ctx = context(plan, brief, as_of, brand, product)
    sections = render_sections(template, ctx)
    risks = [line.strip().removeprefix("- ").strip()
             for line in sections.get("risks", "").splitlines() if line.strip()]  # fmt: skip
    return Idea(
        plan=plan, title=sections["title"], hook=sections["hook"], concept=sections["concept"],
        creator_brief=sections["creator_brief"], cta=sections["cta"], format_risks=risks,
        markdown=re.sub(r"\n{3,}", "\n\n", template.render(ctx)).strip() + "\n",
        template=str(tpl.path),
    )  # fmt: skip


def export_markdown(result: Suggestions, ideas: Sequence[Idea] | None = None) -> str:
    """A Markdown document of the ideas (default: the answer's), with the brief, the data's
    date and every note, ready to share."""
    ideas = result.ideas if ideas is None else ideas
    b = result.brief
    head = [
        f"# Campaign ideas: {md_escape(b.name)}",
        "",
        f"Objective **{b.objective}** · budget {b.budget:,.0f} {b.currency} · niches "
        f"{md_escape(', '.join(b.niches) or 'any')} · workspace {md_escape(result.workspace)} · "
        f"hashtag trends as of {result.as_of} ({result.region})",
        "",
        "Ideas ride hashtags that are emerging or rising now (peaking ones only in quick-turn "
        "formats; declining ones never). Each forecast is the sum of its seed creators' "
        "forecasts per video.",
        "",
    ]
    for note in [*result.notes, *(f"dropped {d}" for d in result.dropped)]:
        head.append(f"- {md_escape(note)}")
    body = [i.markdown for i in ideas] or ["No idea fits this brief and these trends.\n"]
    return "\n".join(head) + "\n" + "\n".join(body)


def seed_ranking(result: Suggestions, idea: Idea) -> RankResult:
    """The brief's ranking cut down to the idea's seed creators (as they were ranked)."""
    assert result.ranking is not None
    r = result.ranking.ranking
    creators = [result.ranked[s.handle] for s in idea.plan.seeds if s.handle in result.ranked]
    ranking = Ranking(
        brief=r.brief, weights=r.weights, pool_size=r.pool_size, total=r.total,
        filtered_out=r.filtered_out, creators=creators, pool_medians=r.pool_medians,
        notes=[*r.notes, f"seed creators of the campaign idea {idea.plan.format.title} on "
               f"#{idea.hashtag} (as of {result.as_of})"],
    )  # fmt: skip
    return RankResult(result.ranking.workspace, ranking, None, result.ranking.data_version)


async def save_seeds(
    store: Store, workspace: str, result: Suggestions, idea: Idea, created_by: int | None,
    name: str | None = None,
) -> ShortlistInfo:  # fmt: skip
    """Save the idea's seed creators as a shortlist (named after the brief, the format and
    the hashtag unless ``name`` is given; a taken name gets a number)."""
    base = name or f"{result.brief.name} · {idea.plan.format.id} #{idea.hashtag}"
    base = base[:94].rstrip()
    ranking = seed_ranking(result, idea)
    for n in range(1, 50):
        candidate = base if n == 1 else f"{base} ({n})"
        try:
            return await save_shortlist(store, workspace, candidate, ranking, created_by)
        except NameTaken:
            if name is not None:
                raise
    raise SuggestError(f"too many shortlists named like {base!r}; delete some first")
