"""搜索: one box over the lessons and the questions (the index and ranking: tutor/search).

Anyone may search the lessons, which anyone may read; questions are listed to signed-in users
only, as practice is theirs. A question on the user's paper in progress (a running mock exam,
an assignment whose answers wait for its due time) is never listed, and its own page here shows
no key or 解析, as in 背题模式.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from tutor.content.course import Course
from tutor.paging import paginate
from tutor.questions import question_type
from tutor.search import Hit, Results, SearchIndex, best_field, highlight, index_for
from tutor.search.segment import MAX_QUERY_CHARS
from tutor.standing.papers import questions_on_open_paper
from tutor.web import catalog, course_or_404

bp = Blueprint("search", __name__, url_prefix="/search")

PER_PAGE = 20          # questions on a page
LESSONS_SHOWN = 8      # the chapter has 13 sections: the best few are what a reader wants
SNIPPET_CHARS = 90     # characters of a snippet around its first match
STEM_CHARS = 160       # of a question's stem in its result


@dataclass(frozen=True)
class Shown:
    """A result as the page shows it: its text with the matches marked."""

    course: Course
    hit: Hit
    title: list[tuple[str, bool]]
    snippet: list[tuple[str, bool]]
    where: str                          # the label of the field the snippet is from ('' for none)
    url: str
    context: str                        # the lesson a section is in; a question's type and knowledge point
    question: Any = None
    whole_stem: bool = True             # the title shows the question's whole stem


@bp.route("")
def index() -> str:
    raw = request.args.get("q", "")
    signed_in = current_user.is_authenticated
    results: list[tuple[Course, SearchIndex, Results]] = []
    if raw.strip():
        withheld = questions_on_open_paper() if signed_in else frozenset()
        for course in catalog().courses.values():
            found = index_for(course)
            results.append((course, found, found.search(raw, withheld)))
    lessons = _ranked((course, found, hit, r) for course, found, r in results for hit in r.lessons)
    questions = _ranked((course, found, hit, r) for course, found, r in results for hit in r.questions)
    page = paginate(questions if signed_in else [], request.args.get("page"), PER_PAGE)
    first = results[0][2] if results else None
    return render_template(
        "search/index.html", q=raw[:MAX_QUERY_CHARS], searched=bool(raw.strip()), signed_in=signed_in,
        lessons=[_lesson(*row) for row in lessons[:LESSONS_SHOWN]], lesson_total=len(lessons),
        page=page, questions=[_question(*row) for row in page.rows], question_total=len(questions),
        partial=any(r.partial for _, _, r in results), cut=bool(first and first.cut),
        withheld=sum(r.withheld for _, _, r in results),
        page_link=lambda n: url_for("search.index", q=raw[:MAX_QUERY_CHARS], page=n) + "#questions")


def _ranked(rows: Any) -> list[tuple[Course, SearchIndex, Hit, Results]]:
    return sorted(rows, key=lambda row: (-row[2].exact, -row[2].words, -row[2].score))


def _snippet(found: SearchIndex, hit: Hit, marks: tuple[str, ...]) -> tuple[list[tuple[str, bool]], str]:
    fields = found.fields(hit.doc)
    best = best_field(fields, marks)
    if best is None:
        return [], ""
    label, text = best
    return highlight(text, marks, SNIPPET_CHARS), label


def _lesson(course: Course, found: SearchIndex, hit: Hit, results: Results) -> Shown:
    section = course.section_of[hit.doc.key][1]
    snippet, where = _snippet(found, hit, results.highlight)
    if not snippet:                     # matched in the title only: its first key point says what it is about
        label, _, text = found.fields(hit.doc)[1]
        snippet, where = highlight(text, results.highlight, SNIPPET_CHARS), label
    url = url_for("study.lesson", course_id=course.id, lesson_id=hit.doc.lesson_id) + "#" + hit.doc.key
    lesson = course.section_of[hit.doc.key][0]
    return Shown(course, hit, highlight(section.title, results.highlight), snippet, where, url, lesson.title)


def _question(course: Course, found: SearchIndex, hit: Hit, results: Results) -> Shown:
    q = course.by_id[hit.doc.key]
    stem = found.fields(hit.doc)[0][2]
    snippet, where = _snippet(found, hit, results.highlight)
    url = url_for("search.question", course_id=course.id, question_id=q.id, q=results.query)
    point = course.knowledge_points.get(q.knowledge_point)
    context = question_type(q).label + (f" · {point.name}" if point else "")
    title = highlight(stem, results.highlight, STEM_CHARS)
    return Shown(course, hit, title, snippet, where, url, context, q, len(stem) <= STEM_CHARS)


@bp.route("/questions/<course_id>/<question_id>")
@login_required
def question(course_id: str, question_id: str) -> str:
    """One question in 背题 style (stem, options with the key marked, the key in words, 解析);
    a question on the user's paper in progress without its key and 解析."""
    course = course_or_404(course_id)
    q = course.by_id.get(question_id)
    if q is None:
        abort(404)
    back = request.args.get("q", "")[:MAX_QUERY_CHARS]
    return render_template("search/question.html", course=course, q=q, key=question_type(q).correct_response(q),
                           on_exam=q.id in questions_on_open_paper(), back=back,
                           lesson=course.section_of.get(q.knowledge_point))
