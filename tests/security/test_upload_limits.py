"""Uploads are capped before they are read: a 40 MB body is refused without being parsed, and a
body without an honest length stops being read once its files pass the limit (issue #13)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http.multipartparser import MultiPartParser
from django.utils import translation

from aftersales.models import Attachment
from core.uploads import LimitedUploadHandler, UploadLimitMiddleware

MB = 2**20
BOUNDARY = "BoUnDaRy"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes, made as it is read, counting what was read."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.consumed = head, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.consumed)
        start = self.consumed
        chunk = (self.head[start : start + n] if start < len(self.head) else b"").ljust(n, b"\x00")
        buffer[:n] = chunk
        self.consumed += n
        return n


def multipart_head(name: str = "file", filename: str = "big.png") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + PNG


def wsgi_post(path: str, stream: CountingStream, length: int) -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(length),
            "wsgi.input": stream,
        }
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def never_called(request):
    raise AssertionError("the view was reached")


@pytest.mark.parametrize("path", ["/aftersales/tickets/AS-2026-0000001/attachments/", "/aftersales/recalls/new/"])
def test_a_40_mb_upload_is_refused_with_413_before_its_body_is_read(path):
    stream = CountingStream(multipart_head(), 40 * MB)
    response = UploadLimitMiddleware(never_called)(wsgi_post(path, stream, 40 * MB))
    assert response.status_code == 413
    assert "The upload is too large" in response.content.decode()
    assert stream.consumed == 0


def test_an_attachment_over_its_limit_is_refused_before_reading_even_below_the_general_limit():
    stream = CountingStream(multipart_head(), 11 * MB)
    request = wsgi_post("/aftersales/tickets/AS-2026-0000001/attachments/", stream, 11 * MB)
    response = UploadLimitMiddleware(never_called)(request)
    assert response.status_code == 413
    assert "at most 10 MB" in response.content.decode()
    assert stream.consumed == 0


def test_the_handler_stops_reading_once_the_files_pass_the_limit_whatever_the_length_says():
    stream = CountingStream(multipart_head(), 40 * MB)
    handler = LimitedUploadHandler(max_bytes=1 * MB)
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(40 * MB)}
    _post, files = MultiPartParser(meta, stream, [handler]).parse()
    assert handler.exceeded
    assert not files
    assert stream.consumed < 2 * MB


def test_an_upload_within_the_limit_still_reaches_the_view(staff_client, ticket):
    response = staff_client.post(
        ticket.get_absolute_url() + "attachments/", {"file": SimpleUploadedFile("p.png", PNG, "image/png")}
    )
    assert response.status_code == 302
    assert Attachment.objects.get().size == len(PNG)


def test_an_attachment_over_the_limit_through_the_client_is_refused_and_nothing_is_kept(staff_client, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (200 * 1024), "image/png")
    response = staff_client.post(ticket.get_absolute_url() + "attachments/", {"file": big})
    assert response.status_code == 413
    assert not Attachment.objects.exists()


@pytest.fixture
def ticket(store):
    from tests.security.records import _ticket

    return _ticket(store)


def test_the_general_upload_limit_takes_the_largest_file_a_form_accepts():
    from django.conf import settings

    from aftersales.models import RecallCampaign

    assert settings.UPLOAD_MAX_BYTES >= RecallCampaign.VIN_LIST_MAX_BYTES
    assert settings.UPLOAD_MAX_BYTES >= settings.ATTACHMENT_MAX_BYTES
