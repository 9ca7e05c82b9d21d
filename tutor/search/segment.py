"""Text for search: folding, the chapter's terms, and word segmentation of documents and queries.

Documents and queries are cut by the same rules, so that a query word is found in the documents
that contain it:

- the chapter's terms (bold in the lessons: 垄断忠诚, 防守策略, 焦点人群法) are cut out first and kept
  whole. jieba's dictionary does not know them (it cuts 垄断忠诚 into 垄断/忠诚), and adding them to
  its dictionary would change how short answers are graded (tutor/questions/shorttext.py shares
  the tokenizer), so they are matched here instead;
- the rest goes through jieba: search mode (every dictionary word inside a long word too) for
  documents, precise mode for queries, so that 调查者 finds 被调查者 but a query is not split
  into fragments that would each have to match.

Single characters are not indexed (they are found by substring, see index.py).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator, Sequence

from tutor.questions.shorttext import _converter, _jieba

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12        # past this a pasted paragraph costs more than it narrows

# Words that carry no meaning on their own: dropped from a query unless it has nothing else.
STOPWORDS = frozenset(
    "的 了 是 和 与 及 或 在 对 把 被 为 以 之 其 而 也 就 都 又 并 等 中 上 下 这 那 有 于 由 从 向 "
    "着 过 给 让 将 则 即 如 若 但 因 所 个 种 些 吗 呢 吧 啊 哪 什么 怎么 哪些 哪个 如何 为什么 "
    "一个 一种 什么样 以下 下列 属于 关于 正确 错误 说法".split())

# Folding keeps every character's position (one character in, one out), so that a match found in
# the folded text is the same span of the text as written: upper to lower case, full-width
# ASCII (ＣＲＭ, ２０２４) to half-width, the ideographic space to a space.
_FOLD = {**{c: c + 32 for c in range(ord("A"), ord("Z") + 1)},
         **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)},
         **{c + 0xFEE0: c + 32 for c in range(ord("A"), ord("Z") + 1)},
         0x3000: 0x20}


def fold(text: str) -> str:
    return text.translate(_FOLD)


# Control and zero-width characters, and lone surrogates (a browser can send them; UTF-8 cannot hold them).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> tuple[str, bool]:
    """The query as matched: NFKC, Simplified (客戶調查 finds 客户调查), folded, control and
    zero-width characters removed, spaces collapsed; at most MAX_QUERY_CHARS characters.
    Returns it and whether it was cut."""
    text = _CONTROL.sub("", text or "")
    cut = len(text) > MAX_QUERY_CHARS * 4          # never hand a megabyte to NFKC and OpenCC
    text = unicodedata.normalize("NFKC", text[:MAX_QUERY_CHARS * 4])
    text = _SPACES.sub(" ", fold(text).lower()).strip()
    if len(text) > MAX_QUERY_CHARS:
        text, cut = text[:MAX_QUERY_CHARS].rstrip(), True
    if text and not text.isascii():
        text = _converter().convert(text)
    return text, cut


def is_wordlike(token: str) -> bool:
    """A token with a letter, digit or Han character in it (not punctuation, not space)."""
    return any(c.isalnum() for c in token)


# ------------------------------------------------------------------ the chapter's terms

_BOLD = re.compile(r"\*\*([^*\n]{2,24}?)\*\*")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.、]\s*|[（(]?[一二三四五六七八九十\d]{1,2}[)）]\s*)")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# A bold phrase with one of these in it is a sentence or a question, not a term.
_NOT_IN_TERMS = set("的是了这那么什谁哪吗呢不")
TERM_MIN, TERM_MAX = 3, 7


def terms_from(texts: Iterable[str]) -> frozenset[str]:
    """The chapter's terms: what the lessons set in bold (**信赖忠诚**), list numbers and a
    trailing colon taken off, when it is 3-7 Han characters and reads as a name, not a clause.
    Two-character terms are jieba's own words already."""
    found = set()
    for text in texts:
        if "**" not in text:
            continue
        for match in _BOLD.finditer(text):
            term = _LIST_MARK.sub("", match.group(1)).strip().rstrip("：:")
            if (TERM_MIN <= len(term) <= TERM_MAX and _HAN.match(term)
                    and not _NOT_IN_TERMS.intersection(term)):
                found.add(term)
    return frozenset(found)


class Segmenter:
    """Cuts text into words, the chapter's `terms` kept whole."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.terms = frozenset(fold(t) for t in terms if t)
        ordered = sorted(self.terms, key=lambda t: (-len(t), t))     # longest first: 客户调查表 over 客户调查
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        # A term inside another (调查阶段 in 正式调查阶段) is a word of every text with the longer one.
        self._inner = {t: tuple(o for o in ordered if o != t and o in t) for t in ordered}

    def _pieces(self, text: str) -> Iterator[tuple[str, bool]]:
        """The text as runs of plain text and whole terms, in order."""
        if self._pattern is None:
            yield text, False
            return
        at = 0
        for match in self._pattern.finditer(text):
            if match.start() > at:
                yield text[at:match.start()], False
            yield match.group(), True
            at = match.end()
        if at < len(text):
            yield text[at:], False

    def document_words(self, folded: str) -> Iterator[str]:
        """Every word of a (folded) document text to index: terms, and jieba's search-mode
        words of two or more characters."""
        tokenizer = _jieba()
        for piece, is_term in self._pieces(folded):
            if is_term:
                yield piece
                yield from self._inner[piece]
            for word in tokenizer.cut_for_search(piece, HMM=False):
                if len(word) > 1 and is_wordlike(word):
                    yield word

    def query_words(self, query: str) -> list[str]:
        """The words a (normalised) query asks for, each to be found: terms whole, the rest in
        jieba's precise cut; stop words left out unless nothing else is asked. In order, once each."""
        tokenizer = _jieba()
        words: list[str] = []
        stop: list[str] = []
        for chunk in query.split():
            for piece, is_term in self._pieces(chunk):
                cut: Sequence[str] = [piece] if is_term else list(tokenizer.cut(piece, HMM=False))
                for word in cut:
                    if not is_wordlike(word):
                        continue
                    target = stop if word in STOPWORDS else words
                    if word not in target:
                        target.append(word)
        return (words or stop)[:MAX_QUERY_WORDS]
