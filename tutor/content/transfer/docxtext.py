"""The paragraphs of a Word document (.docx), read as a stream.

python-docx builds the whole document as an lxml tree, which for a crafted file of a few
hundred kilobytes is gigabytes. Here the archive is checked first (`zipcheck`), and then the
main document part is fed to expat in chunks, keeping only the text of the body's paragraphs:
the same text python-docx's `Document(...).paragraphs` gives (runs and hyperlinks directly in
the paragraph; `w:t` text, tabs, line breaks), with the same paragraph numbers.
"""
from __future__ import annotations

import posixpath
import zipfile
from typing import Any
from xml.parsers import expat

from tutor.content.transfer.limits import MAX_LINES
from tutor.content.transfer.zipcheck import open_checked

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CHUNK = 64 * 1024
# What a run's child element stands for in its text (w:t holds its own text).
_RUN_TEXT = {"tab": "\t", "ptab": "\t", "cr": "\n", "noBreakHyphen": "-"}


class TooManyLines(Exception):
    """The document has more than MAX_LINES paragraph lines; the ones read so far are kept."""

    def __init__(self, lines: list[str], has_table_text: bool) -> None:
        super().__init__()
        self.lines, self.has_table_text = lines, has_table_text


class _Body:
    """Expat handlers: the stack of open elements and the text of the paragraph being read."""

    def __init__(self) -> None:
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

    def end(self, name: str) -> None:
        depth = len(self.stack)
        self.stack.pop()
        self.in_text = self.in_table_text = False
        if depth == 3 and self.parts is not None:
            text = "".join(self.parts)
            self.parts = None
            self.line_count += text.count("\n") + 1
            if self.line_count > MAX_LINES:
                raise TooManyLines(self.paragraphs, self.has_table_text)
            self.paragraphs.append(text)

    def chars(self, text: str) -> None:
        if self.in_text and self.parts is not None:
            self.parts.append(text)
        elif self.in_table_text and text.strip():
            self.has_table_text = True


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


def docx_paragraphs(data: bytes) -> tuple[list[str], bool]:
    """The body's paragraphs' text, and whether a table in the body has text.

    Raises ZipTooLarge, TooManyLines, KeyError (no document part), zipfile and expat errors.
    """
    with open_checked(data) as archive:
        body = _Body()
        parser = _parser()
        parser.StartElementHandler = body.start
        parser.EndElementHandler = body.end
        parser.CharacterDataHandler = body.chars
        with archive.open(_main_part(archive)) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return body.paragraphs, body.has_table_text
