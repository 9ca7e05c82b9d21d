"""Simulated learners: does 智能练习 reach the pass mark sooner, and is the readiness estimate
calibrated? (docs/adaptive.md, "The proof").

    .venv/bin/python bench/simulate.py                          # 1,000 students, the full table
    .venv/bin/python bench/simulate.py --students 20 --budgets 30,60   # a quick look
    .venv/bin/python bench/simulate.py --cohort weak                   # learners the prior misjudges

Every simulated student studies chapter 8 for 30 minutes a day under one strategy and sits a
mock exam the next morning after 60, 120 and 240 minutes of study: the paper drawn by the app's
own `draw` from the real blueprint and bank, each answer made (the key, or a wrong response)
and scored by the app's `score_paper`. Each strategy meets the same students (paired seeds).

The learner (a model, stated so it can be argued with):
- ability per knowledge point: overall θ ~ N(−0.5, 0.8) (--cohort weak: N(−1.5, 0.8)) plus a
  point offset ~ N(0, 0.5);
  each question's true difficulty is its author level on the logit scale (1: −1, 2: 0, 3: +1;
  多选 +0.5) plus N(0, 0.5) the app does not know;
- before meeting a question the student knows it with logistic(θ + offset + transfer − b);
  practising a point's questions teaches the point: transfer = 0.8·(1 − exp(−n/10)) after n
  distinct questions of it (any type);
- memory of a practised question follows FSRS: the card the app's scheduler keeps after each
  answer (Good when right, Again when wrong, feedback read either way), with a stability the
  student's own memory scales by exp(N(0, 0.5)); P(know) = 1 − (1 − prior)(1 − R);
- P(right) = g + (1 − g)·P(know), g the type's blind-guess rate (单选 0.25, 判断 0.5, 多选 about 0.03);
- time per question: the type's seconds (tutor/adaptive/model.py TYPE_SECONDS) × the student's
  pace exp(N(0, 0.25)).

Strategies (sets of 10, as the app lays them out):
- sequential: 顺序练习 over the whole course (the app's pick_sequential);
- random: 随机练习 over the whole course (the app's pick_random: new, then wrong, then right);
- notebook+random: a 错题本 set (wrong answers, latest first, out after 2 right in a row)
  after every random set, when the notebook holds any;
- fsrs: 智能复习 only — the cards due by the end of the day, most overdue first; new questions
  in random order when nothing is due (without them it would never start);
- adaptive: 智能练习, the app's chooser (tutor/adaptive/chooser.py).
"""
from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsrs import Card, Rating, Scheduler  # noqa: E402

from tutor.adaptive.chooser import choose  # noqa: E402
from tutor.adaptive.model import (FACTOR, DECAY, Bank, Memory, Readiness, Seen, TYPE_SECONDS,  # noqa: E402
                                  DEFAULT_SECONDS, build_bank, hours_to_pass, level_difficulty, logistic,
                                  readiness)
from tutor.content.course import Course  # noqa: E402
from tutor.content.loader import load  # noqa: E402
from tutor.exam.paper import draw, score_paper  # noqa: E402
from tutor.practice.sets import pick_random, pick_sequential  # noqa: E402
from tutor.questions import QuestionBase, question_type  # noqa: E402

SCHEDULER = Scheduler(enable_fuzzing=False)     # as tutor.learning.SCHEDULER
STRATEGIES = ("sequential", "random", "notebook+random", "fsrs", "adaptive")
BUDGETS = (60, 120, 240)
DAILY_MINUTES = 30
SET_SIZE = 10
START = datetime(2025, 3, 3, 8, 0)      # naive UTC, a Monday morning
TRANSFER, TRANSFER_SCALE = 0.8, 10.0
ITEM_SD, MEMORY_SD, PACE_SD = 0.5, 0.5, 0.25
# θ mean and sd, point offset sd: "typical" is the readiness model's prior; "weak" starts a whole
# point lower, which the model's prior does not know (a test of calibration under a wrong prior)
COHORTS = {"typical": (-0.5, 0.8, 0.5), "weak": (-1.5, 0.8, 0.5)}


@dataclass
class Student:
    """One simulated learner: the truth the app does not see, and the records it does."""

    theta: float
    offsets: dict[str, float]
    memory: float                      # multiplies FSRS stability
    pace: float                        # multiplies seconds per question
    rng: random.Random
    cards: dict[str, Card] = field(default_factory=dict)
    seen: dict[str, Seen] = field(default_factory=dict)
    practised: dict[str, set[str]] = field(default_factory=dict)   # kp -> distinct questions
    last_results: dict[str, bool] = field(default_factory=dict)
    notebook: dict[str, tuple[int, datetime]] = field(default_factory=dict)   # qid -> (streak, last wrong)
    recent: list[str] = field(default_factory=list)                 # newest first
    cursor: int = 0
    answers: int = 0
    last_was_random: bool = False      # notebook+random alternates its sets


@dataclass(frozen=True)
class World:
    course: Course
    bank: Bank
    truth: dict[str, float]            # each question's true difficulty
    all_questions: tuple[QuestionBase, ...]


def make_world(seed: int = 8) -> World:
    course = load(ROOT / "content").course("chapter8")
    assert course is not None
    blueprint = course.manifest.exams[0]
    rng = random.Random(seed)
    truth = {q.id: level_difficulty(q) + rng.gauss(0, ITEM_SD) for q in course.questions}
    everything = tuple(q for t in course.topics for q in course.questions_in_topic(t.id))
    return World(course, build_bank(course, blueprint), truth, everything)


def make_student(world: World, seed: int, cohort: str = "typical") -> Student:
    rng = random.Random(seed)
    mean, sd, kp_sd = COHORTS[cohort]
    return Student(rng.gauss(mean, sd), {kp: rng.gauss(0, kp_sd) for kp in world.course.knowledge_points},
                   math.exp(rng.gauss(0, MEMORY_SD)), math.exp(rng.gauss(0, PACE_SD)), rng)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)


def naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def p_know(world: World, student: Student, q: QuestionBase, moment: datetime) -> float:
    """The truth: the chance the student knows q's answer at `moment`."""
    n = len(student.practised.get(q.knowledge_point, ()))
    prior = logistic(student.theta + student.offsets[q.knowledge_point]
                     + TRANSFER * (1 - math.exp(-n / TRANSFER_SCALE)) - world.truth[q.id])
    card = student.cards.get(q.id)
    if card is None or card.last_review is None or card.stability is None:
        return prior
    days = max(0.0, (aware(moment) - card.last_review) / timedelta(days=1))
    r = (1 + FACTOR * days / (card.stability * student.memory)) ** DECAY
    return 1 - (1 - prior) * (1 - r)


def p_right(world: World, student: Student, q: QuestionBase, moment: datetime) -> float:
    guess = question_type(q).guess_rate(q)
    return guess + (1 - guess) * p_know(world, student, q, moment)


def answer(world: World, student: Student, q: QuestionBase, moment: datetime) -> float:
    """The student answers q at `moment` and reads the feedback; the app's records follow as
    tutor.learning would write them. Returns the minutes it took."""
    right = student.rng.random() < p_right(world, student, q, moment)
    card = student.cards.get(q.id) or Card(card_id=len(student.cards) + 1, due=aware(moment))
    card, _ = SCHEDULER.review_card(card, Rating.Good if right else Rating.Again, aware(moment))
    student.cards[q.id] = card
    before = student.seen.get(q.id)
    assert card.stability is not None and card.difficulty is not None and card.last_review is not None
    memory = Memory(card.stability, card.difficulty, naive(card.last_review), naive(card.due))
    student.seen[q.id] = Seen(before.first_fraction if before else float(right), memory, moment, right)
    student.practised.setdefault(q.knowledge_point, set()).add(q.id)
    student.last_results[q.id] = right
    if not right:
        student.notebook[q.id] = (0, moment)
    elif q.id in student.notebook:
        streak, wrong_at = student.notebook[q.id]
        if streak + 1 >= world.course.manifest.settings.notebook_clear_after:
            del student.notebook[q.id]
        else:
            student.notebook[q.id] = (streak + 1, wrong_at)
    if q.id in student.recent:
        student.recent.remove(q.id)
    student.recent.insert(0, q.id)
    del student.recent[50:]
    student.answers += 1
    return TYPE_SECONDS.get(q.type, DEFAULT_SECONDS) * student.pace / 60


# --- Strategies: each returns the next set's question ids ------------------------------------

def _sequential(world: World, student: Student, moment: datetime, rng: random.Random) -> list[str]:
    ids, start = pick_sequential(world.all_questions, student.cursor, SET_SIZE)
    student.cursor = start      # moved on by the answers (see run)
    return ids


def _random(world: World, student: Student, moment: datetime, rng: random.Random) -> list[str]:
    return pick_random(world.all_questions, student.last_results, SET_SIZE, rng)


def _notebook_random(world: World, student: Student, moment: datetime, rng: random.Random) -> list[str]:
    if student.notebook and student.last_was_random:
        student.last_was_random = False
        ordered = sorted(student.notebook, key=lambda qid: student.notebook[qid][1], reverse=True)
        return ordered[:SET_SIZE]
    student.last_was_random = True
    return _random(world, student, moment, rng)


def _fsrs(world: World, student: Student, moment: datetime, rng: random.Random) -> list[str]:
    end_of_day = aware(moment.replace(hour=0, minute=0, second=0) + timedelta(days=1))
    due = sorted((c.due, qid) for qid, c in student.cards.items() if c.due <= end_of_day)
    ids = [qid for _, qid in due][:SET_SIZE]
    if len(ids) < SET_SIZE:
        new = [q for q in world.all_questions if q.id not in student.cards]
        rng.shuffle(new)
        ids += [q.id for q in new[:SET_SIZE - len(ids)]]
    return ids


def _adaptive(world: World, student: Student, moment: datetime, rng: random.Random) -> list[str]:
    return [p.question_id for p in choose(world.bank, student.seen, student.recent, moment, rng, size=SET_SIZE)]


CHOOSERS: dict[str, Callable[[World, Student, datetime, random.Random], list[str]]] = {
    "sequential": _sequential, "random": _random, "notebook+random": _notebook_random,
    "fsrs": _fsrs, "adaptive": _adaptive}


def wrong_response(q: QuestionBase, rng: random.Random) -> Any:
    """A response that is not the key (a student who does not know picks one)."""
    key = question_type(q).correct_response(q)
    if q.type == "truefalse":
        return not key
    letters = [chr(ord("A") + i) for i in range(len(q.options))]  # type: ignore[attr-defined]
    if q.type == "single":
        return rng.choice([x for x in letters if x != key])
    chosen = set(key)
    flip = rng.choice(letters)
    chosen ^= {flip}
    if not chosen:
        chosen = {rng.choice([x for x in letters if x != flip])}
    return sorted(chosen)


def sit_exam(world: World, student: Student, moment: datetime, rng: random.Random) -> float:
    """A mock exam drawn and scored by the app's own functions."""
    items = draw(world.course, world.course.manifest.exams[0], rng)
    responses = {}
    for index, item in enumerate(items):
        q = world.course.by_id[item["question_id"]]
        right = rng.random() < p_right(world, student, q, moment)
        responses[index] = question_type(q).correct_response(q) if right else wrong_response(q, rng)
    return score_paper(world.course, items, responses, world.course.grading).score


@dataclass(frozen=True)
class Outcome:
    strategy: str
    budget: int
    student: int
    score: float
    predicted: Readiness
    hours: float | None = None      # 智能练习 only: the app's estimate of practice time to an 80% pass chance


def run(world: World, strategy: str, seed: int, budgets: Sequence[int], cohort: str = "typical") -> list[Outcome]:
    """One student (the same for every strategy with the same seed) under one strategy."""
    student = make_student(world, seed, cohort)
    rng = random.Random(f"{strategy}:{seed}")
    outcomes = []
    studied, day = 0.0, 0
    pending: list[str] = []
    for budget in sorted(budgets):
        while studied < budget - 1e-9:
            moment = START + timedelta(days=day)
            today = 0.0
            pending = []         # a set left unfinished yesterday is not resumed: the next re-plans
            while today < min(DAILY_MINUTES, budget - studied):
                if not pending:
                    pending = CHOOSERS[strategy](world, student, moment, rng)
                    if not pending:
                        break
                qid = pending.pop(0)
                minutes = answer(world, student, world.course.by_id[qid], moment)
                if strategy == "sequential":
                    student.cursor += 1
                today += minutes
                moment += timedelta(minutes=minutes)
            studied += today
            day += 1
        exam_at = START + timedelta(days=day)        # the next morning
        predicted = readiness(world.bank, student.seen, exam_at)
        score = sit_exam(world, student, exam_at, random.Random(f"exam:{seed}:{budget}"))
        # the estimate the home page would show that evening (it assumes 智能练习 goes on)
        hours = hours_to_pass(world.bank, student.seen, exam_at - timedelta(hours=12)) if strategy == "adaptive" else None
        outcomes.append(Outcome(strategy, budget, seed, score, predicted, hours))
    return outcomes


def _work(args: tuple[str, list[int], Sequence[int], str]) -> list[Outcome]:
    strategy, seeds, budgets, cohort = args
    world = make_world()
    return [o for seed in seeds for o in run(world, strategy, seed, budgets, cohort)]


def simulate(students: int, budgets: Sequence[int], strategies: Sequence[str] = STRATEGIES,
             workers: int = 1, cohort: str = "typical") -> list[Outcome]:
    jobs = [(s, list(range(students)), budgets, cohort) for s in strategies]
    if workers <= 1:
        return [o for job in jobs for o in _work(job)]
    chunks = [(s, seeds[i::workers], b, c) for s, seeds, b, c in jobs for i in range(workers)]
    with multiprocessing.Pool(workers) as pool:
        return [o for part in pool.map(_work, chunks) for o in part]


# --- Reporting --------------------------------------------------------------------------------

def proof_table(outcomes: list[Outcome], pass_score: float, max_score: float) -> str:
    strategies = [s for s in STRATEGIES if any(o.strategy == s for o in outcomes)]
    budgets = sorted({o.budget for o in outcomes})
    head = "| 策略 strategy | " + " | ".join(f"{b} 分钟 mean | {b} 分钟 pass" for b in budgets) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(budgets)]
    for s in strategies:
        cells = []
        for b in budgets:
            scores = [o.score for o in outcomes if o.strategy == s and o.budget == b]
            cells += [f"{100 * statistics.fmean(scores) / max_score:.1f}%",
                      f"{100 * sum(x >= pass_score for x in scores) / len(scores):.1f}%"]
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def margins(outcomes: list[Outcome], pass_score: float) -> str:
    """智能练习 against the best other strategy at each budget (mean score and pass share)."""
    lines = []
    for b in sorted({o.budget for o in outcomes}):
        stats = {}
        for s in {o.strategy for o in outcomes}:
            scores = [o.score for o in outcomes if o.strategy == s and o.budget == b]
            stats[s] = (statistics.fmean(scores), sum(x >= pass_score for x in scores) / len(scores))
        if "adaptive" not in stats or len(stats) < 2:
            continue
        best_mean = max((v[0], s) for s, v in stats.items() if s != "adaptive")
        best_pass = max((v[1], s) for s, v in stats.items() if s != "adaptive")
        lines.append(f"- {b} 分钟: mean {stats['adaptive'][0] - best_mean[0]:+.2f} points vs {best_mean[1]}; "
                     f"pass share {100 * (stats['adaptive'][1] - best_pass[0]):+.1f} pp vs {best_pass[1]}")
    return "\n".join(lines)


def calibration(outcomes: list[Outcome], pass_score: float) -> tuple[str, float, float]:
    """Reliability by predicted pass-probability decile, the share of scores inside the 80%
    range, and the largest gap of a decile holding at least 1% of the predictions."""
    rows = ["| predicted pass probability | students | mean predicted | observed pass share | gap |",
            "|---|---:|---:|---:|---:|"]
    worst = 0.0
    for d in range(10):
        group = [o for o in outcomes if min(9, int(o.predicted.pass_probability * 10)) == d]
        if not group:
            continue
        predicted = statistics.fmean(o.predicted.pass_probability for o in group)
        observed = sum(o.score >= pass_score for o in group) / len(group)
        gap = observed - predicted
        if len(group) >= 0.01 * len(outcomes):
            worst = max(worst, abs(gap))
        rows.append(f"| {10 * d}–{10 * d + 10}% | {len(group)} | {100 * predicted:.1f}% | {100 * observed:.1f}% | "
                    f"{100 * gap:+.1f} pp |")
    inside = sum(o.predicted.low - 1e-9 <= o.score <= o.predicted.high + 1e-9 for o in outcomes) / len(outcomes)
    return "\n".join(rows), inside, worst


def time_check(outcomes: list[Outcome], pass_score: float) -> str:
    """Whether 还需约 N 小时 holds: students whose estimate fit in the minutes to the next budget
    should pass then about 80% of the time (the estimate's target) or more; the others less."""
    adaptive = {(o.budget, o.student): o for o in outcomes if o.strategy == "adaptive"}
    budgets = sorted({b for b, _ in adaptive})
    lines = ["| after | estimate then | students | pass share after the next budget |", "|---|---|---:|---:|"]
    for b, nxt in zip(budgets, budgets[1:]):
        more = nxt - b
        groups: dict[str, list[bool]] = {}
        for (budget, student), o in adaptive.items():
            if budget != b:
                continue
            if o.hours == 0:
                label = "0 (已有八成把握)"
            elif o.hours is not None and o.hours * 60 <= more:
                label = f"1–{more} min"
            else:
                label = f"over {more} min"
            groups.setdefault(label, []).append(adaptive[(nxt, student)].score >= pass_score)
        for label, passed in groups.items():
            lines.append(f"| {b} → {nxt} 分钟 | {label} | {len(passed)} | {100 * sum(passed) / len(passed):.1f}% |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cohort", choices=sorted(COHORTS), default="typical")
    args = parser.parse_args(argv)
    budgets = [int(b) for b in args.budgets.split(",")]
    strategies = [s for s in args.strategies.split(",") if s]
    started = time.perf_counter()
    outcomes = simulate(args.students, budgets, strategies, args.workers, args.cohort)
    world = make_world()
    pass_score, max_score = world.bank.pass_score, world.bank.max_score
    print(f"## Mock exam after studying ({args.students} simulated {args.cohort} students per strategy; "
          f"pass {pass_score:g}/{max_score:g})\n")
    print(proof_table(outcomes, pass_score, max_score))
    print("\n智能练习 against the best other strategy:\n")
    print(margins(outcomes, pass_score))
    table, inside, worst = calibration(outcomes, pass_score)
    print(f"\n## Readiness calibration ({len(outcomes)} predictions: every strategy and budget)\n")
    print(table)
    print(f"\nScores inside the predicted 80% range: {100 * inside:.1f}% (target 80%). "
          f"Largest gap of a decile holding 1% of the predictions: {100 * worst:.1f} pp.")
    adaptive = [o for o in outcomes if o.strategy == "adaptive"]
    if adaptive and len(adaptive) < len(outcomes):
        table, inside, worst = calibration(adaptive, pass_score)
        print(f"\n### 智能练习 only ({len(adaptive)} predictions)\n")
        print(table)
        print(f"\nInside the 80% range: {100 * inside:.1f}%. Largest gap of a decile holding 1% of the "
              f"predictions: {100 * worst:.1f} pp.")
    if adaptive:
        print("\n## 还需约 N 小时: the time estimate against what happened (智能练习)\n")
        print(time_check(outcomes, pass_score))
    print(f"\n_{time.perf_counter() - started:.0f} s, {len(outcomes)} simulated exams._")
    return 0


if __name__ == "__main__":
    sys.exit(main())
