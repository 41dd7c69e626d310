"""The unassigned queue: scheduled work no store could take, for the regional managers of its
province and HQ, each row with a form to book it at a store by hand (htmx or a plain form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales import selectors
from aftersales.forms import StoreSlotForm
from aftersales.models import Ticket
from aftersales.services.dispatch import ticket_assign_store
from core.paginators import paginate
from stores.access import get_visible_or_404, provinces_visible_to
from stores.policy import can


def _places_storeless_work_or_404(user) -> None:
    """Only the roles that place store-less work (stores.policy) have this page."""
    if not can(user, "ticket.place_unassigned"):
        raise Http404


@require_GET
def unassigned_list(request):
    _places_storeless_work_or_404(request.user)
    provinces = provinces_visible_to(request.user)
    province = request.GET.get("province", "")
    queryset = selectors.unassigned_tickets(user=request.user, province=province)
    page = paginate(queryset, request.GET.get("page"), rows=selectors.unassigned_rows())
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
    _places_storeless_work_or_404(request.user)
    queryset = selectors.unassigned_tickets(user=request.user).select_related("vehicle__model")
    ticket = get_visible_or_404(queryset, number=number)
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
