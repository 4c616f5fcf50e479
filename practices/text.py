"""Chinese text as it really arrives: the form it is kept in, script conversion, folding for matching, and mojibake
detection.

Everything here is pure: no database, no settings. The announcement importer (batches/bulletin.py), the draft
spreadsheet, the city's forms and search all use these functions, so text is normalised one way everywhere.
Cities and indicators are recognised by their folded names and aliases (NameMatcher).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from opencc_pyo3 import OpenCC

# Variant characters no converter maps to their mainland form.
VARIANTS = str.maketrans({"陜": "陕"})


# Spaces a line may end with, unseen: ASCII, tab, no-break and the full-width space of Chinese typing.
_LINE_END_SPACE = re.compile("[ \t\u00a0\u3000]+$", re.MULTILINE)


def plain_text(text: str) -> str:
    r"""Text as it is kept, whichever way it came in: line breaks "\n" (a browser sends "\r\n", Excel may keep "\r"),
    no spaces at line ends, no blank lines before or after, Unicode NFC. The same words typed twice are then the
    same string, so comparing two versions shows only what a person changed. Idempotent."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _LINE_END_SPACE.sub("", text).strip("\n")


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional (and variant) characters to mainland Simplified; everything else untouched."""
    return _t2s().convert(text).translate(VARIANTS)


# Quotes, brackets, punctuation and spaces that differ between copies of the same name.
_FOLD_DROP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】、，,。.．：:；;·・!！?？\-—_]+")


def fold(text: str) -> str:
    """A key for comparing names: NFKC, Simplified, lower case, without quotes, punctuation or spaces."""
    return _FOLD_DROP.sub("", to_simplified(unicodedata.normalize("NFKC", text)).lower())


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# ---------------------------------------------------------------------------------------------------------------
# Mojibake: text whose bytes were decoded with the wrong encoding somewhere on its way here.

# Sequences that only appear when UTF-8 was read as GBK (or the reverse), in both scripts, since the damaged text
# has usually been through a Traditional/Simplified converter since.
_MARKERS = ["锟斤拷", "烫烫烫", "屯屯屯", "銆", "鈥", "锛", "â€", "Ã"]

_STRONG = [
    re.compile("\ufffd"),  # the replacement character: a decoder already gave up here
    re.compile("[\ue000-\uf8ff]"),  # private use: GBK/Big5 user-defined areas
    re.compile(r"\?[!;:,][\u3400-\u9fff]"),  # a lost lead byte: "?" then a shifted trail byte, then garbage
    re.compile(r"(?<=[\u3400-\u9fff])\?\?(?=[\u3400-\u9fff])"),
]
_WEAK = [
    re.compile("[\u3040-\u30ff]"),  # kana inside Chinese
    re.compile("[\u00c0-\u00ff\u20ac]"),  # Latin-1 letters, the euro sign
    re.compile("[\u2500-\u257f]"),  # box drawing
    re.compile(r"(?<=[\u3400-\u9fff])[A-Za-z](?=[\u3400-\u9fff])"),  # a lone Latin letter between Chinese characters
]


@cache
def _markers() -> tuple[str, ...]:
    return tuple(sorted({*_MARKERS, *(to_simplified(m) for m in _MARKERS)}))


@cache
def _marker_patterns() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(re.escape(marker)) for marker in _markers())


@cache
def _any_signal() -> re.Pattern:
    """Any one of the signs _signals() looks for but characters outside GB2312 (_in_gb2312() clears those)."""
    patterns = [p.pattern for p in (*_STRONG, *_WEAK, *_marker_patterns())]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _in_gb2312(text: str) -> bool:
    """Whether every character of the text is in GB2312: then none is a weak sign (one pass, not one a character)."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _outside_gb2312(char: str) -> bool:
    return is_cjk(char) and not _in_gb2312(char)


@dataclass(frozen=True)
class Damage:
    """A damaged stretch of text: where, what, and its repair if one is certain."""

    start: int
    end: int
    fragment: str
    repaired: str | None = None


SENTENCE_END = "。！？"
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+|$)")


def _signals(sentence: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where the strong and the weak signs of mojibake are in a sentence, as (start, end) spans."""
    strong = [m.span() for p in _STRONG for m in p.finditer(sentence)]
    strong += [m.span() for p in _marker_patterns() for m in p.finditer(sentence)]
    weak = [m.span() for p in _WEAK for m in p.finditer(sentence)]
    if not _in_gb2312(sentence):
        weak += [(i, i + 1) for i, c in enumerate(sentence) if _outside_gb2312(c)]
    return strong, weak


def damage_score(sentence: str) -> tuple[int, int]:
    """(strong, weak) signals of mojibake in one sentence of Simplified text."""
    strong, weak = _signals(sentence)
    return len(strong), len(weak)


def looks_damaged(sentence: str) -> bool:
    strong, weak = damage_score(sentence)
    # A clean sentence may hold a few rare characters (names, places); mojibake piles them up: at least
    # a third of the Chinese characters of a misread sentence fall outside GB2312, against a few per cent of
    # a clean one. (Measured on the seed's 288 clean sentences and their misread copies.)
    return strong > 0 or weak >= 5 or (weak >= 2 and weak / (sum(is_cjk(c) for c in sentence) or 1) >= 0.3)


FRAGMENT_CONTEXT = 6


def _clusters(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Signal spans close to each other merged into one stretch of damage."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 2 * FRAGMENT_CONTEXT:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def find_damage(text: str) -> list[Damage]:
    """Each stretch of a paragraph that looks like mojibake, in order, quoted with a little context."""
    if _any_signal().search(text) is None and _in_gb2312(text):
        return []  # what most text is: not one sign anywhere, whatever its sentences
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not (sentence and looks_damaged(sentence)):
            continue
        offset = match.start() + match.group().index(sentence)
        strong, weak = _signals(sentence)
        for start, end in _clusters(strong or weak):
            a, b = max(0, start - FRAGMENT_CONTEXT), min(len(sentence), end + FRAGMENT_CONTEXT)
            fragment = ("…" if a else "") + sentence[a:b] + ("…" if b < len(sentence) else "")
            found.append(Damage(offset + start, offset + end, fragment))
    return found


# The ways a UTF-8 byte stream gets misread, reversible only when no byte was lost.
_MISREADINGS = ("gb18030", "big5", "cp1252", "latin-1")


def certain_repair(text: str) -> str | None:
    """The text as it was before a whole-text misreading of UTF-8, if exactly that happened; otherwise None.

    A repair counts as certain only when re-encoding is lossless, the bytes are strict UTF-8, and the
    result is clean and Chinese. A stream that lost bytes (the "?!" kind) fails these and stays flagged.
    """
    for encoding in _MISREADINGS:
        try:
            candidate = text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if candidate != text and any(is_cjk(c) for c in candidate) and not find_damage(to_simplified(candidate)):
            return candidate
    return None


@dataclass(frozen=True)
class Known:
    """A city or indicator the parser may recognise, by its name and other spellings (and a city by its code)."""

    name: str
    aliases: tuple[str, ...] = ()
    code: str = ""


class NameMatcher:
    """Finds cities and indicators by their folded names and aliases, and a city by its code."""

    def __init__(self, known: Iterable[Known]):
        self.by_key: dict[str, str] = {}
        self.code_of: dict[str, str] = {}
        for entry in known:
            for spelling in (entry.name, *entry.aliases):
                if key := fold(spelling):
                    self.by_key.setdefault(key, entry.name)
            if entry.code:
                self.code_of[entry.name] = entry.code
        self.by_code = {code: name for name, code in self.code_of.items()}
        self.longest_first = sorted(self.by_key, key=len, reverse=True)

    def exact(self, text: str) -> str | None:
        return self.by_key.get(fold(text))

    def prefix(self, text: str) -> str | None:
        key = fold(text)
        return next((self.by_key[k] for k in self.longest_first if key.startswith(k)), None)
