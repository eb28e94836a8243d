"""numpy's AVX-512 sorts switched off on AMD Zen 4 only (bot/cpu.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.cpu import AVX512_TARGETS, CPUINFO, NUMPY_SWITCH, avoid_slow_avx512_sort, is_zen4


def cpuinfo(vendor: str, family: int, flags: str, processors: int = 2) -> str:
    block = (
        f"processor\t: {{i}}\nvendor_id\t: {vendor}\ncpu family\t: {family}\n"
        f"model\t\t: 17\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 {flags} rdrand\n\n"
    )
    return "".join(block.format(i=i) for i in range(processors))


ZEN4 = cpuinfo("AuthenticAMD", 25, "avx2 avx512f avx512dq avx512_vbmi2")


def test_only_zen4_with_avx512_is_recognised():
    assert is_zen4(ZEN4)
    assert not is_zen4(cpuinfo("AuthenticAMD", 25, "avx2"))  # Zen 3: no AVX-512
    assert not is_zen4(cpuinfo("AuthenticAMD", 26, "avx2 avx512f"))  # Zen 5: fixed
    assert not is_zen4(cpuinfo("GenuineIntel", 6, "avx2 avx512f avx512dq"))
    assert not is_zen4(cpuinfo("AuthenticAMD", 25, "avx512fp16"))  # a flag, not avx512f
    assert not is_zen4("")
    # The first processor decides; a later block does not add to it.
    assert not is_zen4(cpuinfo("AuthenticAMD", 25, "avx2", 1) + ZEN4)


def test_the_switch_is_set_on_zen4_before_numpy_and_never_over_a_users_setting(tmp_path):
    zen4, intel = tmp_path / "zen4", tmp_path / "intel"
    zen4.write_text(ZEN4)
    intel.write_text(cpuinfo("GenuineIntel", 6, "avx2 avx512f"))
    env: dict[str, str] = {}
    assert avoid_slow_avx512_sort(env, zen4, loaded=set()) and env == {NUMPY_SWITCH: AVX512_TARGETS}
    env = {}
    assert not avoid_slow_avx512_sort(env, intel, loaded=set()) and env == {}
    assert not avoid_slow_avx512_sort(env, tmp_path / "missing", loaded=set()) and env == {}
    env = {}
    assert not avoid_slow_avx512_sort(env, zen4, loaded={"numpy"}) and env == {}  # too late
    env = {NUMPY_SWITCH: ""}  # the user's own choice, even "none off"
    assert not avoid_slow_avx512_sort(env, zen4, loaded=set()) and env == {NUMPY_SWITCH: ""}


def test_importing_bot_first_sets_numpys_targets_for_this_machine():
    """In a fresh interpreter: numpy imported after bot runs without its AVX-512 targets on
    Zen 4, and with whatever it found elsewhere."""
    code = (
        "import json, os, bot, numpy as np; "
        "print(json.dumps([os.environ.get('NPY_DISABLE_CPU_FEATURES'), "
        "np.__config__.CONFIG['SIMD Extensions']['found']]))"
    )
    env = {k: v for k, v in os.environ.items() if k != NUMPY_SWITCH}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    switch, found = json.loads(out.stdout)
    assert out.stderr == ""  # numpy knows every name given to it
    zen4 = CPUINFO.exists() and is_zen4(CPUINFO.read_text(errors="replace"))
    if zen4:
        assert switch == AVX512_TARGETS
        assert not set(found) & set(AVX512_TARGETS.split())
    else:
        assert switch is None
