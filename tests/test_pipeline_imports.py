"""Imported patterns through the real pipeline at draft quality: each import path reaches a passing drape.

The drape's own report is not trusted here: seam gaps, cloth inside the body and
where each piece ended up are measured again from the draped positions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.fabrics import load_fabric
from garment3d.fields import sample_sdf
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.formats import write_dxf
from garment3d.patterns.formats.load import load_pattern_bytes, load_pattern_file
from garment3d.pipeline import QUALITY_PRESETS
from garment3d.settings import get_settings
from garment3d.sizes import parse_size
from garment3d.types import Measurements

DATA = Path(__file__).resolve().parent / "data" / "patterns"
GC_MEAN_BODY = Measurements(172.0, 99.8, 84.3, 103.5)  # GarmentCode's mean body, the one its samples are drafted for
GC_BODY_TOML = "[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\n"
SKIRT_SIDECAR = (DATA / "a_line_skirt_sidecar.toml").read_text()  # shared with tests/patterns/formats


def _drape(pattern, measurements: Measurements):
    body = build_body(measurements, None)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=QUALITY_PRESETS["draft"].spacing_m))
    return body, garment, drape(garment, body, load_fabric("linen_red"), DrapeOptions())


# GarmentCode's fixed-size garments fail issue 12's strain gates on its mean body: the flare skirt at 2 cm passes
# every other gate (seam correction 3.9 mm, no crossings, at rest) but its back waistband is stretched 14.1 % at the
# 99th percentile (limit 10 %): 5 of its 69 triangles, at the tops of the side seams, where the band (GarmentCode's
# back 40.6 cm, front 45.8 cm) meets a body whose back is wider than GarmentCode's (2026-12-02, load ~10 on 2 cores).
GC_STRAIN_KNOWN = "GarmentCode garment fails only the strain gates (issue 12's limits)"
_STRAIN_GATES = {"max_stretch", "p99_stretch", "max_compression", "p99_compression"}


def _assert_passing(body, garment, result, *, strain_known: bool = False) -> None:
    """The gates, measured again from the positions: seams closed, nothing inside the body, at rest, uncrossed;
    then every gate of the report. With ``strain_known`` a verdict failing only strain gates is an expected failure."""
    from garment3d import gates

    x = result.positions
    a, b = garment.seam_pairs.T
    assert np.linalg.norm(x[a] - x[b], axis=1).max() < 0.003
    assert np.mean(sample_sdf(body.sdf, x) < 0.0) < 0.005
    assert result.report.settled and result.report.self_intersections == 0
    verdict = gates.evaluate(result.report)
    if strain_known and not verdict.passed and set(verdict.failed) <= _STRAIN_GATES:
        pytest.xfail(f"{GC_STRAIN_KNOWN}: {'; '.join(verdict.problems)}")
    assert verdict.passed, verdict.problems


def _panel_points(garment, result, name: str) -> np.ndarray:
    return result.positions[garment.panel_of == garment.panel_names.index(name)]


def test_garmentcode_skirt_from_the_cli_on_the_body_its_sidecar_names(tmp_path):
    sidecar = tmp_path / "flare_body.toml"
    sidecar.write_text(GC_BODY_TOML)
    out = tmp_path / "sample"
    result = subprocess.run(
        [sys.executable, "-m", "garment3d.cli", "sample", "--pattern-file", str(DATA / "flare_skirt_specification.json"),
         "--sidecar", str(sidecar), "--quality", "draft", "--out", str(out)],
        capture_output=True, text=True, timeout=900)
    last_line = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    if result.returncode == 2 and "quality gates" in last_line and "stretched" in last_line \
            and not any(w in last_line for w in ("inside", "seam", "cross", "settle", "waist")):
        pytest.xfail(f"{GC_STRAIN_KNOWN}: {last_line}")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "sample.json").read_text())
    assert summary["drape"]["passed"] is True and summary["size"]["label"] == "pattern"
    assert summary["body_measured_cm"]["bust_cm"] == pytest.approx(99.8, abs=1.0)
    assert summary["request"]["pattern_file"].endswith("flare_skirt_specification.json")
    assert (out / "garment.glb").read_bytes()[:4] == b"glTF"


_GC_SHIRT = ("GarmentCode's mean shirt at 2 cm (issue 13): its 0.7-0.8 cm armhole-end stitches now close into "
             "one corner (left panels' max stretch 28-39 %, was 115-132 %), but the right underarm ends crossed "
             "(34 pairs, sleeve back through bodice back; untangling ended it, 15 mm seam correction) and the "
             "shoulders, underarms and centre back neck stay stretched (p99 14-27 %, limit 10 %): the body's "
             "shoulder points stand 21.6 cm from its centre, the shirt's shoulder seams end 17.2 cm out "
             "(GarmentCode's mean body: shoulder width 36.5)")
_GC_DRESS = ("GarmentCode's pencil dress (an older GarmentCode commit) does not fit its mean body: the skirt's top is "
             "84.5 cm round after darts with the hip line 23.5 cm below (the mean body's waist 84.3 and hips_line "
             "23.5: a waist seam), but its bodice is 57 cm long from the side neck (neck to waist is about 37) and "
             "1.30x the skirt's top where they are sewn. Laid where GarmentCode laid it (the skirt's top 62 cm below "
             "the bodice's, at the hips) the skirt is stretched to the bodice's width (p99 58 %, max 112 %, 13 mm "
             "seam correction); tried with its top at the waist, 20 cm of bodice blouses and drags it 7 cm down "
             "(272 crossings, p99 43 %)")


@pytest.mark.parametrize("name", [pytest.param("shirt_mean", marks=pytest.mark.xfail(reason=_GC_SHIRT)),
                                  pytest.param("dress_pencil", marks=pytest.mark.xfail(reason=_GC_DRESS))])
def test_garmentcode_shirt_and_dress_drape_where_they_belong(name):
    pattern = load_pattern_file(DATA / f"{name}_specification.json").pattern(GC_MEAN_BODY)
    body, garment, result = _drape(pattern, GC_MEAN_BODY)
    _where_they_belong(pattern, body, garment, result)
    _assert_passing(body, garment, result, strain_known=True)


def _where_they_belong(pattern, body, garment, result) -> None:
    frames = body.landmarks.frames
    for panel in pattern.panels:
        points = _panel_points(garment, result, panel.name)
        if panel.placement.region == "arm":  # round its own arm: near that arm's centre path
            path = frames.arm_paths[0 if panel.placement.side == "left" else 1]
            nearest = np.linalg.norm(points[:, None, :] - path[None], axis=2).min(axis=1)
            assert np.median(nearest) < 0.10, panel.name
            assert np.sign(points[:, 0].mean()) == (1.0 if panel.placement.side == "left" else -1.0)
        else:  # front pieces in front of the body's axis, back pieces behind it
            z = points[:, 2].mean() - body.landmarks.axis_xz[1]
            assert (z > 0) == ("front" in panel.name or "ftorso" in panel.name), panel.name
    top = max(_panel_points(garment, result, p.name)[:, 1].max() for p in pattern.panels)
    assert top > frames.neck_y - 0.05  # hung from the shoulders, not slid down


def test_dxf_with_a_sidecar_drapes(tmp_path):
    size = parse_size("160/84A")
    path = tmp_path / "skirt.dxf"
    write_dxf(evaluate(get_definition("a_line_skirt"), size.measurements, size_label=size.label), path)
    sidecar = tmp_path / "skirt.toml"
    sidecar.write_text(SKIRT_SIDECAR)
    pattern = load_pattern_file(path, sidecar=sidecar).pattern()
    body, garment, result = _drape(pattern, size.measurements)
    _assert_passing(body, garment, result)
    waist = np.concatenate([_panel_points(garment, result, p)[:, 1] for p in ("front", "back")]).max()
    assert waist == pytest.approx(body.landmarks.waist_y, abs=0.04)  # held at the waist by its anchors


def test_toml_upload_drapes():
    data = (get_settings().patterns_dir / "a_line_skirt.toml").read_bytes()
    size = parse_size("160/84A")
    pattern = load_pattern_bytes(data, "toml", name="upload.toml").pattern(size.measurements, {}, size.label)
    _assert_passing(*_drape(pattern, size.measurements))
