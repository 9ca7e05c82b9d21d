"""智能练习: the questions that raise the predicted mock exam score most per minute.

Pure (no Flask, no database): the app and the learner simulator (bench/simulate.py) run it alike.
A practice set is laid out when it starts, so the chooser picks a whole batch greedily: each
pick's value is the expected points it adds at the horizon (tutor/adaptive/model.py `gain`)
divided by the minutes its type takes, and each pick changes the value of the next ones — the
same knowledge point is worth less again in one set (its first question tells most, and the
student's answers move the estimate before the next set re-plans) and the same type in a row is
worth less (interleaving; never three in a row while another type is worth practising). Due
reviews get a share of the set; questions answered in the last minutes or answers are left out.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Collection, Mapping, Sequence

from tutor.adaptive.model import Abilities, Bank, Item, Seen, estimate, gain, is_weak, logistic, retrievability
from tutor.questions import REGISTRY

SET_SIZE = 10
HORIZON_DAYS = 3          # the exam the gains are measured at, unless the student set a date
RECENT_MINUTES = 20       # a question answered this recently is not asked again ...
RECENT_ANSWERS = 20       # ... nor one among the last this many answers of the sitting
KP_REPEAT = 0.8           # the value of a point's next question in the same set, per one already in
TYPE_REPEAT = 0.75        # the value of a question of the same type as the one before it
MAX_RUN = 2               # at most this many of one type in a row, while another type is worth it
DUE_SHARE = 3             # up to a third of a set are due reviews, when there are any
DUE_BOOST = 1.5
REVIEW_AFTER = timedelta(hours=12)   # due and last reviewed this long ago: a spaced review
JITTER = 0.05             # equal values are told apart by the seeded random source


@dataclass(frozen=True)
class Reason:
    """Why a question was chosen, in terms a student reads (see `text`)."""

    kind: str              # "due" | "forgetting" | "new" | "extra"
    weak: bool = False     # its knowledge point is weak
    days: int = 0          # forgetting: days until FSRS expects it below 90% recall
    type: str = ""
    common: bool = False   # its type carries a large share of the paper's points

    def text(self) -> str:
        label = REGISTRY[self.type].label if self.type in REGISTRY else self.type
        if self.kind == "due":
            return "到期复习 · 薄弱点" if self.weak else "到期复习"
        if self.kind == "forgetting":
            return ("薄弱点 · " if self.weak else "") + f"约 {self.days} 天后会遗忘"
        if self.kind == "new":
            if self.weak:
                return f"薄弱点 · {label}"
            return f"考试常考 · {label}" if self.common else f"新题 · {label}"
        return "拓展练习（不在模拟考试范围内）"


@dataclass(frozen=True)
class Pick:
    question_id: str
    reason: Reason
    value: float           # expected exam points per minute (0 for fill-ins)


def is_due(seen: Seen | None, moment: datetime) -> bool:
    memory = seen.memory if seen else None
    return memory is not None and memory.due <= moment and moment - memory.last_review >= REVIEW_AFTER


def explain(bank: Bank, item: Item, seen: Seen | None, abilities: Abilities, moment: datetime) -> Reason:
    """The reason shown with a question: derived from the student's state, so that a page can
    say it again later without storing it (the same state gives the same reason)."""
    common = bank.type_share.get(item.type, 0.0) >= 0.2
    if not item.weight:
        return Reason("extra", type=item.type)
    weak = is_weak(abilities, item.kp)
    memory = seen.memory if seen else None
    if memory is None:
        return Reason("new", weak, type=item.type, common=common)
    if is_due(seen, moment):
        return Reason("due", weak, type=item.type, common=common)
    days = max(1, math.ceil((memory.due - moment) / timedelta(days=1)))
    return Reason("forgetting", weak, days, item.type, common)


def choose(bank: Bank, answers: Mapping[str, Seen], recent: Sequence[str], moment: datetime,
           rng: random.Random, *, size: int = SET_SIZE, horizon_days: float = HORIZON_DAYS,
           exclude: Collection[str] = ()) -> list[Pick]:
    """A batch of `size` questions. `recent`: question ids answered last, newest first;
    `exclude`: questions that must not be practised now (on a running exam)."""
    abilities = estimate(bank, answers)
    horizon = moment + timedelta(days=horizon_days)
    since = moment - timedelta(minutes=RECENT_MINUTES)
    # The last answers count within a sitting only: a question answered wrong days ago is a
    # review now, however few answers came after it.
    sitting = moment - REVIEW_AFTER
    blocked = set(exclude) | {qid for qid in recent[:RECENT_ANSWERS]
                              if (seen := answers.get(qid)) is None or seen.last_at is None or seen.last_at > sitting}
    blocked |= {qid for qid, seen in answers.items() if seen.last_at is not None and seen.last_at > since}
    candidates: list[tuple[Item, float, bool]] = []
    for item in bank.items:
        if item.id in blocked:
            continue
        seen = answers.get(item.id)
        value = gain(item, abilities.of(item.kp), seen.memory if seen else None, moment, horizon) / item.minutes
        candidates.append((item, value * (1 + JITTER * rng.random()), bool(item.weight) and is_due(seen, moment)))
    picks = _greedy(candidates, size)
    if len(picks) < size:
        picks += _fill(bank, candidates, picks, answers, abilities, moment, size - len(picks))
    return [Pick(item.id, explain(bank, item, answers.get(item.id), abilities, moment), value)
            for item, value in picks]


def _greedy(candidates: list[tuple[Item, float, bool]], size: int) -> list[tuple[Item, float]]:
    """Pick by value, each pick discounting the next ones of its point and of its type."""
    # Best first, so that each step can stop looking once no later value could win even with
    # the due boost.
    left = sorted((c for c in candidates if c[1] > 0), key=lambda c: -c[1])
    due_quota = min(sum(1 for c in left if c[2]), max(1, size // DUE_SHARE))
    picks: list[tuple[Item, float]] = []
    per_kp: Counter[str] = Counter()
    run_type, run = "", 0
    due_taken = 0
    while left and len(picks) < size:
        owed = due_quota - due_taken
        only_due = owed >= size - len(picks)
        other_type = run >= MAX_RUN and any(c[0].type != run_type and (c[2] or not only_due) for c in left)
        ceiling = DUE_BOOST if owed > 0 else 1.0
        best, best_score = -1, -1.0
        for index, (item, value, due) in enumerate(left):
            if value * ceiling <= best_score:
                break
            if (only_due and not due) or (other_type and item.type == run_type):
                continue
            score = value * KP_REPEAT ** per_kp[item.kp]
            if item.type == run_type:
                score *= TYPE_REPEAT
            if due and owed > 0:
                score *= DUE_BOOST
            if score > best_score:
                best, best_score = index, score
        if best < 0:
            break
        item, value, due = left.pop(best)
        picks.append((item, value))
        per_kp[item.kp] += 1
        due_taken += due
        run, run_type = (run + 1, run_type) if item.type == run_type else (1, item.type)
    return picks


def _fill(bank: Bank, candidates: list[tuple[Item, float, bool]], picks: list[tuple[Item, float]],
          answers: Mapping[str, Seen], abilities: Abilities, moment: datetime,
          count: int) -> list[tuple[Item, float]]:
    """When too few questions still gain anything (everything practised today): the exam's
    questions the student is least sure of, then other types, and questions beyond the
    textbook only when nothing else is left."""
    taken = {item.id for item, _ in picks}

    def sureness(item: Item) -> float:
        seen = answers.get(item.id)
        s = logistic(abilities.of(item.kp) - item.difficulty)
        return 1 - (1 - s) * (1 - retrievability(seen.memory if seen else None, moment))

    rest = [c[0] for c in candidates if c[0].id not in taken]
    rest.sort(key=lambda item: (item.beyond_source, not item.weight, sureness(item)))
    return [(item, 0.0) for item in rest[:count]]
