"""A colorway-only revision reuses the drape: the worker only re-renders (real pipeline, draft quality).

The proof is taken from what the job itself recorded and from its files:
the revision's stage timings have no mesh or drape stage, its drape figures
are those of the first drape to the last digit, the cache key is the same,
and its frames are in the new colour.
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from server_testkit import SKIRT, finish_with_fake


def _runner(request, out_dir, progress, drape_cache=None):
    """The real pipeline (frames and GLB only), keeping drapes where the worker says."""
    from garment3d.pipeline import run_sample

    return run_sample(replace(request, outputs=("frames", "glb")), out_dir, progress, drape_cache=drape_cache)


def _done(client, created) -> dict:
    assert created.status_code == 202, created.text
    assert finish_with_fake(client, _runner) == ["done"]
    sample = client.get(created.json()["links"]["self"]).json()
    assert sample["status"] == "done", sample
    return sample


def _blue_minus_red(client, sample) -> float:
    frame = np.asarray(Image.open(io.BytesIO(client.get(sample["links"]["frames"]).content)).convert("RGB"), float)
    return float(np.mean(frame[..., 2] - frame[..., 0]))


@pytest.mark.e2e
def test_a_colorway_only_revision_reuses_the_drape(client):
    first = _done(client, client.post("/api/v1/samples", json=SKIRT))
    assert {"mesh", "drape", "render"} <= set(first["report"]["timings_s"])
    assert first["report"]["drape"]["cache"]["reused"] is False

    revised = _done(client, client.post(f"/api/v1/samples/{first['id']}/revisions", json={"colorway": "#1f4e9c"}))
    assert revised["revision"] == 2 and not revised["reused"]  # a job of its own: the look changed
    timings = revised["report"]["timings_s"]
    assert "drape" not in timings and "mesh" not in timings and "render" in timings
    cache = revised["report"]["drape"]["cache"]
    assert cache == {"key": first["report"]["drape"]["cache"]["key"], "reused": True}
    same = ("max_seam_gap_mm", "steps", "simulated_s", "max_edge_strain", "vertex_count", "inside_count")
    assert {k: revised["report"]["drape"][k] for k in same} == {k: first["report"]["drape"][k] for k in same}
    assert _blue_minus_red(client, revised) > _blue_minus_red(client, first) + 5  # the render did change
    assert client.get(revised["links"]["model"]).content != client.get(first["links"]["model"]).content

    # a change the drape depends on drapes again
    longer = _done(client, client.post(f"/api/v1/samples/{revised['id']}/revisions",
                                       json={"parameters": {"length": 66}}))
    assert "drape" in longer["report"]["timings_s"] and longer["report"]["drape"]["cache"]["reused"] is False
    assert longer["report"]["drape"]["cache"]["key"] != cache["key"]


def test_an_unknown_colour_is_refused_at_once(client):
    response = client.post("/api/v1/samples", json=SKIRT | {"colorway": "not-a-colour"})
    assert response.status_code == 422 and "not-a-colour" in response.json()["detail"]
    ok = client.post("/api/v1/samples", json=SKIRT | {"colorway": "olive"})  # one of linen_red's colorways
    assert ok.status_code == 202, ok.text


def test_a_revision_can_take_the_colorway_away_again(client):
    coloured = client.post("/api/v1/samples", json=SKIRT | {"colorway": "olive"}).json()
    plain = client.post(f"/api/v1/samples/{coloured['id']}/revisions", json={"colorway": None}).json()
    assert plain["request"]["colorway"] is None
    kept = client.post(f"/api/v1/samples/{coloured['id']}/revisions", json={"tags": ["x"]}).json()
    assert kept["request"]["colorway"] == "olive" and kept["reused"]  # unchanged request: the same job
