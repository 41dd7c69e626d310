"""Stored files handed to a user: always a download, never rendered as a page of the portal."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as an attachment, with the given (checked) type and nothing to sniff.

    The caller decides who may have the file; uploads are never served from MEDIA_URL. The
    sandbox policy keeps even a browser that ignores the disposition from running anything.
    A file gone from storage answers 404, as a record that does not exist.
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
