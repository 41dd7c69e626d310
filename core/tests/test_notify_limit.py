"""A limit of messages under one key (one number, one day): kept by the database's unique key."""

import threading

import pytest
from django.db import connection, connections

from core.models import Notification
from core.notifications import notify_within_limit


def _message(n: int) -> dict:
    return {"channel": "sms", "recipient": "13912340001", "body": f"message {n}"}


@pytest.mark.django_db
def test_messages_beyond_the_limit_are_not_queued():
    queued = [notify_within_limit(limit_key="t:13912340001:20261204", limit=2, **_message(n)) for n in range(4)]
    assert [q is not None for q in queued] == [True, True, False, False]
    assert notify_within_limit(limit_key="t:13912340001:20261205", limit=2, **_message(5)) is not None
    assert Notification.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent sessions")
def test_concurrent_senders_stay_within_the_limit():
    barrier = threading.Barrier(6)
    outcomes = []

    def send(n: int) -> None:
        try:
            barrier.wait()
            outcomes.append(notify_within_limit(limit_key="race:13912340001", limit=3, **_message(n)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(o is not None for o in outcomes) == 3 == Notification.objects.count()
