"""Sending a stored file to the browser.

The view decides who may have the file; then either the app sends it (FileResponse), or, behind nginx with
MEDIA_ACCEL_REDIRECT set, the app answers with headers only and nginx sends the file from MEDIA_ROOT through an
`internal` location no browser can ask for by itself (deploy/nginx/bizenv.conf). A 20 MB attachment then no longer
holds one of the few application processes for as long as a slow connection takes to receive it.
"""

import os
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

# Characters Windows refuses in a file name, each for its full-width twin: 评审工作台（2026-12-07 09:30导出）.xlsx saves
# as 评审工作台（2026-12-07 09：30导出）.xlsx instead of being renamed by the browser, or refused by Word on a share.
WINDOWS_FORBIDDEN = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in '\\/:*?"<>|'})
MAX_NAME = 150  # characters; Windows allows 255 for the whole path, and a download folder's path takes its share


def attachment(name: str) -> str:
    """The Content-Disposition of a download called `name` (a title, an uploaded file's name), made a name every
    office's computer can save: no character Windows refuses, no control character, not overlong, its suffix kept."""
    name = "".join(c for c in name.translate(WINDOWS_FORBIDDEN) if c.isprintable()).strip(" .") or "download"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 8 and len(name) > MAX_NAME:
        name = f"{stem[: MAX_NAME - len(suffix) - 1].rstrip(' .')}.{suffix}"
    return content_disposition_header(as_attachment=True, filename=name[:MAX_NAME])


def download(file, *, name: str, content_type: str) -> HttpResponse:
    """A stored file as a download, under the name the user knows it by and the type its content was checked to be
    (never guessed from the stored name)."""
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = attachment(name)
        response["X-Accel-Redirect"] = accel_path(settings.MEDIA_ACCEL_REDIRECT, file.name)
        return response
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = attachment(name)
    return response


class StoredFileResponse(FileResponse):
    """A stored file, streamed to the client as any FileResponse (gunicorn sends it with sendfile); its body can
    also be read whole as .content, as of an ordinary response, which is what getvalue() gives. Only a caller that
    wants the bytes (a test, say) reads it so."""

    @property
    def content(self):
        if not hasattr(self, "_content_read"):
            self._content_read = self.getvalue()
        return self._content_read


def stored_download(storage, stored_name: str, *, name: str, content_type: str) -> HttpResponse:
    """A file of any storage (a batch's export, say) as a download called `name`: sent by nginx, as download() does,
    when MEDIA_ACCEL_REDIRECT is set and the file lies under MEDIA_ROOT; else streamed, never read whole."""
    relative = _under_media_root(storage, stored_name) if settings.MEDIA_ACCEL_REDIRECT else None
    if relative is not None:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_path(settings.MEDIA_ACCEL_REDIRECT, relative)
    else:
        response = StoredFileResponse(storage.open(stored_name, "rb"), content_type=content_type)
    response["Content-Disposition"] = attachment(name)
    return response


def _under_media_root(storage, stored_name: str) -> str | None:
    try:
        path = storage.path(stored_name)
    except NotImplementedError:  # not a local file
        return None
    relative = os.path.relpath(path, settings.MEDIA_ROOT)
    return None if relative == ".." or relative.startswith(".." + os.sep) else relative.replace(os.sep, "/")


def accel_path(prefix: str, name: str) -> str:
    """The URI nginx serves a stored file at: its name relative to MEDIA_ROOT under `prefix`, percent-encoded (nginx
    decodes it). A name that would leave MEDIA_ROOT is refused, whatever wrote it into the database."""
    parts = name.split("/")
    if not name or "\\" in name or "\0" in name or any(part in {"", ".", ".."} for part in parts):
        raise SuspiciousFileOperation(f"Stored file name {name!r} is not a plain path under MEDIA_ROOT.")
    return prefix + quote(name, safe="/")
