"""笔记 (a private note per user and question) and 纠错 (reports of problems in questions, the
instructors' queue and their replies), through the real app and database."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from conftest import answer_current, login, make_class, make_user, register, start_mode, start_set
from tutor.extensions import db
from tutor.feedbackloop.store import REPORTS_PER_DAY, clean_text
from tutor.models import QuestionNote, QuestionReport, User

NOTE = "记住：定性调研问为什么"


def user_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def client_as(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def answered(app, client, correct: bool = True) -> tuple[str, str]:
    """A practice question the client answered: its feedback page's path and its id."""
    set_id = start_set(client)
    delivery, q, response = answer_current(app, client, set_id, correct)
    return response.headers["Location"], q.id


def notes(app, owner: int) -> dict[str, str]:
    with app.app_context():
        return {n.question_id: n.text for n in db.session.scalars(select(QuestionNote).where(
            QuestionNote.user_id == owner))}


def reports(app) -> list[QuestionReport]:
    with app.app_context():
        found = list(db.session.scalars(select(QuestionReport).order_by(QuestionReport.id)))
        db.session.expunge_all()
        return found


def note_url(qid: str) -> str:
    return f"/questions/chapter8/{qid}/note"


def report_url(qid: str) -> str:
    return f"/questions/chapter8/{qid}/report"


# --- 笔记 --------------------------------------------------------------------------------------

def test_a_student_writes_changes_and_deletes_a_note_in_place(app, clock) -> None:
    client = app.test_client()
    register(client, "alice")
    feedback, qid = answered(app, client)
    page = client.get(feedback).get_data(as_text=True)
    assert "我的笔记" in page and f'action="{note_url(qid)}"' in page and "纠错：这道题有问题？" in page

    saved = client.post(note_url(qid), data={"text": NOTE, "next": feedback})
    assert saved.status_code == 302 and saved.headers["Location"] == f"{feedback}#notes-{qid.replace('.', '-')}"
    page = client.get(feedback).get_data(as_text=True)
    assert NOTE in page and "笔记已保存" in page and "保存于" in page
    assert notes(app, user_id(app, "alice")) == {qid: NOTE}

    client.post(note_url(qid), data={"text": "  第二版\r\n第二行  ", "next": feedback})
    assert notes(app, user_id(app, "alice")) == {qid: "第二版\n第二行"}      # one row, changed in place

    # 2,000 characters as the textarea counts them: its line breaks arrive as \r\n
    full = ("一" * 99 + "\r\n") * 20
    assert len(full.replace("\r\n", "\n")) == 2000
    client.post(note_url(qid), data={"text": full, "next": feedback})
    assert len(notes(app, user_id(app, "alice"))[qid]) == 2000 - 1       # the last line break trimmed
    refused = client.post(note_url(qid), data={"text": "二" * 2001, "next": feedback}, follow_redirects=True)
    assert "笔记最多 2000 字" in refused.get_data(as_text=True)
    assert len(notes(app, user_id(app, "alice"))[qid]) == 1999

    client.post(note_url(qid), data={"text": " \r\n ", "next": feedback})
    assert notes(app, user_id(app, "alice")) == {}
    assert "笔记已删除" in client.get(feedback).get_data(as_text=True)


def test_the_note_shows_on_study_notebook_and_exam_result_pages(app, clock) -> None:
    client = app.test_client()
    register(client, "alice")
    _, wrong = answered(app, client, correct=False)                       # in the 错题本 now
    client.post(note_url(wrong), data={"text": NOTE})
    entry = client.get(f"/notebook/chapter8/{wrong}").get_data(as_text=True)
    assert NOTE in entry and "纠错：这道题有问题？" in entry

    study = start_mode(client, "study")
    study_path = study.headers["Location"]
    ids = course(app).questions
    page = client.get(study_path).get_data(as_text=True)
    assert "我的笔记" in page
    shown = next(q.id for q in ids if f'action="{note_url(q.id)}"' in page)
    client.post(note_url(shown), data={"text": "背题时的笔记", "next": study_path})
    assert "背题时的笔记" in client.get(study_path).get_data(as_text=True)

    paper = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).headers["Location"]
    paper_id = int(re.search(r"(\d+)$", paper).group(1))
    client.post(f"/exams/{paper_id}/submit")
    result = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    on_paper = re.findall(r'action="/questions/chapter8/([^/"]+)/note"', result)
    assert len(on_paper) > 10
    client.post(note_url(on_paper[3]), data={"text": "考后笔记", "next": f"/exams/{paper_id}/result"})
    result = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "考后笔记" in result
    assert result.count('href="/static/notes.css"') == 1                  # once, however many questions
    assert result.index('href="/static/notes.css"') < result.index("</head>")   # with the other sheets


def test_nobody_else_reads_or_changes_a_students_note(app, clock) -> None:
    alice = app.test_client()
    register(alice, "alice")
    feedback, qid = answered(app, alice)
    alice.post(note_url(qid), data={"text": NOTE})
    make_user(app, "bob", "student")
    make_user(app, "owner", "instructor")
    make_user(app, "root", "admin")
    make_class(app, "owner", students=("alice",))
    bob = client_as(app, "bob")
    # the URL names a question, never a note: bob's post is bob's own note
    bob.post(note_url(qid), data={"text": "bob 的笔记"})
    assert notes(app, user_id(app, "alice")) == {qid: NOTE}
    assert notes(app, user_id(app, "bob")) == {qid: "bob 的笔记"}
    bob.post(note_url(qid), data={"text": ""})
    assert notes(app, user_id(app, "alice")) == {qid: NOTE}
    assert bob.get(feedback).status_code == 404
    # her teacher and an admin read her answer, not her note, and cannot save one for her
    for name in ("owner", "root"):
        teacher = client_as(app, name)
        page = teacher.get(feedback)
        assert page.status_code == 200
        assert NOTE not in page.get_data(as_text=True) and "我的笔记" not in page.get_data(as_text=True)
        for path in (f"/progress/{user_id(app, 'alice')}", "/instructor/reports/", "/instructor/"):
            assert NOTE not in teacher.get(path).get_data(as_text=True), (name, path)
    assert notes(app, user_id(app, "alice")) == {qid: NOTE}


def test_bad_input_is_refused_or_cleaned_never_a_5xx(app, clock) -> None:
    client = app.test_client()
    register(client, "alice")
    assert client.post("/questions/chapter8/no-such-question/note", data={"text": "x"}).status_code == 404
    assert client.post("/questions/nocourse/x/report", data={"text": "x", "category": "key"}).status_code == 404
    qid = course(app).questions[0].id
    client.post(note_url(qid), data={"text": "a\x00b\x07c\td"})
    assert notes(app, user_id(app, "alice")) == {qid: "abc\td"}            # PostgreSQL refuses NUL
    # `next` off the site is ignored: back to 我的纠错
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        response = client.post(note_url(qid), data={"text": "x", "next": target})
        assert response.headers["Location"] == "/reports/", target
    assert clean_text("x" * 11, 10) is None and clean_text(None, 10) == ""
    bad = client.post(report_url(qid), data={"category": "nonsense", "text": "有问题"}, follow_redirects=True)
    assert "请选择问题类型" in bad.get_data(as_text=True)
    empty = client.post(report_url(qid), data={"category": "key", "text": "\x00 "}, follow_redirects=True)
    assert "请写明问题在哪里" in empty.get_data(as_text=True)
    long = client.post(report_url(qid), data={"category": "key", "text": "长" * 1001}, follow_redirects=True)
    assert "说明最多 1000 字" in long.get_data(as_text=True)
    assert reports(app) == []


# --- 纠错 --------------------------------------------------------------------------------------

def test_a_report_goes_through_the_queue_and_the_reply_reaches_the_student(app, clock) -> None:
    alice = app.test_client()
    register(alice, "alice")
    feedback, qid = answered(app, alice)
    make_user(app, "owner", "instructor")
    make_user(app, "outsider", "instructor")
    make_user(app, "root", "admin")
    make_user(app, "bob", "student")
    make_class(app, "owner", students=("alice",))
    make_class(app, "outsider", "另一个班", students=("bob",))
    with app.app_context():
        db.session.get(User, user_id(app, "alice")).display_name = "王小丽"
        db.session.commit()

    sent = alice.post(report_url(qid), data={"category": "key", "text": "B 也对\r\n请核对", "next": feedback},
                      follow_redirects=True)
    assert "纠错已提交" in sent.get_data(as_text=True)
    [report] = reports(app)
    assert (report.category, report.text, report.status, report.question_version) == (
        "key", "B 也对\n请核对", "open", course(app).versions[qid])
    assert report.created_at == clock.now
    again = alice.post(report_url(qid), data={"category": "stem", "text": "再报一次", "next": feedback},
                       follow_redirects=True)
    assert "你已经报告过这道题" in again.get_data(as_text=True) and len(reports(app)) == 1
    page = alice.get(feedback).get_data(as_text=True)
    assert "待处理" in page and "B 也对" in page and "纠错：这道题有问题？" not in page

    source = course(app).sources[qid]
    for name, named in (("owner", True), ("root", True), ("outsider", False)):
        teacher = client_as(app, name)
        assert "纠错（1）" in teacher.get("/instructor/").get_data(as_text=True)
        queue = teacher.get("/instructor/reports/").get_data(as_text=True)
        assert "B 也对" in queue and "答案有误" in queue and f"{source.file}:{source.line}" in queue
        assert f'href="/instructor/questions/chapter8/{qid}"' in queue
        who = re.search(r"<span data-who>(.*?)</span>", queue).group(1)
        assert (who == "王小丽（alice）") if named else (who == "学生"), (name, who)
        assert ("alice" in queue) is named and ("王小丽" in queue) is named
        assert "提交后题目已修改" not in queue
    assert client_as(app, "outsider").get("/instructor/reports/").status_code == 200

    # a student cannot see or work the queue
    bob = client_as(app, "bob")
    assert bob.get("/instructor/reports/").status_code == 403
    assert bob.post(f"/instructor/reports/{report.id}", data={"reply": "我来回复"}).status_code == 403
    assert "B 也对" not in bob.get("/reports/").get_data(as_text=True)

    # the question changed after the report
    with app.app_context():
        db.session.get(QuestionReport, report.id).question_version = "older"
        db.session.commit()
    outsider = client_as(app, "outsider")
    assert "提交后题目已修改" in outsider.get("/instructor/reports/").get_data(as_text=True)
    clock.advance(hours=2)
    handled = outsider.post(f"/instructor/reports/{report.id}",
                            data={"reply": "已改正，谢谢！", "next": "/instructor/reports/?status=open"})
    assert handled.headers["Location"] == "/instructor/reports/?status=open"
    [report] = reports(app)
    assert (report.status, report.reply, report.handled_by, report.handled_at) == (
        "handled", "已改正，谢谢！", user_id(app, "outsider"), clock.now)
    assert "没有待处理的纠错" in outsider.get("/instructor/reports/").get_data(as_text=True)
    assert "已改正，谢谢！" in outsider.get("/instructor/reports/?status=handled").get_data(as_text=True)
    assert "已改正，谢谢！" in outsider.get("/instructor/reports/?status=all").get_data(as_text=True)
    assert "纠错（" not in outsider.get("/instructor/").get_data(as_text=True)

    page = alice.get(feedback).get_data(as_text=True)
    assert "老师回复：</strong>已改正，谢谢！" in page and "已处理" in page
    assert "纠错：这道题有问题？" in page                                 # handled: may report again
    mine = alice.get("/reports/").get_data(as_text=True)
    assert "已改正，谢谢！" in mine and "B 也对" in mine and "我的纠错" in mine
    assert alice.post(f"/instructor/reports/{report.id}", data={"reply": "改我自己的"}).status_code == 403
    assert client_as(app, "owner").post("/instructor/reports/7654321", data={"reply": "x"}).status_code == 404


def test_open_reports_come_first_and_the_queue_pages(app, clock) -> None:
    make_user(app, "root", "admin")
    alice = app.test_client()
    register(alice, "alice")
    ids = [q.id for q in course(app).questions]
    with app.app_context():
        owner = user_id(app, "alice")
        for i in range(55):
            db.session.add(QuestionReport(user_id=owner, course_id="chapter8", question_id=ids[i % len(ids)],
                                          question_version="v", category="other", text=f"第{i}条", status="open",
                                          created_at=clock.now + timedelta(minutes=i)))
        db.session.add(QuestionReport(user_id=owner, course_id="chapter8", question_id=ids[0], question_version="v",
                                      category="stem", text="早已处理", status="handled", reply="好",
                                      created_at=clock.now - timedelta(days=9), handled_at=clock.now))
        db.session.add(QuestionReport(user_id=owner, course_id="gone", question_id="x", question_version="v",
                                      category="stem", text="别的课程", status="handled",
                                      created_at=clock.now - timedelta(days=9), handled_at=clock.now))
        db.session.commit()
    root = client_as(app, "root")
    first = root.get("/instructor/reports/?status=all").get_data(as_text=True)
    texts = re.findall(r'<p class="prewrap" data-text>([^<]*)</p>', first)
    assert texts[:3] == ["第0条", "第1条", "第2条"] and len(texts) == 50    # oldest open first
    last = root.get("/instructor/reports/?status=all&page=2").get_data(as_text=True)
    texts = re.findall(r'<p class="prewrap" data-text>([^<]*)</p>', last)
    assert texts[:5] == ["第50条", "第51条", "第52条", "第53条", "第54条"] and "早已处理" in texts
    assert "这道题已不在题库中" in last
    assert "55 条待处理" in first and "纠错（55）" in first
    assert root.get("/instructor/reports/?status=bogus&page=²").status_code == 200


def test_at_most_ten_reports_a_day(app, clock) -> None:
    client = app.test_client()
    register(client, "alice")
    ids = [q.id for q in course(app).questions][:REPORTS_PER_DAY + 1]
    for qid in ids[:REPORTS_PER_DAY]:
        client.post(report_url(qid), data={"category": "other", "text": "有疑问"})
    assert len(reports(app)) == REPORTS_PER_DAY
    refused = client.post(report_url(ids[-1]), data={"category": "other", "text": "第 11 条"},
                          follow_redirects=True)
    assert "24 小时内最多提交 10 条纠错" in refused.get_data(as_text=True) and len(reports(app)) == REPORTS_PER_DAY
    page = client.get(f"/notebook/chapter8/{ids[-1]}")                  # (not in her notebook: 404)
    assert page.status_code == 404
    clock.advance(hours=24, seconds=1)
    client.post(report_url(ids[-1]), data={"category": "other", "text": "第 11 条"})
    assert len(reports(app)) == REPORTS_PER_DAY + 1


def test_no_note_or_report_on_a_question_of_a_running_exam(app, clock) -> None:
    client = app.test_client()
    register(client, "alice")
    make_user(app, "root", "admin")
    paper = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).headers["Location"]
    paper_id = int(re.search(r"(\d+)$", paper).group(1))
    with app.app_context():
        from tutor.models import ExamPaper
        qid = db.session.get(ExamPaper, paper_id).items[0]["question_id"]
        # reported and answered before this exam
        db.session.add(QuestionReport(user_id=user_id(app, "alice"), course_id="chapter8", question_id=qid,
                                      question_version="v", category="key", text="答案不对", status="handled",
                                      reply="正确答案是 B", created_at=clock.now - timedelta(days=1),
                                      handled_at=clock.now))
        db.session.commit()
    refused = client.post(note_url(qid), data={"text": "答案是 B"}, follow_redirects=True)
    assert "考试进行中" in refused.get_data(as_text=True) and notes(app, user_id(app, "alice")) == {}
    client.post(report_url(qid), data={"category": "key", "text": "x"})
    assert len(reports(app)) == 1
    mine = client.get("/reports/").get_data(as_text=True)
    assert "正确答案是 B" not in mine and "交卷后可查看老师的回复" in mine
    client.post(f"/exams/{paper_id}/submit")
    assert "正确答案是 B" in client.get("/reports/").get_data(as_text=True)
    client.post(note_url(qid), data={"text": "答案是 B"})
    assert notes(app, user_id(app, "alice")) == {qid: "答案是 B"}


# --- personal data -------------------------------------------------------------------------------

def noted_and_reported(app, clock):
    """busy_student (tests/test_privacy.py) with a note and two reports that name the student."""
    from test_privacy import NAME, REAL_NAME, busy_student
    client, class_id = busy_student(app)
    qids = [q.id for q in course(app).questions]
    client.post(note_url(qids[0]), data={"text": f"{REAL_NAME}的笔记：要点"})
    client.post(report_url(qids[1]), data={"category": "key", "text": f"我是{REAL_NAME}（{NAME.upper()}），答案应为 B"})
    client.post(report_url(qids[2]), data={"category": "stem", "text": "题干少了一个字"})
    with app.app_context():
        report = db.session.scalar(select(QuestionReport).where(QuestionReport.question_id == qids[1]))
        report.status, report.reply = "handled", f"{REAL_NAME}同学，谢谢，已改正"
        db.session.commit()
    return client, class_id, qids


def test_the_download_holds_the_notes_and_reports(app, clock) -> None:
    import io
    import zipfile
    from test_privacy import REAL_NAME
    client, _, qids = noted_and_reported(app, clock)
    mine = json.loads(client.get("/account/data.json").data)
    assert [(n["question_id"], n["text"]) for n in mine["notes"]] == [(qids[0], f"{REAL_NAME}的笔记：要点")]
    assert [r["question_id"] for r in mine["question_reports"]] == [qids[1], qids[2]]
    assert mine["question_reports"][0]["reply"] == f"{REAL_NAME}同学，谢谢，已改正"
    assert "user_id" not in mine["notes"][0]
    files = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    assert {"notes.csv", "question_reports.csv"} <= set(files.namelist())
    assert "题目笔记" in files.read("README.txt").decode()
    assert "答案应为 B" in files.read("question_reports.csv").decode("utf-8-sig")


def test_closure_deletes_the_notes_and_keeps_the_reports_without_the_name(app, runner, clock) -> None:
    from test_privacy import NAME, PASSWORD, REAL_NAME, rows_naming
    client, _, qids = noted_and_reported(app, clock)
    owner = user_id(app, NAME)
    client.post("/account/close", data={"password": PASSWORD})
    clock.advance(days=16)
    result = runner.invoke(args=["privacy", "run"])
    assert result.exit_code == 0, result.output
    assert "question_notes 1" in result.output and "question report texts 1" in result.output
    assert notes(app, owner) == {}
    found = {r.question_id: r for r in reports(app)}
    assert found[qids[1]].text == "我是已注销（已注销），答案应为 B"
    assert found[qids[1]].reply == "已注销同学，谢谢，已改正"
    assert found[qids[2]].text == "题干少了一个字" and found[qids[2]].user_id == owner
    assert rows_naming(app, NAME, REAL_NAME) == []
    make_user(app, "root", "admin")
    queue = client_as(app, "root").get("/instructor/reports/?status=all").get_data(as_text=True)
    assert "题干少了一个字" in queue and re.search(r"<span data-who>已注销</span>", queue)


def test_retention_deletes_notes_and_keeps_reports(app, clock) -> None:
    from tutor.privacy import retention
    client = app.test_client()
    register(client, "idle")
    qid = course(app).questions[0].id
    client.post(note_url(qid), data={"text": "旧笔记"})
    client.post(report_url(qid), data={"category": "other", "text": "旧纠错"})
    with app.app_context():
        deleted = retention.delete_answers(db.session, [user_id(app, "idle")])
        db.session.commit()
    assert deleted["question_notes"] == 1
    assert notes(app, user_id(app, "idle")) == {} and [r.text for r in reports(app)] == ["旧纠错"]


# --- schema ----------------------------------------------------------------------------------------

def test_migration_0012_upgrades_a_0010_database(tmp_path) -> None:
    from conftest import make_app, reset_database
    from tutor import schema
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, "0010")
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, username, username_key, password_hash, role, created_at, active, "
                              "session_token, must_change_password) VALUES (1, 'old', 'old', 'x', 'student', "
                              "'2026-01-01 00:00:00', true, 'tok1', false)")
    schema.upgrade(app, "0012")
    with app.app_context():
        db.session.add(QuestionNote(user_id=1, course_id="chapter8", question_id="q", text="笔记"))
        db.session.add(QuestionReport(user_id=1, course_id="chapter8", question_id="q", question_version="v",
                                      category="key", text="错了", status="open"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(QuestionNote)) == 1
        duplicate = QuestionNote(user_id=1, course_id="chapter8", question_id="q", text="又一条")
        db.session.add(duplicate)
        from sqlalchemy.exc import IntegrityError
        try:
            db.session.commit()
            raise AssertionError("a second note on the same question was stored")
        except IntegrityError:
            db.session.rollback()
        reset_database()
