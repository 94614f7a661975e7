"""The hero stills' denoiser (garment3d.render.denoise): noise goes, edges stay."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.render import denoise as denoise_module


def _noisy_step(seed: int = 0, size: int = 96):
    """A two-tone image (an edge down the middle) with 60 % multiplicative noise, its albedo and normals."""
    rng = np.random.default_rng(seed)
    clean = np.zeros((size, size, 3), np.float32)
    clean[:, : size // 2] = 0.15
    clean[:, size // 2:] = 0.8
    noisy = np.maximum(clean * (1.0 + 0.6 * rng.standard_normal(clean.shape).astype(np.float32)), 0.0)
    normal = np.zeros_like(clean)
    normal[..., 2] = 1.0
    return clean, noisy, clean.copy(), normal


@pytest.mark.parametrize("filter_name", ["default", "bilateral"])
def test_denoise_removes_noise_and_keeps_the_edge(filter_name):
    clean, noisy, albedo, normal = _noisy_step()
    if filter_name == "bilateral":
        out = denoise_module.joint_bilateral(noisy, albedo, normal)
    else:
        out = denoise_module.denoise(noisy, albedo, normal)
    assert out.shape == clean.shape and out.dtype == np.float32
    assert np.abs(out - clean).mean() < 0.3 * np.abs(noisy - clean).mean()
    half = clean.shape[1] // 2
    # the edge stays sharp: the columns either side keep their own tone
    assert abs(float(out[:, half - 2].mean()) - 0.15) < 0.06
    assert abs(float(out[:, half + 1].mean()) - 0.8) < 0.12


def test_samples_follow_the_denoiser():
    assert denoise_module.samples_for(5) == 5
    expected = denoise_module.OIDN_SAMPLES if denoise_module.oidn_available() else denoise_module.BILATERAL_SAMPLES
    assert denoise_module.samples_for(None) == expected
