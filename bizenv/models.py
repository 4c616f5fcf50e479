"""The mail outbox: every email bizenv sends, written in the transaction of the change that causes it and sent
afterwards by `manage.py send_mail_queue` (bizenv/mail.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMail(models.Model):
    """One email waiting to go out, sent, or given up on after its last attempt."""

    created_at = models.DateTimeField(_("写入时间"), auto_now_add=True)
    subject = models.CharField(_("标题"), max_length=998)
    body = models.TextField(_("正文"), blank=True)
    from_email = models.CharField(_("发件人"), max_length=320)
    to = models.JSONField(_("收件人"), default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    # [content, mimetype] pairs: an HTML version of the body, say.
    alternatives = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # When a worker may next take it: its first try, a retry after a failure, or after a worker's lease ran out.
    next_attempt_at = models.DateTimeField(_("下次发送"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("待发邮件")
        verbose_name_plural = _("邮件发送队列")
        indexes = [
            # The worker's and the health check's question: what is still to be sent, oldest first.
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(sent_at=None, failed_at=None)),
        ]

    def __str__(self):
        return self.subject

    @property
    def state(self) -> str:
        if self.sent_at:
            return _("已发送")
        if self.failed_at:
            return _("已放弃")
        return _("待发送") if not self.attempts else _("待重试")


class WriteCount(models.Model):
    """The count of writes on SQLite, one row (bizenv/writes.py; PostgreSQL counts with a sequence)."""

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.value)
