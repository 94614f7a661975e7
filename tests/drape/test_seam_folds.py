"""Seams folded shut (garment3d.drape.seam_folds) and the thin self-contacts inside them."""

from __future__ import annotations

import numpy as np

from garment3d.drape.model import build_model
from garment3d.drape.seam_folds import SHUT_CONTACTS, SeamFolds, closed_junctions
from garment3d.drape.self_collision import (FOLD_CONTACT_SHARE, _ring_neighbourhood, build_self_contact,
                                             contact_distance_m, fold_contact_distance_m, weld_labels)
from garment3d.fabrics import load_fabric

CONTACT_M = 0.003
#: the hinge's sewn vertices 0 and 1 have partners 4 and 5 on the other panel; 2 and 3 are its corners
SEWN = np.array([0, 1, 2, 3, 0, 1])
RING = _ring_neighbourhood(np.array([[0, 1, 2], [4, 5, 3]]), SEWN, 1)


def _hinge(opening_deg: float, corner_m: float = 0.0087) -> np.ndarray:
    """A sewn edge along x (0-1) and each panel's corner ``corner_m`` from it, ``opening_deg`` apart round
    the edge (0: a book shut, 180: flat, one panel continuing the other)."""
    angle = np.radians(opening_deg)
    a = [0.005, corner_m, 0.0]
    b = [0.005, corner_m * np.cos(angle), corner_m * np.sin(angle)]
    return np.array([[0.0, 0.0, 0.0], [0.01, 0.0, 0.0], a, b, [0.0, 0.0, 0.0], [0.01, 0.0, 0.0]])


def test_a_hinge_is_shut_only_while_its_panels_lie_closer_than_the_contacts_can_hold():
    folds = SeamFolds(np.array([[0, 1, 2, 3]]), SEWN, RING, CONTACT_M)
    chord = lambda deg: 2 * 0.0087 * np.sin(np.radians(deg) / 2)  # noqa: E731 - the corners' distance
    for opening, shut in ((0.0, True), (10.0, True), (20.0, True), (40.0, False), (90.0, False), (180.0, False)):
        assert folds.shut(_hinge(opening))[0] == shut, (opening, chord(opening))
    # the boundary: 1.5 contact distances between the panels at the nearer corner's height
    edge = np.degrees(2 * np.arcsin(SHUT_CONTACTS * CONTACT_M / (2 * 0.0087)))
    assert folds.shut(_hinge(edge - 0.5))[0] and not folds.shut(_hinge(edge + 0.5))[0]


def test_the_nearer_corner_decides():
    """A long corner on one panel does not make a tight fold look open: the panels are compared at the
    height of the nearer corner."""
    x = _hinge(10.0)
    x[3] *= [1.0, 3.0, 3.0]  # panel b's corner three times as far from the seam, same direction
    assert SeamFolds(np.array([[0, 1, 2, 3]]), SEWN, RING, CONTACT_M).shut(x)[0]


def test_only_two_panel_seams_are_watched():
    """Where three panels meet (a vent's underlap folded under by design) the hinge is left out, and so is
    a hinge that is not sewn."""
    assert len(SeamFolds(np.array([[0, 1, 2, 3]]), SEWN, RING, CONTACT_M).hinges) == 1
    junction = np.array([0, 1, 2, 3, 0, 1, 0])  # a third vertex sewn to vertex 0
    assert len(SeamFolds(np.array([[0, 1, 2, 3]]), junction, RING, CONTACT_M).hinges) == 0
    assert len(SeamFolds(np.array([[0, 1, 2, 3]]), np.arange(6), RING, CONTACT_M).hinges) == 0


def _seam_folded_shut(gap_m: float, folds: bool = True, thickness_m: float = 0.0):
    """tests/drape/test_weld.py's two pieces sewn end to end, the right one folded back over the left about
    the seam line (a book shut) and ``gap_m`` above it from one edge from the seam on; the contacts built
    for them, and the right piece's vertices two or more edges from the seam."""
    from drape.test_weld import STRIP_CM, _sewn_strip

    garment, _ = _sewn_strip(0.0)
    x = garment.positions.copy()
    seam_x = x[garment.seam_pairs[0, 0], 0]
    right = garment.panel_of == 1
    column = STRIP_CM[0] / 6 / 100.0  # the strip's step along its length, m
    run = np.where(right, x[:, 0] - seam_x, 0.0)
    x[right, 0] = seam_x - run[right]
    x[right, 2] = np.minimum(run[right] / column, 1.0) * gap_m  # rising from the seam to gap_m
    hinges = build_model(garment, load_fabric("silk_habotai")).seam_hinge if folds else None
    contact = build_self_contact(garment.faces, np.ones(len(x)), garment.seam_pairs, friction=0.0,
                                 contact_m=contact_distance_m(0.1, garment.spacing_m), seam_hinges=hinges,
                                 thickness_m=thickness_m)
    beyond = np.flatnonzero(right & (run > 1.5 * column))
    return garment, x, contact, beyond


def test_a_seam_folded_shut_is_not_pushed_open_at_the_stitches():
    """Beside a seam folded shut the two layers lie closer than the contact distance whatever the solver
    does. The contacts between the seam's triangles and the other piece's corners beside it pushed the
    sewn vertices apart, against the seam, in every substep (a circle skirt's side seam at the hem, 1 cm,
    habotai and charmeuse at 170/92A: 2.2-9 mm a substep, crossings, never at rest). With the shut hinges
    kept only thinly apart the sewn vertices stay put, and the layers beyond one edge from the seam are
    still pushed the full distance apart."""
    garment, x, contact, beyond = _seam_folded_shut(0.001)
    assert contact.contact_m > 0.002 and len(beyond)
    moved = x.copy()
    contact.solve(moved, x.copy())
    shift = np.linalg.norm(moved - x, axis=1)
    assert shift[garment.seam_pairs.ravel()].max() < 5e-5, shift[garment.seam_pairs.ravel()].max()
    assert shift[beyond].min() > 1e-4  # 1 mm apart where they keep 3.1 mm: pushed


def test_without_the_folds_the_contacts_push_a_folded_seam_open():
    """The failing case (folds not watched, as at 2 cm before the draft mesh watched them): the sewn vertices
    are pushed apart."""
    garment, x, contact, _ = _seam_folded_shut(0.001, folds=False)
    moved = x.copy()
    contact.solve(moved, x.copy())
    assert np.linalg.norm(moved - x, axis=1)[garment.seam_pairs.ravel()].max() > 5e-4


def test_an_open_fold_keeps_every_contact():
    """Folded to 2 cm apart the seam is not shut: the same pairs are listed with and without the folds."""
    _, x, with_folds, _ = _seam_folded_shut(0.02)
    _, _, without, _ = _seam_folded_shut(0.02, folds=False)
    for contact in (with_folds, without):
        contact.solve(x.copy(), x.copy())
    assert not with_folds._shut.any()
    assert with_folds.vertex_triangle_pairs == without.vertex_triangle_pairs
    assert with_folds.edge_edge_pairs == without.edge_edge_pairs


def test_the_thin_contacts_end_when_the_fold_opens():
    """A hinge shut at one list build and open at a later one has its full contacts back."""
    garment, shut_x, contact, _ = _seam_folded_shut(0.001)
    contact.solve(shut_x.copy(), shut_x.copy())
    assert contact._shut.any()
    _, open_x, _, _ = _seam_folded_shut(0.02)
    contact.rebuild(open_x, open_x)
    assert not contact._shut.any()
    assert len(contact.fold_idx) == 0 and not contact._vt.thin[contact._vt.count > 0].any()


def test_a_shut_hinge_opens_only_well_clear():
    """Hysteresis: a hinge shut stays shut until its panels are ``OPEN_CONTACTS`` apart, so a fold hovering
    at the limit does not switch the contact distance back and forth (each switch a jolt that kept the
    qipao in charmeuse from resting: 2.80 s simulated against 1.53 s)."""
    from garment3d.drape.seam_folds import OPEN_CONTACTS

    folds = SeamFolds(np.array([[0, 1, 2, 3]]), SEWN, RING, CONTACT_M)
    between = np.degrees(2 * np.arcsin(0.5 * (SHUT_CONTACTS + OPEN_CONTACTS) * CONTACT_M / (2 * 0.0087)))
    assert not folds.shut(_hinge(between))[0]  # not shut before: stays open
    assert folds.shut(_hinge(between), np.array([True]))[0]  # shut before: stays shut
    assert not folds.shut(_hinge(90.0), np.array([True]))[0]  # opened well clear


def _quadrants(free_edge: bool = False):
    """Four square panels round one point, each two triangles (corner at the centre, 0-1-2-3 per panel),
    every edge at the centre sewn to the next panel's (an underarm: a sleeve's two corners, the bodice's
    front and back); ``free_edge``: the last panel's edge to the first left unsewn (a vent's slit)."""
    faces, seams = [], []
    for k in range(4):
        base = 4 * k  # centre, the corner on this panel's first edge, the far corner, the one on its second
        faces += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    for k in range(4 if not free_edge else 3):
        nxt = 4 * ((k + 1) % 4)
        seams += [[4 * k, nxt], [4 * k + 3, nxt + 1]]  # centre to centre, this second edge to next first
    return np.array(faces), np.array(seams)


def test_a_point_where_four_panels_meet_with_every_edge_sewn_is_closed():
    """An underarm's four corners, every edge at the point sewn: closed; with one edge free (the cloth not
    whole round the point, as at a vent's top) it is not, and neither is a plain two-panel seam point."""
    faces, seams = _quadrants()
    label = weld_labels(16, seams)
    closed = closed_junctions(faces, label)
    assert closed[label[0]] and closed.sum() == 1
    faces, seams = _quadrants(free_edge=True)
    label = weld_labels(16, seams)
    assert not closed_junctions(faces, label).any()


def test_a_closed_junctions_hinges_are_watched_and_its_ring_kept_thin_when_shut():
    """A hinge whose sewn edge ends at a closed junction is watched (its seam folded shut at an underarm was
    pushed 7.8 mm open in every substep by the contacts one edge from the point: the qipao in crepe de
    chine at 170/92A, 1 cm); shut, the junction's whole one-ring, on every panel, is kept thin."""
    faces, seams = _quadrants()
    label = weld_labels(16, seams)
    ring = _ring_neighbourhood(faces, label, 1)
    hinge = np.array([[0, 3, 2, 6]])  # panel 0's sewn edge centre-3 (sewn to panel 1's 4-5); their corners 2 and 6
    assert len(SeamFolds(hinge, label, ring, CONTACT_M).hinges) == 0  # not watched without the rule
    folds = SeamFolds(hinge, label, ring, CONTACT_M, closed=closed_junctions(faces, label))
    assert len(folds.hinges) == 1
    thin = {tuple(p) for p in folds.thin_pairs(np.array([True])).tolist()}
    for k in range(4):  # every panel's corners one edge from the centre
        assert (label[0], label[4 * k + 1]) in thin and (label[4 * k + 3], label[0]) in thin


def test_a_thick_fabric_keeps_its_thickness_inside_a_shut_fold():
    """Two layers that touch lie one thickness apart: inside a seam folded shut the thin distance is the
    fabric's thickness where the share of the contact distance is less (denim, 0.8 mm, against 0.57 mm at
    2 cm; without that floor the qipao's underlap in denim at 170/92A, 2 cm, was stretched 11.3 % at p99),
    and the contacts inside the fold keep that distance: kept at the full distance, they push the stitches
    open."""
    contact_m = contact_distance_m(0.8, 0.02)
    assert fold_contact_distance_m(0.0008, contact_m) == 0.0008
    assert fold_contact_distance_m(0.0001, contact_m) == FOLD_CONTACT_SHARE * contact_m
    assert fold_contact_distance_m(0.005, contact_m) == contact_m  # never more than the contact distance
    garment, x, thin, _ = _seam_folded_shut(0.001, thickness_m=0.0008)
    assert thin.fold_contact_m == 0.0008
    assert _seam_folded_shut(0.001)[2].fold_contact_m == FOLD_CONTACT_SHARE * thin.contact_m
    sewn = garment.seam_pairs.ravel()
    for contact, limit in ((thin, 5e-5), (_seam_folded_shut(0.001)[2], 5e-5)):
        moved = x.copy()
        contact.solve(moved, x.copy())
        assert np.linalg.norm(moved - x, axis=1)[sewn].max() < limit
    thin.fold_contact_m = thin.contact_m  # the fold's pairs at the full distance: the stitches are pushed
    moved = x.copy()
    thin.solve(moved, x.copy())
    assert np.linalg.norm(moved - x, axis=1)[sewn].max() > 5e-4
