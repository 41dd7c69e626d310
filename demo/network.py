"""The network part of the demo: catalogue, stores and partner shops, people and demo logins."""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from sales.models import CarModel
from stores.models import Membership, Role, Store

from . import names
from .cities import City, jitter, load_cities, stores_per_city
from .plan import Plan

DEMO_PASSWORD = "Goodcar-demo-2026"  # noqa: S105 (printed for the demo on purpose)
DEMO_STORE = "JD-BJ-0001"
UNUSABLE_PASSWORD = "!demo-seeded-user"  # noqa: S105 (an unusable hash: no login until one is set)

# (code, name, trim, price, kWh, range km, swappable, service months, service km, share of sales)
CATALOGUE = (
    ("GNC-A5", "国民好车", "标准续航版", 119_800, "60.5", 500, True, 6, 10_000, 0.45),
    ("GNC-A5-LR", "国民好车", "长续航版", 139_800, "75.0", 620, True, 12, 20_000, 0.30),
    ("GNC-S7", "国民好车S7", "四驱性能版", 189_800, "90.0", 650, True, 12, 20_000, 0.15),
    ("GNC-M3", "国民好车mini", "城市版", 69_800, "35.0", 330, False, 6, 10_000, 0.10),
)

# Regional managers' province groups; the first is the demo login's.
REGIONS = (
    ("regional", "华北", ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区")),
    ("regional-db", "东北", ("辽宁省", "吉林省", "黑龙江省")),
    ("regional-hd", "华东", ("上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省")),
    ("regional-hz", "华中", ("河南省", "湖北省", "湖南省")),
    ("regional-hn", "华南", ("广东省", "广西壮族自治区", "海南省")),
    ("regional-xn", "西南", ("重庆市", "四川省", "贵州省", "云南省", "西藏自治区")),
    ("regional-xb", "西北", ("陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区")),
)

# One login per role (username, role, what it shows); all use DEMO_PASSWORD.
DEMO_LOGINS = (
    ("staff", Role.STAFF, f"store staff at {DEMO_STORE}"),
    ("manager", Role.MANAGER, f"store manager at {DEMO_STORE}"),
    ("regional", Role.REGIONAL, "regional manager, 华北: " + "|".join(REGIONS[0][2])),
    ("hq", Role.HQ, "HQ (may use the Django admin)"),
    ("admin", None, "superuser (Django admin)"),
)

# The rows of the sample store feed (/work/shared/feeds), so that syncing it changes nothing odd.
SAMPLE_STORES = {
    "JD-BJ-0001": {"name": "京东汽车服务中心(北京亦庄店)", "district": "大兴区", "address": "经海路18号", "lat": 39.7953,
                       "lng": 116.5060, "phone": "010-67891234", "bays": 10, "demo_cars": 3, "opens": 510, "closes": 1200},
    "JD-GZ-0002": {"name": "京东汽车服务中心(广州天河店)", "district": "天河区", "address": "黄埔大道西100号", "lat": 23.1291,
                       "lng": 113.3245, "phone": "13800138000", "bays": 8, "demo_cars": 2, "opens": 540, "closes": 1260,
                       "capabilities": "sales|test_drive|delivery|maintenance|repair"},
    "PT-SZ-0001": {"name": "速修养车(深圳南山店)", "district": "南山区", "address": "科技园路5号", "lat": 22.5405, "lng": 113.9530,
                       "phone": "13912345678", "bays": 3, "demo_cars": 0, "opens": 480, "closes": 1140, "capabilities": "maintenance|tyres"},
    "PT-CD-0007": {"name": "蓉城快保(成都武侯店)", "district": "武侯区", "address": "人民南路四段9号", "lat": 30.6311, "lng": 104.0735,
                       "phone": "028-85551234", "bays": 4, "demo_cars": 0, "opens": 510, "closes": 1110,
                       "capabilities": "maintenance|repair|bodywork", "status": "suspended"},
}  # fmt: skip

SERVICE_CAPABILITIES = (
    ("sales|test_drive|delivery|maintenance|repair|battery", 0.80),
    ("sales|test_drive|delivery|maintenance|repair", 0.12),
    ("sales|delivery|maintenance|repair|battery", 0.08),
)
SERVICE_HOURS = (((510, 1200), 0.72), ((540, 1260), 0.18), ((480, 1080), 0.08), ((0, 1440), 0.02))
PARTNER_HOURS = (((510, 1200), 0.6), ((480, 1080), 0.15), ((540, 1140), 0.15), ((510, 1290), 0.07), ((0, 1440), 0.03))

STORE_COLUMNS = (
    "code", "kind", "name", "province", "city", "district", "address", "lat", "lng", "phone", "capabilities",
    "bays", "demo_cars", "opens_minute", "closes_minute", "status", "created_at", "updated_at",
)  # fmt: skip


def _pick(rng: random.Random, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def ensure_catalogue() -> dict[str, CarModel]:
    models = {}
    for code, name, trim, price, kwh, range_km, swappable, months, km, _share in CATALOGUE:
        models[code], _ = CarModel.objects.get_or_create(
            code=code,
            defaults={"name": name, "trim": trim, "price_cny": price, "battery_kwh": kwh, "range_km": range_km,
                          "swappable": swappable, "service_months": months, "service_km": km},
        )  # fmt: skip
    return models


@dataclass
class _Namer:
    """Store names unique within a city: the district first, then a road, then an ordinal."""

    used: set

    def take(self, candidates: list[str]) -> str:
        for name in candidates:
            if name not in self.used:
                self.used.add(name)
                return name
        base = candidates[-1]
        n = 2
        while f"{base[:-2]}{names.ordinal(n)}店)" in self.used:
            n += 1
        name = f"{base[:-2]}{names.ordinal(n)}店)"
        self.used.add(name)
        return name


def _store_row(rng: random.Random, city: City, kind: str, number: int, namer: _Namer, now: dt.datetime) -> tuple:
    prefix = "JD" if kind == Store.Kind.SERVICE else "PT"
    code = f"{prefix}-{city.code}-{number:04d}"
    district = rng.choice(city.districts) if city.districts else ""
    place = city.short + names.district_short(district)
    road = names.road(rng)
    address = f"{road}{rng.randint(1, 999)}号"
    lat, lng = jitter(rng, city)
    created = now - dt.timedelta(days=rng.randint(30, 1500), minutes=rng.randint(0, 1439))
    if kind == Store.Kind.SERVICE:
        brand = "京东汽车服务中心"
        capabilities = _pick(rng, SERVICE_CAPABILITIES)
        bays = rng.randint(4, 12)
        demo_cars = rng.randint(1, 4) if "test_drive" in capabilities else 0
        opens, closes = _pick(rng, SERVICE_HOURS)
        phone = names.landline(rng, city.area_code)
        status = _pick(rng, (("active", 0.98), ("suspended", 0.015), ("closed", 0.005)))
    else:
        brand = names.partner_brand(rng)
        extra = [
            c for c, p in (("repair", 0.7), ("tyres", 0.5), ("bodywork", 0.35), ("battery", 0.08)) if rng.random() < p
        ]
        capabilities = "|".join(
            c for c in ("maintenance", "repair", "battery", "bodywork", "tyres") if c == "maintenance" or c in extra
        )
        bays = rng.randint(1, 6)
        demo_cars = 0
        opens, closes = _pick(rng, PARTNER_HOURS)
        phone = (
            names.mobile(90_000_000 + rng.randrange(5_000_000))
            if rng.random() < 0.6
            else names.landline(rng, city.area_code)
        )
        status = _pick(rng, (("active", 0.95), ("suspended", 0.03), ("closed", 0.02)))
    name = namer.take([f"{brand}({place}店)", f"{brand}({place}{road}店)"])
    row = {"code": code, "kind": kind, "name": name, "province": city.province, "city": city.name, "district": district,
               "address": address, "lat": lat, "lng": lng, "phone": phone, "capabilities": capabilities, "bays": bays,
               "demo_cars": demo_cars, "opens": opens, "closes": closes, "status": status}  # fmt: skip
    row.update(SAMPLE_STORES.get(code, {}))
    return (row["code"], kind, row["name"], row["province"], row["city"], row["district"], row["address"],
            row["lat"], row["lng"], row["phone"], row["capabilities"], row["bays"], row["demo_cars"],
            row["opens"], row["closes"], row["status"], created, created)  # fmt: skip


def build_store_rows(plan: Plan, *, seed: int = 2026, now: dt.datetime | None = None) -> list[tuple]:
    """Every demo store as a row of STORE_COLUMNS: deterministic for a plan and seed."""
    rng = random.Random(seed)
    now = now or timezone.now().replace(microsecond=0)
    cities = load_cities()
    rows = []
    for kind, total in ((Store.Kind.SERVICE, plan.service_stores), (Store.Kind.PARTNER, plan.partner_stores)):
        namer = _Namer(set())
        for index, count in stores_per_city(total).items():
            for number in range(1, count + 1):
                rows.append(_store_row(rng, cities[index], kind, number, namer, now))
    return rows


def seed_stores(sink, plan: Plan) -> tuple[int, int]:
    """Insert the demo stores that are not there yet: (created, reused)."""
    rows = build_store_rows(plan)
    existing = set(Store.objects.values_list("code", flat=True))
    fresh = [row for row in rows if row[0] not in existing]
    if fresh:
        sink.write(Store, STORE_COLUMNS, fresh)
        sink.finish([Store])
    return len(fresh), len(rows) - len(fresh)


USER_COLUMNS = (
    "id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active",
    "date_joined",
)  # fmt: skip
MEMBERSHIP_COLUMNS = ("user_id", "role", "store_id", "phone", "provinces", "created_at", "updated_at")


def _person(rng: random.Random) -> tuple[str, str]:
    full = names.person_name(rng)
    return full[0], full[1:]


def seed_people(sink, plan: Plan) -> tuple[int, int]:
    """Store managers and staff, regional managers and HQ: (created, reused). No usable passwords."""
    rng = random.Random(7)
    now = timezone.now().replace(microsecond=0)
    User = get_user_model()
    service = list(
        Store.objects.filter(kind=Store.Kind.SERVICE, code__startswith="JD-").order_by("code").values_list("id", "code")
    )
    staffed = [s for s in service if s[1] != DEMO_STORE]
    staffed = rng.sample(staffed, round(len(staffed) * plan.staffed_store_share))
    staffed.sort(key=lambda s: s[1])
    people = []  # (username, role, store_id, provinces, is_staff)
    for store_id, code in staffed:
        people.append((f"{code.lower()}-m", Role.MANAGER, store_id, "", False))
        whole = int(plan.staff_per_store)
        count = whole + (1 if rng.random() < plan.staff_per_store - whole else 0)
        people.extend((f"{code.lower()}-s{n}", Role.STAFF, store_id, "", False) for n in range(1, count + 1))
    demo_store = next((s for s in service if s[1] == DEMO_STORE), None)
    if demo_store:
        people.extend((f"{DEMO_STORE.lower()}-s{n}", Role.STAFF, demo_store[0], "", False) for n in (1, 2, 3))
    people.extend((username, Role.REGIONAL, None, "|".join(p), False) for username, _n, p in REGIONS[1:])
    people.extend((u, Role.HQ, None, "", True) for u in ("hq-ops", "hq-quality", "hq-network"))

    existing = set(User.objects.values_list("username", flat=True))
    fresh = [p for p in people if p[0] not in existing]
    if fresh:
        next_id = (User.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        users, memberships = [], []
        for offset, (username, role, store_id, provinces, is_staff) in enumerate(fresh):
            last, first = _person(rng)
            user_id = next_id + offset
            joined = now - dt.timedelta(days=rng.randint(10, 900))
            users.append((user_id, UNUSABLE_PASSWORD, False, username, first, last, f"{username}@goodcar.example",
                          is_staff, True, joined))  # fmt: skip
            phone = names.mobile(95_000_000 + user_id)
            memberships.append((user_id, role, store_id, phone, provinces, joined, joined))
        sink.write(User, USER_COLUMNS, users)
        sink.write(Membership, MEMBERSHIP_COLUMNS, memberships)
        sink.finish([User, Membership])
    return len(fresh), len(people) - len(fresh)


def ensure_demo_logins() -> list[str]:
    """The one-per-role demo users with DEMO_PASSWORD; returns the usernames it created."""
    User = get_user_model()
    demo_store = Store.objects.filter(code=DEMO_STORE).first()
    created = []
    for username, role, _what in DEMO_LOGINS:
        user, is_new = User.objects.get_or_create(username=username, defaults={"email": f"{username}@goodcar.example"})
        if is_new:
            created.append(username)
            user.first_name, user.last_name = {"staff": ("晓明", "王"), "manager": ("丽", "李"), "regional": ("强", "刘"),
                                               "hq": ("静", "陈"), "admin": ("", "")}[username]  # fmt: skip
            user.is_staff = role in (Role.HQ, None)
            user.is_superuser = role is None
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role is not None and not Membership.objects.filter(user=user).exists():
            Membership.objects.create(
                user=user,
                role=role,
                store=demo_store if role in (Role.STAFF, Role.MANAGER) else None,
                provinces="|".join(REGIONS[0][2]) if role == Role.REGIONAL else "",
                phone=names.mobile(94_000_000 + user.pk),
            )
    return created
