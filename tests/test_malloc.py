"""The allocator settings campaign-bot applies at start (bot/malloc.py)."""

from __future__ import annotations

import platform
import sys

import pytest

from bot import cli
from bot.malloc import keep_freed_memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's; elsewhere the settings are skipped (and return False)",
)
def test_glibc_accepts_the_settings() -> None:
    assert keep_freed_memory() is True


def test_the_cli_applies_them_before_anything_else(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(cli, "keep_freed_memory", lambda: calls.append("malloc"))
    monkeypatch.setattr(cli, "build_parser", lambda: calls.append("parser") or sys.exit(0))
    with pytest.raises(SystemExit):
        cli.main([])
    assert calls == ["malloc", "parser"]
