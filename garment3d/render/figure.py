"""The figure the garment is shown on: a display-only mesh made from the fitted body.

Fitting, draping and measuring keep the real :class:`Body`; only its look
changes here. Styles:

- ``dress_form`` (default): the torso from just above the crotch to the base of
  the neck, arms cut away at the armholes, smoothed (no nipples, navel or other
  anatomical detail), every opening capped, a wooden neck cap, on a pole and a
  round base. Matte ecru. A garment with sleeves gets the form's fitting arms
  (to the wrist) and one with trouser legs its legs (to the ankle), as a
  pattern room fits them, so that no sleeve or leg hangs round empty air
  (``limbs``; :func:`garment_limbs` finds them in the drape).
- ``mannequin``: the whole figure smoothed, its head replaced by an abstract egg,
  satin white.
- ``avatar``: the body as fitted, in one of :data:`SKIN_TONES`.

Smoothing never moves the surface outwards by more than a few millimetres, so
a figure made from the body a garment was draped on stays inside the cloth.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from garment3d.errors import InvalidRequestError
from garment3d.geometry import edge_adjacency
from garment3d.texture import Surface, body_surface, garment_normals
from garment3d.types import Body

__all__ = ["FIGURE_STYLES", "LIMBS", "SKIN_TONES", "FigurePart", "Figure", "build_figure", "garment_limbs", "pattern_limbs"]

log = logging.getLogger(__name__)

FIGURE_STYLES = ("dress_form", "mannequin", "avatar")
LIMBS = ("arms", "legs")  # what a dress form can carry besides its torso
# sRGB display colours, light to deep (a range, not a claim about anyone's skin)
SKIN_TONES = {
    "porcelain": (0.93, 0.80, 0.72),
    "light": (0.87, 0.70, 0.58),
    "medium": (0.76, 0.57, 0.43),
    "tan": (0.63, 0.45, 0.32),
    "brown": (0.47, 0.32, 0.22),
    "deep": (0.32, 0.21, 0.15),
}
_OUTWARD_LIMIT_M = 0.001  # smoothing may fill a dent by at most this much


@dataclass(frozen=True)
class FigurePart:
    """One surface of the figure and its matte material (sRGB colour)."""

    name: str
    surface: Surface
    rgb: tuple[float, float, float]
    roughness: float = 0.8
    specular: float = 0.03
    wrap: float = 0.0  # soft diffuse falloff (skin)


@dataclass(frozen=True)
class Figure:
    style: str
    parts: tuple[FigurePart, ...]

    @property
    def positions(self) -> np.ndarray:
        return np.vstack([part.surface.positions for part in self.parts])


def build_figure(body: Body, style: str = "dress_form", skin_tone: str = "medium", rgb=None,
                 limbs: tuple[str, ...] = ()) -> Figure:
    """The display figure of ``body`` in ``style``; ``rgb`` overrides the style's colour (sRGB).

    ``limbs`` (any of :data:`LIMBS`): the dress form keeps its arms to the wrist and its legs to the ankle
    (the other styles always show the whole figure)."""
    unknown = set(limbs) - set(LIMBS)
    if unknown:
        raise InvalidRequestError(f"limbs must be among {', '.join(LIMBS)}, got {sorted(unknown)}")
    if style not in FIGURE_STYLES:
        raise InvalidRequestError(f"figure must be one of {', '.join(FIGURE_STYLES)}, got {style!r}")
    if style == "avatar":
        if skin_tone not in SKIN_TONES:
            raise InvalidRequestError(f"skin tone must be one of {', '.join(SKIN_TONES)}, got {skin_tone!r}")
        colour = tuple(rgb) if rgb is not None else SKIN_TONES[skin_tone]
        part = FigurePart("avatar_body", body_surface(body), colour, roughness=0.55, specular=0.028, wrap=0.25)
        return Figure(style, (part,))
    if limbs and body.landmarks.frames is None:  # a body without arm and leg frames (a bare scan): no limbs
        log.info("the body has no limb frames: the dress form is shown without arms or legs")
        limbs = ()
    levels = _levels(body)
    if style == "mannequin":
        return _mannequin(body, levels, tuple(rgb) if rgb is not None else (0.90, 0.89, 0.87))
    return _dress_form(body, levels, tuple(rgb) if rgb is not None else (0.86, 0.82, 0.74), frozenset(limbs))


# --------------------------------------------------------------------------- limbs

_SLEEVE_FROM_M, _SLEEVE_TO_M = 0.10, 0.25  # the stretch of upper arm a sleeve must wrap (from the joint)
_LIMB_REACH_M = 0.08  # cloth this near a limb's axis is on the limb
_LIMB_MIN_POINTS = 12  # cloth vertices round the outside of an arm (inside of a thigh) that make a sleeve (leg)


def garment_limbs(body: Body, positions: np.ndarray) -> tuple[str, ...]:
    """Which limbs the draped cloth wraps: ``arms`` when cloth lies round the outer side of an upper arm
    (a sleeve; a bodice never reaches past the arm's centre line), ``legs`` when cloth lies against the
    inner side of a thigh below the crotch (a trouser leg; a skirt passes in front of and behind the legs,
    never between them)."""
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    frames = body.landmarks.frames
    if frames is None or len(positions) == 0:
        return ()
    limbs = []
    if all(_round_arm(positions, frames.arm_paths[i], side) for i, side in enumerate((1.0, -1.0))):
        limbs.append("arms")
    crotch_y = body.landmarks.crotch_y
    band = (positions[:, 1] < crotch_y - 0.05) & (positions[:, 1] > crotch_y - 0.25)
    if all(_inside_thigh(positions[band], frames.leg_xz[i], side) for i, side in enumerate((1.0, -1.0))):
        limbs.append("legs")
    return tuple(limbs)


def _round_arm(positions: np.ndarray, path: np.ndarray, side: float) -> bool:
    step = np.linalg.norm(np.diff(path, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(step)])
    axis = path[(along >= _SLEEVE_FROM_M) & (along <= _SLEEVE_TO_M)]
    if len(axis) == 0:
        return False
    from scipy.spatial import cKDTree

    distance, nearest = cKDTree(axis).query(positions, distance_upper_bound=_LIMB_REACH_M)
    near = np.isfinite(distance)
    outside = side * (positions[near, 0] - axis[nearest[near], 0]) > 0.02
    return int(outside.sum()) >= _LIMB_MIN_POINTS


def _inside_thigh(positions: np.ndarray, leg_xz: np.ndarray, side: float) -> bool:
    inward = -side * (positions[:, 0] - leg_xz[0])  # towards the other leg
    level = np.abs(positions[:, 2] - leg_xz[1]) < 0.04
    return int(((inward > 0.03) & (inward < 0.12) & level).sum()) >= _LIMB_MIN_POINTS


def pattern_limbs(pattern) -> tuple[str, ...]:
    """The limbs a pattern's placements dress (``arm`` and ``leg`` regions): the guess made before the
    drape, so the figure can be built while the cloth settles."""
    regions = {panel.placement.region for panel in pattern.panels}
    return tuple(limb for limb, region in (("arms", "arm"), ("legs", "leg")) if region in regions)


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Levels:
    neck_y: float
    neck_xz: np.ndarray
    neck_radius: float
    armhole_x: float  # half-width of the armhole cut, from the axis
    top_y: float


def _levels(body: Body) -> _Levels:
    """Neck and armhole positions from the body's frames, or estimated from its proportions."""
    marks = body.landmarks
    top = float(body.vertices[:, 1].max())
    frames = marks.frames
    if frames is not None:
        shoulder_x = float(np.abs(frames.shoulder_points[:, 0] - marks.axis_xz[0]).max())
        return _Levels(frames.neck_y, np.asarray(frames.neck_xz, float), frames.neck_radius, shoulder_x - 0.03, top)
    neck_y = marks.bust_y + 0.45 * (top - marks.bust_y)
    near = np.abs(body.vertices[:, 1] - marks.bust_y) < 0.02
    half_width = float(np.abs(body.vertices[near, 0] - marks.axis_xz[0]).max()) if near.any() else 0.18
    return _Levels(neck_y, np.asarray(marks.axis_xz, float), 0.05, 0.8 * half_width, top)


def _dress_form(body: Body, levels: _Levels, rgb, limbs: frozenset = frozenset()) -> Figure:
    marks = body.landmarks
    vertices = _smoothed(body, iterations=40)
    bottom_y = _ANKLE_Y_M if "legs" in limbs else marks.crotch_y + 0.03
    # hip half-width from the hip girth (an ellipse about 1.3 times wider than deep), not from the mesh:
    # in the A-pose the hands hang at hip level
    hip_half = body.measured.hip_cm / 100.0 / 5.2 if body.measured.hip_cm > 0 else 0.2
    # clean flat cuts: the arms at the armholes (above the waist), the legs, the neck
    cut_from_y = marks.waist_y - 0.04
    faces = np.asarray(body.faces)
    if "arms" in limbs:
        for wrist, direction in _wrists(body):
            vertices, faces = _clip(vertices, faces, direction, float(direction @ wrist), near=(wrist, 0.07))
    else:
        for side in (1.0, -1.0):
            normal = np.array([side, 0.0, 0.0])
            vertices, faces = _clip(vertices, faces, normal, side * marks.axis_xz[0] + levels.armhole_x, cut_from_y)
    vertices, faces = _clip(vertices, faces, np.array([0.0, -1.0, 0.0]), -bottom_y)
    vertices, faces = _clip(vertices, faces, np.array([0.0, 1.0, 0.0]), levels.neck_y + 0.02)
    x = np.abs(vertices[:, 0] - marks.axis_xz[0])
    keep = np.ones(len(vertices), bool)
    if "arms" not in limbs:  # forearms and hands (the hands are cut off at the wrists otherwise)
        keep = ~((vertices[:, 1] <= cut_from_y) & (x > max(hip_half, levels.armhole_x) + 0.02))
    torso = _piece_at(vertices, faces, keep, np.array([marks.axis_xz[0], marks.waist_y, marks.axis_xz[1]]))
    torso = _capped(*torso)
    centre = np.array([levels.neck_xz[0], 0.0, levels.neck_xz[1]])
    cap_top = float(torso[0][:, 1].max())
    neck_cap = _cylinder(centre, levels.neck_radius + 0.012, cap_top - 0.012, cap_top + 0.012)
    pole = _cylinder(centre, 0.012, 0.03, (marks.crotch_y if "legs" in limbs else bottom_y) + 0.02)
    base = _cylinder(centre, 0.17, 0.0, 0.03, sides=64)
    wood, metal = (0.36, 0.24, 0.15), (0.20, 0.20, 0.21)
    return Figure(
        "dress_form",
        (
            FigurePart("mannequin_form", _surface(*torso), rgb, roughness=0.85),
            FigurePart("mannequin_neck_cap", _surface(*neck_cap), wood, roughness=0.5, specular=0.04),
            FigurePart("mannequin_stand", _surface(*_joined(pole, base)), metal, roughness=0.35, specular=0.3),
        ),
    )


def _mannequin(body: Body, levels: _Levels, rgb) -> Figure:
    vertices = _smoothed(body, iterations=30)
    neck_cut = levels.neck_y + 0.04  # below the chin: a clean flat cut the head sits on
    head = body.vertices[body.vertices[:, 1] > neck_cut + 0.05]
    vertices, faces = _clip(vertices, np.asarray(body.faces), np.array([0.0, 1.0, 0.0]), neck_cut)
    keep = np.ones(len(vertices), bool)
    centre = np.array([levels.neck_xz[0], _waist_y(body), levels.neck_xz[1]])
    figure = _capped(*_piece_at(vertices, faces, keep, centre))
    parts = [FigurePart("mannequin_figure", _surface(*figure), rgb, roughness=0.45, specular=0.04)]
    if len(head):
        low, high = head.min(axis=0), head.max(axis=0)
        centre = 0.5 * (low + high)
        radii = 0.5 * (high - low) * np.array([0.95, 0.95, 1.0])
        centre[1] = neck_cut + radii[1] * 0.55  # the egg sinks into the neck and hides its cut
        parts.append(FigurePart("mannequin_head", _surface(*_ellipsoid(centre, radii)), rgb, roughness=0.45, specular=0.04))
    return Figure("mannequin", tuple(parts))


# --------------------------------------------------------------------------- geometry


_ANKLE_Y_M = 0.09  # a form's legs end above the ankle bone


def _wrists(body: Body):
    """Per arm, the wrist (shoulder point plus the arm length along the arm's axis) and the way to the hand."""
    frames = body.landmarks.frames
    length = (body.measured.arm_length_cm or 0.0) / 100.0
    if not length > 0.3:  # not measured: about a third of the height
        length = 0.33 * float(body.vertices[:, 1].max())
    for path, top in zip(frames.arm_paths, frames.shoulder_points):
        along = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
        start = float(np.linalg.norm(top - path[0]))  # the shoulder point sits about this far from the joint
        at = min(length - start, along[-1])
        wrist = np.array([np.interp(at, along, path[:, i]) for i in range(3)])
        k = min(int(np.searchsorted(along, at)), len(path) - 1)
        direction = path[k] - path[max(k - 1, 0)]
        yield wrist, direction / np.linalg.norm(direction)


def _smoothed(body: Body, iterations: int) -> np.ndarray:
    """Taubin-smoothed body vertices (no shrinking), bust points rounded, never more than 1 mm outside the body."""
    vertices = np.array(body.vertices, dtype=np.float64)
    laplacian = _umbrella(vertices.shape[0], np.asarray(body.faces))
    for _ in range(iterations):  # Taubin's lambda|mu pair: smooth, then un-shrink
        vertices = vertices + 0.5 * (laplacian @ vertices - vertices)
        vertices = vertices - 0.53 * (laplacian @ vertices - vertices)
    vertices = _without_nipples(vertices, body)
    normals = garment_normals(body.vertices, body.faces)
    outward = np.sum((vertices - body.vertices) * normals, axis=1)
    excess = np.maximum(outward - _OUTWARD_LIMIT_M, 0.0)
    return vertices - normals * excess[:, None]


def _umbrella(count: int, faces: np.ndarray):
    """Sparse (count, count) matrix averaging each vertex's edge neighbours."""
    adjacency = edge_adjacency(faces, count)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    return (adjacency.multiply(1.0 / np.maximum(degree, 1.0)[:, None])).tocsr()


def _without_nipples(vertices: np.ndarray, body: Body, inner: float = 0.025, outer: float = 0.07) -> np.ndarray:
    """Flatten each bust apex onto the smooth breast round it.

    Round the most forward point near bust height (each side), a quadratic
    height field z(x, y) is fitted to the surface between ``inner`` and
    ``outer``; points nearer than ``inner`` that stand out of it are put back
    onto it, so the bust stays round and the nipple goes.
    """
    vertices = vertices.copy()
    marks = body.landmarks
    near = np.abs(vertices[:, 1] - marks.bust_y) < 0.06
    for side in (1.0, -1.0):
        candidates = np.nonzero(near & (side * (vertices[:, 0] - marks.axis_xz[0]) > 0.02))[0]
        if len(candidates) == 0:
            continue
        apex = vertices[candidates[np.argmax(vertices[candidates, 2])]]
        offset = vertices - apex
        distance = np.hypot(offset[:, 0], offset[:, 1])
        front = offset[:, 2] > -0.06
        ring = front & (distance > inner) & (distance < outer)
        centre = front & (distance <= inner)
        if ring.sum() < 10:
            continue
        x, y = offset[ring, 0], offset[ring, 1]
        design = np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y])
        coeffs, *_ = np.linalg.lstsq(design, offset[ring, 2], rcond=None)
        x, y = offset[centre, 0], offset[centre, 1]
        fitted = np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y]) @ coeffs
        vertices[centre, 2] = apex[2] + np.minimum(offset[centre, 2], fitted)
    return vertices


def _waist_y(body: Body) -> float:
    return float(body.landmarks.waist_y)


def _piece_at(vertices: np.ndarray, faces: np.ndarray, keep: np.ndarray, centre: np.ndarray):
    """The connected piece of the kept faces nearest ``centre`` (the torso, not a hand), re-indexed."""
    import trimesh

    faces = np.asarray(faces)[keep[np.asarray(faces)].all(axis=1)]
    if len(faces) == 0:
        raise InvalidRequestError("the body is too small or oddly shaped to make a figure from")
    groups = trimesh.graph.connected_components(trimesh.graph.face_adjacency(faces), min_len=1)
    if len(groups) > 1:
        distance = [np.linalg.norm(vertices[faces[g]].reshape(-1, 3) - centre, axis=1).min() for g in groups]
        faces = faces[np.sort(groups[int(np.argmin(distance))])]
    used, inverse = np.unique(faces, return_inverse=True)
    return vertices[used], inverse.reshape(-1, 3)


def _clip(vertices: np.ndarray, faces: np.ndarray, normal: np.ndarray, offset: float, above_y: float = -np.inf,
          near: tuple[np.ndarray, float] | None = None):
    """Cut the mesh by the plane ``normal . v = offset``, keeping ``normal . v <= offset``.

    Only triangles whose centre is above ``above_y`` (and within ``near``'s radius of its point) are cut; triangles across
    the plane are split at it (one new vertex per cut edge, shared by both
    neighbours), so the cut edge is a clean line that ``_capped`` closes flat.
    """
    side = vertices @ normal - offset
    centres = vertices[faces].mean(axis=1)
    eligible = centres[:, 1] > above_y
    if near is not None:
        eligible &= np.linalg.norm(centres - near[0], axis=1) < near[1]
    outside = (side[faces] > 0) & eligible[:, None]
    count = outside.sum(axis=1)
    kept = [faces[count == 0]]
    new_points: list[np.ndarray] = []
    edge_point: dict[tuple[int, int], int] = {}

    def cut(a: int, b: int) -> int:
        key = (min(a, b), max(a, b))
        if key not in edge_point:
            t = side[a] / (side[a] - side[b])
            new_points.append(vertices[a] + t * (vertices[b] - vertices[a]))
            edge_point[key] = len(vertices) + len(new_points) - 1
        return edge_point[key]

    for face, out in zip(faces[(count == 1) | (count == 2)], outside[(count == 1) | (count == 2)]):
        roll = int(np.argmax(out)) if out.sum() == 1 else int(np.argmin(out))
        a, b, c = np.roll(face, -roll)  # a: the lone vertex on its side
        ab, ac = cut(a, b), cut(a, c)
        if out.sum() == 1:  # a outside: keep the quad b, c, ac, ab
            kept.append(np.array([[ab, b, c], [ab, c, ac]]))
        else:  # a inside
            kept.append(np.array([[a, ab, ac]]))
    points = np.vstack([vertices, *new_points]) if new_points else vertices
    return points, np.vstack(kept)


def _capped(vertices: np.ndarray, faces: np.ndarray):
    """Close every boundary loop with a fan round its centre (outward winding kept)."""
    loops = _boundary_loops(faces)
    new_vertices, new_faces = [vertices], [faces]
    count = len(vertices)
    for loop in loops:
        centre = vertices[loop].mean(axis=0)
        new_vertices.append(centre[None])
        nxt = np.roll(loop, -1)
        new_faces.append(np.column_stack([nxt, loop, np.full(len(loop), count)]))
        count += 1
    return np.vstack(new_vertices), np.vstack(new_faces)


def _boundary_loops(faces: np.ndarray) -> list[np.ndarray]:
    """Boundary edges (used by one face), chained into loops in the faces' winding order."""
    edges = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    key = np.sort(edges, axis=1)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    boundary = edges[counts[inverse.ravel()] == 1]
    following = {int(a): int(b) for a, b in boundary}
    loops = []
    while following:
        start, node = following.popitem()
        loop = [start]
        while node != start and node in following:
            loop.append(node)
            node = following.pop(node)
        if node == start and len(loop) >= 3:
            loops.append(np.array(loop))
    return loops


def _cylinder(centre: np.ndarray, radius: float, y0: float, y1: float, sides: int = 32):
    import trimesh

    solid = trimesh.creation.cylinder(radius=radius, height=y1 - y0, sections=sides)
    z_up_to_y_up = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]], dtype=float)
    solid.apply_transform(z_up_to_y_up)
    solid.apply_translation([centre[0], 0.5 * (y0 + y1), centre[2]])
    return np.asarray(solid.vertices), np.asarray(solid.faces)


def _ellipsoid(centre: np.ndarray, radii: np.ndarray):
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=4)
    return np.asarray(sphere.vertices) * radii + centre, np.asarray(sphere.faces)


def _joined(*pieces):
    vertices, faces, offset = [], [], 0
    for v, f in pieces:
        vertices.append(v)
        faces.append(np.asarray(f) + offset)
        offset += len(v)
    return np.vstack(vertices), np.vstack(faces)


def _surface(vertices: np.ndarray, faces: np.ndarray) -> Surface:
    faces = np.asarray(faces, dtype=np.int64)
    return Surface(np.asarray(vertices, dtype=np.float64), garment_normals(vertices, faces), faces)
