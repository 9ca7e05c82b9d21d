"""What a student can write, and how an attacker could abuse it: answers racing a mock exam's
hand-in, write quotas, keys shown during an open exam, and spreadsheet formulas in CSV exports."""
from __future__ import annotations

import re
import threading
import time

from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Attempt, ExamAnswer, ExamPaper

from conftest import answer_form, login, register
from test_exam import course, paper_of, start_exam


# --- item 7: answers racing the hand-in -----------------------------------------------------

def _headline_and_tables(page: str) -> tuple[float, float, float]:
    """The result page's total, the sum of its per-type table and of its per-item scores."""
    headline = float(re.search(r'class="bignum[^"]*">([\d.]+) <small>', page).group(1))
    per_type = page.split("各题型得分")[1].split("各知识点")[0]
    type_sum = sum(float(m) for m in re.findall(r'<td class="num">([\d.]+) / \d+</td></tr>', per_type))
    item_sum = sum(float(m) for m in re.findall(r"· 得 ([\d.]+) / \d+(?:\.\d+)? 分", page))
    return headline, type_sum, item_sum


def test_answers_racing_the_hand_in_are_either_counted_or_refused(app, clock) -> None:
    """Students answering from several tabs while another tab hands the paper in: every answer
    acknowledged (302) is in the graded result, every other one got 409 and was not stored."""
    raced = 0
    for round_ in range(3):
        owner = app.test_client()
        register(owner, f"racer{round_}")
        paper_id = start_exam(owner)
        paper = paper_of(app, paper_id)
        forms = [{"item": i, **answer_form(course(app).by_id[item["question_id"]], item["layout"])}
                 for i, item in enumerate(paper.items)]
        tabs = [owner] + [app.test_client() for _ in range(3)]
        for tab in tabs[1:]:
            login(tab, f"racer{round_}")
        statuses: dict[int, int] = {}
        go = threading.Barrier(len(tabs) + 1)

        def answer(tab, indexes) -> None:
            go.wait()
            for index in indexes:
                statuses[index] = tab.post(f"/exams/{paper_id}/answer", data=forms[index]).status_code

        def hand_in() -> None:
            go.wait()
            while len(statuses) < 6:          # hand in while answers are in flight
                time.sleep(0.001)
            assert tabs[0].post(f"/exams/{paper_id}/submit").status_code == 302

        threads = [threading.Thread(target=answer, args=(tab, range(n, len(forms), len(tabs))))
                   for n, tab in enumerate(tabs)] + [threading.Thread(target=hand_in)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        acknowledged = {i for i, status in statuses.items() if status == 302}
        refused = {i for i, status in statuses.items() if status == 409}
        assert acknowledged | refused == set(range(len(forms))), statuses
        with app.app_context():
            stored = set(db.session.scalars(select(ExamAnswer.item_index).where(ExamAnswer.paper_id == paper_id)))
            counted = set(db.session.scalars(select(Attempt.item_index).where(
                Attempt.paper_id == paper_id, Attempt.correct.is_(True))))
            score = db.session.get(ExamPaper, paper_id).score
        assert counted == acknowledged, f"acknowledged but not counted: {sorted(acknowledged - counted)}"
        assert stored == acknowledged, f"stored after a 409: {sorted(stored - acknowledged)}"
        raced += bool(refused)     # on a busy machine a round's hand-in can come after every answer
        assert score == sum(paper.items[i]["points"] for i in acknowledged)
        headline, type_sum, item_sum = _headline_and_tables(
            owner.get(f"/exams/{paper_id}/result").get_data(as_text=True))
        assert headline == round(type_sum, 1) == round(item_sum, 1) == score
    assert raced, "in no round did the hand-in race an answer: the test proved nothing"


def test_result_page_adds_up_the_scores_stored_at_the_hand_in(app, client, clock) -> None:
    """An answer row written after grading (as the race above once let through) changes nothing
    on the result page: the total, the tables and the items all come from the stored scores."""
    register(client)
    paper_id = start_exam(client)
    paper = paper_of(app, paper_id)
    from test_exam import save
    assert save(client, app, paper_id, 0).status_code == 302
    client.post(f"/exams/{paper_id}/submit")
    item = paper.items[1]
    late = answer_form(course(app).by_id[item["question_id"]], item["layout"])
    from tutor.questions import parse_answer
    with app.app_context():
        db.session.add(ExamAnswer(paper_id=paper_id, item_index=1,
                                  response=parse_answer(course(app).by_id[item["question_id"]], late,
                                                        item["layout"])))
        db.session.commit()
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    headline, type_sum, item_sum = _headline_and_tables(page)
    assert headline == type_sum == item_sum == paper.items[0]["points"]


# --- item 10: spreadsheet formulas in CSV exports ------------------------------------------------

def test_csv_exports_defuse_cells_a_spreadsheet_would_run(tmp_path) -> None:
    """A username or a question stem starting with = + - @ (or a tab) is a formula to Excel: the
    exports prefix it with `'`, and leave negative numbers alone."""
    import csv
    import io
    import shutil

    from conftest import CONTENT, make_app, make_instructor, make_user
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    bank = copy / "chapter8" / "questions" / "churn-handling.yaml"
    # the bank's first stem, whatever it says today, becomes a formula
    bank.write_text(re.sub(r"(?m)^    stem: .*$", lambda _: '    stem: "=HYPERLINK(\\"http://evil\\") 根据本章的分析（ ）。"',
                           bank.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(copy))
    attackers = ["=1+2", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\tx", "\ry"]
    for name in attackers:
        make_user(app, name, "student")
    make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")

    def cells(path: str) -> list[list[str]]:
        response = teacher.get(path)
        assert response.status_code == 200, path
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))

    names = {row[0] for row in cells("/instructor/students.csv?course=chapter8")[1:]}
    assert {"'" + name for name in attackers} <= names
    assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    stems = [row[3] for row in cells("/instructor/items.csv?course=chapter8")[1:]]
    assert "'=HYPERLINK(\"http://evil\") 根据本章的分析（ ）。" in stems
    assert not any(stem.startswith(("=", "+", "-", "@")) for stem in stems)
    with app.app_context():
        db.drop_all()


# --- item 8: quotas on student writes ------------------------------------------------------------

def test_starts_and_favourites_are_limited_per_student(tmp_path) -> None:
    from conftest import make_app
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_START_LIMIT="3 per minute",
                   TUTOR_FAVOURITE_LIMIT="4 per minute")
    alice, bob = app.test_client(), app.test_client()
    register(alice, "alice")
    register(bob, "bob")
    kps = ["survey.methods", "survey.content", "churn.causes", "churn.handling"]
    starts = [alice.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": kp}).status_code
              for kp in kps[:2]]
    starts.append(alice.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).status_code)
    refused = alice.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": kps[2]})
    assert starts == [302, 302, 302] and refused.status_code == 429
    assert "操作太频繁" in refused.get_data(as_text=True)
    assert alice.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).status_code == 429
    # counted per account: bob, from the same address, is not held back by alice
    assert bob.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": kps[3]}).status_code == 302
    toggles = [alice.post("/favourites/toggle", data={"course": "chapter8", "question": "survey.methods-01"})
               .status_code for _ in range(5)]
    assert toggles == [302, 302, 302, 302, 429]
    with app.app_context():
        db.drop_all()


def test_starting_the_same_set_again_before_answering_returns_it(app, client) -> None:
    from conftest import answer_current, start_mode, start_set
    from tutor.models import PracticeSet
    register(client)
    first = start_set(client, "kp", "survey.methods")
    assert [start_set(client, "kp", "survey.methods") for _ in range(5)] == [first] * 5
    assert start_set(client, "kp", "survey.content") != first            # another scope: a new set
    study = start_mode(client, "study", "kp", "survey.methods").headers["Location"]
    assert start_mode(client, "study", "kp", "survey.methods").headers["Location"] == study
    answer_current(app, client, first, True)
    assert start_set(client, "kp", "survey.methods") != first            # answered: a fresh set
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PracticeSet)) == 4


# --- item 16: no key of a question on a running mock exam -----------------------------------------

def test_keys_of_questions_on_a_running_exam_are_hidden_until_the_hand_in(app, client, clock) -> None:
    from conftest import current_delivery, start_mode
    from test_exam import save
    register(client)
    first_paper = start_exam(client)
    for index in range(40):
        save(client, app, first_paper, index)
    client.post(f"/exams/{first_paper}/submit")
    paper_id = start_exam(client)
    items = paper_of(app, paper_id).items
    q = course(app).by_id[items[0]["question_id"]]
    note = "考试进行中，交卷后可查看"

    def study_page() -> str:
        location = start_mode(client, "study", "kp", q.knowledge_point).headers["Location"]
        ids = [x.id for x in course(app).by_knowledge_point[q.knowledge_point]]
        return client.get(location, query_string={"i": ids.index(q.id)}).get_data(as_text=True)

    def feedback_page() -> str:         # answer q in a practice set of its knowledge point
        for _ in range(20):
            set_id = int(start_mode(client, "random", "kp", q.knowledge_point).headers["Location"].rsplit("/", 1)[1])
            while client.get(f"/practice/{set_id}").status_code == 200:
                delivery = current_delivery(app, set_id)
                shown = course(app).by_id[delivery.question_id]
                answered = client.post(f"/practice/{set_id}/answer", data={
                    "delivery": delivery.id, **answer_form(shown, delivery.layout)})
                if shown.id == q.id:
                    return client.get(answered.headers["Location"]).get_data(as_text=True)
        raise AssertionError("the question never came up")

    page = study_page()
    assert note in page and "<h2>答案</h2>" not in page and "<h2>解析</h2>" not in page
    page = feedback_page()
    assert note in page and "回答正确" not in page and "正确答案" not in page and "<h2>解析</h2>" not in page
    # an earlier paper's result hides the questions it shares with the running one
    on_both = {i["question_id"] for i in items} & {i["question_id"] for i in paper_of(app, first_paper).items}
    result = client.get(f"/exams/{first_paper}/result").get_data(as_text=True)
    assert result.count(note) == len(on_both)
    assert result.count("<div class=\"options\">") == 40 - len(on_both) and "及格" in result

    client.post(f"/exams/{paper_id}/submit")             # handed in: everything shows again
    page = study_page()
    assert note not in page and "<h2>答案</h2>" in page
    assert note not in feedback_page()
    assert note not in client.get(f"/exams/{first_paper}/result").get_data(as_text=True)
