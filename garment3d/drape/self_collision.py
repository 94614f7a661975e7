"""Cloth self-collision: contacts that keep the layers apart in the solver, and a self-intersection count.

Contacts (:meth:`SelfContact.solve`, once per substep after the cloth
constraints and before the body collision) keep every vertex ``contact_m``
away from the triangles, and every edge from the edges, it does not share a
vertex with (seam partners count as one vertex):

- culling: the mesh is cut into patches of about 64 edge-connected triangles.
  Two patches may touch only if their boxes come within reach, and not even
  then if they lie in one smooth sheet: a patch, or two neighbouring patches
  (or two with a neighbour in common), whose normals fit in a cone of
  half-angle under 60 degrees is a height field and cannot fold onto itself
  (Volino and Magnenat-Thalmann's curvature test). Only vertices of patches
  that may touch something look for partners. While the seams are being
  pulled shut, patches only neighbour within a panel (the panels are not yet
  one surface); pieces that lie one over the other by design (an overlap
  held by fasteners) never neighbour, so they always collide.
- broad phase, Verlet lists: triangles of those patches are hashed by
  centroid (cell = reach + largest centroid-to-corner distance, so the 27
  cells around a vertex hold every triangle within reach); each vertex keeps
  its nearest triangles within ``reach = contact + margin``, each edge the
  nearby edges of the triangles its two vertices listed. The lists are
  rebuilt only when they might miss a contact: two watched patches moved
  relative to each other by more than the margin (or, for patches apart, by
  more than their gap), some vertex moved far, or (checked every 16
  substeps) a sheet culled as smooth has folded.
- narrow phase: a one-sided distance constraint (XPBD, zero compliance)
  pushes a vertex out along its triangle's normal, or two crossing-over edges
  apart along the normal of both, to ``contact_m``, on the side the pair is
  remembered to be on, with Coulomb friction on the relative tangential
  motion of the substep. The side is updated only while the pair is not in
  contact (beside each other, or further through than ``contact_m``), so a
  vertex that crossed within one substep is pushed back rather than through.

Pairs inside a seam folded shut keep only a thin distance (at least the fabric's thickness) while it is
shut (:mod:`garment3d.drape.seam_folds`, meshes of 2.5 cm or finer: the default and the draft): there the
layers beside the stitches cannot keep the full contact distance.

Everything is deterministic: parallel kernels write only their own rows, and
the constraints are solved serially (one Gauss-Seidel pass). A garment that
already passes through itself when contacts start keeps those crossings.

Crossings that did form are found (and the quality figure counted) by
:mod:`garment3d.drape.intersections` and undone by :mod:`garment3d.drape.untangle`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from garment3d.drape.seam_folds import SeamFolds, closed_junctions
from garment3d.geometry import point_triangle_dist2
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["SelfContact", "build_self_contact", "contact_distance_m", "fold_contact_distance_m", "mesh_edges",
           "weld_labels"]

#: Triangles remembered per vertex, and edges per edge (the nearest ones win).
VERTEX_CAPACITY = 12
EDGE_CAPACITY = 8
#: Triangles per patch of the culling pass; a patch (or two neighbouring ones together) whose normals spread
#: less than this half-angle (degrees) from their mean is one smooth sheet that cannot touch itself.
PATCH_TRIANGLES = 64
CONE_LIMIT_DEG = 60.0
#: Patches whose boxes lie within reach + this many margins are watched for relative motion; pairs further
#: apart can only meet once some vertex has moved about half that far, which also triggers a rebuild.
WATCH_MARGINS = 10.0
#: Substeps between re-checks of the patches culled as smooth (a fold takes far longer to form).
CONE_CHECK_SUBSTEPS = 16
CONE_HYSTERESIS_DEG = 10.0
#: Barycentric slack: a vertex just beyond a triangle's edge still meets it (the neighbour covers the rest).
EDGE_SLACK = 0.05
#: m: meshes this fine or finer thin the contacts inside seams folded shut (:mod:`seam_folds`): the 1 cm
#: default and the 2 cm draft. At 2 cm a seam's one-ring reaches 1.7-2.8 cm from the stitches. Skipping
#: its contacts there outright (always, in an earlier trial) let layers through (the qipao in habotai at
#: 160/84A, the T-shirt in habotai at 170/92A), and the folds were first watched at 1.5 cm or finer only;
#: but unwatched, the jiaoling top's left armhole seam folded shut under the arm in charmeuse at 170/92A
#: and pressed a front and a sleeve triangle through each other at every settle. Thinned only while shut,
#: with the fabric's thickness as the floor (:func:`fold_contact_distance_m`), all 324 library drapes at
#: 2 cm pass (garments x 12 fabrics x S, M, XL). Coarser meshes are not measured.
FOLD_WATCH_MAX_SPACING_M = 0.025
#: Inside a seam folded shut the layers are kept this share of the contact distance apart, or their
#: thickness if that is more: touching, as a real seam's two layers do at the stitches, and still not
#: through each other.
FOLD_CONTACT_SHARE = 0.15


# --------------------------------------------------------------------------- topology


def weld_labels(n: int, seam_pairs: np.ndarray) -> np.ndarray:
    """(n,) int64 label per vertex; vertices a seam joins (directly or in a chain) share one."""
    pairs = np.asarray(seam_pairs, np.int64).reshape(-1, 2)
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _ring_neighbourhood(tri: np.ndarray, labels: np.ndarray, rings: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, sorted labels) of the labels within ``rings`` edges of each label (itself included)."""
    count = int(labels.max()) + 1 if len(labels) else 0
    welded = labels[tri]
    rows = np.concatenate([welded[:, 0], welded[:, 1], welded[:, 2], np.arange(count)])
    cols = np.concatenate([welded[:, 1], welded[:, 2], welded[:, 0], np.arange(count)])
    step = sp.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=(count, count))
    step = (step + step.T).astype(bool).tocsr()
    reach = sp.identity(count, dtype=bool, format="csr")
    for _ in range(rings):
        reach = (reach @ step).astype(bool).tocsr()
    reach.sort_indices()
    return reach.indptr.astype(np.int64), reach.indices.astype(np.int64)


def _label_pairs_csr(count: int, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, sorted labels) of the label ``pairs`` (k, 2) over ``count`` labels."""
    table = sp.csr_matrix((np.ones(len(pairs), bool), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    table = table.astype(bool).tocsr()
    table.sort_indices()
    return table.indptr.astype(np.int64), table.indices.astype(np.int64)


def contact_distance_m(thickness_mm: float, spacing_m: float) -> float:
    """Distance (m) kept between cloth layers: the fabric's thickness plus 3 mm, at most 0.45 of the spacing.

    The 3 mm covers the flat triangles standing in for a curved surface and the
    motion of a substep; staying well under the spacing keeps a smooth single
    layer free of false contacts.
    """
    return min(thickness_mm * 1e-3 + 0.003, 0.45 * spacing_m)


def fold_contact_distance_m(thickness_m: float, contact_m: float) -> float:
    """Distance (m) kept between the layers beside a seam folded shut: ``FOLD_CONTACT_SHARE`` of the contact
    distance, or the fabric's thickness where that is more (two layers that touch lie one thickness apart:
    0.8 mm of denim, where the share alone is 0.57 mm), never more than the contact distance itself."""
    return min(contact_m, max(FOLD_CONTACT_SHARE * contact_m, thickness_m))


# --------------------------------------------------------------------------- geometry helpers


@numba.njit(cache=True, inline="always")
def _hash_cell(i, j, k, mask):
    return ((i * 73856093) ^ (j * 19349663) ^ (k * 83492791)) & mask


@numba.njit(cache=True)
def _in_sorted(values, start, stop, key):
    lo, hi = start, stop
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < stop and values[lo] == key


@numba.njit(cache=True, inline="always")
def _orient(x, a, b, c, d):
    """Six times the signed volume of tetrahedron (x[a], x[b], x[c], x[d]): which side of plane abc d is on."""
    ux, uy, uz = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
    vx, vy, vz = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
    wx, wy, wz = x[d, 0] - x[a, 0], x[d, 1] - x[a, 1], x[d, 2] - x[a, 2]
    return ux * (vy * wz - vz * wy) - uy * (vx * wz - vz * wx) + uz * (vx * wy - vy * wx)


@numba.njit(cache=True, inline="always")
def _sign(value):
    return 1 if value > 0.0 else (-1 if value < 0.0 else 0)


@numba.njit(cache=True)
def _segment_dist2(x, a, b, c, d):
    """Squared distance between segments x[a]-x[b] and x[c]-x[d] (Ericson, 5.1.9)."""
    d1x, d1y, d1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
    d2x, d2y, d2z = x[d, 0] - x[c, 0], x[d, 1] - x[c, 1], x[d, 2] - x[c, 2]
    rx, ry, rz = x[a, 0] - x[c, 0], x[a, 1] - x[c, 1], x[a, 2] - x[c, 2]
    aa = d1x * d1x + d1y * d1y + d1z * d1z
    ee = d2x * d2x + d2y * d2y + d2z * d2z
    ff = d2x * rx + d2y * ry + d2z * rz
    tiny = 1e-24
    if aa <= tiny and ee <= tiny:
        s, t = 0.0, 0.0
    elif aa <= tiny:
        s, t = 0.0, min(max(ff / ee, 0.0), 1.0)
    else:
        cc = d1x * rx + d1y * ry + d1z * rz
        if ee <= tiny:
            s, t = min(max(-cc / aa, 0.0), 1.0), 0.0
        else:
            bb = d1x * d2x + d1y * d2y + d1z * d2z
            denom = aa * ee - bb * bb
            s = min(max((bb * ff - cc * ee) / denom, 0.0), 1.0) if denom > tiny else 0.0
            t = (bb * s + ff) / ee
            if t < 0.0:
                t, s = 0.0, min(max(-cc / aa, 0.0), 1.0)
            elif t > 1.0:
                t, s = 1.0, min(max((bb - cc) / aa, 0.0), 1.0)
    px, py, pz = rx + s * d1x - t * d2x, ry + s * d1y - t * d2y, rz + s * d1z - t * d2z
    return px * px + py * py + pz * pz


# --------------------------------------------------------------------------- broad phase


@numba.njit(cache=True, parallel=True)
def _patch_drift(x, x_ref, halo_ptr, halo, drift_lo, drift_hi):
    """Per patch: the box holding the displacements (x - x_ref) of its vertices and their neighbours."""
    for q in numba.prange(len(halo_ptr) - 1):
        for k in range(3):
            drift_lo[q, k] = 0.0
            drift_hi[q, k] = 0.0
        for m in range(halo_ptr[q], halo_ptr[q + 1]):
            v = halo[m]
            for k in range(3):
                d = x[v, k] - x_ref[v, k]
                drift_lo[q, k] = min(drift_lo[q, k], d)
                drift_hi[q, k] = max(drift_hi[q, k], d)


@numba.njit(cache=True)
def _drift_exceeds(drift_lo, drift_hi, watched, allowance, limit):
    """True if some watched pair of patches moved relative to each other by more than its allowance, or some
    vertex moved more than ``limit`` at all."""
    for w in range(watched.shape[0]):
        a, b = watched[w, 0], watched[w, 1]
        total = 0.0
        for k in range(3):
            spread = max(drift_hi[a, k] - drift_lo[b, k], drift_hi[b, k] - drift_lo[a, k])
            total += spread * spread
        if total > allowance[w] * allowance[w]:
            return True
    for q in range(drift_lo.shape[0]):
        total = 0.0
        for k in range(3):
            total += max(-drift_lo[q, k], drift_hi[q, k]) ** 2
        if total > limit * limit:
            return True
    return False


@numba.njit(cache=True)
def _fill_hash(centre, radius, live, patch, cell, bucket_start, bucket_items, bucket_spheres):
    """Counting sort of the elements of live patches into hash buckets by the cell of their centre (serial:
    a fixed order).

    ``bucket_spheres`` (m, 4) receives (centre, radius) in bucket order, so a query reads it sequentially.
    """
    mask = len(bucket_start) - 2
    bucket_start[:] = 0
    count = centre.shape[0]
    keys = np.full(count, -1, np.int64)
    for e in range(count):
        if not live[patch[e]]:
            continue
        i = int(math.floor(centre[e, 0] / cell))
        j = int(math.floor(centre[e, 1] / cell))
        k = int(math.floor(centre[e, 2] / cell))
        keys[e] = _hash_cell(i, j, k, mask)
        bucket_start[keys[e] + 1] += 1
    for h in range(len(bucket_start) - 1):
        bucket_start[h + 1] += bucket_start[h]
    fill = bucket_start[:-1].copy()
    for e in range(count):
        if keys[e] >= 0:
            slot = fill[keys[e]]
            bucket_items[slot] = e
            for k in range(3):
                bucket_spheres[slot, k] = centre[e, k]
            bucket_spheres[slot, 3] = radius[e]
            fill[keys[e]] += 1


@numba.njit(cache=True)
def _insert_nearest(row, dist, found, item, d2):
    """Insert ``item`` at distance ``d2`` into ``row`` (kept sorted by ``dist``); returns the new count."""
    capacity = len(row)
    for s in range(found):
        if row[s] == item:
            return found
    if found == capacity and d2 >= dist[capacity - 1]:
        return found
    slot = found if found < capacity else capacity - 1
    while slot > 0 and dist[slot - 1] > d2:
        dist[slot] = dist[slot - 1]
        row[slot] = row[slot - 1]
        slot -= 1
    dist[slot] = d2
    row[slot] = item
    return found + 1 if found < capacity else found


@numba.njit(cache=True)
def _remembered_side(old_row, old_side_row, old_found, item):
    for o in range(old_found):
        if old_row[o] == item:
            return old_side_row[o]
    return 0


@numba.njit(cache=True)
def _excluded(label, ring_ptr, ring_idx, v, others):
    """True if any vertex in ``others`` is within the exclusion rings of vertex ``v``."""
    lv = label[v]
    for o in others:
        if _in_sorted(ring_idx, ring_ptr[lv], ring_ptr[lv + 1], label[o]):
            return True
    return False


@numba.njit(cache=True, parallel=True)
def _gather_vertex_triangle(x, x_start, tri, cell, reach, bucket_start, bucket_items, bucket_spheres,
                            label, ring_ptr, ring_idx, owner, item_patch, active, live, partner_ptr, partners,
                            lo, hi, old_cand, old_count, old_side, cand, count, side, dist, fold_ptr, fold_idx, thin):
    """Per vertex: the nearest non-neighbouring triangles within ``reach``, the side the vertex is on, and
    whether the pair lies in a seam folded shut (``thin``: a label pair in CSR ``fold_ptr``, ``fold_idx``).

    Only vertices of live patches look (and of those not active with themselves, only vertices within
    ``reach`` of the box ``lo``, ``hi`` of a partner patch), and only at triangles of patches paired with
    theirs in ``active`` (CSR ``partner_ptr``, ``partners``).
    """
    mask = len(bucket_start) - 2
    for p in numba.prange(x.shape[0]):
        count[p] = 0
        mine = owner[p]
        if not live[mine]:
            continue
        px, py, pz = x[p, 0], x[p, 1], x[p, 2]
        if not active[mine, mine]:  # only near another patch's box can this vertex meet anything
            near_one = False
            for m in range(partner_ptr[mine], partner_ptr[mine + 1]):
                b = partners[m]
                if (lo[b, 0] - reach <= px <= hi[b, 0] + reach and lo[b, 1] - reach <= py <= hi[b, 1] + reach
                        and lo[b, 2] - reach <= pz <= hi[b, 2] + reach):
                    near_one = True
                    break
            if not near_one:
                continue
        ci, cj, ck = int(math.floor(px / cell)), int(math.floor(py / cell)), int(math.floor(pz / cell))
        found = 0
        for di in range(-1, 2):
            for dj in range(-1, 2):
                for dk in range(-1, 2):
                    h = _hash_cell(ci + di, cj + dj, ck + dk, mask)
                    for e in range(bucket_start[h], bucket_start[h + 1]):
                        gx = px - bucket_spheres[e, 0]
                        gy = py - bucket_spheres[e, 1]
                        gz = pz - bucket_spheres[e, 2]
                        limit = reach + bucket_spheres[e, 3]
                        if gx * gx + gy * gy + gz * gz >= limit * limit:
                            continue
                        t = bucket_items[e]
                        if not active[mine, item_patch[t]]:
                            continue
                        a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
                        d2 = point_triangle_dist2(px, py, pz, x[a, 0], x[a, 1], x[a, 2],
                                                   x[b, 0], x[b, 1], x[b, 2], x[c, 0], x[c, 1], x[c, 2])
                        if d2 >= reach * reach or _excluded(label, ring_ptr, ring_idx, p, tri[t]):
                            continue
                        found = _insert_nearest(cand[p], dist[p], found, t, d2)
        count[p] = found
        for s in range(found):
            t = cand[p, s]
            a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
            known = _remembered_side(old_cand[p], old_side[p], old_count[p], t)
            if known == 0:  # a new pair: the side at the start of the substep (the last resolved state)
                known = _sign(_orient(x_start, a, b, c, p))
            if known == 0:
                known = _sign(_orient(x, a, b, c, p))
            side[p, s] = known if known != 0 else 1
            thin[p, s] = _excluded(label, fold_ptr, fold_idx, p, tri[t])


@numba.njit(cache=True)
def _lists_hold(vt_cand, vt_count, ends, triangles):
    """True if the vertex-triangle list of either vertex in ``ends`` holds one of ``triangles`` (-1: none)."""
    for v in ends:
        for s in range(vt_count[v]):
            t = vt_cand[v, s]
            if t == triangles[0] or t == triangles[1]:
                return True
    return False


@numba.njit(cache=True, parallel=True)
def _gather_edge_edge(x, x_start, edge, tri_edges, edge_tris, vt_cand, vt_count, reach, label, ring_ptr,
                      ring_idx, old_cand, old_count, old_side, cand, count, side, dist, fold_ptr, fold_idx, thin):
    """Per edge: the nearest non-neighbouring edges within ``reach`` among the edges of the triangles that
    its two vertices have in their (fresh) vertex-triangle lists, and the side they are on.

    A pair that both edges would find is listed once, by the lower-numbered edge.
    """
    for e in numba.prange(edge.shape[0]):
        i, j = edge[e, 0], edge[e, 1]
        found = 0
        for end in range(2):
            v = i if end == 0 else j
            for s in range(vt_count[v]):
                t = vt_cand[v, s]
                for k in range(3):
                    f = tri_edges[t, k]
                    if (_excluded(label, ring_ptr, ring_idx, i, edge[f])
                            or _excluded(label, ring_ptr, ring_idx, j, edge[f])):
                        continue
                    d2 = _segment_dist2(x, i, j, edge[f, 0], edge[f, 1])
                    if d2 >= reach * reach:
                        continue
                    if f < e and _lists_hold(vt_cand, vt_count, edge[f], edge_tris[e]):
                        continue  # edge f lists this pair
                    found = _insert_nearest(cand[e], dist[e], found, f, d2)
        count[e] = found
        for s in range(found):
            f = cand[e, s]
            known = _remembered_side(old_cand[e], old_side[e], old_count[e], f)
            if known == 0:
                known = _sign(_orient(x_start, i, j, edge[f, 0], edge[f, 1]))
            if known == 0:
                known = _sign(_orient(x, i, j, edge[f, 0], edge[f, 1]))
            side[e, s] = known if known != 0 else 1
            thin[e, s] = (_excluded(label, fold_ptr, fold_idx, i, edge[f])
                          or _excluded(label, fold_ptr, fold_idx, j, edge[f]))


# --------------------------------------------------------------------------- narrow phase


@numba.njit(cache=True)
def _push_apart(x, x_start, w, v0, v1, v2, v3, c0, c1, c2, c3, nx, ny, nz, depth, friction):
    """Move the point sum(c_i x_i) by ``depth`` along unit n (zero-compliance XPBD), then apply friction.

    The c_i are the gradient weights (1, -barycentrics) of a vertex against a
    triangle, or (1 - s, s, -(1 - t), -t) of two edges.
    """
    weight = w[v0] * c0 * c0 + w[v1] * c1 * c1 + w[v2] * c2 * c2 + w[v3] * c3 * c3
    if weight < 1e-20:
        return
    dl = depth / weight
    rx, ry, rz = 0.0, 0.0, 0.0
    for q in range(4):
        v = v0 if q == 0 else (v1 if q == 1 else (v2 if q == 2 else v3))
        c = c0 if q == 0 else (c1 if q == 1 else (c2 if q == 2 else c3))
        s = w[v] * c * dl
        x[v, 0] += s * nx
        x[v, 1] += s * ny
        x[v, 2] += s * nz
        rx += c * (x[v, 0] - x_start[v, 0])
        ry += c * (x[v, 1] - x_start[v, 1])
        rz += c * (x[v, 2] - x_start[v, 2])
    # Coulomb friction on the relative tangential motion of this substep
    rn = rx * nx + ry * ny + rz * nz
    tx, ty, tz = rx - rn * nx, ry - rn * ny, rz - rn * nz
    tl = math.sqrt(tx * tx + ty * ty + tz * tz)
    if tl < 1e-15:
        return
    scale = (1.0 if tl <= friction * depth else friction * depth / tl) / weight
    for q in range(4):
        v = v0 if q == 0 else (v1 if q == 1 else (v2 if q == 2 else v3))
        c = c0 if q == 0 else (c1 if q == 1 else (c2 if q == 2 else c3))
        s = w[v] * c * scale
        x[v, 0] -= s * tx
        x[v, 1] -= s * ty
        x[v, 2] -= s * tz


@numba.njit(cache=True)
def _solve_vertex_triangle(x, x_start, w, tri, cand, count, side, contact, friction, slack, thin, thin_contact):
    """Keep each listed vertex ``contact`` away from its triangles' planes, on its remembered side (a pair
    flagged ``thin``, in a seam folded shut, only ``thin_contact``); serial."""
    for p in range(x.shape[0]):
        for s in range(count[p]):
            t = cand[p, s]
            keep = thin_contact if thin[p, s] else contact
            a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
            e1x, e1y, e1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
            e2x, e2y, e2z = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
            nx, ny, nz = e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x
            nl = math.sqrt(nx * nx + ny * ny + nz * nz)
            if nl < 1e-14:
                continue
            d00 = e1x * e1x + e1y * e1y + e1z * e1z
            d01 = e1x * e2x + e1y * e2y + e1z * e2z
            d11 = e2x * e2x + e2y * e2y + e2z * e2z
            det = d00 * d11 - d01 * d01
            if det <= 0.0:  # a needle-thin triangle: the product rounds to zero though the cross does not
                continue
            nx, ny, nz = nx / nl, ny / nl, nz / nl
            apx, apy, apz = x[p, 0] - x[a, 0], x[p, 1] - x[a, 1], x[p, 2] - x[a, 2]
            d = apx * nx + apy * ny + apz * nz
            if abs(d) >= contact:
                # out of reach of the plane (most listed pairs): beside the triangle or over it, the side
                # is the one it is on, as the tests below would set it, and there is nothing to push
                side[p, s] = 1 if d > 0.0 else -1
                continue
            d20 = apx * e1x + apy * e1y + apz * e1z
            d21 = apx * e2x + apy * e2y + apz * e2z
            bv = (d11 * d20 - d01 * d21) / det
            bw = (d00 * d21 - d01 * d20) / det
            bu = 1.0 - bv - bw
            if bu < -slack or bv < -slack or bw < -slack:
                if d != 0.0:  # beside the triangle: free to pass to the other side
                    side[p, s] = 1 if d > 0.0 else -1
                continue
            sgn = side[p, s]
            gap = sgn * d
            if gap >= keep:
                continue
            if gap <= -contact:  # too far through for a crossing within a substep: it is on that side
                side[p, s] = -sgn
                continue
            bu, bv, bw = max(bu, 0.0), max(bv, 0.0), max(bw, 0.0)
            total = bu + bv + bw
            _push_apart(x, x_start, w, p, a, b, c, 1.0, -bu / total, -bv / total, -bw / total,
                        sgn * nx, sgn * ny, sgn * nz, keep - gap, friction)


@numba.njit(cache=True)
def _solve_edge_edge(x, x_start, w, edge, cand, count, side, contact, friction, thin, thin_contact):
    """Keep listed pairs of crossing-over edges ``contact`` apart (``thin`` ones ``thin_contact``), on their
    remembered side; serial.

    Only pairs whose closest points lie inside both edges and that are not
    nearly parallel count (the vertex-triangle contacts handle the rest).
    """
    for e in range(edge.shape[0]):
        a, b = edge[e, 0], edge[e, 1]
        for s in range(count[e]):
            f = cand[e, s]
            keep = thin_contact if thin[e, s] else contact
            c, d = edge[f, 0], edge[f, 1]
            d1x, d1y, d1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
            d2x, d2y, d2z = x[d, 0] - x[c, 0], x[d, 1] - x[c, 1], x[d, 2] - x[c, 2]
            rx, ry, rz = x[a, 0] - x[c, 0], x[a, 1] - x[c, 1], x[a, 2] - x[c, 2]
            nx, ny, nz = d1y * d2z - d1z * d2y, d1z * d2x - d1x * d2z, d1x * d2y - d1y * d2x
            a11 = d1x * d1x + d1y * d1y + d1z * d1z
            a22 = d2x * d2x + d2y * d2y + d2z * d2z
            n2 = nx * nx + ny * ny + nz * nz
            if n2 < 0.01 * a11 * a22 or n2 < 1e-28:  # nearly parallel (under about 6 degrees), or an edge
                # collapsed to a point: no reliable side
                side[e, s] = 0
                continue
            nl = math.sqrt(n2)
            nx, ny, nz = nx / nl, ny / nl, nz / nl
            dist = rx * nx + ry * ny + rz * nz  # signed distance between the two lines
            if abs(dist) >= contact:
                # out of reach (most listed pairs): crossing over or beside, the side is the one the lines
                # are on, as the tests below would set it, and there is nothing to push
                side[e, s] = 1 if dist > 0.0 else -1
                continue
            a12 = d1x * d2x + d1y * d2y + d1z * d2z
            b1 = d1x * rx + d1y * ry + d1z * rz
            b2 = d2x * rx + d2y * ry + d2z * rz
            denom = a11 * a22 - a12 * a12
            sa = (a12 * b2 - a22 * b1) / denom
            tc = (a11 * b2 - a12 * b1) / denom
            if sa <= 0.0 or sa >= 1.0 or tc <= 0.0 or tc >= 1.0:
                if dist != 0.0:  # the edges pass beside each other: free to change sides
                    side[e, s] = 1 if dist > 0.0 else -1
                continue
            sgn = side[e, s]
            if sgn == 0:
                sgn = _sign(_orient(x_start, a, b, c, d))
                if sgn == 0:
                    sgn = 1 if dist >= 0.0 else -1
                side[e, s] = sgn
            gap = sgn * dist
            if gap >= keep:
                continue
            if gap <= -contact:
                side[e, s] = -sgn
                continue
            _push_apart(x, x_start, w, a, b, c, d, 1.0 - sa, sa, tc - 1.0, -tc,
                        sgn * nx, sgn * ny, sgn * nz, keep - gap, friction)


# --------------------------------------------------------------------------- patches (culling)


@numba.njit(cache=True)
def _grow_patches(adj_ptr, adj, size, patch):
    """Patches of about ``size`` edge-connected triangles; returns the count.

    Greedy breadth-first growth from the lowest unassigned triangle, then each
    patch left under half the size joins the neighbouring patch it shares most
    edges with (so the ragged leftovers do not become many tiny patches).
    """
    t = len(patch)
    patch[:] = -1
    queue = np.empty(t, np.int64)
    count = 0
    for seed in range(t):
        if patch[seed] >= 0:
            continue
        patch[seed] = count
        queue[0] = seed
        head, tail = 0, 1
        while head < tail and tail < size:
            u = queue[head]
            head += 1
            for k in range(adj_ptr[u], adj_ptr[u + 1]):
                v = adj[k]
                if patch[v] < 0 and tail < size:
                    patch[v] = count
                    queue[tail] = v
                    tail += 1
        count += 1
    members = np.zeros(count, np.int64)
    for u in range(t):
        members[patch[u]] += 1
    target = np.arange(count)
    shared = np.zeros(count, np.int64)
    for q in range(count):
        if members[q] * 2 >= size:
            continue
        for u in range(t):  # small patches are few; a scan keeps this simple
            if patch[u] != q:
                continue
            for k in range(adj_ptr[u], adj_ptr[u + 1]):
                other = target[patch[adj[k]]]
                if other != q:
                    shared[other] += 1
        best, best_count = q, 0
        for r in range(count):
            if shared[r] > best_count:
                best, best_count = r, shared[r]
            shared[r] = 0
        if best != q:
            target[q] = best
            members[best] += members[q]
            for r in range(count):  # whoever had joined q now belongs to best
                if target[r] == q:
                    target[r] = best
    relabel = np.full(count, -1, np.int64)
    fresh = 0
    for q in range(count):
        root = target[q]
        if relabel[root] < 0:
            relabel[root] = fresh
            fresh += 1
    for u in range(t):
        patch[u] = relabel[target[patch[u]]]
    return fresh


@numba.njit(cache=True, parallel=True)
def _patch_bounds(x, tri, ptr, members, lo, hi, axis, cone, centre, radius):
    """Per patch: bounding box, mean normal and the half-angle (rad) of the cone holding its normals;
    per triangle: centroid and largest centroid-to-corner distance."""
    for q in numba.prange(len(ptr) - 1):
        for k in range(3):
            lo[q, k] = np.inf
            hi[q, k] = -np.inf
        sx, sy, sz = 0.0, 0.0, 0.0
        for m in range(ptr[q], ptr[q + 1]):
            t = members[m]
            a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
            for k in range(3):
                lo[q, k] = min(lo[q, k], x[a, k], x[b, k], x[c, k])
                hi[q, k] = max(hi[q, k], x[a, k], x[b, k], x[c, k])
                centre[t, k] = (x[a, k] + x[b, k] + x[c, k]) / 3.0
            r2 = 0.0
            for v in (a, b, c):
                dx, dy, dz = x[v, 0] - centre[t, 0], x[v, 1] - centre[t, 1], x[v, 2] - centre[t, 2]
                r2 = max(r2, dx * dx + dy * dy + dz * dz)
            radius[t] = math.sqrt(r2)
            e1x, e1y, e1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
            e2x, e2y, e2z = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
            sx += e1y * e2z - e1z * e2y
            sy += e1z * e2x - e1x * e2z
            sz += e1x * e2y - e1y * e2x
        length = math.sqrt(sx * sx + sy * sy + sz * sz)
        if length < 1e-30:
            cone[q] = math.pi
            continue
        axis[q, 0], axis[q, 1], axis[q, 2] = sx / length, sy / length, sz / length
        lowest = 1.0
        for m in range(ptr[q], ptr[q + 1]):
            t = members[m]
            a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
            e1x, e1y, e1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
            e2x, e2y, e2z = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
            nx, ny, nz = e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x
            nl = math.sqrt(nx * nx + ny * ny + nz * nz)
            if nl < 1e-30:
                continue
            lowest = min(lowest, (nx * axis[q, 0] + ny * axis[q, 1] + nz * axis[q, 2]) / nl)
        cone[q] = math.acos(max(-1.0, min(1.0, lowest)))


@numba.njit(cache=True, parallel=True)
def _pair_patches(lo, hi, axis, cone, hops, near_ptr, near, contact, reach, limit, watch, between, active, live,
                  watched, allowance):
    """Which patches may touch which: boxes within ``reach``, unless both lie in one smooth sheet.

    A region whose normals fit in a cone of half-angle under 90 degrees is a
    height field over the cone's axis and cannot fold onto itself (Volino and
    Magnenat-Thalmann's curvature test); ``limit`` keeps a safety margin. The
    test covers a patch with itself, neighbouring patches (``hops`` 1: the
    smallest cone holding both), and patches with a common neighbour (``hops``
    2: a cone around one of the three axes holding all three, for every
    common neighbour). Patches further apart always count when their boxes
    meet. ``between`` (p, p) is scratch for the angles between neighbours' axes.
    ``watched`` marks the pairs whose boxes lie within ``reach + watch``, and
    ``allowance`` says how far they may move relative to each other before the
    lists could miss a contact: the margin for listed pairs, the gap less the
    contact distance for pairs apart, unlimited (inf) for pairs within one
    smooth sheet (those are re-checked by their cones instead).
    """
    count = len(cone)
    for a in numba.prange(count):
        for m in range(near_ptr[a], near_ptr[a + 1]):
            b = near[m]
            cos_axes = axis[a, 0] * axis[b, 0] + axis[a, 1] * axis[b, 1] + axis[a, 2] * axis[b, 2]
            between[a, b] = math.acos(max(-1.0, min(1.0, cos_axes)))
    for a in numba.prange(count):
        any_active = False
        for b in range(count):
            gap2 = 0.0
            for k in range(3):
                apart = max(lo[a, k] - hi[b, k], lo[b, k] - hi[a, k], 0.0)
                gap2 += apart * apart
            watched[a, b] = gap2 <= (reach + watch) ** 2
            if watched[a, b]:
                allowance[a, b] = math.sqrt(gap2) - contact if gap2 >= reach * reach else np.inf
            if a == b:
                on = cone[a] >= limit
            else:
                on = gap2 < reach * reach
                if on and hops[a, b] == 1:
                    on = max(cone[a], cone[b], 0.5 * (between[a, b] + cone[a] + cone[b])) >= limit
                elif on and hops[a, b] == 2:
                    on = False
                    cos_axes = axis[a, 0] * axis[b, 0] + axis[a, 1] * axis[b, 1] + axis[a, 2] * axis[b, 2]
                    ab = math.acos(max(-1.0, min(1.0, cos_axes)))
                    for m in range(near_ptr[a], near_ptr[a + 1]):
                        c = near[m]
                        if hops[b, c] != 1:
                            continue
                        ac, bc = between[a, c], between[b, c]
                        around_a = max(cone[a], ab + cone[b], ac + cone[c])
                        around_b = max(cone[b], ab + cone[a], bc + cone[c])
                        around_c = max(cone[c], ac + cone[a], bc + cone[b])
                        if min(around_a, around_b, around_c) >= limit:
                            on = True
                            break
            active[a, b] = on
            if on:
                allowance[a, b] = reach - contact
            any_active = any_active or on
        live[a] = any_active


@numba.njit(cache=True)
def _pair_lists(watched, allowance, active):
    """The watched pairs (a <= b) as a (w, 2) list with their allowances, and CSR (ptr, partners) of the
    other patches each patch is active with."""
    count = watched.shape[0]
    total = 0
    ptr = np.zeros(count + 1, np.int64)
    for a in range(count):
        for b in range(count):
            if b >= a and watched[a, b]:
                total += 1
            if b != a and active[a, b]:
                ptr[a + 1] += 1
    for a in range(count):
        ptr[a + 1] += ptr[a]
    partners = np.empty(ptr[count], np.int64)
    pairs = np.empty((total, 2), np.int64)
    allow = np.empty(total)
    w = 0
    for a in range(count):
        m = ptr[a]
        for b in range(count):
            if b >= a and watched[a, b]:
                pairs[w, 0], pairs[w, 1], allow[w] = a, b, allowance[a, b]
                w += 1
            if b != a and active[a, b]:
                partners[m] = b
                m += 1
    return pairs, allow, ptr, partners


def _triangle_adjacency(tri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, neighbours) of triangles sharing an edge."""
    t = len(tri)
    key = np.sort(tri[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    owner = np.repeat(np.arange(t), 3)
    order = np.lexsort((key[:, 1], key[:, 0]))
    key, owner = key[order], owner[order]
    same = np.flatnonzero(np.all(key[1:] == key[:-1], axis=1))
    rows = np.concatenate([owner[same], owner[same + 1]])
    cols = np.concatenate([owner[same + 1], owner[same]])
    graph = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(t, t))
    graph.sort_indices()
    return graph.indptr.astype(np.int64), graph.indices.astype(np.int64)


def _patches(tri: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patch of each triangle and CSR (ptr, triangles) of each patch's triangles."""
    adj_ptr, adj = _triangle_adjacency(tri)
    patch = np.empty(len(tri), np.int64)
    count = _grow_patches(adj_ptr, adj, size, patch)
    order = np.argsort(patch, kind="stable").astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(np.bincount(patch, minlength=count))]).astype(np.int64)
    return patch, ptr, order


def _patch_halo(tri: np.ndarray, patch: np.ndarray, count: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, vertices) per patch: its triangles' vertices and every vertex sharing a triangle with one."""
    t = len(tri)
    corners = sp.csr_matrix((np.ones(3 * t, bool), (np.repeat(np.arange(t), 3), tri.ravel())), shape=(t, n))
    members = sp.csr_matrix((np.ones(t, bool), (patch, np.arange(t))), shape=(count, t))
    halo = ((members @ corners) @ (corners.T @ corners)).astype(bool).tocsr()
    halo.sort_indices()
    return halo.indptr.astype(np.int64), halo.indices.astype(np.int64)


def _layered_patches(tri: np.ndarray, patch: np.ndarray, count: int, layered: np.ndarray) -> np.ndarray:
    """(p, p) bool: patch pairs on two pieces that lie one over the other by design (``layered`` (k, 2) vertex
    pairs, one on each piece: a fastener's two vertices). A piece is a connected part of the unwelded mesh
    (a panel); each patch lies in one."""
    pairs = np.asarray(layered, np.int64).reshape(-1, 2)
    if not len(pairs):
        return np.zeros((count, count), np.bool_)
    n = int(max(tri.max(), pairs.max())) + 1
    rows = np.concatenate([tri[:, 0], tri[:, 1]]).astype(np.int64)
    cols = np.concatenate([tri[:, 1], tri[:, 2]]).astype(np.int64)
    _, piece = connected_components(sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)), directed=False)
    patch_piece = np.zeros(count, np.int64)
    patch_piece[patch] = piece[tri[:, 0]]
    over = np.zeros((piece.max() + 1, piece.max() + 1), np.bool_)
    over[piece[pairs[:, 0]], piece[pairs[:, 1]]] = True
    over |= over.T
    return over[patch_piece[:, None], patch_piece[None, :]]


def _patch_hops(tri: np.ndarray, label: np.ndarray, patch: np.ndarray, count: int, layered: np.ndarray | None = None):
    """``hops`` (p, p) int8: 1 for patches sharing a (welded) vertex, 2 for patches with such a neighbour in
    common, 0 otherwise; and CSR (ptr, patches) of each patch's neighbours.

    Patches of two pieces that lie one over the other by design (``layered``, see :func:`_layered_patches`)
    are never neighbours, even where seams join the pieces at a corner (a qipao's big front, its underlap's
    side strip and the back meet at the opening's end): the cone test proves a connected sheet cannot fold
    onto itself, but an overlap is two layers of one sheet stacked by construction, their normals parallel,
    and culled as one smooth sheet they pass through each other (the qipao's big front crossed its side strip
    at 35-40 triangle pairs in the frame the seams closed)."""
    welded = label[tri].ravel()
    incidence = sp.csr_matrix((np.ones(len(welded), np.int32), (welded, np.repeat(patch, 3))),
                              shape=(int(label.max()) + 1, count))
    touching = (incidence.T @ incidence).astype(bool).tocsr()
    touching.setdiag(False)
    apart = None
    if layered is not None and len(layered):
        apart = _layered_patches(tri, patch, count, layered)
        touching = touching.multiply(sp.csr_matrix(~apart)).astype(bool).tocsr()
    touching.eliminate_zeros()
    touching.sort_indices()
    two = (touching @ touching).astype(bool).toarray()
    hops = np.where(touching.toarray(), 1, np.where(two, 2, 0)).astype(np.int8)
    if apart is not None:
        hops[apart] = 0
    np.fill_diagonal(hops, 0)
    return hops, touching.indptr.astype(np.int64), touching.indices.astype(np.int64)


# --------------------------------------------------------------------------- solver object


class _ContactList:
    """Verlet list of one kind of pair, double-buffered: (m, capacity) partners, counts, remembered sides."""

    def __init__(self, m: int, capacity: int) -> None:
        self.cand = np.zeros((m, capacity), np.int32)
        self.count = np.zeros(m, np.int32)
        self.side = np.zeros((m, capacity), np.int8)
        self.spare = (np.zeros_like(self.cand), np.zeros_like(self.count), np.zeros_like(self.side))
        self.dist = np.zeros((m, capacity))
        self.thin = np.zeros((m, capacity), np.bool_)  # written by each gather for its own (new) lists

    def swap(self) -> None:
        cand, count, side = self.spare
        self.spare = (self.cand, self.count, self.side)
        self.cand, self.count, self.side = cand, count, side


class SelfContact:
    """Static data and changing contact lists of one garment's self-collision.

    tri        : (t, 3) int32 triangles; edge : (e, 2) int32 unique edges
    inv_mass   : (n,) float64, 1/kg
    label      : (n,) int64 welded vertex label (seam partners share one)
    contact_m  : distance kept between layers (m); margin_m: extra reach of the Verlet lists (m)
    fold_contact_m : distance kept inside seams folded shut (m; :func:`fold_contact_distance_m`)
    seams_closed : set False while the seams are still being pulled shut (the
                 panels are not yet one surface there, so smoothness across a
                 seam proves nothing)
    folds      : seam hinges whose contacts thin while folded shut (:mod:`seam_folds`), or None
    builds     : how many times the lists were rebuilt
    """

    def __init__(self, tri: np.ndarray, inv_mass: np.ndarray, label: np.ndarray, *, contact_m: float,
                 friction: float, margin_m: float, exclude_rings: int, patch_triangles: int,
                 fold_contact_m: float, layered: np.ndarray | None = None,
                 folds: SeamFolds | None = None) -> None:
        self.tri = np.ascontiguousarray(tri, np.int32)
        self.inv_mass = np.ascontiguousarray(inv_mass, np.float64)
        self.label = label
        self.contact_m, self.margin_m, self.friction = float(contact_m), float(margin_m), float(friction)
        self.watch_m = WATCH_MARGINS * self.margin_m
        self.fold_contact_m = float(fold_contact_m)
        self.ring_ptr, self.ring_idx = _ring_neighbourhood(self.tri.astype(np.int64), label, exclude_rings)
        self.folds = folds
        self.fold_ptr, self.fold_idx = np.zeros(len(self.ring_ptr), np.int64), np.zeros(0, np.int64)
        self._shut = np.zeros(0 if folds is None else len(folds.hinges), bool)
        self.edge, self.tri_edges, self.edge_tris = mesh_edges(self.tri)
        self.tri_patch, self.patch_ptr, self.patch_members = _patches(self.tri, patch_triangles)
        count = len(self.patch_ptr) - 1
        # patches neighbour across a seam only once it is closed; while it closes, the panels may overlap
        self._hops_closed = _patch_hops(self.tri, label, self.tri_patch, count, layered)
        self._hops_open = _patch_hops(self.tri, np.arange(len(label)), self.tri_patch, count)
        self.seams_closed = True
        self.halo_ptr, self.halo = _patch_halo(self.tri, self.tri_patch, count, len(self.inv_mass))
        self._drift_lo, self._drift_hi = np.zeros((count, 3)), np.zeros((count, 3))
        self._watched_mask = np.zeros((count, count), np.bool_)
        self._allowance_matrix = np.zeros((count, count))
        self._watched = np.zeros((0, 2), np.int64)
        self._allowance = np.zeros(0)
        self._spare_active = np.zeros((count, count), np.bool_)
        self._spare_live = np.zeros(count, np.bool_)
        self._since_check = 0
        used, first_use = np.unique(self.tri.ravel(), return_index=True)
        self.vertex_patch = np.zeros(len(self.inv_mass), np.int64)
        self.vertex_patch[used] = self.tri_patch[first_use // 3]
        self._lo, self._hi = np.zeros((count, 3)), np.zeros((count, 3))
        self._axis, self._cone = np.zeros((count, 3)), np.zeros(count)
        self._active = np.zeros((count, count), np.bool_)
        self._between = np.zeros((count, count))
        self._live = np.zeros(count, np.bool_)
        t = len(self.tri)
        self._centre, self._radius = np.zeros((t, 3)), np.zeros(t)
        self._bucket_start = np.zeros((1 << max(4, int(2 * max(t, 1) - 1).bit_length())) + 1, np.int64)
        self._bucket_items = np.zeros(t, np.int32)
        self._bucket_spheres = np.zeros((t, 4))
        self._vt = _ContactList(len(self.inv_mass), VERTEX_CAPACITY)
        self._ee = _ContactList(len(self.edge), EDGE_CAPACITY)
        self._x_build: np.ndarray | None = None
        self.builds = 0

    @property
    def vertex_triangle_pairs(self) -> int:
        return int(self._vt.count.sum())

    @property
    def edge_edge_pairs(self) -> int:
        return int(self._ee.count.sum())

    @property
    def live_patches(self) -> int:
        return int(self._live.sum())

    def solve(self, x: np.ndarray, x_start: np.ndarray) -> None:
        """One pass over the contacts of positions ``x`` (n, 3, in place); ``x_start`` the substep's start."""
        if self._x_build is None or self._lists_stale(x):
            self.rebuild(x, x_start)
        vt, ee = self._vt, self._ee
        thin = self.fold_contact_m
        _solve_vertex_triangle(x, x_start, self.inv_mass, self.tri, vt.cand, vt.count, vt.side,
                               self.contact_m, self.friction, EDGE_SLACK, vt.thin, thin)
        _solve_edge_edge(x, x_start, self.inv_mass, self.edge, ee.cand, ee.count, ee.side,
                         self.contact_m, self.friction, ee.thin, thin)

    def forget_sides(self) -> None:
        """Drop the remembered sides and lists (the layers were moved through each other from outside, as
        by :func:`garment3d.drape.untangle.untangle`): the next substep lists every pair afresh, on the side
        it is on at that substep's start."""
        self._vt.count[:] = 0
        self._ee.count[:] = 0
        self._x_build = None

    def _lists_stale(self, x: np.ndarray) -> bool:
        """True once the lists might miss a contact (distances change only by relative motion):

        - two watched patches moved relative to each other by more than their allowance since the build,
        - some vertex moved so far that an unwatched pair of patches might have met,
        - or (checked every ``CONE_CHECK_SUBSTEPS``) a pair culled as one smooth sheet is no longer smooth.
        """
        _patch_drift(x, self._x_build, self.halo_ptr, self.halo, self._drift_lo, self._drift_hi)
        if _drift_exceeds(self._drift_lo, self._drift_hi, self._watched, self._allowance,
                          0.5 * (self.watch_m + self.margin_m)):
            return True
        self._since_check += 1
        if self._since_check < CONE_CHECK_SUBSTEPS:
            return False
        self._since_check = 0
        if not np.array_equal(self._folds_shut(x), self._shut):
            return True
        # a few degrees of hysteresis, so that a cone hovering at the limit does not trigger rebuilds
        self._pair_patches(x, self._spare_active, self._spare_live, CONE_HYSTERESIS_DEG)
        return bool(np.any(self._spare_active & ~self._active))

    def _folds_shut(self, x: np.ndarray) -> np.ndarray:
        """Which seam hinges are folded shut at ``x``. Watched while the seams are still being pulled shut
        too: the circle skirt's side seam folds shut in the frame its seams finish closing, and its layers
        crossed there when the folds were watched only once the seams were closed (habotai at 170/92A,
        1 cm)."""
        if self.folds is None:
            return np.zeros_like(self._shut)
        return self.folds.shut(x, self._shut)

    def _thin_shut_folds(self, x: np.ndarray) -> None:
        """The pairs inside the seam hinges folded shut at ``x`` (and only those) keep the thin distance."""
        shut = self._folds_shut(x)
        if np.array_equal(shut, self._shut):
            return
        self._shut = shut
        self.fold_ptr, self.fold_idx = _label_pairs_csr(len(self.ring_ptr) - 1, self.folds.thin_pairs(shut))

    def _pair_patches(self, x: np.ndarray, active: np.ndarray, live: np.ndarray, slack_deg: float = 0.0) -> None:
        """Patch bounds and cones at ``x``, and which patch pairs are ``active`` (``live``: in any pair)."""
        _patch_bounds(x, self.tri, self.patch_ptr, self.patch_members, self._lo, self._hi, self._axis,
                      self._cone, self._centre, self._radius)
        hops, near_ptr, near = self._hops_closed if self.seams_closed else self._hops_open
        limit = math.radians(CONE_LIMIT_DEG + slack_deg)
        _pair_patches(self._lo, self._hi, self._axis, self._cone, hops, near_ptr, near, self.contact_m,
                      self.contact_m + self.margin_m, limit, self.watch_m, self._between, active, live,
                      self._watched_mask, self._allowance_matrix)

    def rebuild(self, x: np.ndarray, x_start: np.ndarray) -> None:
        """Find every pair within ``contact + margin`` of positions ``x`` again."""
        reach = self.contact_m + self.margin_m
        self._thin_shut_folds(x)
        self._pair_patches(x, self._active, self._live)
        lists = _pair_lists(self._watched_mask, self._allowance_matrix, self._active)
        self._watched, self._allowance, partner_ptr, partners = lists
        self._since_check = 0
        # a vertex meets a triangle whose centre is within reach + r of it: 27 cells of reach + r hold them all
        cell = reach + float(self._radius.max(initial=0.0))
        _fill_hash(self._centre, self._radius, self._live, self.tri_patch, cell, self._bucket_start,
                   self._bucket_items, self._bucket_spheres)
        vt, ee = self._vt, self._ee
        cand, count, side = vt.spare
        _gather_vertex_triangle(x, x_start, self.tri, cell, reach, self._bucket_start, self._bucket_items,
                                self._bucket_spheres, self.label, self.ring_ptr, self.ring_idx,
                                self.vertex_patch, self.tri_patch, self._active, self._live, partner_ptr, partners,
                                self._lo, self._hi, vt.cand, vt.count, vt.side, cand, count, side, vt.dist,
                                self.fold_ptr, self.fold_idx, vt.thin)
        vt.swap()
        cand, count, side = ee.spare
        _gather_edge_edge(x, x_start, self.edge, self.tri_edges, self.edge_tris, vt.cand, vt.count, reach,
                          self.label, self.ring_ptr, self.ring_idx, ee.cand, ee.count, ee.side,
                          cand, count, side, ee.dist, self.fold_ptr, self.fold_idx, ee.thin)
        ee.swap()
        self._x_build = x.copy()
        self.builds += 1


def mesh_edges(tri: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique edges of triangles ``tri`` (t, 3): (e, 2) int32 sorted pairs, (t, 3) int32 edge of each
    triangle side, and (e, 2) int32 the (up to) two triangles of each edge, -1 where there is none."""
    t = len(tri)
    half = np.sort(np.asarray(tri)[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    edges, inverse = np.unique(half, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    by_edge, owner = inverse[order], np.repeat(np.arange(t), 3)[order]
    first = np.searchsorted(by_edge, np.arange(len(edges)))
    edge_tris = np.full((len(edges), 2), -1, np.int32)
    edge_tris[:, 0] = owner[first]
    second = np.minimum(first + 1, len(by_edge) - 1)
    shared = (first + 1 < len(by_edge)) & (by_edge[second] == np.arange(len(edges)))
    edge_tris[shared, 1] = owner[second[shared]]
    return edges.astype(np.int32), inverse.reshape(t, 3).astype(np.int32), edge_tris


def build_self_contact(tri: np.ndarray, inv_mass: np.ndarray, seam_pairs: np.ndarray, *, contact_m: float,
                       friction: float, margin_m: float | None = None, exclude_rings: int = 0,
                       patch_triangles: int = PATCH_TRIANGLES, layered: np.ndarray | None = None,
                       seam_hinges: np.ndarray | None = None, thickness_m: float = 0.0) -> SelfContact:
    """Self-collision of a cloth with triangles ``tri`` (t, 3) and per-vertex ``inv_mass`` (n,).

    Seam partners count as one vertex. ``exclude_rings`` = 0 skips only pairs
    sharing a vertex (a vertex and its own triangles, edges with a common
    end); k > 0 also skips pairs with a vertex within k rings. ``margin_m``
    (default: ``contact_m``) trades list rebuilds for list length. ``layered`` (k, 2): vertex pairs on two
    pieces that lie one over the other by design (fasteners' pairs): those pieces always collide.
    ``seam_hinges`` (h, 4: sewn edge x0-x1, each panel's opposite corner): the contacts inside a hinge keep
    only ``FOLD_CONTACT_SHARE`` of the distance, or the fabric's ``thickness_m`` if more, while it is folded
    shut (:mod:`garment3d.drape.seam_folds`); None: the full distance everywhere.
    """
    label = weld_labels(len(inv_mass), seam_pairs)
    folds = None if seam_hinges is None else SeamFolds(
        seam_hinges, label, _ring_neighbourhood(np.asarray(tri, np.int64), label, 1), contact_m,
        closed=closed_junctions(tri, label))
    return SelfContact(tri, inv_mass, label, contact_m=contact_m,
                       friction=friction, margin_m=contact_m if margin_m is None else margin_m,
                       exclude_rings=exclude_rings, patch_triangles=patch_triangles, layered=layered, folds=folds,
                       fold_contact_m=fold_contact_distance_m(thickness_m, contact_m))
