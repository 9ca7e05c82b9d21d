"""Moodle's HTML text as our Markdown on import, and our Markdown as HTML on export.

Import keeps what our content can hold and lists the rest, never dropping it silently:
pictures become `![说明](images/NAME)` with their bytes carried by name (PNG, JPEG, GIF and WebP,
told by their first bytes, at most MAX_PICTURE_BYTES each); http(s) and mailto links become
`[text](url)`; bold, italics and lists their Markdown forms; paragraphs a blank line and `<br>`
a line break. Audio, video, frames, embedded objects, scripts, tables' layout and pictures that
cannot be carried are reported, each with where it was. Parsing is the standard library's
`html.parser`, which reads hostile markup in linear time.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from tutor.content.transfer.common import ImportResult
from tutor.content.transfer.limits import MAX_PICTURE_BYTES, MB

PLUGINFILE = "@@PLUGINFILE@@/"
IMAGES = "images/"
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}\.(?:png|jpg|jpeg|gif|webp)$")
LINK_SCHEMES = ("http://", "https://", "mailto:")

# Elements whose content is not text for a reader, reported once and skipped with what they hold.
_NOT_CARRIED = {"audio": "音频", "video": "视频", "iframe": "嵌入网页（iframe）", "object": "嵌入对象",
                "embed": "嵌入对象", "script": "脚本", "style": "样式表", "svg": "SVG 矢量图",
                "math": "MathML 公式", "canvas": "画布", "noscript": "noscript 内容", "template": "模板",
                "form": "表单", "select": "下拉框", "textarea": "文本框", "button": "按钮", "input": "输入框",
                "map": "图片热区", "applet": "Java 小程序"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "section",
           "article", "header", "footer", "figure", "figcaption", "dl", "dt", "dd", "address", "hr"}
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_BREAK = "\x00"          # a paragraph boundary while converting: runs of them make one blank line


def picture_type(data: bytes) -> str | None:
    """png, jpg, gif or webp by the file's own first bytes (never its name); None otherwise."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class Pictures:
    """The pictures an import carries: safe file name -> bytes, one name per distinct content."""

    media: dict[str, bytes] = field(default_factory=dict)
    _by_hash: dict[str, str] = field(default_factory=dict)

    def add(self, original: str, data: bytes) -> tuple[str | None, str | None]:
        """(the safe name it is carried as, None) or (None, why it is not carried)."""
        if len(data) > MAX_PICTURE_BYTES:
            return None, f"大于 {MAX_PICTURE_BYTES // MB} MB"
        kind = picture_type(data)
        if kind is None:
            return None, "不是 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断）"
        digest = hashlib.sha256(data).hexdigest()
        if digest in self._by_hash:
            return self._by_hash[digest], None
        name = safe_name(original, kind, digest)
        if name in self.media:          # the same name with other bytes
            name = safe_name("", kind, digest, stem=name.rsplit(".", 1)[0])
        self.media[name] = data
        self._by_hash[digest] = name
        return name, None


def safe_name(original: str, kind: str, digest: str, stem: str | None = None) -> str:
    """A file name of ASCII [a-z0-9._-] without path parts: the original when it already is one
    of the right type (so an exported bank comes back under the same names), else its readable
    part and a hash of the content."""
    base = unquote(original).replace("\\", "/").rsplit("/", 1)[-1].lower()
    if stem is None and _SAFE_NAME.match(base) and base.rsplit(".", 1)[1].replace("jpeg", "jpg") == kind:
        return base
    readable = stem if stem is not None else re.sub(r"[^a-z0-9]+", "-", base.rsplit(".", 1)[0]).strip("-")[:40]
    return f"{readable or 'image'}-{digest[:10]}.{kind}"


def decode_base64(text: str, limit: int = MAX_PICTURE_BYTES) -> bytes | None:
    """Base64 text as bytes; None when it is not base64. Past `limit` (judged from the length,
    before decoding) only the first bytes are decoded, enough to report the size."""
    text = "".join(text.split())
    if len(text) * 3 // 4 > limit + 3:
        text = text[:(limit // 3 + 2) * 4]
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(text) * 3 // 4 <= limit + 3 else data + b"\0" * 4


# ---------------------------------------------------------------- HTML -> Markdown

class _Converter(HTMLParser):
    def __init__(self, files: Mapping[str, str] | None, pictures: Pictures, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.files, self.pictures, self.label = files, pictures, label
        self.out: list[str] = []
        self.notes: list[str] = []
        self.skipping: list[str] = []                  # open elements whose content is skipped
        self.open: list[tuple[str, int, str]] = []     # (tag, where its text starts in out, href or mark)
        self.lists: list[list[int]] = []               # per open list: [next number] (0: bullets)
        self.eat_newline = False

    def note(self, message: str) -> None:
        self.notes.append(f"{self.label}中的{message}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and tag not in _VOID:
                self.skipping.append(tag)
            return
        values = {name: value or "" for name, value in attrs}
        if tag in _NOT_CARRIED:
            source = values.get("src") or values.get("data") or ""
            self.note(f"{_NOT_CARRIED[tag]}{'（' + source[:80] + '）' if source else ''}没有导入：本系统不支持")
            if tag not in _VOID:
                self.skipping.append(tag)
        elif tag == "br":
            self.out.append("\n")
            self.eat_newline = True
        elif tag == "img":
            self.image(values)
        elif tag == "a":
            self.open.append(("a", len(self.out), values.get("href", "")))
        elif tag in _MARKS:
            self.open.append((tag, len(self.out), _MARKS[tag]))
        elif tag in ("ul", "ol"):
            self.out.append(_BREAK)
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            number = self.lists[-1] if self.lists else [0]
            self.out.append("\n" + ("  " * min(max(len(self.lists) - 1, 0), 8))
                            + (f"{number[0]}. " if number[0] else "- "))
            number[0] += 1 if number[0] else 0
            self.eat_newline = True
        elif tag in _BLOCKS:
            if tag == "table":
                self.note("表格只导入了其中的文字，表格的行列没有保留")
            self.out.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append(_BREAK)
        elif tag in _BLOCKS or tag == "li":
            self.out.append(_BREAK if tag != "li" else "")
        elif self.open and self.open[-1][0] == tag:
            _, start, extra = self.open.pop()
            inner = "".join(self.out[start:])
            del self.out[start:]
            self.out.append(self.link(inner, extra) if tag == "a" else _marked(inner, extra))

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.eat_newline and data.startswith("\n"):
            data = data[1:]
        self.eat_newline = False
        if "\n" in data and not data.strip():      # markup's own line breaks between elements
            if not self.out or self.out[-1].endswith(("\n", " ", _BREAK)):
                return
            data = " "
        self.out.append(data)

    def link(self, inner: str, href: str) -> str:
        text = inner.strip()
        if href.lower().startswith(LINK_SCHEMES):
            url = href.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            label = text.replace("[", "［").replace("]", "］") if text else url
            return inner[:len(inner) - len(inner.lstrip())] + f"[{label}]({url})"
        if href.startswith(PLUGINFILE):
            self.note(f"链接的附件 {unquote(href[len(PLUGINFILE):])[:80]} 没有导入（只保留了链接文字）")
        elif href:
            self.note(f"链接 {href[:80]} 没有导入（只导入 http、https 和 mailto 链接，保留了链接文字）")
        return inner

    def image(self, values: dict[str, str]) -> None:
        src, alt = values.get("src", "").strip(), " ".join(values.get("alt", "").split())
        shown = src if not src.startswith("data:") else src[:30] + "……"
        if src.startswith(PLUGINFILE):
            path = unquote(src[len(PLUGINFILE):])
            if self.files is None:
                self.note(f"图片 {path[:80]} 没有导入：GIFT 文件不带图片文件（请改用 Moodle XML 导出，或把图片放进课程的 images 文件夹）")
                return
            encoded = self.files.get(path.lstrip("/"))
            if encoded is None:
                self.note(f"图片 {path[:80]} 没有导入：文件中没有它的内容（<file> 元素）")
                return
            self.carry(path, decode_base64(encoded), alt, path)
        elif src.startswith("data:"):
            header, _, payload = src.partition(",")
            data = decode_base64(payload) if header.endswith(";base64") else None
            self.carry("", data, alt, shown)
        else:
            self.note(f"图片 {shown[:80]} 没有导入：只能导入文件中自带的图片，不会从网上下载")

    def carry(self, original: str, data: bytes | None, alt: str, shown: str) -> None:
        if data is None:
            self.note(f"图片 {shown[:80]} 没有导入：内容不是有效的 base64 编码")
            return
        name, reason = self.pictures.add(original, data)
        if name is None:
            self.note(f"图片 {shown[:80]} 没有导入：{reason}")
            return
        alt = alt.replace("[", "［").replace("]", "］")
        self.out.append(f"![{alt}]({IMAGES}{name})")


def _marked(inner: str, mark: str) -> str:
    """Bold or italic text in Markdown, the marks hugging the words (`** x **` is not bold)."""
    text = inner.strip()
    if not text or _BREAK in text or "\n" in text:
        return inner
    lead, trail = inner[:len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
    return f"{lead}{mark}{text}{mark}{trail}"


def _tags_closed(markup: str) -> str:
    """The markup with every `<` that does not open a tag closed by `>` before the next `<`
    written as `&lt;`, and comments removed (an unclosed one hides the rest, as in a browser).
    html.parser rescans an unclosed tag or comment from each later `<`: given this, it never
    meets one, and the whole conversion stays linear in the length of the text."""
    out: list[str] = []
    at, close = 0, -1
    while (start := markup.find("<", at)) >= 0:
        out.append(markup[at:start])
        if markup.startswith("<!--", start):
            end = markup.find("-->", start + 4)
            if end < 0:
                return "".join(out)
            at = end + 3
            continue
        if close <= start and close != -2:
            found = markup.find(">", start + 1)
            close = found if found >= 0 else -2        # -2: there is no `>` after here
        if close == -2 or markup.find("<", start + 1, close) >= 0:
            out.append("&lt;")
            at = start + 1
            continue
        out.append(markup[start:close + 1])
        at = close + 1
    out.append(markup[at:])
    return "".join(out)


def html_to_markdown(markup: str, files: Mapping[str, str] | None, pictures: Pictures,
                     label: str) -> tuple[str, list[str]]:
    """Moodle HTML as our Markdown, and what was not carried (each message names `label`, the
    field it was in). `files` maps a Moodle file's path and name ("a.png", "sub/a.png") to its
    base64 text; None where the format carries no files (GIFT)."""
    converter = _Converter(files, pictures, label)
    converter.feed(_tags_closed(markup))
    converter.close()
    if converter.skipping:
        converter.out.clear()       # an element left open hid the rest: nothing more to read
    text = "".join(converter.out).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"[ \t]*\x00[\s\x00]*", "\n\n", "\n".join(lines))
    return re.sub(r"\n{3,}", "\n\n", text).strip(), converter.notes


# ---------------------------------------------------------------- Markdown -> HTML

def _render_image(pictures_used: list[str]):   # type: ignore[no-untyped-def]
    def image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env)
        if src.startswith(IMAGES):
            pictures_used.append(src[len(IMAGES):])
            src = PLUGINFILE + src[len(IMAGES):]
        token.attrSet("src", src)
        return f'<img src="{_attr(src)}" alt="{_attr(alt)}">'
    return image


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_to_html(text: str) -> tuple[str, list[str]]:
    """Our Markdown as HTML for Moodle (raw HTML in it escaped, line breaks kept as <br>), and
    the pictures it shows, as paths under images/; each is written as @@PLUGINFILE@@/path."""
    used: list[str] = []
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False}).enable("table")
    md.add_render_rule("image", _render_image(used))
    return md.render(text.strip()).strip(), used


def with_pictures(result: ImportResult, pictures: Pictures) -> ImportResult:
    """The import's result carrying the pictures its kept questions show (not those of items
    skipped, nor of feedback left out)."""
    shown = json.dumps(result.questions, ensure_ascii=False)
    result.media.update({name: data for name, data in pictures.media.items()
                         if f"({IMAGES}{name})" in shown})
    return result


def read_picture(course_folder: Path | None, path: str) -> tuple[bytes | None, str]:
    """A picture's bytes from the course folder's images/, or None and why not."""
    if course_folder is None:
        return None, "导出时没有提供课程文件夹，无法读取图片文件"
    folder = (course_folder / "images").resolve()
    file = (folder / path).resolve()
    if not file.is_relative_to(folder):
        return None, "图片路径不在课程的 images 文件夹内"
    try:
        if file.stat().st_size > MAX_PICTURE_BYTES:
            return None, f"图片大于 {MAX_PICTURE_BYTES // MB} MB"
        data = file.read_bytes()
    except OSError:
        return None, "找不到图片文件"
    if picture_type(data) is None:
        return None, "不是 PNG、JPEG、GIF 或 WebP 图片"
    return data, ""


_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")


def has_markup(text: str) -> bool:
    """Whether our Markdown text says more than plain paragraphs and line breaks would (bold,
    a list, a link, a picture...): only such text needs writing as HTML."""
    for token in _PARSER.parse(text):
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        if token.type == "inline" and all(c.type in ("text", "softbreak") for c in token.children or []):
            continue
        return True
    return False


def data_uri(data: bytes) -> str:
    kind = picture_type(data) or "png"
    return f"data:image/{'jpeg' if kind == 'jpg' else kind};base64," + base64.b64encode(data).decode("ascii")


def src_of(path: str) -> str:
    """How markdown_to_html writes a picture's src attribute, for replacing it."""
    return f'src="{_attr(PLUGINFILE + path)}"'
