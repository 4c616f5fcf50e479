"""The PDF export never takes a worker down: no Chinese font, too long, too slow, too big or a crashed renderer
are each a 503 page in Chinese that offers the Word version, and the process that answered goes on serving."""

import logging

import pytest

from batches import pdf
from tests.conftest import require_tool

PDF = "/batches/2022/2/export.pdf"


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """A fontconfig that knows no font at all, as on a server where none is installed."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))


@pytest.fixture
def renderer(demo):
    require_tool(pdf.chinese_font() is not None, "no Chinese font for the PDF export: apt-get install fonts-noto-cjk")


def refused(client, text):
    response = client.get(PDF)
    html = response.content.decode()
    assert response.status_code == 503 and text in html and "export.docx" in html
    assert client.get("/batches/2022/2/export.docx").status_code == 200  # and the same process goes on
    return html


def test_without_a_chinese_font_nothing_is_rendered_and_the_page_names_the_package(client, demo, no_fonts, caplog):
    assert pdf.chinese_font() is None
    with caplog.at_level(logging.ERROR, logger="batches.pdf"):
        html = refused(client, "未安装中文字体")
    assert "fonts-noto-cjk" in html
    assert [r.getMessage() for r in caplog.records if r.name == "batches.pdf"] == [
        "PDF refused: no Chinese font (apt-get install fonts-noto-cjk fontconfig)"
    ]


def test_a_document_over_the_page_limit_is_refused(client, renderer, settings):
    settings.BIZENV_PDF_MAX_PAGES = 1
    refused(client, "超过 1 页")


def test_rendering_past_the_time_limit_is_stopped(client, renderer, settings):
    settings.BIZENV_PDF_SECONDS = 0.05
    refused(client, "用时过长")


def test_a_renderer_that_runs_out_of_memory_fails_alone(client, renderer, settings, caplog):
    settings.BIZENV_PDF_MAX_MEMORY_MB = 40  # not enough to load the layout library: the child dies, not us
    with caplog.at_level(logging.ERROR, logger="batches.pdf"):
        refused(client, "暂不能生成 PDF")
    assert any("PDF rendering failed" in r.getMessage() for r in caplog.records)


def embedded_fonts(pdf_bytes: bytes) -> dict[str, tuple]:
    """Each embedded CID font of a PDF: (its program's subtype, the program, the CIDs its /W gives a width)."""
    import io

    import pypdf

    from batches.pdfchild import used_cids

    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages:
        for reference in page["/Resources"]["/Font"].values():
            cid_font = reference.get_object()["/DescendantFonts"][0].get_object()
            program = cid_font["/FontDescriptor"].get_object()["/FontFile3"].get_object()
            fonts[cid_font["/BaseFont"]] = (program["/Subtype"], program.get_data(), used_cids(cid_font))
    return fonts


def outlines(charstrings, names) -> dict[str, tuple]:
    from fontTools.pens.boundsPen import BoundsPen

    bounds = {}
    for name in names:
        pen = BoundsPen(None)
        charstrings[name].draw(pen)
        bounds[name] = pen.bounds
    return bounds


def test_the_fonts_hold_only_the_glyphs_used_each_under_the_cid_the_pages_name(renderer):
    """WeasyPrint keeps every glyph slot of a font up to the last one used (63,000 in Noto CJK, about 135 kB a
    font however few are used); the PDF keeps the used glyphs alone, renumbered, each found by the same CID as
    before (the pages are not rewritten), and reads the same."""
    import io

    import pypdf
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont
    from weasyprint import HTML

    from batches.pdfchild import compact_fonts

    html = "<p style='font-family: \"Noto Serif CJK SC\"'>优化营商环境：开办企业、获得电力，一网通办。</p>"
    html += "<h2 style='font-family: \"Noto Sans CJK SC\"'>（一）市场准入</h2>"
    written = HTML(string=html).write_pdf()
    compact = compact_fonts(written)

    assert len(compact) * 3 < len(written)
    text = ["".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(p)).pages) for p in (written, compact)]
    assert text[0] == text[1] and "获得电力" in text[1]
    before, after = embedded_fonts(written), embedded_fonts(compact)
    assert sorted(after) == sorted(before) and len(after) == 2
    for name, (subtype, program, used) in after.items():
        assert subtype == "/CIDFontType0C" and before[name][0] == "/OpenType"
        assert used == before[name][2] and len(used) > 5
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program), None)
        top = cff[cff.fontNames[0]]
        kept = [glyph for glyph in top.charset if glyph != ".notdef"]
        assert sorted(int(glyph.removeprefix("cid")) for glyph in kept) == sorted(used)
        original = TTFont(io.BytesIO(before[name][1]))["CFF "].cff
        assert outlines(top.CharStrings, kept) == outlines(original[original.fontNames[0]].CharStrings, kept)


def test_the_exported_pdf_embeds_compact_fonts(client, renderer):
    response = client.get(PDF)
    fonts = embedded_fonts(b"".join(response.streaming_content) if response.streaming else response.content)
    assert fonts and {subtype for subtype, _, _ in fonts.values()} == {"/CIDFontType0C"}
