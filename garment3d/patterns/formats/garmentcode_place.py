"""A GarmentCode specification as a :class:`Pattern` placed from its own 3D layout.

GarmentCode lays every panel flat in 3D around its body (centimetres, y up,
feet at y = 0, the body facing +z, x to the wearer's left: the same frame as
garment3d's world, see the README's "Units and axes"): a vertex ``(u, v)``
of a panel goes to ``R (u, v, 0) + t`` with ``R`` the panel's XYZ Euler
``rotation`` and ``t`` its ``translation``. That layout is read here and
turned into this project's placements, which wrap each panel round the
body part it belongs to (see ``garment3d/placement.py``), so the drape
starts round the body instead of from flat sheets half a metre apart:

- **region**: a panel lying wholly to one side of the body (every point
  more than ``ARM_MIN_X_CM`` from the centre plane) is a sleeve: ``arm``,
  ``side`` left for +x. The others wrap the torso when the garment reaches
  above the bust (``torso``: a dress, a shirt), else the waist (a skirt).
- **azimuth**: round the body, the panel's centre unrolled from the flat
  layout (panels face front, back or a side; a facing's width maps onto its
  quarter of the body); round the arm, the direction the panel's outer side
  faces (a sleeve's front half 0, its back half 180).
  A panel with a seam on the centre plane (a shirt's left front) is laid
  from that seam instead, at 0 or 180 degrees on every row (``align_edge``):
  unrolling is only as good as the flat layout's widths, a seam on the
  centre line is exact.
- **orientation**: each panel is turned in its plane so that pattern y runs
  up its wrap's axis (up the body, or up the arm towards the shoulder);
  GarmentCode draws sleeves lengthwise along x.
- **height**: within each wrap, the highest point of its panels goes to the
  wrap's anchor line (the side neck points for a torso, the waist for a
  skirt, the shoulder point for a sleeve) and every panel keeps its height
  below that point as a ``drop``: a dress's skirt hangs as far below its
  bodice as GarmentCode laid it. A skirt whose top edge is curved (a
  flared skirt's waist arc) hangs along that edge's normals (``hang_from``,
  as the library's circle skirt does), its waistband from its own top edge.
  Sleeves start ``SLEEVE_DROP_CM`` down the arm: a bodice cut wide at the
  shoulder (GarmentCode's shirts) is laid over the top of the arm, and a
  sleeve cap laid round the arm nearer the shoulder point starts crossed
  through it (the mean shirt at 2 cm on its mean body with its 36.5 cm
  shoulders: 81 crossing triangle pairs from the shoulder point, 55 from
  3 cm down, 6 from 8, none from 9); the armhole seam pulls the cap up.
  Started crossed, it ended crossed (17-67 pairs from 1.5, 3, 6 cm; 0 from
  8 and 10, one run each).
- **short stitches**: a stitch of two edges both under ``SHORT_STITCH_CM``
  (the 0.7-0.8 cm ones that end a GarmentCode shirt's armholes) closes into
  one point, so the panels at a junction meet at one corner each.

The body these patterns are drafted for is GarmentCode's own (a fixed size,
e.g. its mean body: height 172, bust 99.8, waist 84.3, hip 103.5 cm, shoulder
width 36.5 cm); the sample must be made on a body of those measurements (a
sidecar's ``[body]`` gives them, ``shoulder_width`` included: a bodice's shoulder
seams end where GarmentCode's shoulders do, 4 cm inside this body model's own
at those girths).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from garment3d.errors import ImportFormatError
from garment3d.patterns.formats.imported import ImportedPattern, ImportedPiece
from garment3d.types import EdgeRef, Pattern, Placement

__all__ = ["garmentcode_pattern", "ARM_MIN_X_CM"]

ARM_MIN_X_CM = 12.0  # a panel wholly this far from the centre plane is a sleeve
BUST_HEIGHT_SHARE = 0.70  # a garment reaching above this share of the body's height has a bodice
ARM_UP = (-math.sin(math.radians(45.0)), math.cos(math.radians(45.0)))  # up a left arm (x, y), mirrored for the right
SLEEVE_DROP_CM = 10.0  # sleeves start this far down the arm: clear of a bodice laid over the shoulder
CURVED_TOP_DEG = 30.0  # a skirt panel whose top edge turns more than this hangs from it
CENTRE_PLANE_CM = 0.5  # an edge this near the body's centre plane is a centre front or back seam
CENTRE_EDGE_MIN_CM = 5.0
WAIST_EDGE_TOLERANCE_CM = 3.0  # a skirt's free top edge lying this near its top, on average, holds at the waist
SHORT_STITCH_CM = 1.0  # a stitch of two edges both shorter than this closes into one point


@dataclass(frozen=True)
class _Laid:
    """One panel in GarmentCode's world: its points (n, 3) cm and outer normal (3,)."""

    piece: ImportedPiece
    world: np.ndarray
    normal: np.ndarray
    axes: np.ndarray  # (2, 3): world directions of pattern x and y


def _rotation(degrees: np.ndarray) -> np.ndarray:
    """XYZ Euler angles (degrees) as a matrix: rotations about x, then y, then z (fixed axes)."""
    ax, ay, az = np.radians(degrees)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def _laid(piece: ImportedPiece) -> _Laid:
    if piece.translation_cm is None or piece.rotation_deg is None:
        raise ImportFormatError(f"panel '{piece.name}' has no 3D translation and rotation to place it by")
    rotation = _rotation(piece.rotation_deg)
    flip = -1.0 if piece.mirrored_x else 1.0  # the outline was mirrored in x to show its right side
    axes = np.vstack([flip * rotation[:, 0], rotation[:, 1]])
    world = piece.outline @ axes + piece.translation_cm
    normal = flip * rotation[:, 2]  # the side a counter-clockwise outline shows faces out
    return _Laid(piece, world, normal, axes)


def _region(laid: _Laid, has_bodice: bool) -> tuple[str, str]:
    x = laid.world[:, 0]
    if np.all(x > ARM_MIN_X_CM):
        return "arm", "left"
    if np.all(x < -ARM_MIN_X_CM):
        return "arm", "right"
    return ("torso" if has_bodice else "waist"), ""


def _up(region: str, side: str) -> np.ndarray:
    if region != "arm":
        return np.array([0.0, 1.0, 0.0])
    x, y = ARM_UP
    return np.array([x if side == "left" else -x, y, 0.0])


def _azimuth(laid: _Laid, region: str, side: str, halves: dict[str, float], middle: np.ndarray) -> float:
    """Where the panel's centre goes round its wrap (degrees; 0 front, 90 the wearer's left).

    Round an arm: the way the panel's outer side faces (an arm's front is +z).
    Round the body: GarmentCode lays a garment as flat panels facing front,
    back or a side; each facing is unrolled onto its quarter of the body, so
    the centre of a front panel lying from x = 0 to the front's edge goes half
    way from the centre front to the side seam (45 degrees), not where a ray
    through its flat centre points.
    """
    if region == "arm":
        up = _up(region, side)
        front = np.array([0.0, 0.0, 1.0])
        left = np.cross(up, front)
        return math.degrees(math.atan2(float(laid.normal @ left), float(laid.normal @ front))) % 360.0
    facing = _facing(laid)
    centre = 0.5 * (laid.world.min(axis=0) + laid.world.max(axis=0)) - np.array([middle[0], 0.0, middle[1]])
    across = {"front": centre[0], "back": -centre[0], "left": -centre[2], "right": centre[2]}[facing]
    offset = 90.0 * float(np.clip(across / max(halves[facing], 1e-6), -1.0, 1.0))
    return (_FACING_DEG[facing] + offset) % 360.0


_FACING_DEG = {"front": 0.0, "left": 90.0, "back": 180.0, "right": 270.0}


def _centre_edge(laid: _Laid, middle_x: float) -> str | None:
    """The longest edge of a front- or back-facing panel lying on the body's centre plane (a centre front or
    back seam, or a fold), if it has one of at least ``CENTRE_EDGE_MIN_CM``."""
    if _facing(laid) not in ("front", "back"):
        return None
    best, best_length = None, CENTRE_EDGE_MIN_CM
    k = len(laid.world)
    for edge in laid.piece.edges:
        index = (edge.start + np.arange((edge.end - edge.start) % k + 1)) % k
        points = laid.world[index]
        length = float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())
        if np.all(np.abs(points[:, 0] - middle_x) <= CENTRE_PLANE_CM) and length >= best_length:
            best, best_length = edge.name, length
    return best


def _hang_skirts(placements: dict[str, Placement], pieces: list[ImportedPiece]) -> dict[str, Placement]:
    """A skirt with a curved top (a flared skirt's waist arc) hangs along its top edges' normals, as the
    library's circle skirt does, so its flare starts as radial folds, not crossed; its waistband hangs the
    same way from its own top edge, so the two stay one above the other."""
    tops = {p.name: _top_edge(p.outline, p) for p in pieces if placements[p.name].region == "waist"}
    curved = [name for name, (edge, turning) in tops.items() if edge and turning >= CURVED_TOP_DEG]
    if not curved or any(placements[name].align_edge for name in tops):
        return placements
    result = dict(placements)
    for name, (edge, _) in tops.items():
        if edge:
            result[name] = replace(placements[name], hang_from=edge)
    return result


def _top_edge(outline: np.ndarray, piece: ImportedPiece) -> tuple[str, float]:
    """(the edge whose ends lie highest, its turning in degrees), or ("", 0)."""
    k = len(outline)
    edges = {e.name: outline[(e.start + np.arange((e.end - e.start) % k + 1)) % k] for e in piece.edges}
    edges = {name: pts for name, pts in edges.items() if np.linalg.norm(np.diff(pts, axis=0), axis=1).sum() >= 5.0}
    if not edges:
        return "", 0.0
    top = max(edges, key=lambda name: float(edges[name][[0, -1], 1].mean()))
    return top, _turning_deg(edges[top])


def _turning_deg(points: np.ndarray) -> float:
    """Total absolute turning of a polyline, degrees."""
    steps = np.diff(points, axis=0)
    angles = np.unwrap(np.arctan2(steps[:, 1], steps[:, 0]))
    return float(np.degrees(np.abs(np.diff(angles)).sum())) if len(angles) > 1 else 0.0


def _facing(laid: _Laid) -> str:
    """Which way a panel faces: front (+z), back (-z), or the wearer's left (+x) or right (-x)."""
    nx, nz = float(laid.normal[0]), float(laid.normal[2])
    if abs(nz) >= abs(nx):
        return "front" if nz >= 0 else "back"
    return "left" if nx > 0 else "right"


def _halves(laid: list[_Laid], middle: np.ndarray) -> dict[str, float]:
    """Half the width across each facing: the largest distance of its panels' points from the body's middle."""
    halves = {facing: 0.0 for facing in _FACING_DEG}
    for l in laid:
        facing = _facing(l)
        column = 0 if facing in ("front", "back") else 2
        spread = float(np.abs(l.world[:, column] - middle[0 if column == 0 else 1]).max())
        halves[facing] = max(halves[facing], spread)
    return halves


def _turned(laid: _Laid, up: np.ndarray) -> tuple[np.ndarray, float]:
    """(outline turned so pattern y runs along ``up`` in the panel's plane, the turn in radians)."""
    along = laid.axes @ up  # up in the panel's pattern coordinates
    if np.linalg.norm(along) < 0.3:  # the panel lies nearly square to the axis: keep it as drawn
        return laid.piece.outline, 0.0
    turn = math.pi / 2 - math.atan2(along[1], along[0])
    c, s = math.cos(turn), math.sin(turn)
    return laid.piece.outline @ np.array([[c, s], [-s, c]]), turn


def garmentcode_pattern(imported: ImportedPattern, height_cm: float = 172.0) -> Pattern:
    """The specification's panels and stitches as a :class:`Pattern`, each placed from its 3D layout.

    height_cm : stature of the body the pattern was drafted for (GarmentCode's
                bodies stand on y = 0); it tells a bodice (reaching above the
                bust) from a skirt.
    """
    if imported.format != "garmentcode":
        raise ImportFormatError(f"{imported.name}: not a GarmentCode specification ({imported.format})")
    imported = _absorb_short_stitches(imported)
    laid = [_laid(piece) for piece in imported.pieces]
    sleeves = {i for i, l in enumerate(laid) if np.all(np.abs(l.world[:, 0]) > ARM_MIN_X_CM)}
    body = [l for i, l in enumerate(laid) if i not in sleeves] or laid
    top = max(float(l.world[:, 1].max()) for l in body)
    has_bodice = top > BUST_HEIGHT_SHARE * height_cm
    stacked = np.vstack([l.world for l in body])
    middle = 0.5 * (stacked.min(axis=0) + stacked.max(axis=0))[[0, 2]]  # (x, z) of the body's axis
    halves = _halves(body, middle)
    regions = [_region(l, has_bodice) for l in laid]
    heights = [l.world @ _up(*r) for l, r in zip(laid, regions)]
    wrap_top = {r: max(float(h.max()) for h, q in zip(heights, regions) if q == r) for r in set(regions)}
    pieces, placements = [], {}
    for l, (region, side), height in zip(laid, regions, heights):
        outline, _ = _turned(l, _up(region, side))
        below = wrap_top[(region, side)] - float(height.max())  # the panel's top below its wrap's highest point
        if region == "arm":
            below += SLEEVE_DROP_CM
        outline = outline - np.array([0.0, outline[:, 1].max() + below])  # y = 0 at the wrap's top
        pieces.append(replace(l.piece, cut_line=outline, sew_line=outline, grain_line=None, translation_cm=None,
                              rotation_deg=None))
        centre_edge = _centre_edge(l, middle[0]) if region != "arm" else None
        if centre_edge is not None:  # laid from its centre front/back seam, row by row, at 0 or 180 degrees
            azimuth = 0.0 if _facing(l) == "front" else 180.0
            placements[l.piece.name] = Placement(region, azimuth, drop_cm=below, align_edge=centre_edge)
        else:
            placements[l.piece.name] = Placement(region, _azimuth(l, region, side, halves, middle), side=side,
                                                  drop_cm=below)
    placements = _hang_skirts(placements, pieces)
    turned = replace(imported, pieces=tuple(pieces))
    pattern = turned.to_pattern(None, placements=placements)
    return replace(pattern, anchors=_waist_anchors(pattern) if not has_bodice else ())


def _absorb_short_stitches(imported: ImportedPattern) -> ImportedPattern:
    """Stitches of two edges both shorter than ``SHORT_STITCH_CM`` closed into a point.

    GarmentCode's shirts end each armhole with a stitch a few millimetres long
    (the back sleeve's 0.7-0.8 cm that meets the front bodice at the underarm,
    and the bodice back's at the shoulder), so four panels meet over two
    corners under a centimetre apart. A mesh coarser than that edge makes
    slivers there that the junction tears open (115-163 % stretch at 2 cm on
    the mean shirt, all but one of the triangles over the 40 % gate). Each
    short edge is merged into a neighbour on its own panel, both ends of the stitch
    the same way round (the first edge into the one before it and the second into the
    one after it, or the reverse; for a start-to-start stitch both before or both
    after), so the corner each keeps is the one the stitch paired with the other's,
    and the neighbouring seams keep them together. Of the two ways, the one that
    leaves the seams' lengths matched is taken (the two neighbours sewn to each
    other, as a shirt's armholes at the shoulder are), else the one that mismatches
    them least: the choice follows the panels' shapes, not the order their edges
    are listed in, so a garment's left and right come out mirror images.
    The neighbours' seams take up the few millimetres as ease.
    """
    pieces = {piece.name: piece for piece in imported.pieces}
    into: dict[tuple[str, str], int] = {}  # (panel, edge) -> -1: merged into the edge before, +1: after
    targets: set[tuple[str, str]] = set()  # edges that take up a merged one (never merged away themselves)
    sewn = Counter((r.panel, r.edge) for seam in imported.seams for r in (seam.a, seam.b))
    kept = []
    for seam in imported.seams:
        a, b = seam.a, seam.b
        short = a.panel != b.panel and all(
            pieces[r.panel].edge_length_cm(r.edge) < SHORT_STITCH_CM and sewn[(r.panel, r.edge)] == 1 for r in (a, b))
        if short:
            ends = _merge_directions(seam, pieces, imported.seams)
            onto = {key: _neighbour(pieces[key[0]], key[1], d) for key, d in ends.items()}
            if not (set(ends) | set(onto.values())) & (set(into) | targets):
                into.update(ends)
                targets.update(onto.values())
                continue
        kept.append(seam)
    if not into:
        return imported
    result = []
    for piece in imported.pieces:
        edges = list(piece.edges)
        for edge in piece.edges:
            direction = into.get((piece.name, edge.name))
            if direction is None:
                continue
            j = next(k for k, e in enumerate(edges) if e.name == edge.name)
            n = (j + direction) % len(edges)
            other = edges[n]
            edges[n] = replace(other, end=edge.end) if direction < 0 else replace(other, start=edge.start)
            del edges[j]
        removed = {e.name for e in piece.edges} - {e.name for e in edges}
        labels = tuple(label for label in piece.edge_labels if label[0] not in removed)
        result.append(replace(piece, edges=tuple(edges), edge_labels=labels))
    note = f"{len(into) // 2} stitch(es) shorter than {SHORT_STITCH_CM:g} cm closed into a point"
    return replace(imported, pieces=tuple(result), seams=tuple(kept), notes=imported.notes + (note,))


def _merge_directions(seam, pieces: dict[str, ImportedPiece], seams) -> dict[tuple[str, str], int]:
    """Which neighbour each short edge of ``seam`` merges into (-1 before, +1 after): of the two ways that keep
    the stitch's paired corners, the one whose neighbours are sewn to each other, else whose seams end up
    least mismatched in length (relative)."""
    a, b = (seam.a.panel, seam.a.edge), (seam.b.panel, seam.b.edge)
    partner = {}
    for other in seams:
        partner[(other.a.panel, other.a.edge)] = (other.b.panel, other.b.edge)
        partner[(other.b.panel, other.b.edge)] = (other.a.panel, other.a.edge)

    def cost(ends: dict[tuple[str, str], int]) -> tuple[int, float]:
        onto = {key: _neighbour(pieces[key[0]], key[1], d) for key, d in ends.items()}
        if partner.get(onto[a]) == onto[b]:
            return 0, 0.0
        worst = 0.0
        for key, target in onto.items():
            other = partner.get(target)
            if other is None:
                continue
            grown = pieces[target[0]].edge_length_cm(target[1]) + pieces[key[0]].edge_length_cm(key[1])
            base = pieces[other[0]].edge_length_cm(other[1])
            worst = max(worst, abs(grown - base) / max(base, 1e-9))
        return 1, round(worst, 6)

    flip = 1 if seam.reversed else -1
    options = [{a: -1, b: flip}, {a: 1, b: -flip}]
    return min(options, key=cost)


def _neighbour(piece: ImportedPiece, name: str, direction: int) -> tuple[str, str]:
    names = [e.name for e in piece.edges]
    return piece.name, names[(names.index(name) + direction) % len(names)]


def _waist_anchors(pattern: Pattern) -> tuple[EdgeRef, ...]:
    """A skirt's waist edges hold at the body's waist while it settles: on each panel at the top of the
    wrap, its highest edge sewn to nothing (the waistband's top)."""
    sewn = {(ref.panel, ref.edge) for seam in pattern.seams for ref in (seam.a, seam.b)}
    anchors = []
    for panel in pattern.panels:
        if panel.placement.drop_cm > 0.0:
            continue
        free = [e.name for e in panel.edges if (panel.name, e.name) not in sewn]
        if not free:
            continue
        top = max(free, key=lambda name: float(panel.edge_points(name)[:, 1].mean()))
        if float(panel.edge_points(top)[:, 1].mean()) > -WAIST_EDGE_TOLERANCE_CM:
            anchors.append(EdgeRef(panel.name, top))
    return tuple(anchors)
