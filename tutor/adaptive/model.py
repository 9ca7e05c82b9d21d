"""The readiness model: a student's chance on each exam question, and the mock exam score those
chances add up to. Pure arithmetic (no Flask, no database); docs/adaptive.md explains it.

For a question q of knowledge point k the student either knows the answer or guesses:

    P(right) = g + (1 − g) · know,    know = 1 − (1 − s) · (1 − R)

- g: what a blind guess earns on its type (a 4-option 单选 0.25, 判断 0.5, a 5-option
  多选 1/31);
- s = logistic(a_k − d_q): what the student's ability on the point gives without having met the
  question; a_k is estimated from the student's *first* answers (later ones measure memory, not
  ability), d_q is the question's difficulty on the same logit scale;
- R: FSRS's retrievability of the question's review card at the moment in question (0 unseen).

The mock exam draws, per part, questions of the part's type round the knowledge points, so
each question's weight (points × chance of being drawn) follows from the blueprint and the bank;
the expected score is the weighted sum. Its spread combines the draw and the answers (binomial
per point), the uncertainty of the ability estimates, and how much the student's memory may
differ from FSRS's average learner; the pass probability is the normal tail above the pass mark.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from fsrs import Scheduler

from tutor.content.course import Course
from tutor.content.model import ExamBlueprint
from tutor.questions import QuestionBase, question_type

# The parameters tutor.learning.SCHEDULER runs with (FSRS's defaults; a test keeps them equal).
FSRS_PARAMETERS: tuple[float, ...] = tuple(Scheduler().parameters)
DECAY = -FSRS_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1

# Seconds a question of each type takes with reading its feedback (a student's own pace may
# differ; these are what the chooser divides by and the time estimate adds up).
TYPE_SECONDS = {"single": 40.0, "truefalse": 25.0, "multiple": 60.0, "fill": 60.0, "ordering": 60.0,
                "matching": 90.0, "short": 150.0, "case": 180.0}
DEFAULT_SECONDS = 60.0

# Difficulty on the ability scale: the author's 1–3 until answers say better, and a 多选 (all
# options right or no mark) harder than its level says.
LEVEL_LOGIT = {1: -1.0, 2: 0.0, 3: 1.0}
TYPE_LOGIT = {"multiple": 0.5}
# The prior of a new student's ability (overall, and per point around it). Set from the
# simulated population (bench/simulate.py); to be refitted on real first answers.
PRIOR_MEAN, PRIOR_SD, KP_SD = -0.5, 0.8, 0.5
# How far one student's memory may differ from FSRS's average learner (log of stability).
MEMORY_SD = 0.5
Z80 = 1.2816           # the 10% and 90% points of a normal distribution
PASS_TARGET = 0.8      # the time estimate runs until the pass probability reaches this


def logistic(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass(frozen=True, slots=True)
class Memory:
    """What the model reads of a question's FSRS card."""

    stability: float         # days
    difficulty: float        # FSRS's 1–10
    last_review: datetime    # naive UTC
    due: datetime            # naive UTC


@dataclass(frozen=True, slots=True)
class Seen:
    """A question the student has answered."""

    first_fraction: float        # the first answer's score, 0..1
    memory: Memory | None
    last_at: datetime | None = None
    last_correct: bool = False


def retrievability(memory: Memory | None, moment: datetime) -> float:
    """FSRS's forgetting curve at `moment` (fractional days, unlike the scheduler's whole days,
    so that the time of day counts); 0 for no card."""
    if memory is None:
        return 0.0
    days = max(0.0, (moment - memory.last_review) / timedelta(days=1))
    return (1 + FACTOR * days / memory.stability) ** DECAY


def recall_stability(memory: Memory, r: float) -> float:
    """FSRS's stability after a successful review at retrievability r."""
    w = FSRS_PARAMETERS
    return memory.stability * (1 + math.exp(w[8]) * (11 - memory.difficulty) * memory.stability ** -w[9]
                               * (math.exp((1 - r) * w[10]) - 1))


def forget_stability(memory: Memory, r: float) -> float:
    """FSRS's stability after a lapse at retrievability r."""
    w = FSRS_PARAMETERS
    after = w[11] * memory.difficulty ** -w[12] * ((memory.stability + 1) ** w[13] - 1) * math.exp((1 - r) * w[14])
    return min(after, memory.stability)


@dataclass(frozen=True, slots=True)
class Item:
    """One question as the model sees it."""

    id: str
    kp: str
    type: str
    guess: float
    difficulty: float        # logit scale
    weight: float            # expected points on a mock exam paper (0: never drawn)
    minutes: float
    beyond_source: bool


@dataclass(frozen=True)
class Bank:
    """A course's questions with their exam weights under one blueprint."""

    items: tuple[Item, ...]
    by_id: Mapping[str, Item]
    # per exam part: (points, {kp: expected number drawn}, {kp: ids in its pool})
    parts: tuple[tuple[float, dict[str, float], dict[str, tuple[str, ...]]], ...]
    max_score: float
    pass_score: float
    type_share: Mapping[str, float]      # each exam type's share of the paper's points


def expected_draws(sizes: Mapping[str, int], count: int) -> dict[str, float]:
    """How many questions the draw (tutor/exam/paper.py) takes from each point's pool on
    average: whole rounds over the points that still have questions, then a random part-round."""
    drawn = {kp: 0.0 for kp in sizes}
    left, r = count, 0
    while left > 0:
        takers = [kp for kp, n in sizes.items() if n > r]
        if not takers:
            break
        share = min(1.0, left / len(takers))
        for kp in takers:
            drawn[kp] += share
        left -= min(left, len(takers))
        r += 1
    return drawn


def level_difficulty(q: QuestionBase) -> float:
    return LEVEL_LOGIT.get(q.difficulty or 2, 0.0) + TYPE_LOGIT.get(q.type, 0.0)


def facility_difficulty(facility: float, guess: float) -> float:
    """The difficulty a question's first-answer facility implies for a student of the prior's
    average ability (guessing taken out; the logistic of a normal ability flattened by the
    probit approximation)."""
    known = facility if guess >= 1 else (facility - guess) / (1 - guess)
    known = min(0.97, max(0.03, known))
    spread = math.sqrt(1 + math.pi * (PRIOR_SD ** 2 + KP_SD ** 2) / 8)
    return PRIOR_MEAN - logit(known) * spread


def build_bank(course: Course, blueprint: ExamBlueprint,
               difficulty: Mapping[str, float] | None = None) -> Bank:
    """The course's questions weighted by the blueprint; `difficulty` overrides the author's level
    where answers have calibrated it (logit scale, see facility_difficulty)."""
    difficulty = difficulty or {}
    weight: dict[str, float] = {}
    parts = []
    for part in blueprint.parts:
        pools = {kp: tuple(q.id for q in course.by_knowledge_point[kp] if q.type == part.type and not q.beyond_source)
                 for kp in course.knowledge_points}
        pools = {kp: ids for kp, ids in pools.items() if ids}
        drawn = expected_draws({kp: len(ids) for kp, ids in pools.items()}, part.count)
        for kp, ids in pools.items():
            for qid in ids:
                weight[qid] = weight.get(qid, 0.0) + part.points * drawn[kp] / len(ids)
        parts.append((float(part.points), drawn, pools))
    items = []
    for q in course.questions:
        kind = question_type(q)
        items.append(Item(q.id, q.knowledge_point, q.type, kind.guess_rate(q),
                          difficulty.get(q.id, level_difficulty(q)), weight.get(q.id, 0.0),
                          TYPE_SECONDS.get(q.type, DEFAULT_SECONDS) / 60, q.beyond_source))
    total = float(blueprint.total_points)
    shares: dict[str, float] = {}
    for part in blueprint.parts:
        shares[part.type] = shares.get(part.type, 0.0) + part.count * part.points / total
    return Bank(tuple(items), {i.id: i for i in items}, tuple(parts), total,
                total * blueprint.pass_percent / 100, shares)


@dataclass(frozen=True)
class Abilities:
    """The student's ability per knowledge point (logit scale) with its variance."""

    general: float
    general_var: float
    offsets: Mapping[str, tuple[float, float]] = field(default_factory=dict)   # kp -> (offset, variance)
    answered: Mapping[str, int] = field(default_factory=dict)                  # kp -> first answers

    def of(self, kp: str) -> float:
        return self.general + self.offsets.get(kp, (0.0, 0.0))[0]

    def offset_var(self, kp: str) -> float:
        return self.offsets.get(kp, (0.0, KP_SD ** 2))[1]


def estimate(bank: Bank, answers: Mapping[str, Seen], rounds: int = 8) -> Abilities:
    """Posterior mode of the overall ability and each point's offset from the first answers
    (a fraction counts as that share of a right answer), by alternating Newton steps; the
    variances are the inverse curvature there."""
    by_kp: dict[str, list[tuple[float, float, float]]] = {}
    for qid, seen in answers.items():
        item = bank.by_id.get(qid)
        if item is not None:
            by_kp.setdefault(item.kp, []).append((item.guess, item.difficulty, seen.first_fraction))
    general = PRIOR_MEAN
    offsets = {kp: 0.0 for kp in by_kp}
    prior_g, prior_k = 1 / PRIOR_SD ** 2, 1 / KP_SD ** 2
    info_g, info_k = 0.0, {kp: 0.0 for kp in by_kp}
    for _ in range(rounds):
        # One pass over the answers per round: each point's offset and the overall ability take
        # their Newton steps from the same gradients (steps capped, so no round overshoots).
        grad_g, info_g, moved = 0.0, 0.0, 0.0
        for kp, obs in by_kp.items():
            grad, info = _score(general + offsets[kp], obs)
            step = max(-1.0, min(1.0, (grad - offsets[kp] * prior_k) / (info + prior_k)))
            offsets[kp] += step
            info_k[kp] = info
            grad_g += grad
            info_g += info
            moved = max(moved, abs(step))
        step = max(-1.0, min(1.0, (grad_g - (general - PRIOR_MEAN) * prior_g) / (info_g + prior_g)))
        general += step
        if max(moved, abs(step)) < 1e-3:
            break
    return Abilities(general, 1 / (info_g + prior_g),
                     {kp: (offsets[kp], 1 / (info_k[kp] + prior_k)) for kp in by_kp},
                     {kp: len(obs) for kp, obs in by_kp.items()})


def _score(ability: float, obs: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Gradient and Fisher information of the log-likelihood of a point's answers at `ability`."""
    grad = info = 0.0
    exp = math.exp
    for guess, difficulty, right in obs:
        x = ability - difficulty
        s = 1 / (1 + exp(-x)) if x > -30 else 0.0
        p = guess + (1 - guess) * s
        p = 1e-9 if p < 1e-9 else (1 - 1e-9 if p > 1 - 1e-9 else p)
        slope = (1 - guess) * s * (1 - s)
        q = p * (1 - p)
        grad += (right - p) / q * slope
        info += slope * slope / q
    return grad, info


def chance(item: Item, ability: float, memory: Memory | None, moment: datetime) -> tuple[float, float, float]:
    """(P(right), s, R) for one question at `moment`."""
    s = logistic(ability - item.difficulty)
    r = retrievability(memory, moment)
    return item.guess + (1 - item.guess) * (1 - (1 - s) * (1 - r)), s, r


@dataclass(frozen=True)
class Readiness:
    """The predicted mock exam score now: its mean, 80% range and the chance to pass."""

    expected: float
    low: float
    high: float
    sd: float
    pass_probability: float
    max_score: float
    pass_score: float

    @property
    def percent(self) -> float:
        return 100 * self.expected / self.max_score if self.max_score else 0.0


def readiness(bank: Bank, answers: Mapping[str, Seen], moment: datetime,
              abilities: Abilities | None = None,
              memories: Mapping[str, Memory | None] | None = None) -> Readiness:
    """The score the student would get on a mock exam drawn at `moment`. `memories` replaces
    cards (the time estimate's projection passes the cards practice would give)."""
    abilities = abilities or estimate(bank, answers)
    terms = {}
    for item in bank.items:
        if not item.weight:
            continue
        seen = answers.get(item.id)
        memory = memories[item.id] if memories is not None and item.id in memories else (seen.memory if seen else None)
        terms[item.id] = _terms(item, abilities.of(item.kp), memory, moment)
    return _combined(bank, abilities, terms)


Terms = tuple[float, float, float]     # one question's P(right), d(score)/d(ability), d(score)/d(memory)


def _terms(item: Item, ability: float, memory: Memory | None, moment: datetime) -> Terms:
    p_right, s, r = chance(item, ability, memory, moment)
    # how the expected score moves with the ability, and with the student's memory
    slope = item.weight * (1 - item.guess) * (1 - r) * s * (1 - s)
    d_memory = 0.0
    if memory is not None and r > 0:
        days = max(0.0, (moment - memory.last_review) / timedelta(days=1))
        x = FACTOR * days / memory.stability
        d_memory = item.weight * (1 - item.guess) * (1 - s) * (-DECAY) * x * (1 + x) ** (DECAY - 1)
    return p_right, slope, d_memory


def _combined(bank: Bank, abilities: Abilities, terms: Mapping[str, Terms]) -> Readiness:
    """The readiness from each weighted question's terms, given in the bank's order."""
    p: dict[str, float] = {}
    d_general = d_memory = 0.0
    d_kp: dict[str, float] = {}
    for qid, (p_right, slope, memory_slope) in terms.items():
        p[qid] = p_right
        d_general += slope
        kp = bank.by_id[qid].kp
        d_kp[kp] = d_kp.get(kp, 0.0) + slope
        d_memory += memory_slope
    expected = sum(bank.by_id[qid].weight * pr for qid, pr in p.items())
    draw_var = 0.0
    for points, drawn, pools in bank.parts:
        for kp, ids in pools.items():
            mean = sum(p[qid] for qid in ids) / len(ids)
            draw_var += drawn[kp] * points ** 2 * mean * (1 - mean)
    param_var = d_general ** 2 * abilities.general_var + sum(
        d ** 2 * abilities.offset_var(kp) for kp, d in d_kp.items()) + d_memory ** 2 * MEMORY_SD ** 2
    sd = math.sqrt(draw_var + param_var)
    # Marks come in whole points: passing means at least the pass mark, so the tail starts half
    # a point below it.
    probability = 1 - normal_cdf((bank.pass_score - 0.5 - expected) / sd) if sd > 0 else float(expected >= bank.pass_score)
    return Readiness(expected, max(0.0, expected - Z80 * sd), min(bank.max_score, expected + Z80 * sd), sd,
                     probability, bank.max_score, bank.pass_score)


def after_practice(item: Item, ability: float, memory: Memory | None, moment: datetime,
                   horizon: datetime) -> tuple[float, float, float, Memory | None, Memory | None]:
    """Practising a question now: (know at the horizon now, expected know at the horizon after,
    the chance of a right answer now, the card after a right answer, the card after a wrong one). Reviews the same day barely move
    FSRS's stability, so an answer less than 12 hours after the last review gains nothing."""
    s = logistic(ability - item.difficulty)
    r_now = retrievability(memory, moment)
    know_now = 1 - (1 - s) * (1 - retrievability(memory, horizon))
    w = FSRS_PARAMETERS
    if memory is None:
        right = Memory(w[2], 0.0, moment, moment)
        wrong = Memory(w[0], 0.0, moment, moment)
    elif moment - memory.last_review < timedelta(hours=12):
        return know_now, know_now, 1 - (1 - s) * (1 - r_now), memory, memory
    else:
        right = Memory(recall_stability(memory, r_now), memory.difficulty, moment, moment)
        wrong = Memory(forget_stability(memory, r_now), memory.difficulty, moment, moment)
    p_right = item.guess + (1 - item.guess) * (1 - (1 - s) * (1 - r_now))
    know_right = 1 - (1 - s) * (1 - retrievability(right, horizon))
    know_wrong = 1 - (1 - s) * (1 - retrievability(wrong, horizon))
    return know_now, p_right * know_right + (1 - p_right) * know_wrong, p_right, right, wrong


def gain(item: Item, ability: float, memory: Memory | None, moment: datetime, horizon: datetime) -> float:
    """Expected points a practice of this question adds to the exam score at the horizon."""
    if not item.weight:
        return 0.0
    before, after, _, _, _ = after_practice(item, ability, memory, moment, horizon)
    return item.weight * (1 - item.guess) * max(0.0, after - before)


def hours_to_pass(bank: Bank, answers: Mapping[str, Seen], moment: datetime, *,
                  target: float = PASS_TARGET, limit_hours: float = 20.0,
                  abilities: Abilities | None = None) -> float | None:
    """Practice time until the pass probability of an exam the next day reaches `target`, if the
    student practised the questions that gain most per minute (as 智能练习 chooses them) and each
    practice had its expected effect: 0 when already there, None beyond `limit_hours`. A
    projection of this model, which knows nothing of learning between questions (so it tends to
    err long) nor of spacing practice over days (so it may err short). `abilities`: the
    estimate from these answers, when the caller has it."""
    abilities = abilities or estimate(bank, answers)
    exam = moment + timedelta(days=1)
    # Each set of practice changes the terms of its ten questions only: the others' are worked
    # out once (the progress and home pages made up to 33 whole readiness sums here).
    terms = {item.id: _terms(item, abilities.of(item.kp), answers[item.id].memory if item.id in answers else None, exam)
             for item in bank.items if item.weight}
    if _combined(bank, abilities, terms).pass_probability >= target:
        return 0.0
    ranked = []
    for item in bank.items:
        if not item.weight:
            continue                # gain() is 0 for it
        seen = answers.get(item.id)
        memory = seen.memory if seen else None
        ability = abilities.of(item.kp)
        before, after, p_right, right, wrong = after_practice(item, ability, memory, moment, exam)
        value = item.weight * (1 - item.guess) * max(0.0, after - before)     # gain(), from the same call
        if value > 0:
            assert right is not None and wrong is not None
            # the card a practice leaves, in expectation over a right and a wrong answer
            expected = Memory(p_right * right.stability + (1 - p_right) * wrong.stability,
                              right.difficulty, moment, moment)
            ranked.append((value / item.minutes, item, expected, ability))
    ranked.sort(key=lambda entry: -entry[0])
    minutes = 0.0
    for start in range(0, len(ranked), 10):     # in sets of ten, as practice goes
        for _, item, memory, ability in ranked[start:start + 10]:
            terms[item.id] = _terms(item, ability, memory, exam)
            minutes += item.minutes
        if minutes > limit_hours * 60:
            return None
        if _combined(bank, abilities, terms).pass_probability >= target:
            return minutes / 60
    return None


def time_text(hours: float | None) -> str:
    """'约 2.5 小时', '约 40 分钟', '20 小时以上'."""
    if hours is None:
        return "20 小时以上"
    if hours < 1:
        return f"约 {max(5, round(hours * 60 / 5) * 5)} 分钟"
    return f"约 {round(hours * 2) / 2:g} 小时"


WEAK_BELOW = 0.5      # a point is weak where the student knows less than half of an average question
WEAK_EVIDENCE = 2     # ... judged from at least this many first answers on it


def is_weak(abilities: Abilities, kp: str) -> bool:
    return abilities.answered.get(kp, 0) >= WEAK_EVIDENCE and logistic(abilities.of(kp)) < WEAK_BELOW
