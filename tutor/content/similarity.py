"""Near-duplicate stems: two questions that ask the same thing in nearly the same words.

Stems are compared as sets of character bigrams after normalisation (NFKC, punctuation,
whitespace and blank markers removed), by the Jaccard index |A∩B| / |A∪B|. Bigrams suit
Chinese, where a word is one to four characters and there are no spaces to split on; a
shared scenario ("宁波一家服装出口企业……") scores high across types even when the question
asked differs, which is what a bank review wants to see.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable

from tutor.questions import QuestionBase

_BLANK = re.compile(r"\{\{\s*\d+\s*\}\}")
# Letters, digits and CJK ideographs carry the meaning; everything else is noise here.
_KEEP = re.compile(r"[\w]", re.UNICODE)


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    similarity: float


def normalise(text: str) -> str:
    text = _BLANK.sub("", unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in text if _KEEP.match(ch) and ch != "_").lower()


def bigrams(text: str) -> frozenset[str]:
    plain = normalise(text)
    return frozenset(plain[i:i + 2] for i in range(len(plain) - 1)) or frozenset((plain,))


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def near_duplicates(questions: Iterable[QuestionBase], threshold: float) -> list[SimilarPair]:
    """Every pair of stems at or above `threshold`, most similar first."""
    grams = [(q.id, bigrams(q.stem)) for q in questions]
    found = []
    for (a, x), (b, y) in combinations(grams, 2):
        union = len(x | y)
        if union and len(x & y) / union >= threshold:
            found.append(SimilarPair(a, b, round(len(x & y) / union, 3)))
    return sorted(found, key=lambda p: (-p.similarity, p.first, p.second))
