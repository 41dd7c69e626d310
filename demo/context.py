"""What the activity generators need to know about the network, read once from the database."""

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from aftersales.models import SlaPolicy
from sales.models import CarModel
from stores.models import Membership, Role, Store

from .cities import load_cities
from .network import CATALOGUE, DEMO_STORE
from .plan import Plan

UTC = dt.UTC
# Used only when the SLA policy table is empty (its data migration normally fills it).
DEFAULT_SLA_HOURS = {"P1": (1, 4), "P2": (4, 24), "P3": (8, 72), "P4": (24, 168)}
AT_RISK_SHARE = 0.2


@dataclass
class StoreInfo:
    id: int
    code: str
    kind: str
    province: str
    city: str
    lat: float
    lng: float
    capabilities: str
    status: str
    demo_cars: int
    bays: int
    opens: int
    closes: int

    @property
    def active(self) -> bool:
        return self.status == Store.Status.ACTIVE

    def hours(self) -> list[int]:
        """Local hours whose whole slot lies within opening hours."""
        first = math.ceil(self.opens / 60)
        return [h for h in range(first, 24) if h * 60 + 60 <= self.closes]


@dataclass
class Context:
    plan: Plan
    rng: random.Random
    now: dt.datetime
    tz: ZoneInfo
    stores: list[StoreInfo]
    service: list[StoreInfo]
    service_cw: list[float]  # cumulative busyness weights over `service`
    partners_by_city: dict[tuple[str, str], list[StoreInfo]]
    service_by_city: dict[tuple[str, str], list[StoreInfo]]
    people_by_store: dict[int, list[int]]
    usernames: dict[int, str]
    models: list[CarModel]
    model_cw: list[float]
    sla: dict[tuple[str, str], tuple[int, int]]
    demo_store: StoreInfo | None
    store_by_id: dict[int, StoreInfo] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.tz).date()

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).astimezone(UTC)

    def pick_service(self) -> StoreInfo:
        return self.rng.choices(self.service, cum_weights=self.service_cw)[0]

    def person_at(self, store_id: int) -> int | None:
        people = self.people_by_store.get(store_id)
        return self.rng.choice(people) if people else None


def ensure_sla() -> dict[tuple[str, str], tuple[int, int]]:
    from aftersales.models import Kind

    if not SlaPolicy.objects.exists():
        for kind in Kind.values:
            for priority, (response, resolution) in DEFAULT_SLA_HOURS.items():
                SlaPolicy.objects.get_or_create(
                    kind=kind, priority=priority, defaults={"response_hours": response, "resolution_hours": resolution}
                )
    table = {
        (k, p): (r, s)
        for k, p, r, s in SlaPolicy.objects.values_list("kind", "priority", "response_hours", "resolution_hours")
    }
    for kind in Kind.values:
        for priority, hours in DEFAULT_SLA_HOURS.items():
            table.setdefault((kind, priority), hours)
    return table


def load_context(plan: Plan, *, seed: int = 11) -> Context:
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    tz = ZoneInfo(settings.TIME_ZONE)
    columns = ("id", "code", "kind", "province", "city", "lat", "lng", "capabilities", "status", "demo_cars", "bays",
               "opens_minute", "closes_minute")  # fmt: skip
    stores = [StoreInfo(*row) for row in Store.objects.order_by("id").values_list(*columns)]
    city_weight = {(c.province, c.name): c.weight for c in load_cities()}
    service = [s for s in stores if s.kind == Store.Kind.SERVICE]
    demo_store = next((s for s in service if s.code == DEMO_STORE), None)
    # Bigger cities are busier per store too; the demo logins' store is busier still.
    boost = 40.0 if plan.scale == "small" else 8.0
    weights = [
        rng.lognormvariate(0, 0.5)
        * city_weight.get((s.province, s.city), 1.0) ** 0.3
        * (boost if s is demo_store else 1.0)
        for s in service
    ]
    partners_by_city: dict[tuple[str, str], list[StoreInfo]] = {}
    service_by_city: dict[tuple[str, str], list[StoreInfo]] = {}
    for s in stores:
        target = service_by_city if s.kind == Store.Kind.SERVICE else partners_by_city
        target.setdefault((s.province, s.city), []).append(s)
    people_by_store: dict[int, list[int]] = {}
    for user_id, store_id in Membership.objects.filter(
        role__in=[Role.STAFF, Role.MANAGER], user__is_active=True
    ).values_list("user_id", "store_id"):
        people_by_store.setdefault(store_id, []).append(user_id)
    usernames = dict(get_user_model().objects.filter(membership__store__isnull=False).values_list("id", "username"))
    shares = {code: share for code, *_rest, share in CATALOGUE}
    models = list(CarModel.objects.order_by("code"))
    model_weights = [shares.get(m.code, 0.05) for m in models]
    return Context(
        plan=plan,
        rng=rng,
        now=now,
        tz=tz,
        stores=stores,
        service=service,
        service_cw=list(itertools.accumulate(weights)),
        partners_by_city=partners_by_city,
        service_by_city=service_by_city,
        people_by_store=people_by_store,
        usernames=usernames,
        models=models,
        model_cw=list(itertools.accumulate(model_weights)),
        sla=ensure_sla(),
        demo_store=demo_store,
        store_by_id={s.id: s for s in stores},
    )
