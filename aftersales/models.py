"""After-sales tickets with SLAs and an append-only history, recall campaigns."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from sales.models import CarModel, Customer, Vehicle
from stores.models import Store
from stores.provinces import Province


class Kind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    WARRANTY = "warranty", _("Warranty")
    COMPLAINT = "complaint", _("Complaint")
    BATTERY = "battery", _("Battery")
    RECALL = "recall", _("Recall")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")


class SlaPolicy(TimeStampedModel):
    """Response and resolution targets per kind and priority; HQ edits them in the admin.

    A ticket copies its targets when it is opened, so an edit applies to tickets opened after it.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    response_hours = models.PositiveIntegerField(_("response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["kind", "priority"]
        constraints = [models.UniqueConstraint(fields=["kind", "priority"], name="slapolicy_unique_kind_priority")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.priority}"


class RecallCampaign(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        FINISHED = "finished", _("Finished")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("model"))
    # Either an uploaded VIN list or a range of VINs (inclusive) of the model.
    vin_list = models.FileField(_("VIN list (CSV)"), upload_to="recalls/", blank=True)
    vin_from = models.CharField(_("first VIN"), max_length=17, blank=True)
    vin_to = models.CharField(_("last VIN"), max_length=17, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recall campaign")
        verbose_name_plural = _("recall campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Ticket(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_PARTS = "waiting_parts", _("Waiting for parts")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting_parts")

    # The allowed transitions, written once: {from: {to: the lowest role that may make it}}.
    # Enforced by aftersales.services.tickets.ticket_transition. "manager" means manager or above
    # (regional, HQ); only they cancel, close or reopen.
    TRANSITIONS = {
        Status.NEW: {Status.ASSIGNED: "staff", Status.IN_PROGRESS: "staff", Status.CANCELLED: "manager"},
        Status.ASSIGNED: {Status.IN_PROGRESS: "staff", Status.CANCELLED: "manager"},
        Status.IN_PROGRESS: {Status.WAITING_PARTS: "staff", Status.RESOLVED: "staff", Status.CANCELLED: "manager"},
        Status.WAITING_PARTS: {Status.IN_PROGRESS: "staff", Status.CANCELLED: "manager"},
        Status.RESOLVED: {Status.CLOSED: "manager", Status.IN_PROGRESS: "manager"},
        Status.CLOSED: {Status.IN_PROGRESS: "manager"},
        Status.CANCELLED: {},
    }

    class Payer(models.TextChoices):
        NONE = "", _("Not applicable")
        CARMAKER = "carmaker", _("Carmaker (vehicle)")
        BATTERY_MAKER = "battery_maker", _("Battery maker (battery pack and swap system)")
        PLATFORM = "platform", _("Platform (goodwill)")
        CUSTOMER = "customer", _("Customer")

    class Component(models.TextChoices):
        NONE = "", _("Not specified")
        BODY = "body", _("Body and paint")
        CHASSIS = "chassis", _("Chassis and suspension")
        DRIVETRAIN = "drivetrain", _("Electric drive")
        ELECTRONICS = "electronics", _("Electronics and software")
        INTERIOR = "interior", _("Interior")
        BATTERY_PACK = "battery_pack", _("Battery pack")
        SWAP_SYSTEM = "swap_system", _("Battery swap system")
        CHARGING = "charging", _("Charging port and on-board charger")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by staff")
        SCHEDULE = "schedule", _("Maintenance schedule")
        RECALL = "recall", _("Recall campaign")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P3)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NEW)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("vehicle"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("customer")
    )
    # Null only for scheduled work that no store could take: the regional manager's unassigned queue.
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("store")
    )
    province = models.CharField(_("province"), max_length=10, choices=Province.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_tickets", verbose_name=_("assignee")
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )  # fmt: skip
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    component = models.CharField(_("component"), max_length=20, choices=Component.choices, blank=True, default="")
    payer = models.CharField(_("paying party"), max_length=20, choices=Payer.choices, blank=True, default="")
    payer_override_reason = models.CharField(_("reason for payer override"), max_length=300, blank=True)

    # SLA: targets copied from the policy at opening; due times move while the clock is paused.
    response_due_at = models.DateTimeField(_("response due"))
    due_at = models.DateTimeField(_("resolution due"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    # The start of the last 20% of each window ("at risk"); moved with the due times.
    response_risk_at = models.DateTimeField(_("response at risk from"), null=True, blank=True)
    risk_at = models.DateTimeField(_("resolution at risk from"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)

    # Scheduled maintenance: the due point it answers, and the booked slot.
    due_point = models.CharField(_("due point"), max_length=40, blank=True)
    booked_slot = models.DateTimeField(_("booked slot"), null=True, blank=True)
    dispatch_note = models.JSONField(_("dispatch decision"), default=dict, blank=True)
    campaign = models.ForeignKey(
        RecallCampaign, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("recall campaign")
    )  # fmt: skip

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["due_at", "id"]
        indexes = [
            # The queue: one store's tickets by SLA due (default sort), and the HQ filters.
            models.Index(fields=["store", "due_at", "id"], name="ticket_store_due"),
            # The working queue shows open tickets by default; they are a few percent of all rows and
            # cluster at the end of the due order, so they get their own (small) indexes.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=["new", "assigned", "in_progress", "waiting_parts"]),
                name="ticket_open_due",
            ),
            models.Index(
                fields=["store", "due_at", "id"],
                condition=models.Q(status__in=["new", "assigned", "in_progress", "waiting_parts"]),
                name="ticket_open_store_due",
            ),
            # HQ's queue filtered by kind and priority (make bench: the capped count and the page's ids).
            models.Index(
                fields=["kind", "priority", "due_at", "id"],
                condition=models.Q(status__in=["new", "assigned", "in_progress", "waiting_parts"]),
                name="ticket_open_kind_priority_due",
            ),
            models.Index(fields=["store", "status", "due_at"], name="ticket_store_status_due"),
            models.Index(fields=["status", "due_at", "id"], name="ticket_status_due"),
            models.Index(fields=["due_at", "id"], name="ticket_due"),
            models.Index(fields=["province", "status", "due_at"], name="ticket_province_status_due"),
            models.Index(fields=["kind", "status", "due_at"], name="ticket_kind_status_due"),
            models.Index(fields=["assignee", "status", "due_at"], name="ticket_assignee_status_due"),
            models.Index(fields=["vehicle", "-created_at"], name="ticket_vehicle_created"),
            models.Index(fields=["customer"], name="ticket_customer"),
            models.Index(fields=["created_at"], name="ticket_created"),
            # The unassigned queue (store-less open work) of some provinces, by due time: a small index.
            models.Index(
                fields=["province", "due_at", "id"],
                condition=models.Q(store__isnull=True, status__in=["new", "assigned", "in_progress", "waiting_parts"]),
                name="ticket_unassigned_queue",
            ),
        ]
        constraints = [
            # A vehicle has at most one open scheduled maintenance work...
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=models.Q(source="schedule", status__in=["new", "assigned", "in_progress", "waiting_parts"]),
                name="ticket_one_open_scheduled_maintenance",
            ),
            # ...and each due point makes work once, even on two workers at once.
            models.UniqueConstraint(
                fields=["vehicle", "due_point"], condition=models.Q(source="schedule"), name="ticket_unique_due_point"
            ),
            # A recall creates one ticket per vehicle and campaign, however often it is launched.
            models.UniqueConstraint(fields=["campaign", "vehicle"], name="ticket_unique_campaign_vehicle"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("aftersales:ticket_detail", kwargs={"number": self.number})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TicketEvent(models.Model):
    """One change to a ticket. Append-only: never updated or deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("ticket history", "Created")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority changed")
        COMMENT = "comment", _("Comment")
        ATTACHMENT = "attachment", _("Attachment")
        ESCALATED = "escalated", _("Escalated")
        PAYER = "payer", _("Paying party changed")
        DISPATCH = "dispatch", _("Dispatched")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ticket events are append-only.")


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("aftersales:attachment", kwargs={"number": self.ticket.number, "pk": self.pk})
