"""Excel (.xlsx) import, one question per row, and the template workbook teachers fill in."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any, Collection

from tutor.content.transfer.common import (FILL_RULE, RUBRIC_RULE, TRUTH_HELP, Draft, ImportResult,
                                           Options, Problem, clean, finalize)
from tutor.content.transfer.limits import MAX_COLUMNS, MAX_ITEMS, MAX_ROWS, too_many
from tutor.content.transfer.rows import TYPE_HELP, RawItem, draft_from_raw
from tutor.content.transfer.zipcheck import ZipTooLarge, open_checked
from tutor.questions.base import LETTERS

# Column headings as teachers write them (spaces ignored) -> our column key.
HEADINGS = {
    "题型": "type", "类型": "type", "题目类型": "type",
    "题干": "stem", "题目": "stem", "题目内容": "stem", "试题": "stem",
    "答案": "answer", "正确答案": "answer", "标准答案": "answer",
    "解析": "explanation", "答案解析": "explanation", "试题解析": "explanation",
    "知识点": "knowledge_point", "难度": "difficulty", "章节": "section", "标签": "tags",
}
_OPTION_HEADING = re.compile(r"^(?:选项)?([A-H])(?:选项)?$")
HEADER_SEARCH_ROWS = 10
TEMPLATE_COLUMNS = ["题型", "题干"] + [f"选项{letter}" for letter in LETTERS] + \
    ["答案", "解析", "知识点", "难度", "章节", "标签"]


def _where(row: int) -> str:
    return f"第 {row} 行（Excel）"


def _heading_key(value: Any) -> str | None:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean(value))).upper()
    match = _OPTION_HEADING.match(text)
    if match:
        return "option:" + match.group(1)
    return HEADINGS.get(text)


def _cell(value: Any) -> tuple[Any, str | None]:
    """A cell's value as text (a boolean stays one), or a message when Excel changed it."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), None
    if isinstance(value, (datetime, date, time)):
        return "", "被 Excel 自动识别成了日期或时间；请把该单元格设为“文本”格式后重新输入"
    return str(value), None


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[int, str], list[str]] | None:
    """The header row (1-based), its column keys by index, and headings not understood."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        keys = {index: _heading_key(value) for index, value in enumerate(row)}
        if "stem" in keys.values() and "type" in keys.values():
            unknown = [clean(row[i]) for i, key in keys.items() if key is None and clean(row[i])]
            return number, {i: k for i, k in keys.items() if k}, unknown
    return None


def _raw_item(number: int, row: tuple[Any, ...], columns: dict[int, str]) -> RawItem | None:
    values: dict[str, Any] = {}
    problems: list[str | Problem] = []
    for index, key in columns.items():
        value, message = _cell(row[index] if index < len(row) else None)
        if message:
            problems.append(f"{_heading_name(key)}列的单元格{message}")
        values[key] = value
    if all(v == "" for v in values.values()):
        return None                                   # an empty row
    options = [clean(values.get(f"option:{letter}")) for letter in LETTERS]
    while options and not options[-1]:
        options.pop()
    for index, option in enumerate(options):
        if not option:
            problems.append(f"选项{LETTERS[index]}是空的，但后面还有选项；选项要从 A 开始连续填写")
    def text(key: str) -> str:
        value = values.get(key)
        return str(value).upper() if isinstance(value, bool) else clean(value)

    tags = [t for t in re.split(r"[,，、;；\s]+", text("tags")) if t]
    return RawItem(_where(number), text("type"), text("stem"), options, values.get("answer"),
                   text("explanation"), text("knowledge_point"), text("difficulty"), text("section"),
                   tags, problems=problems)


def _heading_name(key: str) -> str:
    if key.startswith("option:"):
        return "选项" + key[-1]
    return next(name for name, k in HEADINGS.items() if k == key)


def _drafts(sheet: Any, header: int, columns: dict[int, str]) -> tuple[list[Draft], list[Problem]]:
    """One draft per non-empty row after the header, streamed: only the header's columns are
    read (a sheet may declare itself 16,384 columns wide), and reading stops at the bounds."""
    drafts: list[Draft] = []
    last = header + MAX_ROWS
    rows = sheet.iter_rows(min_row=header + 1, max_row=last + 1, max_col=max(columns) + 1, values_only=True)
    for number, row in enumerate(rows, start=header + 1):
        if number > last:
            return drafts, [Problem(_where(number), too_many("表格行数", MAX_ROWS))]
        raw = _raw_item(number, row, columns)
        if raw is None:
            continue
        if len(drafts) == MAX_ITEMS:
            return drafts, [Problem(_where(number), too_many("题目", MAX_ITEMS))]
        drafts.append(draft_from_raw(raw))
    return drafts, []


def import_excel(data: bytes, *, topic: str, knowledge_point: str | None = None,
                 id_prefix: str | None = None,
                 allowed_knowledge_points: Collection[str] | None = None) -> ImportResult:
    """Read the first sheet that has a 题型/题干 header row; one question per row after it."""
    import openpyxl  # here, so that the other formats work where openpyxl is not installed

    options = Options(topic, knowledge_point, id_prefix, allowed_knowledge_points)
    unreadable = "；如果是旧的 .xls 文件，请在 Excel 中另存为 .xlsx"
    try:
        open_checked(data).close()
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except ZipTooLarge as exc:
        return finalize([], options, [Problem("文件", f"文件过大或过于复杂，无法导入（{exc}）")])
    except MemoryError:
        raise                     # the child reports it as such
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        return finalize([], options, [Problem("文件", f"无法读取 Excel 文件（.xlsx）：{exc.__class__.__name__}"
                                                    + unreadable)])
    try:
        for sheet in workbook.worksheets:
            if sheet.title == "说明":
                continue
            head = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True))
            found = _find_header(head)
            if found is None:
                continue
            header, columns, unknown = found
            warnings = [Problem(_where(header), f"未识别的列“{name}”，已忽略") for name in unknown]
            if "answer" not in columns.values():
                return finalize([], options, [Problem(_where(header), "表头中没有“答案”列")], warnings)
            drafts, problems = _drafts(sheet, header, columns)
            return finalize(drafts, options, problems, warnings)
    finally:
        workbook.close()
    return finalize([], options, [Problem(_where(1), "没有找到表头行：第一行应是“题型、题干、选项A……、答案、解析、"
                                                    "知识点、难度”等列名（可用 content template 生成模板）")])


# ---------------------------------------------------------------- the template

EXAMPLES: list[dict[str, Any]] = [
    {"题型": "单选", "题干": "企业客户的名称、地址和电话属于客户调查内容中的（ ）。",
     "选项A": "客户基础材料", "选项B": "客户业务状况", "选项C": "客户交易现状", "选项D": "客户特征",
     "答案": "A", "解析": "名称、地址、电话是客户最基本的档案信息，属于客户基础材料。",
     "知识点": "survey.content", "难度": 1, "章节": "二(一)1"},
    {"题型": "多选", "题干": "按照教材，客户调查的内容包括（ ）。",
     "选项A": "客户特征", "选项B": "客户交易现状", "选项C": "客户忠诚度", "选项D": "客户业务状况",
     "选项E": "客户基础材料", "答案": "ABDE",
     "解析": "客户调查的内容分为客户基础材料、客户特征、客户业务状况、客户交易现状四类；客户忠诚度不是调查内容的分类。",
     "知识点": "survey.content", "难度": 1, "章节": "二(一)"},
    {"题型": "判断", "题干": "客户的服务区域和经营观念属于客户特征的调查内容。", "答案": "对",
     "解析": "服务区域、经营观念与销售能力、发展潜力等一起构成客户特征。",
     "知识点": "survey.content", "难度": 1, "章节": "二(一)2"},
    {"题型": "填空", "题干": "邮件调查的费用（ ），但可靠性（ ）。", "答案": "最低|最少；最小|最低",
     "解析": "邮件调查的费用最低，但回收率低，可靠性也最小。",
     "知识点": "survey.methods", "难度": 1, "章节": "二(三)3", "标签": "方法"},
    {"题型": "简答", "题干": "进出口商开展客户调查时，调查内容可分为哪几类？",
     "答案": "客户调查的内容分为客户基础材料、客户特征、客户业务状况和客户交易现状四类。\n"
             "要点：客户基础材料 关键词：基础材料/基本资料\n要点：客户特征\n"
             "要点：客户业务状况 关键词：业务状况\n要点：客户交易现状 关键词：交易现状",
     "解析": "每答出一类得一分。", "知识点": "survey.content", "难度": 2, "章节": "二(一)"},
]

COLUMN_HELP: list[tuple[str, str, str]] = [
    ("题型", "必填", f"{TYPE_HELP}。"),
    ("题干", "必填", "题目正文。单选、多选题的作答位置习惯写作（ ）。填空题的空位写作（ ）、____ 或 {{1}}、{{2}}。"),
    ("选项A～选项H", "单选、多选必填", "每个选项一格，不要写字母“A.”；从 A 开始连续填写，2 到 8 个。"
                                    "选项会随机打乱，不要写“以上都对”或用字母指代其他选项。"),
    ("答案", "必填", "按题型写，见下面几行。一格内换行用 Alt+Enter。"),
    ("答案：单选", "", "一个字母，如 B。"),
    ("答案：多选", "", "几个字母，如 ABD、A,B,D 或 A、B、D。"),
    ("答案：判断", "", f"{TRUTH_HELP}。"),
    ("答案：填空", "", f"{FILL_RULE}。例如题干“邮件调查的费用（ ），但可靠性（ ）。”，答案“最低|最少；最小”。"),
    ("答案：简答", "", f"{RUBRIC_RULE}。例如：\n客户调查的内容分为四类。\n要点：客户基础材料 关键词：基础材料/基本资料\n"
                     "要点：客户特征（2分）"),
    ("解析", "建议填写", "为什么这个答案对、容易选错的那个为什么错。留空时导入会填入占位文字并提醒补充。"),
    ("知识点", "可选", "知识点 id，如 survey.methods，须与 course.yaml 中的一致。留空时使用导入时指定的知识点（--kp）。"),
    ("难度", "可选", "1 易、2 中、3 难。"),
    ("章节", "可选", "本题考查的教材章节，按教材目录写，如 二(三)2。"),
    ("标签", "可选", "多个标签用逗号隔开，如 概念,计算。"),
]


def write_template(path: str | Path) -> None:
    """Write the template workbook: the 题目 sheet with example rows, and the 说明 sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "题目"
    sheet.append(TEMPLATE_COLUMNS)
    for example in EXAMPLES:
        sheet.append([example.get(name, "") for name in TEMPLATE_COLUMNS])
    _style_questions(sheet)
    help_sheet = workbook.create_sheet("说明")
    help_sheet.append(["列名", "是否必填", "怎么写"])
    for row in COLUMN_HELP:
        help_sheet.append(list(row))
    help_sheet.append([])
    help_sheet.append(["提示", "", "一行一题；空行会被跳过。请把单元格设为“文本”格式，以免 Excel 把 1-2 变成日期、"
                                  "把 1.10 变成 1.1。导入时每个有问题的题目都会报告它所在的行号。"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 16
    help_sheet.column_dimensions["C"].width = 100
    for row in help_sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(path)


def _style_questions(sheet: Any) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "C2"
    widths = {"题型": 8, "题干": 50, "答案": 30, "解析": 50, "知识点": 18, "难度": 6, "章节": 10, "标签": 10}
    for index, name in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(name, 16)
        # Text format, so Excel keeps what teachers type (1.10, 1-2) as typed.
        for row in range(2, 501):
            sheet.cell(row=row, column=index).number_format = "@"
    for row in sheet.iter_rows(min_row=2, max_row=len(EXAMPLES) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    kinds = DataValidation(type="list", formula1='"单选,多选,判断,填空,简答"', allow_blank=True)
    kinds.error = "请选择：单选、多选、判断、填空、简答"
    kinds.errorStyle = "warning"       # a warning only: 单选题 and the like are accepted too
    sheet.add_data_validation(kinds)
    kinds.add("A2:A1000")
    levels = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    sheet.add_data_validation(levels)
    column = get_column_letter(TEMPLATE_COLUMNS.index("难度") + 1)
    levels.add(f"{column}2:{column}1000")
