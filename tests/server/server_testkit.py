"""Helpers shared by the server tests (a module of its own so tests and worker processes can import it by name).

The fake pipeline writes the files the real one writes (named as in the real
``sample.json``) in milliseconds, so route and worker tests do not depend on
the drape or the renderer; the e2e test runs the real thing. Worker processes
load it through ``GARMENT3D_RUNNER=server_testkit:fake_run_sample`` with this
folder on ``PYTHONPATH``; ``GARMENT3D_TEST_STAGE_S`` makes each stage take that
long (``GARMENT3D_TEST_STANDARD_FACTOR`` times that for quality "standard": a
test's slow job) and ``GARMENT3D_TEST_RUN_LOG`` records each run's start and end.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from garment3d.pipeline import STAGES, SampleRequest

FAKE_FRAMES = 3
SKIRT = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"}
GLB_BYTES = b"glTF" + (2).to_bytes(4, "little") + (12).to_bytes(4, "little")
HERE = Path(__file__).resolve().parent


def write_fake_sample(out_dir: Path, request: SampleRequest | None = None) -> None:
    """The outputs of a finished sample: frames, stills, animation, GLB, pattern SVG and sample.json."""
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    frames, images = [], []
    for index in range(FAKE_FRAMES):
        image = Image.new("RGB", (16, 16), (40 * index, 80, 120))
        frames.append(f"frame_{index:03d}.png")
        image.save(out_dir / frames[-1])
        images.append(image)
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out_dir / "still_front.png")
    images[0].save(out_dir / "turntable.webp", save_all=True, append_images=images[1:], duration=80, loop=0)
    (out_dir / "garment.glb").write_bytes(GLB_BYTES)
    (out_dir / "pattern.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    summary = {
        "request": {"pattern": request.pattern if request else "a_line_skirt"},
        "size": {"label": "160/84A", "system": "GB/T 1335 women", "target_cm": {"height_cm": 160.0}},
        "body_measured_cm": {"height_cm": 160.2},
        "fabric": request.fabric if request else "linen_red",
        "parameters": {"length": 60.0},
        "drape": {"max_seam_gap_mm": 0.4, "passed": True},
        "timings_s": {stage: 0.01 for stage in STAGES},
        "files": {"pattern_svg": "pattern.svg", "frames": frames, "animation": "turntable.webp",
                  "glb": "garment.glb", "stills": ["still_front.png"]},
    }
    (out_dir / "sample.json").write_text(json.dumps(summary), encoding="utf-8")


def _log(event: str, out_dir: Path) -> None:
    path = os.environ.get("GARMENT3D_TEST_RUN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{event} {out_dir.name.split('-')[0]} {os.getpid()} {time.time():.3f}\n")


def fake_run_sample(request: SampleRequest, out_dir: Path, progress: Callable[[str, float], None]) -> None:
    stage_s = float(os.environ.get("GARMENT3D_TEST_STAGE_S", "0"))
    if request.quality == "standard":
        stage_s *= float(os.environ.get("GARMENT3D_TEST_STANDARD_FACTOR", "1"))
    _log("start", out_dir)
    for stage in STAGES:
        progress(stage, 0.0)
        time.sleep(stage_s)
        progress(stage, 1.0)
    write_fake_sample(out_dir, request)
    _log("end", out_dir)


def finish_with_fake(client: TestClient, runner=fake_run_sample) -> list[str]:
    """Run every queued job in this process through the real worker code (claim, store files, complete)."""
    from server.jobs.worker import run_one

    state = client.app.state
    done = []
    while (job := state.queue.claim("test-worker")) is not None:
        done.append(run_one(state.queue, state.artifacts, client.app.state.settings, job, "test-worker", runner))
    return done


def wait_for_status(client, url: str, wanted: set[str], timeout_s: float = 30.0, **kwargs) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        body = client.get(url, **kwargs).json()
        if body["status"] in wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} still {body['status']} after {timeout_s} s: {body}")
        time.sleep(0.05)
