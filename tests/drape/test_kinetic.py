"""Kinetic damping group by group (garment3d.drape.kinetic)."""

import numpy as np
import pytest

from drape.test_fastened_drape import fastened, overlap
from drape.test_self_collision import sphere_body
from garment3d.drape import DrapeOptions
from garment3d.drape.kinetic import KineticDamping, kinetic_groups
from garment3d.drape.simulate import _solver
from garment3d.fabrics import load_fabric


def test_pieces_joined_by_fasteners_share_a_group_and_the_others_stand_alone():
    # five pieces of two vertices each: 0-1 fastened, 1-3 fastened (a chain), 2 and 4 on their own
    panel_of = np.repeat(np.arange(5), 2)
    fasteners = np.array([[0, 2], [3, 6]])  # piece 0 to piece 1, piece 1 to piece 3
    group = kinetic_groups(panel_of, fasteners)
    by_piece = group[::2]
    assert by_piece[0] == by_piece[1] == by_piece[3]
    assert len({by_piece[0], by_piece[2], by_piece[4]}) == 3
    assert np.array_equal(group[::2], group[1::2])  # a piece's vertices never split
    assert len(np.unique(kinetic_groups(panel_of, np.zeros((0, 2), np.int64)))) == 5


def test_a_group_past_its_peak_stops_while_another_still_gathering_speed_moves_on():
    """A slow slide in one piece is not stopped by another piece's swing turning: stopped as one garment,
    it would restart from rest at every turn of the other's swing."""
    group = np.array([0, 0, 1, 1])
    damping = KineticDamping(group, np.ones(4))
    vel = np.array([[0.0, -0.10, 0.0]] * 2 + [[0.01, 0.0, 0.0]] * 2)
    assert not damping.step(vel).any()  # both rise from nothing
    assert damping.energy == pytest.approx([0.01, 0.0001])
    vel[:2, 1] = -0.09  # the swing has turned
    vel[2:, 0] = 0.02  # the slide gathers speed
    assert damping.step(vel).tolist() == [True, False]
    assert not vel[:2].any()
    assert np.all(vel[2:, 0] == 0.02)
    assert damping.stops == 1 and damping.energy[0] == 0.0
    vel[:2, 2] = 0.001  # from a stop any motion is a rise
    assert not damping.step(vel).any() and damping.stops == 1


def test_one_group_is_the_whole_cloth_stopped_at_once():
    damping = KineticDamping(np.zeros(3, np.int64), np.array([1.0, 2.0, 0.0]))
    vel = np.full((3, 3), 0.2)
    damping.step(vel)
    vel *= 0.5
    damping.step(vel)
    assert not vel.any() and damping.stops == 1


def test_kinetic_energy_counts_each_vertex_by_its_mass_and_pinned_ones_not_at_all():
    vel = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]])
    inv_mass = np.array([2.0, 1.0, 0.0])
    assert KineticDamping(np.zeros(3, np.int64), inv_mass).energies(vel) == pytest.approx([0.5 * (0.5 + 4.0)])
    assert KineticDamping(np.array([0, 1, 1]), inv_mass).energies(vel) == pytest.approx([0.25, 2.0])


def test_the_drape_stops_a_fastened_overlap_as_one_and_loose_pieces_apart():
    garment, pairs = overlap()
    silk, ball = load_fabric("silk_charmeuse"), sphere_body()
    loose = _solver(garment, ball, silk, DrapeOptions()).kinetic
    held = _solver(fastened(garment, pairs), ball, silk, DrapeOptions()).kinetic
    assert loose.count == 2 and np.array_equal(loose.group, garment.panel_of)
    assert held.count == 1
