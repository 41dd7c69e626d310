"""Fragments that lower apps' pages include (the VIN page, the store page) via htmx.

The lower app links here; after-sales owns what is shown, and scopes it like its own pages.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from aftersales import selectors
from aftersales.models import Kind
from aftersales.services import maintenance, sla
from sales.access import vehicles_visible_to
from sales.models import Vehicle
from stores.access import get_visible_or_404, stores_visible_to


@require_GET
def vehicle_work(request, vin: str):
    vehicles = vehicles_visible_to(request.user, Vehicle.objects.select_related("model"))
    vehicle = get_visible_or_404(vehicles, vin=vin.strip().upper())
    tickets = selectors.vehicle_tickets(user=request.user, vehicle=vehicle)
    # Of a vehicle in reach, only the tickets of stores in the user's reach are listed.
    now = timezone.now()
    for ticket in tickets:
        ticket.sla_state = sla.sla_state(ticket, now)
    context = {
        "vehicle": vehicle,
        "tickets": [t for t in tickets if t.kind not in (Kind.MAINTENANCE, Kind.RECALL)],
        "maintenance": [t for t in tickets if t.kind == Kind.MAINTENANCE],
        "recalls": [t for t in tickets if t.kind == Kind.RECALL],
        "due": maintenance.maintenance_due(vehicle, today=timezone.localdate()),
        "next_due": maintenance.next_due(vehicle),
    }
    return render(request, "aftersales/partials/vehicle_work.html", context)


@require_GET
def store_open_work(request, code: str):
    store = get_visible_or_404(stores_visible_to(request.user), code=code.strip().upper())
    tickets = list(selectors.store_open_tickets(user=request.user, store=store))
    now = timezone.now()
    for ticket in tickets:
        ticket.sla_state = sla.sla_state(ticket, now)
    return render(request, "aftersales/partials/store_open_work.html", {"store": store, "tickets": tickets})
