"""Settled drapes kept by the content of their inputs, so a change of look alone does not drape again.

A drape depends on the drafted pattern, the body (measurements, arm angle, or
the avatar file), the fabric's physics, the cloth spacing, the drape options
and the code; it does not depend on the fabric's colour, texture, sheen or
name, nor on the figure style or any render option. :func:`drape_key` hashes
exactly the former, so a colorway-only change (another colour of the fabric,
or another fabric with the same physics) finds the drape already made.

Entries are pickles of :class:`~garment3d.types.Drape` written atomically
(temporary file + rename) into a folder that belongs to the service or the
user (never an upload); a missing, stale or unreadable entry is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from garment3d.types import Drape, Fabric, Measurements, Pattern

__all__ = ["drape_key", "load_drape", "save_drape", "prune_drapes", "drape_exists", "LOOK_ONLY_FABRIC_FIELDS"]

log = logging.getLogger(__name__)

# Fabric fields the drape never reads (look and catalogue facts): they are left out of the key.
LOOK_ONLY_FABRIC_FIELDS = frozenset({
    "name", "display_name", "tile_cm", "texture_path", "normal_path", "roughness", "tint", "roughness_path",
    "sheen", "sheen_roughness", "anisotropy", "opacity", "composition", "construction", "roll_width_cm",
    "price_per_m", "currency", "colorways", "print_repeat",
})
_FORMAT = 1


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Every garment3d source file: a code change makes every earlier entry a miss."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path | None) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path is not None else ""


def drape_key(pattern: Pattern, measurements: Measurements, fabric: Fabric, *, spacing_m: float,
              arm_angle_deg: float | None, avatar: Path | None, avatar_units: str | None, options: object) -> str:
    """SHA-256 of everything the drape depends on, and of nothing it does not."""
    physics = {f.name: getattr(fabric, f.name) for f in dataclasses.fields(fabric)
               if f.name not in LOOK_ONLY_FABRIC_FIELDS}
    parts = {
        "format": _FORMAT,
        "pattern": hashlib.sha256(pickle.dumps(pattern, protocol=4)).hexdigest(),
        "body": dataclasses.asdict(measurements) if avatar is None else None,
        "avatar": [_file_digest(avatar), avatar_units],
        "arm_angle_deg": arm_angle_deg,
        "fabric": physics,
        "spacing_m": spacing_m,
        "options": repr(options),
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _path(folder: Path, key: str) -> Path:
    return Path(folder) / key[:2] / f"{key}.drape.pickle"


def drape_exists(folder: Path, key: str) -> bool:
    """Whether an entry is stored under ``key`` (without reading it)."""
    return _path(folder, key).is_file()


def load_drape(folder: Path, key: str) -> Drape | None:
    """The drape stored under ``key``, or None."""
    path = _path(folder, key)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            drape = pickle.load(f)  # noqa: S301 - the service's own folder, written only by save_drape
    except Exception:  # a truncated or foreign file: drape again
        log.warning("drape cache entry %s is unreadable; draping again", path, exc_info=True)
        return None
    if not isinstance(drape, Drape):
        return None
    try:
        os.utime(path)  # last used now: pruning keeps what is in use
    except OSError:
        pass
    return drape


def save_drape(folder: Path, key: str, drape: Drape) -> Path:
    """Store ``drape`` under ``key`` atomically (a reader never sees half a file)."""
    path = _path(folder, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(drape, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def prune_drapes(folder: Path, unused_for_s: float) -> int:
    """Delete entries not used (written or loaded) for ``unused_for_s`` seconds; returns how many."""
    import time

    cutoff = time.time() - unused_for_s
    removed = 0
    for path in Path(folder).glob("*/*.drape.pickle") if Path(folder).is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process pruned it first
            continue
    return removed
