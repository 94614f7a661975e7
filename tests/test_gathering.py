"""Gathered seams: the drawn-up rest along a gathered edge (``garment3d.gathering``), how a pattern declares
one, and a gathered skirt draped in silk.

The drape's own report is not trusted for the skirt: its seams, strain and place are measured again here from
the draped positions against the rest the gathers give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.errors import ImportFormatError, InvalidPatternError
from garment3d.fabrics import load_fabric
from garment3d.fields import sample_sdf
from garment3d.gathering import GATHER_DEPTH_M, gathered_rest_edges
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns.formats.garmentcode import read_garmentcode
from garment3d.patterns.formats.load import load_pattern_bytes
from garment3d.patterns.formats.sidecar import parse_sidecar
from garment3d.sizes import parse_size
from garment3d.types import triangle_edges

DATA = Path(__file__).resolve().parent / "data" / "patterns"
SKIRT = (DATA / "gathered_skirt.toml").read_text()


def _grid(width: float, height: float, step: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A width x height rectangle of right triangles (m); its top row of vertices, left to right."""
    xs, ys = np.arange(0.0, width + 1e-9, step), np.arange(0.0, height + 1e-9, step)
    uv = np.array([(x, y) for y in ys for x in xs])
    nx = len(xs)
    faces = []
    for j in range(len(ys) - 1):
        for i in range(nx - 1):
            a, b, c, d = j * nx + i, j * nx + i + 1, (j + 1) * nx + i, (j + 1) * nx + i + 1
            faces += [(a, b, d), (a, d, c)]
    return uv, np.array(faces), (len(ys) - 1) * nx + np.arange(nx)


def test_a_gathered_edge_is_drawn_up_along_it_and_fades_to_the_cut():
    uv, faces, top = _grid(0.6, 0.4, 0.02)
    edges = gathered_rest_edges(uv, faces, np.zeros(len(uv), np.int64), [(top, 1.5)], 0.02)
    cut = triangle_edges(uv, faces)
    centroid_y = uv[faces].mean(axis=1)[:, 1]
    from_top = 0.4 - centroid_y
    on_edge = from_top < 0.01  # the row of triangles along the gathered edge
    # along the edge (x) each triangle of that row is 1.5 times shorter; across it (y) nothing changes
    np.testing.assert_allclose(edges[on_edge][..., 0], cut[on_edge][..., 0] / 1.5, atol=1e-12)
    np.testing.assert_allclose(edges[..., 1], cut[..., 1], atol=1e-12)
    # beyond the band, the cut; inside it, drawn up less the further from the edge
    beyond = from_top > 0.01 + GATHER_DEPTH_M
    np.testing.assert_allclose(edges[beyond], cut[beyond], atol=1e-12)
    rows = np.unique(np.round(from_top, 5))
    shares = [np.abs(edges[np.isclose(from_top, r, atol=1e-4)][..., 0]).sum() / np.abs(cut[np.isclose(from_top, r, atol=1e-4)][..., 0]).sum()
              for r in rows]
    assert np.all(np.diff(shares) >= -1e-12) and shares[0] == pytest.approx(1 / 1.5) and shares[-1] == 1.0
    assert 1 / 1.5 < shares[len(rows) // 8] < 1.0  # a row inside the band: partly drawn up


def test_a_pattern_without_gathers_keeps_the_cut_rest(capsule_body):
    size = parse_size("160/84A")
    plain = SKIRT.replace('\nkind = "gather"', '\nkind = "seam"\nease = 60')
    for text, gathered in ((SKIRT, True), (plain, False)):
        pattern = load_pattern_bytes(text.encode(), "toml", name="g.toml").pattern(size.measurements, {}, size.label)
        garment = mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))
        assert (garment.sewn_edges is not None) == gathered
        if not gathered:
            np.testing.assert_array_equal(garment.rest_edges, triangle_edges(garment.rest_uv, garment.faces))
            continue
        # the skirt's top, drawn up, is as long as the band it is sewn to
        for seam in (2, 3):
            pairs = garment.seam_pairs[garment.seam_of == seam]
            band = np.linalg.norm(np.diff(garment.rest_uv[pairs[:, 0]], axis=0), axis=1).sum()
            top = np.linalg.norm(np.diff(garment.rest_uv[pairs[:, 1]], axis=0), axis=1).sum()
            assert top / band == pytest.approx(1.6, rel=1e-3)


def _measured(garment, positions) -> tuple[float, float]:
    """(largest seam gap m, 99th-percentile yarn stretch against the rest the solver was given), from the
    positions alone."""
    a, b = garment.seam_pairs.T
    gap = float(np.linalg.norm(positions[a] - positions[b], axis=1).max())
    rest = garment.rest_edges
    inv = np.linalg.inv(np.transpose(rest, (0, 2, 1)))  # rest edge columns -> their flat (weft, warp) frame
    f = garment.faces.astype(np.int64)
    drawn = np.stack([positions[f[:, 1]] - positions[f[:, 0]], positions[f[:, 2]] - positions[f[:, 0]]], axis=2)
    deformation = drawn @ inv  # (m, 3, 2): images of the weft and warp unit vectors
    stretch = np.linalg.norm(deformation, axis=1).max(axis=1) - 1.0
    return gap, float(np.percentile(stretch, 99))


@pytest.fixture(scope="module")
def gathered_drape():
    size = parse_size("160/84A")
    pattern = load_pattern_bytes(SKIRT.encode(), "toml", name="gathered.toml").pattern(size.measurements, {}, size.label)
    body = build_body(size.measurements)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    return body, garment, drape(garment, body, load_fabric("silk_charmeuse"), DrapeOptions())


def test_a_gathered_skirt_in_silk_drapes_closed_and_unstrained(gathered_drape):
    from garment3d import gates

    body, garment, result = gathered_drape
    gap, p99 = _measured(garment, result.positions)
    assert gap < 0.003 and p99 < 0.05
    assert np.mean(sample_sdf(body.sdf, result.positions) < 0.0) < 0.005
    band_top = result.positions[garment.anchor_mask]  # the waistband's top, held at the waist
    assert np.median(band_top[:, 1]) == pytest.approx(body.landmarks.waist_y, abs=0.05)
    hem = result.positions[garment.panel_of != garment.panel_names.index("waistband")][:, 1].min()
    assert body.landmarks.waist_y - hem > 0.50  # hangs its length (55 cm), not bunched up
    verdict = gates.evaluate(result.report)
    assert verdict.passed, verdict.problems


def test_the_same_skirt_sewn_plain_fails_the_gates():
    """The crafted bad case: the skirt's top sewn flat onto the band (declared as ease) is squeezed to the band's
    length and drags it, which the strain gates catch (measured: band p99 22.9 %, back compressed 32.6 %)."""
    from garment3d import gates

    size = parse_size("160/84A")
    plain = SKIRT.replace('\nkind = "gather"', '\nkind = "seam"\nease = 60')
    pattern = load_pattern_bytes(plain.encode(), "toml", name="plain.toml").pattern(size.measurements, {}, size.label)
    body = build_body(size.measurements)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    result = drape(garment, body, load_fabric("silk_charmeuse"), DrapeOptions())
    verdict = gates.evaluate(result.report)
    assert not verdict.passed
    # the strain gates, which the gathered skirt passes at this spacing too (its p99 5.7-6.9 %)
    assert {"p99_stretch", "p99_compression"} & set(verdict.failed), verdict.problems


def test_a_gather_too_deep_to_draw_up_is_refused_naming_the_seam():
    size = parse_size("160/84A")
    deep = SKIRT.replace("max = 2.5", "max = 6.0").replace("default = 1.6", "default = 5.0")
    with pytest.raises(InvalidPatternError, match=r"seam waistband\.front .* at most 4x the shorter \(this is 5\.00x\)"):
        load_pattern_bytes(deep.encode(), "toml", name="deep.toml").pattern(size.measurements, {}, size.label)
    with pytest.raises(InvalidPatternError, match="unknown seam kind 'ruffle'"):
        load_pattern_bytes(SKIRT.replace('kind = "gather"', 'kind = "ruffle"').encode(), "toml", name="r.toml")


def test_garmentcode_ruffles_come_in_as_gathered_seams():
    """GarmentCode's pencil dress stitches its bodice 1.30x onto the skirt's top: those stitches are gathers;
    its side and centre seams (equal, or eased up to 1.05x) are not."""
    dress = read_garmentcode(DATA / "dress_pencil_specification.json")
    gathered = {(s.a.panel, s.b.panel) for s in dress.seams if s.kind == "gather"}
    assert len([s for s in dress.seams if s.kind == "gather"]) == 9
    assert all(a.endswith("torso") and b.startswith("skirt") for a, b in gathered)
    for name in ("shirt_mean", "flare_skirt"):
        assert all(s.kind == "seam" for s in read_garmentcode(DATA / f"{name}_specification.json").seams)


def test_a_sidecar_seam_may_be_gathered_and_names_a_bad_kind():
    sidecar = parse_sidecar('[[seams]]\na = "A.e0"\nb = "B.e1"\nkind = "gather"\n', "s.toml")
    assert sidecar.seams[0].kind == "gather"
    with pytest.raises(ImportFormatError, match="s.toml, seam 1: 'kind' must be one of seam, zip, gather"):
        parse_sidecar('[[seams]]\na = "A.e0"\nb = "B.e1"\nkind = "pleat"\n', "s.toml")


def test_mesh_edge_rest_lengths_follow_the_triangles_rest(capsule_body):
    """The solver's per-edge rest lengths (edge strain) are the triangles' rest sides: the cut's lengths without
    gathers, the drawn-up ones along a gathered edge."""
    from garment3d.drape.model import _edge_rest_lengths, _edges_and_hinges

    size = parse_size("160/84A")
    pattern = load_pattern_bytes(SKIRT.encode(), "toml", name="g.toml").pattern(size.measurements, {}, size.label)
    garment = mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))
    tri = garment.faces.astype(np.int64)
    edges, _, _ = _edges_and_hinges(tri)
    cut = np.linalg.norm(garment.rest_uv[edges[:, 0]] - garment.rest_uv[edges[:, 1]], axis=1)
    np.testing.assert_allclose(_edge_rest_lengths(edges, triangle_edges(garment.rest_uv, tri), tri), cut, atol=1e-15)
    drawn = _edge_rest_lengths(edges, garment.rest_edges, tri)
    pairs = garment.seam_pairs[garment.seam_of == 2]  # the band's front onto the skirt's front top
    top = {tuple(sorted(p)) for p in zip(pairs[:-1, 1], pairs[1:, 1])}
    on_top = np.array([tuple(e) in top for e in np.sort(edges, axis=1)])
    assert on_top.sum() == len(pairs) - 1
    np.testing.assert_allclose(drawn[on_top], cut[on_top] / 1.6, rtol=1e-9)
