import shutil

import pytest

from garment3d.errors import InvalidFabricError, UnknownFabricError
from garment3d.fabrics import list_fabrics, load_fabric
from garment3d.settings import get_settings


def test_library_fabrics_load_with_existing_scans():
    names = list_fabrics()
    assert "linen_red" in names
    for name in names:
        fabric = load_fabric(name)
        assert fabric.texture_path.is_file()
        assert fabric.density_gsm > 0 and min(fabric.tile_cm) > 0


def test_unknown_fabric_lists_known():
    with pytest.raises(UnknownFabricError, match="linen_red"):
        load_fabric("silk/../../etc")


def _copy(tmp_path, text):
    folder = tmp_path / "bad"
    folder.mkdir()
    shutil.copy(get_settings().fabrics_dir / "linen_red" / "scan.png", folder / "scan.png")
    (folder / "fabric.toml").write_text(text)
    return tmp_path


BASE = """
scan = "scan.png"
tile_cm = [5, 5]
density_gsm = 180
thickness_mm = 0.3
stretch_warp_n_per_m = 1000
stretch_weft_n_per_m = 1000
shear_n_per_m = 50
bending_warp_unm = 10
bending_weft_unm = 10
friction = 0.5
"""


@pytest.mark.parametrize(
    "change, message",
    [
        (("density_gsm = 180", "density_gsm = -3"), "density_gsm"),
        (("friction = 0.5", ""), "missing field 'friction'"),
        (('scan = "scan.png"', 'scan = "../../etc/passwd"'), "must be a file name"),
        (('scan = "scan.png"', 'scan = "none.png"'), "does not exist"),
        (("tile_cm = [5, 5]", "tile_cm = [5]"), "tile_cm"),
        (("density_gsm = 180", "density_gsm = 'heavy'"), "density_gsm"),
    ],
)
def test_invalid_fabric_files_name_the_field(tmp_path, change, message):
    root = _copy(tmp_path, BASE.replace(*change))
    with pytest.raises(InvalidFabricError, match=message):
        load_fabric("bad", root)


def test_broken_toml(tmp_path):
    root = _copy(tmp_path, "density_gsm = = 3")
    with pytest.raises(InvalidFabricError, match="not valid TOML"):
        load_fabric("bad", root)
