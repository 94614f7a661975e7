"""A pattern's fit declaration: its style and where its bust, waist and hip lines cross the panels.

The ``[fit]`` table of a definition (patterns/FORMAT.md, *Fit*)::

    [fit]
    style = "fitted"
    waist = { at = { front = "f_w.y", back = "ad.y" } }
    hip = { at = { front = "f_h.y", back = "b_h.y" }, below = 0.0 }

Each line lists the panels that together go once round the body at that line (a qipao's big front and
back, not its underlap; no sleeves), with the line's pattern y on each as a formula; where two listed
pieces lap over each other (a button front's two extensions) ``overlap`` says by how much, so that the
shared cloth is counted once. Parsing checks the
names; evaluation (per size) turns the formulas into numbers and measures the pattern's girth along
each line on the whole, unfolded pieces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.fold import unfold
from garment3d.patterns.formula import Point, check_formula, evaluate_formula
from garment3d.types import FIT_LINE_NAMES, FIT_STYLES, FitLineSpec, Panel

__all__ = ["FitLineDefinition", "FitDefinition", "parse_fit", "evaluate_fit", "girth_along_cm"]

MAX_BELOW_CM = 30.0  # a line may be declared at most this far below (or above, negative) its landmark


@dataclass(frozen=True)
class FitLineDefinition:
    name: str
    panels: tuple[tuple[str, str], ...]  # (panel, formula: the line's pattern y on it, cm)
    below: str = "0"  # formula: cm the line is meant to sit below the body's landmark
    overlap: str = "0"  # formula: cm two listed pieces share where an opening laps (counted once)


@dataclass(frozen=True)
class FitDefinition:
    style: str = ""
    lines: tuple[FitLineDefinition, ...] = ()


def _fail(where: str, message: str) -> InvalidPatternError:
    return InvalidPatternError(f"{where}: {message}")


def _line(name: str, raw: Any, panel_names: set[str], where: str) -> FitLineDefinition:
    at = f"{where} line '{name}'"
    if not isinstance(raw, dict) or not isinstance(raw.get("at"), dict) or not raw["at"]:
        raise _fail(at, "must be a table with at = { panel = \"y formula\", ... }")
    panels = []
    for panel, formula in raw["at"].items():
        if panel not in panel_names:
            raise _fail(at, f"no panel named '{panel}'")
        check_formula(formula, f"{at} on '{panel}'")
        panels.append((panel, str(formula)))
    below = raw.get("below", 0.0)
    check_formula(below, f"{at}, below")
    overlap = raw.get("overlap", 0.0)
    check_formula(overlap, f"{at}, overlap")
    return FitLineDefinition(name=name, panels=tuple(panels), below=str(below), overlap=str(overlap))


def parse_fit(data: Mapping[str, Any], panel_names: set[str], where: str) -> FitDefinition:
    """The definition's ``[fit]`` table (an empty declaration when there is none)."""
    raw = data.get("fit")
    if raw is None:
        return FitDefinition()
    at = f"{where}, fit"
    if not isinstance(raw, dict):
        raise _fail(at, "must be a table")
    style = raw.get("style", "loose")
    if style not in FIT_STYLES:
        raise _fail(at, f"style must be one of {', '.join(FIT_STYLES)}, not {style!r}")
    unknown = sorted(set(raw) - {"style", *FIT_LINE_NAMES})
    if unknown:
        raise _fail(at, f"unknown key(s) {unknown} (lines: {', '.join(FIT_LINE_NAMES)})")
    lines = tuple(_line(name, raw[name], panel_names, at) for name in FIT_LINE_NAMES if name in raw)
    if style == "fitted" and not any(line.name == "waist" for line in lines):
        raise _fail(at, "a fitted garment must mark its waist line (waist = { at = { panel = \"y\" } })")
    return FitDefinition(style=style, lines=lines)


def girth_along_cm(panel: Panel, y_cm: float) -> float:
    """Width (cm) of the whole, unfolded ``panel`` along the horizontal line at pattern ``y_cm``: the
    total length of the line inside the outline (darts and other notches cut into the piece, and its
    fish darts, are gaps)."""
    whole = unfold(panel)
    polygon = shapely.Polygon(whole.outline, holes=[d.corners for d in whole.internal_darts])
    x0, _, x1, _ = polygon.bounds
    inside = polygon.intersection(shapely.LineString([(x0 - 1.0, y_cm), (x1 + 1.0, y_cm)]))
    return float(inside.length)


def evaluate_fit(fit: FitDefinition, panels: tuple[Panel, ...], names: Mapping[str, float],
                 points: Mapping[str, Point], pattern_name: str) -> tuple[FitLineSpec, ...]:
    """The declared lines at one size, each with the pattern's girth along it."""
    by_name = {p.name: p for p in panels}
    result = []
    for line in fit.lines:
        at = f"{pattern_name}, fit line '{line.name}'"
        placed, girth = [], 0.0
        for panel_name, formula in line.panels:
            y = evaluate_formula(formula, names, points, f"{at} on '{panel_name}'")
            width = girth_along_cm(by_name[panel_name], y)
            if width <= 0.0:
                _, low, _, high = shapely.Polygon(unfold(by_name[panel_name]).outline).bounds
                raise _fail(at, f"y = {y:.1f} cm misses panel '{panel_name}' (it spans y {low:.1f} to {high:.1f} cm)")
            placed.append((panel_name, float(y)))
            girth += width
        overlap = evaluate_formula(line.overlap, names, points, f"{at}, overlap")
        if not 0.0 <= overlap < girth:
            raise _fail(at, f"overlap = {overlap:.1f} cm must be at least 0 and less than the pieces' "
                            f"{girth:.1f} cm along the line")
        girth -= overlap
        below = evaluate_formula(line.below, names, points, f"{at}, below")
        if abs(below) > MAX_BELOW_CM:
            raise _fail(at, f"below = {below:.1f} cm: a line must sit within {MAX_BELOW_CM:g} cm of its landmark")
        result.append(FitLineSpec(name=line.name, panels=tuple(placed), below_cm=below,
                                  pattern_girth_cm=float(np.round(girth, 4))))
    return tuple(result)
