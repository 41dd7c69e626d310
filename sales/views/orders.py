from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stores.access import get_visible_or_404
from stores.policy import allowed_moves

from .. import selectors, services
from ..access import orders_visible_to
from ..forms import OrderCreateForm, OrderFilterForm
from ..models import Order
from . import list_page


def _reveal_list_phones(request, orders) -> None:
    services.reveal_phones(
        user=request.user, customers=[o.customer for o in orders], path=request.get_full_path(), listing=True
    )


def order_list(request):
    form = OrderFilterForm(request.GET or None)
    status = query = ""
    if form.is_bound and form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    page = list_page(selectors.order_list(user=request.user, status=status, query=query), request)
    _reveal_list_phones(request, page)
    return render(request, "sales/order_list.html", {"form": form, "page_obj": page, "filtered": bool(status or query)})


def delivery_list(request):
    page = list_page(selectors.upcoming_deliveries(user=request.user), request)
    _reveal_list_phones(request, page)
    return render(request, "sales/delivery_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def order_new(request):
    form = OrderCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer, _created = services.customer_get_or_create_by_phone(
                phone=data["customer_phone"], name=data["customer_name"]
            )
            order = services.order_create(
                customer=customer, model=data["model"], store=data["store"], delivery_date=data["delivery_date"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect(order)
    return render(request, "sales/order_form.html", {"form": form})


def _actions_for(order: Order, user) -> list[str]:
    """The page's buttons: the moves of Order.MACHINE from the order's status that the user may make."""
    return [move.key for move in allowed_moves(user, Order.MACHINE, order)]


def _order_act(request, order: Order) -> str:
    """Make the posted move; returns the VIN field's error, if the move failed on it."""
    try:
        services.order_transition(
            order=order, action=request.POST.get("action", ""), vin=request.POST.get("vin", ""), actor=request.user
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "vin" in exc.error_dict:
            return " ".join(exc.message_dict["vin"])
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The order is now %(status)s.") % {"status": order.get_status_display()})
    return ""


@require_http_methods(["GET", "POST"])
def order_detail(request, number: str):
    queryset = orders_visible_to(request.user).select_related("customer", "model", "store", "vehicle")
    order = get_visible_or_404(queryset, number=number.upper())
    vin_error = _order_act(request, order) if request.method == "POST" else ""
    if request.method == "POST" and not vin_error:
        return redirect(order)
    services.reveal_phones(user=request.user, customers=[order.customer], path=request.path, listing=False)
    actions = _actions_for(order, request.user)
    context = {
        "order": order,
        "actions": actions,
        "candidates": selectors.allocation_candidates(order) if "allocate" in actions else [],
        "vin_error": vin_error,
        "vin_value": request.POST.get("vin", ""),
    }
    return render(request, "sales/order_detail.html", context)
