"""The queue as CSV: the same filtered rows, streamed, safe to open in a spreadsheet.

UTF-8 with a BOM (so Excel reads Chinese correctly); every cell goes through
`core.spreadsheet.safe_cell`, so no spreadsheet evaluates it as a formula.
Rows are read with a server-side cursor in chunks, so memory stays flat however many there are.
"""

import csv
from collections.abc import Iterator
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Kind, Priority, Ticket
from aftersales.services import sla
from core.spreadsheet import safe_row
from sales.models import mask_phone

CHUNK = 2000

COLUMNS = (
    "number", "created_at", "kind", "priority", "status", "store__code", "province", "vehicle__vin",
    "customer__name", "customer__phone", "assignee__username", "summary", "due_at", "response_due_at",
    "response_risk_at", "risk_at", "responded_at", "paused_at", "resolved_at", "closed_at", "payer",
)  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def header() -> list[str]:
    return [
        _("Number"), _("Created"), _("Kind"), _("Priority"), _("Status"), _("SLA state"), _("Store"),
        _("Province"), _("VIN"), _("Customer"), _("Mobile"), _("Assignee"), _("Summary"), _("Due"), _("Paying party"),
    ]  # fmt: skip


def rows(queryset: QuerySet[Ticket], *, mask_phones: bool) -> Iterator[list[str]]:
    now = timezone.now()
    kinds, priorities = dict(Kind.choices), dict(Priority.choices)
    statuses, payers = dict(Ticket.Status.choices), dict(Ticket.Payer.choices)
    for values in queryset.values_list(*COLUMNS).iterator(chunk_size=CHUNK):
        row = SimpleNamespace(**dict(zip(COLUMNS, values, strict=True)))
        phone = row.customer__phone or ""
        yield [
            row.number,
            _when(row.created_at),
            str(kinds.get(row.kind, row.kind)),
            str(priorities.get(row.priority, row.priority)),
            str(statuses.get(row.status, row.status)),
            str(sla.STATE_LABELS[sla.sla_state(row, now)]),
            row.store__code or "",
            row.province,
            row.vehicle__vin,
            row.customer__name or "",
            mask_phone(phone) if mask_phones and phone else phone,
            row.assignee__username or "",
            row.summary,
            _when(row.due_at),
            str(payers.get(row.payer, row.payer)),
        ]


def stream(queryset: QuerySet[Ticket], *, mask_phones: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(safe_row(header()))
    for row in rows(queryset, mask_phones=mask_phones):
        yield writer.writerow(safe_row(row))
