"""Process-wide allocator settings for the bot's number crunching.

Ranking a broad brief makes a few dozen temporary arrays of about a megabyte each. glibc's
malloc serves blocks that size with fresh pages from the kernel (mmap) until a freed block
raises its threshold, and it hands free memory at the top of the heap back to the kernel as
soon as more than twice that threshold is free: so a process that loaded its ranking copy
from a file and then ranks (the bot) pays a page fault per 4 KiB of those arrays on every
ranking. Measured on the 2-core development machine, a broad brief over a million creators:
58 -> 44 ms on one thread, 45 -> 38 ms on two, in a process that had just loaded the copy. A
process that has already freed large blocks (bench/rank.py, which builds its data first)
has raised glibc's thresholds itself and shows no difference. Keeping freed blocks below
32 MiB in the process for reuse makes the fast case the only case; the price is that the
process keeps up to 256 MiB of freed memory instead of returning it at once.
"""

from __future__ import annotations

import ctypes
import sys

MMAP_THRESHOLD = 32 * 1024 * 1024  # blocks below this come from the reusable heap
TRIM_THRESHOLD = 256 * 1024 * 1024  # free heap kept before any is returned to the kernel
_M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Apply the settings above; False where the C library has no glibc ``mallopt``."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
