"""On-disk and in-process caches of built bodies.

One ``.npz`` per body under ``<cache_dir>/bodies/``, named by a hash of the
measurements, the body data version and ``CACHE_FORMAT``; written atomically
(temporary file, then rename) so parallel workers never read half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from garment3d.body.half import from_half, to_half
from garment3d.types import Body, BodyFrames, Landmarks, Measurements, SignedDistanceGrid

__all__ = ["CACHE_FORMAT", "body_key", "load_body", "save_body", "MemoryCache"]

log = logging.getLogger(__name__)

#: Bump when the fit, the measurements or the stored layout change.
CACHE_FORMAT = 11  # 11: the lower torso filled all round (only bodies whose lower torso creases; others as in 10); 10: the fold under a heavy belly filled (only bodies whose lower torso creases; others as in 9); 9: men's thighs may pass the hip by the bridge over the gap between them; 8: thighs within the hip, legs together, arm length and thigh fitted (body data with arm landmarks and legs-together); 7: torso band smoothed (no creases); 6: standard landmarks (natural waist between rib and iliac crest, navel, heights fitted); 5: arm centre paths; 4: limb frames; 3: float16 distances; 2: nipples smoothed (dress-form finish)


def body_key(target: Measurements, data_version: str, arm_angle_deg: float | None = None) -> str:
    """Cache key of a body: the request, the pose, the data and the cache format.

    The rest pose adds nothing to the key, so rest-pose keys are unchanged.
    """
    fields = {
        "height_cm": round(float(target.height_cm), 3),
        "bust_cm": round(float(target.bust_cm), 3),
        "waist_cm": round(float(target.waist_cm), 3),
        "hip_cm": round(float(target.hip_cm), 3),
        "gender": target.gender,
        "waist_at": target.waist_at,
        "waist_height_cm": None if target.waist_height_cm is None else round(float(target.waist_height_cm), 3),
        "cervical_height_cm": None if target.cervical_height_cm is None else round(float(target.cervical_height_cm), 3),
        "arm_length_cm": None if target.arm_length_cm is None else round(float(target.arm_length_cm), 3),
        "thigh_cm": None if target.thigh_cm is None else round(float(target.thigh_cm), 3),
        "data": data_version,
        "format": CACHE_FORMAT,
    }
    if target.shoulder_width_cm is not None:  # added only when given, so other keys are unchanged
        fields["shoulder_width_cm"] = round(float(target.shoulder_width_cm), 3)
    if target.inside_leg_cm is not None:  # likewise
        fields["inside_leg_cm"] = round(float(target.inside_leg_cm), 3)
    if arm_angle_deg is not None:
        fields["arm_angle_deg"] = round(float(arm_angle_deg), 3)
    payload = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


_MORE_LANDMARKS = ("navel_y", "rib_y", "crest_y", "chest_y", "armpit_y", "cervicale_y")
_MEASURED_LENGTHS = ("waist_height_cm", "cervical_height_cm", "arm_length_cm", "thigh_cm")


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


_FRAME_FIELDS = ("neck_y", "neck_xz", "neck_radius", "shoulder_points", "arm_joints", "arm_dirs", "arm_paths", "leg_xz")


def _frame_arrays(frames: BodyFrames | None) -> dict[str, np.ndarray]:
    if frames is None:
        return {}
    return {f"frames_{name}": np.asarray(getattr(frames, name), np.float64) for name in _FRAME_FIELDS}


def _frames(d) -> BodyFrames | None:
    if "frames_neck_y" not in d:
        return None
    values = {name: d[f"frames_{name}"] for name in _FRAME_FIELDS}
    return BodyFrames(**{k: float(v) if v.ndim == 0 else v for k, v in values.items()})


def save_body(path: Path, body: Body) -> None:
    """Write ``body`` to ``path`` atomically (uncompressed, distances as float16: about 15 MB, loads in ~50 ms)."""
    lm, ms = body.landmarks, body.measured
    arrays = {
        "vertices": body.vertices,
        "faces": body.faces,
        "landmarks": np.array([lm.bust_y, lm.waist_y, lm.hip_y, lm.crotch_y, lm.knee_y]),
        "landmarks_more": np.array([getattr(lm, name) for name in _MORE_LANDMARKS]),
        "axis_xz": lm.axis_xz,
        **_frame_arrays(lm.frames),
        "measured": np.array([ms.height_cm, ms.bust_cm, ms.waist_cm, ms.hip_cm]),
        "measured_heights": np.array([_nan(getattr(ms, name)) for name in _MEASURED_LENGTHS]),
        "gender": np.asarray(ms.gender),
        "sdf_origin": body.sdf.origin,
        "sdf_spacing": np.float64(body.sdf.spacing),
        "sdf_values": to_half(body.sdf.values),  # 15 um precision near the body, half the size
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_body(path: Path) -> Body | None:
    """The body stored at ``path``, or None if it is missing or unreadable."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as d:
            lm = d["landmarks"]
            ms = d["measured"]
            more = dict(zip(_MORE_LANDMARKS, (float(x) for x in d["landmarks_more"]), strict=True))
            heights = [None if np.isnan(x) else float(x) for x in d["measured_heights"]]
            return Body(
                vertices=d["vertices"],
                faces=d["faces"],
                landmarks=Landmarks(*(float(x) for x in lm), axis_xz=d["axis_xz"], frames=_frames(d), **more),
                measured=Measurements(
                    *(float(x) for x in ms), gender=str(d["gender"]), **dict(zip(_MEASURED_LENGTHS, heights, strict=True)),
                ),
                sdf=SignedDistanceGrid(origin=d["sdf_origin"], spacing=float(d["sdf_spacing"]), values=from_half(d["sdf_values"])),
            )
    except (OSError, KeyError, ValueError, EOFError) as exc:
        log.warning("ignoring unreadable body cache file %s: %s", path, exc)
        return None


class MemoryCache:
    """A small least-recently-used map of bodies."""

    def __init__(self, size: int = 4):
        self.size = size
        self._items: OrderedDict[str, Body] = OrderedDict()

    def get(self, key: str) -> Body | None:
        body = self._items.get(key)
        if body is not None:
            self._items.move_to_end(key)
        return body

    def put(self, key: str, body: Body) -> None:
        self._items[key] = body
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
