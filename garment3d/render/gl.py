"""A small headless OpenGL layer: context, shader program, meshes, textures, targets.

The context comes from pyrender's platform classes (EGL by default, OSMesa when
``PYOPENGL_PLATFORM=osmesa``); everything drawn is ours: one shader program
(``shaders/studio.vert`` and ``studio.frag``, compiled per pixel, per vertex and for the floor), vertex arrays for each mesh,
mipmapped textures and a framebuffer per image size. There is no
scene graph and no per-frame Python beyond a handful of uniform calls and the
draws, which is what keeps a turntable close to the cost of bare rasterisation.

Edges are anti-aliased after the draws (``shaders/fxaa.frag``, over the
subject's box only) when ``samples`` is 0, or by multisampling. On llvmpipe 4x
MSAA about triples the cost of the draws: its early depth test runs per sample
and never skips the shader, so every fragment is shaded, hidden or not, and
depth and colour are tested and written four times.

OpenGL is imported lazily (:func:`open_context`), so importing this module needs
no OpenGL; ``PYOPENGL_PLATFORM`` is chosen there, before the first import.
"""

from __future__ import annotations

import ctypes
import logging
import os
from importlib import resources

import numpy as np

from garment3d.errors import RenderError

__all__ = ["EGL_PACKAGES", "GLContext", "open_context", "import_gl"]

log = logging.getLogger(__name__)

EGL_PACKAGES = "libegl1 libegl-mesa0 libgl1-mesa-dri"
PROGRAM_VARIANTS = ("PER_VERTEX", "DETAIL", "PER_PIXEL", "FLOOR")
_ATTRIBUTES = {"position": (0, 3), "normals": (1, 3), "uv": (2, 2), "tangent": (3, 4)}


def import_gl():
    """Import PyOpenGL on the EGL platform (or the one set), or raise RenderError saying what is missing."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    platform = os.environ["PYOPENGL_PLATFORM"]
    try:
        import OpenGL.platform
        from OpenGL import GL
    except Exception as exc:  # ImportError, OSError, or PyOpenGL's own errors from ctypes
        raise RenderError(no_gl_message(platform, exc)) from exc
    loaded = type(OpenGL.platform.PLATFORM).__name__
    if platform == "egl" and "EGL" not in loaded:
        raise RenderError(
            f"OpenGL was imported on the {loaded} platform before the renderer could select EGL; "
            "set PYOPENGL_PLATFORM=egl in the environment before starting Python"
        )
    return GL


def no_gl_message(platform: str, exc: BaseException) -> str:
    hint = f"install the Debian packages {EGL_PACKAGES}" if platform == "egl" else "check the OpenGL setup"
    return f"headless OpenGL is unavailable (PYOPENGL_PLATFORM={platform}): {type(exc).__name__}: {exc}; {hint}"


def _make_platform(platform: str):
    if platform == "egl":
        from pyrender.platforms import egl

        device = egl.get_device_by_index(int(os.environ.get("EGL_DEVICE_ID", "0")))
        return egl.EGLPlatform(64, 64, device=device)
    if platform == "osmesa":
        from pyrender.platforms.osmesa import OSMesaPlatform

        return OSMesaPlatform(64, 64)
    raise RenderError(f"PYOPENGL_PLATFORM={platform} is not supported headless; use egl or osmesa")


def open_context() -> GLContext:
    """A current headless OpenGL context with the studio shader compiled."""
    GL = import_gl()
    platform_name = os.environ["PYOPENGL_PLATFORM"]
    try:
        platform = _make_platform(platform_name)
        platform.init_context()
        platform.make_current()
    except RenderError:
        raise
    except Exception as exc:  # EGL/GL errors come as several unrelated exception types
        raise RenderError(no_gl_message(platform_name, exc)) from exc
    return GLContext(GL, platform)


class GLContext:
    """Owns the platform context and every GL object made through it."""

    def __init__(self, GL, platform):
        self.GL = GL
        self.platform = platform
        self._targets: dict[tuple[int, int], _Target] = {}
        self._objects: list = []
        self.programs = {
            variant: _Program(GL, _shader_source("studio.vert", variant), _shader_source("studio.frag", variant))
            for variant in PROGRAM_VARIANTS
        }
        self.fxaa = _Program(GL, _plain_source("fxaa.vert"), _plain_source("fxaa.frag"))
        self._empty_vao = GL.glGenVertexArrays(1)  # the full-viewport triangle needs no buffers, but a bound VAO
        log.debug("OpenGL %s on %s", GL.glGetString(GL.GL_VERSION).decode(), GL.glGetString(GL.GL_RENDERER).decode())

    def release(self) -> None:
        """Make the context current nowhere, so another thread can take it (EGL; a no-op otherwise)."""
        display = getattr(self.platform, "_egl_display", None)
        if display is not None:
            from OpenGL.EGL import EGL_NO_CONTEXT, EGL_NO_SURFACE, eglMakeCurrent

            eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT)

    @property
    def movable(self) -> bool:
        """Whether the context can be made on one thread and used on another (EGL can)."""
        return getattr(self.platform, "_egl_display", None) is not None

    # ----------------------------------------------------------------- objects

    def mesh(self, positions, faces, normals=None, uv=None, tangents=None) -> _Mesh:
        mesh = _Mesh(self.GL, positions, faces, normals=normals, uv=uv, tangent=tangents)
        self._objects.append(mesh)
        return mesh

    def texture(self, pixels: np.ndarray, *, srgb: bool, repeat: bool = True) -> int:
        """Upload (h, w, c) uint8 pixels (c = 1, 3 or 4) as a mipmapped texture; returns its name."""
        GL = self.GL
        pixels = np.ascontiguousarray(np.flipud(pixels))  # GL's first row is the image bottom
        channels = 1 if pixels.ndim == 2 else pixels.shape[2]
        formats = {1: GL.GL_RED, 3: GL.GL_RGB, 4: GL.GL_RGBA}
        internal = {
            1: GL.GL_R8,
            3: GL.GL_SRGB8 if srgb else GL.GL_RGB8,
            4: GL.GL_SRGB8_ALPHA8 if srgb else GL.GL_RGBA8,
        }
        name = GL.glGenTextures(1)
        GL.glBindTexture(GL.GL_TEXTURE_2D, name)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        levels = mip_chain(pixels, srgb)
        for level, image in enumerate(levels):
            height, width = image.shape[:2]
            GL.glTexImage2D(
                GL.GL_TEXTURE_2D, level, internal[channels], width, height, 0, formats[channels], GL.GL_UNSIGNED_BYTE,
                image,
            )
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAX_LEVEL, len(levels) - 1)
        wrap = GL.GL_REPEAT if repeat else GL.GL_CLAMP_TO_EDGE
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_WRAP_S, wrap)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_WRAP_T, wrap)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR_MIPMAP_LINEAR)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR)
        self._objects.append(("texture", name))
        return name

    # ----------------------------------------------------------------- frames

    def begin(self, size_px: int, samples: int, clear_rgba, aa_box=(0.0, 0.0, 1.0, 1.0), backdrop_rgb=(1.0, 1.0, 1.0)):
        """Make the context current, bind the target of this size and clear it.

        ``samples`` > 0: a multisampled target. 0: a plain one, anti-aliased in :meth:`finish` within
        ``aa_box`` (x0, y0, x1, y1 as shares of the image, from its bottom left: where edges can be),
        judging transparent pixels against ``backdrop_rgb`` (sRGB).
        """
        GL = self.GL
        self.platform.make_current()  # another library's context may have become current meanwhile
        target = self._targets.get((size_px, samples))
        if target is None:
            target = self._targets[(size_px, samples)] = _Target(GL, size_px, samples)
        self._current = target
        self._aa_box, self._backdrop = aa_box, np.asarray(backdrop_rgb, dtype=np.float32)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target.draw_fbo)
        GL.glViewport(0, 0, size_px, size_px)
        GL.glClearColor(*clear_rgba)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)

    def finish(self, channels: int = 4) -> np.ndarray:
        """Resolve (MSAA) or copy and anti-alias (FXAA) the image and read it back.

        Returns (size, size, ``channels``) uint8, top row first: RGBA, or RGB (3) read as such, which
        spares a copy of every frame. The FXAA path writes the image upside down, so that GL's
        bottom-up rows come back top first without a flip either.
        """
        GL, target = self.GL, self._current
        size = target.size
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, target.draw_fbo)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, target.resolve_fbo)
        flipped = target.samples == 0  # a multisampled source can only be blitted one to one
        top, bottom = (size, 0) if flipped else (0, size)
        GL.glBlitFramebuffer(0, 0, size, size, 0, top, size, bottom, GL.GL_COLOR_BUFFER_BIT, GL.GL_NEAREST)
        if target.samples == 0:
            self._fxaa(target)
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, target.resolve_fbo)
        GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
        data = GL.glReadPixels(0, 0, size, size, GL.GL_RGBA if channels == 4 else GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
        image = np.frombuffer(data, dtype=np.uint8).reshape(size, size, channels)
        return image if flipped else np.ascontiguousarray(image[::-1])

    def _fxaa(self, target: _Target) -> None:
        GL, size = self.GL, target.size
        x0, y0, x1, y1 = self._aa_box
        y0, y1 = 1.0 - y1, 1.0 - y0  # the pass writes the image upside down (see finish)
        left, bottom = max(int(np.floor(x0 * size)) - 2, 0), max(int(np.floor(y0 * size)) - 2, 0)
        right, top = min(int(np.ceil(x1 * size)) + 2, size), min(int(np.ceil(y1 * size)) + 2, size)
        if right <= left or top <= bottom:
            return
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target.resolve_fbo)
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_CULL_FACE)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(left, bottom, right - left, top - bottom)
        self.fxaa.use()
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, target.colour_texture)
        self.fxaa.set("u_image", 0)
        self.fxaa.set("u_texel", np.full(2, 1.0 / size))
        self.fxaa.set("u_backdrop", self._backdrop)
        GL.glBindVertexArray(self._empty_vao)
        GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)
        GL.glDisable(GL.GL_SCISSOR_TEST)

    def close(self) -> None:
        GL = self.GL
        self.platform.make_current()
        try:
            for target in self._targets.values():
                target.delete(GL)
            for item in self._objects:
                if isinstance(item, _Mesh):
                    item.delete(GL)
                else:
                    GL.glDeleteTextures([item[1]])
            for program in (*self.programs.values(), self.fxaa):
                program.delete(GL)
            GL.glDeleteVertexArrays(1, [self._empty_vao])
        finally:
            self._targets, self._objects = {}, []
            self.platform.delete_context()


# --------------------------------------------------------------------------- pieces


def mip_chain(pixels: np.ndarray, srgb: bool) -> list[np.ndarray]:
    """Every mipmap level of (h, w[, c]) uint8 pixels down to 1x1, each a 2x2 box average of the one above.

    Made here rather than by glGenerateMipmap: llvmpipe compiles a blit shader for that in every new
    context (0.1-0.2 s, longer than the whole mip chain in numpy). sRGB colour (``srgb``, not alpha)
    is averaged in linear light, as GL asks. An odd row or column is dropped at each halving.
    """
    levels = [pixels]
    current = pixels.astype(np.float32)
    if srgb:
        current = _srgb_to_linear_lut()[pixels]
        if pixels.ndim == 3 and pixels.shape[2] == 4:
            current[..., 3] = pixels[..., 3] / 255.0
    while max(current.shape[:2]) > 1:
        height, width = current.shape[:2]
        rows, cols = max(height // 2, 1), max(width // 2, 1)
        if height > 1:
            current = 0.5 * (current[0:2 * rows:2] + current[1:2 * rows:2])
        if width > 1:
            current = 0.5 * (current[:, 0:2 * cols:2] + current[:, 1:2 * cols:2])
        levels.append(np.ascontiguousarray(_to_bytes(current, srgb, pixels)))
    return levels


def _to_bytes(values: np.ndarray, srgb: bool, like: np.ndarray) -> np.ndarray:
    if not srgb:
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)
    out = np.empty(values.shape, np.uint8)
    colour = values[..., :3] if like.ndim == 3 else values
    encoded = np.where(colour <= 0.0031308, 12.92 * colour, 1.055 * np.power(np.maximum(colour, 0.0), 1 / 2.4) - 0.055)
    if like.ndim == 3:
        out[..., :3] = np.clip(np.rint(encoded * 255.0), 0, 255)
        if like.shape[2] == 4:
            out[..., 3] = np.clip(np.rint(values[..., 3] * 255.0), 0, 255)
    else:
        out[...] = np.clip(np.rint(encoded * 255.0), 0, 255)
    return out


def _srgb_to_linear_lut() -> np.ndarray:
    c = np.arange(256, dtype=np.float32) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)



def _plain_source(name: str) -> str:
    """A shader file after the version line, without the studio's shared code."""
    text = resources.files("garment3d.render").joinpath("shaders").joinpath(name).read_text(encoding="utf-8")
    return "#version 330 core\n" + text


def _shader_source(name: str, variant: str = "PER_VERTEX") -> str:
    """The shader file after the version line, the variant's define and the shared lighting code."""
    folder = resources.files("garment3d.render").joinpath("shaders")
    common = folder.joinpath("common.glsl").read_text(encoding="utf-8")
    head = f"#version 330 core\n#define {variant}\n"
    return head + common + "\n" + folder.joinpath(name).read_text(encoding="utf-8")


class _Program:
    """The linked studio shader and a cache of its uniform locations."""

    def __init__(self, GL, vertex: str, fragment: str):
        from OpenGL.GL import shaders

        try:
            self.id = shaders.compileProgram(
                shaders.compileShader(vertex, GL.GL_VERTEX_SHADER),
                shaders.compileShader(fragment, GL.GL_FRAGMENT_SHADER),
                validate=False,
            )
        except Exception as exc:  # compile/link logs come as RuntimeError with the driver's text
            raise RenderError(f"the studio shader did not compile on this OpenGL driver: {exc}") from exc
        self._locations: dict[str, int] = {}
        self.GL = GL

    def use(self) -> None:
        self.GL.glUseProgram(self.id)

    def _location(self, name: str) -> int:
        location = self._locations.get(name)
        if location is None:
            location = self._locations[name] = self.GL.glGetUniformLocation(self.id, name)
        return location

    def set(self, name: str, value) -> None:
        """Set a float, int/bool, vec2-4 or mat4 uniform (unused names are ignored, as GL does)."""
        GL, location = self.GL, self._location(name)
        if location < 0:
            return
        if isinstance(value, (bool, int, np.integer)):
            GL.glUniform1i(location, int(value))
        elif isinstance(value, (float, np.floating)):
            GL.glUniform1f(location, float(value))
        else:
            array = np.asarray(value, dtype=np.float32)
            if array.shape == (4, 4):
                GL.glUniformMatrix4fv(location, 1, GL.GL_TRUE, array)
            elif array.ndim == 2:  # an array of vectors
                {3: GL.glUniform3fv, 4: GL.glUniform4fv}[array.shape[1]](location, len(array), array)
            else:
                {2: GL.glUniform2fv, 3: GL.glUniform3fv, 4: GL.glUniform4fv}[array.size](location, 1, array)

    def delete(self, GL) -> None:
        GL.glDeleteProgram(self.id)


class _Mesh:
    """A vertex array with its buffers; attributes as in the shader's layout locations."""

    def __init__(self, GL, positions, faces, **attributes):
        self.vao = GL.glGenVertexArrays(1)
        GL.glBindVertexArray(self.vao)
        self.buffers = []
        for name, values in (("position", positions), *attributes.items()):
            if values is None:
                continue
            location, width = _ATTRIBUTES[name]
            data = np.ascontiguousarray(values, dtype=np.float32)
            if data.shape != (len(positions), width):
                raise RenderError(f"mesh attribute {name} has shape {data.shape}, expected ({len(positions)}, {width})")
            buffer = GL.glGenBuffers(1)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, buffer)
            GL.glBufferData(GL.GL_ARRAY_BUFFER, data.nbytes, data, GL.GL_STATIC_DRAW)
            GL.glEnableVertexAttribArray(location)
            GL.glVertexAttribPointer(location, width, GL.GL_FLOAT, GL.GL_FALSE, 0, ctypes.c_void_p(0))
            self.buffers.append(buffer)
        indices = np.ascontiguousarray(faces, dtype=np.uint32).ravel()
        self.index_buffer = GL.glGenBuffers(1)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self.index_buffer)
        GL.glBufferData(GL.GL_ELEMENT_ARRAY_BUFFER, indices.nbytes, indices, GL.GL_STATIC_DRAW)
        self.count = int(indices.size)
        GL.glBindVertexArray(0)
        self.GL = GL

    def draw(self) -> None:
        GL = self.GL
        GL.glBindVertexArray(self.vao)
        GL.glDrawElements(GL.GL_TRIANGLES, self.count, GL.GL_UNSIGNED_INT, ctypes.c_void_p(0))

    def delete(self, GL) -> None:
        GL.glDeleteBuffers(len(self.buffers) + 1, [*self.buffers, self.index_buffer])
        GL.glDeleteVertexArrays(1, [self.vao])


class _Target:
    """A colour+depth framebuffer to draw into and a single-sampled one to resolve or anti-alias into.

    ``samples`` > 0: the draw target is multisampled (resolved by a blit); 0: its colour is a texture
    that the FXAA pass reads.
    """

    def __init__(self, GL, size: int, samples: int):
        self.size, self.samples = size, samples
        self.renderbuffers = list(GL.glGenRenderbuffers(3))
        colour_ms, depth, colour = self.renderbuffers
        self.colour_texture = None
        self.draw_fbo, self.resolve_fbo = GL.glGenFramebuffers(2)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.draw_fbo)
        if samples > 0:
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, colour_ms)
            GL.glRenderbufferStorageMultisample(GL.GL_RENDERBUFFER, samples, GL.GL_RGBA8, size, size)
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, depth)
            GL.glRenderbufferStorageMultisample(GL.GL_RENDERBUFFER, samples, GL.GL_DEPTH_COMPONENT24, size, size)
            GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_RENDERBUFFER, colour_ms)
        else:
            self.colour_texture = GL.glGenTextures(1)
            GL.glBindTexture(GL.GL_TEXTURE_2D, self.colour_texture)
            GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, size, size, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None)
            for parameter, value in (
                (GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR), (GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR),
                (GL.GL_TEXTURE_WRAP_S, GL.GL_CLAMP_TO_EDGE), (GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE),
                (GL.GL_TEXTURE_MAX_LEVEL, 0),
            ):
                GL.glTexParameteri(GL.GL_TEXTURE_2D, parameter, value)
            GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, depth)
            GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_DEPTH_COMPONENT24, size, size)
            GL.glFramebufferTexture2D(
                GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self.colour_texture, 0
            )
        GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, GL.GL_DEPTH_ATTACHMENT, GL.GL_RENDERBUFFER, depth)
        _check_framebuffer(GL, size)
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, colour)
        GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_RGBA8, size, size)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.resolve_fbo)
        GL.glFramebufferRenderbuffer(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_RENDERBUFFER, colour)
        _check_framebuffer(GL, size)

    def delete(self, GL) -> None:
        GL.glDeleteFramebuffers(2, [self.draw_fbo, self.resolve_fbo])
        GL.glDeleteRenderbuffers(3, self.renderbuffers)
        if self.colour_texture is not None:
            GL.glDeleteTextures([self.colour_texture])


def _check_framebuffer(GL, size: int) -> None:
    status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
    if status != GL.GL_FRAMEBUFFER_COMPLETE:
        raise RenderError(f"could not make a {size} px render target (framebuffer status {status:#x})")
