"""A cloth sheen lobe for Mitsuba 3: the turntable's Charlie sheen, added to a nested BSDF, for the hero stills.

Mitsuba's ``principled`` sheen is Disney's Schlick-weighted term on the half
angle, which adds next to nothing under front light: silk traced with it reads
matte. This plugin (``cloth_sheen``) adds the lobe the turntable's shader
draws (shaders/common.glsl): the Charlie distribution (Estevez and Kulla 2017)
with Neubelt and Pettineo's visibility, tinted like the turntable's sheen,
on top of the nested BSDF. The lobe is reflection only, sampled with a cosine
hemisphere (multiple-importance mixed with the nested BSDF's own sampling).

Like the hero's specular (:func:`garment3d.render.hero._specular`), the lobe
is the turntable's divided by pi: its shader adds lobes as BRDF x I where the
hero's lights give an irradiance of pi I.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHEEN_SAMPLE_SHARE", "charlie_sheen", "register"]

SHEEN_SAMPLE_SHARE = 0.3  # share of the samples drawn for the sheen lobe (cosine hemisphere)
_REGISTERED: set[str] = set()


def charlie_sheen(n_dot_h, n_dot_l, n_dot_v, roughness):
    """The Charlie sheen BRDF without its colour, as the turntable's shader (works on numpy and Dr.Jit arrays).

    ``roughness`` is the fabric's sheen roughness (squared inside, as the shader does).
    """
    r = max(float(roughness) ** 2, 0.02)
    sin2 = _maximum(1.0 - n_dot_h * n_dot_h, 0.0078125)
    distribution = (2.0 + 1.0 / r) * sin2 ** (0.5 / r) / (2.0 * np.pi)
    return distribution / (4.0 * (n_dot_l + n_dot_v - n_dot_l * n_dot_v))


def _maximum(a, b):
    if isinstance(a, (float, np.ndarray)):
        return np.maximum(a, b)
    import drjit as dr

    return dr.maximum(a, b)


def register(mi) -> None:
    """Register the ``cloth_sheen`` BSDF with the active Mitsuba variant (once per variant)."""
    variant = mi.variant()
    if variant in _REGISTERED:
        return
    mi.register_bsdf("cloth_sheen", lambda props: _make(mi, props))
    _REGISTERED.add(variant)


def _make(mi, props):
    import drjit as dr

    class ClothSheen(mi.BSDF):
        """``inner`` (a nested BSDF) plus a Charlie sheen lobe of colour ``sheen_rgb`` and ``sheen_roughness``."""

        def __init__(self, props):
            mi.BSDF.__init__(self, props)
            self.inner = props["inner"]
            rgb = props["sheen_rgb"]
            self.sheen_rgb = mi.Color3f(rgb[0], rgb[1], rgb[2])
            self.roughness = float(props["sheen_roughness"])
            self.scale = float(props["scale"]) if "scale" in props else 1.0 / np.pi
            flags = mi.BSDFFlags.GlossyReflection | mi.BSDFFlags.FrontSide
            self.m_components = [self.inner.flags(i) for i in range(self.inner.component_count())] + [flags]
            self.m_flags = self.inner.flags() | flags

        def _sheen(self, si, wo):
            """Sheen value times the cosine (zero below the surface)."""
            n_dot_l = mi.Frame3f.cos_theta(wo)
            n_dot_v = mi.Frame3f.cos_theta(si.wi)
            h = dr.normalize(si.wi + wo)
            up = (n_dot_l > 0) & (n_dot_v > 0)
            value = charlie_sheen(dr.clip(h.z, 0.0, 1.0), dr.maximum(n_dot_l, 1e-4), dr.maximum(n_dot_v, 1e-4),
                                  self.roughness) * self.scale * n_dot_l
            return dr.select(up, self.sheen_rgb * value, mi.Color3f(0.0))

        def _pdf_sheen(self, si, wo):
            ok = mi.Frame3f.cos_theta(si.wi) > 0
            return dr.select(ok, mi.warp.square_to_cosine_hemisphere_pdf(wo), 0.0)

        def eval(self, ctx, si, wo, active=True):
            return self.inner.eval(ctx, si, wo, active) + self._sheen(si, wo)

        def pdf(self, ctx, si, wo, active=True):
            share = SHEEN_SAMPLE_SHARE
            return (1.0 - share) * self.inner.pdf(ctx, si, wo, active) + share * self._pdf_sheen(si, wo)

        def eval_pdf(self, ctx, si, wo, active=True):
            value, pdf = self.inner.eval_pdf(ctx, si, wo, active)
            share = SHEEN_SAMPLE_SHARE
            return value + self._sheen(si, wo), (1.0 - share) * pdf + share * self._pdf_sheen(si, wo)

        def sample(self, ctx, si, sample1, sample2, active=True):
            share = SHEEN_SAMPLE_SHARE
            for_sheen = sample1 < share
            inner_sample1 = dr.clip((sample1 - share) / (1.0 - share), 0.0, 0.99999994)
            bs, _ = self.inner.sample(ctx, si, inner_sample1, sample2, active)
            bs.wo = dr.select(for_sheen, mi.warp.square_to_cosine_hemisphere(sample2), bs.wo)
            value, pdf = self.eval_pdf(ctx, si, bs.wo, active)
            bs.pdf = pdf
            bs.eta = dr.select(for_sheen, 1.0, bs.eta)
            bs.sampled_type = dr.select(for_sheen, mi.UInt32(+mi.BSDFFlags.GlossyReflection), bs.sampled_type)
            bs.sampled_component = dr.select(for_sheen, mi.UInt32(self.inner.component_count()),
                                             bs.sampled_component)
            weight = dr.select(pdf > 0, value / pdf, mi.Color3f(0.0))
            return bs, weight

        def eval_diffuse_reflectance(self, si, active=True):
            return self.inner.eval_diffuse_reflectance(si, active)

        def traverse(self, callback):
            pass

        def to_string(self):
            return f"ClothSheen[sheen_rgb={self.sheen_rgb}, roughness={self.roughness}]"

    return ClothSheen(props)
