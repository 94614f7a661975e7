"""The studio scene on the GPU (or llvmpipe): garment, figure and floor, drawn from any azimuth.

:class:`StudioScene` uploads everything once; :meth:`StudioScene.render` sets
the turn and a few uniforms and draws three to six meshes: the cloth's outer
side first, then the figure and trims, then the cloth's inner side, so that the
depth test rejects what is hidden before it is shaded. The lights are fixed
to the camera (the subject turns under them), the floor carries a soft contact
shadow baked once from the figure and garment, and colour is tone-mapped in the
shader. Edges are anti-aliased within the box the turning subject sweeps on
screen (``render/gl.py``). :meth:`StudioScene.set_fabric` swaps the garment's look without
touching its geometry (colourway batches).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from garment3d.export_glb import srgb_to_linear
from garment3d.render.camera import CameraFraming, frame_camera, projection_matrix, turn_about_axis
from garment3d.render.figure import Figure
from garment3d.render.floor import FLOOR_MARGIN_M, SHADOW_RIM, contact_shadow
from garment3d.render.gl import open_context
from garment3d.render.studio import Studio
from garment3d.texture import garment_surface, load_fabric_image, load_normal_image, load_roughness_image
from garment3d.texture import surface_tangents
from garment3d.trims import TrimLook, garment_trims, trim_look
from garment3d.types import Body, Drape, Fabric

__all__ = ["CLOTH_SPECULAR", "CLOTH_WRAP", "TRIM_SPECULAR", "StudioScene"]

log = logging.getLogger(__name__)

CLOTH_WRAP = 0.1  # extra diffuse wrap of cloth (light reaches a little past the terminator)
CLOTH_SPECULAR = 0.04  # cloth's reflectance at normal incidence
TRIM_SPECULAR = 0.045  # and a non-metal trim's (buttons, studs)



class StudioScene:
    """One headless context holding the garment, its figure and the floor."""

    def __init__(
        self, drape: Drape, body: Body, fabric: Fabric, figure: Figure, studio: Studio = Studio(), ctx=None,
        trims=None,
    ):
        """``ctx``: a ready :class:`GLContext` to use and own (see ``turntable.prepare_render``), or None.
        ``trims``: the :class:`garment3d.trims.Trim` tuple to show, made from the drape when None."""
        started = time.perf_counter()
        self.studio = studio
        self.drape = drape
        self.garment = garment_surface(drape, fabric)
        self.figure = figure
        self.trims = garment_trims(drape) if trims is None else tuple(trims)
        self.axis_xz = np.asarray(body.landmarks.axis_xz, dtype=np.float64).reshape(2)
        points = np.vstack([self.garment.positions, figure.positions])
        self.framing: CameraFraming = frame_camera(points, self.axis_xz, body.landmarks.bust_y, studio)
        self.view = np.linalg.inv(self.framing.pose)
        self.projection = projection_matrix(self.framing.yfov, self.framing.near, self.framing.far)
        subject = np.vstack([points, *[trim.positions for trim in self.trims]])
        view_projection = self.projection @ self.view
        self.screen_box = _screen_box(subject, self.axis_xz, view_projection)
        self.changing_box = self.screen_box  # what differs between frames: the subject, and its shadow
        if studio.ground_shadow:
            radius = float(np.hypot(points[:, 0] - self.axis_xz[0], points[:, 2] - self.axis_xz[1]).max())
            floor = (radius + FLOOR_MARGIN_M) * (SHADOW_RIM + 0.03)  # the shadow's disc (zero beyond)
            self.changing_box = _screen_box(subject, self.axis_xz, view_projection, floor_radius=floor)
        tangents = surface_tangents(self.garment.positions, self.garment.faces, self.garment.normals, self.garment.uv)
        shadow, floor = contact_shadow(points, self.axis_xz) if studio.ground_shadow else (None, None)

        self.ctx = ctx if ctx is not None else open_context()
        try:
            self.ctx.platform.make_current()  # a prepared context was made on another thread
            ctx = self.ctx
            g = self.garment
            self.garment_mesh = ctx.mesh(g.positions, g.faces, normals=g.normals, uv=g.uv, tangents=tangents)
            self.part_meshes = [
                ctx.mesh(p.surface.positions, p.surface.faces, normals=p.surface.normals) for p in figure.parts
            ]
            self.trim_meshes = [
                (part.material, ctx.mesh(part.surface.positions, part.surface.faces, normals=part.surface.normals))
                for trim in self.trims
                for part in trim.parts
            ]
            self.floor_mesh = self.shadow_texture = None
            if shadow is not None:
                self.floor_mesh = ctx.mesh(floor.positions, floor.faces, normals=floor.normals, uv=floor.uv)
                self.shadow_texture = ctx.texture(shadow, srgb=False, repeat=False)
            self._garment_look: dict = {}
            self.set_fabric(fabric)
        except BaseException:
            self.ctx.close()
            raise
        log.debug("studio scene ready in %.2f s", time.perf_counter() - started)

    # ----------------------------------------------------------------- public

    def set_fabric(self, fabric: Fabric) -> None:
        """Give the garment ``fabric``'s look (textures, roughness, sheen, anisotropy, opacity)."""
        GL = self.ctx.GL
        self.fabric = fabric
        for name in self._garment_look.get("textures", ()):
            GL.glDeleteTextures([name])
        scan = np.asarray(load_fabric_image(fabric))
        base = self.ctx.texture(scan, srgb=True)
        normal_image = load_normal_image(fabric)
        rough_image = load_roughness_image(fabric)
        normal = self.ctx.texture(np.asarray(normal_image), srgb=False) if normal_image is not None else None
        rough = self.ctx.texture(np.asarray(rough_image), srgb=False) if rough_image is not None else None
        self._garment_look = {
            "textures": [t for t in (base, normal, rough) if t is not None],
            "base": base,
            "mean_rgb": srgb_to_linear(scan.reshape(-1, 3)[::7] / 255.0).mean(axis=0),
            "normal": normal,
            "rough": rough,
            "roughness": float(np.clip(fabric.roughness, 0.0, 1.0)),
            "sheen": float(np.clip(fabric.sheen, 0.0, 1.0)),
            "sheen_roughness": float(np.clip(fabric.sheen_roughness, 0.05, 1.0)),
            "anisotropy": float(np.clip(fabric.anisotropy, 0.0, 1.0)),
            "opacity": float(np.clip(fabric.opacity, 0.05, 1.0)),
        }
        cloth_rgb = scan.reshape(-1, 3)[::7].mean(axis=0) / 255.0
        self._trim_looks = {material: trim_look(material, cloth_rgb) for material, _ in self.trim_meshes}

    def changing_rect(self, size_px: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) pixels, top left origin: outside it every turntable frame is the same."""
        x0, y0, x1, y1 = self.changing_box
        left, right = int(np.floor(x0 * size_px)) - 2, int(np.ceil(x1 * size_px)) + 2
        top, bottom = int(np.floor((1.0 - y1) * size_px)) - 2, int(np.ceil((1.0 - y0) * size_px)) + 2
        return max(left, 0), max(top, 0), min(right, size_px), min(bottom, size_px)

    def render(self, azimuth_deg: float, size_px: int, *, transparent: bool = False, rgb: bool = False) -> np.ndarray:
        """(size_px, size_px, 4) uint8 RGBA of the subject seen from ``azimuth_deg`` (with ``rgb``, opaque
        images only: (size_px, size_px, 3) RGB, read back as such).

        Images of ``studio.detail_from_px`` and larger show the fabric's normal
        and roughness maps per pixel, and from ``studio.per_pixel_from_px`` (or
        with ``studio.per_pixel``) every light is computed per pixel; smaller
        images are lit per vertex.

        Opaque images have alpha 255 everywhere; transparent ones have straight
        (not premultiplied) alpha, 0 on the backdrop.
        """
        GL, ctx, studio = self.ctx.GL, self.ctx, self.studio
        background = np.asarray(studio.background_rgb, dtype=np.float64)
        clear = (0.0, 0.0, 0.0, 0.0) if transparent else (*background, 1.0)
        ctx.begin(size_px, studio.samples, clear, self.screen_box, background)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)  # premultiplied colour, where blending is on
        GL.glDisable(GL.GL_CULL_FACE)
        if self.floor_mesh is not None:
            GL.glEnable(GL.GL_BLEND)
            program = ctx.programs["FLOOR"]
            program.use()
            self._set_frame_uniforms(program, azimuth_deg, transparent)
            GL.glDisable(GL.GL_DEPTH_TEST)
            GL.glActiveTexture(GL.GL_TEXTURE3)
            GL.glBindTexture(GL.GL_TEXTURE_2D, self.shadow_texture)
            program.set("u_shadow_tex", 3)
            self.floor_mesh.draw()
        variant = "PER_VERTEX"
        if size_px >= studio.detail_from_px:
            variant = "PER_PIXEL" if studio.per_pixel or size_px >= studio.per_pixel_from_px else "DETAIL"
        program = ctx.programs[variant]
        program.use()
        self._set_frame_uniforms(program, azimuth_deg, transparent)
        GL.glDisable(GL.GL_BLEND)  # opaque surfaces: blending only costs (llvmpipe)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDepthMask(GL.GL_TRUE)
        GL.glEnable(GL.GL_CULL_FACE)  # each side of the cloth is its own pass; the figure and trims are closed
        GL.glFrontFace(GL.GL_CCW)
        if self._garment_look["opacity"] < 1.0:
            self._draw_solids(program)
            GL.glEnable(GL.GL_BLEND)
            GL.glDepthMask(GL.GL_FALSE)
            self._draw_garment(program, GL.GL_FRONT)  # the inner side first: it lies behind the outer one
            self._draw_garment(program, GL.GL_BACK)
            GL.glDepthMask(GL.GL_TRUE)
        else:
            # Nearest first, so that the depth test rejects hidden pixels before they are shaded (llvmpipe shades
            # every pixel that passes): the cloth's outer side hides most of the figure and its own inner side.
            self._draw_garment(program, GL.GL_BACK)
            self._draw_solids(program)
            self._draw_garment(program, GL.GL_FRONT)
        image = ctx.finish(3 if rgb and not transparent else 4)
        return _unpremultiply(image) if transparent else image

    def _draw_solids(self, program) -> None:
        """The figure's parts and the trims (closed solids: their back faces never show)."""
        GL = self.ctx.GL
        GL.glCullFace(GL.GL_BACK)
        program.set("u_side", 1.0)
        for part, mesh in zip(self.figure.parts, self.part_meshes):
            self._set_matte(program, part)
            mesh.draw()
        for material, mesh in self.trim_meshes:
            self._set_trim(program, self._trim_looks[material])
            mesh.draw()

    def _draw_garment(self, program, culled) -> None:
        """One side of the cloth: the outer one (front faces, ``culled`` GL_BACK) or the inner one (GL_FRONT)."""
        GL = self.ctx.GL
        GL.glCullFace(culled)
        self._set_garment(program)
        program.set("u_side", 1.0 if culled == GL.GL_BACK else -1.0)
        self.garment_mesh.draw()

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None

    def __enter__(self) -> StudioScene:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- uniforms

    def _set_frame_uniforms(self, program, azimuth_deg: float, transparent: bool) -> None:
        studio = self.studio
        program.set("u_model", turn_about_axis(-azimuth_deg, self.axis_xz))
        program.set("u_view", self.view)
        program.set("u_proj", self.projection)
        lights = (studio.key, studio.fill, studio.rim)
        directions = np.array([np.asarray(light.direction) / np.linalg.norm(light.direction) for light in lights])
        program.set("u_light_dir", directions)
        program.set("u_light_rgb", np.array([np.asarray(light.tint) * light.intensity for light in lights]))
        GL = self.ctx.GL
        location = GL.glGetUniformLocation(program.id, "u_light_soft")
        GL.glUniform1fv(location, 3, np.array([light.softness for light in lights], np.float32))
        location = GL.glGetUniformLocation(program.id, "u_light_spec")
        GL.glUniform1fv(location, 3, np.array([1.0 if light.specular else 0.0 for light in lights], np.float32))
        program.set("u_up", self.view[:3, :3] @ np.array([0.0, 1.0, 0.0]))
        program.set("u_sky", float(studio.sky))
        program.set("u_ground", float(studio.ground))
        program.set("u_exposure", float(studio.exposure))
        program.set("u_shadow_strength", float(studio.shadow_strength))
        program.set("u_background", np.asarray(studio.background_rgb, dtype=np.float64))
        program.set("u_transparent", bool(transparent))

    def _set_matte(self, program, part) -> None:
        program.set("u_base_rgb", srgb_to_linear(part.rgb))
        program.set("u_mean_rgb", srgb_to_linear(part.rgb))
        program.set("u_has_base_tex", False)
        program.set("u_has_normal_tex", False)
        program.set("u_has_rough_tex", False)
        program.set("u_roughness", float(part.roughness))
        program.set("u_specular", float(part.specular))
        program.set("u_sheen", 0.0)
        program.set("u_sheen_roughness", 0.5)
        program.set("u_anisotropy", 0.0)
        program.set("u_opacity", 1.0)
        program.set("u_wrap", float(part.wrap))

    def _set_trim(self, program, look: TrimLook) -> None:
        """A trim's material; a metal is its colour in the highlight, a dark mirror elsewhere."""
        metal = look.metallic > 0.5
        rgb = srgb_to_linear(look.rgb) * (0.3 if metal else 1.0)
        program.set("u_base_rgb", rgb)
        program.set("u_mean_rgb", rgb)
        program.set("u_has_base_tex", False)
        program.set("u_has_normal_tex", False)
        program.set("u_has_rough_tex", False)
        program.set("u_roughness", float(look.roughness))
        program.set("u_specular", 0.6 if metal else TRIM_SPECULAR)
        program.set("u_sheen", 0.0)
        program.set("u_sheen_roughness", 0.5)
        program.set("u_anisotropy", 0.0)
        program.set("u_opacity", 1.0)
        program.set("u_wrap", 0.0)

    def _set_garment(self, program) -> None:
        GL, look = self.ctx.GL, self._garment_look
        for unit, key, uniform in ((0, "base", "u_base_tex"), (1, "normal", "u_normal_tex"), (2, "rough", "u_rough_tex")):
            if look[key] is not None:
                GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
                GL.glBindTexture(GL.GL_TEXTURE_2D, look[key])
                program.set(uniform, unit)
        program.set("u_base_rgb", np.ones(3))
        program.set("u_mean_rgb", look["mean_rgb"])
        program.set("u_has_base_tex", True)
        program.set("u_has_normal_tex", look["normal"] is not None)
        program.set("u_normal_strength", 1.0)
        program.set("u_has_rough_tex", look["rough"] is not None)
        program.set("u_roughness", look["roughness"])
        program.set("u_specular", CLOTH_SPECULAR)
        program.set("u_sheen", look["sheen"])
        program.set("u_sheen_roughness", look["sheen_roughness"])
        program.set("u_anisotropy", look["anisotropy"])
        program.set("u_opacity", look["opacity"])
        program.set("u_wrap", CLOTH_WRAP)


def _screen_box(points: np.ndarray, axis_xz: np.ndarray, view_projection: np.ndarray, floor_radius=None) -> tuple:
    """(x0, y0, x1, y1), shares of the image from its bottom left, that hold ``points`` at every turn.

    The turning points sweep a cylinder about the axis; the box bounds a 48-sided prism around it,
    and with ``floor_radius`` (m) a disc that wide on the floor under it too.
    """
    angles = 2 * np.pi * np.arange(48) / 48
    ring = np.column_stack([np.sin(angles), np.cos(angles)]) / np.cos(np.pi / 48)
    radius = float(np.hypot(points[:, 0] - axis_xz[0], points[:, 2] - axis_xz[1]).max())
    low, high = float(points[:, 1].min()), float(points[:, 1].max())
    rings = [(radius, low), (radius, high)] + ([(floor_radius, low)] if floor_radius else [])
    corners = np.vstack([
        np.column_stack([axis_xz[0] + r * ring[:, 0], np.full(48, y), axis_xz[1] + r * ring[:, 1], np.ones(48)])
        for r, y in rings
    ])
    clip = corners @ view_projection.T
    ndc = clip[:, :2] / clip[:, 3:4]
    x0, y0 = np.clip((ndc.min(axis=0) + 1.0) / 2.0, 0.0, 1.0)
    x1, y1 = np.clip((ndc.max(axis=0) + 1.0) / 2.0, 0.0, 1.0)
    return float(x0), float(y0), float(x1), float(y1)


def _unpremultiply(image: np.ndarray) -> np.ndarray:
    alpha = image[..., 3:4].astype(np.float32)
    rgb = image[..., :3].astype(np.float32) * 255.0 / np.maximum(alpha, 1.0)
    out = image.copy()
    out[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return out
