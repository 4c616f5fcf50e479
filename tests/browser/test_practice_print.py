"""In Chromium: a visitor prints a published practice from its page. The print page, printed, is A4 pages in the
GB/T 9704 layout: the text block 28 mm from the binding side (the left of odd pages, the right of even ones), and
the page number "— N —" below it at the outer edge."""

import io
import unicodedata

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practices.enums import Status
from tests.browser.test_accessibility import problems
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POINTS_PER_MM = 72 / 25.4
BLOCK_BOTTOM, BLOCK_TOP = 35, 297 - 37  # mm from the page's bottom edge
NUMBER_SIZE = 14 / POINTS_PER_MM  # 四号, in mm


def glyphs(pdf_page) -> list[tuple[str, float, float]]:
    """Each piece of text on a PDF page with where it starts: mm from the page's left edge, and from its bottom
    edge to the baseline."""
    found = []

    def seen(text, cm, tm, font, size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found.append((text, x / POINTS_PER_MM, y / POINTS_PER_MM))

    pdf_page.extract_text(visitor_text=seen)
    return found


def test_a_visitor_prints_a_published_practice(live_server, page):
    practice = PracticeFactory(status=Status.PUBLISHED)
    batch = BatchFactory(year=2023, sequence=2, status="published", published_at=timezone.now())
    sentence = "推行企业开办全流程网上办理，压缩办理时间，减少申请材料，实现当日办结。"
    entry = BatchEntryFactory(
        batch=batch,
        practice=practice,
        number=14,
        title="推行企业开办“一网通办”",
        city_name="西安市",
        indicator_name="开办企业",
        body="\n".join(f"第{n}段：{sentence * 3}" for n in range(1, 31)),  # three pages or more
    )
    page.goto(f"{live_server.url}/practices/{practice.pk}/")
    page.get_by_role("link", name="打印").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(entry.title)
    assert problems(page) == []
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")  # no dialog
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.printed") == 1

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(reader.pages) >= 3
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))  # CJK radicals as such
    assert entry.title in text and "2023年第二批 第14项" in text and "西安市 · 开办企业" in text
    for number, pdf_page in enumerate(reader.pages, start=1):
        box = pdf_page.mediabox
        assert (float(box.width) / POINTS_PER_MM, float(box.height) / POINTS_PER_MM) == pytest.approx(
            (210, 297), abs=0.5
        )
        found = glyphs(pdf_page)
        block = [(x, y) for _text, x, y in found if BLOCK_BOTTOM < y < BLOCK_TOP]
        inside = 28 if number % 2 else 210 - 28 - 156
        assert min(x for x, _y in block) == pytest.approx(inside, abs=0.5), number
        foot = [(text, x, y) for text, x, y in found if y < BLOCK_BOTTOM]
        assert "".join(text for text, _x, _y in foot) == f"—{number}—"
        # Its line's middle 7 mm below the text block, the baseline within the line.
        assert all(BLOCK_BOTTOM - 7 - NUMBER_SIZE < y < BLOCK_BOTTOM - 7 for _text, _x, y in foot)
        if number % 2:  # odd: at the right, one character in from the text block's edge
            assert foot[-1][1] + NUMBER_SIZE == pytest.approx(28 + 156 - NUMBER_SIZE, abs=1)
        else:  # even: at the left, one character in
            assert foot[0][1] == pytest.approx(210 - 28 - 156 + NUMBER_SIZE, abs=1)
