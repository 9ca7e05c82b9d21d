"""Markdown for lessons and explanations: rendered, then sanitised; pictures in plain text too.

A picture (`![说明](images/a.png)`, tutor/content/media.py) becomes an <img> whose src is the
course's picture route, `media_prefix` + the name (e.g. `/media/chapter8/images/a.png`). With no
prefix (no course on the page), or a src that is not one of ours, only the alt text is shown.
nh3 then keeps an <img> only with a src under /media/: nothing else can reach a page.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence
from urllib.parse import quote, unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import escape

from tutor.content import media

MEDIA_PATH = "/media/"

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")

_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["img"] = {"src", "alt", "loading"}


def _picture_tag(src: str, alt: str, prefix: str | None) -> str:
    name = media.picture_name(src)
    if name is None or prefix is None:
        return escapeHtml(alt)
    return f'<img src="{escapeHtml(prefix + quote(name))}" alt="{escapeHtml(alt)}" loading="lazy">'


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return _picture_tag(unquote(str(token.attrs.get("src", ""))), alt, env.get("media_prefix"))


_md.add_render_rule("image", _render_image)


def _only_our_pictures(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.startswith(MEDIA_PATH):
        return None
    return value


def _clean(html: str) -> str:
    return nh3.clean(html, attributes=_ATTRIBUTES, attribute_filter=_only_our_pictures)


@lru_cache(maxsize=8192)
def render(text: str, media_prefix: str | None = None) -> str:
    return _clean(_md.render(text, {"media_prefix": media_prefix}))


@lru_cache(maxsize=8192)
def render_inline(text: str, media_prefix: str | None = None) -> str:
    return _clean(_md.renderInline(text, {"media_prefix": media_prefix}))


@lru_cache(maxsize=8192)
def pictures(text: str, media_prefix: str | None = None) -> str:
    """Plain text (a stem, an option) as HTML: escaped, with its picture references as <img>."""
    if "![" not in text:
        return str(escape(text))
    html, end = [], 0
    for match in media.REFERENCE.finditer(text):
        html.append(str(escape(text[end:match.start()])))
        html.append(_picture_tag(match.group(2), match.group(1).strip(), media_prefix))
        end = match.end()
    html.append(str(escape(text[end:])))
    return _clean("".join(html)) if end else "".join(html)


def without_pictures(text: str) -> str:
    """Plain text with each picture reference as 〔图〕 or 〔图：说明〕, for one-line summaries."""
    if "![" not in text:
        return text
    return media.REFERENCE.sub(lambda m: f"〔图：{m.group(1).strip()}〕" if m.group(1).strip() else "〔图〕", text)
