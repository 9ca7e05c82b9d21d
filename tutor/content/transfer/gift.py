"""Moodle GIFT: import (https://docs.moodle.org/en/GIFT_format) and export.

Read as Moodle reads it: questions are separated by blank lines; lines starting `//` are
comments; `$CATEGORY:` sets the category; `::title::` names a question; the first `{...}`
is the answer block, and text after it makes a "missing word" question; `\\~ \\= \\# \\{ \\}
\\: \\n \\\\` are escapes; `#` starts an answer's feedback and `####` the general feedback.

Carried: multiple choice (one `=`, or `~%w%` weights -> our multiple), true/false, short
answer (-> a one-blank fill), matching. Numerical, essay and description items, and
anything else, are reported as problems and skipped, never dropped silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator

from tutor.content.transfer.common import (ID_PATTERN, MARKER, TYPE_LABELS, Choice, Draft,
                                           ImportResult, Options, Problem, choose, explanation_from,
                                           finalize, html_to_text)
from tutor.content.transfer.limits import MAX_ITEMS, MAX_LINES, too_many
from tutor.content.transfer.richtext import (Pictures, data_uri, has_markup, html_to_markdown, markdown_to_html,
                                             read_picture, src_of, with_pictures)
from tutor.questions import QuestionBase

# Escapes are swapped for private-use characters while parsing, as Moodle swaps them for
# placeholders, so that an escaped `~` or `}` never counts as syntax.
_ESCAPES = {"\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004", "\\}": "\ue005",
            "\\~": "\ue006", "\\n": "\ue007"}
_BACKSLASH = "\ue000"
_RESTORE = {_BACKSLASH: "\\", "\ue001": ":", "\ue002": "#", "\ue003": "=", "\ue004": "{", "\ue005": "}",
            "\ue006": "~", "\ue007": "\n"}
_WEIGHT = re.compile(r"^%\s*(-?\d+(?:\.\d+)?)\s*%")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_OPEN_BEFORE = ("（", "(")
_CLOSE_AFTER = ("）", ")")
CATEGORY_ROOT = "$course$/top"


def _pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for escape, placeholder in _ESCAPES.items():
        text = text.replace(escape, placeholder)
    return text


def _post(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text


@dataclass
class _Rich:
    """How one question's texts are read: as HTML (its text began `[html]`), converted to our
    Markdown with its pictures carried and what is not carried told to the item; else as written."""

    html: bool
    pictures: Pictures
    draft: Draft

    def __call__(self, text: str, label: str) -> str:
        # GIFT carries no files: only pictures written into the text (data: URIs) come along.
        markdown, notes = html_to_markdown(text, None, self.pictures, label)
        for note in notes:
            self.draft.warn(note)
        return markdown


def _text(fragment: str, rich: _Rich | None = None, label: str = "题干") -> str:
    """A piece of question text: format prefix removed, escapes restored, trimmed; HTML (the
    question's format, or this piece's own `[html]`) as our Markdown."""
    match = _FORMAT.match(fragment)
    html = rich is not None and rich.html
    if match:
        html = html or match.group(1).lower() == "html"
        fragment = fragment[match.end():]
    text = _post(fragment).strip()
    if not html:
        return text
    return rich(text, label) if rich is not None else html_to_text(text)


@dataclass
class _Block:
    line: int           # 1-based line of the block's first line
    text: str           # comment lines blanked, so that line numbers still count from `line`

    def line_at(self, index: int) -> int:
        return self.line + self.text.count("\n", 0, index)


class _TooManyLines(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _lines(text: str) -> Iterator[str]:
    """The lines, one at a time (a list of them all could be far larger than the text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _blocks(text: str) -> Iterator[_Block]:
    """Blank-line separated blocks, each starting at its first non-comment line.

    Raises _TooManyLines past MAX_LINES lines.
    """
    current: list[str] = []
    start = 0
    for number, line in enumerate(chain(_lines(text), [""]), start=1):
        if number > MAX_LINES:
            raise _TooManyLines(number)
        if line.strip():
            if not current:
                start = number
            current.append("" if line.strip().startswith("//") else line)
            continue
        lead = 0                                     # leading comment lines
        while lead < len(current) and not current[lead].strip():
            lead += 1
        if lead < len(current):
            yield _Block(start + lead, "\n".join(current[lead:]))
        current = []


def _category_kp(path: str) -> str | None:
    last = path.strip().rstrip("/").split("/")[-1].strip()
    return last if ID_PATTERN.match(last) and last not in ("top", "$course$", "$system$") else None


class _Parser:
    def __init__(self) -> None:
        self.drafts: list[Draft] = []
        self.warnings: list[Problem] = []
        self.kp: str | None = None
        self.pictures = Pictures()

    def block(self, block: _Block) -> None:
        text = _pre(block.text)
        if text.lstrip().startswith("$CATEGORY:"):
            first, _, rest = text.lstrip().partition("\n")
            self.category(block.line, _post(first[len("$CATEGORY:"):]).strip())
            if not rest.strip():
                return
            offset = len(text) - len(rest)
            block = _Block(block.line_at(offset), block.text[offset:])
            text = rest
        self.question(block, text)

    def category(self, line: int, path: str) -> None:
        self.kp = _category_kp(path)
        if self.kp is None:
            self.warnings.append(Problem(f"第 {line} 行", f"分类“{path}”的最后一级不是知识点 id（如 survey.methods），"
                                                         "其下的题目使用导入时指定的知识点"))

    def question(self, block: _Block, text: str) -> None:
        where = f"第 {block.line} 行"
        draft = Draft(where, knowledge_point=self.kp)
        self.drafts.append(draft)
        body_start = len(text) - len(text.lstrip())
        body = text[body_start:]
        if body.startswith("::"):
            end = body.find("::", 2)
            if end < 0:
                draft.source_label = "GIFT 题目"
                draft.problem("题目名称 ::…:: 没有结束的 ::")
                return
            body_start += end + 2
            body = text[body_start:]
        start, finish = text.find("{", body_start), text.find("}", body_start)
        if start < 0 and finish < 0:
            draft.source_label = "描述"
            draft.fields["stem"] = _text(body)
            draft.problem("没有答案块 {…}：这是 GIFT 的“描述”条目，不是题目，无法导入")
            return
        draft.field_where["answer"] = f"第 {block.line_at(max(start, 0))} 行"
        if start < 0 or finish < 0 or finish < start:
            draft.source_label = "GIFT 题目"
            draft.fields["stem"] = _text(body)
            draft.problem("花括号 { } 不配对（文字中的花括号要写成 \\{ 和 \\}）", "answer")
            return
        before, answer, after = text[body_start:start], text[start + 1:finish].strip(), text[finish + 1:]
        prefix = _FORMAT.match(before)
        rich = _Rich(prefix is not None and prefix.group(1).lower() == "html", self.pictures, draft)
        extra = re.search(r"[{}]", after)
        if extra is not None:
            draft.problems.append(Problem(f"第 {block.line_at(finish + 1 + extra.start())} 行",
                                          "一道题只能有一个答案块 {…}（题目之间是否漏了空行？）"))
        general = ""
        cut = answer.rfind("####")
        if cut >= 0:
            general, answer = _text(answer[cut + 4:], rich, "总反馈"), answer[:cut].strip()
        _read_answer(draft, before, answer, after, general, rich)


def _read_answer(draft: Draft, before: str, answer: str, after: str, general: str, rich: _Rich) -> None:
    """Decide the type from the answer block as Moodle does, then read it."""
    missing_word = bool(after.strip())
    # Keep one space where the source had white space next to the braces (English text).
    stem_before = _text(before, rich) + (" " if missing_word and before[-1:].isspace() else "")
    stem_after = (" " if after[:1].isspace() else "") + _post(after).strip() if missing_word else ""
    draft.fields["stem"] = (stem_before + stem_after).strip()
    if answer == "":
        draft.source_label = "问答题（essay）"
        draft.problem("空答案块 {} 是 Moodle 的问答题（essay），没有评分要点，无法导入为简答题；"
                      "请改用 Excel 或【简答】格式写明要点")
    elif answer.startswith("#"):
        draft.source_label = "数值题（numerical）"
        draft.problem("{#…} 是 Moodle 的数值题（numerical），本系统没有这种题型")
    elif answer.startswith(">"):
        draft.source_label = "排序题（ordering 插件）"
        draft.problem("{>…} 是 Moodle 排序题插件的写法，GIFT 导入不支持；请用 Moodle XML 导入")
    elif "~" in answer:
        _multichoice(draft, answer, general, rich)
        _place_blank(draft, stem_before, stem_after, missing_word, "（ ）")
    elif "=" in answer and "->" in answer:
        _matching(draft, answer, general, rich)
        _place_blank(draft, stem_before, stem_after, missing_word, "（ ）")
    elif answer.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        _truefalse(draft, answer, general, rich)
        _place_blank(draft, stem_before, stem_after, missing_word, "（ ）")
    else:
        _shortanswer(draft, answer, general, rich)
        _place_blank(draft, stem_before, stem_after, missing_word, "{{1}}")
    draft.fields.setdefault("explanation", general)


def _place_blank(draft: Draft, before: str, after: str, missing_word: bool, blank: str) -> None:
    """Where the braces stood: a blank in a missing-word question; at the end for a fill."""
    if missing_word:
        if before.endswith(_OPEN_BEFORE) and after.startswith(_CLOSE_AFTER) and blank == "（ ）":
            blank = " "                      # 属于（{...}）。 keeps its own brackets
        draft.fields["stem"] = before + blank + after
    elif blank == "{{1}}":
        draft.fields["stem"] = before + blank
    else:
        draft.fields["stem"] = before


def _split(answer: str, marks: str) -> list[tuple[str, str]]:
    """`=a ~b ~%50%c` -> [('=', 'a'), ('~', 'b'), ('~', '%50%c')]; text before the first
    mark comes first with the mark ''."""
    chars = re.escape(marks)
    first = re.search(f"[{chars}]", answer)
    lead = answer[:first.start() if first else len(answer)].strip()
    parts = [("", lead)] if lead else []
    if first is not None:
        parts += [(m.group(1), m.group(2).strip())
                  for m in re.finditer(f"([{chars}])([^{chars}]*)", answer[first.start():])]
    return parts


def _comment(text: str, rich: _Rich, label: str) -> tuple[str, str]:
    answer, _, feedback = text.partition("#")
    return _text(answer, rich, label), _text(feedback, rich, label + "的反馈")


def _multichoice(draft: Draft, answer: str, general: str, rich: _Rich) -> None:
    entries: list[Choice] = []
    for mark, part in _split(answer, "=~"):
        if mark == "":
            draft.source_label = "选择题"
            draft.problem("答案块开头的文字不属于任何选项（每个选项应以 = 或 ~ 开头）", "answer")
            return
        weight = 100.0 if mark == "=" else 0.0
        found = _WEIGHT.match(part)
        if found and mark == "~":
            weight, part = float(found.group(1)), part[found.end():]
        text, feedback = _comment(part, rich, f"第 {len(entries) + 1} 个选项")
        entries.append(Choice(text, weight, feedback))
    # As in Moodle: an answer written with = makes it single-answer; otherwise multiple-answer.
    choose(draft, entries, single="=" in answer, general=general)


def _truefalse(draft: Draft, answer: str, general: str, rich: _Rich) -> None:
    bits = answer.split("#", 2)
    value = bits[0].strip() in ("T", "TRUE")
    wrong = _text(bits[1], rich, "答错时的反馈") if len(bits) > 1 else ""
    right = _text(bits[2], rich, "答对时的反馈") if len(bits) > 2 else ""
    draft.type = "truefalse"
    draft.fields["answer"] = value
    draft.fields["explanation"] = explanation_from(general, [("答对时", right), ("答错时", wrong)], draft)


def _matching(draft: Draft, answer: str, general: str, rich: _Rich) -> None:
    draft.source_label = "匹配题"
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for mark, part in _split(answer, "="):
        if "->" not in part:
            draft.problem(f"匹配项“{_post(part).strip()[:20]}”缺少 ->（应写作 =左侧 -> 右侧）", "answer")
            return
        left, _, right = part.partition("->")
        left_text, right_text = _text(left, rich, f"第 {len(pairs) + len(distractors) + 1} 个配对"), _post(right).strip()
        if left_text:
            pairs.append({"left": left_text, "right": right_text})
        else:
            distractors.append(right_text)
    draft.type = "matching"
    draft.fields["pairs"] = pairs
    if distractors:
        draft.fields["distractors"] = distractors
    draft.fields["explanation"] = general


def _shortanswer(draft: Draft, answer: str, general: str, rich: _Rich) -> None:
    draft.source_label = "简答题（shortanswer）"
    accepted: list[str] = []
    feedbacks: list[tuple[str, str]] = []
    # As Moodle reads it: the block is split at each =, and text before the first = is an
    # answer too, so {Paris} is a short answer with the one answer Paris.
    for _, part in _split(answer, "="):
        weight = 100.0
        found = _WEIGHT.match(part)
        if found:
            weight, part = float(found.group(1)), part[found.end():]
        text, feedback = _comment(part, rich, f"答案“{_post(part).partition('#')[0].strip()[:20]}”")
        feedbacks.append((text, feedback))
        if weight >= 100:
            accepted.append(text)
        elif weight > 0:
            draft.warn(f"部分得分的答案“{text}”（{weight:g}%）没有导入：本系统填空题的答案只有对错")
        if "*" in text and weight >= 100:
            # Our blanks match whole answers; a pattern would need its own matching rules.
            draft.warn(f"答案“{text}”中的 * 在 Moodle 中是通配符，本系统按原文匹配：请把可接受的说法逐一列出")
    if not accepted:
        draft.problem("没有得满分（100%）的答案", "answer")
        return
    draft.type = "fill"
    draft.fields["blanks"] = [accepted]
    draft.fields["explanation"] = explanation_from(general, feedbacks, draft)


def import_gift(text: str, *, topic: str, knowledge_point: str | None = None,
                id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                warnings: Iterable[Problem] = ()) -> ImportResult:
    parser = _Parser()
    problems: list[Problem] = []
    try:
        for block in _blocks(text):
            if len(parser.drafts) == MAX_ITEMS and not block.text.lstrip().startswith("$CATEGORY:"):
                problems.append(Problem(f"第 {block.line} 行", too_many("题目", MAX_ITEMS)))
                break
            parser.block(block)
    except _TooManyLines as stopped:
        problems.append(Problem(f"第 {stopped.line} 行", too_many("行", MAX_LINES)))
    if not parser.drafts:
        problems.append(Problem("文件", "没有找到题目"))
    result = finalize(parser.drafts, Options(topic, knowledge_point, id_prefix, allowed_knowledge_points),
                      problems, list(warnings) + parser.warnings)
    return with_pictures(result, parser.pictures)


# ---------------------------------------------------------------- export

def escape(text: str) -> str:
    """Text as GIFT writes it: reserved characters escaped, line breaks as \\n."""
    text = text.strip().replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _weight(n: int) -> str:
    return f"{100 / n:.5f}".rstrip("0").rstrip(".")


@dataclass
class _GiftText:
    """Writes one question's texts: as written, or all as HTML (`[html]`) when any of them has
    Markdown that plain text would lose. GIFT carries no files: a picture goes into the HTML as
    a data: URI, read from the course folder."""

    course_folder: Path | None
    notes: list[str]
    question_id: str = ""
    html: bool = False

    def __call__(self, text: str) -> str:
        if not self.html:
            return escape(text)
        markup, pictures = markdown_to_html(text)
        for path in dict.fromkeys(pictures):
            data, reason = read_picture(self.course_folder, path)
            if data is None:
                self.notes.append(f"{self.question_id}：图片 images/{path} 没有写入（{reason}），Moodle 中将显示不出")
            else:
                markup = markup.replace(src_of(path), f'src="{data_uri(data)}"')
                self.notes.append(f"{self.question_id}：GIFT 不能附带图片文件，图片 images/{path} 以 data: 形式写在 HTML 中"
                                  "（有的 Moodle 站点会过滤这种图片；需要时请改用 Moodle XML）")
        return escape(markup)

    def start(self, q: Any) -> str:
        """Begin a question: decide its format; the prefix its text starts with."""
        self.question_id = q.id
        texts = [q.stem, q.explanation] + list(getattr(q, "options", ())) + [p.left for p in getattr(q, "pairs", ())]
        self.html = any(has_markup(t) for t in texts if t)
        return "[html]" if self.html else ""


def _feedback(q: Any, write: _GiftText) -> str:
    return f"\t####{write(q.explanation)}\n" if q.explanation and q.explanation.strip() else ""


def _misread(q: Any) -> str | None:
    """GIFT has no escape for a leading %50% (a weight) or [html] (a format): refuse those."""
    texts = [q.stem] + list(getattr(q, "options", ())) + [a for b in getattr(q, "blanks", ()) for a in b]
    texts += [t for p in getattr(q, "pairs", ()) for t in (p.left, p.right)] + list(getattr(q, "distractors", ()))
    for text in texts:
        if _WEIGHT.match(text.strip()) or _FORMAT.match(text):
            return f"“{text[:20]}”开头的 % 或 [ ] 会被 GIFT 误读为权重或格式标记"
    return None


def gift_question(q: QuestionBase, write: _GiftText | None = None) -> tuple[str | None, str | None]:
    """One question in GIFT, or None and the reason it cannot be written."""
    reason = _misread(q)
    if reason is not None:
        return None, reason
    write = write or _GiftText(None, [])
    name = f"::{escape(q.id)}::" + write.start(q)
    item: Any = q        # the fields of its own type, which q.type names below
    if item.type == "single":
        lines = [("\t=" if "ABCDEFGH"[i] == item.answer else "\t~") + write(o) for i, o in enumerate(item.options)]
        return f"{name}{write(item.stem)}{{\n" + "\n".join(lines) + "\n" + _feedback(q, write) + "}", None
    if item.type == "multiple":
        right, wrong = f"~%{_weight(len(item.answer))}%", "~%-100%"
        lines = [f"\t{right if 'ABCDEFGH'[i] in item.answer else wrong}{write(o)}" for i, o in enumerate(item.options)]
        return f"{name}{write(item.stem)}{{\n" + "\n".join(lines) + "\n" + _feedback(q, write) + "}", None
    if item.type == "truefalse":
        general = f"####{write(item.explanation)}" if item.explanation.strip() else ""
        return f"{name}{write(item.stem)}{{{'TRUE' if item.answer else 'FALSE'}{general}}}", None
    if item.type == "fill":
        if len(item.blanks) != 1 or len(MARKER.findall(item.stem)) != 1:
            return None, f"有 {len(item.blanks)} 个空，GIFT 只能表示一个空的填空（简答题 shortanswer）"
        if item.case_sensitive:
            write.notes.append(f"{q.id}：GIFT 无法表示“区分大小写”，Moodle 中将不区分大小写（需要时请改用 Moodle XML）")
        before, after = item.stem.split("{{1}}")
        general = f"####{write(item.explanation)}" if item.explanation.strip() else ""
        block = "{" + " ".join("=" + escape(a) for a in item.blanks[0]) + general + "}"
        if write.html:     # the blank splits the stem: each side is written whole, not as two paragraphs
            write.html = False
            name = name.removesuffix("[html]")
            general = f"####{escape(item.explanation)}" if item.explanation.strip() else ""
            block = "{" + " ".join("=" + escape(a) for a in item.blanks[0]) + general + "}"
            write.notes.append(f"{q.id}：填空题的题干按纯文本写出，其中的 Markdown 格式（粗体、列表、图片等）没有转为 HTML")
        return f"{name}{escape(before)}{block}{escape(after)}", None
    if item.type == "matching":
        texts = [p.left for p in item.pairs] + [p.right for p in item.pairs] + list(item.distractors)
        if any("->" in t for t in texts):
            return None, "配对文字中含有 ->，GIFT 无法表示"
        lines = [f"\t={write(p.left)} -> {escape(p.right)}" for p in item.pairs]
        lines += [f"\t= -> {escape(d)}" for d in item.distractors]
        return f"{name}{write(item.stem)}{{\n" + "\n".join(lines) + "\n" + _feedback(q, write) + "}", None
    reasons = {"ordering": "GIFT 没有排序题", "case": "GIFT 没有案例分析题（由多道小题组成）",
               "short": "GIFT 的问答题（essay）无法带评分要点；请导出为 Moodle XML"}
    return None, reasons.get(q.type, "GIFT 无法表示这种题型")


def export_gift(questions: Iterable[QuestionBase], *, category_root: str = CATEGORY_ROOT,
                course_folder: Path | None = None, notes: list[str] | None = None) -> tuple[str, list[str]]:
    """The questions as a GIFT file, a `$CATEGORY:` per knowledge point; and what was left out.

    A question whose text has Markdown (bold, lists, links, pictures) is written as `[html]`,
    its pictures as data: URIs read from `course_folder`/images; what is written but not quite
    as in our bank is added to `notes`, when given."""
    write = _GiftText(course_folder, notes if notes is not None else [])
    out = ["// 由外贸业务员题库导出（GIFT 格式，可导入 Moodle）", ""]
    skipped: list[str] = []
    category = None
    for q in questions:
        text, reason = gift_question(q, write)
        if text is None:
            skipped.append(f"{q.id}（{TYPE_LABELS.get(q.type, q.type)}）：{reason}")
            continue
        if q.knowledge_point != category:
            category = q.knowledge_point
            out += [f"$CATEGORY: {category_root}/{category}", ""]
        out += [f"// {q.id}", text, ""]
    return "\n".join(out), skipped
