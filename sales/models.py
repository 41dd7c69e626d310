"""The catalogue, vehicles by VIN, customers, orders and deliveries, and test drives."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.redact import mask_mobile
from core.transitions import Machine, Transition
from stores.models import Store


class CarModel(TimeStampedModel):
    """A model and trim of the carmaker's catalogue, with its maintenance plan."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    trim = models.CharField(_("trim"), max_length=100, blank=True)
    price_cny = models.PositiveIntegerField(_("price (CNY)"))
    battery_kwh = models.DecimalField(_("battery (kWh)"), max_digits=8, decimal_places=3)
    range_km = models.PositiveIntegerField(_("range (km)"))
    swappable = models.BooleanField(_("swappable battery"), default=False)
    service_months = models.PositiveSmallIntegerField(_("service interval (months)"))
    service_km = models.PositiveIntegerField(_("service interval (km)"))

    class Meta:
        verbose_name = _("car model")
        verbose_name_plural = _("car models")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_cny__gt=0), name="carmodel_price_positive"),
            models.CheckConstraint(condition=models.Q(service_months__gte=1, service_months__lte=36), name="carmodel_service_months_range"),
            models.CheckConstraint(condition=models.Q(service_km__gte=1000, service_km__lte=50000), name="carmodel_service_km_range"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name} {self.trim}".strip()


class Customer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    # A normalised mainland mobile number, e.g. 13812345678.
    phone = models.CharField(_("mobile number"), max_length=11, unique=True)
    city = models.CharField(_("city"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.phone)

    @property
    def shown_phone(self) -> str:
        """The number as the page may show it: masked unless sales.services.reveal_phones
        revealed it (and logged that it did). Templates show customers' numbers only this way."""
        return self.__dict__.get("_shown_phone") or self.masked_phone

    def reveal_phone(self, number: str) -> None:
        """Called by sales.services.phones only: what `shown_phone` gives on this page."""
        self._shown_phone = number


def placeholder_name(phone: str) -> str:
    """The name of a customer known only by number: the masked number, so that a list showing
    names never shows a full number to staff (the real name replaces it once someone records it)."""
    return mask_mobile(phone)


class Vehicle(TimeStampedModel):
    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        IN_STOCK = "in_stock", _("In stock")
        DEMO = "demo", _("Demo car")
        RESERVED = "reserved", _("Reserved")
        SOLD = "sold", _("Sold")
        DELIVERED = "delivered", _("Delivered")

    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("model"))
    color = models.CharField(_("colour"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # Where the vehicle is now, or for a delivered vehicle the store that delivered it.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("store"))
    owner = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="vehicles", verbose_name=_("owner")
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), default=0)
    # The maintenance clock: the last completed maintenance, where and at what mileage.
    last_service_on = models.DateField(_("last service on"), null=True, blank=True)
    last_service_km = models.PositiveIntegerField(_("mileage at last service"), null=True, blank=True)
    last_service_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("last service store")
    )

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["vin"]
        indexes = [
            models.Index(fields=["store", "status"], name="vehicle_store_status"),
            models.Index(fields=["status", "delivered_on"], name="vehicle_status_delivered"),
            models.Index(fields=["owner"], name="vehicle_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="delivered") | models.Q(delivered_on__isnull=False, owner__isnull=False),
                name="vehicle_delivered_has_date_and_owner",
            )
        ]

    def __str__(self) -> str:
        return self.vin

    def get_absolute_url(self) -> str:
        return reverse("sales:vehicle_detail", kwargs={"vin": self.vin})


class VehicleReach(models.Model):
    """A store that holds work for a vehicle (a ticket or a maintenance booking, open or closed).

    Such a store may see the vehicle (CONTRACT 5). Written by whoever creates the work, so that
    `sales` answers vehicle visibility without reaching up into `aftersales`.
    """

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="reach", verbose_name=_("vehicle"))
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("store"))

    class Meta:
        verbose_name = _("vehicle reach")
        verbose_name_plural = _("vehicle reach")
        constraints = [models.UniqueConstraint(fields=["store", "vehicle"], name="vehiclereach_unique")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} @ {self.store_id}"


class Order(TimeStampedModel):
    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        PAID = "paid", _("Paid")
        ALLOCATED = "allocated", _("Vehicle allocated")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    # The status machine, written once: (from, to, who may, guard), with the page's button names.
    # Enforced by sales.services.order_transition, the only code that changes an order's status.
    MACHINE = Machine(
        [
            Transition(Status.RESERVED, Status.PAID, "order.progress", name="pay"),
            Transition(Status.RESERVED, Status.CANCELLED, "order.cancel", name="cancel"),
            Transition(Status.PAID, Status.ALLOCATED, "order.progress", name="allocate"),
            Transition(Status.PAID, Status.CANCELLED, "order.cancel", name="cancel"),
            Transition(Status.ALLOCATED, Status.DELIVERED, "order.progress", name="deliver"),
            Transition(Status.ALLOCATED, Status.PAID, "order.progress", name="deallocate"),
            Transition(Status.ALLOCATED, Status.CANCELLED, "order.cancel", name="cancel"),
        ]
    )

    number = models.CharField(_("order number"), max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="orders", verbose_name=_("model"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders", verbose_name=_("delivery store"))
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("vehicle")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RESERVED)
    price_cny = models.PositiveIntegerField(_("price (CNY)"))
    delivery_date = models.DateField(_("planned delivery date"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["store", "-created_at", "-id"], name="order_store_created"),
            models.Index(fields=["store", "status", "delivery_date"], name="order_store_status_delivery"),
            models.Index(fields=["status", "-created_at", "-id"], name="order_status_created"),
            # The order list of HQ and regional users: newest first over every order.
            models.Index(fields=["-created_at", "-id"], name="order_created"),
            # Upcoming deliveries across many stores, soonest first.
            models.Index(
                fields=["delivery_date", "id"],
                condition=models.Q(status__in=["paid", "allocated"]),
                name="order_open_delivery",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=~models.Q(status="cancelled") & models.Q(vehicle__isnull=False),
                name="order_one_live_order_per_vehicle",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("sales:order_detail", kwargs={"number": self.number})

    @property
    def is_finished(self) -> bool:
        """Delivered: the order takes no more changes (CONTRACT 5, stores.policy)."""
        return self.status == self.Status.DELIVERED


def _slot_begun(test_drive) -> str | None:
    if test_drive.slot_start > timezone.now():
        return gettext("A test drive can be marked completed or no-show only once its slot has begun.")
    return None


class TestDrive(TimeStampedModel):
    __test__ = False  # a model, not something for pytest to collect

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ASSIGNED = "assigned", _("Assigned")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No show")
        CANCELLED = "cancelled", _("Cancelled")

    # The status machine, written once: (from, to, who may, guard), with the page's button names.
    # The dispatcher (the system) assigns a request to a store; people move a booking on from there.
    MACHINE = Machine(
        [
            Transition(Status.REQUESTED, Status.ASSIGNED, "testdrive.dispatch", name="dispatch"),
            Transition(Status.REQUESTED, Status.CANCELLED, "testdrive.cancel", name="cancel"),
            Transition(Status.ASSIGNED, Status.CONFIRMED, "testdrive.progress", name="confirm"),
            Transition(Status.ASSIGNED, Status.COMPLETED, "testdrive.progress", name="complete", guard=_slot_begun),
            Transition(Status.ASSIGNED, Status.NO_SHOW, "testdrive.progress", name="no-show", guard=_slot_begun),
            Transition(Status.ASSIGNED, Status.CANCELLED, "testdrive.cancel", name="cancel"),
            Transition(Status.CONFIRMED, Status.COMPLETED, "testdrive.progress", name="complete", guard=_slot_begun),
            Transition(Status.CONFIRMED, Status.NO_SHOW, "testdrive.progress", name="no-show", guard=_slot_begun),
            Transition(Status.CONFIRMED, Status.CANCELLED, "testdrive.cancel", name="cancel"),
        ]
    )
    # A booking "stands" (holds a demo car, blocks a duplicate) in these states.
    STANDING = (Status.REQUESTED, Status.ASSIGNED, Status.CONFIRMED)

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="test_drives", verbose_name=_("customer")
    )
    # The name typed for this booking: what its pages show, never the name on record (CONTRACT 5).
    customer_name = models.CharField(_("name given for the booking"), max_length=100, blank=True)
    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="test_drives", verbose_name=_("model"))
    # Null while a request entered with the customer's position waits for the dispatcher.
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="test_drives", verbose_name=_("store")
    )
    slot_start = models.DateTimeField(_("slot"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    customer_lat = models.FloatField(_("customer latitude"), null=True, blank=True)
    customer_lng = models.FloatField(_("customer longitude"), null=True, blank=True)
    demo_vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demo_drives",
        verbose_name=_("demo car"),
    )
    # Why the dispatcher chose this store, and which it passed over (explainable decisions).
    dispatch_note = models.JSONField(_("dispatch decision"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("test drive")
        verbose_name_plural = _("test drives")
        ordering = ["slot_start"]
        indexes = [
            models.Index(fields=["store", "slot_start"], name="testdrive_store_slot"),
            models.Index(fields=["status", "slot_start"], name="testdrive_status_slot"),
            # Lists over many stores (HQ, regional), in slot order.
            models.Index(fields=["slot_start", "id"], name="testdrive_slot"),
            models.Index(fields=["customer"], name="testdrive_customer"),
        ]
        constraints = [
            # A double-submitted form books once.
            models.UniqueConstraint(
                fields=["customer", "store", "model", "slot_start"],
                condition=models.Q(status__in=["requested", "assigned", "confirmed"]),
                name="testdrive_one_standing_booking",
            )
        ]

    def __str__(self) -> str:
        return f"{self.booked_name} {self.slot_start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("sales:testdrive_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        """Completed: the test drive takes no more changes (CONTRACT 5, stores.policy)."""
        return self.status == self.Status.COMPLETED

    @property
    def booked_name(self) -> str:
        """The name given for this booking (rows seeded without one: the customer's)."""
        return self.customer_name or self.customer.name


class PhoneView(models.Model):
    """A full customer mobile number shown to a user: logged, because it is personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"))
    path = models.CharField(_("page"), max_length=300)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone number view")
        verbose_name_plural = _("phone number views")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.customer_id}"


class MileageCorrection(models.Model):
    """HQ lowering a wrong mileage reading: the only way mileage goes down, always with a reason."""

    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, related_name="mileage_corrections", verbose_name=_("vehicle")
    )
    old_km = models.PositiveIntegerField(_("mileage before (km)"))
    new_km = models.PositiveIntegerField(_("mileage after (km)"))
    reason = models.TextField(_("reason"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mileage correction")
        verbose_name_plural = _("mileage corrections")
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.old_km} → {self.new_km}"
