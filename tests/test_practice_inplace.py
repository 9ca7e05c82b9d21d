"""Practice in place (docs/one-request.md) through the Flask test client and a real database: with
the X-Fragment header the question and feedback pages answer with their card alone, the answer's
POST answers with the feedback card (no redirect), and every rule of the whole-page flow holds:
one answer per question, CSRF, an assignment's deadline (409) and its withheld feedback."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from conftest import PASSWORD, answer_form, current_delivery, login, make_app, register, start_set, without_csrf_tokens
from test_assignments import QIDS, assign, client_as, course, school  # noqa: F401
from tutor.extensions import db
from tutor.models import Attempt
from tutor.questions import REGISTRY

FRAGMENT = {"X-Fragment": "1"}


def attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def shown(app, client, set_id: int):
    delivery = current_delivery(app, set_id)
    return delivery, course(app).by_id[delivery.question_id]


def answered_in_place(app, client, right: bool):
    """A new student's first practice answer, posted as inplace.js posts it: (set, delivery, response)."""
    register(client)
    set_id = start_set(client)
    delivery, q = shown(app, client, set_id)
    response = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                           data={"delivery": delivery.id, **answer_form(q, delivery.layout, right)})
    return set_id, delivery, response


def test_the_question_page_as_a_card_and_as_a_page(app, client) -> None:
    register(client)
    set_id = start_set(client)
    card = client.get(f"/practice/{set_id}", headers=FRAGMENT)
    assert card.status_code == 200 and card.headers["X-Fragment-Url"] == f"/practice/{set_id}"
    assert card.content_type == "text/html; charset=utf-8"
    assert "X-Fragment" in card.headers["Vary"] and card.headers["Cache-Control"] == "no-store"
    body = card.get_data(as_text=True).strip()
    assert body.startswith('<section class="card question" data-practice="question" data-title="练习 1/10" '
                           f'data-url="/practice/{set_id}">')
    assert body.endswith("</section>") and "<html" not in body and "<script" not in body
    assert "data-answer-form" in body and 'name="csrf_token"' in body
    page = client.get(f"/practice/{set_id}")
    assert page.mimetype == "text/html" and page.text.startswith("<!doctype html>") and "X-Fragment-Url" not in page.headers
    assert "X-Fragment" in page.headers["Vary"] and "<title>练习 1/10 · " in page.text
    assert '<script src="/static/inplace.js" defer></script>' in page.text
    assert without_csrf_tokens(body) in without_csrf_tokens(page.text), "the page holds the same card"


def test_an_answer_fetched_is_graded_stored_and_answered_with_the_feedback_card(app, client) -> None:
    set_id, delivery, answered = answered_in_place(app, client, True)
    feedback_url = f"/practice/{set_id}/{delivery.position}"
    assert answered.status_code == 200 and answered.headers["X-Fragment-Url"] == feedback_url
    body = answered.get_data(as_text=True)
    assert body.lstrip().startswith('<section class="card question" data-practice="feedback" data-title="回答正确" '
                                    f'data-url="{feedback_url}">')
    card, _, following = body.partition(f'<template data-ahead data-url="/practice/{set_id}">')
    assert "✓ 回答正确" in card and "<html" not in body
    # 下一题 opens the question page; the forms on the card come back to the feedback's URL
    assert f'data-prefetch data-next href="/practice/{set_id}">下一题' in card
    assert f'name="next" value="{feedback_url}"' in card and "/answer\"" not in card.split("<form", 1)[1]
    assert attempts(app) == 1
    # the same card as the feedback page's, which a reload of the pushed URL shows
    page = client.get(feedback_url)
    assert page.status_code == 200 and "<title>回答正确 · " in page.text
    assert without_csrf_tokens(card.strip()) == without_csrf_tokens(client.get(feedback_url, headers=FRAGMENT).text.strip())
    # and after it, inert, the next question's card: the one its URL gives, so 下一题 needs no request
    assert following.rstrip().endswith("</section></template>")
    question_card = client.get(f"/practice/{set_id}", headers=FRAGMENT).get_data(as_text=True).strip()
    assert '<span class="counter" aria-label="进度">2 / 10</span>' in question_card
    assert without_csrf_tokens(following.strip()[:-len("</template>")]) == without_csrf_tokens(question_card)
    assert attempts(app) == 1


def test_the_card_an_answer_comes_back_with_is_the_card_its_url_shows_for_every_type(app, client) -> None:
    """The POST shows the answer it has just stored without reading it back; the card must be
    the one a reload reads from the database, for each type's response and parts, right and
    wrong (a type whose answer JSON does not come back as it went in would differ here)."""
    register(client)
    for kind in REGISTRY:
        set_id = start_set(client, "all", f"|t={kind}")
        for right in (True, False):
            delivery, q = shown(app, client, set_id)
            assert q.type == kind
            posted = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                                 data={"delivery": delivery.id, **answer_form(q, delivery.layout, right)})
            assert posted.status_code == 200, (q.id, posted.status_code)
            card = posted.text.partition("<template data-ahead")[0].strip()
            assert ("✓ 回答正确" in card) == right, (q.id, right)
            reread = client.get(f"/practice/{set_id}/{delivery.position}", headers=FRAGMENT).text.strip()
            assert without_csrf_tokens(card) == without_csrf_tokens(reread), (q.id, right)
    assert attempts(app) == 2 * len(REGISTRY)


def test_no_next_card_where_下一题_does_not_open_a_question(app, client) -> None:
    """The set's last answer comes alone (下一题 is its result), and so does a feedback card
    fetched by URL: only an answer's POST carries the question after it."""
    set_id, delivery, first = answered_in_place(app, client, True)
    assert "<template data-ahead" in first.text
    assert "<template" not in client.get(f"/practice/{set_id}/{delivery.position}", headers=FRAGMENT).text
    for _ in range(9):
        delivery, q = shown(app, client, set_id)
        last = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                           data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    assert f'data-next href="/practice/{set_id}/summary">查看本组结果' in last.text and "<template" not in last.text


def test_a_second_fetch_of_the_same_answer_stores_nothing_and_shows_the_first(app, client) -> None:
    set_id, delivery, first = answered_in_place(app, client, False)
    q = course(app).by_id[delivery.question_id]
    assert "✗ 回答错误" in first.text
    again = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                        data={"delivery": delivery.id, **answer_form(q, delivery.layout, True)})
    assert again.status_code == 200 and "✗ 回答错误" in again.text and "回答正确" not in again.text
    assert again.headers["X-Fragment-Url"] == f"/practice/{set_id}/{delivery.position}"
    assert attempts(app) == 1


def test_a_refused_form_and_the_end_of_the_set(app, client) -> None:
    register(client)
    set_id = start_set(client)
    delivery, _ = shown(app, client, set_id)
    empty = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT, data={"delivery": delivery.id})
    assert empty.status_code == 400 and "X-Fragment-Url" not in empty.headers
    refused = re.search(r"<p class=\"flash flash-error\" data-refused>(.+)</p>", empty.text).group(1)
    # the whole page says the same on the question page, after its redirect
    whole = client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id}, follow_redirects=True)
    assert refused in whole.text and attempts(app) == 0
    # answered through: the question URL sends the fragment request to the set's result
    for _ in range(10):
        delivery, q = shown(app, client, set_id)
        assert client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                           data={"delivery": delivery.id, **answer_form(q, delivery.layout)}).status_code == 200
    done = client.get(f"/practice/{set_id}", headers=FRAGMENT)
    assert done.status_code == 204 and done.headers["X-Fragment-Navigate"] == f"/practice/{set_id}/summary"
    assert client.get(f"/practice/{set_id}").headers["Location"] == f"/practice/{set_id}/summary"
    last = client.get(f"/practice/{set_id}/9", headers=FRAGMENT).text
    assert f'data-next href="/practice/{set_id}/summary">查看本组结果' in last and "data-prefetch" not in last


def test_a_fetch_without_the_csrf_token_is_refused(tmp_path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/register").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/auth/register", data={"username": "xiaohong", "password": PASSWORD, "confirm": PASSWORD,
                                               "csrf_token": token}).status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)   # the signed-in session's
    started = client.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": "survey.methods",
                                                   "csrf_token": token})
    set_id = int(re.search(r"/practice/(\d+)$", started.headers["Location"]).group(1))
    card = client.get(f"/practice/{set_id}", headers=FRAGMENT).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', card).group(1)
    delivery, q = shown(app, client, set_id)
    form = {"delivery": delivery.id, **answer_form(q, delivery.layout)}
    refused = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT, data=form)
    assert refused.status_code == 400 and "表单已过期或无效" in refused.text and "请求无效" in refused.text
    forged = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT, data={**form, "csrf_token": "x" + token})
    assert forged.status_code == 400 and attempts(app) == 0
    taken = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT, data={**form, "csrf_token": token})
    assert taken.status_code == 200 and "data-practice=\"feedback\"" in taken.text and attempts(app) == 1
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def assignment_set(app, school, **settings) -> tuple[object, int]:  # noqa: F811
    """alice's client and her practice set of a new assignment of her class."""
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=QIDS, **settings)
    alice = client_as(app, "alice")
    started = alice.post(f"/assignments/{assignment_id}/start")
    return alice, int(re.search(r"/practice/(\d+)", started.headers["Location"]).group(1))


def test_a_closed_assignment_refuses_the_fetch_with_409(app, school) -> None:  # noqa: F811
    alice, set_id = assignment_set(app, school, title="截止后拒收")
    school["clock"].advance(days=2)
    delivery, q = shown(app, alice, set_id)
    late = alice.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                      data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    assert late.status_code == 409 and "作业已截止" in late.text and "这次的答案没有记录" in late.text
    assert "X-Fragment-Url" not in late.headers and attempts(app) == 0


def test_a_withheld_answer_stays_withheld_in_the_card(app, school) -> None:  # noqa: F811
    alice, set_id = assignment_set(app, school, show_answers="after_due")
    delivery, q = shown(app, alice, set_id)
    card = alice.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                      data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    assert card.status_code == 200 and 'data-title="答案已记录"' in card.text
    assert "答案已记录" in card.text and "回答正确" not in card.text and "回答错误" not in card.text
    assert "<h2>解析</h2>" not in card.text and "参考答案" not in card.text and attempts(app) == 1


def test_someone_elses_set_is_not_found_in_place(app, client) -> None:
    register(client)
    set_id = start_set(client)
    delivery, q = shown(app, client, set_id)
    other = app.test_client()
    register(other, "xiaohong")
    assert other.get(f"/practice/{set_id}", headers=FRAGMENT).status_code == 404
    assert other.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                      data={"delivery": delivery.id, **answer_form(q, delivery.layout)}).status_code == 404
    assert attempts(app) == 0
    assert login(client, "xiaoming").status_code == 302
