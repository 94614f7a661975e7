"""Texture coordinates, fabric images and shading normals (garment3d.texture)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from render_synthetic import LINEN_SCAN, make_fabric

from garment3d.errors import Garment3DError, InvalidFabricError
from garment3d.texture import garment_normals, garment_uvs, load_fabric_image, load_normal_image, surface_tangents
from garment3d.types import GarmentMesh


def flat_piece(width_m: float, height_m: float, offset=(0.0, 0.0)) -> GarmentMesh:
    """A rectangle lying flat in the z = 0 plane, two triangles, facing +z."""
    x0, y0 = offset
    rest_uv = np.array([[x0, y0], [x0 + width_m, y0], [x0 + width_m, y0 + height_m], [x0, y0 + height_m]])
    positions = np.column_stack([rest_uv, np.zeros(4)])
    return GarmentMesh(
        panel_names=("piece",),
        rest_uv=rest_uv,
        positions=positions,
        faces=np.array([[0, 1, 2], [0, 2, 3]], np.int32),
        panel_of=np.zeros(4, np.int32),
        seam_pairs=np.zeros((0, 2), np.int32),
        seam_of=np.zeros(0, np.int32),
        anchor_mask=np.zeros(4, bool),
        spacing_m=0.5,
    )


def test_one_metre_piece_with_20cm_tile_spans_five_tiles():
    uv = garment_uvs(flat_piece(1.0, 0.6), make_fabric(LINEN_SCAN, tile_cm=(20.0, 30.0)))
    assert uv.shape == (4, 2) and uv.dtype == np.float64
    assert np.ptp(uv[:, 0]) == pytest.approx(5.0)
    assert np.ptp(uv[:, 1]) == pytest.approx(2.0)  # 60 cm of warp over a 30 cm tile height


def test_uvs_keep_pattern_position_and_grain_direction():
    uv = garment_uvs(flat_piece(0.3, 0.4, offset=(1.0, -0.5)), make_fabric(LINEN_SCAN, tile_cm=(10.0, 10.0)))
    # values beyond [0, 1] are kept (the sampler repeats), +y of the pattern is +v
    np.testing.assert_allclose(uv[0], [10.0, -5.0])
    np.testing.assert_allclose(uv[2], [13.0, -1.0])


@pytest.mark.parametrize("tile", [(0.0, 10.0), (10.0, -1.0), (float("nan"), 10.0)])
def test_bad_tile_size_is_an_invalid_fabric(tile):
    with pytest.raises(InvalidFabricError, match="tile_cm"):
        garment_uvs(flat_piece(1.0, 1.0), make_fabric(LINEN_SCAN, tile_cm=tile))


def test_fabric_image_is_rgb_with_tint_multiplied_in():
    plain = np.asarray(load_fabric_image(make_fabric(LINEN_SCAN)), dtype=float)
    tinted_image = load_fabric_image(make_fabric(LINEN_SCAN, tint=(0.5, 1.0, 0.0)))
    assert tinted_image.mode == "RGB" and tinted_image.size == (512, 512)
    tinted = np.asarray(tinted_image, dtype=float)
    np.testing.assert_allclose(tinted[..., 0], np.rint(plain[..., 0] * 0.5), atol=0.51)
    np.testing.assert_array_equal(tinted[..., 1], plain[..., 1])
    assert tinted[..., 2].max() == 0


def test_missing_scan_names_the_file(tmp_path):
    missing = tmp_path / "no_such_scan.png"
    with pytest.raises(InvalidFabricError, match="no_such_scan.png") as caught:
        load_fabric_image(make_fabric(missing))
    assert isinstance(caught.value, Garment3DError)


def test_unreadable_scan_names_the_file(tmp_path):
    broken = tmp_path / "broken_scan.png"
    broken.write_bytes(b"this is not a png")
    with pytest.raises(InvalidFabricError, match="broken_scan.png"):
        load_fabric_image(make_fabric(broken))


def test_normal_map_is_optional(tmp_path):
    assert load_normal_image(make_fabric(LINEN_SCAN)) is None
    with pytest.raises(InvalidFabricError, match="normal_path.*gone.png"):
        load_normal_image(make_fabric(LINEN_SCAN, normal_path=tmp_path / "gone.png"))


def test_flat_piece_normals_face_its_right_side():
    piece = flat_piece(1.0, 1.0)
    normals = garment_normals(piece.positions, piece.faces)
    np.testing.assert_allclose(normals, np.tile([0.0, 0.0, 1.0], (4, 1)))


def test_seam_pairs_share_one_normal():
    # Two flat pieces meeting at a right angle along x = 0; vertices 1/4 and 2/7 are sewn.
    positions = np.array(
        [[-1, 0, 0], [0, 0, 0], [0, 1, 0], [-1, 1, 0], [0, 0, 0], [0, 0, -1], [0, 1, -1], [0, 1, 0]], float
    )
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])
    pairs = np.array([[1, 4], [2, 7]])
    apart = garment_normals(positions, faces)
    sewn = garment_normals(positions, faces, pairs)
    assert not np.allclose(apart[1], apart[4])
    np.testing.assert_allclose(sewn[1], sewn[4])
    np.testing.assert_allclose(sewn[2], sewn[7])
    # area-weighted sum of both sides: between +z (piece one) and +x (piece two)
    assert sewn[1][0] > 0.1 and sewn[1][2] > 0.1 and abs(sewn[1][1]) < 1e-12
    np.testing.assert_allclose(np.linalg.norm(sewn, axis=1), 1.0)
    np.testing.assert_allclose(sewn[0], apart[0])  # unsewn vertices keep their own normal


def test_frozen_inputs_are_not_modified():
    piece = flat_piece(1.0, 1.0)
    before = piece.rest_uv.copy()
    garment_uvs(piece, make_fabric(LINEN_SCAN))
    np.testing.assert_array_equal(piece.rest_uv, before)
    assert dataclasses.is_dataclass(piece)


def test_tangents_follow_u_with_glTF_handedness():
    piece = flat_piece(1.0, 1.0)
    normals = garment_normals(piece.positions, piece.faces)
    uv = garment_uvs(piece, make_fabric(LINEN_SCAN))
    np.testing.assert_allclose(surface_tangents(piece.positions, piece.faces, normals, uv), [[1, 0, 0, 1]] * 4)
    # the scan mirrored left-right: u runs along -x, the frame flips handedness
    mirrored = uv * [-1.0, 1.0]
    np.testing.assert_allclose(surface_tangents(piece.positions, piece.faces, normals, mirrored), [[-1, 0, 0, -1]] * 4)
