"""The paragraphs of a Word document (.docx), read as a stream.

python-docx builds the whole document as an lxml tree, which for a crafted file of a few
hundred kilobytes is gigabytes. Here the archive is checked first (`zipcheck`), and then the
main document part is fed to expat in chunks, keeping only the text of the body's paragraphs:
the same text python-docx's `Document(...).paragraphs` gives (runs and hyperlinks directly in
the paragraph; `w:t` text, tabs, line breaks), with the same paragraph numbers.

A picture in a run (python-docx's inline shapes: `w:drawing` with an `a:blip`, or an old VML
`v:imagedata`) becomes `![说明](images/NAME)` at its place in the text, the 说明 being Word's
alt text; its bytes, checked as content pictures are (tutor/content/media.py), are kept by NAME.
A picture that fails the check, or is only linked, is a warning with its paragraph number.
"""
from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from tutor.content import media
from tutor.content.transfer.limits import MAX_LINES, MB
from tutor.content.transfer.zipcheck import open_checked

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CHUNK = 64 * 1024
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BLIP = "http://schemas.openxmlformats.org/drawingml/2006/main blip"
_VML_IMAGE = "urn:schemas-microsoft-com:vml imagedata"
_DOC_PROPERTIES = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing docPr"
_FALLBACK = "http://schemas.openxmlformats.org/markup-compatibility/2006 Fallback"
# What a run's child element stands for in its text (w:t holds its own text).
_RUN_TEXT = {"tab": "\t", "ptab": "\t", "cr": "\n", "noBreakHyphen": "-"}
# The pictures one document may carry, together (each is at most media.MAX_BYTES): they travel
# base64-encoded through the import worker's JSON, within its memory limit.
MAX_PICTURES_BYTES = 20 * MB


@dataclass
class DocxText:
    """What is read from a document: its paragraphs, and the pictures they name."""

    paragraphs: list[str] = field(default_factory=list)
    has_table_text: bool = False
    media: dict[str, bytes] = field(default_factory=dict)            # by file name under images/
    picture_warnings: list[tuple[int, str]] = field(default_factory=list)   # (paragraph number, message)


class TooManyLines(Exception):
    """The document has more than MAX_LINES paragraph lines; the ones read so far are kept."""

    def __init__(self, text: DocxText) -> None:
        super().__init__()
        self.text = text
        self.lines, self.has_table_text = text.paragraphs, text.has_table_text


class _Body:
    """Expat handlers: the stack of open elements and the text of the paragraph being read."""

    def __init__(self, pictures: _Pictures | None = None) -> None:
        self.pictures = pictures
        self.alt = ""                              # Word's alt text of the drawing being read
        self.fallbacks = 0                         # inside mc:Fallback: the same picture again
        self.stack: list[str] = []
        self.paragraphs: list[str] = []
        self.line_count = 0
        self.parts: list[str] | None = None      # the current body paragraph's text, if any
        self.in_text = False                      # inside a w:t we keep
        self.in_table_text = False                # inside a w:t of a body table
        self.has_table_text = False

    def _run_depth(self) -> int | None:
        """How deep the open run is below the body paragraph: r, or hyperlink/r; else None."""
        inner = self.stack[3:]                     # below document/body/p
        if inner[:1] == ["r"]:
            return 1
        if inner[:2] == ["hyperlink", "r"]:
            return 2
        return None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        self.stack.append(local if uri == W else "")
        depth = len(self.stack)
        if depth == 3 and self.stack[:2] == ["document", "body"]:
            if local == "p" and uri == W:
                self.parts = []
            return
        if name == _FALLBACK:
            self.fallbacks += 1
        if self.parts is not None and self.pictures is not None and depth >= 5 and self._run_depth() is not None:
            self._picture(name, attrs)
        if self.parts is not None and depth >= 5 and self._run_depth() == depth - 4 and uri == W:
            if local == "t":
                self.in_text = True
            elif local == "br":
                kind = attrs.get(f"{W} type", "textWrapping")
                self.parts.append("\n" if kind == "textWrapping" else "")
            elif local in _RUN_TEXT:
                self.parts.append(_RUN_TEXT[local])
        elif local == "t" and "tbl" in self.stack[2:3] and not self.has_table_text:
            self.in_table_text = True

    def _picture(self, name: str, attrs: dict[str, str]) -> None:
        if name == _DOC_PROPERTIES:
            self.alt = attrs.get("descr") or attrs.get("title") or ""
        elif name in (_BLIP, _VML_IMAGE) and not self.fallbacks and self.parts is not None and self.pictures:
            relation = attrs.get(f"{_R} embed") or attrs.get(f"{_R} id")
            if relation:
                name_or_problem = self.pictures.take(relation)
                if name_or_problem.startswith(media.FOLDER + "/"):
                    self.parts.append(f"![{_alt_text(self.alt)}]({name_or_problem})")
                else:
                    self.pictures.warnings.append((len(self.paragraphs) + 1, name_or_problem))
            elif attrs.get(f"{_R} link"):
                self.pictures.warnings.append((len(self.paragraphs) + 1, _LINKED))
            self.alt = ""

    def end(self, name: str) -> None:
        if name == _FALLBACK:
            self.fallbacks -= 1
        depth = len(self.stack)
        self.stack.pop()
        self.in_text = self.in_table_text = False
        if depth == 3 and self.parts is not None:
            text = "".join(self.parts)
            self.parts = None
            self.line_count += text.count("\n") + 1
            if self.line_count > MAX_LINES:
                raise TooManyLines(self.result())
            self.paragraphs.append(text)

    def result(self) -> DocxText:
        pictures = self.pictures or _Pictures(None, {})
        return DocxText(self.paragraphs, self.has_table_text, pictures.media, pictures.warnings)

    def chars(self, text: str) -> None:
        if self.in_text and self.parts is not None:
            self.parts.append(text)
        elif self.in_table_text and text.strip():
            self.has_table_text = True


_LINKED = "图片只是链接到文档外的文件，没有嵌入文档，未导入：请在 Word 中把图片插入（嵌入）文档"


def _alt_text(text: str) -> str:
    """Word's alt text as the 说明 of `![说明](...)`: one line, no brackets."""
    return " ".join(text.replace("[", "（").replace("]", "）").split())[:200]


class _Pictures:
    """The document's picture parts by relationship id, read and checked once each."""

    def __init__(self, archive: zipfile.ZipFile | None, targets: dict[str, str]) -> None:
        self.archive, self.targets = archive, targets
        self.media: dict[str, bytes] = {}
        self.warnings: list[tuple[int, str]] = []
        self.taken: dict[str, str] = {}        # relationship id -> images/NAME or a problem
        self.carried = 0

    def take(self, relation: str) -> str:
        """`images/NAME` for the picture, kept in `media`; or why it is not imported."""
        if relation not in self.taken:
            self.taken[relation] = self._read(relation)
        return self.taken[relation]

    def _read(self, relation: str) -> str:
        target = self.targets.get(relation)
        if target is None or self.archive is None:
            return _LINKED
        try:
            data = self.archive.read(target)
        except KeyError:
            return f"文档中缺少图片文件 {target}，未导入"
        problem = media.bytes_problem(data)
        name = media.safe_file_name(data)
        if problem is not None or name is None:
            return f"图片 {posixpath.basename(target)} 未导入：{problem or media.not_a_picture()}"
        if name not in self.media:
            if self.carried + len(data) > MAX_PICTURES_BYTES:
                return f"文档中的图片合计超过 {MAX_PICTURES_BYTES // MB} MiB，图片 {posixpath.basename(target)} 未导入"
            self.carried += len(data)
            self.media[name] = data
        return f"{media.FOLDER}/{name}"


def _picture_targets(archive: zipfile.ZipFile, main_part: str) -> dict[str, str]:
    """The main part's embedded relationships: id -> the part's name in the archive."""
    folder, base = posixpath.split(main_part)
    targets: dict[str, str] = {}
    parser = _parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        target = attrs.get("Target", "")
        if name == f"{_RELATIONSHIPS} Relationship" and attrs.get("TargetMode") != "External" and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets[attrs.get("Id", "")] = posixpath.normpath(path)

    parser.StartElementHandler = start
    try:
        parser.Parse(archive.read(posixpath.join(folder, "_rels", base + ".rels")), True)
    except KeyError:
        pass
    return targets


def _forbid(*args: Any) -> None:
    raise ValueError("DOCTYPE")      # a Word part never has one; entities could only be an attack


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.buffer_text = True
    return parser


def _main_part(archive: zipfile.ZipFile) -> str:
    """The document part's name, from the package relationships (word/document.xml in practice)."""
    target = "word/document.xml"
    parser = _parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal target
        if name == f"{_RELATIONSHIPS} Relationship" and attrs.get("Type") == _OFFICE_DOCUMENT:
            target = posixpath.normpath(attrs.get("Target", target).lstrip("/"))

    parser.StartElementHandler = start
    try:
        parser.Parse(archive.read("_rels/.rels"), True)
    except KeyError:
        pass
    return target


def read_docx(data: bytes) -> DocxText:
    """The body's paragraphs' text (pictures as `![说明](images/NAME)`), whether a table in the
    body has text, and the pictures' bytes by NAME.

    Raises ZipTooLarge, TooManyLines, KeyError (no document part), zipfile and expat errors.
    """
    with open_checked(data) as archive:
        main_part = _main_part(archive)
        body = _Body(_Pictures(archive, _picture_targets(archive, main_part)))
        parser = _parser()
        parser.StartElementHandler = body.start
        parser.EndElementHandler = body.end
        parser.CharacterDataHandler = body.chars
        with archive.open(main_part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return body.result()


def docx_paragraphs(data: bytes) -> tuple[list[str], bool]:
    """The body's paragraphs' text, and whether a table in the body has text (see read_docx)."""
    text = read_docx(data)
    return text.paragraphs, text.has_table_text


def referenced(pictures: dict[str, bytes], questions: Any) -> dict[str, bytes]:
    """The pictures that imported questions name: those of questions left out are not carried."""
    written = repr(questions)
    return {name: data for name, data in pictures.items() if f"{media.FOLDER}/{name}" in written}
