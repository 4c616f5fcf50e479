"""A request body larger than any upload of ours is refused before a byte of it is read.

Django reads a whole multipart body (to memory or a temporary file) before a view can look at a file's size, so
a 2 GB POST would be received in full to be refused. This middleware answers 413 from the declared
Content-Length alone, before anything reads the body. A body sent without one (chunked) is counted as it streams by
LimitedUploadHandler, which stops reading at the same limit. The proxy in front should refuse it even earlier
(nginx: `client_max_body_size 21m;`).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render

# The largest request of ours: one 20 MB attachment (practices.services.MAX_ATTACHMENT_BYTES), with its form.
MAX_REQUEST_BYTES = 21 * 1024 * 1024


def limit() -> int:
    return getattr(settings, "BIZENV_MAX_REQUEST_BYTES", MAX_REQUEST_BYTES)


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request) > limit():
            return too_large(request)
        return self.get_response(request)


def too_large(request):
    megabytes = limit() // (1024 * 1024)
    response = render(request, "413.html", {"megabytes": megabytes}, status=413)
    response["Connection"] = "close"  # the unread body is not to be taken for the next request
    return response


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a multipart body once more than the limit has arrived, whatever it declared."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > limit():
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
