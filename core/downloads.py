"""Stored files handed to a user: always a download, never rendered as a page of the portal."""

from django.http import FileResponse


def private_download(handle, *, filename: str, content_type: str) -> FileResponse:
    """A file from storage as an attachment, with the given (checked) type and nothing to sniff.

    The caller decides who may have the file; uploads are never served from MEDIA_URL. The
    sandbox policy keeps even a browser that ignores the disposition from running anything.
    """
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
