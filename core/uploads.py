"""Uploads are capped before they are read (issue #13).

Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only against a body's non-file fields: a 40 MB file
was streamed to a temporary file in full before the form refused it. Here a multipart request is
refused with 413 when its Content-Length already exceeds the limit of the view it is for (nothing
of the body is read), and otherwise parsed through LimitedUploadHandler, which stops reading as
soon as the files pass the limit (a body without an honest length, e.g. chunked).

A view that takes files names its limit with `@upload_limit("SETTING_NAME")`; any other URL gets
UPLOAD_MAX_BYTES, the largest file any form takes (a recall's VIN list, also through the admin).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# Room for the form's other fields and the multipart boundaries around the files.
FORM_OVERHEAD_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def upload_limit(setting_name: str):
    """Mark a view as taking files of at most `settings.<setting_name>` bytes (read per request)."""

    def mark(view):
        view.upload_limit_setting = setting_name
        return view

    return mark


def files_limit(request) -> int:
    """The bytes of files that the view `request` is for may take."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        view = None
    return getattr(settings, getattr(view, "upload_limit_setting", "UPLOAD_MAX_BYTES"))


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: stops the parser once the files pass `max_bytes` in total."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=True)  # read no further
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_large(limit: int) -> HttpResponse:
    message = _("The upload is too large: files may have at most %(mb)s MB in all.") % {"mb": f"{limit / 2**20:g}"}
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


class UploadLimitMiddleware:
    """Before anything reads the body (the NUL check, CSRF): refuse or cap oversized uploads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS and request.content_type == "multipart/form-data":
            limit = files_limit(request)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + FORM_OVERHEAD_BYTES:
                return too_large(limit)
            handler = LimitedUploadHandler(request, max_bytes=limit)
            request.upload_handlers.insert(0, handler)
            request.POST  # noqa: B018 - parse now, through the handler, while a refusal is still clean
            if handler.exceeded:
                return too_large(limit)
        return self.get_response(request)
