"""The teacher pages after a teacher's first hour (issue 16): item analysis filtered, sorted and
paged in the query string; the heatmap's cells say their level in words; a brand-new student
is not flagged as inactive; the import result's YAML is labelled. Through the real app, the real
database and the real content/ tree."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tutor.extensions import db
from tutor.instructor import reports
from tutor.instructor.paging import paginate
from tutor.models import User

from conftest import Clock, login, make_instructor
from seeding import answer, exam, student

NOW = Clock().now
FIXTURES = Path(__file__).parent / "fixtures" / "transfer"


def course_of(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def created(app, user_id: int, when) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(created_at=when))
        db.session.commit()


def teacher(app):
    app.extensions["tutor_clock"] = Clock(NOW)
    make_instructor(app)
    client = app.test_client()
    login(client, "teacher")
    return client


def row_ids(page: str) -> list[str]:
    """The question ids of the item table's rows, in order (from their preview links)."""
    return re.findall(r'href="/instructor/questions/chapter8/([^"]+)"', page)


def seed_items(app) -> dict[str, str]:
    """Six students over the same choice questions: one question everyone gets wrong with the
    same distractor (too hard, and the distractor beats the key), one everyone gets right."""
    course = course_of(app)
    singles = [q.id for q in course.questions if q.type == "single"]
    hard, easy, mixed = singles[0], singles[1], singles[2]
    for i in range(6):
        uid = student(app, f"s{i}")
        answer(app, uid, hard, False, NOW - timedelta(days=1))
        answer(app, uid, easy, True, NOW - timedelta(days=1))
        answer(app, uid, mixed, i % 2 == 0, NOW - timedelta(days=1))
    app.extensions["tutor_clock"] = Clock(NOW)
    return {"hard": hard, "easy": easy, "mixed": mixed}


# -- item analysis ---------------------------------------------------------------------------

def test_items_page_one_is_fifty_rows_with_a_pager(app) -> None:
    client = teacher(app)
    course = course_of(app)
    total = len(course.questions)
    pages = -(-total // 50)
    first = client.get("/instructor/items").get_data(as_text=True)
    assert row_ids(first) == [q.id for q in course.questions[:50]]
    assert f"第 1/{pages} 页" in first and "上一页" in first and 'rel="next" href="/instructor/items?page=2"' in first
    second = client.get("/instructor/items?page=2").get_data(as_text=True)
    assert row_ids(second) == [q.id for q in course.questions[50:100]]
    assert f"第 2/{pages} 页" in second and 'aria-current="page"' in second
    assert "第 51–100 题，共 %d 题" % total in second
    last = client.get(f"/instructor/items?page={pages}").get_data(as_text=True)
    assert row_ids(last) == [q.id for q in course.questions[(pages - 1) * 50:]]
    # a page past the end, or not a number, shows the nearest page there is
    assert row_ids(client.get("/instructor/items?page=999").get_data(as_text=True)) == row_ids(last)
    assert row_ids(client.get("/instructor/items?page=x").get_data(as_text=True)) == row_ids(first)


def test_items_filter_by_knowledge_point_type_and_flag(app) -> None:
    seeded = seed_items(app)
    client = teacher(app)
    course = course_of(app)
    kp = "survey.methods"
    page = client.get(f"/instructor/items?kp={kp}").get_data(as_text=True)
    assert row_ids(page) == [q.id for q in course.by_knowledge_point[kp]]
    assert '<option value="survey.methods" selected>' in page

    fills = [q for q in course.questions if q.type == "fill"]
    page = client.get("/instructor/items?type=fill").get_data(as_text=True)
    assert row_ids(page) == [q.id for q in fills] and len(fills) > 5
    # stems as every page shows them: blanks rendered, never the raw placeholders
    assert "{{" not in page and "（1）＿＿＿" in page
    both = client.get(f"/instructor/items?type=single&kp={course.by_id[seeded['hard']].knowledge_point}")
    assert all(course.by_id[i].type == "single" for i in row_ids(both.get_data(as_text=True)))

    hard = client.get("/instructor/items?flag=too_hard").get_data(as_text=True)
    assert row_ids(hard) == [seeded["hard"]]
    miskeyed = client.get("/instructor/items?flag=miskey").get_data(as_text=True)
    assert row_ids(miskeyed) == [seeded["hard"]] and "答案可能标错" in miskeyed
    assert row_ids(client.get("/instructor/items?flag=too_easy").get_data(as_text=True)) == [seeded["easy"]]
    assert "没有符合条件的题目" in client.get("/instructor/items?flag=negative").get_data(as_text=True)
    # an unknown filter value is ignored, not an error
    assert len(row_ids(client.get("/instructor/items?flag=bogus&kp=nope&type=zzz").get_data(as_text=True))) == 50


def test_miskey_flag_is_the_distractor_beating_the_key(app) -> None:
    seeded = seed_items(app)
    with app.app_context():
        stats = {s.question.id: s for s in reports.item_analysis(course_of(app))}
    hard = stats[seeded["hard"]]
    assert hard.attempts == 6 and hard.flags == ["too_hard", "miskey"]
    key = hard.key_options
    assert len(key) == 1 and hard.option_counts[key[0]] == 0 and max(hard.option_counts) == 6
    assert "miskey" not in stats[seeded["mixed"]].flags       # 3 right, 3 on one distractor: a tie
    assert stats[seeded["easy"]].flags == ["too_easy"]


def test_items_sort_by_each_column_both_ways_with_aria_sort_on_the_header(app) -> None:
    seeded = seed_items(app)
    client = teacher(app)
    page = client.get("/instructor/items?sort=attempts&dir=desc").get_data(as_text=True)
    assert row_ids(page)[:3] == [seeded["hard"], seeded["easy"], seeded["mixed"]]
    # aria-sort sits on the header cell, never on its link; the link turns the order round
    header = re.search(r'<th scope="col" class="num" aria-sort="descending">\s*<a class="sortlink" href="([^"]+)">作答', page)
    assert header and "dir=asc" in header.group(1) and "sort=attempts" in header.group(1)
    assert not re.search(r"<a[^>]*aria-sort", page)
    assert page.count("aria-sort=") == 1

    ascending = client.get("/instructor/items?sort=facility&dir=asc").get_data(as_text=True)
    assert row_ids(ascending)[:3] == [seeded["hard"], seeded["mixed"], seeded["easy"]]
    # questions nobody answered have no facility: they come after, in the course's order, either way
    descending = client.get("/instructor/items?sort=facility&dir=desc").get_data(as_text=True)
    assert row_ids(descending)[:3] == [seeded["easy"], seeded["mixed"], seeded["hard"]]
    unanswered = [q.id for q in course_of(app).questions if q.id not in seeded.values()]
    assert row_ids(descending)[3:50] == unanswered[:47]

    flagged = client.get("/instructor/items?sort=flags&dir=desc").get_data(as_text=True)
    assert row_ids(flagged)[:2] == [seeded["hard"], seeded["easy"]]      # two flags, then one
    course = course_of(app)
    order = list(course.knowledge_points)
    by_kp = row_ids(client.get("/instructor/items?sort=kp&dir=desc").get_data(as_text=True))
    assert [order.index(course.by_id[i].knowledge_point) for i in by_kp] == sorted(
        (order.index(course.by_id[i].knowledge_point) for i in by_kp), reverse=True)
    by_type = row_ids(client.get("/instructor/items?sort=type&dir=asc&page=7").get_data(as_text=True))
    assert {course.by_id[i].type for i in by_type} == {"truefalse"}
    reverse = row_ids(client.get("/instructor/items?dir=desc").get_data(as_text=True))
    assert reverse == [q.id for q in reversed(course.questions)][:50]


def test_items_links_keep_filters_sort_and_page_in_the_query_string(app) -> None:
    client = teacher(app)
    page = client.get("/instructor/items?type=single&sort=attempts&dir=asc&page=2").get_data(as_text=True)
    assert "第 2/3 页" in page
    links = [html.replace("&amp;", "&") for html in re.findall(r'class="pagebutton"[^>]*href="([^"]+)"', page)]
    assert links and all("type=single" in link and "sort=attempts" in link and "dir=asc" in link for link in links)
    # the filter form carries the sort; a sort link starts again at page 1
    assert '<input type="hidden" name="sort" value="attempts">' in page
    sort_links = [h.replace("&amp;", "&") for h in re.findall(r'class="sortlink" href="([^"]+)"', page)]
    assert all("type=single" in h and "page=" not in h for h in sort_links)
    csv_link = re.search(r'href="(/instructor/items\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "type=single" in csv_link and "page" not in csv_link


def test_items_csv_exports_every_row_of_the_filter_unpaged(app) -> None:
    client = teacher(app)
    course = course_of(app)

    def exported(query: str) -> list[list[str]]:
        text = client.get("/instructor/items.csv" + query).data.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))[1:]

    everything = exported("")
    assert [r[0] for r in everything] == [q.id for q in course.questions]      # all, not 50
    singles = exported("?type=single&page=2")
    assert [r[0] for r in singles] == [q.id for q in course.questions if q.type == "single"]
    assert len(singles) > 50


def test_paginate() -> None:
    page = paginate(list(range(336)), "4")
    assert (page.number, page.pages, page.first, page.last) == (4, 7, 151, 200)
    assert page.numbers() == [1, None, 3, 4, 5, None, 7]
    assert paginate(list(range(336)), "1").numbers() == [1, 2, None, 7]
    assert paginate([], None).pages == 1 and paginate([], None).first == 0
    assert paginate(list(range(100)), "-3").number == 1


# -- class overview, flags -------------------------------------------------------------------

def test_a_new_student_is_not_started_not_inactive(app) -> None:
    newcomer = student(app, "newcomer")
    created(app, newcomer, NOW - timedelta(minutes=5))
    sleeper = student(app, "sleeper")                   # registered long ago, never answered
    created(app, sleeper, NOW - timedelta(days=8))
    lapsed = student(app, "lapsed")                     # answered, then stopped 8 days ago
    created(app, lapsed, NOW - timedelta(days=30))
    answer(app, lapsed, "survey.methods-01", True, NOW - timedelta(days=8))
    busy = student(app, "busy")
    created(app, busy, NOW - timedelta(days=30))
    answer(app, busy, "survey.methods-01", True, NOW - timedelta(days=2))
    client = teacher(app)

    with app.app_context():
        overview = reports.class_overview(course_of(app), NOW)
        found = {r.user.username: reports.flags(r, NOW, 60) for r in overview.rows}
    assert found == {"newcomer": ["not_started"], "sleeper": ["inactive"], "lapsed": ["inactive"], "busy": []}

    page = client.get("/instructor/").get_data(as_text=True)
    rows = {name: re.search(r"<tr[^>]*>\s*<th[^>]*><a[^>]*>%s</a>.*?</tr>" % name, page, re.S).group(0)
            for name in found}
    assert "尚未开始" in rows["newcomer"] and "7 天未学习" not in rows["newcomer"] and "flagged" not in rows["newcomer"]
    assert "⚠ 7 天未学习" in rows["sleeper"] and 'class="flagged"' in rows["sleeper"]
    assert "⚠ 7 天未学习" in rows["lapsed"]
    assert "⚠" not in rows["busy"]
    # the newcomer becomes inactive once the account is a week old with nothing done
    app.extensions["tutor_clock"] = Clock(NOW + timedelta(days=7))
    assert "⚠ 7 天未学习" in re.search(r"newcomer</a>.*?</tr>", client.get("/instructor/").get_data(as_text=True), re.S).group(0)


def test_class_table_sort_headers_carry_aria_sort(app) -> None:
    student(app, "alice")
    client = teacher(app)
    page = client.get("/instructor/?sort=answered&dir=desc").get_data(as_text=True)
    assert re.search(r'<th scope="col" class="num" aria-sort="descending">\s*<a class="sortlink"[^>]*>答题', page)
    assert not re.search(r"<a[^>]*aria-sort", page) and page.count("aria-sort=") == 1
    assert 'role="region"' in page and 'tabindex="0"' in page and "<th></th>" not in page


# -- heatmap ---------------------------------------------------------------------------------

def test_heatmap_cells_say_their_level_and_columns_are_named(app) -> None:
    course = course_of(app)
    uid = student(app, "学员甲")
    kp = "survey.methods"
    for q in course.by_knowledge_point[kp]:
        answer(app, uid, q.id, True, NOW - timedelta(days=1))
    client = teacher(app)
    page = client.get("/instructor/heatmap").get_data(as_text=True)
    cells = re.findall(r'<td class="l(\d)">(.*?)</td>', page, re.S)
    assert len(cells) == len(course.knowledge_points)
    for level, cell in cells:
        word = ("未练习", "入门", "熟练", "掌握")[int(level)]
        assert f"{word}</span>" in cell             # the level in words in every cell, not colour alone
    assert any(level != "0" for level, _ in cells)
    names = [kp.name for t in course.topics for kp in t.knowledge_points]
    for n, name in enumerate(names, 1):
        assert f'title="{name}"><span class="kpnum">{n}</span> <span class="kpname">{name}</span>' in page
    legend = re.search(r'<ol class="kplegend">(.*?)</ol>', page, re.S).group(1)
    assert legend.count("<li>") == len(names) and all(name in legend for name in names)
    assert 'role="region"' in page and "aria-sort" not in re.sub(r"<th[^>]*aria-sort[^>]*>", "", page)


# -- import ----------------------------------------------------------------------------------

def test_import_result_yaml_is_labelled(app) -> None:
    client = teacher(app)
    data = {"topic": "survey", "kp": "survey.methods",
            "file": (io.BytesIO((FIXTURES / "tagged.txt").read_bytes()), "tagged.txt")}
    page = client.post("/instructor/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert re.search(r'<label for="yaml-survey">转换后的 YAML：imported-survey.yaml', page)
    assert '<textarea id="yaml-survey" name="yaml"' in page


def test_an_import_spanning_topics_offers_one_yaml_file_per_topic(app) -> None:
    client = teacher(app)
    workbook = FIXTURES / "excel" / "ruoyi_options_cell.xlsx"
    data = {"topic": "overview", "file": (io.BytesIO(workbook.read_bytes()), workbook.name)}
    page = client.post("/instructor/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    topics = re.findall(r'<textarea id="yaml-([a-z]+)" name="yaml"', page)
    assert len(topics) > 1 and "每个主题一个文件" in page
    for topic in topics:
        text = re.search(rf'<textarea id="yaml-{topic}"[^>]*>(.*?)</textarea>', page, re.S).group(1)
        assert f"topic: {topic}\n" in text
        for kp in re.findall(r"knowledge_point: ([a-z_.]+)", text):
            assert kp.startswith(topic + ".")          # each file's questions belong to its topic


@pytest.mark.parametrize("path", ["/instructor/", "/instructor/heatmap", "/instructor/items", "/instructor/review",
                                  "/instructor/content", "/instructor/import",
                                  "/instructor/questions/chapter8/survey.methods-01"])
def test_no_empty_table_header_on_teacher_pages(app, path: str) -> None:
    student(app, "alice")
    page = teacher(app).get(path).get_data(as_text=True)
    assert not re.search(r"<th[^>]*>\s*</th>", page)
