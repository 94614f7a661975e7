"""Surface attributes for showing a garment: texture coordinates, the fabric
image, smooth shading normals, and the checked arrays the GLB writer and the
renderer both draw from (:func:`garment_surface`, :func:`body_surface`).

Texture coordinates are in *tile units*: one unit is one copy of the fabric
scan, which covers ``Fabric.tile_cm`` of cloth. They come from the flat pattern
(``GarmentMesh.rest_uv``, metres, +y along the warp), so the scan repeats at its
physical size and its vertical axis follows the grain whatever the drape does.

The convention is OpenGL's: ``v`` grows towards the *top* of the image, so the
top of the scan points along the warp. glTF counts ``v`` from the top of the
image; the GLB writer converts (``1 - v``) at that one boundary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from garment3d.errors import InvalidFabricError, RenderError
from garment3d.types import Body, Drape, Fabric, GarmentMesh

__all__ = [
    "garment_uvs",
    "load_fabric_image",
    "load_normal_image",
    "load_roughness_image",
    "garment_normals",
    "surface_tangents",
    "Surface",
    "garment_surface",
    "body_surface",
]

log = logging.getLogger(__name__)

# A normal shorter than this (degenerate triangles only) falls back to +Y.
_MIN_NORMAL_LENGTH = 1e-12


def garment_uvs(garment: GarmentMesh, fabric: Fabric) -> np.ndarray:
    """Texture coordinates of every garment vertex, in tiles of the fabric scan.

    Returns
    -------
    uv : (n, 2) float64
        ``u = rest_uv[:, 0] / tile width (m)``, ``v = rest_uv[:, 1] / tile height (m)``;
        values outside [0, 1] are expected and must be sampled with REPEAT wrapping.
    """
    rest_uv = np.asarray(garment.rest_uv, dtype=np.float64)
    if rest_uv.ndim != 2 or rest_uv.shape[1] != 2:
        raise RenderError(f"garment.rest_uv must have shape (n, 2), got {rest_uv.shape}")
    tile_m = np.asarray(fabric.tile_cm, dtype=np.float64) / 100.0
    if tile_m.shape != (2,) or not np.all(np.isfinite(tile_m)) or np.any(tile_m <= 0):
        raise InvalidFabricError(
            f"fabric {fabric.name!r}: tile_cm must be two positive sizes in cm, got {fabric.tile_cm!r}"
        )
    return rest_uv / tile_m


def load_fabric_image(fabric: Fabric):
    """The fabric scan as an RGB ``PIL.Image`` with ``fabric.tint`` multiplied in.

    Raises :class:`InvalidFabricError` naming the file if it is missing or unreadable.
    """
    image = _open_rgb(fabric, fabric.texture_path, "texture_path")
    tint = np.asarray(fabric.tint, dtype=np.float64)
    if tint.shape != (3,) or not np.all(np.isfinite(tint)) or np.any(tint < 0):
        raise InvalidFabricError(
            f"fabric {fabric.name!r}: tint must be three non-negative factors, got {fabric.tint!r}"
        )
    if np.allclose(tint, 1.0):
        return image
    from PIL import Image

    pixels = np.asarray(image, dtype=np.float64) * tint
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def load_normal_image(fabric: Fabric):
    """The fabric's tangent-space normal map as an RGB ``PIL.Image``, or None if it has none."""
    if fabric.normal_path is None:
        return None
    return _open_rgb(fabric, fabric.normal_path, "normal_path")


def load_roughness_image(fabric: Fabric):
    """The fabric's greyscale roughness map (``L`` mode ``PIL.Image``), or None if it has none.

    Like glTF's roughness channel, a texel multiplies ``fabric.roughness``.
    """
    if fabric.roughness_path is None:
        return None
    return _open_rgb(fabric, fabric.roughness_path, "roughness_path").convert("L")


def garment_normals(positions: np.ndarray, faces: np.ndarray, seam_pairs: np.ndarray | None = None) -> np.ndarray:
    """Smooth, area-weighted vertex normals of a draped garment.

    positions  : (n, 3) float64, m.
    faces      : (m, 3) int, outward winding.
    seam_pairs : (s, 2) int or None; the two vertices of each pair get the same
                 normal, so a sewn seam shades smoothly instead of as a crease.

    Returns (n, 3) float64 unit vectors (unreferenced vertices get +Y).
    """
    positions = np.asarray(positions, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    corners = positions[faces]
    # Cross product length is twice the area: area weighting for free.
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normals = np.zeros_like(positions)
    for k in range(3):
        np.add.at(normals, faces[:, k], face_normals)
    if seam_pairs is not None and len(seam_pairs):
        normals = _share_across_seams(normals, np.asarray(seam_pairs, dtype=np.int64))
    return _unit(normals)


def surface_tangents(positions: np.ndarray, faces: np.ndarray, normals: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Per-vertex tangent frames for normal mapping, in the glTF ``TANGENT`` layout.

    positions : (n, 3) float64, m.   faces : (m, 3) int.
    normals   : (n, 3) float64, unit.   uv : (n, 2) float64, OpenGL convention (v up the image).

    Returns (n, 4) float64: xyz is the unit surface direction of increasing u,
    orthogonal to the normal; w = +1 or -1 so that ``cross(normal, xyz) * w``
    points up the image (increasing v), the handedness glTF and MikkTSpace use.
    """
    corners = positions[faces]
    corner_uv = uv[faces]
    e1, e2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    d1, d2 = corner_uv[:, 1] - corner_uv[:, 0], corner_uv[:, 2] - corner_uv[:, 0]
    # dP/du and dP/dv of each triangle, scaled by its signed uv area (area weighting).
    along_u = e1 * d2[:, 1:2] - e2 * d1[:, 1:2]
    along_v = e2 * d1[:, 0:1] - e1 * d2[:, 0:1]
    sign = np.sign(d1[:, 0] * d2[:, 1] - d2[:, 0] * d1[:, 1])[:, None]
    tangent = np.zeros_like(positions)
    bitangent = np.zeros_like(positions)
    for k in range(3):
        np.add.at(tangent, faces[:, k], along_u * sign)
        np.add.at(bitangent, faces[:, k], along_v * sign)
    tangent -= normals * np.sum(tangent * normals, axis=1, keepdims=True)
    # where u does not vary (degenerate uv), any direction across the normal will do
    fallback = np.cross(normals, [0.0, 1.0, 0.0])
    fallback[np.linalg.norm(fallback, axis=1) < 1e-6] = (1.0, 0.0, 0.0)
    weak = np.linalg.norm(tangent, axis=1) < _MIN_NORMAL_LENGTH
    tangent[weak] = fallback[weak]
    tangent = _unit(tangent)
    handedness = np.where(np.sum(np.cross(normals, tangent) * bitangent, axis=1) < 0.0, -1.0, 1.0)
    return np.column_stack([tangent, handedness])


@dataclass(frozen=True)
class Surface:
    """A triangle mesh ready to draw or export.

    positions : (n, 3) float64, m.
    normals   : (n, 3) float64, unit, smooth (area-weighted, shared across seams).
    faces     : (m, 3) int64, outward winding, indices checked.
    uv        : (n, 2) float64 in fabric tiles (OpenGL convention), or None.
    """

    positions: np.ndarray
    normals: np.ndarray
    faces: np.ndarray
    uv: np.ndarray | None = None


def garment_surface(drape: Drape, fabric: Fabric) -> Surface:
    """The draped garment with its normals and texture coordinates, shapes checked."""
    positions = _checked_positions(drape.positions, "drape.positions")
    faces = _checked_faces(drape.garment.faces, len(positions), "drape.garment.faces")
    uv = garment_uvs(drape.garment, fabric)
    if len(uv) != len(positions):
        raise RenderError(f"drape.positions has {len(positions)} rows but drape.garment.rest_uv has {len(uv)}")
    return Surface(positions, garment_normals(positions, faces, drape.garment.seam_pairs), faces, uv)


def body_surface(body: Body) -> Surface:
    """The body mesh with smooth normals, shapes checked."""
    positions = _checked_positions(body.vertices, "body.vertices")
    faces = _checked_faces(body.faces, len(positions), "body.faces")
    return Surface(positions, garment_normals(positions, faces), faces)


def _checked_positions(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise RenderError(f"{name} must have shape (n, 3) with n > 0, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise RenderError(f"{name} has {int(np.sum(~np.isfinite(array)))} non-finite values")
    return array


def _checked_faces(values, vertex_count: int, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 2 or array.shape[1] != 3 or len(array) == 0:
        raise RenderError(f"{name} must have shape (m, 3) with m > 0, got {array.shape}")
    if array.min() < 0 or array.max() >= vertex_count:
        raise RenderError(f"{name} has a vertex index outside [0, {vertex_count})")
    return array.astype(np.int64)


def _share_across_seams(normals: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Give every group of sewn-together vertices the sum of their normals."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(normals)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, group = connected_components(graph, directed=False)
    summed = np.zeros((group.max() + 1, 3))
    np.add.at(summed, group, normals)
    return summed[group]


def _unit(vectors: np.ndarray) -> np.ndarray:
    length = np.linalg.norm(vectors, axis=1, keepdims=True)
    ok = length[:, 0] > _MIN_NORMAL_LENGTH
    out = np.empty_like(vectors)
    out[ok] = vectors[ok] / length[ok]
    out[~ok] = (0.0, 1.0, 0.0)
    return out


def _open_rgb(fabric: Fabric, path, field: str):
    from PIL import Image, UnidentifiedImageError

    if path is None:
        raise InvalidFabricError(f"fabric {fabric.name!r}: {field} is not set")
    try:
        with Image.open(path) as opened:
            opened.load()
            image = opened.convert("RGB")
    except FileNotFoundError as exc:
        raise InvalidFabricError(f"fabric {fabric.name!r}: {field} file not found: {path}") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidFabricError(
            f"fabric {fabric.name!r}: {field} file {path} is not a readable image ({exc})"
        ) from exc
    log.debug("loaded %s for fabric %s: %s %dx%d", field, fabric.name, path, *image.size)
    return image
