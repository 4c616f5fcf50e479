"""The permission matrix: every URL of ours, asked by every role, with the status each must get
(tests/test_permission_matrix.py asks them all; tests/test_bad_input.py sends the same URLs bad input).

The URLs come from the resolver, so a view added without its row here fails `test_every_url_has_its_row`; the
admin's own URLs are tests/test_admin.py's. Each row names the object the URL is asked about (a practice of
西安市 in a given state, one of 西安市's 台账 rows, …), the method, and one expected answer per role:

- anonymous;
- own: 西安市's city official (`xian`), the object's city; other: 汉中市's (`hanzhong`);
- reviewer: a provincial reviewer without a city, assigned to 西安市's practice in review; city reviewer:
  `reviewer_xian`, of the object's city, so recused from it;
- coordinator; admin: the superuser, who works in /admin/: in the site, only what every signed-in user may,
  and invitations (bizenv/web/permissions.py).

"L" is a redirect to the sign-in page; any other answer is a status code. A POST is made with an empty form and
rolled back, so that no answer depends on another's.
"""

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from adoptions import services as adoptions
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches import services as batches
from batches.enums import EntryScope
from batches.models import Batch, BatchEntry
from practices import services as practices
from practices.enums import Status
from practices.models import Attachment, Practice
from public import statistics
from reviews.models import Review

ROLES = ["anonymous", "own", "other", "reviewer", "city reviewer", "coordinator", "admin"]
USERS = {
    "own": "xian",
    "other": "hanzhong",
    "reviewer": "reviewer",
    "city reviewer": "reviewer_xian",
    "coordinator": "coordinator",
    "admin": "admin",
}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

ALL = "200 200 200 200 200 200 200"
SIGNED_IN = "L 200 200 200 200 200 200"
CITY = "L 200 200 404 404 404 404"  # any city official, for their own city
OWN = "L 200 404 404 404 404 404"  # the object's city's official only
OWN_POST = "L 302 404 404 404 404 404"
PROVINCE = "L 404 404 200 200 200 404"  # every reviewer and the coordinator
COORDINATOR = "L 404 404 404 404 200 404"
COORDINATOR_POST = "L 404 404 404 404 302 404"

# (URL name, object, method, expected per role in ROLES order)
MATRIX = [
    # Public
    ("home", None, "get", ALL),
    ("batch_list", None, "get", ALL),
    ("batch_detail", "published batch", "get", ALL),
    ("batch_export", "published batch as Word", "get", ALL),
    ("practice_list", None, "get", ALL),
    ("practice_detail", "published practice", "get", ALL),
    ("practice_detail", "draft", "get", "404 404 404 404 404 404 404"),
    ("practice_export", "published practice", "get", ALL),
    ("practice_export", "draft", "get", "404 404 404 404 404 404 404"),
    ("practice_print", "published practice", "get", ALL),
    ("practice_print", "draft", "get", "404 404 404 404 404 404 404"),
    ("public_attachment", "public attachment", "get", ALL),
    ("public_attachment", "private attachment of a published practice", "get", "404 404 404 404 404 404 404"),
    ("api_docs", None, "get", ALL),
    ("api_openapi", None, "get", ALL),
    ("api_practices", None, "get", ALL),
    ("api_practice", "published practice, as the API names it", "get", ALL),
    ("api_practice", "draft, as the API names it", "get", "404 404 404 404 404 404 404"),
    ("api_batches", None, "get", ALL),
    ("api_adoptions", None, "get", ALL),
    ("batch_feed", None, "get", ALL),
    ("stats", None, "get", ALL),
    ("stats_csv", "a statistics table", "get", ALL),
    ("set_language", None, "post", "302 302 302 302 302 302 302"),
    # Accounts
    ("login", None, "get", "200 302 302 302 302 302 302"),
    ("logout", None, "get", ALL),
    ("password_change", None, "get", SIGNED_IN),
    ("password_change_done", None, "get", SIGNED_IN),
    ("password_reset", None, "get", ALL),
    ("password_reset_done", None, "get", ALL),
    ("password_reset_confirm", "a link that is no link", "get", ALL),
    ("password_reset_complete", None, "get", ALL),
    ("invite", None, "get", "L 404 404 404 404 200 200"),  # and the administrator
    ("inbox", None, "get", SIGNED_IN),
    ("inbox_settings", None, "get", SIGNED_IN),
    ("inbox_settings", None, "post", "L 302 302 302 302 302 302"),  # each user's own setting
    # The city portal
    ("city_home", None, "get", CITY),
    ("city_practice_new", None, "get", CITY),
    ("city_practice", "draft", "get", OWN),
    ("city_practice", "submitted", "get", OWN),
    ("city_practice_edit", "draft", "get", OWN),
    ("city_practice_edit", "submitted", "get", "L 302 404 404 404 404 404"),  # read-only: back to the practice
    ("city_practice_submit", "draft", "post", OWN_POST),
    ("city_practice_withdraw", "submitted", "get", OWN),
    ("city_attachment_upload", "draft", "post", OWN_POST),
    ("city_attachment", "attachment of the draft", "get", OWN),
    ("city_attachment_delete", "attachment of the draft", "post", OWN_POST),
    ("city_import", None, "get", "L 200 200 404 404 200 404"),  # the coordinator imports for any city
    ("city_import_template", None, "get", "L 200 200 404 404 200 404"),
    # The review workbench
    ("review_queue", None, "get", PROVINCE),
    ("review_queue_export", None, "get", PROVINCE),  # a reviewer's holds only what is assigned to them
    ("review_auto_assign", None, "post", COORDINATOR_POST),
    ("review_criteria", None, "get", COORDINATOR),
    ("review_practice", "submitted", "get", "L 404 404 200 404 200 404"),  # the city's reviewer is recused
    ("review_practice", "draft", "get", "L 404 404 404 404 404 404"),  # the province sees submitted ones only
    ("review_assign", "submitted", "post", COORDINATOR_POST),
    ("review_score", "in review", "get", "L 404 404 200 404 404 404"),  # the assigned reviewer only
    ("review_decide", "in review", "post", COORDINATOR_POST),
    ("review_attachment", "attachment of the submitted practice", "get", "L 404 404 200 404 200 404"),
    ("review_decline", "the reviewer's review", "post", "L 404 404 302 404 404 404"),
    ("review_audit", None, "get", COORDINATOR),
    # Batches
    ("review_batches", None, "get", COORDINATOR),
    ("review_batch", "published batch id", "get", COORDINATOR),
    ("review_batch", "draft batch", "get", COORDINATOR),
    ("review_batch_preview", "draft batch", "get", COORDINATOR),
    ("review_pool_export", None, "get", COORDINATOR),
    ("review_batch_import", None, "get", COORDINATOR),
    ("review_batch_import", None, "post", "L 404 404 404 404 200 404"),  # the empty form again, with its errors
    # 复制推广: the city's 台账
    ("city_adoptions", None, "get", CITY),
    ("city_adoptions_export", None, "get", CITY),
    ("city_adoptions_import", None, "get", CITY),
    ("city_adoption_declare", "a reference practice of a third city", "get", CITY),
    ("city_adoption", "a 台账 row", "get", OWN),
    ("city_adoption", "an excused 台账 row", "get", OWN),  # shown, read-only
    ("city_adoption_evidence", "a 台账 row", "get", OWN),
    # 复制推广: the province
    ("review_adoptions", None, "get", PROVINCE),
    ("review_adoptions_export", None, "get", PROVINCE),
    ("review_adoption", "a 台账 row", "get", PROVINCE),
    ("review_adoption_evidence", "a 台账 row", "get", PROVINCE),
]


def our_urls() -> set[str]:
    """The name of every URL pattern but the admin's."""
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def build_world() -> dict:
    """On the demo (loaded first), what the matrix asks about: attachments, a draft batch, a reference entry, an
    excused row and a row with evidence; each object as the URL's arguments."""
    draft, submitted, in_review = (
        Practice.objects.get(city__code="610100", status=status, batch_entry__isnull=True)
        for status in [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW]
    )
    xian = draft.city
    official = get_user_model().objects.get(username="xian")
    draft_attachment = practices.attachment_add(practice=draft, upload=SimpleUploadedFile("材料.pdf", PDF), by=official)
    submitted_attachment = Attachment.objects.create(
        practice=submitted,
        file=draft_attachment.file.name,
        original_name="材料.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    published = Practice.objects.filter(city=xian, batch_entry__isnull=False).first()
    public = Attachment.objects.create(
        practice=published,
        file=draft_attachment.file.name,
        original_name="公开.pdf",
        content_type="application/pdf",
        size=len(PDF),
        is_public=True,
    )
    private = Attachment.objects.create(
        practice=published,
        file=draft_attachment.file.name,
        original_name="内部.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    seed = Batch.objects.get(year=2022, sequence=2)
    draft_batch = batches.batch_create(year=2030)
    batches.batch_add(batch=draft_batch, practices=[Practice.objects.get(city=xian, status=Status.APPROVED)])
    reference = BatchEntry.objects.filter(batch=seed).exclude(practice__city__code__in=["610100", "610700"]).first()
    reference.scope = EntryScope.REFERENCE
    reference.save(update_fields=["scope"])
    adoptions.scope_changed(entry=reference)
    rows = Adoption.objects.filter(city=xian, owed=True, status=AdoptionStatus.NOT_STARTED).order_by("pk")
    row, excused = rows[0], rows[1]
    adoptions.report(
        adoption=row,
        by=official,
        status=AdoptionStatus.IN_PROGRESS,
        seen_version=row.version,
        evidence=SimpleUploadedFile("佐证.pdf", PDF),
    )
    adoptions.excuse(adoption=excused, by=get_user_model().objects.get(username="coordinator"), reason="试点另行安排")
    return {
        None: {},
        "published batch": {"year": seed.year, "sequence": seed.sequence},
        "published batch as Word": {"year": seed.year, "sequence": seed.sequence, "fmt": "docx"},
        "published practice": {"pk": published.pk},
        "draft": {"pk": draft.pk},
        "published practice, as the API names it": {"id": published.pk},
        "draft, as the API names it": {"id": draft.pk},
        "submitted": {"pk": submitted.pk},
        "in review": {"pk": in_review.pk},
        "public attachment": {"pk": published.pk, "attachment_pk": public.pk},
        "private attachment of a published practice": {"pk": published.pk, "attachment_pk": private.pk},
        "a statistics table": {"slug": statistics.SLUGS[0]},
        "a link that is no link": {"uidb64": "MQ", "token": "no-token"},
        "attachment of the draft": {"pk": draft_attachment.pk},
        "attachment of the submitted practice": {"pk": submitted_attachment.pk},
        "the reviewer's review": {"pk": Review.objects.get(practice=in_review, reviewer__username="reviewer").pk},
        "published batch id": {"pk": seed.pk},
        "draft batch": {"pk": draft_batch.pk},
        "a reference practice of a third city": {"pk": reference.practice_id},
        "a 台账 row": {"pk": row.pk},
        "an excused 台账 row": {"pk": excused.pk},
    }


def answer(client: Client, method: str, url: str) -> str:
    """The status, or "L" for a redirect to the sign-in page; whatever the request wrote is rolled back."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "L"
    return str(response.status_code)
