"""Seams folded shut: where two sewn panels lie too close beside their stitches for the self-contacts.

A seam's two panels can fold shut along it, as a circle skirt's side seam does inside a flute at the hem.
Beside the stitches the two layers then lie closer than the self-contact distance can hold: a fold whose
panels' corners one edge from the seam are 2-3 mm apart leaves the contacts nothing to push but the
seam itself. The contacts pushed the sewn vertices apart and the seam pulled them shut again in every
substep (2.2-9 mm each time at the hem end of the side seam of a circle skirt in habotai at 170/92A, 1 cm
mesh): the front went through the back there and the skirt never came to rest.

A real seam's two layers touch at the stitch line. So where a seam hinge is folded that tightly, the
pairs in its one-ring (:meth:`SeamFolds.thin_pairs`: its sewn vertices and the vertices one edge from
them, on either panel) are kept only a thin distance apart: touching, and still not through each other.
Skipping them instead let the layers pass through each other there (the circle skirt in charmeuse at
160/84A ended with a crossing one edge from its side seam). Everywhere else, and at every hinge that
opens again, the full contact distance holds. Two-panel seams qualify, and so do the points where more
panels meet if the cloth is whole round them (:func:`closed_junctions`: every cut edge there is sewn), as
at an underarm, where a sleeve's two underarm corners meet the bodice's front and back: a sleeve hanging
against the bodice folds the armhole seam shut there (the qipao in crepe de chine at 170/92A, 1 cm: the
contacts one edge from that point pushed it 7.8 mm open in every substep, at rest). Where the cloth is
not whole round the point (a pencil skirt's vent top, its slit edge free below) an underlap lies folded
under by design and keeps its full distance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHUT_CONTACTS", "SeamFolds", "closed_junctions"]

#: A seam hinge is folded shut when its two panels, at the height over the seam line of the nearer of the
#: two corners, are fewer than this many contact distances apart.
SHUT_CONTACTS = 1.5
#: ... and opens again once they are this many apart
OPEN_CONTACTS = 3.0


class SeamFolds:
    """The seam hinges (rows x0, x1, a, b: the sewn edge x0-x1 of one panel and the corner opposite it on
    each panel's triangle) of two-panel seams and of closed junctions, and which are folded shut at given
    positions.

    label : (n,) welded vertex label (seam partners share one); ring : CSR (ptr, labels) of the labels
    within one edge of each label (welded); contact_m : the self-contact distance; closed : (labels,) bool,
    the junctions of three or more panels whose hinges are watched too (:func:`closed_junctions`; None:
    none are).
    """

    def __init__(self, hinges: np.ndarray, label: np.ndarray, ring: tuple[np.ndarray, np.ndarray],
                 contact_m: float, closed: np.ndarray | None = None) -> None:
        hinges = np.asarray(hinges, np.int64).reshape(-1, 4)
        welds = np.bincount(label, minlength=int(label.max()) + 1 if len(label) else 0)
        watched = welds == 2
        if closed is not None:
            watched |= (welds > 2) & np.asarray(closed, bool)
        self.hinges = hinges[watched[label[hinges[:, 0]]] & watched[label[hinges[:, 1]]]]
        self.label = np.asarray(label, np.int64)
        self.contact_m = float(contact_m)
        self._ring_ptr, self._ring_idx = ring

    def shut(self, x: np.ndarray, was_shut: np.ndarray | None = None) -> np.ndarray:
        """(h,) bool: hinges whose panels lie closer than ``SHUT_CONTACTS`` contact distances beside the
        stitches, measured at equal height over the seam line (so a long or a short corner triangle
        compares alike); a hinge ``was_shut`` stays shut until its panels are ``OPEN_CONTACTS`` apart."""
        if len(self.hinges) == 0:
            return np.zeros(0, bool)
        x0, x1, a, b = (x[self.hinges[:, i]] for i in range(4))
        axis = x1 - x0
        axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-12)

        def across(p: np.ndarray) -> np.ndarray:
            d = p - x0
            return d - np.einsum("ij,ij->i", d, axis)[:, None] * axis

        da, db = across(a), across(b)
        ha, hb = np.linalg.norm(da, axis=1), np.linalg.norm(db, axis=1)
        height = np.minimum(ha, hb)
        gap = np.linalg.norm(da / np.maximum(ha, 1e-12)[:, None] - db / np.maximum(hb, 1e-12)[:, None], axis=1)
        apart = height * gap
        shut = apart < SHUT_CONTACTS * self.contact_m
        if was_shut is not None:
            shut |= was_shut & (apart < OPEN_CONTACTS * self.contact_m)
        return shut

    def thin_pairs(self, shut: np.ndarray) -> np.ndarray:
        """(k, 2) label pairs kept only thinly apart at the ``shut`` hinges: each sewn vertex of a shut hinge
        with every vertex one edge from it, on either panel (both orders)."""
        sewn = np.unique(self.label[self.hinges[shut][:, :2]])
        rows = np.repeat(sewn, np.diff(self._ring_ptr)[sewn])
        cols = np.concatenate([self._ring_idx[self._ring_ptr[s]:self._ring_ptr[s + 1]] for s in sewn]) \
            if len(sewn) else np.zeros(0, np.int64)
        pairs = np.column_stack([rows, cols])
        return np.concatenate([pairs, pairs[:, ::-1]])


def closed_junctions(faces: np.ndarray, label: np.ndarray) -> np.ndarray:
    """(labels,) bool: the welded points where three or more panels meet and the cloth is whole round
    them: every cut (boundary) edge of ``faces`` (m, 3) at the point is sewn to another one, its two ends
    welded to the other's (``label`` (n,), seam partners share one). An underarm, where a sleeve's two
    corners meet the bodice's front and back, is; a vent's top, whose slit edge hangs free below it, is not."""
    faces = np.asarray(faces, np.int64)
    count = int(label.max()) + 1 if len(label) else 0
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    unique, uses = np.unique(edges, axis=0, return_counts=True)
    cut = unique[uses == 1]  # each panel's outline
    welded = np.sort(label[cut], axis=1)
    _, which, sewn_count = np.unique(welded, axis=0, return_inverse=True, return_counts=True)
    sewn = sewn_count[which.ravel()] > 1  # another cut edge joins the same two welded points
    open_point = np.zeros(count, bool)
    open_point[welded[~sewn].ravel()] = True
    welds = np.bincount(label, minlength=count)
    return (welds > 2) & ~open_point
