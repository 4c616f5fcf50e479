"""Sending a stored file to the browser."""

from django.http import FileResponse


def download(file, *, name: str, content_type: str) -> FileResponse:
    """A stored file as a download, under the name the user knows it by and the type its content was checked to be
    (never guessed from the stored name)."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = content_type
    return response
