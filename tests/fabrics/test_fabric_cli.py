"""``garment3d fabric ...`` as a user runs it: a real subprocess, exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from fabric_testkit import save, weave_image


def run_cli(fabrics_dir, tmp_path, *args):
    env = {**os.environ, "GARMENT3D_FABRICS_DIR": str(fabrics_dir), "GARMENT3D_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "garment3d.cli", "fabric", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_list_show_and_tiling(fabrics_dir, tmp_path):
    listing = run_cli(fabrics_dir, tmp_path, "list")
    assert listing.returncode == 0 and "silk_organza" in listing.stdout and "EUR/m" in listing.stdout
    show = run_cli(fabrics_dir, tmp_path, "show", "silk_charmeuse")
    assert show.returncode == 0 and "source of drape" in show.stdout and "colorway midnight" in show.stdout
    tiling = run_cli(fabrics_dir, tmp_path, "tiling", "silk_charmeuse", "linen_red")
    assert tiling.returncode == 0 and tiling.stdout.count(" yes") == 2


def test_import_export_colorway_palette_print(fabrics_dir, tmp_path):
    scan = save(weave_image(128), tmp_path / "scan.png")
    imported = run_cli(fabrics_dir, tmp_path, "import", str(scan), "--name", "cli_scan", "--kind", "cotton",
                       "--width-cm", "2.5")
    assert imported.returncode == 0, imported.stderr
    assert "seam after" in imported.stdout and "seamless" in imported.stdout
    out = tmp_path / "cli_scan.u3ma"
    assert run_cli(fabrics_dir, tmp_path, "u3m-export", "cli_scan", "--out", str(out)).returncode == 0
    again = run_cli(fabrics_dir, tmp_path, "u3m-import", str(out), "--name", "cli_scan_again")
    assert again.returncode == 0, again.stderr
    assert "tile 2.50 x 2.50 cm" in again.stdout
    swatch = tmp_path / "navy.png"
    assert run_cli(fabrics_dir, tmp_path, "colorway", "cli_scan", "--colour", "navy", "--out", str(swatch)).returncode == 0
    assert swatch.is_file()
    palette = run_cli(fabrics_dir, tmp_path, "palette", str(scan), "--fabric", "silk_habotai", "--out",
                      str(tmp_path / "swatches"))
    assert palette.returncode == 0 and "L*a*b*" in palette.stdout
    assert len(list((tmp_path / "swatches").glob("*.png"))) >= 3
    motif = save(np.full((40, 40, 3), (0.2, 0.4, 0.8)), tmp_path / "motif.png")
    printed = run_cli(fabrics_dir, tmp_path, "print", str(motif), "--name", "cli_print", "--base", "silk_habotai",
                      "--size-cm", "10,12", "--mode", "mirror")
    assert printed.returncode == 0 and "tile 20 x 24 cm" in printed.stdout


def test_hostile_input_is_one_line_and_exit_2(fabrics_dir, tmp_path):
    bad = tmp_path / "scan.tif"
    bad.write_bytes(b"II*\x00" + b"\x00" * 10)
    result = run_cli(fabrics_dir, tmp_path, "import", str(bad), "--name", "x", "--kind", "cotton", "--dpi", "300")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "scan 'scan.tif'" in result.stderr
    slip = run_cli(fabrics_dir, tmp_path, "u3m-export", "silk_habotai", "--out", str(tmp_path / "x.zip"))
    assert slip.returncode == 2 and ".u3ma" in slip.stderr
