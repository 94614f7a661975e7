"""Renders of a draped garment: turntables, stills, animations, GLB, colourways, hero stills.

Modules, one job each: :mod:`~garment3d.render.studio` (lights, backdrop),
:mod:`~garment3d.render.camera` (framing), :mod:`~garment3d.render.figure`
(dress form, mannequin or avatar made from the body, display only),
:mod:`~garment3d.render.gl` (headless OpenGL), :mod:`~garment3d.render.scene`
(the shaded scene), :mod:`~garment3d.render.outputs` (file encoders),
:mod:`~garment3d.render.turntable` (the render stage),
:mod:`~garment3d.render.colorway` (one drape in many fabrics) and
:mod:`~garment3d.render.hero` (path-traced stills with Mitsuba 3).

Nothing here imports OpenGL until a scene is opened.
"""

from garment3d.render.camera import CameraFraming, frame_camera
from garment3d.render.figure import FIGURE_STYLES, SKIN_TONES, build_figure
from garment3d.render.gl import EGL_PACKAGES
from garment3d.render.studio import Light, Studio
from garment3d.render.turntable import OUTPUT_KINDS, STILL_VIEWS, open_scene, render_still, render_turntable

__all__ = [
    "CameraFraming",
    "frame_camera",
    "FIGURE_STYLES",
    "SKIN_TONES",
    "build_figure",
    "EGL_PACKAGES",
    "Light",
    "Studio",
    "OUTPUT_KINDS",
    "STILL_VIEWS",
    "open_scene",
    "render_still",
    "render_turntable",
]
