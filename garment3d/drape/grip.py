"""Where the waist grips the body: friction and normal force, not pins.

A waistband stays up because its tension presses it on the body all round and friction holds it there.
A band too large for the body has no tension: it touches the body at a few places only, and slides. The
solver has no band tension to read, so the grip is decided for the whole waist (every anchored vertex of
the garment: the front and back waist edges are one band once sewn) each frame: an anchored vertex grips
(cannot slide down; ``garment3d.drape.kernels._grip_anchors``) when it touches the body (within
``TOUCH_M`` of the collision distance) and at least ``GRIP_SHARE`` of the waist touches too. Judged per
panel instead, the back waist, which spans the hollow of the back, let go while the front held, and the
back slid 4 cm pulling the front askew (silk A-line skirt at 1 cm). A garment whose waist does not touch
the body slides down until the body widens enough to hold it (the hips), or falls off; the gates then
fail it on the waist's distance from the body and its drop.
"""

from __future__ import annotations

import numpy as np

from garment3d.fields import sample_sdf
from garment3d.types import SignedDistanceGrid

__all__ = ["GRIP_SHARE", "TOUCH_M", "Grip"]

#: share of the waist that must touch the body for any of it to grip (a band under tension touches all
#: round; a slack one hangs on a few points)
GRIP_SHARE = 0.5
#: m beyond the collision distance within which an anchored vertex touches the body
TOUCH_M = 0.001


class Grip:
    """The anchored vertices (a,) of one garment, which grip or slide together."""

    def __init__(self, anchor: np.ndarray):
        self.anchor = np.asarray(anchor, np.int64)

    def gripping(self, x: np.ndarray, grid: SignedDistanceGrid, contact_m: float) -> np.ndarray:
        """(a,) bool: which anchored vertices hold on at positions ``x`` (n, 3) m."""
        if len(self.anchor) == 0:
            return np.zeros(0, np.bool_)
        touching = sample_sdf(grid, x[self.anchor]) <= contact_m + TOUCH_M
        return touching & (touching.mean() >= GRIP_SHARE)
