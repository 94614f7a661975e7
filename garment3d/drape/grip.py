"""Where the waist grips the body: friction and normal force, not pins.

A waistband stays up because its tension presses it on the body all round and friction holds it where
it touches. A band has tension where the body is at least as large round as the band is long: a band
too large for the body is slack there, touches it only where it hangs against it, and slides down until
the body widens enough to fill it (the hips), or falls off.

The solver has no band tension to read (one Gauss-Seidel pass per substep leaves the band under-stiff,
so a waist that is pulled out of touch for a few frames, as an A-line's back is over the hollow of the
back when gravity comes on, would let go although the band is tight), so the tension is decided from the
geometry each frame (:meth:`Grip.gripping`):

- the band fits where its rest length (the flat length of the anchored edges, summed over the panels:
  the waist edges are one loop once sewn) is at most the girth of the body at the band's height, taken
  as a band would lie: the convex hull of the body's section offset by the distance the cloth keeps
  from it (:func:`band_girth_m`);
- where the band fits, each anchored vertex that touches the body (within ``TOUCH_M`` of the collision
  distance), and every anchored vertex a seam joins to it, grips: it does not slide down
  (``garment3d.drape.kernels._grip_anchors``, after the body and self contacts in each substep, before
  the sewn seams' last projection). Anchored vertices bridging a hollow do not grip; the cloth carries
  them.
- a vertex that grips lets go only once it stands ``RELEASE_M`` off the body, not as soon as it leaves
  the touching distance (static friction holds until the cloth is lifted clear). With one threshold for
  both, a band's top edge could chatter: lifted a fraction of a millimetre, let go, slid down, caught
  again. The trousers' band in the technical knit at 160/84A did that for good, 2.7 mm every quarter
  second, and never came to rest. The window is narrow on purpose: with a vertex held up to 3 mm off the
  body, the circle skirt still swung (13-15 mm per settle window) at the time limit in silk organza at
  155/80A and brocade at 170/92A, which come to rest with 2 mm, as without the window. A grip is a
  ratchet (up is free, down is not), and the wider the window, the more of the band it holds.
- nothing grips while the seams close (``garment3d.drape.simulate._holding``): the ratchet kept every
  upward jolt of the sewing and walked a circle skirt's band 2-3 cm up the body. Instead every anchored
  vertex keeps its placed height until the seams are closed (``FrameControls.pin_anchors``).

A garment whose waist is too large slides until the body fills the band or falls off; the gates then
fail it on the waist's drop or its distance from the body, which they measure on the cloth's positions.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from garment3d.fields import sample_sdf
from garment3d.types import SignedDistanceGrid

__all__ = ["FIT_TOLERANCE", "RELEASE_M", "TOUCH_M", "Grip", "band_girth_m", "band_rest_length_m"]

#: m beyond the collision distance within which an anchored vertex touches the body
TOUCH_M = 0.001
#: m beyond the collision distance at which a gripping anchored vertex lets go
RELEASE_M = 0.002
#: relative: a band fits a girth up to this much smaller than the band (the girth is read off the body's
#: distance grid by trilinear interpolation, good to about a millimetre in radius: 0.6 cm round a waist)
FIT_TOLERANCE = 0.01
RAYS = 180  # directions round the band's centre in which the body's section is found
RAY_STEP_M = 0.002
RAY_REACH_M = 0.4  # farther from the band's centre than any waist


def band_rest_length_m(faces: np.ndarray, rest_uv: np.ndarray, anchor_mask: np.ndarray) -> float:
    """Flat length (m) of the anchored boundary edges: the band's rest length (its waist seam line)."""
    faces = np.asarray(faces, np.int64)
    half = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    edges, counts = np.unique(half, axis=0, return_counts=True)
    boundary = edges[(counts == 1) & anchor_mask[edges[:, 0]] & anchor_mask[edges[:, 1]]]
    return float(np.linalg.norm(rest_uv[boundary[:, 0]] - rest_uv[boundary[:, 1]], axis=1).sum())


def band_girth_m(grid: SignedDistanceGrid, centre: np.ndarray, contact_m: float) -> float:
    """Girth (m) of a band lying round the body at the height of ``centre`` (3,), at ``contact_m`` from
    it: the perimeter of the convex hull of the body's horizontal section, offset by ``contact_m``, found
    by rays from ``centre`` to where each first leaves the offset body. 0 if ``centre`` is not in the body
    (a band round nothing: there is nothing to grip)."""
    angle = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
    direction = np.column_stack([np.cos(angle), np.zeros(RAYS), np.sin(angle)])
    reach = np.arange(0.0, RAY_REACH_M, RAY_STEP_M)
    points = np.asarray(centre, np.float64)[None, None, :] + reach[None, :, None] * direction[:, None, :]
    distance = sample_sdf(grid, points.reshape(-1, 3)).reshape(RAYS, len(reach))
    if distance[0, 0] >= contact_m:
        return 0.0
    outside = distance >= contact_m
    first = np.where(outside.any(axis=1), np.argmax(outside, axis=1), len(reach) - 1)
    before, after = distance[np.arange(RAYS), first - 1], distance[np.arange(RAYS), first]
    share = np.clip((contact_m - before) / np.maximum(after - before, 1e-12), 0.0, 1.0)
    radius = reach[first - 1] + share * RAY_STEP_M
    ring = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    try:
        return float(ConvexHull(ring).area)  # a 2D hull's "area" is its perimeter
    except QhullError:
        return 0.0


class Grip:
    """The anchored vertices (a,) of one garment, the rest length of the band they make, and which of them
    a seam joins (``weld`` (a,) labels, :func:`garment3d.drape.self_collision.weld_labels`: one point of the
    sewn cloth, which grips as one; by default none are joined)."""

    def __init__(self, anchor: np.ndarray, rest_length_m: float, weld: np.ndarray | None = None):
        self.anchor = np.asarray(anchor, np.int64)
        self.rest_length_m = float(rest_length_m)
        labels = np.arange(len(self.anchor)) if weld is None else np.asarray(weld, np.int64)
        _, self._group = np.unique(labels, return_inverse=True)

    def fits(self, x: np.ndarray, grid: SignedDistanceGrid, contact_m: float) -> bool:
        """Whether the body fills the band where it is now (its anchored vertices' centre and median height)."""
        band = x[self.anchor]
        centre = np.array([band[:, 0].mean(), np.median(band[:, 1]), band[:, 2].mean()])
        if not np.all(np.isfinite(centre)):  # diverged: no grip (the drape reports the divergence)
            return False
        return self.rest_length_m <= band_girth_m(grid, centre, contact_m) * (1.0 + FIT_TOLERANCE)

    def gripping(self, x: np.ndarray, grid: SignedDistanceGrid, contact_m: float,
                 held_before: np.ndarray | None = None) -> np.ndarray:
        """(a,) bool: which anchored vertices hold on at positions ``x`` (n, 3) m, given which held in the
        frame before (``held_before`` (a,) bool; None: none did)."""
        if len(self.anchor) == 0 or not self.fits(x, grid, contact_m):
            return np.zeros(len(self.anchor), np.bool_)
        distance = sample_sdf(grid, x[self.anchor])
        touching = distance <= contact_m + TOUCH_M
        if held_before is not None:
            touching |= held_before & (distance <= contact_m + RELEASE_M)
        held = np.zeros(int(self._group.max()) + 1, np.bool_)
        held[self._group[touching]] = True  # a seam's two sides grip together (else the seam is torn open)
        return held[self._group]
