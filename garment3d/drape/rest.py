"""At rest: no panel moves more than a small distance over a window of frames.

A root-mean-square speed hides a slow slide (damping makes a steady slide slow) and a part of the cloth
still moving (10 % of the vertices at 3 cm/s read under 1 cm/s). Here each vertex's displacement between
the first and the last frame of the window is taken, and the largest per panel decides: a jitter that
goes nowhere does not count, a slide of any part of any panel does.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["RestWindow"]


class RestWindow:
    """The last ``frames`` + 1 positions of the cloth, and the largest displacement over them per panel."""

    def __init__(self, panel_of: np.ndarray, frames: int):
        if frames < 1:
            raise ValueError("a rest window needs at least one frame")
        self.panel_of = np.asarray(panel_of, np.int64)
        self.panels = int(self.panel_of.max()) + 1 if len(self.panel_of) else 0
        self.frames = frames
        self._positions: deque[np.ndarray] = deque(maxlen=frames + 1)

    def push(self, positions: np.ndarray) -> None:
        self._positions.append(np.array(positions, np.float64))

    def reset(self) -> None:
        self._positions.clear()

    @property
    def full(self) -> bool:
        return len(self._positions) == self.frames + 1

    def panel_motion_m(self) -> np.ndarray:
        """(panels,) largest displacement (m) of any vertex of each panel between the window's first and
        last frames (over what the window holds if not yet full; 0 with fewer than two frames)."""
        motion = np.zeros(self.panels)
        if len(self._positions) >= 2:
            moved = np.linalg.norm(self._positions[-1] - self._positions[0], axis=1)
            np.maximum.at(motion, self.panel_of, moved)
        return motion

    def motion_mm(self) -> float:
        """The largest displacement of any panel over the window, mm."""
        motion = self.panel_motion_m()
        return float(motion.max() * 1000.0) if len(motion) else 0.0

    def at_rest(self, limit_mm: float) -> bool:
        return self.full and self.motion_mm() <= limit_mm
