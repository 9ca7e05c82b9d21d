"""The import, template, export and schema commands, and the instructor's import page."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from tutor.content.loader import load

from conftest import CONTENT, login, make_instructor, register

FIXTURES = Path(__file__).parent / "fixtures" / "transfer"


def content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def test_import_writes_yaml_that_loads(runner, tmp_path: Path) -> None:
    out = tmp_path / "content" / "chapter8" / "questions" / "imported.yaml"
    copy = content_copy(tmp_path)
    result = runner.invoke(args=["content", "import", str(FIXTURES / "tagged.txt"), "--topic", "survey",
                                 "--kp", "survey.methods", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    catalog = load(copy)
    assert catalog.errors == (), catalog.errors[:3]
    imported = [q for q in catalog.course("chapter8").questions if catalog.course("chapter8").sources[q.id].file.endswith("imported.yaml")]
    assert len(imported) >= 5 and {q.type for q in imported} >= {"single", "multiple", "truefalse", "fill", "short"}


def test_a_plain_file_spanning_topics_is_written_as_one_file_per_topic(runner, tmp_path: Path) -> None:
    out = tmp_path / "bank.yaml"
    result = runner.invoke(args=["content", "import", str(FIXTURES / "excel" / "ruoyi_options_cell.xlsx"),
                                 "--topic", "overview", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("bank-*.yaml"))
    assert len(written) > 1 and not out.exists()
    for path in written:
        topic = path.stem.removeprefix("bank-")
        text = path.read_text(encoding="utf-8")
        assert f"\ntopic: {topic}\n" in text and f"已写入 {path}" in result.output
        # dropped into the course, each file loads: its questions belong to its topic
        copy = content_copy(tmp_path / topic)
        shutil.copy(path, copy / "chapter8" / "questions" / path.name)
        assert load(copy).errors == ()


def test_import_with_problems_writes_nothing_unless_partial(runner, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["content", "import", str(FIXTURES / "tagged_broken.txt"), "--topic", "survey",
                                 "--kp", "survey.methods", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "第" in result.output and "行" in result.output and "没有写入任何文件" in result.output
    result = runner.invoke(args=["content", "import", str(FIXTURES / "tagged_broken.txt"), "--topic", "survey",
                                 "--kp", "survey.methods", "--out", str(out), "--partial"])
    assert result.exit_code == 0 and out.exists() and "跳过" in result.output
    again = runner.invoke(args=["content", "import", str(FIXTURES / "tagged.txt"), "--topic", "survey",
                                "--out", str(out)])
    assert again.exit_code != 0 and "已存在" in again.output


def test_template_then_import_round_trip(runner, tmp_path: Path) -> None:
    template = tmp_path / "questions.xlsx"
    assert runner.invoke(args=["content", "template", str(template)]).exit_code == 0
    out = tmp_path / "from-template.yaml"
    # The template's 【示例】 rows are never imported: alone it has nothing to write ...
    result = runner.invoke(args=["content", "import", str(template), "--topic", "survey", "--kp", "survey.content",
                                 "--out", str(out)])
    assert result.exit_code != 0 and not out.exists() and "示例行没有导入" in result.output
    # ... and a row filled in below them is imported alone.
    import openpyxl
    workbook = openpyxl.load_workbook(template)
    workbook["题目"].append(["判断", "客户的服务区域属于客户特征。", *[None] * 8, "对", "服务区域属于客户特征。"])
    workbook.save(template)
    result = runner.invoke(args=["content", "import", str(template), "--topic", "survey", "--kp", "survey.content",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "questions:" in out.read_text(encoding="utf-8") and "客户的服务区域属于客户特征。" in out.read_text(encoding="utf-8")
    assert "【示例】" not in out.read_text(encoding="utf-8")


def test_export_both_formats(runner, tmp_path: Path) -> None:
    for fmt, name, marker in (("gift", "bank.gift", "$CATEGORY:"), ("moodle-xml", "bank.xml", "<quiz>")):
        out = tmp_path / name
        result = runner.invoke(args=["content", "export", "--format", fmt, "--topic", "churn", str(out)])
        assert result.exit_code == 0, result.output
        assert marker in out.read_text(encoding="utf-8") and "已导出" in result.output


def test_schema_command_and_every_file_points_at_it(runner, tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert runner.invoke(args=["content", "schema", str(out)]).exit_code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    committed = json.loads((CONTENT / "schema.json").read_text(encoding="utf-8"))
    assert schema == committed, "content/schema.json is stale: run flask --app tutor content schema"
    for path in (CONTENT / "chapter8").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith("schema.json"), path


def test_instructor_import_page(app, client) -> None:
    make_instructor(app)
    login(client, "teacher")
    assert "题库文件" in client.get("/instructor/import").get_data(as_text=True)
    data = {"topic": "survey", "kp": "survey.methods",
            "file": (io.BytesIO((FIXTURES / "tagged.txt").read_bytes()), "tagged.txt")}
    page = client.post("/instructor/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "转换结果" in page and page.count('class="card question preview"') >= 5
    assert "# yaml-language-server" in page
    broken = {"topic": "survey", "file": (io.BytesIO((FIXTURES / "tagged_broken.txt").read_bytes()), "broken.txt")}
    page = client.post("/instructor/import", data=broken, content_type="multipart/form-data").get_data(as_text=True)
    assert "个问题" in page and "行" in page
    response = client.post("/instructor/import/download", data={"name": "x.yaml", "yaml": "topic: survey\n"})
    assert response.headers["Content-Disposition"] == "attachment; filename=x.yaml"
    template = client.get("/instructor/import/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_students_cannot_import(app, client) -> None:
    register(client, "student1")
    assert client.get("/instructor/import").status_code == 403
    assert client.post("/instructor/import/download", data={"yaml": "x"}).status_code == 403
