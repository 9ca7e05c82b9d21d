"""Publishing an import into the course: through the real loader, into a copy of the real
content tree; from the instructor's page (only when TUTOR_CONTENT_WRITABLE is on) and the CLI."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tutor.content.loader import load
from tutor.content.publish import BACKUP_FOLDER, publish, published_files
from tutor.content.transfer import import_file
from tutor.content.transfer.common import ImportResult
from tutor.extensions import db
from tutor.models import PracticeSet

from conftest import CONTENT, PASSWORD, make_app, make_instructor, login, register

FIXTURES = Path(__file__).parent / "fixtures" / "transfer"
PNG = b"\x89PNG\r\n\x1a\n"       # the signature the loader reads a picture's type from


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def truefalse(qid: str, kp: str, stem: str = "客户档案应当定期更新。") -> dict[str, Any]:
    return {"id": qid, "type": "truefalse", "knowledge_point": kp, "stem": stem, "answer": True,
            "explanation": "正确。客户情况会变化，档案要随之更新。"}


def questions_dir(content: Path) -> Path:
    return content / "chapter8" / "questions"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes (hidden ones too)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the core ---------------------------------------------------------------------------------

def test_publish_writes_one_file_per_topic_that_the_loader_serves(content: Path) -> None:
    before = len(load(content).course("chapter8").questions)
    result = ImportResult("survey", [truefalse("pub.a1", "survey.methods"), truefalse("pub.a2", "overview.definition", "客户管理要以客户为中心。")],
                          topics={"pub.a2": "overview"})
    outcome = publish(result, content / "chapter8", "bank-1", source="题库 1.xlsx")
    assert outcome.ok, outcome.errors
    assert outcome.written == ("content/chapter8/questions/imported-bank-1-survey.yaml",
                               "content/chapter8/questions/imported-bank-1-overview.yaml")
    assert outcome.imported == 2 and outcome.course_questions == before + 2 and outcome.backup is None
    text = (questions_dir(content) / "imported-bank-1-overview.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema.json\n# 导入发布 name=bank-1 time=")
    assert "# 来源文件：题库 1.xlsx" in text and "topic: overview" in text
    catalog = load(content)
    assert catalog.errors == ()
    course = catalog.course("chapter8")
    assert course.by_id["pub.a2"].knowledge_point == "overview.definition" and len(course.questions) == before + 2
    assert [f.name for f in published_files(content / "chapter8")] == ["bank-1", "bank-1"]
    assert not [p for p in questions_dir(content).iterdir() if p.name.startswith(".")], "no temporary file left"


def test_publish_a_real_import(content: Path) -> None:
    result = import_file(FIXTURES / "tagged.txt", topic="survey", knowledge_point="survey.methods")
    assert result.ok and len(result.questions) >= 5
    outcome = publish(result, content / "chapter8", "tagged")
    assert outcome.ok, outcome.errors
    course = load(content).course("chapter8")
    assert {q["id"] for q in result.questions} <= set(course.by_id)


def test_a_colliding_id_writes_nothing_and_reports_file_and_line(content: Path) -> None:
    before = snapshot(content)
    existing = load(content).course("chapter8").questions[0]
    result = ImportResult("survey", [truefalse("pub.new", "survey.methods"), truefalse(existing.id, "survey.methods")])
    outcome = publish(result, content / "chapter8", "clash")
    assert not outcome.ok and outcome.written == ()
    [error] = outcome.errors
    assert error.file == "content/chapter8/questions/imported-clash-survey.yaml" and error.line > 1
    assert existing.id in error.message and "重复" in error.message
    assert {k: v for k, v in snapshot(content).items() if not k.endswith(".lock")} == before


def test_an_unknown_knowledge_point_writes_nothing(content: Path) -> None:
    before = snapshot(questions_dir(content))
    outcome = publish(ImportResult("survey", [truefalse("pub.x", "survey.nowhere")]), content / "chapter8", "lost")
    assert not outcome.ok
    assert any("没有知识点 survey.nowhere" in e.message and e.path == "questions[0].knowledge_point"
               for e in outcome.errors)
    assert snapshot(questions_dir(content)) == before


def test_republishing_a_name_backs_up_what_it_replaces_and_removes(content: Path) -> None:
    first = ImportResult("survey", [truefalse("pub.b1", "survey.methods"), truefalse("pub.b2", "overview.definition")],
                         topics={"pub.b2": "overview"})
    assert publish(first, content / "chapter8", "twice").ok
    old_survey = (questions_dir(content) / "imported-twice-survey.yaml").read_bytes()
    old_overview = (questions_dir(content) / "imported-twice-overview.yaml").read_bytes()
    second = ImportResult("survey", [truefalse("pub.b1", "survey.methods", "客户档案至少每年核对一次。")])
    outcome = publish(second, content / "chapter8", "twice")
    assert outcome.ok, outcome.errors
    assert outcome.removed == ("content/chapter8/questions/imported-twice-overview.yaml",)
    assert not (questions_dir(content) / "imported-twice-overview.yaml").exists()
    backup = content.parent / outcome.backup
    assert backup.parent == content / "chapter8" / BACKUP_FOLDER
    assert (backup / "questions" / "imported-twice-survey.yaml").read_bytes() == old_survey
    assert (backup / "questions" / "imported-twice-overview.yaml").read_bytes() == old_overview
    catalog = load(content)          # the backup folder is never loaded: no duplicate ids from it
    assert catalog.errors == () and not any(BACKUP_FOLDER in f for f in catalog.files)
    assert catalog.course("chapter8").by_id["pub.b1"].stem == "客户档案至少每年核对一次。"
    assert "pub.b2" not in catalog.course("chapter8").by_id


def test_a_file_not_published_under_the_name_is_never_overwritten(content: Path) -> None:
    hand_written = questions_dir(content) / "imported-mine-survey.yaml"
    shutil.copy(questions_dir(content) / "survey.yaml", hand_written)
    hand_written.write_text(hand_written.read_text(encoding="utf-8").replace("survey.", "survey.")
                            .replace("id: survey-", "id: copy-"), encoding="utf-8")
    before = hand_written.read_bytes()
    outcome = publish(ImportResult("survey", [truefalse("pub.c", "survey.methods")]), content / "chapter8", "mine")
    assert not outcome.ok and "不会覆盖" in outcome.errors[0].message
    assert hand_written.read_bytes() == before


def test_replace_false_refuses_an_existing_name(content: Path) -> None:
    result = ImportResult("survey", [truefalse("pub.d", "survey.methods")])
    assert publish(result, content / "chapter8", "once").ok
    outcome = publish(result, content / "chapter8", "once", replace=False)
    assert not outcome.ok and "已发布过" in outcome.errors[0].message


@pytest.mark.parametrize("name", ["", "Bank", "../x", "a" * 41, "-x", "题库"])
def test_a_bad_name_is_refused(content: Path, name: str) -> None:
    before = snapshot(questions_dir(content))
    outcome = publish(ImportResult("survey", [truefalse("pub.e", "survey.methods")]), content / "chapter8", name)
    assert not outcome.ok and "名称" in outcome.errors[0].message
    assert snapshot(questions_dir(content)) == before


def test_pictures_are_written_and_a_taken_name_is_renamed_in_the_questions(content: Path) -> None:
    images = content / "chapter8" / "images"
    first = ImportResult("survey", [truefalse("pub.p1", "survey.methods", "看图：![流程](images/chart.png)")],
                         media={"chart.png": PNG + b"first"})
    outcome = publish(first, content / "chapter8", "pics-1")
    assert outcome.ok and outcome.images == ("content/chapter8/images/chart.png",)
    assert (images / "chart.png").read_bytes() == PNG + b"first"
    second = ImportResult("survey", [truefalse("pub.p2", "survey.methods", "再看图：![流程](images/chart.png)")],
                          media={"chart.png": PNG + b"second"})
    outcome = publish(second, content / "chapter8", "pics-2")
    assert outcome.ok, outcome.errors
    renamed = outcome.renamed_images["chart.png"]
    assert re.fullmatch(r"chart-[0-9a-f]{8}\.png", renamed)
    assert (images / "chart.png").read_bytes() == PNG + b"first"       # never replaced
    assert (images / renamed).read_bytes() == PNG + b"second"
    assert load(content).course("chapter8").by_id["pub.p2"].stem == f"再看图：![流程](images/{renamed})"
    again = publish(second, content / "chapter8", "pics-2")              # same bytes: reused, not copied again
    assert again.ok and again.images == () and again.renamed_images == {"chart.png": renamed}


@pytest.mark.parametrize("name, data, message", [("../course.yaml", PNG, "路径"), ("a.png", b"<svg/>", "不是 PNG"),
                                                 (".hidden.png", PNG, "不合规")])
def test_a_picture_the_loader_would_refuse_is_refused(content: Path, name: str, data: bytes, message: str) -> None:
    result = ImportResult("survey", [truefalse("pub.f", "survey.methods")], media={name: data})
    outcome = publish(result, content / "chapter8", "escape")
    assert not outcome.ok and message in outcome.errors[0].message
    assert not (content / "chapter8" / "images").exists()
    assert not list(questions_dir(content).glob("imported-*"))


# -- the CLI ----------------------------------------------------------------------------------

def test_cli_publishes_when_out_is_in_a_course_folder(tmp_path: Path, content: Path) -> None:
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content))
    runner = app.test_cli_runner()
    args = ["content", "import", str(FIXTURES / "tagged.txt"), "--topic", "survey", "--kp", "survey.methods",
            "--out", str(content / "chapter8" / "questions" / "term1.yaml")]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "已写入 content/chapter8/questions/imported-term1-survey.yaml" in result.output
    assert load(content).errors == ()
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(args=args + ["--force"])
    assert forced.exit_code == 0 and "已备份到 content/chapter8/.backup/" in forced.output
    clash = runner.invoke(args=args[:-1] + [str(content / "chapter8"), "--name", "other"])
    assert clash.exit_code == 1 and "重复" in clash.output and "没有写入任何文件" in clash.output
    assert not (content / "chapter8" / "questions" / "imported-other-survey.yaml").exists()


def test_cli_names_a_publish_after_the_source_when_out_says_only_imported(tmp_path: Path, content: Path) -> None:
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content))
    result = app.test_cli_runner().invoke(args=[
        "content", "import", str(FIXTURES / "tagged.txt"), "--topic", "survey", "--kp", "survey.methods",
        "--out", str(content / "chapter8" / "questions" / "imported.yaml")])
    assert result.exit_code == 0, result.output
    assert [f.name for f in published_files(content / "chapter8")] == ["tagged"]
    assert not (content / "chapter8" / "questions" / "imported.yaml").exists()


# -- the instructor's page --------------------------------------------------------------------

@pytest.fixture
def writable_app(tmp_path: Path, content: Path):
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content), TUTOR_CONTENT_WRITABLE=True,
                   TUTOR_IMPORT_SPOOL_DIR=str(tmp_path / "spool"), TUTOR_PRACTICE_SET_SIZE=500)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def upload(client: FlaskClient, fixture: str = "tagged.txt", **extra: str) -> str:
    data = {"topic": "survey", "kp": "survey.methods",
            "file": (io.BytesIO((FIXTURES / fixture).read_bytes()), fixture), **extra}
    response = client.post("/instructor/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def publish_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_web_publish_makes_the_questions_practisable_at_once(writable_app: Flask, content: Path) -> None:
    teacher = writable_app.test_client()
    make_instructor(writable_app)
    login(teacher, "teacher")
    page = upload(teacher)
    assert "发布到题库" in page and 'value="tagged"' in page
    page = teacher.post("/instructor/import/publish", data={"token": publish_token(page), "name": "web-bank"}
                        ).get_data(as_text=True)
    assert "已发布 6 道题" in page and "content/chapter8/questions/imported-web-bank-survey.yaml" in page
    published = questions_dir(content) / "imported-web-bank-survey.yaml"
    assert published.is_file()
    listing = teacher.get("/instructor/content").get_data(as_text=True)
    assert "导入发布的文件" in listing and "imported-web-bank-survey.yaml" in listing and "web-bank" in listing
    assert "没有错误" in listing

    imported = {qid for qid in writable_app.extensions["tutor_content"].current().course("chapter8").by_id
                if "-i" in qid}
    assert len(imported) == 6
    student = writable_app.test_client()
    register(student)
    response = student.post("/practice/start", data={"course": "chapter8", "mode": "sequential",
                                                     "scope": "kp", "id": "survey.methods"})
    set_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with writable_app.app_context():
        chosen = db.session.get(PracticeSet, set_id).question_ids
    assert chosen[0] in imported            # the published file comes first in bank order
    question_page = student.get(f"/practice/{set_id}")
    assert question_page.status_code == 200


def test_web_publish_reports_loader_errors_and_writes_nothing(writable_app: Flask, content: Path) -> None:
    teacher = writable_app.test_client()
    make_instructor(writable_app)
    login(teacher, "teacher")
    token = publish_token(upload(teacher))
    assert "已发布" in teacher.post("/instructor/import/publish", data={"token": token, "name": "first"}
                                    ).get_data(as_text=True)
    before = snapshot(questions_dir(content))
    page = teacher.post("/instructor/import/publish", data={"token": publish_token(upload(teacher)), "name": "second"}
                        ).get_data(as_text=True)
    assert "没有发布" in page and "content/chapter8/questions/imported-second-survey.yaml:" in page and "重复" in page
    assert snapshot(questions_dir(content)) == before
    assert "这次预览已过期" in teacher.post("/instructor/import/publish",
                                            data={"token": token, "name": "first"}).get_data(as_text=True)


def test_only_the_instructor_who_previewed_can_publish_it(writable_app: Flask, content: Path) -> None:
    make_instructor(writable_app)
    make_instructor(writable_app, "teacher2")
    teacher, other = writable_app.test_client(), writable_app.test_client()
    login(teacher, "teacher")
    login(other, "teacher2")
    token = publish_token(upload(teacher))
    page = other.post("/instructor/import/publish", data={"token": token, "name": "stolen"}).get_data(as_text=True)
    assert "这次预览已过期或不存在" in page
    assert not list(questions_dir(content).glob("imported-*"))


def test_a_student_cannot_publish(writable_app: Flask, content: Path) -> None:
    make_instructor(writable_app)
    teacher = writable_app.test_client()
    login(teacher, "teacher")
    token = publish_token(upload(teacher))
    student = writable_app.test_client()
    register(student)
    assert student.post("/instructor/import/publish", data={"token": token, "name": "x"}).status_code == 403
    assert not list(questions_dir(content).glob("imported-*"))


def test_an_import_with_problems_needs_partial(writable_app: Flask, content: Path) -> None:
    make_instructor(writable_app)
    teacher = writable_app.test_client()
    login(teacher, "teacher")
    page = upload(teacher, "tagged_broken.txt")
    assert 'name="partial"' in page
    token = publish_token(page)
    refused = teacher.post("/instructor/import/publish", data={"token": token, "name": "part"}).get_data(as_text=True)
    assert "只发布没有问题的题目" in refused and not list(questions_dir(content).glob("imported-*"))
    done = teacher.post("/instructor/import/publish", data={"token": token, "name": "part", "partial": "1"})
    assert "已发布" in done.get_data(as_text=True) and (questions_dir(content) / "imported-part-survey.yaml").is_file()


def test_writing_off_by_default_shows_how_to_enable_and_refuses_the_post(app: Flask, client: FlaskClient) -> None:
    make_instructor(app)
    login(client, "teacher")
    page = upload(client)
    assert "TUTOR_CONTENT_WRITABLE=true" in page and 'name="token"' not in page
    assert "import/publish" not in page and ">发布到题库</button>" not in page
    assert client.post("/instructor/import/publish", data={"token": "x" * 32, "name": "x"}).status_code == 404


def test_publish_enforces_csrf(tmp_path: Path, content: Path) -> None:
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content), TUTOR_CONTENT_WRITABLE=True, WTF_CSRF_ENABLED=True,
                   TUTOR_IMPORT_SPOOL_DIR=str(tmp_path / "spool"))
    make_instructor(app)
    client = app.test_client()
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     client.get("/auth/login").get_data(as_text=True)).group(1)
    client.post("/auth/login", data={"username": "teacher", "password": PASSWORD, "csrf_token": csrf})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/instructor/import").get_data(as_text=True)).group(1)
    page = upload(client, csrf_token=csrf)
    token = publish_token(page)
    refused = client.post("/instructor/import/publish", data={"token": token, "name": "csrf"})
    assert refused.status_code == 400 and not list(questions_dir(content).glob("imported-*"))
    done = client.post("/instructor/import/publish", data={"token": token, "name": "csrf", "csrf_token": csrf})
    assert done.status_code == 200 and (questions_dir(content) / "imported-csrf-survey.yaml").is_file()
    with app.app_context():
        db.drop_all()
