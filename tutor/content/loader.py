"""Load a content tree into immutable courses, checking every file and keeping going.

`load(root)` reads a tree once. `ContentLoader` keeps the parse of every file keyed by its
size and modification time, so a refresh re-parses only the files that changed; a file with
errors is left out and its last good version, if there is one, is served instead.
"""
from __future__ import annotations

import gc
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

from pydantic import BaseModel, ValidationError

from tutor.content import media, quotes, yamlstrict
from tutor.content.course import Course, QuestionSource
from tutor.content.messages import clip, pydantic_message
from tutor.content.model import Lesson, Manifest, QuestionFileHeader
from tutor.questions import REGISTRY, QuestionBase

MANIFEST = "course.yaml"
FOLDERS = ("lessons", "questions")
SUFFIXES = (".yaml", ".yml")
# A broken file can hold 100,000 errors (one per bad key); past this many per file only a count
# is kept, logged and shown, so a reload writes a few lines and the 内容 page stays small.
MAX_ERRORS_PER_FILE = 50
# A key or a value quoted in an error can be a whole megabyte of text.
MAX_PATH_CHARS = 120
MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True, order=True)
class ContentError:
    file: str
    line: int
    column: int
    path: str
    message: str
    hidden: int = 0     # when > 0 this is no error but the count of the file's errors not listed

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", clip(self.path, MAX_PATH_CHARS))
        object.__setattr__(self, "message", clip(self.message, MAX_MESSAGE_CHARS))

    @classmethod
    def unlisted(cls, first: ContentError, count: int) -> ContentError:
        """The line standing for `count` errors left out, placed where the first of them is."""
        return cls(first.file, first.line, first.column, "",
                   f"…另有 {count} 个问题未列出（每个文件只列出前 {MAX_ERRORS_PER_FILE} 个）", count)

    def __str__(self) -> str:
        if self.hidden:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.path or '(文件)'}: {self.message}"


def cap_per_file(errors: Iterable[ContentError], limit: int = MAX_ERRORS_PER_FILE) -> list[ContentError]:
    """Each file's first `limit` errors in order, then one line counting the rest of them."""
    listed: dict[str, list[ContentError]] = {}
    unlisted: dict[str, list[ContentError]] = {}      # counts made by an earlier cap
    for error in errors:
        (unlisted if error.hidden else listed).setdefault(error.file, []).append(error)
    capped: list[ContentError] = []
    for file in sorted(listed.keys() | unlisted.keys()):
        found = sorted(listed.get(file, ()))
        capped.extend(found[:limit])
        left_out = found[limit:] + unlisted.get(file, [])
        if left_out:
            capped.append(ContentError.unlisted(min(left_out), sum(e.hidden or 1 for e in left_out)))
    return capped


def format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class QuestionSet:
    topic: str
    # (index in the file, question, version): versions are hashed once per parse of the file,
    # not on every reload of the course
    questions: tuple[tuple[int, QuestionBase, str], ...]


@dataclass
class ParsedFile:
    display: str
    value: Manifest | Lesson | QuestionSet | None
    errors: list[ContentError]
    doc: yamlstrict.Document
    warnings: list[ContentError] = field(default_factory=list)   # typography: the file still loads
    pictures: list[media.Reference] = field(default_factory=list)   # checked on disk at each refresh

    def error(self, path: tuple[str | int, ...], message: str) -> ContentError:
        line, column = self.doc.position(path)
        return ContentError(self.display, line, column, format_path(path), message)


def _validate(parsed: ParsedFile, model: type[BaseModel], value: Any,
              base: tuple[str | int, ...] = ()) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            parsed.errors.append(parsed.error(base + _clean_loc(err["loc"]), pydantic_message(err)))
        return None


def _clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the union tag pydantic puts after a sub-question's index: questions[0].single.answer."""
    return tuple(part for i, part in enumerate(loc)
                 if not (i and isinstance(loc[i - 1], int) and part in REGISTRY))


def parse_file(path: Path, display: str, kind: str) -> ParsedFile:
    parsed = _parse_file(path, display, kind)
    if len(parsed.errors) > MAX_ERRORS_PER_FILE:
        parsed.errors = cap_per_file(parsed.errors)   # the parse is cached: keep it small too
    return parsed


def _parse_file(path: Path, display: str, kind: str) -> ParsedFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        doc = yamlstrict.Document()
        return ParsedFile(display, None, [ContentError(display, 1, 1, "", f"无法读取文件：{exc.strerror}")], doc)
    doc = yamlstrict.parse(data)
    parsed = ParsedFile(display, None, [], doc)
    parsed.errors.extend(ContentError(display, p.line, p.column, format_path(p.path), p.message)
                         for p in doc.problems)
    if doc.value is None:       # unreadable, or not YAML at all: nothing more can be checked
        return parsed
    if not isinstance(doc.value, dict):
        parsed.errors.append(parsed.error((), "文件的顶层应是“键: 值”映射"))
        return parsed
    # Every stage that can still run does: a duplicate key or an alias does not hide the
    # model's errors elsewhere in the file (those at the place the YAML problem names would
    # only repeat it, so they are left out).
    yaml_errors = list(parsed.errors)
    if kind == "manifest":
        parsed.value = _validate(parsed, Manifest, doc.value)
    elif kind == "lessons":
        parsed.value = _validate(parsed, Lesson, doc.value)
    else:
        parsed.value = _parse_questions(parsed, doc.value)
    if yaml_errors and len(parsed.errors) > len(yaml_errors):
        named = [tuple(p.path) for p in doc.problems if p.path]
        path_of = {format_path(path): path for path in doc.positions}
        parsed.errors = yaml_errors + [
            e for e in parsed.errors[len(yaml_errors):]
            if not any(_within(path_of.get(e.path, ()), path) for path in named)]
    if parsed.errors:
        parsed.value = None
    else:
        if kind != "manifest" and b'"' in data:
            parsed.warnings = _quote_warnings(parsed, data)
        if kind != "manifest" and b"![" in data:
            _find_pictures(parsed, data)
        _slim(doc)
    return parsed


def _quote_warnings(parsed: ParsedFile, data: bytes) -> list[ContentError]:
    """An ASCII quote beside Chinese in a lesson's or question's text (tutor/content/quotes.py)."""
    source, _ = yamlstrict.decode(data)
    found = quotes.ascii_quotes(parsed.doc.value, parsed.doc.positions, source or "")
    return cap_per_file(ContentError(parsed.display, line, column, format_path(path), quotes.MESSAGE)
                        for path, line, column in found)


def _find_pictures(parsed: ParsedFile, data: bytes) -> None:
    """The file's picture references (tutor/content/media.py), and a warning for each without alt text."""
    source, _ = yamlstrict.decode(data)
    parsed.pictures = media.references(quotes.text_fields(parsed.doc.value), parsed.doc.positions, source or "")
    parsed.warnings = cap_per_file(parsed.warnings + [
        ContentError(parsed.display, ref.line, ref.column, format_path(ref.path), media.ALT_MISSING)
        for ref in parsed.pictures if not ref.alt])


def _picture_problems(served: ParsedFile, course_dir: Path, found: dict[str, media.Picture],
                      public: bool) -> Iterator[ContentError]:
    """Each picture a served file names, checked on disk now (a picture may change without its
    file): the valid ones go into `found`, the others are errors that leave the file served."""
    for ref in served.pictures:
        checked = media.check(course_dir, ref.src, public)
        if isinstance(checked, str):
            yield ContentError(served.display, ref.line, ref.column, format_path(ref.path), checked)
        elif checked.name not in found or public:
            found[checked.name] = checked


def _within(path: tuple[str | int, ...], ancestor: tuple[str | int, ...]) -> bool:
    return path[:len(ancestor)] == ancestor


# Positions still needed once a file is valid: where each item starts, and the fields that the
# course-wide checks (knowledge points, duplicate ids, exam blueprints) may point at.
_KEPT_FIELDS = {"id", "topic", "knowledge_point", "type", "count", "section"}


def _slim(doc: yamlstrict.Document) -> None:
    """Drop what a valid file no longer needs: a 10,000-question bank is held by every worker."""
    doc.value = None
    doc.positions = {path: at for path, at in doc.positions.items()
                     if len(path) <= 2 or path[-1] in _KEPT_FIELDS}


def _parse_questions(parsed: ParsedFile, value: dict) -> QuestionSet | None:
    header = _validate(parsed, QuestionFileHeader, value)
    items = header.questions if header is not None else value.get("questions")
    if not isinstance(items, tuple):
        return None
    questions: list[tuple[int, QuestionBase, str]] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue              # the header's error says so
        base = ("questions", index)
        type_name = item.get("type")
        kind = REGISTRY.get(type_name) if isinstance(type_name, str) else None
        if kind is None:
            known = "、".join(REGISTRY)
            message = (f"缺少题型 type，可用题型：{known}" if type_name is None
                       else f"未知题型 {clip(repr(type_name), 40)}，可用题型：{known}")
            parsed.errors.append(parsed.error(base + ("type",), message))
            continue
        question = _validate(parsed, kind.model, item, base)
        if question is None:
            continue
        for sub_path, message in kind.check(question):
            parsed.errors.append(parsed.error(base + sub_path, message))
        if question.id in first_index:
            parsed.errors.append(parsed.error(
                base + ("id",), f"题目 id {question.id} 重复（与 questions[{first_index[question.id]}] 相同）"))
            continue
        first_index[question.id] = index
        questions.append((index, question, version_of(question)))
    return QuestionSet(header.topic, tuple(questions)) if header is not None else None


def version_of(question: QuestionBase) -> str:
    return hashlib.sha256(question.model_dump_json().encode()).hexdigest()[:16]


Signature = tuple[int, int]


def _stat(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _course_files(course_dir: Path) -> Iterator[tuple[Path, str]]:
    yield course_dir / MANIFEST, "manifest"
    for folder in FOLDERS:
        base = course_dir / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            # "survey.yaml" before "survey-more.yaml": by name without the suffix
            for name in sorted(filenames, key=lambda n: (Path(n).stem, n)):
                if name.endswith(SUFFIXES) and not name.startswith("."):
                    yield Path(dirpath) / name, folder


@dataclass(frozen=True)
class Catalog:
    """Everything loaded from one content tree, with every problem found in it."""

    courses: Mapping[str, Course]
    errors: tuple[ContentError, ...]
    files: tuple[str, ...]
    stale: tuple[str, ...]            # files with errors whose last good version is served
    loaded_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    warnings: tuple[ContentError, ...] = ()   # no errors: what `content check` suggests fixing

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problem_count(self) -> int:
        """Every problem found, the listed ones and those only counted."""
        return sum(error.hidden or 1 for error in self.errors)

    @property
    def files_with_errors(self) -> int:
        return len({error.file for error in self.errors})

    def course(self, course_id: str | None = None) -> Course | None:
        if course_id is None:
            return next(iter(self.courses.values()), None)
        return self.courses.get(course_id)


class ContentLoader:
    """Loads a content root (a folder of course folders, or one course folder) incrementally."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self._parsed: dict[Path, tuple[Signature, ParsedFile]] = {}
        self._last_good: dict[Path, ParsedFile] = {}
        self._signature: tuple | None = None
        self._picture_files: tuple | None = None

    def _display(self, path: Path) -> str:
        return (Path(self.root.name) / path.relative_to(self.root)).as_posix()

    def course_dirs(self) -> list[Path]:
        if (self.root / MANIFEST).is_file():
            return [self.root]
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if (p / MANIFEST).is_file())

    def scan(self) -> list[tuple[Path, str, Signature | None]]:
        return [(path, kind, _stat(path))
                for course_dir in self.course_dirs()
                for path, kind in _course_files(course_dir)]

    def changed(self) -> bool:
        """A cheap check: has any file been added, removed or modified since the last refresh?"""
        return (tuple((p, s) for p, _, s in self.scan()) != self._signature
                or media.folder_signature(self.course_dirs()) != self._picture_files)

    def refresh(self) -> Catalog:
        # Parsing a large bank makes hundreds of thousands of small objects, none in reference
        # cycles, and Python's cyclic collector would walk the ever larger heap again and again:
        # it took about 45% of a cold load of 10,000 questions. Reference counting still frees
        # everything as usual; the collector runs again once the load is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._refresh()
        finally:
            if collecting:
                gc.enable()

    def _refresh(self) -> Catalog:
        files = self.scan()
        self._signature = tuple((p, s) for p, _, s in files)
        self._picture_files = media.folder_signature(self.course_dirs())
        present = {p for p, _, _ in files}
        for gone in set(self._parsed) - present:
            self._parsed.pop(gone, None)
            self._last_good.pop(gone, None)
        errors: list[ContentError] = []
        if not files and not self.root.is_dir():
            errors.append(ContentError(self.root.name, 1, 1, "", "内容目录不存在"))
        elif not files:
            errors.append(ContentError(self.root.name, 1, 1, "", f"没有找到任何课程（缺少 {MANIFEST}）"))
        by_course: dict[Path, list[tuple[Path, str, Signature | None]]] = {}
        for path, kind, sig in files:
            by_course.setdefault(path.parent if kind == "manifest" else _course_root(path), []).append((path, kind, sig))
        courses: dict[str, Course] = {}
        stale: list[str] = []
        course_warnings: list[ContentError] = []
        for course_dir, course_files in by_course.items():
            course = self._assemble(course_files, errors, stale, course_warnings)
            if course is None:
                continue
            if course.id in courses:
                errors.append(ContentError(self._display(course_dir / MANIFEST), 1, 1, "id",
                                           f"课程 id {course.id} 与另一个课程重复"))
                continue
            courses[course.id] = course
        warnings = [w for p, _, _ in files if p in self._parsed for w in self._parsed[p][1].warnings]
        warnings += cap_per_file(course_warnings)
        return Catalog(MappingProxyType(courses), tuple(cap_per_file(errors)),
                       tuple(self._display(p) for p, _, _ in files), tuple(stale), warnings=tuple(warnings))

    def _parse(self, path: Path, kind: str, sig: Signature | None) -> ParsedFile:
        cached = self._parsed.get(path)
        if cached is not None and sig is not None and cached[0] == sig:
            return cached[1]
        parsed = parse_file(path, self._display(path), kind)
        if sig is not None:
            self._parsed[path] = (sig, parsed)
        return parsed

    def _choose(self, path: Path, current: ParsedFile, problems: list[ContentError],
                errors: list[ContentError], stale: list[str],
                check: Any) -> ParsedFile | None:
        """The version of a file to serve: the current one if clean, else the last good one."""
        if current.value is not None and not problems:
            self._last_good[path] = current
            return current
        errors.extend(current.errors + problems)
        previous = self._last_good.get(path)
        if previous is not None and previous is not current and not check(previous):
            stale.append(current.display)
            return previous
        return None

    def _assemble(self, course_files: list[tuple[Path, str, Signature | None]],
                  errors: list[ContentError], stale: list[str],
                  warnings: list[ContentError] | None = None) -> Course | None:
        manifest_path, _, manifest_sig = course_files[0]
        parsed_manifest = self._parse(manifest_path, "manifest", manifest_sig)
        chosen = self._choose(manifest_path, parsed_manifest, [], errors, stale, lambda _: [])
        if chosen is None:
            # No course without its manifest, but each file's own problems are still told.
            for path, kind, sig in course_files[1:]:
                errors.extend(self._parse(path, kind, sig).errors)
            return None
        manifest: Manifest = chosen.value  # type: ignore[assignment]
        topic_kps = {t.id: {kp.id for kp in t.knowledge_points} for t in manifest.topics}
        all_kps = {kp for kps in topic_kps.values() for kp in kps}
        kp_sections = {kp.id: kp.section for t in manifest.topics for kp in t.knowledge_points if kp.section}
        errors.extend(_manifest_problems(chosen))

        lessons: list[Lesson] = []
        lesson_ids: dict[str, str] = {}
        section_at: dict[str, str] = {}
        questions: list[QuestionBase] = []
        versions: dict[str, str] = {}
        sources: dict[str, QuestionSource] = {}
        pictures: dict[str, media.Picture] = {}
        for path, kind, sig in course_files[1:]:
            current = self._parse(path, kind, sig)
            check = (lambda p: list(_lesson_refs(p, topic_kps, all_kps))) if kind == "lessons" \
                else (lambda p: list(_question_refs(p, topic_kps, all_kps)))
            # A file with errors of its own still has its references checked, from its raw values.
            problems = check(current) if current.value is not None \
                else list(_raw_refs(current, kind, topic_kps, all_kps))
            served = self._choose(path, current, problems, errors, stale, check)
            if served is None:
                continue
            errors.extend(_picture_problems(served, manifest_path.parent, pictures, kind == "lessons"))
            if kind == "lessons":
                lesson: Lesson = served.value  # type: ignore[assignment]
                if lesson.id in lesson_ids:
                    errors.append(served.error(("id",), f"课文 id {lesson.id} 与 {lesson_ids[lesson.id]} 重复"))
                    continue
                lesson_ids[lesson.id] = served.display
                kept = []
                for index, section in enumerate(lesson.sections):
                    if section.knowledge_point in section_at:
                        errors.append(served.error(("sections", index, "knowledge_point"),
                                                   f"知识点 {section.knowledge_point} 已在 {section_at[section.knowledge_point]} 中讲解"))
                        continue
                    section_at[section.knowledge_point] = served.display
                    kept.append(section)
                lessons.append(lesson.model_copy(update={"sections": tuple(kept)}))
            else:
                qset: QuestionSet = served.value  # type: ignore[assignment]
                for index, question, version in qset.questions:
                    if question.id in sources:
                        errors.append(served.error(("questions", index, "id"),
                                                   f"题目 id {question.id} 与 {sources[question.id].file} 中的题目重复"))
                        continue
                    line, _ = served.doc.position(("questions", index))
                    sources[question.id] = QuestionSource(served.display, line)
                    question, version = _with_section(served, index, question, version, kp_sections, warnings)
                    versions[question.id] = version
                    questions.append(question)
        lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
        errors.extend(_blueprint_problems(chosen, questions))
        return Course(manifest, tuple(lessons), tuple(questions), MappingProxyType(versions),
                      MappingProxyType(sources), media.Pictures(manifest_path.parent, MappingProxyType(pictures)))


def _with_section(served: ParsedFile, index: int, question: QuestionBase, version: str,
                  kp_sections: Mapping[str, str], warnings: list[ContentError] | None) -> tuple[QuestionBase, str]:
    """A question without `section` takes its knowledge point's (course.yaml); one with its own
    keeps it, with a warning when it lies outside its knowledge point's section (二(三)2 lies
    within 二(三); 三(一) does not)."""
    kp_section = kp_sections.get(question.knowledge_point)
    if kp_section is None:
        return question, version
    if question.section is None:
        inherited = question.model_copy(update={"section": kp_section})
        return inherited, version_of(inherited)
    if not question.section.startswith(kp_section) and warnings is not None:
        warnings.append(served.error(("questions", index, "section"),
                                     f"章节 {question.section} 不在知识点 {question.knowledge_point} 的章节 "
                                     f"{kp_section} 之内（course.yaml）；请核对其中一个"))
    return question, version


def _raw_refs(parsed: ParsedFile, kind: str, topic_kps: dict[str, set[str]],
              all_kps: set[str]) -> Iterator[ContentError]:
    """The topic and knowledge point references of a file that did not validate, read from its
    values as written, at places the file's own errors do not already name."""
    value = parsed.doc.value
    if kind not in ("lessons", "questions") or not isinstance(value, dict):
        return
    topic = value.get("topic")
    if not isinstance(topic, str):
        return
    if topic not in topic_kps:
        yield parsed.error(("topic",), f"course.yaml 中没有主题 {topic}")
        return
    named = {error.path for error in parsed.errors}
    field_name = "sections" if kind == "lessons" else "questions"
    items = value.get(field_name)
    for index, item in enumerate(items if isinstance(items, tuple) else ()):
        kp = item.get("knowledge_point") if isinstance(item, dict) else None
        path = (field_name, index, "knowledge_point")
        if isinstance(kp, str) and format_path(path) not in named:
            yield from _kp_ref(parsed, path, kp, topic, topic_kps, all_kps)


def _course_root(path: Path) -> Path:
    for parent in path.parents:
        if (parent / MANIFEST).is_file():
            return parent
    return path.parent


def _manifest_problems(parsed: ParsedFile) -> Iterator[ContentError]:
    manifest: Manifest = parsed.value  # type: ignore[assignment]
    seen: dict[str, str] = {}
    for t_index, topic in enumerate(manifest.topics):
        if topic.id in seen:
            yield parsed.error(("topics", t_index, "id"), f"主题 id {topic.id} 重复")
        seen[topic.id] = "topic"
        for k_index, kp in enumerate(topic.knowledge_points):
            if kp.id in seen:
                yield parsed.error(("topics", t_index, "knowledge_points", k_index, "id"),
                                   f"知识点 id {kp.id} 重复")
            seen[kp.id] = "kp"


def _blueprint_problems(parsed: ParsedFile, questions: list[QuestionBase]) -> Iterator[ContentError]:
    manifest: Manifest = parsed.value  # type: ignore[assignment]
    available = Counter(q.type for q in questions if not q.beyond_source)
    for b_index, blueprint in enumerate(manifest.exams):
        for p_index, part in enumerate(blueprint.parts):
            path = ("exams", b_index, "parts", p_index)
            if part.type not in REGISTRY:
                yield parsed.error(path + ("type",), f"未知题型 {part.type}，可用题型：{'、'.join(REGISTRY)}")
            elif part.count > available[part.type]:
                yield parsed.error(path + ("count",), f"题库中只有 {available[part.type]} 道{REGISTRY[part.type].label}"
                                   f"（不计教材外拓展题），不够抽 {part.count} 道")


def _lesson_refs(parsed: ParsedFile, topic_kps: dict[str, set[str]], all_kps: set[str]) -> Iterator[ContentError]:
    lesson: Lesson = parsed.value  # type: ignore[assignment]
    if lesson.topic not in topic_kps:
        yield parsed.error(("topic",), f"course.yaml 中没有主题 {lesson.topic}")
        return
    for index, section in enumerate(lesson.sections):
        yield from _kp_ref(parsed, ("sections", index, "knowledge_point"), section.knowledge_point,
                           lesson.topic, topic_kps, all_kps)


def _question_refs(parsed: ParsedFile, topic_kps: dict[str, set[str]], all_kps: set[str]) -> Iterator[ContentError]:
    qset: QuestionSet = parsed.value  # type: ignore[assignment]
    if qset.topic not in topic_kps:
        yield parsed.error(("topic",), f"course.yaml 中没有主题 {qset.topic}")
        return
    for index, question, _ in qset.questions:
        yield from _kp_ref(parsed, ("questions", index, "knowledge_point"), question.knowledge_point,
                           qset.topic, topic_kps, all_kps)


def _kp_ref(parsed: ParsedFile, path: tuple[str | int, ...], kp: str, topic: str,
            topic_kps: dict[str, set[str]], all_kps: set[str]) -> Iterator[ContentError]:
    if kp not in all_kps:
        yield parsed.error(path, f"course.yaml 中没有知识点 {kp}")
    elif kp not in topic_kps[topic]:
        yield parsed.error(path, f"知识点 {kp} 不属于本文件的主题 {topic}")


def load(root: str | os.PathLike[str]) -> Catalog:
    """Read a content tree once: every course in it, and every problem found."""
    return ContentLoader(root).refresh()
