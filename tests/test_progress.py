"""The progress review page and the instructor reports, over seeded learner state."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from tutor.content.loader import load
from tutor.instructor.reports import item_analysis, pearson
from tutor.standing.mastery import QuestionState, mastery, readiness, weakest

from conftest import CONTENT, Clock, login, make_instructor
from seeding import answer, exam, student

NOW = datetime(2026, 11, 29, 2, 0)


def state(right: bool, retained: bool = False) -> QuestionState:
    return QuestionState(1, int(right), right, retained)


def test_mastery_levels_follow_the_documented_rule() -> None:
    assert mastery([], 20).name == "未练习"
    assert mastery([state(True)] * 7, 20).name == "入门"                         # 35% covered
    assert mastery([state(True)] * 6 + [state(False)] * 2, 20).name == "熟练"    # 40%, 75% right
    assert mastery([state(True)] * 5 + [state(False)] * 3, 20).name == "入门"    # 62% right
    assert mastery([state(True, True)] * 13 + [state(False)] + [state(True)], 20).name == "掌握"
    assert mastery([state(True)] * 14 + [state(False)], 20).name == "熟练"       # nothing retained yet
    m = mastery([state(True)] * 6 + [state(False)] * 2, 20)
    assert m.score == 30 and m.p_correct == pytest.approx(7 / 10)


def test_readiness_range_and_weakest() -> None:
    course = load(CONTENT).course("chapter8")
    blueprint = course.manifest.exams[0]
    unknown = {kp: mastery([], len(qs)) for kp, qs in course.by_knowledge_point.items()}
    r = readiness(unknown, blueprint)
    assert r.expected == pytest.approx(25.0) and r.low < 25 < r.high and r.max_score == 50 and r.pass_score == 30
    strong = {kp: mastery([state(True, True)] * len(qs), len(qs)) for kp, qs in course.by_knowledge_point.items()}
    assert readiness(strong, blueprint).low > 40
    strong["churn.causes"] = mastery([state(False)] * 5, 20)
    strong["survey.steps"] = mastery([state(True)] * 3, 20)
    assert weakest(strong) == ["churn.causes", "survey.steps"]


def test_pearson() -> None:
    assert pearson([(1, 10), (0, 5), (1, 9), (0, 4)]) == pytest.approx(5 / 26 ** 0.5)
    assert pearson([(1, 1), (1, 2)]) is None and pearson([(1, 1), (1, 2), (1, 3)]) is None


def test_progress_page_shows_mastery_activity_exams_and_history(app, client) -> None:
    clock = Clock(NOW)
    app.extensions["tutor_clock"] = clock
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    uid = student(app, "xiaohong")
    causes = course.by_knowledge_point["churn.causes"]
    for i, q in enumerate(causes[:10]):
        answer(app, uid, q.id, correct=i < 2, at=NOW - timedelta(days=3, minutes=i))
    for q in course.by_knowledge_point["survey.methods"][:12]:
        answer(app, uid, q.id, correct=True, at=NOW - timedelta(days=1))
    singles = [q.id for q in course.by_knowledge_point["segmentation.standards"] if q.type == "single"][:10]
    exam(app, uid, singles, right={0, 1, 2, 3}, started=NOW - timedelta(days=2))
    exam(app, uid, singles, right=set(range(8)), started=NOW - timedelta(hours=5))
    app.extensions["tutor_clock"] = clock
    login(client, "xiaohong")
    page = client.get("/progress/").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 3
    assert "各知识点掌握程度（0-100）" in page and "最近 30 天的答题量与正确率" in page and "模拟考试得分（%）" in page
    assert "及格线 60%" in page
    weakest_block = page.split("接下来练这几个")[1].split("</ul>")[0]
    assert "客户流失的原因" in weakest_block and "去练习" in weakest_block
    assert "模拟考试预估得分" in page
    assert "测试卷：4 / 10 分" in page and "测试卷：8 / 10 分" in page
    assert "共答题 42 次" in page                     # 22 practice + 20 exam answers in 30 days
    # the student's mistakes are counted per knowledge point
    assert page.count('<td class="num">8</td>') >= 1


def test_instructor_overview_heatmap_items_and_csv(app, client) -> None:
    app.extensions["tutor_clock"] = Clock(NOW)
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    singles = [q.id for q in course.questions if q.type == "single"][:5]
    # five students take the same 5-question paper; question 0 is answered right only by the
    # weakest students, so its discrimination is negative: the classic wrongly keyed item
    patterns = {"s1": {1, 2, 3, 4}, "s2": {1, 2, 3}, "s3": {0, 1, 2}, "s4": {0, 1}, "s5": {0}}
    for name, right in patterns.items():
        exam(app, student(app, name), singles, right, NOW - timedelta(days=1))
    idle = student(app, "idle")
    answer(app, idle, singles[0], True, NOW - timedelta(days=10))
    app.extensions["tutor_clock"] = Clock(NOW)
    make_instructor(app)
    login(client, "teacher")

    with app.app_context():
        stats = {s.question.id: s for s in item_analysis(course)}
    first = stats[singles[0]]
    assert first.attempts == 6 and first.papers == 5
    assert first.facility == pytest.approx(4 / 6)
    assert first.discrimination < 0 and "negative" in first.flags
    assert stats[singles[1]].discrimination > 0
    key = ord(course.by_id[singles[0]].answer) - 65
    assert first.option_counts[key] == 4 and sum(first.option_counts) == 6

    overview = client.get("/instructor/?sort=best_exam&dir=desc").get_data(as_text=True)
    names = [n for n in ("s1", "s2", "s3", "s4", "s5") if n in overview]
    assert names == ["s1", "s2", "s3", "s4", "s5"]
    assert overview.index(">s1<") < overview.index(">s5<")
    assert "⚠ 7 天未学习" in overview and "⚠ 最近一次考试不及格" in overview
    heat = client.get("/instructor/heatmap").get_data(as_text=True)
    assert heat.count('<td class="l') == 6 * 13 and "/progress/" in heat
    items = client.get("/instructor/items?flag=negative").get_data(as_text=True)
    assert "区分度为负：请检查答案" in items and "content/chapter8/questions/" in items

    response = client.get("/instructor/students.csv")
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("学生,最近学习（北京时间）,答题数") and "s1" in text
    items_csv = client.get("/instructor/items.csv").data.decode("utf-8-sig")
    assert singles[0] in items_csv and "区分度为负" in items_csv
    preview = client.get(f"/instructor/questions/chapter8/{singles[0]}").get_data(as_text=True)
    assert "答案" in preview and "解析" in preview
    kp_preview = client.get("/instructor/content/chapter8/survey.methods").get_data(as_text=True)
    assert kp_preview.count('class="card question preview"') == len(course.by_knowledge_point["survey.methods"])


def test_class_reports_agree_with_each_students_own_answers(app) -> None:
    """The class overview's per-point sums and item analysis's option counts, made in SQL over
    everyone, against each student's progress and the stored answers read one by one."""
    from collections import Counter

    from sqlalchemy import select

    from tutor.extensions import db
    from tutor.instructor.reports import class_overview
    from tutor.models import Attempt
    from tutor.standing.stats import course_progress, summaries

    course = app.extensions["tutor_content"].catalog.course("chapter8")
    rng = random.Random(8)
    ids = [q.id for q in course.questions if q.type in ("single", "multiple", "truefalse")]
    for name in ("s1", "s2", "s3"):
        user = student(app, name)
        for qid in rng.sample(ids, 60):
            for days_ago in range(rng.randint(1, 3), 0, -1):
                answer(app, user, qid, rng.random() < 0.75, NOW - timedelta(days=days_ago))
    with app.app_context():
        overview = class_overview(course, NOW)
        retained = 0
        for row in overview.rows:
            own = course_progress(summaries(row.user.id, course.id), course, NOW)
            assert row.mastery == own.mastery, row.user.username
            assert (row.answered, row.correct) == (own.total.attempts, own.total.correct)
            retained += sum(m.retained for m in row.mastery.values())
        assert retained > 0

        chosen: dict[str, Counter] = {}
        seen: set[tuple[int, str]] = set()
        for user_id, qid, response in db.session.execute(
                select(Attempt.user_id, Attempt.question_id, Attempt.response).order_by(Attempt.id)):
            if (user_id, qid) not in seen and course.by_id[qid].type in ("single", "multiple"):
                seen.add((user_id, qid))
                chosen.setdefault(qid, Counter()).update([response] if isinstance(response, str) else response)
        for item in item_analysis(course):
            if item.question.type in ("single", "multiple"):
                expected = chosen.get(item.question.id, Counter())
                assert item.option_counts == [expected[chr(65 + i)] for i in range(len(item.question.options))]
        assert any(item.question.type == "multiple" and sum(item.option_counts) > item.attempts
                   for item in item_analysis(course))


def test_students_see_only_their_own(app, client) -> None:
    app.extensions["tutor_clock"] = Clock(NOW)
    a = student(app, "alice")
    answer(app, a, "survey.methods-01", True, NOW)
    b = student(app, "bob")
    login(client, "bob")
    assert client.get(f"/progress/{a}").status_code == 403
    for path in ("/instructor/", "/instructor/heatmap", "/instructor/items", "/instructor/students.csv",
                 "/instructor/items.csv", "/instructor/questions/chapter8/survey.methods-01",
                 "/instructor/content/chapter8/survey.methods"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/progress/{b}").status_code == 200


def test_class_reports_are_reused_for_a_minute(app, client) -> None:
    app.config["TUTOR_REPORT_CACHE_SECONDS"] = 60
    app.extensions["tutor_clock"] = Clock(NOW)
    make_instructor(app)
    login(client, "teacher")
    first = client.get("/instructor/").get_data(as_text=True)
    student(app, "latecomer")
    assert "latecomer" not in client.get("/instructor/").get_data(as_text=True)   # the cached report
    app.config["TUTOR_REPORT_CACHE_SECONDS"] = 0
    assert "latecomer" in client.get("/instructor/").get_data(as_text=True)
    assert "数据截至 11月29日 10:00:00（北京时间）" in first


def test_an_ageing_class_report_is_served_while_its_successor_is_made(app, client) -> None:
    app.config["TUTOR_REPORT_CACHE_SECONDS"] = 60
    clock = Clock(NOW)
    app.extensions["tutor_clock"] = clock
    refreshes = app.extensions["tutor_reports"]
    make_instructor(app)
    login(client, "teacher")

    def overview() -> str:
        return client.get("/instructor/").get_data(as_text=True)

    assert "数据截至 11月29日 10:00:00（北京时间）" in overview()
    student(app, "latecomer")
    clock.advance(seconds=29)
    page = overview()
    refreshes.wait()
    assert "latecomer" not in page and "latecomer" not in overview()     # young: no refresh
    clock.advance(seconds=2)
    page = overview()                     # past half its age: served at once, refreshed behind
    assert "latecomer" not in page and "数据截至 11月29日 10:00:00（北京时间）" in page
    refreshes.wait()
    page = overview()
    assert "latecomer" in page and "数据截至 11月29日 10:00:31（北京时间）" in page
    student(app, "second")
    clock.advance(seconds=60)             # a quiet minute: never served older than that
    page = overview()
    assert "second" in page and "数据截至 11月29日 10:01:31（北京时间）" in page
