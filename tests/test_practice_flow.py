"""Issue 16, the first hour of a real student, through the test client on the real content:
sequential practice wraps, sets remember their progress, 错题本 entries open and tell 未作答 from
答错, the feedback pages through a set, and no page shows a fill's raw {{1}} placeholder."""
from __future__ import annotations

import re

from sqlalchemy import select, update

from tutor.extensions import db
from tutor.models import Delivery, Favourite, NotebookEntry, PracticeSet

from conftest import answer_current, answer_form, register, start_mode

CHOOSE = "/practice/choose?course=chapter8&scope={scope}&id={id}"


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def set_id_of(response) -> int:
    assert response.status_code == 302, response.data
    return int(re.search(r"/practice/(\d+)$", response.headers["Location"]).group(1))


def first_question_of(app, set_id: int) -> str:
    with app.app_context():
        return db.session.get(PracticeSet, set_id).question_ids[0]


def sequential_note(client, scope: str, scope_id: str) -> str:
    page = client.get(CHOOSE.format(scope=scope, id=scope_id)).get_data(as_text=True)
    return re.search(r"<strong>顺序练习</strong><small>(.*?)</small>", page).group(1)


# --- 1. 顺序练习 wraps ---------------------------------------------------------------------------

def test_sequential_wraps_after_a_full_pass_of_a_knowledge_point(app, client, clock) -> None:
    register(client)
    bank = [q.id for q in course(app).by_knowledge_point["overview.definition"]]
    assert sequential_note(client, "kp", "overview.definition") == "按题库顺序从第 1 题开始"
    seen = []
    while len(seen) < len(bank):
        set_id = set_id_of(start_mode(client, "sequential", "kp", "overview.definition"))
        with app.app_context():
            size = len(db.session.get(PracticeSet, set_id).question_ids)
        for _ in range(size):
            seen.append(answer_current(app, client, set_id, True)[1].id)
        if len(seen) < len(bank):
            assert sequential_note(client, "kp", "overview.definition") == f"继续第 {len(seen) + 1} 题"
    assert seen == bank                                         # the whole point, in bank order, once
    assert sequential_note(client, "kp", "overview.definition") == "已做完一遍 · 从第 1 题开始第二遍"

    # the second pass starts at question 1, and moves on from there (it is not stuck on 1–10)
    second = set_id_of(start_mode(client, "sequential", "kp", "overview.definition"))
    assert first_question_of(app, second) == bank[0]
    assert [answer_current(app, client, second, True)[1].id for _ in range(3)] == bank[:3]
    assert sequential_note(client, "kp", "overview.definition") == "继续第 4 题"
    for _ in range(7):
        answer_current(app, client, second, True)
    third = set_id_of(start_mode(client, "sequential", "kp", "overview.definition"))
    assert first_question_of(app, third) == bank[10]


def test_sequential_over_all_questions_moves_on_past_the_first_ten(app, client, clock) -> None:
    register(client)
    everything = [q.id for t in course(app).topics for q in course(app).questions_in_topic(t.id)]
    for set_number in range(3):
        set_id = set_id_of(start_mode(client, "sequential", "all", ""))
        assert first_question_of(app, set_id) == everything[10 * set_number]
        for _ in range(10):
            answer_current(app, client, set_id, True)
        assert sequential_note(client, "all", "") == f"继续第 {10 * (set_number + 1) + 1} 题"


# --- 2. a set remembers its progress -------------------------------------------------------------

def test_an_abandoned_set_says_how_far_it_got_and_offers_to_resume(app, client, clock) -> None:
    register(client)
    home = client.get("/").get_data(as_text=True)
    assert "继续上次练习" not in home
    set_id = set_id_of(start_mode(client, "random", "kp", "churn.causes"))
    for correct in (True, False, True):
        answer_current(app, client, set_id, correct)

    summary = client.get(f"/practice/{set_id}/summary").get_data(as_text=True)
    assert "已答 3/10" in summary and "本组练习完成" not in summary
    assert f'href="/practice/{set_id}">继续</a>' in summary
    history = client.get("/progress/").get_data(as_text=True)
    assert "已答 3/10" in history and f'href="/practice/{set_id}" data-resume>继续</a>' in history
    home = client.get("/").get_data(as_text=True)
    card = home[home.index("继续上次练习"):]
    assert "随机练习 · 客户流失的原因" in card[:400] and "已答 3/10" in card[:600]
    assert f'href="/practice/{set_id}">继续</a>' in card[:800]

    # 继续 shows the fourth question of the same set
    assert client.get(f"/practice/{set_id}").status_code == 200
    for _ in range(7):
        answer_current(app, client, set_id, True)
    summary = client.get(f"/practice/{set_id}/summary").get_data(as_text=True)
    assert "本组练习完成" in summary and "9 / 10" in summary and "已答" not in summary
    assert "继续上次练习" not in client.get("/").get_data(as_text=True)
    history = client.get("/progress/").get_data(as_text=True)
    assert "9/10" in history and "已答 " not in history


def test_study_sets_and_sets_whose_questions_left_the_bank_are_not_offered(app, client, clock) -> None:
    register(client)
    set_id_of(start_mode(client, "study", "kp", "churn.causes"))
    assert "继续上次练习" not in client.get("/").get_data(as_text=True)

    set_id = set_id_of(start_mode(client, "random", "kp", "survey.steps"))
    answer_current(app, client, set_id, True)
    assert "继续上次练习" in client.get("/").get_data(as_text=True)
    with app.app_context():      # the questions still to answer are removed from the bank
        answered = select(Delivery.id).where(Delivery.set_id == set_id).order_by(Delivery.position).limit(1)
        db.session.execute(update(Delivery).where(Delivery.set_id == set_id, Delivery.id.not_in(answered))
                           .values(question_id="survey.steps-removed"))
        db.session.commit()
    assert "继续上次练习" not in client.get("/").get_data(as_text=True)
    summary = client.get(f"/practice/{set_id}/summary").get_data(as_text=True)
    assert "本组练习完成" in summary and "1 / 1" in summary


def test_the_home_card_offers_the_latest_unfinished_set(app, client, clock) -> None:
    register(client)
    older = set_id_of(start_mode(client, "random", "kp", "churn.causes"))
    answer_current(app, client, older, True)
    clock.advance(minutes=5)
    newer = set_id_of(start_mode(client, "sequential", "kp", "survey.steps"))
    for _ in range(2):
        answer_current(app, client, newer, True)
    home = client.get("/").get_data(as_text=True)
    card = home[home.index("继续上次练习"):][:800]
    assert "顺序练习 · 客户调查的步骤" in card and "已答 2/10" in card and f'href="/practice/{newer}"' in card


# --- 6. the feedback pages through the set ------------------------------------------------------

def test_feedback_pages_back_and_forth_through_the_answered_questions(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.methods"))
    for _ in range(3):
        answer_current(app, client, set_id, False)
    first = client.get(f"/practice/{set_id}/0").get_data(as_text=True)
    assert "上一题" not in first and f'data-next href="/practice/{set_id}/1">下一题' in first
    middle = client.get(f"/practice/{set_id}/1").get_data(as_text=True)
    assert f'data-prev href="/practice/{set_id}/0">上一题' in middle
    assert f'data-next href="/practice/{set_id}/2">下一题' in middle
    last = client.get(f"/practice/{set_id}/2").get_data(as_text=True)
    assert f'data-prev href="/practice/{set_id}/1">上一题' in last
    assert f'data-next href="/practice/{set_id}">下一题' in last          # the next unanswered one
    assert "解析" in middle


# --- 5. 错题本 ---------------------------------------------------------------------------------

def start_exam(client) -> int:
    response = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"})
    assert response.status_code == 302
    return int(re.search(r"/exams/(\d+)$", response.headers["Location"]).group(1))


def test_blank_exam_answers_are_marked_unanswered_and_filtered(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "churn.causes"))
    _, wrong_q, _ = answer_current(app, client, set_id, False)

    paper_id = start_exam(client)
    with app.app_context():
        from tutor.models import ExamPaper
        items = db.session.get(ExamPaper, paper_id).items
    answered = items[0]
    q = course(app).by_id[answered["question_id"]]
    client.post(f"/exams/{paper_id}/answer", data={"item": 0, **answer_form(q, answered["layout"], False)})
    assert client.post(f"/exams/{paper_id}/submit").status_code == 302
    blank_ids = {item["question_id"] for item in items[1:]} - {wrong_q.id, q.id}
    with app.app_context():
        entries = {e.question_id: e for e in db.session.scalars(select(NotebookEntry))}
    assert {qid for qid, e in entries.items() if e.blank_count} == blank_ids
    assert entries[q.id].blank_count == 0 and entries[wrong_q.id].blank_count == 0

    everything = client.get("/notebook").get_data(as_text=True)
    assert everything.count("data-entry") == len(entries)
    assert everything.count('<span class="tag blanktag">未作答</span>') == len(blank_ids)
    assert 'class="bad"' not in everything                       # rows are neutral, not red
    blank = client.get("/notebook?show=blank").get_data(as_text=True)
    assert blank.count("data-entry") == len(blank_ids) and "错 1 次" not in blank
    wrong = client.get("/notebook?show=wrong").get_data(as_text=True)
    assert wrong.count("data-entry") == 2 and "未作答</span>" not in wrong and wrong.count("错 1 次") == 2
    assert 'aria-current="page">未作答' in blank and 'aria-current="page">答错' in wrong


def test_a_notebook_entry_opens_with_the_wrong_answers_key_and_explanation(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.methods"))
    _, q, _ = answer_current(app, client, set_id, False)
    clock.advance(hours=13)                                   # 10:00 + 13 h: 23:00 in Shanghai
    notebook_set = set_id_of(start_mode(client, "notebook"))
    assert answer_current(app, client, notebook_set, False)[1].id == q.id
    page = client.get("/notebook").get_data(as_text=True)
    link = f"/notebook/chapter8/{q.id}"
    assert f'href="{link}"' in page and "错 2 次" in page

    entry = client.get(link).get_data(as_text=True)
    assert "11月29日 10:00" in entry and "11月29日 23:00" in entry
    assert entry.index("11月29日 23:00") < entry.index("11月29日 10:00")      # newest first
    assert "正确答案" in entry and "解析" in entry and "复习课文" in entry and "移出错题本" in entry
    assert entry.count("看这次的作答") == 2 and "你的选择" in entry

    response = client.post(f"{link}/remove")
    assert response.status_code == 302 and response.headers["Location"] == "/notebook"
    with app.app_context():
        assert db.session.scalar(select(NotebookEntry)) is None
    assert client.get(link).status_code == 404


def test_another_students_notebook_entry_is_not_found(app, client, clock) -> None:
    register(client, "alice")
    set_id = set_id_of(start_mode(client, "random", "kp", "churn.causes"))
    _, q, _ = answer_current(app, client, set_id, False)
    client.post("/auth/logout")
    register(client, "bob")
    assert client.get(f"/notebook/chapter8/{q.id}").status_code == 404
    client.post(f"/notebook/chapter8/{q.id}/remove")
    with app.app_context():
        assert db.session.scalar(select(NotebookEntry.question_id)) == q.id


# --- 4. ☆收藏 answers the script in JSON, the plain form with a redirect ---------------------------

def test_starring_answers_json_to_the_script_and_redirects_the_plain_form(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "churn.causes"))
    client.get(f"/practice/{set_id}")
    q_id = first_question_of(app, set_id)
    form = {"course": "chapter8", "question": q_id, "next": f"/practice/{set_id}"}
    starred = client.post("/favourites/toggle", data=form, headers={"Accept": "application/json"})
    assert starred.get_json() == {"starred": True, "message": "已收藏"}
    unstarred = client.post("/favourites/toggle", data=form, headers={"Accept": "application/json"})
    assert unstarred.get_json() == {"starred": False, "message": "已取消收藏"}
    plain = client.post("/favourites/toggle", data=form)
    assert plain.status_code == 302 and plain.headers["Location"] == f"/practice/{set_id}"
    with app.app_context():
        assert db.session.scalar(select(Favourite.question_id)) == q_id
    assert "★ 已收藏" in client.get(f"/practice/{set_id}").get_data(as_text=True)


# --- 3. no raw fill-in placeholders ------------------------------------------------------------

def test_no_page_of_the_collections_or_the_summary_shows_a_raw_placeholder(app, client, clock) -> None:
    register(client)
    bank = course(app)
    with_blanks = [q for q in bank.by_id.values()
                   if q.type == "fill" or any(sub.type == "fill" for sub in getattr(q, "questions", ()))]
    assert len(with_blanks) >= 20 and any(q.type == "case" for q in with_blanks)
    for q in with_blanks:
        client.post("/favourites/toggle", data={"course": "chapter8", "question": q.id})
    favourites = client.get("/favourites").get_data(as_text=True)
    assert "{{" not in favourites and favourites.count("＿＿＿") >= 20

    summaries = []
    while True:       # practise the starred questions ten at a time, all wrong, and unstar them
        response = start_mode(client, "favourites")
        if "/practice/" not in response.headers["Location"]:
            break
        set_id = set_id_of(response)
        with app.app_context():
            ids = db.session.get(PracticeSet, set_id).question_ids
        for _ in ids:
            answer_current(app, client, set_id, False)
        for qid in ids:
            client.post("/favourites/toggle", data={"course": "chapter8", "question": qid})
        summaries.append(client.get(f"/practice/{set_id}/summary").get_data(as_text=True))
    assert len(summaries) == 3
    for page in summaries:
        assert "本组练习完成" in page and "{{" not in page

    notebook = client.get("/notebook").get_data(as_text=True)
    assert notebook.count("data-entry") == len(with_blanks)
    assert "{{" not in notebook and notebook.count("＿＿＿") >= 20
    for q in with_blanks:
        entry = client.get(f"/notebook/chapter8/{q.id}").get_data(as_text=True)
        assert "{{" not in entry and "（1）＿＿＿" in entry, q.id


def test_a_notebook_entry_hides_key_and_explanation_while_its_question_is_on_a_running_exam(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    with app.app_context():
        from tutor.models import ExamPaper
        q_id = db.session.get(ExamPaper, paper_id).items[0]["question_id"]
    q = course(app).by_id[q_id]
    client.post("/favourites/toggle", data={"course": "chapter8", "question": q_id})
    set_id = set_id_of(start_mode(client, "favourites"))
    assert answer_current(app, client, set_id, False)[1].id == q_id
    entry = client.get(f"/notebook/chapter8/{q_id}").get_data(as_text=True)
    assert "考试进行中" in entry and "正确答案" not in entry and "你的作答记录" not in entry
    assert "<h2>解析</h2>" not in entry and str(q.explanation)[:12] not in entry
    client.post(f"/exams/{paper_id}/submit")
    entry = client.get(f"/notebook/chapter8/{q_id}").get_data(as_text=True)
    assert "考试进行中" not in entry and "正确答案" in entry and "你的作答记录" in entry
