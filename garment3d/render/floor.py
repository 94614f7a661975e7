"""The studio floor: a soft contact shadow on the backdrop colour, shared by the turntable and the hero stills.

:func:`contact_shadow` bakes the shadow image once from the subject's points
and gives the floor square it lies on (model space: it turns with the
subject). The turntable draws that square in GL; :func:`shadow_on_screen`
projects the same image through a camera in numpy for the path-traced hero
stills, so both show the same floor.
"""

from __future__ import annotations

import numpy as np

from garment3d.render.camera import CameraFraming
from garment3d.texture import Surface

__all__ = ["FLOOR_MARGIN_M", "SHADOW_RIM", "contact_shadow", "shadow_on_screen"]

SHADOW_TEXELS = 128
FLOOR_MARGIN_M = 0.12  # the floor square reaches this far past the subject's widest point
SHADOW_RIM = 0.92  # the contact shadow fades to nothing at this share of the square's half width


def contact_shadow(points: np.ndarray, axis_xz: np.ndarray) -> tuple[np.ndarray, Surface]:
    """A contact-shadow image and the floor square it lies on (model space, turns with the subject).

    Darkest right under whatever touches the floor (the base, the feet, a hem
    on the ground), with a faint wide shadow of everything above, fading to
    nothing before the square's edge. The image is (128, 128) uint8, 255 the
    darkest; row 0 lies at the square's largest z, column 0 at its smallest x.
    """
    from scipy.ndimage import gaussian_filter

    radial = np.hypot(points[:, 0] - axis_xz[0], points[:, 2] - axis_xz[1])
    half = float(radial.max()) + FLOOR_MARGIN_M
    texel = 2.0 * half / SHADOW_TEXELS
    cols = np.clip(((points[:, 0] - axis_xz[0] + half) / texel).astype(int), 0, SHADOW_TEXELS - 1)
    rows = np.clip(((points[:, 2] - axis_xz[1] + half) / texel).astype(int), 0, SHADOW_TEXELS - 1)
    height = np.maximum(points[:, 1] - float(points[:, 1].min()), 0.0)

    def splat(weights: np.ndarray, blur_m: float) -> np.ndarray:
        grid = np.zeros((SHADOW_TEXELS, SHADOW_TEXELS))
        np.add.at(grid, (rows, cols), weights)
        grid = gaussian_filter(grid, blur_m / texel)
        return grid / grid.max() if grid.max() > 0 else grid

    contact = splat((height < 0.04).astype(float), 0.025)
    broad = splat(np.exp(-height / 0.4), 0.09)
    shadow = np.clip(0.75 * np.sqrt(contact) + 0.4 * broad, 0.0, 1.0)
    u = (np.arange(SHADOW_TEXELS) + 0.5) / SHADOW_TEXELS * 2.0 - 1.0
    ring = np.hypot(u[None, :], u[:, None])
    shadow *= np.clip((SHADOW_RIM - ring) / 0.3, 0.0, 1.0) ** 2
    image = np.rint(shadow * 255).astype(np.uint8)[::-1]  # row 0 = top of the image = largest z

    x0, z0 = axis_xz[0] - half, axis_xz[1] - half
    x1, z1 = axis_xz[0] + half, axis_xz[1] + half
    y = float(points[:, 1].min()) - 0.001
    positions = np.array([[x0, y, z0], [x1, y, z0], [x1, y, z1], [x0, y, z1]])
    uv = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    faces = np.array([[0, 2, 1], [0, 3, 2]])
    normals = np.tile([0.0, 1.0, 0.0], (4, 1))
    return image, Surface(positions, normals, faces, uv)


def shadow_on_screen(image: np.ndarray, floor: Surface, turn: np.ndarray, framing: CameraFraming,
                     size_px: int) -> np.ndarray:
    """(size_px, size_px) float64 in 0..1: the contact shadow seen through ``framing``'s camera, top row first.

    ``image`` and ``floor`` from :func:`contact_shadow`; ``turn`` (4, 4) places
    the model in the world, as for the subject. Each pixel's centre ray meets
    the floor's plane; the image is sampled bilinearly there (zero off the square).
    """
    centres = (np.arange(size_px) + 0.5) / size_px * 2.0 - 1.0
    slope = np.tan(framing.yfov / 2.0)
    x, y = np.meshgrid(centres * slope, -centres * slope)
    rays = np.stack([x, y, -np.ones_like(x)], axis=-1) @ framing.pose[:3, :3].T
    eye = framing.pose[:3, 3]
    floor_y = float(floor.positions[0, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = (floor_y - eye[1]) / rays[..., 1]
    hits = distance > 0
    world = eye + np.where(hits, distance, 0.0)[..., None] * rays
    model = (world - turn[:3, 3]) @ turn[:3, :3]  # the inverse turn (a rotation and a shift)
    low, high = floor.positions.min(axis=0), floor.positions.max(axis=0)
    u = (model[..., 0] - low[0]) / (high[0] - low[0])
    v = (model[..., 2] - low[2]) / (high[2] - low[2])
    inside = hits & (u >= 0) & (u <= 1) & (v >= 0) & (v <= 1)
    texels = image.shape[0]
    col = np.clip(u[inside] * texels - 0.5, 0.0, texels - 1.0)
    row = np.clip((1.0 - v[inside]) * texels - 0.5, 0.0, texels - 1.0)
    shadow = np.zeros((size_px, size_px))
    shadow[inside] = _bilinear(image.astype(np.float64) / 255.0, row, col)
    return shadow


def _bilinear(values: np.ndarray, row: np.ndarray, col: np.ndarray) -> np.ndarray:
    r0, c0 = np.floor(row).astype(int), np.floor(col).astype(int)
    r1, c1 = np.minimum(r0 + 1, values.shape[0] - 1), np.minimum(c0 + 1, values.shape[1] - 1)
    fr, fc = row - r0, col - c0
    top = values[r0, c0] * (1 - fc) + values[r0, c1] * fc
    bottom = values[r1, c0] * (1 - fc) + values[r1, c1] * fc
    return top * (1 - fr) + bottom * fr
