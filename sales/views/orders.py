from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stores.access import get_visible_or_404

from .. import selectors, services
from ..access import orders_visible_to, sees_full_phone_in_lists
from ..forms import OrderCreateForm, OrderFilterForm
from ..models import Order
from ..paging import page_of

# The buttons of an order's page: action name → target status.
ACTIONS = {
    "pay": Order.Status.PAID,
    "allocate": Order.Status.ALLOCATED,
    "deallocate": Order.Status.PAID,
    "deliver": Order.Status.DELIVERED,
    "cancel": Order.Status.CANCELLED,
}


def _log_list_phones(request, orders, full_phones: bool) -> None:
    if full_phones:
        services.phone_views_record(
            user=request.user, customers=[o.customer for o in orders], path=request.get_full_path()
        )


def order_list(request):
    form = OrderFilterForm(request.GET or None)
    status = query = ""
    if form.is_bound and form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    page = page_of(selectors.order_list(user=request.user, status=status, query=query), request.GET.get("page"))
    full_phones = sees_full_phone_in_lists(request.user)
    _log_list_phones(request, page, full_phones)
    return render(
        request,
        "sales/order_list.html",
        {"form": form, "page_obj": page, "full_phones": full_phones, "filtered": bool(status or query)},
    )


def delivery_list(request):
    page = page_of(selectors.upcoming_deliveries(user=request.user), request.GET.get("page"))
    full_phones = sees_full_phone_in_lists(request.user)
    _log_list_phones(request, page, full_phones)
    return render(request, "sales/delivery_list.html", {"page_obj": page, "full_phones": full_phones})


@require_http_methods(["GET", "POST"])
def order_new(request):
    form = OrderCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_create_for_phone(
                customer_phone=data["customer_phone"],
                customer_name=data["customer_name"],
                model=data["model"],
                store=data["store"],
                delivery_date=data["delivery_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect(order)
    return render(request, "sales/order_form.html", {"form": form})


def _actions_for(order: Order) -> list[str]:
    allowed = Order.TRANSITIONS[Order.Status(order.status)]
    actions = [name for name, target in ACTIONS.items() if target in allowed]
    # "pay" and "deallocate" both lead to paid: offer the one that fits the current status.
    return [a for a in actions if not (a == "pay" and order.status == Order.Status.ALLOCATED)]


@require_http_methods(["GET", "POST"])
def order_detail(request, number: str):
    queryset = orders_visible_to(request.user).select_related("customer", "model", "store", "vehicle")
    order = get_visible_or_404(queryset, number=number.upper())
    vin_error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action not in ACTIONS:
                raise ValidationError(_("Unknown action %(action)s.") % {"action": action})
            services.order_transition(order=order, to_status=ACTIONS[action], vin=request.POST.get("vin", ""))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "vin" in exc.error_dict:
                vin_error = " ".join(exc.message_dict["vin"])
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The order is now %(status)s.") % {"status": order.get_status_display()})
            return redirect(order)
        if not vin_error:
            return redirect(order)
    services.phone_views_record(user=request.user, customers=[order.customer], path=request.path)
    actions = _actions_for(order)
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "actions": actions,
            "candidates": selectors.allocation_candidates(order) if "allocate" in actions else [],
            "vin_error": vin_error,
            "vin_value": request.POST.get("vin", "") if request.method == "POST" else "",
        },
        status=200,
    )
