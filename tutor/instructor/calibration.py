"""Difficulty calibrated from answers: the rule that turns a facility into a 1–3 level.

The YAML `difficulty` is an author's guess. Once enough students have answered, the item
analysis knows better: facility (mean first-attempt score) corrected for guessing, as in
classical test theory, k = (facility − g) / (1 − g), where g is what a blind guess earns on
average, each question type's `guess_rate` (a 4-option single 0.25, a true/false 0.5, a
4-choice matching 0.25, a 5-option all-or-nothing multiple 1/31, written answers 0). The bands:

    k ≥ 0.70          → 1 (容易)
    0.40 ≤ k < 0.70   → 2 (中等)
    k < 0.40          → 3 (较难)

computed only from MIN_ATTEMPTS first attempts on; below that the author's level stands.
Pure arithmetic, no Flask and no database: reports and the CLI call it.
"""
from __future__ import annotations

MIN_ATTEMPTS = 20
EASY_FROM = 0.70
MEDIUM_FROM = 0.40


def knowledge_share(facility: float, guess_rate: float) -> float:
    """The facility with the blind-guess share taken out, within 0..1."""
    if guess_rate >= 1:
        return facility
    return min(1.0, max(0.0, (facility - guess_rate) / (1 - guess_rate)))


def calibrated_difficulty(facility: float | None, attempts: int, guess_rate: float) -> int | None:
    """The level the answers give, or None while there are too few of them."""
    if facility is None or attempts < MIN_ATTEMPTS:
        return None
    share = knowledge_share(facility, guess_rate)
    return 1 if share >= EASY_FROM else 2 if share >= MEDIUM_FROM else 3
