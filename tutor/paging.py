"""One page of a long table: which rows, which page, and the page numbers a pager shows.

Shared by the blueprints (the class roster, the teacher reports, assignments), so it lives
outside any of them: blueprints import no other blueprint. A list already in memory (a cached
report) is paged with `paginate`; a query is paged in the database with `paginate_query`, which
fetches only the page's rows (LIMIT/OFFSET) and counts the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Sequence, TypeVar, Unpack

from sqlalchemy import Select, func, select

from tutor.extensions import db

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


def page_number(requested: str | int | None, total: int, per_page: int = PER_PAGE) -> tuple[int, int]:
    """(the page to show, how many pages there are) for `total` rows: a page number that is not
    one (or out of range) gives the nearest page there is."""
    pages = max(1, -(-total // per_page))
    try:
        number = int(requested) if requested is not None else 1
    except (TypeError, ValueError, OverflowError):
        number = 1
    return min(max(number, 1), pages), pages


def paginate(rows: Sequence[T], requested: str | int | None, per_page: int = PER_PAGE) -> Page[T]:
    """The requested page of `rows`, a list already in memory."""
    number, pages = page_number(requested, len(rows), per_page)
    start = (number - 1) * per_page
    return Page(list(rows[start:start + per_page]), number, pages, len(rows), per_page)


def paginate_query(query: Select[Unpack[tuple[Any, ...]]], requested: str | int | None, per_page: int = PER_PAGE) -> Page[Any]:
    """The requested page of an ordered query's rows, cut in the database: one COUNT and one
    LIMIT/OFFSET query, so a class of 1,000 costs what a page of 50 costs to render."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number, pages = page_number(requested, total, per_page)
    rows = list(db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()) if total else []
    return Page(rows, number, pages, total, per_page)
