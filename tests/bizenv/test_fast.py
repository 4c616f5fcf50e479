"""What is built in Python instead of through templates gives the same HTML as Django's own: widgets and URLs."""

import re

import pytest
from django import forms
from django.urls import reverse, set_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe

from bizenv.web.fast import FastNumberInput, FastSelect, FastTextInput, Reversed


def tight(html: str) -> str:
    """The HTML without the line breaks and indentation Django's templates put between tags (and nothing else)."""
    return re.sub(r">\s+<", "><", html).strip()


VALUES = [None, "", "纳税 <b>&\"'", 2022, mark_safe("<b>已是 HTML</b>")]
ATTRS = [
    {},
    {"id": "id_q", "maxlength": "200"},
    {"required": True, "disabled": False, "placeholder": '"x" & <y>', "title": None, "data-n": 0, "data-<&'": "z"},
]


@pytest.mark.parametrize(("fast", "django"), [(FastTextInput, forms.TextInput), (FastNumberInput, forms.NumberInput)])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_fast_input_is_the_element_django_renders(fast, django, value, attrs):
    widget_attrs = {"min": 1949, "step": 1} if django is forms.NumberInput else {}
    ours = fast(attrs=widget_attrs).render("q", value, attrs)
    theirs = django(attrs=widget_attrs).render("q", value, attrs)
    assert tight(ours) == tight(theirs)


@pytest.mark.parametrize("value", [None, "", "610100", ["610100"], "<x>", "b"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_fast_select_is_the_element_django_renders(value, attrs):
    choices = [
        (None, "全部城市"),
        ("610100", "西安市"),
        ("<x>", 'a "<b>" & c'),
        ("b", mark_safe("<b>乙</b>")),
        ("610100", "西安市（重复）"),
    ]
    ours = FastSelect(choices=choices).render("city", value, attrs)
    theirs = forms.Select(choices=choices).render("city", value, attrs)
    assert tight(ours) == tight(theirs)


@pytest.mark.parametrize("prefix", ["/", "/政务/{x}&y'z/"])
def test_a_url_reversed_once_is_the_url_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        batch_url, practice_url = Reversed("batch_detail", 2), Reversed("practice_detail", 1)
        for year, sequence in [(2022, 2), (1999, 12), (999999999, 999999998)]:
            expected = reverse("batch_detail", args=[year, sequence])
            assert batch_url(year, sequence) == escape(expected)
        for pk in [1, 42, 999999999]:
            assert practice_url(pk) == escape(reverse("practice_detail", args=[pk]))
    finally:
        set_script_prefix("/")
