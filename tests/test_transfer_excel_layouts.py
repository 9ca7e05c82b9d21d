"""The Chinese Excel layouts besides our template, read from workbooks laid out as their users
fill them (tests/fixtures/transfer/excel/, README there): one row per option (yf-exam), all
options in one cell (RuoYi), hints and type codes in the headings, one sheet per type; the
layout is named in the result, and a sheet none fits says which headings it found."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from test_transfer_helpers import FIXTURES, loads_cleanly, message_at, xlsx
from tutor.content.loader import load
from tutor.content.transfer import import_excel, import_file
from tutor.content.transfer.excel import LAYOUT_PREFIX, split_cell_options

EXCEL = FIXTURES / "excel"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def topic_of() -> dict[str, str]:
    course = load(ROOT / "content").course("chapter8")
    assert course is not None
    return {kp: topic.id for kp, topic in course.topic_of.items()}


def layouts(result) -> list[str]:
    return [str(w) for w in result.warnings if w.message.startswith(LAYOUT_PREFIX)]


def test_yf_exam_one_row_per_option(tmp_path: Path) -> None:
    result = import_file(EXCEL / "yf_exam_option_rows.xlsx", topic="survey", knowledge_point="survey.methods")
    assert result.problems == [], [str(p) for p in result.problems]
    assert layouts(result) == ["第 1 行（Excel）：表格格式：每个选项一行（如 yf-exam：题目行后面是它的选项行，"
                               "用“是否正确”标出正确选项）"]
    single, multiple, truefalse = result.questions
    # exported style: the question's cells repeated on each option row, grouped by 题目序号
    assert single["type"] == "single" and single["options"] == ["邮件调查", "电话调查", "面谈调查", "网络调查"]
    assert single["answer"] == "A" and single["explanation"].startswith("邮件调查费用最低")
    # filled by hand: a question row, then option rows with the question's cells empty
    assert multiple["type"] == "multiple" and multiple["answer"] == ["A", "B", "D"]
    assert multiple["options"] == ["客户基础材料", "客户特征", "客户忠诚度", "客户交易现状"]
    assert truefalse["type"] == "truefalse" and truefalse["answer"] is True
    # type cells 1/2/3 without a hint in the heading: yf-exam's codes, and the result says so
    assert any("1 单选、2 多选、3 判断" in w.message for w in result.warnings)
    assert any(w.message == "未识别的列“所属题库”，已忽略" for w in result.warnings)
    loads_cleanly(result, tmp_path)


def test_per_option_rows_report_bad_marks_and_orphan_options() -> None:
    header = ["题目序号", "题目类型", "题目内容", "是否正确", "选项内容", "解析"]
    rows = [{"是否正确": 1, "选项内容": "没有题目的选项"},                                          # row 2
            {"题目序号": 1, "题目类型": "单选", "题目内容": "甲是（ ）。", "解析": "……"},           # row 3
            {"是否正确": "也许", "选项内容": "乙"},                                                # row 4
            {"是否正确": 0, "选项内容": "丙"}]                                                     # row 5
    result = import_excel(xlsx(rows, header=header), topic="survey", knowledge_point="survey.methods")
    assert "前面没有题目行" in message_at(result, "第 2 行（Excel）")
    assert "“是否正确”应写 1/0" in message_at(result, "第 4 行（Excel）")
    assert result.questions == [] and result.skipped[0].startswith("第 3 行（Excel） 单选题")


def test_ruoyi_options_in_one_cell_and_topics_from_the_knowledge_point(tmp_path: Path, topic_of) -> None:
    result = import_file(EXCEL / "ruoyi_options_cell.xlsx", topic="survey", topic_of=topic_of,
                         allowed_knowledge_points=["survey.content", "survey.steps", "survey.methods"])
    assert result.problems == [], [str(p) for p in result.problems]
    assert layouts(result) == ["第 1 行（Excel）：表格格式：选项写在同一格（如若依考试模块：选项之间用换行、| 或 ；分隔）"]
    pipes, lines, semicolons, truefalse = result.questions
    assert pipes["options"] == ["费用高", "回收率低", "速度太快", "无法匿名"] and pipes["answer"] == "B"
    assert lines["options"] == ["客户的外在属性", "客户的内在属性", "客户的消费行为", "客户的姓氏笔画"]
    assert lines["answer"] == ["A", "B", "C"]
    assert semicolons["options"] == ["进攻策略", "防守策略", "撤退策略"]
    assert truefalse["answer"] is False
    # one import, several topics: each question goes to its knowledge point's topic
    assert result.topics == {lines["id"]: "segmentation", semicolons["id"]: "churn", truefalse["id"]: "churn"}
    assert {topic: [q["id"] for q in qs] for topic, qs in result.by_topic().items()} == {
        "survey": [pipes["id"]], "segmentation": [lines["id"]], "churn": [semicolons["id"], truefalse["id"]]}
    loads_cleanly(result, tmp_path)


def test_a_knowledge_point_outside_the_course_is_still_a_problem(topic_of) -> None:
    rows = [{"题型": "判断", "题干": "甲是乙。", "答案": "对", "解析": "……", "知识点": "nowhere.at_all"}]
    result = import_excel(xlsx(rows), topic="survey", topic_of=topic_of, allowed_knowledge_points=["survey.methods"])
    assert result.questions == [] and "课程中没有知识点 nowhere.at_all" in message_at(result, "第 2 行（Excel）")


def test_headings_with_hints_and_type_codes(tmp_path: Path) -> None:
    result = import_file(EXCEL / "hints_and_type_codes.xlsx", topic="survey")
    assert result.problems == [], [str(p) for p in result.problems]
    assert layouts(result) == ["第 2 行（Excel）：表格格式：本系统模板（每题一行，选项A、选项B……各占一列）；"
                               "题型代码：1 单选、2 多选、3 判断、4 填空"]
    assert [q["type"] for q in result.questions] == ["single", "multiple", "truefalse", "fill", "single"]
    assert result.questions[1]["answer"] == ["A", "B", "D"] and result.questions[1]["difficulty"] == 2
    assert result.questions[3]["blanks"] == [["最低", "最少"]]
    assert not any("未识别的列" in w.message for w in result.warnings)
    loads_cleanly(result, tmp_path)


def test_a_code_the_heading_does_not_list_is_a_problem() -> None:
    rows = [{"题型（1单选 2多选）": 5, "题干": "甲是乙。", "答案": "对", "解析": "……"}]
    result = import_excel(xlsx(rows, header=["题型（1单选 2多选）", "题干", "答案", "解析"]), topic="survey",
                          knowledge_point="survey.methods")
    assert "题型“5”无法识别" in message_at(result, "第 2 行（Excel）")


def test_one_sheet_per_type(tmp_path: Path, topic_of) -> None:
    result = import_file(EXCEL / "sheet_per_type.xlsx", topic="overview", topic_of=topic_of)
    assert result.problems == [], [str(p) for p in result.problems]
    assert layouts(result) == [
        f"工作表“{name}”第 1 行（Excel）：表格格式：本系统模板（每题一行，选项A、选项B……各占一列）；题型取自工作表名“{name}”"
        for name in ("单选题", "多选题", "判断题")]
    assert [q["type"] for q in result.questions] == ["single", "multiple", "truefalse"]
    assert result.questions[2]["answer"] is False
    assert set(result.by_topic()) == {"overview", "churn", "segmentation"}
    loads_cleanly(result, tmp_path)


def test_every_problem_of_a_row_is_reported() -> None:
    rows = [{"题型": "单选择", "题干": "三处错误的题（ ）。", "选项A": "甲", "选项B": "乙", "难度": "很难",
             "知识点": "Bad KP"}]
    result = import_excel(xlsx(rows), topic="survey")
    found = message_at(result, "第 2 行（Excel）")
    for text in ("题型“单选择”无法识别", "答案是空的", "难度应为 1、2 或 3", "知识点 'Bad KP' 格式不对"):
        assert text in found, text
    assert len([p for p in result.problems if p.where == "第 2 行（Excel）"]) == 4


def test_no_layout_fits_says_what_was_found_and_what_was_expected() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "学号", "成绩"])
    from io import BytesIO
    buffer = BytesIO()
    workbook.save(buffer)
    result = import_excel(buffer.getvalue(), topic="survey")
    message = message_at(result, "第 1 行（Excel）")
    assert "工作表“Sheet”的第一行是：姓名、学号、成绩" in message
    assert "表头行应包含“题干”" in message and "选项内容" in message


@pytest.mark.parametrize("cell, options", [
    ("A.苹果|B.香蕉", ["苹果", "香蕉"]), ("A、苹果\nB、香蕉\nC、梨", ["苹果", "香蕉", "梨"]),
    ("A. 苹果  B. 香蕉", ["苹果", "香蕉"]), ("(A)苹果；(B)香蕉", ["苹果", "香蕉"]), ("苹果|香蕉", ["苹果", "香蕉"]),
    ("Ａ．苹果｜Ｂ．香蕉", ["苹果", "香蕉"]), ("", [])])
def test_option_cell_spellings(cell: str, options: list[str]) -> None:
    assert split_cell_options(cell) == options
