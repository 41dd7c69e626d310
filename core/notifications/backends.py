"""Delivery backends. A real SMS gateway is one more class with a `send(notification)` method,
named by the NOTIFICATION_BACKEND setting; raising from `send` leaves the message pending."""

import json
from typing import ClassVar

from django.conf import settings


class ConsoleBackend:
    def send(self, notification) -> None:
        print(f"[{notification.channel}] to {notification.recipient}: {notification.subject} {notification.body}")  # noqa: T201


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
