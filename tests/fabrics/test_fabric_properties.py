import dataclasses
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


# --------------------------------------------------------------------------- the library as a catalogue

from garment3d.fabric.properties import catalogue_problems, load_record, write_fabric_toml  # noqa: E402

SILKS = ("silk_charmeuse", "silk_crepe_de_chine", "silk_habotai", "silk_organza", "silk_dupioni", "silk_brocade")
OTHERS = ("poplin_grey", "linen_red", "denim_indigo", "jersey_cotton", "wool_crepe")


def test_library_holds_a_silk_house_range_and_the_staples():
    names = set(list_fabrics())
    assert len(names) >= 12
    assert set(SILKS) <= names and set(OTHERS) <= names
    assert {"technical_knit"} <= names  # the names tests and defaults used before stay


@pytest.mark.parametrize("name", list_fabrics())
def test_every_library_fabric_has_a_complete_sheet(name):
    record = load_record(name)
    assert catalogue_problems(record) == []
    low, high = record.drape_range
    assert 0 < low < high < 1
    assert record.fabric.colorways, "a fabric a house sells comes in colorways"


def test_catalogue_check_finds_what_is_missing(tmp_path):
    root = _copy(tmp_path, BASE)
    problems = catalogue_problems(load_record("bad", root))
    assert "no composition" in problems and "no source and licence for image scan.png" in problems
    assert "no published drape coefficient range" in problems


def test_look_fields_follow_the_fabric_kind():
    organza, charmeuse, denim = (load_fabric(n) for n in ("silk_organza", "silk_charmeuse", "denim_indigo"))
    assert organza.opacity < 0.5 and denim.opacity == 1.0
    assert charmeuse.sheen > 0.7 and charmeuse.anisotropy > 0.4 and charmeuse.roughness < denim.roughness
    assert denim.sheen < 0.1


def test_written_properties_read_back_the_same(tmp_path):
    record = load_record("silk_charmeuse")
    folder = tmp_path / "copy"
    shutil.copytree(record.folder, folder)
    write_fabric_toml(folder, record.fabric, kind=record.kind, image_credits=record.image_credits,
                      sources=record.sources, drape_range=record.drape_range)
    again = load_record("copy", tmp_path)
    assert again.fabric == dataclasses.replace(record.fabric, name="copy", texture_path=folder / "scan.png",
                                               normal_path=folder / "normal.png",
                                               roughness_path=folder / "roughness.png")
    assert again.sources == record.sources and again.image_credits == record.image_credits


@pytest.mark.parametrize(
    "extra, message",
    [
        ('currency = "euro"', "currency"),
        ('[[colorways]]\nname = "x"\nhex = "red"', "hex"),
        ('[print]\nmotif = "scan.png"\nsize_cm = [10, 10]\nmode = "quarter_drop"', "mode"),
        ("roll_width_cm = -4", "roll_width_cm"),
    ],
)
def test_new_fields_are_checked(tmp_path, extra, message):
    root = _copy(tmp_path, BASE + "\n" + extra)
    with pytest.raises(InvalidFabricError, match=message):
        load_fabric("bad", root)
