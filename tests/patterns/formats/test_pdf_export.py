import re
import shutil
import subprocess

import numpy as np
import pytest

from garment3d.errors import InvalidRequestError
from garment3d.patterns.formats import cut_pieces
from garment3d.patterns.formats.pdf import PAPER_MM, sheet_to_pdf, tile_grid, write_pdf
from garment3d.patterns.formats.sheet import Sheet, layout_sheet

PT_PER_MM = 72 / 25.4


def _media_boxes(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page (a page without a box inherits the /Pages one)."""
    box = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
    objects = re.findall(rb"\d+ 0 obj\s*<<(.*?)>>", data, re.S)
    inherited = next(box.search(o).groups() for o in objects if re.search(rb"/Type\s*/Pages\b", o))
    boxes = []
    for obj in objects:
        if re.search(rb"/Type\s*/Page\b(?!s)", obj):
            found = box.search(obj)
            w, h = found.groups() if found else inherited
            boxes.append((float(w), float(h)))
    return boxes


def _sheet(pattern) -> Sheet:
    return layout_sheet(cut_pieces(pattern), "a_line_skirt | size 160/84A")


def test_full_size_pdf_is_one_page_the_size_of_the_sheet(tmp_path, skirt_pattern):
    sheet = _sheet(skirt_pattern)
    data = write_pdf(skirt_pattern, tmp_path / "full.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    boxes = _media_boxes(data)
    assert len(boxes) == 1
    assert boxes[0] == pytest.approx((sheet.width_mm * PT_PER_MM, sheet.height_mm * PT_PER_MM), abs=0.1)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_tiled_pdf_covers_the_sheet_with_overlapping_labelled_pages(tmp_path, skirt_pattern, paper):
    sheet = _sheet(skirt_pattern)
    grid = tile_grid(sheet, paper, overlap_mm=15.0, margin_mm=10.0)
    data = write_pdf(skirt_pattern, tmp_path / "tiles.pdf", tiled=True, paper=paper).read_bytes()
    boxes = _media_boxes(data)
    assert len(boxes) == grid.rows * grid.cols > 1
    w, h = PAPER_MM[paper]
    assert all(box == pytest.approx((w * PT_PER_MM, h * PT_PER_MM), abs=0.1) for box in boxes)
    # windows overlap by exactly the overlap and together cover the sheet
    assert grid.window_w - grid.step_x == pytest.approx(15.0)
    right, bottom = grid.origin(grid.rows - 1, grid.cols - 1)
    assert right + grid.window_w >= sheet.width_mm and bottom + grid.window_h >= sheet.height_mm
    assert b"/PageLabels" in data and b"r1c1" in data


def test_a_sheet_too_large_for_one_page_must_be_tiled():
    huge = Sheet(title="huge", width_mm=6000.0, height_mm=1000.0, pieces=(), scale_square=(15.0, 27.0))
    with pytest.raises(InvalidRequestError, match="tiled"):
        sheet_to_pdf(huge, tiled=False)
    with pytest.raises(InvalidRequestError, match="paper"):
        sheet_to_pdf(huge, tiled=True, paper="B5")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_tiles_render_with_ink_on_them(tmp_path, skirt_pattern):
    path = write_pdf(skirt_pattern, tmp_path / "tiles.pdf", tiled=True, paper="A4")
    subprocess.run(["pdftoppm", "-r", "20", "-png", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")],
                   check=True, timeout=60)
    from PIL import Image

    for png in sorted(tmp_path.glob("page-*.png")):
        pixels = np.asarray(Image.open(png).convert("L"))
        assert (pixels < 160).mean() > 0.001
