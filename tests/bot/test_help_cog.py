"""/help: generated from the bot's own command tree, one example per command."""

from __future__ import annotations

import re
import sys

import pytest

from bot.render.embeds import CONTENT
from tests.limits import embed_problems

OPTION = re.compile(r"\s(?=[a-z_]+:)")


def help_module():
    return sys.modules["cogs.help"]  # as the bot loaded it


def entries(bot):
    return help_module().command_entries(bot.tree)


def parse(example: str, name: str) -> dict[str, str]:
    """'/trends top period:last 30 days niche:fitness' -> {'period': 'last 30 days', ...}"""
    assert example == f"/{name}" or example.startswith(f"/{name} "), example
    rest = example[len(name) + 1 :].strip()
    out: dict[str, str] = {}
    for part in OPTION.split(" " + rest)[1:] if rest else []:
        key, _, value = part.partition(":")
        assert key not in out, f"{example}: {key} twice"
        out[key] = value.strip()
    return out


async def test_every_command_has_a_true_example(world, simcord_bot) -> None:
    found = entries(simcord_bot)
    names = {e.name for e in found}
    assert {"creator lookup", "trends top", "trends hashtag", "data import", "data status",
            "data export", "help"} <= names  # fmt: skip
    missing = sorted(e.name for e in found if e.example is None)
    assert not missing, f"add an example to cogs/help.py EXAMPLES for: {missing}"
    for e in found:
        given = parse(e.example, e.name)
        options = {o.name: o for o in e.options}
        unknown = set(given) - set(options)
        assert not unknown, f"/{e.name} example names options it does not have: {unknown}"
        absent = {o.name for o in e.options if o.required} - set(given)
        assert not absent, f"/{e.name} example leaves out required options: {absent}"
        for key, value in given.items():
            if options[key].choices:
                assert value in options[key].choices, f"/{e.name} {key}:{value}"


def test_the_example_check_can_fail() -> None:
    assert parse("/trends top period:last 30 days niche:fitness", "trends top") == {
        "period": "last 30 days", "niche": "fitness"}  # fmt: skip
    with pytest.raises(AssertionError):
        parse("/trends hashtag tag:x", "trends top")


async def test_help_lists_every_command_with_options_and_an_example(world, simcord_bot) -> None:
    w = world
    result = await w.member.slash(w.channel, "help")
    assert result.ephemeral
    message = result.response
    pages = [message.embeds[0]]
    while True:  # page through with the buttons
        buttons = [c for row in message.components for c in row.get("components", [])]
        nxt = next(b for b in buttons if b.get("label") == "Next")
        if nxt.get("disabled"):
            break
        await w.member.click(message.message, label="Next")
        message = result.response
        pages.append(message.embeds[0])
    assert pages[0].title == "Campaign bot: commands"
    overview = pages[0].description
    for e in entries(simcord_bot):
        assert f"`/{e.name}` · {e.description}" in overview
    fields = {f.name: f.value for p in pages[1:] for f in p.fields}
    assert set(fields) == {f"/{e.name}" for e in entries(simcord_bot)}
    top = fields["/trends top"]
    assert "`period` (optional)" in top and "one of: last 7 days, last 30 days" in top
    assert "**example**: `/trends top period:last 30 days" in top
    assert "**who**: members with Manage Server or the 'Campaign Planner' role" in (
        fields["/data import"])  # fmt: skip
    assert "**who**" not in fields["/data status"]
    assert "`file` (required)" in fields["/data import"]
    for name, value in fields.items():  # every command shows its example, however long
        assert "**example**: `" + name in value, name
    assert len(pages) > 2
    for p in pages:
        assert not embed_problems(p)
    assert pages[-1].footer.text == f"page {len(pages)} of {len(pages)}"


async def test_help_for_one_command_or_group(world) -> None:
    w = world
    one = await w.member.slash(w.channel, "help", command="/Trends  Top")
    embed = one.response.embeds[0]
    assert [f.name for f in embed.fields] == ["/trends top"]
    assert embed.footer is None or not embed.footer.text  # a single page
    group = await w.member.slash(w.channel, "help", command="data")
    assert [f.name for f in group.response.embeds[0].fields] == [
        "/data export", "/data import", "/data status"]  # fmt: skip


async def test_help_for_an_unknown_command_suggests_one(world) -> None:
    w = world
    result = await w.member.slash(w.channel, "help", command="trend tops")
    assert result.ephemeral
    text = result.response.content
    assert "there is no command /trend tops" in text and "did you mean /trends top" in text
    assert len(text) <= CONTENT


async def test_help_autocomplete(world) -> None:
    w = world
    choices = await w.member.autocomplete(w.channel, "help", "command", "data")
    assert [c["value"] for c in choices] == ["data", "data export", "data import", "data status"]
    everything = await w.member.autocomplete(w.channel, "help", "command", "")
    assert 1 <= len(everything) <= 25


async def test_a_command_without_an_example_says_so(world, simcord_bot, monkeypatch) -> None:
    w = world
    examples = dict(help_module().EXAMPLES)
    del examples["data status"]
    monkeypatch.setattr(help_module(), "EXAMPLES", examples)
    [entry] = [e for e in entries(simcord_bot) if e.name == "data status"]
    assert entry.example is None
    result = await w.member.slash(w.channel, "help", command="data status")
    value = result.response.embeds[0].fields[0].value
    assert "**example**: (no example yet)" in value


async def test_help_works_for_everyone_but_not_in_dms(world) -> None:
    from simcord.backend.errors import SetupError

    w = world
    for who in (w.member, w.planner, w.admin):
        assert (await who.slash(w.channel, "help")).response.embeds
    with pytest.raises(SetupError, match="not visible"):
        await w.env.create_user("dmer").slash("help")
