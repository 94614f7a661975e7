import pytest

from garment3d.drape.cusick import cusick_drape, shadow_area
from garment3d.fabrics import load_fabric


def test_shadow_of_a_flat_square_is_its_area():
    import numpy as np

    positions = np.array([[0, 1, 0], [0.2, 1, 0], [0.2, 1, 0.3], [0, 1, 0.3]], dtype=float)
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    assert shadow_area(positions, faces) == pytest.approx(0.06)


@pytest.fixture(scope="module")
def coefficients():
    return {name: cusick_drape(load_fabric(name), spacing_m=0.015) for name in ("silk_charmeuse", "denim_indigo")}


def test_silk_drapes_far_more_than_denim(coefficients):
    silk, denim = coefficients["silk_charmeuse"], coefficients["denim_indigo"]
    assert silk.settled and denim.settled
    assert silk.drape_coefficient < 0.5 < denim.drape_coefficient
    assert denim.drape_coefficient - silk.drape_coefficient > 0.25
