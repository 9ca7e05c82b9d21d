"""Instructor pages: the class, the heatmap, item analysis, question previews and the content."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from flask import (Blueprint, Flask, Response, abort, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from tutor import localtime, reassessment, spreadsheet, student_search, teaching
from tutor.content import publish as content_publish
from tutor.content.course import Course
from tutor.privacy.closure import shown_name
from tutor.content.publish import slug
from tutor.extensions import db
from tutor.instructor import cache, calibration, paging, reports, review
from tutor.instructor import pending
from tutor.models import Attempt
from tutor.questions import question_type
from tutor.web import catalog, class_scope, instructor_required, now, writes_after_reading

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
T = TypeVar("T")

FLAG_LABELS = {"inactive": "7 天未学习", "below_pass": "最近一次考试不及格", "not_started": "尚未开始",
               "too_easy": "太容易", "too_hard": "太难", "negative": "区分度为负：请检查答案",
               "miskey": "答案可能标错：错误选项被选得比正确选项多",
               "relabel": "标注难度与作答不符"}
# The item filter's own words (short: they sit in a menu).
FILTER_LABELS = {"too_easy": "太容易", "too_hard": "太难", "negative": "区分度为负", "miskey": "答案可能标错",
                 "relabel": "难度需重新标注"}


@bp.app_context_processor
def flag_labels() -> dict:
    return {"FLAG_LABELS": FLAG_LABELS, "NEUTRAL_FLAGS": reports.NEUTRAL_FLAGS, "class_url": class_url}


def class_url(endpoint: str, **values: Any) -> str:
    """url_for that keeps the class the report pages are showing (`?class=`)."""
    scope = g.get("report_scope")
    if scope is not None and scope.arg is not None and "class" not in values:
        values["class"] = scope.arg
    return url_for(endpoint, **values)


def _scope() -> teaching.ReportScope:
    """The students the report pages cover (`?class=`, see web.class_scope)."""
    return class_scope()


def _course() -> Course:
    scope = g.get("report_scope")
    wanted = request.args.get("course") or (scope.chosen.course_id if scope and scope.chosen else None)
    course = catalog().course(wanted)
    if course is None:
        abort(404)
    return course


def _no_class() -> str:
    """An instructor who teaches no class yet: where to create one."""
    return render_template("instructor/no_class.html")


def init_app(app: Flask) -> None:
    cache.init_app(app)
    # Flask-WTF's CSRF check reads the form in an app-wide before_request, under the app-wide
    # MAX_CONTENT_LENGTH: the import pages' larger limit has to be set before it, so first.
    app.before_request_funcs.setdefault(None, []).insert(0, _import_request_limit)


def _cached(name: str, course: Course, compute: Callable[[], T]) -> T:
    """A class report kept by this worker (see `cache`), one per class: never older than
    TUTOR_REPORT_CACHE_SECONDS, and the pages say when it was made."""
    return cache.report_cache().get(name, course, compute, g.report_scope.key)


def _sorted_overview(course: Course) -> tuple[reports.ClassOverview, str, bool]:
    students = g.report_scope.students
    cached = _cached("overview", course, lambda: reports.class_overview(course, now(), students))
    overview = reports.ClassOverview(list(cached.rows), cached.computed_at, cached.pass_percent)
    key = request.args.get("sort", "name")
    if key not in reports.SORT_KEYS:
        key = "name"
    descending = request.args.get("dir", "desc" if key != "name" else "asc") == "desc"
    overview.rows.sort(key=reports.SORT_KEYS[key], reverse=descending)
    return overview, key, descending


@bp.route("/")
@instructor_required
def students() -> str:
    if _scope().empty:
        return _no_class()
    course = _course()
    overview, key, descending = _sorted_overview(course)
    # The report covers the whole class (its sort keys are aggregates, and it is cached per
    # class), so the search and the page are cut from it here; only 50 rows are rendered.
    search = student_search.cleaned(request.args.get("q"))
    rows = [r for r in overview.rows if student_search.matches(r.user, search)] if search else overview.rows
    page = paging.paginate(rows, request.args.get("page"))
    moment = now()
    return render_template("instructor/students.html", course=course, overview=overview, sort=key,
                           descending=descending, page=page, search=search,
                           flags={r.user.id: reports.flags(r, moment, overview.pass_percent) for r in page.rows})


@bp.route("/review")
@instructor_required
def review_queue() -> str:
    scope = _scope()
    if scope.empty:
        return _no_class()
    course = _course()
    return render_template("instructor/review.html", course=course, waiting=review.queue(course, scope.students),
                           self_labels=reassessment.SELF_ASSESSMENTS)


@bp.route("/review/<int:attempt_id>", methods=["POST"])
@instructor_required
def review_answer(attempt_id: int) -> BaseResponse:
    """Set an answer's score: it replaces the keyword score (and any self-assessment)."""
    attempt = db.session.get(Attempt, attempt_id)
    course = catalog().course(attempt.course_id) if attempt is not None else None
    if attempt is None or course is None or attempt.question_id not in course.by_id \
            or not teaching.can_read_student(current_user, attempt.user_id):
        abort(404)
    try:
        score = float(request.form.get("score", ""))
    except ValueError:
        abort(400)
    try:
        reassessment.review(attempt, score, current_user.id, now(), course)
    except ValueError:
        flash(f"分数须在 0 到 {attempt.max_score:g} 之间", "error")
        return redirect(_review_queue_url(course.id))
    db.session.commit()
    flash("已保存复核分数", "success")
    return redirect(_review_queue_url(course.id))


def _review_queue_url(course_id: str) -> str:
    values: dict[str, Any] = {"course": course_id, "class": request.args.get("class")}
    return url_for("instructor.review_queue", **values)


@bp.route("/heatmap")
@instructor_required
def heatmap() -> str:
    if _scope().empty:
        return _no_class()
    course = _course()
    overview, key, descending = _sorted_overview(course)
    numbers = {kp.id: n for n, kp in enumerate((kp for t in course.topics for kp in t.knowledge_points), 1)}
    search = student_search.cleaned(request.args.get("q"))
    rows = [r for r in overview.rows if student_search.matches(r.user, search)] if search else overview.rows
    return render_template("instructor/heatmap.html", course=course, overview=overview, sort=key,
                           descending=descending, kp_numbers=numbers, search=search,
                           page=paging.paginate(rows, request.args.get("page")))


def _item_query(course: Course) -> dict[str, str]:
    """The item analysis' filters and sort from the query string, each kept only if valid."""
    args = request.args
    query = {}
    if args.get("kp") in course.knowledge_points:
        query["kp"] = args["kp"]
    if args.get("type") in {q.type for q in course.questions}:
        query["type"] = args["type"]
    if args.get("flag") in reports.ITEM_FLAGS:
        query["flag"] = args["flag"]
    if args.get("sort") in reports.ITEM_SORT_KEYS and args.get("sort") != "order":
        query["sort"] = args["sort"]
        query["dir"] = "asc" if args.get("dir") == "asc" else "desc"
    elif args.get("dir") == "desc":
        query["dir"] = "desc"
    return query


def _item_rows(course: Course, query: dict[str, str]) -> tuple[list[reports.ItemStats], datetime]:
    students = g.report_scope.students
    rows, computed_at = _cached("items", course, lambda: (reports.item_analysis(course, students), now()))
    chosen = reports.filter_items(rows, query.get("kp"), query.get("type"), query.get("flag"))
    return reports.sort_items(chosen, query.get("sort", "order"), query.get("dir") == "desc", course), computed_at


@bp.route("/items")
@instructor_required
def items() -> str:
    """Item analysis: filtered (knowledge point, type, flag), sorted by any column and paged,
    all in the query string, so that every state has its own address and needs no script."""
    if _scope().empty:
        return _no_class()
    course = _course()
    query = _item_query(course)
    rows, computed_at = _item_rows(course, query)
    page = paging.paginate(rows, request.args.get("page"))
    types = list(dict.fromkeys(q.type for q in course.questions))
    return render_template("instructor/items.html", course=course, page=page, query=query,
                           sort=query.get("sort", "order"), descending=query.get("dir") == "desc",
                           types=types, filter_labels=FILTER_LABELS, computed_at=computed_at,
                           min_calibration=calibration.MIN_ATTEMPTS,
                           all_count=len(course.questions))


@bp.route("/questions/<course_id>/<question_id>")
@instructor_required
def preview(course_id: str, question_id: str) -> str:
    course = catalog().course(course_id)
    if course is None or question_id not in course.by_id:
        abort(404)
    return render_template("instructor/preview.html", course=course, questions=[course.by_id[question_id]],
                           title=question_id)


@bp.route("/content")
@instructor_required
def content() -> str:
    return render_template("instructor/content.html", catalog=catalog(),
                           content_dir=current_app.config["TUTOR_CONTENT_DIR"],
                           published=content_publish.published_under(Path(current_app.config["TUTOR_CONTENT_DIR"])))


@bp.route("/content/<course_id>/<kp_id>")
@instructor_required
def knowledge_point(course_id: str, kp_id: str) -> str:
    course = catalog().course(course_id)
    if course is None or kp_id not in course.knowledge_points:
        abort(404)
    return render_template("instructor/preview.html", course=course,
                           questions=course.by_knowledge_point[kp_id],
                           title=course.knowledge_points[kp_id].name)


def _csv(name: str, header: list[str], rows: Iterable[list[object]]) -> Response:
    return spreadsheet.csv_response(name, header, rows)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@bp.route("/students.csv")
@instructor_required
def students_csv() -> Response:
    if _scope().empty:
        abort(404)
    course = _course()
    overview, _, _ = _sorted_overview(course)
    moment = now()
    kps = list(course.knowledge_points)
    zone = current_app.config["TUTOR_TIMEZONE"]
    header = ["学生", f"最近学习（{localtime.zone_name(zone)}）", "答题数", "正确率%", "掌握", "熟练", "入门", "未练习", "平均掌握分",
              "考试次数", "最近考试%", "最好考试%", "提示"] + [course.knowledge_points[kp].name for kp in kps]
    rows = []
    for r in overview.rows:
        levels = r.levels
        rows.append([shown_name(r.user.username), localtime.iso(r.last_active, zone),
                     r.answered, _pct(100 * r.accuracy if r.accuracy is not None else None),
                     levels[3], levels[2], levels[1], levels[0], f"{r.mastery_index:.0f}", r.exams,
                     _pct(r.last_exam), _pct(r.best_exam),
                     "；".join(FLAG_LABELS[f] for f in reports.flags(r, moment, overview.pass_percent))]
                    + [r.mastery[kp].name for kp in kps])
    return _csv(f"class-{course.id}.csv", header, rows)


@bp.route("/items.csv")
@instructor_required
def items_csv() -> Response:
    if _scope().empty:
        abort(404)
    course = _course()
    header = ["题目 id", "题型", "知识点", "题干", "首次作答人数", "难度系数(通过率)", "区分度", "考试份数",
              "各选项选择次数", "标注难度", "建议难度", "提示", "文件", "行"]
    rows = []
    # Every row the page's filters and sort select, on one sheet (no paging).
    for r in _item_rows(course, _item_query(course))[0]:
        q = r.question
        source = course.sources[q.id]
        rows.append([q.id, question_type(q).label, course.knowledge_points[q.knowledge_point].name, q.stem,
                     r.attempts, "" if r.facility is None else f"{r.facility:.3f}",
                     "" if r.discrimination is None else f"{r.discrimination:.3f}", r.papers,
                     " ".join(f"{chr(65 + i)}:{n}" for i, n in enumerate(r.option_counts)),
                     q.difficulty or "", r.calibrated or "",
                     "；".join(FLAG_LABELS[f] for f in r.flags), source.file, source.line])
    return _csv(f"items-{course.id}.csv", header, rows)


IMPORT_ENDPOINTS = ("instructor.import_questions", "instructor.download_yaml")


def _import_request_limit() -> None:
    """A bank (and its YAML, sent back to be downloaded) may be up to TUTOR_IMPORT_MAX_BYTES;
    every other request keeps TUTOR_MAX_REQUEST_BYTES.

    Only for a signed session: loading the user would touch the database before the request's
    transaction mode is chosen, and the views themselves admit instructors only."""
    if request.endpoint in IMPORT_ENDPOINTS and session.get("_user_id"):
        limit = int(current_app.config["TUTOR_IMPORT_MAX_BYTES"])
        request.max_content_length = limit
        if request.endpoint == "instructor.download_yaml":
            request.max_form_memory_size = limit     # the YAML comes back as one form field


@bp.route("/import", methods=["GET", "POST"])
@instructor_required
def import_questions() -> str:
    """Upload a bank, see it as students will and every problem; download the YAML, or (when
    TUTOR_CONTENT_WRITABLE is on) publish it: the result is kept on the server for that."""
    from tutor.content.transfer import to_model
    from tutor.content.transfer.isolated import import_isolated
    course = _course()
    result = models = token = publish_name = None
    topic_id = request.form.get("topic") or course.topics[0].id
    kp_id = request.form.get("kp") or None
    if request.method == "POST":
        upload = request.files.get("file")
        topic = course.topic(topic_id)
        if upload is None or not upload.filename or topic is None:
            abort(400)
        # In a child process under memory and time limits: the file may be hostile.
        result = import_isolated(upload.filename, upload.read(), topic=topic.id, knowledge_point=kp_id,
                                 allowed_knowledge_points=[kp.id for kp in topic.knowledge_points],
                                 topic_of={kp: t.id for kp, t in course.topic_of.items()})
        models = [to_model(q) for q in result.questions]
        if result.questions and _content_writable():
            token = pending.keep(_spool(), current_user.id, course.id, upload.filename, result)
            publish_name = slug(Path(upload.filename).stem) or f"bank-{now():%Y%m%d-%H%M}"
    return _import_page(course, result=result, models=models, topic_id=topic_id, kp_id=kp_id,
                        publish_token=token, publish_name=publish_name,
                        publish_problems=len(result.problems) if result else 0)


def _import_page(course: Course, **shown: object) -> str:
    from tutor.content.transfer import SUFFIXES
    from tutor.content.transfer.limits import MAX_ITEMS
    shown.setdefault("topic_id", course.topics[0].id)
    return render_template("instructor/import.html", course=course, suffixes=", ".join(SUFFIXES),
                           max_mb=int(current_app.config["TUTOR_IMPORT_MAX_BYTES"]) // (1024 * 1024),
                           max_items=MAX_ITEMS, writable=_content_writable(), **shown)


def _content_writable() -> bool:
    """TUTOR_CONTENT_WRITABLE, off unless the operator turns it on (true, 1, yes, on)."""
    return str(current_app.config["TUTOR_CONTENT_WRITABLE"]).strip().lower() in ("true", "1", "yes", "on")


def _spool() -> Path:
    return Path(current_app.config["TUTOR_IMPORT_SPOOL_DIR"])


@bp.route("/import/publish", methods=["POST"])
@instructor_required
@writes_after_reading     # it writes files and no database row: no SQLite write lock while the course is checked
def publish_import() -> str:
    """Publish the import previewed on this server (by its token) into the course folder: the
    loader checks the course with it first, and nothing is written if that finds a new error."""
    if not _content_writable():
        abort(404)
    token = request.form.get("token", "")
    kept = pending.take(_spool(), token, current_user.id)
    if kept is None:
        return _import_page(_course(), publish_failure="这次预览已过期或不存在，请重新上传文件")
    course = catalog().course(kept.course_id)
    folder = content_publish.course_folder(Path(current_app.config["TUTOR_CONTENT_DIR"]), kept.course_id)
    if course is None or folder is None:
        abort(404)
    if kept.result.problems and not request.form.get("partial"):
        return _import_page(course, publish_token=token, publish_name=request.form.get("name", ""),
                            publish_problems=len(kept.result.problems), publish_failure="有问题的题目不会发布；请勾选“只发布没有问题的题目”后再发布，或改正原文件后重新上传")
    outcome = content_publish.publish(kept.result, folder, request.form.get("name", "").strip(),
                                      source=kept.filename)
    if outcome.ok:
        pending.discard(_spool(), token)
    return _import_page(course, outcome=outcome, publish_token=None if outcome.ok else token,
                        publish_name=request.form.get("name", ""), publish_problems=len(kept.result.problems))


@bp.route("/import/download", methods=["POST"])
@instructor_required
def download_yaml() -> Response:
    """Hand the converted YAML back as a file (it came from the import page's form)."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "", request.form.get("name", "")) or "imported.yaml"
    text = request.form.get("yaml", "")
    return Response(text.encode("utf-8"), mimetype="application/x-yaml",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/import/template.xlsx")
@instructor_required
def import_template() -> Response:
    """The Excel template, made fresh (the same one `flask content template` writes)."""
    import tempfile
    from pathlib import Path

    from tutor.content.transfer import write_template
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "questions-template.xlsx"
        write_template(path)
        data = path.read_bytes()
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=questions-template.xlsx"})
