"""Bring your own avatar: a body mesh from OBJ, GLB/glTF or PLY -> Body.

A scanned or modelled body arrives in any unit and orientation. ``load_avatar``
reads it with trimesh and makes it a ``Body`` like ``build_body``'s:

1. read: one mesh of triangles (a glTF scene is flattened with its transforms);
2. one body: the connected part with the largest surface is kept and the
   others (eyes, teeth, lashes, hair, floaters) are dropped with a logged note;
   a second part of body size (``SECOND_BODY_AREA`` of its surface and
   ``SECOND_BODY_EXTENT`` of its height: two people, a body plus a garment) is
   refused;
3. closed: repeated and flat triangles are dropped, holes are filled with
   ``trimesh.repair.fill_holes`` (fans); a mesh still open afterwards, or with
   edges shared by more than two triangles, is refused saying which; winding
   is made outward;
4. up axis: the longest bounding-box extent (when the runner-up is within
   ``UP_AMBIGUITY`` of it, as for a T-pose, the axis along which the surface is
   spread widest), head end versus feet end told apart by the feet being the
   wider end; ``up`` overrides it ("y", "+z", "-x", ...);
5. facing: left-right is the wider horizontal extent (the arms), the front is
   the side the toes point to; the body is turned to face +Z;
6. units: the height read as millimetres, centimetres and metres; the one
   reading between 1.2 and 2.1 m is taken; ``units`` overrides it (the height
   must still be human);
7. pose: at 66 % of the height (below the chest) the arms must stand clear of
   the torso (an A- or T-pose), since girths and drapes need the torso free;
8. placed like ``build_body``'s bodies: metres, Y up, feet at y = 0, facing +Z,
   torso axis at hip level on x = z = 0; measured with ``measure``; its signed
   distance grid built.

Unreadable files raise InvalidRequestError; meshes that are not a usable body
raise BodyModelError naming the check and its numbers.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np

from garment3d.body.build import SDF_MARGIN_M, SDF_SPACING_M
from garment3d.body.frames import body_frames
from garment3d.body.pose import rig_arms
from garment3d.body.measure import measure
from garment3d.body.sdf import build_sdf
from garment3d.body.section import section
from garment3d.errors import BodyModelError, InvalidRequestError
from garment3d.types import Body

__all__ = ["load_avatar", "FORMATS", "UNITS", "HUMAN_HEIGHT_M"]

log = logging.getLogger(__name__)

FORMATS = {".obj": "obj", ".glb": "glb", ".gltf": "gltf", ".ply": "ply"}
UNITS = {"mm": 0.001, "cm": 0.01, "m": 1.0}
HUMAN_HEIGHT_M = (1.2, 2.1)
SECOND_BODY_AREA = 0.3  # a part this share of the body's surface ...
SECOND_BODY_EXTENT = 0.5  # ... spanning this share of its height is another body or a garment: refused
UP_AMBIGUITY = 0.15  # runner-up extent within 15 % of the longest: decide by spread
END_SLAB = 0.04  # share of the height at each end compared to tell feet from head
SHIN_SLAB = (0.12, 0.2)
MIN_TOE_OFFSET = 0.1  # of the foot slab's depth: below this the front stays +Z
POSE_LEVEL = 0.66  # share of the height where the arms must be clear of the torso
MIN_ARM_GAP_M = 0.02
MAX_TORSO_ASPECT = 2.2  # width / depth of the torso loop; more means the arms are merged in
MIN_SPAN_RATIO = 1.8  # upper-body width / torso width; less means the arms hang at the sides
AXES = "xyz"


def load_avatar(path: str | Path, units: str | None = None, up: str | None = None, *, gender: str = "female") -> Body:
    """Read a body mesh and return it as a measured, placed ``Body`` (see the module docstring).

    path   : an .obj, .glb, .gltf or .ply file.
    units  : "mm", "cm" or "m"; None detects them from the height.
    up     : the file's up axis, "x", "y", "z" with an optional sign ("-z");
             None detects it.
    gender : recorded in ``Body.measured`` ("female" or "male").
    """
    path = Path(path)
    if gender not in ("female", "male"):
        raise InvalidRequestError(f"gender must be 'female' or 'male', not {gender!r}")
    scale_hint = _units(units)
    up_vector = _parse_up(up)
    vertices, faces = _read(path)
    vertices, faces = _dominant_part(vertices, faces, path.name)
    vertices, faces = _closed(vertices, faces, path.name)

    up_vector = up_vector if up_vector is not None else _detect_up(vertices, faces)
    vertices = vertices @ _frame(vertices, up_vector).T
    height = float(np.ptp(vertices[:, 1]))
    scale = _unit_scale(height, scale_hint, path.name)
    vertices = vertices * scale
    vertices[:, 1] -= vertices[:, 1].min()
    stature = height * scale

    _check_pose(vertices, faces, stature, path.name)
    meas = measure(vertices, faces)
    values = np.array([meas.stature, meas.bust_girth, meas.waist_girth, meas.hip_girth])
    if not np.all(np.isfinite(values)) or np.any(values[1:] < 0.3):
        raise BodyModelError(
            f"{path.name}: could not take the girths of the torso (stature, bust, waist, hip: "
            f"{np.round(values * 100, 1)} cm); is the body upright (up axis) and in an A- or T-pose?"
        )
    shift = np.array([meas.axis_xz[0], 0.0, meas.axis_xz[1]])
    vertices = vertices - shift
    axis_xz = meas.axis_xz - shift[[0, 2]]
    try:
        rig = rig_arms(vertices, faces, meas.armpit_y, axis_xz)
        frames = body_frames(vertices, faces, meas.crotch_y, axis_xz, rig)
    except BodyModelError as exc:  # a mesh whose arms or legs cannot be found still takes skirts
        log.warning("avatar %s: no limb frames (%s); only waist-placed garments will drape", path.name, exc)
        frames = None
    landmarks = dataclasses.replace(meas.landmarks(), axis_xz=axis_xz, frames=frames)
    measured = meas.measurements(gender)
    log.info("avatar %s: %d vertices, scale %g, measured %s", path.name, len(vertices), scale, measured)
    return Body(
        vertices=vertices,
        faces=faces,
        landmarks=landmarks,
        measured=measured,
        sdf=build_sdf(vertices, faces, spacing=SDF_SPACING_M, margin=SDF_MARGIN_M),
    )


# --------------------------------------------------------------------------- options


def _units(units: str | None) -> float | None:
    if units is None:
        return None
    if units not in UNITS:
        raise InvalidRequestError(f"units must be one of {', '.join(UNITS)} (or None to detect), not {units!r}")
    return UNITS[units]


def _parse_up(up: str | None) -> np.ndarray | None:
    if up is None:
        return None
    text = up.strip().lower() if isinstance(up, str) else ""
    sign = -1.0 if text.startswith("-") else 1.0
    name = text.lstrip("+-")
    if name not in AXES or len(name) != 1:
        raise InvalidRequestError(f"up must be an axis such as 'y', 'z' or '-z' (or None to detect), not {up!r}")
    vector = np.zeros(3)
    vector[AXES.index(name)] = sign
    return vector


# --------------------------------------------------------------------------- reading and repair


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    import trimesh

    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidRequestError(f"{path.name}: unsupported avatar format {path.suffix!r}; use OBJ, GLB or PLY")
    if not path.is_file():
        raise InvalidRequestError(f"avatar file {path} does not exist")
    try:
        loaded = trimesh.load(str(path), file_type=kind, force="mesh")
    except Exception as exc:  # trimesh raises many types on broken files
        reason = f"{type(exc).__name__}: {exc}"
        raise InvalidRequestError(f"{path.name}: cannot read it as {kind.upper()} ({reason})") from exc
    faces = np.asarray(getattr(loaded, "faces", np.zeros((0, 3))))
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) < 4:
        raise InvalidRequestError(f"{path.name}: holds no triangle mesh ({len(faces)} triangles)")
    vertices = np.asarray(loaded.vertices, np.float64)
    if not np.all(np.isfinite(vertices)):
        raise InvalidRequestError(f"{path.name}: has {int(np.sum(~np.isfinite(vertices)))} non-finite coordinates")
    # Rebuild without UVs or normals so that vertices split at texture seams merge by position.
    mesh = trimesh.Trimesh(vertices, faces, process=True)
    return np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int64)


def _dominant_part(vertices: np.ndarray, faces: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The body: the part with the largest surface. Other parts are dropped with a
    note (eyes, teeth, lashes, hair, accessories), unless one is body-sized itself
    (another person, a garment over the body): then the file is refused."""
    import trimesh

    mesh = trimesh.Trimesh(vertices, faces, process=False)
    labels = trimesh.graph.connected_component_labels(mesh.face_adjacency, node_count=len(faces))
    area = np.bincount(labels, weights=mesh.area_faces)
    largest = int(np.argmax(area))
    if len(area) == 1:
        return vertices, faces
    body_height = float(np.ptp(vertices[np.unique(faces[labels == largest])], axis=0).max())
    for label in np.argsort(area)[::-1][1:]:
        part = vertices[np.unique(faces[labels == label])]
        extent = float(np.ptp(part, axis=0).max())
        if area[label] > SECOND_BODY_AREA * area[largest] and extent > SECOND_BODY_EXTENT * body_height:
            raise BodyModelError(
                f"{name}: {len(area)} separate parts, and besides the largest ({area[largest] / area.sum():.0%} of "
                f"the surface) another holds {area[label] / area.sum():.0%} and spans {extent / body_height:.0%} of "
                "its height (a second person or a garment over the body?); export the body alone as one mesh"
            )
    dropped = len(area) - 1
    log.warning(
        "%s: kept the body (the largest part) and dropped %d other parts (%.1f %% of the surface: eyes, teeth, "
        "hair or accessories)", name, dropped, 100 * (1 - area[largest] / area.sum()),
    )
    keep = trimesh.Trimesh(vertices, faces[labels == largest], process=False)
    keep.remove_unreferenced_vertices()
    return np.asarray(keep.vertices), np.asarray(keep.faces, np.int64)


def _closed(vertices: np.ndarray, faces: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    import trimesh

    mesh = trimesh.Trimesh(vertices, faces, process=False)
    if not mesh.is_watertight:
        mesh.update_faces(mesh.unique_faces() & mesh.nondegenerate_faces())  # repeated or flat triangles
        mesh.remove_unreferenced_vertices()
        open_edges = _open_edges(mesh)
        trimesh.repair.fill_holes(mesh, use_fan=True)
        if not mesh.is_watertight:
            left, crowded = _open_edges(mesh), _crowded_edges(mesh)
            problems = []
            if left:
                problems.append(f"{left} open edges remain after filling the holes along {open_edges}")
            if crowded:
                problems.append(f"{crowded} edges are shared by more than two triangles (parts of the surface touch)")
            if not problems:
                problems.append("its triangles do not join edge to edge")
            raise BodyModelError(
                f"{name}: the surface is not closed: {'; '.join(problems)}; export the body as one closed "
                "(watertight, manifold) mesh, e.g. with a scanner's 'make watertight' or a remesh in the modelling tool"
            )
        log.info("%s: filled holes along %d open edges", name, open_edges)
    if not mesh.is_winding_consistent:
        trimesh.repair.fix_winding(mesh)
    if mesh.volume < 0:
        mesh.invert()
    return np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int64)


def _open_edges(mesh) -> int:
    import trimesh

    return len(trimesh.grouping.group_rows(mesh.edges_sorted, require_count=1))


def _crowded_edges(mesh) -> int:
    _, counts = np.unique(mesh.edges_sorted, axis=0, return_counts=True)
    return int(np.sum(counts > 2))


# --------------------------------------------------------------------------- orientation and units


def _area_points(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Face centres (m, 3) and areas (m,)."""
    tri = vertices[faces]
    areas = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    return tri.mean(axis=1), areas


def _detect_up(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    extent = np.ptp(vertices, axis=0)
    order = np.argsort(extent)[::-1]
    axis = int(order[0])
    if extent[order[1]] > (1 - UP_AMBIGUITY) * extent[order[0]]:
        centres, areas = _area_points(vertices, faces)
        mean = np.average(centres, axis=0, weights=areas)
        spread = np.sqrt(np.average((centres - mean) ** 2, axis=0, weights=areas))
        axis = int(order[0] if spread[order[0]] >= spread[order[1]] else order[1])
    coord = vertices[:, axis]
    lo, hi = coord.min(), coord.max()
    slab = END_SLAB * (hi - lo)
    others = [i for i in range(3) if i != axis]

    def footprint(mask: np.ndarray) -> float:
        return float(np.prod(np.ptp(vertices[mask][:, others], axis=0))) if mask.sum() > 2 else 0.0

    feet_low = footprint(coord < lo + slab) >= footprint(coord > hi - slab)
    vector = np.zeros(3)
    vector[axis] = 1.0 if feet_low else -1.0
    log.debug("detected up axis %s%s", "+" if feet_low else "-", AXES[axis])
    return vector


def _frame(vertices: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Rotation (3, 3) whose rows are the new x (left-right), y (up) and z (front) in file axes."""
    axis = int(np.flatnonzero(up)[0])
    others = [i for i in range(3) if i != axis]
    extent = np.ptp(vertices[:, others], axis=0)
    lateral, depth = (others[0], others[1]) if extent[0] >= extent[1] else (others[1], others[0])
    height = vertices @ up
    lo, span = height.min(), np.ptp(height)
    feet = height < lo + END_SLAB * span
    shins = (height > lo + SHIN_SLAB[0] * span) & (height < lo + SHIN_SLAB[1] * span)
    front = np.zeros(3)
    front[depth] = 1.0
    if feet.any() and shins.any():
        toes = vertices[feet, depth].mean() - vertices[shins, depth].mean()
        if abs(toes) > MIN_TOE_OFFSET * np.ptp(vertices[feet, depth]):
            front[depth] = np.sign(toes)
        else:
            log.warning("cannot tell the front from the feet; assuming the file's +%s is the front", AXES[depth])
    side = np.cross(up, front)
    return np.vstack([side, up, front])


def _unit_scale(height: float, hint: float | None, name: str) -> float:
    low, high = HUMAN_HEIGHT_M
    if hint is not None:
        if not low <= height * hint <= high:
            raise BodyModelError(
                f"{name}: the body is {height * hint:.2f} m tall in the given units; a person is "
                f"{low:g}-{high:g} m (check the units)"
            )
        return hint
    for unit, scale in UNITS.items():
        if low <= height * scale <= high:
            log.info("%s: %g file units tall, read as %s", name, height, unit)
            return scale
    readings = ", ".join(f"{height * s:.3g} m in {u}" for u, s in UNITS.items())
    raise BodyModelError(
        f"{name}: the mesh is {height:.4g} units tall ({readings}); none is a human height "
        f"({low:g}-{high:g} m); pass units= if the file is scaled oddly"
    )


# --------------------------------------------------------------------------- pose


def _check_pose(vertices: np.ndarray, faces: np.ndarray, stature: float, name: str) -> None:
    """The arms must stand clear of the torso below the chest (A- or T-pose)."""
    level = POSE_LEVEL * stature
    cut = section(vertices, faces, 1, level)
    if cut.count == 0:
        raise BodyModelError(f"{name}: nothing to cut at {level:.2f} m; not a standing body")
    loops = [cut.loop_points(label) for label in range(cut.count)]
    sizes = [float(np.prod(np.ptp(p, axis=0))) for p in loops]
    torso = loops[int(np.argmax(sizes))]
    width, depth = np.ptp(torso, axis=0)
    if width > MAX_TORSO_ASPECT * depth:
        raise BodyModelError(
            f"{name}: at {level:.2f} m the torso is {width * 100:.0f} cm wide and {depth * 100:.0f} cm deep: "
            "the arms touch it; use an A- or T-pose with the arms away from the body"
        )
    for label, loop in enumerate(loops):
        if label == int(np.argmax(sizes)):
            continue
        gap = float(np.sqrt(((loop[:, None, :] - torso[None, :, :]) ** 2).sum(axis=2)).min())
        if gap < MIN_ARM_GAP_M:
            raise BodyModelError(
                f"{name}: at {level:.2f} m a part {gap * 100:.1f} cm from the torso (an arm at the side); "
                f"use an A- or T-pose with the arms at least {MIN_ARM_GAP_M * 100:.0f} cm away"
            )
    upper = vertices[vertices[:, 1] > 0.5 * stature]
    span = float(np.ptp(upper[:, 0]))
    if span < MIN_SPAN_RATIO * width:
        raise BodyModelError(
            f"{name}: the upper body is {span * 100:.0f} cm wide for a {width * 100:.0f} cm torso: the arms "
            "are not held away from it; use an A- or T-pose"
        )
