"""Moodle XML: export and import (https://docs.moodle.org/en/Moodle_XML_format).

Carried both ways: multichoice (single and multiple), truefalse, shortanswer (a fill with one
blank; the blank is written _____ in the question text), cloze with SHORTANSWER gaps (a fill
with several blanks), matching, ordering (qtype_ordering, standard since Moodle 4.4), and
essay for our short answer: the model answer and the rubric go into the grader information,
one `要点：` line per key point. Difficulty, section and tags travel as Moodle tags
(`难度:2`, `章节:二(三)2`). Case questions have no Moodle equivalent and are reported.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Iterator
from xml.parsers import expat

from tutor.content.transfer.common import (ID_PATTERN, MARKER, TYPE_LABELS, Choice, Draft,
                                           ImportResult, Options, Problem, choose, explanation_from,
                                           finalize, html_to_text, parse_difficulty,
                                           render_rubric_line, split_short_answer, text_to_html)
from tutor.content.transfer.limits import MAX_ITEMS, MAX_XML_ELEMENTS, too_many
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
_ATTRIBUTES = ("type", "format", "fraction")


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


def _answers(q: Node) -> list[tuple[str, float, str]]:
    """(text, fraction in percent, feedback) of each <answer>."""
    return [(_formatted(a), _fraction(a), a.rich("feedback")) for a in q.findall("answer")]


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


def _multichoice(draft: Draft, q: Node, general: str) -> None:
    single = q.value("single").lower() in ("true", "1")
    choose(draft, [Choice(t, f, fb) for t, f, fb in _answers(q)], single=single, general=general)


def _truefalse(draft: Draft, q: Node, general: str) -> None:
    answers = {t.lower(): (f, fb) for t, f, fb in _answers(q)}
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
    if not accepted:
        draft.problem("没有得满分（100%）的答案", "answer")
    return accepted


def _shortanswer(draft: Draft, q: Node, general: str) -> None:
    answers = _answers(q)
    accepted = _accepted(draft, [(t, f) for t, f, _ in answers])
    if not accepted:
        return
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


def _cloze(draft: Draft, q: Node, general: str) -> None:
    stem = draft.fields["stem"]
    blanks: list[list[str]] = []
    parts: list[str] = []
    position = 0
    for start, end, kind, body in _gaps(stem):
        if kind not in SHORTANSWER_GAPS:
            draft.problem(f"完形填空中的 {kind} 空无法导入：只支持 SHORTANSWER（简答）空", "answer")
            return
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


def _matching(draft: Draft, q: Node, general: str) -> None:
    pairs, distractors = [], []
    for sub in q.findall("subquestion"):
        left, right = _formatted(sub), sub.value("answer", "text")
        if left:
            pairs.append({"left": left, "right": right})
        elif right:
            distractors.append(right)
    draft.type = "matching"
    draft.fields["pairs"] = pairs
    if distractors:
        draft.fields["distractors"] = distractors
    draft.fields["explanation"] = general


def _ordering(draft: Draft, q: Node, general: str) -> None:
    answers = _answers(q)
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


def _essay(draft: Draft, q: Node, general: str) -> None:
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


def _question(q: Node, kp: str | None) -> Draft:
    kind = q.attrs.get("type", "")
    draft = Draft(f"第 {q.line} 行", knowledge_point=kp, source_label=MOODLE_NAMES.get(kind, kind or "题目"))
    draft.fields["stem"] = q.rich("questiontext")
    reader = READERS.get(kind)
    if reader is None:
        what = "描述条目不是题目" if kind == "description" else \
            f"Moodle 的{MOODLE_NAMES.get(kind, '“' + kind + '”题型')}本系统无法表示"
        draft.problem(f"{what}，没有导入")
        return draft
    _tags(draft, q)
    general = q.rich("generalfeedback")
    reader(draft, q, general)
    draft.fields.setdefault("explanation", general)
    return draft


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
        drafts.append(_question(q, kp))
    if not drafts:
        problems.append(Problem("文件", "没有找到题目"))
    return finalize(drafts, options, problems, warnings)


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


def _plain(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = _sub(parent, tag, format="plain_text", **attrs)
    _sub(element, "text", text)
    return element


def _header(quiz: ET.Element, q: QuestionBase, kind: str, stem: str | None = None) -> ET.Element:
    element = _sub(quiz, "question", type=kind)
    name = _sub(element, "name")
    _sub(name, "text", q.id)
    _rich(element, "questiontext", q.stem if stem is None else stem)
    _rich(element, "generalfeedback", (q.explanation or "").strip())
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


def _choice(quiz: ET.Element, q: Any) -> ET.Element:
    element = _header(quiz, q, "multichoice")
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
        answer = _rich(element, "answer", option, fraction=_fraction_text(fraction))
        _rich(answer, "feedback", "")
    return element


def _truefalse_xml(quiz: ET.Element, q: Any) -> ET.Element:
    element = _header(quiz, q, "truefalse")
    for value in (True, False):
        answer = _plain(element, "answer", "true" if value else "false",
                        fraction="100" if value is q.answer else "0")
        _rich(answer, "feedback", "")
    return element


def _cloze_escape(text: str) -> str:
    return re.sub(r'([\\}#~/"])', r"\\\1", text)


def _fill(quiz: ET.Element, q: Any) -> ET.Element:
    if len(q.blanks) == 1:
        element = _header(quiz, q, "shortanswer", q.stem.replace("{{1}}", BLANK_TEXT))
        _sub(element, "usecase", "0")
        for accepted in q.blanks[0]:
            answer = _plain(element, "answer", accepted, fraction="100")
            _rich(answer, "feedback", "")
        return element
    gaps = {str(i + 1): "{1:SHORTANSWER:" + "~".join("=" + _cloze_escape(a) for a in accepted) + "}"
            for i, accepted in enumerate(q.blanks)}
    return _header(quiz, q, "cloze", MARKER.sub(lambda m: gaps[m.group(0)[2:-2]], q.stem))


def _matching_xml(quiz: ET.Element, q: Any) -> ET.Element:
    element = _header(quiz, q, "matching")
    _sub(element, "shuffleanswers", "true")
    _combined_feedback(element)
    for left, right in [(p.left, p.right) for p in q.pairs] + [("", d) for d in q.distractors]:
        sub = _rich(element, "subquestion", left)
        _sub(_sub(sub, "answer"), "text", right)
    return element


def _ordering_xml(quiz: ET.Element, q: Any) -> ET.Element:
    element = _header(quiz, q, "ordering")
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


def _essay_xml(quiz: ET.Element, q: Any) -> ET.Element:
    element = _header(quiz, q, "essay")
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


def export_moodle_xml(questions: Iterable[QuestionBase], *,
                      category_root: str = CATEGORY_ROOT) -> tuple[str, list[str]]:
    """The questions as a Moodle XML file, a category per knowledge point; and what was left out."""
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
        element = WRITERS[q.type](quiz, q)
        _tag_list(element, q)
    ET.indent(quiz, space="  ")
    body = ET.tostring(quiz, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", skipped
