"""Shared plumbing records: the base model, number counters, feed runs, job runs and the outbox."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.redact import mask_mobile

from .feeds.registry import feed_choices

# Free text a person types (a ticket's or a recall's description): a page of text at most.
LONG_TEXT_MAX = 5000


def long_text_field(verbose_name, **kwargs) -> models.TextField:
    """A TextField bounded in forms (max_length) and in full_clean (the validator) alike."""
    return models.TextField(
        verbose_name, max_length=LONG_TEXT_MAX, validators=[MaxLengthValidator(LONG_TEXT_MAX)], **kwargs
    )


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """The last number given out by one counter in one year (core.numbering.next_numbers).

    The apps name their counters (aftersales: "ticket", sales: "order"); core names none.
    """

    name = models.CharField(_("counter"), max_length=30)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="counter_name_year")]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last}"


class FeedRun(models.Model):
    """One run of a nightly feed sync (CONTRACT 3): every run but a dry run is recorded."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        PROCESSED = "processed", _("Processed")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    # The feeds are the apps' own: each registers its name and label with core.feeds.registry.
    feed = models.CharField(_("feed"), max_length=20, choices=feed_choices)
    file_name = models.CharField(_("file name"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    full = models.BooleanField(_("full file"), default=False)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    reason = models.TextField(_("reason"), blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    triggered_by = models.CharField(_("triggered by"), max_length=50, default="command")

    class Meta:
        verbose_name = _("feed run")
        verbose_name_plural = _("feed runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["feed", "-started_at"], name="feedrun_feed_started")]

    def __str__(self) -> str:
        return f"{self.get_feed_display()} {self.file_name} {self.started_at:%Y-%m-%d %H:%M}"

    def summary(self) -> str:
        return (
            f"{self.feed}: created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"closed={self.closed} rejected={self.rejected}"
        )


class FeedRejection(models.Model):
    run = models.ForeignKey(FeedRun, on_delete=models.CASCADE, related_name="rejections", verbose_name=_("run"))
    line = models.PositiveIntegerField(_("line"))
    key = models.CharField(_("key"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("feed rejection")
        verbose_name_plural = _("feed rejections")
        ordering = ["run", "line"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class JobRun(models.Model):
    """One run of a background job (CONTRACT 4), by the scheduler or by hand."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=50)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.TextField(_("errors"), blank=True)
    triggered_by = models.CharField(_("triggered by"), max_length=50, default="scheduler")

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["name", "-started_at"], name="jobrun_name_started")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"

    def summary(self) -> str:
        return f"{self.name}: " + " ".join(f"{k}={v}" for k, v in self.counts.items())


class Notification(models.Model):
    """The outbox: written in the same transaction as the change it announces, delivered by a task."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # Handed to the gateway by a worker that has not reported back (yet): never sent again
        # by itself, since it may have gone out; HQ looks and may send it again from the admin.
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    # Makes "never sent twice" a database fact: the same event cannot be queued twice.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("handed to the gateway at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_created"),
            # Delivery claims the next pending message by id, over an outbox of millions sent.
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="notification_pending"),
        ]

    def __str__(self) -> str:
        # Shown in admin history (LogEntry) and messages: the customer's number masked.
        return f"{self.get_channel_display()} → {mask_mobile(self.recipient)}: {self.subject or self.body[:30]}"
