"""Sewn seams as one vertex: the stretch and bending constraints of the cloth once its seams are closed.

While the seams close, each seam pair is two vertices pulled together by a distance constraint. Once
sewn, a seam pair is one point of the garment, and solving it as two (each side's triangles moving its
own copy, then the pair projected together once per substep) leaves the seam's correction in the
triangles beside it: across a seam under tension each side's triangles pull their copy away from the
other's within the one Gauss-Seidel pass, the seam opens (the circle skirt's waistband opened 4.7 mm
each substep where its ends meet under the band's hoop tension) and the projection that closes it
stretches the two triangles beside it (18-23 % there, against 3-5 % round the band).

Welded, the triangles on both sides move one shared vertex (the group's representative, carrying the
group's whole mass) in the same pass, like the vertices inside a panel. Each weld group is every vertex
the seams join, directly or through a chain (a corner where three pieces meet is one group of three).
The solver keeps the members of a group at one position: after the welded constraints it copies the
representative's position to the others, and after the contacts (which move each member on its own)
it sets each group to its mass-weighted mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from garment3d.drape.coloring import color_elements
from garment3d.drape.self_collision import weld_labels

__all__ = ["WeldedConstraints", "weld_constraints", "weld_mean", "weld_spread"]


@dataclass(frozen=True)
class WeldedConstraints:
    """The cloth's constraints with each weld group one vertex (its representative, the group's lowest index).

    inv_mass      : (n,) float64, 1/kg; a representative's is its whole group's
    group_ptr     : (g+1,) int64 and group_members (m,) int32: the groups of two or more vertices (CSR),
                    each listing its representative first
    tri, tri_dm_inv, tri_alpha, tri_color_ptr : as :class:`garment3d.drape.model.ClothModel`'s, in the
                    representatives' indices (a triangle two of whose corners are sewn together is left out)
    hinge, hinge_k, hinge_alpha, hinge_color_ptr : the cloth's hinges and the seams' (which are hinges of
                    the welded surface), in the representatives' indices
    """

    inv_mass: np.ndarray
    group_ptr: np.ndarray
    group_members: np.ndarray
    tri: np.ndarray
    tri_dm_inv: np.ndarray
    tri_alpha: np.ndarray
    tri_color_ptr: np.ndarray
    hinge: np.ndarray
    hinge_k: np.ndarray
    hinge_alpha: np.ndarray
    hinge_color_ptr: np.ndarray


def _groups(n: int, seam_pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(representative (n,) int64 of each vertex, group_ptr, group_members) of the seams' weld groups."""
    labels = weld_labels(n, seam_pairs)
    first = np.full(labels.max() + 1 if n else 0, n, np.int64)
    np.minimum.at(first, labels, np.arange(n))
    representative = first[labels]
    shared = np.bincount(labels)[labels] > 1
    members = np.flatnonzero(shared)
    # grouped by representative, the representative (the lowest index) first
    members = members[np.lexsort((members, representative[members]))]
    starts = np.flatnonzero(np.r_[True, representative[members][1:] != representative[members][:-1]])
    ptr = np.r_[starts, len(members)].astype(np.int64)
    return representative, ptr, members.astype(np.int32)


def _distinct_rows(elements: np.ndarray) -> np.ndarray:
    """Mask of the rows whose entries are all different."""
    ordered = np.sort(elements, axis=1)
    return np.all(ordered[:, 1:] != ordered[:, :-1], axis=1)


def weld_constraints(mass: np.ndarray, seam_pairs: np.ndarray, tri: np.ndarray, tri_dm_inv: np.ndarray,
                     tri_alpha: np.ndarray, hinge: np.ndarray, hinge_k: np.ndarray,
                     hinge_alpha: np.ndarray) -> WeldedConstraints:
    """The constraints of cloth of vertex ``mass`` (n,) kg with the ``seam_pairs`` (s, 2) welded: its
    triangles (t, 3) with their rest frames and compliances, and its hinges (h, 4) (the cloth's and the
    seams') with their weights and compliances."""
    n = len(mass)
    representative, ptr, members = _groups(n, seam_pairs)
    group_mass = np.bincount(representative, weights=mass, minlength=n)[representative]
    inv_mass = np.where(np.isfinite(group_mass), 1.0 / group_mass, 0.0)
    welded_tri = representative[tri]
    keep_tri = _distinct_rows(welded_tri)
    welded_hinge = representative[hinge]
    keep_hinge = _distinct_rows(welded_hinge)
    tri_order, tri_ptr = color_elements(welded_tri[keep_tri], n)
    hinge_order, hinge_ptr = color_elements(welded_hinge[keep_hinge], n)
    return WeldedConstraints(
        inv_mass=inv_mass,
        group_ptr=ptr,
        group_members=members,
        tri=welded_tri[keep_tri][tri_order].astype(np.int32),
        tri_dm_inv=tri_dm_inv[keep_tri][tri_order],
        tri_alpha=tri_alpha[keep_tri][tri_order],
        tri_color_ptr=tri_ptr,
        hinge=welded_hinge[keep_hinge][hinge_order].astype(np.int32),
        hinge_k=hinge_k[keep_hinge][hinge_order],
        hinge_alpha=hinge_alpha[keep_hinge][hinge_order],
        hinge_color_ptr=hinge_ptr,
    )


@numba.njit(cache=True)
def weld_spread(x, ptr, members):
    """Every member of a weld group to its representative's position (after the welded constraints)."""
    for g in range(len(ptr) - 1):
        r = members[ptr[g]]
        for k in range(ptr[g] + 1, ptr[g + 1]):
            v = members[k]
            x[v, 0] = x[r, 0]
            x[v, 1] = x[r, 1]
            x[v, 2] = x[r, 2]


@numba.njit(cache=True)
def weld_mean(x, inv_mass, ptr, members):
    """Every member of a weld group to the group's mass-weighted mean position (``inv_mass`` per vertex, the
    cloth's own, not the welded; a pinned member, inverse mass 0, holds its group where it is)."""
    for g in range(len(ptr) - 1):
        sx = 0.0
        sy = 0.0
        sz = 0.0
        total = 0.0
        pinned = -1
        for k in range(ptr[g], ptr[g + 1]):
            v = members[k]
            if inv_mass[v] == 0.0:
                pinned = v
                break
            m = 1.0 / inv_mass[v]
            sx += m * x[v, 0]
            sy += m * x[v, 1]
            sz += m * x[v, 2]
            total += m
        if pinned >= 0:  # a pinned member holds the group
            sx, sy, sz, total = x[pinned, 0], x[pinned, 1], x[pinned, 2], 1.0
        for k in range(ptr[g], ptr[g + 1]):
            v = members[k]
            x[v, 0] = sx / total
            x[v, 1] = sy / total
            x[v, 2] = sz / total
