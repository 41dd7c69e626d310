"""After-sales tickets with SLAs and an append-only history, recall campaigns."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, long_text_field
from core.transitions import Machine, Transition
from sales.models import CarModel, Customer, Vehicle
from sales.vin import normalise_vin
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


def recall_vin_list_path(instance, filename: str) -> str:
    """A generated name: the uploaded name (`page.html`) must not decide how the file is stored."""
    return f"recalls/{uuid.uuid4().hex}.csv"


def vin_range_key(vin: str) -> str:
    """A VIN as production ranges compare it: without the check digit (position 9), not ordered."""
    return vin[:8] + vin[9:]


class RecallCampaign(TimeStampedModel):
    VIN_LIST_MAX_BYTES = 20 * 2**20

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        FINISHED = "finished", _("Finished")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = long_text_field(_("description"), blank=True)
    model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("model"))
    # Either an uploaded VIN list or a range of VINs (inclusive) of the model.
    vin_list = models.FileField(_("VIN list (CSV)"), upload_to=recall_vin_list_path, blank=True)
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

    def clean(self) -> None:
        """The campaign names its vehicles by an uploaded VIN list or by a range of one model's VINs.

        Here, not in a form, so that the portal's form, the service and the admin refuse alike.
        """
        self.vin_from, self.vin_to = (self.vin_from or "").strip().upper(), (self.vin_to or "").strip().upper()
        has_list, has_range = bool(self.vin_list), bool(self.vin_from or self.vin_to)
        if has_list == has_range:
            raise ValidationError(_("Give either a VIN list (CSV) or a VIN range, not both and not neither."))
        if has_list:
            self._clean_vin_list()
        else:
            self._clean_vin_range()

    def _clean_vin_list(self) -> None:
        if not self.vin_list._committed and self.vin_list.size > self.VIN_LIST_MAX_BYTES:
            raise ValidationError({"vin_list": _("A VIN list has at most 20 MB.")})

    def _clean_vin_range(self) -> None:
        if not (self.vin_from and self.vin_to):
            raise ValidationError(_("A VIN range needs both its first and its last VIN."))
        errors = {}
        for name in ("vin_from", "vin_to"):
            try:
                setattr(self, name, normalise_vin(getattr(self, name)))
            except ValidationError as exc:
                errors[name] = exc
        if errors:
            raise ValidationError(errors)
        if self.vin_from[:8] != self.vin_to[:8]:
            raise ValidationError(
                _("Both ends of a VIN range must be of one model: their first 8 characters (maker and model) differ.")
            )
        if vin_range_key(self.vin_from) > vin_range_key(self.vin_to):
            raise ValidationError(_("The first VIN of the range comes after the last."))


def _needs_assignee(ticket) -> str | None:
    return gettext("Assign the ticket to someone first.") if ticket.assignee_id is None else None


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

    # The status machine, written once: (from, to, who may, guard). Staff do the work moves; only
    # managers and above cancel, close or reopen (stores.policy). Enforced by
    # aftersales.services.tickets.ticket_transition, the only code that changes a ticket's status.
    MACHINE = Machine(
        [
            Transition(Status.NEW, Status.ASSIGNED, "ticket.work", guard=_needs_assignee),
            Transition(Status.NEW, Status.IN_PROGRESS, "ticket.work"),
            Transition(Status.NEW, Status.CANCELLED, "ticket.cancel"),
            Transition(Status.ASSIGNED, Status.IN_PROGRESS, "ticket.work"),
            Transition(Status.ASSIGNED, Status.CANCELLED, "ticket.cancel"),
            Transition(Status.IN_PROGRESS, Status.WAITING_PARTS, "ticket.work"),
            Transition(Status.IN_PROGRESS, Status.RESOLVED, "ticket.work"),
            Transition(Status.IN_PROGRESS, Status.CANCELLED, "ticket.cancel"),
            Transition(Status.WAITING_PARTS, Status.IN_PROGRESS, "ticket.work"),
            Transition(Status.WAITING_PARTS, Status.CANCELLED, "ticket.cancel"),
            Transition(Status.RESOLVED, Status.CLOSED, "ticket.close"),
            Transition(Status.RESOLVED, Status.IN_PROGRESS, "ticket.reopen"),
        ]
    )

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
    description = long_text_field(_("description"), blank=True)
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

    @property
    def is_finished(self) -> bool:
        """Closed or cancelled: it takes comments at most (CONTRACT 5, stores.policy)."""
        return self.status in (self.Status.CLOSED, self.Status.CANCELLED)


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
