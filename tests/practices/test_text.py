"""practices/text.py: the form text is kept in (plain_text), whatever way it came in (no database)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from practices.text import plain_text

# Line breaks of every kind, the spaces that hide at line ends, a decomposed é, a CJK compatibility ideograph.
TYPED = st.text(alphabet=st.sampled_from("正文成效ab \t\u3000\u00a0\r\n\u0301e\uf900"), max_size=40)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("第一段。\r\n\r\n第二段。", "第一段。\n\n第二段。"),  # a browser's textarea
        ("第一段。\r第二段。", "第一段。\n第二段。"),  # an old Mac's line break, kept by Excel
        ("第一段。  \r\n第二段。\t\u3000\n", "第一段。\n第二段。"),  # spaces at line ends
        ("\r\n  \n\u3000\u3000第一段。\n\n\n", "\u3000\u3000第一段。"),  # blank lines around; the indent stays
        ("Cafe\u0301", "Café"),  # NFC: the accent composed
        ("   \r\n\t", ""),
    ],
)
def test_plain_text(typed, kept):
    assert plain_text(typed) == kept


@hypothesis_settings(max_examples=300, deadline=None)
@given(TYPED)
def test_plain_text_is_what_it_says_and_keeps_every_word(typed):
    kept = plain_text(typed)
    assert plain_text(kept) == kept
    assert "\r" not in kept
    assert unicodedata.is_normalized("NFC", kept)
    assert all(line == line.rstrip(" \t\u3000\u00a0") for line in kept.split("\n"))
    assert not kept.startswith("\n") and not kept.endswith("\n")
    # Only spaces and line breaks go; every other character stays, in order.
    words = "".join(unicodedata.normalize("NFC", typed).split())
    assert "".join(kept.split()) == words
