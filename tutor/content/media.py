"""Pictures in lessons and questions: how they are written, where they may live, what they may be.

A text field names a picture as `![说明](images/NAME.png)`: a path relative to the course folder
that stays inside the course's `images/` folder (subfolders allowed). Nothing else is a picture
we serve: no `..`, no absolute path, no URL (a student's phone must never fetch from a third
party). The file's type is read from its first bytes, never from its name, and it may be at most
MAX_BYTES. Everything here is plain Python: the loader, the importers and the web layer share it.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping
from urllib.parse import unquote, urlsplit

FOLDER = "images"
MAX_BYTES = 2 * 1024 * 1024
MAX_NAME_CHARS = 200
# Only what every phone browser shows; SVG is left out on purpose (it can carry script).
TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "gif": ".gif", "webp": ".webp"}
_SNIFF_BYTES = 12

# `![alt](src)` as authors write it. Each bracket class excludes its own closing delimiter, so a
# match cannot backtrack: every `![` scans once, to the next bracket or line end.
REFERENCE = re.compile(r"!\[([^\[\]\n]*)\]\(([^()\s]*)\)")

ALT_MISSING = "图片缺少说明文字：请写成 ![图片内容的说明](images/…)，方便看不清图片的同学（提示，不影响加载）"


def sniff(head: bytes) -> str | None:
    """The picture type of a file from its first bytes (png, jpeg, gif, webp), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def bytes_problem(data: bytes) -> str | None:
    """Why these bytes cannot be a picture of ours (too large, not png/jpeg/gif/webp), or None."""
    if len(data) > MAX_BYTES:
        return too_large(len(data))
    if sniff(data[:_SNIFF_BYTES]) is None:
        return not_a_picture()
    return None


def too_large(size: int) -> str:
    return f"图片太大（{size / 1024 / 1024:.1f} MiB），每张图片最多 {MAX_BYTES // 1024 // 1024} MiB，请压缩后再用"


def not_a_picture() -> str:
    return "文件不是 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断，与扩展名无关）"


def name_problem(src: str) -> str | None:
    """Why `src` (as written, percent-escapes allowed) is not a picture path of ours, or None."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("//"):
        return "不能引用网络图片：请把图片放进课程的 images/ 文件夹，写成 images/文件名"
    name = unquote(src)
    if not name:
        return "图片路径为空：请写成 ![说明](images/文件名.png)"
    if len(name) > MAX_NAME_CHARS:
        return f"图片路径太长（最多 {MAX_NAME_CHARS} 个字符）"
    if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return "图片路径应相对于课程文件夹，写成 images/文件名，不能是绝对路径"
    segments = name.split("/")
    if ".." in segments:
        return "图片路径不能含有 ..：图片只能放在课程的 images/ 文件夹中"
    if segments[0] != FOLDER or len(segments) < 2:
        return "图片只能放在课程的 images/ 文件夹中，路径写成 images/文件名"
    if any(not s or s.startswith(".") or not s.isprintable() for s in segments):
        return "图片路径不合规：不能有空的部分、以 . 开头的名字或控制字符"
    return None


def picture_name(src: str) -> str | None:
    """The file name relative to the course folder (`images/a.png`) if `src` is one of ours."""
    return None if name_problem(src) is not None else unquote(src)


@dataclass(frozen=True)
class Reference:
    """A picture named in a text field of a content file."""

    path: tuple[str | int, ...]     # the field
    line: int
    column: int
    src: str                        # as written
    alt: str


@dataclass(frozen=True)
class Picture:
    """A referenced picture that passed every check, as it was when checked."""

    name: str                       # relative to the course folder: images/...
    mime: str
    size: int
    mtime_ns: int
    public: bool                    # named by a lesson: lesson pages are open to everyone


@dataclass(frozen=True)
class Pictures:
    """A course's servable pictures: the course folder and every valid referenced picture."""

    folder: Path | None = None
    by_name: Mapping[str, Picture] = field(default_factory=lambda: MappingProxyType({}))


def references(fields: Iterator[tuple[tuple[str | int, ...], str]],
               positions: Mapping[tuple[str | int, ...], tuple[int, int]], source: str) -> list[Reference]:
    """Every picture reference in a parsed file's text `fields`, placed on its own line: the
    reference is looked for in the file's lines from its field's position on."""
    lines = source.splitlines()
    found: list[Reference] = []
    for path, text in fields:
        if "![" not in text:
            continue
        line, column = positions.get(path, (1, 1))
        row, col = line - 1, column - 1
        for match in REFERENCE.finditer(text):
            at = _locate(lines, match.group(0), row, col)
            if at is not None:
                row, col = at[0], at[1] + 1
                found.append(Reference(path, at[0] + 1, at[1] + 1, match.group(2), match.group(1).strip()))
            else:                       # not in the file as written (an escape): the field's place
                found.append(Reference(path, line, column, match.group(2), match.group(1).strip()))
    return found


def _locate(lines: list[str], needle: str, row: int, col: int) -> tuple[int, int] | None:
    while row < len(lines):
        index = lines[row].find(needle, col)
        if index >= 0:
            return row, index
        row, col = row + 1, 0
    return None


def check(course_folder: Path, src: str, public: bool = False) -> Picture | str:
    """The picture `src` names in a course folder, checked on disk, or why it cannot be served."""
    problem = name_problem(src)
    if problem is not None:
        return problem
    name = unquote(src)
    images = (course_folder / FOLDER).resolve()
    file = course_folder / name
    try:
        real = file.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"找不到图片文件 {name}（应在课程文件夹的 images/ 中；注意大小写）"
    if not real.is_relative_to(images):         # a symbolic link leading out of images/
        return "图片只能放在课程的 images/ 文件夹中（不能是指向别处的链接）"
    try:
        stat = real.stat()
        if not real.is_file():
            return f"{name} 不是文件"
        with real.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        return f"无法读取图片 {name}：{exc.strerror}"
    if stat.st_size > MAX_BYTES:
        return too_large(stat.st_size)
    kind = sniff(head)
    if kind is None:
        return not_a_picture()
    return Picture(name, TYPES[kind], stat.st_size, stat.st_mtime_ns, public)


def folder_signature(course_folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Every file under the courses' images/ folders with its modification time and size, so
    that a changed, added or removed picture is seen as a change of the content."""
    found: list[tuple[str, int, int]] = []
    for course in course_folders:
        for dirpath, dirnames, filenames in os.walk(course / FOLDER):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def safe_file_name(data: bytes) -> str | None:
    """A file name for imported picture bytes, `img-<hash>.<ext>` by their type, or None when
    they are no picture of ours. The content hash names identical pictures once, and two
    imports' pictures never overwrite each other."""
    kind = sniff(data[:_SNIFF_BYTES])
    return None if kind is None else f"img-{hashlib.sha256(data).hexdigest()[:16]}{EXTENSIONS[kind]}"
