"""End to end: ``python -m server`` on localhost, a real draft sample through the real pipeline.

Slow (the drape runs for real): deselect with ``-m "not e2e"``.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60
SAMPLE_TIMEOUT_S = 300

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    def __init__(self, process: subprocess.Popen, base_url: str, log_path: Path):
        self.process = process
        self.base_url = base_url
        self.log_path = log_path

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's log, without the access lines of successful requests."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        kept = [line for line in text.splitlines() if not line.rstrip().endswith(" 200 OK")]
        return "\n".join(kept[-lines:])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    port = _free_port()
    env = os.environ | {
        "GARMENT3D_SERVER_DATA_DIR": str(tmp_path / "data"),
        "GARMENT3D_HOST": "127.0.0.1",
        "GARMENT3D_PORT": str(port),
    }
    key = subprocess.run([sys.executable, "-m", "garment3d.cli", "users", "add", "e2e", "--role", "designer"],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "--log-level", "info"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    running = _Server(process, f"http://127.0.0.1:{port}", log_path)
    running.key = key
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{running.log_tail()}")
            try:
                if httpx.get(running.base_url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT_S} s:\n{running.log_tail()}")
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_draft_sample_end_to_end(server: _Server):
    from PIL import Image

    headers = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client(base_url=server.base_url, timeout=30, headers=headers) as http:
        # user errors are answered at once, by the real server too
        bad = http.post("/api/v1/samples", json={"pattern": "a_line_skirt", "size": "160/84A", "fabric": "silk_purple"})
        assert bad.status_code == 422 and "unknown fabric 'silk_purple'" in bad.json()["detail"]

        created = http.post(
            "/api/v1/samples",
            json={"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"},
        )
        assert created.status_code == 202, created.text
        status_url = created.json()["links"]["self"]

        deadline = time.monotonic() + SAMPLE_TIMEOUT_S
        seen_stages = []
        while True:
            body = http.get(status_url).json()  # the server keeps answering while the worker computes
            if body["stage"] and body["stage"] not in seen_stages:
                seen_stages.append(body["stage"])
            if body["status"] in ("done", "failed"):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"sample not finished after {SAMPLE_TIMEOUT_S} s: {body}\n{server.log_tail()}")
            time.sleep(0.5)
        if body["status"] == "failed":
            pytest.fail(f"the pipeline failed the sample: {body['error']}\n(stages seen: {seen_stages})\n"
                        f"{server.log_tail()}")

        assert body["progress"] == 1.0
        assert body["report"]["size"]["label"] == "160/84A"
        links = body["links"]

        files = http.get(links["files"]).json()
        assert len(files["frames"]) == 12  # the draft preset
        frame = http.get(files["frames"][0])
        assert frame.status_code == 200 and frame.headers["content-type"] == "image/png"
        assert frame.content.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(frame.content)) as image:
            assert image.size == (256, 256)

        animation = http.get(links["animation"])
        assert animation.status_code == 200
        if animation.headers["content-type"] == "image/webp":
            assert animation.content[:4] == b"RIFF" and animation.content[8:12] == b"WEBP"
        else:
            assert animation.headers["content-type"] == "image/gif" and animation.content[:4] == b"GIF8"

        model = http.get(links["model"])
        assert model.status_code == 200 and model.headers["content-type"] == "model/gltf-binary"
        assert model.content[:4] == b"glTF"

        pattern = http.get(links["pattern"])
        assert pattern.status_code == 200 and b"<svg" in pattern.content[:500]
