"""One notification service: write to the outbox now, deliver after commit through a backend."""

from .service import deliver_pending, notify, notify_many, notify_within_limit

__all__ = ["deliver_pending", "notify", "notify_many", "notify_within_limit"]
