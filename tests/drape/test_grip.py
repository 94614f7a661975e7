"""The waist grips where the body fills the band and the band touches it (garment3d.drape.grip)."""

import math

import numpy as np
import pytest

from garment3d.drape.grip import RELEASE_M, TOUCH_M, Grip, band_girth_m, band_rest_length_m

CAPSULE_RADIUS = 0.15  # tests/conftest.py's capsule body
CONTACT = 0.003


def _ring(radius: float, y: float, count: int = 48) -> np.ndarray:
    angle = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
    return np.column_stack([radius * np.cos(angle), np.full(count, y), radius * np.sin(angle)])


def test_the_band_is_as_long_as_the_pattern_waist(garment):
    """The A-line's waist edges, summed over front and back (darts closed: they are not waist edges), are
    the pattern's waist with its ease (93 + 1 cm), a little more for the raise at the side seams."""
    length = band_rest_length_m(garment.faces, garment.rest_uv, garment.anchor_mask)
    assert 0.94 <= length <= 0.94 * 1.01


def test_the_girth_a_band_lies_on_is_the_body_offset_by_the_contact_distance(capsule_body):
    girth = band_girth_m(capsule_body.sdf, np.array([0.02, 1.0, -0.01]), CONTACT)
    assert girth == pytest.approx(2 * math.pi * (CAPSULE_RADIUS + CONTACT), rel=0.005)


def test_a_band_round_nothing_has_no_girth(capsule_body):
    assert band_girth_m(capsule_body.sdf, np.array([0.3, 1.0, 0.0]), CONTACT) == 0.0


def test_a_band_the_body_fills_grips_where_it_touches(capsule_body):
    x = _ring(CAPSULE_RADIUS + CONTACT, 1.0)
    x[:12] *= [1.1, 1.0, 1.1]  # a quarter of it stands off the body (over a hollow)
    grip = Grip(np.arange(len(x)), rest_length_m=0.95)
    holding = grip.gripping(x, capsule_body.sdf, CONTACT)
    assert holding[12:].all() and not holding[:12].any()


def test_a_band_too_large_for_the_body_does_not_grip_even_where_it_touches(capsule_body):
    """The 116 cm waist of the gate test round a 94 cm body: slack, it slides, though it touches."""
    x = _ring(CAPSULE_RADIUS + CONTACT, 1.0)
    grip = Grip(np.arange(len(x)), rest_length_m=1.17)
    assert not grip.gripping(x, capsule_body.sdf, CONTACT).any()


def test_the_two_sides_of_a_seam_grip_together(capsule_body):
    """A side seam's two waist corners are one point of the sewn band: if one touches, both hold."""
    x = _ring(CAPSULE_RADIUS + CONTACT, 1.0)
    x[0] *= [1.1, 1.0, 1.1]  # off the body, but sewn to vertex 1, which touches
    x[5] *= [1.1, 1.0, 1.1]  # off the body, sewn to nothing
    weld = np.arange(len(x))
    weld[0] = weld[1]
    holding = Grip(np.arange(len(x)), rest_length_m=0.95, weld=weld).gripping(x, capsule_body.sdf, CONTACT)
    assert holding[0] and holding[1] and not holding[5]


def test_a_gripping_vertex_lets_go_only_once_lifted_clear(capsule_body):
    """Static friction holds until the cloth is lifted clear of the body: a vertex 1 mm past the touching
    distance does not take hold, but one that held the frame before keeps holding; 1 mm past the release
    distance, it lets go."""
    x = _ring(CAPSULE_RADIUS + CONTACT, 1.0)
    radius = np.hypot(x[:, 0], x[:, 2])
    for i, off in ((3, (TOUCH_M + RELEASE_M) / 2), (7, RELEASE_M + 0.001)):
        x[i, [0, 2]] *= (radius[i] + off) / radius[i]
    grip = Grip(np.arange(len(x)), rest_length_m=0.95)
    fresh = grip.gripping(x, capsule_body.sdf, CONTACT)
    assert not fresh[3] and not fresh[7] and fresh[0]
    held = grip.gripping(x, capsule_body.sdf, CONTACT, held_before=np.ones(len(x), np.bool_))
    assert held[3] and not held[7] and held[0]
    assert not grip.gripping(x, capsule_body.sdf, CONTACT, held_before=~np.ones(len(x), np.bool_))[3]


def test_a_gripping_vertex_may_rise_but_not_slide_down_and_a_pinned_one_does_neither():
    """Once sewn the grip is a ratchet on the vertical (static friction holding the band up); while the
    seams close every anchored vertex keeps its placed height both ways, so the sewing's jolts neither
    walk a band up the body nor let it drift down."""
    from garment3d.drape.kernels import _grip_anchors

    start = np.zeros((4, 3))
    moved = np.array([[0.01, -0.02, 0.0], [0.0, 0.02, 0.01], [0.0, -0.02, 0.0], [0.0, -0.02, 0.0]])
    anchor = np.array([0, 1, 2], np.int64)  # vertex 3 is not anchored
    holding = np.array([True, True, False])
    gripped = moved.copy()
    _grip_anchors(gripped, start, anchor, holding, False)
    np.testing.assert_array_equal(gripped[:, 1], [0.0, 0.02, -0.02, -0.02])  # down held, up free, the rest free
    assert gripped[0, 0] == 0.01  # round the body it slides
    pinned = moved.copy()
    _grip_anchors(pinned, start, anchor, np.zeros(3, np.bool_), True)
    np.testing.assert_array_equal(pinned[:, 1], [0.0, 0.0, 0.0, -0.02])
    np.testing.assert_array_equal(pinned[:, [0, 2]], moved[:, [0, 2]])
