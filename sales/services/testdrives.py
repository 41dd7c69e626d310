"""Test-drive booking (CONTRACT 5, issue 4) and the moves of a booking once made.

A booking at a store holds one of the store's demo cars for its hour slot; the hold is taken
with stores.capacity.book (one conditional UPDATE, so two clerks can never overbook the last car)
and given back when the booking is cancelled. A request with the customer's position instead of
a store holds nothing until the dispatcher assigns it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stores import capacity, dispatching
from stores.dispatching import Refusal
from stores.geo import nearest
from stores.models import Capability, SlotLoad, Store
from stores.phones import normalise_mobile
from stores.policy import allowed_moves, require_move

from .. import notices
from ..models import CarModel, TestDrive, Vehicle, placeholder_name
from .customers import customer_get_or_create_by_phone

Status = TestDrive.Status
DEMO_CAR = SlotLoad.Resource.DEMO_CAR
MAX_DAYS_AHEAD = 60
NEARBY_KM = 50.0
ALTERNATIVES = 3
SLOT_SEARCH_DAYS = 14


@dataclass(frozen=True)
class SlotOffer:
    store: Store
    starts_at: dt.datetime
    free: int
    distance_km: float | None = None


@dataclass
class BookingResult:
    test_drive: TestDrive
    created: bool
    # Whether the customer was sent a confirmation: None when none was due (no store yet, or an
    # existing booking), False when the number's daily limit of booking messages was reached.
    sms_sent: bool | None = None


@dataclass
class Alternatives:
    same_store: list[SlotOffer] = field(default_factory=list)
    nearby: list[SlotOffer] = field(default_factory=list)


class BookingRefused(ValidationError):
    """The booking was refused: `reasons` are (rule code, message); `alternatives` what to offer."""

    def __init__(self, reasons: list[tuple[str, str]], alternatives: Alternatives | None = None):
        super().__init__([ValidationError(message, code=code) for code, message in reasons])
        self.reasons = reasons
        self.codes = [code for code, _message in reasons]
        self.alternatives = alternatives or Alternatives()


# --- the rules ---------------------------------------------------------------------------------


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def last_bookable_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD)


def time_refusals(slot_start: dt.datetime, *, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """The rules about the slot itself: on the hour, in the future, at most 60 days ahead."""
    now = now or timezone.now()
    local = timezone.localtime(slot_start)
    reasons = []
    if (local.minute, local.second, local.microsecond) != (0, 0, 0):
        reasons.append(("not_on_the_hour", _("A slot starts on the hour (for example 14:00), not at %(time)s.") % {"time": local.strftime("%H:%M")}))  # fmt: skip
    if slot_start <= now:
        reasons.append(("past", _("The slot %(slot)s has already begun: choose a slot in the future.") % {"slot": _fmt(slot_start)}))  # fmt: skip
    elif local.date() > last_bookable_day():
        reasons.append(("too_far_ahead", _("Slots can be booked at most %(days)d days ahead, up to %(last)s.") % {"days": MAX_DAYS_AHEAD, "last": last_bookable_day().isoformat()}))  # fmt: skip
    return reasons


def store_refusal(store: Store, slot_start: dt.datetime) -> tuple[str, str] | None:
    """The store rules: active, offers test drives, open for the whole hour, has demo cars."""
    code = dispatching.hour_refusal(store, slot_start, Capability.TEST_DRIVE)
    if code is None:
        return None
    local = timezone.localtime(slot_start)
    params = {
        "store": f"{store.code} {store.name}",
        "status": store.get_status_display(),
        "start": local.strftime("%H:%M"),
        "end": (local + dt.timedelta(hours=1)).strftime("%H:%M"),
        "opens": store.opens,
        "closes": store.closes,
    }
    not_active = _("%(store)s is not taking bookings: it is %(status)s.")
    messages = {
        Refusal.SUSPENDED: not_active,
        Refusal.CLOSED: not_active,
        Refusal.NO_CAPABILITY: _("%(store)s does not offer test drives."),
        Refusal.CLOSED_AT_HOUR: _(
            "%(store)s is not open for the whole hour %(start)s–%(end)s (opening hours %(opens)s–%(closes)s)."
        ),
        Refusal.NO_CAPACITY: _("%(store)s has no demo cars."),
    }
    return str(code), messages[code] % params


def full_refusal(store: Store, slot_start: dt.datetime) -> tuple[str, str]:
    message = ngettext(
        "The only demo car at %(store)s is booked for %(slot)s.",
        "All %(count)d demo cars at %(store)s are booked for %(slot)s.",
        store.demo_cars,
    )
    return "full", message % {"count": store.demo_cars, "store": f"{store.code} {store.name}", "slot": _fmt(slot_start)}


# --- alternatives ------------------------------------------------------------------------------


def _open_hours(store: Store, start: dt.datetime, end_day: dt.date) -> list[dt.datetime]:
    """Local hour starts from `start` (inclusive) to the end of `end_day` when the store is open."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start)
    day = local.date()
    hours = []
    while day <= end_day:
        for hour in range(24):
            moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            if moment >= local and store.is_open_for_hour(moment):
                hours.append(moment)
        day += dt.timedelta(days=1)
    return hours


def next_free_slots(store: Store, after: dt.datetime, *, limit: int = ALTERNATIVES) -> list[SlotOffer]:
    """The next slots at `store`, from `after` on, with a demo car free (two queries at most)."""
    if not store.capacity_for(DEMO_CAR):  # not active, no test drives, or no demo cars
        return []
    now = timezone.now()
    start = max(after, capacity.hour_start(now) + dt.timedelta(hours=1))
    end_day = min(timezone.localtime(start).date() + dt.timedelta(days=SLOT_SEARCH_DAYS), last_bookable_day())
    candidates = _open_hours(store, start, end_day)
    booked = capacity.booked_in_slots([store.pk], candidates, DEMO_CAR)
    offers = []
    for moment in candidates:
        free = store.demo_cars - booked.get((store.pk, moment), 0)
        if free > 0:
            offers.append(SlotOffer(store=store, starts_at=moment, free=free))
            if len(offers) == limit:
                break
    return offers


def nearby_free_stores(
    lat: float, lng: float, slot_start: dt.datetime, *, exclude_pk: int | None = None, limit: int = ALTERNATIVES
) -> list[SlotOffer]:
    """Active test-drive stores within 50 km, nearest first, open and with a demo car free then."""
    candidates = Store.objects.active().with_capability(Capability.TEST_DRIVE).filter(demo_cars__gt=0)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    ranked = nearest(candidates, lat, lng, limit=limit * 5, max_km=NEARBY_KM)
    stores = Store.objects.in_bulk([pk for pk, _km in ranked])
    local = timezone.localtime(slot_start)
    open_ones = [(stores[pk], km) for pk, km in ranked if pk in stores and stores[pk].is_open_for_hour(local)]
    booked = capacity.booked_in_slots([s.pk for s, _km in open_ones], [slot_start], DEMO_CAR)
    offers = []
    for store, km in open_ones:
        free = store.demo_cars - booked.get((store.pk, slot_start), 0)
        if free > 0:
            offers.append(SlotOffer(store=store, starts_at=slot_start, free=free, distance_km=round(km, 1)))
            if len(offers) == limit:
                break
    return offers


def _alternatives(store: Store, slot_start: dt.datetime, time_ok: bool) -> Alternatives:
    return Alternatives(
        same_store=next_free_slots(store, slot_start),
        nearby=nearby_free_stores(store.lat, store.lng, slot_start, exclude_pk=store.pk) if time_ok else [],
    )


# --- booking -----------------------------------------------------------------------------------


def _standing(*, phone: str, store: Store | None, model: CarModel, slot_start: dt.datetime) -> TestDrive | None:
    return (
        TestDrive.objects.filter(
            customer__phone=phone, store=store, model=model, slot_start=slot_start, status__in=TestDrive.STANDING
        )
        .order_by("pk")
        .first()
    )


def test_drive_book(
    *,
    user,
    customer_name: str,
    customer_phone: str,
    model: CarModel,
    slot_start: dt.datetime,
    store: Store | None = None,
    lat: float | None = None,
    lng: float | None = None,
) -> BookingResult:
    """Book `model` at `store` for the hour from `slot_start`, or record a position request.

    The same customer, store, model and slot while that booking stands returns it (created False)
    and books nothing new. Raises BookingRefused naming each failed rule, with alternatives, and
    ValidationError({"customer_phone": ...}) for a number that is not a mainland mobile.
    """
    try:
        phone = normalise_mobile(customer_phone)
    except ValidationError as exc:
        raise ValidationError({"customer_phone": exc.messages}) from exc
    if store is None and (lat is None or lng is None):
        raise ValidationError(_("Give a store, or the customer's position (latitude and longitude)."))

    existing = _standing(phone=phone, store=store, model=model, slot_start=slot_start)
    if existing is not None:
        return BookingResult(existing, created=False)

    _refuse_unbookable(store, slot_start)
    try:
        with transaction.atomic():
            customer, _created = customer_get_or_create_by_phone(phone=phone, name=customer_name)
            if store is not None and not capacity.book(store=store, starts_at=slot_start, resource=DEMO_CAR):
                raise _SlotFull
            test_drive = TestDrive.objects.create(
                customer=customer,
                model=model,
                customer_name=_typed_name(customer_name, phone),
                store=store,
                slot_start=slot_start,
                status=Status.ASSIGNED if store is not None else Status.REQUESTED,
                customer_lat=lat if store is None else None,
                customer_lng=lng if store is None else None,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except _SlotFull:
        raise BookingRefused([full_refusal(store, slot_start)], _alternatives(store, slot_start, True)) from None
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request booked it (and this
        # transaction's hold on a demo car was rolled back with it).
        existing = _standing(phone=phone, store=store, model=model, slot_start=slot_start)
        if existing is None:
            raise
        return BookingResult(existing, created=False)
    sms_sent = notices.testdrive_booked(test_drive) if test_drive.store_id is not None else None
    return BookingResult(test_drive, created=True, sms_sent=sms_sent)


class _SlotFull(Exception):
    pass


def _typed_name(name: str, phone: str) -> str:
    """The name given for the booking, shown on its pages instead of the name on record."""
    return (name or "").strip()[:100] or placeholder_name(phone)


def _refuse_unbookable(store: Store | None, slot_start: dt.datetime) -> None:
    """Raise BookingRefused naming every rule of the slot and the store that the booking breaks."""
    reasons = time_refusals(slot_start)
    if store is not None:
        store_reason = store_refusal(store, slot_start)
        if store_reason:
            reasons.append(store_reason)
    if reasons:
        time_ok = not any(code in ("past", "too_far_ahead", "not_on_the_hour") for code, _m in reasons)
        raise BookingRefused(reasons, _alternatives(store, slot_start, time_ok) if store is not None else None)


# --- moves after booking -----------------------------------------------------------------------


def allowed_actions(test_drive: TestDrive, *, user) -> list[str]:
    """The buttons a page may offer for this booking now: the moves of TestDrive.MACHINE the
    user may make (stores.policy) whose guards pass."""
    return [move.key for move in allowed_moves(user, TestDrive.MACHINE, test_drive)]


@transaction.atomic
def test_drive_transition(*, test_drive: TestDrive, action: str, actor=None) -> TestDrive:
    """Confirm, complete, mark a no-show or cancel: a move of TestDrive.MACHINE named `action`.

    ValidationError says why a move is not allowed now, PermissionDenied who may make it.
    """
    locked = TestDrive.objects.select_for_update().get(pk=test_drive.pk)
    current = Status(locked.status)
    target = require_move(actor, TestDrive.MACHINE, locked, action).target

    fields = ["status", "updated_at"]
    if target == Status.CANCELLED and locked.store_id and current in TestDrive.STANDING:
        capacity.release(store_id=locked.store_id, starts_at=locked.slot_start, resource=DEMO_CAR)
    if target in (Status.CONFIRMED, Status.COMPLETED) and locked.demo_vehicle_id is None and locked.store_id:
        locked.demo_vehicle = _free_demo_vehicle(locked)
        fields.append("demo_vehicle")
    locked.status = target
    locked.save(update_fields=fields)
    return locked


def _free_demo_vehicle(test_drive: TestDrive) -> Vehicle | None:
    """A demo car of the store not serving another standing drive in that slot, the booked model first.

    The store's demo cars are locked (in VIN order, so that confirmers wait rather than deadlock)
    before the busy ones are read: two drives confirmed at the same moment get different cars,
    the second seeing the first's choice once it has committed.
    """
    demo_cars = Vehicle.objects.filter(store_id=test_drive.store_id, status=Vehicle.Status.DEMO)
    list(demo_cars.select_for_update().order_by("vin").values_list("pk", flat=True))
    busy = TestDrive.objects.filter(
        store_id=test_drive.store_id,
        slot_start=test_drive.slot_start,
        status__in=[*TestDrive.STANDING, Status.COMPLETED],
        demo_vehicle__isnull=False,
    ).values("demo_vehicle_id")
    free = demo_cars.exclude(pk__in=busy)
    return free.filter(model_id=test_drive.model_id).order_by("vin").first() or free.order_by("vin").first()


# pytest would collect these as tests wherever a test module imports them by name.
test_drive_book.__test__ = False
test_drive_transition.__test__ = False
