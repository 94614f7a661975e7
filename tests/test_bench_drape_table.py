"""benchmarks/bench_drape.py --table: a row's strain columns are the figures the gates judge."""

import importlib.util
from dataclasses import replace
from pathlib import Path

from garment3d.gates import evaluate
from garment3d.types import PanelStrain

from tests.test_gates import CLEAN

_SPEC = importlib.util.spec_from_file_location(
    "bench_drape_under_test", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_drape.py")
bench_drape = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench_drape)


def _strain_columns(row: str) -> list[str]:
    """The row's str max, p99, cmp max and p99 columns (after the crossings column)."""
    header = bench_drape._header()
    start = header.index("cross") + len("cross")
    return [row[start + 7 * i:start + 7 * (i + 1)].strip() for i in range(4)]


def test_strain_columns_are_the_largest_over_panels_not_the_worst_p99_panels():
    # the collar has the worst 99th percentiles, the front the largest stretch (over the 40 % gate) and the
    # back the largest compression: the row must show 45 % and 38 %, as the gates judge them
    report = replace(CLEAN, panel_strain=(PanelStrain("collar", 0.12, 0.11, 0.06, 0.05),
                                          PanelStrain("front", 0.45, 0.03, 0.02, 0.01),
                                          PanelStrain("back", 0.05, 0.02, 0.38, 0.02)))
    verdict = evaluate(report)
    row = bench_drape._table_row("skirt", "M", "poplin_grey", report, verdict)
    assert _strain_columns(row) == ["45.0%", "11.0%", "38.0%", "5.0%"]
    assert "max_stretch" in row.split()[-1]
