"""practices/forms.py: TextField, the field every form's free text goes through (no database)."""

import importlib
import inspect

import pytest
from django import forms

from practices.forms import PracticeForm, TextField

APPS = ["practices", "reviews", "batches", "adoptions", "public"]


def test_a_textarea_is_kept_as_plain_text_before_it_is_checked():
    field = TextField(max_length=9, widget=forms.Textarea)
    assert field.clean("\r\n\u3000第一段。 \r\n第二段\r\n\r\n") == "\u3000第一段。\n第二段"
    # Nine characters once the browser's "\r\n" is one "\n": within the limit.
    assert field.clean("一二三四\r\n五六七八") == "一二三四\n五六七八"
    with pytest.raises(forms.ValidationError):
        field.clean("一二三四五\r\n六七八九")
    with pytest.raises(forms.ValidationError):
        TextField(widget=forms.Textarea).clean(" \r\n\t\r\n")


def test_a_single_line_is_trimmed_too():
    assert TextField().clean("\u3000 西安市推行“证照联办”\t") == "西安市推行“证照联办”"
    assert TextField(required=False).clean("   ") == ""


def test_a_model_form_gets_one_for_each_text_column():
    form = PracticeForm()
    for name in ("title", "summary", "body", "outcomes", "contact_name", "contact_phone"):
        assert isinstance(form.fields[name], TextField), name
    assert not isinstance(form.fields["indicator"], TextField)


def form_classes():
    """Every form of the apps, and the form of every formset, by its dotted name."""
    found = {}
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if not inspect.isclass(value):
                continue
            if issubclass(value, forms.BaseFormSet) and hasattr(value, "form"):
                found[f"{app}.forms.{name}.form"] = value.form  # made by a factory, in Django's module
            elif issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found[f"{app}.forms.{name}"] = value
    return found


def test_every_textarea_of_every_form_is_a_text_field():
    """A new form with a textarea (a comment, a reason, a result) keeps its text as plain_text() does, or fails
    here: a CharField would keep the browser's "\\r\\n"."""
    classes = form_classes()
    assert {
        "practices.forms.PracticeForm",
        "practices.forms.ResultFormSet.form",
        "reviews.forms.ReviewForm",
        "reviews.forms.CriterionFormSet.form",
        "adoptions.forms.ReportForm",
    } <= set(classes)
    plain = [
        f"{path}.{name}"
        for path, form in classes.items()
        for name, field in form.base_fields.items()
        if isinstance(field.widget, forms.Textarea) and not isinstance(field, TextField)
    ]
    assert plain == []
