"""End to end: the real pipeline at draft quality, every stage for real."""

import json

import numpy as np
import pytest
from PIL import Image

from garment3d.errors import InvalidRequestError, SimulationError, UnknownFabricError
from garment3d.gates import evaluate
from garment3d.pipeline import SampleRequest, _enforce_gates, run_sample, validate_request
from garment3d.types import DrapeReport, Measurements


@pytest.fixture(scope="module")
def draft_sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    stages = []
    result = run_sample(SampleRequest(quality="draft"), out, lambda stage, f: stages.append((stage, f)))
    return result, stages


def test_every_output_is_written(draft_sample):
    result, stages = draft_sample
    assert [s for s, f in stages if f == 1.0] == ["pattern", "body", "mesh", "drape", "render"]
    assert len(result.render.frames) == 12
    for frame in result.render.frames:
        with Image.open(frame) as image:
            assert image.size == (256, 256)
    with Image.open(result.render.animation) as animation:
        assert animation.n_frames == 12
    assert result.render.glb.read_bytes()[:4] == b"glTF"
    assert "<svg" in result.pattern_svg.read_text()
    summary = json.loads(result.summary.read_text())
    assert summary["drape"]["passed"] is True
    assert set(summary["timings_s"]) == {"pattern", "body", "mesh", "drape", "render"}
    assert summary["body_measured_cm"]["waist_cm"] == pytest.approx(68.0, abs=1.0)


def test_drape_meets_the_quality_gates(draft_sample):
    verdict = evaluate(draft_sample[0].report)
    assert verdict.passed, verdict.problems


def test_frames_show_a_turning_subject(draft_sample):
    frames = [np.asarray(Image.open(p).convert("RGB"), dtype=float) for p in draft_sample[0].render.frames]
    assert np.abs(frames[0] - frames[3]).mean() > 1.0  # the view changes as it turns


def test_validation_happens_before_any_work():
    with pytest.raises(UnknownFabricError):
        validate_request(SampleRequest(fabric="cardboard"))
    with pytest.raises(InvalidRequestError, match="needs measurements"):
        validate_request(SampleRequest(size="custom"))
    with pytest.raises(InvalidRequestError, match="not both"):
        validate_request(SampleRequest(measurements=Measurements(160, 84, 68, 90)))


def test_failed_gates_refuse_to_render_unless_asked():
    bad = DrapeReport(max_seam_gap_mm=12.0, inside_count=90, inside_share=0.02, max_edge_strain=0.1,
                      p95_edge_strain=0.02, settled=False, steps=10, simulated_s=6.0, wall_s=1.0, vertex_count=4500)
    with pytest.raises(SimulationError, match=r"seam gap 12\.0 mm.*2\.0% of the cloth is inside.*not at rest"):
        _enforce_gates(bad, allow_failed=False)
    _enforce_gates(bad, allow_failed=True)


def test_drape_on_a_clients_own_avatar(tmp_path):
    import trimesh

    from garment3d.body import build_body

    scan = build_body(Measurements(166.0, 90.0, 72.0, 97.0))  # stands in for a 3D scan, exported in cm
    path = tmp_path / "client.obj"
    trimesh.Trimesh(scan.vertices * 100.0, scan.faces, process=False).export(path)
    result = run_sample(SampleRequest(avatar=path, size="avatar", quality="draft"), tmp_path / "out")
    summary = json.loads(result.summary.read_text())
    assert summary["size"]["label"] == "custom"
    assert summary["body_measured_cm"]["hip_cm"] == pytest.approx(97.0, abs=1.0)
    assert summary["size"]["target_cm"]["waist_cm"] == pytest.approx(72.0, abs=1.0)  # the pattern follows the avatar
    assert evaluate(result.report).passed, evaluate(result.report).problems


def test_bad_avatar_and_arm_angle_are_refused_up_front(tmp_path):
    with pytest.raises(InvalidRequestError, match="does not exist"):
        validate_request(SampleRequest(avatar=tmp_path / "none.obj"))
    with pytest.raises(InvalidRequestError, match="arm"):
        validate_request(SampleRequest(arm_angle_deg=170.0))


def test_the_pattern_is_drafted_for_the_samples_fabric():
    from garment3d.patterns.evaluate import edge_length_cm
    from garment3d.pipeline import _draft

    def band_cm(fabric):
        request = SampleRequest(pattern="t_shirt", fabric=fabric)
        band = _draft(request, validate_request(request)).panel("neckband")
        return edge_length_cm(band, "neck_front_left")

    # a knit's neckband is cut 8 % shorter than a woven's, which is about the neckline's length
    assert band_cm("jersey_cotton") == pytest.approx(band_cm("poplin_grey") * 0.92 / (1 - 0.08 * 2.22 / 40), rel=2e-3)
