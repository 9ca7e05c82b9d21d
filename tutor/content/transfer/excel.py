"""Excel (.xlsx) import in the layouts Chinese question banks come in, and our template.

The layout is recognised from each sheet's header row (and the result says which):

- `template`: our own template, one question per row, one column per option (选项A…选项H);
- `per_option`: one row per option, as yf-exam exports and imports it: a question row
  (题目序号, 题目类型, 题目内容, 整体解析…) and its options, one per row (选项内容, 是否正确项);
  an option row leaves the question's cells empty or repeats them with the same 题目序号;
- `options_cell`: every option in one 选项 cell, as RuoYi-based exam modules lay it out:
  "A.苹果|B.香蕉", one option per line (Alt+Enter) or separated by ；.

In any layout a heading may carry a hint in brackets, "题型（1单选 2多选 3判断）" or
"答案(多选用逗号分隔)": the hint is dropped from the name, and a type hint's numbers are the
codes its type cells use. Type cells written 1/2/3 under a heading without such a hint are
read as yf-exam's codes, 1 单选 2 多选 3 判断, and the result says so. A sheet named after a
type (单选题, 多选题, 判断题…) gives that type to its rows, so a workbook may hold one sheet per
type; every sheet with a header row is read. Rows whose stem starts with 【示例】 (the template's
examples) are skipped, with a note.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any, Collection, Iterator, Mapping

from tutor.content.transfer.common import (FILL_RULE, RUBRIC_RULE, TRUTH_HELP, Draft, ImportResult,
                                           Options, Problem, clean, finalize, parse_truth)
from tutor.content.transfer.limits import MAX_COLUMNS, MAX_ITEMS, MAX_ROWS, too_many
from tutor.content.transfer.rows import TYPE_HELP, TYPE_NAMES, RawItem, draft_from_raw, type_of
from tutor.content.transfer.tagtext import split_options
from tutor.content.transfer.zipcheck import ZipTooLarge, open_checked
from tutor.questions.base import LETTERS

# Column headings as teachers write them (spaces, a leading * and a bracketed hint ignored)
# -> our column key.
HEADINGS = {
    "题型": "type", "类型": "type", "题目类型": "type", "试题类型": "type",
    "题干": "stem", "题目": "stem", "题目内容": "stem", "试题": "stem", "试题内容": "stem",
    "题目名称": "stem", "问题": "stem",
    "答案": "answer", "正确答案": "answer", "标准答案": "answer", "参考答案": "answer",
    "解析": "explanation", "答案解析": "explanation", "试题解析": "explanation", "整体解析": "explanation",
    "题目解析": "explanation",
    "知识点": "knowledge_point", "难度": "difficulty", "章节": "section", "标签": "tags",
    "题目序号": "number", "序号": "number", "题号": "number", "题目编号": "number", "编号": "number",
    "选项": "options", "选项内容": "options", "答案选项": "options", "备选项": "options",
    "是否正确": "is_right", "是否正确项": "is_right", "是否正确答案": "is_right", "正确与否": "is_right",
    "是否答案": "is_right",
}
_OPTION_HEADING = re.compile(r"^(?:选项)?([A-H])(?:选项)?$")
# "题型（1单选 2多选 3判断）": the name and the hint. A heading is at most a cell's text, and
# the hint is matched only at the end, after one bracket, so this cannot backtrack far.
_HINT = re.compile(r"^([^（(\[【]*+)[（(\[【]([^）)\]】]*+)[）)\]】]$")
_TYPE_CODE = re.compile(r"(\d{1,2})\s*[:：=.、\-－]?\s*(" + "|".join(sorted(TYPE_NAMES, key=len, reverse=True))
                        + r")题?")
HEADER_SEARCH_ROWS = 10
TEMPLATE_COLUMNS = ["题型", "题干"] + [f"选项{letter}" for letter in LETTERS] + \
    ["答案", "解析", "知识点", "难度", "章节", "标签"]
EXAMPLE_MARK = "【示例】"
# yf-exam's question type codes (its quType), used when a heading does not say what they mean.
DEFAULT_TYPE_CODES = {"1": "单选", "2": "多选", "3": "判断"}
LAYOUTS = {
    "template": "本系统模板（每题一行，选项A、选项B……各占一列）",
    "per_option": "每个选项一行（如 yf-exam：题目行后面是它的选项行，用“是否正确”标出正确选项）",
    "options_cell": "选项写在同一格（如若依考试模块：选项之间用换行、| 或 ；分隔）",
}
LAYOUT_PREFIX = "表格格式："
EXPECTED = ("表头行应包含“题干”（或“题目”“题目内容”）和“题型”（或“题目类型”，工作表以题型命名时可省略）；"
            "选项可以是“选项A……选项H”各一列、一列“选项”（各选项用换行、| 或 ；分隔），"
            "或“选项内容”加“是否正确”（每个选项一行）；还有“答案”“解析”“知识点”“难度”等列"
            "（可用 content template 生成模板）")


@dataclass
class Header:
    row: int                                   # 1-based
    columns: dict[int, str]                    # column index -> our key
    unknown: list[str]
    type_codes: dict[str, str]                 # "1" -> "单选", from the type heading's hint
    layout: str = "template"


@dataclass
class Sheet:
    """One sheet to read: its name, the type its name gives, its header."""

    sheet: Any
    name: str
    sheet_type: str | None
    header: Header
    labelled: bool = False                     # places name the sheet (the workbook has several)

    def where(self, row: int) -> str:
        return f"工作表“{self.name}”第 {row} 行（Excel）" if self.labelled else _where(row)


@dataclass
class Reading:
    """What reading the rows found besides items: for the result's problems and warnings."""

    problems: list[Problem] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    default_codes: bool = False
    items: int = 0


def _where(row: int) -> str:
    return f"第 {row} 行（Excel）"


def _split_heading(value: Any) -> tuple[str, str]:
    """A heading as (name, hint): spaces and a leading/trailing * dropped, width folded."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean(value))).strip("*")
    match = _HINT.match(text)
    return (match.group(1), match.group(2)) if match and match.group(1) else (text, "")


def _heading_key(name: str) -> str | None:
    match = _OPTION_HEADING.match(name.upper())
    if match:
        return "option:" + match.group(1)
    return HEADINGS.get(name)


def _type_codes(hint: str) -> dict[str, str]:
    """"1单选 2多选 3判断" -> {"1": "单选", "2": "多选", "3": "判断"}."""
    return {code: name for code, name in _TYPE_CODE.findall(unicodedata.normalize("NFKC", hint))}


def _layout(columns: Mapping[int, str]) -> str:
    keys = set(columns.values())
    if "is_right" in keys:
        return "per_option"
    if "options" in keys and not any(k.startswith("option:") for k in keys):
        return "options_cell"
    return "template"


def _find_header(rows: list[tuple[Any, ...]], sheet_type: str | None) -> Header | None:
    """The header row, its column keys by index, and headings not understood."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        columns: dict[int, str] = {}
        unknown: list[str] = []
        codes: dict[str, str] = {}
        for index, value in enumerate(row):
            name, hint = _split_heading(value)
            key = _heading_key(name)
            if key is None:
                if name:
                    unknown.append(clean(value))
                continue
            if key in columns.values():
                unknown.append(clean(value))       # a second 题干 column: the first one counts
                continue
            columns[index] = key
            if key == "type":
                codes = _type_codes(hint)
        if "stem" in columns.values() and ("type" in columns.values() or sheet_type):
            header = Header(number, columns, unknown, codes)
            header.layout = _layout(columns)
            if header.layout != "per_option":
                header.columns = {i: k for i, k in columns.items() if k != "number"}
            return header
    return None


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


def _heading_name(key: str) -> str:
    if key.startswith("option:"):
        return "选项" + key[-1]
    return next(name for name, k in HEADINGS.items() if k == key)


@dataclass
class _Row:
    """One row's cells by our key, as text, and what was wrong with them."""

    values: dict[str, Any]
    problems: list[str | Problem]

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return str(value).upper() if isinstance(value, bool) else clean(value)

    @property
    def empty(self) -> bool:
        return all(v == "" for v in self.values.values())


def _read_row(row: tuple[Any, ...], columns: Mapping[int, str]) -> _Row:
    values: dict[str, Any] = {}
    problems: list[str | Problem] = []
    for index, key in columns.items():
        value, message = _cell(row[index] if index < len(row) else None)
        if message:
            problems.append(f"{_heading_name(key)}列的单元格{message}")
        values[key] = value
    return _Row(values, problems)


def _type_text(cells: _Row, sheet: Sheet, reading: Reading) -> str:
    """The row's type as a name (单选…): its cell, a code in it, or the sheet's name."""
    text = unicodedata.normalize("NFKC", cells.text("type")).strip()
    if not text:
        return sheet.sheet_type or ""
    if text.isdigit():
        if sheet.header.type_codes:
            return sheet.header.type_codes.get(text, text)
        if text in DEFAULT_TYPE_CODES:
            reading.default_codes = True
            return DEFAULT_TYPE_CODES[text]
    return text


def _raw(where: str, cells: _Row, type_text: str, options: list[str], answer: Any,
         problems: list[str | Problem]) -> RawItem:
    tags = [t for t in re.split(r"[,，、;；\s]+", cells.text("tags")) if t]
    return RawItem(where, type_text, cells.text("stem"), options, answer, cells.text("explanation"),
                   cells.text("knowledge_point"), cells.text("difficulty"), cells.text("section"),
                   tags, problems=problems)


_LETTER_MARK = re.compile(r"^\s*(?:[（(]\s*[A-HＡ-Ｈa-h]\s*[）)]|[A-HＡ-Ｈa-h]\s*[.、．:：])\s*")


def split_cell_options(text: str) -> list[str]:
    """"A.苹果|B.香蕉", one per line, or "A.苹果；B.香蕉" -> [苹果, 香蕉]."""
    text = clean(text)
    if not text:
        return []
    if "\n" in text:
        parts = text.split("\n")
    elif "|" in text or "｜" in text:
        parts = re.split(r"[|｜]", text)
    elif "；" in text or ";" in text:
        parts = re.split(r"[;；]", text)
    else:
        parts = [text]
    options: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        several = split_options(part.strip())        # "A. 甲  B. 乙" on one line
        if several is not None and len(several) > 1:
            options.extend(several)
        else:
            options.append(_LETTER_MARK.sub("", part, count=1).strip())
    return options


def _template_items(sheet: Sheet, rows: Iterator[tuple[int, tuple[Any, ...]]],
                    reading: Reading) -> Iterator[RawItem]:
    """One question per row: options in 选项A… columns, or all in one 选项 cell."""
    for number, row in rows:
        cells = _read_row(row, sheet.header.columns)
        if cells.empty:
            continue
        if _is_example(cells, sheet, number, reading):
            continue
        problems = list(cells.problems)
        if sheet.header.layout == "options_cell":
            options = split_cell_options(cells.text("options"))
        else:
            options = [clean(cells.values.get(f"option:{letter}")) for letter in LETTERS]
            while options and not options[-1]:
                options.pop()
            for index, option in enumerate(options):
                if not option:
                    problems.append(f"选项{LETTERS[index]}是空的，但后面还有选项；选项要从 A 开始连续填写")
        yield _raw(sheet.where(number), cells, _type_text(cells, sheet, reading), options,
                   cells.values.get("answer"), problems)


def _per_option_items(sheet: Sheet, rows: Iterator[tuple[int, tuple[Any, ...]]],
                      reading: Reading) -> Iterator[RawItem]:
    """A question row, then one row per option; the options marked right make the answer."""
    current: tuple[int, _Row, list[str], list[str], list[str | Problem]] | None = None

    def finish() -> RawItem | None:
        if current is None:
            return None
        number, cells, options, right, problems = current
        answer = "".join(right) if right else cells.values.get("answer")
        return _raw(sheet.where(number), cells, _type_text(cells, sheet, reading), options, answer, problems)

    for number, row in rows:
        cells = _read_row(row, sheet.header.columns)
        if cells.empty:
            continue
        stem, key = cells.text("stem"), cells.text("number")
        starts = bool(stem) and (current is None or (key != current[1].text("number") if key
                                                     else stem != current[1].text("stem")))
        if starts:
            done = finish()
            if done is not None:
                yield done
            if _is_example(cells, sheet, number, reading):
                current = None
                continue
            current = (number, cells, [], [], list(cells.problems))
        elif current is None:
            reading.problems.append(Problem(sheet.where(number), "这一行像是选项行，但它前面没有题目行"
                                                                 "（题目行要填“题目内容”）"))
            continue
        option = cells.text("options")
        mark = cells.text("is_right")
        if not option:
            if mark and not starts:
                current[4].append(Problem(sheet.where(number), "“是否正确”有内容，但“选项内容”是空的"))
            continue
        if len(current[2]) == len(LETTERS):
            current[4].append(Problem(sheet.where(number), f"选项超过 {len(LETTERS)} 个"))
            continue
        current[2].append(option)
        right = _is_right(mark)
        if right is None:
            current[4].append(Problem(sheet.where(number), f"“是否正确”应写 1/0、是/否、对/错 或 √/×，"
                                                           f"而不是“{mark}”"))
        elif right:
            current[3].append(LETTERS[len(current[2]) - 1])
    done = finish()
    if done is not None:
        yield done


def _is_right(text: str) -> bool | None:
    """An option's 是否正确 cell: empty or 0 is wrong, 1 is right, else 对/错, 是/否, √/×…"""
    if text in ("", "0"):
        return False
    if text == "1":
        return True
    return parse_truth(text)


def _is_example(cells: _Row, sheet: Sheet, number: int, reading: Reading) -> bool:
    if cells.text("stem").startswith(EXAMPLE_MARK):
        reading.examples.append(sheet.where(number))
        return True
    return False


def _drafts(sheet: Sheet, reading: Reading) -> list[Draft]:
    """The sheet's drafts, streamed: only the header's columns are read (a sheet may declare
    itself 16,384 columns wide), and reading stops at the bounds."""
    drafts: list[Draft] = []
    header = sheet.header.row
    last = header + MAX_ROWS
    stopped: list[Problem] = []

    def numbered() -> Iterator[tuple[int, tuple[Any, ...]]]:
        rows = sheet.sheet.iter_rows(min_row=header + 1, max_row=last + 1,
                                     max_col=max(sheet.header.columns) + 1, values_only=True)
        for number, row in enumerate(rows, start=header + 1):
            if number > last:
                stopped.append(Problem(sheet.where(number), too_many("表格行数", MAX_ROWS)))
                return
            yield number, row

    read = _per_option_items if sheet.header.layout == "per_option" else _template_items
    for raw in read(sheet, numbered(), reading):
        if reading.items == MAX_ITEMS:
            reading.problems.append(Problem(raw.where, too_many("题目", MAX_ITEMS)))
            break
        reading.items += 1
        drafts.append(draft_from_raw(raw))
    reading.problems.extend(stopped)
    return drafts


def _sheets(workbook: Any) -> tuple[list[Sheet], list[str]]:
    """Every sheet with a header row; and, for the message when there is none, the first
    non-empty row of each sheet."""
    found: list[Sheet] = []
    seen: list[str] = []
    for worksheet in workbook.worksheets:
        if worksheet.title == "说明":
            continue
        head = list(worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True))
        sheet_type = worksheet.title.strip() if type_of(worksheet.title) else None
        header = _find_header(head, sheet_type)
        if header is None:
            first = next((row for row in head if any(clean(v) for v in row)), None)
            if first is not None:
                names = "、".join(clean(v) for v in first if clean(v))
                seen.append(f"工作表“{worksheet.title}”的第一行是：{names[:200]}")
            continue
        found.append(Sheet(worksheet, worksheet.title, sheet_type, header))
    if len(found) > 1:
        for sheet in found:
            sheet.labelled = True
    return found, seen


def _describe(sheet: Sheet) -> str:
    text = f"{LAYOUT_PREFIX}{LAYOUTS[sheet.header.layout]}"
    if sheet.sheet_type and "type" not in sheet.header.columns.values():
        text += f"；题型取自工作表名“{sheet.name}”"
    elif sheet.sheet_type:
        text += f"；题型为空的行取工作表名“{sheet.name}”"
    if sheet.header.type_codes:
        text += "；题型代码：" + "、".join(f"{code} {name}" for code, name in sheet.header.type_codes.items())
    return text


def import_excel(data: bytes, *, topic: str, knowledge_point: str | None = None,
                 id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                 topic_of: Mapping[str, str] | None = None) -> ImportResult:
    """Read every sheet that has a header row (题干 and 题型, or a sheet named after a type)."""
    import openpyxl  # here, so that the other formats work where openpyxl is not installed

    options = Options(topic, knowledge_point, id_prefix, allowed_knowledge_points, topic_of)
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
    drafts: list[Draft] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    reading = Reading()
    try:
        sheets, seen = _sheets(workbook)
        for sheet in sheets:
            where = sheet.where(sheet.header.row)
            warnings.append(Problem(where, _describe(sheet)))
            warnings.extend(Problem(where, f"未识别的列“{name}”，已忽略") for name in sheet.header.unknown)
            keys = set(sheet.header.columns.values())
            if "answer" not in keys and sheet.header.layout != "per_option":
                problems.append(Problem(where, "表头中没有“答案”列"))
                continue
            if sheet.header.layout == "per_option" and "options" not in keys:
                problems.append(Problem(where, "有“是否正确”列，却没有“选项内容”列"))
                continue
            drafts.extend(_drafts(sheet, reading))
            if reading.items >= MAX_ITEMS:
                break
    finally:
        workbook.close()
    if not sheets:
        found = "；".join(seen) if seen else "每个工作表都是空的"
        return finalize([], options, [Problem(_where(1), f"没有找到表头行。{found}。{EXPECTED}")])
    if reading.default_codes:
        warnings.append(Problem("文件", "题型列写的是数字，表头没有说明含义，已按 1 单选、2 多选、3 判断 导入"
                                      "（如不同，请在表头写明，如“题型（1单选 2多选 3判断）”）"))
    if reading.examples:
        shown = "、".join(reading.examples[:10]) + ("等" if len(reading.examples) > 10 else "")
        warnings.append(Problem(reading.examples[0], f"题干以{EXAMPLE_MARK}开头的示例行没有导入：{shown}"))
    return finalize(drafts, options, problems + reading.problems, warnings)


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
    ("题干", "必填", "题目正文。以" + EXAMPLE_MARK + "开头的行是示例，不会导入（可以保留，也可以删除）。单选、多选题的作答位置习惯写作（ ）。填空题的空位写作（ ）、____ 或 {{1}}、{{2}}。"),
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
        # Marked, so that a template filled in below its examples never imports them.
        marked = {**example, "题干": EXAMPLE_MARK + example["题干"]}
        sheet.append([marked.get(name, "") for name in TEMPLATE_COLUMNS])
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
