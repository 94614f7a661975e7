"""Render chart sizes side by side, front and side view, to check that they look like people of those sizes.

    .venv/bin/python benchmarks/render_body_sizes.py [--out renders/body_sizes.png] [--px 1800]
    .venv/bin/python benchmarks/render_body_sizes.py --population [--out renders/body_population.png]

``--population`` shows slim, average and heavy women and men instead: the
ANSUR II medians (stature, chest, waist at the navel, buttock circumference)
of the subjects within 3 percentiles of the 5th, 50th and 95th BMI percentile
(``POPULATION``), with the landmark lines drawn across each torso: bust (red),
natural waist (blue), navel waist (light blue), hip (green), and across the
thighs where their girth is taken, 1.5 cm below the crotch (purple); the
natural waist's lowest rib .. iliac crest band is shaded on the side view.

Women 155/80A, 160/84A, 170/92B and men 170/88A, 180/100B (GB/T 1335, via
``garment3d.sizes.parse_size``), built with ``build_body`` (disk cache), stand
on one floor under one orthographic camera, so heights and widths compare
directly. The top row is the front, the bottom row the body's left side (the
figures face left). A light grey mannequin, lit by the render studio's three
lights and its ambient light without cast shadows; grey lines mark
every 10 cm of height from 150 to 190 cm. Each figure is labelled with its size
and what the mesh measures (height/bust/natural waist/hip, cm; the population's
requests give the waist at the navel, so their labels' waists differ).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from garment3d.body import build_body
from garment3d.body.measure import THIGH_BELOW_CROTCH_M
from garment3d.export_glb import srgb_to_linear
from garment3d.render import Studio
from garment3d.settings import get_settings
from garment3d.sizes import parse_size
from garment3d.texture import body_surface

LABELS = ("155/80A", "160/84A", "170/92B", "M170/88A", "M180/100B")
#: label -> (height, chest, waist at the navel, hip) cm, gender: ANSUR II medians around BMI percentiles.
POPULATION = {
    "slim woman (BMI 20)": ((162.5, 84.1, 73.0, 91.9), "female"),
    "average woman (BMI 25)": ((161.9, 93.1, 85.0, 101.7), "female"),
    "heavy woman (BMI 32)": ((162.2, 106.9, 101.1, 113.5), "female"),
    "slim man (BMI 21)": ((176.4, 93.2, 78.0, 91.2), "male"),
    "average man (BMI 28)": ((174.1, 105.5, 93.3, 101.3), "male"),
    "heavy man (BMI 35)": ((176.5, 119.3, 111.3, 113.2), "male"),
}
LANDMARK_LINES = {  # Landmarks field -> colour
    "bust_y": (200, 40, 40),
    "waist_y": (30, 60, 200),
    "navel_y": (90, 170, 230),
    "hip_y": (30, 150, 60),
}
THIGH_COLOUR = (140, 60, 170)
MANNEQUIN_RGB = (0.86, 0.84, 0.80)  # a light dress-form grey (sRGB)
MANNEQUIN_ROUGHNESS = 0.6
GAP_M = 0.12  # between figures
HEIGHT_LINES_CM = (150, 160, 170, 180, 190)


def _look_from(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    forward = target - position
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    if np.linalg.norm(right) < 1e-6:
        right = np.array([1.0, 0.0, 0.0])
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, np.cross(right, forward), -forward, position
    return pose


def _turned(vertices: np.ndarray, azimuth_deg: float) -> np.ndarray:
    """Turn about the vertical axis so that ``azimuth_deg`` faces the camera (+Z)."""
    a = np.radians(-azimuth_deg)
    rot = np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])
    return vertices @ rot.T


def render_row(pyrender, bodies, azimuth_deg: float, width_px: int, height_px: int, extent) -> np.ndarray:
    studio = Studio()
    (x0, x1), (y0, y1) = extent
    scene = pyrender.Scene(bg_color=[*studio.background_rgb, 1.0], ambient_light=np.full(3, studio.sky + studio.ground))
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=[*srgb_to_linear(MANNEQUIN_RGB), 1.0],
        metallicFactor=0.0,
        roughnessFactor=MANNEQUIN_ROUGHNESS,
        doubleSided=True,
    )
    for body, x in bodies:
        surface = body_surface(body)
        positions = _turned(surface.positions, azimuth_deg) + [x, 0.0, 0.0]
        normals = _turned(surface.normals, azimuth_deg)
        # reversed winding, as the render stage does, so the shadow pass keeps the far side
        primitive = pyrender.Primitive(
            positions=positions, normals=normals, indices=surface.faces[:, ::-1].copy(), material=material
        )
        scene.add(pyrender.Mesh([primitive]))
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2, 0.0])
    camera = pyrender.OrthographicCamera(xmag=(x1 - x0) / 2, ymag=(y1 - y0) / 2, znear=0.1, zfar=20.0)
    scene.add(camera, pose=_look_from(centre + [0.0, 0.0, 5.0], centre))
    for light in (studio.key, studio.fill, studio.rim):  # the studio's lights, from the camera's side
        scene.add(pyrender.DirectionalLight(color=np.ones(3), intensity=light.intensity),
                  pose=_look_from(np.asarray(light.direction, np.float64), np.zeros(3)))
    renderer = pyrender.OffscreenRenderer(width_px, height_px)
    try:
        color, _ = renderer.render(scene)  # no cast shadows: the arms would darken the hips in the side view
    finally:
        renderer.delete()
    return np.ascontiguousarray(color[:, :, :3])


def annotate(rows: list[np.ndarray], extent, bodies, labels) -> Image.Image:
    """Stack the rows, draw the height lines, and label each figure in a band below."""
    row_h, width = rows[0].shape[:2]
    font = ImageFont.load_default(size=max(12, width // 90))
    band = int(2.8 * font.size)
    studio_grey = tuple(int(round(255 * c)) for c in Studio().background_rgb)
    image = Image.new("RGB", (width, row_h * len(rows) + band), studio_grey)
    for row, pixels in enumerate(rows):
        image.paste(Image.fromarray(pixels), (0, row * row_h))
    draw = ImageDraw.Draw(image)
    (x0, x1), (y0, y1) = extent
    for row in range(len(rows)):
        for cm in HEIGHT_LINES_CM:
            py = row * row_h + (y1 - cm / 100) / (y1 - y0) * row_h
            draw.line([(0, py), (image.width, py)], fill=(190, 186, 180), width=1)
            draw.text((4, py - font.size - 1), f"{cm} cm", fill=(120, 116, 110), font=font)
    for (body, x), label in zip(bodies, labels, strict=True):
        m = body.measured
        px = (x - x0) / (x1 - x0) * image.width
        text = f"{label}\n{m.height_cm:.0f}/{m.bust_cm:.0f}/{m.waist_cm:.0f}/{m.hip_cm:.0f}"
        draw.multiline_text((px, image.height - band + 2), text, fill=(40, 40, 40), font=font,
                            anchor="ma", align="center")
    return image


def draw_landmarks(image: Image.Image, extent, bodies, row_h: int) -> None:
    """Lines across each torso at the landmark heights (front row), the rib..crest band shaded (side row)."""
    draw = ImageDraw.Draw(image, "RGBA")
    (x0, x1), (y0, y1) = extent

    def px(x: float) -> float:
        return (x - x0) / (x1 - x0) * image.width

    def py(y: float, row: int) -> float:
        return row * row_h + (y1 - y) / (y1 - y0) * row_h

    for body, x in bodies:
        lm = body.landmarks
        torso = body.vertices[np.abs(body.vertices[:, 1] - lm.hip_y) < 0.01]
        half = float(np.abs(torso[:, 0]).max()) + 0.03 if len(torso) else 0.2
        for name, colour in LANDMARK_LINES.items():
            y = getattr(lm, name)
            draw.line([(px(x - half), py(y, 0)), (px(x + half), py(y, 0))], fill=(*colour, 255), width=3)
        thigh_y = lm.crotch_y - THIGH_BELOW_CROTCH_M
        draw.line([(px(x - half), py(thigh_y, 0)), (px(x + half), py(thigh_y, 0))], fill=(*THIGH_COLOUR, 255), width=3)
        depth = float(np.ptp(body.vertices[:, 2])) / 2 + 0.03
        draw.rectangle([px(x - depth), py(lm.rib_y, 1), px(x + depth), py(lm.crest_y, 1)], fill=(30, 60, 200, 60))
        for name, colour in LANDMARK_LINES.items():
            y = getattr(lm, name)
            draw.line([(px(x - depth), py(y, 1)), (px(x + depth), py(y, 1))], fill=(*colour, 255), width=2)


def population_sizes():
    from garment3d.types import Measurements, Size

    return [
        Size(label=label, system="ANSUR II", measurements=Measurements(*cm, gender=gender, waist_at="navel"))
        for label, (cm, gender) in POPULATION.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=get_settings().renders_dir / "body_sizes.png")
    parser.add_argument("--px", type=int, default=1800, help="image width")
    parser.add_argument("--population", action="store_true", help="slim, average and heavy women and men, landmarks drawn")
    args = parser.parse_args()
    if args.population and args.out == get_settings().renders_dir / "body_sizes.png":
        args.out = get_settings().renders_dir / "body_population.png"

    started = time.perf_counter()
    sizes = population_sizes() if args.population else [parse_size(label) for label in LABELS]
    built = [build_body(size.measurements) for size in sizes]
    print(f"bodies ready in {time.perf_counter() - started:.1f} s")
    placed, x = [], 0.0
    for body in built:
        half = np.ptp(body.vertices[:, 0]) / 2
        placed.append((body, x + half))
        x += 2 * half + GAP_M
    extent = ((-GAP_M, x), (-0.12, 1.98))
    row_h = round(args.px * (extent[1][1] - extent[1][0]) / (extent[0][1] - extent[0][0]))

    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    import pyrender

    started = time.perf_counter()
    front = render_row(pyrender, placed, 0.0, args.px, row_h, extent)
    side = render_row(pyrender, placed, 90.0, args.px, row_h, extent)
    labels = [s.label if args.population else f"{s.label} ({s.measurements.gender})" for s in sizes]
    image = annotate([front, side], extent, placed, labels)
    if args.population:
        draw_landmarks(image, extent, placed, row_h)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out)
    print(f"rendered in {time.perf_counter() - started:.1f} s: {args.out} ({image.width} x {image.height})")
    for size, body in zip(sizes, built, strict=True):
        m, want = body.measured, size.measurements
        print(f"  {size.label:<22} wanted {want.height_cm:.0f}/{want.bust_cm:.0f}/{want.waist_cm:.0f}/{want.hip_cm:.1f}"
              f" (waist at the {want.waist_at})  measured {m.height_cm:.1f}/{m.bust_cm:.1f}/{m.waist_cm:.1f}/"
              f"{m.hip_cm:.1f} (waist at the natural waist), "
              f"arm {m.arm_length_cm}, thigh {m.thigh_cm}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
