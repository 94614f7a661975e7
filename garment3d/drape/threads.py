"""Choose the solver's thread count while it runs.

The solver syncs its threads once per constraint colour (a few dozen times a
substep). On an idle machine two threads are about twice as fast as one; on a
machine shared with other work, a descheduled thread stalls every sync and
two threads can be many times slower than one. So every ``period`` frames the
chooser times one frame with all threads and one with a single thread and
keeps the faster. The result does not depend on the thread count (colours
never share a vertex), only the speed does.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numba

__all__ = ["ThreadChooser"]


class ThreadChooser:
    def __init__(self, period: int = 45):
        self.period = period
        self.most = numba.config.NUMBA_NUM_THREADS
        self.best = self.most
        self._probe: dict[int, float] = {}

    def _threads_for(self, frame: int) -> int:
        phase = frame % self.period
        if self.most > 1 and phase == 0:
            return self.most
        if self.most > 1 and phase == 1:
            return 1
        return self.best

    @contextmanager
    def frame(self, frame: int):
        """Run one frame's work inside ``with chooser.frame(i):``."""
        threads = self._threads_for(frame)
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        start = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - start
            numba.set_num_threads(previous)
            if frame % self.period in (0, 1) and self.most > 1:
                self._probe[threads] = seconds
                if len(self._probe) == 2:
                    self.best = min(self._probe, key=self._probe.get)
                    self._probe.clear()
