"""build_body end to end: world placement, typed result, caches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import trimesh

from garment3d.body import build as build_module
from garment3d.body import build_body, clear_memory_cache
from garment3d.body.cache import body_key, load_body
from garment3d.body.sdf import sample_sdf
from garment3d.errors import InvalidMeasurementsError
from garment3d.types import Body, Measurements

TARGET = Measurements(165, 88, 72, 94, "female")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("garment3d-cache")


@pytest.fixture(scope="module")
def body(cache_dir):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GARMENT3D_CACHE_DIR", str(cache_dir))
        clear_memory_cache()
        return build_body(TARGET)


def test_body_is_typed_and_placed_in_the_world(body):
    assert isinstance(body, Body)
    assert body.vertices.dtype == np.float64 and body.vertices.shape[1] == 3
    assert body.faces.dtype == np.int64 and body.faces.shape[1] == 3
    assert body.vertices[:, 1].min() == pytest.approx(0.0, abs=1e-9)
    assert body.vertices[:, 1].max() == pytest.approx(1.65, abs=5e-4)
    np.testing.assert_allclose(body.landmarks.axis_xz, [0.0, 0.0], atol=1e-9)
    mesh = trimesh.Trimesh(body.vertices, body.faces, process=False)
    assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0


def test_measured_matches_request(body):
    m = body.measured
    assert m.gender == "female"
    for name in ("height_cm", "bust_cm", "waist_cm", "hip_cm"):
        assert getattr(m, name) == pytest.approx(getattr(TARGET, name), abs=1.0)
    lm = body.landmarks
    assert 0 < lm.knee_y < lm.crotch_y < lm.hip_y < lm.waist_y < lm.bust_y < 1.65


def test_collision_field_belongs_to_the_body(body):
    waist = np.array([[0.0, body.landmarks.waist_y, 0.0]])
    assert sample_sdf(body.sdf, waist)[0] < -0.02
    assert np.abs(sample_sdf(body.sdf, body.vertices[::50])).max() < 0.004


def test_cache_round_trip(body, cache_dir, monkeypatch):
    monkeypatch.setenv("GARMENT3D_CACHE_DIR", str(cache_dir))
    assert build_body(TARGET) is body  # in-process LRU
    files = list((cache_dir / "bodies").glob("*.npz"))
    assert len(files) == 1
    clear_memory_cache()

    def refit(*args, **kwargs):
        raise AssertionError("the body was fitted again instead of read from the disk cache")

    monkeypatch.setattr(build_module, "_make_body", refit)
    again = build_body(TARGET)
    assert again is not body
    np.testing.assert_array_equal(again.vertices, body.vertices)
    np.testing.assert_array_equal(again.faces, body.faces)
    np.testing.assert_array_equal(again.sdf.values, body.sdf.values)
    np.testing.assert_array_equal(again.sdf.origin, body.sdf.origin)
    assert again.sdf.spacing == body.sdf.spacing
    assert again.landmarks.waist_y == body.landmarks.waist_y
    np.testing.assert_array_equal(again.landmarks.axis_xz, body.landmarks.axis_xz)
    assert again.measured == body.measured


def test_invalid_request_fails_before_any_fitting(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("an invalid request reached the model")

    monkeypatch.setattr(build_module, "load_model", never)
    monkeypatch.setattr(build_module, "_make_body", never)
    with pytest.raises(InvalidMeasurementsError, match="waist"):
        build_body(Measurements(165, 88, 300, 94))


def test_unreadable_cache_file_is_ignored(tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file")
    assert load_body(broken) is None
    assert load_body(tmp_path / "missing.npz") is None
    assert body_key(TARGET, "v1") != body_key(TARGET, "v2")
    assert body_key(TARGET, "v1") != body_key(Measurements(165, 88, 72, 95, "female"), "v1")
    shoulders = dataclasses.replace(TARGET, shoulder_width_cm=38.0)
    assert body_key(shoulders, "v1") != body_key(TARGET, "v1")
    legs = dataclasses.replace(TARGET, inside_leg_cm=76.0)
    assert body_key(legs, "v1") != body_key(TARGET, "v1")
    assert body_key(legs, "v1") != body_key(dataclasses.replace(TARGET, inside_leg_cm=77.0), "v1")


def test_a_request_at_the_edge_of_the_range_is_fitted_not_refused_by_its_own_refit(model):
    """ANSUR II man 28656: navel waist 130.0 cm, the top of the male range. The dress-form finish takes
    0.3 cm off the waist, so the re-fit aims at 130.3 cm; that aim is the fitter's, not the client's,
    and must not be refused as a request outside the range."""
    from garment3d.body.build import fit_dress_form

    request = Measurements(188.5, 127.6, 130.0, 126.8, "male", waist_at="navel")
    _, meas = fit_dress_form(model, request)
    assert abs(meas.waist_girth_at("navel") * 100 - 130.0) < 1.0
    with pytest.raises(InvalidMeasurementsError, match="'waist' = 130.5 cm"):  # the client's own range still holds
        fit_dress_form(model, Measurements(188.5, 127.6, 130.5, 126.8, "male", waist_at="navel"))
