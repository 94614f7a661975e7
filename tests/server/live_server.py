"""A real server on a free localhost port (``python -m server``), with its real worker processes.

Used by the reliability tests (fake pipeline through GARMENT3D_RUNNER) and the
end-to-end test (the real pipeline).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STARTUP_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fake_pipeline_env(run_log: Path, stage_s: float = 0.0) -> dict[str, str]:
    return {"GARMENT3D_RUNNER": "server_testkit:fake_run_sample", "GARMENT3D_TEST_RUN_LOG": str(run_log),
            "GARMENT3D_TEST_STAGE_S": str(stage_s)}


class LiveServer:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "GARMENT3D_SERVER_DATA_DIR": str(data_dir),
            "GARMENT3D_HOST": "127.0.0.1",
            "GARMENT3D_PORT": str(self.port),
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        } | (env or {})
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def add_user(self, name: str, role: str, org: str = "default") -> str:
        result = subprocess.run([sys.executable, "-m", "garment3d.cli", "users", "add", name, "--role", role,
                                 "--org", org], cwd=REPO_ROOT, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start(self) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "server", "--log-level", "info"], cwd=REPO_ROOT,
                                        env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer within {STARTUP_TIMEOUT_S} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self, timeout_s: float = 30) -> None:
        """A graceful stop (SIGTERM), as a service manager does it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """The server's worker processes (children running server.jobs.worker)."""
        assert self.process is not None
        out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(self.process.pid)], capture_output=True,
                             text=True).stdout
        return [int(line.split()[0]) for line in out.splitlines() if "server.jobs.worker" in line]

    def log_tail(self, lines: int = 80) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        kept = [line for line in text.splitlines() if " 200" not in line]
        return "\n".join(kept[-lines:])
