"""Every registered route, walked as anonymous, as the owning student, as another student, as an
admin and as an instructor who does not teach the student; and every class route as each person
a class can have. A new route must be added to ACCESS, so none is left open by accident."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (answer_form, current_delivery, login, make_class, make_instructor, make_user, register,
                      start_set)

PUBLIC, USER, OWNER, INSTRUCTOR = "public", "user", "owner", "instructor"
ADMIN = "admin"             # admins only
CLASS = "class"             # the teachers of the class in the URL: its owner, co-teachers, admins
WORK = "work"               # the teachers of the class of the assignment in the URL
IN_CLASS = "in_class"       # the students of the class of the assignment in the URL
# endpoint -> who may use it. OWNER routes take an id belonging to one student; READ_ALSO lets
# instructors read (never change) them.
ACCESS = {
    "static": PUBLIC, "study.home": PUBLIC, "study.lesson": PUBLIC,
    "search.index": PUBLIC, "search.question": USER,
    "auth.login": PUBLIC, "auth.register": PUBLIC,
    "auth.logout": USER, "auth.password": USER,
    "collections.favourites": USER, "collections.notebook": USER, "collections.toggle_favourite": USER,
    "collections.notebook_entry": USER, "collections.remove_from_notebook": USER,
    "exam.index": USER, "exam.start": USER,
    "exam.answer": OWNER, "exam.confirm": OWNER, "exam.item": OWNER, "exam.result": OWNER,
    "practice.choose": USER, "practice.start": USER,
    "practice.answer": OWNER, "practice.feedback": OWNER, "practice.question": OWNER, "practice.summary": OWNER,
    "practice.self_assessment": OWNER,
    "pwa.manifest": PUBLIC, "pwa.worker": PUBLIC, "pwa.offline": PUBLIC,
    "progress.mine": USER, "progress.student": OWNER,
    "instructor.content": INSTRUCTOR, "instructor.heatmap": INSTRUCTOR, "instructor.items": INSTRUCTOR,
    "instructor.items_csv": INSTRUCTOR, "instructor.knowledge_point": INSTRUCTOR,
    "instructor.preview": INSTRUCTOR, "instructor.students": INSTRUCTOR, "instructor.students_csv": INSTRUCTOR,
    "instructor.import_questions": INSTRUCTOR, "instructor.download_yaml": INSTRUCTOR,
    "instructor.import_template": INSTRUCTOR, "instructor.review_queue": INSTRUCTOR,
    "instructor.review_answer": INSTRUCTOR, "instructor.publish_import": INSTRUCTOR,
    # a picture a lesson names is public like its page; chapter 8 names none, so here it is USER
    "media.picture": USER,
    "classes.index": INSTRUCTOR, "classes.create": INSTRUCTOR, "classes.join": USER,
    "classes.detail": CLASS, "classes.qr_code": CLASS, "classes.join_code": CLASS, "classes.archive": CLASS,
    "classes.remove_student": CLASS, "classes.move_student": CLASS, "classes.add_assistant": CLASS,
    "classes.remove_assistant": CLASS, "classes.roster_preview": CLASS, "classes.roster_confirm": CLASS,
    "classes.roster_passwords": CLASS,
    "admin.instructors": ADMIN, "admin.create_instructor": ADMIN, "admin.set_active": ADMIN,
    "assignments.index": INSTRUCTOR, "assignments.new": CLASS, "assignments.mine": USER,
    "assignments.report": WORK, "assignments.report_csv": WORK, "assignments.change_due": WORK,
    "assignments.delete": WORK, "assignments.submission": WORK, "assignments.comment": WORK,
    "assignments.show": IN_CLASS, "assignments.start": IN_CLASS,
    "account.index": USER, "account.export": USER, "account.close": USER,
    "account.cancel_closure": USER,
    "account.admin_search": ADMIN, "account.admin_export": ADMIN,
    "account.admin_close": ADMIN,
    "settings.index": USER,
    "feedbackloop.save_note": USER, "feedbackloop.report": USER, "feedbackloop.mine": USER,
    "feedbackloop.queue": INSTRUCTOR, "feedbackloop.handle": INSTRUCTOR,
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
    make_instructor(app)                 # an admin: teaches every class
    teacher = app.test_client()
    login(teacher, "teacher")
    make_user(app, "outsider", "instructor")
    make_class(app, "outsider", "另一个班", students=("bob",))
    outsider = app.test_client()       # an instructor, but not of alice's class
    login(outsider, "outsider")
    make_user(app, "owner", "instructor")
    class_id, _ = make_class(app, "owner", students=("alice",))
    from tutor.models import User
    from tutor.extensions import db
    with app.app_context():
        alice_id = db.session.scalar(db.select(User.id).where(User.username == "alice"))
        from tutor.models import Attempt
        attempt_id = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == alice_id))
    assignment_id, submission_id = assignment_started_by(app, class_id, alice)
    values = {"class_id": class_id, "attempt_id": attempt_id, "assignment_id": assignment_id,
              "submission_id": submission_id, "set_id": set_id, "paper_id": paper_id, "user_id": alice_id, "position": 0,
              "course_id": "chapter8", "kp_id": "survey.methods", "question_id": "survey.methods-01",
              "lesson_id": "survey", "filename": "style.css", "file_format": "zip",
              "report_id": 1,
              "name": "images/none.png"}
    return {"anonymous": app.test_client(), "alice": alice, "bob": bob, "teacher": teacher, "outsider": outsider,
            "values": values}


def assignment_started_by(app, class_id: int, student) -> tuple[int, int]:
    """A practice assignment of the class, open for a year, with the student's try begun."""
    from datetime import datetime

    from tutor.extensions import db
    from tutor.models import Assignment, SchoolClass, Submission
    with app.app_context():
        owner_id = db.session.get(SchoolClass, class_id).created_by
        assignment = Assignment(class_id=class_id, course_id="chapter8", title="作业", kind="practice",
                                question_ids=["survey.methods-01", "survey.methods-02"], created_by=owner_id,
                                opens_at=datetime(2020, 1, 1), due_at=datetime(2099, 1, 1))
        db.session.add(assignment)
        db.session.commit()
        assignment_id = assignment.id
    assert student.post(f"/assignments/{assignment_id}/start").status_code == 302
    with app.app_context():
        return assignment_id, db.session.scalar(db.select(Submission.id).where(Submission.assignment_id == assignment_id))


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_classified(app) -> None:
    assert {rule.endpoint for rule, _ in routes(app)} == set(ACCESS)


def test_walk_every_route_as_every_role(app, world) -> None:
    # logging out would change who the later requests are made as: walk it last; the class routes
    # (archive, remove a student) change who is in alice's class: walk them just before
    for rule, method in sorted(routes(app), key=lambda r: (r[0].endpoint == "auth.logout",
                                                           r[0].endpoint.startswith("classes."))):
        url = rule.build({k: v for k, v in world["values"].items() if k in rule.arguments}, append_unknown=False)[1]
        kind = ACCESS[rule.endpoint]
        for role in ("anonymous", "bob", "outsider", "teacher", "alice"):
            response = getattr(world[role], method.lower())(url)
            status = response.status_code
            where = f"{method} {url} as {role}"
            assert status < 500, where
            if kind == PUBLIC:
                continue
            if role == "anonymous":
                assert status == 302 and "/auth/login" in response.headers["Location"], where
            elif kind == IN_CLASS:              # alice's class's assignment; its teachers see the report
                if role == "alice":
                    assert status in (200, 302), where
                elif role == "teacher" and method == "GET":
                    assert status == 302 and "/report" in response.headers["Location"], where
                else:
                    assert status == 404, where
            elif kind in (INSTRUCTOR, CLASS, ADMIN, WORK):
                # a POST without its form; a class POST may also name nobody (404) or redirect
                expected = (200, 302, 400, 404) if method == "POST" else (200,)
                expected = (404,) if rule.endpoint in SWITCHED_OFF else expected
                if role == "teacher":
                    assert status in expected, where
                elif role == "outsider" and kind == INSTRUCTOR:
                    assert status in expected, where
                elif role == "outsider":        # not alice's class's teacher; not an admin
                    assert status in ((404,) if kind in (CLASS, WORK) else (403,)), where
                else:
                    assert status == 403, where
            elif kind == OWNER and role in ("bob", "outsider"):     # outsider does not teach alice
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


CLASS_PEOPLE = ("anonymous", "alice", "bob", "outsider", "assistant", "admin", "owner")


@pytest.fixture
def classroom(app):
    """alice is a student of owner's class (helper assists it); bob is a student of outsider's
    class only; admin is an admin."""
    for name in ("alice", "bob"):
        make_user(app, name, "student")
    for name in ("owner", "helper", "outsider"):
        make_user(app, name, "instructor")
    make_user(app, "admin", "admin")
    class_id, _ = make_class(app, "owner", students=("alice",), assistants=("helper",))
    other_id, _ = make_class(app, "outsider", "另一个班", students=("bob",))
    clients = {"anonymous": app.test_client()}
    for role, name in (("alice", "alice"), ("bob", "bob"), ("outsider", "outsider"), ("assistant", "helper"),
                       ("admin", "admin"), ("owner", "owner")):
        clients[role] = app.test_client()
        login(clients[role], name)
    assignment_id, submission_id = assignment_started_by(app, class_id, clients["alice"])
    return clients, {"class_id": class_id, "user_id": 0, "other": other_id, "assignment_id": assignment_id,
                     "submission_id": submission_id}


def test_walk_every_class_route_as_everyone_a_class_can_have(app, classroom) -> None:
    """Strangers first and the class's teachers last: a teacher's POST (archive, remove) may
    change the class, and what the strangers are refused must not depend on it."""
    from tutor.extensions import db
    from tutor.models import User
    clients, values = classroom
    with app.app_context():
        values["user_id"] = db.session.scalar(db.select(User.id).where(User.username == "alice"))
    class_routes = [(rule, m) for rule, m in routes(app) if ACCESS[rule.endpoint] in (CLASS, WORK)]
    assert len(class_routes) == 19
    for rule, method in class_routes:
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False)[1]
        for role in CLASS_PEOPLE:
            response = getattr(clients[role], method.lower())(url)
            status, where = response.status_code, f"{method} {url} as {role}"
            if role == "anonymous":
                assert status == 302 and "/auth/login" in response.headers["Location"], where
            elif role in ("alice", "bob"):
                assert status == 403, where
            elif role == "outsider":
                assert status == 404, where       # another teacher's class is as if it did not exist
            elif rule.endpoint == "classes.archive" and role == "assistant":
                assert status == 403, where       # a co-teacher cannot archive
            elif method == "GET":
                assert status == 200, where
            else:
                assert status in (200, 302, 400, 404), where
    # and nobody but the teachers changed the class: the outsider's own class is untouched
    with app.app_context():
        from tutor.models import ClassMember, SchoolClass
        other = db.session.get(SchoolClass, values["other"])
        assert other.archived_at is None and other.join_code
        assert db.session.scalar(db.select(db.func.count()).select_from(ClassMember)
                                 .where(ClassMember.class_id == other.id)) == 2
