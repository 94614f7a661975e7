"""Guardrails: parsed against the pattern's parameter schema, the fabric library and the size chart; a client's
choice checked against them; errors name the field."""

from __future__ import annotations

import pytest

from garment3d.guardrails import (
    Choice,
    GuardrailError,
    OutsideGuardrailsError,
    change_kind,
    changes,
    check_choice,
    measurement_fields,
    parse_guardrails,
)
from garment3d.patterns import get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.types import Measurements

SKIRT = get_definition("a_line_skirt")
GOOD = {
    "parameters": {"length": {"min": 55, "max": 80}, "flare": {"choices": {"straight": 4, "a-line": 14, "full": 24}}},
    "fabrics": [{"fabric": "linen_red", "colorways": ["red", "natural"]}, {"fabric": "poplin_grey"}],
    "sizes": ["155/80A", "160/84A"],
}


def _choice(fabric="linen_red", colorway=None, size="160/84A", measurements=None, **parameters) -> Choice:
    return Choice(resolve_parameters(SKIRT, parameters), fabric, colorway, size, measurements)


def test_good_guardrails_parse_with_defaults_filled_in():
    rails = parse_guardrails(GOOD, SKIRT, base=_choice())
    length, flare = rails.parameters
    assert (length.minimum, length.maximum, length.step, length.unit) == (55, 80, 0.5, "cm")
    assert flare.choices == (("straight", 4.0), ("a-line", 14.0), ("full", 24.0))
    assert [f.fabric for f in rails.fabrics] == ["linen_red", "poplin_grey"] and rails.fabrics[1].colorways == ()
    assert rails.sizes == ("155/80A", "160/84A") and rails.own_measurements is False
    assert parse_guardrails(rails.to_data(), SKIRT) == rails  # stored as data, read back the same


@pytest.mark.parametrize("change, field, words", [
    ({"parameters": {"length": {"min": 55, "max": 130}}}, "parameters.length.max", "pattern's own range"),
    ({"parameters": {"length": {"min": 20, "max": 80}}}, "parameters.length.min", "35 to 110 cm"),
    ({"parameters": {"length": {"min": 80, "max": 55}}}, "parameters.length.max", "above min"),
    ({"parameters": {"length": {"min": 65, "max": 80}}}, "parameters.length", "sample's own length (60 cm)"),
    ({"parameters": {"length": {"min": 55}}}, "parameters.length.max", "both min and max"),
    ({"parameters": {"length": {"min": 55, "max": 80, "step": 0}}}, "parameters.length.step", "above 0"),
    ({"parameters": {"length": {"min": 55, "max": 80, "choices": {"a": 60}}}}, "parameters.length", "not both"),
    ({"parameters": {"sleeve": {"min": 1, "max": 2}}}, "parameters.sleeve", "has no parameter 'sleeve'"),
    ({"parameters": {"flare": {"choices": {"huge": 40}}}}, "parameters.flare.choices.huge", "0 to 30 cm"),
    ({"parameters": {"flare": {"choices": {"a": 4, "b": 4}}}}, "parameters.flare.choices.b", "same name or value"),
    ({"parameters": {"flare": {"choices": {}}}}, "parameters.flare.choices", "1 to 12"),
    ({"parameters": {"length": {"min": "long", "max": 80}}}, "parameters.length.min", "a number"),
    ({"fabrics": [{"fabric": "silk_purple"}]}, "fabrics.0.fabric", "silk_purple"),
    ({"fabrics": [{"fabric": "linen_red", "colorways": ["red", "blue"]}]}, "fabrics.0.colorways.1",
     "no colorway 'blue'"),
    ({"fabrics": [{"fabric": "linen_red"}, {"fabric": "linen_red"}]}, "fabrics.1.fabric", "twice"),
    ({"sizes": ["160/84A", "huge"]}, "sizes.1", "huge"),
    ({"own_measurements": "yes"}, "own_measurements", "true or false"),
    ({"colours": ["red"]}, "colours", "not a guardrail"),
])
def test_bad_guardrails_name_the_field(change, field, words):
    with pytest.raises(GuardrailError) as caught:
        parse_guardrails(GOOD | change, SKIRT, base=_choice())
    assert caught.value.field == field, str(caught.value)
    assert words in str(caught.value) and str(caught.value).startswith(field + ": ")


def test_guardrails_that_allow_nothing_are_refused():
    with pytest.raises(GuardrailError, match="allow at least one change"):
        parse_guardrails({}, SKIRT)


def test_a_choice_inside_the_guardrails_passes_and_one_outside_is_refused_naming_the_field():
    rails = parse_guardrails(GOOD | {"own_measurements": False}, SKIRT, base=_choice())
    base = _choice()
    check_choice(rails, base, _choice(length=72, flare=24, colorway="natural", size="155/80A"))
    check_choice(rails, base, _choice(hip_ease=4.0))  # the style's own value: unchanged is always allowed
    refused = [
        (_choice(length=90), "parameters.length", "55 to 80 cm"),
        (_choice(flare=17), "parameters.flare", "straight (4), a-line (14), full (24)"),
        (_choice(hip_ease=8), "parameters.hip_ease", "does not let this change (you may change: length, flare)"),
        (_choice(fabric="silk_charmeuse"), "fabric", "does not offer 'silk_charmeuse'"),
        (_choice(colorway="olive"), "colorway", "comes in red, natural here, not 'olive'"),
        (_choice(fabric="poplin_grey", colorway="red"), "colorway", "its own colour only"),
        (_choice(size="170/92A"), "size", "does not offer size '170/92A'"),
        (_choice(size="custom", measurements=Measurements(165, 88, 70, 96)), "measurements", "chart sizes only"),
    ]
    for proposed, field, words in refused:
        with pytest.raises(OutsideGuardrailsError) as caught:
            check_choice(rails, base, proposed)
        assert caught.value.field == field and words in str(caught.value), (field, str(caught.value))
    own = parse_guardrails(GOOD | {"own_measurements": True}, SKIRT, base=base)
    check_choice(own, base, _choice(size="custom", measurements=Measurements(165, 88, 70, 96)))


def test_change_kind_tells_a_colour_change_from_a_shape_change():
    base = _choice()
    assert change_kind(base, base) == "none"
    assert change_kind(base, _choice(colorway="olive")) == "look"
    assert change_kind(base, _choice(length=70)) == "shape"
    assert change_kind(base, _choice(size="155/80A")) == "shape"
    assert change_kind(base, _choice(fabric="silk_charmeuse")) == "shape"  # other physics: drape again


def test_changes_list_each_changed_field_with_label_and_unit():
    found = changes(SKIRT, _choice(), _choice(length=72, colorway="olive"))
    assert [(c.field, c.before, c.after) for c in found] == [("parameters.length", 60.0, 72.0),
                                                             ("colorway", None, "olive")]
    assert found[0].label == "Length, waist to hem" and found[0].unit == "cm"
    body = changes(SKIRT, _choice(), _choice(size="custom", measurements=Measurements(165, 88, 70, 96)))
    assert {c.field for c in body} >= {"size", "measurements.height", "measurements.hip"}
    legs = Measurements(165, 88, 70, 96, inside_leg_cm=76.0)
    longer = changes(SKIRT, _choice(size="custom", measurements=legs),
                     _choice(size="custom", measurements=Measurements(165, 88, 70, 96, inside_leg_cm=78.0)))
    assert [(c.field, c.before, c.after, c.unit) for c in longer] == [("measurements.inside_leg", 76.0, 78.0, "cm")]


def test_measurement_fields_follow_what_the_pattern_uses():
    assert measurement_fields(SKIRT) == ("height", "bust", "waist", "hip")
    assert measurement_fields(get_definition("trousers"))[-2:] == ("waist_height", "inside_leg")
    assert measurement_fields(get_definition("shift_dress"))[-2:] == ("waist_height", "cervical_height")
