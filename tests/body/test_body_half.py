"""Half precision of the distance grid: the numba kernels give numpy's float16 bits."""

from __future__ import annotations

import numpy as np

from garment3d.body.half import from_half, round_to_half, to_half


def _awkward_floats() -> np.ndarray:
    """float32 values at and next to every finite half, halfway between neighbours (ties), and
    random bit patterns: every rounding branch (normal, subnormal, overflow, zero, signs)."""
    halves = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    exact = halves[np.isfinite(halves)].astype(np.float32)
    exact = exact[np.argsort(exact, kind="stable")]
    ties = ((exact[:-1].astype(np.float64) + exact[1:]) / 2).astype(np.float32)
    rng = np.random.default_rng(1)
    random = rng.integers(0, 1 << 32, 200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    random = random[np.isfinite(random)]
    values = np.concatenate([exact, ties, random, np.float32([65504.0, 65519.99, 65520.0, 1e6, -1e6, np.inf, -np.inf])])
    values = np.concatenate([values, np.nextafter(values, np.float32(np.inf)), np.nextafter(values, np.float32(-np.inf))])
    return values


def test_to_half_and_round_to_half_give_numpys_bits():
    values = _awkward_floats()
    with np.errstate(over="ignore"):
        expected = values.astype(np.float16)
    np.testing.assert_array_equal(to_half(values).view(np.uint16), expected.view(np.uint16))
    np.testing.assert_array_equal(round_to_half(values).view(np.uint32), expected.astype(np.float32).view(np.uint32))


def test_from_half_gives_numpys_floats_and_keeps_the_shape():
    halves = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).reshape(16, 64, 64)
    got = from_half(halves)
    assert got.shape == halves.shape and got.dtype == np.float32
    np.testing.assert_array_equal(got.view(np.uint32), halves.astype(np.float32).view(np.uint32))
    grid = np.random.default_rng(2).normal(0.0, 0.3, (7, 9, 11)).astype(np.float32)
    assert round_to_half(grid).shape == grid.shape


def test_nan_stays_nan():
    assert np.isnan(round_to_half(np.float32([np.nan]))[0]) and np.isnan(to_half(np.float32([np.nan]))[0])
