"""The review workbench (/review/): the queue, a practice as the province sees it, assigning, scoring, deciding,
the criteria."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bizenv.web.converters import posted_ids
from bizenv.web.files import attachment, download
from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import can, require
from bizenv.web.sheets import CONTENT_TYPE
from bizenv.web.userpages import kept_for_user
from practices import search
from practices.enums import Status
from practices.models import Practice
from practices.search.similar import similar
from practices.search.text import parse_query
from practices.selectors import attachment_for, get_practice_for, round_changes, status_counts
from practices.workflow import WorkflowError

from . import audit as audit_log
from . import services, spreadsheet
from .forms import AssignForm, AuditFilter, CriterionFormSet, DecisionForm, DeclineForm, QueueFilter, ReviewForm
from .models import Review
from .selectors import (
    OPEN_STATUSES,
    active_criteria,
    aggregates,
    earlier_reviews,
    practice_reviews,
    progress,
    queue,
    similar_scope,
    visible_reviews,
    waiting_days,
    weighted_total,
    with_reviews,
)

QUEUE_PAGE = 50
EXPORT_CHUNK = 1000  # practices whose reviews are read at once


def filtered_queue(request):
    """The queue as this user may see it, then as the page's filters narrow it: (the filters, every practice the
    user may see, the narrowed rows, the query to rank them by when no other order is asked for)."""
    practices = queue(request.user)
    filters = QueueFilter(request.GET or None, queryset=practices, request=request)
    if filters.is_bound and not filters.is_valid():
        return filters, practices, practices.none(), ""
    rows = filters.qs if filters.is_bound else practices
    if not request.GET.get("status"):
        rows = rows.filter(status__in=OPEN_STATUSES)  # decided practices leave the working queue
    query = ""
    if not request.GET.get("sort"):
        rows = rows.order_by("-updated_at", "-pk")
        query = (filters.form.cleaned_data.get("q") if filters.is_bound else "") or ""
    return filters, practices, rows, query


@login_required
@kept_for_user
def review_queue(request):
    """The province's queue: filters, sorting, counts by status, how long each practice has waited."""
    require(request, "reviews.view_queue")
    filters, practices, rows, query = filtered_queue(request)
    rows, terms = search.search(rows, query), parse_query(query)
    counts = status_counts(practices)
    counted = None
    if isinstance(rows, QuerySet):  # not ranked by a search, whose snippets need the texts
        # The list shows no practice's texts; the count, none of the review columns: counted as ids.
        rows, counted = rows.defer("summary", "body", "outcomes"), rows.values("pk")
    page = CappedPaginator(rows, QUEUE_PAGE, counted=counted).get_page(request.GET.get("page"))
    if terms:
        search.hits(page, terms)
    today = timezone.localdate()
    for practice in page:
        practice.waiting_days = waiting_days(practice, today)
    coordinator = can(request.user, "reviews.assign")
    context = {
        "filters": filters,
        "practices": page,
        "page": page,
        "terms": terms,
        "status_rows": [(s, counts.get(s.value, 0)) for s in Status if s.value in counts],
        "can_assign": coordinator,
        "export_query": _without_page(request.GET),
        "today": timezone.localdate(),
    }
    return render(request, "reviews/queue.html", context)


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def review_queue_export(request):
    """The queue as its filters narrow it, as .xlsx, with each practice's reviewers and their totals. The coordinator
    gets every row; a reviewer the practices assigned to them, with the reviews their page would show them."""
    require(request, "reviews.view_queue")
    _filters, _practices, rows, query = filtered_queue(request)
    if query:
        rows = search.matching(rows, query)
    coordinator = can(request.user, "reviews.assign")
    if not coordinator:
        rows = rows.filter(assigned_to_me=True)
    now = timezone.localtime()
    if coordinator:
        title = _("评审工作台（%(time)s导出）") % {"time": now.strftime("%Y-%m-%d %H:%M")}
    else:
        title = _("我的评审任务（%(time)s导出）") % {"time": now.strftime("%Y-%m-%d %H:%M")}
    lines = with_reviews(rows.iterator(chunk_size=EXPORT_CHUNK), request.user, chunk=EXPORT_CHUNK)
    content = spreadsheet.queue_xlsx(title, lines, today=now.date())
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = attachment(f"{title}.xlsx")
    return response


@login_required
def review_practice(request, pk):
    """One practice as the province sees it: text, changes between rounds, reviews, aggregates, actions."""
    practice = get_practice_for(request.user, pk, perm="reviews.view_practice")
    reviews = practice_reviews(practice)
    own = next((r for r in reviews if r.reviewer_id == request.user.pk), None)
    shown = visible_reviews(request.user, practice, reviews)
    coordinator = can(request.user, "reviews.assign")
    context = {
        "practice": practice,
        "results": practice.results.all(),
        "attachments": practice.attachments.all(),
        "events": practice.events.select_related("actor"),
        "round_changes": round_changes(practice),
        "reviews": [(r, weighted_total(r.scores.all())) for r in shown],
        "sees_all_reviews": coordinator or (own is not None and own.submitted_at is not None),
        "earlier_reviews": earlier_reviews(practice) if coordinator else [],
        "own_review": own,
        "own_total": weighted_total(own.scores.all()) if own and own.submitted_at else None,
        "aggregates": aggregates(shown) if coordinator or (own and own.submitted_at) else None,
        "assign_form": AssignForm(practice=practice) if coordinator else None,
        "can_assign": coordinator and practice.status in (Status.SUBMITTED, Status.IN_REVIEW),
        # Scoring is for an assignment still open: a submitted review is shown as submitted, never offered again.
        "can_score": own is not None and own.is_open and can(request.user, "reviews.score", practice),
        "progress": progress(own, active_criteria()) if own and own.is_open else None,
        "decision_form": DecisionForm() if can(request.user, "reviews.decide", practice) else None,
        # decide() refuses before any review of the round is submitted: no buttons that could only be refused.
        "decidable": any(r.submitted_at for r in reviews),
        "decline_form": DeclineForm() if own and own.is_open else None,
        "similar": similar(
            practice.title, practice.summary, practice.body, among=similar_scope(request.user), exclude=practice.pk
        ),
        "field_history": audit_log.object_history(practice) if can(request.user, "reviews.view_audit") else None,
    }
    return render(request, "reviews/practice.html", context)


@login_required
@require_POST
def assign(request, pk):
    practice = get_practice_for(request.user, pk, perm="reviews.view_practice")
    require(request, "reviews.assign")
    form = AssignForm(request.POST, practice=practice)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            review = services.assign(
                practice=practice,
                reviewer=form.cleaned_data["reviewer"],
                by=request.user,
                due_on=form.cleaned_data["due_on"],
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已分配给 %(name)s。评审期限：%(date)s。")
                % {
                    "name": review.reviewer.get_full_name() or review.reviewer,
                    "date": formats.date_format(review.due_on, "DATE_FORMAT"),
                },
            )
    return redirect("review_practice", pk=practice.pk)


@login_required
@require_POST
def auto_assign(request):
    """Assign every selected (or every waiting) submitted practice to the least loaded eligible reviewers."""
    require(request, "reviews.assign")
    ids = posted_ids(request.POST.getlist("practice"))
    if ids is None:
        messages.error(request, _("所选的经验做法无效，请刷新后重试。"))
        return redirect("review_queue")
    # Submitted ones, and ones in review that lost a reviewer (declined): only missing places are filled.
    practices = Practice.objects.filter(status__in=OPEN_STATUSES).select_related("city").order_by("pk")
    if ids:
        practices = practices.filter(pk__in=ids)
    try:
        per_practice = max(1, min(int(request.POST.get("per_practice") or 1), 5))
    except ValueError:
        per_practice = 1
    try:
        created = services.auto_assign(practices=list(practices), by=request.user, per_practice=per_practice)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已自动分配 %(n)d 项评审任务。") % {"n": len(created)})
    return redirect("review_queue")


@login_required
def score(request, pk):
    practice = get_practice_for(request.user, pk, perm="reviews.view_practice")
    require(request, "reviews.score", practice)
    review = get_object_or_404(
        Review, practice=practice, round=practice.round, reviewer=request.user, declined_at__isnull=True
    )
    if not review.is_open:
        messages.info(request, _("您已提交本轮评审。"))
        return redirect("review_practice", pk=practice.pk)
    criteria = active_criteria()
    submit = "submit" in request.POST
    form = ReviewForm(request.POST or None, criteria=criteria, review=review, submitting=submit)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_review(
                review=review,
                by=request.user,
                values=form.score_values(),
                recommendation=form.cleaned_data["recommendation"],
                comment_to_city=form.cleaned_data["comment_to_city"],
                internal_note=form.cleaned_data["internal_note"],
                submit=submit,
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("评审已提交。") if submit else _("已暂存，可稍后继续。"))
            return redirect("review_practice", pk=practice.pk)
    context = {
        "practice": practice,
        "results": practice.results.all(),
        "review": review,
        "form": form,
        "progress": progress(review, criteria),
    }
    return render(request, "reviews/score.html", context)


@login_required
@require_POST
def decline(request, pk):
    review = get_object_or_404(Review.objects.select_related("practice"), pk=pk, reviewer=request.user)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明回避原因。"))
    else:
        try:
            services.decline(review=review, by=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已申请回避，统筹人员将重新分配。"))
    return redirect("review_queue")


@login_required
@require_POST
def decide(request, pk):
    practice = get_practice_for(request.user, pk, perm="reviews.view_practice")
    # Only the coordinator decides; whether this practice can still be decided is the workflow's answer, so a
    # decision that lost a race gets its "reload" message rather than a 404.
    require(request, "reviews.assign")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择决定。"))
        return redirect("review_practice", pk=practice.pk)
    try:
        services.decide(
            practice=practice,
            outcome=form.cleaned_data["outcome"],
            by=request.user,
            message=form.cleaned_data["message"],
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("review_practice", pk=practice.pk)
    messages.success(request, _("已作出决定：%(title)s") % {"title": practice.title})
    return redirect("review_queue")


@login_required
def criteria(request):
    """The coordinator adds, reweights and deactivates criteria; given scores keep the weights they had."""
    require(request, "reviews.manage_criteria")
    formset = CriterionFormSet(request.POST or None)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("评审标准已保存。已提交的评分不受影响。"))
        return redirect("review_criteria")
    return render(request, "reviews/criteria.html", {"formset": formset})


@login_required
def attachment_download(request, pk):
    """An attachment of a practice the user may see as the province does; 404 otherwise."""
    attachment = attachment_for(request.user, pk, "reviews.view_practice")
    return download(attachment.file, name=attachment.original_name, content_type=attachment.content_type)


@login_required
def audit(request):
    """/review/audit/: every change people made, newest first, by user, kind of object and dates; fifty a page,
    the next page being the changes before the last one shown."""
    require(request, "reviews.view_audit")
    kinds = audit_log.kinds()
    filters = AuditFilter(request.GET or None, kinds=kinds)
    rows = []
    if not filters.is_bound:
        rows = audit_log.audit_rows()
    elif filters.is_valid():
        rows = audit_log.audit_rows(**filters.cleaned_data)
    older = None
    if len(rows) == audit_log.PAGE:
        query = request.GET.copy()
        query["before"] = rows[-1].record.history_date.isoformat()
        older = query.urlencode()
    return render(request, "reviews/audit.html", {"filters": filters, "rows": rows, "older": older})
