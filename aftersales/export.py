"""The queue as CSV: the same filtered rows, streamed, safe to open in a spreadsheet.

UTF-8 with a BOM (so Excel reads Chinese correctly); every text cell that begins with =, +, -,
@, a tab or a carriage return is prefixed with ' so no spreadsheet evaluates it as a formula.
Rows are read with a server-side cursor in chunks, so memory stays flat however many there are.
Mobile numbers are shown as the user may see them in a list (sales.services.phones): the full
ones are logged once per chunk, before the chunk is sent.
"""

import csv
from collections.abc import Iterator
from itertools import islice
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Kind, Priority, Ticket
from aftersales.services import sla
from sales.services.phones import shown_numbers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

COLUMNS = (
    "number", "created_at", "kind", "priority", "status", "store__code", "province", "vehicle__vin",
    "customer__name", "customer__phone", "assignee__username", "summary", "due_at", "response_due_at",
    "response_risk_at", "risk_at", "responded_at", "paused_at", "resolved_at", "closed_at", "payer", "customer_id",
)  # fmt: skip


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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


def _chunks(queryset: QuerySet[Ticket], *, user, path: str) -> Iterator[list[tuple[SimpleNamespace, str]]]:
    """The rows in chunks, each row with its mobile number as shown (full ones logged per chunk)."""
    values = queryset.values_list(*COLUMNS).iterator(chunk_size=CHUNK)
    while chunk := [SimpleNamespace(**dict(zip(COLUMNS, v, strict=True))) for v in islice(values, CHUNK)]:
        numbers = [(row.customer_id, row.customer__phone or "") for row in chunk]
        yield list(zip(chunk, shown_numbers(user=user, path=path, listing=True, numbers=numbers), strict=True))


def rows(queryset: QuerySet[Ticket], *, user, path: str) -> Iterator[list[str]]:
    now = timezone.now()
    kinds, priorities = dict(Kind.choices), dict(Priority.choices)
    statuses, payers = dict(Ticket.Status.choices), dict(Ticket.Payer.choices)
    for chunk in _chunks(queryset, user=user, path=path):
        for row, phone in chunk:
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
                phone,
                row.assignee__username or "",
                row.summary,
                _when(row.due_at),
                str(payers.get(row.payer, row.payer)),
            ]


def stream(queryset: QuerySet[Ticket], *, user, path: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([safe_cell(c) for c in header()])
    for row in rows(queryset, user=user, path=path):
        yield writer.writerow([safe_cell(c) for c in row])
