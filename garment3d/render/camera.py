"""Camera framing and the turntable's motion (pure numpy, no OpenGL).

Azimuths follow :class:`garment3d.types.Placement`: 0 shows the centre front,
90 the body's left side, 180 the centre back. The model turns about the
vertical line through ``body.landmarks.axis_xz`` in front of a fixed camera.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from garment3d.render.studio import Studio

__all__ = ["CameraFraming", "frame_camera", "turn_about_axis", "look_from", "projection_matrix"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraFraming:
    """A perspective camera for square frames.

    pose   : (4, 4) float64, camera to world (pyrender convention: looks along -Z, +Y up).
    target : (3,) float64, m, the point on the turntable axis it looks at.
    yfov   : vertical field of view, radians.
    near, far : clip distances, m.
    """

    pose: np.ndarray
    target: np.ndarray
    yfov: float
    near: float
    far: float


def frame_camera(points: np.ndarray, axis_xz: np.ndarray, eye_y: float, studio: Studio = Studio()) -> CameraFraming:
    """Place a camera that keeps ``points`` in frame at every turntable angle.

    The subject turning about the vertical axis through ``axis_xz`` sweeps a
    cylinder (the largest distance of any point from the axis, between the
    lowest and highest point). The camera looks at the axis from +Z, pitched
    down so that it sits near ``eye_y``, at the least distance that keeps a
    polygon around that cylinder inside the frame with ``studio.margin`` clear,
    and with the cylinder centred vertically.

    points : (n, 3) float64, m, everything that must stay in frame.
    """
    points = np.asarray(points, dtype=np.float64)
    radial = np.hypot(points[:, 0] - axis_xz[0], points[:, 2] - axis_xz[1])
    sides = 48
    radius = radial.max() / np.cos(np.pi / sides)  # polygon that encloses the circle
    angles = 2 * np.pi * np.arange(sides) / sides
    ring = np.column_stack(
        [axis_xz[0] + radius * np.sin(angles), np.zeros(sides), axis_xz[1] + radius * np.cos(angles)]
    )
    low, high = ring.copy(), ring.copy()
    low[:, 1], high[:, 1] = points[:, 1].min(), points[:, 1].max()
    hull = np.vstack([low, high])

    yfov = np.radians(studio.fov_deg)
    slope = np.tan(yfov / 2) * (1.0 - studio.margin)
    target_y = 0.5 * (low[0, 1] + high[0, 1])
    pitch = np.radians(studio.min_pitch_deg)
    for _ in range(8):
        distance = _fit_distance(hull, axis_xz, target_y, pitch, slope)
        # centre the subject vertically, then aim the camera height at the eye level
        forward, up = _view_axes(pitch)
        relative = hull - np.array([axis_xz[0], target_y, axis_xz[1]])
        depth = distance + relative @ forward
        screen_y = (relative @ up) / depth
        target_y += 0.5 * (screen_y.max() + screen_y.min()) * distance / np.cos(pitch)
        wanted = np.arcsin(np.clip((eye_y - target_y) / distance, -1.0, 1.0))
        pitch = np.clip(wanted, np.radians(studio.min_pitch_deg), np.radians(studio.max_pitch_deg))
    distance = _fit_distance(hull, axis_xz, target_y, pitch, slope)

    forward, up = _view_axes(pitch)
    target = np.array([axis_xz[0], target_y, axis_xz[1]])
    eye = target - distance * forward
    pose = np.eye(4)
    pose[:3, 0] = (1.0, 0.0, 0.0)
    pose[:3, 1] = up
    pose[:3, 2] = -forward
    pose[:3, 3] = eye
    depths = (hull - eye) @ forward
    near = max(0.01, 0.5 * depths.min())
    far = 2.0 * depths.max()
    log.debug("camera at %s, pitch %.1f deg, distance %.2f m", np.round(eye, 3), np.degrees(pitch), distance)
    return CameraFraming(pose=pose, target=target, yfov=float(yfov), near=float(near), far=float(far))


def _view_axes(pitch: float) -> tuple[np.ndarray, np.ndarray]:
    """Forward and up unit vectors of a camera on +Z looking towards -Z, pitched down by ``pitch``."""
    forward = np.array([0.0, -np.sin(pitch), -np.cos(pitch)])
    up = np.array([0.0, np.cos(pitch), -np.sin(pitch)])
    return forward, up


def _fit_distance(hull: np.ndarray, axis_xz, target_y: float, pitch: float, slope: float) -> float:
    """Least camera-to-target distance with every hull point inside |x|, |y| <= slope * depth."""
    forward, up = _view_axes(pitch)
    relative = hull - np.array([axis_xz[0], target_y, axis_xz[1]])
    along = relative @ forward
    extent = np.maximum(np.abs(relative[:, 0]), np.abs(relative @ up))
    return float(np.max(extent / slope - along))


def look_from(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pose whose -Z axis points from ``position`` to ``target`` (lights and cameras)."""
    back = position - target
    back = back / np.linalg.norm(back)
    right = np.cross([0.0, 1.0, 0.0], back)
    right = right / np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, np.cross(back, right), back, position
    return pose


def turn_about_axis(angle_deg: float, axis_xz: np.ndarray) -> np.ndarray:
    """(4, 4) rotation by ``angle_deg`` about the vertical line through ``axis_xz``."""
    angle = np.radians(angle_deg)
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    pivot = np.array([axis_xz[0], 0.0, axis_xz[1]])
    pose = np.eye(4)
    pose[:3, :3] = rotation
    pose[:3, 3] = pivot - rotation @ pivot
    return pose


def projection_matrix(yfov: float, near: float, far: float, aspect: float = 1.0) -> np.ndarray:
    """(4, 4) OpenGL perspective projection (camera looks along -Z)."""
    f = 1.0 / np.tan(yfov / 2.0)
    matrix = np.zeros((4, 4))
    matrix[0, 0], matrix[1, 1] = f / aspect, f
    matrix[2, 2] = (far + near) / (near - far)
    matrix[2, 3] = 2.0 * far * near / (near - far)
    matrix[3, 2] = -1.0
    return matrix
