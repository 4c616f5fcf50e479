"""Text as the search index sees it: one normalisation for what is indexed and for what is asked.

Pure functions, no database. Each character is folded on its own (NFKC, Traditional → Simplified, lower case;
anything that is not a letter or a digit is dropped), so folding a piece of a text gives a piece of the folded
text: a query that occurs verbatim in a practice always occurs in its folded text too.

The folded text is indexed as overlapping two-character pieces (bigrams), the way CJK search engines index
text without word boundaries: 纳税服务 → 纳税 税服 服务. A query is looked up as the phrase of its own pieces,
which finds exactly the texts that contain it. A word segmenter (jieba) was measured against this and left out:
its words miss queries that cut across them (税服 in 纳税服务), and its four-character queries matched texts
that hold the words apart.
"""

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, count
from operator import not_

from ..text import to_simplified


class _Folding(dict):
    """str.translate table, filled as code points are met: each maps to its folded form, "" if dropped.

    The characters that fold to nothing (punctuation) and to more than one character (㈱, ﬁ) are kept apart
    too, so that fold_with_offsets() can tell from the text alone whether its offsets are the simple kind.
    """

    def __init__(self):
        super().__init__()
        self.dropped: set[str] = set()
        self.expanded: set[str] = set()

    def __missing__(self, code: int) -> str:
        # NFD after NFKC splits off accents and kana voicing marks, which are then dropped like punctuation:
        # é and e + a combining accent, ガ and ｶﾞ, fold alike wherever the text was cut.
        folded = to_simplified(unicodedata.normalize("NFD", unicodedata.normalize("NFKC", chr(code)))).lower()
        value = "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
        if len(value) != 1:
            (self.expanded if value else self.dropped).add(chr(code))
        self[code] = value
        return value


_FOLDING = _Folding()


def fold_for_search(text: str) -> str:
    """NFKC, Simplified, lower case, letters and digits only, without accents: 《納稅》服務 → 纳税服务."""
    return text.translate(_FOLDING)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the character of `text` it came from."""
    folded = text.translate(_FOLDING)  # first: it adds the text's new characters to the table and its sets
    if _FOLDING.expanded.isdisjoint(text):  # the usual case: each character folds to one, or is dropped
        if len(folded) == len(text):
            return folded, list(range(len(text)))
        return folded, list(compress(count(), map(not_, map(_FOLDING.dropped.__contains__, text))))
    return folded, [i for i, char in enumerate(text) for _ in _FOLDING[ord(char)]]


def pairs(folded: str) -> list[str]:
    """The overlapping two-character pieces of folded text: 纳税服务 → 纳税 税服 服务."""
    return list(map(str.__add__, folded, folded[1:]))


def bigrams(text: str) -> list[str]:
    """The folded text's overlapping two-character pieces, then its last character alone.

    The last character makes a one-character query's prefix search complete: every character of the text
    starts some piece.
    """
    folded = fold_for_search(text)
    if not folded:
        return []
    return [*pairs(folded), folded[-1]]


# ---------------------------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Term:
    """One thing a result must contain: a folded string, looked up as the phrase of its pieces."""

    text: str

    @property
    def pieces(self) -> list[str]:
        """The phrase to look up; a one-character term is a prefix instead (any piece starting with it)."""
        return pairs(self.text) or [self.text]

    @property
    def is_prefix(self) -> bool:
        return len(self.text) == 1


_QUOTES = '"＂“”「」『』'
_QUOTED = re.compile(f"[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}]?")
MAX_TERMS = 10


def parse_query(query: str) -> list[Term]:
    """Terms separated by spaces must all match; a quoted phrase is one term, its spaces ignored.

    What is left after folding is the term: 《纳税》 and 纳税 are the same term. Empty terms are dropped,
    repeats too, and at most MAX_TERMS are kept.
    """
    raw: list[str] = []
    # Folded a character at a time, as the indexed text is: never as a whole, which would compose characters the
    # index saw apart.
    rest = _QUOTED.sub(lambda m: raw.append(m.group(1)) or " ", query)
    raw.extend(rest.split())
    terms: list[Term] = []
    for piece in raw:
        term = Term(fold_for_search(piece))
        if term.text and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


# ---------------------------------------------------------------------------------------------------------------
# Snippets


def highlight_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the terms occur in `text`, as merged (start, end) spans of the original characters."""
    folded, offsets = fold_with_offsets(text)
    spans = []
    for term in terms:
        start = folded.find(term.text)
        while start != -1:
            end = start + len(term.text)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = folded.find(term.text, end)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


@dataclass(frozen=True)
class Fragment:
    text: str
    hit: bool


def hit_at(text: str, terms: list[Term]) -> int | None:
    """Where a hit starts in `text`, for a snippet to show the stretch around: the first place a term occurs as it
    is, else the first hit in the folded text; None without a hit.

    A term occurring as it is, is a hit (a term is folded text, and folded text folds to itself), found without
    folding the text: the usual case. So a hit that only folding reveals (in Traditional script, with a full-width
    letter or punctuation inside) is passed over when the term occurs as it is further on. Without one, the text
    is folded, and mapped back only once it has a hit: most texts searched this way have none. (A handful of
    characters fold in two steps, 薴 → 苧 → 苎: a term holding 苧 occurs as it is in text that does not fold to it.
    The snippet then finds no hit around it, and shows the text's first.)
    """
    found = [i for i in (text.find(t.text) for t in terms) if i >= 0]
    if found:
        return min(found)
    folded = fold_for_search(text)
    found = [i for i in (folded.find(t.text) for t in terms) if i >= 0]
    return fold_with_offsets(text)[1][min(found)] if found else None


def snippet(text: str, terms: list[Term], width: int = 80, at: int | None = None) -> list[Fragment]:
    """A window of `text` around a hit, cut into plain and highlighted fragments (escaped when rendered).

    The stretch is around hit_at()'s hit (or `at`, when the caller has found it), from the first hit within reach
    of it, which may come before it. Without a hit, the text's beginning. An ellipsis marks a cut on either side.
    Only the stretch around the hit is folded and mapped back to the original characters, so a long body costs
    little more than a short one.
    """
    at = hit_at(text, terms) if at is None else at
    spans: list[tuple[int, int]] = []
    if at is not None:
        a, b = max(0, at - width - 100), min(len(text), at + width + 100)
        spans = [(x + a, y + a) for x, y in highlight_spans(text[a:b], terms)] or highlight_spans(text, terms)
    start = max(0, min(spans[0][0] - width // 4, len(text) - width)) if spans else 0
    end = min(len(text), start + width)
    fragments = [Fragment("…", False)] if start else []
    position = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > position:
            fragments.append(Fragment(text[position:a], False))
        fragments.append(Fragment(text[a:b], True))
        position = b
    if position < end:
        fragments.append(Fragment(text[position:end], False))
    if end < len(text):
        fragments.append(Fragment("…", False))
    return fragments
