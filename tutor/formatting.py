"""Numbers as people read them on the pages. No Flask here."""
from __future__ import annotations


def points_text(value: float) -> str:
    """A score as people write it: '10' when whole, '7.5' with one decimal otherwise."""
    rounded = round(value + 0.0, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
