"""GarmentCode's own 3D layout turned into placements round the body (no body needed to check them)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pattern_samples import DATA

from garment3d.errors import ImportFormatError
from garment3d.patterns.formats.garmentcode import parse_garmentcode, read_garmentcode
from garment3d.patterns.formats.garmentcode_place import SHORT_STITCH_CM, SLEEVE_DROP_CM, garmentcode_pattern
from garment3d.patterns.formats.imported import ImportedPattern


def _pattern(name: str):
    return garmentcode_pattern(read_garmentcode(DATA / f"{name}_specification.json"))


def _partners(pattern) -> dict[tuple[str, str], tuple[str, str]]:
    result = {}
    for seam in pattern.seams:
        result[(seam.a.panel, seam.a.edge)] = (seam.b.panel, seam.b.edge)
        result[(seam.b.panel, seam.b.edge)] = (seam.a.panel, seam.a.edge)
    return result


def test_shirt_sleeves_go_round_the_arms_the_file_names():
    pattern = _pattern("shirt_mean")
    for panel in pattern.panels:
        side = panel.name.split("_")[0]  # GarmentCode names them left_/right_ (the wearer's, +x is left)
        if "sleeve" in panel.name:
            assert (panel.placement.region, panel.placement.side) == ("arm", side)
            assert panel.placement.azimuth_deg == pytest.approx(0.0 if panel.name.endswith("_f") else 180.0)
            assert panel.placement.drop_cm == pytest.approx(SLEEVE_DROP_CM, abs=0.2)
        else:
            assert panel.placement.region == "torso" and panel.placement.side == ""


def _junctions(pattern) -> list[set[tuple[str, int]]]:
    """Groups of panel corners (panel, outline index) that the seams join: each seam pairs its edges' ends."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            node = parent[node]
        return node

    for seam in pattern.seams:
        a, b = (pattern.panel(r.panel).edge(r.edge) for r in (seam.a, seam.b))
        b_ends = (b.end, b.start) if seam.reversed else (b.start, b.end)
        for corner_a, corner_b in zip((a.start, a.end), b_ends):
            parent[find((seam.a.panel, corner_a))] = find((seam.b.panel, corner_b))
    groups: dict = {}
    for node in list(parent):
        groups.setdefault(find(node), set()).add(node)
    return list(groups.values())


def test_millimetre_stitches_close_into_one_corner_per_panel():
    """GarmentCode's shirt ends each armhole with stitches of 0.7-0.8 cm (slivers at any coarser mesh): they close
    into a point, so sleeve front and back and bodice front and back meet at one corner each, at the underarm and
    at the shoulder point (before, two 3-panel junctions under a centimetre apart), and no junction welds two
    corners of one panel together."""
    imported = read_garmentcode(DATA / "shirt_mean_specification.json")
    pattern = garmentcode_pattern(imported)
    assert len(imported.seams) == 18 and len(pattern.seams) == 14
    for seam in pattern.seams:
        lengths = [np.linalg.norm(np.diff(pattern.panel(r.panel).edge_points(r.edge), axis=0), axis=1).sum()
                   for r in (seam.a, seam.b)]
        assert min(lengths) >= SHORT_STITCH_CM and abs(lengths[0] - lengths[1]) < SHORT_STITCH_CM, seam
    four = 0
    for junction in _junctions(pattern):
        panels = [panel for panel, _ in junction]
        assert len(panels) == len(set(panels)), junction
        four += len(panels) == 4  # sleeve front and back, bodice front and back meet at one point
    assert four == 4  # each armhole: the underarm and the shoulder point


def test_millimetre_stitches_close_the_same_way_on_both_sides():
    """The right half of GarmentCode's shirt lists its edges the other way round from the left; the short stitches
    still close the same way on both (before, the right shoulder's went into the sleeve's top seam and the
    shoulder seam, 0.75 cm too long each, where the left's went into the armholes, which match): the seams' lengths
    on the right are the left's."""
    pattern = _pattern("shirt_mean")

    def lengths(side: str) -> list[tuple[str, str, float]]:
        out = []
        for seam in pattern.seams:
            if not (seam.a.panel.startswith(side) and seam.b.panel.startswith(side)):
                continue
            for ref in (seam.a, seam.b):
                points = pattern.panel(ref.panel).edge_points(ref.edge)
                partner = seam.b.panel if ref is seam.a else seam.a.panel
                out.append((ref.panel.removeprefix(side), partner.removeprefix(side),
                            round(float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum()), 1)))
        return sorted(out)

    assert lengths("right_") == lengths("left_")


def test_sleeve_caps_are_at_the_top_and_cuffs_at_the_bottom():
    pattern = _pattern("shirt_mean")
    partners = _partners(pattern)
    for panel in (p for p in pattern.panels if "sleeve" in p.name):
        cap = [e.name for e in panel.edges if "torso" in partners.get((panel.name, e.name), ("",))[0]]
        cuff = [e.name for e in panel.edges if (panel.name, e.name) not in partners]
        assert cap and len(cuff) == 1
        cap_y = np.mean([panel.edge_points(e)[:, 1].mean() for e in cap])
        assert cap_y > panel.edge_points(cuff[0])[:, 1].mean() + 20.0  # a 31 cm sleeve, cap up


def test_sleeve_pattern_x_runs_with_the_azimuth_round_its_arm():
    """Round the left arm azimuth 90 is the top of the arm, round the right arm the underarm: the front half's
    seam that GarmentCode lays higher must be at larger pattern x on the left arm, smaller on the right."""
    spec = json.loads((DATA / "shirt_mean_specification.json").read_text())["pattern"]["panels"]
    pattern = _pattern("shirt_mean")
    for name, higher_is_right in (("left_sleeve_f", True), ("right_sleeve_f", False)):
        raw = spec[name]
        angle = np.radians(raw["rotation"][2])
        world_y = {}
        for i, edge in enumerate(raw["edges"]):
            u, v = np.array(raw["vertices"])[edge["endpoints"]].T
            world_y[f"e{i}"] = float(np.mean(np.sin(angle) * u + np.cos(angle) * v))
        panel = pattern.panel(name)
        partners = _partners(pattern)
        sides = [e for e in world_y if "sleeve" in partners.get((name, e), ("",))[0]]  # seams to the other half
        upper, lower = sorted(sides, key=world_y.get, reverse=True)
        upper_x = panel.edge_points(upper)[:, 0].mean()
        lower_x = panel.edge_points(lower)[:, 0].mean()
        assert (upper_x > lower_x) == higher_is_right, name


def test_bodice_halves_are_laid_from_their_centre_seams():
    pattern = _pattern("shirt_mean")
    partners = _partners(pattern)
    for panel in (p for p in pattern.panels if "torso" in p.name):
        placement = panel.placement
        assert placement.align_edge, panel.name
        assert placement.azimuth_deg == (0.0 if "ftorso" in panel.name else 180.0)
        # independent of how the edge was found: it is the seam to the other half, straight and vertical
        other = partners[(panel.name, placement.align_edge)][0]
        assert other.split("_")[1] == panel.name.split("_")[1] and other != panel.name
        points = panel.edge_points(placement.align_edge)
        assert np.ptp(points[:, 0]) < 0.1 and np.ptp(points[:, 1]) > 20.0


def test_a_dress_skirt_hangs_as_far_below_its_bodice_as_garmentcode_laid_it():
    pattern = _pattern("dress_pencil")
    raw = json.loads((DATA / "dress_pencil_specification.json").read_text())["pattern"]["panels"]
    top = {name: p["translation"][1] + max(v[1] for v in p["vertices"]) for name, p in raw.items()}
    for panel in pattern.panels:
        assert panel.placement.region == "torso"
        assert panel.placement.drop_cm == pytest.approx(max(top.values()) - top[panel.name], abs=0.2)
    assert pattern.panel("skirt_back").placement.drop_cm == pytest.approx(62.0, abs=0.3)
    assert pattern.anchors == ()  # hung from the shoulders


def test_a_skirt_wraps_the_waist_and_holds_there_by_its_waistband():
    pattern = _pattern("flare_skirt")
    assert {p.placement.region for p in pattern.panels} == {"waist"}
    partners = _partners(pattern)
    assert {a.panel for a in pattern.anchors} == {"wb_front", "wb_back"}
    for ref in pattern.anchors:
        assert (ref.panel, ref.edge) not in partners  # the free top edge, not the seam to the skirt
        panel = pattern.panel(ref.panel)
        assert panel.edge_points(ref.edge)[:, 1].mean() > panel.outline[:, 1].mean()
    for name in ("skirt_front", "skirt_back"):  # a flared skirt hangs from its curved waist, sewn to the band
        hang = pattern.panel(name).placement.hang_from
        assert partners[(name, hang)][0].startswith("wb_")
        assert pattern.panel(name).placement.drop_cm == pytest.approx(4.4, abs=0.3)  # below the band's top
    for ref in pattern.anchors:
        assert pattern.panel(ref.panel).placement.hang_from == ref.edge  # the band hangs from its own top edge
    assert pattern.panel("skirt_front").placement.azimuth_deg == pytest.approx(0.0, abs=2.0)
    assert pattern.panel("skirt_back").placement.azimuth_deg == pytest.approx(180.0, abs=2.0)


def _two_squares(back_rotation, back_vertices) -> dict:
    front_vertices = [[-20, 0], [20, 0], [20, 40], [-20, 40]]
    edges = [{"endpoints": [i, (i + 1) % 4]} for i in range(4)]
    return {"pattern": {"panels": {
        "front": {"translation": [0, 70, 15], "rotation": [0, 0, 0], "vertices": front_vertices, "edges": edges},
        "back": {"translation": [0, 70, -15], "rotation": back_rotation, "vertices": back_vertices, "edges": edges},
    }, "stitches": [[{"panel": "front", "edge": 1}, {"panel": "back", "edge": 3}],
                    [{"panel": "front", "edge": 3}, {"panel": "back", "edge": 1}]]},
        "properties": {"units_in_meter": 100, "curvature_coords": "relative"}}


def test_a_back_turned_round_or_drawn_clockwise_is_the_same_back():
    """GarmentCode may face a back panel away by turning it 180 degrees about y or by drawing its loop
    clockwise: both are a back at 180 degrees, seen from outside with its right side out."""
    turned = _two_squares([0, 180, 0], [[-20, 0], [20, 0], [20, 40], [-20, 40]])
    drawn = _two_squares([0, 0, 0], [[20, 0], [-20, 0], [-20, 40], [20, 40]])
    outlines = []
    for spec in (turned, drawn):
        pattern = garmentcode_pattern(parse_garmentcode(spec))
        back = pattern.panel("back")
        assert back.placement.region == "waist" and back.placement.azimuth_deg == pytest.approx(180.0)
        outlines.append(back.outline)
        # back.e1 is sewn to front.e3: both lie at world x = -20 (the wearer's right), where a back's
        # pattern x is greatest (pattern x runs with azimuth: from the left side, 90, round to 270)
        assert back.edge_points("e1")[:, 0].mean() > back.outline[:, 0].mean()
    assert np.allclose(np.sort(outlines[0], axis=0), np.sort(outlines[1], axis=0), atol=1e-9)


def test_only_garmentcode_patterns_are_placed_this_way():
    imported = ImportedPattern(name="x", format="dxf", units="mm", units_source="", pieces=())
    with pytest.raises(ImportFormatError, match="not a GarmentCode specification"):
        garmentcode_pattern(imported)
