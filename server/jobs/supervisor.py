"""The supervisor: starts the worker processes, starts a fresh one when one ends, re-queues stale claims.

It lives in the server process (a thread); the workers are separate
processes running ``python -m server.jobs.worker`` with the server's settings
in their environment.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from server.jobs.queue import JobQueue
from server.settings import ServerSettings

__all__ = ["Supervisor", "worker_env"]

log = logging.getLogger(__name__)


def worker_env(settings: ServerSettings) -> dict[str, str]:
    """A worker's environment: the server's settings, numba's cache under the cache setting (not inside the
    installed package) and its threading layer pinned (an operator's own NUMBA_* values win)."""
    from garment3d.settings import get_settings as get_library_settings

    env = os.environ | settings.to_env()
    env.setdefault("NUMBA_CACHE_DIR", str(get_library_settings().cache_dir / "numba"))
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    return env


class Supervisor:
    def __init__(self, settings: ServerSettings, queue: JobQueue, *, count: int, check_s: float = 0.5):
        self.settings = settings
        self.queue = queue
        self.count = count
        self.check_s = check_s
        self.processes: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self.processes if p.poll() is None]

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "server.jobs.worker"], env=worker_env(self.settings))

    def start(self) -> None:
        with self._lock:
            self.processes = [self._spawn() for _ in range(self.count)]
        self._thread = threading.Thread(target=self._loop, name="garment3d-supervisor", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.wait(self.check_s):
            with self._lock:
                for i, process in enumerate(self.processes):
                    if process.poll() is not None and not self._stopping.is_set():
                        log.warning("worker %d ended with %s; starting another", process.pid, process.returncode)
                        self.processes[i] = self._spawn()
            try:
                self.queue.requeue_stale(self.settings.stale_after_s)
            except Exception:
                log.exception("could not re-queue stale jobs")

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM every worker (a running job goes back to the queue), then wait; kill the ones that stay."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        with self._lock:
            for process in self.processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            for process in self.processes:
                try:
                    process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    log.warning("worker %d did not stop; killing it", process.pid)
                    process.kill()
                    process.wait()
