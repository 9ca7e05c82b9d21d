"""Publish an import into a course folder: checked by the loader first, written atomically, backed up.

`publish(result, course_dir, name)` turns an `ImportResult` into files of the course:

- one question file per topic (`result.by_topic()`), `questions/imported-<name>-<topic>.yaml`,
  whose second line marks it as published under `name`. Publishing the same name again
  replaces that name's files (and removes those of topics it no longer has); a file of the
  same path that is not marked with this name is never overwritten.
- the pictures (`result.media`) into `images/`, each checked by the loader's own rules
  (`media.py`: a plain name, PNG/JPEG/GIF/WebP by content, at most 2 MiB). A picture is never replaced: a name already
  taken by other bytes is written as `<stem>-<hash8><suffix>` and the questions' references
  `](images/NAME)` are rewritten to it.

Before anything becomes visible the course is loaded by the same loader as it would be with the
new files (a staged copy in a hidden folder of `.backup/`): any error that was not there before refuses
the whole publish and nothing is written. Then each file is written to a hidden temporary file
in its own folder, fsynced and renamed into place (`os.replace`), so the app never reads half a
file. Every file replaced or removed is first copied to `.backup/<UTC time>/`, which the loader
never reads (it reads only `course.yaml`, `lessons/` and `questions/`). Publishes into one
course are serialised by a lock file, so two instructors publishing at once cannot interleave.
"""
from __future__ import annotations

import copy
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from tutor.content import media, yamlstrict
from tutor.content.loader import FOLDERS, MANIFEST, ContentError, ContentLoader
from tutor.content.transfer.common import ImportResult
from tutor.content.transfer.yamlout import to_yaml

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FILE_PREFIX = "imported-"
BACKUP_FOLDER = ".backup"
IMAGES_FOLDER = media.FOLDER
# The second line of a published file: `# 导入发布 name=<name> time=<UTC, ISO 8601>`.
MARK = "# 导入发布"
_MARK_LINE = re.compile(r"^# 导入发布 name=([a-z0-9-]+) time=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s*$", re.M)
_HEADER_BYTES = 512


@dataclass(frozen=True)
class PublishedFile:
    """A question file written by `publish`, as its header says."""

    path: Path
    name: str
    published_at: datetime        # naive UTC, as the app stores times


@dataclass(frozen=True)
class PublishOutcome:
    """What a publish wrote, or why it wrote nothing. Paths are shown as the loader shows them
    (`content/chapter8/questions/…`)."""

    errors: tuple[ContentError, ...] = ()
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    renamed_images: dict[str, str] = field(default_factory=dict)
    backup: str | None = None          # the folder holding the files replaced or removed
    imported: int = 0                  # questions in the files written
    course_questions: int = 0          # questions in the course once published

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Plan:
    files: dict[str, bytes] = field(default_factory=dict)       # course-relative path -> bytes
    images: dict[str, bytes] = field(default_factory=dict)      # course-relative path -> bytes
    removed: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    renamed_images: dict[str, str] = field(default_factory=dict)


def slug(text: str) -> str:
    """An ASCII publish name from any text (a file name): lower case, runs of other characters
    as one `-`; empty when nothing ASCII is left (a Chinese file name)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def published_file(path: Path) -> PublishedFile | None:
    """The publish header of a question file, if it has one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEADER_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    found = _MARK_LINE.search(head)
    if found is None:
        return None
    moment = datetime.strptime(found.group(2), "%Y-%m-%dT%H:%M:%SZ")
    return PublishedFile(path, found.group(1), moment)


def published_files(course_dir: Path) -> list[PublishedFile]:
    """Every question file of a course written by `publish`, by path."""
    folder = Path(course_dir) / "questions"
    if not folder.is_dir():
        return []
    found = (published_file(path) for path in sorted(folder.glob(FILE_PREFIX + "*.y*ml")))
    return [f for f in found if f is not None]


def published_under(root: Path) -> dict[str, PublishedFile]:
    """Every published question file of a content root, by the path the loader shows for it."""
    loader = ContentLoader(root)
    return {(Path(loader.root.name) / f.path.relative_to(loader.root)).as_posix(): f
            for folder in loader.course_dirs() for f in published_files(folder)}


def course_folder(root: Path, course_id: str) -> Path | None:
    """The folder of the course whose course.yaml has this id."""
    for folder in ContentLoader(root).course_dirs():
        manifest = yamlstrict.parse((folder / MANIFEST).read_bytes()).value
        if isinstance(manifest, dict) and manifest.get("id") == course_id:
            return folder
    return None


def publish(result: ImportResult, course_dir: Path, name: str, *, replace: bool = True,
            source: str | None = None, now: datetime | None = None) -> PublishOutcome:
    """Write `result` into `course_dir` under `name` if the course then loads with no new
    error; otherwise write nothing and return the errors."""
    course_dir = Path(course_dir).resolve()
    shown = f"{course_dir.parent.name}/{course_dir.name}"
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    if not NAME_PATTERN.fullmatch(name):
        return _refused(shown, f"名称 {name!r} 不可用：只能用小写英文字母、数字和连字符（-），以字母或数字开头，最多 40 个字符")
    if not result.questions:
        return _refused(shown, "没有可发布的题目")
    if not (course_dir / MANIFEST).is_file():
        return _refused(shown, f"{shown} 不是课程文件夹（缺少 {MANIFEST}）")
    with _locked(course_dir):
        plan, refusals = _plan(result, course_dir, name, replace, source, moment)
        if refusals:
            return PublishOutcome(errors=tuple(ContentError(f"{shown}/{where}", 1, 1, "", message)
                                               for where, message in refusals))
        errors, course_questions = _check(plan, course_dir)
        if errors:
            return PublishOutcome(errors=errors)
        backup = _apply(plan, course_dir, moment)
    return PublishOutcome(written=tuple(f"{shown}/{p}" for p in plan.files),
                          removed=tuple(f"{shown}/{p}" for p in plan.removed),
                          images=tuple(f"{shown}/{p}" for p in plan.images),
                          renamed_images=plan.renamed_images,
                          backup=f"{shown}/{backup.relative_to(course_dir).as_posix()}" if backup else None,
                          imported=len(result.questions), course_questions=course_questions)


def _refused(shown: str, message: str) -> PublishOutcome:
    return PublishOutcome(errors=(ContentError(shown, 1, 1, "", message),))


@contextmanager
def _locked(course_dir: Path) -> Iterator[None]:
    folder = course_dir / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- planning

def _plan(result: ImportResult, course_dir: Path, name: str, replace: bool, source: str | None,
          moment: datetime) -> tuple[_Plan, list[tuple[str, str]]]:
    plan, refusals = _Plan(), []
    questions = copy.deepcopy(result.questions)
    for picture, data in sorted(result.media.items()):
        stored, is_new, problem = _image_target(course_dir, picture, data)
        if problem:
            refusals.append((f"{IMAGES_FOLDER}/{picture}", problem))
            continue
        if is_new:
            plan.images[f"{IMAGES_FOLDER}/{stored}"] = data
        if stored != picture:
            plan.renamed_images[picture] = stored
    for old, new in plan.renamed_images.items():
        _rewrite_references(questions, old, new)
    by_id = {q["id"]: q for q in questions}
    ours = {f.path.name for f in published_files(course_dir) if f.name == name}
    schema = os.path.relpath(course_dir.parent / "schema.json", course_dir / "questions")
    targets = {topic: f"questions/{FILE_PREFIX}{name}-{topic}.yaml" for topic in result.by_topic()}
    for topic, group in result.by_topic().items():
        relative = targets[topic]
        target = course_dir / relative
        if target.exists():
            if target.name not in ours:
                refusals.append((relative, "同名文件已存在，且不是以这个名称发布的，不会覆盖；请换一个名称"))
                continue
            if not replace:
                refusals.append((relative, f"名称 {name} 已发布过；要替换它，请确认替换（命令行加 --force）"))
                continue
            plan.replaced.append(relative)
        plan.files[relative] = _file_text([by_id[q["id"]] for q in group], topic, name, schema, source, moment)
    plan.removed = sorted(f"questions/{n}" for n in ours if f"questions/{n}" not in targets.values())
    if plan.removed and not replace and not refusals:
        refusals.append((plan.removed[0], f"名称 {name} 已发布过；要替换它，请确认替换（命令行加 --force）"))
    return plan, refusals


def _file_text(questions: list[dict[str, Any]], topic: str, name: str, schema: str, source: str | None,
               moment: datetime) -> bytes:
    text = to_yaml(topic, questions, schema)
    first, rest = text.split("\n", 1)
    header = [first, f"{MARK} name={name} time={moment:%Y-%m-%dT%H:%M:%SZ}",
              "# 由教师页面“导入题目”（或 content import 命令）发布；再次发布同一名称会替换本文件，旧版本保存在课程文件夹的 .backup/ 中。"]
    if source:
        header.append("# 来源文件：" + " ".join(source.split())[:120])
    return ("\n".join(header) + "\n" + rest).encode("utf-8")


def image_problem(picture: str, data: bytes) -> str | None:
    """Why a picture of an import cannot be a file of images/ (its name came from an uploaded
    file): the loader's own rules (tutor/content/media.py), one plain file name, no folders."""
    if "/" in picture or "\\" in picture:
        return "图片文件名不能含有路径"
    return media.name_problem(f"{IMAGES_FOLDER}/{picture}") or media.bytes_problem(data)


def _image_target(course_dir: Path, picture: str, data: bytes) -> tuple[str, bool, str | None]:
    """The name a picture is stored under in images/ and whether it is new: its own name, or a
    hashed one when its own is taken by other bytes (the same bytes found are reused); or why
    it cannot be stored."""
    problem = image_problem(picture, data)
    if problem:
        return picture, False, problem
    suffix = PurePosixPath(picture).suffix
    folder = course_dir / IMAGES_FOLDER
    for candidate in (picture, f"{PurePosixPath(picture).stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"):
        path = folder / candidate
        if not path.exists():
            return candidate, True, None
        if path.is_file() and path.read_bytes() == data:
            return candidate, False, None
    return picture, False, "同名图片已存在且内容不同，改名后的文件也已被占用"


def _rewrite_references(value: Any, old: str, new: str) -> Any:
    """Point every `](images/OLD)` in the questions' text at NEW, in place."""
    pattern = re.compile(r"(\]\(\s*" + re.escape(IMAGES_FOLDER + "/") + r")" + re.escape(old) + r"(?=[\s)])")
    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return pattern.sub(lambda m: m.group(1) + new, item)
        if isinstance(item, list):
            item[:] = [walk(v) for v in item]
        elif isinstance(item, dict):
            for key in item:
                item[key] = walk(item[key])
        return item
    return walk(value)


# ---------------------------------------------------------------- checking

def _check(plan: _Plan, course_dir: Path) -> tuple[tuple[ContentError, ...], int]:
    """Load a staged copy of the course before and after the change, with the same loader and
    under the same displayed paths; the errors the change adds, and the questions it leaves.

    The stage lives in the backup folder, on the course's own file system, so that its pictures
    can be hard links rather than copies (the loader checks every referenced picture on disk)."""
    with tempfile.TemporaryDirectory(prefix=".stage-", dir=course_dir / BACKUP_FOLDER) as stage:
        staged = Path(stage) / course_dir.parent.name / course_dir.name
        staged.mkdir(parents=True)
        shutil.copy2(course_dir / MANIFEST, staged / MANIFEST)
        for folder in FOLDERS:
            if (course_dir / folder).is_dir():
                shutil.copytree(course_dir / folder, staged / folder)
        if (course_dir / IMAGES_FOLDER).is_dir():
            shutil.copytree(course_dir / IMAGES_FOLDER, staged / IMAGES_FOLDER, copy_function=_link_or_copy)
        loader = ContentLoader(staged.parent)
        before = set(loader.refresh().errors)
        for relative in plan.removed:
            (staged / relative).unlink()
        for relative, data in {**plan.images, **plan.files}.items():
            path = staged / relative
            old = path.stat().st_mtime_ns if path.exists() else 0
            path.unlink(missing_ok=True)        # never write through a hard link
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            # The loader re-parses by size and mtime: make sure a replaced file looks changed.
            later = max(path.stat().st_mtime_ns, old + 1_000_000_000)
            os.utime(path, ns=(later, later))
        after = loader.refresh()
        shown = f"{course_dir.parent.name}/{course_dir.name}"
        touched = {f"{shown}/{p}" for p in plan.files}
        new = tuple(e for e in after.errors if e.file in touched or e not in before)
        course = next(iter(after.courses.values()), None)
        return new, len(course.questions) if course else 0


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# ---------------------------------------------------------------- writing

def _apply(plan: _Plan, course_dir: Path, moment: datetime) -> Path | None:
    backup = None
    if plan.replaced or plan.removed:
        backup = _backup_folder(course_dir, moment)
        for relative in plan.replaced + plan.removed:
            target = backup / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, (course_dir / relative).read_bytes())
    # Pictures first, so that no question is visible before what it shows.
    for relative, data in {**plan.images, **plan.files}.items():
        write_atomic(course_dir / relative, data)
    for relative in plan.removed:
        (course_dir / relative).unlink()
    if plan.removed:
        _fsync_folder(course_dir / "questions")
    return backup


def _backup_folder(course_dir: Path, moment: datetime) -> Path:
    base = course_dir / BACKUP_FOLDER / f"{moment:%Y%m%d-%H%M%S}"
    for attempt in range(1000):
        folder = base if attempt == 0 else base.with_name(f"{base.name}-{attempt}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"no free backup folder under {base.parent}")


def write_atomic(path: Path, data: bytes) -> None:
    """A hidden temporary file in the same folder (the loader skips names starting with a dot),
    fsynced, then renamed over `path`: readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
