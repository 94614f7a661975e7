"""The render studio: backdrop, camera framing limits and the three-light setup.

Lights are directions *relative to the camera* (x right, y up, z towards the
viewer), so every frame of a turntable is lit the same way and the garment
turns under them. Intensities are in the shader's units: a white matte
surface facing a light of intensity 1 shows its full colour.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Light", "Studio"]


@dataclass(frozen=True)
class Light:
    """A directional light: where it comes from (camera space) and how strong it is.

    ``softness`` (0..1) wraps the light round the terminator (a large soft box
    instead of a bare bulb).
    """

    direction: tuple[float, float, float]
    intensity: float
    softness: float = 0.0
    specular: bool = True  # rims and fills may light the shape without a highlight
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)  # the light's colour (linear factors, white balance)


@dataclass(frozen=True)
class Studio:
    """Camera, lights and backdrop of the render studio.

    Colours are sRGB display values (0..1).
    """

    background_rgb: tuple[float, float, float] = (0.925, 0.918, 0.902)  # warm light grey
    fov_deg: float = 30.0  # vertical field of view of the (square) frame; camera at bust height
    margin: float = 0.08  # share of the half-frame kept clear on every side
    min_pitch_deg: float = 3.0
    max_pitch_deg: float = 15.0
    # a large soft box front-left, above, a little warm; a low fill front-right; a rim behind, for the silhouette
    key: Light = Light((-0.55, 0.55, 0.65), 2.0, softness=0.35, tint=(1.0, 0.97, 0.93))
    fill: Light = Light((0.75, 0.05, 0.65), 0.42, softness=0.6, specular=False, tint=(0.96, 0.98, 1.0))
    rim: Light = Light((0.30, 0.45, -0.85), 1.1, softness=0.1, tint=(0.94, 0.97, 1.0))
    sky: float = 0.24  # ambient from above (hemisphere light)
    ground: float = 0.14  # ambient bounced from the floor
    exposure: float = 1.0
    ground_shadow: bool = True  # a soft contact shadow on an otherwise invisible floor
    shadow_strength: float = 0.45  # darkest share of the backdrop taken away under the feet
    samples: int = 0  # 0: edges anti-aliased after the draws (FXAA); 4: multisampling, at about three times
    # the cost of the draws on llvmpipe (render/gl.py)
    detail_from_px: int = 1024  # images this large and larger show the normal and roughness maps per pixel
    per_pixel_from_px: int = 1536  # and from this size every light per pixel too (a 1 cm triangle spans ~10 px
    # at 2048 px: lighting per vertex would show its facets in highlights)
    per_pixel: bool = False  # every light per pixel at every detailed size
