import xml.etree.ElementTree as ET

import numpy as np
import pytest

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.svg import write_pattern_svg
from garment3d.types import Measurements

NS = {"svg": "http://www.w3.org/2000/svg"}


def test_svg_is_one_to_one_millimetres(tmp_path):
    pattern = evaluate(get_definition("a_line_skirt"), Measurements(160, 84, 68, 90), size_label="160/84A")
    path = write_pattern_svg(pattern, tmp_path / "p.svg")
    root = ET.parse(path).getroot()
    width_mm = float(root.get("width").removesuffix("mm"))
    view = [float(v) for v in root.get("viewBox").split()]
    assert view[2] == pytest.approx(width_mm, abs=0.1)  # 1 user unit = 1 mm
    import re

    def extent(path):
        numbers = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]).reshape(-1, 2)
        return np.ptp(numbers, axis=0)

    sews = root.findall(".//svg:path[@class='sew']", NS)
    cuts = root.findall(".//svg:path[@class='cut']", NS)
    assert len(sews) == len(cuts) == len(pattern.panels)
    front = pattern.panel("front").outline * 10
    np.testing.assert_allclose(extent(sews[0]), np.ptp(front, axis=0), atol=0.05)  # sew line = the outline, in mm
    assert np.all(extent(cuts[0]) > extent(sews[0]) + 15)  # the cut line adds the seam allowance
    labels = " ".join("".join(t.itertext()) for t in root.findall(".//svg:text", NS))
    assert "front" in labels and "160/84A" in labels
    assert len(root.findall(".//svg:line[@class='grain']", NS)) == 2
