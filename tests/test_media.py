"""Pictures in lessons and questions: checked with file:line, served from images/ only, shown on
every page that shows the text, and carried in from Word documents.

The course is tests/fixtures/media/pics (three small real PNGs), copied to tmp_path per test.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tutor.content import media
from tutor.content.loader import ContentLoader, load
from tutor.content.store import ContentStore
from tutor.content.transfer import import_docx
from tutor.extensions import db
from tutor import markdown

from conftest import answer_form, current_delivery, login, make_app, make_instructor, register

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "media"
CHART = (FIXTURE / "pics" / "images" / "chart.png").read_bytes()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def pics_app(tmp_path: Path, content: Path):
    app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(content))
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def student(app: Flask) -> FlaskClient:
    client = app.test_client()
    register(client)
    return client


def images_in(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)" alt="([^"]*)" loading="lazy">', html)


def touch_later(path: Path) -> None:
    """Move the modification time on: a rewrite within the timestamp granularity looks unchanged."""
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


# --- The check --------------------------------------------------------------------------------

def test_the_fixture_course_loads_clean_with_its_pictures(content: Path) -> None:
    catalog = load(content)
    assert catalog.errors == () and catalog.warnings == ()
    pictures = catalog.course("pics").pictures
    assert pictures.folder == (content / "pics").resolve()
    assert {name: (p.mime, p.public) for name, p in pictures.by_name.items()} == {
        "images/chart.png": ("image/png", False), "images/forms/invoice.png": ("image/png", False),
        "images/lesson.png": ("image/png", True)}


BAD_REFERENCES = """\
topic: survey
questions:
  - id: bad-01
    type: single
    knowledge_point: survey.methods
    stem: |
      看图回答（ ）。
      ![缺失](images/missing.png)
    options:
      - "![外部](https://example.com/a.png)"
      - "![上级](images/../course.yaml)"
      - "![绝对](/etc/passwd.png)"
      - "![伪装](images/fake.png)"
    answer: A
    explanation: |
      第一行。

      ![太大](images/big.png) 与 ![](images/chart.png)
"""


def test_each_bad_picture_is_an_error_on_its_own_line_and_a_missing_alt_a_warning(content: Path) -> None:
    course = content / "pics"
    (course / "images" / "fake.png").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (course / "images" / "big.png").write_bytes(CHART[:16] + b"\0" * media.MAX_BYTES)
    (course / "questions" / "bad.yaml").write_text(BAD_REFERENCES, encoding="utf-8")
    catalog = load(content)
    errors = [str(e) for e in catalog.errors]
    at = "content/pics/questions/bad.yaml"
    assert errors == [
        f"{at}:8:7: questions[0].stem: 找不到图片文件 images/missing.png（应在课程文件夹的 images/ 中；注意大小写）",
        f"{at}:10:10: questions[0].options[0]: 不能引用网络图片：请把图片放进课程的 images/ 文件夹，写成 images/文件名",
        f"{at}:11:10: questions[0].options[1]: 图片路径不能含有 ..：图片只能放在课程的 images/ 文件夹中",
        f"{at}:12:10: questions[0].options[2]: 图片路径应相对于课程文件夹，写成 images/文件名，不能是绝对路径",
        f"{at}:13:10: questions[0].options[3]: 文件不是 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断，与扩展名无关）",
        f"{at}:18:7: questions[0].explanation: 图片太大（2.0 MiB），每张图片最多 2 MiB，请压缩后再用",
    ]
    assert [str(w) for w in catalog.warnings] == [f"{at}:18:31: questions[0].explanation: {media.ALT_MISSING}"]
    # the file is still served: one broken picture does not take a topic's questions away
    pics = catalog.course("pics")
    assert "bad-01" in pics.by_id
    assert set(pics.pictures.by_name) == {"images/chart.png", "images/forms/invoice.png", "images/lesson.png"}


def test_a_link_out_of_images_is_refused(content: Path) -> None:
    course = content / "pics"
    (course / "images" / "escape.png").symlink_to(course / "course.yaml")
    question = (course / "questions" / "survey.yaml")
    question.write_text(question.read_text(encoding="utf-8").replace("images/chart.png", "images/escape.png", 1),
                        encoding="utf-8")
    (error,) = load(content).errors
    assert error.line == 8 and "不能是指向别处的链接" in error.message


def test_the_content_check_command_fails_on_a_missing_picture(content: Path, pics_app: Flask) -> None:
    (content / "pics" / "images" / "chart.png").unlink()
    result = pics_app.test_cli_runner().invoke(args=["content", "check", str(content)])
    assert result.exit_code == 1
    assert "content/pics/questions/survey.yaml:8:7: questions[0].stem: 找不到图片文件 images/chart.png" in result.output


def test_a_changed_or_added_picture_is_noticed_without_a_yaml_change(content: Path) -> None:
    loader = ContentLoader(content)
    assert loader.refresh().ok and not loader.changed()
    chart = content / "pics" / "images" / "chart.png"
    chart.write_bytes(b"%PDF-1.4 not a picture any more")
    touch_later(chart)
    assert loader.changed()
    catalog = loader.refresh()
    assert [e.message for e in catalog.errors] == [media.not_a_picture()] * 2       # stem and explanation
    assert catalog.course("pics").pictures.by_name["images/forms/invoice.png"].mime == "image/png"
    assert "images/chart.png" not in catalog.course("pics").pictures.by_name
    assert not loader.changed()
    (content / "pics" / "images" / "new.webp").write_bytes(b"RIFF\x10\0\0\0WEBPVP8 ")
    assert loader.changed()


def test_the_running_store_serves_a_repaired_picture(content: Path) -> None:
    chart = content / "pics" / "images" / "chart.png"
    chart.unlink()
    store = ContentStore(content, poll_seconds=0)
    assert "images/chart.png" not in store.current().course("pics").pictures.by_name
    chart.write_bytes(CHART)
    assert store.current().course("pics").pictures.by_name["images/chart.png"].size == len(CHART)


# --- Rendering --------------------------------------------------------------------------------

def test_markdown_shows_only_our_pictures() -> None:
    prefix = "/media/pics/"
    assert markdown.render("![图](images/a.png)", prefix) == \
        '<p><img src="/media/pics/images/a.png" alt="图" loading="lazy"></p>\n'
    # anything but images/… shows its alt text only; raw HTML is never rendered
    for text in ("![外部](https://evil.example/a.png)", "![上级](../course.yaml)", "![协议](javascript:alert(1))",
                 '![数据](data:image/png;base64,AAAA)', "![绝对](/media/pics/images/a.png)"):
        assert "<img" not in markdown.render(text, prefix), text
    assert "<img" not in markdown.render('<img src="/media/pics/images/a.png">', prefix)
    assert "<img" not in markdown.render("![图](images/a.png)", None)      # no course on the page
    assert markdown.render_inline("要点 ![图 <b>](images/子/a.png)", prefix) == \
        '要点 <img src="/media/pics/images/%E5%AD%90/a.png" alt="图 &lt;b&gt;" loading="lazy">'


def test_plain_text_is_escaped_around_its_pictures() -> None:
    text = "<b>粗</b> 见图：![柱状图](images/chart.png) & 图 ![x](http://evil/x.png)"
    assert markdown.pictures(text, "/media/pics/") == (
        '&lt;b&gt;粗&lt;/b&gt; 见图：<img src="/media/pics/images/chart.png" alt="柱状图" loading="lazy">'
        ' &amp; 图 x')
    assert markdown.without_pictures("看![柱状图](images/chart.png)回答，![](images/a.png)") == \
        "看〔图：柱状图〕回答，〔图〕"


def test_pictures_show_in_practice_feedback_exam_notebook_lesson_and_preview(pics_app: Flask) -> None:
    client = student(pics_app)
    course = pics_app.extensions["tutor_content"].catalog.course("pics")
    start = client.post("/practice/start", data={"course": "pics", "scope": "kp", "id": "survey.methods"})
    set_id = int(start.headers["Location"].rsplit("/", 1)[1])
    seen: set[str] = set()
    for _ in range(2):
        delivery = current_delivery(pics_app, set_id)
        q = course.by_id[delivery.question_id]
        page = client.get(f"/practice/{set_id}").get_data(as_text=True)
        shown = images_in(page)
        if q.id == "pics-01":       # in the stem, with its alt text
            assert ("/media/pics/images/chart.png", "四种调查方法的费用柱状图") in shown
        else:                       # in an option
            assert ("/media/pics/images/forms/invoice.png", "发票样张") in shown
        seen.update(src for src, _ in shown)
        answered = client.post(f"/practice/{set_id}/answer",
                               data={"delivery": delivery.id, **answer_form(q, delivery.layout, correct=False)})
        feedback = client.get(answered.headers["Location"]).get_data(as_text=True)
        explanation_picture = "images/forms/invoice.png" if q.id == "pics-01" else "images/chart.png"
        assert f"/media/pics/{explanation_picture}" in {src for src, _ in images_in(feedback)}
        for src in {src for src, _ in images_in(page + feedback)}:
            assert client.get(src).status_code == 200, src
    assert seen == {"/media/pics/images/chart.png", "/media/pics/images/forms/invoice.png"}

    entry = client.get("/notebook/pics/pics-01").get_data(as_text=True)          # 错题本 entry page
    assert {"/media/pics/images/chart.png", "/media/pics/images/forms/invoice.png"} <= {
        src for src, _ in images_in(entry)}
    notebook = client.get("/notebook").get_data(as_text=True)                   # one-line list
    assert "〔图：四种调查方法的费用柱状图〕" in notebook and "<img" not in notebook

    paper = client.post("/exams/start", data={"course": "pics", "blueprint": "mock"}).headers["Location"]
    items = [client.get(f"{paper}?i={i}").get_data(as_text=True) for i in range(2)]
    assert {src for page in items for src, _ in images_in(page)} == seen
    client.post(f"{paper}/submit")
    result = client.get(f"{paper}/result").get_data(as_text=True)
    assert {src for src, _ in images_in(result)} == seen

    lesson = client.get("/courses/pics/lessons/survey").get_data(as_text=True)
    assert images_in(lesson) == [("/media/pics/images/lesson.png", "调查方法费用对比图")]

    make_instructor(pics_app)
    teacher = pics_app.test_client()
    login(teacher, "teacher")
    preview = teacher.get("/instructor/questions/pics/pics-02").get_data(as_text=True)
    assert {src for src, _ in images_in(preview)} == {"/media/pics/images/forms/invoice.png",
                                                      "/media/pics/images/chart.png"}


# --- Serving ----------------------------------------------------------------------------------

def test_a_picture_is_served_with_its_type_nosniff_and_a_cache_validator(pics_app: Flask) -> None:
    client = student(pics_app)
    response = client.get("/media/pics/images/chart.png")
    assert response.status_code == 200 and response.data == CHART
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    again = client.get("/media/pics/images/chart.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_question_pictures_need_a_login_lesson_pictures_do_not(pics_app: Flask) -> None:
    anonymous = pics_app.test_client()
    refused = anonymous.get("/media/pics/images/chart.png")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
    assert anonymous.get("/media/pics/images/lesson.png").status_code == 200
    assert anonymous.get("/media/pics/images/nothing.png").status_code == 302    # says nothing to strangers


def test_anything_but_a_checked_referenced_picture_is_a_404(pics_app: Flask, content: Path) -> None:
    course = content / "pics"
    (course / "images" / "unreferenced.png").write_bytes(CHART)
    client = student(pics_app)
    for url in ("/media/pics/course.yaml", "/media/pics/questions/survey.yaml",
                "/media/pics/images/../course.yaml", "/media/pics/images/%2e%2e/course.yaml",
                "/media/pics/images/..%2fcourse.yaml", "/media/pics//etc/passwd", "/media/pics/images/unreferenced.png",
                "/media/pics/images/forms", "/media/other/images/chart.png", "/media/pics/IMAGES/chart.png"):
        assert client.get(url, follow_redirects=True).status_code == 404, url
    # replaced on disk after the check: not served until the next refresh has checked it again
    invoice = course / "images" / "forms" / "invoice.png"
    pics_app.extensions["tutor_content"].poll_seconds = 3600
    pics_app.extensions["tutor_content"]._next_check = float("inf")
    invoice.write_bytes(b"<html><script>alert(1)</script></html>")
    touch_later(invoice)
    assert client.get("/media/pics/images/forms/invoice.png").status_code == 404


def test_a_picture_that_failed_its_check_is_a_404(pics_app: Flask, content: Path) -> None:
    question = content / "pics" / "questions" / "survey.yaml"
    (content / "pics" / "images" / "page.png").write_bytes(b"<html><script>alert(1)</script></html>")
    text = question.read_text(encoding="utf-8").replace("images/chart.png", "images/page.png", 1)
    question.write_text(text, encoding="utf-8")
    touch_later(question)
    client = student(pics_app)
    assert client.get("/media/pics/images/page.png").status_code == 404


# --- Word import ------------------------------------------------------------------------------

def word_document(picture: bytes, alt: str = "柱状图") -> bytes:
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_paragraph("【单选】根据下图，费用最低的调查方法是（ ）。")
    run = document.add_paragraph().add_run()
    run.add_picture(io.BytesIO(CHART), width=Cm(3))
    run._r.xpath(".//wp:docPr")[0].set("descr", alt)
    document.add_paragraph("A. 人员走访  B. 邮件调查")
    document.add_paragraph("【答案：B】")
    document.add_paragraph("【解析】见图。")
    data = io.BytesIO()
    document.save(data)
    if picture == CHART:
        return data.getvalue()
    return _replace_media(data.getvalue(), picture)


def _replace_media(data: bytes, picture: bytes) -> bytes:
    import zipfile
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, picture if info.filename.startswith("word/media/") else source.read(info))
    return out.getvalue()


def test_a_word_picture_becomes_a_reference_with_its_bytes() -> None:
    result = import_docx(word_document(CHART), topic="survey", knowledge_point="survey.methods")
    assert result.ok and result.warnings == []
    (name, data), = result.media.items()
    assert re.fullmatch(r"img-[0-9a-f]{16}\.png", name) and data == CHART
    (question,) = result.questions
    assert question["stem"] == f"根据下图，费用最低的调查方法是（ ）。\n![柱状图](images/{name})"


def test_a_word_picture_that_is_no_picture_of_ours_is_a_warning() -> None:
    result = import_docx(word_document(b"BM" + b"\0" * 60), topic="survey", knowledge_point="survey.methods")
    assert result.media == {}
    assert [(w.where, w.message) for w in result.warnings] == [
        ("第 2 段", "图片 image1.png 未导入：" + media.not_a_picture())]
    assert "images/" not in result.questions[0]["stem"]
