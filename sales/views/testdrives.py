import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from stores.access import get_visible_or_404, membership_of, stores_visible_to

from .. import selectors, services
from ..access import test_drives_visible_to
from ..forms import TestDriveBookingForm, TestDriveFilterForm
from ..services.testdrives import allowed_actions
from . import list_page


def _own_store(user):
    membership = membership_of(user)
    return membership.store if membership is not None and membership.store_id else None


def testdrive_list(request):
    form = TestDriveFilterForm(request.GET or None, user=request.user)
    period, status, store = "upcoming", "", None
    if form.is_bound and form.is_valid():
        period, status, store = form.cleaned_data["period"], form.cleaned_data["status"], form.cleaned_data["store"]
    elif form.is_bound:
        period = form.cleaned_data.get("period") or "upcoming"
    queryset = selectors.test_drive_list(user=request.user, period=period, status=status, store=store)
    page = list_page(queryset if not form.errors else queryset.none(), request)
    services.reveal_phones(
        user=request.user, customers=[d.customer for d in page], path=request.get_full_path(), listing=True
    )
    return render(
        request,
        "sales/testdrive_list.html",
        {
            "form": form,
            "page_obj": page,
            "period": period,
            "own_store": _own_store(request.user),
        },
    )


def testdrive_day(request):
    """One store's day by hour slot, with free demo cars; staff and managers see their own store."""
    code = (request.GET.get("store") or "").strip().upper()
    own = _own_store(request.user)
    if code:
        store = get_visible_or_404(stores_visible_to(request.user), code=code)
    elif own is not None:
        store = own
    else:
        return render(request, "sales/testdrive_day.html", {"store": None})
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        day = timezone.localdate()
    slots = selectors.test_drive_day(user=request.user, store=store, day=day)
    services.reveal_phones(
        user=request.user,
        customers=[d.customer for s in slots for d in s.drives],
        path=request.get_full_path(),
        listing=True,
    )
    monday = day - dt.timedelta(days=day.weekday())
    return render(
        request,
        "sales/testdrive_day.html",
        {
            "store": store,
            "day": day,
            "today": timezone.localdate(),
            "slots": slots,
            "week": [monday + dt.timedelta(days=i) for i in range(7)],
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "free_total": sum(s.free for s in slots),
            "drive_total": sum(len(s.drives) for s in slots),
        },
    )


@require_http_methods(["GET", "POST"])
def testdrive_new(request):
    refusal = None
    if request.method == "POST":
        form = TestDriveBookingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.test_drive_book(
                    user=request.user,
                    customer_name=data["customer_name"],
                    customer_phone=data["customer_phone"],
                    model=data["model"],
                    slot_start=data["slot"],
                    store=data.get("store"),
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                )
            except services.BookingRefused as exc:
                refusal = exc
                for _code, message in exc.reasons:
                    form.add_error(None, message)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if result.created:
                    messages.success(request, _("Test drive booked."))
                    _say_if_no_sms(request, result)
                else:
                    messages.info(request, _("This booking already exists: nothing new was booked."))
                return redirect(result.test_drive)
    else:
        initial = {key: request.GET[key] for key in ("store", "slot", "model") if request.GET.get(key)}
        form = TestDriveBookingForm(initial=initial, user=request.user)
    return render(
        request,
        "sales/testdrive_form.html",
        {
            "form": form,
            "refusal": refusal,
            "own_store": _own_store(request.user),
            "last_day": services.testdrives.last_bookable_day(),
        },
    )


def _say_if_no_sms(request, result: services.BookingResult) -> None:
    if result.sms_sent is False:
        limit = settings.TESTDRIVE_SMS_PER_DAY
        text = ngettext(
            "No SMS was sent to the customer: this number has had its %(count)d booking message today.",
            "No SMS was sent to the customer: this number has had its %(count)d booking messages today.",
            limit,
        )
        messages.warning(request, text % {"count": limit})


@require_http_methods(["GET", "POST"])
def testdrive_detail(request, pk: int):
    queryset = test_drives_visible_to(request.user).select_related(
        "customer", "model", "store", "demo_vehicle", "created_by"
    )
    test_drive = get_visible_or_404(queryset, pk=pk)
    if request.method == "POST":
        try:
            test_drive = services.test_drive_transition(
                test_drive=test_drive, action=request.POST.get("action", ""), actor=request.user
            )
            messages.success(
                request,
                _("The test drive is now %(status)s.") % {"status": test_drive.get_status_display()},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if not request.htmx:
            return redirect(test_drive)
        test_drive = get_visible_or_404(queryset, pk=pk)
    services.reveal_phones(user=request.user, customers=[test_drive.customer], path=request.path, listing=False)
    context = {"test_drive": test_drive, "actions": allowed_actions(test_drive, user=request.user)}
    template = "sales/partials/testdrive_status.html" if request.htmx else "sales/testdrive_detail.html"
    return render(request, template, context)
