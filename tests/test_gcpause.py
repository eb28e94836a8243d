"""bot/ingest/gcpause.py: automatic collection paused around bulk work, then restored."""

from __future__ import annotations

import asyncio
import gc
import threading

from bot.ingest.gcpause import gc_paused, without_gc_passes


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_restored_after_an_exception() -> None:
    try:
        with gc_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_blocks_in_two_threads_resume_once_both_end() -> None:
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's block is still running
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_decorates_functions_and_coroutine_functions() -> None:
    @without_gc_passes
    def plain(x: int) -> tuple[int, bool]:
        return x + 1, gc.isenabled()

    @without_gc_passes
    async def coro(x: int) -> tuple[int, bool]:
        await asyncio.sleep(0)
        return x * 2, gc.isenabled()

    assert plain(1) == (2, False) and gc.isenabled()
    assert asyncio.run(coro(3)) == (6, False) and gc.isenabled()
