import pytest
from django.utils import translation

from sales.tests.factories import CarModelFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in the source language; the Chinese catalogue comes later."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def car_model(db):
    return CarModelFactory(code="GC-M7", price_cny=239900)
