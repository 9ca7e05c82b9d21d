"""Text preparation for short-answer grading: normalise, cut into sentences and clauses, find phrases.

An answer is read as sentences (lines, and text between 。；！？ or list markers such as 1. （1） ①
一、 第一、) and each sentence as clauses (text between ，：and spaces; 、 does not cut, so
"进攻、防守、撤退" stays one clause). Labels, negation and `unless` are judged in these units.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_CIRCLED = re.compile("[\u2460-\u2473\u2776-\u277f\u2780-\u2793]")   # ① … ⑳, ❶ …: NFKC makes them digits
_MARKERS = re.compile(
    r"(?<![\d.])\d{1,2}\s*[.、)](?!\d)"                       # 1.  1、  1)
    r"|[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"   # (1) （1） （一）
    r"|(?:^|(?<=[\s。；;，,:：]))[一二三四五六七八九十]{1,3}\s*[、.]"  # 一、 at a line or item start
    r"|第[一二三四五六七八九十\d]{1,2}[、.，,:：]")               # 第一、 第二，
_SENTENCE_ENDS = re.compile(r"[\n。；;！？!?]+")
_CLAUSE_ENDS = re.compile(r"([，,：:\s]+)")
_ITEM_ENDS = re.compile(r"[，,：:\s、]+")
# Words that hold 不/无/非/未 without denying what follows them, A-not-A questions included.
_NOT_NEGATIONS = re.compile(
    "不仅|不但|不断|不同|不少|不管|不论|不良|不只|不光|不利(?!于)|不足|不及|不满|不可避免|无可避免|无论|非常|未来"
    "|能不能|是不是|够不够|有没有|会不会|可不可以")
_NEGATION = re.compile(r"不|没|无|非|未|别|勿|难以")
# Said right after a phrase, these deny it: 与价格无关.
_AFTER_NEGATIONS = ("无关", "没有关系", "没关系", "不相关", "不重要", "不是原因")
NEGATION_WINDOW = 6          # characters before a phrase, within its clause, where a negation cancels it


@lru_cache(maxsize=1)
def _converter():
    import opencc   # imported on first use: the pure core starts without it
    return opencc.OpenCC("t2s")


_jieba_lock = threading.Lock()
_tokenizer = None


def _jieba():
    """jieba's tokenizer, its dictionary loaded once on first use (about 0.7 s), never at import."""
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


@lru_cache(maxsize=4096)
def normalise_phrase(text: str, fold_case: bool = True) -> str:
    """A rubric phrase or label as it is matched: NFKC, Simplified, lower case (unless the
    question keeps letter case), no spaces."""
    text = _converter().convert(unicodedata.normalize("NFKC", text))
    return "".join((text.lower() if fold_case else text).split())


def cut_inside(phrase: str) -> bool:
    """Whether answers are cut into sentences or clauses inside this phrase (at ，：；。 …): such a
    phrase can never be found in one."""
    matched = normalise_phrase(phrase)
    return bool(_SENTENCE_ENDS.search(matched) or _CLAUSE_ENDS.search(matched))


def normalise_answer(text: str, fold_case: bool = True) -> str:
    """An answer with list markers turned into line breaks, in the matching form of phrases."""
    text = _CIRCLED.sub("\n", text)
    text = _converter().convert(unicodedata.normalize("NFKC", text))
    return _MARKERS.sub("\n", text.lower() if fold_case else text)


@dataclass(frozen=True)
class Sentence:
    text: str
    clauses: tuple[tuple[int, int], ...]     # (start, end) offsets into text
    spaced: tuple[bool, ...]                 # clause parted from the one before by spaces alone
    masked: str = ""                         # text with the words that deny nothing blanked out


def sentences(answer: str) -> list[Sentence]:
    """The normalised answer cut into sentences; spaces become clause breaks and are dropped."""
    found = []
    for raw in _SENTENCE_ENDS.split(answer):
        cut = _CLAUSE_ENDS.split(raw)
        pieces, spaced, gap = [], [], ""
        for index, piece in enumerate(cut):
            if index % 2:
                gap = piece
            elif piece:
                pieces.append(piece)
                spaced.append(bool(pieces[1:]) and not gap.strip())
        if not pieces:
            continue
        spans, at = [], 0
        for piece in pieces:
            spans.append((at, at + len(piece)))
            at += len(piece) + 1
        text = "，".join(pieces)
        masked = _NOT_NEGATIONS.sub(lambda m: "＿" * len(m.group()), text)
        found.append(Sentence(text, tuple(spans), tuple(spaced), masked))
    return found


def has_heading(answer: str) -> bool:
    """A clause ending in a colon and followed by text: "防守策略：…", a structured answer."""
    return re.search(r"[:：][ \t]*[^\s:：]", answer) is not None


def items(answer: str) -> list[str]:
    """The answer cut at every separator, 、 included: what a bare term list is made of."""
    return [p for p in _ITEM_ENDS.split(_SENTENCE_ENDS.sub(" ", answer)) if p]


def occurrences(text: str, phrase: str) -> list[int]:
    """Where phrase starts in text. A phrase of one or two characters must end where a word ends
    (jieba's segmentation): 价格 counts in 商品价格 (the head of the word) but 基础 does not
    count inside 基础材料, a different thing."""
    starts, at = [], text.find(phrase)
    while at >= 0:
        starts.append(at)
        at = text.find(phrase, at + 1)
    if starts and len(phrase) <= 2:
        bounds = _boundaries(text)
        starts = [s for s in starts if s + len(phrase) in bounds]
    return starts


@lru_cache(maxsize=1024)
def _boundaries(text: str) -> frozenset[int]:
    bounds, at = {0}, 0
    for token in _jieba().cut(text, HMM=False):
        at += len(token)
        bounds.add(at)
    return frozenset(bounds)


def negated(sentence: Sentence, start: int, end: int, clause: tuple[int, int]) -> bool:
    """A negation word within NEGATION_WINDOW characters before the phrase at text[start:end]
    (not 不仅, 无论, 能不能…), or a denial such as 无关 right after it, in the same clause."""
    if _NEGATION.search(sentence.masked, max(clause[0], start - NEGATION_WINDOW), start):
        return True
    return any(sentence.text.startswith(word, end, clause[1]) for word in _AFTER_NEGATIONS)
