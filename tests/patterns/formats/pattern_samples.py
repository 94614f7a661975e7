"""Small patterns and paths shared by the pattern-format tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.definition import load_definition
from garment3d.sizes import parse_size
from garment3d.types import Panel, PanelEdge, Pattern, Placement

DATA = Path(__file__).resolve().parents[2] / "data" / "patterns"
FOLDED_SKIRT = Path(__file__).resolve().parent / "folded_skirt.toml"


def skirt(label: str = "160/84A") -> Pattern:
    size = parse_size(label)
    return evaluate(get_definition("a_line_skirt"), size.measurements, size_label=label)


def folded_skirt(label: str = "160/84A") -> Pattern:
    """Two panels cut on fold, with arcs, per-edge allowances, declared notches and a line."""
    size = parse_size(label)
    return evaluate(load_definition(FOLDED_SKIRT), size.measurements, size_label=label)


def polygon_pattern(outline, edge_names=None, cut_count: int = 1, name: str = "square", grain=(0.0, 1.0)) -> Pattern:
    """A one-panel pattern whose edges are the outline's segments (names e0.. unless given)."""
    outline = np.asarray(outline, dtype=np.float64)
    k = len(outline)
    names = edge_names or [f"e{i}" for i in range(k)]
    edges = tuple(PanelEdge(names[i], i, (i + 1) % k) for i in range(k))
    panel = Panel(name, outline, edges, np.asarray(grain, dtype=np.float64), Placement("waist", 0.0), cut_count)
    return Pattern(name=name, size_label="custom", panels=(panel,), seams=())
