"""The activity part of the demo: customers, vehicles, orders and test drives, as generated rows.

Everything is drawn from one seeded random generator, so a plan always gives the same data.
Ids are given here (after the table's current maximum), which lets rows refer to each other
before they are written and lets PostgreSQL's COPY load them.
"""

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

from django.db.models import Max

from sales.models import Customer, Order, TestDrive, Vehicle
from stores.models import SlotLoad

from . import names
from .context import Context

COLORS = (("珍珠白", 0.34), ("星空灰", 0.22), ("曜石黑", 0.18), ("极光蓝", 0.14), ("赤焰红", 0.07), ("薄荷绿", 0.05))
_COLOR_VALUES = tuple(c for c, _ in COLORS)
_COLOR_CUM = list(itertools.accumulate(w for _, w in COLORS))

CUSTOMER_COLUMNS = ("id", "name", "phone", "city", "created_at", "updated_at")
VEHICLE_COLUMNS = (
    "id", "vin", "model_id", "color", "status", "store_id", "owner_id", "delivered_on", "mileage_km",
    "last_service_on", "last_service_km", "last_service_store_id", "created_at", "updated_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "number", "customer_id", "model_id", "store_id", "vehicle_id", "status", "price_cny", "delivery_date",
    "delivered_at", "created_at", "updated_at",
)  # fmt: skip
TEST_DRIVE_COLUMNS = (
    "id", "customer_id", "model_id", "store_id", "slot_start", "status", "customer_lat", "customer_lng",
    "demo_vehicle_id", "dispatch_note", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
SLOT_COLUMNS = ("store_id", "starts_at", "resource", "capacity", "booked")


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


@dataclass
class Customers:
    base_id: int
    home: list[int]  # index into ctx.service, per customer
    by_store: dict[int, list[int]] = field(default_factory=dict)  # service index -> customer ids


def customer_rows(ctx: Context, customers: Customers):
    rng, now = ctx.rng, ctx.now
    existing = set(Customer.objects.values_list("phone", flat=True)) if Customer.objects.exists() else set()
    phone_index = 0
    for offset, home in enumerate(customers.home):
        phone = names.mobile(phone_index)
        while phone in existing:
            phone_index += 1
            phone = names.mobile(phone_index)
        phone_index += 1
        created = now - dt.timedelta(days=rng.random() * ctx.plan.history_days + 30)
        yield (customers.base_id + offset, names.person_name(rng), phone, ctx.service[home].city, created, created)


def plan_customers(ctx: Context) -> Customers:
    n = ctx.plan.customers
    home = ctx.rng.choices(range(len(ctx.service)), cum_weights=ctx.service_cw, k=n)
    customers = Customers(base_id=next_id(Customer), home=home)
    for offset, h in enumerate(home):
        customers.by_store.setdefault(h, []).append(customers.base_id + offset)
    return customers


@dataclass
class Fleet:
    """Vehicles in id order: the delivered ones first, oldest delivery first, then the rest."""

    base_id: int
    store: list[int] = field(default_factory=list)  # store id
    owner: list[int | None] = field(default_factory=list)
    model: list[int] = field(default_factory=list)  # index into ctx.models
    status: list[str] = field(default_factory=list)
    age: list[float] = field(default_factory=list)  # days since delivery (delivered vehicles)
    km_per_day: list[float] = field(default_factory=list)
    n_delivered: int = 0
    demo_by_store: dict[int, list[int]] = field(default_factory=dict)  # store id -> vehicle ids
    last_service_age: dict[int, tuple[float, int]] = field(default_factory=dict)  # position -> (age days, store)

    def add(self, store: int, owner, model: int, status: str, age: float = -1.0, km_per_day: float = 0.0) -> int:
        self.store.append(store)
        self.owner.append(owner)
        self.model.append(model)
        self.status.append(status)
        self.age.append(age)
        self.km_per_day.append(km_per_day)
        return self.base_id + len(self.store) - 1


def plan_fleet(ctx: Context, customers: Customers, n_allocated: int) -> tuple[Fleet, list[tuple[int, int, int]]]:
    """The fleet, and the vehicles set aside for live orders as (vehicle id, store id, customer id)."""
    rng, plan = ctx.rng, ctx.plan
    fleet = Fleet(base_id=next_id(Vehicle))
    total = plan.vehicles
    demo_stores = [s for s in ctx.service if s.active and "test_drive" in s.capabilities and s.demo_cars]
    n_demo = min(sum(s.demo_cars for s in demo_stores), total // 8)
    n_stock, n_transit = round(total * 0.04), round(total * 0.01)
    n_delivered = max(total - n_demo - n_stock - n_transit - n_allocated, 1)
    models = range(len(ctx.models))
    # Deliveries grow over the years: the density of ages falls linearly to zero at the horizon.
    ages = sorted((plan.history_days * (1 - math.sqrt(rng.random())) + 0.5 for _ in range(n_delivered)), reverse=True)
    owners = rng.choices(range(len(customers.home)), k=n_delivered)
    chosen_models = rng.choices(models, cum_weights=ctx.model_cw, k=len(ages) + total)
    for i, (age, owner) in enumerate(zip(ages, owners, strict=True)):
        home = customers.home[owner]
        store = ctx.service[home] if rng.random() < 0.92 else ctx.pick_service()
        fleet.add(
            store.id, customers.base_id + owner, chosen_models[i], Vehicle.Status.DELIVERED, age, rng.uniform(15, 70)
        )
    fleet.n_delivered = len(fleet.store)
    # Demo cars round-robin (every store its first car before any its second) up to an eighth of the fleet.
    taken = 0
    for round_ in range(max((s.demo_cars for s in demo_stores), default=0)):
        for store in demo_stores:
            if round_ < store.demo_cars and taken < n_demo:
                vehicle_id = fleet.add(store.id, None, chosen_models[len(fleet.store)], Vehicle.Status.DEMO)
                fleet.demo_by_store.setdefault(store.id, []).append(vehicle_id)
                taken += 1
    for status, count in ((Vehicle.Status.IN_STOCK, n_stock), (Vehicle.Status.IN_TRANSIT, n_transit)):
        for _ in range(count):
            fleet.add(ctx.pick_service().id, None, chosen_models[len(fleet.store)], status)
    allocated = []
    for _ in range(n_allocated):
        home = rng.choices(range(len(ctx.service)), cum_weights=ctx.service_cw)[0]
        customer = _buyer(rng, customers, home)
        status = Vehicle.Status.RESERVED if rng.random() < 0.6 else Vehicle.Status.SOLD
        vehicle_id = fleet.add(ctx.service[home].id, None, chosen_models[len(fleet.store)], status)
        allocated.append((vehicle_id, ctx.service[home].id, customer))
    return fleet, allocated


def vehicle_rows(ctx: Context, fleet: Fleet):
    rng, now, today = ctx.rng, ctx.now, ctx.today
    vin_base = Vehicle.objects.count()
    for pos, store_id in enumerate(fleet.store):
        model = ctx.models[fleet.model[pos]]
        status = fleet.status[pos]
        age = fleet.age[pos]
        if status == Vehicle.Status.DELIVERED:
            delivered_on = today - dt.timedelta(days=int(age))
            mileage = int(age * fleet.km_per_day[pos])
            created = now - dt.timedelta(days=age + rng.uniform(10, 40))
            last = fleet.last_service_age.get(pos)
            if last:
                service_age, service_store = last
                last_on = today - dt.timedelta(days=int(service_age))
                last_km = int((age - service_age) * fleet.km_per_day[pos])
            else:
                last_on = last_km = service_store = None
            year = delivered_on.year
        else:
            delivered_on = last_on = last_km = service_store = None
            mileage = rng.randint(800, 6000) if status == Vehicle.Status.DEMO else rng.randint(0, 30)
            created = now - dt.timedelta(days=rng.uniform(1, 120))
            year = today.year
        yield (
            fleet.base_id + pos, names.vin(vin_base + pos, model.code, year), model.id,
            rng.choices(_COLOR_VALUES, cum_weights=_COLOR_CUM)[0], status, store_id, fleet.owner[pos], delivered_on, mileage,
            last_on, last_km, service_store, created, now - dt.timedelta(hours=rng.uniform(0, 48)),
        )  # fmt: skip


def order_rows(ctx: Context, customers: Customers, fleet: Fleet, allocated, n_orders: int, counters: dict[int, int]):
    """Delivered orders for a sample of deliveries, live ones (allocated, paid, reserved), some cancelled."""
    rng, now, today = ctx.rng, ctx.now, ctx.today
    n_live = min(len(allocated) * 3, n_orders // 3)
    n_delivered = min(max(n_orders - n_live, 0), fleet.n_delivered)
    orders = []  # (created, customer, model index, store, vehicle, status, price, delivery_date, delivered_at)
    for pos in sorted(rng.sample(range(fleet.n_delivered), n_delivered)):
        age = fleet.age[pos]
        day = today - dt.timedelta(days=int(age))
        created = ctx.local(day, 10) - dt.timedelta(days=rng.uniform(14, 60))
        delivered_at = ctx.local(day, rng.randint(10, 17), rng.choice((0, 15, 30, 45)))
        model = ctx.models[fleet.model[pos]]
        price = model.price_cny - rng.choice((0, 0, 0, 2000, 5000, 8000))
        orders.append((created, fleet.owner[pos], fleet.model[pos], fleet.store[pos], fleet.base_id + pos,
                       Order.Status.DELIVERED, price, day, delivered_at))  # fmt: skip
    for vehicle_id, store_id, customer in allocated:
        pos = vehicle_id - fleet.base_id
        created = now - dt.timedelta(days=rng.uniform(3, 40))
        delivery = today + dt.timedelta(days=rng.randint(0, 21))
        price = ctx.models[fleet.model[pos]].price_cny
        orders.append(
            (created, customer, fleet.model[pos], store_id, vehicle_id, Order.Status.ALLOCATED, price, delivery, None)
        )
    for _ in range(max(n_orders - len(orders), 0)):
        home = rng.choices(range(len(ctx.service)), cum_weights=ctx.service_cw)[0]
        store = ctx.service[home]
        model = rng.choices(range(len(ctx.models)), cum_weights=ctx.model_cw)[0]
        status = rng.choices((Order.Status.RESERVED, Order.Status.PAID, Order.Status.CANCELLED), (0.45, 0.4, 0.15))[0]
        created = now - dt.timedelta(days=rng.uniform(0.1, 90 if status == Order.Status.CANCELLED else 30))
        delivery = None if status == Order.Status.CANCELLED else today + dt.timedelta(days=rng.randint(7, 45))
        customer = _buyer(rng, customers, home)
        orders.append((created, customer, model, store.id, None, status, ctx.models[model].price_cny, delivery, None))
    orders.sort(key=lambda o: o[0])
    base = next_id(Order)
    for offset, (created, customer, model, store_id, vehicle_id, status, price, delivery, delivered_at) in enumerate(
        orders
    ):
        year = created.astimezone(ctx.tz).year
        counters[year] = counters.get(year, 0) + 1
        updated = delivered_at or created
        yield (base + offset, f"SO-{year}-{counters[year]:07d}", customer, ctx.models[model].id, store_id, vehicle_id,
               status, price, delivery, delivered_at, created, updated)  # fmt: skip


Status = TestDrive.Status
# A drive with a demo car: what confirming (or completing) a booking picks in the live service.
WITH_CAR = (Status.ASSIGNED, Status.CONFIRMED, Status.COMPLETED)


def take_slot(slots: dict, store_id: int, start: dt.datetime, capacity: int) -> int | None:
    """Take one unit in the slot, as stores.capacity.book does for live work: the unit's index
    (0 for the first taken), or None when the slot is full. `slots` becomes the SlotLoad rows."""
    held = slots.get((store_id, start), 0)
    if held >= capacity:
        return None
    slots[(store_id, start)] = held + 1
    return held


def _demo_car(cars: list[int] | None, unit: int | None, status: str) -> int | None:
    """The slot's `unit`-th demo car: never two drives of one hour in the same car."""
    if not cars or unit is None or unit >= len(cars) or status not in WITH_CAR:
        return None
    return cars[unit]


def _buyer(rng, customers: Customers, home: int) -> int:
    buyers = customers.by_store.get(home)
    return rng.choice(buyers) if buyers else customers.base_id + rng.randrange(len(customers.home))


def _drive_slot(ctx: Context, store, slots: dict, *, upcoming: bool, holds: bool) -> dt.datetime | None:
    """A slot on a drawn day, in the future for an upcoming drive, with a demo car free when the
    drive holds one (a cancelled drive gave its car back); None after six full tries."""
    rng, today = ctx.rng, ctx.today
    if upcoming:
        day = today + dt.timedelta(days=min(int(rng.expovariate(0.25)), 20))
    else:
        day = today - dt.timedelta(days=1 + int(rng.random() * min(ctx.plan.history_days, 365)))
    for _try in range(6):
        candidate = ctx.local(day, rng.choice(store.hours()))
        if upcoming and candidate <= ctx.now:
            continue
        if not holds or slots.get((store.id, candidate), 0) < store.demo_cars:
            return candidate
    return None


def test_drive_rows(ctx: Context, customers: Customers, fleet: Fleet, slots: dict, n: int):
    """Past drives (completed, no-shows, cancelled) and upcoming ones within each store's demo cars.

    Every drive at a store but a cancelled one holds a demo car in its slot (`take_slot`), past
    ones included, as the live service leaves them; `slots` collects them for the SlotLoad rows.
    """
    rng, now = ctx.rng, ctx.now
    stores = [i for i, s in enumerate(ctx.service) if "test_drive" in s.capabilities and s.demo_cars and s.hours()]
    if not stores:
        return
    weights = [ctx.service_cw[i] - (ctx.service_cw[i - 1] if i else 0) for i in stores]
    picks = rng.choices(stores, cum_weights=list(itertools.accumulate(weights)), k=n)
    base = next_id(TestDrive)
    standing = set()
    for offset, home in enumerate(picks):
        store = ctx.service[home]
        upcoming = rng.random() < 0.15
        if upcoming and not store.active:
            continue
        customer = _buyer(rng, customers, home)
        model = ctx.models[rng.choices(range(len(ctx.models)), cum_weights=ctx.model_cw)[0]]
        if upcoming:
            status = rng.choices((Status.REQUESTED, Status.ASSIGNED, Status.CONFIRMED), (0.2, 0.3, 0.5))[0]
        else:
            status = rng.choices((Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED), (0.72, 0.1, 0.18))[0]
        store_id, lat, lng, note = store.id, None, None, {}
        if status == Status.REQUESTED and rng.random() < 0.1:
            # Asked for online with the customer's position: waits for dispatch_test_drives.
            store_id, lat, lng = None, store.lat + rng.uniform(-0.05, 0.05), store.lng + rng.uniform(-0.05, 0.05)
            note = {"requested_via": "storefront"}
        holds = store_id is not None and status != Status.CANCELLED
        slot = _drive_slot(ctx, store, slots, upcoming=upcoming, holds=holds)
        key = (customer, store_id, model.id, slot)
        if slot is None or (holds and upcoming and key in standing):
            continue
        unit = None
        if holds:
            standing.add(key)
            unit = take_slot(slots, store.id, slot, store.demo_cars)
        if upcoming:
            created = updated = now - dt.timedelta(hours=rng.uniform(1, 24 * 7))
        else:
            created = slot - dt.timedelta(days=rng.uniform(0.5, 10))
            updated = min(max(slot + dt.timedelta(hours=1), created), now)
        yield (base + offset, customer, model.id, store_id, slot, status, lat, lng,
               _demo_car(fleet.demo_by_store.get(store_id), unit, status), note, ctx.person_at(store_id),
               created, updated)  # fmt: skip


def demo_today_rows(ctx: Context, buyers: list[int], demo_cars: list[int], slots: dict, first_id: int):
    """Test drives at the demo logins' store today: done earlier today, coming later today, tomorrow.

    Each holds a demo car in its slot, the ones already done included.
    """
    store = ctx.demo_store
    if store is None or not store.hours():
        return
    rng, now, today = ctx.rng, ctx.now, ctx.today
    offset = 0
    for day in (today, today + dt.timedelta(days=1)):
        for hour in store.hours():
            slot = ctx.local(day, hour)
            for _ in range(rng.choice((0, 1, 1, 2))):
                unit = take_slot(slots, store.id, slot, store.demo_cars)
                if unit is None:
                    break
                if slot + dt.timedelta(hours=1) <= now:
                    status = rng.choices((Status.COMPLETED, Status.NO_SHOW), (0.85, 0.15))[0]
                else:
                    status = rng.choices((Status.REQUESTED, Status.ASSIGNED, Status.CONFIRMED), (0.2, 0.3, 0.5))[0]
                created = min(slot, now) - dt.timedelta(days=rng.uniform(0.2, 5))
                model = ctx.models[rng.choices(range(len(ctx.models)), cum_weights=ctx.model_cw)[0]]
                yield (first_id + offset, rng.choice(buyers), model.id, store.id, slot, status, None, None,
                       _demo_car(demo_cars, unit, status), {}, ctx.person_at(store.id), created, created)  # fmt: skip
                offset += 1


def slot_rows(ctx: Context, slots: dict, resource: str):
    for (store_id, starts_at), booked in sorted(slots.items(), key=lambda item: (item[0][0], item[0][1])):
        store = ctx.store_by_id[store_id]
        capacity = store.demo_cars if resource == SlotLoad.Resource.DEMO_CAR else store.bays
        yield (store_id, starts_at, resource, capacity, booked)
