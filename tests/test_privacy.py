"""Personal-data rights under PIPL: 下载我的数据 (JSON and a ZIP of CSV files), 注销 with its
cooling-off period, the admin acting for a student, and the retention limit; through the real
app and database."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, answer_current, login, make_class, make_user, register, start_set
from tutor.extensions import db
from tutor.models import (Assignment, Attempt, ExamPaper, Favourite, NotebookEntry, PracticeSet, ReviewCard,
                          SequenceCursor, Submission, User, UserSettings)
from tutor.privacy import archive, data
from tutor.privacy.closure import CLOSED_PREFIX
from tutor.spreadsheet import safe_cell

NAME, REAL_NAME = "zhangsan_pipl", "张三丰"
COMMENT = "张三丰这次进步很大，继续保持"


def user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def count(app, model, owner: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(model.user_id == owner))


def client_as(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def busy_student(app, name: str = NAME, real_name: str | None = REAL_NAME, class_name: str = "外贸1班"):
    """A student of owner's class with every kind of row: practice answers (one wrong, for the
    notebook; review cards), a starred question, a sequential run, a handed-in mock exam, and a
    submitted assignment with the teacher's comment. Returns the student's client."""
    client = app.test_client()
    register(client, name)
    set_id = start_set(client)
    answer_current(app, client, set_id, True)
    _, wrong, _ = answer_current(app, client, set_id, False)
    client.post("/favourites/toggle", data={"course": "chapter8", "question": wrong.id})
    client.post("/settings/", data={"one_tap": "on", "font_size": "large", "daily_goal": "40",
                                    "exam_date": "2027-01-05"})
    run = client.post("/practice/start", data={"course": "chapter8", "mode": "sequential", "scope": "all", "id": ""})
    answer_current(app, client, int(re.search(r"/practice/(\d+)", run.headers["Location"]).group(1)), True)
    paper = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).headers["Location"]
    paper_id = int(re.search(r"(\d+)$", paper).group(1))
    client.post(f"/exams/{paper_id}/answer", data={"item": 0, "choice": "0"})
    client.post(f"/exams/{paper_id}/submit")
    with app.app_context():
        student = db.session.scalar(select(User).where(User.username == name))
        student.display_name = real_name
        teacher = db.session.scalar(select(User.id).where(User.username == "owner"))
        if teacher is None:
            teacher = User(username="owner", role="instructor")
            teacher.set_password(PASSWORD)
            db.session.add(teacher)
            db.session.flush()
            teacher = teacher.id
        db.session.commit()
    class_id, _ = make_class(app, "owner", class_name, students=(name,))
    with app.app_context():
        moment = app.extensions["tutor_clock"]()
        work = Assignment(class_id=class_id, course_id="chapter8", title="第八章练习", kind="practice",
                          question_ids=[wrong.id], opens_at=moment, due_at=moment + timedelta(days=7),
                          created_by=teacher)
        db.session.add(work)
        db.session.flush()
        db.session.add(Submission(assignment_id=work.id, user_id=user_id(app, name), number=1, set_id=set_id,
                                  submitted_at=moment, score=1.0, max_score=2.0, comment=COMMENT,
                                  comment_by=teacher, comment_at=moment))
        db.session.commit()
    return client, class_id


def csv_rows(archive_file: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive_file.read(name).decode("utf-8-sig"))))


def test_the_download_holds_every_kind_of_row_and_the_zip_matches_the_json(app, clock) -> None:
    client, class_id = busy_student(app)
    page = client.get("/account/").get_data(as_text=True)
    assert "下载我的数据" in page and "注销账户" in page and REAL_NAME in page and "我的账户" in page

    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"] and NAME not in response.headers["Content-Disposition"]
    mine = json.loads(response.data)
    assert mine["account"]["username"] == NAME and mine["account"]["display_name"] == REAL_NAME
    assert "password_hash" not in mine["account"] and "session_token" not in mine["account"]
    assert PASSWORD not in response.get_data(as_text=True)
    assert mine["classes"] == [{"class_id": class_id, "class_name": "外贸1班", "course_id": "chapter8",
                                "role": "student", "added_at": mine["classes"][0]["added_at"], "archived_at": None}]
    for section in ("answers", "practice_sets", "deliveries", "question_standing", "notebook", "favourites",
                    "review_cards", "sequence_cursors", "settings", "exam_papers", "submissions"):
        assert mine[section], section
    owner = user_id(app, NAME)
    assert len(mine["answers"]) == count(app, Attempt, owner)
    answer = mine["answers"][0]
    assert {"question_id", "response", "score", "max_score", "created_at"} <= set(answer)
    assert answer["created_at"].endswith("Z")
    paper = mine["exam_papers"][0]
    assert paper["submitted_at"] and paper["answers"] and paper["answers"][0]["item_index"] == 0
    assert mine["submissions"][0]["comment"] == COMMENT
    assert mine["submissions"][0]["assignment_title"] == "第八章练习"

    bundle = client.get("/account/data.zip")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(bundle.data))
    names = set(files.namelist())
    assert {"account.csv", "answers.csv", "exam_papers.csv", "exam_answers.csv", "notebook.csv", "favourites.csv",
            "submissions.csv", "review_cards.csv", "practice_sets.csv", "classes.csv", "settings.csv", "data.json",
            "README.txt"} <= names
    again = json.loads(files.read("data.json"))
    assert again == mine                           # the same moment on the test clock: the same download
    for name, (header, rows) in data.tables(mine).items():
        parsed = csv_rows(files, f"{name}.csv")
        assert parsed[0] == header, name
        expected = [["" if row.get(h) is None else str(safe_cell(archive.cell(row.get(h)))) for h in header]
                    for row in rows]
        assert parsed[1:] == expected, name
    comments = csv_rows(files, "submissions.csv")
    assert comments[1][comments[0].index("comment")] == COMMENT


def test_nobody_else_can_download_a_students_data(app, clock) -> None:
    busy_student(app)
    alice = user_id(app, NAME)
    anonymous = app.test_client()
    for path in ("/account/data.json", "/account/data.zip", f"/admin/accounts/{alice}/data.json"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
    make_user(app, "bob", "student")
    make_user(app, "plain_teacher", "instructor")
    for name in ("bob", "owner", "plain_teacher"):     # owner teaches the student's class: still no
        other = client_as(app, name)
        for path in (f"/admin/accounts/{alice}/data.json", f"/admin/accounts/{alice}/data.zip",
                     f"/admin/accounts?q={NAME}"):
            assert other.get(path).status_code == 403, (name, path)
        assert other.post(f"/admin/accounts/{alice}/close", data={"confirm": NAME}).status_code == 403
    bob = json.loads(client_as(app, "bob").get("/account/data.json").data)    # their own, not hers
    assert bob["account"]["username"] == "bob" and bob["answers"] == [] and bob["exam_papers"] == []
    assert NAME not in json.dumps(bob, ensure_ascii=False)
    assert count(app, Attempt, alice) > 0


def rows_naming(app, *words: str) -> list[str]:
    """Every cell of every table, JSON included, that contains one of `words`."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    if any(word in text for word in words):
                        found.append(f"{table.name}.{column}={text[:60]}")
    return found


def class_figures(app, class_id: int) -> tuple[int, int, int, int]:
    """What the class reports count: students, answers, exams, and first attempts per item."""
    from tutor.instructor import reports
    from tutor.teaching import students_of
    with app.app_context():
        course = app.extensions["tutor_content"].catalog.course("chapter8")
        overview = reports.class_overview(course, app.extensions["tutor_clock"](), students_of(class_id))
        items = reports.item_analysis(course, students_of(class_id))
        return (len(overview.rows), sum(r.answered for r in overview.rows), sum(r.exams for r in overview.rows),
                sum(i.attempts for i in items))


def test_closure_waits_out_the_cooling_off_period_then_leaves_nothing_that_names_the_student(
        app, runner, clock) -> None:
    client, class_id = busy_student(app)
    owner = user_id(app, NAME)
    before = class_figures(app, class_id)
    assert before[1] >= 2 and before[2] == 1
    answers = count(app, Attempt, owner)

    page = client.get("/account/close").get_data(as_text=True)
    assert "15 天冷静期" in page and "将被删除" in page and "匿名保留" in page and "错题本" in page
    wrong = client.post("/account/close", data={"password": "not my password 9"})
    assert wrong.status_code == 200 and "密码不正确" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, owner).closure_requested_at is None
    assert client.post("/account/close", data={"password": PASSWORD}).headers["Location"] == "/account/"
    requested = clock.now
    with app.app_context():
        assert db.session.get(User, owner).closure_requested_at == requested
    assert "撤销注销" in client.get("/account/").get_data(as_text=True)

    # within the period: nothing happens, logging in says so, and cancelling keeps everything
    clock.advance(days=14, hours=23)
    result = runner.invoke(args=["privacy", "run"])
    assert result.exit_code == 0 and "注销：0 个账号" in result.output
    again = app.test_client()
    response = login(again, NAME)
    assert response.headers["Location"] == "/account/"
    page = again.get("/account/").get_data(as_text=True)
    assert "你已申请注销账号" in page and "撤销注销" in page and "账号注销申请中" in page
    again.post("/account/close/cancel")
    with app.app_context():
        assert db.session.get(User, owner).closure_requested_at is None
    notebook = count(app, NotebookEntry, owner)
    runner.invoke(args=["privacy", "run"])
    clock.advance(days=30)
    runner.invoke(args=["privacy", "run"])
    assert user_id(app, NAME) == owner and count(app, NotebookEntry, owner) == notebook > 0

    # asked again (signed in afresh: a month has passed); once the period is over the daily run carries it out
    again = client_as(app, NAME)
    again.post("/account/close", data={"password": PASSWORD})
    clock.advance(days=15)
    result = runner.invoke(args=["privacy", "run"])
    assert result.exit_code == 0 and "注销：1 个账号" in result.output and NAME not in result.output
    with app.app_context():
        closed = db.session.get(User, owner)
        assert closed.username.startswith(CLOSED_PREFIX) and closed.display_name is None
        assert closed.closed_at == clock.now and not closed.active
        assert not closed.check_password(PASSWORD)
        submission = db.session.scalar(select(Submission).where(Submission.user_id == owner))
        assert submission.comment is None and submission.score == 1.0
    for model in (NotebookEntry, Favourite, ReviewCard, SequenceCursor, UserSettings):
        assert count(app, model, owner) == 0, model
    assert count(app, Attempt, owner) == answers and count(app, ExamPaper, owner) == 1
    assert rows_naming(app, NAME, REAL_NAME, "张三") == []
    assert class_figures(app, class_id) == before

    # the old sessions are over, the name signs in to nothing, and teachers see 已注销
    assert again.get("/account/").status_code == 302
    assert login(app.test_client(), NAME).status_code == 200
    teacher = client_as(app, "owner")
    roster = teacher.get(f"/classes/{class_id}").get_data(as_text=True)
    assert "已注销" in roster and CLOSED_PREFIX not in roster
    students = teacher.get(f"/instructor/?class={class_id}").get_data(as_text=True)
    assert "已注销" in students and CLOSED_PREFIX not in students
    sheet = teacher.get(f"/instructor/students.csv?class={class_id}").data.decode("utf-8-sig")
    assert "已注销" in sheet and CLOSED_PREFIX not in sheet
    paper_id = None
    with app.app_context():
        paper_id = db.session.scalar(select(ExamPaper.id).where(ExamPaper.user_id == owner))
    result_page = teacher.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "学生：已注销" in result_page and CLOSED_PREFIX not in result_page
    progress = teacher.get(f"/progress/{owner}").get_data(as_text=True)
    assert "已注销" in progress and CLOSED_PREFIX not in progress


def test_a_log_in_attempt_after_the_period_carries_out_the_closure(app, clock) -> None:
    client, _ = busy_student(app)
    owner = user_id(app, NAME)
    client.post("/account/close", data={"password": PASSWORD})
    clock.advance(days=15, seconds=1)
    response = login(app.test_client(), NAME)
    assert response.status_code == 200 and "用户名或密码不正确" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, owner).closed_at == clock.now
    assert rows_naming(app, NAME, REAL_NAME) == []


def test_last_login_at_is_set_on_every_log_in(app, clock) -> None:
    make_user(app, "carol", "student")
    carol = user_id(app, "carol")
    login(app.test_client(), "carol", "wrong password 1")
    with app.app_context():
        assert db.session.get(User, carol).last_login_at is None
    login(app.test_client(), "carol")
    clock.advance(hours=3)
    login(app.test_client(), "carol")
    with app.app_context():
        assert db.session.get(User, carol).last_login_at == clock.now


def test_an_admin_finds_a_student_downloads_their_data_and_closes_the_account_at_once(
        app, clock, caplog) -> None:
    _, class_id = busy_student(app)
    owner = user_id(app, NAME)
    before = class_figures(app, class_id)
    make_user(app, "principal", "admin")
    admin = client_as(app, "principal")
    page = admin.get("/admin/accounts", query_string={"q": "三丰"}).get_data(as_text=True)   # by 姓名
    assert NAME in page and f"/admin/accounts/{owner}/close" in page
    assert NAME in admin.get("/admin/accounts", query_string={"q": "ZHANGSAN"}).get_data(as_text=True)
    assert "没有找到" in admin.get("/admin/accounts", query_string={"q": "nobody%"}).get_data(as_text=True)
    theirs = json.loads(admin.get(f"/admin/accounts/{owner}/data.json").data)
    assert theirs["account"]["username"] == NAME and theirs["answers"] and theirs["submissions"]
    assert "answers.csv" in zipfile.ZipFile(io.BytesIO(admin.get(f"/admin/accounts/{owner}/data.zip").data)).namelist()

    assert admin.post(f"/admin/accounts/{owner}/close", data={"confirm": "zhangsan"}).status_code == 400
    assert user_id(app, NAME) == owner
    principal = user_id(app, "principal")
    assert admin.post(f"/admin/accounts/{principal}/close", data={"confirm": "principal"}).status_code == 403
    caplog.set_level("WARNING", logger="tutor.security")
    response = admin.post(f"/admin/accounts/{owner}/close", data={"confirm": NAME})
    assert response.status_code == 302
    assert any("account_closed_by_admin" in r.getMessage() and f"user_id={owner}" in r.getMessage()
               for r in caplog.records)
    with app.app_context():
        assert db.session.get(User, owner).closed_at == clock.now     # no cooling-off
    assert rows_naming(app, NAME, REAL_NAME) == []
    assert class_figures(app, class_id) == before
    assert admin.get(f"/admin/accounts/{owner}/data.json").status_code == 404
    assert "没有找到" in admin.get("/admin/accounts", query_string={"q": "已注销"}).get_data(as_text=True)


def test_an_admin_cannot_close_their_own_account_from_the_web(app) -> None:
    make_user(app, "principal", "admin")
    admin = client_as(app, "principal")
    assert admin.get("/account/close").headers["Location"] == "/account/"
    assert admin.post("/account/close", data={"password": PASSWORD}).headers["Location"] == "/account/"
    with app.app_context():
        assert db.session.scalar(select(User.closure_requested_at).where(User.username == "principal")) is None


def test_retention_deletes_the_answers_of_inactive_students_only(app, runner, clock) -> None:
    busy_student(app, "idle_student", "闲置")
    busy_student(app, "keen_student", "勤奋", "外贸2班")
    teacher = make_user(app, "keen_teacher", "instructor")
    teaching = client_as(app, "keen_teacher")
    answer_current(app, teaching, start_set(teaching), True)
    idle, keen = user_id(app, "idle_student"), user_id(app, "keen_student")
    keen_answers = count(app, Attempt, keen)
    with app.app_context():     # signed up on the test clock's day, not the machine's
        for user in db.session.scalars(select(User)):
            user.created_at = clock.now
        db.session.commit()

    assert "未设置" in runner.invoke(args=["privacy", "run"]).output      # off by default
    app.config["TUTOR_RETENTION_DAYS"] = 30
    clock.advance(days=20)
    client_as(app, "keen_student")                                        # a log-in keeps the account active
    clock.advance(days=11)
    result = runner.invoke(args=["privacy", "run"])
    assert result.exit_code == 0, result.output
    assert "idle_student（id" in result.output and "attempts" in result.output
    assert "keen_student" not in result.output and "keen_teacher" not in result.output
    for model in (Attempt, PracticeSet, ExamPaper, NotebookEntry, ReviewCard, Submission):
        assert count(app, model, idle) == 0, model
        assert count(app, model, keen) > 0, model
    assert count(app, Attempt, keen) == keen_answers
    assert count(app, Attempt, teacher) == 1                               # teachers are never touched
    assert count(app, Favourite, idle) == 1 and user_id(app, "idle_student") == idle
    assert "0 个学生" in runner.invoke(args=["privacy", "run"]).output     # nothing left the second time

    # an answer counts as activity too, whenever the last log-in was
    keen_client = client_as(app, "keen_student")
    answer_current(app, keen_client, start_set(keen_client), True)
    with app.app_context():
        db.session.get(User, keen).last_login_at = clock.now - timedelta(days=40)
        db.session.commit()
    clock.advance(days=29)
    runner.invoke(args=["privacy", "run"])
    assert count(app, Attempt, keen) == keen_answers + 1


@pytest.mark.parametrize("path", ["/account/", "/account/close"])
def test_the_account_pages_link_from_the_navigation(app, path) -> None:
    client = app.test_client()
    register(client, "dave")
    page = client.get(path).get_data(as_text=True)
    assert 'href="/account/"' in page


def test_closing_an_account_drops_the_class_reports_kept_with_the_name(app, clock) -> None:
    """Reports kept for every worker (the report_cache table here) show 姓名: a closure drops
    them, so the next overview is made afresh and names nobody."""
    app.config["TUTOR_REPORT_CACHE_SECONDS"] = 60
    _, class_id = busy_student(app)
    owner = user_id(app, NAME)
    teacher = client_as(app, "owner")
    assert REAL_NAME in teacher.get("/instructor/", query_string={"class": class_id}).get_data(as_text=True)
    assert any(cell.startswith("report_cache.payload") for cell in rows_naming(app, REAL_NAME))
    make_user(app, "principal", "admin")
    admin = client_as(app, "principal")
    assert admin.post(f"/admin/accounts/{owner}/close", data={"confirm": NAME}).status_code == 302
    assert rows_naming(app, NAME, REAL_NAME) == []
    page = teacher.get("/instructor/", query_string={"class": class_id}).get_data(as_text=True)
    assert REAL_NAME not in page and NAME not in page and "已注销" in page
