import pytest
from django.db import transaction
from django.utils import translation


@pytest.fixture
def english(settings):
    """Pages and messages in the source language, as the tests assert them."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def rollback(db):
    """Each hypothesis example in a savepoint rolled back afterwards: examples never see each other."""

    class Rollback:
        def __enter__(self):
            self._atomic = transaction.atomic()
            self._atomic.__enter__()

        def __exit__(self, *exc):
            transaction.set_rollback(True)
            self._atomic.__exit__(*exc)
            return False

    return Rollback
