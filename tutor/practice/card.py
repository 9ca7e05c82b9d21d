"""答题卡: the grid of a practice set's questions, each cell saying how it went.

A set is answered in order, so a cell links to the feedback of an answered question, to the
question page for the next one waiting, and nowhere for the ones after it."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from tutor.practice.rows import CardRow

# state: (the mark shown in the cell, the words a screen reader says): never colour alone
STATES = {
    "right": ("✓", "答对"),
    "wrong": ("✗", "答错"),
    "partial": ("◐", "部分正确"),
    "answered": ("•", "已作答"),       # the verdict waits (a running mock exam, a withheld assignment)
    "waiting": ("", "未作答"),
}


class Cell(NamedTuple):
    number: int                 # 1..n among the questions still in the bank
    position: int
    state: str                  # a key of STATES
    current: bool               # the question this page shows
    opens: str | None           # "feedback", "question" (the next one waiting) or None

    @property
    def mark(self) -> str:
        return STATES[self.state][0]

    @property
    def words(self) -> str:
        return STATES[self.state][1]


class AnswerCard(NamedTuple):
    cells: list[Cell]
    answered: int
    wrong: int                  # wrong or partly right, among those whose verdict is shown

    @property
    def total(self) -> int:
        return len(self.cells)

    def previous_answered(self, position: int) -> int | None:
        """The position of the last answered question before `position` (上一题)."""
        before = [c.position for c in self.cells if c.opens == "feedback" and c.position < position]
        return before[-1] if before else None

    def next_answered(self, position: int) -> int | None:
        after = [c.position for c in self.cells if c.opens == "feedback" and c.position > position]
        return after[0] if after else None

    @property
    def waiting(self) -> bool:
        return any(c.state == "waiting" for c in self.cells)


def _state(row: CardRow, withheld: Collection[str]) -> str:
    if row.correct is None:
        return "waiting"
    if row.question_id in withheld:
        return "answered"
    if row.correct:
        return "right"
    return "partial" if row.score else "wrong"


def answer_card(rows: Iterable[CardRow], live: Collection[str], current: int | None,
                withheld: Collection[str] = (), own: bool = True) -> AnswerCard:
    """The cells of the questions still in the bank (`live`: their ids), numbered as the pages
    number them; `current` is the position this page shows. Only the set's owner gets a link
    to the question page (a teacher reading a student's set sees the answered ones)."""
    cells: list[Cell] = []
    next_found = False
    for row in rows:
        if row.question_id not in live:
            continue
        state = _state(row, withheld)
        opens: str | None = "feedback" if state != "waiting" else None
        if state == "waiting" and not next_found:
            opens, next_found = ("question" if own else None), True
        cells.append(Cell(len(cells) + 1, row.position, state, row.position == current, opens))
    return AnswerCard(cells, sum(c.state != "waiting" for c in cells),
                      sum(c.state in ("wrong", "partial") for c in cells))
