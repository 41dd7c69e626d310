"""A notification backend for the fault tests: slow (so a worker is caught mid-task), one JSON line
per message sent, with the message id, so duplicates show."""

import json
import time

from django.conf import settings


class SlowFileBackend:
    def send(self, notification) -> None:
        time.sleep(0.1)
        with open(settings.NOTIFICATION_FILE_PATH, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"id": notification.pk, "recipient": notification.recipient}) + "\n")
