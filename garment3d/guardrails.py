"""Guardrails: what a client may change in a published style, and by how much.

A designer publishes a sample as a style whose guardrails say

- which style parameters the client may set: each a range inside the pattern's own range (a slider) or a few named
  values inside it (option buttons, e.g. a sleeve that is cap, short or elbow length);
- which fabrics, and which of each fabric's colorways, may be chosen;
- which chart sizes may be picked, and whether the client may give their own measurements instead.

Guardrails are plain data (JSON in the service), checked against the pattern's parameter schema by
:func:`parse_guardrails`; a client's choice is checked against them by :func:`check_choice`. Anything the client
leaves as the style has it is always allowed: only changes are held to the guardrails. Every error names its field
(``parameters.length.max``, ``fabrics.0.colorways.1``, ``measurements``) in :attr:`GuardrailError.field`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from garment3d.drape_cache import LOOK_ONLY_FABRIC_FIELDS
from garment3d.errors import Garment3DError, InvalidRequestError
from garment3d.fabrics import load_fabric
from garment3d.patterns.definition import Parameter, PatternDefinition
from garment3d.sizes import parse_size
from garment3d.types import Measurements

__all__ = ["RangeRule", "ChoiceRule", "FabricRule", "Guardrails", "Choice", "Change", "GuardrailError",
           "OutsideGuardrailsError", "parse_guardrails", "check_choice", "change_kind", "changes",
           "measurement_fields", "MAX_CHOICES", "MAX_FABRICS", "MAX_SIZES"]

MAX_CHOICES = 12  # named values of one parameter
MAX_FABRICS = 12
MAX_SIZES = 20
_BODY_FIELDS = ("height", "bust", "waist", "hip")


class GuardrailError(InvalidRequestError):
    """Guardrails that do not fit the pattern's parameter schema, the fabric library or the size chart."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class OutsideGuardrailsError(GuardrailError):
    """A client's choice the designer's guardrails do not allow."""


@dataclass(frozen=True)
class RangeRule:
    """A parameter the client sets on a slider, ``minimum`` to ``maximum`` in steps of ``step`` (pattern units)."""

    name: str
    label: str
    unit: str
    minimum: float
    maximum: float
    step: float


@dataclass(frozen=True)
class ChoiceRule:
    """A parameter the client sets to one of a few named values (option buttons), in order."""

    name: str
    label: str
    unit: str
    choices: tuple[tuple[str, float], ...]  # (label, value)


@dataclass(frozen=True)
class FabricRule:
    """A fabric the client may choose, in its own colour (``colorways`` empty) or in one of ``colorways``."""

    fabric: str
    colorways: tuple[str, ...]


@dataclass(frozen=True)
class Guardrails:
    pattern: str
    parameters: tuple[RangeRule | ChoiceRule, ...]
    fabrics: tuple[FabricRule, ...]
    sizes: tuple[str, ...]  # chart size labels the client may pick
    own_measurements: bool  # the client may give their own measurements (size "custom")
    measurement_fields: tuple[str, ...]  # what they give then: height, bust, waist, hip and what the pattern uses

    def rule(self, name: str) -> RangeRule | ChoiceRule | None:
        return next((r for r in self.parameters if r.name == name), None)

    def to_data(self) -> dict[str, Any]:
        """The guardrails as the JSON data :func:`parse_guardrails` reads back."""
        parameters: dict[str, Any] = {}
        for r in self.parameters:
            parameters[r.name] = ({"min": r.minimum, "max": r.maximum, "step": r.step} if isinstance(r, RangeRule)
                                  else {"choices": dict(r.choices)})
        return {"parameters": parameters,
                "fabrics": [{"fabric": f.fabric, "colorways": list(f.colorways)} for f in self.fabrics],
                "sizes": list(self.sizes), "own_measurements": self.own_measurements}


@dataclass(frozen=True)
class Choice:
    """What a style is made of, as far as a client can change it: every style parameter's value (defaults
    resolved), the fabric and its colorway (None: the fabric's own colour), and the size label with, for
    size ``custom``, the measurements."""

    parameters: Mapping[str, float]
    fabric: str
    colorway: str | None
    size: str
    measurements: Measurements | None = None


@dataclass(frozen=True)
class Change:
    """One field a proposal changes, for the designer's side-by-side view."""

    field: str  # parameters.length, fabric, colorway, size, measurements.bust
    label: str
    unit: str
    before: float | str | None
    after: float | str | None


# --------------------------------------------------------------------------- parsing


def measurement_fields(definition: PatternDefinition) -> tuple[str, ...]:
    """The measurements a client gives for this pattern: height, bust, waist and hip always; the natural waist
    height when the pattern uses it or the back length; the back neck (cervicale) height for the back length;
    the inside leg (floor to crotch) for a garment with legs (a panel placed on a leg: trousers), so the body's
    crotch is the client's. The pattern's other secondary measurements (neck, shoulder, arm length, upper arm)
    are predicted from height and bust (garment3d.sizes.derived_measurements)."""
    used = set(definition.measurements)
    extra = []
    if used & {"waist_height", "back_length"}:
        extra.append("waist_height")
    if "back_length" in used:
        extra.append("cervical_height")
    if any(panel.region.startswith("leg") for panel in definition.panels):
        extra.append("inside_leg")
    return (*_BODY_FIELDS, *extra)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise GuardrailError(field, "must be a number")
    return float(value)


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise GuardrailError(field, "must be an object")
    return value


def _in_schema(value: float, p: Parameter, field: str) -> None:
    if not p.minimum <= value <= p.maximum:
        raise GuardrailError(field, f"{value:g} {p.unit} is outside the pattern's own range for '{p.label}', "
                                    f"{p.minimum:g} to {p.maximum:g} {p.unit}".replace("  ", " "))


def _default_step(p: Parameter, low: float, high: float) -> float:
    if p.unit == "cm":
        return 0.5 if high - low >= 2 else 0.1
    return float(f"{(high - low) / 100:.1g}")


def _range_rule(p: Parameter, spec: Mapping[str, Any], field: str, base: float | None) -> RangeRule:
    unknown = set(spec) - {"min", "max", "step"}
    if unknown:
        raise GuardrailError(f"{field}.{sorted(unknown)[0]}", "a range has min, max and (optionally) step")
    for key in ("min", "max"):
        if key not in spec:
            raise GuardrailError(f"{field}.{key}", "a range needs both min and max")
    low, high = _number(spec["min"], f"{field}.min"), _number(spec["max"], f"{field}.max")
    _in_schema(low, p, f"{field}.min")
    _in_schema(high, p, f"{field}.max")
    if not low < high:
        raise GuardrailError(f"{field}.max", f"must be above min ({high:g} is not above {low:g})")
    step = _number(spec["step"], f"{field}.step") if spec.get("step") is not None else _default_step(p, low, high)
    if not 0 < step <= high - low:
        raise GuardrailError(f"{field}.step", f"must be above 0 and at most max - min ({high - low:g})")
    if base is not None and not low <= base <= high:
        raise GuardrailError(field, f"the sample's own {p.name} ({base:g} {p.unit}) is outside {low:g} to {high:g}; "
                                    f"widen the range or publish a sample inside it")
    return RangeRule(p.name, p.label, p.unit, low, high, step)


def _choice_rule(p: Parameter, spec: Mapping[str, Any], field: str) -> ChoiceRule:
    if set(spec) != {"choices"}:
        raise GuardrailError(field, "give either min and max (a range) or choices (named values), not both")
    named = _mapping(spec["choices"], f"{field}.choices")
    if not 1 <= len(named) <= MAX_CHOICES:
        raise GuardrailError(f"{field}.choices", f"give 1 to {MAX_CHOICES} named values")
    choices, seen = [], set()
    for label, value in named.items():
        where = f"{field}.choices.{label}"
        if not isinstance(label, str) or not 1 <= len(label.strip()) <= 40:
            raise GuardrailError(where, "a choice's name must be 1 to 40 characters")
        number = _number(value, where)
        _in_schema(number, p, where)
        if number in seen or label.strip() in {name for name, _ in choices}:
            raise GuardrailError(where, "two choices have the same name or value")
        seen.add(number)
        choices.append((label.strip(), number))
    return ChoiceRule(p.name, p.label, p.unit, tuple(choices))


def _parameter_rules(definition: PatternDefinition, data: Any, base: Choice | None) -> tuple:
    schema = {p.name: p for p in definition.parameters}
    rules = []
    for name, spec in _mapping(data, "parameters").items():
        field = f"parameters.{name}"
        if name not in schema:
            raise GuardrailError(field, f"{definition.name} has no parameter '{name}' "
                                        f"(it has: {', '.join(schema) or 'none'})")
        spec = _mapping(spec, field)
        if "choices" in spec:
            rules.append(_choice_rule(schema[name], spec, field))
        else:
            own = None if base is None else base.parameters.get(name)
            rules.append(_range_rule(schema[name], spec, field, own))
    return tuple(rules)


def _fabric_rules(data: Any) -> tuple[FabricRule, ...]:
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise GuardrailError("fabrics", "must be a list of {fabric, colorways}")
    if len(data) > MAX_FABRICS:
        raise GuardrailError("fabrics", f"at most {MAX_FABRICS} fabrics")
    rules, seen = [], set()
    for index, item in enumerate(data):
        field = f"fabrics.{index}"
        item = _mapping(item, field)
        name = item.get("fabric")
        if not isinstance(name, str):
            raise GuardrailError(f"{field}.fabric", "must name a fabric of the library")
        if name in seen:
            raise GuardrailError(f"{field}.fabric", f"'{name}' is listed twice")
        seen.add(name)
        try:
            fabric = load_fabric(name)
        except Garment3DError as exc:
            raise GuardrailError(f"{field}.fabric", str(exc)) from None
        offered = [c.name for c in fabric.colorways]
        colorways = item.get("colorways") or []
        if not isinstance(colorways, Sequence) or isinstance(colorways, str):
            raise GuardrailError(f"{field}.colorways", "must be a list of the fabric's colorway names")
        for c_index, colorway in enumerate(colorways):
            if colorway not in offered:
                raise GuardrailError(f"{field}.colorways.{c_index}",
                                     f"{name} has no colorway '{colorway}' (it has: {', '.join(offered) or 'none'})")
        if len(set(colorways)) != len(colorways):
            raise GuardrailError(f"{field}.colorways", "a colorway is listed twice")
        rules.append(FabricRule(name, tuple(colorways)))
    return tuple(rules)


def _sizes(data: Any, gender: str) -> tuple[str, ...]:
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise GuardrailError("sizes", "must be a list of size labels")
    if len(data) > MAX_SIZES:
        raise GuardrailError("sizes", f"at most {MAX_SIZES} sizes")
    labels = []
    for index, label in enumerate(data):
        try:
            size = parse_size(label, gender)
        except Garment3DError as exc:
            raise GuardrailError(f"sizes.{index}", str(exc)) from None
        if size.label in labels:
            raise GuardrailError(f"sizes.{index}", f"'{size.label}' is listed twice")
        labels.append(size.label)
    return tuple(labels)


def parse_guardrails(data: Mapping[str, Any], definition: PatternDefinition, *, gender: str = "female",
                     base: Choice | None = None) -> Guardrails:
    """Guardrails from their JSON data, checked against ``definition``'s parameters, the fabric library and the
    size chart. With ``base`` (the sample being published) a range must also hold the sample's own value.

    ``data``: ``parameters`` ({name: {min, max, step?} | {choices: {label: value}}}), ``fabrics``
    ([{fabric, colorways}]), ``sizes`` ([label]), ``own_measurements`` (bool); each optional."""
    data = _mapping(data, "guardrails")
    unknown = set(data) - {"parameters", "fabrics", "sizes", "own_measurements"}
    if unknown:
        raise GuardrailError(sorted(unknown)[0], "not a guardrail (known: parameters, fabrics, sizes, "
                                                 "own_measurements)")
    own = data.get("own_measurements", False)
    if not isinstance(own, bool):
        raise GuardrailError("own_measurements", "must be true or false")
    guardrails = Guardrails(
        pattern=definition.name,
        parameters=_parameter_rules(definition, data.get("parameters") or {}, base),
        fabrics=_fabric_rules(data.get("fabrics") or []),
        sizes=_sizes(data.get("sizes") or [], gender),
        own_measurements=own,
        measurement_fields=measurement_fields(definition),
    )
    if not (guardrails.parameters or guardrails.fabrics or guardrails.sizes or own):
        raise GuardrailError("guardrails", "allow at least one change: parameters, fabrics, sizes or "
                                           "own_measurements")
    return guardrails


# --------------------------------------------------------------------------- a client's choice


def _check_parameter(guardrails: Guardrails, name: str, value: float) -> None:
    field = f"parameters.{name}"
    rule = guardrails.rule(name)
    if rule is None:
        allowed = ", ".join(r.name for r in guardrails.parameters) or "none"
        raise OutsideGuardrailsError(field, f"the designer does not let this change (you may change: {allowed})")
    if isinstance(rule, RangeRule):
        if not rule.minimum <= value <= rule.maximum:
            raise OutsideGuardrailsError(field, f"{value:g} {rule.unit} is outside what the designer allows, "
                                                f"{rule.minimum:g} to {rule.maximum:g} {rule.unit}".replace("  ", " "))
    elif value not in {v for _, v in rule.choices}:
        offered = ", ".join(f"{label} ({v:g})" for label, v in rule.choices)
        raise OutsideGuardrailsError(field, f"{value:g} is not one of the designer's choices: {offered}")


def _check_fabric(guardrails: Guardrails, fabric: str, colorway: str | None) -> None:
    rule = next((f for f in guardrails.fabrics if f.fabric == fabric), None)
    if rule is None:
        offered = ", ".join(f.fabric for f in guardrails.fabrics) or "none: the fabric is fixed"
        raise OutsideGuardrailsError("fabric", f"the designer does not offer '{fabric}' (offered: {offered})")
    if colorway is None and not rule.colorways:
        return
    if colorway not in rule.colorways:
        offered = ", ".join(rule.colorways) or "its own colour only"
        raise OutsideGuardrailsError("colorway", f"{fabric} comes in {offered} here, not '{colorway}'")


def _check_size(guardrails: Guardrails, size: str, measurements: Measurements | None) -> None:
    if size == "custom" or measurements is not None:
        if not guardrails.own_measurements:
            offered = ", ".join(guardrails.sizes) or "the sample's own size only"
            raise OutsideGuardrailsError("measurements", f"the designer offers chart sizes only ({offered})")
        return
    if size not in guardrails.sizes:
        offered = ", ".join(guardrails.sizes) or "none: the size is fixed"
        raise OutsideGuardrailsError("size", f"the designer does not offer size '{size}' (offered: {offered})")


def check_choice(guardrails: Guardrails, base: Choice, proposed: Choice) -> None:
    """Raise :class:`OutsideGuardrailsError` naming the first field ``proposed`` changes from ``base`` in a way
    the guardrails do not allow; a field left as ``base`` has it is always allowed."""
    for name, value in proposed.parameters.items():
        if base.parameters.get(name) != value:
            _check_parameter(guardrails, name, value)
    if (proposed.fabric, proposed.colorway) != (base.fabric, base.colorway):
        _check_fabric(guardrails, proposed.fabric, proposed.colorway)
    if (proposed.size, proposed.measurements) != (base.size, base.measurements):
        _check_size(guardrails, proposed.size, proposed.measurements)


def _physics(fabric_name: str) -> dict[str, Any]:
    fabric = load_fabric(fabric_name)
    return {f.name: repr(getattr(fabric, f.name)) for f in dataclasses.fields(fabric)
            if f.name not in LOOK_ONLY_FABRIC_FIELDS}


def change_kind(before: Choice, after: Choice) -> Literal["none", "look", "shape"]:
    """``look`` when only the colour changes (or the fabric, for one with the same physics): the drape is
    reused and only the render runs; ``shape`` when the garment must be drafted or draped again."""
    if before == after:
        return "none"
    same_body = (before.size, before.measurements) == (after.size, after.measurements)
    if dict(before.parameters) != dict(after.parameters) or not same_body:
        return "shape"
    if before.fabric != after.fabric and _physics(before.fabric) != _physics(after.fabric):
        return "shape"
    return "look"


def changes(definition: PatternDefinition, before: Choice, after: Choice) -> tuple[Change, ...]:
    """Every field ``after`` changes from ``before``, labelled, in a stable order (for the side-by-side view)."""
    found = []
    for p in definition.parameters:
        old, new = before.parameters.get(p.name), after.parameters.get(p.name)
        if old != new:
            found.append(Change(f"parameters.{p.name}", p.label, p.unit, old, new))
    for name in ("fabric", "colorway", "size"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            found.append(Change(name, name.capitalize(), "", old, new))
    if before.measurements != after.measurements:
        for name in (*_BODY_FIELDS, "waist_height", "cervical_height", "inside_leg"):
            old = getattr(before.measurements, f"{name}_cm", None) if before.measurements else None
            new = getattr(after.measurements, f"{name}_cm", None) if after.measurements else None
            if old != new:
                found.append(Change(f"measurements.{name}", name.replace("_", " ").capitalize(), "cm", old, new))
    return tuple(found)
