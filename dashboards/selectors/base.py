"""What every dashboard uses: the chart JSON, the SLA marks on ticket rows, the latest snapshot."""

import datetime as dt

from aftersales.models import Ticket
from aftersales.services.sla import STATE_LABELS, sla_state

from ..models import ProvinceDailyMetrics

LIST_LIMIT = 10


def chart(kind: str, labels: list, datasets: list[dict], **options) -> dict:
    """The JSON a page hands to static/js/dashboard-charts.js through json_script."""
    return {"type": kind, "labels": labels, "datasets": datasets, **options}


def series(label, data: list, color: str, **extra) -> dict:
    return {"label": label, "data": data, "color": color, **extra}


def mark_sla(tickets: list[Ticket], now: dt.datetime) -> None:
    for ticket in tickets:
        ticket.sla = sla_state(ticket, now)
        ticket.sla_label = STATE_LABELS[ticket.sla]


def latest_snapshot_date() -> dt.date | None:
    return ProvinceDailyMetrics.objects.order_by("-date").values_list("date", flat=True).first()
