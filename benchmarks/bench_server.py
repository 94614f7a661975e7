"""Load benchmark of the service: requests per second and latency percentiles from separate client processes.

Starts ``python -m server`` on a free localhost port (no worker processes),
seeds one done sample (frames written by a synthetic pipeline through the real
worker code and artifact store: the figures measure serving, not drawing),
creates a share link, then hammers four URLs with ``--connections`` keep-alive
connections spread over ``--processes`` client processes:

- ``/healthz`` (the baseline: the cheapest route),
- a cached frame (``/api/v1/samples/{id}/frames/0``, a 512 x 512 PNG),
- the viewer page (``/s/{token}``),
- the status endpoint (``/api/v1/samples/{id}``),
- the pattern catalogue (``/api/v1/patterns``; it re-parsed every definition per request before).

Prints requests/s, p50 and p99 (ms), and each route's throughput as a ratio to
the baseline's. Usage: ``python benchmarks/bench_server.py [--seconds 10] [--connections 20]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _synthetic_pipeline(request, out_dir, progress):
    import json

    import numpy as np
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    y, x = np.mgrid[0:512, 0:512]
    frames = []
    for i in range(12):
        rgb = np.stack([(x + 7 * i) % 256, (y // 2) % 256, (x * y // 512 + i) % 256], -1).astype(np.uint8)
        frames.append(f"frame_{i:03d}.png")
        Image.fromarray(rgb).save(out_dir / frames[-1])
    (out_dir / "garment.glb").write_bytes(b"glTF" + bytes(8))
    (out_dir / "pattern.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    Image.open(out_dir / frames[0]).save(out_dir / "turntable.webp")
    summary = {"files": {"frames": frames, "stills": [], "glb": "garment.glb", "pattern_svg": "pattern.svg",
                         "animation": "turntable.webp"}, "size": {"label": "160/84A"}}
    (out_dir / "sample.json").write_text(json.dumps(summary))


def _seed(data_dir: Path) -> tuple[str, str, str]:
    """A designer key, a done sample and a share token in ``data_dir``."""
    from server.accounts import add_user
    from server.db.engine import make_database
    from server.jobs.embedded import DatabaseQueue
    from server.jobs.worker import run_one
    from server.samples import create_sample
    from server.settings import ServerSettings
    from server.shares import create_share
    from server.storage import LocalArtifacts

    settings = ServerSettings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = make_database(settings.db_url)
    queue = DatabaseQueue(db)
    user, key = add_user(db, "bench", "designer", "bench")
    request = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "gender": "female",
               "measurements": None, "parameters": {}, "quality": "draft", "allow_failed_drape": False}
    sample, _ = create_sample(db, queue, user, request, {})
    job = queue.claim("bench")
    assert run_one(queue, LocalArtifacts(settings.artifacts_dir), settings, job, "bench", _synthetic_pipeline) == "done"
    from server.samples import get_sample

    _, token = create_share(db, user, get_sample(db, user.org_id, sample.id), [], 1.0, "en")
    db.dispose()
    return key, sample.id, token


def _client(args) -> list[float]:
    import threading

    import httpx

    base, path, headers, seconds, connections = args
    latencies: list[float] = []
    lock = threading.Lock()
    import httpx as _warm  # noqa: F401 - imported before the window opens

    stop = time.monotonic() + seconds

    def loop():
        local = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            while time.monotonic() < stop:
                start = time.perf_counter()
                response = http.get(path)
                response.read()
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
                local.append(time.perf_counter() - start)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _measure(base, path, headers, seconds, connections, processes) -> tuple[float, float, float]:
    per = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_client, [(base, path, headers, seconds, n) for n in per if n])
    latencies = sorted(x for r in results for x in r)
    rps = len(latencies) / seconds  # each client process counts over its own window of ``seconds``
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return rps, statistics.median(latencies) * 1000, p99 * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="garment3d-bench-") as folder:
        data = Path(folder) / "data"
        key, sample_id, token = _seed(data)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = os.environ | {"GARMENT3D_SERVER_DATA_DIR": str(data), "GARMENT3D_PORT": str(port),
                            "GARMENT3D_WORKERS": "0"}
        server = subprocess.Popen([sys.executable, "-m", "server", "--log-level", "warning"], cwd=REPO, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            for _ in range(300):
                try:
                    if httpx.get(base + "/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            auth = {"Authorization": f"Bearer {key}"}
            routes = [("healthz (baseline)", "/healthz", {}), ("cached frame", f"/api/v1/samples/{sample_id}/frames/0",
                                                                  auth),
                      ("viewer page", f"/s/{token}", {}), ("status", f"/api/v1/samples/{sample_id}", auth),
                      ("pattern catalogue", "/api/v1/patterns", auth)]
            print(f"{args.connections} connections from {args.processes} client processes, {args.seconds:g} s each; "
                  f"server: 1 uvicorn process, no workers; machine: {os.cpu_count()} cores (shared)")
            print(f"{'route':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
            baseline = None
            for name, path, headers in routes:
                rps, p50, p99 = _measure(base, path, headers, args.seconds, args.connections, args.processes)
                baseline = baseline or rps
                print(f"{name:<20} {rps:8.1f} {p50:8.1f} {p99:8.1f} {rps / baseline:7.2f}")
        finally:
            server.terminate()
            server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
