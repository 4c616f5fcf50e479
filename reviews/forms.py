"""Forms of the review workbench."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bizenv.web.fast import FastNumberInput, FastSelect, FastTextInput, ReferenceChoiceFilter
from practices import search
from practices.enums import Role, Status
from practices.forms import TextField, text_formfield
from practices.models import City, Indicator, Practice
from practices.people import is_coordinator

from .models import Criterion, Recommendation, Review
from .selectors import QUEUE_STATUSES


def reviewer_choices():
    return get_user_model().objects.filter(groups__name=Role.REVIEWER, is_active=True).order_by("username")


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", max_length=200, widget=FastTextInput)
    status = django_filters.ChoiceFilter(
        widget=FastSelect,
        label=_("状态"),
        choices=[(s.value, s.label) for s in QUEUE_STATUSES],
        empty_label=_("全部状态"),
    )
    city = ReferenceChoiceFilter(label=_("城市"), queryset=City.objects.all(), shared=True, empty_label=_("全部城市"))
    indicator = ReferenceChoiceFilter(
        label=_("指标"), queryset=Indicator.objects.all(), shared=True, empty_label=_("全部指标")
    )
    round = django_filters.NumberFilter(label=_("轮次"), min_value=1, widget=FastNumberInput)
    reviewer = ReferenceChoiceFilter(
        label=_("评审员"),
        queryset=reviewer_choices(),
        method="filter_reviewer",
        empty_label=_("全部评审员"),
    )
    mine = django_filters.BooleanFilter(label=_("分配给我的"), method="filter_mine", widget=forms.CheckboxInput)
    undecided = django_filters.BooleanFilter(label=_("待决定"), method="filter_undecided", widget=forms.CheckboxInput)
    sort = django_filters.OrderingFilter(
        widget=FastSelect,
        label=_("排序"),
        empty_label=_("默认（最近变动）"),
        fields=(
            ("updated_at", "updated"),
            ("city__order", "city"),
            ("indicator__order", "indicator"),
            ("title", "title"),
        ),
        field_labels={
            "updated_at": _("变动时间"),
            "city__order": _("城市"),
            "indicator__order": _("指标"),
            "title": _("标题"),
        },
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
            self.filters["reviewer"].queryset = reviewer_choices()
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

    def filter_undecided(self, queryset, name, value):
        # In review, and every assigned reviewer has submitted: waiting for the coordinator.
        if not value:
            return queryset
        return queryset.filter(status=Status.IN_REVIEW, submitted_count__gt=0, submitted_count=F("assigned_count"))


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("评审员"), queryset=get_user_model().objects.none())

    def __init__(self, *args, practice=None, **kwargs):
        super().__init__(*args, **kwargs)
        reviewers = reviewer_choices()
        if practice is not None:
            # Recusal: reviewers of the practice's city are not offered at all.
            reviewers = reviewers.exclude(Q(membership__city=practice.city))
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username


def weight_text(weight) -> str:
    """30.00 → 30, 12.50 → 12.5."""
    return f"{weight.normalize():f}"


class ReviewForm(forms.Form):
    """One score field per active criterion, then the recommendation and the two texts."""

    recommendation = forms.ChoiceField(
        label=_("评审建议"), choices=[("", _("（请选择）")), *Recommendation.choices], required=False
    )
    comment_to_city = TextField(
        label=_("给城市的意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal_note = TextField(
        label=_("内部备注（城市不可见）"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria: list[Criterion], review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        given = {s.criterion_id: s.value for s in review.scores.all()} if review else {}
        score_fields = {}
        for criterion in criteria:
            limits = f"{_('满分')} {criterion.max_score}，{_('权重')} {weight_text(criterion.weight)}"
            score_fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{limits}）",
                min_value=0,
                max_value=criterion.max_score,
                decimal_places=1,
                required=False,
                initial=given.get(criterion.pk),
                help_text=criterion.description,
            )
        self.fields = {**score_fields, **self.fields}
        if review and not self.is_bound:
            self.initial.update(
                recommendation=review.recommendation,
                comment_to_city=review.comment_to_city,
                internal_note=review.internal_note,
            )

    def score_values(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("通过")), ("revise", _("退回修改")), ("reject", _("不予通过"))],
        widget=forms.RadioSelect,
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
