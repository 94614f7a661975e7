import numpy as np
import pytest
import shapely

from garment3d.errors import InvalidRequestError
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.consumption import MarkerPiece, estimate_marker, marker_for_pieces
from garment3d.patterns.formats import cut_pieces
from garment3d.sizes import parse_size
from garment3d.types import Panel, PanelEdge, Pattern, Placement


def _rectangle_pattern(w: float, h: float, cut: int, grain=(0.0, 1.0)) -> Pattern:
    outline = np.array([(0, 0), (w, 0), (w, h), (0, h)], dtype=float)
    edges = tuple(PanelEdge(f"e{i}", i, (i + 1) % 4) for i in range(4))
    panel = Panel("rect", outline, edges, np.asarray(grain, dtype=float), Placement("waist", 0.0), cut)
    return Pattern("rects", "custom", (panel,), ())


def _no_overlaps(estimate) -> None:
    polygons = [shapely.Polygon(p.polygon) for p in estimate.placements]
    for i, a in enumerate(polygons):
        for b in polygons[i + 1 :]:
            assert a.intersection(b).area < 1e-6
    ys = np.vstack([p.polygon for p in estimate.placements])[:, 1]
    assert ys.min() >= -1e-9 and ys.max() <= estimate.fabric_width_cm + 1e-9


def test_rectangles_pack_perfectly_along_the_grain():
    # 4 pieces 30 cm across x 50 cm along the grain on a 60 cm fabric: 2 across, 2 along = 1 m
    estimate = estimate_marker(_rectangle_pattern(30, 50, cut=4), 60, seam_allowance=0.0)
    assert estimate.marker_length_m == pytest.approx(1.0)
    assert estimate.efficiency == pytest.approx(1.0)
    assert estimate.ratio_to_bound == pytest.approx(1.0)
    assert estimate.pieces_area_cm2 == pytest.approx(4 * 30 * 50)
    assert len(estimate.placements) == 4
    _no_overlaps(estimate)


def test_grain_is_respected_unless_90_degree_turns_are_allowed():
    # grain along the 30 cm side: each piece lies 50 cm across the roll, one per row
    woven = estimate_marker(_rectangle_pattern(50, 30, cut=4), 60, seam_allowance=0.0)
    assert woven.marker_length_m == pytest.approx(1.2)
    assert {p.rotation_deg for p in woven.placements} <= {0.0, 180.0}
    knit = estimate_marker(_rectangle_pattern(50, 30, cut=4), 60, seam_allowance=0.0, allow_90=True)
    assert knit.marker_length_m == pytest.approx(1.0)


def test_a_piece_wider_than_the_fabric_is_named():
    with pytest.raises(InvalidRequestError, match="'rect' is 70.0 cm across the grain"):
        estimate_marker(_rectangle_pattern(70, 50, cut=1), 60, seam_allowance=0.0)


@pytest.mark.parametrize("width", [0, 10, 1000, float("nan"), True])
def test_bad_fabric_width(width):
    with pytest.raises(InvalidRequestError, match="fabric width"):
        estimate_marker(_rectangle_pattern(30, 50, cut=1), width)


@pytest.mark.parametrize("width", [114, 150])
def test_skirt_marker_is_sound(width):
    pattern = evaluate(get_definition("a_line_skirt"), parse_size("160/84A").measurements, size_label="160/84A")
    estimate = estimate_marker(pattern, width)
    area = sum(p.area_cm2 * p.quantity for p in cut_pieces(pattern))
    assert estimate.pieces_area_cm2 == pytest.approx(area)
    assert estimate.lower_bound_m == pytest.approx(area / width / 100)
    assert 1.0 <= estimate.ratio_to_bound < 2.5
    assert 0.4 < estimate.efficiency <= 1.0
    assert estimate.efficiency * estimate.ratio_to_bound == pytest.approx(1.0)
    assert sorted(p.name for p in estimate.placements) == ["back", "front"]
    assert {p.rotation_deg for p in estimate.placements} <= {0.0, 180.0}
    _no_overlaps(estimate)
    # every placed piece is the cut piece turned so its grain runs along the roll (x)
    for placed in estimate.placements:
        cut = next(p for p in cut_pieces(pattern) if p.name == placed.name)
        assert shapely.Polygon(placed.polygon).area == pytest.approx(cut.area_cm2)
        assert np.ptp(placed.polygon[:, 0]) == pytest.approx(np.ptp(cut.cut_line[:, 1]))


def test_wider_fabric_never_needs_more_length():
    pattern = evaluate(get_definition("a_line_skirt"), parse_size("165/88A").measurements, size_label="165/88A")
    narrow, wide = estimate_marker(pattern, 114), estimate_marker(pattern, 150)
    assert wide.marker_length_m <= narrow.marker_length_m


def test_marker_for_free_pieces():
    triangle = MarkerPiece("tri", np.array([(0, 0), (40, 0), (0, 40)], dtype=float), np.array([0.0, 1.0]), 2)
    estimate = marker_for_pieces([triangle], 45)
    # two right triangles nest into a 40 x 40 square (the raster gap closed by the exact slide)
    assert estimate.marker_length_m == pytest.approx(0.40, abs=0.002)
    _no_overlaps(estimate)
