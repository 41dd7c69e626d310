"""Views: thin: check access, bind the form, call a selector or a service, render."""

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from . import selectors
from .access import get_visible_or_404, stores_visible_to
from .filters import StoreFilter
from .forms import NearestForm
from .models import Store

PAGE_SIZE = 50
RESULTS_TARGET = "store-results"
# The after-sales app provides this fragment; stores never imports aftersales (STYLE: one-way deps).
OPEN_WORK_URL_NAME = "aftersales:store_open_work"


def store_list(request):
    """The stores the user may see, searched and filtered; htmx refreshes only the results."""
    filterset = StoreFilter(request.GET or None, queryset=Store.objects.none())
    stores = selectors.store_list(user=request.user, filters=request.GET)
    page = Paginator(stores, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter_form": filterset.form, "page_obj": page, "stores": page.object_list}
    if request.htmx and request.htmx.target == RESULTS_TARGET:
        return render(request, "stores/partials/store_results.html", context)
    return render(request, "stores/store_list.html", context)


def store_detail(request, code: str):
    store = get_visible_or_404(stores_visible_to(request.user), code=code.upper())
    context = {
        "store": store,
        "staff": selectors.store_staff(store=store),
        "capacity": selectors.store_capacity_on(store=store),
        "open_work_url": _open_work_url(store),
    }
    return render(request, "stores/store_detail.html", context)


def _open_work_url(store: Store) -> str | None:
    try:
        return reverse(OPEN_WORK_URL_NAME, kwargs={"code": store.code})
    except NoReverseMatch:
        return None


def store_nearest(request):
    """Nearest active stores of the whole network: public directory data for any logged-in user."""
    wants_json = _wants_json(request)
    searched = any(request.GET.get(name, "") != "" for name in NearestForm.base_fields)
    if not searched and not wants_json:
        return render(request, "stores/store_nearest.html", {"form": NearestForm(), "results": None})
    form = NearestForm(request.GET)
    if not form.is_valid():
        return _nearest_refused(request, form, wants_json)
    data = form.cleaned_data
    results = selectors.nearest_stores(
        lat=data["lat"], lng=data["lng"], capability=data["capability"] or None, limit=data["limit"]
    )
    if wants_json:
        return JsonResponse(
            [_directory_entry(store, distance) for store, distance in results],
            safe=False,
            json_dumps_params={"ensure_ascii": False},
        )
    visible = set(
        stores_visible_to(request.user).filter(pk__in=[s.pk for s, _ in results]).values_list("pk", flat=True)
    )
    rows = [{"store": store, "distance_km": distance, "visible": store.pk in visible} for store, distance in results]
    return render(request, "stores/store_nearest.html", {"form": form, "results": rows})


def _wants_json(request) -> bool:
    fmt = request.GET.get("format", "")
    if fmt:
        return fmt == "json"
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _nearest_refused(request, form: NearestForm, wants_json: bool) -> HttpResponse:
    if wants_json:
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        message = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        return JsonResponse(
            {"error": _("Invalid search: %(details)s") % {"details": message}, "errors": errors}, status=400
        )
    return render(request, "stores/store_nearest.html", {"form": form, "results": None}, status=400)


def _directory_entry(store: Store, distance_km: float) -> dict:
    return {
        "code": store.code,
        "name": store.name,
        "kind": store.kind,
        "distance_km": round(distance_km, 3),
        "province": store.province,
        "city": store.city,
        "district": store.district,
        "address": store.address,
        "phone": store.phone,
        "capabilities": store.capability_list,
        "opens": store.opens,
        "closes": store.closes,
        "lat": store.lat,
        "lng": store.lng,
    }
