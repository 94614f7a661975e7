import json
import math

import numpy as np
import pytest
import shapely
from pattern_samples import DATA

from garment3d.errors import ImportFormatError, InvalidPatternError
from garment3d.patterns.formats.garmentcode import parse_garmentcode, read_garmentcode


def _edge_length(piece, name: str) -> float:
    edge = next(e for e in piece.edges if e.name == name)
    k = len(piece.sew_line)
    points = piece.sew_line[(edge.start + np.arange((edge.end - edge.start) % k + 1)) % k]
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


@pytest.mark.parametrize(
    "file, panels, seams",
    [("dress_pencil_specification.json", 6, 23), ("flare_skirt_specification.json", 4, 6),
     ("shirt_mean_specification.json", 8, 18)],
)
def test_real_specifications_import(file, panels, seams):
    result = read_garmentcode(DATA / file)
    assert result.name == file.removesuffix("_specification.json")
    assert len(result.pieces) == panels and len(result.seams) == seams
    assert result.units == "cm" and result.units_source == "units_in_meter = 100"
    raw = json.loads((DATA / file).read_text())["pattern"]["panels"]
    for piece in result.pieces:
        polygon = shapely.Polygon(piece.sew_line)
        assert polygon.is_valid and shapely.is_ccw(polygon.exterior)
        assert len(piece.edges) == len(raw[piece.name]["edges"])
        assert np.allclose(piece.translation_cm, raw[piece.name]["translation"])
        assert np.allclose(piece.rotation_deg, raw[piece.name]["rotation"])
    for seam in result.seams:  # every stitch names a real edge of a real piece
        for ref in (seam.a, seam.b):
            assert any(e.name == ref.edge for e in next(p for p in result.pieces if p.name == ref.panel).edges)


def test_shirt_seams_have_matching_lengths():
    result = read_garmentcode(DATA / "shirt_mean_specification.json")
    pieces = {p.name: p for p in result.pieces}
    for seam in result.seams:
        a = _edge_length(pieces[seam.a.panel], seam.a.edge)
        b = _edge_length(pieces[seam.b.panel], seam.b.edge)
        assert a == pytest.approx(b, abs=0.5), (seam.a, seam.b)


def test_circle_edges_follow_the_arc():
    result = read_garmentcode(DATA / "flare_skirt_specification.json")
    front = next(p for p in result.pieces if p.name == "skirt_front")
    # waist: radius 17.896 cm over a 33.068 cm chord, the short arc (3/8 of a turn)
    assert _edge_length(front, "e3") == pytest.approx(17.896188 * 3 * math.pi / 4, abs=0.02)


def _square_spec(curvature, stitches=(), loop=(0, 1, 2, 3)) -> dict:
    vertices = [[0, 0], [10, 0], [10, 10], [0, 10]]
    if loop != (0, 1, 2, 3):
        vertices = [vertices[i] for i in loop]
    edges = [{"endpoints": [i, (i + 1) % 4]} for i in range(4)]
    if curvature is not None:
        edges[0]["curvature"] = curvature
    panel = {"translation": [0, 100, 15], "rotation": [0, 0, 0], "vertices": vertices, "edges": edges}
    back = {**panel, "translation": [0, 100, -15]}
    return {"pattern": {"panels": {"front": panel, "back": back}, "stitches": list(stitches)},
            "properties": {"units_in_meter": 100, "curvature_coords": "relative"}}


def test_relative_bezier_control_points():
    (front, _) = parse_garmentcode(_square_spec({"type": "quadratic", "params": [[0.5, -0.2]]})).pieces
    bottom = front.sew_line[: next(e for e in front.edges if e.name == "e1").start + 1]
    # control at start + 0.5 chord - 0.2 perp(chord) = (5, -2): the curve's middle is at (5, -1)
    assert bottom[:, 1].min() == pytest.approx(-1.0, abs=1e-3)
    assert bottom[np.argmin(bottom[:, 1]), 0] == pytest.approx(5.0, abs=0.3)
    (old, _) = parse_garmentcode(_square_spec([0.5, -0.2])).pieces  # old bare-list form
    assert np.allclose(old.sew_line, front.sew_line)


def test_circle_flags_choose_the_arc_like_svg():
    (front, _) = parse_garmentcode(_square_spec({"type": "circle", "params": [5, 0, 1]})).pieces
    assert front.sew_line[:, 1].min() == pytest.approx(-5.0, abs=1e-3)  # sweeps counter-clockwise, below
    (front, _) = parse_garmentcode(_square_spec({"type": "circle", "params": [2, 0, 0]})).pieces
    assert front.sew_line[:, 1].max() == pytest.approx(10.0)  # radius < half chord: scaled up to 5
    assert front.sew_line[:, 1].min() == pytest.approx(0.0, abs=1e-9)


def test_stitches_become_seams_and_pattern():
    stitches = [[{"panel": "front", "edge": 1}, {"panel": "back", "edge": 3}],
                [{"panel": "front", "edge": 3}, {"panel": "back", "edge": 1}, "right_wrong"]]
    result = parse_garmentcode(_square_spec(None, stitches))
    assert [(str(s.a), str(s.b), s.reversed) for s in result.seams] == [
        ("front.e1", "back.e3", True), ("front.e3", "back.e1", False)]
    pattern = result.to_pattern()
    assert pattern.panel("front").placement.azimuth_deg == pytest.approx(0.0)
    assert pattern.panel("back").placement.azimuth_deg == pytest.approx(180.0)
    assert len(pattern.seams) == 2


def test_clockwise_panel_is_mirrored_to_its_right_side():
    result = parse_garmentcode(_square_spec(None, loop=(0, 3, 2, 1)))
    front = result.pieces[0]
    assert front.mirrored_x and shapely.is_ccw(shapely.LinearRing(front.sew_line))
    assert np.allclose(front.sew_line[:4], [[0, 0], [0, 10], [-10, 10], [-10, 0]])
    assert any("mirrored" in n for n in result.notes)


def test_old_units_in_meter():
    spec = _square_spec(None)
    spec["properties"]["units_in_meter"] = 300
    (front, _) = parse_garmentcode(spec).pieces
    assert np.ptp(front.sew_line, axis=0) == pytest.approx([10 / 3, 10 / 3])


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s.pop("pattern"), "no 'pattern'"),
        (lambda s: s["pattern"]["panels"]["front"]["edges"][0].update(endpoints=[0, 9]), "out of range"),
        (lambda s: s["pattern"]["panels"]["front"]["edges"][0].update(curvature={"type": "nurbs"}),
         "unknown curvature"),
        (lambda s: s["pattern"]["panels"]["front"]["vertices"][0].__setitem__(0, float("nan")), "finite"),
        (lambda s: s["pattern"]["panels"]["front"]["vertices"][0].__setitem__(0, 1e300), "out of range"),
        (lambda s: s["pattern"]["panels"]["front"]["edges"].pop(1), "loop"),
        (lambda s: s["pattern"]["stitches"].append([{"panel": "ghost", "edge": 0}, {"panel": "back", "edge": 0}]),
         "unknown panel"),
        (lambda s: s["pattern"]["stitches"].append([{"panel": "front", "edge": 7}, {"panel": "back", "edge": 0}]),
         "no edge 7"),
        (lambda s: s["properties"].update(units_in_meter=0), "positive"),
    ],
)
def test_malformed_specifications_are_named(mutate, message):
    spec = _square_spec(None)
    mutate(spec)
    with pytest.raises(InvalidPatternError, match=message):
        parse_garmentcode(spec)


@pytest.mark.parametrize("data", [b"\xff\xfe\x00garbage", b"[1, 2", b"[" * 100_000 + b"]" * 100_000, b"[]"])
def test_garbage_json_is_an_error(data):
    with pytest.raises(InvalidPatternError):
        read_garmentcode(data)


def test_unequal_stitches_are_gathered_and_too_unequal_ones_refused():
    stitch = [[{"panel": "front", "edge": 0}, {"panel": "back", "edge": 2}]]
    curved = parse_garmentcode(_square_spec({"type": "quadratic", "params": [[0.5, -0.6]]}, stitch))
    assert [s.kind for s in curved.seams] == ["gather"]  # a 14 cm curve onto a 10 cm edge
    straight = parse_garmentcode(_square_spec(None, stitch))
    assert [s.kind for s in straight.seams] == ["seam"]
    with pytest.raises(ImportFormatError, match=r"stitch 0: front\.e0 \(\d+\.\d cm\) and back\.e2 \(10\.0 cm\) "
                                                r"are too unequal to sew"):
        parse_garmentcode(_square_spec({"type": "quadratic", "params": [[0.5, -5.0]]}, stitch))
