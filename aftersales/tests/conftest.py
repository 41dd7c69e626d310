import pytest

from aftersales.tests.factories import VehicleFactory, make_ticket


@pytest.fixture
def vehicle(store):
    return VehicleFactory(store=store)


@pytest.fixture
def ticket(store, vehicle):
    return make_ticket(store=store, vehicle=vehicle, summary="刹车异响")


@pytest.fixture
def other_ticket(other_store):
    return make_ticket(store=other_store, summary="其他门店的工单")
