"""A question type is one module and its partials: a test-only type (tests/toy_number.py) is
registered into REGISTRY, and practice, feedback, the mock exam, the review, the collections and
the instructor's pages work for it with nothing else changed. Its content is a temporary course
with a blueprint that draws it, on a real database, through the test client."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

from tutor.extensions import db
from tutor.questions import REGISTRY

from conftest import current_delivery, login, make_app, make_instructor, register
from toy_number import NUMBER, TEMPLATES

COURSE = """\
id: toy
title: 数值练习
exam: 外贸业务员
topics:
  - id: calc
    name: 价格计算
    knowledge_points:
      - {id: calc.price, name: 报价换算}
exams:
  - id: numbers
    title: 数值模拟考试
    duration_minutes: 10
    parts:
      - {type: number, count: 3, points: 2}
"""
QUESTION = """\
  - id: calc.price-0{n}
    type: number
    knowledge_point: calc.price
    stem: 第 {n} 题：FOB 价 {n}0 加运费 2，CFR 价是多少
    answer: {answer}
    tolerance: 1
    unit: 美元
    explanation: CFR = FOB + 运费。
"""


def write_bank(course: Path, numbers: tuple[int, ...]) -> None:
    (course / "questions" / "calc.yaml").write_text("topic: calc\nquestions:\n" + "".join(
        QUESTION.format(n=n, answer=n * 10 + 2) for n in numbers), encoding="utf-8")


@pytest.fixture
def number_app(tmp_path: Path) -> Iterator[Flask]:
    """The app with 数值题 registered and its partials on the template path, for one test."""
    content = tmp_path / "content" / "toy"
    (content / "questions").mkdir(parents=True)
    (content / "course.yaml").write_text(COURSE, encoding="utf-8")
    write_bank(content, (1, 2, 3, 4))
    REGISTRY[NUMBER.name] = NUMBER
    try:
        app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(tmp_path / "content"))
        app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, FileSystemLoader(TEMPLATES)])
        yield app
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    finally:
        del REGISTRY[NUMBER.name]


def practise(app: Flask, client) -> tuple[int, object]:
    """Start a practice set on the toy course; its first question's delivery."""
    response = client.post("/practice/start", data={"course": "toy", "scope": "kp", "id": "calc.price"})
    set_id = int(re.search(r"/practice/(\d+)$", response.headers["Location"]).group(1))
    return set_id, current_delivery(app, set_id)


def test_the_toy_type_through_practice_feedback_and_collections(number_app: Flask) -> None:
    client = number_app.test_client()
    register(client)
    set_id, delivery = practise(number_app, client)
    q = number_app.extensions["tutor_content"].catalog.course("toy").by_id[delivery.question_id]

    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert 'name="number"' in page and "（单位：美元）" in page and "输入数值后回车提交" in page
    assert "数值题" in page

    # Its parser decides what is missing: asked again, nothing stored.
    for typed, message in (("", "请填写一个数"), ("十二", "请填写一个数，例如 12.5")):
        client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, "number": typed})
        assert message in client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert client.post(f"/practice/{set_id}/answer",
                       data={"delivery": delivery.id, "number": "nan"}).status_code == 400

    response = client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, "number": "7.5"})
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "你的答案：7.5 ✗" in feedback and f"参考答案：{q.answer}（误差 ±1.0）" in feedback

    client.post("/favourites/toggle", data={"course": "toy", "question": q.id})
    for url in ("/notebook", "/favourites", f"/practice/{set_id}/summary"):
        page = client.get(url).get_data(as_text=True)
        assert q.stem in page and "（单位：美元）" in page, url


def test_the_toy_type_on_a_mock_exam_and_the_instructor_pages(number_app: Flask) -> None:
    client = number_app.test_client()
    register(client)
    response = client.post("/exams/start", data={"course": "toy", "blueprint": "numbers"})
    paper_id = int(re.search(r"/exams/(\d+)$", response.headers["Location"]).group(1))
    page = client.get(f"/exams/{paper_id}?i=0").get_data(as_text=True)
    assert 'name="number"' in page and "（单位：美元）" in page

    course = number_app.extensions["tutor_content"].catalog.course("toy")
    with number_app.app_context():
        from tutor.models import ExamPaper
        items = db.session.get(ExamPaper, paper_id).items
    for index, item in enumerate(items):
        right = course.by_id[item["question_id"]].answer
        client.post(f"/exams/{paper_id}/answer",
                    data={"item": index, "number": str(right + 0.25 if index else right + 3)})
    # A saved answer is shown again in the toy's input.
    assert f'value="{course.by_id[items[1]["question_id"]].answer + 0.25}"' in \
        client.get(f"/exams/{paper_id}?i=1").get_data(as_text=True)
    client.post(f"/exams/{paper_id}/submit")
    result = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert result.count("numberreview") == 3 and result.count("✓") == 2 and "4 / 6" in result.replace(".0", "")

    make_instructor(number_app)
    client = number_app.test_client()
    login(client, "teacher")
    items_page = client.get("/instructor/items?course=toy").get_data(as_text=True)
    assert items_page.count("（单位：美元）") == 4
    preview = client.get(f"/instructor/questions/toy/{items[0]['question_id']}").get_data(as_text=True)
    assert 'name="number"' in preview and "numberkey" in preview and "数值题" in preview


def test_an_exam_question_removed_from_the_bank_shows_no_inputs_and_no_hint(number_app: Flask) -> None:
    client = number_app.test_client()
    register(client)
    response = client.post("/exams/start", data={"course": "toy", "blueprint": "numbers"})
    paper_id = int(re.search(r"/exams/(\d+)$", response.headers["Location"]).group(1))
    with number_app.app_context():
        from tutor.models import ExamPaper
        first = db.session.get(ExamPaper, paper_id).items[0]["question_id"]
    kept = tuple(n for n in (1, 2, 3, 4) if f"calc.price-0{n}" != first)
    write_bank(Path(number_app.config["TUTOR_CONTENT_DIR"]) / "toy", kept)
    response = client.get(f"/exams/{paper_id}?i=0")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "这道题已从题库中移除" in page
    assert 'name="number"' not in page and "keyhint" not in page


def test_a_type_leaves_the_registry_with_its_fixture() -> None:
    assert "number" not in REGISTRY
