"""A coarse A-line skirt draped on the capsule stand-in, shared by the drape tests (one real drape)."""

import pytest

from garment3d.drape import drape
from garment3d.fabrics import load_fabric
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.types import Measurements

FIT = Measurements(160.0, 94.0, 93.0, 94.0)  # waist fits the 15 cm capsule


def capsule_skirt(capsule_body, waist_cm: float = FIT.waist_cm):
    # the flare drawn straight from the hip (no blend): the capsule has no hip to blend over, and the
    # tests' crafted folds and figures were laid out on this outline
    pattern = evaluate(get_definition("a_line_skirt"), Measurements(160.0, 94.0, waist_cm, 94.0),
                       {"length": 55.0, "flare_blend": 0.0})
    return mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))


@pytest.fixture(scope="session")
def garment(capsule_body):
    return capsule_skirt(capsule_body)


@pytest.fixture(scope="session")
def linen_drape(garment, capsule_body):
    return drape(garment, capsule_body, load_fabric("linen_red"))
