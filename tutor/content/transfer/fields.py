"""The key order of a question as written in our YAML files: shared by the importers, which
order each draft's fields, and by the YAML writer. A module of its own, so that the writer does
not import the importers' common module (which calls the writer)."""
from __future__ import annotations

BEFORE = ("id", "type", "knowledge_point", "section", "difficulty", "stem")
BODY = {
    "single": ("options", "answer"),
    "multiple": ("options", "answer"),
    "truefalse": ("answer",),
    "fill": ("blanks", "case_sensitive"),
    "ordering": ("items", "partial_credit"),
    "matching": ("pairs", "distractors"),
    "short": ("rubric", "model_answer"),
    "case": ("questions",),
}
AFTER = ("explanation", "tags")
