import datetime as dt
import itertools

import factory
from django.utils import timezone

from sales.models import CarModel, Customer, Order, TestDrive, Vehicle
from sales.vin import check_digit
from stores.tests.factories import StoreFactory

_serial = itertools.count(100000)


def make_vin(prefix: str = "LGC") -> str:
    """A VIN with a correct check digit: WMI + VDS + check + year + plant + serial."""
    body = f"{prefix:<3.3}{'AB12C'}0S8{next(_serial):06d}"
    return body[:8] + check_digit(body) + body[9:]


def local_slot(days: int = 1, hour: int = 10) -> dt.datetime:
    """An aware local hour slot `days` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


class CarModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarModel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GC-M{n:03d}")
    name = "好车 M7"
    trim = "长续航版"
    price_cny = 239900
    battery_kwh = 90
    range_km = 620
    swappable = True
    service_months = 12
    service_km = 20000


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("phone",)

    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    city = "广州市"


class VehicleFactory(factory.django.DjangoModelFactory):
    """The one vehicle factory: by default a car delivered 60 days ago (by the test clock) to an
    owner, with 12,000 km, which no maintenance plan of the catalogue has made due yet; any other
    status gives a car with no owner, no delivery date and 0 km."""

    class Meta:
        model = Vehicle

    class Params:
        is_delivered = factory.LazyAttribute(lambda v: v.status == Vehicle.Status.DELIVERED)

    vin = factory.LazyFunction(make_vin)
    model = factory.SubFactory(CarModelFactory)
    color = "白色"
    status = Vehicle.Status.DELIVERED
    store = factory.SubFactory(StoreFactory)
    owner = factory.Maybe("is_delivered", factory.SubFactory(CustomerFactory), None)
    delivered_on = factory.Maybe(
        "is_delivered", factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60)), None
    )
    mileage_km = factory.Maybe("is_delivered", 12_000, 0)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"SO-2026-{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    model = factory.SubFactory(CarModelFactory)
    store = factory.SubFactory(StoreFactory)
    price_cny = 239900


class TestDriveFactory(factory.django.DjangoModelFactory):
    __test__ = False  # not a test class, whatever pytest thinks of the name

    class Meta:
        model = TestDrive

    customer = factory.SubFactory(CustomerFactory)
    model = factory.SubFactory(CarModelFactory)
    store = factory.SubFactory(StoreFactory)
    slot_start = factory.LazyFunction(local_slot)
    status = TestDrive.Status.ASSIGNED
