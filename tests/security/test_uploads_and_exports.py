"""Uploads limited in size and type and never served as a page; CSV exports safe in a spreadsheet."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.models import Attachment, TicketEvent
from core.spreadsheet import safe_cell
from tests.hostile.strategies import NASTY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def ticket(store):
    from tests.security.records import _ticket

    return _ticket(store)


def upload(client, ticket, name, content, content_type):
    return client.post(
        ticket.get_absolute_url() + "attachments/", {"file": SimpleUploadedFile(name, content, content_type)}
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("page.html", b"<!doctype html><script>alert(1)</script>", "text/html"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("report.pdf", b"<html><body onload=alert(1)>not a pdf</body></html>", "application/pdf"),
        ("photo.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("empty.pdf", b"", "application/pdf"),
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"),
    ],
)
def test_upload_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_kept(
    staff_client, ticket, name, content, content_type, settings
):
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = upload(staff_client, ticket, name, content, content_type)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    stored = list((settings.MEDIA_ROOT).rglob("*")) if settings.MEDIA_ROOT.exists() else []
    assert not [p for p in stored if p.is_file()]


def test_upload_over_the_size_limit_is_refused(staff_client, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = upload(staff_client, ticket, "big.png", PNG + b"\x00" * 2048, "image/png")
    assert response.status_code == 413  # core.uploads stops reading the file (tests/security/test_upload_limits.py)
    assert not Attachment.objects.exists()


def test_request_bodies_are_capped():
    from django.conf import settings as django_settings

    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 16 * 1024 * 1024
    assert django_settings.ATTACHMENT_MAX_BYTES <= django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_download_is_always_an_attachment_never_a_page(staff_client, ticket):
    upload(staff_client, ticket, "<script>x</script>.png", PNG, "text/html")
    attachment = Attachment.objects.get()
    response = staff_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/png"  # the sniffed type, never the browser's claim
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "<script>" not in response["Content-Disposition"].split("filename")[0]


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.sampled_from(NASTY), st.text(max_size=30)))
def test_no_export_cell_starts_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell.lstrip("'") == text.lstrip("'") or cell == "'" + text


@pytest.mark.parametrize("summary", ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_ticket_export_neutralises_formulas_end_to_end(hq_client, store, summary):
    from aftersales.tests.factories import VehicleFactory, make_ticket

    make_ticket(store=store, vehicle=VehicleFactory(store=store), summary=summary)
    response = hq_client.get("/aftersales/tickets/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert "'" + summary in cells or "'" + summary.strip() in cells  # the service trims the summary
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize(
    ("name", "content", "filename"),
    [
        ("poly.html", PNG, "poly.png"),
        ("report.exe", b"%PDF-1.7\n" + b"\x00" * 32, "report.pdf"),
        ("photo", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "photo.jpg"),
        ("scan.PDF.html", b"%PDF-1.7\n" + b"\x00" * 32, "scan.PDF.pdf"),
        (".html", PNG, "file.png"),
    ],
)
def test_download_is_named_by_its_detected_type_not_its_uploaded_extension(
    staff_client, ticket, name, content, filename
):
    upload(staff_client, ticket, name, content, "text/html")
    attachment = Attachment.objects.get()
    response = staff_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == attachment.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_media_is_not_served_even_with_debug_on(settings):
    import importlib

    from django.urls import Resolver404, clear_url_caches, resolve

    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        for path in ("/media/recalls/page.html", "/media/attachments/2026/12/x.png"):
            with pytest.raises(Resolver404):
                resolve(path)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_admin_links_an_attachment_through_the_scoped_view_not_the_media_url(hq_client, ticket):
    from django.urls import reverse

    upload(hq_client, ticket, "photo.png", PNG, "image/png")
    attachment = Attachment.objects.get()
    page = hq_client.get(reverse("admin:aftersales_attachment_change", args=[attachment.pk])).content.decode()
    assert attachment.get_absolute_url() in page
    assert "/media/" not in page
