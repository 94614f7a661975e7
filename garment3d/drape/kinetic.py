"""Kinetic damping (dynamic relaxation), group by group: the drape's way of taking a swing out.

When a body's kinetic energy has fallen since the last frame, it has just passed the bottom of its swing,
where its potential energy is least; stopping it there takes the swing's energy out in a quarter of its
period, whatever its frequency. A drag instead takes out a slow swing (a flute of a light skirt turning
round the body, a few rad/s) at about omega^2 / drag per second once it overdamps it. The rest found is the
same equilibrium.

The energy is watched per group of pieces, not for the whole garment: the pieces joined by fasteners
(a qipao's big front, its underlap and the back the studs hold them to; a trouser band and its tab) form
one group, and every other piece is a group of its own. Stopped as one, the whole garment is stopped
whenever its energy dips, and a dip is mostly some other part's swing turning: a slow slide elsewhere
(an A-line skirt's back hem creeping round at the side seam in silk charmeuse, a trouser leg's front at
the shin) is stopped with it every few frames and restarts from rest each time, so it crept for a second
and more. With every piece a group of its own, fastened or not, pieces that lie one over the other by
design and slide over each other (the qipao's front over its underlap) were stopped out of step and took
longer: the qipao in charmeuse at 160/84A, 1 cm, came to rest after 3.03 s simulated, against 1.65 s with
its fastened pieces stopped together (README, "Drape time at 1 cm")."""

from __future__ import annotations

import numpy as np

from garment3d.drape.self_collision import weld_labels

__all__ = ["KineticDamping", "kinetic_groups"]


def _masses(inv_mass: np.ndarray) -> np.ndarray:
    """(n,) kg of each vertex; a pinned vertex (0 ``inv_mass``) carries no kinetic energy."""
    return np.divide(1.0, inv_mass, out=np.zeros_like(inv_mass, dtype=np.float64), where=inv_mass > 0)


def kinetic_groups(panel_of: np.ndarray, fastener_pairs: np.ndarray) -> np.ndarray:
    """(n,) int64 group of each vertex: its piece's, with pieces that a fastener joins (directly or in a
    chain) in one group. ``panel_of`` (n,) piece per vertex; ``fastener_pairs`` (f, 2) vertex pairs."""
    panel_of = np.asarray(panel_of, np.int64)
    pieces = int(panel_of.max()) + 1 if len(panel_of) else 0
    pairs = np.asarray(fastener_pairs, np.int64).reshape(-1, 2)
    return weld_labels(pieces, panel_of[pairs])[panel_of]


class KineticDamping:
    """Each group's kinetic energy after the last frame, and the stops so far.

    group    : (n,) int64 group of each vertex (:func:`kinetic_groups`)
    inv_mass : (n,) 1/kg
    """

    def __init__(self, group: np.ndarray, inv_mass: np.ndarray) -> None:
        self.group = np.asarray(group, np.int64)
        self.count = int(self.group.max()) + 1 if len(self.group) else 0
        self.mass = _masses(np.asarray(inv_mass, np.float64))
        self.energy = np.zeros(self.count)  # J per group after the last frame (0 after a stop)
        self.stops = 0  # group stops so far

    def energies(self, vel: np.ndarray) -> np.ndarray:
        """(groups,) kinetic energy (J) of each group at velocities ``vel`` (n, 3)."""
        return 0.5 * np.bincount(self.group, weights=self.mass * np.einsum("ij,ij->i", vel, vel),
                                 minlength=self.count)

    def step(self, vel: np.ndarray) -> np.ndarray:
        """After a frame: stop (zero ``vel`` (n, 3) in place of) every group whose energy fell since the last
        frame; returns which groups were stopped."""
        energy = self.energies(vel)
        fell = energy < self.energy
        if fell.any():
            vel[fell[self.group]] = 0.0
            energy[fell] = 0.0
            self.stops += int(fell.sum())
        self.energy = energy
        return fell
