"""search/text.py: folding with offsets, snippets and where their hit is (no database)."""

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from practices.search.text import Term, fold_for_search, fold_with_offsets, hit_at, parse_query, snippet


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("納稅纳税服務ＡbＣ１2，。《》 \u3231\ufb01\u00e9e\u0301ｶﾞガ"), max_size=30))
def test_offsets_point_each_folded_character_at_the_character_it_came_from(text):
    """Punctuation dropped, ㈱ and ﬁ folded to two characters, a combining accent dropped: whatever the mix."""
    folded, offsets = fold_with_offsets(text)
    assert folded == fold_for_search(text)
    assert offsets == [i for i, char in enumerate(text) for _ in fold_for_search(char)]


def test_snippets_mark_the_hits_in_the_original_text():
    fragments = snippet("《納稅》服務，優化營商環境。", parse_query("纳税服务"), width=40)
    assert [(f.text, f.hit) for f in fragments] == [("《", False), ("納稅》服務", True), ("，優化營商環境。", False)]


@given(
    st.text(alphabet=st.sampled_from("納稅纳税服務服务ＡbＣ１2，。《》 \u3231e\u0301ｶﾞガ"), max_size=40),
    # terms are folded text (ガ → カ)
    st.lists(st.sampled_from(["纳税", "税服", "纳税服务", "b", "c1", "カ", "zz"]), min_size=1, max_size=3),
)
def test_the_hit_a_snippet_shows_is_the_first_verbatim_one_else_the_first_folded_one(text, words):
    terms = [Term(word) for word in words]
    at = hit_at(text, terms)
    folded = fold_for_search(text)
    if not any(word in folded for word in words):
        assert at is None
    elif any(word in text for word in words):
        assert at == min(text.index(word) for word in words if word in text)
    else:
        assert any(fold_for_search(text[at:]).startswith(word) for word in words)
        assert not any(word in fold_for_search(text[:at]) for word in words)
