"""Fixtures of the tests that run real processes (tests/worker, tests/faults)."""

import pytest


@pytest.fixture
def through_the_broker():
    """Tests run tasks eagerly; these must send them through Redis to a real worker."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
