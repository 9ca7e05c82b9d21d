"""One page of a long table: which rows, which page, and the page numbers a pager shows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")

PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int          # 1-based
    pages: int           # at least 1, even for no rows
    total: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when there are none)."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def numbers(self, around: int = 1) -> list[int | None]:
        """The page numbers to link: the first, the last and `around` either side of this one;
        None stands for the pages left out between them."""
        wanted = {1, self.pages} | set(range(self.number - around, self.number + around + 1))
        shown: list[int | None] = []
        previous = 0
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if previous and n - previous > 1:
                shown.append(None)
            shown.append(n)
            previous = n
        return shown


def paginate(rows: Sequence[T], requested: str | int | None, per_page: int = PER_PAGE) -> Page[T]:
    """The requested page of `rows`; a page number that is not one (or out of range) gives the
    nearest page there is."""
    pages = max(1, -(-len(rows) // per_page))
    try:
        number = int(requested) if requested is not None else 1
    except (TypeError, ValueError):
        number = 1
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    return Page(list(rows[start:start + per_page]), number, pages, len(rows), per_page)
