"""The search index of one course: lesson sections and questions, ranked for a query.

Built in memory from a `Course` (never from files), once per loaded course: `index_for(course)`
keeps the index of the course object it was built from and builds anew when the catalog hands
it another one (a reload), so results never lag the content. Nothing here imports Flask or
the database.

How a query is answered (docs/search.md):

1. The query is normalised (segment.normalise_query) and cut into words (Segmenter.query_words).
2. Each word is looked up in the inverted index; a word the index does not hold (one character,
   a fragment that jieba cuts differently) is found by substring in the documents' text instead.
3. A document matches when it has every word. When none has them all, those with some are
   shown, marked partial.
4. Documents that contain the whole query as written come first (in their title or stem before
   elsewhere), then by how many words they have, then by BM25 over fields weighted by place
   (title and stem count three times, key points twice).
"""
from __future__ import annotations

import math
import threading
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple, Sequence

from tutor import markdown
from tutor.content.course import Course
from tutor.content.model import LessonSection
from tutor.questions import QuestionBase, question_type
from tutor.search.segment import Segmenter, fold, normalise_query, terms_from

LESSON, QUESTION = "lesson", "question"
HEAD = 3.0                     # title of a section, stem of a question
KEY_POINTS = 2.0
BODY = 1.0
K1, B = 1.2, 0.75              # BM25
SEPARATOR = "\x00"            # between documents in the corpus: never in a text or a query


@dataclass(frozen=True, slots=True)
class Doc:
    kind: str                  # LESSON or QUESTION
    key: str                   # the question's id, or the section's knowledge point
    lesson_id: str             # the section's lesson ('' for a question)
    start: int                 # the document's text in the corpus: [start, end)
    head_end: int              # its first field (title, stem) ends here
    end: int


def plain(text: str) -> str:
    """Markdown as the words a reader sees: pictures as 〔图〕, emphasis and code marks left out."""
    text = markdown.without_pictures(text)
    return text.replace("**", "").replace("__", "").replace("`", "")


# ------------------------------------------------------------------ what each document says


def section_fields(section: LessonSection) -> list[tuple[str, float, str]]:
    """(label, weight, text) of a lesson section, as the lesson page shows it."""
    fields = [("标题", HEAD, section.title)]
    fields += [("要点", KEY_POINTS, plain(p)) for p in section.key_points]
    fields.append(("讲解", BODY, plain(section.explanation)))
    for example in section.examples:
        fields.append(("案例", BODY, f"{example.title}：{plain(example.body)}"))
    fields += [("易混点", BODY, plain(p)) for p in section.pitfalls]
    if section.supplement:
        fields.append(("教材外补充", BODY, plain(section.supplement)))
    return fields


def question_fields(question: QuestionBase) -> list[tuple[str, float, str]]:
    """(label, weight, text) of a question: its stem as every page shows it, then what each type
    has to read (options, items, pairs, sub-questions, blanks' answers) and its 解析. Read from
    the fields types share, so a new question type is searchable without a change here."""
    stem = markdown.without_pictures(question_type(question).render_stem(question))
    return [("题干", HEAD, stem), *_body_fields(question)]


def _body_fields(body: object) -> Iterator[tuple[str, float, str]]:
    for name in ("options", "items", "distractors"):
        for text in getattr(body, name, None) or ():
            yield "选项", BODY, markdown.without_pictures(text)
    for pair in getattr(body, "pairs", None) or ():
        yield "选项", BODY, f"{pair.left} — {pair.right}"
    for accepted in getattr(body, "blanks", None) or ():
        yield "答案", BODY, " / ".join(accepted)
    for sub in getattr(body, "questions", None) or ():       # a case's sub-questions
        yield "小题", BODY, markdown.without_pictures(question_type(sub).render_stem(sub))
        yield from _body_fields(sub)
    if getattr(body, "model_answer", None):
        yield "参考答案", BODY, plain(body.model_answer)  # type: ignore[attr-defined]
    if getattr(body, "explanation", None):
        yield "解析", BODY, plain(body.explanation)  # type: ignore[attr-defined]


def course_terms(course: Course) -> frozenset[str]:
    texts = [t for lesson in course.lessons for s in lesson.sections for _, _, t in _raw_section_texts(s)]
    return terms_from(texts)


def _raw_section_texts(section: LessonSection) -> Iterator[tuple[str, float, str]]:
    """The section's texts as written (bold marks kept): where the terms are found."""
    yield from (("", 0.0, t) for t in (*section.key_points, section.explanation, *section.pitfalls,
                                        *(e.body for e in section.examples), section.supplement or ""))


# ------------------------------------------------------------------ results


class Hit(NamedTuple):        # a tuple: a common word makes thousands of them per query
    doc: Doc
    exact: int                 # 2: the whole query in the title/stem, 1: elsewhere, 0: not as written
    words: int                 # how many of the query's words it has
    score: float


@dataclass(frozen=True)
class Results:
    query: str                              # as matched (normalised, at most 200 characters)
    words: tuple[str, ...]
    highlight: tuple[str, ...]              # what to mark in the texts shown, longest first
    lessons: tuple[Hit, ...] = ()
    questions: tuple[Hit, ...] = ()
    partial: bool = False                   # no document has every word: these have some
    cut: bool = False                       # the query was longer than 200 characters
    withheld: int = 0                       # matching questions left out (a paper in progress)

    @property
    def empty(self) -> bool:
        return not self.lessons and not self.questions


@dataclass
class _Posting:
    docs: array = field(default_factory=lambda: array("i"))
    weights: array = field(default_factory=lambda: array("f"))


class SearchIndex:
    """An inverted index of a course's lesson sections and questions, and their folded text."""

    def __init__(self, course: Course, previous: SearchIndex | None = None) -> None:
        self.course = course
        self.segmenter = Segmenter(course_terms(course))
        # Words of each field text, kept from the last build of this course: a reload that
        # changed one file cuts only the texts that changed (jieba is most of a build's time).
        reuse = previous._words if previous is not None and previous.segmenter.terms == self.segmenter.terms else {}
        self._words: dict[str, tuple[str, ...]] = {}
        self.docs: list[Doc] = []
        texts: list[str] = []
        counts: list[dict[str, float]] = []
        at = 0
        for kind, key, lesson_id, fields in self._documents():
            folded = [fold(text) for _, _, text in fields]
            body = "\n".join(folded)
            head_end = at + len(folded[0])
            self.docs.append(Doc(kind, key, lesson_id, at, head_end, at + len(body)))
            texts.append(body)
            at += len(body) + len(SEPARATOR)
            weighted: dict[str, float] = {}
            for (_, weight, _), text in zip(fields, folded):
                words = reuse.get(text)
                if words is None:
                    words = self._words.get(text)
                if words is None:
                    words = tuple(self.segmenter.document_words(text))
                self._words[text] = words
                for word in words:
                    weighted[word] = weighted.get(word, 0.0) + weight
            counts.append(weighted)
        self.corpus = SEPARATOR.join(texts)
        self.starts = array("i", (d.start for d in self.docs))
        self.postings: dict[str, _Posting] = {}
        lengths = [sum(c.values()) for c in counts]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        for number, (weighted, length) in enumerate(zip(counts, lengths)):
            norm = K1 * (1 - B + B * length / average)
            for word, tf in weighted.items():
                posting = self.postings.get(word)
                if posting is None:
                    posting = self.postings[word] = _Posting()
                posting.docs.append(number)
                posting.weights.append(tf * (K1 + 1) / (tf + norm))

    def _documents(self) -> Iterator[tuple[str, str, str, list[tuple[str, float, str]]]]:
        for lesson in self.course.lessons:
            for section in lesson.sections:
                yield LESSON, section.knowledge_point, lesson.id, section_fields(section)
        for question in self.course.questions:
            yield QUESTION, question.id, "", question_fields(question)

    def __len__(self) -> int:
        return len(self.docs)

    def _idf(self, count: int) -> float:
        n = len(self.docs)
        return math.log(1 + (n - count + 0.5) / (count + 0.5))

    def containing(self, text: str) -> Iterator[int]:
        """The documents whose text contains `text` as written (folded), each once, in order."""
        if not text or SEPARATOR in text:
            return
        corpus, starts, docs = self.corpus, self.starts, self.docs
        at = corpus.find(text)
        while at >= 0:
            number = bisect_right(starts, at) - 1
            yield number
            # on to the next document: one step per document found, not per occurrence
            at = corpus.find(text, docs[number].end + 1)

    def search(self, query: str, exclude: Iterable[str] = frozenset()) -> Results:
        """Lessons and questions for `query`, best first; questions whose id is in `exclude`
        (on a paper in progress) are left out and counted in `withheld`."""
        text, cut = normalise_query(query)
        if not text:
            return Results(text, (), (), cut=cut)
        words = self.segmenter.query_words(text)
        found: dict[int, int] = {}           # document -> bit mask of the words it has
        score: dict[int, float] = {}
        found_get, score_get = found.get, score.get
        scanned: dict[str, list[int]] = {}      # a one-word query is scanned for once, not twice
        for bit, word in enumerate(words):
            flag = 1 << bit
            posting = self.postings.get(word)
            pairs: Iterable[tuple[int, float]]
            if posting is not None:
                idf = self._idf(len(posting.docs))
                pairs = zip(posting.docs, posting.weights)
            else:
                matches = scanned[word] = list(self.containing(word))
                idf = self._idf(len(matches)) if matches else 0.0
                pairs = ((number, 1.0) for number in matches)
            for number, weight in pairs:
                found[number] = found_get(number, 0) | flag
                score[number] = score_get(number, 0.0) + idf * weight
        everything = (1 << len(words)) - 1
        exact = set(scanned[text] if text in scanned else self.containing(text))
        chosen = {number for number, mask in found.items() if mask == everything} | exact
        partial = False
        if not chosen and len(words) > 1:
            # None has every word: those with at least half of them, marked partial, rather
            # than every document that shares one common word with the query.
            enough = (len(words) + 1) // 2
            chosen = {number for number, mask in found.items() if mask.bit_count() >= enough}
            partial = bool(chosen)
        excluded = frozenset(exclude)
        hits: list[Hit] = []
        withheld = 0
        docs, corpus = self.docs, self.corpus
        for number in chosen:
            doc = docs[number]
            if excluded and doc.kind == QUESTION and doc.key in excluded:
                withheld += 1
                continue
            place = 0
            if number in exact:
                place = 2 if corpus.find(text, doc.start, doc.head_end) >= 0 else 1
            hits.append(Hit(doc, place, found_get(number, 0).bit_count(), score_get(number, 0.0)))
        hits.sort(key=lambda h: (-h.exact, -h.words, -h.score, h.doc.start))
        marks = sorted({text, *words} if " " not in text else set(words) | set(text.split()),
                       key=lambda t: (-len(t), t))
        return Results(text, tuple(words), tuple(marks),
                       tuple(h for h in hits if h.doc.kind == LESSON),
                       tuple(h for h in hits if h.doc.kind == QUESTION), partial, cut, withheld)

    def fields(self, doc: Doc) -> list[tuple[str, float, str]]:
        """A document's fields as the reader sees them (for snippets)."""
        if doc.kind == LESSON:
            lesson = self.course.lesson(doc.lesson_id)
            section = next(s for s in lesson.sections if s.knowledge_point == doc.key)  # type: ignore[union-attr]
            return section_fields(section)
        return question_fields(self.course.by_id[doc.key])


# ------------------------------------------------------------------ marking what matched

Segments = list[tuple[str, bool]]          # (text, matched): the page escapes each text itself


def spans(text: str, marks: Sequence[str]) -> list[tuple[int, int]]:
    """Where any of `marks` (folded, longest first) occurs in `text`, merged, in order."""
    folded = fold(text)
    found = []
    for mark in marks:
        if not mark:
            continue
        at = folded.find(mark)
        while at >= 0:
            found.append((at, at + len(mark)))
            at = folded.find(mark, at + len(mark))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, marks: Sequence[str], width: int | None = None) -> Segments:
    """`text` as segments with the matches marked; with `width`, only about that many characters
    around the first match, … where text is left out."""
    found = spans(text, marks)
    begin, finish = 0, len(text)
    if width is not None and len(text) > width:
        first = found[0][0] if found else 0
        begin = max(0, min(first - width // 4, len(text) - width))
        finish = begin + width
    segments: Segments = [("…", False)] if begin > 0 else []
    at = begin
    for start, end in found:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < finish:
        segments.append((text[at:finish], False))
    if finish < len(text):
        segments.append(("…", False))
    return segments


def best_field(fields: Sequence[tuple[str, float, str]], marks: Sequence[str],
               skip_first: bool = True) -> tuple[str, str] | None:
    """(label, text) of the field, after the title or stem, with the longest match (then the most)."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for index, (label, _, text) in enumerate(fields):
        if skip_first and index == 0:
            continue
        found = spans(text, marks)
        if not found:
            continue
        longest = max(end - start for start, end in found)
        rank = (longest, len(found), -index)
        if best is None or rank > best:
            best, chosen = rank, (label, text)
    return chosen


# ------------------------------------------------------------------ one index per loaded course

_lock = threading.Lock()
_built: dict[str, SearchIndex] = {}


def index_for(course: Course) -> SearchIndex:
    """The index of this course object: built on first use, and again when a reload hands over
    another object for the course (keyed on the object itself, so never stale)."""
    index = _built.get(course.id)
    if index is not None and index.course is course:
        return index
    with _lock:
        index = _built.get(course.id)
        if index is None or index.course is not course:
            index = SearchIndex(course, previous=index)
            _built[course.id] = index
        return index
