"""智能练习 and readiness (tutor/adaptive, docs/adaptive.md): the chooser's rules with a seeded
random source, the readiness model, a smoke run of the learner simulator, and the pages."""
from __future__ import annotations

import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from conftest import answer_current, register, start_mode
from tutor.adaptive import chooser as ch
from tutor.adaptive.chooser import Reason, choose, explain
from tutor.adaptive.model import (FSRS_PARAMETERS, Memory, Seen, build_bank, estimate, expected_draws,
                                  facility_difficulty, hours_to_pass, readiness, retrievability, time_text)
from tutor.content.loader import load
from tutor.exam.paper import draw

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 8, 0)
COURSE = load(ROOT / "content").course("chapter8")
BLUEPRINT = COURSE.manifest.exams[0]
BANK = build_bank(COURSE, BLUEPRINT)
EXAM_TYPES = {part.type for part in BLUEPRINT.parts}


def fresh(days_ago: float, stability: float = 10.0, due_in: float = 7.0) -> Memory:
    """A card last reviewed `days_ago` days before NOW."""
    return Memory(stability, 5.0, NOW - timedelta(days=days_ago), NOW + timedelta(days=due_in))


def questions(kp: str, qtype: str | None = None) -> list[str]:
    return [q.id for q in COURSE.by_knowledge_point[kp]
            if not q.beyond_source and (qtype is None or q.type == qtype)]


# --- The bank: weights by the blueprint -------------------------------------------------------

def test_weights_follow_the_blueprint_share() -> None:
    assert sum(i.weight for i in BANK.items) == pytest.approx(BLUEPRINT.total_points)
    for part in BLUEPRINT.parts:
        assert sum(i.weight for i in BANK.items if i.type == part.type) == pytest.approx(part.count * part.points)
    for item in BANK.items:
        if item.beyond_source or item.type not in EXAM_TYPES:
            assert item.weight == 0, item.id
    # a 多选 is worth 2 points on a paper: each carries more weight than a 判断 of a like pool
    multiple = [i.weight for i in BANK.items if i.type == "multiple" and i.weight]
    truefalse = [i.weight for i in BANK.items if i.type == "truefalse" and i.weight]
    assert min(multiple) > max(truefalse)
    assert BANK.type_share == pytest.approx({"single": 0.4, "multiple": 0.4, "truefalse": 0.2})


def test_expected_draws_match_the_real_draw() -> None:
    assert expected_draws({"a": 5, "b": 1, "c": 3}, 6) == pytest.approx({"a": 2.5, "b": 1, "c": 2.5})
    assert sum(expected_draws({"a": 1, "b": 1}, 5).values()) == 2      # the pools run out
    rng = random.Random(3)
    counts: Counter[str] = Counter()
    papers = 1500
    for _ in range(papers):
        counts.update(item["question_id"] for item in draw(COURSE, BLUEPRINT, rng))
    for item in BANK.items:
        points = next((p.points for p in BLUEPRINT.parts if p.type == item.type), 0)
        if item.weight:
            observed = counts[item.id] / papers
            assert observed == pytest.approx(item.weight / points, abs=0.06), item.id
        else:
            assert counts[item.id] == 0


# --- The chooser --------------------------------------------------------------------------------

def test_a_new_student_gets_exam_questions_and_the_same_seed_the_same_set() -> None:
    first = choose(BANK, {}, [], NOW, random.Random(1))
    again = choose(BANK, {}, [], NOW, random.Random(1))
    other = choose(BANK, {}, [], NOW, random.Random(2))
    assert [p.question_id for p in first] == [p.question_id for p in again]
    assert [p.question_id for p in first] != [p.question_id for p in other]
    assert len(first) == ch.SET_SIZE and len({p.question_id for p in first}) == ch.SET_SIZE
    for pick in first:
        q = COURSE.by_id[pick.question_id]
        assert q.type in EXAM_TYPES and not q.beyond_source
        assert pick.value > 0
        assert pick.reason.kind == "new" and pick.reason.text().startswith("考试常考 · ")
    # spread over the chapter: no point more than twice in one set
    assert max(Counter(COURSE.by_id[p.question_id].knowledge_point for p in first).values()) <= 2


def test_weak_points_come_first() -> None:
    weak, strong = "churn.causes", "survey.steps"
    answers = {}
    for qid in questions(weak, "single")[:4]:
        answers[qid] = Seen(0.0, fresh(2, stability=0.3, due_in=-1), NOW - timedelta(days=2), False)
    for qid in questions(strong, "single")[:4]:
        answers[qid] = Seen(1.0, fresh(2), NOW - timedelta(days=2), True)
    abilities = estimate(BANK, answers)
    assert abilities.of(weak) < abilities.of(strong)
    picked = Counter(COURSE.by_id[p.question_id].knowledge_point
                     for seed in range(5) for p in choose(BANK, answers, [], NOW, random.Random(seed)))
    assert picked[weak] > picked[strong]
    reasons = [p.reason for p in choose(BANK, answers, [], NOW, random.Random(0))
               if COURSE.by_id[p.question_id].knowledge_point == weak]
    assert reasons and all(r.weak for r in reasons)
    assert any(r.text().startswith(("薄弱点", "到期复习 · 薄弱点")) for r in reasons)


def test_the_most_forgotten_question_comes_before_one_just_secured() -> None:
    # two questions of one point, alike but for memory: one learnt long ago on a weak card
    # (nearly forgotten), one reviewed yesterday with a long stability
    a, b = questions("survey.content", "multiple")[:2]
    answers = {a: Seen(1.0, fresh(30, stability=3.0, due_in=-27), NOW - timedelta(days=30), True),
               b: Seen(1.0, fresh(1, stability=60.0, due_in=50), NOW - timedelta(days=1), True)}
    for seed in range(5):
        ranked = {p.question_id: p for p in choose(BANK, answers, [], NOW, random.Random(seed), size=60)}
        assert a in ranked
        assert b not in ranked or ranked[a].value > ranked[b].value


def test_never_repeats_a_question_answered_lately() -> None:
    recent_ids = [q.id for q in COURSE.questions if q.type == "multiple"][:ch.RECENT_ANSWERS]
    old_recent = [q.id for q in COURSE.questions if q.type == "multiple"][ch.RECENT_ANSWERS:ch.RECENT_ANSWERS + 5]
    # answered wrong two hours ago, in this sitting: the answer count keeps them out
    answers = {qid: Seen(0.0, Memory(0.2, 7.0, NOW - timedelta(hours=2), NOW - timedelta(hours=1)),
                         NOW - timedelta(hours=2), False) for qid in recent_ids}
    # answered wrong ten minutes ago, not among the recent list: still left out (minutes)
    answers |= {qid: Seen(0.0, Memory(0.2, 7.0, NOW - timedelta(minutes=10), NOW - timedelta(minutes=9)),
                          NOW - timedelta(minutes=10), False) for qid in old_recent}
    for seed in range(5):
        chosen = [p.question_id for p in choose(BANK, answers, recent_ids, NOW, random.Random(seed), size=40)]
        assert len(chosen) == len(set(chosen))
        assert not set(chosen) & set(recent_ids)
        assert not set(chosen) & set(old_recent)
    # a question on a running exam is never chosen
    banned = {p.question_id for p in choose(BANK, {}, [], NOW, random.Random(0))}
    again = {p.question_id for p in choose(BANK, {}, [], NOW, random.Random(0), exclude=banned)}
    assert not banned & again


def test_types_interleave() -> None:
    for seed in range(10):
        types = [COURSE.by_id[p.question_id].type for p in choose(BANK, {}, [], NOW, random.Random(seed))]
        assert len(set(types)) >= 2
        runs = [len(list(run)) for _, run in __import__("itertools").groupby(types)]
        assert max(runs) <= ch.MAX_RUN, types


def test_due_reviews_are_brought_in() -> None:
    # eight questions learnt days ago and due now, on points the student is good at: their gain
    # alone would not make the set, the due share does
    due = [qid for kp in ("overview.definition", "overview.principles") for qid in questions(kp, "truefalse")[:4]]
    answers = {qid: Seen(1.0, fresh(6, stability=8.0, due_in=-1), NOW - timedelta(days=6), True) for qid in due}
    for seed in range(5):
        picks = choose(BANK, answers, [], NOW, random.Random(seed))
        reviews = [p for p in picks if p.question_id in due]
        assert len(reviews) >= ch.SET_SIZE // ch.DUE_SHARE
        assert all(p.reason.kind == "due" and p.reason.text().startswith("到期复习") for p in reviews)
    # a card due again minutes after its first answer (FSRS's learning steps) is no spaced review
    step = {due[0]: Seen(1.0, Memory(2.3, 5.0, NOW - timedelta(hours=1), NOW - timedelta(minutes=50)),
                         NOW - timedelta(hours=1), True)}
    assert not ch.is_due(step[due[0]], NOW)


def test_questions_beyond_the_textbook_are_never_chosen_for_the_exam_score() -> None:
    beyond = {q.id for q in COURSE.questions if q.beyond_source}
    assert beyond
    for seed in range(5):
        assert not {p.question_id for p in choose(BANK, {}, [], NOW, random.Random(seed), size=200)} & beyond
    # once everything of value was answered just now, the set is filled: exam questions the
    # student is least sure of first, other types next, questions beyond the textbook last
    just_now = {i.id: Seen(1.0, Memory(2.3, 5.0, NOW - timedelta(hours=1), NOW + timedelta(days=2)),
                           NOW - timedelta(hours=1), True) for i in BANK.items if i.weight}
    filled = choose(BANK, just_now, [], NOW, random.Random(0), size=len(BANK.items))
    kinds = [(COURSE.by_id[p.question_id].beyond_source, not BANK.by_id[p.question_id].weight) for p in filled]
    assert kinds == sorted(kinds)
    assert all(p.value == 0 for p in filled)
    extra = next(p for p in filled if COURSE.by_id[p.question_id].beyond_source)
    assert extra.reason.text() == "拓展练习（不在模拟考试范围内）"


def test_reason_texts() -> None:
    assert Reason("due").text() == "到期复习"
    assert Reason("forgetting", weak=True, days=3).text() == "薄弱点 · 约 3 天后会遗忘"
    assert Reason("new", type="multiple", common=True).text() == "考试常考 · 多选题"
    assert Reason("new", weak=True, type="single").text() == "薄弱点 · 单选题"
    item = BANK.by_id[questions("churn.causes", "single")[0]]
    seen = Seen(1.0, fresh(1, stability=10.0, due_in=2.5), NOW - timedelta(days=1), True)
    assert explain(BANK, item, seen, estimate(BANK, {}), NOW).text() == "约 3 天后会遗忘"


# --- The readiness model --------------------------------------------------------------------------

def test_the_model_uses_the_apps_scheduler_and_thresholds() -> None:
    from fsrs import Card, Rating
    from tutor.adaptive import state
    from tutor.instructor.calibration import MIN_ATTEMPTS
    from tutor.learning import SCHEDULER, aware_utc, naive_utc
    assert tuple(SCHEDULER.parameters) == FSRS_PARAMETERS
    assert state.MIN_ATTEMPTS == MIN_ATTEMPTS
    card, _ = SCHEDULER.review_card(Card(card_id=1, due=aware_utc(NOW)), Rating.Good, aware_utc(NOW))
    card, _ = SCHEDULER.review_card(card, Rating.Good, aware_utc(NOW + timedelta(days=1)))
    memory = Memory(card.stability, card.difficulty, naive_utc(card.last_review), naive_utc(card.due))
    later = NOW + timedelta(days=6)
    assert retrievability(memory, later) == pytest.approx(SCHEDULER.get_card_retrievability(card, aware_utc(later)))


def test_ability_rises_with_right_first_answers_and_its_doubt_shrinks() -> None:
    ids = questions("survey.methods", "single")
    few = {qid: Seen(1.0, None) for qid in ids[:2]}
    many = {qid: Seen(1.0, None) for qid in ids[:8]}
    wrong = {qid: Seen(0.0, None) for qid in ids[:8]}
    prior = estimate(BANK, {})
    assert estimate(BANK, many).of("survey.methods") > estimate(BANK, few).of("survey.methods") > prior.of("survey.methods")
    assert estimate(BANK, wrong).of("survey.methods") < prior.of("survey.methods")
    assert estimate(BANK, many).offset_var("survey.methods") < estimate(BANK, few).offset_var("survey.methods")
    # what a point shows moves the others a little (the overall ability), its own most
    assert 0 < estimate(BANK, many).of("churn.causes") - prior.of("churn.causes") < \
        estimate(BANK, many).of("survey.methods") - prior.of("survey.methods")
    assert facility_difficulty(0.9, 0.25) < facility_difficulty(0.5, 0.25) < facility_difficulty(0.3, 0.0)


def test_readiness_range_pass_chance_and_time() -> None:
    new = readiness(BANK, {}, NOW)
    assert 0 < new.low < new.expected < new.high < new.max_score == 50
    assert new.pass_score == 30
    assert 0.02 < new.pass_probability < 0.6
    # every exam question learnt yesterday and remembered: near certain to pass
    known = {i.id: Seen(1.0, fresh(1, stability=30.0), NOW - timedelta(days=1), True) for i in BANK.items if i.weight}
    ready = readiness(BANK, known, NOW)
    assert ready.expected > 45 and ready.pass_probability > 0.99
    assert hours_to_pass(BANK, known, NOW) == 0
    # every first answer wrong (and no memory of them kept): below the new student
    lost = {i.id: Seen(0.0, None, NOW - timedelta(days=60), False) for i in BANK.items if i.weight}
    assert readiness(BANK, lost, NOW).expected < new.expected
    # the time estimate shrinks as the student learns
    some = dict(list(known.items())[:3])
    assert 0 < hours_to_pass(BANK, some, NOW) < hours_to_pass(BANK, {}, NOW)
    assert time_text(2.4) == "约 2.5 小时" and time_text(0.3) == "约 20 分钟" and time_text(None) == "20 小时以上"


def test_more_practice_is_more_readiness() -> None:
    """Every answer moves the estimate: a right first answer up, a wrong one down."""
    qid = questions("churn.handling", "multiple")[0]
    base = readiness(BANK, {}, NOW).expected
    right = readiness(BANK, {qid: Seen(1.0, fresh(0.01, stability=2.3))}, NOW).expected
    wrong = readiness(BANK, {qid: Seen(0.0, fresh(0.01, stability=0.2))}, NOW).expected
    assert wrong < base < right


# --- The simulator ------------------------------------------------------------------------------

def test_simulator_smoke() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import simulate
    outcomes = simulate.simulate(4, [30, 60])
    assert {o.strategy for o in outcomes} == set(simulate.STRATEGIES)
    assert len(outcomes) == 4 * 2 * len(simulate.STRATEGIES)
    for o in outcomes:
        assert 0 <= o.score <= 50 and 0 <= o.predicted.pass_probability <= 1
    table = simulate.proof_table(outcomes, 30, 50)
    assert table.count("\n") == 1 + len(simulate.STRATEGIES) and "| adaptive |" in table
    calibration, inside, _ = simulate.calibration(outcomes, 30)
    assert "predicted pass probability" in calibration and 0 <= inside <= 1
    assert simulate.main(["--students", "2", "--budgets", "30", "--strategies", "random,adaptive"]) == 0


# --- The pages ----------------------------------------------------------------------------------

def _forecast(page: str) -> tuple[int, int]:
    found = re.search(r"模拟考试预测 <strong>(\d+)</strong>.*?data-pass-chance>(\d+)%", page, re.S)
    assert found, page
    return int(found.group(1)), int(found.group(2))


def test_adaptive_practice_on_the_pages(app, client, clock, seeded_random) -> None:
    register(client)
    home = client.get("/").get_data(as_text=True)
    assert "开始智能练习" in home and 'value="adaptive"' in home
    assert "按现在的进度，还需" in home
    before = _forecast(home)
    response = start_mode(client, "adaptive")
    assert response.status_code == 302
    set_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert "为什么选这题" in page and "考试常考 · " in page
    assert "智能练习" in page
    # starting again before answering returns the same set
    assert start_mode(client, "adaptive").headers["Location"].endswith(f"/practice/{set_id}")
    for _ in range(10):
        _, q, answered = answer_current(app, client, set_id, True)
        assert answered.status_code == 302
        assert q.type in EXAM_TYPES and not q.beyond_source
        clock.advance(seconds=40)
    assert client.get(f"/practice/{set_id}").status_code == 302     # finished: the summary
    after = _forecast(client.get("/").get_data(as_text=True))
    assert after[0] > before[0] and after[1] > before[1]
    # the next set re-plans: none of the ten just answered, and the readiness on 我的进度 too
    second = int(start_mode(client, "adaptive").headers["Location"].rsplit("/", 1)[1])
    assert second != set_id
    with app.app_context():
        from tutor.extensions import db
        from tutor.models import PracticeSet
        first_ids = set(db.session.get(PracticeSet, set_id).question_ids)
        assert not first_ids & set(db.session.get(PracticeSet, second).question_ids)
    progress = client.get("/progress/").get_data(as_text=True)
    assert "模拟考试预估得分" in progress and "及格把握" in progress


def test_reason_after_wrong_answers_days_later(app, client, clock, seeded_random) -> None:
    """Wrong answers make a weak point; days later its questions come back as due reviews."""
    register(client)
    set_id = int(start_mode(client, "adaptive").headers["Location"].rsplit("/", 1)[1])
    for _ in range(10):
        answer_current(app, client, set_id, False)
        clock.advance(seconds=30)
    clock.advance(days=4)
    second = int(start_mode(client, "adaptive").headers["Location"].rsplit("/", 1)[1])
    shown = []
    for _ in range(10):
        page = client.get(f"/practice/{second}").get_data(as_text=True)
        shown.append(re.search(r'data-why><span class="muted">为什么选这题：</span>(.*?)</p>', page).group(1))
        answer_current(app, client, second, True)
    assert sum(why.startswith("到期复习") for why in shown) >= 3, shown
    assert any("薄弱点" in why for why in shown), shown


def test_an_anonymous_visitor_sees_no_forecast(client) -> None:
    home = client.get("/").get_data(as_text=True)
    assert "开始智能练习" not in home and "data-forecast" not in home


def test_the_model_reads_each_stored_card_as_fsrs_does(app, client, clock, seeded_random) -> None:
    """state.answers takes four numbers out of each card's JSON in SQL instead of parsing it into
    an fsrs.Card: on a real database, after right and wrong answers over days, each memory must
    be what fsrs itself reads of the stored card."""
    from fsrs import Card

    from tutor.adaptive import state
    from tutor.extensions import db
    from tutor.learning import naive_utc
    from tutor.models import ReviewCard, User
    register(client)
    for right in (True, False, True):
        set_id = int(start_mode(client, "random").headers["Location"].rsplit("/", 1)[1])
        for _ in range(5):
            answer_current(app, client, set_id, right)
            clock.advance(hours=7)
        clock.advance(days=2)
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    with app.app_context():
        user_id = db.session.scalar(sqlalchemy.select(User.id).where(User.username == "xiaoming"))
        seen, _ = state.answers(user_id, course)
        cards = {row.question_id: Card.from_dict(row.card) for row in db.session.scalars(
            sqlalchemy.select(ReviewCard).where(ReviewCard.user_id == user_id))}
    assert len(cards) >= 10 and set(cards) == set(seen)
    for qid, card in cards.items():
        assert seen[qid].memory == Memory(card.stability, card.difficulty, naive_utc(card.last_review),
                                          naive_utc(card.due)), qid
