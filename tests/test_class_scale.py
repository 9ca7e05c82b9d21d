"""Classes at scale: the class roster (classes.detail) and the class overview (instructor.students)
list 50 students a page, searched by 姓名 or 学号, on the real app and database."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import event, insert, select

from conftest import login, make_class, make_user
from tutor.extensions import db
from tutor.models import MEMBER_STUDENT, ClassMember, User, username_key

STUDENTS = 120
# Odd 学号 and 姓名 for the search: LIKE's wildcards and its escape character, in the data.
ODD = [("odd_one", "百分%之百"), ("oddXone", "百分之百"), ("back\\slash", "反斜杠"), ("MiXeD07", "Zhang Wei")]


def roster_rows(page: str) -> list[str]:
    """The 学号 of the students listed (each links to the student's progress page)."""
    return re.findall(r'<a href="/progress/\d+">([^<]+)</a>', page)


def client_as(app: Flask, name: str) -> Any:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


@pytest.fixture
def big_class(app: Flask) -> dict[str, Any]:
    """owner teaches 大班 (120 students s0000..s0119 named 学生0000.., plus ODD); outsider teaches
    another class."""
    make_user(app, "owner", "instructor")
    make_user(app, "outsider", "instructor")
    people = [(f"s{i:04d}", f"学生{i:04d}") for i in range(STUDENTS)] + ODD
    with app.app_context():
        # One insert with a placeholder hash: these students never log in, and hashing 124
        # passwords (PBKDF2) would take a minute.
        db.session.execute(insert(User), [{"username": u, "username_key": username_key(u), "password_hash": "x",
                                           "role": "student", "display_name": n, "session_token": f"t{u}"}
                                          for u, n in people])
        db.session.commit()
    first, _ = make_class(app, "owner", "大班", students=tuple(u for u, _ in people))
    other, _ = make_class(app, "outsider", "小班", students=("s0000",))
    return {"first": first, "other": other, "total": len(people)}


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app runs while the test is on."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_roster_lists_50_a_page_cut_in_the_database(app, big_class, statements) -> None:
    owner = client_as(app, "owner")
    url = f"/classes/{big_class['first']}"
    statements.clear()
    first = owner.get(url).get_data(as_text=True)
    assert f"{big_class['total']} 名学生" in first
    names = roster_rows(first)
    assert len(names) == 50 and names[0] == "MiXeD07" and "第 1–50 名，共 124 名" in first
    assert "第 1/3 页" in first and f'href="{url}?page=2"' in first
    # the page was cut by the query (LIMIT), not by loading the class and slicing
    roster = [s for s in statements if "class_members" in s and "LIMIT" in s.upper()]
    assert roster, statements
    second = roster_rows(owner.get(url, query_string={"page": 2}).get_data(as_text=True))
    assert len(second) == 50 and not set(second) & set(names)
    last = owner.get(url, query_string={"page": 3}).get_data(as_text=True)
    assert len(roster_rows(last)) == 24 and "第 101–124 名，共 124 名" in last
    # a page past the end, or not a number: the nearest page there is
    for beyond in ("99", "9" * 400):
        assert roster_rows(owner.get(url, query_string={"page": beyond}).get_data(as_text=True)) == roster_rows(last)
    for junk in ("abc", "-1", "0", "9" * 5000, "²"):
        assert roster_rows(owner.get(url, query_string={"page": junk}).get_data(as_text=True)) == names, junk


def test_the_roster_is_searched_by_name_and_number(app, big_class) -> None:
    owner = client_as(app, "owner")
    url = f"/classes/{big_class['first']}"

    def found(q: str, **extra: Any) -> list[str]:
        response = owner.get(url, query_string={"q": q, **extra})
        assert response.status_code == 200, q
        return roster_rows(response.get_data(as_text=True))
    assert found("学生0042") == ["s0042"]                       # 姓名
    assert found("s011") == [f"s011{i}" for i in range(10)]    # 学号, a substring
    assert found("mixed") == ["MiXeD07"] and found("ＭＩＸＥＤ") == ["MiXeD07"]    # any case, full width
    assert found("zhang wei") == ["MiXeD07"]                   # a 姓名 in any case
    # LIKE's wildcards and escape match themselves only
    assert found("%") == ["odd_one"] and found("_") == ["odd_one"]
    assert found("d_o") == ["odd_one"] and found("\\") == ["back\\slash"]
    assert found("%之") == ["odd_one"]
    # a search of several pages is paged, and the pager keeps it
    page = owner.get(url, query_string={"q": "学生"}).get_data(as_text=True)
    assert "找到 120 名姓名或学号包含“学生”的学生" in page and len(roster_rows(page)) == 50
    assert f'href="{url}?page=2&amp;q=%E5%AD%A6%E7%94%9F"' in page
    assert len(found("学生", page=3)) == 20
    # nothing found: said so, in Chinese; a very long or odd text is safe
    for q in ("没有这个人", "x" * 5000, "' OR 1=1 --", "无此\x00人"):
        text = owner.get(url, query_string={"q": q}).get_data(as_text=True)
        assert roster_rows(text) == [] and "没有找到姓名或学号包含" in text, q
    # blank, or control characters only (a NUL would be refused by PostgreSQL): the whole class
    assert len(found("   ")) == 50 and len(found("\x00\t")) == 50


def test_member_actions_come_back_to_the_same_page_and_search(app, big_class) -> None:
    owner = client_as(app, "owner")
    first = big_class["first"]
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.username == "s0070"))
    response = owner.post(f"/classes/{first}/students/{target}/remove", data={"page": "2", "q": "学生"})
    assert response.headers["Location"].endswith(f"/classes/{first}?page=2&q=%E5%AD%A6%E7%94%9F")
    with app.app_context():
        assert db.session.scalar(select(ClassMember.id).where(ClassMember.class_id == first,
                                                              ClassMember.user_id == target)) is None


def test_the_class_overview_pages_and_searches(app, big_class) -> None:
    owner = client_as(app, "owner")
    args = {"class": big_class["first"]}
    first = owner.get("/instructor/", query_string=args).get_data(as_text=True)
    names = roster_rows(first)
    assert len(names) == 50 and "第 1–50 名，共 124 名" in first and "第 1/3 页" in first
    assert "学生0000" in first                                   # the 姓名 beside the 学号
    second = owner.get("/instructor/", query_string={**args, "page": 2}).get_data(as_text=True)
    assert len(roster_rows(second)) == 50 and not set(roster_rows(second)) & set(names)
    # sorted by a column, then paged: the pager keeps the class, the sort and the search
    page = owner.get("/instructor/", query_string={**args, "sort": "answered", "dir": "desc", "q": "学生"})
    text = page.get_data(as_text=True)
    assert "找到 120 名" in text and len(roster_rows(text)) == 50
    link = re.search(r'<a class="pagebutton" rel="next" href="([^"]+)"', text).group(1).replace("&amp;", "&")
    assert f"class={big_class['first']}" in link and "sort=answered" in link and "q=" in link and "page=2" in link
    assert len(roster_rows(owner.get(link).get_data(as_text=True))) == 50
    assert roster_rows(owner.get("/instructor/", query_string={**args, "q": "S0042"}).get_data(as_text=True)) \
        == ["s0042"]
    assert roster_rows(owner.get("/instructor/", query_string={**args, "q": "百分%"}).get_data(as_text=True)) \
        == ["odd_one"]
    assert roster_rows(owner.get("/instructor/", query_string={**args, "q": "_"}).get_data(as_text=True)) \
        == ["odd_one"]
    empty = owner.get("/instructor/", query_string={**args, "q": "y" * 5000}).get_data(as_text=True)
    assert roster_rows(empty) == [] and "没有找到姓名或学号包含" in empty
    # the CSV export stays the whole class, unpaged
    csv = owner.get("/instructor/students.csv", query_string=args).get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 1 + big_class["total"]


def test_a_teacher_cannot_search_another_teachers_class(app, big_class) -> None:
    outsider = client_as(app, "outsider")
    first = big_class["first"]
    assert outsider.get(f"/classes/{first}", query_string={"q": "s00"}).status_code == 404
    assert outsider.get(f"/classes/{first}", query_string={"page": 2}).status_code == 404
    assert outsider.get("/instructor/", query_string={"class": first, "q": "s00"}).status_code == 404
    # their own class: only their own student, whatever the search
    own = outsider.get("/instructor/", query_string={"class": big_class["other"], "q": "s0"}).get_data(as_text=True)
    assert roster_rows(own) == ["s0000"]
    theirs = outsider.get(f"/classes/{big_class['other']}", query_string={"q": "s"}).get_data(as_text=True)
    assert roster_rows(theirs) == ["s0000"]


def test_the_heatmap_pages_and_searches_too(app: Flask, big_class: dict[str, Any]) -> None:
    owner = client_as(app, "owner")
    first = owner.get(f"/instructor/heatmap?class={big_class['first']}")
    assert first.status_code == 200
    assert len(set(roster_rows(first.text))) == 50 and "第 1/3 页" in first.text
    last = owner.get(f"/instructor/heatmap?class={big_class['first']}&page=3")
    assert len(set(roster_rows(last.text))) == big_class["total"] - 100
    found = owner.get(f"/instructor/heatmap?class={big_class['first']}&q=%25")
    assert set(roster_rows(found.text)) == {"odd_one"}               # % matched literally, in 姓名
    none = owner.get(f"/instructor/heatmap?class={big_class['first']}&q=nobody")
    assert "没有找到姓名或学号包含“nobody”的学生" in none.text and "还没有学生注册" not in none.text
    # another teacher's class stays a 404, search or not
    assert client_as(app, "outsider").get(f"/instructor/heatmap?class={big_class['first']}&q=s0").status_code == 404
