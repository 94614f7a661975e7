"""The hero stills' cloth sheen lobe (garment3d.render.sheen): the turntable's Charlie sheen in Mitsuba."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.render.sheen import charlie_sheen


def test_charlie_sheen_glows_at_grazing_angles():
    # light and view opposite at grazing (half vector near the surface) against both straight on
    grazing = charlie_sheen(0.15, 0.1, 0.1, 0.3)
    facing = charlie_sheen(1.0, 1.0, 1.0, 0.3)
    assert grazing > 20 * facing
    # a rougher sheen spreads the glow: less at grazing, more facing
    assert charlie_sheen(0.15, 0.1, 0.1, 0.8) < grazing and charlie_sheen(1.0, 1.0, 1.0, 0.8) > facing


def _bsdf(mi, sheen_rgb):
    from garment3d.render.sheen import register

    register(mi)
    return mi.load_dict({"type": "cloth_sheen", "sheen_rgb": list(sheen_rgb), "sheen_roughness": 0.3,
                         "scale": 1.0 / np.pi, "inner": {"type": "diffuse", "reflectance": {"type": "rgb",
                                                                                              "value": 0.5}}})


def _direction(mi, theta_deg, phi_deg):
    t, p = np.radians(theta_deg), np.radians(phi_deg)
    return mi.Vector3f(float(np.sin(t) * np.cos(p)), float(np.sin(t) * np.sin(p)), float(np.cos(t)))


def _sheen_setup(theta_deg, phi_deg):
    """Mitsuba, the test's cloth_sheen BSDF, a surface interaction seen from (theta, phi), a context."""
    pytest.importorskip("mitsuba")
    from garment3d.render.hero import _import_mitsuba

    mi = _import_mitsuba()
    si = mi.SurfaceInteraction3f()
    si.wi = _direction(mi, theta_deg, phi_deg)
    return mi, _bsdf(mi, (0.6, 0.8, 0.7)), si, mi.BSDFContext()


def test_cloth_sheen_adds_the_lobe_to_the_nested_bsdf():
    mi, bsdf, si, ctx = _sheen_setup(80.0, 0.0)
    for theta, phi in ((80.0, 180.0), (30.0, 90.0), (5.0, 0.0)):
        wo = _direction(mi, theta, phi)
        value = np.asarray(bsdf.eval(ctx, si, wo)).ravel()
        # independently: Lambert of the nested diffuse plus the Charlie lobe, times the cosine
        wi_np = np.array([np.sin(np.radians(80.0)), 0.0, np.cos(np.radians(80.0))])
        wo_np = np.array([float(wo.x[0] if hasattr(wo.x, "__len__") else wo.x),
                          float(wo.y[0] if hasattr(wo.y, "__len__") else wo.y),
                          float(wo.z[0] if hasattr(wo.z, "__len__") else wo.z)])
        h = (wi_np + wo_np) / np.linalg.norm(wi_np + wo_np)
        sheen = charlie_sheen(h[2], wo_np[2], wi_np[2], 0.3) / np.pi
        expected = (0.5 / np.pi + np.array([0.6, 0.8, 0.7]) * sheen) * wo_np[2]
        np.testing.assert_allclose(value, expected, rtol=1e-3)
    # light and view together at grazing (the half vector near the surface): the sheen, well over the diffuse
    back = np.asarray(bsdf.eval(ctx, si, _direction(mi, 75.0, 0.0))).ravel()
    assert back[1] > 2.0 * 0.5 / np.pi * np.cos(np.radians(75.0))


def test_cloth_sheen_samples_agree_with_its_pdf():
    mi, bsdf, si, ctx = _sheen_setup(60.0, 20.0)
    rng = np.random.default_rng(3)
    for u1, u2, u3 in rng.random((12, 3)):
        bs, weight = bsdf.sample(ctx, si, float(u1), mi.Point2f(float(u2), float(u3)))
        value, pdf = bsdf.eval_pdf(ctx, si, bs.wo)
        np.testing.assert_allclose(np.asarray(bs.pdf).ravel(), np.asarray(pdf).ravel(), rtol=1e-4)
        np.testing.assert_allclose(np.asarray(weight).ravel(), (np.asarray(value) / np.asarray(pdf)).ravel(),
                                   rtol=1e-4)
