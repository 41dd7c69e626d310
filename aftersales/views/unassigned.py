"""The unassigned queue: scheduled work no store could take, for the regional managers of its
province and HQ, each row with a form to book it at a store by hand (htmx or a plain form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.access import get_ticket_or_404, tickets_visible_to
from aftersales.forms import StoreSlotForm
from aftersales.models import Ticket
from aftersales.paging import paginate
from aftersales.services.dispatch import ticket_assign_store
from stores.access import provinces_visible_to
from stores.policy import can


def unassigned_queue(user):
    """Open work without a store that this user may place; 404 for users who place none (stores.policy)."""
    if not can(user, "ticket.place_unassigned"):
        raise Http404
    return tickets_visible_to(user).filter(store__isnull=True, status__in=Ticket.OPEN_STATUSES)


@require_GET
def unassigned_list(request):
    queryset = unassigned_queue(request.user)
    provinces = provinces_visible_to(request.user)
    province = request.GET.get("province", "")
    if province:
        queryset = queryset.filter(province=province)
    page = paginate(
        queryset.order_by("due_at", "id"),
        request.GET.get("page"),
        rows=Ticket.objects.select_related("vehicle__model", "customer"),
    )
    # The province filter swaps only the results (htmx); the plain form reloads the page.
    partial = request.htmx and request.htmx.target == "unassigned-results"
    return render(
        request,
        "aftersales/partials/unassigned_results.html" if partial else "aftersales/unassigned_list.html",
        {
            "page_obj": page,
            "rows": [{"ticket": t, "form": StoreSlotForm(user=request.user, prefix=t.number)} for t in page],
            "province": province,
            "provinces": provinces
            if provinces is not None
            else [c for c, _label in Ticket._meta.get_field("province").choices],
        },
    )


@require_POST
def unassigned_assign(request, number: str):
    ticket = get_ticket_or_404(request.user, number, unassigned_queue(request.user).select_related("vehicle__model"))
    form = StoreSlotForm(request.POST, user=request.user, prefix=ticket.number)
    booked = False
    if form.is_valid():
        try:
            data = form.cleaned_data
            ticket = ticket_assign_store(ticket=ticket, store=data["store"], slot=data["slot"], actor=request.user)
            booked = True
        except ValidationError as exc:
            form.add_error(None, exc)  # keys of the service's errors are the form's fields
    if request.htmx:
        row = {"ticket": ticket, "form": form, "booked": booked}
        return render(request, "aftersales/partials/unassigned_row.html", {"row": row})
    messages.add_message(request, *_booking_message(ticket, form, booked))
    return redirect("aftersales:unassigned")


def _booking_message(ticket: Ticket, form: StoreSlotForm, booked: bool) -> tuple[int, str]:
    """The plain form's answer: where and when it was booked, or why not."""
    if booked:
        slot = ticket.dispatch_note["slot"][:16].replace("T", " ")
        text = _("%(number)s booked at %(store)s on %(slot)s.")
        return messages.SUCCESS, text % {"number": ticket.number, "store": ticket.store.code, "slot": slot}
    errors = " ".join(e for errors in form.errors.values() for e in errors)
    return messages.ERROR, _("%(number)s was not booked: %(errors)s") % {"number": ticket.number, "errors": errors}
