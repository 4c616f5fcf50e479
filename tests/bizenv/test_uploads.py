"""bizenv/web/uploads.py: a body larger than any upload of ours is refused before it is read, and changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from bizenv.web import uploads
from practices.enums import Status
from practices.models import Attachment, Practice

pytestmark = pytest.mark.django_db


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = readline = read


def test_a_declared_length_over_the_limit_is_refused_unread(settings):
    settings.BIZENV_MAX_REQUEST_BYTES = 1000
    request = RequestFactory().post("/city/practices/1/attachments/", data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = "1001"
    request._stream = Unreadable()
    response = uploads.RequestSizeLimitMiddleware(lambda request: request.POST)(request)  # the view would read it
    assert response.status_code == 413 and response["Connection"] == "close"


def test_an_attachment_over_the_limit_gets_413_in_chinese_and_nothing_is_saved(client, demo, settings, media):
    settings.BIZENV_MAX_REQUEST_BYTES = 2 * 1024 * 1024
    client.force_login(get_user_model().objects.get(username="xian"))
    practice = Practice.objects.filter(city__code="610100", status=Status.DRAFT).first()
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    before = Attachment.objects.count()
    response = client.post(f"/city/practices/{practice.pk}/attachments/", {"file": big})
    html = response.content.decode()
    assert response.status_code == 413 and "一次提交的内容不能超过 2 MB" in html and "数据没有任何改动" in html
    assert response["Content-Security-Policy"] and Attachment.objects.count() == before
    small = SimpleUploadedFile("小文件.pdf", b"%PDF-1.4\n" + b"0" * 1000)
    assert client.post(f"/city/practices/{practice.pk}/attachments/", {"file": small}).status_code == 302


def test_a_body_without_a_length_stops_being_read_at_the_limit(settings):
    settings.BIZENV_MAX_REQUEST_BYTES = 10
    handler = uploads.LimitedUploadHandler()
    handler.handle_raw_input(None, {}, 0, "boundary")
    assert handler.receive_data_chunk(b"0" * 10, 0) == b"0" * 10
    with pytest.raises(uploads.StopUpload):
        handler.receive_data_chunk(b"0", 10)
