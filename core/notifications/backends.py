"""Delivery backends. A real SMS gateway is one more class with a `send(notification)` method,
named by the NOTIFICATION_BACKEND setting; raising from `send` leaves the message pending."""

import json
import logging
from typing import ClassVar

from django.conf import settings

from core.redact import mask_mobile, redact_mobiles

logger = logging.getLogger("core.notifications")


class ConsoleBackend:
    """Development's "gateway": one log line per message, the customer's number masked."""

    def send(self, notification) -> None:
        text = redact_mobiles(f"{notification.subject} {notification.body}")
        logger.info("[%s] to %s: %s", notification.channel, mask_mobile(notification.recipient), text)


class FileBackend:
    """Appends one JSON line per message: the demo's stand-in for an SMS gateway."""

    def send(self, notification) -> None:
        line = {
            "id": notification.pk,
            "channel": notification.channel,
            "recipient": notification.recipient,
            "subject": notification.subject,
            "body": notification.body,
        }
        with open(settings.NOTIFICATION_FILE_PATH, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


class MemoryBackend:
    """For tests: what was sent, in order."""

    outbox: ClassVar[list] = []

    def send(self, notification) -> None:
        MemoryBackend.outbox.append(notification)
