from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import mail
from .models import OutboxMail


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    """The mail queue as it is: what went, what waits and why; read-only, but for sending again."""

    list_display = ["subject", "recipients", "state", "attempts", "created_at", "next_attempt_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in OutboxMail._meta.fields]

    @admin.display(description=_("收件人"))
    def recipients(self, row):
        return ", ".join(row.to + row.cc + row.bcc)

    @admin.display(description=_("状态"))
    def state(self, row):
        return row.state

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即重新发送所选未发出的邮件"), permissions=["view"])
    def send_again(self, request, queryset):
        count = mail.retry_now(queryset)
        self.message_user(
            request,
            ngettext("%(count)d 封邮件已重新排队。", "%(count)d 封邮件已重新排队。", count) % {"count": count},
            messages.SUCCESS,
        )
