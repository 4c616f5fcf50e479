"""The 500 page (handler500), and its one exception: a database that cannot be reached is a 503, not a fault.

Both are rendered with no request and no context processor (nothing here may need the database that may be
gone), and show the request's id (bizenv/web/logs.py), which the log's lines for it carry too.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

from .logs import request_id

RETRY_SECONDS = 10


def server_error(request):
    error = sys.exc_info()[1]  # Django calls handler500 inside its except block
    if isinstance(error, (OperationalError, InterfaceError)):
        html = loader.get_template("503.html").render({"request_id": request_id(), "retry": RETRY_SECONDS})
        return HttpResponse(html, status=503, headers={"Retry-After": str(RETRY_SECONDS)})
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id()}))
