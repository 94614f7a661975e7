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
    cuts = root.findall(".//svg:path[@class='cut']", NS)
    assert len(cuts) == len(pattern.panels)
    coords = np.array([[float(v) for v in pair.split(",")] for pair in
                       cuts[0].get("d").replace("M ", "").replace(" Z", "").split(" L ")])
    front = pattern.panel("front").outline * 10
    assert np.ptp(coords[:, 0]) == pytest.approx(np.ptp(front[:, 0]), abs=0.05)
    assert np.ptp(coords[:, 1]) == pytest.approx(np.ptp(front[:, 1]), abs=0.05)
    labels = " ".join(t.text for t in root.findall(".//svg:text", NS))
    assert "front" in labels and "160/84A" in labels and "cut 1" in labels
    assert len(root.findall(".//svg:line[@class='grain']", NS)) == 2
