"""A distributed fleet on localhost for the Celery tests: real Redis, a real server, real ``garment3d worker``s.

Every process is real (no mocks): the server is ``python -m server`` with
``GARMENT3D_BROKER_URL`` set, each worker is ``python -m garment3d.cli worker``
(a Celery main process and its pool processes) in a session of its own, so a
test can kill a whole worker as a machine would die. The fake pipeline
(server_testkit) stands in for the drape: it logs each run's start and end,
so "ran exactly once" is checked apart from the server's own bookkeeping.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from live_server import REPO_ROOT, LiveServer, fake_pipeline_env, free_port

REDIS_URL = os.environ.get("GARMENT3D_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
START_TIMEOUT_S = 120


def redis_client(url: str):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis at {url} is not reachable ({exc}); the tests need a real Redis server")
    return client


class PrivateRedis:
    """A redis-server of this test's own (no persistence), which a test may kill and start again."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=open(self.log_path, "ab"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis_client(self.url)
                return self
            except BaseException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Worker:
    """One ``garment3d worker`` (its own process session)."""

    def __init__(self, name: str, queues: str, concurrency: int, env: dict[str, str], log_dir: Path):
        self.name, self.queues, self.concurrency, self.env = name, queues, concurrency, env
        self.node = f"{name}@{os.uname().nodename}"
        self.log_path = log_dir / f"worker-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "garment3d.cli", "worker", "--queues", self.queues, "--concurrency",
             str(self.concurrency), "--name", self.node, "--log-level", "info"],
            cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pool_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True,
                             text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """SIGKILL the main process and its pool processes at once: the machine died."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 30) -> int:
        """A graceful stop (SIGTERM to the main process), as a service manager does it; the exit code."""
        if not self.alive:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"worker {self.name} did not stop within {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Fleet:
    """A server and its workers sharing one data folder (database, artifacts, drapes) and one broker."""

    def __init__(self, root: Path, broker_url: str, workers: dict[str, tuple[str, int]], **settings):
        self.root = root
        self.run_log = root / "runs.log"
        env = fake_pipeline_env(self.run_log, settings.pop("stage_s", 0.05)) | {
            "GARMENT3D_BROKER_URL": broker_url, "GARMENT3D_HEARTBEAT_S": "0.2", "GARMENT3D_STALE_AFTER_S": "4",
            "GARMENT3D_SWEEP_S": "0.3", "GARMENT3D_SHUTDOWN_GRACE_S": "1", "GARMENT3D_TEST_STANDARD_FACTOR": "20",
            "GARMENT3D_LOG_LEVEL": "INFO", "PYOPENGL_PLATFORM": "egl",
        } | {f"GARMENT3D_{k.upper()}": str(v) for k, v in settings.items()}
        self.server = LiveServer(root / "data", env)
        self.workers = {name: Worker(name, queues, n, self.server.env, root) for name, (queues, n) in workers.items()}
        self.http: httpx.Client | None = None

    def start(self) -> Fleet:
        key = self.server.add_user("d", "designer")
        for worker in self.workers.values():
            worker.start()
        self.server.start()
        self.http = httpx.Client(base_url=self.server.base_url, headers={"Authorization": f"Bearer {key}"},
                                 timeout=30)
        self.wait_for_workers()
        return self

    def wait_for_workers(self) -> dict:
        """The health answer once every worker of the fleet has answered the broker."""
        deadline = time.monotonic() + START_TIMEOUT_S
        expected = {w.node for w in self.workers.values()}
        while True:
            health = httpx.get(self.server.base_url + "/healthz", timeout=10).json()
            if expected <= {w["name"] for w in health["fleet"]}:
                return health
            for worker in self.workers.values():
                assert worker.alive, f"worker {worker.name} ended:\n{worker.log_tail()}"
            assert time.monotonic() < deadline, f"workers not all up: {health}"
            time.sleep(0.3)

    def restart(self, name: str) -> None:
        """Start a stopped worker again (without waiting: a test that needs the whole fleet waits for it)."""
        self.workers[name].start()

    def stop(self) -> None:
        if self.http is not None:
            self.http.close()
        for worker in self.workers.values():
            if worker.alive:
                worker.kill()
        self.server.stop()

    # ------------------------------------------------------------------ samples and runs

    def submit(self, body: dict) -> str:
        answer = self.http.post("/api/v1/samples", json=body)
        assert answer.status_code == 202, answer.text
        return answer.json()["id"]

    def status(self, sample_id: str) -> dict:
        return self.http.get(f"/api/v1/samples/{sample_id}").json()

    def wait(self, ids, timeout_s: float = 90.0) -> dict[str, dict]:
        deadline = time.monotonic() + timeout_s
        while True:
            bodies = {i: self.status(i) for i in ids}
            if all(b["status"] in ("done", "failed", "cancelled") for b in bodies.values()):
                return bodies
            assert time.monotonic() < deadline, {i: b["status"] for i, b in bodies.items()}
            time.sleep(0.2)

    def wait_running(self, sample_id: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.status(sample_id)["status"] != "running":
            assert time.monotonic() < deadline, self.status(sample_id)
            time.sleep(0.05)

    def runs(self) -> list[tuple[str, str, int]]:
        """(event, job id, pool process id) for every start and end the fake pipeline logged, in order."""
        return [(e, j, p) for e, j, p, _ in self.timed_runs()]

    def timed_runs(self) -> list[tuple[str, str, int, float]]:
        """The same with the time (UNIX seconds) of each."""
        if not self.run_log.exists():
            return []
        lines = self.run_log.read_text().splitlines()
        return [(e, j, int(p), float(t)) for e, j, p, t in (line.split() for line in lines)]

    def ends(self) -> Counter:
        return Counter(job for event, job, _ in self.runs() if event == "end")

    def job(self, sample_id: str) -> dict:
        """The job row and its delivery history, from the database itself."""
        import sqlite3

        with sqlite3.connect(self.server.data_dir / "garment3d.sqlite3") as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT j.*, r.queue, r.priority, r.history, r.dispatches FROM samples s "
                             "JOIN jobs j ON j.id = s.job_id JOIN job_routes r ON r.job_id = j.id "
                             "WHERE s.id = ?", (sample_id,)).fetchone()
        return dict(row)

    def node_of(self, pid: int) -> str | None:
        """The worker whose pool process ``pid`` is (or was, while it lives)."""
        for name, worker in self.workers.items():
            if worker.alive and pid in worker.pool_pids():
                return name
        return None
