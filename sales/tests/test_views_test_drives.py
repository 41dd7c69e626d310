import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import PhoneView, TestDrive, Vehicle
from sales.tests.factories import CustomerFactory, TestDriveFactory, VehicleFactory, local_slot
from stores.models import Role, SlotLoad
from stores.tests.factories import StoreFactory, make_user

# The clock is pinned (conftest `now`): the form's slots are counted from today, and a test that
# builds the form twice must not see two different todays.
pytestmark = pytest.mark.usefixtures("now")

NEW = "/sales/test-drives/new/"
# On PostgreSQL the phone-view log runs SET LOCAL in a savepoint inside the test's transaction.
PHONE_LOG_OVERHEAD = 3


def slot_text(days=1, hour=10) -> str:
    return local_slot(days=days, hour=hour).strftime("%Y-%m-%d %H:%M")


def form(**overrides):
    data = {"customer_name": "王先生", "customer_phone": "13900000001", "model": "GC-M7", "slot": slot_text()}
    data.update(overrides)
    return data


def test_staff_booking_redirects_to_the_booking_page(staff_client, store, car_model):
    response = staff_client.post(NEW, form(model="gc-m7"))
    drive = TestDrive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})
    assert drive.store == store and drive.status == "assigned"
    assert drive.slot_start == local_slot()


def test_staff_cannot_book_at_another_store_by_posting_its_code(staff_client, store, other_store, car_model):
    staff_client.post(NEW, form(store=other_store.code))
    assert TestDrive.objects.get().store == store


def test_double_submitted_form_books_once_and_redirects_to_the_same_booking(staff_client, car_model):
    first = staff_client.post(NEW, form())
    second = staff_client.post(NEW, form(customer_phone="139 0000 0001"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert TestDrive.objects.count() == 1


# The overrides are made when the test runs, not when it is collected: a slot counted from the
# day of collection would be off by one when the suite runs across midnight.
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (lambda: {"slot": slot_text(days=-1)}, "has already begun"),
        (lambda: {"slot": slot_text(days=61)}, "at most 60 days ahead"),
        (lambda: {"slot": local_slot().strftime("%Y-%m-%d 10:30")}, "on the hour"),
        (lambda: {"slot": slot_text(hour=6)}, "not open for the whole hour"),
        (lambda: {"slot": "tomorrow 10am"}, "YYYY-MM-DD HH:MM"),
        (lambda: {"customer_phone": "12345"}, "is not a mainland mobile number"),
        (lambda: {"model": "NOPE"}, "Select a valid choice"),
    ],
)
def test_refused_booking_rerenders_the_form_with_the_reason_and_keeps_input(
    staff_client, car_model, overrides, message
):
    data = form(**overrides())
    response = staff_client.post(NEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="王先生"' in html
    assert f'value="{data["slot"]}"' in html
    assert not TestDrive.objects.exists()


def test_full_slot_is_refused_with_alternatives(staff_client, store, car_model):
    store.demo_cars = 1
    store.save()
    assert staff_client.post(NEW, form()).status_code == 302
    response = staff_client.post(NEW, form(customer_phone="13900000002"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The only demo car at" in html
    assert 'data-testid="alternatives"' in html
    assert slot_text(hour=11) in html  # the next free slot here
    assert TestDrive.objects.count() == 1


def test_store_not_offering_test_drives_is_named(client, car_model):
    shop = StoreFactory(code="GZ-SHOP", capabilities="tyres")
    client.force_login(make_user(Role.STAFF, store=shop))
    response = client.post(NEW, form())
    assert response.status_code == 200
    assert "does not offer test drives" in response.content.decode()


def test_hq_books_at_a_store_by_code(hq_client, other_store, car_model):
    response = hq_client.post(NEW, form(store=other_store.code.lower()))
    assert response.status_code == 302
    assert TestDrive.objects.get().store == other_store


def test_regional_user_cannot_book_outside_their_provinces(regional_client, other_store, car_model):
    response = regional_client.post(NEW, form(store=other_store.code))
    assert response.status_code == 200
    assert "is in your reach" in response.content.decode()
    assert not TestDrive.objects.exists()


def test_regional_user_enters_a_position_request_that_waits_for_dispatch(regional_client, car_model):
    response = regional_client.post(NEW, form(lat="23.13", lng="113.26"))
    drive = TestDrive.objects.get()
    assert response.status_code == 302
    assert drive.store is None and drive.status == "requested"
    assert regional_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "Give a store code, or the customer"),
        ({"store": "GZ-0001", "lat": "23", "lng": "113"}, "not both"),
        ({"lat": "23"}, "Give a store code, or the customer"),
        ({"lat": "60", "lng": "113"}, "less than or equal to 54"),
    ],
)
def test_hq_form_needs_a_store_or_a_position(hq_client, store, car_model, overrides, message):
    response = hq_client.post(NEW, form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TestDrive.objects.exists()


def test_staff_form_has_no_store_or_position_fields(staff_client, car_model):
    html = staff_client.get(NEW).content.decode()
    for name in ("customer_name", "customer_phone", "model", "slot"):
        assert f'name="{name}"' in html
    assert 'name="lat"' not in html and 'name="store"' not in html


def test_hq_form_has_store_and_position_fields(hq_client, car_model):
    html = hq_client.get(NEW).content.decode()
    assert 'name="store"' in html and 'name="lat"' in html and 'name="lng"' in html


def test_booking_of_another_store_is_404_and_actions_change_nothing(client, store, other_store, car_model):
    drive = TestDriveFactory(store=other_store, model=car_model)
    client.force_login(make_user(Role.STAFF, store=store))
    url = reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "cancel"}).status_code == 404
    assert client.get(reverse("sales:testdrive_detail", kwargs={"pk": 999999})).status_code == 404
    drive.refresh_from_db()
    assert drive.status == "assigned"
    assert not PhoneView.objects.exists()


def test_actions_work_as_plain_forms_and_with_htmx(staff_client, store, car_model):
    drive = TestDriveFactory(store=store, model=car_model)
    SlotLoad.objects.create(store=store, starts_at=drive.slot_start, resource="demo_car", capacity=2, booked=1)
    url = reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})
    response = staff_client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.status == "confirmed"
    response = staff_client.post(url, {"action": "cancel"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="testdrive-status"' in response.content.decode()
    assert "<html" not in response.content.decode()
    drive.refresh_from_db()
    assert drive.status == "cancelled"
    assert SlotLoad.objects.get().booked == 0


def test_forbidden_action_says_why_and_changes_nothing(staff_client, store, car_model):
    drive = TestDriveFactory(store=store, model=car_model, status="completed", slot_start=local_slot(days=-1))
    url = reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})
    response = staff_client.post(url, {"action": "cancel"}, follow=True)
    assert "cannot become" in response.content.decode()
    drive.refresh_from_db()
    assert drive.status == "completed"


def test_detail_shows_the_full_number_and_logs_the_view(staff_client, staff_user, store, car_model):
    drive = TestDriveFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    html = staff_client.get(reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})).content.decode()
    assert "13812345678" in html
    view = PhoneView.objects.get()
    assert view.user == staff_user and view.customer == drive.customer


def test_list_masks_numbers_for_staff(staff_client, store, car_model):
    TestDriveFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    html = staff_client.get("/sales/test-drives/").content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert not PhoneView.objects.exists()


def test_list_shows_full_numbers_to_managers_and_logs_them(manager_client, store, car_model):
    TestDriveFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    html = manager_client.get("/sales/test-drives/").content.decode()
    assert "13812345678" in html and "138****5678" not in html
    assert PhoneView.objects.count() == 1


def test_list_shows_upcoming_by_default_and_other_periods_on_request(staff_client, store, car_model):
    TestDriveFactory(
        store=store, model=car_model, slot_start=local_slot(days=-2), customer=CustomerFactory(name="昨天客户")
    )
    TestDriveFactory(
        store=store, model=car_model, slot_start=local_slot(days=3), customer=CustomerFactory(name="未来客户")
    )
    html = staff_client.get("/sales/test-drives/").content.decode()
    assert "未来客户" in html and "昨天客户" not in html
    html = staff_client.get("/sales/test-drives/?period=past").content.decode()
    assert "昨天客户" in html and "未来客户" not in html


def test_list_shows_only_the_users_store(staff_client, store, other_store, car_model):
    TestDriveFactory(store=other_store, model=car_model, customer=CustomerFactory(name="上海客户"))
    html = staff_client.get("/sales/test-drives/").content.decode()
    assert "上海客户" not in html
    assert 'data-testid="empty"' in html


def test_list_query_count_is_constant(staff_client, store, car_model, django_assert_max_num_queries):
    for i in range(30):
        TestDriveFactory(store=store, model=car_model, slot_start=local_slot(days=1 + i % 5, hour=9 + i % 8))
    with django_assert_max_num_queries(6):
        response = staff_client.get("/sales/test-drives/?period=all")
    assert response.content.decode().count("/sales/test-drives/") >= 30


def test_day_view_shows_hour_slots_with_free_demo_cars(staff_client, store, car_model):
    slot = local_slot(hour=10)
    TestDriveFactory(store=store, model=car_model, slot_start=slot, customer=CustomerFactory(name="十点客户"))
    SlotLoad.objects.create(store=store, starts_at=slot, resource="demo_car", capacity=2, booked=1)
    day = slot.date().isoformat()
    response = staff_client.get(f"/sales/test-drives/day/?date={day}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "十点客户" in html
    assert "1 of 2 demo cars free" in html
    assert html.count('data-testid="free"') == 12  # open 08:00–20:00


def test_day_view_query_count_does_not_grow_with_bookings(
    manager_client, store, car_model, django_assert_max_num_queries
):
    day = local_slot().date().isoformat()

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(f"/sales/test-drives/day/?date={day}").status_code == 200
        return len(ctx.captured_queries)

    TestDriveFactory(store=store, model=car_model, slot_start=local_slot(hour=9), customer=CustomerFactory())
    few = count_queries()
    for hour in range(8, 20):
        for _i in range(2):
            TestDriveFactory(store=store, model=car_model, slot_start=local_slot(hour=hour), customer=CustomerFactory())
    assert count_queries() == few
    with django_assert_max_num_queries(9 + PHONE_LOG_OVERHEAD):
        manager_client.get(f"/sales/test-drives/day/?date={day}")


def test_day_view_of_a_store_out_of_reach_is_404(staff_client, other_store):
    assert staff_client.get(f"/sales/test-drives/day/?store={other_store.code}").status_code == 404


def test_hq_day_view_asks_for_a_store(hq_client, store):
    assert "Enter a store code" in hq_client.get("/sales/test-drives/day/").content.decode()
    assert hq_client.get(f"/sales/test-drives/day/?store={store.code}").status_code == 200


def test_demo_car_page_lists_the_test_drives_it_served(staff_client, store, car_model):
    demo = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.DEMO)
    TestDriveFactory(store=store, model=car_model, demo_vehicle=demo, slot_start=timezone.now() - dt.timedelta(days=3))
    html = staff_client.get(demo.get_absolute_url()).content.decode()
    assert "Test drives as demo car" in html
    assert store.code in html


def test_day_view_marks_begun_hours_and_offers_booking_links_for_free_ones(staff_client, store):
    store.opens_minute, store.closes_minute = 0, 1440
    store.save()
    html = staff_client.get("/sales/test-drives/day/").content.decode()
    assert "begun" in html  # 00:00 today has always begun
    tomorrow = local_slot(hour=10).date().isoformat()
    html = staff_client.get(f"/sales/test-drives/day/?date={tomorrow}").content.decode()
    assert "begun" not in html
    assert f"/sales/test-drives/new/?slot={tomorrow}%2010%3A00" in html


def test_hq_filters_the_list_by_store_code(hq_client, store, other_store, car_model):
    TestDriveFactory(store=store, model=car_model, customer=CustomerFactory(name="广州客户"))
    TestDriveFactory(store=other_store, model=car_model, customer=CustomerFactory(name="上海客户"))
    html = hq_client.get("/sales/test-drives/", {"store": "sh-0001"}).content.decode()
    assert "上海客户" in html and "广州客户" not in html


def test_regional_store_filter_outside_reach_shows_nothing(regional_client, other_store, car_model):
    TestDriveFactory(store=other_store, model=car_model, customer=CustomerFactory(name="上海客户"))
    html = regional_client.get("/sales/test-drives/", {"store": other_store.code}).content.decode()
    assert "上海客户" not in html and "is in your reach" in html


def test_booking_for_a_number_created_by_a_concurrent_request_redirects_to_the_booking(
    staff_client, store, car_model, monkeypatch
):
    """The race on a new number, made deterministic: the lookup misses, another request has just
    committed the customer, and the insert meets the unique number (IntegrityError path)."""
    from sales.services import customers

    CustomerFactory(phone="13900000001", name="王先生")
    monkeypatch.setattr(customers, "_by_phone", lambda number: None)
    response = staff_client.post(NEW, form())
    drive = TestDrive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:testdrive_detail", kwargs={"pk": drive.pk})
    assert drive.customer.phone == "13900000001" and drive.store == store


def test_booking_submitted_by_a_concurrent_request_redirects_to_the_existing_booking(
    staff_client, store, car_model, monkeypatch
):
    """Both requests passed the look-up for a standing booking; the second meets the constraint."""
    from sales.services import testdrives

    first = staff_client.post(NEW, form())
    standing = testdrives._standing
    misses = iter([None])
    monkeypatch.setattr(testdrives, "_standing", lambda **kw: next(misses, None) or standing(**kw))
    second = staff_client.post(NEW, form())
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert TestDrive.objects.count() == 1
    assert SlotLoad.objects.get(store=store, starts_at=local_slot()).booked == 1
