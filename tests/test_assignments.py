"""作业 (issue 18 item 3-4): teachers set work for a class, students do it under rules the server
enforces (open and due times, tries, when answers show, late work), and the teacher reads a
report. Through the real app, database and content tree."""
from __future__ import annotations

import csv
import io
import random
import re

import pytest
from sqlalchemy import func, select

from conftest import answer_form, current_delivery, login, make_class, make_user
from tutor.content.loader import load
from tutor.coursework import rules, selection
from tutor.extensions import db
from tutor.models import Assignment, Attempt, Submission

# The clock fixture starts at 2026-11-29 02:00 UTC, 10:00 in Shanghai.
OPENS, DUE = "2026-11-29T09:00", "2026-11-30T22:00"      # wall-clock, Asia/Shanghai


def client_as(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


@pytest.fixture
def school(app, clock):
    """owner teaches 1班 (alice, amy; helper assists); outsider teaches 2班 (bob)."""
    for name in ("alice", "amy", "bob"):
        make_user(app, name, "student")
    for name in ("owner", "helper", "outsider"):
        make_user(app, name, "instructor")
    first, _ = make_class(app, "owner", "1班", students=("alice", "amy"), assistants=("helper",))
    second, _ = make_class(app, "outsider", "2班", students=("bob",))
    return {"first": first, "second": second, "clock": clock}


def assign(client, class_id: int, **fields) -> int:
    """Preview, then confirm, as the form does; returns the new assignment's id."""
    form = {"title": "课后练习", "kind": "practice", "how": "pick", "opens_at": OPENS, "due_at": DUE,
            "attempts": "1", "show_answers": "each", "late_policy": "refuse", "count": "5", **fields}
    preview = client.post(f"/assignments/class/{class_id}/new", data={**form, "action": "preview"})
    assert preview.status_code == 200 and "确认布置" in preview.text, preview.text
    chosen = re.findall(r'name="qid" value="([^"]+)"', preview.text.split("确认布置")[0])
    created = client.post(f"/assignments/class/{class_id}/new",
                          data={**form, "how": "pick" if form["kind"] == "practice" else form["how"],
                                "qid": chosen or form.get("qid", []), "action": "create"})
    assert created.status_code == 302, created.text
    return int(re.search(r"/assignments/(\d+)/report", created.headers["Location"]).group(1))


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def do_practice(app, client, assignment_id: int, right: int) -> int:
    """Start the practice assignment and answer every question, the first `right` correctly."""
    started = client.post(f"/assignments/{assignment_id}/start")
    assert started.status_code == 302, started.text
    set_id = int(re.search(r"/practice/(\d+)", started.headers["Location"]).group(1))
    n = 0
    while True:
        page = client.get(f"/practice/{set_id}")
        if page.status_code == 302:
            break
        delivery = current_delivery(app, set_id)
        q = course(app).by_id[delivery.question_id]
        answered = client.post(f"/practice/{set_id}/answer",
                               data={"delivery": delivery.id, **answer_form(q, delivery.layout, n < right)})
        assert answered.status_code == 302
        n += 1
    return set_id


QIDS = ["survey.methods-01", "survey.methods-02", "overview.principles-01"]


def test_the_filter_draws_the_count_spread_over_points_in_bank_order() -> None:
    from pathlib import Path
    chapter = load(Path(__file__).parent.parent / "content").course("chapter8")
    filters = selection.Filters(frozenset({"survey.methods", "overview.principles"}), frozenset({"single"}))
    pool = selection.matching(chapter, filters)
    assert pool and all(q.type == "single" and q.knowledge_point in filters.knowledge_points for q in pool)
    drawn = selection.draw(chapter, filters, 6, random.Random(1))
    assert len(drawn) == 6 == len(set(drawn))
    points = [chapter.by_id[q].knowledge_point for q in drawn]
    assert points.count("survey.methods") == 3 == points.count("overview.principles")   # spread evenly
    order = [q.id for q in selection.bank_order(chapter)]
    assert drawn == sorted(drawn, key=order.index)
    assert selection.draw(chapter, filters, 500, random.Random(1)) == [q.id for q in pool]    # never more than there are
    assert selection.picked(chapter, ["nope", QIDS[2], QIDS[0], QIDS[0]]) == [QIDS[2], QIDS[0]]


def test_a_teacher_assigns_a_practice_set_and_students_do_it(app, school) -> None:
    owner = client_as(app, "owner")
    form = owner.get(f"/assignments/class/{school['first']}/new")
    assert form.status_code == 200 and "按条件抽题" in form.text and "从题库手动选题" in form.text
    assignment_id = assign(owner, school["first"], qid=QIDS)
    with app.app_context():
        a = db.session.get(Assignment, assignment_id)
        assert a.question_ids == selection.picked(course(app), QIDS)
        # the wall-clock times were read in Shanghai: 22:00 there is 14:00 UTC
        assert (a.due_at.hour, a.due_at.day, a.opens_at.hour) == (14, 30, 1)
    alice = client_as(app, "alice")
    home = alice.get("/")
    assert "课后练习" in home.text and "未开始" in home.text
    page = alice.get(f"/assignments/{assignment_id}")
    assert "开始作业" in page.text and "11月30日 22:00" in page.text
    set_id = do_practice(app, alice, assignment_id, right=2)
    with app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.assignment_id == assignment_id))
        assert sub.set_id == set_id and sub.submitted_at is not None and not sub.late
        assert sub.score == 2.0 and sub.max_score == 3.0
    page = alice.get(f"/assignments/{assignment_id}")
    assert "已完成" in page.text and "得分 <strong>2/3</strong>" in page.text and "开始作业" not in page.text
    # one try allowed: a second start is refused, on the server
    again = alice.post(f"/assignments/{assignment_id}/start")
    assert again.status_code == 302 and "/assignments/" in again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    # the report
    report = owner.get(f"/assignments/{assignment_id}/report")
    assert report.status_code == 200
    assert "1</strong>/2 <span>已完成" in report.text
    assert 'readonly>amy</textarea>' in report.text            # who has not started, to copy
    assert "67%" in report.text                                 # alice's 2 of 3
    found = owner.get(f"/assignments/{assignment_id}/report?q=ALI")        # 学号, any case
    rows = found.text.split("<h2 id=\"subs-h\">", 1)[1]
    assert "alice" in rows and "amy" not in rows
    assert "没有找到" in owner.get(f"/assignments/{assignment_id}/report?q=%25_").text
    csv_rows = list(csv.reader(io.StringIO(owner.get(f"/assignments/{assignment_id}/report.csv").data.decode("utf-8-sig"))))
    assert csv_rows[0][:3] == ["学号", "姓名", "状态"]
    assert {r[0]: r[2] for r in csv_rows[1:]} == {"alice": "已完成", "amy": "未开始"}


def test_the_report_counts_first_tries_per_question_and_the_histogram(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS, attempts="0")
    do_practice(app, client_as(app, "alice"), assignment_id, right=3)
    amy = client_as(app, "amy")
    do_practice(app, amy, assignment_id, right=0)
    do_practice(app, amy, assignment_id, right=3)      # a second try: the best counts, not for facility
    from tutor.coursework import report
    with app.test_request_context():
        a = db.session.get(Assignment, assignment_id)
        built = report.build(a, school["clock"].now)
        assert built.submitted == 2 and built.histogram[-1] == 2 and sum(built.histogram) == 2
        assert [line.answered for line in built.questions] == [2, 2, 2]
        assert [line.right for line in built.questions] == [1, 1, 1]
        assert [s.percent for s in built.students] == [100.0, 100.0]
        assert [len(s.tries) for s in built.students] == [1, 2]


def test_answers_wait_for_the_due_time_when_the_teacher_says_so(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS, show_answers="after_due")
    alice = client_as(app, "alice")
    set_id = do_practice(app, alice, assignment_id, right=1)
    feedback = alice.get(f"/practice/{set_id}/0")
    assert "答案已记录" in feedback.text and "回答正确" not in feedback.text and "回答错误" not in feedback.text
    summary = alice.get(f"/practice/{set_id}/summary")
    assert "作业已提交" in summary.text and "答对" not in summary.text.split("作业已提交")[1].split("返回作业")[0]
    assert "得分和答案在截止时间后公布" in alice.get(f"/assignments/{assignment_id}").text
    # the same question practised elsewhere shows no key either, until the due time
    study = alice.post("/practice/start", data={"course": "chapter8", "mode": "study", "scope": "kp",
                                                "id": "survey.methods"})
    study_page = alice.get(study.headers["Location"])
    assert "交卷后可查看" in study_page.text or "考试进行中" in study_page.text
    # bob, in another class, is not affected
    bob = client_as(app, "bob")
    bob_study = bob.post("/practice/start", data={"course": "chapter8", "mode": "study", "scope": "kp",
                                                  "id": "survey.methods"})
    assert "考试进行中" not in bob.get(bob_study.headers["Location"]).text
    # after the due time everything shows
    school["clock"].advance(days=2)
    feedback = alice.get(f"/practice/{set_id}/0")
    assert "回答正确" in feedback.text or "回答错误" in feedback.text
    assert "得分 <strong>1/3</strong>" in alice.get(f"/assignments/{assignment_id}").text


def test_the_deadline_is_kept_on_the_server(app, school) -> None:
    owner = client_as(app, "owner")
    refused = assign(owner, school["first"], qid=QIDS, title="截止后拒收")
    alice = client_as(app, "alice")
    started = alice.post(f"/assignments/{refused}/start")
    set_id = int(re.search(r"/practice/(\d+)", started.headers["Location"]).group(1))
    school["clock"].advance(days=2)               # past 11-30 22:00 Shanghai
    alice.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = course(app).by_id[delivery.question_id]
    late = alice.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    assert late.status_code == 409 and "作业已截止" in late.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert "已逾期" in alice.get(f"/assignments/{refused}").text
    # amy never started: starting now is refused too
    amy = client_as(app, "amy")
    assert amy.post(f"/assignments/{refused}/start").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission).where(
            Submission.assignment_id == refused)) == 1


def test_late_work_is_taken_and_marked_when_allowed(app, school) -> None:
    owner = client_as(app, "owner")
    accepted = assign(owner, school["first"], qid=QIDS, late_policy="accept")
    school["clock"].advance(days=2)
    alice = client_as(app, "alice")
    assert "提交会记为逾期" in alice.get(f"/assignments/{accepted}").text
    do_practice(app, alice, accepted, right=3)
    with app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.assignment_id == accepted))
        assert sub.submitted_at is not None and sub.late
    report = owner.get(f"/assignments/{accepted}/report")
    assert "逾期" in report.text and "1</strong> <span>逾期提交" in report.text


def test_an_assignment_before_it_opens(app, school) -> None:
    owner = client_as(app, "owner")
    later = assign(owner, school["first"], qid=QIDS, opens_at="2026-11-30T08:00")
    alice = client_as(app, "alice")
    assert "未开放" in alice.get("/").text
    assert alice.post(f"/assignments/{later}/start").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_mock_exam_assignment_is_a_paper_that_closes_at_the_due_time(app, school) -> None:
    owner = client_as(app, "owner")
    exam_id = assign(owner, school["first"], kind="exam", blueprint="mock", how="filter")
    alice = client_as(app, "alice")
    assert "模拟考试" in alice.get(f"/assignments/{exam_id}").text
    started = alice.post("/exams/start", data={"assignment": str(exam_id)})
    paper_id = int(re.search(r"/exams/(\d+)", started.headers["Location"]).group(1))
    from tutor.models import ExamPaper
    with app.app_context():
        paper = db.session.get(ExamPaper, paper_id)
        a = db.session.get(Assignment, exam_id)
        assert paper.deadline <= a.due_at and paper.title == "课后练习"
    # starting again returns the paper in progress
    assert alice.post("/exams/start", data={"assignment": str(exam_id)}).headers["Location"].endswith(f"/exams/{paper_id}")
    alice.post(f"/exams/{paper_id}/submit")
    with app.app_context():
        sub = db.session.scalar(select(Submission).where(Submission.assignment_id == exam_id))
        assert sub.paper_id == paper_id and sub.submitted_at is not None and sub.score == 0.0
    assert "已完成" in alice.get(f"/assignments/{exam_id}").text
    report = owner.get(f"/assignments/{exam_id}/report")
    assert "1</strong>/2 <span>已完成" in report.text
    # bob is not in the class: no paper for him
    assert client_as(app, "bob").post("/exams/start", data={"assignment": str(exam_id)}).status_code == 404


def test_teachers_comment_and_only_their_classes(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS)
    alice = client_as(app, "alice")
    do_practice(app, alice, assignment_id, right=1)
    with app.app_context():
        sub_id = db.session.scalar(select(Submission.id))
    helper = client_as(app, "helper")           # a co-teacher may comment
    page = helper.get(f"/assignments/{assignment_id}/submissions/{sub_id}")
    assert page.status_code == 200 and "第 1 次作答" in page.text
    helper.post(f"/assignments/{assignment_id}/submissions/{sub_id}/comment", data={"comment": "第二题再看看课文。"})
    assert "老师的评语：</strong>第二题再看看课文。" in alice.get(f"/assignments/{assignment_id}").text
    outsider = client_as(app, "outsider")
    for url in (f"/assignments/{assignment_id}/report", f"/assignments/{assignment_id}/report.csv",
                f"/assignments/{assignment_id}/submissions/{sub_id}", f"/assignments/class/{school['first']}/new"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/assignments/{assignment_id}/submissions/{sub_id}/comment",
                         data={"comment": "x"}).status_code == 404
    assert outsider.post(f"/assignments/{assignment_id}/due", data={"due_at": "2027-01-01T00:00"}).status_code == 404
    # an id from another assignment does not reach this one's submission
    other = assign(owner, school["first"], qid=QIDS[:1], title="另一份")
    assert owner.get(f"/assignments/{other}/submissions/{sub_id}").status_code == 404
    # students cannot reach teacher pages, nor see another class's assignment
    assert alice.get(f"/assignments/{assignment_id}/report").status_code == 403
    assert client_as(app, "bob").get(f"/assignments/{assignment_id}").status_code == 404
    assert "课后练习" not in client_as(app, "bob").get("/assignments/").text


def test_changing_the_due_time_and_withdrawing(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS)
    owner.post(f"/assignments/{assignment_id}/due", data={"due_at": "2026-12-05T20:00"})
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).due_at.day == 5
    owner.post(f"/assignments/{assignment_id}/due", data={"due_at": "2020-01-01T00:00"})     # before it opens
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).due_at.day == 5
    spare = assign(owner, school["first"], qid=QIDS, title="撤回我")
    assert owner.post(f"/assignments/{spare}/delete").status_code == 302
    do_practice(app, client_as(app, "alice"), assignment_id, right=0)
    owner.post(f"/assignments/{assignment_id}/delete")                   # started: kept
    with app.app_context():
        assert db.session.get(Assignment, spare) is None and db.session.get(Assignment, assignment_id) is not None


def test_the_form_reports_what_to_fix(app, school) -> None:
    owner = client_as(app, "owner")
    bad = owner.post(f"/assignments/class/{school['first']}/new", data={
        "title": "", "kind": "practice", "how": "filter", "count": "5", "type": "no-such-type",
        "opens_at": OPENS, "due_at": "2026-11-29T08:00", "attempts": "99", "show_answers": "each",
        "late_policy": "refuse", "action": "preview"})
    for problem in ("请填写作业标题", "截止时间要晚于开放时间", "作答次数为", "没有符合这些条件的题目"):
        assert problem in bad.text, problem
    # a filter preview lists the drawn questions, all matching
    preview = owner.post(f"/assignments/class/{school['first']}/new", data={
        "title": "单选", "kind": "practice", "how": "filter", "count": "4", "type": "single",
        "kp": "survey.methods", "opens_at": OPENS, "due_at": DUE, "attempts": "1", "show_answers": "each",
        "late_policy": "refuse", "action": "preview"})
    ids = re.findall(r'name="qid" value="([^"]+)"', preview.text.split("确认布置")[0])
    assert len(ids) == 4 and all(course(app).by_id[i].type == "single" for i in ids)
    assert all(course(app).by_id[i].knowledge_point == "survey.methods" for i in ids)


def test_status_rules() -> None:
    from datetime import datetime
    a = Assignment(opens_at=datetime(2026, 1, 1), due_at=datetime(2026, 1, 2), late_policy="refuse",
                   show_answers="after_due", attempts_allowed=2)
    before, during, after = datetime(2025, 12, 31), datetime(2026, 1, 1, 12), datetime(2026, 1, 3)
    assert rules.status(a, [], before) == rules.UPCOMING
    assert rules.status(a, [], during) == rules.TODO
    assert rules.status(a, [Submission(number=1)], during) == rules.DOING
    assert rules.status(a, [], after) == rules.OVERDUE
    assert rules.status(a, [Submission(number=1, submitted_at=during)], after) == rules.DONE
    assert not rules.taking_answers(a, after) and rules.taking_answers(a, during) and not rules.taking_answers(a, before)
    assert not rules.answers_visible(a, during) and rules.answers_visible(a, after)
    assert rules.may_start(a, [Submission(number=1, submitted_at=during)] * 2, during) == "作答次数已用完"
    a.late_policy = "accept"
    assert rules.taking_answers(a, after) and rules.may_start(a, [], after) is None
    a.attempts_allowed = 0
    assert rules.tries_left(a, 50) is None


def test_migration_0010_upgrades_a_0009_database(tmp_path) -> None:
    from conftest import make_app, reset_database
    from tutor import schema
    from tutor.models import User
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, "0009")
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, username, username_key, password_hash, role, created_at, active, "
                              "session_token, must_change_password) VALUES (1, 'old', 'old', 'x', 'student', "
                              "'2026-01-01 00:00:00', true, 'tok1', false)")
    schema.upgrade(app)
    with app.app_context():
        user = db.session.get(User, 1)
        assert user.last_login_at is None and user.closure_requested_at is None and user.closed_at is None
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
        reset_database()


def test_a_closed_account_stays_in_the_figures_as_unnamed(app, school) -> None:
    """注销 (PIPL): the report still counts the try, and names nobody."""
    from tutor.models import User
    from tutor.privacy import closure
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS)
    alice = client_as(app, "alice")
    do_practice(app, alice, assignment_id, right=3)
    with app.app_context():
        sub_id = db.session.scalar(select(Submission.id))
    owner.post(f"/assignments/{assignment_id}/submissions/{sub_id}/comment", data={"comment": "alice 做得好"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "alice"))
        closure.close_account(db.session, user, school["clock"].now)
        db.session.commit()
        assert db.session.get(Submission, sub_id).comment is None      # a comment may name the student
    report = owner.get(f"/assignments/{assignment_id}/report")
    assert "1</strong>/2 <span>已完成" in report.text and "100%" in report.text
    assert "已注销" in report.text and "alice" not in report.text
    assert "alice" not in owner.get(f"/assignments/{assignment_id}/report.csv").data.decode("utf-8-sig")
    assert "alice" not in owner.get(f"/assignments/{assignment_id}/submissions/{sub_id}").text
