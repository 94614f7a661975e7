"""Property-based tests over every library definition (new garments are covered automatically).

Inside the declared ranges (measurements inside ``sizes.MEASUREMENT_RANGES_CM``
and accepted by ``validate_measurements``, style parameters inside each
definition's [min, max]) every garment drafts into closed, counter-clockwise,
simple outlines whose seams match. Outside them the documented error names
the field: InvalidMeasurementsError for a body measurement, InvalidPatternError
for a style parameter.

Examples are few (``max_examples=25`` per garment) and derandomised, so the
file runs in seconds and fails the same way every time; set
``GARMENT3D_HYPOTHESIS_PROFILE=explore`` for a longer, random search.

Garments with a known, reported bug are listed in :data:`KNOWN_GARMENT_BUGS`:
the property is checked for them on bodies outside the failing region (or is
an xfail when no such region is known), and a strict xfail reproduces
the bug at a standard size, so the test fails once the garment is fixed (then
delete its entry).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from garment3d.errors import InvalidMeasurementsError, InvalidPatternError
from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.patterns.evaluate import SEAM_TOLERANCE_CM, edge_length_cm
from garment3d.patterns.fold import unfold_pattern
from garment3d.sizes import MEASUREMENT_RANGES_CM, SIZE_SYSTEMS, custom_size, parse_size, sizes_of
from garment3d.types import Measurements


@dataclass(frozen=True)
class KnownBug:
    """A reported garment bug: what breaks, a reproduction, and the bodies the property avoids meanwhile."""

    what: str
    size: str  # a standard size label that shows it (or "custom": the body below) ...
    parameters: dict  # ... with these in-range style parameters
    # the property's bodies keep hip - waist at least this; None: no safe region known, the
    # property itself is a strict xfail for this garment
    min_hip_minus_waist_cm: float | None = None
    body: Measurements | None = None  # the in-range body that shows it, when no standard size does


# Minimal darts: the waist-to-hip suppression (hip + hip ease - waist - waist ease) feeds the darts
# with no floor, so a body whose hip is within a few cm of its waist gets zero- or negative-width
# darts whose legs cross (GB/T men's C type from M180/96C up has hip - waist = 5 cm or less).
_DART_BUG = (
    "darts get zero or negative width when the waist-to-hip suppression (hip + hip_ease - waist - "
    "waist_ease) is small, and the outline self-intersects at the dart"
)
KNOWN_GARMENT_BUGS: dict[str, KnownBug] = {
    "trousers": KnownBug(_DART_BUG, "M185/100C", {"waist_ease": 4.0, "hip_ease": 4.0}, 8.0),
}

settings.register_profile(
    "default", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("GARMENT3D_HYPOTHESIS_PROFILE", "default"))
# pinned on the test itself, so a profile another module loads globally cannot change it
PROFILE = settings.get_profile(os.environ.get("GARMENT3D_HYPOTHESIS_PROFILE", "default"))

LIBRARY = list_patterns()
FIELDS = ("height", "bust", "waist", "hip")


# --------------------------------------------------------------------------- strategies


@st.composite
def bodies(draw, gender: str | None = None, min_hip_minus_waist: float = 0.0) -> Measurements:
    """Measurements the size module accepts: every girth in its range, waist not implausibly large.

    ``min_hip_minus_waist`` > 0 keeps the waist at least that far below the hip (known bugs only).
    """
    gender = gender or draw(st.sampled_from(sorted(MEASUREMENT_RANGES_CM)))
    ranges = MEASUREMENT_RANGES_CM[gender]
    value = {name: draw(st.floats(*ranges[name])) for name in ("height", "bust", "hip")}
    low, high = ranges["waist"]
    high = min(high, 1.15 * max(value["bust"], value["hip"]))
    if min_hip_minus_waist > 0:
        value["hip"] = max(value["hip"], low + min_hip_minus_waist)
        high = min(high, value["hip"] - min_hip_minus_waist)
    value["waist"] = draw(st.floats(low, high))
    return Measurements(value["height"], value["bust"], value["waist"], value["hip"], gender)


def style(definition) -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({p.name: st.floats(p.minimum, p.maximum) for p in definition.parameters})


def outside(low: float, high: float) -> st.SearchStrategy[float]:
    """Finite values below ``low`` or above ``high`` (at least 0.01 away)."""
    return st.one_of(st.floats(low - 1000.0, low - 0.01), st.floats(high + 0.01, high + 1000.0))


# --------------------------------------------------------------------------- checks


def assert_valid(definition, pattern) -> None:
    """Every outline closed, simple, counter-clockwise and covered once by its edges; every seam matched."""
    for panel in pattern.panels:
        where = f"{definition.name}, {pattern.size_label}, panel {panel.name}"
        outline = panel.outline
        assert outline.ndim == 2 and outline.shape[1] == 2 and len(outline) >= 3, where
        assert np.all(np.isfinite(outline)), where
        steps = np.linalg.norm(np.diff(np.vstack([outline, outline[:1]]), axis=0), axis=1)
        assert np.all(steps > 1e-6), f"{where}: repeated point (the outline closes implicitly)"
        polygon = shapely.Polygon(outline)
        assert polygon.is_valid, f"{where}: not simple ({shapely.is_valid_reason(polygon)})"
        assert shapely.LinearRing(outline).is_ccw, f"{where}: clockwise"
        assert polygon.area > 1.0, f"{where}: area {polygon.area:.3g} cm2"
        covered = sum(len(panel.edge_points(e.name)) - 1 for e in panel.edges)
        assert covered == len(outline), f"{where}: edges do not cover the outline exactly once"
    whole = unfold_pattern(pattern)
    for declared, seam in zip(definition.seams, whole.seams):
        a = edge_length_cm(whole.panel(seam.a.panel), seam.a.edge)
        b = edge_length_cm(whole.panel(seam.b.panel), seam.b.edge)
        allowed = SEAM_TOLERANCE_CM + abs(declared.ease_cm) + 1e-9
        assert abs(a - b) <= allowed, f"{definition.name}: seam {seam.a}/{seam.b} {a:.2f} vs {b:.2f} cm"


def draft(definition, measurements: Measurements, parameters: dict[str, float]):
    """The path a client takes: the size module checks the body, then the definition is evaluated."""
    size = custom_size(measurements)
    return evaluate(definition, size.measurements, parameters, size_label="custom")


# --------------------------------------------------------------------------- properties


def _xfail(name: str, strict: bool = True) -> pytest.MarkDecorator:
    return pytest.mark.xfail(
        raises=InvalidPatternError, strict=strict,
        reason=f"known bug in patterns/{name}.toml: {KNOWN_GARMENT_BUGS[name].what} "
               "(delete its KNOWN_GARMENT_BUGS entry once fixed)",
    )


def _unsafe(name: str) -> bool:
    """The garment has a known bug and no region of bodies known to avoid it."""
    return name in KNOWN_GARMENT_BUGS and KNOWN_GARMENT_BUGS[name].min_hip_minus_waist_cm is None


# Found by the property with no reproduction at a standard size yet: a non-strict xfail, reason given.
UNREPRODUCED_BUGS = {
    "jiaoling_top": "after its crossed front edge became a clamped cubic (the old reproduction, cross_depth 8 "
                    "placed at cross_below_underarm 15, now drafts), CI's run still found 3 distinct in-range "
                    "combinations whose pieces are invalid; not yet reproduced at a standard size",
}


def _marks(name: str):
    if _unsafe(name):
        return _xfail(name, strict=False)
    if name in UNREPRODUCED_BUGS:
        return pytest.mark.xfail(strict=False, reason=f"known bug in patterns/{name}.toml: {UNREPRODUCED_BUGS[name]}")
    return ()


# Not strict: 25 examples may or may not land in the failing region (the reproduction below is strict).
@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in LIBRARY])
def test_inside_the_ranges_every_garment_drafts_valid_pieces(name):
    definition = get_definition(name)
    known = KNOWN_GARMENT_BUGS.get(name)
    drop = known.min_hip_minus_waist_cm or 0.0 if known else 0.0
    # an expected failure need not be shrunk to its simplest form on every run (in CI's full runs of 2026-12-03
    # the jiaoling top's search found its known bug and shrank it for 156-202 s; alone it finds none in 1 s)
    expected = _unsafe(name) or name in UNREPRODUCED_BUGS
    phases = [Phase.explicit, Phase.reuse, Phase.generate] if expected else list(Phase)

    @settings(PROFILE, phases=phases)
    @given(body=bodies(min_hip_minus_waist=drop), parameters=style(definition))
    def check(body, parameters):
        assert_valid(definition, draft(definition, body, parameters))

    check()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=_xfail(name)) for name in sorted(KNOWN_GARMENT_BUGS)
    ],
)
def test_known_garment_bug_still_reproduces(name):
    bug = KNOWN_GARMENT_BUGS[name]
    definition = get_definition(name)
    size = custom_size(bug.body) if bug.body is not None else parse_size(bug.size)
    assert_valid(definition, evaluate(definition, size.measurements, bug.parameters, size_label=size.label))


@pytest.mark.parametrize("name", LIBRARY)
def test_a_measurement_outside_its_range_is_refused_naming_it(name):
    definition = get_definition(name)

    @settings(PROFILE)
    @given(data=st.data())
    def check(data):
        gender = data.draw(st.sampled_from(sorted(MEASUREMENT_RANGES_CM)))
        field = data.draw(st.sampled_from(FIELDS))
        base = data.draw(bodies(gender))
        values = {"height": base.height_cm, "bust": base.bust_cm, "waist": base.waist_cm, "hip": base.hip_cm}
        values[field] = data.draw(outside(*MEASUREMENT_RANGES_CM[gender][field]))
        body = Measurements(values["height"], values["bust"], values["waist"], values["hip"], gender)
        with pytest.raises(InvalidMeasurementsError, match=f"measurement '{field}'"):
            draft(definition, body, {})

    check()


@pytest.mark.parametrize("name", LIBRARY)
def test_a_parameter_outside_its_range_is_refused_naming_it(name):
    definition = get_definition(name)
    if not definition.parameters:
        pytest.skip(f"{name} has no style parameters")

    @settings(PROFILE)
    @given(data=st.data())
    def check(data):
        parameter = data.draw(st.sampled_from(definition.parameters))
        value = data.draw(outside(parameter.minimum, parameter.maximum))
        with pytest.raises(InvalidPatternError, match=f"parameter '{parameter.name}' = .* is outside its range"):
            draft(definition, data.draw(bodies()), {parameter.name: value})

    check()


@pytest.mark.parametrize("name", LIBRARY)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), "70", True])
def test_a_parameter_that_is_not_a_number_is_refused_naming_it(name, value):
    definition = get_definition(name)
    if not definition.parameters:
        pytest.skip(f"{name} has no style parameters")
    parameter = definition.parameters[0]
    with pytest.raises(InvalidPatternError, match=f"parameter '{parameter.name}' must be a number"):
        evaluate(definition, custom_size(Measurements(160, 84, 68, 90)).measurements, {parameter.name: value})


@pytest.mark.parametrize("name", LIBRARY)
def test_every_garment_drafts_at_every_size_of_every_system(name):
    definition = get_definition(name)
    for system in SIZE_SYSTEMS:
        for gender in ("female", "male"):
            for size in sizes_of(system, gender):
                assert_valid(definition, evaluate(definition, size.measurements, size_label=size.label))
