"""Pattern stage: definitions (data with formulas) evaluated into flat panels."""

from garment3d.patterns.definition import PatternDefinition, load_definition, parse_definition_text
from garment3d.patterns.evaluate import evaluate
from garment3d.patterns.library import get_definition, list_patterns

__all__ = [
    "PatternDefinition",
    "evaluate",
    "get_definition",
    "list_patterns",
    "load_definition",
    "parse_definition_text",
]
