"""Trims: the visible part of each fastener, as small meshes sitting on the draped cloth.

:func:`build_trims` works on plain arrays (draped positions, faces, per-vertex
normals, an anchor vertex, a kind and a size per fastener, optional zip paths)
and returns one :class:`Trim` per fastener: named parts, each a closed
:class:`~garment3d.texture.Surface` and a material role. :func:`garment_trims`
reads those arrays from a :class:`Drape`, leaving out the fasteners that are
hidden in a made garment (``HIDDEN_KINDS``: press studs and hooks and eyes sit
inside an overlap or behind an edge, so a pale cap on the outer cloth would be
wrong). The GLB writer and the renderer both draw from there; neither changes
the simulation.

Shapes (sizes are the fastener's ``size``, the visible diameter or span):

- ``button``: a domed disc, dished top with four holes (two below 1.3 cm) and
  two bars of thread; horn on light cloth, shell on dark.
- ``press_stud``: a low nickel cap with a rounded rim and a centre boss.
- ``frog`` (pankou, 一字扣): a round woven knot at the anchor, and on either side
  across the opening a leg of doubled cord sewn flat, ``size`` long (the frog
  spans twice its size). The cord is the garment's own fabric, its tone
  shifted (see :func:`trim_look`).
- ``hook_eye``: a small bent nickel wire hook and the round eye it engages.
- ``tie``: a bow of self-fabric ribbon: two loops ``size`` long and two tails
  falling with gravity.
- ``zip``: a tape with interlocking teeth along the zipped seam (a coil dyed
  to match the cloth, as dress and trouser zips are), and a nickel slider with
  its pull at the top.

Rigid trims (buttons, studs, knots, hooks) are lifted so that no part of their
footprint dips into the cloth; cords, ribbons and zips follow the cloth's curve.
Everything is placed on the outermost layer under the anchor (at an overlap,
the outer panel), ``CLEARANCE_M`` off the cloth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from garment3d import trim_shapes as shapes
from garment3d.errors import RenderError
from garment3d.texture import Surface, garment_normals

__all__ = ["TRIM_KINDS", "HIDDEN_KINDS", "CLEARANCE_M", "TrimPart", "Trim", "TrimLook", "trim_look", "build_trims",
           "garment_trims", "opening_directions", "zip_paths"]

TRIM_KINDS = ("button", "press_stud", "frog", "hook_eye", "tie", "zip")
HIDDEN_KINDS = ("press_stud", "hook_eye")  # sewn inside the overlap: hold the cloth, never seen
CLEARANCE_M = 0.0005  # gap between the cloth and the underside of a trim
_SMALLEST_M, _LARGEST_M = 0.003, 0.20
_UP = np.array([0.0, 1.0, 0.0])
_EDGE_WINDOW_M = 0.015  # the opening's direction is averaged over this much of its edge


@dataclass(frozen=True)
class TrimPart:
    """One closed surface of a trim and its material role (see :func:`trim_look`)."""

    surface: Surface
    material: str


@dataclass(frozen=True)
class Trim:
    """One fastener's visible geometry: ``name`` like ``trim_button_3`` (kind and fastener index)."""

    name: str
    kind: str
    anchor: int
    parts: tuple[TrimPart, ...]

    @property
    def positions(self) -> np.ndarray:
        return np.vstack([part.surface.positions for part in self.parts])


@dataclass(frozen=True)
class TrimLook:
    """A material: sRGB display colour, roughness, metallic (0 or 1)."""

    rgb: tuple[float, float, float]
    roughness: float
    metallic: float = 0.0


_HORN = TrimLook((0.30, 0.22, 0.16), 0.35)
_SHELL = TrimLook((0.90, 0.88, 0.83), 0.28)
_NICKEL = TrimLook((0.78, 0.78, 0.80), 0.32, 1.0)


def trim_look(material: str, cloth_rgb) -> TrimLook:
    """The look of a trim material on cloth of mean sRGB colour ``cloth_rgb``.

    ``button``: horn (dark) on light cloth, mother-of-pearl shell on dark cloth, so a
    button reads at turntable size. ``metal``: nickel. ``cord`` (frogs, ties) and
    ``thread``: self-fabric, the cloth's hue with its lightness moved about a third
    of the way towards contrast (darker on light cloth, lighter on dark): frogs are
    traditionally made of a bias tube of the garment's own silk, and an unshifted
    cord vanishes into the cloth in a still. ``tape``: the cloth, a little darker;
    ``coil`` (zip teeth): darker still, as a nylon coil zip dyed to match.
    """
    cloth = np.clip(np.asarray(cloth_rgb, dtype=np.float64), 0.0, 1.0)
    light = float(cloth @ np.array([0.2126, 0.7152, 0.0722])) > 0.45
    if material == "button":
        return _HORN if light else _SHELL
    if material == "metal":
        return _NICKEL
    if material in ("cord", "thread"):
        gain = 1.6 if material == "cord" else 2.0
        shifted = cloth / gain if light else np.clip(cloth * gain + 0.05, 0.0, 1.0)  # hue kept
        return TrimLook(tuple(float(c) for c in shifted), 0.55)
    if material == "tape":
        return TrimLook(tuple(float(c) for c in cloth * 0.8), 0.7)
    if material == "coil":
        return TrimLook(tuple(float(c) for c in cloth * 0.6), 0.45)
    raise RenderError(f"unknown trim material {material!r}")


# --------------------------------------------------------------------------- entry points


def build_trims(
    positions: np.ndarray,
    faces: np.ndarray,
    normals: np.ndarray,
    anchors,
    kinds,
    sizes_m,
    *,
    across: np.ndarray | None = None,
    zips=(),
    zip_sizes_m=None,
    numbers=None,
) -> tuple[Trim, ...]:
    """One :class:`Trim` per fastener given (hidden kinds too), then one per zip.

    positions : (n, 3) float64, m, the draped cloth.   faces : (m, 3) int, outward winding.
    normals   : (n, 3) unit per-vertex normals (outward).
    anchors   : (f,) int, the vertex each trim sits on (a fastener's outer-layer vertex).
    kinds     : (f,) str from ``TRIM_KINDS`` (not ``zip``).   sizes_m : (f,) visible size, m.
    across    : (f, 3) or None, a direction across the opening at each anchor (frogs and
                hooks lie along it); horizontal on the cloth where not given.
    zips      : sequence of (k,) int vertex paths along zipped seams, in order, top or bottom first.
    zip_sizes_m : tooth-chain width per zip (default 6 mm).
    numbers   : (f,) int or None, each fastener's number in the garment, for the trim's name
                (default 0..f-1).
    """
    positions = np.asarray(positions, dtype=np.float64)
    normals = np.asarray(normals, dtype=np.float64)
    anchors = np.asarray(anchors, dtype=np.int64).reshape(-1)
    sizes = np.asarray(sizes_m, dtype=np.float64).reshape(-1)
    kinds = tuple(kinds)
    if not (len(kinds) == len(anchors) == len(sizes)):
        raise RenderError(f"trims: {len(anchors)} anchors, {len(kinds)} kinds and {len(sizes)} sizes differ in number")
    if len(anchors) and (anchors.min() < 0 or anchors.max() >= len(positions)):
        raise RenderError(f"trims: anchor vertex out of range 0..{len(positions) - 1}")
    for index, (kind, size) in enumerate(zip(kinds, sizes)):
        if kind not in TRIM_KINDS or kind == "zip":
            raise RenderError(f"trim {index}: unknown kind {kind!r} (one of {', '.join(TRIM_KINDS[:-1])})")
        if not np.isfinite(size) or not _SMALLEST_M <= size <= _LARGEST_M:
            raise RenderError(f"trim {index} ({kind}): size {float(size):g} m is outside {_SMALLEST_M}..{_LARGEST_M} m")
    numbers = range(len(anchors)) if numbers is None else [int(n) for n in numbers]
    cloth = _Cloth(positions, normals, faces)
    trims = []
    for index, (anchor, kind, size, number) in enumerate(zip(anchors, kinds, sizes, numbers)):
        direction = None if across is None else np.asarray(across[index], dtype=np.float64)
        place = _Placement(cloth, int(anchor), direction)
        parts = _BUILDERS[kind](place, float(size))
        trims.append(Trim(f"trim_{kind}_{number}", kind, int(anchor), tuple(parts)))
    widths = [0.006] * len(zips) if zip_sizes_m is None else list(zip_sizes_m)
    for index, (path, width) in enumerate(zip(zips, widths)):
        path = np.asarray(path, dtype=np.int64)
        if len(path) < 2:
            continue
        trims.append(Trim(f"trim_zip_{index}", "zip", int(path[0]), tuple(_zip(cloth, path, float(width)))))
    return tuple(trims)


def garment_trims(drape) -> tuple[Trim, ...]:
    """The trims seen on a :class:`Drape`: its garment's fasteners but ``HIDDEN_KINDS`` (and zipped seams).

    Names keep the fastener's number in the garment (``trim_frog_2``).
    """
    garment = drape.garment
    pairs = np.asarray(garment.fastener_pairs, dtype=np.int64).reshape(-1, 2)
    kinds = tuple(garment.fastener_kinds)
    shown = np.array([index for index, kind in enumerate(kinds) if kind not in HIDDEN_KINDS], dtype=np.int64)
    paths = zip_paths(garment)
    if len(shown) == 0 and not paths:
        return ()
    positions = np.asarray(drape.positions, dtype=np.float64)
    faces = np.asarray(garment.faces, dtype=np.int64)
    normals = garment_normals(positions, faces, garment.seam_pairs)
    anchors = pairs[shown, 0]
    across = opening_directions(positions, faces, normals, anchors, garment.panel_of, garment.seam_pairs)
    sizes = np.asarray(garment.fastener_sizes_cm, dtype=np.float64)[shown] / 100.0
    return build_trims(positions, faces, normals, anchors, [kinds[i] for i in shown], sizes, across=across,
                       zips=paths, numbers=shown)


def zip_paths(garment) -> list[np.ndarray]:
    """Vertex paths of the zipped seams, each ordered along its seam (the outer side's vertices).

    Reads ``garment.seam_kinds`` (one per pattern seam, as ``Seam.kind``).
    """
    kinds = tuple(garment.seam_kinds)
    seam_of = np.asarray(garment.seam_of)
    pairs = np.asarray(garment.seam_pairs)
    positions = np.asarray(garment.positions, dtype=np.float64)
    paths = []
    for seam, kind in enumerate(kinds):
        if kind != "zip":
            continue
        ordered = pairs[seam_of == seam, 0]  # in the order of the seam's edge
        if len(ordered) < 2:
            continue
        if positions[ordered[0], 1] < positions[ordered[-1], 1]:  # top first (the slider's end)
            ordered = ordered[::-1]
        paths.append(ordered)
    return paths


def opening_directions(positions, faces, normals, anchors, panel_of=None, seam_pairs=None) -> np.ndarray:
    """(f, 3) unit directions on the cloth across the nearest free (unsewn) edge of each anchor's panel.

    A fastener closes an opening, and the opening is an edge no seam joins; frogs
    and hooks lie across it. Where the panel has no free edge, the horizontal on the cloth.
    """
    positions = np.asarray(positions, dtype=np.float64)
    anchors = np.asarray(anchors, dtype=np.int64).reshape(-1)
    faces = np.asarray(faces, dtype=np.int64)
    edges = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])  # in winding order
    _, inverse, counts = np.unique(np.sort(edges, axis=1), axis=0, return_inverse=True, return_counts=True)
    boundary = edges[counts[inverse.ravel()] == 1]  # one loop direction per boundary
    sewn = np.zeros(len(positions), bool)
    if seam_pairs is not None and len(seam_pairs):
        sewn[np.asarray(seam_pairs, dtype=np.int64).ravel()] = True
    free = boundary[~(sewn[boundary[:, 0]] & sewn[boundary[:, 1]])]
    result = np.empty((len(anchors), 3))
    for row, anchor in enumerate(anchors):
        n = normals[anchor]
        candidates = free
        if panel_of is not None and len(free):
            panel_of = np.asarray(panel_of)
            candidates = free[panel_of[free[:, 0]] == panel_of[anchor]]
        direction = np.cross(_UP, n)
        if len(candidates):
            mid = 0.5 * (positions[candidates[:, 0]] + positions[candidates[:, 1]])
            distance = np.linalg.norm(mid - positions[anchor], axis=1)
            near = distance <= distance.min() + _EDGE_WINDOW_M  # the edge's run over a few cm, not one segment
            tangent = (positions[candidates[near, 1]] - positions[candidates[near, 0]]).sum(axis=0)
            direction = np.cross(n, tangent)
        direction = direction - n * float(direction @ n)
        length = np.linalg.norm(direction)
        result[row] = direction / length if length > 1e-9 else _any_perpendicular(n)
    return result


# --------------------------------------------------------------------------- placement on the cloth


class _Cloth:
    """Finds the outermost cloth surface under points: a ray down ``outward`` onto the triangles
    round the nearest vertices (the tangent planes of those vertices where the ray misses)."""

    def __init__(self, positions: np.ndarray, normals: np.ndarray, faces: np.ndarray):
        from scipy.spatial import cKDTree

        self.positions = positions
        self.normals = normals
        self.faces = np.asarray(faces, dtype=np.int64)
        self.tree = cKDTree(positions)
        self._faces_at = _faces_at_vertices(self.faces, len(positions))

    def surface_under(self, points: np.ndarray, outward: np.ndarray):
        """Points on the cloth under ``points`` (m, 3) seen along ``outward`` (3,) and the normals there."""
        k = min(8, len(self.positions))
        distance, index = self.tree.query(points, k=k)
        distance, index = distance.reshape(len(points), k), index.reshape(len(points), k)
        surface, normals = self._near_planes(points, outward, distance, index)
        faces = self._faces_at[index].reshape(len(points), -1)  # (m, K), -1 padding
        hit, t, u, v = _rays_down(points, -outward, self.positions, self.faces, faces)
        rows = np.nonzero(hit.any(axis=1))[0]
        if len(rows):
            best = np.argmin(np.where(hit[rows], t[rows], np.inf), axis=1)  # the outermost layer
            face = self.faces[faces[rows, best]]
            uu, vv = u[rows, best], v[rows, best]
            weights = np.column_stack([1.0 - uu - vv, uu, vv])
            surface[rows] = points[rows] - t[rows, best][:, None] * outward
            normals[rows] = _unit(np.einsum("mk,mkj->mj", weights, self.normals[face]))
        return surface, normals

    def _near_planes(self, points, outward, distance, index):
        corner, normal = self.positions[index], self.normals[index]
        offset = np.einsum("mkj,mkj->mk", points[:, None, :] - corner, normal)
        projected = points[:, None, :] - offset[..., None] * normal
        height = (projected - points[:, None, :]) @ outward
        usable = (distance <= 1.5 * distance[:, :1] + 0.004) & (normal @ outward > 0.2)
        usable[:, 0] |= ~usable.any(axis=1)
        top = np.where(usable, height, -np.inf).max(axis=1, keepdims=True)
        weight = np.where(usable & (height >= top - 0.0015), 1.0 / (distance + 1e-4) ** 2, 0.0)
        weight /= weight.sum(axis=1, keepdims=True)
        surface = np.einsum("mk,mkj->mj", weight, projected)
        normals = _unit(np.einsum("mk,mkj->mj", weight, normal))
        return surface, normals


class _Placement:
    """The frame of one trim: origin on the outer cloth at its anchor, x across the opening, z outward."""

    def __init__(self, cloth: _Cloth, anchor: int, across: np.ndarray | None):
        self.cloth = cloth
        self.anchor = anchor
        n = cloth.normals[anchor]
        origin, normal = cloth.surface_under(cloth.positions[anchor][None] + 0.002 * n, n)
        self.origin, self.n = origin[0], normal[0]
        if across is None or np.linalg.norm(across - self.n * (across @ self.n)) < 1e-9:
            across = np.cross(_UP, self.n)
            if np.linalg.norm(across) < 1e-9:
                across = _any_perpendicular(self.n)
        across = across - self.n * (across @ self.n)
        self.u = across / np.linalg.norm(across)
        self.v = np.cross(self.n, self.u)
        self._lifts: dict[float, float] = {}

    def level(self) -> _Placement:
        """The same placement with x horizontal on the cloth (a bow lies level whatever the opening)."""
        return _Placement(self.cloth, self.anchor, np.cross(_UP, self.n))

    @property
    def frame(self) -> np.ndarray:
        return np.array([self.u, self.v, self.n])

    def rigid(self, vertices: np.ndarray, faces: np.ndarray, footprint: float, material: str) -> TrimPart:
        """A rigid piece: local (x, y, z) to the frame, lifted so its ``footprint`` radius clears the cloth."""
        lift = self.lift(footprint)
        world = self.origin + (lift + CLEARANCE_M) * self.n + vertices @ self.frame
        return _part(world, faces, material)

    def lift(self, radius: float) -> float:
        """How far the cloth rises above the tangent plane within ``radius`` (0 if it falls away)."""
        if radius not in self._lifts:
            self._lifts[radius] = self._rise(radius)
        return self._lifts[radius]

    def _rise(self, radius: float) -> float:
        angles = np.linspace(0.0, 2.0 * np.pi, 12, endpoint=False)
        ring = np.vstack([np.outer(np.cos(angles), self.u) + np.outer(np.sin(angles), self.v)]) * radius
        samples = self.origin + np.vstack([ring, 0.5 * ring]) + 0.004 * self.n
        surface, _ = self.cloth.surface_under(samples, self.n)
        return float(max(0.0, ((surface - self.origin) @ self.n).max()))

    def on_cloth(self, xy: np.ndarray):
        """Local (x, y) points (k, 2) laid on the cloth: positions and normals there."""
        points = self.origin + xy[:, :1] * self.u + xy[:, 1:2] * self.v + 0.004 * self.n
        return self.cloth.surface_under(points, self.n)

    def cord(self, xy: np.ndarray, half_width: float, half_height: float, material: str,
             closed: bool = False, sides: int = 10) -> TrimPart:
        """A cord or ribbon sewn flat on the cloth along the local path ``xy``."""
        surface, normals = self.on_cloth(xy)
        centre = surface + normals * (half_height + CLEARANCE_M)
        return _part(*shapes.tube(centre, normals, half_width, half_height, sides=sides, closed=closed), material)


# --------------------------------------------------------------------------- kinds


def _button(place: _Placement, size: float) -> list[TrimPart]:
    radius = 0.5 * size
    thickness = max(0.0018, 0.2 * size)

    def top(r):
        r = np.asarray(r, dtype=np.float64) / radius
        dish = thickness * (0.8 + 0.2 * np.clip(r / 0.78, 0.0, 1.0) ** 2)
        rim = 0.5 * thickness + 0.5 * thickness * np.sqrt(np.clip(1.0 - ((r - 0.78) / 0.22) ** 2, 0.0, 1.0))
        return np.where(r <= 0.78, dish, rim)

    count = 4 if size >= 0.013 else 2
    angles = np.radians(45.0 + np.arange(count) * 360.0 / count) if count == 4 else np.radians([0.0, 180.0])
    holes = 0.3 * radius * np.column_stack([np.cos(angles), np.sin(angles)])
    hole_radius = 0.11 * radius
    body = place.rigid(*shapes.domed_disc(radius, top, holes, hole_radius, 0.15 * thickness), radius, "button")
    thread_r = 0.35 * hole_radius
    bars = [(0, 1), (3, 2)] if count == 4 else [(0, 1)]
    threads = []
    for a, b in bars:
        t = np.linspace(0.0, 1.0, 7)
        xy = holes[a][None] + t[:, None] * (holes[b] - holes[a])[None]
        z = 0.8 * thickness + thread_r * 0.6 + 0.25 * thickness * np.sin(np.pi * t)
        path = np.column_stack([xy, z])
        threads.append(shapes.tube(path, np.tile([0.0, 0.0, 1.0], (len(t), 1)), thread_r, sides=6))
    return [body, place.rigid(*shapes.joined(*threads), radius, "thread")]


def _press_stud(place: _Placement, size: float) -> list[TrimPart]:
    radius = 0.5 * size
    thickness = max(0.0012, 0.13 * size)

    def top(r):
        r = np.asarray(r, dtype=np.float64) / radius
        cap = thickness * np.sqrt(np.clip(1.0 - r**6, 0.0, 1.0))
        boss = 0.25 * thickness * np.clip((0.3 - r) / 0.08, 0.0, 1.0)
        return np.maximum(cap, 0.3 * thickness) + boss

    return [place.rigid(*shapes.domed_disc(radius, top, rings=14, sectors=40), radius, "metal")]


def _frog(place: _Placement, size: float) -> list[TrimPart]:
    """A straight frog (一字扣): knot at the anchor, a leg of doubled cord ``size`` long either side across the opening."""
    span = 2.0 * size
    knot_radius = float(np.clip(0.11 * span, 0.003, 0.008))
    cord = float(np.clip(0.028 * span, 0.0009, 0.0022))  # cord radius
    leg = 0.5 * span
    parts = []
    for sign, inner in ((-1.0, 0.6 * knot_radius), (1.0, -0.4 * knot_radius)):
        # the knot's leg ends at the knot; the loop's leg reaches round it (the knot passes through)
        xy = _stadium(inner, leg, 1.4 * cord, 40) * np.array([sign, 1.0])
        parts.append(place.cord(xy, cord, cord, "cord", closed=True, sides=8))
    ball = shapes.knot_ball(knot_radius)
    parts.append(place.rigid(ball[0] + np.array([0.0, 0.0, 1.08 * knot_radius]), ball[1], knot_radius, "cord"))
    return parts


def _hook_eye(place: _Placement, size: float) -> list[TrimPart]:
    wire = max(0.0004, 0.045 * size)
    s = size
    t = np.linspace(0.0, np.pi, 9)
    hook = np.vstack([
        np.column_stack([np.linspace(-0.45 * s, 0.15 * s, 6), np.full(6, 0.12 * s)]),
        np.column_stack([0.15 * s + 0.12 * s * np.sin(t[1:]), 0.12 * s * np.cos(t[1:])]),
        np.column_stack([np.linspace(0.15 * s, -0.05 * s, 4)[1:], np.full(3, -0.12 * s)]),
    ])  # fmt: skip
    phi = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
    eye = np.column_stack([0.42 * s + 0.12 * s * np.cos(phi), 0.2 * s * np.sin(phi)])
    return [
        place.cord(hook, wire, wire, "metal", sides=8),
        place.cord(eye, wire, wire, "metal", closed=True, sides=8),
    ]


def _tie(place: _Placement, size: float) -> list[TrimPart]:
    """A bow: loops ``size`` long either side of the knot, ribbon 0.4 ``size`` wide, tails 2.5 ``size`` long."""
    place = place.level()
    size = 2.0 * size  # the bow's width
    ribbon, thick = 0.1 * size, max(0.0006, 0.025 * size)
    down = _UP - place.n * (_UP @ place.n)
    down = -down / max(np.linalg.norm(down), 1e-9)
    dx, dy = down @ place.u, down @ place.v  # gravity in the local frame
    parts = []
    for sign in (-1.0, 1.0):
        loop = _teardrop(0.5 * size, 0.18 * size, 30) * np.array([sign, 1.0])
        parts.append(place.cord(loop, ribbon, thick, "cord", closed=True, sides=8))
        t = np.linspace(0.0, 1.0, 12)
        spread = np.radians(18.0) * sign
        c, s = np.cos(spread), np.sin(spread)
        direction = np.array([c * dx - s * dy, s * dx + c * dy])
        sway = np.outer(0.03 * size * np.sin(np.pi * t), [-direction[1], direction[0]])
        tail = np.outer(t * 1.25 * size, direction) + sway
        parts.append(place.cord(tail, ribbon, thick, "cord", sides=8))
    knot = shapes.knot_ball(0.12 * size, subdivisions=2)
    knot_vertices = knot[0] * np.array([1.0, 0.8, 0.6]) + [0.0, 0.0, 0.08 * size + thick]
    parts.append(place.rigid(knot_vertices, knot[1], 0.12 * size, "cord"))
    return parts


def _zip(cloth: _Cloth, path: np.ndarray, width: float) -> list[TrimPart]:
    """Teeth every 2.5 mm along the path (alternating sides, interlocked), tape, slider and pull at the start."""
    points = cloth.positions[path]
    step = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(step)])
    pitch = 0.0025
    s = np.arange(0.0, along[-1] + 1e-9, pitch)
    centre = np.column_stack([np.interp(s, along, points[:, k]) for k in range(3)])
    raw_n = np.column_stack([np.interp(s, along, cloth.normals[path][:, k]) for k in range(3)])
    surface, normals = cloth.surface_under(centre + 0.003 * _unit(raw_n), _unit(raw_n.mean(axis=0)))
    tangent = _unit(np.gradient(surface, axis=0)) if len(surface) > 1 else np.tile(_UP, (1, 1))
    side = _unit(np.cross(normals, tangent))
    tooth_h = max(0.0006, 0.12 * width)
    teeth = []
    for i in range(len(surface)):
        offset = (0.12 if i % 2 else -0.12) * width
        middle = surface[i] + normals[i] * (CLEARANCE_M + 0.7 * tooth_h) + side[i] * offset
        axes = np.array([side[i], tangent[i], normals[i]])
        teeth.append(shapes.box(middle, axes, (0.3 * width, 0.45 * pitch, tooth_h)))
    parts = [_part(*shapes.joined(*teeth), "coil")]
    tape_centre = surface + normals * (CLEARANCE_M + 0.0003)
    parts.append(_part(*shapes.tube(tape_centre, normals, 0.9 * width, 0.0003, sides=8), "tape"))
    head, n0, t0, side0 = surface[0], normals[0], tangent[0], side[0]
    axes = np.array([side0, t0, n0])
    slider = shapes.box(head + n0 * (CLEARANCE_M + 2.0 * tooth_h) + t0 * 0.5 * width, axes,
                        (0.55 * width, 0.9 * width, 1.1 * tooth_h))
    pull = shapes.box(head + n0 * (CLEARANCE_M + 3.4 * tooth_h) + t0 * 1.9 * width, axes,
                      (0.35 * width, 1.3 * width, 0.4 * tooth_h))
    parts.append(_part(*shapes.joined(slider, pull), "metal"))
    return parts


_BUILDERS = {"button": _button, "press_stud": _press_stud, "frog": _frog, "hook_eye": _hook_eye, "tie": _tie}


# --------------------------------------------------------------------------- helpers


def _faces_at_vertices(faces: np.ndarray, count: int, most: int = 12) -> np.ndarray:
    """(count, most) faces round each vertex, -1 padded (a vertex in more faces keeps the first ``most``)."""
    corner = faces.ravel()
    order = np.argsort(corner, kind="stable")
    sorted_corner = corner[order]
    start = np.searchsorted(sorted_corner, np.arange(count))
    rank = np.arange(len(corner)) - start[sorted_corner]
    table = np.full((count, most), -1, dtype=np.int64)
    keep = rank < most
    table[sorted_corner[keep], rank[keep]] = order[keep] // 3
    return table


def _rays_down(origins: np.ndarray, direction: np.ndarray, positions, faces, candidates):
    """Möller-Trumbore of ray m against its candidate faces (m, K): hit mask, distance, barycentric u, v."""
    corners = positions[faces[np.maximum(candidates, 0)]]  # (m, K, 3, 3)
    e1, e2 = corners[:, :, 1] - corners[:, :, 0], corners[:, :, 2] - corners[:, :, 0]
    p = np.cross(direction, e2)
    det = np.einsum("mkj,mkj->mk", e1, p)
    ok = (np.abs(det) > 1e-14) & (candidates >= 0)
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origins[:, None, :] - corners[:, :, 0]
    u = np.einsum("mkj,mkj->mk", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ direction) * inv
    t = np.einsum("mkj,mkj->mk", e2, q) * inv
    hit = ok & (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9) & (t > -0.003)
    return hit, t, u, v


def _stadium(x0: float, x1: float, half_width: float, count: int) -> np.ndarray:
    """A closed rounded slot from x0 to x1 along x, ``half_width`` either side (k, 2), anticlockwise."""
    radius = half_width
    a, b = min(x0, x1) + radius, max(x0, x1) - radius
    n = count // 2
    right = np.linspace(-np.pi / 2, np.pi / 2, n)
    left = np.linspace(np.pi / 2, 3 * np.pi / 2, n)
    return np.vstack([
        np.column_stack([b + radius * np.cos(right), radius * np.sin(right)]),
        np.column_stack([a + radius * np.cos(left), radius * np.sin(left)]),
    ])  # fmt: skip


def _teardrop(length: float, width: float, count: int) -> np.ndarray:
    """A closed loop from the origin out to ``length`` along x and back (a bow's loop), (k, 2)."""
    t = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
    x = 0.5 * length * (1.0 - np.cos(t))
    y = 0.5 * width * np.sin(t) * (0.4 + 0.6 * x / length)
    return np.column_stack([x, y])


def _part(vertices: np.ndarray, faces: np.ndarray, material: str) -> TrimPart:
    faces = np.asarray(faces, dtype=np.int64)
    vertices = np.asarray(vertices, dtype=np.float64)
    return TrimPart(Surface(vertices, garment_normals(vertices, faces), faces), material)


def _any_perpendicular(n: np.ndarray) -> np.ndarray:
    helper = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    direction = np.cross(n, helper)
    return direction / np.linalg.norm(direction)


def _unit(vectors: np.ndarray) -> np.ndarray:
    length = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(length, 1e-12)
