"""The network: stores and partner shops, staff memberships and roles, and hourly capacity."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .provinces import Province


class Capability(models.TextChoices):
    SALES = "sales", _("Sales")
    TEST_DRIVE = "test_drive", _("Test drive")
    DELIVERY = "delivery", _("Delivery")
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    BATTERY = "battery", _("Battery")
    BODYWORK = "bodywork", _("Bodywork")
    TYRES = "tyres", _("Tyres")


CAPABILITY_ORDER = [c.value for c in Capability]


def join_capabilities(values) -> str:
    """The stored form: known capabilities in canonical order, `|`-separated, no repeats."""
    wanted = set(values)
    return "|".join(c for c in CAPABILITY_ORDER if c in wanted)


class StoreQuerySet(models.QuerySet):
    def with_capability(self, capability: str) -> "StoreQuerySet":
        # No capability name is a substring of another, so a LIKE on the canonical string is exact.
        return self.filter(capabilities__contains=capability)

    def active(self) -> "StoreQuerySet":
        return self.filter(status=Store.Status.ACTIVE)


class Store(TimeStampedModel):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service store")
        PARTNER = "partner", _("Partner shop")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=10, choices=Province.choices)
    city = models.CharField(_("city"), max_length=50)
    district = models.CharField(_("district"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200)
    # GCJ-02 degrees, stored and compared as given by upstream.
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    phone = models.CharField(_("phone"), max_length=20)
    capabilities = models.CharField(_("capabilities"), max_length=120, blank=True)
    bays = models.PositiveSmallIntegerField(_("service bays"), default=0)
    demo_cars = models.PositiveSmallIntegerField(_("demo cars"), default=0)
    # Minutes after midnight, local time; 1440 closes at 24:00 (round the clock with opens=0).
    opens_minute = models.PositiveSmallIntegerField(_("opens"), default=9 * 60)
    closes_minute = models.PositiveSmallIntegerField(_("closes"), default=18 * 60)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["province", "city"], name="store_province_city"),
            models.Index(fields=["city"], name="store_city"),
            models.Index(fields=["name"], name="store_name"),
            models.Index(fields=["status", "kind"], name="store_status_kind"),
            # Nearest search (stores.geo) seeks one degree of latitude and a range of longitudes at
            # a time. Status first: SQLite then no longer prefers the (status, kind) index and scans
            # every active store; lat, capabilities and id too: the search needs no table lookup.
            models.Index("status", Floor("lat"), "lng", "lat", "capabilities", "id", name="store_nearest"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_minute__lt=models.F("closes_minute")), name="store_opens_before_closes"),
            models.CheckConstraint(condition=models.Q(closes_minute__lte=1440), name="store_closes_by_midnight"),
            models.CheckConstraint(condition=models.Q(bays__lte=50), name="store_bays_max_50"),
            models.CheckConstraint(condition=models.Q(demo_cars__lte=20), name="store_demo_cars_max_20"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("stores:detail", kwargs={"code": self.code})

    @property
    def capability_list(self) -> list[str]:
        return [c for c in self.capabilities.split("|") if c]

    def get_capabilities_display(self) -> list[str]:
        labels = dict(Capability.choices)
        return [labels.get(c, c) for c in self.capability_list]

    def has_capability(self, capability: str) -> bool:
        return capability in self.capability_list

    @property
    def opens(self) -> str:
        return minutes_to_hhmm(self.opens_minute)

    @property
    def closes(self) -> str:
        return minutes_to_hhmm(self.closes_minute)

    def is_open_for_hour(self, starts_at: dt.datetime) -> bool:
        """Whether the store is open for the whole hour from `starts_at` (aware; read in local time)."""
        local = timezone.localtime(starts_at)
        return open_for_hour(self.opens_minute, self.closes_minute, local.hour * 60 + local.minute)

    def open_hours(self) -> list[int]:
        """The local hours (0-23) whose slot the store is open for whole: 09:00-18:00 gives 9..17."""
        return whole_hours(self.opens_minute, self.closes_minute)

    def open_slots_on(self, day: dt.date) -> list[dt.datetime]:
        """The aware starts of the hour slots the store is open for whole on a local day."""
        zone = timezone.get_current_timezone()
        return [dt.datetime.combine(day, dt.time(hour), tzinfo=zone) for hour in self.open_hours()]

    def capacity_for(self, resource: str) -> int:
        """Units of `resource` the store offers in each hour slot it is open (see offered_capacity)."""
        return offered_capacity(
            resource, status=self.status, capabilities=self.capabilities, bays=self.bays, demo_cars=self.demo_cars
        )


def open_for_hour(opens_minute: int, closes_minute: int, start_minute: int) -> bool:
    """The rule of opening hours, on minutes after local midnight: open for the whole hour.

    Written once: Store.is_open_for_hour, Store.open_hours and the in-memory dispatcher (which
    keeps stores' minutes, not Store objects) all ask it. 00:00-24:00 is open round the clock.
    """
    return opens_minute <= start_minute and start_minute + 60 <= closes_minute


def whole_hours(opens_minute: int, closes_minute: int) -> list[int]:
    """The local hours whose slot lies wholly inside the opening hours."""
    return [hour for hour in range(24) if open_for_hour(opens_minute, closes_minute, hour * 60)]


def minutes_to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Role(models.TextChoices):
    STAFF = "staff", _("Store staff")
    MANAGER = "manager", _("Store manager")
    REGIONAL = "regional", _("Regional manager")
    HQ = "hq", _("HQ")


class Membership(TimeStampedModel):
    """A portal user's role and where it applies: a store (staff, manager) or provinces (regional)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("store")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Regional managers' provinces, `|`-separated full names (see provinces_list).
    provinces = models.CharField(_("provinces"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["role", "store"], name="membership_role_store")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["staff", "manager"]) | models.Q(store__isnull=False),
                name="membership_store_roles_have_store",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def provinces_list(self) -> list[str]:
        return [p for p in self.provinces.split("|") if p]


class SlotLoad(models.Model):
    """Booked work in one store's hour slot for one resource.

    `capacity` is copied from the store when the row is first needed; the check constraint and a
    conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`) make overbooking impossible
    even with several workers booking at the same moment.
    """

    class Resource(models.TextChoices):
        BAY = "bay", _("Service bay")
        DEMO_CAR = "demo_car", _("Demo car")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="slot_loads", verbose_name=_("store"))
    starts_at = models.DateTimeField(_("slot start"))
    resource = models.CharField(_("resource"), max_length=10, choices=Resource.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("slot load")
        verbose_name_plural = _("slot loads")
        constraints = [
            models.UniqueConstraint(fields=["store", "starts_at", "resource"], name="slotload_unique_slot"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="slotload_not_overbooked"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["starts_at", "resource"], name="slotload_start_resource")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.starts_at:%Y-%m-%d %H:%M} {self.resource} {self.booked}/{self.capacity}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


# Which kinds of work use a resource (and so make the store offer it).
CAPABILITIES_USING = {
    SlotLoad.Resource.BAY: (Capability.MAINTENANCE, Capability.REPAIR),
    SlotLoad.Resource.DEMO_CAR: (Capability.TEST_DRIVE,),
}
# The same relation read the other way: the resource a kind of work consumes.
RESOURCE_FOR_CAPABILITY = {
    capability: resource for resource, capabilities in CAPABILITIES_USING.items() for capability in capabilities
}


def offered_capacity(resource: str, *, status: str, capabilities: str, bays: int, demo_cars: int) -> int:
    """The rule of capacity: units of `resource` a store offers per open hour slot.

    Its demo cars (test drives) or bays (maintenance, repair); none when it is not active or does
    no work that uses them. Written once: Store.capacity_for asks it, and so do the selectors that
    read many stores' values without building Store objects.
    """
    if status != Store.Status.ACTIVE:
        return 0
    offered = capabilities.split("|")
    if not any(capability in offered for capability in CAPABILITIES_USING[resource]):
        return 0
    return demo_cars if resource == SlotLoad.Resource.DEMO_CAR else bays
