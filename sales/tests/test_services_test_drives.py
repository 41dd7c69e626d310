import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from sales.models import Customer, TestDrive, Vehicle
from sales.services import BookingRefused, test_drive_book, test_drive_transition
from sales.services import testdrives as booking
from sales.tests.factories import CarModelFactory, TestDriveFactory, VehicleFactory, local_slot
from stores.models import SlotLoad, Store
from stores.tests.factories import StoreFactory


def book(user, store, model, slot, phone="13900000001", name="王先生"):
    return test_drive_book(
        user=user, customer_name=name, customer_phone=phone, model=model, slot_start=slot, store=store
    )


def refusal(user, store, model, slot, **kwargs) -> BookingRefused:
    with pytest.raises(BookingRefused) as info:
        book(user, store, model, slot, **kwargs)
    return info.value


def booked(store, slot) -> int:
    row = SlotLoad.objects.filter(store=store, starts_at=slot, resource=SlotLoad.Resource.DEMO_CAR).first()
    return row.booked if row else 0


def test_booking_at_an_open_store_is_accepted_and_holds_a_demo_car(store, staff_user, car_model):
    result = book(staff_user, store, car_model, local_slot())
    assert result.created
    drive = result.test_drive
    assert drive.status == TestDrive.Status.ASSIGNED
    assert drive.customer.phone == "13900000001"
    assert drive.created_by == staff_user
    assert booked(store, local_slot()) == 1


def test_mobile_number_is_normalised_and_the_customer_reused(store, staff_user, car_model):
    first = book(staff_user, store, car_model, local_slot(hour=10), phone="+86 139 0000 0001").test_drive
    second = book(staff_user, store, car_model, local_slot(hour=11), phone="8613900000001").test_drive
    assert first.customer_id == second.customer_id
    assert Customer.objects.get().phone == "13900000001"


def test_not_a_mobile_number_is_refused_on_the_phone_field(store, staff_user, car_model):
    with pytest.raises(ValidationError) as info:
        book(staff_user, store, car_model, local_slot(), phone="020-87654321")
    assert "customer_phone" in info.value.message_dict
    assert not TestDrive.objects.exists()


@pytest.mark.parametrize(("status", "label"), [(Store.Status.SUSPENDED, "Suspended"), (Store.Status.CLOSED, "Closed")])
def test_refused_when_the_store_is_not_active(staff_user, car_model, status, label):
    store = StoreFactory(code="GZ-SUSP", status=status)
    exc = refusal(staff_user, store, car_model, local_slot())
    assert exc.codes == [status]  # the dispatch vocabulary (stores.dispatching.Refusal)
    assert "is not taking bookings" in exc.reasons[0][1]
    assert label in exc.reasons[0][1]
    assert not TestDrive.objects.exists()


def test_a_store_without_demo_cars_is_refused_for_that_at_any_hour(staff_user, car_model):
    store = StoreFactory(code="GZ-NODEMO", demo_cars=0, opens_minute=11 * 60)
    exc = refusal(staff_user, store, car_model, local_slot(hour=10))
    assert exc.codes == ["no_capacity"]


def test_refused_when_the_store_offers_no_test_drives(staff_user, car_model):
    store = StoreFactory(code="GZ-SVC", capabilities="maintenance|repair")
    exc = refusal(staff_user, store, car_model, local_slot())
    assert exc.codes == ["no_capability"]
    assert "does not offer test drives" in exc.reasons[0][1]


@pytest.mark.parametrize("hour", [7, 19, 23])
def test_refused_when_the_store_is_not_open_for_the_whole_hour(store, staff_user, car_model, hour):
    store.closes_minute = 19 * 60 + 30
    store.save()
    exc = refusal(staff_user, store, car_model, local_slot(hour=hour))
    assert exc.codes == ["closed_at_that_hour"]
    assert "08:00–19:30" in exc.reasons[0][1]


def test_refused_when_the_store_has_no_demo_cars(staff_user, car_model):
    store = StoreFactory(code="GZ-NODEMO", demo_cars=0)
    exc = refusal(staff_user, store, car_model, local_slot())
    assert exc.codes == ["no_capacity"]
    assert "has no demo cars" in exc.reasons[0][1]


def test_refused_when_the_slot_has_begun(store, staff_user, car_model):
    now = timezone.localtime()
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    exc = refusal(staff_user, store, car_model, current_hour)
    assert "past" in exc.codes
    assert "has already begun" in dict(exc.reasons)["past"]


def test_refused_when_the_slot_is_yesterday(store, staff_user, car_model):
    exc = refusal(staff_user, store, car_model, local_slot(days=-1))
    assert exc.codes == ["past"]


def test_refused_when_the_slot_is_more_than_60_days_ahead(store, staff_user, car_model):
    exc = refusal(staff_user, store, car_model, local_slot(days=61))
    assert exc.codes == ["too_far_ahead"]
    assert "at most 60 days ahead" in exc.reasons[0][1]
    # The 60th day itself is bookable.
    assert book(staff_user, store, car_model, local_slot(days=60)).created


def test_refused_when_the_slot_is_not_on_the_hour(store, staff_user, car_model):
    exc = refusal(staff_user, store, car_model, local_slot() + dt.timedelta(minutes=30))
    assert exc.codes == ["not_on_the_hour"]
    assert "on the hour" in exc.reasons[0][1]


def test_with_two_demo_cars_a_third_booking_in_the_slot_is_refused(store, staff_user, car_model):
    assert store.demo_cars == 2
    slot = local_slot()
    book(staff_user, store, car_model, slot, phone="13900000001")
    book(staff_user, store, car_model, slot, phone="13900000002")
    exc = refusal(staff_user, store, car_model, slot, phone="13900000003")
    assert exc.codes == ["full"]
    assert "All 2 demo cars" in exc.reasons[0][1]
    assert TestDrive.objects.count() == 2
    assert booked(store, slot) == 2
    assert not Customer.objects.filter(phone="13900000003").exists()


def test_a_full_slot_offers_next_free_slots_here_and_nearby_stores_free_then(store, staff_user, car_model):
    near = StoreFactory(code="GZ-NEAR", lat=store.lat + 0.05, lng=store.lng)
    StoreFactory(code="GZ-FAR", lat=store.lat + 3, lng=store.lng)  # about 330 km: too far
    StoreFactory(code="GZ-NEARSHUT", lat=store.lat + 0.01, lng=store.lng, status=Store.Status.CLOSED)
    slot = local_slot(hour=10)
    book(staff_user, store, car_model, slot, phone="13900000001")
    book(staff_user, store, car_model, slot, phone="13900000002")
    book(staff_user, store, car_model, slot + dt.timedelta(hours=1), phone="13900000001")
    book(staff_user, store, car_model, slot + dt.timedelta(hours=1), phone="13900000002")
    exc = refusal(staff_user, store, car_model, slot, phone="13900000003")
    same = [offer.starts_at for offer in exc.alternatives.same_store]
    assert same[0] == slot + dt.timedelta(hours=2)
    assert len(same) == 3
    assert [offer.store.code for offer in exc.alternatives.nearby] == ["GZ-NEAR"]
    assert exc.alternatives.nearby[0].distance_km == pytest.approx(5.6, abs=0.1)
    assert near.pk == exc.alternatives.nearby[0].store.pk


def test_double_submit_books_once_and_returns_the_standing_booking(store, staff_user, car_model):
    slot = local_slot()
    first = book(staff_user, store, car_model, slot)
    second = book(staff_user, store, car_model, slot, phone="139 0000 0001")
    assert first.created and not second.created
    assert second.test_drive.pk == first.test_drive.pk
    assert TestDrive.objects.count() == 1
    assert booked(store, slot) == 1


def test_after_cancelling_the_same_booking_can_be_made_again(store, staff_user, car_model):
    slot = local_slot()
    first = book(staff_user, store, car_model, slot).test_drive
    test_drive_transition(test_drive=first, action="cancel")
    assert booked(store, slot) == 0
    again = book(staff_user, store, car_model, slot)
    assert again.created and again.test_drive.pk != first.pk
    assert booked(store, slot) == 1


def test_racing_double_submit_is_caught_by_the_constraint_and_books_once(store, staff_user, car_model, monkeypatch):
    slot = local_slot()
    first = book(staff_user, store, car_model, slot).test_drive
    # The second request looked before the first had committed: it saw no standing booking.
    real = booking._standing
    calls = {"n": 0}

    def blind_first_time(**kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(**kwargs)

    monkeypatch.setattr(booking, "_standing", blind_first_time)
    second = book(staff_user, store, car_model, slot)
    assert not second.created and second.test_drive.pk == first.pk
    assert TestDrive.objects.count() == 1
    assert booked(store, slot) == 1  # the racing request's hold was rolled back


def test_the_database_refuses_two_standing_identical_bookings(store, car_model):
    drive = TestDriveFactory(store=store, model=car_model)
    with pytest.raises(IntegrityError):
        TestDriveFactory(store=store, model=car_model, customer=drive.customer, slot_start=drive.slot_start)


def test_position_request_waits_for_dispatch_without_holding_a_car(regional_user, car_model):
    result = test_drive_book(
        user=regional_user,
        customer_name="李女士",
        customer_phone="13700000000",
        model=car_model,
        slot_start=local_slot(),
        lat=23.1,
        lng=113.3,
    )
    drive = result.test_drive
    assert drive.store is None and drive.status == TestDrive.Status.REQUESTED
    assert (drive.customer_lat, drive.customer_lng) == (23.1, 113.3)
    assert not SlotLoad.objects.exists()
    again = test_drive_book(
        user=regional_user,
        customer_name="李女士",
        customer_phone="13700000000",
        model=car_model,
        slot_start=local_slot(),
        lat=23.1,
        lng=113.3,
    )
    assert again.test_drive.pk == drive.pk and not again.created


def test_position_request_still_obeys_the_time_rules(regional_user, car_model):
    with pytest.raises(BookingRefused) as info:
        test_drive_book(
            user=regional_user,
            customer_name="李女士",
            customer_phone="13700000000",
            model=car_model,
            slot_start=local_slot(days=70),
            lat=23.1,
            lng=113.3,
        )
    assert info.value.codes == ["too_far_ahead"]


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("assigned", "confirm", "confirmed"),
        ("assigned", "cancel", "cancelled"),
        ("confirmed", "cancel", "cancelled"),
        ("requested", "cancel", "cancelled"),
    ],
)
def test_allowed_test_drive_moves(store, car_model, start, action, end):
    drive = TestDriveFactory(store=None if start == "requested" else store, model=car_model, status=start)
    assert test_drive_transition(test_drive=drive, action=action).status == end


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("completed", "cancel"),
        ("cancelled", "confirm"),
        ("no_show", "complete"),
        ("confirmed", "confirm"),
        ("requested", "confirm"),
    ],
)
def test_forbidden_test_drive_moves_change_nothing(store, car_model, start, action):
    drive = TestDriveFactory(store=None if start == "requested" else store, model=car_model, status=start)
    with pytest.raises(ValidationError):
        test_drive_transition(test_drive=drive, action=action)
    drive.refresh_from_db()
    assert drive.status == start


def test_complete_and_no_show_wait_until_the_slot_has_begun(store, car_model):
    future = TestDriveFactory(store=store, model=car_model, status="confirmed", slot_start=local_slot())
    with pytest.raises(ValidationError, match="once its slot has begun"):
        test_drive_transition(test_drive=future, action="complete")
    begun = TestDriveFactory(store=store, model=car_model, status="confirmed", slot_start=local_slot(days=-1))
    assert test_drive_transition(test_drive=begun, action="no-show").status == "no_show"


def test_confirming_picks_a_free_demo_car_of_the_model(store, car_model):
    other = CarModelFactory(code="GC-X5")
    VehicleFactory(store=store, model=other, status=Vehicle.Status.DEMO)
    mine = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.DEMO)
    drive = TestDriveFactory(store=store, model=car_model)
    assert test_drive_transition(test_drive=drive, action="confirm").demo_vehicle == mine
    twin = TestDriveFactory(store=store, model=car_model, slot_start=drive.slot_start)
    assert test_drive_transition(test_drive=twin, action="confirm").demo_vehicle.model == other


def test_cancelling_a_booking_gives_its_demo_car_back(store, staff_user, car_model):
    slot = local_slot()
    drives = [book(staff_user, store, car_model, slot, phone=f"1390000000{i}").test_drive for i in (1, 2)]
    test_drive_transition(test_drive=drives[0], action="cancel")
    assert book(staff_user, store, car_model, slot, phone="13900000003").created


def test_test_drive_moves_check_the_policy_and_dispatch_is_the_systems(store, car_model, staff_user):
    from django.core.exceptions import PermissionDenied

    from sales.services.testdrives import allowed_actions

    waiting = TestDriveFactory(store=None, model=car_model, status="requested")
    assert allowed_actions(waiting, user=staff_user) == ["cancel"]
    with pytest.raises(PermissionDenied):
        test_drive_transition(test_drive=waiting, action="dispatch", actor=staff_user)
    begun = TestDriveFactory(store=store, model=car_model, slot_start=local_slot(days=-1))
    assert allowed_actions(begun, user=staff_user) == ["confirm", "complete", "no-show", "cancel"]
    future = TestDriveFactory(store=store, model=car_model)
    assert allowed_actions(future, user=staff_user) == ["confirm", "cancel"]
