"""Downloads: the app sends the file, or (MEDIA_ACCEL_REDIRECT) tells nginx which one to send; either way under the
user's file name, and only once the view has allowed it."""

from urllib.parse import unquote

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.http import content_disposition_header

from bizenv.web.files import MAX_NAME, accel_path, attachment
from practices.enums import Role, Status
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEL = "/protected-media/"
NAME = "说明 第1批.pdf"  # the user's name: Chinese and a space, as uploads are named
RFC_6266 = "attachment; filename*=utf-8''%E8%AF%B4%E6%98%8E%20%E7%AC%AC1%E6%89%B9.pdf"


@pytest.fixture
def published(db):
    practice = PracticeFactory(status=Status.PUBLISHED)
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, number=1, title=practice.title, city_name=practice.city.name)
    return practice


def attach(practice, *, public: bool, stored: str = "7/说明.pdf", content: bytes = b"%PDF-1.4\n"):
    attachment = practice.attachments.create(
        original_name=NAME, content_type="application/pdf", size=len(content), is_public=public
    )
    attachment.file.save(stored, ContentFile(content))
    return attachment


def test_without_accel_the_app_sends_the_file(client, published, media, settings):
    settings.MEDIA_ACCEL_REDIRECT = ""
    attachment = attach(published, public=True)
    response = client.get(f"/practices/{published.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"] == RFC_6266
    assert "X-Accel-Redirect" not in response


def test_with_accel_nginx_is_named_the_file_and_the_app_sends_only_headers(client, published, media, settings):
    settings.MEDIA_ACCEL_REDIRECT = ACCEL
    attachment = attach(published, public=True)
    response = client.get(f"/practices/{published.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response.content == b""
    # The stored name, under the prefix, percent-encoded (nginx decodes it): attachments/7/说明.pdf.
    assert attachment.file.name == "attachments/7/说明.pdf"
    assert response["X-Accel-Redirect"] == "/protected-media/attachments/7/%E8%AF%B4%E6%98%8E.pdf"
    # What the browser gets from nginx: the app's type and the user's file name, exactly as without nginx.
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"] == RFC_6266


def test_with_accel_a_file_the_user_may_not_have_is_404_and_named_nowhere(client, published, media, settings):
    settings.MEDIA_ACCEL_REDIRECT = ACCEL
    private = attach(published, public=False)
    response = client.get(f"/practices/{published.pk}/attachments/{private.pk}/")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    # A city official of another city, in the city portal: 404 too, and the city's own official gets it.
    other = UserFactory(username="other_official", role=Role.CITY_OFFICIAL, city=PracticeFactory().city)
    client.force_login(other)
    response = client.get(f"/city/attachments/{private.pk}/")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    own = UserFactory(username="own_official", role=Role.CITY_OFFICIAL, city=published.city)
    client.force_login(own)
    assert client.get(f"/city/attachments/{private.pk}/")["X-Accel-Redirect"].startswith(ACCEL + "attachments/")


@pytest.mark.parametrize(
    "name, uri",
    [
        ("attachments/12/0f3a.pdf", "/protected-media/attachments/12/0f3a.pdf"),
        ("adoptions/3/证明 材料.docx", "/protected-media/adoptions/3/%E8%AF%81%E6%98%8E%20%E6%9D%90%E6%96%99.docx"),
        ("attachments/a?b#c%d.pdf", "/protected-media/attachments/a%3Fb%23c%25d.pdf"),
    ],
)
def test_accel_path_percent_encodes_the_stored_name(name, uri):
    assert accel_path(ACCEL, name) == uri


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "../secret", "attachments/../../etc/passwd", "attachments/./x", "a//b", "a\\..\\b", "a\0b"],
)
def test_accel_path_refuses_a_name_that_would_leave_media_root(name):
    with pytest.raises(SuspiciousFileOperation):
        accel_path(ACCEL, name)


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("评审工作台（2026-12-07 09:30导出）.xlsx", "评审工作台（2026-12-07 09：30导出）.xlsx"),
        ('a/b\\c*d?e"f<g>h|i.docx', "a／b＼c＊d？e＂f＜g＞h｜i.docx"),
        ("标题\n第二行\t.pdf", "标题第二行.pdf"),
        ("...", "download"),
    ],
)
def test_a_download_is_named_so_that_windows_saves_it(name, saved):
    assert attachment(name) == content_disposition_header(True, saved)


def test_an_overlong_name_is_cut_keeping_its_suffix():
    header = attachment("长" * 400 + ".docx")
    name = unquote(header.split("''", 1)[1])
    assert name == "长" * (MAX_NAME - 5) + ".docx" and len(name) == MAX_NAME


def test_an_uploaded_name_windows_refuses_is_sent_as_it_can_be_saved(client, published, media, settings):
    settings.MEDIA_ACCEL_REDIRECT = ""
    attachment_ = attach(published, public=True)
    type(attachment_).objects.filter(pk=attachment_.pk).update(original_name="会议纪要 10:30.pdf")
    response = client.get(f"/practices/{published.pk}/attachments/{attachment_.pk}/")
    assert response["Content-Disposition"] == content_disposition_header(True, "会议纪要 10：30.pdf")
    assert response["Content-Type"] == "application/pdf"
