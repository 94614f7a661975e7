import numpy as np

from garment3d.polyline import points_along, polyline_length

L_SHAPE = np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]])


def test_length_sums_the_segments():
    assert polyline_length(L_SHAPE) == 7.0
    assert polyline_length(np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]])) == 3.0


def test_points_along_each_segment_with_the_inward_normal():
    at, normal = points_along(L_SHAPE, np.array([0.0, 1.5, 5.0, 7.0]))
    np.testing.assert_allclose(at, [[0.0, 0.0], [1.5, 0.0], [3.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(normal, [[0.0, 1.0], [0.0, 1.0], [-1.0, 0.0], [-1.0, 0.0]])


def test_a_zero_length_end_segment_takes_the_segment_before_it():
    doubled_end = np.vstack([L_SHAPE, L_SHAPE[-1:]])
    at, normal = points_along(doubled_end, np.array([6.0, 7.0]))
    np.testing.assert_allclose(at, [[3.0, 3.0], [3.0, 4.0]])
    np.testing.assert_allclose(normal, [[-1.0, 0.0], [-1.0, 0.0]])
    assert np.isfinite(normal).all()
