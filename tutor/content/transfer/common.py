"""What every import format shares: problems, drafts, validation against our models, stable ids.

A format parser turns its source into `Draft`s: one per item, with the item's fields in our
terms and the problems found while reading it. `finalize` then resolves knowledge points,
fills the explanation placeholder, validates each draft with the same pydantic model and
checks the content loader uses, gives it a stable id, and sorts drafts into questions kept
and items skipped. A draft with any problem is never kept.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Collection, Iterable, Mapping

from pydantic import ValidationError

from tutor.content.messages import pydantic_message
from tutor.content.transfer.fields import AFTER, BEFORE, BODY
from tutor.content.transfer.limits import MAX_LISTED
from tutor.questions import REGISTRY
from tutor.questions.base import LETTERS

PLACEHOLDER_EXPLANATION = "（导入时未提供解析，请补充）"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
MAX_ID = 100


TYPE_LABELS = {name: kind.label for name, kind in REGISTRY.items()}

# How a field is named to an instructor, for messages about it.
FIELD_LABELS = {
    "id": "id", "type": "题型", "knowledge_point": "知识点", "section": "章节", "difficulty": "难度",
    "stem": "题干", "options": "选项", "answer": "答案", "explanation": "解析", "tags": "标签",
    "blanks": "填空答案", "items": "排序项", "pairs": "配对", "distractors": "干扰项",
    "rubric": "评分要点", "model_answer": "参考答案", "accept": "关键词", "points": "分值",
    "point": "要点", "left": "左侧", "right": "右侧", "partial_credit": "部分得分",
    "questions": "小题",
}


@dataclass(frozen=True)
class Problem:
    """Something wrong (or, in `warnings`, worth a look) at a place in the source file."""

    where: str        # "第 5 行", "第 5 行（Excel）", "第 3 段"
    message: str      # in Chinese, for the instructor

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


@dataclass
class ImportResult:
    """Questions ready to be written as YAML, and everything that kept an item out."""

    topic: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)   # never block writing
    # Pictures the questions refer to as `![说明](images/NAME)`, by NAME: written into the
    # course's images/ folder next to the YAML (content/<course>/images/NAME).
    media: dict[str, bytes] = field(default_factory=dict)
    # A question's topic where it is not `topic` (derived from its 知识点), by question id.
    topics: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_topic(self) -> dict[str, list[dict[str, Any]]]:
        """The kept questions grouped by topic, one question file each, in import order."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for question in self.questions:
            groups.setdefault(self.topics.get(question["id"], self.topic), []).append(question)
        return groups

    def yaml_files(self, schema_path: str | None = None) -> dict[str, str]:
        """One question file's text per topic (a file holds one topic's questions)."""
        from tutor.content.transfer.yamlout import to_yaml   # see to_yaml
        return {topic: to_yaml(topic, group, schema_path) for topic, group in self.by_topic().items()}

    def to_yaml(self, schema_path: str | None = None) -> str:
        from tutor.content.transfer.yamlout import to_yaml   # yamlout imports no module of ours that imports this
        return to_yaml(self.topic, self.questions, schema_path)


@dataclass
class Options:
    """The caller's choices for one import."""

    topic: str
    knowledge_point: str | None = None
    id_prefix: str | None = None
    allowed_knowledge_points: Collection[str] | None = None
    # Every knowledge point of the course -> its topic: an item may name a knowledge point of
    # another topic, and its question then goes to that topic (`ImportResult.topics`).
    topic_of: Mapping[str, str] | None = None


@dataclass
class Draft:
    """One item read from the source, in our terms, before validation."""

    where: str
    type: str | None = None           # one of ours, or None when the source's type is unusable
    source_label: str = ""            # how the source names the item's type, for `skipped`
    fields: dict[str, Any] = field(default_factory=dict)
    knowledge_point: str | None = None
    difficulty: Any = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    field_where: dict[str, str] = field(default_factory=dict)   # a field's own line, if it has one
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def at(self, field_name: str | None) -> str:
        """Where a field is written: its own line if the source gave it one, else the item's."""
        return self.field_where.get(field_name, self.where) if field_name else self.where

    def problem(self, message: str, at: str | None = None) -> None:
        self.problems.append(Problem(self.at(at), message))

    def warn(self, message: str, at: str | None = None) -> None:
        self.warnings.append(Problem(self.at(at), message))

    def describe(self) -> str:
        label = TYPE_LABELS.get(self.type or "", self.source_label or "题目")
        stem = " ".join(str(self.fields.get("stem") or "").split())
        stem = stem if len(stem) <= 24 else stem[:24] + "……"
        return f"{self.where} {label}「{stem}」" if stem else f"{self.where} {label}"


# ---------------------------------------------------------------- small text helpers

def clean(text: Any) -> str:
    """A cell or fragment as text, trimmed; None is empty."""
    if text is None:
        return ""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Bytes of a text file as text, and a warning when it was not UTF-8.

    Teachers' .txt files are often saved by Notepad as GBK or UTF-16, so those are read too.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "文件不是 UTF-8 编码，已按 GBK/GB18030 读取；请核对导入的文字是否正确"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "文件编码无法识别，部分文字可能是乱码；请以 UTF-8 另存后重新导入"


_TRUE_WORDS = {"对", "正确", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "真"}
_FALSE_WORDS = {"错", "错误", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "假"}
TRUTH_HELP = "对/错、正确/错误、√/×、T/F、是/否"


def parse_truth(value: Any) -> bool | None:
    """A true/false answer as teachers write it, or None when it is none of those."""
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", clean(value)).upper().rstrip("。.")
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    return None


_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def parse_letters(value: Any) -> list[str] | None:
    """`B`, `ABD`, `A,B,D`, `A、B、D`, `a b d` -> letters; None when it is not letters."""
    text = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", clean(value))).upper()
    if not text or any(ch not in LETTERS for ch in text):
        return None
    return list(text)


# Blanks as teachers type them: {{1}}; or empty brackets （ ）/ ( ); or a run of underscores.
MARKER = re.compile(r"\{\{\d+\}\}")
_BLANK = re.compile(r"_{2,}|＿{2,}|[（(][ \t\u3000]*[）)]")
FILL_RULE = ("填空题的空位写作 {{1}}、{{2}}……，或写作空括号（ ）、下划线 ____；"
             "答案中各空用分号（；或 ;）隔开，同一空的多个可接受答案用竖线 | 隔开")


def mark_blanks(stem: str) -> tuple[str, int]:
    """The stem with its blanks written {{1}}, {{2}}...; and how many blanks it has.

    A stem already using {{n}} is kept as written (the content check verifies the numbers);
    otherwise every empty bracket pair and every run of underscores is a blank, in order.
    """
    if MARKER.search(stem):
        return stem, len(MARKER.findall(stem))
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{{{{{count}}}}}"

    return _BLANK.sub(number, stem), count


def split_blanks(text: str) -> list[list[str]]:
    """`最低|最少；最小` -> [[最低, 最少], [最小]]."""
    groups = [g for g in re.split(r"[;；\n]", text) if g.strip()]
    return [[a.strip() for a in re.split(r"[|｜]", g) if a.strip()] for g in groups]


_RUBRIC_LINE = re.compile(r"^\s*要点\s*[：:]\s*(.*)$")
_POINTS = re.compile(r"[（(]\s*(\d+)\s*分\s*[）)]\s*$")
# Starts only where a run of white space starts, so that a long run not followed by 关键词
# costs its length once, not its length squared (or cubed, as `\s*[；;]?\s*` backtracked).
_KEYWORDS = re.compile(r"(?<!\s)\s*+[；;，,]?\s*+关键词\s*+[：:]\s*+")
RUBRIC_RULE = ("简答题的答案中，以“要点：”开头的每一行是一个评分要点，写作"
               "“要点：要点说明 关键词：词1/词2（2分）”；“关键词”和“（N分）”可省略"
               "（省略关键词时，要点本身用 / 分隔的各个说法就是关键词；省略分值时为 1 分）；"
               "其余各行是参考答案")


def parse_rubric_line(body: str) -> tuple[dict[str, Any] | None, str | None]:
    """One rubric line after `要点：`, as a rubric item; or a message saying what is wrong."""
    body = body.strip()
    points = 1
    match = _POINTS.search(body)
    if match:
        digits = match.group(1)
        points = int(digits) if len(digits) <= 6 else 10 ** 6   # too many points: the model says so
        body = body[:match.start()].rstrip()
    parts = _KEYWORDS.split(body, maxsplit=1)
    if len(parts) == 2:
        point, keywords = parts[0].strip(), parts[1]
    else:
        point, keywords = body, body
    accept = [a.strip() for a in re.split(r"[/／]", keywords) if a.strip()]
    if not point or not accept:
        return None, "评分要点是空的：" + RUBRIC_RULE
    item: dict[str, Any] = {"point": point, "accept": accept}
    if points != 1:
        item["points"] = points
    return item, None


def split_short_answer(text: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    """A short answer's text -> (model answer, rubric, messages for bad rubric lines)."""
    model: list[str] = []
    rubric: list[dict[str, Any]] = []
    messages: list[str] = []
    for line in clean(text).split("\n"):
        match = _RUBRIC_LINE.match(line)
        if match is None:
            model.append(line.rstrip())
            continue
        item, message = parse_rubric_line(match.group(1))
        if item is None:
            messages.append(message or "")
        else:
            rubric.append(item)
    return "\n".join(model).strip(), rubric, messages


def render_rubric_line(item: Any) -> str:
    """A rubric item as one `要点：` line, the inverse of `parse_rubric_line`."""
    point, accept, points = item.point, list(item.accept), item.points
    text = "要点：" + point
    if "/".join(accept) != point:
        text += " 关键词：" + "/".join(accept)
    if points != 1:
        text += f"（{points}分）"
    return text


def parse_difficulty(value: Any) -> tuple[int | None, str | None]:
    if value is None or clean(value) == "":
        return None, None
    text = unicodedata.normalize("NFKC", clean(value))
    words = {"易": 1, "容易": 1, "简单": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "困难": 3, "较难": 3}
    if text in words:
        return words[text], None
    if re.fullmatch(r"[123](\.0+)?", text):
        return int(float(text)), None
    return None, f"难度应为 1、2 或 3（1 易，2 中，3 难），而不是 {text!r}"


# ---------------------------------------------------------------- finishing drafts

def stable_id(base: str, stem: str, kind: str) -> str:
    """An id that stays the same when the same bank is imported again (a name, not a secret)."""
    digest = hashlib.sha1((stem + kind).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{base}-i{digest}"


def _tupled(value: Any) -> Any:
    """Lists as tuples, as the strict loader hands them to the models."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, dict):
        return {k: _tupled(v) for k, v in value.items()}
    return value


def _where_label(loc: tuple[Any, ...]) -> str:
    """A model location such as ('options', 2) told as 选项 C."""
    words: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            previous = loc[index - 1] if index else None
            if previous == "options":
                words[-1] = f"选项 {LETTERS[part] if part < len(LETTERS) else part + 1}"
            elif previous == "blanks":
                words[-1] = f"第 {part + 1} 空"
            else:
                words.append(f"第 {part + 1} 项")
        elif part in REGISTRY and index and isinstance(loc[index - 1], int):
            continue     # pydantic's union tag after a sub-question's index
        else:
            words.append(FIELD_LABELS.get(str(part), str(part)))
    return "".join(words)


def assemble(draft: Draft, kp: str, question_id: str) -> dict[str, Any]:
    """The question as a dict in our key order, leaving out empty optional keys."""
    values: dict[str, Any] = {"id": question_id, "type": draft.type, "knowledge_point": kp,
                              "section": draft.section, "difficulty": draft.difficulty,
                              "tags": list(draft.tags), **draft.fields}
    order = BEFORE + BODY.get(draft.type or "", ()) + AFTER
    question: dict[str, Any] = {}
    for key in order:
        value = values.get(key)
        if value is None or value == [] or (key in ("partial_credit", "case_sensitive") and value is False):
            continue
        question[key] = value
    return question


def _letter_prefix(letter: str) -> re.Pattern[str]:
    wide = chr(ord(letter) - ord("A") + ord("Ａ"))
    return re.compile(rf"^\s*(?:[(（]\s*[{letter}{wide}]\s*[)）]|[{letter}{wide}]\s*[.．、:：)）])\s*")


_OPTION_LETTERS = [_letter_prefix(letter) for letter in LETTERS]


def strip_option_letters(draft: Draft) -> None:
    """Options typed with their letter in the text ("A.xxx", "A、xxx", "(A) xxx"), in every
    format: the letter is ours to show, so it is taken off when every option starts with its
    own letter in order, and the instructor is told."""
    options = draft.fields.get("options")
    if draft.type not in ("single", "multiple", None) or not isinstance(options, list) or len(options) < 2 \
            or len(options) > len(LETTERS) or not all(isinstance(o, str) for o in options):
        return
    matches = [_OPTION_LETTERS[i].match(o) for i, o in enumerate(options)]
    if not all(matches) or not all(o[m.end():].strip() for o, m in zip(options, matches) if m):
        return
    draft.fields["options"] = [o[m.end():] for o, m in zip(options, matches) if m]
    draft.warn(f"选项文字前的字母（如“{options[0].strip()[:6]}”）已去掉：选项字母由系统自动显示", "options")


def _resolve_kp(draft: Draft, options: Options) -> str | None:
    kp = draft.knowledge_point or options.knowledge_point
    if not kp:
        draft.problem("没有知识点：请在文件中写明知识点（如 survey.methods），或导入时指定知识点（--kp）",
                      "knowledge_point")
        return None
    if not ID_PATTERN.match(kp) or len(kp) > MAX_ID:
        draft.problem(f"知识点 {kp!r} 格式不对：只能用小写字母、数字、点、下划线和连字符，且以字母或数字开头",
                      "knowledge_point")
        return None
    allowed = options.allowed_knowledge_points
    topic_of = options.topic_of or {}
    if allowed is not None and kp not in allowed and kp not in topic_of:
        if topic_of:
            known = "、".join(sorted(topic_of)) or "（无）"
            draft.problem(f"课程中没有知识点 {kp}；可用的知识点：{known}", "knowledge_point")
        else:
            known = "、".join(sorted(allowed)) or "（无）"
            draft.problem(f"知识点 {kp} 不属于主题 {options.topic}；可用的知识点：{known}", "knowledge_point")
        return None
    return kp


def _validate(draft: Draft, question: dict[str, Any]) -> bool:
    kind = REGISTRY[draft.type or ""]
    try:
        model = kind.model.model_validate(_tupled(question))
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            label = _where_label(loc)
            draft.problem(f"{label}：{pydantic_message(err)}" if label else pydantic_message(err),
                          str(loc[0]) if loc else None)
        return False
    for path, message in kind.check(model):
        label = _where_label(path)
        # "答案 E 不在选项中" names its field already; "选项重复" needs to say which option.
        text = f"{label}：{message}" if label and not message.startswith(label) else message
        draft.problem(text, str(path[0]) if path else None)
    return not draft.problems


def finalize(drafts: Iterable[Draft], options: Options,
             problems: Iterable[Problem] = (), warnings: Iterable[Problem] = ()) -> ImportResult:
    """Validate every draft and keep those without problems, each with a unique stable id."""
    result = ImportResult(options.topic, problems=list(problems), warnings=list(warnings))
    if options.id_prefix is not None and (not ID_PATTERN.match(options.id_prefix)
                                          or len(options.id_prefix) > MAX_ID - 12):
        result.problems.append(Problem("导入参数", f"id 前缀 {options.id_prefix!r} 格式不对：只能用小写字母、"
                                                   "数字、点、下划线和连字符，且以字母或数字开头"))
        return result
    used: set[str] = set()
    suffixes: dict[str, int] = {}
    for draft in drafts:
        strip_option_letters(draft)
        if not draft.problems and draft.type not in REGISTRY:
            draft.problem(f"无法识别的题型 {draft.source_label!r}")
        # Every problem of an item at once: its knowledge point is checked even when its type or
        # answer is already wrong; only the model's checks need an otherwise sound item.
        reading_problems = bool(draft.problems)
        kp = _resolve_kp(draft, options)
        question: dict[str, Any] | None = None
        if kp is not None and not reading_problems:
            if draft.type != "case" and not clean(draft.fields.get("explanation")):
                draft.fields["explanation"] = PLACEHOLDER_EXPLANATION
                draft.warn("没有解析，已填入“" + PLACEHOLDER_EXPLANATION + "”，请补充", "explanation")
            base = stable_id(options.id_prefix or kp, str(draft.fields.get("stem", "")), draft.type or "")
            question = assemble(draft, kp, base)
            if not _validate(draft, question):
                question = None
        if question is None:        # a skipped item's warnings would only be noise
            result.problems.extend(draft.problems)
            result.skipped.append(draft.describe())
            continue
        result.warnings.extend(draft.warnings)
        question["id"] = _unique(question["id"], used, suffixes)
        result.questions.append(question)
        topic = (options.topic_of or {}).get(kp or "", options.topic)
        if topic != options.topic:
            result.topics[question["id"]] = topic
    result.problems = _listed(result.problems, "问题")
    result.warnings = _listed(result.warnings, "提示")
    return result


def _unique(base: str, used: set[str], suffixes: dict[str, int]) -> str:
    """`base`, else `base-2`, `base-3`...; `suffixes` remembers where each base got to, so that
    thousands of identical stems cost one step each, not one step per earlier copy."""
    n = suffixes.get(base, 1)
    candidate = base if n == 1 else f"{base}-{n}"
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    suffixes[base] = n
    used.add(candidate)
    return candidate


def _listed(found: list[Problem], what: str) -> list[Problem]:
    """At most MAX_LISTED entries, and how many more there were: a hostile file can have a
    problem on every one of its lines, and nobody reads the millionth."""
    if len(found) <= MAX_LISTED:
        return found
    return found[:MAX_LISTED] + [Problem("文件", f"还有 {len(found) - MAX_LISTED:,} 个{what}没有列出")]


# ---------------------------------------------------------------- HTML in Moodle files

_BREAK = re.compile(r"<br\s*/?>\n?|</p>\s*<p[^>]*>|</?(?:p|div|li|tr|h[1-6])(?:\s[^>]*)?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Moodle's HTML text as plain text: breaks and paragraphs become line breaks."""
    import html

    # Every tag ends at a `>`: after the last one there are none, and stopping each pattern
    # there keeps every `<` from scanning to the end of a text that never closes it.
    end = markup.rfind(">") + 1
    end += markup.startswith("\n", end)            # `<br>\n` is one break
    text = _BREAK.sub("\n", markup[:end]) + markup[end:]
    end = text.rfind(">") + 1
    text = _TAG.sub("", text[:end]) + text[end:]
    text = html.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_html(text: str) -> str:
    """Plain text as HTML that `html_to_text` turns back into the same text."""
    import html

    return "<br>\n".join(html.escape(line, quote=False) for line in text.strip().split("\n"))


def explanation_from(general: str, feedbacks: list[tuple[str, str]], draft: Draft) -> str:
    """The explanation: the general feedback; else the per-answer feedback, which has no place
    of its own in our format. Feedback that cannot be kept is reported as a warning."""
    feedbacks = [(answer, fb) for answer, fb in feedbacks if fb]
    if general:
        if feedbacks:
            draft.warn("各选项的单独反馈没有导入（本系统只有一段解析，已使用总反馈）")
        return general
    if len(feedbacks) == 1:
        return feedbacks[0][1]
    return "\n".join(f"{answer}：{fb}" if answer else fb for answer, fb in feedbacks)


# ---------------------------------------------------------------- weighted choices (GIFT, Moodle XML)

@dataclass(frozen=True)
class Choice:
    text: str
    weight: float        # percent: 100 right, 0 wrong, between for partial credit, below 0 a penalty
    feedback: str = ""


def choose(draft: Draft, entries: list[Choice], *, single: bool, general: str) -> None:
    """Weighted answers -> our single or multiple choice.

    Single-answer: the one answer at 100% is right. Multiple-answer: every answer with a
    positive weight is right; one right answer makes it a single choice. Weights and
    penalties our scoring does not share are reported as warnings.
    """
    draft.source_label = "选择题"
    draft.fields["options"] = [e.text for e in entries]
    if len(entries) < 2:
        draft.problem("选择题至少要有两个选项", "answer")
        return
    if single:
        correct = [i for i, e in enumerate(entries) if e.weight >= 99.99]
        if len(correct) > 1:
            draft.problem("有多个满分（100%）的正确答案：本系统的单选题只有一个正确答案；"
                          "多选题请把各正确选项的权重设为正数（如 50%）", "answer")
            return
        if any(0 < e.weight < 99.99 for e in entries):
            draft.warn("带部分分数的选项按错误选项导入：本系统单选题只有一个正确答案")
    else:
        correct = [i for i, e in enumerate(entries) if e.weight > 0]
        _note_weights(draft, [entries[i].weight for i in correct],
                      [e.weight for i, e in enumerate(entries) if i not in correct])
    if not correct:
        draft.problem("没有正确答案", "answer")
        return
    letters = [chr(ord("A") + i) for i in correct]       # past H is reported by validation
    draft.type = "single" if len(letters) == 1 else "multiple"
    draft.fields["answer"] = letters[0] if len(letters) == 1 else letters
    if draft.type == "single" and not single:
        draft.warn("原题是多选形式，但只有一个正确选项，已导入为单选题")
    draft.fields["explanation"] = explanation_from(general, [(e.text, e.feedback) for e in entries], draft)


def _note_weights(draft: Draft, right: list[float], wrong: list[float]) -> None:
    """Our multiple choice scores by the course setting; say where the source's weights differ."""
    if len(right) > 1 and (max(right) - min(right) > 0.01 or abs(sum(right) - 100) > 0.1):
        draft.warn(f"正确选项的权重（{'、'.join(f'{w:g}%' for w in right)}）不是平分 100%："
                   "本系统多选题各正确选项分值相同")
    partial = sorted({w for w in wrong if w > -100})
    if len(right) > 1 and partial:
        draft.warn(f"错误选项的权重为 {'、'.join(f'{w:g}%' for w in partial)}（不是 -100%）："
                   "本系统多选题选错即不得分（或按课程设置按比例得分），与原题的扣分方式不同")


def to_model(question: dict[str, Any]) -> Any:
    """An imported question dict as our model object (lists become the tuples it wants)."""
    return REGISTRY[question["type"]].model.model_validate(_tupled(question))
