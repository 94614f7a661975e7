"""Typed values passed between pipeline stages.

Conventions (see README, "Units and axes"):
- Pattern space is centimetres, x to the right, y up, as a pattern maker draws
  a piece seen from its right (outer) side.
- World space is metres, Y up, feet at y = 0, the body faces +Z and is centred
  on x = 0. Conversion from pattern cm to world m happens in ``garment3d.meshing``
  only.

Arrays are numpy arrays with the documented shapes and dtypes; every value is
frozen (the arrays are not copied, do not mutate them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Measurements",
    "Size",
    "PanelEdge",
    "Placement",
    "InternalDart",
    "Panel",
    "EdgeRef",
    "Seam",
    "Fastener",
    "FASTENER_KINDS",
    "INTERFACING_KINDS",
    "FitLineSpec",
    "Pattern",
    "Landmarks",
    "SignedDistanceGrid",
    "Body",
    "Fabric",
    "GarmentMesh",
    "triangle_edges",
    "PanelStrain",
    "PanelMotion",
    "WaistEdge",
    "FitLine",
    "DrapeReport",
    "Drape",
    "RenderOptions",
    "RenderSet",
]


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Measurements:
    """Body measurements in centimetres, taken in the sense of ISO 8559-1.

    ``height_cm`` is stature; girths are horizontal tape-measure loops around the
    torso at the landmark level (bust over the bust points, waist at the natural
    waist, hip at the fullest part of the buttocks).
    """

    height_cm: float
    bust_cm: float
    waist_cm: float
    hip_cm: float
    gender: str = "female"  # "female" | "male"
    # Where ``waist_cm`` was taken: "natural" (ISO 8559-1 natural waist, midway between the
    # lowest rib and the iliac crest; GB/T 1335) or "navel" (omphalion; ANSUR II).
    waist_at: str = "natural"
    # Control heights above the floor (GB/T 1335), None when not given (then predicted):
    waist_height_cm: float | None = None  # natural waist
    cervical_height_cm: float | None = None  # back neck point (cervicale)
    # GB/T 1335 arm length (全臂长): shoulder point (acromion) to wrist, arm hanging; None: predicted.
    arm_length_cm: float | None = None
    # ISO 8559-1 inside leg: the crotch's height above the floor (ANSUR II ``crotchheight``); None: the body's own.
    # When given, the body's legs are fitted to it, and the control heights not given are predicted given it.
    inside_leg_cm: float | None = None
    # One thigh's horizontal girth at the gluteal fold, just below the crotch (ANSUR II
    # ``thighcircumference``); None: predicted.
    thigh_cm: float | None = None
    # Straight distance between the two shoulder points (acromions), as GarmentCode's bodies give
    # ``shoulder_w``; None: not fitted (the body's shoulders follow its other measurements).
    shoulder_width_cm: float | None = None


@dataclass(frozen=True)
class Size:
    """A named size: its label in its size system and its body measurements."""

    label: str  # e.g. "160/84A"
    system: str  # e.g. "GB/T 1335 women" or "custom"
    measurements: Measurements


# --------------------------------------------------------------------------- pattern


@dataclass(frozen=True)
class PanelEdge:
    """A named stretch of a panel outline.

    The edge runs along the outline from vertex ``start`` to vertex ``end``
    (indices into ``Panel.outline``) in outline order, wrapping past the last
    vertex; it includes both end vertices.
    """

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Placement:
    """How a panel sits around the body before the simulation.

    ``region`` names the body part the panel wraps around and where its
    pattern y is anchored:

    - ``waist``: around the body's vertical axis, pattern y = 0 at the waist
      line when the piece spans it, else the piece's top (skirts, waistbands);
    - ``torso``: around the vertical axis, panel top at the shoulder line
      (bodices, dresses, shirts); arms are left outside;
    - ``neck``: around the neck, panel *bottom* at the base of the neck
      (standing collars rise from the neckline);
    - ``arm``: around the arm named by ``side`` (``left``/``right``), panel top
      at the shoulder point, pattern y running down the arm (sleeves);
    - ``leg``: around the leg named by ``side``, anchored like ``waist``
      (trouser legs).

    The panel's horizontal centre (or its ``align_edge``, row by row) goes to ``azimuth_deg`` around that axis
    (0 = front, 90 = the body's left, 180 = back), and pattern x increases with
    azimuth: seen from outside, a panel lies with its right side out and its
    pattern x running to the wearer's left... i.e. counter-clockwise seen from
    above.
    """

    region: str
    azimuth_deg: float
    side: str = ""
    layer: int = 0  # -1 lies under layer 0, 1 over it (a qipao's underlap under its big front)
    drop_cm: float = 0.0  # the piece's anchor line sits this far below the region's line
    frame: str = ""  # drafted in this other panel's coordinates: laid exactly where that panel's points go
    hang_from: str = ""  # edge whose distance sets the depth (a circle skirt hangs from its curved waist)
    align_edge: str = ""  # edge laid at ``azimuth_deg`` row by row instead of the centre (a trouser leg's outseam)


PLACEMENT_REGIONS = ("waist", "torso", "neck", "arm", "leg")
SIDED_REGIONS = ("arm", "leg")


@dataclass(frozen=True)
class InternalDart:
    """A closed (fish, diamond) dart inside a panel: cut out of the cloth and its two sides sewn together.

    corners : (4, 2) float64 cm, counter-clockwise: the first apex, a side corner, the other apex, the
              other side corner. Side ``a`` runs apex 0 -> corner 1 -> apex 2, side ``b`` apex 0 -> corner 3
              -> apex 2; sewing them start to start closes the dart.
    """

    name: str
    corners: np.ndarray

    def side(self, which: str) -> np.ndarray:
        """(3, 2) cm: side ``a`` or ``b`` from apex to apex through its corner."""
        middle = 1 if which == "a" else 3
        return self.corners[[0, middle, 2]]

    @property
    def intake_cm(self) -> float:
        """The dart's width between its side corners (cloth taken in)."""
        return float(np.linalg.norm(self.corners[1] - self.corners[3]))


@dataclass(frozen=True)
class Panel:
    """One flat pattern piece.

    outline        : (k, 2) float64, cm, counter-clockwise, closed implicitly (the last
                     vertex connects back to the first). Curves are already sampled.
    edges          : named edges covering the outline.
    grain          : (2,) float64 unit vector, the warp (lengthwise grain) direction.
    fold           : name of the straight edge the piece is cut on fold along, or None.
                     The outline is then half the piece; ``garment3d.patterns.fold.unfold``
                     gives the whole piece.
    allowance      : (edge name or "*", seam allowance cm) pairs the pattern declares;
                     exports use them unless the caller overrides them.
    notches        : (edge name, cm along the edge from its start) declared notches.
    internal_lines : open polylines (j, 2) float64 cm drawn inside the piece (pocket
                     placement, centre lines); a definition's lines are straight (j = 2).
    internal_darts : closed (fish) darts inside the piece: holes in the cloth whose sides are sewn
                     together (:class:`InternalDart`).
    interfacing    : the interfacing fused to the piece ("" for none; ``garment3d.interfacing``).
    """

    name: str
    outline: np.ndarray
    edges: tuple[PanelEdge, ...]
    grain: np.ndarray
    placement: Placement
    cut_count: int = 1
    fold: str | None = None
    allowance: tuple[tuple[str, float], ...] = ()
    notches: tuple[tuple[str, float], ...] = ()
    internal_lines: tuple[np.ndarray, ...] = ()
    internal_darts: tuple[InternalDart, ...] = ()
    interfacing: str = ""  # "" or a kind of garment3d.interfacing.INTERFACINGS fused to the piece

    def edge(self, name: str) -> PanelEdge:
        for e in self.edges:
            if e.name == name:
                return e
        raise KeyError(name)

    def edge_points(self, name: str) -> np.ndarray:
        """(j, 2) float64 cm: the outline vertices of edge ``name`` in edge order."""
        e = self.edge(name)
        k = len(self.outline)
        count = (e.end - e.start) % k + 1
        if count == 1 and len(self.edges) == 1:  # a single edge runs all the way round
            count = k + 1
        return self.outline[(e.start + np.arange(count)) % k]


@dataclass(frozen=True)
class EdgeRef:
    """One named edge of one panel, written ``panel.edge`` in definitions."""

    panel: str
    edge: str

    def __str__(self) -> str:
        return f"{self.panel}.{self.edge}"


@dataclass(frozen=True)
class Seam:
    """Two edges sewn together.

    When ``reversed`` is true the start of ``a`` meets the end of ``b`` (the
    usual case for two pieces seen from their right sides); otherwise start
    meets start.
    """

    a: EdgeRef
    b: EdgeRef
    reversed: bool = True
    kind: str = "seam"  # "seam" | "zip" (closes like a seam; drawn as a zip) | "gather" (the longer edge gathered)


FASTENER_KINDS = ("button", "press_stud", "frog", "hook_eye", "tie")
INTERFACING_KINDS = ("fusible",)  # what a panel may have fused to it (garment3d.interfacing)


@dataclass(frozen=True)
class Fastener:
    """One point fastening between two panels (a button through its buttonhole, a press stud, a frog
    button (pankou) with its loop, a hook and eye, a tie).

    ``a`` is the outer layer, where the button, stud cap or frog knot is seen; ``b`` the layer under it.
    ``a_point`` / ``b_point`` : (2,) float64 cm in that panel's pattern frame (a panel cut on fold: the
    whole piece, the drawn half keeping its coordinates). ``size_cm`` is the visible trim's diameter
    (a frog: the knot's length along the opening). ``name`` is the declaration's name and index.
    ``opening`` : (2,) float64 unit vector in ``a``'s frame from ``a_point`` towards the edge the fastener
    row runs along (a buttonhole is cut along it), or None where no edge says (explicit points).
    """

    kind: str
    a: str
    a_point: np.ndarray
    b: str
    b_point: np.ndarray
    size_cm: float = 1.2
    name: str = ""
    opening: np.ndarray | None = None


FIT_LINE_NAMES = ("bust", "waist", "hip")  # the lines a pattern may mark for the fit figures
FIT_STYLES = ("fitted", "loose")  # "fitted": the waist line and blouson are gated (garment3d.gates)


@dataclass(frozen=True)
class FitLineSpec:
    """A pattern's bust, waist or hip line: where it crosses each panel that makes up the garment's girth
    there (pattern y, cm, in that panel's own frame; the line runs straight across the piece), how far
    below the body's landmark it is meant to sit (cm; 0: at the landmark), and the pattern's girth at
    the line: the sum of the listed panels' widths along it (the whole, unfolded pieces; a dart's
    intake is not cloth, so it is not counted), as a pattern maker measures it."""

    name: str
    panels: tuple[tuple[str, float], ...]
    below_cm: float = 0.0
    pattern_girth_cm: float = 0.0


@dataclass(frozen=True)
class Pattern:
    """A garment pattern evaluated at one size.

    anchors : edges that hold at their body landmark while the garment settles
              (a waistband grips the waist).
    fit_style, fit_lines : the pattern's ``[fit]`` table ("" and () when it has none).
    """

    name: str
    size_label: str
    panels: tuple[Panel, ...]
    seams: tuple[Seam, ...]
    anchors: tuple[EdgeRef, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()
    fasteners: tuple[Fastener, ...] = ()  # zips are seams of kind "zip"
    fit_style: str = ""
    fit_lines: tuple[FitLineSpec, ...] = ()

    def panel(self, name: str) -> Panel:
        for p in self.panels:
            if p.name == name:
                return p
        raise KeyError(name)


# --------------------------------------------------------------------------- body


@dataclass(frozen=True)
class BodyFrames:
    """Where the neck, shoulders, arms and legs are: what sleeves, collars and
    trouser legs are wrapped around (metres, the body's frame).

    neck_y          : height of the side neck points (where a bodice hangs from).
    neck_xz         : (2,) centre of the neck just above ``neck_y``.
    neck_radius     : mean radius of the neck there.
    shoulder_points : (2, 3) top of each shoulder at the armhole, left (+x) then right.
    arm_joints      : (2, 3) shoulder joints, left then right.
    arm_dirs        : (2, 3) unit vectors down each upper arm, towards the hand.
    arm_paths       : (2, k, 3) points along each arm's centre from the joint, 2 cm apart, bending at the elbow.
    leg_xz          : (2, 2) centre of each thigh just below the crotch, left then right.
    """

    neck_y: float
    neck_xz: np.ndarray
    neck_radius: float
    shoulder_points: np.ndarray
    arm_joints: np.ndarray
    arm_dirs: np.ndarray
    arm_paths: np.ndarray
    leg_xz: np.ndarray


@dataclass(frozen=True)
class Landmarks:
    """Landmark heights (metres above the floor) and torso axis points.

    axis_xz : (2,) float64, m: the (x, z) of the torso centre at hip level; the
              garment placement wraps panels around the vertical line through it.
    """

    bust_y: float
    waist_y: float
    hip_y: float
    crotch_y: float
    knee_y: float
    axis_xz: np.ndarray
    frames: BodyFrames | None = None  # None for bodies without a usable arm/leg rig
    # Further standard landmarks (m above the floor; NaN where unknown): navel (omphalion),
    # lowest rib and iliac crest (the natural waist lies midway), chest (under the armpits),
    # armpit, back neck point (cervicale).
    navel_y: float = float("nan")
    rib_y: float = float("nan")
    crest_y: float = float("nan")
    chest_y: float = float("nan")
    armpit_y: float = float("nan")
    cervicale_y: float = float("nan")


@dataclass(frozen=True)
class SignedDistanceGrid:
    """Signed distance to the body surface sampled on a regular grid.

    origin  : (3,) float64, m, world position of ``values[0, 0, 0]``.
    spacing : float, m, grid step along every axis.
    values  : (nx, ny, nz) float32, m, negative inside the body.
    Outside the grid the field is treated as far from the body.
    """

    origin: np.ndarray
    spacing: float
    values: np.ndarray


@dataclass(frozen=True)
class Body:
    """A posed, watertight body mesh with its landmarks and collision field.

    vertices : (n, 3) float64, m, Y up, feet at y = 0, facing +Z.
    faces    : (m, 3) int64, outward (counter-clockwise) winding.
    measured : the body's own measurements as taken from the mesh.
    """

    vertices: np.ndarray
    faces: np.ndarray
    landmarks: Landmarks
    measured: Measurements
    sdf: SignedDistanceGrid


# --------------------------------------------------------------------------- fabric


#: N/m: the pull of the stretch test behind :attr:`Fabric.stretch_percent` (about 2 kgf on a 10 cm wide strip)
STRETCH_TEST_N_PER_M = 200.0


@dataclass(frozen=True)
class Fabric:
    """Physical and visual properties of a fabric, in physical units.

    Stiffnesses are per unit width (N/m); bending rigidity in micro-newton
    metres; ``tile_cm`` is the physical size (width along weft, height along
    warp) that one copy of the scan image covers.
    """

    name: str
    display_name: str
    density_gsm: float
    thickness_mm: float
    stretch_warp_n_per_m: float
    stretch_weft_n_per_m: float
    shear_n_per_m: float
    bending_warp_unm: float
    bending_weft_unm: float
    friction: float
    tile_cm: tuple[float, float]
    texture_path: Path
    normal_path: Path | None = None
    roughness: float = 0.7
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    # Look beyond the base colour (read by the renderer and the GLB writer;
    # all optional, so a fabric folder without them renders as before).
    roughness_path: Path | None = None  # greyscale roughness map, tiled like the scan
    sheen: float = 0.0  # strength of the grazing-angle sheen, 0..1 (silk, satin, velvet high)
    sheen_roughness: float = 0.5  # width of the sheen lobe, 0..1
    anisotropy: float = 0.0  # specular stretched along the warp, 0..1 (satin weaves)
    opacity: float = 1.0  # 1 opaque; sheer fabrics (organza, chiffon) lower
    # Catalogue facts (the fabric library, garment3d/fabric/; neither the drape
    # nor the renderer reads them).
    composition: str = ""  # e.g. "100% mulberry silk"
    construction: str = ""  # weave or knit, e.g. "8-harness warp-faced satin"
    roll_width_cm: float | None = None
    price_per_m: float | None = None
    currency: str = ""  # ISO 4217, e.g. "EUR"
    colorways: tuple["Colorway", ...] = ()
    print_repeat: "PrintRepeat | None" = None  # set on print fabrics

    @property
    def stretch_percent(self) -> float:
        """How far the fabric stretches across (along the weft, or a knit's courses) under a pull of
        ``STRETCH_TEST_N_PER_M`` (2 kgf on a 10 cm strip), in per cent of its length: what a pattern
        maker's stretch gauge reads (jersey 40, silk charmeuse 10, poplin 2). Pattern formulas see it as
        ``fabric_stretch`` (patterns/FORMAT.md)."""
        return 100.0 * STRETCH_TEST_N_PER_M / self.stretch_weft_n_per_m

    @property
    def stretch_warp_percent(self) -> float:
        """The same along the warp (a knit's wales): how far the fabric stretches lengthwise under
        ``STRETCH_TEST_N_PER_M``, in per cent (jersey 22, poplin 1.7)."""
        return 100.0 * STRETCH_TEST_N_PER_M / self.stretch_warp_n_per_m


@dataclass(frozen=True)
class Colorway:
    """A named colour a fabric is offered in: ``hex`` is sRGB ``#rrggbb``."""

    name: str
    hex: str


@dataclass(frozen=True)
class PrintRepeat:
    """How a print's motif repeats on the cloth.

    ``size_cm`` is the motif's width (along the weft) and height (along the
    warp); ``mode`` is ``full_drop`` (a plain grid), ``half_drop`` (every
    other column dropped by half a motif) or ``mirror`` (mirrored copies
    left/right and up/down). The fabric's texture is the composed repeat and
    its ``tile_cm`` that repeat's size.
    """

    motif_path: Path
    size_cm: tuple[float, float]
    mode: str


# --------------------------------------------------------------------------- garment mesh and drape


@dataclass(frozen=True)
class GarmentMesh:
    """Triangulated panels placed around the body, ready to simulate.

    rest_uv      : (n, 2) float64, m, flat pattern coordinates of each vertex
                   (the rest shape); x along the panel's weft, y along its warp
                   (rotated so the grain line is +y).
    positions    : (n, 3) float64, m, initial placed positions.
    faces        : (m, 3) int32, outward winding.
    panel_of     : (n,) int32, index into ``panel_names`` per vertex.
    seam_pairs   : (s, 2) int32, vertex pairs that the seams join.
    seam_of      : (s,) int32, index of the pattern seam each pair belongs to; past the pattern's seams,
                   one per fish dart (``InternalDart``, its two sides sewn apex to apex).
    anchor_mask  : (n,) bool, vertices on a waist edge (held near the waist
                   while the garment settles).
    fastener_pairs : (f, 2) int32, per fastener the vertex on the outer panel (the button's,
                   ``Fastener.a``) then the one under it; ``fastener_kinds`` and
                   ``fastener_sizes_cm`` (f,) go with them, in the pattern's fastener order.
    pattern_xy   : (n, 2) float64, cm, each vertex in its panel's own pattern frame
                   (the whole, unfolded piece, before the grain rotation); None for
                   meshes made without a pattern.
    fit_style, fit_lines : the pattern's fit declaration (see ``Pattern``).
    sewn_edges   : (m, 2, 2) float64, m, per triangle its rest edge vectors (rows: corner 1 - corner 0,
                   corner 2 - corner 0; x weft, y warp) once the gathered seams are drawn up
                   (``garment3d.gathering``): the rest the solver and the strain gates hold the cloth
                   to; None where no seam is gathered (then the triangles of ``rest_uv``, which stays
                   the cut, for the texture and the cloth's weight). ``rest_edges`` gives whichever applies.
    """

    panel_names: tuple[str, ...]
    rest_uv: np.ndarray
    positions: np.ndarray
    faces: np.ndarray
    panel_of: np.ndarray
    seam_pairs: np.ndarray
    seam_of: np.ndarray
    anchor_mask: np.ndarray
    spacing_m: float
    fastener_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))
    fastener_kinds: tuple[str, ...] = ()
    fastener_sizes_cm: tuple[float, ...] = ()
    pattern_xy: np.ndarray | None = None
    fit_style: str = ""
    fit_lines: tuple[FitLineSpec, ...] = ()
    seam_kinds: tuple[str, ...] = ()  # per pattern seam, as Seam.kind ("zip" drawn as zips); then "dart" per fish dart
    sewn_edges: np.ndarray | None = None
    panel_interfacing: tuple[str, ...] = ()  # per panel, as Panel.interfacing ("" none); () for a mesh without a pattern

    @property
    def rest_edges(self) -> np.ndarray:
        """(m, 2, 2) m: each triangle's rest edge vectors (``sewn_edges``, else from the cut ``rest_uv``)."""
        if self.sewn_edges is not None:
            return self.sewn_edges
        return triangle_edges(self.rest_uv, self.faces)


def triangle_edges(uv: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(m, 2, 2): per triangle of ``faces`` its edge vectors in ``uv`` (rows: corner 1 - corner 0, corner 2 -
    corner 0)."""
    faces = np.asarray(faces, np.int64)
    return np.stack([uv[faces[:, 1]] - uv[faces[:, 0]], uv[faces[:, 2]] - uv[faces[:, 0]]], axis=1)


@dataclass(frozen=True)
class PanelStrain:
    """Yarn strain of one panel in the finished drape, over its triangles: the warp and weft stretch
    (length / rest length - 1) and compression (1 - length / rest length), largest and 99th percentile
    (the strain the worst 1 % of the panel's cloth reaches, by rest area, and never less cloth than
    ``garment3d.drape.quality.TAIL_MIN_CM2``: see there). ``max_stretch`` and ``p99_stretch`` are the larger
    of the two yarn directions; the ``*_weft_stretch`` / ``*_warp_stretch`` figures give each direction
    (None in a report made before they were measured), which the gates judge against the fabric's own
    stretch in that direction."""

    panel: str
    max_stretch: float
    p99_stretch: float
    max_compression: float
    p99_compression: float
    max_weft_stretch: float | None = None
    max_warp_stretch: float | None = None
    p99_weft_stretch: float | None = None
    p99_warp_stretch: float | None = None


@dataclass(frozen=True)
class PanelMotion:
    """How far one panel still moved at the end of a drape: the largest displacement of any of its
    vertices between the first and last frames of the settle window (mm)."""

    panel: str
    motion_mm: float


@dataclass(frozen=True)
class WaistEdge:
    """Where one panel's anchored (waist) edge ended: its distance from the body (m; median and largest
    over its vertices) and how far it dropped below where it was placed (m, median)."""

    panel: str
    median_distance_m: float
    max_distance_m: float
    drop_m: float


@dataclass(frozen=True)
class FitLine:
    """Where a pattern's bust, waist or hip line ended up in the drape (``garment3d.drape.fit``).

    pattern_girth_cm : the flat pattern's girth along the line (``FitLineSpec``).
    draped_girth_cm  : a tape measure round the draped garment along the same cloth line (the
                       perimeter of its convex hull seen from above).
    body_girth_cm    : the body's tape girth at the line's draped height.
    height_m         : median height of the draped line above the floor.
    target_height_m  : the body landmark's height less the line's declared depth below it.
    body_distance_cm : median distance of the line's cloth from the body (how far it stands off).
    body_distance_p95_cm : its 95th percentile (a back standing off over the small of the back).
    """

    name: str
    pattern_girth_cm: float
    draped_girth_cm: float
    body_girth_cm: float
    height_m: float
    target_height_m: float
    body_distance_cm: float
    body_distance_p95_cm: float = 0.0

    @property
    def offset_cm(self) -> float:
        """Draped height less the target height, cm (negative: the line sits low)."""
        return (self.height_m - self.target_height_m) * 100.0


@dataclass(frozen=True)
class DrapeReport:
    """Quality figures of a finished drape, measured on the final positions independently of the
    constraints that produced them (the limits and verdict: ``garment3d.gates``).

    max_seam_gap_mm: the largest seam gap before the solver's last seam projection (the correction
    still needed to close the seams), or of the final positions if that is larger.
    inside_count / inside_share: cloth sample points (vertices, edge midpoints, triangle centroids)
    inside the body mesh (an exact ray-parity test, not the solver's distance grid).
    self_intersections: pairs of cloth triangles without a common corner (seam
    partners count as one) that pass through each other in the final state.
    ended_by: "rest" (at rest and looked at), "time" (max_seconds ran out), "untangling" (at rest
    but crossed again after every untangling the drape may do: not settled), or "fell" (off the body).
    panel_motion: each panel's motion over the last settle window, the most moving first (the panels
    a drape that did not settle is still moving).
    fabric_stretch_weft / fabric_stretch_warp: the fabric's rated stretch along each yarn direction
    (fraction: ``Fabric.stretch_percent`` / 100 and ``Fabric.stretch_warp_percent`` / 100); the gates
    let a stretchy fabric (a knit) stretch further than a woven. 0: not known, judged as a woven.
    """

    max_seam_gap_mm: float
    inside_count: int
    inside_share: float
    max_edge_strain: float
    p95_edge_strain: float
    settled: bool
    steps: int
    simulated_s: float
    wall_s: float
    vertex_count: int
    self_intersections: int = 0
    largest_inside_patch_cm2: float = 0.0  # the largest connected patch of cloth inside or through the body
    folded_seam_share: float = 0.0  # share of seam hinges where one panel lies folded back over the other
    panel_strain: tuple[PanelStrain, ...] = ()
    waist_edges: tuple[WaistEdge, ...] = ()  # one per panel with an anchored edge
    rest_motion_mm: float = 0.0  # largest displacement of any panel over the last settle window
    ended_by: str = "rest"
    untangle_resettles: int = 0  # times the drape was untangled at rest and left to settle again
    max_fastener_gap_mm: float = 0.0  # largest fastener pair distance beyond its rest length, final positions
    fit_style: str = ""  # the pattern's fit style ("fitted" gates the waist line and blouson)
    fit_lines: tuple[FitLine, ...] = ()  # the pattern's bust, waist and hip lines in the drape
    blouson_cm: float = 0.0  # deepest horizontal fold round the waist: cloth hanging below cloth cut under it
    panel_motion: tuple[PanelMotion, ...] = ()  # per panel over the last settle window, most moving first
    fabric_stretch_weft: float = 0.0  # the fabric's rated stretch across (weft, a knit's courses), fraction
    fabric_stretch_warp: float = 0.0  # and lengthwise (warp, a knit's wales)

    def fit_line(self, name: str) -> FitLine | None:
        return next((line for line in self.fit_lines if line.name == name), None)

    @property
    def passed(self) -> bool:
        from garment3d.gates import evaluate  # the one set of limits (gates sits above types)

        return evaluate(self).passed


@dataclass(frozen=True)
class Drape:
    """The settled garment.

    positions : (n, 3) float64, m, final vertex positions (same topology as
                ``garment``).
    """

    garment: GarmentMesh
    positions: np.ndarray
    report: DrapeReport


# --------------------------------------------------------------------------- render


@dataclass(frozen=True)
class RenderOptions:
    """What the render stage makes.

    outputs: any of ``frames`` (the turntable, ``frame_format`` PNG or WebP),
    ``webp`` (animated), ``gif``, ``mp4`` (H.264), ``sprite`` (sheet + JSON for
    a web spinner), ``stills`` (front, side, back at ``still_size_px``), ``glb``.
    figure: ``dress_form`` | ``mannequin`` | ``avatar`` (display only; the
    drape always uses the real body); ``skin_tone`` applies to ``avatar``.
    """

    frames: int = 36
    size_px: int = 512
    animation_format: str = "webp"  # "webp" | "gif": which animation ``RenderSet.animation`` names
    frame_ms: int = 80
    mannequin_rgb: tuple[float, float, float] | None = None  # None: the figure style's own colour
    figure: str = "dress_form"
    skin_tone: str = "medium"
    outputs: tuple[str, ...] = ("frames", "webp", "gif", "mp4", "sprite", "stills", "glb")
    frame_format: str = "png"  # "png" | "webp"
    transparent: bool = False
    still_size_px: int = 1024
    ground_shadow: bool = True
    sprite_frame_px: int = 256


@dataclass(frozen=True)
class RenderSet:
    """Files written by the render stage (None or empty where not asked for)."""

    frames: tuple[Path, ...]
    animation: Path | None
    glb: Path | None
    stills: tuple[Path, ...] = field(default=())
    gif: Path | None = None
    webp: Path | None = None
    mp4: Path | None = None
    sprite_sheet: Path | None = None
    sprite_json: Path | None = None
    manifest: Path | None = None
