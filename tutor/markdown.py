"""Markdown for lessons and explanations: rendered, then sanitised."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@lru_cache(maxsize=8192)
def render(text: str) -> str:
    return nh3.clean(_md.render(text))


@lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    return nh3.clean(_md.renderInline(text))
