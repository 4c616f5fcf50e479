"""PDF that can never take a worker down: nothing is rendered without a Chinese font (WeasyPrint then garbles
every character, and has crashed the process), and rendering runs in a child process (batches/pdfchild.py) with a
time, page and memory limit. Whatever goes wrong, the caller gets PdfUnavailable with a message for the user, and
the log says why.
"""

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
CHILD = Path(__file__).with_name("pdfchild.py")
FONT_PACKAGE = "fonts-noto-cjk"


class PdfUnavailable(Exception):
    """Why no PDF can be made now, in words for the user (the Word version always can)."""


def chinese_font() -> str | None:
    """The family of a Chinese font fontconfig knows (which WeasyPrint uses), or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = [line.strip() for line in found.splitlines() if line.strip()]
    return families[0] if families else None


def render(html: str) -> bytes:
    """The PDF of html, or PdfUnavailable."""
    if chinese_font() is None:
        logger.error("PDF refused: no Chinese font (apt-get install %s fontconfig)", FONT_PACKAGE)
        raise PdfUnavailable(
            _("此服务器未安装中文字体，暂不能生成 PDF，请下载 Word 版。（管理员：apt-get install %(package)s）")
            % {"package": FONT_PACKAGE}
        )
    command = [
        sys.executable,
        "-I",  # isolated: not even the script's folder (batches/selectors.py would shadow the standard library's)
        str(CHILD),
        f"--max-pages={settings.BIZENV_PDF_MAX_PAGES}",
        f"--max-memory-mb={settings.BIZENV_PDF_MAX_MEMORY_MB}",
    ]
    try:
        child = subprocess.run(
            command, input=html.encode("utf-8"), capture_output=True, timeout=settings.BIZENV_PDF_SECONDS
        )
    except subprocess.TimeoutExpired:
        logger.error("PDF refused: rendering took over %s s", settings.BIZENV_PDF_SECONDS)
        raise PdfUnavailable(_("生成 PDF 用时过长，已停止，请下载 Word 版。")) from None
    if child.returncode == 3:
        logger.error("PDF refused: over %s pages", settings.BIZENV_PDF_MAX_PAGES)
        raise PdfUnavailable(
            _("文件超过 %(pages)d 页，不生成 PDF，请下载 Word 版。") % {"pages": settings.BIZENV_PDF_MAX_PAGES}
        )
    if child.returncode != 0 or not child.stdout.startswith(b"%PDF"):
        logger.error(
            "PDF rendering failed (exit %s): %s", child.returncode, child.stderr.decode(errors="replace")[-2000:]
        )
        raise PdfUnavailable(_("此服务器暂不能生成 PDF，请下载 Word 版。"))
    return child.stdout
