from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from stores.access import get_visible_or_404

from .. import selectors, services
from ..access import vehicles_visible_to
from ..vin import normalise_vin

# Where after-sales shows a vehicle's tickets, maintenance and recalls (sales never imports it).
AFTERSALES_VEHICLE_WORK = "aftersales:vehicle_work"


def _aftersales_url(vin: str) -> str | None:
    try:
        return reverse(AFTERSALES_VEHICLE_WORK, kwargs={"vin": vin})
    except NoReverseMatch:
        return None


def vehicle_lookup(request):
    """`?vin=` from the search box: straight to the vehicle's page (404 when out of reach)."""
    vin = (request.GET.get("vin") or "").strip().upper()
    if not vin:
        return redirect("sales:order_list")
    return redirect("sales:vehicle_detail", vin=vin)


def vehicle_detail(request, vin: str):
    """One vehicle's whole life: orders, delivery, test drives as demo car, after-sales work."""
    try:
        vin = normalise_vin(vin)
    except ValidationError as exc:
        raise Http404 from exc
    queryset = vehicles_visible_to(request.user).select_related("model", "store", "owner", "last_service_store")
    vehicle = get_visible_or_404(queryset, vin=vin)
    orders = selectors.vehicle_orders(user=request.user, vehicle=vehicle)
    # The owner's number is what a store serving the car needs to act; order customers show by name.
    services.reveal_phones(user=request.user, customers=[vehicle.owner], path=request.path, listing=False)
    return render(
        request,
        "sales/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "orders": orders,
            "demo_drives": selectors.vehicle_demo_drives(vehicle),
            "aftersales_url": _aftersales_url(vehicle.vin),
        },
    )
