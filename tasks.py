#!/usr/bin/env python3
"""Set up the project and run its main jobs, with nothing but Python 3.11+ on the machine.

    python3 tasks.py demo    # venv + install + migrate a local SQLite file + the offline demo
    python3 tasks.py test    # venv + install (with dev extras) + the whole test suite
    python3 tasks.py bench   # the benchmarks in bench/, each at its default size

Each creates ./.venv on first use and re-installs only when pyproject.toml changed.
Extra arguments after the task go to the underlying command (pytest, campaign-bot demo).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*cmd: str | Path, **env: str) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env={**os.environ, **env})
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script also runs on older Pythons
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {spec} into {VENV} (first run takes a minute)", flush=True)
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", spec)
    stamp.write_text(digest)


def demo(args: list[str]) -> None:
    ensure_venv()
    _run(BIN / "campaign-bot", "demo", *args)


def test(args: list[str]) -> None:
    ensure_venv("dev")
    _run(PY, "-m", "pytest", *args)


def bench(args: list[str]) -> None:
    ensure_venv("dev")
    for script in sorted((ROOT / "bench").glob("*.py")):
        print(f"== {script.name}", flush=True)
        _run(PY, script, *args)


TASKS = {"demo": demo, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    TASKS[sys.argv[1]](sys.argv[2:])
