"""A built wheel works outside the checkout: package data travels, the CLI runs, nothing points back at the source.

The wheel is built from a copy of the source tree (``pip wheel --no-deps
--no-build-isolation``: no network), installed with ``--no-deps`` into a
fresh virtual environment that reuses this interpreter's installed
dependencies through a path file (not their site folder's own path files, so
an editable garment3d there stays invisible), and run from a folder that is
not the checkout. About 30 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", ".venv", "renders", "build", "dist", "*.egg-info", "__pycache__", ".cache",
                              ".pytest_cache", "tests", "benchmarks", "node_modules")
VENDOR = ROOT / "server" / "web" / "static" / "vendor"  # npm code of the viewer, present after `make web`


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    if (major, minor) < (70, 1):  # older ones need the 'wheel' package to build a wheel without isolation
        pytest.fail(f"setuptools {setuptools.__version__} cannot build the wheel offline; install the test extras "
                    f"(setuptools>=70.1)")
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp)],
         source)
    wheel = next(tmp.glob("garment3d-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # numpy & co. from here, nothing else
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)], tmp)
    home = tmp / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GARMENT3D_", "PYTHON", "NUMBA_CACHE"))}
    env |= {"HOME": str(home), "PYOPENGL_PLATFORM": "egl", "GARMENT3D_CACHE_DIR": str(tmp / "cache")}
    work = tmp / "elsewhere"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "site": site, "env": env, "work": work, "tmp": tmp}


def test_the_wheel_carries_the_libraries_and_data(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert "garment3d/library/patterns/a_line_skirt.toml" in names
    assert "garment3d/library/patterns/FORMAT.md" in names
    assert "garment3d/library/fabrics/silk_charmeuse/fabric.toml" in names
    assert "garment3d/library/fabrics/silk_charmeuse/scan.png" in names
    assert "garment3d/data/body/makehuman_adult.npz" in names
    assert {"garment3d/render/shaders/studio.frag", "garment3d/render/shaders/studio.vert"} <= names
    assert {"server/web/static/viewer.js", "server/web/static/viewer.css"} <= names
    vendored = {"server/" + p.relative_to(ROOT / "server").as_posix() for p in VENDOR.rglob("*")
                if p.is_file() and p.name != ".installed"}
    assert vendored <= names  # whatever `make web` vendored travels too (nothing when it was not run)
    patterns = {p.name for p in (ROOT / "patterns").glob("*.toml")}
    assert patterns and {n for n in names if n.startswith("garment3d/library/patterns/") and n.endswith(".toml")} \
        == {f"garment3d/library/patterns/{p}" for p in patterns}
    assert not any(n.startswith(("tests/", "renders/")) for n in names)


def test_the_installed_package_runs_from_its_own_files(installed):
    python, env, work = installed["python"], installed["env"], installed["work"]
    probe = ("import json, garment3d, server; from garment3d.settings import get_settings; s = get_settings(); "
             "print(json.dumps({'garment3d': garment3d.__file__, 'server': server.__file__, "
             "'patterns': str(s.patterns_dir), 'fabrics': str(s.fabrics_dir), 'renders': str(s.renders_dir)}))")
    where = json.loads(_run([str(python), "-c", probe], work, env).strip().splitlines()[-1])
    site = str(installed["site"])
    assert all(where[k].startswith(site) for k in ("garment3d", "server", "patterns", "fabrics")), where
    assert not where["renders"].startswith(site)  # outputs never go into the installed package
    assert str(ROOT) not in json.dumps(where)


def test_the_console_script_works(installed):
    garment3d, env, work = installed["venv"] / "bin" / "garment3d", installed["env"], installed["work"]
    assert "sample" in _run([str(garment3d), "--help"], work, env)
    listing = _run([str(garment3d), "list"], work, env)
    assert "a_line_skirt" in listing and "silk_charmeuse" in listing
    out = work / "skirt.svg"
    _run([str(garment3d), "pattern", "export", "a_line_skirt", "--size", "165/88A", "--out", str(out)], work, env)
    assert out.read_text().lstrip().startswith(("<?xml", "<svg")) and "<path" in out.read_text()
