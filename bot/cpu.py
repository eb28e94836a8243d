"""numpy's CPU switches for the machine the bot runs on, set before numpy is first imported.

numpy sorts (``sort``, ``argsort``, ``partition``) with AVX-512 code wherever the CPU has
AVX-512. On AMD Zen 4 that code is several times slower than numpy's AVX2 code: the
compress-store instruction it runs on every vector is microcoded there (a known numpy and
x86-simd-sort issue; Zen 5 fixed the instruction). Measured on a 2-core Zen 4 EPYC with
numpy 2.4: sorting 108,081 uint64 keys 4.1 ms with AVX-512 and 0.84 ms without; ranking the
broad brief of bench/rank.py 18.3-19.0 ms against 10.9-11.2 ms; the 1,000,000-row import the
same either way. So on Zen 4, numpy's AVX-512 targets are switched off with numpy's own
setting, ``NPY_DISABLE_CPU_FEATURES``, unless the environment already sets it. Nothing
changes on other CPUs.

The setting is per target, not per function, so it also takes numpy's AVX-512 ``log`` and
``exp`` away: 4-5x slower on a million values (0.8 -> 3.8-4.4 ms), while arithmetic,
comparisons, masks and sums measured the same. The bot takes logarithms only of a
14-day window per hashtag (scoring.trends): bench/trends.py ran 369 and 379 ms with and
without.

The package's ``__init__`` applies this, so every entry point (``campaign-bot``, the bot,
the benchmarks, which import ``bot`` before numpy) gets it. Where numpy was imported first
it has no effect, and nothing is changed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Container, MutableMapping
from pathlib import Path

NUMPY_SWITCH = "NPY_DISABLE_CPU_FEATURES"
# numpy's names (2.4 and later, see pyproject) for its targets that use AVX-512.
AVX512_TARGETS = "X86_V4 AVX512_ICL AVX512_SPR"
CPUINFO = Path("/proc/cpuinfo")
# The first processor's block (about 2 KB) is all that is read: the kernel makes the file as
# it is read, one block per CPU, which takes a while on machines with many.
CPUINFO_HEAD = 16_384


def is_zen4(cpuinfo: str) -> bool:
    """Whether the first processor in /proc/cpuinfo text is an AMD Zen 4 with AVX-512:
    vendor AuthenticAMD, family 25 (Zen 3 and Zen 4; only Zen 4 has AVX-512)."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        if not line.strip():
            if fields:
                break  # the first processor's block is enough
            continue
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return (
        fields.get("vendor_id") == "AuthenticAMD"
        and fields.get("cpu family") == "25"
        and "avx512f" in fields.get("flags", "").split()
    )


def avoid_slow_avx512_sort(
    environ: MutableMapping[str, str] = os.environ,
    cpuinfo: Path = CPUINFO,
    loaded: Container[str] = sys.modules,
) -> bool:
    """Switch numpy's AVX-512 targets off on Zen 4 (see the module's text); True if it did.
    ``loaded``: the modules already imported."""
    if NUMPY_SWITCH in environ or "numpy" in loaded:
        return False
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as fh:
            text = fh.read(CPUINFO_HEAD)
    except OSError:  # not Linux, or no /proc
        return False
    if not is_zen4(text):
        return False
    environ[NUMPY_SWITCH] = AVX512_TARGETS
    return True
