"""The city portal (/city/): a city's practices, drafts and their attachments, the draft spreadsheet; the inbox."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bizenv.web.accounts import send_invitation
from bizenv.web.converters import posted_id
from bizenv.web.files import attachment, download
from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import can, require
from bizenv.web.userpages import kept_for_user

from . import services
from .diffs import changes, state
from .enums import Status
from .forms import (
    AttachmentForm,
    CityPracticeFilter,
    FirstAttachmentsForm,
    ImportForm,
    InviteForm,
    NotificationSettingsForm,
    PracticeForm,
    ResultFormSet,
    WithdrawForm,
    error_summary,
    result_initial,
)
from .imports import COLUMNS, MAX_IMPORT_BYTES, ImportRefused, import_drafts, read_table, template_xlsx
from .models import Notification, PendingImport, Practice
from .notifications import wants_email
from .people import user_city
from .selectors import (
    attachment_for,
    city_practices,
    city_timeline,
    get_practice_for,
    pending_invitations,
    revision_message,
    revision_messages,
    round_changes,
    status_counts,
)
from .signals import city_practice_shown
from .text import find_damage, to_simplified
from .workflow import WorkflowError

# ---------------------------------------------------------------------------------------------------------------
# The city portal: /city/

CITY_PAGE = 50  # a city's practices a page of its home


def _city_of_official(request):
    """The signed-in city official's city; 404 for every other role (the portal is not theirs)."""
    if not can(request.user, "practices.add_practice"):
        raise Http404
    return user_city(request.user)


@login_required
@kept_for_user
def city_home(request):
    """The city's practices by status, what needs the city's action first, and filters; CITY_PAGE a page."""
    city = _city_of_official(request)
    practices = city_practices(city)
    filters = CityPracticeFilter(request.GET or None, queryset=practices)
    counts = status_counts(practices)
    needs_action = list(practices.filter(status=Status.REVISION_REQUESTED))
    messages_by_pk = revision_messages(needs_action)
    rows = (filters.qs if filters.is_valid() else practices.none()) if filters.is_bound else practices
    page = CappedPaginator(rows, CITY_PAGE).get_page(request.GET.get("page"))
    context = {
        "city": city,
        "filters": filters,
        "practices": page,
        "page": page,
        "status_rows": [(status, counts.get(status.value, 0)) for status in Status],
        "needs_action": [(p, messages_by_pk.get(p.pk, "")) for p in needs_action],
    }
    return render(request, "practices/city_home.html", context)


def _practice_form_response(request, template, *, form, results, practice=None, stale=None, attachments=None):
    context = {"form": form, "results": results, "practice": practice, "stale": stale, "attachments": attachments}
    context["errors"] = error_summary(form, results, attachments)
    return render(request, template, context)


def _warn_damage(request, data):
    """Text that looks like mojibake (pasted from a page read in the wrong encoding) is saved, and said so."""
    for name in ("title", "summary", "body", "outcomes"):
        for spot in find_damage(to_simplified(str(data.get(name) or ""))):
            label = Practice._meta.get_field(name).verbose_name
            messages.warning(
                request,
                _("“%(field)s”中疑似有乱码：“%(fragment)s”。请对照原文核对。")
                % {"field": label, "fragment": spot.fragment},
            )


@login_required
def practice_create(request):
    """A new draft, with its measured results and any attachments, saved together or not at all."""
    city = _city_of_official(request)
    form = PracticeForm(request.POST or None)
    results = ResultFormSet(request.POST or None, prefix="results")
    attachments = FirstAttachmentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        # Every part checked, so that every error shows at once.
        if all([form.is_valid(), results.is_valid(), attachments.is_valid()]):
            try:
                practice = services.practice_create(
                    city=city,
                    by=request.user,
                    data=form.cleaned_data,
                    results=results.rows(),
                    uploads=attachments.cleaned_data["files"],
                    attachments_public=attachments.cleaned_data["is_public"],
                )
            except services.AttachmentRefused as exc:
                attachments.add_error("files", str(exc))
            else:
                n = len(attachments.cleaned_data["files"])
                messages.success(request, _("草稿已保存，附件 %(n)d 个。") % {"n": n} if n else _("草稿已保存。"))
                _warn_damage(request, form.cleaned_data)
                return redirect("city_practice", pk=practice.pk)
        elif request.FILES and not attachments.errors:
            # A browser never fills a file input again: the official must choose the files anew.
            attachments.add_error("files", _("表单中有错误，所选附件尚未上传：请改正后重新选择文件。"))
    return _practice_form_response(
        request, "practices/practice_form.html", form=form, results=results, attachments=attachments
    )


@login_required
def practice_detail(request, pk):
    practice = get_practice_for(request.user, pk, perm="practices.view_city_practice")
    context = {
        "practice": practice,
        "results": practice.results.all(),
        "attachments": [(a, services.attachment_deletable(a)) for a in practice.attachments.all()],
        "events": city_timeline(practice),
        "revision_message": revision_message(practice) if practice.status == Status.REVISION_REQUESTED else "",
        "round_changes": round_changes(practice),
        "attachment_form": AttachmentForm(),
        "missing": services.missing_for_submission(practice),
        "can_edit": can(request.user, "practices.change_practice", practice),
        "can_submit": can(request.user, "practices.submit_practice", practice),
        "can_withdraw": can(request.user, "practices.withdraw_practice", practice),
    }
    for _receiver, shown in city_practice_shown.send(sender=Practice, practice=practice, user=request.user):
        context.update(shown or {})
    return render(request, "practices/practice_detail.html", context)


def _refuse_read_only(request, practice, perm):
    """A practice the user can see but not change in this state: back to it, saying why (no 403 page)."""
    if can(request.user, perm, practice):
        return None
    messages.error(request, _("“%(status)s”状态的经验做法不能进行此操作。") % {"status": practice.get_status_display()})
    return redirect("city_practice", pk=practice.pk)


@login_required
def practice_edit(request, pk):
    practice = get_practice_for(request.user, pk, perm="practices.view_city_practice")
    if refused := _refuse_read_only(request, practice, "practices.change_practice"):
        return refused
    form = PracticeForm(request.POST or None, instance=practice)
    results = ResultFormSet(request.POST or None, initial=result_initial(practice), prefix="results")
    stale = None
    # Both checked, so that every error shows at once.
    if request.method == "POST" and all([form.is_valid(), results.is_valid()]):
        seen = form.cleaned_data.get("version") or 0
        mine = state(**form.cleaned_data, results=results.rows())
        try:
            services.practice_update(
                practice=practice,
                by=request.user,
                data=form.cleaned_data,
                results=results.rows(),
                seen_version=seen,
            )
        except services.StaleVersion as exc:
            stale = {"current": exc.current, "changes": changes(services.practice_state(exc.current), mine)}
            # The form keeps what this official typed, now based on the newer version: saving again overwrites
            # knowingly, after seeing the differences.
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = PracticeForm(data, instance=exc.current)
            form.is_valid()
            messages.error(request, str(exc))
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("city_practice", pk=practice.pk)
        else:
            messages.success(request, _("已保存。"))
            _warn_damage(request, form.cleaned_data)
            return redirect("city_practice", pk=practice.pk)
    return _practice_form_response(
        request, "practices/practice_form.html", form=form, results=results, practice=practice, stale=stale
    )


@login_required
@require_POST
def practice_submit(request, pk):
    practice = get_practice_for(request.user, pk, perm="practices.view_city_practice")
    if refused := _refuse_read_only(request, practice, "practices.submit_practice"):
        return refused
    try:
        seen = posted_id(request.POST.get("version"))
        services.practice_submit(practice=practice, by=request.user, seen_version=seen)
    except services.StaleVersion:
        messages.error(request, _("此条目已被他人修改，请查看最新内容后再提交。"))
    except (services.Incomplete, WorkflowError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已提交省级审核，审核期间不能修改。"))
    return redirect("city_practice", pk=practice.pk)


@login_required
def practice_withdraw(request, pk):
    practice = get_practice_for(request.user, pk, perm="practices.view_city_practice")
    if refused := _refuse_read_only(request, practice, "practices.withdraw_practice"):
        return refused
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_withdraw(practice=practice, by=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已撤回。撤回的经验做法仍保留在本市列表中。"))
        return redirect("city_practice", pk=practice.pk)
    return render(request, "practices/practice_withdraw.html", {"practice": practice, "form": form})


@login_required
@require_POST
def attachment_upload(request, pk):
    practice = get_practice_for(request.user, pk, perm="practices.view_city_practice")
    if refused := _refuse_read_only(request, practice, "practices.change_practice"):
        return refused
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.attachment_add(
                practice=practice,
                upload=form.cleaned_data["file"],
                by=request.user,
                is_public=form.cleaned_data["is_public"],
            )
        except services.AttachmentRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("附件已上传。"))
    return redirect("city_practice", pk=practice.pk)


@login_required
def attachment_download(request, pk):
    attachment = attachment_for(request.user, pk, "practices.view_city_practice")
    return download(attachment.file, name=attachment.original_name, content_type=attachment.content_type)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = attachment_for(request.user, pk, "practices.view_city_practice")
    practice = attachment.practice
    if refused := _refuse_read_only(request, practice, "practices.change_practice"):
        return refused
    try:
        services.attachment_delete(attachment=attachment)
    except services.AttachmentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("city_practice", pk=practice.pk)


# ---------------------------------------------------------------------------------------------------------------
# Spreadsheet import: /city/import/


def _importing_city(request):
    """The city rows go to: the official's own; None for the coordinator (the rows say). 404 for anyone else."""
    if not can(request.user, "practices.import_practices"):
        raise Http404
    return user_city(request.user) if can(request.user, "practices.add_practice") else None


@login_required
def import_template(request):
    _importing_city(request)
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = attachment("经验做法导入模板.xlsx")
    return response


@login_required
def import_practices(request):
    """Upload → preview with every row's errors → confirm; the file waits in PendingImport between the two."""
    city = _importing_city(request)
    form = ImportForm()
    preview = None
    if request.method == "POST" and "confirm" in request.POST:
        pending = PendingImport.objects.filter(
            token=request.POST.get("token", ""), user=request.user, kind="practices"
        ).first()
        # Claimed by deleting it: of two confirmations at once (a double click), exactly one goes on.
        if pending is None or PendingImport.objects.filter(pk=pending.pk).delete()[0] != 1:
            messages.error(request, _("导入已过期或已完成，请重新上传文件。"))
            return redirect("city_import")
        table = read_table(name=pending.name, content=bytes(pending.content))
        preview = import_drafts(table=table, city=city, by=request.user, dry_run=False)
        if preview.ok:
            messages.success(request, _("已导入 %(n)d 条草稿。") % {"n": preview.created})
            return redirect("city_home" if city else "review_queue")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    raise ImportRefused(_("文件超过 %(mb)d MB 的上限。") % {"mb": MAX_IMPORT_BYTES // 2**20})
                content = upload.read()
                table = read_table(name=upload.name, content=content)
            except ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                preview = import_drafts(table=table, city=city, by=request.user, dry_run=True)
                if preview.ok:
                    PendingImport.objects.filter(user=request.user, kind="practices").delete()
                    preview.token = secrets.token_urlsafe(16)
                    PendingImport.objects.create(
                        token=preview.token, user=request.user, name=upload.name, content=content, kind="practices"
                    )
    context = {"form": form, "preview": preview, "city": city, "columns": list(COLUMNS.values())}
    return render(request, "practices/import.html", context)


@login_required
def inbox(request):
    """The signed-in user's notifications, newest first; showing them marks them read."""
    notes = list(request.user.notifications.all()[:100])
    unread = {n.pk for n in notes if n.read_at is None}
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "practices/inbox.html", {"notes": notes, "unread": unread})


@login_required
def inbox_settings(request):
    """/inbox/settings/: whether the user's notifications also come by email; the inbox always has them."""
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None, initial={"email": wants_email(request.user)}
    )
    if form.is_valid():
        services.set_notification_preference(user=request.user, email=form.cleaned_data["email"])
        if form.cleaned_data["email"] and not request.user.email:
            messages.warning(request, _("已保存。您的账号尚未登记电子邮箱，暂时只能在站内查看通知。"))
        else:
            messages.success(request, _("通知设置已保存。"))
        return redirect("inbox_settings")
    return render(request, "practices/inbox_settings.html", {"form": form})


@login_required
def invite(request):
    """/accounts/invite/: the coordinator (or the administrator) opens an account, whose holder sets the password
    from the emailed one-time link; accounts not used yet are listed, each with a button to send its link again."""
    require(request, "practices.invite_people")
    if request.method == "POST" and "resend" in request.POST:
        user = pending_invitations().filter(pk=posted_id(request.POST["resend"])).first()
        if user is None:
            messages.error(request, _("该账号已设置密码或已停用，无需再次邀请。"))
        else:
            send_invitation(user, by=request.user)
            messages.success(request, _("已再次发送邀请邮件至 %(email)s。") % {"email": user.email})
        return redirect("invite")
    form = InviteForm(request.POST or None, inviter=request.user)
    if form.is_valid():
        user = services.invite_user(**form.cleaned_data, by=request.user)
        messages.success(
            request,
            _("已开设账号“%(username)s”，邀请邮件已发至 %(email)s。")
            % {"username": user.username, "email": user.email},
        )
        return redirect("invite")
    return render(request, "practices/invite.html", {"form": form, "pending": pending_invitations()[:50]})
