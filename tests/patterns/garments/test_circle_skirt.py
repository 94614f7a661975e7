"""Circle skirt: the waist arc fits the waist at any fullness, the hem sweeps the set share of a circle, and
the straight waistband is as long as the waist arc it is sewn to."""

from __future__ import annotations

import math

import numpy as np
import pytest

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import unfold_pattern
from garment3d.sizes import parse_size

DEFINITION = get_definition("circle_skirt")


SKIRT = ("front", "back")


def _whole(label="160/84A", **parameters):
    return unfold_pattern(evaluate(DEFINITION, parse_size(label).measurements, parameters))


@pytest.mark.parametrize("fullness", [0.25, 0.5, 0.75, 1.0])
@pytest.mark.parametrize("label", ["150/76A", "170/96C"])
def test_waist_fits_and_hem_sweeps_the_share_of_a_circle(label, fullness):
    waist = parse_size(label).measurements.waist_cm
    pattern = _whole(label, fullness=fullness, length=60.0, waist_ease=1.0)
    assert sum(edge_length_cm(pattern.panel(p), "waist") for p in SKIRT) == pytest.approx(waist + 1.0, abs=0.1)
    band = pattern.panel("waistband")
    assert edge_length_cm(band, "front") + edge_length_cm(band, "back") == pytest.approx(waist + 1.0, abs=1e-6)
    hem_radius = (waist + 1.0) / (2 * math.pi * fullness) + 60.0
    hem = sum(edge_length_cm(pattern.panel(p), "hem") for p in SKIRT)
    assert hem == pytest.approx(2 * math.pi * hem_radius * fullness, rel=1e-3)


def test_fuller_skirts_have_longer_hems_and_length_sets_the_side_seams():
    half = _whole(fullness=0.5)
    full = _whole(fullness=1.0)
    assert edge_length_cm(full.panel("front"), "hem") > 1.5 * edge_length_cm(half.panel("front"), "hem")
    longer = _whole(length=80.0)
    for panel in (longer.panel(p) for p in SKIRT):
        assert edge_length_cm(panel, "side") == pytest.approx(80.0, abs=1e-6)
        assert edge_length_cm(panel, "side@mirror") == pytest.approx(80.0, abs=1e-6)


def test_pieces_are_cut_on_fold_at_the_centre_and_unfold_symmetric():
    folded = evaluate(DEFINITION, parse_size("160/84A").measurements)
    assert folded.panel("front").fold == "centre_front" and folded.panel("back").fold == "centre_back"
    front = _whole().panel("front")
    mirrored = front.outline * np.array([-1.0, 1.0])
    # every point of the mirrored outline lies on the outline
    distances = np.linalg.norm(mirrored[:, None, :] - front.outline[None, :, :], axis=2).min(axis=1)
    assert distances.max() < 1e-6
