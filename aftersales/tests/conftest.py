import pytest

from aftersales.tests.factories import VehicleFactory


@pytest.fixture
def vehicle(store):
    return VehicleFactory(store=store)
