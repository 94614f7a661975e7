"""Throughput of the job backends (samples per minute) and the latency of a colorway-only re-render.

Every configuration is a real ``python -m server`` on localhost with a fresh
data folder, the real pipeline at draft quality and distinct requests (no
result or drape reuse inside a batch):

- ``embedded``: the default backend, ``--embedded-workers`` in-process workers;
- ``celery xN``: ``GARMENT3D_BROKER_URL`` set (a private redis-server), N
  ``garment3d worker --concurrency 1`` processes taking drape and render jobs.

Workers are warmed (kernels loaded, GL opened) before the clock starts. Each
configuration queues ``--samples`` drafts at once (batch priority) and reports
samples per minute from the first submission to the last finish. Where
marked, a sample is made first and, right after the batch, a colorway-only
revision of it is submitted: its latency is submit to done. The Celery
configuration that measures it runs one more worker on the ``render`` queue
only (as the README's deployment does); the embedded backend has one queue.

Usage: python benchmarks/bench_workers.py [--samples 4] [--workers 1,2,4] [--embedded-workers 2]
Figures from a shared or loaded machine are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
# allow_failed_drape: a draft that misses a quality gate still counts (the figures are about throughput)
BASE = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft",
        "allow_failed_drape": True}
READY = {"embedded": re.compile(r"worker \S+ ready \(runner"), "celery": re.compile(r"pool process \S+ ready")}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Result:
    name: str
    processes: int
    samples: int
    seconds: float
    drape_s: float
    recolour_s: float | None = None

    @property
    def per_minute(self) -> float:
        return 60.0 * self.samples / self.seconds


class Setup:
    """A server, its workers and a designer's client, in ``root``."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.port = root, _port()
        self.env = os.environ | {"GARMENT3D_SERVER_DATA_DIR": str(root / "data"), "GARMENT3D_PORT": str(self.port),
                                 "PYOPENGL_PLATFORM": "egl", "GARMENT3D_MAX_QUEUED": "1000"} | env
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        key = subprocess.run([sys.executable, "-m", "garment3d.cli", "users", "add", "bench", "--role", "designer"],
                             cwd=REPO, env=self.env, capture_output=True, text=True, check=True).stdout.strip()
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60,
                                 headers={"Authorization": f"Bearer {key}"})

    def spawn(self, name: str, *args: str) -> None:
        log = self.root / f"{name}.log"
        self.logs.append(log)
        self.processes.append(subprocess.Popen([sys.executable, *args], cwd=REPO, env=self.env,
                                               stdout=open(log, "ab"), stderr=subprocess.STDOUT))

    def wait_ready(self, kind: str, count: int, timeout_s: float = 600) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            ready = sum(len(READY[kind].findall(p.read_text(errors="replace"))) for p in self.logs if p.exists())
            try:
                up = self.http.get("/readyz").status_code == 200
            except httpx.TransportError:
                up = False
            if up and ready >= count:
                return
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"not ready ({ready} of {count} workers); see {self.root}")
            time.sleep(0.5)

    def submit(self, body: dict) -> str:
        answer = self.http.post("/api/v1/samples", json=body)
        answer.raise_for_status()
        return answer.json()["id"]

    def revise(self, sample_id: str, change: dict) -> str:
        answer = self.http.post(f"/api/v1/samples/{sample_id}/revisions", json=change)
        answer.raise_for_status()
        return answer.json()["id"]

    def wait(self, ids: list[str], timeout_s: float = 3600) -> dict[str, float]:
        """The wall-clock time each sample was seen done (polling every 0.2 s)."""
        done: dict[str, float] = {}
        deadline = time.monotonic() + timeout_s
        while len(done) < len(ids):
            for sample_id in ids:
                if sample_id in done:
                    continue
                body = self.http.get(f"/api/v1/samples/{sample_id}").json()
                if body["status"] == "done":
                    done[sample_id] = time.monotonic()
                elif body["status"] in ("failed", "cancelled"):
                    raise RuntimeError(f"sample {sample_id} {body['status']}: {body.get('error')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(ids) - len(done)} samples not done in time")
            time.sleep(0.2)
        return done

    def drape_seconds(self, ids: list[str]) -> float:
        timings = [self.http.get(f"/api/v1/samples/{i}").json()["report"]["timings_s"] for i in ids]
        return sum(t.get("drape", 0.0) for t in timings) / len(timings)

    def close(self) -> None:
        self.http.close()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def measure(setup: Setup, name: str, processes: int, samples: int, offset: float, recolour: bool) -> Result:
    first = setup.submit(BASE | {"parameters": {"length": offset}}) if recolour else None
    if first:
        setup.wait([first])
    start = time.monotonic()
    batch = [setup.submit(BASE | {"parameters": {"length": offset + 0.1 * (i + 1)}, "priority": "batch"})
             for i in range(samples)]
    recoloured, asked = None, None
    if first:
        asked = time.monotonic()
        recoloured = setup.revise(first, {"colorway": "#2050c0"})
    done = setup.wait(batch + ([recoloured] if recoloured else []))
    seconds = max(done[i] for i in batch) - start
    return Result(name, processes, samples, seconds, setup.drape_seconds(batch),
                  done[recoloured] - asked if recoloured else None)


def run_embedded(root: Path, workers: int, samples: int) -> Result:
    setup = Setup(root / "embedded", {"GARMENT3D_WORKERS": str(workers)})
    try:
        setup.spawn("server", "-m", "server", "--log-level", "info")
        setup.wait_ready("embedded", workers)
        return measure(setup, "embedded", workers, samples, 55.0, recolour=True)
    finally:
        setup.close()


def run_celery(root: Path, broker: str, workers: int, samples: int, recolour: bool) -> Result:
    setup = Setup(root / f"celery{workers}", {"GARMENT3D_BROKER_URL": broker})
    try:
        setup.spawn("server", "-m", "server", "--log-level", "info")
        for i in range(workers):
            setup.spawn(f"worker{i}", "-m", "garment3d.cli", "worker", "--queues", "drape,render", "--concurrency", "1",
                        "--name", f"bench{i}-{workers}@%h")
        if recolour:
            setup.spawn("render", "-m", "garment3d.cli", "worker", "--queues", "render",
                        "--name", f"render-{workers}@%h")
        setup.wait_ready("celery", workers + int(recolour))
        return measure(setup, f"celery x{workers}", workers, samples, 55.0 + workers, recolour)
    finally:
        setup.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=4, help="drafts per configuration (default 4)")
    parser.add_argument("--workers", default="1,2,4", help="Celery worker processes to try (default 1,2,4)")
    parser.add_argument("--embedded-workers", type=int, default=2, help="the embedded backend's workers (0: skip)")
    parser.add_argument("--recolour-with", type=int, default=2, help="the Celery fleet that measures the re-render")
    args = parser.parse_args()
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        sys.exit("redis-server is needed (Debian package redis-server)")
    sys.path.insert(0, str(REPO))
    from garment3d.body import build_body
    from garment3d.sizes import parse_size

    build_body(parse_size("160/84A").measurements)  # the body is cached for every configuration alike
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        root = Path(tmp)
        port = _port()
        redis = subprocess.Popen([redis_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
                                 stdout=subprocess.DEVNULL)
        try:
            if args.embedded_workers:
                results.append(run_embedded(root, args.embedded_workers, args.samples))
                print(_row(results[-1]), flush=True)
            for n in (int(w) for w in args.workers.split(",")):
                results.append(run_celery(root, f"redis://127.0.0.1:{port}/0", n, args.samples,
                                          recolour=n == args.recolour_with))
                print(_row(results[-1]), flush=True)
        finally:
            redis.terminate()
    print()
    print(f"{'backend':<12}{'processes':>10}{'samples':>9}{'seconds':>9}{'per min':>9}{'per hour':>10}"
          f"{'mean drape s':>14}{'re-render s':>13}")
    for r in results:
        print(f"{r.name:<12}{r.processes:>10}{r.samples:>9}{r.seconds:>9.1f}{r.per_minute:>9.2f}"
              f"{60 * r.per_minute:>10.0f}{r.drape_s:>14.1f}"
              f"{(f'{r.recolour_s:.1f}' if r.recolour_s is not None else '-'):>13}")
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
    print(json.dumps([r.__dict__ | {"per_minute": r.per_minute} for r in results]))
    return 0


def _row(r: Result) -> str:
    extra = f", colorway re-render {r.recolour_s:.1f} s" if r.recolour_s is not None else ""
    return f"{r.name}: {r.samples} samples in {r.seconds:.1f} s ({r.per_minute:.2f}/min){extra}"


if __name__ == "__main__":
    sys.exit(main())
