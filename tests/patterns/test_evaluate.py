import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import parse_size
from garment3d.types import Measurements


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "165/88B", "170/92Y", "175/100C"])
def test_skirt_seams_match_within_a_millimetre_at_every_size(label):
    size = parse_size(label)
    pattern = evaluate(get_definition("a_line_skirt"), size.measurements, size_label=label)
    for seam in pattern.seams:
        a = edge_length_cm(pattern.panel(seam.a.panel), seam.a.edge)
        b = edge_length_cm(pattern.panel(seam.b.panel), seam.b.edge)
        assert abs(a - b) < 0.1
    for panel in pattern.panels:
        polygon = shapely.Polygon(panel.outline)
        assert polygon.is_valid and shapely.is_ccw(polygon.exterior)


def test_skirt_follows_measurements_and_style():
    m = Measurements(160.0, 84.0, 70.0, 96.0)
    definition = get_definition("a_line_skirt")
    pattern = evaluate(definition, m, {"length": 70.0, "flare": 12.0, "waist_ease": 2.0, "hip_ease": 4.0})
    waist = sum(edge_length_cm(p, e) for p in pattern.panels for e in ("waist_left", "waist_centre", "waist_right"))
    # darts closed: the waist seam line measures the waist plus ease (the side raise adds a little)
    assert waist == pytest.approx(70.0 + 2.0, abs=0.5)
    front = pattern.panel("front")
    assert np.ptp(front.outline[:, 1]) >= 70.0  # waist to hem, the hem curves a little lower at the centre
    hip_width = sum(shapely.Polygon(p.outline).intersection(shapely.LineString([(-99, -20), (99, -20)])).length
                    for p in pattern.panels)
    assert hip_width == pytest.approx(96.0 + 4.0, abs=0.05)
    wider = evaluate(definition, m, {"length": 70.0, "flare": 20.0})
    assert edge_length_cm(wider.panel("front"), "hem") > edge_length_cm(front, "hem") + 10
