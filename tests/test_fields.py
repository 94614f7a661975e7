import numpy as np
import pytest

from garment3d.fields import OUTSIDE_DISTANCE, sample_sdf, sample_sdf_gradient
from garment3d.types import SignedDistanceGrid


def plane_grid():
    # signed distance to the plane y = 0.25 sampled on a 0.1 m grid: exact under trilinear interpolation
    origin = np.array([0.0, 0.0, 0.0])
    ys = origin[1] + 0.1 * np.arange(6)
    values = np.broadcast_to((ys - 0.25)[None, :, None], (5, 6, 5)).astype(np.float32).copy()
    return SignedDistanceGrid(origin=origin, spacing=0.1, values=values)


def test_trilinear_is_exact_for_a_plane_and_far_outside():
    grid = plane_grid()
    points = np.array([[0.2, 0.07, 0.3], [0.15, 0.44, 0.05], [5.0, 0.2, 0.2]])
    np.testing.assert_allclose(sample_sdf(grid, points)[:2], [0.07 - 0.25, 0.44 - 0.25], atol=1e-6)
    assert sample_sdf(grid, points)[2] == OUTSIDE_DISTANCE


def test_gradient_points_away_from_the_surface():
    grid = plane_grid()
    d, gx, gy, gz = sample_sdf_gradient(grid.values, grid.origin, grid.spacing, 0.2, 0.31, 0.2)
    assert d == pytest.approx(0.06, abs=1e-6)
    assert (gx, gy, gz) == pytest.approx((0.0, 1.0, 0.0), abs=1e-5)
