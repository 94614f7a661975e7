"""Procedural weaves: the image's thread spacing, measured from its spectrum, is the spec's thread count."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.fabric.weave import KnitSpec, WeaveSpec, plain, render_jersey, render_weave, satin, twill


def _dominant_per_cm(profile: np.ndarray, px_per_cm: float, below_per_cm: float = np.inf) -> float:
    spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
    per_cm = np.arange(len(spectrum)) / (len(profile) / px_per_cm)
    spectrum[(per_cm < 2) | (per_cm > below_per_cm)] = 0
    return per_cm[np.argmax(spectrum)]


def test_lifting_plans():
    assert plain().sum() == 2
    assert twill(3, 1).sum(axis=0).tolist() == [3, 3, 3, 3]  # warp over three of every four picks
    assert satin(8, 3).sum() == 56 and (~satin(8, 3)).sum(axis=0).tolist() == [1] * 8


@pytest.mark.parametrize("ends, picks", [(52, 28), (30, 20)])
def test_thread_counts_are_at_true_scale(ends, picks):
    spec = WeaveSpec(twill(2, 2), ends, picks, (0.5, 0.5, 0.6), (0.8, 0.8, 0.7), cover=(0.8, 0.8))
    image = render_weave(spec, (2.0, 2.0), 200.0)
    grey = image.rgb.mean(axis=2)
    # the yarn edges repeat once per thread: across the image at the ends' spacing, down it at the picks'
    across = _dominant_per_cm(np.abs(np.diff(grey, axis=1)).mean(axis=0), 200.0)
    down = _dominant_per_cm(np.abs(np.diff(grey, axis=0)).mean(axis=1), 200.0)
    assert across == pytest.approx(ends, rel=0.03)
    assert down == pytest.approx(picks, rel=0.03)


def test_jersey_wales_and_courses():
    image = render_jersey(KnitSpec(14, 18, (0.8, 0.8, 0.8)), (3.0, 3.0), 160.0)
    grey = image.rgb.mean(axis=2)
    # two legs per loop: the strongest line across is at twice the wales; the loop itself below that
    assert _dominant_per_cm(grey.mean(axis=0), 160.0) == pytest.approx(28, rel=0.05)
    assert _dominant_per_cm(grey.mean(axis=0), 160.0, below_per_cm=20) == pytest.approx(14, rel=0.05)
    assert _dominant_per_cm(grey.mean(axis=1), 160.0) == pytest.approx(18, rel=0.05)


def test_tile_must_hold_whole_threads():
    with pytest.raises(ValueError, match="whole threads"):
        render_weave(WeaveSpec(plain(), 52.5, 28, (1, 1, 1), (1, 1, 1)), (1.0, 1.0), 100.0)
