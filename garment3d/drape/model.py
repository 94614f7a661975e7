"""Static cloth model: masses, constraints and their compliances, built once.

Fabric physics in physical units map to XPBD compliances as follows (energies
per element; XPBD compliance alpha = 1 / stiffness):

- stretch and shear (strain-based dynamics, Mueller et al. 2014): per triangle
  with rest area A and deformation gradient F (in the flat warp/weft frame),
  C_weft = |F e_x| - 1, C_warp = |F e_y| - 1, C_shear = F e_x . F e_y, with
  energy 0.5 * E * A * C^2: alpha_weft = 1 / (E_weft A), alpha_warp =
  1 / (E_warp A), alpha_shear = 1 / (G A). Independent of mesh resolution.
- bending (isometric quadratic bending, Bergou et al. 2006): per interior edge
  shared by triangles of areas A0, A1, the curvature vector s = sum K_i x_i
  with cotangent weights K, energy 0.5 * 3 B / (A0 + A1) * |s|^2 with B the
  rigidity across that edge (N m, from uN m): alpha = (A0 + A1) / (3 B).
  Consistent across resolutions for the flat rest shape.
- mass: areal density times the one-third area of incident triangles.
- seams: zero-length distance constraints while they close; once closed, each seam's partners are
  solved as one vertex (``garment3d.drape.weld``: ``welded``); across a closed seam, a hinge
  ``SEAM_STIFFENING`` times as stiff as the cloth (the seam allowances stitched under it).
- fasteners (buttons, studs, frogs, hooks, ties): one-sided distance limits, compliance 0, between
  the two layers the pattern fastens; the limit is the distance the cloth's layers keep
  apart (``contact_distance_m``) plus the pair's placed distance shrinking with the seams. A button
  holds a patch of each layer, not a point (its shank and stitches on one side, the buttonhole bearing
  on it all round on the other; ``PATCH_FASTENERS``): the limit is first put on the distance between
  the centroids of each fastened vertex and those of its neighbours within the button's size
  (``fastener_disc*``), the pull shared by the patch's vertices, so that one triangle does not take a
  stiff fabric's whole spring-back; then on the fastened vertices themselves. On a mesh coarser than
  the button the patch is the vertex alone.
- the support (``support``): the triangles within ``SUPPORT_DEPTH_M`` of an anchored (waist) vertex
  of their own panel, a waistband and the top of a skirt hung from its waist: the cloth that carries the
  whole garment's weight to the body. One Gauss-Seidel pass per substep leaves hanging cloth stretched
  by an error that is largest at its support (``DrapeOptions.substeps_for``); the solver gives these
  triangles, and the seams that join them to the rest, extra passes (``FrameControls.support_passes``),
  so that a band is as stiff as its fabric and not as its vertices' masses make it.
- tethers (``garment3d.drape.tethers``): long-range limits on how far apart
  distant points of a panel may move (their flat distance plus 1 %),
  compliance 0, one-sided; they carry hanging loads across many triangles
  in one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from garment3d.drape.coloring import color_elements
from garment3d.drape.self_collision import contact_distance_m
from garment3d.drape.tethers import tether_pairs
from garment3d.drape.weld import WeldedConstraints, weld_constraints
from garment3d.errors import SimulationError
from garment3d.geometry import edge_adjacency
from garment3d.interfacing import bonded
from garment3d.types import Fabric, GarmentMesh, triangle_edges

__all__ = ["ClothModel", "SEAM_STIFFENING", "SUPPORT_DEPTH_M", "Support", "TriangleSet", "build_model",
           "support_triangles"]

#: A sewn seam bends this many times as stiffly as the cloth: along the seam line lie the two pieces and
#: their two seam allowances, stitched together (a stack of three or four layers). With the cloth's own
#: rigidity, the A-line skirt's seams in silk charmeuse folded back on themselves (31 % of the seam
#: hinges under 30 degrees, 160/84A, 2 cm); three times as stiff, none did.
SEAM_STIFFENING = 3.0

#: (m, flat) the cloth within this distance of an anchored vertex of its own panel is the garment's support:
#: a whole waistband (2-6 cm wide), the top of a skirt hung from its waist.
SUPPORT_DEPTH_M = 0.06


@dataclass(frozen=True)
class TriangleSet:
    """Triangles (t, 3) int32 ordered by colour, their rest-frame inverses ``dm_inv`` (t, 4), compliances
    ``alpha`` (t, 3) and colour ranges ``color_ptr`` (k+1,) int64: what one triangle pass solves."""

    tri: np.ndarray
    dm_inv: np.ndarray
    alpha: np.ndarray
    color_ptr: np.ndarray

    @classmethod
    def empty(cls) -> TriangleSet:
        return cls(np.zeros((0, 3), np.int32), np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(1, np.int64))


@dataclass(frozen=True)
class Support:
    """The garment's support: its triangles, and the seam pairs with a vertex on them (``seam`` (p, 2)
    int32 ordered by colour, ``seam_color_ptr`` (k+1,) int64, ``seam_index`` (p,) int64: each pair's row
    in ``ClothModel.seam``, for its placed length)."""

    triangles: TriangleSet = field(default_factory=TriangleSet.empty)
    seam: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))
    seam_color_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    seam_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass(frozen=True)
class ClothModel:
    """Topology, rest state and material of one garment (read-only in the solver).

    inv_mass      : (n,) float64, 1/kg
    tri           : (t, 3) int32 triangles, ordered by colour
    tri_dm_inv    : (t, 4) float64, rest-frame inverse [a, b, c, d] of [[u1-u0, u2-u0]]
    tri_alpha     : (t, 3) float64, compliance (weft, warp, shear)
    tri_color_ptr : (k+1,) int64, triangle index ranges per colour
    hinge         : (h, 4) int32, (x0, x1, x2, x3): edge x0-x1, opposite x2, x3
    hinge_k       : (h, 4) float64, cotangent weights
    hinge_alpha   : (h,) float64
    hinge_color_ptr : (k+1,) int64
    seam_hinge*   : the same for hinges across seams (active once the seams are closed)
    seam          : (s, 2) int32
    seam_color_ptr: (k+1,) int64
    tether        : (l, 2) int32 vertex pairs, tether_max (l,) float64 m, tether_color_ptr (k+1,) int64
    anchor        : (a,) int32 vertex indices gripping the body at the waist
    rest_edge     : (e, 2) int32 unique mesh edges, rest_length (e,) float64 m
    thickness_m   : collision distance kept from the body
    friction      : Coulomb coefficient against the body
    fastener      : (f, 2) int32 fastened vertex pairs (outer layer first), ordered by colour, with
                    fastener_color_ptr (k+1,) int64, fastener_rest (f,) m (the layers' distance) and
                    fastener_slack (f,) m (placed distance beyond it, let go while the seams close);
                    fastener_order (f,) int64: the garment's fastener index of each row;
                    fastener_disc_ptr (2f+1,) int64 and fastener_disc (d,) int32: per row, the patch of
                    the outer layer (entry 2r) and of the layer under it (2r+1): the fastened vertex and
                    its neighbours within the fastener's size (see ``fastener_discs``)
    welded        : the triangles and hinges (the seams' too) with each seam's partners one vertex, solved
                    once the seams are closed (:mod:`garment3d.drape.weld`); None: seams stay pairs
    support       : the triangles near the anchored waist and their seams, solved again after the seams
                    (``support_triangles``; empty when nothing is anchored)
    """

    n: int
    inv_mass: np.ndarray
    tri: np.ndarray
    tri_dm_inv: np.ndarray
    tri_alpha: np.ndarray
    tri_color_ptr: np.ndarray
    hinge: np.ndarray
    hinge_k: np.ndarray
    hinge_alpha: np.ndarray
    hinge_color_ptr: np.ndarray
    seam_hinge: np.ndarray
    seam_hinge_k: np.ndarray
    seam_hinge_alpha: np.ndarray
    seam_hinge_color_ptr: np.ndarray
    seam: np.ndarray
    seam_color_ptr: np.ndarray
    tether: np.ndarray
    tether_max: np.ndarray
    tether_color_ptr: np.ndarray
    anchor: np.ndarray
    rest_edge: np.ndarray
    rest_length: np.ndarray
    thickness_m: float
    friction: float
    fastener: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))
    fastener_color_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    fastener_rest: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fastener_slack: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fastener_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    fastener_disc_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    fastener_disc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    welded: WeldedConstraints | None = None
    support: Support = field(default_factory=Support)


#: a fastened pair rests this many times the distance the solver keeps between two layers apart: a
#: little more, so that the fastener does not press the layers into the self-collision's margin
FASTENER_REST_SCALE = 1.25


#: fasteners that hold a patch of each layer: a button goes through a buttonhole as long as the button is
#: wide and bears on the cloth all round it. Press studs, frogs, hooks and ties hold at a point (a frog's
#: knot through its loop, a stud's small socket); patches there overstretched the qipao's narrow underlap.
PATCH_FASTENERS = ("button",)


def fastener_rest_m(fabric: Fabric, spacing_m: float) -> float:
    """m a fastened pair keeps apart: a little more than the distance the solver keeps between two layers."""
    return FASTENER_REST_SCALE * contact_distance_m(fabric.thickness_mm, spacing_m)


def _fasteners(garment: GarmentMesh, fabric: Fabric, n: int) -> dict[str, np.ndarray]:
    pairs = np.asarray(garment.fastener_pairs, np.int64).reshape(-1, 2)
    order, ptr = color_elements(pairs, n)
    rest = np.full(len(pairs), fastener_rest_m(fabric, garment.spacing_m))
    placed = np.linalg.norm(garment.positions[pairs[:, 0]] - garment.positions[pairs[:, 1]], axis=1)
    sizes_m = np.full(len(pairs), 0.0)  # 0: the vertex alone
    for k, (kind, size_cm) in enumerate(zip(garment.fastener_kinds, garment.fastener_sizes_cm)):
        if k < len(pairs) and kind in PATCH_FASTENERS:
            sizes_m[k] = size_cm / 100.0
    disc_ptr, disc = fastener_discs(garment.faces, garment.rest_uv, pairs[order], sizes_m[order], n)
    return dict(fastener=pairs[order].astype(np.int32), fastener_color_ptr=ptr, fastener_rest=rest[order],
                fastener_slack=np.maximum(placed - rest, 0.0)[order], fastener_order=np.asarray(order, np.int64),
                fastener_disc_ptr=disc_ptr, fastener_disc=disc)


def fastener_discs(faces: np.ndarray, rest_uv: np.ndarray, pairs: np.ndarray, sizes_m: np.ndarray,
                   n: int) -> tuple[np.ndarray, np.ndarray]:
    """The patches the fasteners hold, as CSR (ptr (2f+1,), vertices): for pair r, entry 2r is its first
    vertex and those of its mesh neighbours that lie within the fastener's size (its trim's diameter, flat)
    of it, entry 2r+1 the same for its second. On a mesh coarser than the fastener a patch is its vertex
    alone. The mesh is unwelded at seams, so a patch stays on its own panel."""
    adjacency = edge_adjacency(faces, n)
    uv = np.asarray(rest_uv, float)
    patches = []
    for v, size in zip(np.asarray(pairs, np.int64).reshape(-1), np.repeat(np.asarray(sizes_m, float), 2)):
        ring = adjacency.indices[adjacency.indptr[v]:adjacency.indptr[v + 1]]
        ring = ring[np.linalg.norm(uv[ring] - uv[v], axis=1) <= size]
        patches.append(np.unique(np.concatenate([[v], ring])))
    ptr = np.zeros(len(patches) + 1, np.int64)
    ptr[1:] = np.cumsum([len(p) for p in patches])
    vertices = np.concatenate(patches).astype(np.int32) if patches else np.zeros(0, np.int32)
    return ptr, vertices


def _triangle_rest(edges: np.ndarray, uv: np.ndarray, tri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m, 4) inverse rest matrices and (m,) rest areas of triangles with rest edge vectors ``edges`` (m, 2, 2);
    ``uv`` and ``tri`` only to say where a flat one is."""
    e1, e2 = edges[:, 0], edges[:, 1]
    det = e1[:, 0] * e2[:, 1] - e2[:, 0] * e1[:, 1]
    flat = np.flatnonzero(np.abs(det) < 1e-12)
    if len(flat):
        raise SimulationError(
            f"{len(flat)} cloth triangle(s) have no area in the flat pattern (first at "
            f"{np.round(uv[tri[flat[0], 0]] * 100, 1).tolist()} cm); the mesh cannot be simulated"
        )
    # Dm = [[e1x, e2x], [e1y, e2y]]; inverse = 1/det [[e2y, -e2x], [-e1y, e1x]]
    dm_inv = np.column_stack([e2[:, 1], -e2[:, 0], -e1[:, 1], e1[:, 0]]) / det[:, None]
    return dm_inv, 0.5 * np.abs(det)


def _edge_rest_lengths(edges: np.ndarray, rest: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """(e,) rest length of each mesh edge (``edges`` (e, 2) vertex pairs): the mean over the triangles
    holding it of that side's length in their rest (``rest`` (m, 2, 2), as ``GarmentMesh.rest_edges``)."""
    sides = np.stack([rest[:, 0], rest[:, 1] - rest[:, 0], rest[:, 1]], axis=1)  # 0->1, 1->2, 0->2
    ends = np.stack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]], axis=1).reshape(-1, 2)
    stride = np.array([1, int(tri.max()) + 1], np.int64)
    keys, side_keys = np.sort(edges, axis=1) @ stride, np.sort(ends, axis=1) @ stride
    order = np.argsort(keys)
    where = order[np.searchsorted(keys[order], side_keys)]
    total = np.bincount(where, weights=np.linalg.norm(sides.reshape(-1, 2), axis=1), minlength=len(edges))
    return total / np.bincount(where, minlength=len(edges))


def _vertex_masses(n: int, tri: np.ndarray, triangle_mass: np.ndarray) -> np.ndarray:
    """(n,) kg: a third of each triangle's mass (kg, per triangle) to each of its corners."""
    mass = np.zeros(n)
    for i in range(3):
        np.add.at(mass, tri[:, i], triangle_mass / 3.0)
    return mass


def _edges_and_hinges(tri: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique edges, and hinges (x0, x1, opposite in tri A, opposite in tri B) with their two triangles."""
    half = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    opposite = np.concatenate([tri[:, 2], tri[:, 0], tri[:, 1]])
    owner = np.tile(np.arange(len(tri)), 3)
    key = np.sort(half, axis=1)
    order = np.lexsort((key[:, 1], key[:, 0]))
    key, opposite, owner, half = key[order], opposite[order], owner[order], half[order]
    same = np.all(key[1:] == key[:-1], axis=1)
    first = np.flatnonzero(same)
    hinges = np.column_stack([half[first, 0], half[first, 1], opposite[first], opposite[first + 1]])
    hinge_tris = np.column_stack([owner[first], owner[first + 1]])
    unique = np.unique(key, axis=0)
    return unique, hinges, hinge_tris


def _cot(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Cotangent of the angle at ``a`` in triangle (a, b, c); rows of 2D or 3D points."""
    u, v = b - a, c - a
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return np.sum(u * v, axis=1) / np.maximum(np.abs(cross), 1e-12)


def hinge_weights(uv: np.ndarray, hinges: np.ndarray) -> np.ndarray:
    """Cotangent weights K (h, 4) with sum_i K_i x_i = 0 for any flat configuration."""
    x0, x1, x2, x3 = (uv[hinges[:, i]] for i in range(4))
    a0, a1 = _cot(x0, x1, x2), _cot(x1, x0, x2)
    b0, b1 = _cot(x0, x1, x3), _cot(x1, x0, x3)
    return np.column_stack([a1 + b1, a0 + b0, -(a0 + a1), -(b0 + b1)])


def _boundary_opposites(tri: np.ndarray) -> dict[tuple[int, int], int]:
    """Map each boundary edge (sorted vertex pair) to the vertex opposite it in its one triangle."""
    half = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    opposite = np.concatenate([tri[:, 2], tri[:, 0], tri[:, 1]])
    key = np.sort(half, axis=1)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    single = counts[inverse.ravel()] == 1
    return {(int(a), int(b)): int(o) for (a, b), o in zip(key[single], opposite[single])}


def _unfolded(l01: np.ndarray, l0a: np.ndarray, l1a: np.ndarray, side: float) -> np.ndarray:
    """2D position of a triangle apex over the edge (0,0)-(l01,0) from its side lengths."""
    x = (l0a**2 - l1a**2 + l01**2) / (2 * l01)
    y = np.sqrt(np.maximum(l0a**2 - x**2, 1e-16))
    return np.column_stack([x, side * y])


def _seam_hinges(uv: np.ndarray, tri: np.ndarray, seam_pairs: np.ndarray, seam_of: np.ndarray):
    """Bending hinges across seams, so a sewn seam bends like the cloth instead of folding into a fin.

    For consecutive seam pairs (a0, b0), (a1, b1) the boundary triangles on
    either side form a hinge over the (shared, once sewn) edge a0-a1; its rest
    shape is the two triangles unfolded flat.
    """
    opposite = _boundary_opposites(tri)
    rows = []
    for k in range(len(seam_pairs) - 1):
        if seam_of[k] != seam_of[k + 1]:
            continue
        (a0, b0), (a1, b1) = seam_pairs[k], seam_pairs[k + 1]
        oa = opposite.get((min(a0, a1), max(a0, a1)))
        ob = opposite.get((min(b0, b1), max(b0, b1)))
        if oa is not None and ob is not None:
            rows.append((a0, a1, b0, b1, oa, ob))
    if not rows:
        return np.empty((0, 4), np.int64), np.empty((0, 4)), np.empty(0)
    r = np.array(rows)
    dist = lambda i, j: np.linalg.norm(uv[r[:, i]] - uv[r[:, j]], axis=1)  # noqa: E731
    l01 = 0.5 * (dist(0, 1) + dist(2, 3))
    apex_a = _unfolded(l01, dist(0, 4), dist(1, 4), 1.0)
    apex_b = _unfolded(l01, dist(2, 5), dist(3, 5), -1.0)
    zeros = np.zeros(len(r))
    flat = np.stack([np.column_stack([zeros, zeros]), np.column_stack([l01, zeros]), apex_a, apex_b], axis=1)
    local = flat.reshape(-1, 2)
    idx = np.arange(len(local)).reshape(-1, 4)
    weights = hinge_weights(local, idx)
    areas = 0.5 * l01 * (np.abs(apex_a[:, 1]) + np.abs(apex_b[:, 1]))
    hinges = np.column_stack([r[:, 0], r[:, 1], r[:, 4], r[:, 5]])
    return hinges, weights, areas


def _rigidity(uv: np.ndarray, hinges: np.ndarray, warp_unm: np.ndarray | float,
              weft_unm: np.ndarray | float) -> np.ndarray:
    """Bending rigidity (N m) across each hinge edge from the warp/weft values (uN m; per hinge or one)."""
    if len(hinges) == 0:
        return np.ones(0)
    direction = uv[hinges[:, 1]] - uv[hinges[:, 0]]
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    # folding about an edge running along the weft (x) bends the warp yarns
    return (warp_unm * direction[:, 0] ** 2 + weft_unm * direction[:, 1] ** 2) * 1e-6


CLOTH_FIELDS = ("density_gsm", "stretch_weft_n_per_m", "stretch_warp_n_per_m", "shear_n_per_m",
                "bending_warp_unm", "bending_weft_unm")
DENSITY, STRETCH_WEFT, STRETCH_WARP, SHEAR, BENDING_WARP, BENDING_WEFT = range(len(CLOTH_FIELDS))


def _panel_cloth(garment: GarmentMesh, fabric: Fabric) -> np.ndarray:
    """(panels, len(CLOTH_FIELDS)): each panel's mechanics, the fabric with the panel's interfacing fused to it
    (``garment3d.interfacing``)."""
    kinds = garment.panel_interfacing or ("",) * len(garment.panel_names)
    return np.array([[getattr(bonded(fabric, kind), name) for name in CLOTH_FIELDS] for kind in kinds])


def build_model(garment: GarmentMesh, fabric: Fabric, tethers: bool = False, weld: bool = False) -> ClothModel:
    """The cloth model of ``garment`` in ``fabric``; with ``tethers``, long-range stretch limits too
    (finding them takes about a second at 1 cm, so only when asked); with ``weld``, the sewn seams solved
    as one vertex each (``ClothModel.welded``), else as pairs projected together."""
    tri = garment.faces.astype(np.int64)
    uv = garment.rest_uv
    n = len(uv)
    rest = garment.rest_edges  # the cut, or with its gathered edges drawn up (garment3d.gathering)
    dm_inv, area = _triangle_rest(rest, uv, tri)
    cut_area = area if garment.sewn_edges is None else _triangle_rest(triangle_edges(uv, tri), uv, tri)[1]
    cloth = _panel_cloth(garment, fabric)  # per panel: the fabric, with any interfacing fused to it
    face_cloth = cloth[garment.panel_of[tri[:, 0]]]
    mass = _vertex_masses(n, tri, cut_area * (face_cloth[:, DENSITY] / 1000.0))  # gathered cloth keeps its weight
    if np.any(mass <= 0):
        raise ValueError("isolated vertex without triangles")

    tri_alpha = 1.0 / (face_cloth[:, [STRETCH_WEFT, STRETCH_WARP, SHEAR]] * area[:, None])
    tri_order, tri_ptr = color_elements(tri, n)

    edges, hinges, hinge_tris = _edges_and_hinges(tri)
    hinge_k = hinge_weights(uv, hinges)
    hinge_cloth = cloth[garment.panel_of[hinges[:, 0]]] if len(hinges) else np.zeros((0, len(CLOTH_FIELDS)))
    hinge_alpha = area[hinge_tris].sum(axis=1) / (
        3.0 * _rigidity(uv, hinges, hinge_cloth[:, BENDING_WARP], hinge_cloth[:, BENDING_WEFT]))
    hinge_order, hinge_ptr = color_elements(hinges, n)
    seam_hinges, seam_k, seam_area = _seam_hinges(uv, tri, garment.seam_pairs, garment.seam_of)
    seam_hinge_alpha = seam_area / (3.0 * SEAM_STIFFENING * _rigidity(uv, seam_hinges, fabric.bending_warp_unm,
                                                                      fabric.bending_weft_unm))
    seam_hinge_order, seam_hinge_ptr = color_elements(seam_hinges, n)

    seam = garment.seam_pairs.astype(np.int64)
    seam = seam[seam[:, 0] != seam[:, 1]]
    seam_order, seam_ptr = color_elements(seam, n)
    tether, tether_max = tether_pairs(garment) if tethers else (np.zeros((0, 2), np.int32), np.zeros(0))
    tether_order, tether_ptr = color_elements(tether, n)
    welded = None if not weld else weld_constraints(
        mass, seam, tri, dm_inv, tri_alpha, np.vstack([hinges, seam_hinges]).astype(np.int64),
        np.vstack([hinge_k, seam_k]), np.concatenate([hinge_alpha, seam_hinge_alpha]))

    seam = seam[seam_order]
    return ClothModel(
        n=n,
        inv_mass=1.0 / mass,
        tri=tri[tri_order].astype(np.int32),
        tri_dm_inv=dm_inv[tri_order],
        tri_alpha=tri_alpha[tri_order],
        tri_color_ptr=tri_ptr,
        hinge=hinges[hinge_order].astype(np.int32),
        hinge_k=hinge_k[hinge_order],
        hinge_alpha=hinge_alpha[hinge_order],
        hinge_color_ptr=hinge_ptr,
        seam_hinge=seam_hinges[seam_hinge_order].astype(np.int32),
        seam_hinge_k=seam_k[seam_hinge_order],
        seam_hinge_alpha=seam_hinge_alpha[seam_hinge_order],
        seam_hinge_color_ptr=seam_hinge_ptr,
        seam=seam.astype(np.int32),
        seam_color_ptr=seam_ptr,
        tether=tether[tether_order].astype(np.int32),
        tether_max=tether_max[tether_order],
        tether_color_ptr=tether_ptr,
        anchor=np.flatnonzero(garment.anchor_mask).astype(np.int32),
        rest_edge=edges.astype(np.int32),
        rest_length=np.linalg.norm(uv[edges[:, 0]] - uv[edges[:, 1]], axis=1) if garment.sewn_edges is None
        else _edge_rest_lengths(edges, rest, tri),
        thickness_m=max(0.5 * fabric.thickness_mm * 1e-3, 0.0) + 0.003,
        friction=fabric.friction,
        **_fasteners(garment, fabric, n),
        welded=welded,
        support=_support(support_triangles(garment), tri, dm_inv, tri_alpha, seam, n),
    )


def support_triangles(garment: GarmentMesh, depth_m: float = SUPPORT_DEPTH_M) -> np.ndarray:
    """Indices (into ``garment.faces``) of the triangles whose three corners lie within ``depth_m`` (flat)
    of an anchored vertex of their own panel; none if nothing is anchored."""
    faces = np.asarray(garment.faces, np.int64)
    near = np.zeros(len(garment.rest_uv), np.bool_)
    for panel in np.unique(garment.panel_of[garment.anchor_mask]):
        mine = np.flatnonzero(garment.panel_of == panel)
        anchored = mine[garment.anchor_mask[mine]]
        distance, _ = cKDTree(garment.rest_uv[anchored]).query(garment.rest_uv[mine], distance_upper_bound=depth_m)
        near[mine] = np.isfinite(distance)
    same_panel = garment.panel_of[faces[:, 0]] == garment.panel_of[faces[:, 1]]
    same_panel &= garment.panel_of[faces[:, 0]] == garment.panel_of[faces[:, 2]]
    return np.flatnonzero(near[faces].all(axis=1) & same_panel)


def _support(index: np.ndarray, tri: np.ndarray, dm_inv: np.ndarray, alpha: np.ndarray, seam: np.ndarray,
             n: int) -> Support:
    """The support's triangles (``index`` into ``tri``) and the seam pairs (rows of ``seam``, the model's
    order) that touch them, each ordered by colour."""
    if len(index) == 0:
        return Support()
    order, ptr = color_elements(tri[index], n)
    chosen = index[order]
    on = np.zeros(n, np.bool_)
    on[tri[index].ravel()] = True
    rows = np.flatnonzero(on[seam].any(axis=1)) if len(seam) else np.zeros(0, np.int64)
    seam_order, seam_ptr = color_elements(seam[rows], n)
    return Support(TriangleSet(tri[chosen].astype(np.int32), dm_inv[chosen], alpha[chosen], ptr),
                   seam[rows][seam_order].astype(np.int32), seam_ptr, rows[seam_order].astype(np.int64))
