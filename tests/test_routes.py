"""Every registered route, walked as anonymous, as the owning student, as another student and as
an instructor. A new route must be added to ACCESS, so none is left open by accident."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import answer_form, current_delivery, login, make_instructor, register, start_set

PUBLIC, USER, OWNER, INSTRUCTOR = "public", "user", "owner", "instructor"
# endpoint -> who may use it. OWNER routes take an id belonging to one student; READ_ALSO lets
# instructors read (never change) them.
ACCESS = {
    "static": PUBLIC, "study.home": PUBLIC, "study.lesson": PUBLIC,
    "auth.login": PUBLIC, "auth.register": PUBLIC,
    "auth.logout": USER, "auth.password": USER,
    "collections.favourites": USER, "collections.notebook": USER, "collections.toggle_favourite": USER,
    "collections.notebook_entry": USER, "collections.remove_from_notebook": USER,
    "exam.index": USER, "exam.start": USER,
    "exam.answer": OWNER, "exam.confirm": OWNER, "exam.item": OWNER, "exam.result": OWNER,
    "practice.choose": USER, "practice.start": USER,
    "practice.answer": OWNER, "practice.feedback": OWNER, "practice.question": OWNER, "practice.summary": OWNER,
    "practice.self_assessment": OWNER,
    "progress.mine": USER, "progress.student": OWNER,
    "instructor.content": INSTRUCTOR, "instructor.heatmap": INSTRUCTOR, "instructor.items": INSTRUCTOR,
    "instructor.items_csv": INSTRUCTOR, "instructor.knowledge_point": INSTRUCTOR,
    "instructor.preview": INSTRUCTOR, "instructor.students": INSTRUCTOR, "instructor.students_csv": INSTRUCTOR,
    "instructor.import_questions": INSTRUCTOR, "instructor.download_yaml": INSTRUCTOR,
    "instructor.import_template": INSTRUCTOR, "instructor.review_queue": INSTRUCTOR,
    "instructor.review_answer": INSTRUCTOR, "instructor.publish_import": INSTRUCTOR,
    # a picture a lesson names is public like its page; chapter 8 names none, so here it is USER
    "media.picture": USER,
}
READ_ALSO = {"exam.result", "practice.feedback", "practice.summary", "progress.student"}
# Routes the operator turns on (TUTOR_CONTENT_WRITABLE); off, as here, they answer 404 to instructors.
SWITCHED_OFF = {"instructor.publish_import"}


@pytest.fixture
def world(app):
    """alice owns a practice set (one answer) and a mock exam paper; bob is another student."""
    alice = app.test_client()
    register(alice, "alice")
    set_id = start_set(alice, "kp", "survey.methods")
    alice.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
    alice.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, **answer_form(q, delivery.layout)})
    paper = alice.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).headers["Location"]
    paper_id = int(re.search(r"(\d+)$", paper).group(1))
    bob = app.test_client()
    register(bob, "bob")
    make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")
    from tutor.models import User
    from tutor.extensions import db
    with app.app_context():
        alice_id = db.session.scalar(db.select(User.id).where(User.username == "alice"))
        from tutor.models import Attempt
        attempt_id = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == alice_id))
    values = {"attempt_id": attempt_id, "set_id": set_id, "paper_id": paper_id, "user_id": alice_id, "position": 0,
              "course_id": "chapter8", "kp_id": "survey.methods", "question_id": "survey.methods-01",
              "lesson_id": "survey", "filename": "style.css",
              "name": "images/none.png"}
    return {"anonymous": app.test_client(), "alice": alice, "bob": bob, "teacher": teacher, "values": values}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_classified(app) -> None:
    assert {rule.endpoint for rule, _ in routes(app)} == set(ACCESS)


def test_walk_every_route_as_every_role(app, world) -> None:
    # logging out would change who the later requests are made as: walk it last
    for rule, method in sorted(routes(app), key=lambda r: r[0].endpoint == "auth.logout"):
        url = rule.build({k: v for k, v in world["values"].items() if k in rule.arguments}, append_unknown=False)[1]
        kind = ACCESS[rule.endpoint]
        for role in ("anonymous", "bob", "teacher", "alice"):
            response = getattr(world[role], method.lower())(url)
            status = response.status_code
            where = f"{method} {url} as {role}"
            assert status < 500, where
            if kind == PUBLIC:
                continue
            if role == "anonymous":
                assert status == 302 and "/auth/login" in response.headers["Location"], where
            elif kind == INSTRUCTOR:
                expected = (200, 400) if method == "POST" else (200,)   # a POST without its form
                expected = (404,) if rule.endpoint in SWITCHED_OFF else expected
                assert status in (expected if role == "teacher" else (403,)), where
            elif kind == OWNER and role == "bob":
                assert status in (403, 404), where
            elif kind == OWNER and role == "teacher":
                if rule.endpoint in READ_ALSO and method == "GET":
                    assert status in (200, 302), where
                else:
                    assert status in (403, 404), where
            elif kind == OWNER:                     # alice, on her own set and paper
                assert status in (200, 302, 400, 409), where
            else:                                   # called without its form or query: 4xx at most
                assert status in (200, 302, 400, 404, 409), where


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_form_post_to_any_route_is_never_a_5xx(app, world, data) -> None:
    post_routes = [(rule, m) for rule, m in routes(app) if m == "POST"]
    rule, _ = data.draw(st.sampled_from(post_routes))
    url = rule.build({k: v for k, v in world["values"].items() if k in rule.arguments}, append_unknown=False)[1]
    keys = st.sampled_from(["choice", "delivery", "item", "go", "flag", "course", "mode", "scope", "id",
                            "blueprint", "question", "next", "username", "password", "confirm", "current",
                            "blank-0", "rank-0", "rank-1", "match-0", "text", "s0-choice", "s1-blank-0"])
    values = st.one_of(st.text(max_size=30), st.integers(-5, 10**9).map(str), st.sampled_from(["0", "1", "true", "finish", "submit", "chapter8", "mock", "kp", "all", "survey.methods"]))
    form = data.draw(st.dictionaries(keys, st.lists(values, min_size=1, max_size=3), max_size=6))
    client = world[data.draw(st.sampled_from(["alice", "bob", "teacher", "anonymous"]))]
    response = client.post(url, data=form)
    assert response.status_code < 500, (url, form)


# Numbers an attacker can send: `²` passes str.isdigit() but not int(); the others are beyond the
# database's integer range (PostgreSQL: NumericValueOutOfRange; SQLite: OverflowError) or huge.
BAD_NUMBERS = ["²", "٣", "9" * 5000, str(2**31), str(2**63), "9" * 20]
NUMBER_FIELDS = ("i", "item", "go", "delivery", "choice", "rank-0", "match-0", "s0-choice", "position")


def test_bad_numbers_in_urls_forms_and_query_strings_are_never_a_5xx(app, world) -> None:
    from urllib.parse import quote

    from werkzeug.routing import IntegerConverter
    study = world["alice"].post("/practice/start", data={"course": "chapter8", "mode": "study", "scope": "all"})
    study_path = study.headers["Location"]
    for rule, method in routes(app):
        if rule.endpoint == "auth.logout":
            continue
        numeric = [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]
        good = rule.build({k: v for k, v in world["values"].items() if k in rule.arguments},
                          append_unknown=False)[1]
        for bad in BAD_NUMBERS:
            urls = [good]
            for name in numeric:     # the same URL with one of its numbers replaced
                values = {k: v for k, v in world["values"].items() if k in rule.arguments}
                values[name] = 7654321
                urls.append(rule.build(values, append_unknown=False)[1].replace("7654321", quote(bad)))
            for url in urls:
                for role in ("alice", "teacher"):
                    client = world[role]
                    fields = {name: bad for name in NUMBER_FIELDS}
                    if method == "POST":
                        response = client.post(url, data=fields)
                    else:
                        response = client.get(url, query_string=fields)
                    assert response.status_code < 500, (method, url[:80], role, bad[:20])
        assert world["alice"].get(study_path, query_string={"i": "²"}).status_code == 200
    for path in ("/exams/99999999999999999999", "/practice/99999999999999999999/0", "/progress/²"):
        assert world["alice"].get(path).status_code == 404, path
