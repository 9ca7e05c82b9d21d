"""Moodle XML: export and import (https://docs.moodle.org/en/Moodle_XML_format).

Carried both ways: multichoice (single and multiple), truefalse, shortanswer (a fill with one
blank; the blank is written _____ in the question text), cloze with SHORTANSWER gaps (a fill
with several blanks), matching, ordering (qtype_ordering, standard since Moodle 4.4), and
essay for our short answer: the model answer and the rubric go into the grader information,
one `要点：` line per key point. Difficulty, section and tags travel as Moodle tags
(`难度:2`, `章节:二(三)2`). Case questions have no Moodle equivalent and are reported.
"""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator
from xml.parsers import expat

from tutor.content.transfer.common import (ID_PATTERN, MARKER, TYPE_LABELS, Choice, Draft,
                                           ImportResult, Options, Problem, choose, explanation_from,
                                           finalize, html_to_text, parse_difficulty,
                                           render_rubric_line, split_short_answer, text_to_html)
from tutor.content.transfer.limits import MAX_ITEMS, MAX_XML_ELEMENTS, too_many
from tutor.content.transfer.richtext import (Pictures, decode_base64, html_to_markdown, markdown_to_html,
                                             read_picture, with_pictures)
from tutor.questions import QuestionBase

CATEGORY_ROOT = "$course$/top"
BLANK_TEXT = "_____"
_UNDERSCORES = re.compile(r"_{3,}")
DIFFICULTY_TAG, SECTION_TAG = "难度:", "章节:"


# ---------------------------------------------------------------- reading XML with line numbers

@dataclass(slots=True)
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["Node"] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> "Node | None":
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list["Node"]:
        return [c for c in self.children if c.tag == tag]

    def value(self, *path: str) -> str:
        """The text at a path of child tags, '' when any is missing."""
        node: Node | None = self
        for tag in path:
            node = node.find(tag) if node is not None else None
        return node.text.strip() if node is not None else ""

    def rich(self, tag: str) -> str:
        """A Moodle text field (<tag format=".."><text>..</text></tag>) as plain text."""
        node = self.find(tag)
        if node is None:
            return ""
        return _formatted(node)


def _formatted(node: Node) -> str:
    text = node.value("text") if node.find("text") is not None else node.text
    if node.attrs.get("format", "html") == "html":
        return html_to_text(text)
    return text.strip()


@dataclass
class _Texts:
    """Reads the text fields of one file as our Markdown: HTML converted, the pictures in them
    carried (from each field's own <file> elements), what is not carried told to the item."""

    pictures: Pictures = field(default_factory=Pictures)

    def __call__(self, node: Node | None, draft: Draft, label: str) -> str:
        if node is None:
            return ""
        text = node.value("text") if node.find("text") is not None else node.text
        if node.attrs.get("format", "html") not in ("html", "moodle_auto_format"):
            return text.strip()
        files = {(f.attrs.get("path", "/").strip("/") + "/" + f.attrs.get("name", "")).lstrip("/"): f.text
                 for f in node.findall("file") if f.attrs.get("encoding", "base64") == "base64"}
        markdown, notes = html_to_markdown(text, files, self.pictures, label)
        for note in notes:
            draft.warn(note)
        return markdown

    def field(self, q: Node, tag: str, draft: Draft, label: str) -> str:
        return self(q.find(tag), draft, label)


class XmlError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


XML_ERRORS = {
    "mismatched tag": "开始标签和结束标签不匹配",
    "not well-formed (invalid token)": "含有不合法的字符（文字中的 & 和 < 要写成 &amp; 和 &lt;）",
    "unclosed token": "标签没有结束",
    "no element found": "文件不完整，缺少结束标签",
    "junk after document element": "根元素 </quiz> 之后还有多余的内容",
    "undefined entity": "使用了未定义的实体（如 &nbsp; 要写成 &#160;）",
}


_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "cp936"}
_ATTRIBUTES = ("type", "format", "fraction", "name", "path", "encoding")


def parse_xml(data: bytes | str) -> Node:
    """A small tree with each element's line; no DTDs or entities (no entity expansion attacks).

    Expat reads UTF-8, UTF-16 and single-byte encodings; a file declared GBK (or GB2312,
    GB18030) is decoded first, and any other encoding is a problem, never an exception.
    """
    try:
        return _parse(data)
    except (ValueError, LookupError):       # expat: "multi-byte encodings are not supported"
        found = _ENCODING.search(data[:200]) if isinstance(data, bytes) else None
        encoding = found.group(1).decode("ascii") if found else "（未知）"
        if isinstance(data, bytes) and encoding.lower().replace("-", "") in _CHINESE_ENCODINGS:
            return _parse(data.decode("gb18030", errors="replace"))
        raise XmlError(1, f"文件声明的编码 {encoding} 不受支持：请用 UTF-8 编码另存后重新导入") from None


def _parse(data: bytes | str) -> Node:
    parser = expat.ParserCreate()       # bytes: the encoding comes from the BOM or declaration
    parser.buffer_text = True
    stack: list[Node] = []
    texts: list[list[str]] = []         # the text pieces of each open element, joined at its end
    root: list[Node] = []
    elements = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal elements
        elements += 1
        if elements > MAX_XML_ELEMENTS:
            raise XmlError(parser.CurrentLineNumber, too_many("XML 元素", MAX_XML_ELEMENTS))
        kept = {name: attrs[name] for name in _ATTRIBUTES if name in attrs}     # the rest is never read
        node = Node(tag, kept, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)
        texts.append([])

    def end(tag: str) -> None:
        stack.pop().text = "".join(texts.pop())

    def chars(text: str) -> None:
        if texts:
            texts[-1].append(text)

    def forbid(*args: Any) -> None:
        raise XmlError(parser.CurrentLineNumber, "不允许使用 DOCTYPE 或实体声明")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        reason = expat.errors.messages.get(exc.code, str(exc))
        raise XmlError(exc.lineno, f"XML 格式错误：{XML_ERRORS.get(reason, reason)}（{reason}）") from None
    if not root:
        raise XmlError(1, "文件是空的")
    return root[0]


# ---------------------------------------------------------------- import

def _category_kp(path: str) -> str | None:
    last = path.strip().rstrip("/").split("/")[-1].strip()
    return last if ID_PATTERN.match(last) and last not in ("top", "$course$", "$system$") else None


def _fraction(node: Node) -> float:
    try:
        return float(node.attrs.get("fraction", "0"))
    except ValueError:
        return 0.0


def _answers(q: Node, draft: Draft, texts: _Texts) -> list[tuple[str, float, str]]:
    """(text, fraction in percent, feedback) of each <answer>."""
    found = []
    for index, answer in enumerate(q.findall("answer")):
        label = f"第 {index + 1} 个答案"
        found.append((texts(answer, draft, label), _fraction(answer),
                      texts.field(answer, "feedback", draft, label + "的反馈")))
    return found


def _tags(draft: Draft, q: Node) -> None:
    tags = q.find("tags")
    for tag in tags.findall("tag") if tags is not None else []:
        text = tag.value("text")
        if text.startswith(DIFFICULTY_TAG):
            draft.difficulty, message = parse_difficulty(text[len(DIFFICULTY_TAG):])
            if message:
                draft.problem(message, "difficulty")
        elif text.startswith(SECTION_TAG):
            draft.section = text[len(SECTION_TAG):].strip() or None
        elif text:
            draft.tags.append(text)


def _multichoice(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    single = q.value("single").lower() in ("true", "1")
    choose(draft, [Choice(t, f, fb) for t, f, fb in _answers(q, draft, texts)], single=single, general=general)


def _truefalse(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    answers = {t.lower(): (f, fb) for t, f, fb in _answers(q, draft, texts)}
    if set(answers) != {"true", "false"}:
        draft.problem("判断题应有 true 和 false 两个答案", "answer")
        return
    draft.type = "truefalse"
    value = answers["true"][0] > answers["false"][0]
    draft.fields["answer"] = value
    right, wrong = answers["true" if value else "false"][1], answers["false" if value else "true"][1]
    draft.fields["explanation"] = explanation_from(general, [("答对时", right), ("答错时", wrong)], draft)


def _accepted(draft: Draft, answers: list[tuple[str, float]]) -> list[str]:
    accepted = [text for text, weight in answers if weight >= 99.99]
    for text, weight in answers:
        if 0 < weight < 99.99:
            draft.warn(f"部分得分的答案“{text}”（{weight:g}%）没有导入：本系统填空题的答案只有对错")
        if "*" in text and weight >= 99.99:
            # Our blanks match whole answers; a pattern would need its own matching rules.
            draft.warn(f"答案“{text}”中的 * 在 Moodle 中是通配符，本系统按原文匹配：请把可接受的说法逐一列出")
    if not accepted:
        draft.problem("没有得满分（100%）的答案", "answer")
    return accepted


def _shortanswer(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    answers = _answers(q, draft, texts)
    accepted = _accepted(draft, [(t, f) for t, f, _ in answers])
    if not accepted:
        return
    if q.value("usecase") in ("1", "true"):
        draft.fields["case_sensitive"] = True
    stem = draft.fields["stem"]
    # The blank where Moodle shows _____; at the end when the text has none.
    draft.fields["stem"] = _UNDERSCORES.sub("{{1}}", stem, count=1) if _UNDERSCORES.search(stem) \
        else stem + "{{1}}"
    draft.type = "fill"
    draft.fields["blanks"] = [accepted]
    draft.fields["explanation"] = explanation_from(general, [(t, fb) for t, _, fb in answers], draft)


_GAP_HEAD = re.compile(r"\{(\d*+):([A-Z_]++):")
_GAP_BODY = re.compile(r"(?:\\.|[^\\}])*+")
_CLOZE_ESCAPE = re.compile(r"\\(.)")
SHORTANSWER_GAPS = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
CASE_SENSITIVE_GAPS = {"SHORTANSWER_C", "SAC", "MWC"}


def _gap_answers(text: str) -> list[tuple[str, float]]:
    """`=a~=b~%50%c#fb` -> [(a, 100), (b, 100), (c, 50)]."""
    answers = []
    for part in re.split(r"(?<!\\)~", text):
        weight = 0.0
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        else:
            found = re.match(r"%(-?\d+(?:\.\d+)?)%", part)
            if found:
                weight, part = float(found.group(1)), part[found.end():]
        answer = re.split(r"(?<!\\)#", part, maxsplit=1)[0]
        answers.append((_CLOZE_ESCAPE.sub(r"\1", answer).strip(), weight))
    return answers


def _gaps(stem: str) -> Iterator[tuple[int, int, str, str]]:
    """Each `{1:SHORTANSWER:=a~=b}` gap: (start, end, kind, answers); what the single pattern
    `\\{(\\d*):([A-Z_]+):((?:\\\\.|[^\\\\}])*)\\}` finds, in linear time. A gap whose
    answers stop short of their `}` stops there (end of text, or a backslash before a line
    break), and so would every gap starting before that point: the search goes on after it,
    where the one pattern rescanned the same text from every later `{`."""
    position = 0
    while (head := _GAP_HEAD.search(stem, position)) is not None:
        body = _GAP_BODY.match(stem, head.end())
        assert body is not None     # its pattern matches the empty string too
        if stem.startswith("}", body.end()):
            yield head.start(), body.end() + 1, head.group(2), body.group()
            position = body.end() + 1
        else:
            position = max(body.end(), head.start() + 1)


def _cloze(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    stem = draft.fields["stem"]
    blanks: list[list[str]] = []
    parts: list[str] = []
    position = 0
    kinds: set[str] = set()
    for start, end, kind, body in _gaps(stem):
        if kind not in SHORTANSWER_GAPS:
            draft.problem(f"完形填空中的 {kind} 空无法导入：只支持 SHORTANSWER（简答）空", "answer")
            return
        kinds.add(kind)
        accepted = _accepted(draft, _gap_answers(body))
        if not accepted:
            return
        blanks.append(accepted)
        parts += [stem[position:start], f"{{{{{len(blanks)}}}}}"]
        position = end
    if not blanks:
        draft.problem("完形填空题中没有找到 {1:SHORTANSWER:=…} 这样的空", "answer")
        return
    draft.type = "fill"
    draft.fields["stem"] = "".join(parts) + stem[position:]
    draft.fields["blanks"] = blanks
    draft.fields["explanation"] = general
    exact = {kind in CASE_SENSITIVE_GAPS for kind in kinds}
    if exact == {True}:
        draft.fields["case_sensitive"] = True
    elif len(exact) > 1:
        draft.warn("有的空区分大小写（SHORTANSWER_C），有的不区分：本系统一道题只有一种规则，已按不区分大小写导入")


def _matching(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    pairs, distractors = [], []
    for index, sub in enumerate(q.findall("subquestion")):
        left, right = texts(sub, draft, f"第 {index + 1} 个配对"), sub.value("answer", "text")
        if left:
            pairs.append({"left": left, "right": right})
        elif right:
            distractors.append(right)
    draft.type = "matching"
    draft.fields["pairs"] = pairs
    if distractors:
        draft.fields["distractors"] = distractors
    draft.fields["explanation"] = general


def _ordering(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    answers = _answers(q, draft, texts)
    # The answers' fractions number the right order: 1, 2, 3...
    items = [text for text, _, _ in sorted(answers, key=lambda a: a[1])]
    grading = q.value("gradingtype").upper() or "ABSOLUTE_POSITION"
    if grading not in ("ALL_OR_NOTHING", "ABSOLUTE_POSITION"):
        draft.warn(f"评分方式 {grading} 与本系统不同，已按“每项位置正确得一份分”导入")
    select = q.value("selecttype").upper()
    if select not in ("", "ALL", "0"):
        draft.warn(f"原题只抽取部分项目（{select}），本系统总是显示全部项目")
    draft.type = "ordering"
    draft.fields["items"] = items
    draft.fields["partial_credit"] = grading != "ALL_OR_NOTHING"
    draft.fields["explanation"] = general


def _essay(draft: Draft, q: Node, general: str, texts: _Texts) -> None:
    model_answer, rubric, messages = split_short_answer(q.rich("graderinfo"))
    for message in messages:
        draft.problem(message, "answer")
    if not rubric:
        if not messages:
            draft.problem("问答题（essay）的评分信息（graderinfo）中没有评分要点：请按“要点：要点说明 "
                          "关键词：词1/词2”的格式每行写一个要点", "answer")
        return
    if not model_answer:
        model_answer = "\n".join(f"（{i}）{item['point']}" for i, item in enumerate(rubric, 1))
        draft.warn("没有参考答案，已用各评分要点拼成参考答案，请核对")
    draft.type = "short"
    draft.fields["rubric"] = rubric
    draft.fields["model_answer"] = model_answer
    draft.fields["explanation"] = general


READERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
           "cloze": _cloze, "multianswer": _cloze, "matching": _matching, "match": _matching,
           "ordering": _ordering, "essay": _essay}
MOODLE_NAMES = {"multichoice": "选择题", "truefalse": "判断题", "shortanswer": "简答题（shortanswer）",
                "cloze": "完形填空题", "multianswer": "完形填空题", "matching": "匹配题", "match": "匹配题",
                "ordering": "排序题", "essay": "问答题（essay）", "description": "描述", "numerical": "数值题", "calculated": "计算题",
                "calculatedsimple": "简单计算题", "calculatedmulti": "计算选择题",
                "ddwtos": "拖放填空题", "gapselect": "选词填空题", "ddimageortext": "拖放到图片",
                "ddmarker": "拖放标记", "randomsamatch": "随机简答匹配题", "random": "随机题"}


def _question(q: Node, kp: str | None, texts: _Texts) -> Draft:
    kind = q.attrs.get("type", "")
    draft = Draft(f"第 {q.line} 行", knowledge_point=kp, source_label=MOODLE_NAMES.get(kind, kind or "题目"))
    reader = READERS.get(kind)
    if reader is None:
        draft.fields["stem"] = q.rich("questiontext")
        what = "描述条目不是题目" if kind == "description" else \
            f"Moodle 的{MOODLE_NAMES.get(kind, '“' + kind + '”题型')}本系统无法表示"
        draft.problem(f"{what}，没有导入")
        return draft
    draft.fields["stem"] = texts.field(q, "questiontext", draft, "题干") + _old_image(q, draft, texts)
    _tags(draft, q)
    general = texts.field(q, "generalfeedback", draft, "总反馈")
    reader(draft, q, general, texts)
    draft.fields.setdefault("explanation", general)
    _hints(draft, q, texts)
    _not_carried(draft, q)
    return draft


def _old_image(q: Node, draft: Draft, texts: _Texts) -> str:
    """Moodle 1.9's picture beside the question text (<image> and <image_base64>), which
    Moodle's own importer still shows under the text."""
    encoded = q.value("image_base64")
    name = q.value("image")
    if not encoded:
        if name:
            draft.warn(f"题目图片 {name[:80]} 没有导入：文件中没有它的内容（<image_base64>）")
        return ""
    data = decode_base64(encoded)
    if data is None:
        draft.warn(f"题目图片 {name[:80]} 没有导入：内容不是有效的 base64 编码")
        return ""
    carried, reason = texts.pictures.add(name, data)
    if carried is None:
        draft.warn(f"题目图片 {name[:80]} 没有导入：{reason}")
        return ""
    return f"\n\n![](images/{carried})"


def _hints(draft: Draft, q: Node, texts: _Texts) -> None:
    """Moodle's hints (shown one by one on each try) join the explanation, after it."""
    hints = [texts(hint, draft, f"第 {i} 条提示") for i, hint in enumerate(q.findall("hint"), 1)]
    hints = [h for h in hints if h]
    if not hints or draft.type is None:
        return
    explanation = str(draft.fields.get("explanation") or "").strip()
    lines = [f"提示{i if len(hints) > 1 else ''}：{hint}" for i, hint in enumerate(hints, 1)]
    draft.fields["explanation"] = "\n\n".join(([explanation] if explanation else []) + lines)
    draft.warn(f"Moodle 的 {len(hints)} 条提示（hint）已并入解析")


# Per-try and combined feedback: shown by Moodle's quiz after an attempt; our explanation is
# the only feedback a question has, so their texts are listed when present.
_COMBINED = {"correctfeedback": "答对时的反馈", "partiallycorrectfeedback": "部分正确时的反馈",
             "incorrectfeedback": "答错时的反馈"}


def _not_carried(draft: Draft, q: Node) -> None:
    for tag, label in _COMBINED.items():
        node = q.find(tag)
        if node is not None and html_to_text(node.value("text")):
            draft.warn(f"{label}（{tag}）没有导入：本系统只有一段解析")


def import_moodle_xml(data: bytes | str, *, topic: str, knowledge_point: str | None = None,
                      id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None) -> ImportResult:
    options = Options(topic, knowledge_point, id_prefix, allowed_knowledge_points)
    try:
        root = parse_xml(data)
    except XmlError as exc:
        return finalize([], options, [Problem(f"第 {exc.line} 行", str(exc))])
    if root.tag != "quiz":
        return finalize([], options, [Problem(f"第 {root.line} 行", f"根元素应为 <quiz>，而不是 <{root.tag}>："
                                                                   "这不是 Moodle XML 题目文件")])
    drafts: list[Draft] = []
    warnings: list[Problem] = []
    kp: str | None = None
    problems: list[Problem] = []
    texts = _Texts()
    for q in root.findall("question"):
        if len(drafts) == MAX_ITEMS and q.attrs.get("type") != "category":
            problems.append(Problem(f"第 {q.line} 行", too_many("题目", MAX_ITEMS)))
            break
        if q.attrs.get("type") == "category":
            path = q.value("category", "text")
            kp = _category_kp(path)
            if kp is None:
                warnings.append(Problem(f"第 {q.line} 行", f"分类“{path}”的最后一级不是知识点 id（如 survey.methods），"
                                                          "其下的题目使用导入时指定的知识点"))
            continue
        drafts.append(_question(q, kp, texts))
    if not drafts:
        problems.append(Problem("文件", "没有找到题目"))
    return with_pictures(finalize(drafts, options, problems, warnings), texts.pictures)


# ---------------------------------------------------------------- export

def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _rich(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _sub(parent, tag, format="html", **attrs)
    _sub(element, "text", text_to_html(text) if text else "")
    return element


@dataclass
class _Html:
    """Writes our Markdown as Moodle's HTML: each picture `![说明](images/NAME)` as
    `<img src="@@PLUGINFILE@@/NAME">` with its bytes, read from the course folder, in a <file>
    element of the same field, as Moodle's own export does. What cannot be written is noted."""

    course_folder: Path | None
    notes: list[str]
    question_id: str = ""

    def field(self, parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
        element = _sub(parent, tag, format="html", **attrs)
        html, pictures = markdown_to_html(text) if text.strip() else ("", [])
        _sub(element, "text", html)
        for path in dict.fromkeys(pictures):
            data, reason = read_picture(self.course_folder, path)
            if data is None:
                self.notes.append(f"{self.question_id}：图片 images/{path} 没有写入文件（{reason}），"
                                  "Moodle 中将显示不出")
                continue
            folder, _, name = path.rpartition("/")
            _sub(element, "file", base64.b64encode(data).decode("ascii"), name=name,
                 path=f"/{folder}/" if folder else "/", encoding="base64")
        return element


def _plain(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _sub(parent, tag, format="plain_text", **attrs)
    _sub(element, "text", text)
    return element


def _header(quiz: ET.Element, q: QuestionBase, kind: str, html: _Html, stem: str | None = None,
            cloze: bool = False) -> ET.Element:
    """The question's common elements: the stem (or `stem` when given) as HTML from Markdown,
    except a cloze's, whose gaps are no Markdown and are written as plain text."""
    element = _sub(quiz, "question", type=kind)
    name = _sub(element, "name")
    _sub(name, "text", q.id)
    if cloze:
        _rich(element, "questiontext", stem or "")
    else:
        html.field(element, "questiontext", q.stem if stem is None else stem)
    html.field(element, "generalfeedback", (q.explanation or "").strip())
    _sub(element, "defaultgrade", "1")
    _sub(element, "penalty", "0.3333333")
    _sub(element, "hidden", "0")
    _sub(element, "idnumber", q.id)
    return element


def _tag_list(element: ET.Element, q: QuestionBase) -> None:
    tags = ([f"{DIFFICULTY_TAG}{q.difficulty}"] if q.difficulty else []) + \
        ([f"{SECTION_TAG}{q.section}"] if q.section else []) + list(q.tags)
    if tags:
        holder = _sub(element, "tags")
        for tag in tags:
            _sub(_sub(holder, "tag"), "text", tag)


def _fraction_text(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _combined_feedback(element: ET.Element) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _rich(element, tag, "")


def _choice(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    element = _header(quiz, q, "multichoice", html)
    single = q.type == "single"
    right = 100.0 if single else 100.0 / len(q.answer)
    _sub(element, "single", "true" if single else "false")
    _sub(element, "shuffleanswers", "true")
    _sub(element, "answernumbering", "ABCD")
    _sub(element, "showstandardinstruction", "0")
    _combined_feedback(element)
    key = {q.answer} if single else set(q.answer)
    for index, option in enumerate(q.options):
        fraction = right if "ABCDEFGH"[index] in key else (0.0 if single else -100.0)
        answer = html.field(element, "answer", option, fraction=_fraction_text(fraction))
        _rich(answer, "feedback", "")
    return element


def _truefalse_xml(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    element = _header(quiz, q, "truefalse", html)
    for value in (True, False):
        answer = _plain(element, "answer", "true" if value else "false",
                        fraction="100" if value is q.answer else "0")
        _rich(answer, "feedback", "")
    return element


def _cloze_escape(text: str) -> str:
    return re.sub(r'([\\}#~/"])', r"\\\1", text)


def _fill(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    if len(q.blanks) == 1:
        element = _header(quiz, q, "shortanswer", html, q.stem.replace("{{1}}", BLANK_TEXT))
        _sub(element, "usecase", "1" if q.case_sensitive else "0")
        for accepted in q.blanks[0]:
            answer = _plain(element, "answer", accepted, fraction="100")
            _rich(answer, "feedback", "")
        return element
    kind = "SHORTANSWER_C" if q.case_sensitive else "SHORTANSWER"
    gaps = {str(i + 1): "{1:" + kind + ":" + "~".join("=" + _cloze_escape(a) for a in accepted) + "}"
            for i, accepted in enumerate(q.blanks)}
    return _header(quiz, q, "cloze", html, MARKER.sub(lambda m: gaps[m.group(0)[2:-2]], q.stem), cloze=True)


def _matching_xml(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    element = _header(quiz, q, "matching", html)
    _sub(element, "shuffleanswers", "true")
    _combined_feedback(element)
    for left, right in [(p.left, p.right) for p in q.pairs] + [("", d) for d in q.distractors]:
        sub = html.field(element, "subquestion", left)
        _sub(_sub(sub, "answer"), "text", right)
    return element


def _ordering_xml(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    element = _header(quiz, q, "ordering", html)
    for tag, text in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                      ("gradingtype", "ABSOLUTE_POSITION" if q.partial_credit else "ALL_OR_NOTHING"),
                      ("showgrading", "SHOW"), ("numberingstyle", "none")):
        _sub(element, tag, text)
    _combined_feedback(element)
    for index, item in enumerate(q.items, start=1):
        _plain(element, "answer", item, fraction=str(index))
    return element


def grader_info(q: Any) -> str:
    return q.model_answer.strip() + "\n\n" + "\n".join(render_rubric_line(item) for item in q.rubric)


def _essay_xml(quiz: ET.Element, q: Any, html: _Html) -> ET.Element:
    element = _header(quiz, q, "essay", html)
    for tag, text in (("responseformat", "editor"), ("responserequired", "1"),
                      ("responsefieldlines", "15"), ("attachments", "0"), ("attachmentsrequired", "0")):
        _sub(element, tag, text)
    _rich(element, "graderinfo", grader_info(q))
    _rich(element, "responsetemplate", "")
    return element


WRITERS = {"single": _choice, "multiple": _choice, "truefalse": _truefalse_xml, "fill": _fill,
           "matching": _matching_xml, "ordering": _ordering_xml, "short": _essay_xml}


def _refusal(q: Any) -> str | None:
    """Why a question cannot be written faithfully, if it cannot."""
    if q.type not in WRITERS:
        return "Moodle 没有案例分析题（由多道小题组成）" if q.type == "case" else "Moodle XML 无法表示这种题型"
    if q.type == "short" and any(item.with_ or item.unless for item in q.rubric):
        return "评分要点带有 with/unless 规则（须写在所属类别下、被否定不得分），Moodle XML 无法表示"
    if q.type == "short":
        model, rubric, messages = split_short_answer(grader_info(q))
        expected = [item.model_dump(exclude_defaults=True) for item in q.rubric]
        if messages or rubric != [{**r, "accept": list(r["accept"])} for r in expected] \
                or model != q.model_answer.strip():
            return "评分要点或参考答案中含有“要点：”“关键词：”或 / 等记号，无法在评分信息中原样写出"
    return None


def export_moodle_xml(questions: Iterable[QuestionBase], *, category_root: str = CATEGORY_ROOT,
                      course_folder: Path | None = None,
                      notes: list[str] | None = None) -> tuple[str, list[str]]:
    """The questions as a Moodle XML file, a category per knowledge point; and what was left out.

    Text is written as HTML from our Markdown; pictures are read from `course_folder`/images.
    What is written but not quite as in our bank (a picture that could not be read) is added
    to `notes`, when given."""
    html = _Html(course_folder, notes if notes is not None else [])
    quiz = ET.Element("quiz")
    skipped: list[str] = []
    category = None
    for q in questions:
        reason = _refusal(q)
        if reason is not None:
            skipped.append(f"{q.id}（{TYPE_LABELS.get(q.type, q.type)}）：{reason}")
            continue
        if q.knowledge_point != category:
            category = q.knowledge_point
            element = _sub(quiz, "question", type="category")
            _sub(_sub(element, "category"), "text", f"{category_root}/{category}")
            _rich(element, "info", "")
        html.question_id = q.id
        element = WRITERS[q.type](quiz, q, html)
        _tag_list(element, q)
    ET.indent(quiz, space="  ")
    body = ET.tostring(quiz, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", skipped
