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
# GarmentCode's mean body, the one its samples are drafted for, with its shoulder width (``shoulder_w``); the
# skirt's sidecar gives its girths only (a skirt does not reach the shoulders)
GC_MEAN_BODY = Measurements(172.0, 99.8, 84.3, 103.5, shoulder_width_cm=36.5)
GC_BODY_TOML = "[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\n"
SKIRT_SIDECAR = (DATA / "a_line_skirt_sidecar.toml").read_text()  # shared with tests/patterns/formats


def _drape(pattern, measurements: Measurements, quality: str = "draft"):
    body = build_body(measurements, None)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=QUALITY_PRESETS[quality].spacing_m))
    return body, garment, drape(garment, body, load_fabric("linen_red"), DrapeOptions())


# GarmentCode's fixed-size garments fail issue 12's strain gates on its mean body: the flare skirt at 2 cm passes
# every other gate (seam correction 4.5 mm, no crossings, at rest) but both waistband panels are stretched at the
# 99th percentile (back 13.2 %, front 12.2 %, limit 10 %), at the top corners of the side seams, across and up the
# band. The file sews its skirt's top (84.4 cm round: GarmentCode's waist girth) to a band 87.2 cm long (front
# 45.9 on 42.2 of skirt, back 41.3 on 42.2) and lays it 4.6 cm below its body's waist (108.8), where this body is
# 85.8 cm round and more: the skirt's top climbs to the waist and pushes the band up 2.5-3.5 cm at the sides, where
# the waist's grip (it holds the band from sliding down, not up) keeps it stretched. Laid with the skirt's top at
# the waist and the band above, it ended worse (back band p99 18.0 %) (2026-12-02, 2 cores shared).
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


_GC_SHIRT = ("GarmentCode's mean shirt at 2 cm on its mean body with its shoulders (36.5 cm asked, 36.7 fitted; "
             "the shoulder points 19.7 cm from the centre, were 21.6 without; the shirt's shoulder seams end 17.2 "
             "out), its armhole-end stitches closed alike on both sides and its sleeves started 10 cm down the "
             "arms, clear of the bodice, ends at rest and uncrossed but misses two gates by a little: seam "
             "correction 5.9 mm (limit 5) and the right back bodice's p99 stretch 10.2 % (limit 10; max 17 %); "
             "with the sleeves 8 cm down, 5.5 mm and 2.4 % of the seams folded (limit 2 %); one run each. Before: "
             "34 crossing pairs at the right underarm, 15 mm, p99 27 %. 2026-12-03 (grip release, 8 s limit): "
             "3 crossing pairs, seam correction 9.4 mm, not at rest at 2 cm; with kinetic damping (later that day) at "
             "rest and uncrossed, failing the seam gate alone: 5.7 mm at the shoulder points, where sleeve, front "
             "and back bodice meet and carry the sleeves. It passes at 1 cm, the default quality "
             "(test_garmentcode_shirt_passes_at_standard_quality)")
_GC_DRESS = ("GarmentCode's pencil dress (an older GarmentCode commit) does not fit its mean body: the skirt's top is "
             "84.4 cm round after darts with the hip line 23.5 cm below (the mean body's waist 84.3 and hips_line "
             "23.5: a waist seam), but its bodice is 57 cm long from the side neck (neck to waist is about 37) and "
             "109.7 cm round where it is sewn to that top (1.30x: a hip-size bodice on a waist-size skirt). Laid "
             "where GarmentCode laid it (the skirt's top 62 cm below the bodice's, at the hips) the skirt is "
             "stretched to the bodice's width (with the body's shoulders: p99 51.5 %, max 99 %, 11 mm seam "
             "correction; without: 58 %, 112 %, 13 mm); tried with its top at the waist, 20 cm of bodice blouses "
             "and drags it 7 cm down (272 crossings, p99 43 %). 2026-12-03, laid round the body again (a contour holding "
             "bodice but no skirt had been widened kilometres): seam correction 11.3 mm, p95 6.5 %, max 90.5 %. Each "
             "bodice-to-skirt stitch pairs edges 1.29-1.30x apart: a GarmentCode ruffle (the bodice gathered onto "
             "the skirt). 2026-12-03, with those stitches gathered (garment3d.gathering): the bodice is drawn up to "
             "the skirt's 84.4 cm (before: compressed up to 10-19 %), but the seam, laid at the hip line as GarmentCode "
             "laid it, only climbs to 10 cm below this body's waist, still wider round than 84.4 cm, so the skirt's top "
             "and the gathered edge are stretched: seam correction 10.4 mm, skirt back p99 41 %, max 87 %, the "
             "bodices p99 10.5-15.4 %. With the skirt started at the waist (an experiment, not the layout) it slid "
             "5 cm below it: 5.3 mm, skirt back p99 20 %. A pencil skirt whose top is the waist's girth, sewn at "
             "the hips, is the pattern's fault, not the drape's")


# raises=AssertionError: a gate or a re-measure failing is the known failure; a crash is not (the dress had been
# laid kilometres out and ended in a ZeroDivisionError from the solver, which a bare xfail hid)
@pytest.mark.parametrize("name", [
    pytest.param("shirt_mean", marks=pytest.mark.xfail(reason=_GC_SHIRT, raises=AssertionError)),
    pytest.param("dress_pencil", marks=pytest.mark.xfail(reason=_GC_DRESS, raises=AssertionError))])
def test_garmentcode_shirt_and_dress_drape_where_they_belong(name):
    pattern = load_pattern_file(DATA / f"{name}_specification.json").pattern(GC_MEAN_BODY)
    body, garment, result = _drape(pattern, GC_MEAN_BODY)
    _where_they_belong(pattern, body, garment, result)
    _assert_passing(body, garment, result, strain_known=True)


def test_garmentcode_shirt_passes_at_standard_quality():
    """At 1 cm, the quality a sample gets unless a draft is asked for, the mean shirt on its mean body passes every
    gate (measured: seam correction 4.1 mm, p95 strain 1.4 %, at rest, uncrossed; the same with 1 and 2 threads)."""
    pattern = load_pattern_file(DATA / "shirt_mean_specification.json").pattern(GC_MEAN_BODY)
    body, garment, result = _drape(pattern, GC_MEAN_BODY, "standard")
    _where_they_belong(pattern, body, garment, result)
    _assert_passing(body, garment, result)


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
