"""Photos and documents on a ticket: checked by content, size-limited, kept in Django's storage."""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Attachment, Ticket, TicketEvent
from aftersales.services.tickets import ticket_add_event
from stores.policy import require

# What the first bytes of a file say it is; the name and the browser's claim are not trusted.
ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}


def sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _display_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "file"
    return "".join(c for c in base if c.isprintable())[:200]


@transaction.atomic
def attachment_add(*, ticket: Ticket, upload: UploadedFile, actor) -> Attachment:
    """Keep an uploaded photo or PDF on the ticket and record it in the history (not on a finished one)."""
    require(actor, "ticket.attach", ticket)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("A file may be at most %(mb)d MB.") % {"mb": limit // 2**20}}, code="too_large"
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({"file": _("Only JPEG, PNG or WebP photos and PDF documents may be attached.")})
    original = _display_name(upload.name)
    stored_name = f"{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type]}"
    attachment = Attachment(
        ticket=ticket,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(stored_name, upload, save=False)
    # The file is written before the row; if saving the row fails, remove the file again.
    try:
        attachment.save()
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
        ticket_add_event(
            ticket=ticket,
            kind=TicketEvent.Kind.ATTACHMENT,
            actor=actor,
            message=original,
            data={"attachment": attachment.pk, "content_type": content_type, "size": upload.size},
        )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
