"""Excel import: every type it maps, the answer spellings teachers use, every error with its
row, the template, and a 1,000-row sheet within the time budget."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from test_transfer_helpers import HEADER, loads_cleanly, message_at, xlsx
from tutor.content.transfer import (PLACEHOLDER_EXPLANATION, import_data, import_excel, import_file,
                                    write_template)
from tutor.content.transfer.excel import EXAMPLES, LAYOUT_PREFIX


def layout(result) -> list[str]:
    """The result's 表格格式 lines: which layout each sheet was read as."""
    return [str(w) for w in result.warnings if w.message.startswith(LAYOUT_PREFIX)]


def other_warnings(result) -> list:
    return [w for w in result.warnings if not w.message.startswith(LAYOUT_PREFIX)]


def one(row: dict, **kwargs) -> dict:
    result = import_excel(xlsx([row]), topic="survey", knowledge_point="survey.methods", **kwargs)
    assert result.problems == [], [str(p) for p in result.problems]
    assert len(result.questions) == 1
    return result.questions[0]


def test_every_type_maps_to_our_schema(tmp_path: Path) -> None:
    rows = [
        {"题型": "单选题", "题干": "邮件调查的主要优点是（ ）。", "选项A": "费用低", "选项B": "可靠性高",
         "选项C": "速度快", "答案": "A", "解析": "邮件调查费用最低。", "知识点": "survey.methods",
         "难度": 1, "章节": "二(三)3"},
        {"题型": "多选", "题干": "客户调查的方法有（ ）。", "选项A": "邮件调查", "选项B": "电话调查",
         "选项C": "客户细分", "选项D": "面谈调查", "答案": "A、B、D", "解析": "客户细分不是调查方法。"},
        {"题型": "判断题", "题干": "邮件调查的可靠性最高。", "答案": "错", "解析": "可靠性最小。", "难度": "2"},
        {"题型": "填空", "题干": "邮件调查的费用（ ），但可靠性____。", "答案": "最低|最少；最小",
         "解析": "费用最低，可靠性最小。"},
        {"题型": "简答题", "题干": "客户调查的方法有哪些？",
         "答案": "有邮件调查、电话调查和面谈调查。\n要点：邮件调查 关键词：邮件/信函\n要点：电话调查（2分）",
         "解析": "每种方法一分。"},
    ]
    result = import_excel(xlsx(rows), topic="survey", knowledge_point="survey.steps")
    assert result.problems == [] and other_warnings(result) == [] and result.skipped == []
    assert layout(result) == ["第 1 行（Excel）：表格格式：本系统模板（每题一行，选项A、选项B……各占一列）"]
    single, multiple, truefalse, fill, short = result.questions
    assert list(single) == ["id", "type", "knowledge_point", "section", "difficulty", "stem", "options",
                            "answer", "explanation"]
    assert single["type"] == "single" and single["answer"] == "A" and single["section"] == "二(三)3"
    assert single["knowledge_point"] == "survey.methods" and single["difficulty"] == 1
    assert single["options"] == ["费用低", "可靠性高", "速度快"]
    assert multiple == {**multiple, "type": "multiple", "answer": ["A", "B", "D"], "knowledge_point": "survey.steps"}
    assert truefalse["answer"] is False and truefalse["difficulty"] == 2
    assert fill["stem"] == "邮件调查的费用{{1}}，但可靠性{{2}}。"
    assert fill["blanks"] == [["最低", "最少"], ["最小"]]
    assert short["rubric"] == [{"point": "邮件调查", "accept": ["邮件", "信函"]},
                               {"point": "电话调查", "accept": ["电话调查"], "points": 2}]
    assert short["model_answer"] == "有邮件调查、电话调查和面谈调查。"
    models = loads_cleanly(result, tmp_path)
    assert [m.type for m in models] == ["single", "multiple", "truefalse", "fill", "short"]


@pytest.mark.parametrize("written", ["ABD", "A,B,D", "A、B、D", "a b d", "Ａ，Ｂ，Ｄ", "DBA", "A;B;D"])
def test_multiple_choice_answer_spellings(written: str) -> None:
    row = {"题型": "多选", "题干": "选出正确的（ ）。", "选项A": "甲", "选项B": "乙", "选项C": "丙",
           "选项D": "丁", "答案": written, "解析": "……"}
    assert one(row)["answer"] == ["A", "B", "D"]


@pytest.mark.parametrize("written, value", [
    ("对", True), ("错", False), ("√", True), ("×", False), ("正确", True), ("错误", False),
    ("T", True), ("F", False), ("是", True), ("否", False), ("true", True), (True, True), (False, False)])
def test_true_false_answer_spellings(written: object, value: bool) -> None:
    row = {"题型": "判断", "题干": "邮件调查费用最低。", "答案": written, "解析": "……"}
    assert one(row)["answer"] is value


def test_true_false_written_as_a_choice_between_right_and_wrong() -> None:
    row = {"题型": "判断", "题干": "邮件调查费用最低。", "选项A": "正确", "选项B": "错误", "答案": "B", "解析": "……"}
    assert one(row)["answer"] is False


@pytest.mark.parametrize("stem", ["费用（ ），可靠性(  )。", "费用____，可靠性＿＿。", "费用{{1}}，可靠性{{2}}。",
                                  "费用（　），可靠性（）。"])
def test_fill_blank_spellings(stem: str) -> None:
    row = {"题型": "填空", "题干": stem, "答案": "最低;最小|最少", "解析": "……"}
    question = one(row)
    assert question["stem"] == "费用{{1}}，可靠性{{2}}。"
    assert question["blanks"] == [["最低"], ["最小", "最少"]]


def test_numbers_typed_into_cells_stay_text(tmp_path: Path) -> None:
    row = {"题型": "单选", "题干": "2 的 50 倍是（ ）。", "选项A": 100, "选项B": 1.5, "选项C": "true",
           "答案": "A", "解析": "乘法。"}
    result = import_excel(xlsx([row]), topic="survey", knowledge_point="survey.methods")
    assert result.questions[0]["options"] == ["100", "1.5", "true"]
    assert loads_cleanly(result, tmp_path)[0].options == ("100", "1.5", "true")


def test_missing_explanation_gets_the_placeholder_and_a_warning() -> None:
    result = import_excel(xlsx([{"题型": "判断", "题干": "甲是乙。", "答案": "对"}]),
                          topic="survey", knowledge_point="survey.methods")
    assert result.questions[0]["explanation"] == PLACEHOLDER_EXPLANATION
    assert [(w.where, "没有解析" in w.message) for w in other_warnings(result)] == [("第 2 行（Excel）", True)]
    assert result.problems == []


def test_header_found_below_a_title_row_and_unknown_columns_warned() -> None:
    data = xlsx([{"题型": "判断", "题干": "甲是乙。", "答案": "对", "解析": "……", "备注": "x"}],
                header=HEADER + ["备注"], before=[["第八章题库"], []])
    result = import_excel(data, topic="survey", knowledge_point="survey.methods")
    assert len(result.questions) == 1 and result.problems == []
    assert [str(w) for w in other_warnings(result)] == ["第 3 行（Excel）：未识别的列“备注”，已忽略"]


def test_every_problem_is_reported_with_its_row() -> None:
    good = {"题型": "单选", "题干": "好题（ ）。", "选项A": "甲", "选项B": "乙", "答案": "A", "解析": "……"}
    rows = [
        good,                                                                              # row 2
        {**good, "题型": "单选择", "题干": "题型写错（ ）。"},                                # row 3
        {**good, "题干": "答案超出选项（ ）。", "答案": "E"},                                  # row 4
        {**good, "题型": "多选", "题干": "多选只有一个答案（ ）。", "答案": "B"},              # row 5
        {"题型": "判断", "题干": "判断答案写错。", "答案": "也许", "解析": "……"},             # row 6
        {"题型": "填空", "题干": "只有一个空（ ）。", "答案": "甲；乙", "解析": "……"},          # row 7
        {"题型": "简答", "题干": "没有要点。", "答案": "只有参考答案。", "解析": "……"},        # row 8
        None,                                                                              # row 9: empty
        {**good, "题干": "选项有空缺（ ）。", "选项B": None, "选项C": "丙"},                  # row 10
        {**good, "题干": None},                                                            # row 11
        {**good, "题干": "知识点格式不对（ ）。", "知识点": "Survey Methods"},                 # row 12
        {**good, "题干": "难度写错（ ）。", "难度": 5},                                       # row 13
        {**good, "题干": "答案被识别成日期（ ）。", "答案": datetime(2024, 1, 2)},            # row 14
        {**good, "题干": "单选两个答案（ ）。", "答案": "AB"},                                # row 15
        {**good, "题干": "重复的选项（ ）。", "选项B": "甲"},                                 # row 16
        {**good, "题干": "答案为空（ ）。", "答案": None},                                    # row 17
        {**good, "题干": "选项太少（ ）。", "选项B": None},                                   # row 18
    ]
    result = import_excel(xlsx(rows), topic="survey", knowledge_point="survey.methods")
    assert [q["stem"] for q in result.questions] == ["好题（ ）。"]
    expected = {
        3: "题型“单选择”无法识别", 4: "答案 E 不在选项中", 5: "多选题至少要有两个正确选项",
        6: "判断题的答案“也许”无法识别", 7: "题干中有 1 个空，答案却给了 2 组", 8: "简答题没有评分要点",
        10: "选项B是空的", 11: "题干是空的", 12: "知识点 'Survey Methods' 格式不对",
        13: "难度应为 1、2 或 3", 14: "被 Excel 自动识别成了日期", 15: "单选题只能有一个答案",
        16: "选项 B：选项重复", 17: "答案是空的", 18: "选项：至少需要 2 项",
    }
    for row, text in expected.items():
        assert text in message_at(result, f"第 {row} 行（Excel）"), row
    assert {p.where for p in result.problems} == {f"第 {row} 行（Excel）" for row in expected}
    assert len(result.skipped) == len(expected)
    assert result.skipped[0] == "第 3 行（Excel） 单选择「题型写错（ ）。」"


def test_without_a_knowledge_point_anywhere_the_row_is_a_problem() -> None:
    result = import_excel(xlsx([{"题型": "判断", "题干": "甲是乙。", "答案": "对", "解析": "……"}]),
                          topic="survey", knowledge_point=None)
    assert result.questions == []
    assert "没有知识点" in message_at(result, "第 2 行（Excel）")


def test_knowledge_points_outside_the_topic_are_problems() -> None:
    rows = [{"题型": "判断", "题干": "甲是乙。", "答案": "对", "解析": "……", "知识点": "churn.causes"},
            {"题型": "判断", "题干": "乙是丙。", "答案": "对", "解析": "……"}]
    result = import_excel(xlsx(rows), topic="survey", knowledge_point="survey.methods",
                          allowed_knowledge_points={"survey.methods", "survey.steps"})
    assert [q["stem"] for q in result.questions] == ["乙是丙。"]
    assert "不属于主题 survey" in message_at(result, "第 2 行（Excel）")


def test_sheet_without_header_or_answer_column() -> None:
    result = import_excel(xlsx([], header=["名称", "内容"]), topic="survey")
    assert result.questions == [] and "没有找到表头行" in message_at(result, "第 1 行（Excel）")
    result = import_excel(xlsx([{"题型": "判断", "题干": "甲。"}], header=["题型", "题干"]), topic="survey")
    assert "没有“答案”列" in message_at(result, "第 1 行（Excel）")


def test_a_damaged_file_is_a_problem_not_a_crash() -> None:
    result = import_data("bank.xlsx", b"not a zip file", topic="survey")
    assert result.questions == [] and "无法读取 Excel 文件" in message_at(result, "文件")


def test_template_imports_cleanly_and_explains_every_column(tmp_path: Path) -> None:
    path = tmp_path / "questions.xlsx"
    write_template(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["题目", "说明"]
    header = [c.value for c in workbook["题目"][1]]
    assert header[:2] == ["题型", "题干"] and "选项H" in header and "答案" in header and "难度" in header
    explained = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    for column in ("题型", "题干", "选项A～选项H", "答案", "解析", "知识点", "难度"):
        assert column in explained
    # The examples are marked 【示例】 and never imported, with a note naming their rows ...
    result = import_file(path, topic="survey")
    assert result.problems == [] and result.questions == [] and result.skipped == []
    assert [str(w) for w in other_warnings(result)] == [
        "第 2 行（Excel）：题干以【示例】开头的示例行没有导入：第 2 行（Excel）、第 3 行（Excel）、第 4 行（Excel）、"
        "第 5 行（Excel）、第 6 行（Excel）"]
    # ... while a question written below them is; and unmarked, every example is a valid question.
    sheet = workbook["题目"]
    sheet.append(["判断", "老师自己的题。", *[None] * 8, "对", "……", "survey.methods"])
    for row in range(2, 2 + len(EXAMPLES)):
        sheet.cell(row=row, column=2).value = sheet.cell(row=row, column=2).value.removeprefix("【示例】")
    workbook.save(path)
    result = import_file(path, topic="survey")
    assert result.problems == [] and other_warnings(result) == []
    assert sorted(q["type"] for q in result.questions) == ["fill", "multiple", "short", "single", "truefalse",
                                                           "truefalse"]
    loads_cleanly(result, tmp_path)


def test_ids_are_stable_and_unique() -> None:
    row = {"题型": "判断", "题干": "甲是乙。", "答案": "对", "解析": "……"}
    first = import_excel(xlsx([row, row, row]), topic="survey", knowledge_point="survey.methods")
    again = import_excel(xlsx([row]), topic="survey", knowledge_point="survey.methods")
    base = first.questions[0]["id"]
    assert base.startswith("survey.methods-i") and len(base) == len("survey.methods-i") + 8
    assert [q["id"] for q in first.questions] == [base, base + "-2", base + "-3"]
    assert again.questions[0]["id"] == base
    prefixed = import_excel(xlsx([row]), topic="survey", knowledge_point="survey.methods", id_prefix="bank2024")
    assert prefixed.questions[0]["id"] == "bank2024-i" + base.rsplit("-i", 1)[1]
    bad = import_excel(xlsx([row]), topic="survey", knowledge_point="survey.methods", id_prefix="Bank 2024")
    assert bad.questions == [] and "id 前缀" in message_at(bad, "导入参数")


def test_a_thousand_rows_import_in_under_five_seconds() -> None:
    kinds = [
        {"题型": "单选", "选项A": "甲", "选项B": "乙", "选项C": "丙", "答案": "B"},
        {"题型": "多选", "选项A": "甲", "选项B": "乙", "选项C": "丙", "选项D": "丁", "答案": "ACD"},
        {"题型": "判断", "答案": "对"},
        {"题型": "填空", "答案": "甲|乙；丙", "题干": "（ ）和（ ）。"},
        {"题型": "简答", "答案": "参考答案。\n要点：甲 关键词：甲/乙\n要点：丙"},
    ]
    rows = [{"题干": f"第 {i} 题（ ）。", "解析": f"第 {i} 题的解析。", **kinds[i % 5]} for i in range(1000)]
    for i, row in enumerate(rows):
        if row["题型"] == "填空":
            row["题干"] = f"第 {i} 题：（ ）和（ ）。"
    data = xlsx(rows)
    start = time.perf_counter()
    result = import_excel(data, topic="survey", knowledge_point="survey.methods")
    elapsed = time.perf_counter() - start
    assert result.problems == [] and len(result.questions) == 1000
    assert len({q["id"] for q in result.questions}) == 1000
    assert elapsed < 5, f"{elapsed:.2f} s"
