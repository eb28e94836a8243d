"""The ``campaign-bot`` command: the same services the bot uses, from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from bot.config import ConfigError, Settings, load_settings
from bot.db.engine import Store
from bot.db.migrate import SchemaOutOfDate, check_schema, current_revision, head_revision, upgrade
from bot.errors import UserError
from bot.ingest.fields import KINDS
from bot.ingest.numbers import parse_number
from bot.ingest.report import ImportRejected
from bot.malloc import keep_freed_memory

log = logging.getLogger("campaign_bot")

EXIT_USER_ERROR = 1
EXIT_REJECTED = 3


def _out() -> Console:
    console = Console(soft_wrap=False)
    if not console.is_terminal:  # piped or in CI: do not squeeze tables into 80 columns
        console.width = max(console.width, 140)
    return console


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False, indent=2) + "\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _amount(text: str) -> float:
    try:
        value = parse_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("a number is required")
    return value


def _rate(text: str) -> float:
    value = _amount(text)
    return value / 100 if "%" not in text and value > 1 else value


def _mapping(text: str) -> tuple[str, str]:
    source, sep, target = text.rpartition("=")
    if not sep or not source.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"--map takes 'Source header=field', not {text!r}")
    return source.strip(), target.strip()


# --- commands ----------------------------------------------------------------------------


async def _open(settings: Settings, *, check: bool = True) -> Store:
    store = Store.open(settings.database)
    if check:
        try:
            await check_schema(store.engine)
        except BaseException:
            await store.close()
            raise
    return store


async def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    store = await _open(settings, check=False)
    try:
        if args.action == "upgrade":
            before, after = await upgrade(store.engine)
            change = "already up to date" if before == after else f"{before or 'empty'} -> {after}"
            _out().print(f"database schema: {change}")
        else:
            current, head = await current_revision(store.engine), head_revision()
            _out().print(f"database schema: {current or 'none'}; this version needs: {head}")
            if args.action == "check":
                await check_schema(store.engine)
    finally:
        await store.close()
    return 0


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import text
    from bot.services.data import ImportOptions, import_file
    from bot.services.ranking import refresh

    opts = ImportOptions(
        kind=args.kind,
        path=Path(args.file),
        workspace=args.workspace or settings.workspace.default,
        user_map=dict(args.map or []),
        source=args.source,
        as_of=args.as_of,
        currency=args.currency,
        fmt=args.format,
        strict=args.strict,
        dry_run=args.dry_run,
    )
    store = await _open(settings)
    try:
        try:
            report = await import_file(store, settings, opts)
            if report.written:
                await refresh(store, settings, opts.workspace)
        except ImportRejected as exc:
            if args.json:
                _json({**exc.report.to_dict(), "failed": str(exc)})
            else:
                _out().print(text.import_report(exc.report))
                _out().print(f"[red]{exc}[/]")
            return EXIT_REJECTED
    finally:
        await store.close()
    if args.json:
        _json(report.to_dict())
    else:
        _out().print(text.import_report(report))
    return 0


async def cmd_rank(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import rank_text
    from bot.services.ranking import load_brief, rank_brief

    brief = load_brief(Path(args.brief))
    if args.objective:
        brief = brief.model_copy(update={"objective": args.objective})
    workspace = args.workspace or settings.workspace.default
    store = await _open(settings)
    try:
        result = await rank_brief(
            store, settings, workspace, brief, top=args.top, with_plan=args.plan
        )
    finally:
        await store.close()
    if args.json:
        _json(rank_text.ranking_json(result))
    else:
        _out().print(rank_text.ranking(result))
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.data import export_creators

    workspace = args.workspace or settings.workspace.default
    path = Path(args.output or f"creators-{workspace}.{args.format}")
    store = await _open(settings)
    try:
        result = await export_creators(store, settings, workspace, path, args.format)
    finally:
        await store.close()
    _out().print(f"wrote {result.rows:,} creators to {result.path}")
    return 0


async def cmd_creators(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import text
    from bot.services import creators

    workspace = args.workspace or settings.workspace.default
    store = await _open(settings)
    try:
        if args.action == "show":
            p = await creators.show(store, settings, workspace, args.handle)
            _json(p.to_dict()) if args.json else _out().print(text.profile(p))
            return 0
        result = await creators.search(
            store,
            settings,
            workspace,
            niche=args.niche,
            country=args.country,
            min_followers=args.min_followers,
            max_followers=args.max_followers,
            min_engagement=args.min_engagement,
            max_price=args.max_price,
            currency=args.currency,
            limit=args.limit,
        )
    finally:
        await store.close()
    if args.json:
        _json([p.to_dict() for p in result.creators])
    else:
        _out().print(text.search(result))
    return 0


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import text
    from bot.services.data import workspace_status

    workspace = args.workspace or settings.workspace.default
    store = await _open(settings)
    try:
        name, counts = await workspace_status(store, workspace)
    finally:
        await store.close()
    _json(counts) if args.json else _out().print(text.status(name, counts))
    return 0


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def cmd_trends(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import charts, text
    from bot.services import trends

    workspace = args.workspace or settings.workspace.default
    store = await _open(settings)
    try:
        if args.action == "top":
            result = await trends.top(
                store, settings, workspace, period=args.period, niche=args.niche,
                region=args.region, limit=args.limit, as_of=args.as_of,
            )  # fmt: skip
            png = charts.top_chart if args.chart and result.items else None
        else:
            result = await trends.hashtag(store, settings, workspace, args.tag, as_of=args.as_of)
            png = charts.hashtag_chart if args.chart else None
    finally:
        await store.close()
    if png is not None:
        await asyncio.to_thread(_write_file, Path(args.chart), png(result))  # type: ignore[arg-type]
    elif args.chart:
        Console(stderr=True).print("no chart written: no hashtag to draw")
    if args.json:
        if args.action == "top":
            _json([i.to_dict() for i in result.items])  # type: ignore[union-attr]
        else:
            _json(result.to_dict())
    elif args.action == "top":
        _out().print(text.trends_top(result))  # type: ignore[arg-type]
    else:
        _out().print(text.trends_hashtag(result))  # type: ignore[arg-type]
    if png is not None and not args.json:
        _out().print(f"chart written to {args.chart}")
    return 0


async def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markdown import Markdown

    from bot.services.ranking import load_brief
    from bot.services.suggest import export_markdown, suggest

    brief = load_brief(Path(args.brief))
    workspace = args.workspace or settings.workspace.default
    store = await _open(settings)
    try:
        result = await suggest(
            store, settings, workspace, brief, format=args.format, hashtag=args.hashtag,
            count=args.count, page=args.seed, as_of=args.as_of,
            brand_hashtag=args.brand_hashtag, product=args.product,
        )  # fmt: skip
    finally:
        await store.close()
    document = export_markdown(result)
    if args.markdown:
        await asyncio.to_thread(_write_file, Path(args.markdown), document.encode("utf-8"))
    if args.json:
        _json(result.to_dict())
        return 0
    first = result.page * result.per_page + 1
    last = first + len(result.ideas) - 1
    if not result.ideas:
        shown = f"no idea on page {result.page} ({result.total} in all)"
    else:
        shown = f"idea{'s' if last > first else ''} {first}" + (f"-{last}" if last > first else "")
        shown += f" of {result.total}"
    tail = [shown]
    if result.more:
        tail.append(f"more: the same command with --seed {result.page + 1}")
    tail += [f"format {k} not used: {v}" for k, v in result.unusable.items()]
    tail += [f"template skipped: {p}" for p in result.template_problems]
    out = _out()
    if out.is_terminal:
        out.print(Markdown(document))
    else:
        sys.stdout.write(document)
    for line in tail:
        out.print(line, markup=False, highlight=False, style="dim")
    if args.markdown:
        out.print(f"ideas written to {args.markdown}", markup=False, highlight=False)
    return 0


async def cmd_templates(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.suggest import lint

    report = await asyncio.to_thread(lint, settings, args.path)
    out = _out()
    for problem in report.problems:
        out.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    out.print(
        f"{len(report.files)} template files checked: {len(report.formats)} formats without "
        f"problems ({', '.join(report.formats) or 'none'}), {len(report.problems)} problems",
        markup=False, highlight=False,
    )  # fmt: skip
    return EXIT_USER_ERROR if report.problems else 0


def _token(settings: Settings) -> str:
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise UserError(
            "DISCORD_TOKEN is not set: export the bot's token in the environment (never in a "
            "file in the repository); the README says where to find it"
        )
    return settings.discord_token.get_secret_value().strip()


async def _connect(bot: Any, token: str) -> None:
    """Log in, translating the three ways a start fails into messages that say which."""
    import aiohttp
    import discord

    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise UserError(
            "Discord refused the token: it was reset, revoked or mistyped. Copy a fresh one "
            "from the Developer Portal (Bot > Reset Token) into DISCORD_TOKEN"
        ) from None
    except (aiohttp.ClientConnectionError, OSError, TimeoutError) as exc:
        raise UserError(
            f"cannot reach Discord ({type(exc).__name__}): check this machine's network, DNS "
            "and proxy; the bot needs HTTPS to discord.com and its gateway"
        ) from None


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import create_bot

    token = _token(settings)
    store = await _open(settings)  # refuses an out-of-date schema before touching Discord
    bot = create_bot(settings, store=store)
    try:
        async with bot:
            await _connect(bot, token)
            log.info("logged in; connecting to the gateway")
            await bot.connect(reconnect=True)
    finally:
        await store.close()
    return 0


async def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    import discord

    from bot.app import create_bot

    token = _token(settings)
    store = await _open(settings)
    bot = create_bot(settings, store=store, sync_commands=False)
    try:
        async with bot:
            await _connect(bot, token)
            guild = discord.Object(id=args.guild) if args.guild else None
            await bot.sync_if_changed(guild, force=True)
    finally:
        await store.close()
    where = f"guild {args.guild}" if args.guild else "every server (global commands)"
    _out().print(f"synced {len(bot.tree.get_commands())} command groups to {where}")
    return 0


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import charts
    from bot.render.digest import text as digest_text
    from bot.services.digests import build_digest

    workspace = args.workspace or settings.workspace.default
    niches = [n.strip() for n in (args.niche or []) for n in n.split(",") if n.strip()]
    store = await _open(settings)
    try:
        digest = await build_digest(store, settings, workspace, niches=niches,
                                    region=args.region, period=args.period, top=args.top,
                                    as_of=args.as_of)  # fmt: skip
    finally:
        await store.close()
    if args.chart and digest.top is not None and digest.top.items:
        await asyncio.to_thread(_write_file, Path(args.chart),
                                charts.digest_chart(digest.top))  # fmt: skip
    if args.json:

        def item(i: Any) -> dict[str, Any]:
            return {"hashtag": i.hashtag, "label": i.label, "growth": i.growth,
                    "momentum": i.momentum, "breakout": i.breakout,
                    "creators": digest.creators.get(i.hashtag, [])}  # fmt: skip

        _json({
            "workspace": workspace, "niches": digest.niches, "region": digest.region,
            "period": digest.period, "as_of": digest.as_of,
            "rising": [item(i) for i in digest.rising],
            "breakouts": [item(i) | {"reasons": i.breakout_reasons} for i in digest.breakouts],
            "fading": [item(i) for i in digest.fading],
            "idea": getattr(digest.idea, "title", None), "notes": digest.notes or [],
            "text": digest_text(digest),
        })  # fmt: skip
    else:
        _out().print(digest_text(digest), markup=False)
        _out().print(f"data as of {digest.as_of or '-'}")
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    await run_demo(Path(args.db), settings, creators=args.creators, seed=args.seed, out=_out())
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], Awaitable[int]]] = {
    "db": cmd_db,
    "import": cmd_import,
    "export": cmd_export,
    "creators": cmd_creators,
    "status": cmd_status,
    "rank": cmd_rank,
    "trends": cmd_trends,
    "suggest": cmd_suggest,
    "digest": cmd_digest,
    "templates": cmd_templates,
    "demo": cmd_demo,
    "run": cmd_run,
    "sync-commands": cmd_sync,
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="campaign-bot",
        description="Plan TikTok influencer campaigns: import exports, look creators up, "
        "and (with a Discord token) run the bot.",
    )
    p.add_argument("--config", metavar="PATH", help="TOML settings file (or $CAMPAIGN_BOT_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    ws = argparse.ArgumentParser(add_help=False)
    ws.add_argument(
        "--workspace",
        metavar="NAME|GUILD_ID",
        help="workspace name or Discord guild id (default: workspace.default, 'default')",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="database schema: upgrade, current, check")
    db.add_argument("action", choices=["upgrade", "current", "check"],
                    help="upgrade: migrate to this version's schema; current: show revisions; "
                    "check: fail unless up to date")  # fmt: skip

    imp = sub.add_parser("import", parents=[ws], help="import a CSV / XLSX / JSON export",
                         description="Import creators, videos or hashtags from a CSV, XLSX or "
                         "JSON file (TikTok Research API responses included). Every rejected "
                         "row is reported; the import is one transaction.")  # fmt: skip
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file")
    imp.add_argument("--map", action="append", type=_mapping, metavar="'Header=field'",
                     help="map a column by hand (repeatable); field 'ignore' skips it")  # fmt: skip
    imp.add_argument("--source", help="name of the data's source (default: the file name)")
    imp.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                     help="date of the data, for rows without a date column (default: the "
                     "date of an earlier import of the same file, else the newest video for "
                     "video files, else today)")  # fmt: skip
    imp.add_argument("--currency", help="currency of prices that name none (default: config)")
    imp.add_argument("--format", choices=["csv", "xlsx", "json", "jsonl"],
                     help="file format (default: from the extension)")  # fmt: skip
    imp.add_argument("--strict", action="store_true",
                     help="import nothing if any row is rejected")  # fmt: skip
    imp.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    exp = sub.add_parser("export", parents=[ws], help="export stored data")
    exp.add_argument("what", choices=["creators"])
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--output", "-o", metavar="PATH",
                     help="file to write (default: creators-WORKSPACE.FORMAT)")  # fmt: skip

    cr = sub.add_parser("creators", help="look creators up: show, search")
    crs = cr.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = crs.add_parser("show", parents=[ws], help="one creator's profile card")
    show.add_argument("handle")
    show.add_argument("--json", action="store_true", help="print machine-readable JSON")
    se = crs.add_parser("search", parents=[ws], help="find creators by filters")
    se.add_argument("--niche")
    se.add_argument("--country", help="ISO code or name, e.g. US or 'United States'")
    se.add_argument("--min-followers", type=_amount, metavar="N", help="e.g. 10k")
    se.add_argument("--max-followers", type=_amount, metavar="N", help="e.g. 1.5M")
    se.add_argument("--min-engagement", type=_rate, metavar="RATE",
                    help="engagement rate by views, e.g. 5%% or 0.05")  # fmt: skip
    se.add_argument("--max-price", type=_amount, metavar="AMOUNT",
                    help="price per video (quote, else estimate)")  # fmt: skip
    se.add_argument("--currency", help="currency of --max-price (default: config)")
    se.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    se.add_argument("--json", action="store_true", help="print a JSON list")

    rk = sub.add_parser("rank", parents=[ws], help="rank creators for a campaign brief",
                        description="Rank the workspace's creators for a brief (a TOML file) "
                        "with the reasons for each, and optionally a budget plan compared "
                        "with the best single creator.")  # fmt: skip
    rk.add_argument("--brief", required=True, metavar="PATH",
                    help="brief TOML file (see brief.example.toml)")  # fmt: skip
    rk.add_argument("--top", type=int, metavar="K", help="how many (default: creators_wanted)")
    rk.add_argument("--objective", choices=["awareness", "engagement", "conversion", "ugc"],
                    help="override the brief's objective")  # fmt: skip
    rk.add_argument("--plan", action="store_true", help="add a budget plan")
    rk.add_argument("--json", action="store_true", help="print machine-readable JSON")

    tr = sub.add_parser("trends", help="hashtag trends: top, hashtag")
    trs = tr.add_subparsers(dest="action", required=True, metavar="ACTION")
    as_of_help = "replay a past day using only data up to it (default: the newest data)"
    top = trs.add_parser("top", parents=[ws], help="the top hashtags of a period",
                         description="Hashtags ranked by views added per day over the period "
                         "against the period before, with lifecycle label, growth, momentum "
                         "and breakout flags.")  # fmt: skip
    top.add_argument("--period", choices=["7d", "30d", "120d"], default="7d",
                     help="period to rank by (default 7d)")  # fmt: skip
    top.add_argument("--niche", help="only hashtags related to this niche")
    top.add_argument("--region", help="region code or name (default: worldwide)")
    top.add_argument("--limit", type=int, default=10, help="how many to list (default 10)")
    top.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help=as_of_help)
    top.add_argument("--json", action="store_true", help="print a JSON list")
    top.add_argument("--chart", metavar="PATH", help="also write a PNG chart of the curves")
    tag = trs.add_parser("hashtag", parents=[ws], help="one hashtag's curve, label and story")
    tag.add_argument("tag", help="hashtag name, with or without #")
    tag.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help=as_of_help)
    tag.add_argument("--json", action="store_true", help="print machine-readable JSON")
    tag.add_argument("--chart", metavar="PATH", help="also write a PNG chart of the curve")

    sg = sub.add_parser(
        "suggest", parents=[ws], help="campaign ideas for a brief, on hashtags rising now",
        description="Campaign ideas for a brief (TOML, see brief.example.toml): hashtags that "
        "are emerging or rising now and fit the brief, a format from templates/campaigns/, "
        "seed creators from the brief's ranking and their summed forecast. The same data and "
        "brief always give the same ideas; --seed N shows the next best ones.",
    )  # fmt: skip
    sg.add_argument("--brief", required=True, metavar="FILE", help="the brief, a TOML file")
    sg.add_argument("--format", metavar="F", help="only this format, e.g. trend_jack")
    sg.add_argument("--hashtag", metavar="TAG", help="only ideas on this hashtag")
    sg.add_argument("--count", type=int, metavar="N",
                    help="ideas per page (default: campaigns.ideas, 3)")  # fmt: skip
    sg.add_argument("--seed", type=int, default=0, metavar="N",
                    help="page N of the ideas: 0 the best (default), 1 the next best, ...; not "
                    "randomness: the same N always gives the same ideas")  # fmt: skip
    sg.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                    help="trends as of this day (default: the newest data)")  # fmt: skip
    sg.add_argument("--brand-hashtag", metavar="TAG",
                    help="the brand's hashtag (default: the brief's, else the config)")  # fmt: skip
    sg.add_argument("--product", help="the product to show (default: the brief's)")
    sg.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sg.add_argument("--markdown", metavar="PATH", help="also write the ideas as a Markdown file")

    tp = sub.add_parser("templates", help="campaign idea templates: lint")
    tps = tp.add_subparsers(dest="action", required=True, metavar="ACTION")
    tl = tps.add_parser(
        "lint", help="render every template against sample data and report problems",
        description="Check campaign templates: front matter, syntax, the sandbox, undefined "
        "variables, block sizes. Each problem is reported as FILE:LINE: message; the exit "
        "status is 1 when there is any. Without PATH: the built-in templates and the "
        "folder in [campaigns] template_dir.",
    )  # fmt: skip
    tl.add_argument("path", nargs="?", help="a folder of templates, or one template file")

    dg = sub.add_parser("digest", help="trend digests: preview")
    dgs = dg.add_subparsers(dest="action", required=True, metavar="ACTION")
    dp = dgs.add_parser("preview", parents=[ws], help="the trend digest a channel would get",
                        description="Print the trend digest for niches and a region: rising "
                        "and emerging hashtags with the workspace's creators on them, "
                        "breakouts, fading tags and one campaign idea, as the scheduled "
                        "digest would post it.")  # fmt: skip
    dp.add_argument("--niche", action="append", metavar="N", help="a niche (repeatable)")
    dp.add_argument("--region", help="ISO country code (default: worldwide)")
    dp.add_argument("--period", choices=["7d", "30d", "120d"], default="7d")
    dp.add_argument("--top", type=int, default=5, help="hashtags shown (1-10)")
    dp.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                    help="replay a past day using only data up to it")  # fmt: skip
    dp.add_argument("--json", action="store_true", help="print machine-readable JSON")
    dp.add_argument("--chart", metavar="PATH", help="also write the digest's chart (PNG)")

    st = sub.add_parser("status", parents=[ws], help="what a workspace holds, and how fresh")
    st.add_argument("--json", action="store_true")

    sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)",
                   description="Start the bot: it connects to Discord with DISCORD_TOKEN from "
                   "the environment, syncs its slash commands when they changed, and serves "
                   "every server it is in (or its shards, see [bot] in the config).")  # fmt: skip
    sy = sub.add_parser("sync-commands", help="register the slash commands with Discord",
                        description="Sync the command tree now (needs DISCORD_TOKEN). Global "
                        "commands can take up to an hour to appear; --guild makes them appear "
                        "at once in one server, for testing.")  # fmt: skip
    sy.add_argument("--guild", type=int, metavar="ID", help="sync to this server only")

    demo = sub.add_parser("demo", help="offline demo on a synthetic SQLite workspace",
                          description="Generate (or reuse) a synthetic demo workspace in a local "
                          "SQLite file and tour what the bot's data side does. No Discord "
                          "token, no network.")  # fmt: skip
    demo.add_argument("--db", default="demo/demo.sqlite3", help="SQLite file for the demo")
    demo.add_argument("--creators", type=int, default=3000, help="synthetic creators")
    demo.add_argument("--seed", type=int, default=7, help="generator seed")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    keep_freed_memory()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    err = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay on one line
    try:
        settings = load_settings(args.config)
        if not args.verbose:
            logging.getLogger().setLevel(settings.log_level)
            logging.getLogger("alembic").setLevel(logging.WARNING)  # schema checks chatter
        return asyncio.run(COMMANDS[args.command](args, settings))
    except ConfigError as exc:
        err.print("[red]configuration error:[/]", escape(str(exc)))
    except (SchemaOutOfDate, UserError) as exc:
        err.print("[red]error:[/]", escape(str(exc)))
    except FileNotFoundError as exc:
        err.print("[red]error:[/]", escape(f"{exc.strerror}: {exc.filename}"))
    return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
