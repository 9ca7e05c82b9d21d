"""Reading a posted answer form, for the types' parsers.

The form names options by the position they were shown in; each type's parser maps them back
through the stored layout. Anything that does not fit what was shown is refused, not guessed.
Input is a plain mapping of field name to values, so no parser touches the request.
"""
from __future__ import annotations

from typing import Mapping, Sequence

Form = Mapping[str, Sequence[str]]


class InvalidAnswer(ValueError):
    """The answer is missing or unfinished: the student is asked again."""


class TamperedAnswer(InvalidAnswer):
    """The form names something that was never shown: refused outright."""


def values(form: Form, name: str) -> list[str]:
    return list(form.get(name) or [])


def one(form: Form, name: str) -> str | None:
    """The field's single value; None when it is missing or sent more than once."""
    found = values(form, name)
    return found[0] if len(found) == 1 else None


def small_int(text: str | None, upper: int) -> int | None:
    """A non-negative integer in ASCII digits, at most `upper` (`str.isdigit()` alone accepts `²`)."""
    if not text or len(text) > 6 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= upper else None


def shown_index(value: str, size: int) -> int:
    """The position of a shown option, or TamperedAnswer if nothing was shown there."""
    index = small_int(value, size - 1)
    if index is None:
        raise TamperedAnswer("选项无效")
    return index
