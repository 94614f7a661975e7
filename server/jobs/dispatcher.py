"""The dispatcher: a thread in ``garment3d serve`` when jobs go through a Celery broker.

It plays the supervisor's part for workers it does not own: every
``GARMENT3D_SWEEP_S`` it sends again the jobs a dead worker or the broker lost
(:meth:`~server.jobs.distributed.CeleryQueue.sweep`), and every few seconds it
asks the broker which workers are there and how many messages wait in each
queue, for the health endpoint (which must answer without waiting on the broker).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from server.jobs.distributed import CeleryQueue
from server.settings import ServerSettings

__all__ = ["Dispatcher", "Fleet", "FleetWorker"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FleetWorker:
    name: str
    queues: tuple[str, ...]
    concurrency: int | None


@dataclass(frozen=True)
class Fleet:
    """What the broker said at ``checked_at``: the workers that answered and the messages waiting per queue."""

    workers: tuple[FleetWorker, ...] = ()
    depth: dict[str, int] = field(default_factory=dict)
    broker_reachable: bool = False
    checked_at: float | None = None


class Dispatcher:
    def __init__(self, settings: ServerSettings, queue: CeleryQueue, *, fleet_every_s: float = 3.0,
                 ask_timeout_s: float = 1.0):
        self.settings = settings
        self.queue = queue
        self.fleet_every_s = fleet_every_s
        self.ask_timeout_s = ask_timeout_s
        self.fleet = Fleet()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._sweep_loop, name="garment3d-dispatcher", daemon=True),
                         threading.Thread(target=self._fleet_loop, name="garment3d-fleet", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout_s)

    def _sweep_loop(self) -> None:
        while not self._stopping.wait(self.settings.sweep_s):
            try:
                sent = self.queue.sweep(self.settings.stale_after_s)
                if sent:
                    log.info("sent %d jobs again: %s", len(sent), ", ".join(sent[:10]))
            except Exception:
                log.exception("the dispatcher's sweep failed; trying again")

    def _fleet_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.fleet = self.ask()
            except Exception as exc:  # the broker is down: health says so
                log.warning("could not ask the broker about its workers: %s: %s", type(exc).__name__, exc)
                self.fleet = Fleet(checked_at=time.time())
            self._stopping.wait(self.fleet_every_s)

    def ask(self) -> Fleet:
        """Ask the broker now (takes ``ask_timeout_s``: workers answer a broadcast)."""
        depth = self.queue.depth()
        if depth is None:
            return Fleet(checked_at=time.time())
        inspect = self.queue.app.control.inspect(timeout=self.ask_timeout_s)
        queues = inspect.active_queues() or {}
        stats = inspect.stats() or {}
        workers = tuple(sorted(
            (FleetWorker(name=name, queues=tuple(sorted(q["name"] for q in consumed)),
                         concurrency=(stats.get(name) or {}).get("pool", {}).get("max-concurrency"))
             for name, consumed in queues.items()), key=lambda w: w.name))
        return Fleet(workers=workers, depth=depth, broker_reachable=True, checked_at=time.time())
