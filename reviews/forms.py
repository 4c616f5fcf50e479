"""Forms of the review workbench."""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bizenv.web.fast import FastNumberInput, FastSelect, FastTextInput, ReadOnceChoiceField, ReferenceChoiceFilter
from practices import search
from practices.enums import Role, Status
from practices.forms import TextField, text_formfield
from practices.models import City, Indicator, Practice
from practices.people import is_coordinator

from .models import Criterion, Recommendation, Review
from .selectors import QUEUE_STATUSES
from .services import default_due_on, due_on_problem


def reviewer_choices():
    return get_user_model().objects.filter(groups__name=Role.REVIEWER, is_active=True).order_by("username")


def person_label(user) -> str:
    """A reviewer as people know them: the name (the username when there is none), and the city they belong to."""
    name = user.get_full_name() or user.username
    membership = getattr(user, "membership", None)
    city = membership.city if membership else None
    return f"{name}（{city.name}）" if city else name


class ReviewerChoiceField(ReadOnceChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class ReviewerFilter(ReferenceChoiceFilter):
    field_class = ReviewerChoiceField


def reviewers_by_city():
    """The reviewer filter's choices: those of no city first, then by city in the province's order, by name."""
    city_order = F("membership__city__order").asc(nulls_first=True)
    return (
        reviewer_choices()
        .select_related("membership__city")
        .order_by(city_order, "membership__city__code", "first_name", "last_name", "username")
    )


# Each sort as the select offers it; the parameters are the fields' names below, "-" for the other direction.
SORTS = [
    ("-updated", _("变动时间（最新在前）")),
    ("updated", _("变动时间（最早在前）")),
    ("waiting", _("等待时间（最长在前）")),
    ("-waiting", _("等待时间（最短在前）")),
    ("city", _("城市（按全省顺序）")),
    ("-city", _("城市（倒序）")),
    ("indicator", _("指标（按指标顺序）")),
    ("-indicator", _("指标（倒序）")),
    ("title", _("标题（顺序）")),
    ("-title", _("标题（倒序）")),
]


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", max_length=200, widget=FastTextInput)
    status = django_filters.ChoiceFilter(
        widget=FastSelect,
        label=_("状态"),
        choices=[(s.value, s.label) for s in QUEUE_STATUSES],
        empty_label=_("全部状态"),
    )
    city = ReferenceChoiceFilter(
        label=_("城市"),
        queryset=City.objects.all(),
        shared=True,
        keep=lambda city: not city.is_outside,  # nothing from outside the province is ever reviewed
        empty_label=_("全部城市"),
    )
    indicator = ReferenceChoiceFilter(
        label=_("指标"), queryset=Indicator.objects.all(), shared=True, empty_label=_("全部指标")
    )
    round = django_filters.NumberFilter(label=_("轮次"), min_value=1, widget=FastNumberInput)
    reviewer = ReviewerFilter(
        label=_("评审员"),
        queryset=reviewers_by_city(),
        method="filter_reviewer",
        empty_label=_("全部评审员"),
    )
    mine = django_filters.BooleanFilter(label=_("分配给我的"), method="filter_mine", widget=forms.CheckboxInput)
    undecided = django_filters.BooleanFilter(label=_("待决定"), method="filter_undecided", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("评审逾期"), method="filter_overdue", widget=forms.CheckboxInput)
    sort = django_filters.OrderingFilter(
        widget=FastSelect,
        label=_("排序"),
        empty_label=_("默认（最近变动）"),
        # "waiting" orders by when the round began: the earliest first is the longest wait.
        fields=(
            ("updated_at", "updated"),
            ("waiting_since", "waiting"),
            ("city__order", "city"),
            ("indicator__order", "indicator"),
            ("title", "title"),
        ),
        choices=SORTS,
    )

    class Meta:
        model = Practice
        fields = ["q", "status", "city", "indicator", "round"]

    def filter_q(self, queryset, name, value):
        if self.data.get("sort"):
            return search.matching(queryset, value)
        return queryset  # ranked by relevance in the view, after the other filters

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and is_coordinator(request.user):
            self.filters["reviewer"].queryset = reviewers_by_city()
        else:
            # Who reviews what is the coordinator's to know; reviewers score without seeing each other's load.
            del self.filters["reviewer"]

    def filter_reviewer(self, queryset, name, value):
        this_round = Review.objects.filter(
            practice=OuterRef("pk"), round=OuterRef("round"), reviewer=value, declined_at__isnull=True
        )
        return queryset.filter(Exists(this_round))

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to_me=True) if value else queryset

    def filter_overdue(self, queryset, name, value):
        # An unfinished review of the round past its due date: the coordinator's any, a reviewer's own.
        return queryset.filter(due_on__lt=timezone.localdate()) if value else queryset

    def filter_undecided(self, queryset, name, value):
        # In review, and every assigned reviewer has submitted: waiting for the coordinator.
        if not value:
            return queryset
        return queryset.filter(status=Status.IN_REVIEW, submitted_count__gt=0, submitted_count=F("assigned_count"))


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("评审员"),
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("请选择评审员。"),
            "invalid_choice": _("请选择可以评审此条目的评审员（本市评审员须回避）。"),
        },
    )
    due_on = forms.DateField(
        label=_("评审期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写评审期限。"),
            "invalid": _("评审期限不是有效的日期，请按“年-月-日”填写，例如 2025-06-30。"),
        },
    )

    def __init__(self, *args, practice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = default_due_on  # today's, when the page is shown
        reviewers = reviewer_choices()
        if practice is not None:
            # Recusal: reviewers of the practice's city are not offered at all.
            reviewers = reviewers.exclude(Q(membership__city=practice.city))
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        problem = due_on_problem(due_on)
        if problem:
            raise forms.ValidationError(problem, code="past")
        return due_on


def weight_text(weight) -> str:
    """30.00 → 30, 12.50 → 12.5."""
    return f"{weight.normalize():f}"


def score_check(criterion: Criterion):
    """A score's validator, naming its criterion: within 0 to the maximum, one decimal place at most."""

    def check(value: Decimal):
        params = {"name": criterion.name, "max": criterion.max_score}
        if not 0 <= value <= criterion.max_score:
            raise ValidationError(_("“%(name)s”的得分应在 0 到 %(max)d 之间。"), code="out_of_range", params=params)
        if value != value.quantize(Decimal("0.1")):
            raise ValidationError(_("“%(name)s”的得分最多保留一位小数，如 8.5。"), code="decimal_places", params=params)

    return check


class ReviewForm(forms.Form):
    """One score field per active criterion, then the recommendation and the two texts. Saved for later, any of
    them may be empty; `submitting`, every score and the recommendation are required, and every missing one is
    reported at once, each naming its criterion or field."""

    recommendation = forms.ChoiceField(
        label=_("评审建议"),
        choices=[("", _("（请选择）")), *Recommendation.choices],
        required=False,
        error_messages={"invalid_choice": _("请从列表中选择评审建议。")},
    )
    comment_to_city = TextField(
        label=_("给城市的意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal_note = TextField(
        label=_("内部备注（城市不可见）"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria: list[Criterion], review=None, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.submitting = submitting
        given = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
        score_fields = {}
        for criterion in criteria:
            limits = f"{_('满分')} {criterion.max_score}，{_('权重')} {weight_text(criterion.weight)}"
            score_fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{limits}）",
                required=False,
                initial=given.get(criterion.pk),
                help_text=criterion.description,
                validators=[score_check(criterion)],
                # The browser knows the bounds too: static/js/bizenv.js asks for no confirmation of a form it sees
                # incomplete, and the server then says what is missing.
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": criterion.max_score, "step": "0.1", "data-needed-to-submit": True}
                ),
                error_messages={
                    "invalid": _("“%(name)s”的得分请填数字，如 8 或 8.5。") % {"name": criterion.name},
                },
            )
        self.fields = {**score_fields, **self.fields}
        self.fields["recommendation"].widget.attrs["data-needed-to-submit"] = True
        if review and not self.is_bound:
            self.initial.update(
                recommendation=review.recommendation,
                comment_to_city=review.comment_to_city,
                internal_note=review.internal_note,
            )

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            for criterion in self.criteria:
                name = f"score_{criterion.pk}"
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(
                        name,
                        ValidationError(
                            _("提交前请为“%(name)s”打分（0 到 %(max)d）。"),
                            code="required",
                            params={"name": criterion.name, "max": criterion.max_score},
                        ),
                    )
            if "recommendation" not in self.errors and not cleaned.get("recommendation"):
                self.add_error("recommendation", ValidationError(_("提交前请选择评审建议。"), code="required"))
        return cleaned

    def score_values(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class DecisionForm(forms.Form):
    # Given by the button pressed: each asks its own confirmation, naming its consequence.
    outcome = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("通过")), ("revise", _("退回修改")), ("reject", _("不予通过"))],
    )
    message = TextField(
        label=_("意见（退回修改或不予通过时必填，将发送给城市）"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeclineForm(forms.Form):
    reason = TextField(
        label=_("回避原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请说明回避原因。")},
    )


CriterionFormSet = forms.modelformset_factory(
    Criterion,
    fields=["name", "description", "weight", "max_score", "active", "order"],
    extra=1,
    can_delete=False,
    formfield_callback=text_formfield,
)


class AuditFilter(forms.Form):
    """/review/audit/'s filters: who, what kind of object, between which dates; `before` pages back in time."""

    user = forms.CharField(label=_("操作人（用户名）"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("对象类型"), required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部"))] + [(k, m._meta.verbose_name) for k, m in kinds.items()]

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("没有用户名为“%(name)s”的账号。") % {"name": username}, code="unknown")
        return user
