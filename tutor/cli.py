"""Command line: `flask --app tutor content check [DIR]` and `flask --app tutor user create`."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Sequence
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from tutor import passwords
from tutor.content.loader import Catalog, load
from tutor.extensions import db
from tutor.auth import find_user
from tutor.models import ADMIN, INSTRUCTOR, STUDENT, User, username_key
from tutor.questions import REGISTRY

if TYPE_CHECKING:
    from tutor.content.transfer.common import ImportResult

content_cli = AppGroup("content", help="Check the YAML course content.")

# Commands that only read and write files: the app made to run them applies no migration, so
# `flask --app tutor content check` in a fresh checkout neither creates nor touches a database.
WITHOUT_DATABASE = {("content", "check"), ("content", "schema"), ("content", "template")}
_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}     # flask's own, before the command


def runs_without_database(argv: Sequence[str]) -> bool:
    """Whether a `flask ...` command line runs one of WITHOUT_DATABASE (the app is made before
    click has chosen the command, so the words are read here)."""
    words: list[str] = []
    skip = False
    for arg in argv[1:]:
        if skip or arg in _OPTIONS_WITH_VALUE:
            skip = not skip
            continue
        if not arg.startswith("-"):
            words.append(arg)
        if len(words) == 2:
            break
    return tuple(words) in WITHOUT_DATABASE
user_cli = AppGroup("user", help="Manage accounts.")


@content_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def check(directory: Path | None) -> None:
    """Check every content file; print errors (exit 1) or a summary (exit 0)."""
    catalog = load(directory or current_app.config["TUTOR_CONTENT_DIR"])
    for warning in catalog.warnings:      # typography: listed, but the content still loads
        click.echo(f"提示 {warning}")
    if catalog.errors:
        for error in catalog.errors:
            click.echo(str(error))
        click.echo(f"\n{catalog.problem_count} 个错误，涉及 {catalog.files_with_errors} 个文件", err=True)
        raise SystemExit(1)
    if catalog.warnings:
        click.echo(f"{sum(w.hidden or 1 for w in catalog.warnings)} 条提示（不影响加载）\n")
    click.echo(summary(catalog))


def summary(catalog: Catalog) -> str:
    lines = [f"{len(catalog.files)} 个文件，没有错误。"]
    types = list(REGISTRY)
    for course in catalog.courses.values():
        lines.append(f"\n课程 {course.id}：{course.manifest.title}（{len(course.questions)} 道题，{len(course.lessons)} 篇课文）")
        header = f"  {'知识点':<34}" + "".join(f"{REGISTRY[t].label:>6}" for t in types) + f"{'合计':>6}  课文"
        for topic in course.topics:
            counts = Counter(q.type for q in course.questions_in_topic(topic.id))
            lines.append(f"\n  主题 {topic.id} {topic.name}：" + "，".join(
                f"{REGISTRY[t].label} {counts[t]}" for t in types) + f"，合计 {sum(counts.values())}")
            lines.append(header)
            for kp in topic.knowledge_points:
                kp_counts = Counter(q.type for q in course.by_knowledge_point[kp.id])
                lesson = course.section_of.get(kp.id)
                lines.append(f"  {kp.id:<36}" + "".join(f"{kp_counts[t]:>8}" for t in types)
                             + f"{sum(kp_counts.values()):>8}  {lesson[0].id if lesson else '（无）'}")
        totals = Counter(q.type for q in course.questions)
        lines.append("\n  全部：" + "，".join(f"{REGISTRY[t].label} {totals[t]}" for t in types))
    return "\n".join(lines)


@user_cli.command("create")
@click.argument("username")
@click.option("--instructor", is_flag=True, help="Create an instructor instead of a student.")
@click.option("--admin", is_flag=True, help="Create an admin: manages instructors and classes, sees every class.")
@click.password_option("--password", prompt="密码", confirmation_prompt="再次输入密码")
def create_user(username: str, instructor: bool, admin: bool, password: str) -> None:
    """Create an account; the password is prompted for, never defaulted."""
    message = passwords.problem(password, username)
    if message:
        raise click.ClickException(message)
    if db.session.scalar(db.select(User).where(User.username_key == username_key(username))):
        raise click.ClickException(f"用户名 {username} 已存在")
    role = ADMIN if admin else INSTRUCTOR if instructor else STUDENT
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"已创建{ {ADMIN: '管理员', INSTRUCTOR: '教师', STUDENT: '学生'}[role] }账号 {username}")


def init_app(app: Flask) -> None:
    from tutor.backup import backup_command, restore_command
    from tutor.demo import demo_command
    from tutor.privacy.commands import privacy_cli
    app.cli.add_command(content_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(privacy_cli)


@user_cli.command("disable")
@click.argument("username")
def disable_user(username: str) -> None:
    """Disable an account: it is cut off on its next request and cannot log in."""
    _set_active(username, False)


@user_cli.command("enable")
@click.argument("username")
def enable_user(username: str) -> None:
    """Enable a disabled account again."""
    _set_active(username, True)


@user_cli.command("password")
@click.argument("username")
@click.password_option("--password", prompt="新密码", confirmation_prompt="再次输入新密码")
def reset_password(username: str, password: str) -> None:
    """Set a new password for a user who forgot theirs; their open sessions end."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"没有用户 {username}")
    message = passwords.problem(password, user.username)
    if message:
        raise click.ClickException(message)
    user.set_password(password)
    db.session.commit()
    click.echo(f"已重设 {user.username} 的密码，该账号已登录的设备需要重新登录")


def _set_active(username: str, active: bool) -> None:
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"没有用户 {username}")
    user.active = active
    user.rotate_session()
    db.session.commit()
    click.echo(f"{username} 已{'启用' if active else '停用'}")


@user_cli.command("export")
@click.argument("username")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout).")
def export_user(username: str, out) -> None:
    """Everything stored about one student, as JSON (for a data request or a move)."""
    import json

    from tutor.models import (Attempt, ExamAnswer, ExamPaper, Favourite, NotebookEntry, PracticeSet,
                              ReviewCard)
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"没有用户 {username}")

    def rows(model, order) -> list[dict]:
        found = db.session.scalars(db.select(model).where(model.user_id == user.id).order_by(order))
        return [{c.name: getattr(r, c.name) for c in model.__table__.columns
                 if c.name not in ("password_hash", "session_token")} for r in found]

    papers = rows(ExamPaper, ExamPaper.id)
    answers = [{c.name: getattr(a, c.name) for c in ExamAnswer.__table__.columns}
               for a in db.session.scalars(db.select(ExamAnswer).where(
                   ExamAnswer.paper_id.in_([p["id"] for p in papers])).order_by(ExamAnswer.id))]
    data = {
        "user": {"username": user.username, "role": user.role, "created_at": user.created_at, "active": user.active},
        "attempts": rows(Attempt, Attempt.id), "practice_sets": rows(PracticeSet, PracticeSet.id),
        "notebook": rows(NotebookEntry, NotebookEntry.id), "favourites": rows(Favourite, Favourite.id),
        "review_cards": rows(ReviewCard, ReviewCard.id), "exam_papers": papers, "exam_answers": answers,
    }
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _course_for(catalog: Catalog, course_id: str | None):
    course = catalog.course(course_id)
    if course is None:
        raise click.ClickException(f"没有课程 {course_id}" if course_id else "没有加载到课程（先运行 content check）")
    return course


@content_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--topic", required=True, help="Topic id the questions belong to (from course.yaml).")
@click.option("--kp", "knowledge_point", help="Knowledge point for items that do not name one.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="A YAML file to write; or a course folder of the content directory (or a path in it) "
                   "to publish into: checked first, one file per topic, pictures into images/.")
@click.option("--name", "publish_name", help="Publish name (a-z, 0-9, -) when --out is in a course folder "
                                             "(default: from --out's or the source's file name).")
@click.option("--partial", is_flag=True, help="Write the good items even when others have problems.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists; replace a published name's files.")
@click.option("--course", "course_id", help="Course id (default: the first course).")
def import_questions(source: Path, topic: str, knowledge_point: str | None, out: Path, partial: bool,
                     force: bool, course_id: str | None, publish_name: str | None) -> None:
    """Convert an Excel, Word, tag-style text, GIFT or Moodle XML bank into our YAML."""
    from tutor.content.transfer.isolated import import_isolated
    from tutor.content.transfer.limits import MAX_FILE_BYTES, MAX_LISTED, MB
    size = source.stat().st_size
    if size > MAX_FILE_BYTES:
        raise click.ClickException(f"{source.name} 有 {size / MB:.1f} MB，超过导入上限 {MAX_FILE_BYTES // MB} MB；"
                                   "请把题库拆成几个较小的文件分别导入")
    course = _course_for(load(current_app.config["TUTOR_CONTENT_DIR"]), course_id)
    chosen = course.topic(topic)
    if chosen is None:
        raise click.ClickException(f"课程 {course.id} 中没有主题 {topic}；可用：{'、'.join(t.id for t in course.topics)}")
    content_dir = Path(current_app.config["TUTOR_CONTENT_DIR"]).resolve()
    course_dir = _course_folder_of(out, content_dir)
    if course_dir is None and out.is_dir():
        raise click.ClickException(f"{out} 是文件夹，但不是内容目录 {content_dir} 中的课程文件夹；请写出 YAML 文件名")
    if course_dir is None and out.exists() and not force:
        raise click.ClickException(f"{out} 已存在；换一个文件名，或加 --force 覆盖")
    # In a child process under memory and time limits, as on the import page.
    # An item's 知识点 may name any knowledge point of the course: its question goes to that topic.
    result = import_isolated(source.name, source, topic=topic, knowledge_point=knowledge_point,
                             allowed_knowledge_points=[kp.id for kp in chosen.knowledge_points],
                             topic_of={kp: t.id for kp, t in course.topic_of.items()})
    for problem in result.problems:
        click.echo(f"{source.name}: {problem}", err=True)
    for warning in result.warnings:
        click.echo(f"{source.name}: 提示: {warning}", err=True)
    if result.problems and not partial:
        click.echo(f"\n{len(result.problems)} 个问题，没有写入任何文件（加 --partial 只写入没有问题的题目）", err=True)
        raise SystemExit(1)
    if not result.questions:
        raise click.ClickException("没有可写入的题目")
    if course_dir is not None:
        _publish(result, course_dir, publish_name or _name_from(out, source), force, source.name)
    else:
        _write_plain(result, out, content_dir, force)
    for item in result.skipped[:MAX_LISTED]:
        click.echo(f"  跳过：{item}", err=True)
    if len(result.skipped) > MAX_LISTED:
        click.echo(f"  ……还跳过了 {len(result.skipped) - MAX_LISTED} 道题", err=True)


def _course_folder_of(out: Path, content_dir: Path) -> Path | None:
    """The course folder `out` is (or lies in) when it is inside the content directory."""
    resolved = out.resolve()
    if not resolved.is_relative_to(content_dir):
        return None
    for folder in (resolved, *resolved.parents):
        if (folder / "course.yaml").is_file():
            return folder
        if folder == content_dir:
            return None
    return None


def _name_from(out: Path, source: Path) -> str:
    """A publish name from --out's file name (`imported.yaml` and the `imported-` prefix add
    nothing) or else the source's; a dated one when neither has ASCII letters or digits."""
    from datetime import datetime

    from tutor.content.publish import FILE_PREFIX, slug
    stem = out.stem.removeprefix(FILE_PREFIX) if out.suffix else ""
    return slug("" if stem == "imported" else stem) or slug(source.stem) or f"bank-{datetime.now():%Y%m%d-%H%M}"


def _publish(result: ImportResult, course_dir: Path, name: str, force: bool, source: str) -> None:
    """Into the course, as the instructor's page publishes: nothing is written unless the
    course then loads with no new error."""
    from tutor.content.publish import publish
    outcome = publish(result, course_dir, name, replace=force, source=source)
    if not outcome.ok:
        for error in outcome.errors:
            click.echo(str(error), err=True)
        click.echo(f"\n{len(outcome.errors)} 个问题，没有写入任何文件", err=True)
        raise SystemExit(1)
    for path in outcome.written:
        click.echo(f"已写入 {path}")
    for path in outcome.images:
        click.echo(f"已写入图片 {path}")
    for old, new in outcome.renamed_images.items():
        click.echo(f"图片 {old} 已存在且内容不同，改名为 {new}（题目中的引用已随之修改）")
    for path in outcome.removed:
        click.echo(f"已删除 {path}（该名称这次没有这个主题的题目）")
    if outcome.backup:
        click.echo(f"被替换的文件已备份到 {outcome.backup}")
    click.echo(f"已发布 {outcome.imported} 道题（名称 {name}），课程现有 {outcome.course_questions} 道题")


def _write_plain(result: ImportResult, out: Path, content_dir: Path, force: bool) -> None:
    """One YAML file anywhere; its pictures into images/ beside it, never over other bytes."""
    from tutor.content.publish import image_problem, write_atomic
    images = out.resolve().parent / "images"
    for picture, data in result.media.items():
        problem = image_problem(picture, data)
        if problem is None and (images / picture).exists() and not force \
                and (images / picture).read_bytes() != data:
            problem = f"{images / picture} 已存在且内容不同；加 --force 覆盖"
        if problem:
            raise click.ClickException(f"图片 {picture}：{problem}")
    schema = os.path.relpath(content_dir / "schema.json", out.resolve().parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = result.yaml_files(schema)
    groups = result.by_topic()
    for topic, text in files.items():
        # a file holds one topic: questions of other topics (by their 知识点) get files of their own
        path = out if len(files) == 1 else out.with_name(f"{out.stem}-{topic}{out.suffix}")
        if path != out and path.exists() and not force:
            raise click.ClickException(f"{path} 已存在；换一个文件名，或加 --force 覆盖")
        path.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {path}：{len(groups[topic])} 道题（主题 {topic}）")
    for picture, data in result.media.items():
        write_atomic(images / picture, data)
        click.echo(f"已写入图片 {images / picture}")


@content_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path) -> None:
    """Write the Excel import template (题型, 题干, 选项A-H, 答案, 解析, 知识点, 难度)."""
    from tutor.content.transfer import write_template
    write_template(out)
    click.echo(f"已写入模板 {out}")


@content_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["gift", "moodle-xml"]), required=True)
@click.option("--topic", help="Only this topic's questions.")
@click.option("--course", "course_id", help="Course id (default: the first course).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export(fmt: str, topic: str | None, course_id: str | None, out: Path) -> None:
    """Export questions as Moodle GIFT or Moodle XML; types the format cannot carry are listed."""
    from tutor.content.transfer import export_gift, export_moodle_xml
    course = _course_for(load(current_app.config["TUTOR_CONTENT_DIR"]), course_id)
    if topic and course.topic(topic) is None:
        raise click.ClickException(f"没有主题 {topic}")
    questions = course.questions_in_topic(topic) if topic else course.questions
    # Pictures are read from the course's own folder (content/<course>/images/).
    content_dir = Path(current_app.config["TUTOR_CONTENT_DIR"])
    folder = content_dir if (content_dir / "course.yaml").is_file() else content_dir / course.id
    notes: list[str] = []
    text, skipped = (export_gift if fmt == "gift" else export_moodle_xml)(
        questions, course_folder=folder, notes=notes)
    out.write_text(text, encoding="utf-8")
    click.echo(f"已导出 {len(questions) - len(skipped)} 道题到 {out}")
    for item in skipped:
        click.echo(f"  未导出：{item}", err=True)
    for note in notes:
        click.echo(f"  提示：{note}", err=True)


@content_cli.command("schema")
@click.argument("out", required=False, type=click.Path(dir_okay=False, path_type=Path))
def schema(out: Path | None) -> None:
    """Write the JSON Schema of the content files (default: content/schema.json)."""
    import json

    from tutor.content.transfer import json_schema
    out = out or Path(current_app.config["TUTOR_CONTENT_DIR"]) / "schema.json"
    out.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"已写入 {out}")


@content_cli.command("calibrate")
@click.option("--course", "course_id", help="The course id (default: the only course).")
def calibrate(course_id: str | None) -> None:
    """List questions whose written difficulty differs from the one their answers give."""
    from tutor.instructor import calibration, reports
    course = _course_for(load(current_app.config["TUTOR_CONTENT_DIR"]), course_id)
    rows = [r for r in reports.item_analysis(course) if "relabel" in r.flags]
    for r in rows:
        source = course.sources[r.question.id]
        click.echo(f"{source.file}:{source.line}: {r.question.id}: difficulty {r.question.difficulty} → "
                   f"{r.calibrated}（{r.attempts} 人首次作答，得分率 {r.facility:.2f}）")
    click.echo(f"{len(rows)} 道题的标注难度与作答不符（至少 {calibration.MIN_ATTEMPTS} 人首次作答才计算）")
