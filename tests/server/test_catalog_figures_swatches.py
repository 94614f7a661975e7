"""The catalogue lists the render's figure styles and every fabric's swatch and colorway swatches, which serve
real images."""

from __future__ import annotations

import io
import typing

import numpy as np
from PIL import Image
from server_testkit import SKIRT

from garment3d.render.figure import FIGURE_STYLES, SKIN_TONES
from server.schemas import Figure, SkinTone


def _png(client, url: str) -> np.ndarray:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:200])
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and min(image.size) >= 16, (url, image.size)
    return np.asarray(image.convert("RGB"), dtype=float)


def test_figure_styles_are_the_renders_and_a_sample_takes_each(client):
    listed = client.get("/api/v1/figures").json()
    assert [f["name"] for f in listed] == list(FIGURE_STYLES)
    assert all(f["label"] and f["label_zh"] and f["description"] for f in listed)
    assert next(f for f in listed if f["name"] == "avatar")["skin_tones"] == list(SKIN_TONES)
    assert typing.get_args(Figure) == FIGURE_STYLES and typing.get_args(SkinTone) == tuple(SKIN_TONES)
    for style in FIGURE_STYLES:
        created = client.post("/api/v1/samples", json=SKIRT | {"figure": style, "skin_tone": "deep"})
        assert created.status_code == 202, created.text
        assert created.json()["request"]["figure"] == style
    wrong = client.post("/api/v1/samples", json=SKIRT | {"figure": "scarecrow"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "body.figure"


def test_every_fabric_has_a_swatch_and_colorway_swatches_in_their_colour(client):
    fabrics = client.get("/api/v1/fabrics").json()
    assert len(fabrics) >= 10
    for fabric in fabrics:
        assert fabric["swatch_url"].endswith(f"/fabrics/{fabric['name']}/images/base.png")
        base = _png(client, fabric["swatch_url"])
        assert base.std() > 0.5  # a woven image, not a flat fill
        for colorway in fabric["colorways"][:2]:
            swatch = _png(client, colorway["swatch_url"]).reshape(-1, 3).mean(axis=0)
            target = np.array([int(colorway["hex"][i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
            assert np.abs(swatch - target).max() < 40, (fabric["name"], colorway, swatch)
    assert any(f["colorways"] for f in fabrics)
