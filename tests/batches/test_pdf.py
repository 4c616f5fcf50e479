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
