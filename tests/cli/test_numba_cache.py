"""Compiled kernels are cached under the cache setting and found by the next process (CLI runs compile once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# One small cached kernel, called in a fresh interpreter; prints numba's own cache statistics for it.
PROBE = """
import json, os
import garment3d  # sets NUMBA_CACHE_DIR before numba is imported
from garment3d.geometry import point_triangle_dist2
d = point_triangle_dist2(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
stats = point_triangle_dist2.stats
print(json.dumps({"dir": os.environ["NUMBA_CACHE_DIR"], "d": d, "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values())}))
"""


def _run(cache: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env |= {"GARMENT3D_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)} | extra
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=300,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.nbc")) if folder.is_dir() else []


def test_a_second_process_loads_the_kernel_the_first_compiled(tmp_path):
    cache = tmp_path / "cache"
    first = _run(cache)
    assert first["dir"] == str(cache / "numba") and first["d"] == 1.0
    assert first["misses"] == 1 and first["hits"] == 0  # compiled here
    written = _entries(cache / "numba")
    assert written and all("geometry" in p.name for p in written)
    second = _run(cache)
    assert second["hits"] == 1 and second["misses"] == 0  # loaded, not compiled
    assert _entries(cache / "numba") == written


def test_an_operators_numba_cache_dir_wins(tmp_path):
    own = tmp_path / "own"
    assert _run(tmp_path / "cache", NUMBA_CACHE_DIR=str(own))["dir"] == str(own)
    assert _entries(own) and not (tmp_path / "cache").exists()
