"""The Chinese tag style, in Word (.docx) or plain text:

    1. 【单选】企业客户的名称、地址和电话属于客户调查内容中的（ ）。
    A. 客户基础材料   B. 客户业务状况
    C. 客户交易现状   D. 客户特征
    【答案：A】
    【解析】名称、地址、电话是客户最基本的档案信息……
    【知识点：survey.content】【难度：1】

A type tag starts a question; the stem runs to the first option line or tag. A tag with a
value (`【答案：B】`) is complete in itself; a tag without one (`【解析】`) takes the text after
it, up to the next tag, across lines. Text that belongs to nothing is a problem, never dropped
and never merged into a neighbouring question:

- a section heading on a line of its own (`二、多项选择题`, `第二部分 判断题`,
  `一、单选题（每题1分）`) ends the question before it and is otherwise skipped; it does not
  set the type of the questions after it (each still needs its 【多选】 tag);
- a line after the options that is not an option, or text after a complete tag, is reported
  with its line; the question before it is kept as it was;
- an unknown type tag (`【排序】`, `【计算题】`) starts an item of its own, which is reported and
  skipped, so the question before it stays whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection, Iterable, Iterator, Mapping

from tutor.content.transfer.common import Draft, ImportResult, Options, Problem, finalize
from tutor.content.transfer.docxtext import TooManyLines, read_docx, referenced
from tutor.content.transfer.limits import MAX_ITEMS, MAX_LINES, too_many
from tutor.content.transfer.rows import TYPE_HELP, RawItem, draft_from_raw, type_of
from tutor.content.transfer.zipcheck import ZipTooLarge
from tutor.questions.base import LETTERS

# `【name】` or `【name：value】`. The name and value are trimmed in `_tag_parts`, not by `\s*`
# around them here: `\s*` next to a class that also holds spaces made an unclosed `【` followed
# by spaces backtrack exponentially. As written each `【` scans once, to the next 【 or 】.
TAG = re.compile(r"【([^【】：:]++)(?:[：:]([^【】]*+))?】")
NUMBERING = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\s*\d+\s*[）)]|第\s*\d+\s*题[.、．:：]?)\s*(?=【)")
OPTION = re.compile(r"^\s*([A-HＡ-Ｈ])\s*[.、．]\s*")
FIELD_TAGS = {
    "答案": "answer", "正确答案": "answer", "参考答案": "answer",
    "解析": "explanation", "答案解析": "explanation", "试题解析": "explanation",
    "知识点": "knowledge_point", "难度": "difficulty", "章节": "section", "标签": "tags",
    "要点": "rubric",
}
TAG_HELP = "【单选】【多选】【判断】【填空】【简答】【答案】【解析】【知识点】【难度】【章节】【标签】【要点】"
# Tags naming a question type we do not import: they start an item of their own.
OTHER_TYPES = {"排序", "计算", "匹配", "连线", "案例", "案例分析", "论述", "名词解释", "综合", "材料", "材料分析",
               "不定项", "多项", "单项", "选择", "阅读", "分析", "作图", "改错", "辨析", "操作", "实训"}
# A heading line: an optional outline number (一、 第二部分 （三）) and a type name, with an
# optional note in brackets; or 第X部分/大题/节/章 followed by any title. Tried only on lines
# of at most HEADING_CHARS characters without a 【, so neither pattern can take long.
HEADING_CHARS = 60
_OUTLINE = (r"(?:第\s*(?:[一二三四五六七八九十百]+|\d+)\s*(?:部分|大题|节|章|卷)\s*[、.．:：]?"
            r"|[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])")
HEADING = re.compile(_OUTLINE + r"?\s*(?:单项选择|多项选择|不定项选择|单选|多选|判断|是非|填空|简答|问答|选择|排序"
                     r"|计算|案例分析|论述|名词解释)题?\s*(?:[（(][^（）()]*[）)])?\s*")
SECTION_HEADING = re.compile(r"第\s*(?:[一二三四五六七八九十百]+|\d+)\s*(?:部分|大题|节|章|卷)(?:[\s、.．:：].*)?")

Line = tuple[str, str]      # (where, text)


def _letter(ch: str) -> str:
    return chr(ord(ch) - ord("Ａ") + ord("A")) if "Ａ" <= ch <= "Ｈ" else ch


def split_options(text: str) -> list[str] | None:
    """`A. 甲  B. 乙  C. 丙` -> [甲, 乙, 丙]; None when the line does not start with an option.

    Later letters count as new options only in order (B after A...) and after white space,
    so a letter inside an option's own text is left alone.
    """
    match = OPTION.match(text)
    if match is None:
        return None
    first = LETTERS.index(_letter(match.group(1)))
    options: list[str] = []
    rest, position = text, match.end()
    for letter in LETTERS[first + 1:]:
        # Only where a run of spaces starts: from inside a long run each start would rescan it.
        after = re.compile(r"(?<![ \t\u3000])[ \t\u3000]++[" + letter + chr(ord(letter) - ord("A") + ord("Ａ"))
                           + r"]\s*+[.、．]\s*+")
        nxt = after.search(rest, position)
        if nxt is None:
            break
        options.append(rest[position:nxt.start()].strip())
        position = nxt.end()
    options.append(rest[position:].strip())
    return options


@dataclass
class _Item:
    where: str
    type_text: str
    stem: list[str] = field(default_factory=list)
    options: list[list[str]] = field(default_factory=list)     # each option's lines, joined at the end
    first_letter: int = 0
    values: dict[str, list[str]] = field(default_factory=dict)
    field_where: dict[str, str] = field(default_factory=dict)
    problems: list[str | Problem] = field(default_factory=list)

    def raw(self) -> RawItem:
        def joined(key: str) -> str:
            return "\n".join(self.values.get(key, [])).strip()

        answer_lines = list(self.values.get("answer", []))
        answer_lines += [f"要点：{line}" for line in self.values.get("rubric", [])]
        tags = [t for t in re.split(r"[,，、;；\s]+", joined("tags")) if t]
        problems = list(self.problems)
        if self.first_letter:
            problems.append(Problem(self.field_where.get("options", self.where),
                                    f"选项应从 A 开始，这里从 {LETTERS[self.first_letter]} 开始"))
        options = [" ".join(parts).strip() for parts in self.options]
        return RawItem(self.where, self.type_text, "\n".join(self.stem), options,
                       "\n".join(answer_lines).strip(), joined("explanation"), joined("knowledge_point"),
                       joined("difficulty"), joined("section"), tags, dict(self.field_where), problems)


class _Reader:
    """Walks the lines once, gathering items; `field` is where loose text currently goes."""

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.item: _Item | None = None
        self.field: str | None = None
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.headings: list[Line] = []

    def feed(self, where: str, line: str) -> None:
        if not line.strip():
            return
        if is_heading(line):
            self.item, self.field = None, None     # what follows belongs to the next question
            self.headings.append((where, line.strip()))
            return
        line = NUMBERING.sub("", line)     # `3. 【单选】`, and `3. 【排序】` too: no "3." left over
        position, first = 0, True
        for match in TAG.finditer(line):
            self.text(where, line[position:match.start()], first)
            self.tag(where, *_tag_parts(match))
            position, first = match.end(), False
        self.text(where, line[position:], first)

    def text(self, where: str, text: str, line_start: bool) -> None:
        if not text.strip():
            return
        item = self.item
        if self.field == IGNORED:
            return                          # an unknown tag's text: that tag is reported already
        if item is None:
            if not self.items:
                if not self.warnings:       # a title page is one warning, not one per line
                    self.warnings.append(Problem(where, "第一道题之前的文字已忽略（题目应以【单选】等题型标记开头）"))
            else:
                self.problems.append(Problem(where, f"文字“{_short(text)}”不属于任何题目，没有导入"
                                                    "（每道题应以【单选】等题型标记开头）"))
            return
        marker = OPTION.match(text)
        if line_start and self.field in ("stem", "option") and marker is not None:
            options = split_options(text)
            if options is not None:
                if not item.options:
                    item.first_letter = LETTERS.index(_letter(marker.group(1)))
                    item.field_where.setdefault("options", where)
                item.options.extend([option] for option in options)
                self.field = "option"
                return
        if self.field == "stem":
            item.stem.append(text.strip())
        elif self.field is not None and self.field in FIELD_TAGS.values():
            item.values.setdefault(self.field, []).append(text.strip())
        else:
            # Not glued to the last option or to the question: reported on its own, the
            # question before it is kept as written.
            after = "选项之后的" if self.field == "option" else ""
            self.problems.append(Problem(where, f"{after}文字“{_short(text)}”不属于题目的任何部分，没有导入"
                                                "（是否漏写了【解析】等标记？）"))

    def tag(self, where: str, name: str, value: str | None) -> None:
        if type_of(name) is not None:
            self.item = _Item(where, name)
            self.items.append(self.item)
            self.field = "stem"
            if value and value.strip():
                self.item.stem.append(value.strip())
            return
        key = FIELD_TAGS.get(name.replace(" ", ""))
        if key is None and _names_a_type(name):
            # An item of its own, reported and skipped there: never part of the one before.
            self.item = _Item(where, name)
            self.items.append(self.item)
            self.field = "stem"
            return
        if key is None:
            message = f"无法识别的标记【{name}】；可用的标记：{TAG_HELP}"
            if self.item is None:
                self.problems.append(Problem(where, message))
            else:
                self.item.problems.append(Problem(where, message))
            self.field = IGNORED
            return
        if self.item is None:
            if self.items:
                self.problems.append(Problem(where, f"标记【{name}】不属于任何题目（它前面是标题行）；"
                                                    f"题目应以题型标记开头：{TYPE_HELP}"))
            else:
                self.problems.append(Problem(where, f"标记【{name}】出现在第一道题之前；题目应以题型标记开头：{TYPE_HELP}"))
            self.field = IGNORED
            return
        if key in self.item.values and key != "rubric":
            self.item.problems.append(Problem(where, f"重复的【{name}】"))
        self.item.values.setdefault(key, [])
        self.item.field_where.setdefault(key, where)
        if value is not None and value.strip():
            self.item.values[key].append(value.strip())
            self.field = None
        else:
            self.field = key


IGNORED = "ignored"      # `_Reader.field` after an unknown tag: its text is dropped with it


def is_heading(line: str) -> bool:
    """A section heading such as 二、多项选择题 or 第二部分 判断题, on a line of its own."""
    text = line.strip()
    if len(text) > HEADING_CHARS or "【" in text:
        return False
    return HEADING.fullmatch(text) is not None or SECTION_HEADING.fullmatch(text) is not None


def _names_a_type(name: str) -> bool:
    """【排序】, 【计算题】: a tag naming a question type, one we do not import."""
    bare = name.replace(" ", "")
    return bare.endswith("题") or bare in OTHER_TYPES


def _tag_parts(match: re.Match[str]) -> tuple[str, str | None]:
    """A tag's name and value, trimmed (a name of spaces only stays one space, as it was)."""
    name, value = match.group(1), match.group(2)
    return name.strip() or name[:1], None if value is None else value.strip()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 20 else text[:20] + "……"


def _read(lines: Iterable[Line]) -> tuple[list[Draft], list[Problem], list[Problem]]:
    reader = _Reader()
    for count, (where, line) in enumerate(lines, start=1):
        if count > MAX_LINES:
            reader.problems.append(Problem(where, too_many("行", MAX_LINES)))
            break
        reader.feed(where, line)
        if len(reader.items) > MAX_ITEMS:
            reader.items.pop()
            reader.problems.append(Problem(where, too_many("题目", MAX_ITEMS)))
            break
    if reader.headings:
        shown = "、".join(f"{where}“{text}”" for where, text in reader.headings[:5])
        more = f"等 {len(reader.headings)} 行" if len(reader.headings) > 5 else ""
        reader.warnings.append(Problem(reader.headings[0][0], f"以下标题行已跳过（标题不决定题型，每道题仍需题型标记）：{shown}{more}"))
    if not reader.items:
        reader.problems.append(Problem("文件", f"没有找到题目：每道题应以题型标记开头，如 {TYPE_HELP}"))
    return [draft_from_raw(item.raw()) for item in reader.items], reader.problems, reader.warnings


def text_lines(text: str) -> Iterator[Line]:
    """Numbered lines, one at a time (a list of them all could be far larger than the text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start, number = 0, 1
    while (end := text.find("\n", start)) >= 0:
        yield f"第 {number} 行", text[start:end]
        start, number = end + 1, number + 1
    yield f"第 {number} 行", text[start:]


def import_tagged_text(text: str, *, topic: str, knowledge_point: str | None = None,
                       id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                       warnings: Iterable[Problem] = (), topic_of: Mapping[str, str] | None = None) -> ImportResult:
    """Plain text in the tag style; places are reported as 第 N 行."""
    drafts, problems, found = _read(text_lines(text))
    return finalize(drafts, Options(topic, knowledge_point, id_prefix, allowed_knowledge_points, topic_of),
                    problems, list(warnings) + found)


def docx_lines(data: bytes) -> tuple[list[Line], list[Problem], list[Problem], dict[str, bytes]]:
    """The document's paragraphs (a soft line break starts a new line in the same paragraph),
    problems (reading stopped at MAX_LINES), warnings (a table was not read, a picture not
    imported) and the pictures the paragraphs name as `![说明](images/NAME)`, by NAME."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    try:
        document = read_docx(data)
    except TooManyLines as stopped:
        document = stopped.text
        problems.append(Problem(f"第 {len(document.paragraphs) + 1} 段", too_many("行", MAX_LINES)))
    paragraphs, has_table_text = document.paragraphs, document.has_table_text
    warnings.extend(Problem(f"第 {number} 段", message) for number, message in document.picture_warnings)
    lines = [(f"第 {number} 段", part) for number, text in enumerate(paragraphs, start=1)
             for part in text.split("\n")]
    if has_table_text:
        warnings.append(Problem("文件", "文档中的表格没有读取：请把表格中的题目改为普通段落"))
    return lines, problems, warnings, document.media


def import_docx(data: bytes, *, topic: str, knowledge_point: str | None = None,
                id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                topic_of: Mapping[str, str] | None = None) -> ImportResult:
    """A Word document in the tag style; places are reported as 第 N 段 (paragraph number)."""
    options = Options(topic, knowledge_point, id_prefix, allowed_knowledge_points, topic_of)
    try:
        lines, stopped, warnings, pictures = docx_lines(data)
    except ZipTooLarge as exc:
        return finalize([], options, [Problem("文件", f"文件过大或过于复杂，无法导入（{exc}）")])
    except MemoryError:
        raise                     # the child reports it as such
    except Exception as exc:  # zipfile and expat raise many kinds for a damaged or foreign file
        return finalize([], options, [Problem("文件", f"无法读取 Word 文件（.docx）：{exc.__class__.__name__}；"
                                                    "如果是旧的 .doc 文件，请在 Word 中另存为 .docx")])
    drafts, problems, found = _read(lines)
    result = finalize(drafts, options, stopped + problems, warnings + found)
    result.media = referenced(pictures, result.questions)
    return result
