"""Helpers shared by the server tests (a module of its own so tests can import it by name).

The fake pipeline writes the files the real one writes (named as in the real
``sample.json``) in milliseconds, so the route and worker tests do not depend
on the drape or the renderer; ``test_server_e2e.py`` runs the real thing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from garment3d.pipeline import STAGES, SampleRequest
from server.app import create_app
from server.settings import ServerSettings

FAKE_FRAMES = 3
SKIRT = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"}
GLB_BYTES = b"glTF" + (2).to_bytes(4, "little") + (12).to_bytes(4, "little")


def write_fake_sample(out_dir: Path, *, files: dict | None = None) -> None:
    """The outputs of a finished sample: frames, animation, GLB, pattern SVG and sample.json."""
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    frames = []
    images = []
    for index in range(FAKE_FRAMES):
        image = Image.new("RGB", (16, 16), (40 * index, 80, 120))
        frames.append(f"frame_{index:03d}.png")
        image.save(out_dir / frames[-1])
        images.append(image)
    images[0].save(out_dir / "turntable.webp", save_all=True, append_images=images[1:], duration=80, loop=0)
    (out_dir / "garment.glb").write_bytes(GLB_BYTES)
    (out_dir / "pattern.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    summary = {
        "request": {"pattern": "a_line_skirt"},
        "size": {"label": "160/84A", "system": "GB/T 1335 women", "target_cm": {"height_cm": 160.0}},
        "body_measured_cm": {"height_cm": 160.2},
        "fabric": "linen_red",
        "parameters": {"length": 60.0},
        "drape": {"max_seam_gap_mm": 0.4, "passed": True},
        "timings_s": {stage: 0.01 for stage in STAGES},
        "files": files
        or {
            "pattern_svg": "pattern.svg",
            "frames": frames,
            "animation": "turntable.webp",
            "glb": "garment.glb",
            "stills": [],
        },
    }
    (out_dir / "sample.json").write_text(json.dumps(summary), encoding="utf-8")


def fake_run_sample(request: SampleRequest, out_dir: Path, progress: Callable[[str, float], None]) -> None:
    for stage in STAGES:
        progress(stage, 0.0)
        progress(stage, 1.0)
    write_fake_sample(out_dir)


def make_client(settings: ServerSettings, runner) -> TestClient:
    """An app (not yet started: use as a context manager) whose worker runs ``runner``."""
    return TestClient(create_app(replace(settings, run_worker=True), runner=runner))


def wait_for_status(client: TestClient, url: str, wanted: set[str], timeout_s: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        body = client.get(url).json()
        if body["status"] in wanted:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} still {body['status']} after {timeout_s} s: {body}")
        time.sleep(0.02)
